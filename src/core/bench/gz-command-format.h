/* gz-command-format.h: the runs of command benchmarks as text: a table as hyperfine prints it
 * (with gz's median and interval), the "X ran 1.23 ± 0.04 times faster than Y" summary and a
 * markdown table; json, csv and gobench as for every benchmark. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-bench-format.h"
#include "gz-result-set.h"

G_BEGIN_DECLS

/* Mean and standard deviation of the wall time of one command's runs. */
typedef struct
{
  const char *name;   /* borrowed */
  double      mean;   /* nanoseconds */
  double      stddev; /* NaN with one run */
} GzCommandTimes;

/* How much faster @fastest ran than @other: @other's mean over @fastest's, and the ± of that
 * ratio from both standard deviations (propagated as hyperfine does; 0 with single runs). */
void   gz_command_format_relative (const GzCommandTimes *fastest,
                                   const GzCommandTimes *other,
                                   double               *ratio,
                                   double               *error);

/* @results: GzBenchResult runs of commands (gz-command-bench), in run order. @context and
 * @label may be NULL; @interrupted adds the line saying the runs were cut short. */
char  *gz_command_format_results  (GPtrArray            *results,
                                   const GzBenchContext *context,
                                   const char           *label,
                                   gboolean              interrupted,
                                   GzBenchFormat         format);

/* The summary alone: "Summary\n" and one line "  X ran 1.23 ± 0.04 times faster than Y" per
 * slower command, X the fastest by mean; "" with fewer than two commands. */
char  *gz_command_format_summary  (GPtrArray            *results);

G_END_DECLS
