/* gz-auto-profiler.c: periodic CPU, heap and goroutine captures with retention. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "gz-auto-profiler.h"
#include "gz-profiler-factory.h"

static const char * const kinds[] = { "cpu", "heap", "goroutine" };

struct _GzAutoProfiler
{
  GObject    parent_instance;

  GzConfig  *config;
  char      *output_dir;
  gint64     interval_ms;
  gint64     duration_us;
  guint      keep;

  guint      timeout_id;
  GThread   *thread;        /* the capture running, or finished and not joined */
  gint       thread_done;   /* atomic */
  gint64     last_stamp;
  guint      n_captures;    /* atomic */

  GMutex     lock;
  GCond      cond;
  gboolean   stopping;      /* under the lock: end the capture's CPU wait now */
  gboolean   warned[G_N_ELEMENTS (kinds)];
};

G_DEFINE_FINAL_TYPE (GzAutoProfiler, gz_auto_profiler, G_TYPE_OBJECT)

typedef struct
{
  GzAutoProfiler *self;
  gint64          stamp;
} Capture;

/* One line per kind: a process without tcmalloc would otherwise log the same line every
 * interval. A build that cannot take a kind at all (no allocation wrappers) is told as a
 * message, not a warning: nothing went wrong at run time. */
static void
warn_once (GzAutoProfiler *self,
           guint           kind,
           GError         *error)
{
  gboolean first;

  g_mutex_lock (&self->lock);
  first = !self->warned[kind];
  self->warned[kind] = TRUE;
  g_mutex_unlock (&self->lock);
  if (!first)
    g_debug ("auto-profile: no %s profile: %s", kinds[kind], error->message);
  else if (g_error_matches (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED))
    g_message ("auto-profile: no %s profiles in this build: %s", kinds[kind], error->message);
  else
    g_warning ("auto-profile: no %s profile: %s", kinds[kind], error->message);
}

static void
save (GzAutoProfiler *self,
      gint64          stamp,
      guint           kind,
      GzProfile      *profile)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("auto-%" G_GINT64_FORMAT "-%s.prof", stamp,
                                           kinds[kind]);
  g_autofree char *path = g_build_filename (self->output_dir, name, NULL);

  if (!gz_profile_write_file (profile, path, &error))
    g_warning ("auto-profile: cannot write %s: %s", path, error->message);
}

/* Waits for the CPU profile's duration, or until stopped. */
static void
wait_duration (GzAutoProfiler *self)
{
  gint64 deadline = g_get_monotonic_time () + self->duration_us;

  g_mutex_lock (&self->lock);
  while (!self->stopping && g_get_monotonic_time () < deadline)
    g_cond_wait_until (&self->cond, &self->lock, deadline);
  g_mutex_unlock (&self->lock);
}

static gpointer
capture_thread (gpointer data)
{
  g_autofree Capture *capture = data;
  GzAutoProfiler *self = capture->self;
  static const GzProfileType types[] = {
    GZ_PROFILE_TYPE_CPU, GZ_PROFILE_TYPE_MEMORY, GZ_PROFILE_TYPE_GOROUTINE
  };

  for (guint kind = 0; kind < G_N_ELEMENTS (types); kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GzProfiler) profiler = gz_profiler_new (types[kind], self->config, &error);
      g_autoptr(GzProfile) profile = NULL;

      if (profiler != NULL && types[kind] == GZ_PROFILE_TYPE_CPU)
        {
          /* Fails while /debug/pprof/profile runs: one CPU profile per process. */
          if (gz_profiler_start (profiler, &error))
            {
              wait_duration (self);
              profile = gz_profiler_stop (profiler, &error);
            }
        }
      else if (profiler != NULL)
        profile = gz_profiler_snapshot (profiler, &error);

      if (profile != NULL)
        save (self, capture->stamp, kind, profile);
      else
        warn_once (self, kind, error);
    }

  gz_auto_profiler_prune (self->output_dir, self->keep);
  g_atomic_int_inc (&self->n_captures);
  g_atomic_int_set (&self->thread_done, 1);
  return NULL;
}

static void
join_thread (GzAutoProfiler *self)
{
  if (self->thread == NULL)
    return;
  g_thread_join (g_steal_pointer (&self->thread));
  g_atomic_int_set (&self->thread_done, 0);
}

static gboolean
on_tick (gpointer user_data)
{
  GzAutoProfiler *self = user_data;
  Capture *capture;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->thread != NULL)
    {
      if (!g_atomic_int_get (&self->thread_done))
        {
          g_debug ("auto-profile: the previous capture is still running; skipping this one");
          goto reschedule;
        }
      join_thread (self);
    }

  capture = g_new0 (Capture, 1);
  capture->self = self;
  /* One capture per second at most keeps the names unique. */
  capture->stamp = MAX (now, self->last_stamp + 1);
  self->last_stamp = capture->stamp;
  self->thread = g_thread_new ("gz-auto-profile", capture_thread, capture);

reschedule:
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                         (guint) MIN (self->interval_ms, G_MAXUINT),
                                         on_tick, self, NULL);
  return G_SOURCE_REMOVE;
}

