/* gz-session-registry-private.h: what the registry's two files share: file names in the
 * directory and the messages about owners that died. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-session-registry.h"

G_BEGIN_DECLS

#define GZ_SESSION_SUFFIX ".session" /* an active (or reserved) session */
#define GZ_STOP_SUFFIX    ".stop"    /* another process asks its owner to stop */
#define GZ_RESULT_SUFFIX  ".result"  /* the owner's answer: the summary */

/* DIR/ID@suffix; free with g_free. */
char     *gz_session_registry_path          (GzSessionRegistry   *self,
                                             const char          *id,
                                             const char          *suffix);
/* Creates the directory (mode 0700) when missing; fails when it (or a gz folder above it) is a
 * link, another user's or writable by others (gz_private_dir_open()). */
gboolean  gz_session_registry_ensure_dir    (GzSessionRegistry   *self,
                                             GError             **error);
/* Writes @path in the directory (checked as above) atomically, mode 0600. */
gboolean  gz_session_registry_write_file    (GzSessionRegistry   *self,
                                             const char          *path,
                                             const char          *data,
                                             gsize                length,
                                             GError             **error);
/* "removed stale session ID: owner pid PID exited"; free with g_free. */
char     *gz_session_registry_stale_message (const GzSessionInfo *info);

G_END_DECLS
