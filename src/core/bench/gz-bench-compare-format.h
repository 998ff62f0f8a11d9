/* gz-bench-compare-format.h: a comparison of two labels as text: a table per metric for
 * people, the same in markdown, or json. */
#pragma once

#include <glib.h>

#include "gz-bench-compare.h"
#include "gz-bench-format.h"

G_BEGIN_DECLS

/* GZ_BENCH_FORMAT_TABLE, _MARKDOWN or _JSON (any other format gives the table). */
char *gz_bench_compare_format (GzBenchComparison *comparison,
                               GzBenchFormat      format);

G_END_DECLS
