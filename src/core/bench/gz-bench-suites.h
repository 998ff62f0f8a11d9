/* gz-bench-suites.h: the built-in benchmarks. Each runs a batch of operations on a per-worker
 * state, so the harness can time one operation or many between two clock reads. A caller may
 * hand the harness a GzBenchSuite of its own in the same form. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GZ_BENCH_ERROR (gz_bench_error_quark ())
GQuark gz_bench_error_quark (void);

typedef enum
{
  GZ_BENCH_ERROR_UNKNOWN,  /* no such benchmark; the message lists the names */
  GZ_BENCH_ERROR_INVALID,  /* bad options */
  GZ_BENCH_ERROR_FAILED,   /* a workload or a profile failed */
} GzBenchError;

typedef struct _GzBenchSuite GzBenchSuite;

struct _GzBenchSuite
{
  const char *name;
  const char *description;
  /* Per worker; @worker is 0..@concurrency-1. NULL: the worker state is NULL. */
  gpointer  (*worker_new)  (guint worker, guint concurrency, GError **error);
  /* Operations @first .. @first+@n-1. */
  void      (*run)         (gpointer state, guint64 first, guint64 n);
  void      (*worker_free) (gpointer state);
};

/* Every listed suite, in display order (aliases not included). */
const GzBenchSuite * const *gz_bench_suites_list  (void);
/* By name or alias ("thread-creation" is "goroutine-creation"). NULL and
 * GZ_BENCH_ERROR_UNKNOWN ("unknown benchmark: NAME; use one of: ...") otherwise. */
const GzBenchSuite *gz_bench_suites_lookup        (const char *name,
                                                   GError    **error);
/* "memory-allocation, goroutine-creation (thread-creation), ..." */
char               *gz_bench_suites_names         (void);

G_END_DECLS
