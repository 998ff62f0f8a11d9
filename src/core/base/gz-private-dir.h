/* gz-private-dir.h: the folders where gz keeps sessions and sockets, opened without following
 * symbolic links and checked to be the user's own and writable by nobody else. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Opens the folder @path (O_DIRECTORY | O_CLOEXEC) and returns its fd, or -1 with @error set.
 * The part of @path under $XDG_RUNTIME_DIR or the user's cache folder, when it lies there, else
 * its last component, is opened one folder at a time with O_NOFOLLOW (the base above is trusted as
 * given); with @create, a missing folder there is made 0700. Each folder opened must belong to the
 * user (geteuid ()) and have no group or other write permission; anything else (a symbolic link,
 * not a folder, another owner, a shared mode) fails with G_IO_ERROR_PERMISSION_DENIED and one line
 * naming the path, its owner and the fix. Without @create, a missing folder fails with
 * G_IO_ERROR_NOT_FOUND. Nothing is ever chmodded. */
int       gz_private_dir_open        (const char   *path,
                                      gboolean      create,
                                      GError      **error);
/* gz_private_dir_open() without keeping the fd. */
gboolean  gz_private_dir_check       (const char   *path,
                                      gboolean      create,
                                      GError      **error);
/* "user NAME (uid N)", or "uid N" for a uid without a name. Free with g_free. */
char     *gz_private_dir_describe_uid (uid_t        uid);

G_END_DECLS
