/* gz-profile-write.c: a profile to a file, atomically (a temporary file, then rename), on the
 * calling thread or on a worker. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>

#include "gz-profile.h"

gboolean
gz_profile_write_file (GzProfile  *self,
                       const char *path,
                       GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  bytes = gz_profile_encode (self, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "Profile not written to %s: %s", path, local_error->message);
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Could not write the profile to %s: %s (check that the directory exists "
                   "and is writable, or choose another output directory)",
                   path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GzProfile *profile;
  char      *path;
} WriteData;

static void
write_data_free (WriteData *data)
{
  gz_profile_unref (data->profile);
  g_free (data->path);
  g_free (data);
}

static void
write_file_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  WriteData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!gz_profile_write_file (data->profile, data->path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
gz_profile_write_file_async (GzProfile           *self,
                             const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_profile_write_file_async);
  /* Written once begun: a cancellation that comes too late does not hide the file. */
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (WriteData, 1);
  data->profile = gz_profile_ref (self);
  data->path = g_strdup (path);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, write_file_thread);
}

gboolean
gz_profile_write_file_finish (GzProfile     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gz_profile_write_file_async,
                        FALSE);
  g_return_val_if_fail (((WriteData *) g_task_get_task_data (G_TASK (result)))->profile == self,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
