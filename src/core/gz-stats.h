/* gz-stats.h: runtime statistics of the calling process — allocator, RSS, threads, CPU time,
 * context switches, file descriptors — as a JSON tree (the schema /debug/stats serves) and as
 * text. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  GZ_STATS_FORMAT_TABLE,
  GZ_STATS_FORMAT_JSON,
  GZ_STATS_FORMAT_YAML,
} GzStatsFormat;

gboolean  gz_stats_format_from_string (const char    *name,
                                       GzStatsFormat *format);

/* A JSON object; see README "Runtime statistics" for the schema. */
JsonNode *gz_stats_collect  (GError      **error);
char     *gz_stats_format   (JsonNode     *stats,
                             GzStatsFormat format);

G_END_DECLS
