/* gz-test-spin.c: the spin suite: a linear congruential step repeated a fixed number of times
 * per operation, so that its cost scales with the factor. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-test-spin.h"

static volatile guint64 sink;
static guint64 units = GZ_TEST_SPIN_UNITS;

static __attribute__ ((noinline, noipa)) void
spin (guint64 steps,
      guint64 first,
      guint64 n)
{
  guint64 x = first;

  for (guint64 i = 0; i < n; i++)
    for (guint64 j = 0; j < steps; j++)
      {
        x = x * G_GUINT64_CONSTANT (6364136223846793005)
            + G_GUINT64_CONSTANT (1442695040888963407);
        __asm__ __volatile__ ("" : "+r" (x));
      }
  sink = x;
}

/* Each worker keeps the length it started with. */
static gpointer
spin_worker_new (guint    worker,
                 guint    concurrency,
                 GError **error)
{
  return g_memdup2 (&units, sizeof units);
}

static void
spin_suite_run (gpointer state,
                guint64  first,
                guint64  n)
{
  spin (*(guint64 *) state, first, n);
}

static const GzBenchSuite suite = {
  "test-spin", "a fixed arithmetic loop (the tests' own suite)",
  spin_worker_new, spin_suite_run, g_free,
};

static guint64
units_for (double factor)
{
  g_assert_true (factor > 0 && factor < 1000);
  return (guint64) (GZ_TEST_SPIN_UNITS * factor + 0.5);
}

const GzBenchSuite *
gz_test_spin_suite (double factor)
{
  units = units_for (factor);
  return &suite;
}

void
gz_test_spin_run (double  factor,
                  guint64 n)
{
  spin (units_for (factor), 0, n);
}
