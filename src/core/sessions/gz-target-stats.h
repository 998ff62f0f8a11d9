/* gz-target-stats.h: the /debug/stats answer of a URL or a process, checked before anyone uses
 * it: JSON, an object, with the members gz's statistics always have. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @body as gz's statistics JSON; GZ_TARGET_ERROR_NOT_STATS (naming @name and @path) when it is
 * not. */
JsonNode *gz_target_stats_parse (const char  *name,
                                 const char  *path,
                                 GBytes      *body,
                                 GError     **error);

G_END_DECLS
