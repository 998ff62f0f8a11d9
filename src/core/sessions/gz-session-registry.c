/* gz-session-registry.c: sessions visible across processes through a per-user directory: ids,
 * session files, listing, lookup and owners that died. Stop requests: gz-session-registry-stop.c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "gz-private-dir.h"
#include "gz-session-registry-private.h"

#define SESSION_GROUP "session"
/* A session file this young that does not parse is still being written by its owner. */
#define UNREADABLE_GRACE_USEC (5 * G_USEC_PER_SEC)
/* Answers nobody collected, and stop requests for sessions that are gone, are removed after. */
#define LEFTOVER_AGE_USEC (10 * 60 * G_USEC_PER_SEC)

struct _GzSessionRegistry
{
  GObject  parent_instance;
  char    *dir;
};

G_DEFINE_FINAL_TYPE (GzSessionRegistry, gz_session_registry, G_TYPE_OBJECT)

static const char * const target_kinds[] = { "self", "pid", "url", "command" };

static void
gz_session_registry_finalize (GObject *object)
{
  GzSessionRegistry *self = GZ_SESSION_REGISTRY (object);

  g_free (self->dir);
  G_OBJECT_CLASS (gz_session_registry_parent_class)->finalize (object);
}

static void
gz_session_registry_class_init (GzSessionRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_session_registry_finalize;
}

static void
gz_session_registry_init (GzSessionRegistry *self)
{
}

char *
gz_session_registry_default_dir (void)
{
  const char *env = g_getenv ("GZ_PROFILE_SESSION_DIR");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* g_get_user_runtime_dir() falls back to the cache dir itself; we want gz/sessions there. */
  if (runtime != NULL && *runtime != '\0' && g_file_test (runtime, G_FILE_TEST_IS_DIR))
    return g_build_filename (runtime, "gz", "sessions", NULL);
  return g_build_filename (g_get_user_cache_dir (), "gz", "sessions", NULL);
}

GzSessionRegistry *
gz_session_registry_new (const char *dir)
{
  GzSessionRegistry *self = g_object_new (GZ_TYPE_SESSION_REGISTRY, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : gz_session_registry_default_dir ();
  return self;
}

const char *
gz_session_registry_get_dir (GzSessionRegistry *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), NULL);
  return self->dir;
}

char *
gz_session_registry_path (GzSessionRegistry *self,
                          const char        *id,
                          const char        *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (self->dir, name, NULL);
}

gboolean
gz_session_registry_ensure_dir (GzSessionRegistry *self,
                                GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!gz_private_dir_check (self->dir, TRUE, &local_error))
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Whether the directory is there and private; a missing one is no error (@exists FALSE). */
static gboolean
check_dir (GzSessionRegistry  *self,
           gboolean           *exists,
           GError            **error)
{
  g_autoptr(GError) local_error = NULL;

  *exists = gz_private_dir_check (self->dir, FALSE, &local_error);
  if (*exists || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return TRUE;
  g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED, "%s", local_error->message);
  return FALSE;
}

