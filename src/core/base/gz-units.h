/* gz-units.h: one way to write quantities for people — bytes, durations, counts — used by the
 * core's text formats, gz-cli and the app alike. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Three significant digits in IEC units: "512 B", "1.5 KiB", "3.21 MiB", "-2 GiB"; whole
 * numbers from 1000 up to the next unit ("1023 KiB"), which starts where the figure would round
 * to 1024 ("1 MiB", never "1024 KiB"). Not a finite number: "-". */
char *gz_units_format_bytes       (double      bytes);
/* Three significant digits: "85 ns", "1.23 µs", "4.5 ms", "2.5 s" (999.5 ns is "1 µs"); from
 * a minute on, rounded to the second or, from an hour on, to the minute: "1 min 05 s",
 * "2 h 03 min". Not a finite number: "-". */
char *gz_units_format_nanoseconds (double      nanoseconds);
/* Three significant digits with a decimal prefix: "950", "12.3 k", "4.5 M", "1.2 G".
 * Not a finite number: "-". */
char *gz_units_format_count       (double      count);
/* A pprof value by its unit: "nanoseconds" and "bytes" as above, anything else a plain
 * integer. */
char *gz_units_format_value       (gint64      value,
                                   const char *unit);

G_END_DECLS
