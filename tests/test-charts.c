/* test-charts.c: the charts' maths without a display (src/app/gz-chart-scale.c): scales, nice
 * tick steps and ranges, tick labels in readable units, the bounded ring of points and hit
 * testing of bins, bars and points. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "gz-chart-scale.h"

static void
test_scale_map (void)
{
  GzChartScale x, y;

  gz_chart_scale_init (&x, 0, 100, 10, 210);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&x, 0), 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&x, 50), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&x, 100), 210, 1e-9);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_invert (&x, 110), 50, 1e-9);

  /* A y axis: larger values go up, to smaller pixels. */
  gz_chart_scale_init (&y, 0, 1000, 300, 20);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&y, 0), 300, 1e-9);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&y, 1000), 20, 1e-9);
  g_assert_cmpfloat_with_epsilon (gz_chart_scale_map (&y, 250), 230, 1e-9);
  for (double v = -100; v <= 1100; v += 37.5)
    g_assert_cmpfloat_with_epsilon (gz_chart_scale_invert (&y, gz_chart_scale_map (&y, v)), v,
                                    1e-9);

  /* An empty domain maps to the middle rather than dividing by zero. */
  gz_chart_scale_init (&x, 5, 5, 0, 100);
  g_assert_cmpfloat (gz_chart_scale_map (&x, 5), ==, 50);
}