gboolean
gz_session_registry_write_file (GzSessionRegistry  *self,
                                const char         *path,
                                const char         *data,
                                gsize               length,
                                GError            **error)
{
  if (!gz_session_registry_ensure_dir (self, error))
    return FALSE;
  return g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

/* /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...". comm may hold spaces and
 * parentheses, so fields are counted from the last ')'. */
static gboolean
read_proc_stat (int      pid,
                char    *state,
                guint64 *start_ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  rest = strrchr (contents, ')');
  if (rest == NULL)
    return FALSE;
  fields = g_strsplit (g_strstrip ((char *) rest + 1), " ", -1);
  /* fields[0] is field 3 (state), so field 22 is fields[19]. */
  if (g_strv_length (fields) < 20)
    return FALSE;
  *state = fields[0][0];
  *start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

guint64
gz_session_registry_process_start_ticks (int pid)
{
  char state;
  guint64 ticks;

  if (!read_proc_stat (pid, &state, &ticks))
    return 0;
  return ticks;
}

gboolean
gz_session_registry_owner_alive (const GzSessionInfo *info)
{
  char state;
  guint64 ticks;

  if (info->owner_pid <= 0)
    return FALSE;
  if (!read_proc_stat (info->owner_pid, &state, &ticks))
    {
      /* No /proc entry: gone, unless /proc is not there at all. */
      if (g_file_test ("/proc/self/stat", G_FILE_TEST_EXISTS))
        return FALSE;
      return kill (info->owner_pid, 0) == 0 || errno == EPERM;
    }
  /* A killed owner not yet reaped by its parent is a zombie: it will never answer. */
  if (state == 'Z' || state == 'X' || state == 'x')
    return FALSE;
  return info->owner_start_ticks == 0 || info->owner_start_ticks == ticks;
}

static GKeyFile *
info_to_key_file (const GzSessionInfo *info)
{
  GKeyFile *kf = g_key_file_new ();
  guint kind = info->target.kind < G_N_ELEMENTS (target_kinds) ? info->target.kind : 0;

  g_key_file_set_string (kf, SESSION_GROUP, "id", info->id);
  g_key_file_set_string (kf, SESSION_GROUP, "type", gz_profile_type_to_string (info->type));
  g_key_file_set_string (kf, SESSION_GROUP, "target-kind", target_kinds[kind]);
  g_key_file_set_integer (kf, SESSION_GROUP, "target-pid", info->target.pid);
  if (info->target.spec != NULL)
    g_key_file_set_string (kf, SESSION_GROUP, "target-spec", info->target.spec);
  g_key_file_set_integer (kf, SESSION_GROUP, "owner-pid", info->owner_pid);
  g_key_file_set_uint64 (kf, SESSION_GROUP, "owner-start-ticks", info->owner_start_ticks);
  g_key_file_set_int64 (kf, SESSION_GROUP, "start-time", info->start_time);
  g_key_file_set_int64 (kf, SESSION_GROUP, "duration", info->duration);
  g_key_file_set_string (kf, SESSION_GROUP, "output-path", info->output_path);
  return kf;
}

static GzSessionInfo *
info_from_key_file (GKeyFile *kf,
                    GError  **error)
{
  g_autoptr(GzSessionInfo) info = g_new0 (GzSessionInfo, 1);
  g_autofree char *type = NULL;
  g_autofree char *kind = NULL;
  GError *local_error = NULL;

  info->id = g_key_file_get_string (kf, SESSION_GROUP, "id", &local_error);
  if (info->id == NULL)
    goto fail;
  type = g_key_file_get_string (kf, SESSION_GROUP, "type", &local_error);
  if (type == NULL)
    goto fail;
  if (!gz_profile_type_from_string (type, &info->type))
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "unknown profile type \"%s\"", type);
      return NULL;
    }
  kind = g_key_file_get_string (kf, SESSION_GROUP, "target-kind", NULL);
  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (target_kinds); i++)
    if (g_str_equal (kind, target_kinds[i]))
      info->target.kind = i;
  info->target.pid = g_key_file_get_integer (kf, SESSION_GROUP, "target-pid", NULL);
  info->target.spec = g_key_file_get_string (kf, SESSION_GROUP, "target-spec", NULL);
  info->owner_pid = g_key_file_get_integer (kf, SESSION_GROUP, "owner-pid", &local_error);
  if (local_error != NULL)
    goto fail;
  info->owner_start_ticks = g_key_file_get_uint64 (kf, SESSION_GROUP, "owner-start-ticks",
                                                   NULL);
  info->start_time = g_key_file_get_int64 (kf, SESSION_GROUP, "start-time", NULL);
  info->duration = g_key_file_get_int64 (kf, SESSION_GROUP, "duration", NULL);
  info->output_path = g_key_file_get_string (kf, SESSION_GROUP, "output-path", &local_error);
  if (info->output_path == NULL)
    goto fail;
  return g_steal_pointer (&info);

fail:
  g_propagate_error (error, local_error);
  return NULL;
}

static GzSessionInfo *
read_session_file (const char *path,
                   GError    **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return NULL;
  return info_from_key_file (kf, error);
}

