/* test-units.c: the one unit formatter (gz-units) writes exactly these strings, at every unit
 * boundary, for negatives and for values that are not numbers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "gz-units.h"

typedef struct
{
  double      value;
  const char *text;
} Case;

typedef char *(*Format) (double value);

static void
check_cases (Format      format,
             const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *text = format (cases[i].value);

      g_test_message ("%.17g -> \"%s\"", cases[i].value, text);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

#define KIB 1024.0
#define MIB (1024.0 * KIB)
#define GIB (1024.0 * MIB)
/* GIB * GIB is an EiB: 2^60 bytes. */

static void
test_bytes (void)
{
  static const Case cases[] = {
    { 0, "0 B" },
    { 1, "1 B" },
    { 12.34, "12.3 B" },
    { 512, "512 B" },
    { 999, "999 B" },
    { 1000, "1000 B" },
    { 1023, "1023 B" },
    { 1023.4, "1023 B" },
    /* Would show as "1024 B": the next unit instead. */
    { 1023.5, "1 KiB" },
    { KIB, "1 KiB" },
    { 1536, "1.5 KiB" },
    { 1.234 * KIB, "1.23 KiB" },
    { 10.25 * KIB, "10.3 KiB" },
    { 99.96 * KIB, "100 KiB" },
    { 999.4 * KIB, "999 KiB" },
    { 999.6 * KIB, "1000 KiB" },
    { 1023 * KIB, "1023 KiB" },
    { 1023.99 * KIB, "1 MiB" },
    { 1024 * KIB, "1 MiB" },
    { 12897485, "12.3 MiB" },
    { 3.21 * MIB, "3.21 MiB" },
    { 2 * GIB, "2 GiB" },
    { 1536 * GIB, "1.5 TiB" },
    { 8 * GIB * GIB, "8 EiB" },
    /* Past the last unit the figure just grows. */
    { 4096 * GIB * GIB, "4096 EiB" },
    { -1, "-1 B" },
    { -1023, "-1023 B" },
    { -1536, "-1.5 KiB" },
    { -2 * GIB, "-2 GiB" },
    { -1023.99 * KIB, "-1 MiB" },
    { 0.0004, "0 B" },
    { -0.0004, "0 B" },
    { NAN, "-" },
    { INFINITY, "-" },
    { -INFINITY, "-" },
  };

  check_cases (gz_units_format_bytes, cases, G_N_ELEMENTS (cases));
}

#define US 1e3
#define MS 1e6
#define S  1e9
#define MINUTE (60 * S)
#define H  (60 * MINUTE)

static void
test_nanoseconds (void)
{
  static const Case cases[] = {
    { 0, "0 ns" },
    { 0.25, "0.25 ns" },
    { 1, "1 ns" },
    { 85, "85 ns" },
    { 999, "999 ns" },
    { 999.4, "999 ns" },
    /* Would show as "1000 ns". */
    { 999.5, "1 µs" },
    { 1000, "1 µs" },
    { 1234, "1.23 µs" },
    { 12345, "12.3 µs" },
    { 999.4 * US, "999 µs" },
    { 999.5 * US, "1 ms" },
    { 4.5 * MS, "4.5 ms" },
    { 999.5 * MS, "1 s" },
    { 2.5 * S, "2.5 s" },
    { 59.9 * S, "59.9 s" },
    { 59.94 * S, "59.9 s" },
    /* Would show as "60 s": minutes instead. */
    { 59.96 * S, "1 min 00 s" },
    { MINUTE, "1 min 00 s" },
    { 65 * S, "1 min 05 s" },
    { 89.6 * S, "1 min 30 s" },
    { 59 * MINUTE + 59.4 * S, "59 min 59 s" },
    { 59 * MINUTE + 59.6 * S, "1 h 00 min" },
    { H, "1 h 00 min" },
    { 2 * H + 3 * MINUTE, "2 h 03 min" },
    { 2 * H + 3 * MINUTE + 31 * S, "2 h 04 min" },
    { 100 * H, "100 h 00 min" },
    { -85, "-85 ns" },
    { -999.5, "-1 µs" },
    { -1.5 * MS, "-1.5 ms" },
    { -65 * S, "-1 min 05 s" },
    { -(2 * H + 3 * MINUTE), "-2 h 03 min" },
    { NAN, "-" },
    { INFINITY, "-" },
  };

  check_cases (gz_units_format_nanoseconds, cases, G_N_ELEMENTS (cases));
}

static void
test_count (void)
{
  static const Case cases[] = {
    { 0, "0" },
    { 7, "7" },
    { 12.34, "12.3" },
    { 950, "950" },
    { 999.4, "999" },
    { 999.5, "1 k" },
    { 1000, "1 k" },
    { 12345, "12.3 k" },
    { 999999, "1 M" },
    { 4.5e6, "4.5 M" },
    { 1.2e9, "1.2 G" },
    { 3e12, "3 T" },
    { -12345, "-12.3 k" },
    { NAN, "-" },
  };

  check_cases (gz_units_format_count, cases, G_N_ELEMENTS (cases));
}

static void
test_value (void)
{
  static const struct
  {
    gint64      value;
    const char *unit;
    const char *text;
  } cases[] = {
    { 1500000, "nanoseconds", "1.5 ms" },
    { -999, "nanoseconds", "-999 ns" },
    { 1536, "bytes", "1.5 KiB" },
    { 1048575, "bytes", "1 MiB" },
    { G_MAXINT64, "bytes", "8 EiB" },
    { 1234567, "count", "1234567" },
    { -42, "objects", "-42" },
    { 17, NULL, "17" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gz_units_format_value (cases[i].value, cases[i].unit);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The strings above use a decimal point: the C locale, whatever the environment says. */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/base/units/bytes", test_bytes);
  g_test_add_func ("/base/units/nanoseconds", test_nanoseconds);
  g_test_add_func ("/base/units/count", test_count);
  g_test_add_func ("/base/units/value", test_value);

  return g_test_run ();
}