static void
test_nice_step (void)
{
  static const struct
  {
    double span;
    guint max_ticks;
    GzChartUnit unit;
    double step;
  } cases[] = {
    { 10, 5, GZ_CHART_UNIT_COUNT, 2 },
    { 10, 10, GZ_CHART_UNIT_COUNT, 1 },
    { 7, 5, GZ_CHART_UNIT_COUNT, 2 },
    { 0.3, 3, GZ_CHART_UNIT_COUNT, 0.1 },
    { 23, 5, GZ_CHART_UNIT_COUNT, 5 },
    { 1e6, 4, GZ_CHART_UNIT_COUNT, 5e5 },
    { 3.7e9, 5, GZ_CHART_UNIT_NANOSECONDS, 1e9 },
    { 45, 5, GZ_CHART_UNIT_PERCENT, 10 },
    /* Bytes in powers of 1024 from a KiB on: 1 MiB, 512 KiB, 2 GiB — never 1000 KiB. */
    { 3 * 1048576.0, 3, GZ_CHART_UNIT_BYTES, 1048576 },
    { 1.5 * 1048576.0, 3, GZ_CHART_UNIT_BYTES, 512 * 1024 },
    { 900 * 1024.0, 1, GZ_CHART_UNIT_BYTES, 1048576 },
    { 9 * 1073741824.0, 5, GZ_CHART_UNIT_BYTES, 2 * 1073741824.0 },
    { 600, 6, GZ_CHART_UNIT_BYTES, 100 },
    /* Seconds as a clock counts them. */
    { 300, 5, GZ_CHART_UNIT_SECONDS, 60 },
    { 300, 4, GZ_CHART_UNIT_SECONDS, 120 },
    { 60, 5, GZ_CHART_UNIT_SECONDS, 15 },
    { 60, 3, GZ_CHART_UNIT_SECONDS, 30 },
    { 7200, 4, GZ_CHART_UNIT_SECONDS, 1800 },
    { 36000, 5, GZ_CHART_UNIT_SECONDS, 7200 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double step = gz_chart_nice_step (cases[i].span, cases[i].max_ticks, cases[i].unit);

      g_test_message ("span %g over %u (unit %d): step %g", cases[i].span, cases[i].max_ticks,
                      cases[i].unit, step);
      g_assert_cmpfloat_with_epsilon (step, cases[i].step, cases[i].step * 1e-12);
      /* Never more intervals than asked for. */
      g_assert_cmpfloat (cases[i].span / step, <=, cases[i].max_ticks + 1e-9);
    }
  g_assert_cmpfloat (gz_chart_nice_step (0, 5, GZ_CHART_UNIT_COUNT), ==, 0);
  g_assert_cmpfloat (gz_chart_nice_step (-1, 5, GZ_CHART_UNIT_COUNT), ==, 0);
  g_assert_cmpfloat (gz_chart_nice_step (NAN, 5, GZ_CHART_UNIT_COUNT), ==, 0);
  g_assert_cmpfloat (gz_chart_nice_step (10, 0, GZ_CHART_UNIT_COUNT), ==, 0);
}

/* Whatever the range, the ticks cover it, are nice multiples of their step and at most
 * max_ticks + 1. */
static void
test_ticks_choose (void)
{
  GzChartTicks ticks;
  guint32 seed = 1234;

  gz_chart_ticks_choose (3, 97, 5, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpfloat (ticks.min, ==, 0);
  g_assert_cmpfloat (ticks.max, ==, 100);
  g_assert_cmpfloat (ticks.step, ==, 20);
  g_assert_cmpuint (ticks.n, ==, 6);

  /* 0.1 + 0.2: the ticks are exactly 0, 0.1, 0.2, 0.3 to print, not 0.30000000000000004. */
  gz_chart_ticks_choose (0, 0.3, 3, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpuint (ticks.n, ==, 4);
  g_assert_cmpfloat_with_epsilon (gz_chart_ticks_value (&ticks, 3), 0.3, 1e-12);

  /* Negative values, and a tick at exactly 0 where rounding would leave 1e-17. */
  gz_chart_ticks_choose (-0.7, 0.5, 6, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpfloat (ticks.min, <=, -0.7);
  g_assert_cmpfloat (ticks.max, >=, 0.5);
  for (guint i = 0; i < ticks.n; i++)
    if (fabs (gz_chart_ticks_value (&ticks, i)) < ticks.step / 2)
      g_assert_cmpfloat (gz_chart_ticks_value (&ticks, i), ==, 0);

  /* A flat line: widened around its value, non-negative stays non-negative. */
  gz_chart_ticks_choose (0, 0, 4, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpfloat (ticks.min, ==, 0);
  g_assert_cmpfloat (ticks.max, >, 0);
  gz_chart_ticks_choose (50e6, 50e6, 4, GZ_CHART_UNIT_BYTES, &ticks);
  g_assert_cmpfloat (ticks.min, >=, 0);
  g_assert_cmpfloat (ticks.min, <, 50e6);
  g_assert_cmpfloat (ticks.max, >, 50e6);
  gz_chart_ticks_choose (NAN, 3, 4, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpuint (ticks.n, >=, 2);
  /* Reversed bounds are put in order. */
  gz_chart_ticks_choose (10, 0, 5, GZ_CHART_UNIT_COUNT, &ticks);
  g_assert_cmpfloat (ticks.min, ==, 0);
  g_assert_cmpfloat (ticks.max, ==, 10);

  for (guint round_ = 0; round_ < 2000; round_++)
    {
      static const GzChartUnit units[] = {
        GZ_CHART_UNIT_COUNT, GZ_CHART_UNIT_BYTES, GZ_CHART_UNIT_NANOSECONDS,
        GZ_CHART_UNIT_PERCENT, GZ_CHART_UNIT_SECONDS,
      };
      double lo, hi, k;
      guint max_ticks;
      GzChartUnit unit;

      seed = seed * 1103515245 + 12345;
      lo = pow (10, (seed >> 8) % 1200 / 100.0 - 3) * ((seed & 1) ? -1 : 1) * ((seed & 2) ? 0 : 1);
      seed = seed * 1103515245 + 12345;
      hi = lo + pow (10, (seed >> 8) % 1200 / 100.0 - 3);
      max_ticks = 2 + (seed >> 4) % 9;
      unit = units[(seed >> 20) % G_N_ELEMENTS (units)];

      gz_chart_ticks_choose (lo, hi, max_ticks, unit, &ticks);
      /* Covered up to a millionth of a step: less than a pixel. */
      if (ticks.min > lo + ticks.step * 1e-6 || ticks.max < hi - ticks.step * 1e-6 || ticks.n < 2 || ticks.n > max_ticks + 1
          || ticks.step <= 0)
        g_error ("[%g, %g] over %u (unit %d): %g..%g step %g, %u ticks", lo, hi, max_ticks, unit,
                 ticks.min, ticks.max, ticks.step, ticks.n);
      k = ticks.min / ticks.step;
      g_assert_cmpfloat (fabs (k - round (k)), <, 1e-6);
      g_assert_cmpfloat_with_epsilon (gz_chart_ticks_value (&ticks, ticks.n - 1), ticks.max,
                                      ticks.step * 1e-6 + fabs (ticks.max) * 1e-12);
      if (lo >= 0)
        g_assert_cmpfloat (ticks.min, >=, 0);
    }
}

/* Tick labels through gz-units: readable, and distinct for neighbouring ticks. */
static void
test_format (void)
{
  static const struct
  {
    double value;
    double step;
    GzChartUnit unit;
    const char *text;
  } cases[] = {
    { 0, 1, GZ_CHART_UNIT_COUNT, "0" },
    { 950, 50, GZ_CHART_UNIT_COUNT, "950" },
    { 12300, 100, GZ_CHART_UNIT_COUNT, "12.3 k" },
    { 0.25, 0.05, GZ_CHART_UNIT_COUNT, "0.25" },
    { 0.4, 0.2, GZ_CHART_UNIT_COUNT, "0.4" },
    { 512, 128, GZ_CHART_UNIT_BYTES, "512 B" },
    { 1536, 512, GZ_CHART_UNIT_BYTES, "1.5 KiB" },
    { 3 * 1048576.0, 1048576, GZ_CHART_UNIT_BYTES, "3 MiB" },
    { 85, 5, GZ_CHART_UNIT_NANOSECONDS, "85 ns" },
    { 1500, 500, GZ_CHART_UNIT_NANOSECONDS, "1.5 µs" },
    { 4.5e6, 5e5, GZ_CHART_UNIT_NANOSECONDS, "4.5 ms" },
    { 2e9, 1e9, GZ_CHART_UNIT_NANOSECONDS, "2 s" },
    { 25, 5, GZ_CHART_UNIT_PERCENT, "25 %" },
    { 2.5, 0.5, GZ_CHART_UNIT_PERCENT, "2.5 %" },
    { 12.345, 0, GZ_CHART_UNIT_PERCENT, "12.3 %" },
    { 0, 30, GZ_CHART_UNIT_SECONDS, "now" },
    { -30, 30, GZ_CHART_UNIT_SECONDS, "-30 s" },
    { -120, 60, GZ_CHART_UNIT_SECONDS, "-2 min" },
    { -90, 30, GZ_CHART_UNIT_SECONDS, "-90 s" },
    { -12, 0, GZ_CHART_UNIT_SECONDS, "12 s ago" },
    { NAN, 1, GZ_CHART_UNIT_BYTES, "-" },
  };
  GzChartTicks ticks;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gz_chart_format (cases[i].value, cases[i].step, cases[i].unit);

      g_test_message ("%g (step %g, unit %d) -> \"%s\"", cases[i].value, cases[i].step,
                      cases[i].unit, text);
      g_assert_cmpstr (text, ==, cases[i].text);
    }

  /* Every label of a chosen axis differs from its neighbours. */
  gz_chart_ticks_choose (0, 0.06, 6, GZ_CHART_UNIT_PERCENT, &ticks);
  for (guint i = 1; i < ticks.n; i++)
    {
      g_autofree char *a = gz_chart_format (gz_chart_ticks_value (&ticks, i - 1), ticks.step,
                                            GZ_CHART_UNIT_PERCENT);
      g_autofree char *b = gz_chart_format (gz_chart_ticks_value (&ticks, i), ticks.step,
                                            GZ_CHART_UNIT_PERCENT);

      g_assert_cmpstr (a, !=, b);
    }
  gz_chart_ticks_choose (0, 5 * 1048576.0, 5, GZ_CHART_UNIT_BYTES, &ticks);
  for (guint i = 0; i < ticks.n; i++)
    {
      g_autofree char *text = gz_chart_format (gz_chart_ticks_value (&ticks, i), ticks.step,
                                               GZ_CHART_UNIT_BYTES);
      g_autofree char *expected = i == 0 ? g_strdup ("0 B") : g_strdup_printf ("%u MiB", i);

      g_assert_cmpstr (text, ==, expected);
    }
}

/* Pushing past the capacity drops the oldest: the length stays the capacity. */
static void
test_ring_bounded (void)
{
  g_autoptr(GzChartRing) ring = gz_chart_ring_new (300);
  double t, v, min, max;

  g_assert_cmpuint (gz_chart_ring_get_length (ring), ==, 0);
  g_assert_false (gz_chart_ring_get (ring, 0, &t, &v));
  g_assert_false (gz_chart_ring_get_range (ring, -INFINITY, &min, &max));
  g_assert_cmpint (gz_chart_ring_nearest (ring, 0), ==, -1);

  for (guint i = 0; i < 3600; i++)
    {
      gz_chart_ring_push (ring, i, i * 10.0);
      g_assert_cmpuint (gz_chart_ring_get_length (ring), ==, MIN (i + 1, 300));
    }
  g_assert_cmpuint (gz_chart_ring_get_capacity (ring), ==, 300);
  /* The newest 300, oldest first. */
  for (guint i = 0; i < 300; i++)
    {
      g_assert_true (gz_chart_ring_get (ring, i, &t, &v));
      g_assert_cmpfloat (t, ==, 3300 + i);
      g_assert_cmpfloat (v, ==, (3300 + i) * 10.0);
    }
  g_assert_false (gz_chart_ring_get (ring, 300, &t, &v));

  /* The range of the last minute only. */
  g_assert_true (gz_chart_ring_get_range (ring, 3540, &min, &max));
  g_assert_cmpfloat (min, ==, 35400);
  g_assert_cmpfloat (max, ==, 35990);

  /* A time going back is raised to the last one: the ring stays sorted. */
  gz_chart_ring_push (ring, 10, -1);
  g_assert_true (gz_chart_ring_get (ring, 299, &t, &v));
  g_assert_cmpfloat (t, ==, 3599);
  g_assert_cmpfloat (v, ==, -1);

  gz_chart_ring_clear (ring);
  g_assert_cmpuint (gz_chart_ring_get_length (ring), ==, 0);
  gz_chart_ring_push (ring, 1, 2);
  g_assert_cmpuint (gz_chart_ring_get_length (ring), ==, 1);
}

static void
test_ring_nearest (void)
{
  g_autoptr(GzChartRing) ring = gz_chart_ring_new (4);
  double min, max;

  /* Wrapped: holds times 3, 4, 6, 10. */
  gz_chart_ring_push (ring, 0, 0);
  gz_chart_ring_push (ring, 1, NAN);
  gz_chart_ring_push (ring, 3, 3);
  gz_chart_ring_push (ring, 4, 4);
  gz_chart_ring_push (ring, 6, 6);
  gz_chart_ring_push (ring, 10, 10);

  g_assert_cmpint (gz_chart_ring_nearest (ring, -100), ==, 0);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 3), ==, 0);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 3.4), ==, 0);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 3.6), ==, 1);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 5.1), ==, 2);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 7.9), ==, 2);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 8.1), ==, 3);
  g_assert_cmpint (gz_chart_ring_nearest (ring, 1e9), ==, 3);

  /* Gaps (NAN) are not part of the range. */
  gz_chart_ring_clear (ring);
  gz_chart_ring_push (ring, 0, NAN);
  gz_chart_ring_push (ring, 1, 5);
  g_assert_true (gz_chart_ring_get_range (ring, -INFINITY, &min, &max));
  g_assert_cmpfloat (min, ==, 5);
  g_assert_cmpfloat (max, ==, 5);
}

