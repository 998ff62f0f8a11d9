/* gz-pprof-connections.h: the pprof server's connections: accepted here and handed to libsoup,
 * kept alive between requests, bounded in number and in time (Go's ReadHeaderTimeout and
 * IdleTimeout), the oldest idle or stalled one shed when the limit is reached. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _GzPprofConnections GzPprofConnections;

GzPprofConnections *gz_pprof_connections_new                     (SoupServer         *soup);
void                gz_pprof_connections_free                    (GzPprofConnections *self);
/* Accepts connections on @socket (bound and listening). */
gboolean            gz_pprof_connections_listen                  (GzPprofConnections *self,
                                                                  GSocket            *socket,
                                                                  GError            **error);
/* Stops accepting; the connections open stay open. */
void                gz_pprof_connections_stop                    (GzPprofConnections *self);
/* Closes every connection (libsoup's soup_server_disconnect closes them as well). */
void                gz_pprof_connections_close_all               (GzPprofConnections *self);

/* 0: the default, from the file-descriptor limit (gz_pprof_server_default_max_connections). */
void                gz_pprof_connections_set_max                 (GzPprofConnections *self,
                                                                  guint               max);
void                gz_pprof_connections_set_read_header_timeout (GzPprofConnections *self,
                                                                  guint               msec);
void                gz_pprof_connections_set_idle_timeout        (GzPprofConnections *self,
                                                                  guint               msec);
/* @msg's headers are read: its connection's read-header deadline stops. */
void                gz_pprof_connections_request_active          (GzPprofConnections *self,
                                                                  SoupServerMessage  *msg);
guint               gz_pprof_connections_get_n                   (GzPprofConnections *self);

G_END_DECLS