gboolean
gz_session_registry_reserve (GzSessionRegistry *self,
                             GzSessionInfo     *info,
                             const char        *output_dir,
                             GError           **error)
{
  const char *type = gz_profile_type_to_string (info->type);
  gint64 seconds = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), FALSE);
  g_return_val_if_fail (output_dir != NULL, FALSE);

  if (!gz_session_registry_ensure_dir (self, error))
    return FALSE;

  info->owner_pid = getpid ();
  info->owner_start_ticks = gz_session_registry_process_start_ticks (info->owner_pid);

  for (guint n = 1; n <= 10000; n++)
    {
      g_autofree char *id = n == 1 ? g_strdup_printf ("%s_%" G_GINT64_FORMAT, type, seconds)
                                   : g_strdup_printf ("%s_%" G_GINT64_FORMAT "_%u", type,
                                                      seconds, n);
      g_autofree char *prof_name = g_strconcat (id, ".prof", NULL);
      g_autofree char *output_path = g_build_filename (output_dir, prof_name, NULL);
      g_autofree char *path = gz_session_registry_path (self, id, GZ_SESSION_SUFFIX);
      g_autofree char *result_path = gz_session_registry_path (self, id, GZ_RESULT_SUFFIX);
      g_autoptr(GKeyFile) kf = NULL;
      g_autofree char *data = NULL;
      gsize len;
      gssize written;
      int fd;

      if (g_file_test (output_path, G_FILE_TEST_EXISTS) ||
          g_file_test (result_path, G_FILE_TEST_EXISTS))
        continue;

      fd = g_open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST)
        continue;
      if (fd < 0)
        {
          int errsv = errno;

          g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                       "cannot create %s (%s); set GZ_PROFILE_SESSION_DIR to a writable "
                       "directory", path, g_strerror (errsv));
          return FALSE;
        }

      g_free (info->id);
      info->id = g_steal_pointer (&id);
      g_free (info->output_path);
      info->output_path = g_steal_pointer (&output_path);

      /* One small write: readers treat a young unparsable file as still being written. */
      kf = info_to_key_file (info);
      data = g_key_file_to_data (kf, &len, NULL);
      written = write (fd, data, len);
      close (fd);
      if (written != (gssize) len)
        {
          g_unlink (path);
          g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                       "cannot write %s; check free space in %s", path, self->dir);
          return FALSE;
        }
      return TRUE;
    }

  g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
               "no free session id for %s in %s; remove old files there", type, self->dir);
  return FALSE;
}

gboolean
gz_session_registry_publish (GzSessionRegistry   *self,
                             const GzSessionInfo *info,
                             GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  gsize length = 0;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), FALSE);
  g_return_val_if_fail (info->id != NULL, FALSE);

  path = gz_session_registry_path (self, info->id, GZ_SESSION_SUFFIX);
  kf = info_to_key_file (info);
  data = g_key_file_to_data (kf, &length, NULL);
  return gz_session_registry_write_file (self, path, data, length, error);
}

void
gz_session_registry_unpublish (GzSessionRegistry *self,
                               const char        *id)
{
  g_autofree char *path = gz_session_registry_path (self, id, GZ_SESSION_SUFFIX);
  g_autofree char *stop_path = gz_session_registry_path (self, id, GZ_STOP_SUFFIX);

  g_unlink (path);
  g_unlink (stop_path);
}

char *
gz_session_registry_stale_message (const GzSessionInfo *info)
{
  return g_strdup_printf ("removed stale session %s: owner pid %d exited", info->id,
                          info->owner_pid);
}

static gint
compare_start_time (gconstpointer a,
                    gconstpointer b)
{
  const GzSessionInfo *ia = *(GzSessionInfo * const *) a;
  const GzSessionInfo *ib = *(GzSessionInfo * const *) b;

  if (ia->start_time != ib->start_time)
    return ia->start_time < ib->start_time ? -1 : 1;
  return g_strcmp0 (ia->id, ib->id);
}

static gint64
file_age_usec (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return g_get_real_time () - (gint64) st.st_mtime * G_USEC_PER_SEC;
}