static void
test_hit_bin (void)
{
  static const double edges[] = { 100, 200, 400, 800, 1600 };

  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 99.9), ==, -1);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 100), ==, 0);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 199.99), ==, 0);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 200), ==, 1);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 500), ==, 2);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 1000), ==, 3);
  /* The last bin is closed. */
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 1600), ==, 3);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, 1600.1), ==, -1);
  g_assert_cmpint (gz_chart_hit_bin (edges, 4, NAN), ==, -1);
  g_assert_cmpint (gz_chart_hit_bin (edges, 0, 150), ==, -1);
  g_assert_cmpint (gz_chart_hit_bin (NULL, 4, 150), ==, -1);
  g_assert_cmpint (gz_chart_hit_bin (edges, 1, 150), ==, 0);
}

static void
test_bar_hit (void)
{
  guint g = 99, s = 99;
  double x, w;

  /* 3 groups × 2 series over 300 px from 50: slots of 100, bands of 40. */
  gz_chart_bar_geometry (3, 2, 50, 300, 1, 0, &x, &w);
  g_assert_cmpfloat_with_epsilon (x, 50 + 100 + 10 + 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (w, 36, 1e-9);
  gz_chart_bar_geometry (3, 2, 50, 300, 1, 1, &x, &w);
  g_assert_cmpfloat_with_epsilon (x, 50 + 100 + 10 + 40 + 2, 1e-9);

  /* Every bar's middle hits that bar. */
  for (guint gi = 0; gi < 3; gi++)
    for (guint si = 0; si < 2; si++)
      {
        gz_chart_bar_geometry (3, 2, 50, 300, gi, si, &x, &w);
        g_assert_true (gz_chart_bar_hit (3, 2, 50, 300, x + w / 2, &g, &s));
        g_assert_cmpuint (g, ==, gi);
        g_assert_cmpuint (s, ==, si);
      }
  /* Margins, the gap between bars and outside the plot hit nothing. */
  g_assert_false (gz_chart_bar_hit (3, 2, 50, 300, 50 + 5, &g, &s));
  g_assert_false (gz_chart_bar_hit (3, 2, 50, 300, 50 + 100 + 10 + 39.5, &g, &s));
  g_assert_false (gz_chart_bar_hit (3, 2, 50, 300, 49, &g, &s));
  g_assert_false (gz_chart_bar_hit (3, 2, 50, 300, 351, &g, &s));
  g_assert_false (gz_chart_bar_hit (0, 2, 50, 300, 100, &g, &s));
  g_assert_false (gz_chart_bar_hit (3, 0, 50, 300, 100, &g, &s));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charts/scale/map", test_scale_map);
  g_test_add_func ("/charts/ticks/nice-step", test_nice_step);
  g_test_add_func ("/charts/ticks/choose", test_ticks_choose);
  g_test_add_func ("/charts/ticks/format", test_format);
  g_test_add_func ("/charts/ring/bounded", test_ring_bounded);
  g_test_add_func ("/charts/ring/nearest", test_ring_nearest);
  g_test_add_func ("/charts/hit/bin", test_hit_bin);
  g_test_add_func ("/charts/hit/bar", test_bar_hit);

  return g_test_run ();
}
