/* gz-process-stats.h: runtime statistics of the calling process — allocator, RSS, threads, CPU time,
 * context switches, file descriptors — as a JSON tree (the schema /debug/stats serves) and as
 * text. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  GZ_PROCESS_STATS_FORMAT_TABLE,
  GZ_PROCESS_STATS_FORMAT_JSON,
  GZ_PROCESS_STATS_FORMAT_YAML,
} GzProcessStatsFormat;

gboolean  gz_process_stats_format_from_string (const char    *name,
                                       GzProcessStatsFormat *format);

/* A JSON object; see README "Runtime statistics" for the schema. */
JsonNode *gz_process_stats_collect  (GError      **error);
char     *gz_process_stats_format   (JsonNode     *stats,
                             GzProcessStatsFormat format);

G_END_DECLS
