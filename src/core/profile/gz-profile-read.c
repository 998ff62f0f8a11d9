/* gz-profile-read.c: reading a profile from a file: regular files only (a FIFO, a device, a
 * socket or a directory is refused at once, never waited on nor read without end), up to the
 * file size cap, then decoded. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-profile-limits.h"
#include "gz-units.h"

static const char *
describe_mode (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a named pipe (FIFO)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a regular file";
}

static const char *
describe_type (GFileType type)
{
  switch (type)
    {
    case G_FILE_TYPE_DIRECTORY:
    case G_FILE_TYPE_MOUNTABLE:
      return "a directory";
    case G_FILE_TYPE_SPECIAL:
      return "a special file (a pipe, device or socket)";
    case G_FILE_TYPE_SHORTCUT:
      return "a shortcut";
    case G_FILE_TYPE_UNKNOWN:
    case G_FILE_TYPE_REGULAR:
    case G_FILE_TYPE_SYMBOLIC_LINK:
    default:
      return "not a regular file";
    }
}

static GzProfile *
not_regular (const char *name,
             const char *kind,
             GError    **error)
{
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_NOT_REGULAR,
               "%s is %s, not a regular file: profiles are read only from regular files "
               "(save it to a file first)", name, kind);
  return NULL;
}

static GzProfile *
too_large (const char *name,
           guint64     size,
           guint64     max,
           GError    **error)
{
  g_autofree char *size_text = gz_units_format_bytes ((double) size);
  g_autofree char *max_text = gz_units_format_bytes ((double) max);

  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_TOO_LARGE,
               "%s is %s, more than the %s a profile file may be: set "
               "GZ_PROFILE_MAX_FILE_SIZE to read it", name, size_text, max_text);
  return NULL;
}

static GzProfile *
decode (const char *name,
        GBytes     *bytes,
        GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  GzProfile *profile = gz_profile_decode (bytes, &local_error);

  if (profile == NULL)
    g_set_error (error, local_error->domain, local_error->code, "%s: %s", name,
                 local_error->message);
  return profile;
}

GzProfile *
gz_profile_read_file (const char *path,
                      GError    **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  struct stat st;
  guint64 max;
  gsize len = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (!gz_profile_limits_max_file_size (&max, error))
    return NULL;
  /* stat first: opening a socket fails (ENXIO) and a FIFO's name says more than that */
  if (stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    return not_regular (path, describe_mode (st.st_mode), error);
  /* O_NONBLOCK: a FIFO put in its place meanwhile opens at once instead of waiting for a
   * writer; fstat then refuses it */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Failed to open file “%s”: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return not_regular (path, describe_mode (st.st_mode), error);
    }
  if ((guint64) st.st_size > max)
    {
      close (fd);
      return too_large (path, st.st_size, max, error);
    }

  /* up to max + 1 bytes: a file that grows while it is read is still capped */
  contents = g_malloc ((gsize) st.st_size + 1);
  for (;;)
    {
      gsize want = (gsize) st.st_size + 1 - len;
      gssize got;

      if (want == 0)
        {
          if (len > max)
            {
              close (fd);
              return too_large (path, len, max, error);
            }
          contents = g_realloc (contents, MIN (len * 2, (gsize) max + 1));
          st.st_size = MIN (len * 2, (gsize) max + 1) - 1;
          continue;
        }
      got = read (fd, contents + len, want);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                       "Failed to read from file “%s”: %s", path, g_strerror (saved));
          return NULL;
        }
      if (got == 0)
        break;
      len += got;
    }
  close (fd);

  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  return decode (path, bytes, error);
}

GzProfile *
gz_profile_read_gfile (GFile        *file,
                       GCancellable *cancellable,
                       GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint64 max;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_get_path (file);
  if (path != NULL)
    return gz_profile_read_file (path, error);

  name = g_file_get_parse_name (file);
  if (!gz_profile_limits_max_file_size (&max, error))
    return NULL;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return not_regular (name, describe_type (g_file_info_get_file_type (info)), error);
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE) &&
      (guint64) g_file_info_get_size (info) > max)
    return too_large (name, g_file_info_get_size (info), max, error);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;
  buffer = g_byte_array_new ();
  for (;;)
    {
      guint8 chunk[65536];
      gssize got = g_input_stream_read (G_INPUT_STREAM (stream), chunk, sizeof chunk,
                                        cancellable, error);

      if (got < 0)
        return NULL;
      if (got == 0)
        break;
      if (buffer->len + (guint64) got > max)
        return too_large (name, buffer->len + (guint64) got, max, error);
      g_byte_array_append (buffer, chunk, got);
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  return decode (name, bytes, error);
}
