/* gz-units.h: one way to write quantities for people — bytes, durations, counts — used by the
 * core's text formats, gz-cli and the app alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Three significant digits in IEC units: "512 B", "1.5 KiB", "3.21 MiB", "-2 GiB".
 * Not a finite number: "-". */
char *gz_units_format_bytes       (double      bytes);
/* Three significant digits: "85 ns", "1.23 µs", "4.5 ms", "2.5 s"; from a minute on,
 * "1 min 05 s" and "2 h 03 min". Not a finite number: "-". */
char *gz_units_format_nanoseconds (double      nanoseconds);
/* Three significant digits with a decimal prefix: "950", "12.3 k", "4.5 M", "1.2 G". */
char *gz_units_format_count       (double      count);
/* A pprof value by its unit: "nanoseconds" and "bytes" as above, anything else a plain
 * integer. */
char *gz_units_format_value       (gint64      value,
                                   const char *unit);

G_END_DECLS
