/* gz-pprof-handlers.h: one short handler per endpoint of net/http/pprof, and /debug/stats. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "gz-pprof-server.h"

G_BEGIN_DECLS

/* Answers @msg for @path (a GET, HEAD or a POST to /debug/pprof/symbol), at once or later. */
void gz_pprof_handlers_serve (GzPprofServer     *server,
                              SoupServerMessage *msg,
                              const char        *path,
                              GHashTable        *query);

/* The table of answers a server's requests may share (see gz-pprof-handlers.c). */
GHashTable *gz_pprof_handlers_new_shared (void);

G_END_DECLS
