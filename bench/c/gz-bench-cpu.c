/* gz-bench-cpu.c: the CPU profiler's overhead on a CPU-bound loop, profiled vs not. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gz-bench-common.h"

#include <stdlib.h>

#include "gz-config.h"
#include "gz-profiler-factory.h"

typedef struct
{
  GzConfig *config;
  guint64   iterations;
  guint64   sink;
  GArray   *samples; /* double: samples in each profile, to show the profiler ran */
  GError   *error;
} CpuBench;

static GzBenchSpan
run_loop (CpuBench *bench)
{
  GzBenchSpan span;
  double c0 = gz_bench_now_cpu (), w0 = gz_bench_now_wall ();

  bench->sink += gz_bench_mix (bench->iterations, bench->sink);
  span.cpu_s = gz_bench_now_cpu () - c0;
  span.wall_s = gz_bench_now_wall () - w0;
  return span;
}

static GzBenchSpan
run_unprofiled (gpointer data,
                guint    chunks)
{
  return run_loop (data);
}

static GzBenchSpan
run_profiled (gpointer data,
              guint    chunks)
{
  CpuBench *bench = data;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  GzBenchSpan span = { 0, 0 };
  double n_samples;

  if (bench->error != NULL)
    return span;
  profiler = gz_profiler_new (GZ_PROFILE_TYPE_CPU, bench->config, &bench->error);
  if (profiler == NULL || !gz_profiler_start (profiler, &bench->error))
    return span;
  span = run_loop (bench);
  profile = gz_profiler_stop (profiler, &bench->error);
  if (profile == NULL)
    return span;
  n_samples = (double) gz_profile_total (profile, 0);
  g_array_append_val (bench->samples, n_samples);
  return span;
}

static void
mix_loop (guint64  n,
          gpointer data)
{
  CpuBench *bench = data;

  bench->sink += gz_bench_mix (n, bench->sink);
}

int
main (int   argc,
      char *argv[])
{
  int hz = 100;
  const GOptionEntry entries[] = {
    { "hz", 0, 0, G_OPTION_ARG_INT, &hz,
      "Profile at this frequency (up to 250) and divide the overhead by hz / 100", "HZ" },
    { NULL }
  };
  CpuBench bench = { 0 };
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GArray) as = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) aw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) overheads = NULL;
  g_autofree char *hz_text = NULL;
  const char *measurement;
  double scale;

  gz_bench_init (&argc, &argv, entries);
  /* At more than the default 100 Hz the overhead is measured amplified, then scaled back: a
   * sample costs the same, so the overhead grows with their number and stands out of the
   * noise of a busy machine. */
  scale = hz / 100.0;
  measurement = hz == 100 ? "cpu_profiler_overhead" : "cpu_profiler_overhead_amplified";
  hz_text = g_strdup_printf ("%d", hz);
  config = gz_config_new (NULL, &bench.error);
  if (config == NULL || !gz_config_set_flag (config, "cpu-hz", hz_text, &bench.error))
    {
      gz_bench_emit_error (measurement, bench.error->message);
      return 1;
    }
  bench.config = config;
  bench.samples = g_array_new (FALSE, FALSE, sizeof (double));
  bench.iterations = gz_bench_calibrate (gz_bench_cpu_seconds (), mix_loop, &bench);

  /* Whole runs: a profile of seconds, not a profiler started and stopped every few ms. */
  gz_bench_paired (gz_bench_runs (), 1, run_unprofiled, run_profiled, &bench, as, bs, aw, bw);
  if (bench.error != NULL)
    {
      gz_bench_emit_error (measurement, bench.error->message);
      return 1;
    }

  overheads = gz_bench_overheads (as, bs);
  for (guint i = 0; i < overheads->len; i++)
    g_array_index (overheads, double, i) /= scale;
  gz_bench_emit (measurement, "%", overheads,
                 "iterations", (double) bench.iterations, "hz", (double) hz, "scale", scale,
                 "off_cpu_s", gz_bench_median (as), "on_cpu_s", gz_bench_median (bs),
                 "off_wall_s", gz_bench_median (aw), "on_wall_s", gz_bench_median (bw),
                 "best_overhead", (gz_bench_min (bs) / gz_bench_min (as) - 1) * 100 / scale,
                 "profile_samples", gz_bench_median (bench.samples),
                 NULL);
  g_array_unref (bench.samples);
  return EXIT_SUCCESS;
}
