/* gz-pprof-query.h: the query parameters of net/http/pprof (seconds, debug), checked as Go
 * checks them, with the 400's text when they are wrong. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A positive integer of at most GZ_PPROF_SERVER_MAX_SECONDS. Returns FALSE with @problem. */
gboolean    gz_pprof_query_parse_seconds (const char  *text,
                                          gint64      *seconds,
                                          char       **problem);
/* 0, 1 or 2; NULL or empty is 0. Returns FALSE with @problem. */
gboolean    gz_pprof_query_parse_debug   (const char  *text,
                                          int         *debug,
                                          char       **problem);
/* @key's value in @query (which may be NULL), or NULL. */
const char *gz_pprof_query_get           (GHashTable  *query,
                                          const char  *key);

G_END_DECLS
