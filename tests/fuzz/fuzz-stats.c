/* fuzz-stats.c: libFuzzer target for the statistics JSON a URL or a process answers at
 * /debug/stats (`gz-cli profile stats --url`, the app's Statistics page): any bytes are refused
 * with GZ_TARGET_ERROR_NOT_STATS or parse to an object that every format prints, never a
 * crash, a leak or a hang. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "gz-process-stats.h"
#include "gz-target-client.h"
#include "gz-target-stats.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = gz_target_stats_parse ("fuzz", "/debug/stats", body, &error);
  const GzProcessStatsFormat formats[] = { GZ_PROCESS_STATS_FORMAT_TABLE,
                                           GZ_PROCESS_STATS_FORMAT_JSON,
                                           GZ_PROCESS_STATS_FORMAT_YAML };

  if (stats == NULL)
    {
      g_assert_true (g_error_matches (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_STATS));
      return 0;
    }
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *text = gz_process_stats_format (stats, formats[i]);

      g_assert_nonnull (text);
    }
  return 0;
}
