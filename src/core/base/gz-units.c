/* gz-units.c: bytes, durations and counts written for people, the same everywhere. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "gz-units.h"

/* @v as it will be shown: three significant digits, whole numbers from 999.5 on (so that a
 * value that rounds up to 1000 is seen as such and moves to the next unit). */
static double
rounded (double v)
{
  double a = fabs (v);
  double r;

  if (a >= 999.5)
    r = round (v);
  else if (a < 0.001)
    r = 0;
  else
    {
      double p = pow (10, 2 - floor (log10 (a)));

      r = round (v * p) / p;
    }
  return r == 0 ? 0 : r;   /* no "-0" */
}

/* @r (already rounded) and @suffix: "1.5 KiB", "999 ns", "1023 KiB". */
static char *
show (double      r,
      const char *suffix)
{
  if (fabs (r) >= 999.5)
    return g_strdup_printf ("%.0f %s", r, suffix);
  return g_strdup_printf ("%.3g %s", r, suffix);
}

/* @value in the first of @units (each @step times the one before) whose rounded figure stays
 * below @limit; the last unit takes whatever is left. A figure that rounded up past the limit
 * is at least 1 in the next unit, whatever binary rounding says. */
static char *
in_units (double              value,
          double              step,
          double              limit,
          const char * const *units,
          guint               n_units)
{
  double scale = 1;
  gboolean carried = FALSE;

  for (guint i = 0; i < n_units; i++, scale *= step)
    {
      double r = rounded (value / scale);

      if (carried && fabs (r) < 1)
        r = value < 0 ? -1 : 1;
      if (fabs (r) < limit || i + 1 == n_units)
        return show (r, units[i]);
      carried = TRUE;
    }
  g_assert_not_reached ();
}

char *
gz_units_format_bytes (double bytes)
{
  static const char * const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

  if (!isfinite (bytes))
    return g_strdup ("-");
  return in_units (bytes, 1024, 1024, units, G_N_ELEMENTS (units));
}

char *
gz_units_format_nanoseconds (double nanoseconds)
{
  static const char * const units[] = { "ns", "µs", "ms", "s" };
  const char *sign = nanoseconds < 0 ? "-" : "";
  double seconds;
  double minutes;

  if (!isfinite (nanoseconds))
    return g_strdup ("-");
  if (fabs (rounded (nanoseconds / 1e9)) < 60)
    return in_units (nanoseconds, 1000, 1000, units, G_N_ELEMENTS (units));

  /* From a minute on, whole seconds, then from an hour on, whole minutes. */
  seconds = round (fabs (nanoseconds) / 1e9);
  if (seconds < 3600)
    return g_strdup_printf ("%s%.0f min %02.0f s", sign, floor (seconds / 60),
                            fmod (seconds, 60));
  minutes = round (fabs (nanoseconds) / 60e9);
  return g_strdup_printf ("%s%.0f h %02.0f min", sign, floor (minutes / 60), fmod (minutes, 60));
}

char *
gz_units_format_count (double count)
{
  static const char * const units[] = { "", "k", "M", "G", "T", "P", "E" };
  char *text;

  if (!isfinite (count))
    return g_strdup ("-");
  text = in_units (count, 1000, 1000, units, G_N_ELEMENTS (units));
  return g_strchomp (text);   /* no unit, no trailing space */
}

char *
gz_units_format_value (gint64      value,
                       const char *unit)
{
  if (g_strcmp0 (unit, "nanoseconds") == 0)
    return gz_units_format_nanoseconds ((double) value);
  if (g_strcmp0 (unit, "bytes") == 0)
    return gz_units_format_bytes ((double) value);
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}