GPtrArray *
gz_session_registry_list (GzSessionRegistry *self,
                          GPtrArray         *stale,
                          GError           **error)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_session_info_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean exists = FALSE;
  const char *name;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), NULL);

  if (!check_dir (self, &exists, error))
    return NULL;
  if (!exists)
    return g_steal_pointer (&sessions);
  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      /* No directory yet: nobody ever started a session. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&sessions);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);
      g_autoptr(GzSessionInfo) info = NULL;
      g_autofree char *id = NULL;

      if (g_str_has_suffix (name, GZ_STOP_SUFFIX) || g_str_has_suffix (name, GZ_RESULT_SUFFIX))
        {
          g_autofree char *session_path = NULL;

          id = g_strndup (name, strrchr (name, '.') - name);
          session_path = gz_session_registry_path (self, id, GZ_SESSION_SUFFIX);
          if (!g_file_test (session_path, G_FILE_TEST_EXISTS) &&
              file_age_usec (path) > LEFTOVER_AGE_USEC)
            g_unlink (path);
          continue;
        }
      if (!g_str_has_suffix (name, GZ_SESSION_SUFFIX))
        continue;

      id = g_strndup (name, strlen (name) - strlen (GZ_SESSION_SUFFIX));
      info = read_session_file (path, NULL);
      if (info == NULL)
        {
          if (g_file_test (path, G_FILE_TEST_EXISTS) &&
              file_age_usec (path) > UNREADABLE_GRACE_USEC)
            {
              gz_session_registry_unpublish (self, id);
              if (stale != NULL)
                g_ptr_array_add (stale, g_strdup_printf ("removed unreadable session file %s",
                                                         path));
            }
          continue;
        }
      if (!gz_session_registry_owner_alive (info))
        {
          gz_session_registry_unpublish (self, id);
          if (stale != NULL)
            g_ptr_array_add (stale, gz_session_registry_stale_message (info));
          continue;
        }
      if (info->start_time == 0)
        continue; /* reserved, not started yet */
      g_ptr_array_add (sessions, g_steal_pointer (&info));
    }

  g_ptr_array_sort (sessions, compare_start_time);
  return g_steal_pointer (&sessions);
}

/* What a listing on a worker gives back. */
typedef struct
{
  GPtrArray *sessions;
  GPtrArray *stale;
} Listing;

static void
listing_free (gpointer data)
{
  Listing *listing = data;

  g_clear_pointer (&listing->sessions, g_ptr_array_unref);
  g_clear_pointer (&listing->stale, g_ptr_array_unref);
  g_free (listing);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Listing *listing = g_new0 (Listing, 1);
  GError *error = NULL;

  listing->stale = g_ptr_array_new_with_free_func (g_free);
  listing->sessions = gz_session_registry_list (source_object, listing->stale, &error);
  if (listing->sessions == NULL)
    {
      listing_free (listing);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, listing, listing_free);
}

void
gz_session_registry_list_async (GzSessionRegistry   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_SESSION_REGISTRY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_session_registry_list_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
gz_session_registry_list_finish (GzSessionRegistry  *self,
                                 GAsyncResult       *result,
                                 GPtrArray         **stale,
                                 GError            **error)
{
  Listing *listing;
  GPtrArray *sessions;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  listing = g_task_propagate_pointer (G_TASK (result), error);
  if (listing == NULL)
    return NULL;
  sessions = g_steal_pointer (&listing->sessions);
  if (stale != NULL)
    *stale = g_steal_pointer (&listing->stale);
  listing_free (listing);
  return sessions;
}

GzSessionInfo *
gz_session_registry_lookup (GzSessionRegistry *self,
                            const char        *id,
                            GError           **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GzSessionInfo) info = NULL;
  gboolean exists = FALSE;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), NULL);

  if (!check_dir (self, &exists, error))
    return NULL;

  if (id == NULL || *id == '\0' || strchr (id, '/') != NULL || id[0] == '.')
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND,
                   "no active session \"%s\"; see the active ones with: gz-cli profile list",
                   id != NULL ? id : "");
      return NULL;
    }

  path = gz_session_registry_path (self, id, GZ_SESSION_SUFFIX);
  info = read_session_file (path, NULL);
  if (info == NULL)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND,
                   "no active session \"%s\"; see the active ones with: gz-cli profile list", id);
      return NULL;
    }
  if (!gz_session_registry_owner_alive (info))
    {
      g_autofree char *message = gz_session_registry_stale_message (info);

      gz_session_registry_unpublish (self, id);
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND,
                   "%s; its profile was not saved, start a new session", message);
      return NULL;
    }
  return g_steal_pointer (&info);
}
