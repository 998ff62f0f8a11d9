/* gz-target-stats.c: the /debug/stats answer parsed and checked (fuzzed by
 * tests/fuzz/fuzz-stats.c with the formatter that prints it). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-target-client.h"
#include "gz-target-stats.h"

JsonNode *
gz_target_stats_parse (const char  *name,
                       const char  *path,
                       GBytes      *body,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *data;
  gsize size;

  g_return_val_if_fail (body != NULL, NULL);

  data = g_bytes_get_data (body, &size);
  root = json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) size, NULL)
           ? json_parser_get_root (parser) : NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "threads"))
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_STATS,
                   "%s answered %s with something that is not gz's statistics JSON; only gz's "
                   "servers (gz-cli profile server or run) serve it", name, path);
      return NULL;
    }
  return json_node_copy (root);
}
