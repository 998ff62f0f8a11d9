/* gz-bench-json.c: the heap sampler's overhead on a realistic workload, JSON serialization
 * with json-glib, sampling at the configured rate vs sampling off. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gz-bench-common.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>

#include "gz-heap-sampler.h"

static volatile gsize json_length;

/* The same small object as bench/go serializes. */
__attribute__ ((noinline, noipa)) static void
serialize (guint64 i)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "gz profile");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, (gint64) i);
  json_builder_set_member_name (builder, "score");
  json_builder_add_double_value (builder, (double) i * 0.5);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, (i & 1) == 0);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "alpha");
  json_builder_add_string_value (builder, "beta");
  json_builder_add_string_value (builder, "gamma");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "attrs");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, "localhost");
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, "ns");
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);
  json_length = length;
}

static void
serialize_loop (guint64  n,
                gpointer data)
{
  for (guint64 i = 0; i < n; i++)
    serialize (i);
}

#define CHUNKS  8
/* The second measurement samples this many times more often, then divides the overhead by it:
 * each sample costs the same, so the overhead grows with their number and stands out of the
 * noise of a busy machine. */
#define AMPLIFY 16

typedef struct
{
  guint64 iterations;
  gsize   rate;        /* sampling on: the rate measured */
  GArray *on_samples;  /* double: heap samples taken in each chunk */
  GArray *off_samples;
} JsonBench;

static GzBenchSpan
run (JsonBench *bench,
     guint      chunks,
     gsize      rate,
     GArray    *samples)
{
  GzBenchSpan span;
  double before, c0, w0, taken;

  gz_heap_sampler_set_rate (rate);
  /* Let the countdown drawn at the previous rate run out: it can be 4 MiB when the rate was 0. */
  serialize_loop (bench->iterations / chunks / 8 + 1000, NULL);
  before = gz_bench_heap_samples ();

  c0 = gz_bench_now_cpu ();
  w0 = gz_bench_now_wall ();
  serialize_loop (bench->iterations / chunks, NULL);
  span.cpu_s = gz_bench_now_cpu () - c0;
  span.wall_s = gz_bench_now_wall () - w0;

  taken = gz_bench_heap_samples () - before;
  g_array_append_val (samples, taken);
  return span;
}

static GzBenchSpan
run_off (gpointer data,
         guint    chunks)
{
  JsonBench *bench = data;

  return run (bench, chunks, 0, bench->off_samples);
}

static GzBenchSpan
run_on (gpointer data,
        guint    chunks)
{
  JsonBench *bench = data;

  return run (bench, chunks, bench->rate, bench->on_samples);
}

/* Paired runs with sampling off and at @rate; each round's overhead is divided by @scale. */
static void
measure_at (JsonBench  *bench,
            const char *measurement,
            gsize       rate,
            double      scale)
{
  g_autoptr(GArray) as = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) aw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) overheads = NULL;

  bench->rate = rate;
  g_array_set_size (bench->on_samples, 0);
  g_array_set_size (bench->off_samples, 0);
  /* Runs of 0.4 s in CHUNKS interleaved parts of 50 ms. */
  gz_bench_paired (2 * gz_bench_runs (), CHUNKS, run_off, run_on, bench, as, bs, aw, bw);

  overheads = gz_bench_overheads (as, bs);
  for (guint i = 0; i < overheads->len; i++)
    g_array_index (overheads, double, i) /= scale;
  gz_bench_emit (measurement, "%", overheads,
                 "iterations", (double) bench->iterations, "rate", (double) rate,
                 "scale", scale,
                 "chunk_iterations", (double) (bench->iterations / CHUNKS),
                 "off_cpu_s", gz_bench_median (as), "on_cpu_s", gz_bench_median (bs),
                 "off_wall_s", gz_bench_median (aw), "on_wall_s", gz_bench_median (bw),
                 "best_overhead", (gz_bench_min (bs) / gz_bench_min (as) - 1) * 100 / scale,
                 "samples_on", gz_bench_median (bench->on_samples),
                 "samples_off", gz_bench_median (bench->off_samples),
                 NULL);
}

int
main (int   argc,
      char *argv[])
{
  JsonBench bench = { 0 };
  gsize rate;

  gz_bench_init (&argc, &argv, NULL);
  if (!GZ_BENCH_HAVE_TCMALLOC || !gz_heap_sampler_is_available ())
    {
      gz_bench_emit_error ("json_sampler_overhead",
                           "built without tcmalloc and the allocation wrappers (-Dtcmalloc=false "
                           "or ASan): configure with -Dtcmalloc=true");
      return 0;
    }

  rate = gz_heap_sampler_get_rate ();
  bench.on_samples = g_array_new (FALSE, FALSE, sizeof (double));
  bench.off_samples = g_array_new (FALSE, FALSE, sizeof (double));
  bench.iterations = gz_bench_calibrate (0.4, serialize_loop, NULL);

  measure_at (&bench, "json_sampler_overhead", rate, 1);
  measure_at (&bench, "json_sampler_overhead_amplified", MAX (rate / AMPLIFY, 1), AMPLIFY);
  gz_heap_sampler_set_rate (rate);

  g_array_unref (bench.on_samples);
  g_array_unref (bench.off_samples);
  return EXIT_SUCCESS;
}
