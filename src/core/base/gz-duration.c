/* gz-duration.c: Go's time.ParseDuration and Duration.String, for non-negative durations. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-duration.h"

G_DEFINE_QUARK (gz-duration-error-quark, gz_duration_error)

#define NS_PER_US  G_GUINT64_CONSTANT (1000)
#define NS_PER_MS  G_GUINT64_CONSTANT (1000000)
#define NS_PER_S   G_GUINT64_CONSTANT (1000000000)
#define NS_PER_MIN (60 * NS_PER_S)
#define NS_PER_H   (60 * NS_PER_MIN)
#define LIMIT      ((guint64) G_MAXINT64) /* the largest duration, as in Go */

#define EXAMPLES "e.g. 30s, 1m30s, 300ms or 1.5h"

static const struct
{
  const char *name;
  guint64     nanoseconds;
} units[] = {
  { "ns", 1 },
  { "us", NS_PER_US },
  { "\xc2\xb5s", NS_PER_US }, /* U+00B5 micro sign */
  { "\xce\xbcs", NS_PER_US }, /* U+03BC Greek mu */
  { "ms", NS_PER_MS },
  { "s", NS_PER_S },
  { "m", NS_PER_MIN },
  { "h", NS_PER_H },
};

static gboolean
fail (GError    **error,
      const char *text,
      const char *problem)
{
  g_autofree char *shown = g_utf8_make_valid (text, -1);

  g_set_error (error, GZ_DURATION_ERROR, 0,
               "invalid duration \342\200\234%s\342\200\235: %s; write a number and a unit "
               "(ns, us, ms, s, m, h), " EXAMPLES,
               shown, problem);
  return FALSE;
}

/* Digits at *p into *value; FALSE on overflow (Go's leadingInt). */
static gboolean
leading_int (const char **p,
             guint64     *value)
{
  guint64 v = 0;

  for (; **p >= '0' && **p <= '9'; (*p)++)
    {
      if (v > LIMIT / 10)
        return FALSE;
      v = v * 10 + (guint64) (**p - '0');
      if (v > LIMIT)
        return FALSE;
    }
  *value = v;
  return TRUE;
}

/* Digits after the point, as Go's leadingFraction: stops accumulating before overflowing. */
static void
leading_fraction (const char **p,
                  guint64     *value,
                  double      *scale)
{
  guint64 v = 0;
  double s = 1;
  gboolean overflow = FALSE;

  for (; **p >= '0' && **p <= '9'; (*p)++)
    {
      if (overflow)
        continue;
      if (v > LIMIT / 10)
        {
          overflow = TRUE;
          continue;
        }
      v = v * 10 + (guint64) (**p - '0');
      if (v > LIMIT)
        {
          overflow = TRUE;
          continue;
        }
      s *= 10;
    }
  *value = v;
  *scale = s;
}

gboolean
gz_duration_parse (const char *text,
                   gint64     *nanoseconds,
                   GError    **error)
{
  const char *p = text;
  guint64 total = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  if (*p == '-')
    return fail (error, text, "duration must not be negative");
  if (*p == '+')
    p++;

  if (g_str_equal (p, "0"))
    {
      if (nanoseconds != NULL)
        *nanoseconds = 0;
      return TRUE;
    }
  if (*p == '\0')
    return fail (error, text, "it is empty");

  while (*p != '\0')
    {
      guint64 v = 0, f = 0, unit = 0;
      double scale = 1;
      gboolean pre, post = FALSE;
      const char *start;
      gsize len;

      if (!(*p == '.' || (*p >= '0' && *p <= '9')))
        return fail (error, text, "expected a number");

      start = p;
      if (!leading_int (&p, &v))
        return fail (error, text, "it is too large (the limit is about 2562047h)");
      pre = p != start;

      if (*p == '.')
        {
          p++;
          start = p;
          leading_fraction (&p, &f, &scale);
          post = p != start;
        }
      if (!pre && !post)
        return fail (error, text, "expected a number");

      for (len = 0; p[len] != '\0' && p[len] != '.' && !(p[len] >= '0' && p[len] <= '9'); len++)
        ;
      if (len == 0)
        return fail (error, text, "a unit is missing");

      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        {
          if (strlen (units[i].name) == len && strncmp (units[i].name, p, len) == 0)
            {
              unit = units[i].nanoseconds;
              break;
            }
        }
      if (unit == 0)
        {
          g_autofree char *name = g_strndup (p, len);
          g_autofree char *problem = g_strdup_printf ("unknown unit \342\200\234%s\342\200\235",
                                                      name);
          return fail (error, text, problem);
        }
      p += len;

      if (v > LIMIT / unit)
        return fail (error, text, "it is too large (the limit is about 2562047h)");
      v *= unit;
      if (f > 0)
        {
          v += (guint64) ((double) f * ((double) unit / scale));
          if (v > LIMIT)
            return fail (error, text, "it is too large (the limit is about 2562047h)");
        }
      total += v;
      if (total > LIMIT)
        return fail (error, text, "it is too large (the limit is about 2562047h)");
    }

  if (nanoseconds != NULL)
    *nanoseconds = (gint64) total;
  return TRUE;
}

/* Writes v / 10^prec's fraction (".5", without trailing zeros; nothing when it is 0) in front
 * of *w and returns v / 10^prec: Go's fmtFrac. */
static guint64
format_fraction (char  **w,
                 guint64 v,
                 int     prec)
{
  gboolean print = FALSE;

  for (int i = 0; i < prec; i++)
    {
      int digit = (int) (v % 10);

      print = print || digit != 0;
      if (print)
        *--(*w) = (char) ('0' + digit);
      v /= 10;
    }
  if (print)
    *--(*w) = '.';
  return v;
}

static void
format_int (char  **w,
            guint64 v)
{
  do
    {
      *--(*w) = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v > 0);
}

char *
gz_duration_format (gint64 nanoseconds)
{
  char buf[40];
  char *w = buf + sizeof buf;
  gboolean negative = nanoseconds < 0;
  guint64 u = negative ? -(guint64) nanoseconds : (guint64) nanoseconds;

  *--w = '\0';

  if (u < NS_PER_S)
    {
      int prec;

      if (u == 0)
        return g_strdup ("0s");

      *--w = 's';
      if (u < NS_PER_US)
        {
          prec = 0;
          *--w = 'n';
        }
      else if (u < NS_PER_MS)
        {
          prec = 3;
          *--w = '\xb5';
          *--w = '\xc2';
        }
      else
        {
          prec = 6;
          *--w = 'm';
        }
      u = format_fraction (&w, u, prec);
      format_int (&w, u);
    }
  else
    {
      *--w = 's';
      u = format_fraction (&w, u, 9);
      format_int (&w, u % 60);
      u /= 60;
      if (u > 0)
        {
          *--w = 'm';
          format_int (&w, u % 60);
          u /= 60;
          if (u > 0)
            {
              *--w = 'h';
              format_int (&w, u);
            }
        }
    }

  if (negative)
    *--w = '-';

  return g_strdup (w);
}
