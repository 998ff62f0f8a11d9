/* gz-test-profiles.c: checks shared by the profile tests of the pthread-hook profilers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gz-test-profiles.h"

static gboolean
sample_has_label (const GzSample *sample,
                  const char     *key,
                  const char     *value)
{
  for (guint i = 0; i < sample->labels->len; i++)
    {
      const GzLabel *label = &g_array_index (sample->labels, GzLabel, i);

      if (g_strcmp0 (label->key, key) == 0 && g_strcmp0 (label->str, value) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
sample_has_function (GzProfile      *profile,
                     const GzSample *sample,
                     const char     *function)
{
  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));

      g_assert_nonnull (location);
      for (guint j = 0; j < location->lines->len; j++)
        {
          const GzLine *line = &g_array_index (location->lines, GzLine, j);
          GzFunction *func = gz_profile_get_function (profile, line->function_id);

          if (func == NULL || func->name == NULL)
            continue;
          if (g_str_has_suffix (function, "*")
                ? strncmp (func->name, function, strlen (function) - 1) == 0
                : g_str_equal (func->name, function))
            return TRUE;
        }
    }

  return FALSE;
}

gint64
gz_test_profile_sum (GzProfile  *profile,
                     guint       index,
                     const char *function,
                     const char *label_key,
                     const char *label_value)
{
  gint64 sum = 0;

  g_assert_cmpuint (index, <, profile->sample_types->len);
  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);

      if (label_key != NULL && !sample_has_label (sample, label_key, label_value))
        continue;
      if (sample_has_function (profile, sample, function))
        sum += g_array_index (sample->values, gint64, index);
    }

  return sum;
}

GzProfile *
gz_test_profile_round_trip (GzProfile  *profile,
                            char      **path)
{
  g_autoptr(GError) error = NULL;
  GzProfile *read;
  int fd;

  fd = g_file_open_tmp ("gz-test-XXXXXX.prof", path, &error);
  g_assert_no_error (error);
  close (fd);

  g_assert_true (gz_profile_write_file (profile, *path, &error));
  g_assert_no_error (error);
  read = gz_profile_read_file (*path, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (read, &error));
  g_assert_no_error (error);

  return read;
}

char *
gz_test_pprof_top (const char *path)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  if (go == NULL)
    return NULL;

  {
    const char *argv[] = { go, "tool", "pprof", "-top", path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                  &error);
  }
  g_assert_no_error (error);
  g_test_message ("go tool pprof -top %s:\n%s%s", path, out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return out;
}

void
gz_test_async_init (GzTestAsync *self)
{
  self->loop = g_main_loop_new (NULL, FALSE);
  self->result = NULL;
}

void
gz_test_async_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GzTestAsync *self = user_data;

  g_assert_null (self->result);
  self->result = g_object_ref (result);
  g_main_loop_quit (self->loop);
}

GAsyncResult *
gz_test_async_wait (GzTestAsync *self)
{
  if (self->result == NULL)
    g_main_loop_run (self->loop);
  g_assert_nonnull (self->result);
  return self->result;
}

void
gz_test_async_clear (GzTestAsync *self)
{
  g_clear_object (&self->result);
  g_clear_pointer (&self->loop, g_main_loop_unref);
}

GzProfile *
gz_test_profiler_stop_async (GzProfiler    *profiler,
                             GCancellable  *cancellable,
                             GError       **error)
{
  GzTestAsync wait;
  GzProfile *profile;

  gz_test_async_init (&wait);
  gz_profiler_stop_async (profiler, cancellable, gz_test_async_done, &wait);
  g_assert_null (wait.result);
  profile = gz_profiler_stop_finish (profiler, gz_test_async_wait (&wait), error);
  gz_test_async_clear (&wait);
  return profile;
}

GzProfile *
gz_test_profiler_snapshot_async (GzProfiler    *profiler,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  GzTestAsync wait;
  GzProfile *profile;

  gz_test_async_init (&wait);
  gz_profiler_snapshot_async (profiler, cancellable, gz_test_async_done, &wait);
  g_assert_null (wait.result);
  profile = gz_profiler_snapshot_finish (profiler, gz_test_async_wait (&wait), error);
  gz_test_async_clear (&wait);
  return profile;
}
