/* gz-peer-credentials.c: who is at the other end of a Unix socket (SO_PEERCRED through
 * g_socket_get_credentials), checked against the user expected. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-peer-credentials.h"
#include "gz-private-dir.h"

gboolean
gz_peer_credentials_check (GSocket     *socket,
                           uid_t        expected,
                           gboolean     or_root,
                           const char  *where,
                           GError     **error)
{
  g_autoptr(GCredentials) credentials = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *peer = NULL;
  g_autofree char *wanted = NULL;
  uid_t uid;
  pid_t pid;

  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (where != NULL, FALSE);

  credentials = g_socket_get_credentials (socket, &local_error);
  if (credentials == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing %s: cannot tell who is at the other end (%s)", where,
                   local_error->message);
      return FALSE;
    }
  uid = g_credentials_get_unix_user (credentials, NULL);
  pid = g_credentials_get_unix_pid (credentials, NULL);
  if (uid == expected || (or_root && uid == 0))
    return TRUE;
  peer = gz_private_dir_describe_uid (uid);
  wanted = gz_private_dir_describe_uid (expected);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               "refusing %s: the process at the other end (pid %d) runs as %s, not as %s; "
               "gz talks only to processes of that user", where, (int) pid, peer, wanted);
  return FALSE;
}
