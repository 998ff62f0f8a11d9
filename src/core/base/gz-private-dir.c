/* gz-private-dir.c: the folders where gz keeps sessions and sockets, opened one at a time with
 * openat (O_NOFOLLOW) and checked with fstat: the user's own, writable by nobody else. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gz-private-dir.h"

#define FIX_HINT "remove it, or choose a folder of your own (XDG_RUNTIME_DIR, GZ_AGENT_DIR, " \
                 "GZ_PROFILE_SESSION_DIR)"

char *
gz_private_dir_describe_uid (uid_t uid)
{
  struct passwd entry, *found = NULL;
  char buffer[1024];

  if (getpwuid_r (uid, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL)
    return g_strdup_printf ("user %s (uid %u)", found->pw_name, (guint) uid);
  return g_strdup_printf ("uid %u", (guint) uid);
}

static void
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, path,
               g_strerror (saved));
}

/* Whether the folder @fd, at @path, is the user's own and writable by nobody else. */
static gboolean
check_folder (int          fd,
              const char  *path,
              GError     **error)
{
  struct stat st;

  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "cannot look at the folder", path);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_autofree char *owner = gz_private_dir_describe_uid (st.st_uid);
      g_autofree char *me = gz_private_dir_describe_uid (geteuid ());

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing the folder %s: it belongs to %s, not to %s; " FIX_HINT, path, owner,
                   me);
      return FALSE;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_autofree char *owner = gz_private_dir_describe_uid (st.st_uid);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing the folder %s (owned by %s): its group or others may write in it (mode "
                   "%04o); make it private with chmod go-w, or " FIX_HINT, path, owner,
                   (guint) (st.st_mode & 07777));
      return FALSE;
    }
  return TRUE;
}

/* Opens @name in the folder @dir_fd, at @path, without following a link; with @create makes it
 * (0700) when missing. Says what is in the way when it is not a folder. */
static int
open_child (int          dir_fd,
            const char  *name,
            const char  *path,
            gboolean     create,
            GError     **error)
{
  int fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT && create)
    {
      if (mkdirat (dir_fd, name, 0700) != 0 && errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot create the folder %s: %s; check its parent or " FIX_HINT, path,
                       g_strerror (saved));
          return -1;
        }
      fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd >= 0)
    return fd;
  if (errno == ELOOP || errno == ENOTDIR)
    {
      struct stat st;
      g_autofree char *owner = NULL;
      gboolean link = FALSE;

      if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          owner = gz_private_dir_describe_uid (st.st_uid);
          link = S_ISLNK (st.st_mode);
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing %s: it is %s (owned by %s), not a folder; gz follows no links there; "
                   FIX_HINT, path, link ? "a symbolic link" : "a file",
                   owner != NULL ? owner : "an unknown owner");
      return -1;
    }
  set_errno_error (error, errno, "cannot open the folder", path);
  return -1;
}

/* @path without trailing slashes. */
static char *
trimmed (const char *path)
{
  char *copy = g_strdup (path);
  gsize length = strlen (copy);

  while (length > 1 && copy[length - 1] == '/')
    copy[--length] = '\0';
  return copy;
}

/* Where @path's checked part starts: the base (trusted as given) and the rest below it. */
static void
split_path (const char  *path,
            char       **base,
            char       **rest)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  const char *candidates[] = {
    runtime != NULL && runtime[0] == '/' ? runtime : NULL,
    g_get_user_cache_dir (),
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *prefix = candidates[i] != NULL ? trimmed (candidates[i]) : NULL;
      gsize length = prefix != NULL ? strlen (prefix) : 0;

      if (length > 1 && strncmp (path, prefix, length) == 0 && path[length] == '/' &&
          path[length + 1] != '\0')
        {
          *base = g_steal_pointer (&prefix);
          *rest = g_strdup (path + length + 1);
          return;
        }
    }
  *base = g_path_get_dirname (path);
  *rest = g_path_get_basename (path);
}

int
gz_private_dir_open (const char  *path,
                     gboolean     create,
                     GError     **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *base = NULL;
  g_autofree char *rest = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GString) opened = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, -1);

  if (!g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the folder %s is not an absolute path; " FIX_HINT, path);
      return -1;
    }
  clean = trimmed (path);
  split_path (clean, &base, &rest);
  if (create && g_mkdir_with_parents (base, 0700) != 0)
    {
      set_errno_error (error, errno, "cannot create the folder", base);
      return -1;
    }
  fd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      set_errno_error (error, errno, "cannot open the folder", base);
      return -1;
    }

  opened = g_string_new (base);
  names = g_strsplit (rest, "/", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      int child;

      if (names[i][0] == '\0' || g_str_equal (names[i], "."))
        continue;
      if (opened->len > 0 && opened->str[opened->len - 1] != '/')
        g_string_append_c (opened, '/');
      g_string_append (opened, names[i]);
      if (g_str_equal (names[i], ".."))
        {
          close (fd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "refusing the folder %s: it names a parent (..); " FIX_HINT, path);
          return -1;
        }
      child = open_child (fd, names[i], opened->str, create, error);
      close (fd);
      if (child < 0)
        return -1;
      fd = child;
      if (!check_folder (fd, opened->str, error))
        {
          close (fd);
          return -1;
        }
    }
  return fd;
}

gboolean
gz_private_dir_check (const char  *path,
                      gboolean     create,
                      GError     **error)
{
  int fd = gz_private_dir_open (path, create, error);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}
