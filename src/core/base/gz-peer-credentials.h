/* gz-peer-credentials.h: who is at the other end of a Unix socket (SO_PEERCRED), for the servers
 * and clients of gz's sockets, which talk only to processes of the user they expect. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Whether the process at the other end of the connected Unix socket @socket runs as @expected
 * (or as root, with @or_root). Fails with G_IO_ERROR_PERMISSION_DENIED and one line naming
 * @where (a path), the peer's pid and user, and who was expected. */
gboolean  gz_peer_credentials_check    (GSocket      *socket,
                                        uid_t         expected,
                                        gboolean      or_root,
                                        const char   *where,
                                        GError      **error);

G_END_DECLS
