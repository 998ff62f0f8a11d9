/* gz-bench-malloc.c: what the heap sampler costs per malloc/free pair: the executable's
 * wrappers (sampling at the default rate, and with sampling off) against tcmalloc's tc_malloc
 * and tc_free called directly. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gz-bench-common.h"

#include <stdlib.h>

#include "gz-heap-sampler.h"

#if GZ_BENCH_HAVE_TCMALLOC
#include <gperftools/tcmalloc.h>
#endif

/* The pointer goes through a volatile, so that GCC cannot delete free (malloc (n)). */
static void * volatile slot;
static const size_t sizes[8] = { 16, 24, 32, 48, 64, 80, 96, 128 };

__attribute__ ((noinline, noipa)) static void
wrapped_pairs (guint64 n)
{
  for (guint64 i = 0; i < n; i++)
    {
      slot = malloc (sizes[i & 7]);
      free (slot);
    }
}

#if GZ_BENCH_HAVE_TCMALLOC
__attribute__ ((noinline, noipa)) static void
tcmalloc_pairs (guint64 n)
{
  for (guint64 i = 0; i < n; i++)
    {
      slot = tc_malloc (sizes[i & 7]);
      tc_free (slot);
    }
}
#endif

typedef enum { WRAPPED, WRAPPED_RATE0, TCMALLOC, N_KINDS } Kind;

static const char *kind_names[N_KINDS] = { "wrapped", "wrapped_rate0", "tcmalloc" };

#define CHUNKS 8

/* CPU seconds for @n pairs of @kind. */
static double
run (Kind    kind,
     guint64 n,
     gsize   rate)
{
  double t0;

  gz_heap_sampler_set_rate (kind == WRAPPED_RATE0 ? 0 : rate);
  /* Let the countdown drawn at the previous rate run out: it can be 4 MiB when the rate was 0. */
  wrapped_pairs (n / 8 + 100000);

  t0 = gz_bench_now_cpu ();
  switch (kind)
    {
    case WRAPPED:
    case WRAPPED_RATE0:
      wrapped_pairs (n);
      break;
    case TCMALLOC:
#if GZ_BENCH_HAVE_TCMALLOC
      tcmalloc_pairs (n);
#endif
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
  return gz_bench_now_cpu () - t0;
}

static void
calibration_loop (guint64  n,
                  gpointer data)
{
  wrapped_pairs (n);
}

int
main (int   argc,
      char *argv[])
{
  GArray *ns[N_KINDS];
  g_autoptr(GArray) cost = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wrapper_cost = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sampled = g_array_new (FALSE, FALSE, sizeof (double));
  double per_sample;
  gsize rate;
  guint64 n;

  gz_bench_init (&argc, &argv, NULL);
  if (!GZ_BENCH_HAVE_TCMALLOC || !gz_heap_sampler_is_available ())
    {
      gz_bench_emit_error ("alloc_sampler_cost",
                           "built without tcmalloc and the allocation wrappers (-Dtcmalloc=false "
                           "or ASan): configure with -Dtcmalloc=true");
      return 0;
    }

  rate = gz_heap_sampler_get_rate ();
  n = gz_bench_calibrate (0.4, calibration_loop, NULL);
  for (Kind k = 0; k < N_KINDS; k++)
    ns[k] = g_array_new (FALSE, FALSE, sizeof (double));

  /* 2 x runs rounds of n pairs of each kind, in CHUNKS interleaved parts whose order rotates,
   * so that the three kinds see the same load on a busy machine. */
  for (guint round = 0; round < 2 * gz_bench_runs (); round++)
    {
      double seconds[N_KINDS] = { 0 };
      double taken = 0;

      for (guint c = 0; c < CHUNKS; c++)
        for (guint j = 0; j < N_KINDS; j++)
          {
            Kind k = (round + c + j) % N_KINDS;
            double before = gz_bench_heap_samples ();

            seconds[k] += run (k, n / CHUNKS, rate);
            if (k == WRAPPED)
              taken += gz_bench_heap_samples () - before;
          }
      for (Kind k = 0; k < N_KINDS; k++)
        {
          double v = seconds[k] * 1e9 / (double) (n / CHUNKS * CHUNKS);
          g_array_append_val (ns[k], v);
        }
      g_array_append_val (sampled, taken);
      {
        double d = g_array_index (ns[WRAPPED], double, round)
                   - g_array_index (ns[TCMALLOC], double, round);
        double w = g_array_index (ns[WRAPPED_RATE0], double, round)
                   - g_array_index (ns[TCMALLOC], double, round);
        g_array_append_val (cost, d);
        g_array_append_val (wrapper_cost, w);
      }
    }
  gz_heap_sampler_set_rate (rate);

  for (Kind k = 0; k < N_KINDS; k++)
    {
      g_autofree char *name = g_strdup_printf ("malloc_pair_%s", kind_names[k]);
      gz_bench_emit (name, "ns", ns[k], "pairs", (double) n, NULL);
    }
  /* What one sample costs: sampling on minus off, over the samples taken. */
  per_sample = (gz_bench_median (ns[WRAPPED]) - gz_bench_median (ns[WRAPPED_RATE0])) * (double) n
               / MAX (gz_bench_median (sampled), 1);
  gz_bench_emit ("alloc_sampler_cost", "ns", cost,
                 "pairs", (double) n, "rate", (double) rate,
                 "wrapped_ns", gz_bench_median (ns[WRAPPED]),
                 "tcmalloc_ns", gz_bench_median (ns[TCMALLOC]),
                 "wrapper_only_ns", gz_bench_median (wrapper_cost),
                 "best", gz_bench_min (ns[WRAPPED]) - gz_bench_min (ns[TCMALLOC]),
                 "samples_per_run", gz_bench_median (sampled),
                 "ns_per_sample", per_sample,
                 NULL);
  for (Kind k = 0; k < N_KINDS; k++)
    g_array_unref (ns[k]);
  return EXIT_SUCCESS;
}