static void
gz_auto_profiler_finalize (GObject *object)
{
  GzAutoProfiler *self = GZ_AUTO_PROFILER (object);

  gz_auto_profiler_stop (self);
  g_clear_object (&self->config);
  g_free (self->output_dir);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (gz_auto_profiler_parent_class)->finalize (object);
}

static void
gz_auto_profiler_class_init (GzAutoProfilerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_auto_profiler_finalize;
}

static void
gz_auto_profiler_init (GzAutoProfiler *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

GzAutoProfiler *
gz_auto_profiler_new (GzConfig  *config,
                      GError   **error)
{
  g_autoptr(GzAutoProfiler) self = NULL;
  const char *dir;
  int saved_errno;

  g_return_val_if_fail (GZ_IS_CONFIG (config), NULL);

  dir = gz_config_get_string (config, "output-dir");
  if (g_mkdir_with_parents (dir, 0755) != 0 || g_access (dir, W_OK) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot write automatic profiles to %s: %s; choose another directory with "
                   "--output-dir", dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (GZ_TYPE_AUTO_PROFILER, NULL);
  self->config = g_object_ref (config);
  self->output_dir = g_strdup (dir);
  self->interval_ms = MAX (gz_config_get_duration (config, "auto-profile-interval") / 1000000,
                           1);
  self->duration_us = MAX (gz_config_get_duration (config, "auto-profile-duration") / 1000, 1);
  self->keep = (guint) MAX (gz_config_get_int (config, "keep"), 0);
  return g_steal_pointer (&self);
}

const char *
gz_auto_profiler_get_output_dir (GzAutoProfiler *self)
{
  g_return_val_if_fail (GZ_IS_AUTO_PROFILER (self), NULL);

  return self->output_dir;
}

void
gz_auto_profiler_start (GzAutoProfiler *self,
                        guint           first_delay_ms)
{
  g_return_if_fail (GZ_IS_AUTO_PROFILER (self));
  g_return_if_fail (self->timeout_id == 0);

  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  g_mutex_unlock (&self->lock);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, first_delay_ms, on_tick, self,
                                         NULL);
}

void
gz_auto_profiler_stop (GzAutoProfiler *self)
{
  g_return_if_fail (GZ_IS_AUTO_PROFILER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  join_thread (self);
}

static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  join_thread (GZ_AUTO_PROFILER (source_object));
  g_task_return_boolean (task, TRUE);
}

void
gz_auto_profiler_stop_async (GzAutoProfiler      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_AUTO_PROFILER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_auto_profiler_stop_async);
  /* Here, as on_tick runs here: once the timeout is gone nothing else touches the thread. */
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_task_run_in_thread (task, stop_thread);
}

gboolean
gz_auto_profiler_stop_finish (GzAutoProfiler  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
gz_auto_profiler_get_n_captures (GzAutoProfiler *self)
{
  g_return_val_if_fail (GZ_IS_AUTO_PROFILER (self), 0);

  return (guint) g_atomic_int_get (&self->n_captures);
}

static int
compare_stamps_descending (gconstpointer a,
                           gconstpointer b)
{
  gint64 sa = *(const gint64 *) a;
  gint64 sb = *(const gint64 *) b;

  return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* The stamp of "auto-STAMP-KIND.prof", or -1. */
static gint64
parse_name (const char *name)
{
  const char *p;
  char *end;
  gint64 stamp;

  if (!g_str_has_prefix (name, "auto-"))
    return -1;
  p = name + strlen ("auto-");
  stamp = g_ascii_strtoll (p, &end, 10);
  if (end == p || *end != '-')
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *suffix = g_strconcat ("-", kinds[i], ".prof", NULL);

      if (g_str_equal (end, suffix))
        return stamp;
    }
  return -1;
}

guint
gz_auto_profiler_prune (const char *dir,
                        guint       keep)
{
  g_autoptr(GDir) directory = g_dir_open (dir, 0, NULL);
  g_autoptr(GArray) stamps = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      NULL);
  const char *name;

  if (directory == NULL)
    return 0;
  while ((name = g_dir_read_name (directory)) != NULL)
    {
      gint64 stamp = parse_name (name);

      if (stamp < 0)
        continue;
      g_ptr_array_add (names, g_strdup (name));
      g_array_append_val (stamps, stamp);
    }

  g_array_sort (stamps, compare_stamps_descending);
  for (guint i = 0; i < stamps->len; i++)
    {
      gint64 *stamp = &g_array_index (stamps, gint64, i);

      if (g_hash_table_contains (kept, stamp))
        continue;
      if (keep != 0 && g_hash_table_size (kept) >= keep)
        break;
      g_hash_table_add (kept, g_memdup2 (stamp, sizeof *stamp));
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      gint64 stamp = parse_name (file);

      if (!g_hash_table_contains (kept, &stamp))
        {
          g_autofree char *path = g_build_filename (dir, file, NULL);

          if (g_unlink (path) != 0 && errno != ENOENT)
            g_warning ("auto-profile: cannot delete %s: %s", path, g_strerror (errno));
        }
    }
  return g_hash_table_size (kept);
}
