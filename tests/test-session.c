/* test-session.c: the session registry (ids, listing, stale owners, stop requests answered
 * without polling, timeouts, cancellation) and GzSession (output checks, durations, stops on a
 * worker thread, cancellation, stops from another registry), in one process. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-profiler-factory.h"
#include "gz-session-registry.h"
#include "gz-session.h"

#define MS G_GINT64_CONSTANT (1000000)

/* An open-ended type this build can take: memory needs the allocation wrappers (no ASan).
 * config.h defines GZ_HAVE_TCMALLOC empty (meson's conf.set) or as 1 or 0. */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
# define HAVE_WRAPPERS    1
# define OPEN_TYPE        GZ_PROFILE_TYPE_MEMORY
# define OPEN_SAMPLE_TYPE "inuse_space/bytes"
#else
# define HAVE_WRAPPERS    0
# define OPEN_TYPE        GZ_PROFILE_TYPE_GOROUTINE
# define OPEN_SAMPLE_TYPE "goroutine/count"
#endif

/* Gates: this program's own rename() and opendir() come before libc's, so a test can see which
 * thread writes a profile (its atomic write ends with rename) or lists the threads for a
 * goroutine profile (opendir of /proc/self/task), and hold that thread there until the main
 * loop has done something. Unarmed, they only pass the call on. */
typedef struct
{
  GMutex    lock;
  GCond     cond;
  char     *path;      /* armed: the path to hold at */
  GThread  *thread;    /* who reached it */
  gboolean  entered;
  gboolean  released;
  gboolean  timed_out; /* nobody released it within 10 s */
} Gate;

static Gate     gate;
static GThread *main_thread;
static GThread *last_profile_writer; /* the thread of the last rename to a .prof file */

static void
gate_arm (const char *path)
{
  g_mutex_lock (&gate.lock);
  g_free (gate.path);
  gate.path = g_strdup (path);
  gate.thread = NULL;
  gate.entered = gate.released = gate.timed_out = FALSE;
  g_mutex_unlock (&gate.lock);
}

static void
gate_pass (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_mutex_lock (&gate.lock);
  if (gate.path != NULL && g_str_equal (gate.path, path))
    {
      g_clear_pointer (&gate.path, g_free);
      gate.thread = g_thread_self ();
      gate.entered = TRUE;
      while (!gate.released)
        if (!g_cond_wait_until (&gate.cond, &gate.lock, deadline))
          {
            gate.timed_out = TRUE;
            break;
          }
    }
  g_mutex_unlock (&gate.lock);
}

/* For the main loop: whether a thread waits at the gate; if so, @action runs and it goes on. */
static gboolean
gate_release_if_entered (void (*action) (gpointer data),
                         gpointer data)
{
  gboolean entered;

  g_mutex_lock (&gate.lock);
  entered = gate.entered && !gate.released;
  if (entered)
    {
      if (action != NULL)
        action (data);
      gate.released = TRUE;
      g_cond_broadcast (&gate.cond);
    }
  g_mutex_unlock (&gate.lock);
  return entered;
}

int
rename (const char *oldpath,
        const char *newpath)
{
  static int (*real_rename) (const char *, const char *);

  if (real_rename == NULL)
    real_rename = (int (*) (const char *, const char *)) dlsym (RTLD_NEXT, "rename");
  if (g_str_has_suffix (newpath, ".prof"))
    g_atomic_pointer_set (&last_profile_writer, g_thread_self ());
  gate_pass (newpath);
  return real_rename (oldpath, newpath);
}

DIR *
opendir (const char *name)
{
  static DIR *(*real_opendir) (const char *);

  if (real_opendir == NULL)
    real_opendir = (DIR *(*) (const char *)) dlsym (RTLD_NEXT, "opendir");
  gate_pass (name);
  return real_opendir (name);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

typedef struct
{
  char *root;
  char *session_dir;
  char *out_dir;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->root = g_dir_make_tmp ("gz-test-session-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  /* GzSession uses the default registry, which main() pointed at a private directory; every
   * test leaves it empty. */
  f->session_dir = g_strdup (g_getenv ("GZ_PROFILE_SESSION_DIR"));
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  f->out_dir = g_build_filename (f->root, "out", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->out_dir, 0700), ==, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->session_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->session_dir, name, NULL);

      g_unlink (path);
    }
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->session_dir);
  g_free (f->out_dir);
}

static GzSessionInfo *
new_info (GzProfileType type)
{
  GzSessionInfo *info = g_new0 (GzSessionInfo, 1);

  info->type = type;
  info->target.kind = GZ_TARGET_SELF;
  info->target.pid = getpid ();
  return info;
}

static void
test_proc_start_ticks (void)
{
  g_assert_cmpuint (gz_session_registry_process_start_ticks (getpid ()), >, 0);
  g_assert_cmpuint (gz_session_registry_process_start_ticks (0), ==, 0);
  g_assert_cmpuint (gz_session_registry_process_start_ticks (-1), ==, 0);
}

static void
test_reserve_distinct (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_session_info_free);
  g_autoptr(GRegex) pattern = g_regex_new ("^cpu_[0-9]+(_[0-9]+)?$", 0, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* A profile already written under the plain id of this second (and the next, should the
   * clock tick meanwhile) must not be overwritten by a new session. */
  for (gint64 s = now; s <= now + 1; s++)
    {
      g_autofree char *name = g_strdup_printf ("cpu_%" G_GINT64_FORMAT ".prof", s);
      g_autofree char *path = g_build_filename (f->out_dir, name, NULL);

      g_assert_true (g_file_set_contents (path, "old", -1, NULL));
    }

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GError) error = NULL;
      GzSessionInfo *info = new_info (GZ_PROFILE_TYPE_CPU);

      g_ptr_array_add (infos, info);
      g_assert_true (gz_session_registry_reserve (registry, info, f->out_dir, &error));
      g_assert_no_error (error);
      g_assert_true (g_regex_match (pattern, info->id, 0, NULL));
      g_assert_false (g_hash_table_contains (ids, info->id));
      g_hash_table_add (ids, info->id);
      g_assert_false (g_file_test (info->output_path, G_FILE_TEST_EXISTS));
      g_assert_true (g_str_has_prefix (info->output_path, f->out_dir));
      g_assert_true (g_str_has_suffix (info->output_path, ".prof"));
      g_assert_cmpint (info->owner_pid, ==, getpid ());
      g_assert_cmpuint (info->owner_start_ticks, >, 0);
    }
  /* Reserved, not started: not active. */
  {
    g_autoptr(GPtrArray) active = gz_session_registry_list (registry, NULL, NULL);

    g_assert_nonnull (active);
    g_assert_cmpuint (active->len, ==, 0);
  }
  for (guint i = 0; i < infos->len; i++)
    gz_session_registry_unpublish (registry, ((GzSessionInfo *) infos->pdata[i])->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_publish_list_lookup (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = new_info (GZ_PROFILE_TYPE_MEMORY);
  g_autoptr(GzSessionInfo) found = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const GzSessionInfo *listed;

  g_assert_true (gz_session_registry_reserve (registry, info, f->out_dir, &error));
  info->start_time = g_get_real_time () * 1000;
  info->duration = 1500 * MS;
  g_assert_true (gz_session_registry_publish (registry, info, &error));
  g_assert_no_error (error);

  active = gz_session_registry_list (registry, stale, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpuint (stale->len, ==, 0);
  listed = g_ptr_array_index (active, 0);
  g_assert_cmpstr (listed->id, ==, info->id);
  g_assert_cmpint (listed->type, ==, GZ_PROFILE_TYPE_MEMORY);
  g_assert_cmpint (listed->target.kind, ==, GZ_TARGET_SELF);
  g_assert_cmpint (listed->target.pid, ==, getpid ());
  g_assert_cmpint (listed->start_time, ==, info->start_time);
  g_assert_cmpint (listed->duration, ==, 1500 * MS);
  g_assert_cmpstr (listed->output_path, ==, info->output_path);

  found = gz_session_registry_lookup (registry, info->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->id, ==, info->id);

  gz_session_registry_unpublish (registry, info->id);
  g_clear_pointer (&found, gz_session_info_free);
  found = gz_session_registry_lookup (registry, info->id, &error);
  g_assert_null (found);
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, info->id));
  g_clear_error (&error);

  found = gz_session_registry_lookup (registry, "../etc/passwd", &error);
  g_assert_null (found);
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND);
}

/* The pid of a process that exited: a child we started and reaped. */
static GPid
spawn_exited_child (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "true", NULL };
  GPid child;
  int status;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &child, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_spawn_close_pid (child);
  return child;
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The active sessions of @registry, listed on a worker when @async; @stale gets the messages. */
static GPtrArray *
list_sessions (GzSessionRegistry  *registry,
               gboolean            async,
               GPtrArray         **stale)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *sessions;

  if (async)
    {
      gz_session_registry_list_async (registry, NULL, on_listed, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      sessions = gz_session_registry_list_finish (registry, result, stale, &error);
    }
  else
    {
      *stale = g_ptr_array_new_with_free_func (g_free);
      sessions = gz_session_registry_list (registry, *stale, &error);
    }
  g_assert_no_error (error);
  g_assert_nonnull (sessions);
  g_assert_nonnull (*stale);
  return sessions;
}

static void
test_stale_owner (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) dead = new_info (GZ_PROFILE_TYPE_GOROUTINE);
  g_autoptr(GzSessionInfo) reused = new_info (GZ_PROFILE_TYPE_BLOCK);
  g_autoptr(GzSessionInfo) alive = new_info (GZ_PROFILE_TYPE_MUTEX);
  g_autoptr(GPtrArray) stale = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gboolean async = GPOINTER_TO_INT (data);
  GPid child = spawn_exited_child ();

  g_assert_true (gz_session_registry_reserve (registry, dead, f->out_dir, &error));
  dead->owner_pid = child;
  dead->owner_start_ticks = 1;
  dead->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, dead, &error));

  /* An owner whose pid is in use by another process (here: us, started at another time). */
  g_assert_true (gz_session_registry_reserve (registry, reused, f->out_dir, &error));
  reused->owner_start_ticks += 1;
  reused->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, reused, &error));

  g_assert_true (gz_session_registry_reserve (registry, alive, f->out_dir, &error));
  alive->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, alive, &error));
  g_assert_no_error (error);

  g_assert_false (gz_session_registry_owner_alive (dead));
  g_assert_false (gz_session_registry_owner_alive (reused));
  g_assert_true (gz_session_registry_owner_alive (alive));

  active = list_sessions (registry, async, &stale);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpstr (((GzSessionInfo *) active->pdata[0])->id, ==, alive->id);
  g_assert_cmpuint (stale->len, ==, 2);
  expected = g_strdup_printf ("removed stale session %s: owner pid %d exited", dead->id,
                              (int) child);
  g_assert_true (g_str_equal (stale->pdata[0], expected) || g_str_equal (stale->pdata[1], expected));

  /* Removed, so reported once only. */
  g_clear_pointer (&stale, g_ptr_array_unref);
  g_clear_pointer (&active, g_ptr_array_unref);
  active = list_sessions (registry, async, &stale);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpuint (stale->len, ==, 0);
  gz_session_registry_unpublish (registry, alive->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

/* The outcome of a stop, filled in by its callback. */
typedef struct
{
  gboolean          done;
  GzSessionSummary *summary;
  GError           *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->summary, gz_session_summary_free);
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
}

static void
on_registry_stopped (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->summary = gz_session_registry_stop_finish (GZ_SESSION_REGISTRY (object), result,
                                                      &outcome->error);
  outcome->done = TRUE;
}

static void
on_session_stopped (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Outcome *outcome = user_data;

  /* Callbacks run on the session's context: here the main thread's. */
  g_assert_true (g_thread_self () == main_thread);
  outcome->summary = gz_session_stop_finish (GZ_SESSION (object), result, &outcome->error);
  outcome->done = TRUE;
}

static gboolean
on_expired (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the thread-default main context until @outcome is done (failing after @limit_ms);
 * returns how many times it woke up to dispatch something. */
static guint
wait_for (Outcome *outcome,
          guint    limit_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *guard = g_timeout_source_new (limit_ms);
  gboolean expired = FALSE;
  guint wakeups = 0;

  g_source_set_callback (guard, on_expired, &expired, NULL);
  g_source_attach (guard, context);
  while (!outcome->done && !expired)
    {
      g_main_context_iteration (context, TRUE);
      wakeups++;
    }
  g_source_destroy (guard);
  g_source_unref (guard);
  if (expired)
    g_error ("no outcome within %u ms", limit_ms);
  return wakeups;
}

/* Asks the owner of @id to stop through @registry and waits for the outcome on the
 * thread-default main context; returns how long that took, in nanoseconds. */
static gint64
registry_stop_and_wait (GzSessionRegistry *registry,
                        const char        *id,
                        guint              timeout_ms,
                        GCancellable      *cancellable,
                        Outcome           *outcome)
{
  gint64 start = g_get_monotonic_time ();

  gz_session_registry_stop_async (registry, id, timeout_ms, cancellable, on_registry_stopped,
                                  outcome);
  wait_for (outcome, timeout_ms + 10000);
  return (g_get_monotonic_time () - start) * 1000;
}

/* A started session of this process in @registry, as its owner would publish it. */
static GzSessionInfo *
publish_started (GzSessionRegistry *registry,
                 GzProfileType      type,
                 const char        *out_dir)
{
  GzSessionInfo *info = new_info (type);
  g_autoptr(GError) error = NULL;

  g_assert_true (gz_session_registry_reserve (registry, info, out_dir, &error));
  g_assert_no_error (error);
  info->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, info, &error));
  g_assert_no_error (error);
  return info;
}

static GzSessionSummary *
fake_summary (const char *id,
              const char *path)
{
  GzSessionSummary *summary = gz_session_summary_new (id, path);
  GzTopEntry entry = { g_strdup ("burn_cpu"), 700, 900 };

  summary->size = 1234;
  summary->n_samples = 98;
  summary->duration_nanos = 1000 * MS;
  summary->sample_type = g_strdup ("cpu/nanoseconds");
  summary->total = 1000;
  g_array_append_val (summary->top, entry);
  return summary;
}

typedef struct
{
  GzSessionRegistry *registry; /* the owner's own registry object, as in another process */
  const char        *id;
  const char        *path;
  GAsyncQueue       *go;       /* the stopper says when its request is there */
  guint              quiet_ms;
} FakeOwner;

/* Plays the owner: takes its time after the request, answers it, unpublishes. */
static gpointer
fake_owner_thread (gpointer data)
{
  FakeOwner *owner = data;
  g_autoptr(GzSessionSummary) summary = fake_summary (owner->id, owner->path);

  g_async_queue_pop (owner->go);
  g_assert_true (gz_session_registry_stop_requested (owner->registry, owner->id));
  g_usleep (owner->quiet_ms * 1000);
  g_assert_true (gz_session_registry_write_result (owner->registry, summary, NULL));
  gz_session_registry_unpublish (owner->registry, owner->id);
  return NULL;
}

static void
test_stop_answered (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionRegistry) owner_registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (owner_registry, GZ_PROFILE_TYPE_CPU,
                                                   f->out_dir);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncQueue) go = g_async_queue_new ();
  FakeOwner owner = { owner_registry, info->id, info->output_path, go, 1000 };
  Outcome outcome = { 0 };
  GThread *thread;
  GzTopEntry *top;
  gint64 start, elapsed;
  guint wakeups;

  thread = g_thread_new ("fake-owner", fake_owner_thread, &owner);
  g_main_context_push_thread_default (context);
  gz_session_registry_stop_async (registry, info->id, 10000, NULL, on_registry_stopped,
                                  &outcome);
  /* The request is there when the call returns. */
  g_assert_true (gz_session_registry_stop_requested (owner_registry, info->id));
  start = g_get_monotonic_time ();
  g_async_queue_push (go, GINT_TO_POINTER (1));
  wakeups = wait_for (&outcome, 15000);
  elapsed = (g_get_monotonic_time () - start) * 1000;
  g_main_context_pop_thread_default (context);
  g_thread_join (thread);

  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.summary);
  g_assert_cmpstr (outcome.summary->id, ==, info->id);
  g_assert_cmpstr (outcome.summary->path, ==, info->output_path);
  g_assert_cmpint (outcome.summary->size, ==, 1234);
  g_assert_cmpint (outcome.summary->n_samples, ==, 98);
  g_assert_cmpint (outcome.summary->duration_nanos, ==, 1000 * MS);
  g_assert_cmpstr (outcome.summary->sample_type, ==, "cpu/nanoseconds");
  g_assert_cmpint (outcome.summary->total, ==, 1000);
  g_assert_cmpuint (outcome.summary->top->len, ==, 1);
  top = &g_array_index (outcome.summary->top, GzTopEntry, 0);
  g_assert_cmpstr (top->name, ==, "burn_cpu");
  g_assert_cmpint (top->flat, ==, 700);
  g_assert_cmpint (top->cum, ==, 900);

  /* The owner kept quiet for a second. The wait woke only for the directory's events (the
   * request, the answer, the unpublishing): a 20 ms poll would have woken 50 times. */
  g_test_message ("answered after %" G_GINT64_FORMAT " ms, %u wakeups", elapsed / MS, wakeups);
  g_assert_cmpint (elapsed, >=, 1000 * MS);
  g_assert_cmpuint (wakeups, <=, 12);
  /* Request and answer are consumed. */
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

static void
test_stop_timeout (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (registry, GZ_PROFILE_TYPE_MEMORY,
                                                   f->out_dir);
  g_autoptr(GzSessionInfo) still = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };
  gint64 elapsed;

  /* The owner (this process, alive) never answers. */
  elapsed = registry_stop_and_wait (registry, info->id, 300, NULL, &outcome);

  g_assert_null (outcome.summary);
  g_assert_error (outcome.error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (outcome.error->message, info->id));
  g_assert_nonnull (strstr (outcome.error->message, "300ms"));
  g_assert_cmpint (elapsed, >=, 300 * MS);
  g_assert_cmpint (elapsed, <, 5000 * MS);
  /* The request is withdrawn; the session itself is untouched. */
  g_assert_false (gz_session_registry_stop_requested (registry, info->id));
  still = gz_session_registry_lookup (registry, info->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (still);
  gz_session_registry_unpublish (registry, info->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

static void
test_stop_stale_owner (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (registry, GZ_PROFILE_TYPE_MUTEX, f->out_dir);
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };

  info->owner_pid = spawn_exited_child ();
  g_assert_true (gz_session_registry_publish (registry, info, &error));

  registry_stop_and_wait (registry, info->id, 10000, NULL, &outcome);
  g_assert_error (outcome.error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (outcome.error->message, "removed stale session"));
  /* Removed, and no request was left behind. */
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

static gboolean
kill_owner (gpointer user_data)
{
  g_subprocess_force_exit (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_stop_owner_dies (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (registry, GZ_PROFILE_TYPE_BLOCK, f->out_dir);
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };
  gint64 elapsed;

  /* The owner is another process that dies while we wait for it. */
  owner = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "60", NULL);
  g_assert_no_error (error);
  info->owner_pid = atoi (g_subprocess_get_identifier (owner));
  info->owner_start_ticks = gz_session_registry_process_start_ticks (info->owner_pid);
  g_assert_cmpuint (info->owner_start_ticks, >, 0);
  g_assert_true (gz_session_registry_publish (registry, info, &error));

  g_timeout_add (200, kill_owner, owner);
  elapsed = registry_stop_and_wait (registry, info->id, 20000, NULL, &outcome);

  g_assert_error (outcome.error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED);
  g_assert_nonnull (strstr (outcome.error->message, "removed stale session"));
  g_assert_nonnull (strstr (outcome.error->message, "before it saved the profile"));
  /* Told by the owner's exit, long before the 20 s timeout. */
  g_test_message ("owner's death seen after %" G_GINT64_FORMAT " ms", elapsed / MS);
  g_assert_cmpint (elapsed, <, 5000 * MS);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_stop_cancel (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (registry, GZ_PROFILE_TYPE_MEMORY,
                                                   f->out_dir);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  /* Cancelled before: no request at all. */
  g_cancellable_cancel (cancelled);
  registry_stop_and_wait (registry, info->id, 10000, cancelled, &outcome);
  g_assert_false (gz_session_registry_stop_requested (registry, info->id));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&outcome);

  /* Cancelled while waiting: the request is withdrawn. */
  gz_session_registry_stop_async (registry, info->id, 10000, cancellable, on_registry_stopped,
                                  &outcome);
  g_assert_true (gz_session_registry_stop_requested (registry, info->id));
  g_timeout_add (100, cancel_later, cancellable);
  wait_for (&outcome, 10000);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gz_session_registry_stop_requested (registry, info->id));
  outcome_clear (&outcome);

  gz_session_registry_unpublish (registry, info->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

typedef struct
{
  GzSessionRegistry *registry;
  GzSessionInfo     *info;
} EndAlone;

/* The owner ends its session on its own, having written the profile, without seeing the
 * request: no answer comes. */
static gboolean
end_alone (gpointer user_data)
{
  EndAlone *end = user_data;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_assert_no_error (error);
  profile = gz_profiler_snapshot (profiler, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_write_file (profile, end->info->output_path, &error));
  g_assert_no_error (error);
  gz_session_registry_unpublish (end->registry, end->info->id);
  return G_SOURCE_REMOVE;
}

static void
test_stop_ended_alone (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = publish_started (registry, GZ_PROFILE_TYPE_GOROUTINE,
                                                   f->out_dir);
  EndAlone end = { registry, info };
  Outcome outcome = { 0 };
  GStatBuf st;

  g_timeout_add (100, end_alone, &end);
  registry_stop_and_wait (registry, info->id, 10000, NULL, &outcome);

  /* Summarized from its file. */
  g_assert_no_error (outcome.error);
  g_assert_cmpstr (outcome.summary->id, ==, info->id);
  g_assert_cmpstr (outcome.summary->path, ==, info->output_path);
  g_assert_cmpint (g_stat (info->output_path, &st), ==, 0);
  g_assert_cmpint (outcome.summary->size, ==, st.st_size);
  g_assert_cmpstr (outcome.summary->sample_type, ==, "goroutine/count");
  g_assert_cmpint (outcome.summary->total, >, 0);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

static void
test_output_unwritable (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->root, "a-file", NULL);
  g_autofree char *bad_dir = g_build_filename (file, "profiles", NULL);
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GError) error = NULL;

  /* Below a regular file: no one can create it, root included. */
  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  session = gz_session_new (NULL, OPEN_TYPE, 0, bad_dir, &error);
  g_assert_null (session);
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_OUTPUT);
  g_assert_nonnull (strstr (error->message, bad_dir));
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_cpu_default_duration (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr(GzConfig) config = gz_config_new (NULL, NULL);
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GzSession) memory = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (config);
  g_assert_true (gz_config_set_flag (config, "duration", "1500ms", &error));
  g_assert_true (gz_config_set_flag (config, "output-dir", f->out_dir, &error));

  session = gz_session_new (config, GZ_PROFILE_TYPE_CPU, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_session_get_duration (session), ==, 1500 * MS);
  g_assert_true (g_str_has_prefix (gz_session_get_output_path (session), f->out_dir));
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_READY);

  /* The config's duration is for cpu; other types run until stopped. */
  memory = gz_session_new (config, OPEN_TYPE, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_session_get_duration (memory), ==, 0);
  g_assert_cmpstr (gz_session_get_id (memory), !=, gz_session_get_id (session));

  /* Dropping unstarted sessions releases their reservations. */
  g_clear_object (&session);
  g_clear_object (&memory);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
assert_valid_profile (const char *path,
                      const char *sample_type)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;

  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_no_error (error);
  type = g_strndup (sample_type, strcspn (sample_type, "/"));
  g_assert_cmpint (gz_profile_find_sample_type (profile, type), >=, 0);
}

static void
on_finished_count (GzSession *session,
                   gpointer   user_data)
{
  /* ::finished comes on the session's context: here the main thread's. */
  g_assert_true (g_thread_self () == main_thread);
  (*(guint *) user_data)++;
}

static GzSession *
start_session (Fixture       *f,
               GzProfileType  type,
               gint64         duration)
{
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = gz_session_new (NULL, type, duration, f->out_dir, &error);
  g_assert_no_error (error);
  g_assert_true (gz_session_start (session, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

static void
test_duration_timer (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const GzSessionSummary *summary;
  Outcome again = { 0 };
  guint finished = 0;

  g_atomic_pointer_set (&last_profile_writer, NULL);
  session = start_session (f, OPEN_TYPE, 300 * MS);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_RUNNING);
  g_assert_cmpint (gz_session_get_start_time (session), >, 0);
  g_assert_false (gz_session_start (session, &error));
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE);
  g_clear_error (&error);

  g_signal_connect (session, "finished", G_CALLBACK (on_finished_count), &finished);
  while (finished == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  g_assert_cmpint (gz_session_get_elapsed (session), >=, 300 * MS);
  summary = gz_session_get_summary (session);
  g_assert_nonnull (summary);
  g_assert_cmpstr (summary->path, ==, gz_session_get_output_path (session));
  g_assert_cmpstr (summary->sample_type, ==, OPEN_SAMPLE_TYPE);
  g_assert_cmpint (summary->size, >, 0);
  g_assert_cmpuint (summary->top->len, <=, 5);
  assert_valid_profile (summary->path, summary->sample_type);
  /* The timer's stop wrote the profile on a worker thread. */
  g_assert_nonnull (g_atomic_pointer_get (&last_profile_writer));
  g_assert_true (g_atomic_pointer_get (&last_profile_writer) != main_thread);
  /* Finished: unpublished. */
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);

  /* Stopping again gives the same summary. */
  gz_session_stop_async (session, NULL, on_session_stopped, &again);
  wait_for (&again, 10000);
  g_assert_no_error (again.error);
  g_assert_cmpstr (again.summary->path, ==, summary->path);
  g_assert_cmpint (again.summary->size, ==, summary->size);
  g_assert_cmpuint (finished, ==, 1);
  outcome_clear (&again);
}

/* A main-loop tick: lets a thread held at the gate go on, counting it. */
static gboolean
on_gate_tick (gpointer user_data)
{
  if (gate_release_if_entered (NULL, NULL))
    {
      (*(guint *) user_data)++;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_stop_off_main_thread (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr(GzSession) session = start_session (f, OPEN_TYPE, 0);
  const char *path = gz_session_get_output_path (session);
  Outcome first = { 0 };
  Outcome joined = { 0 };
  Outcome after = { 0 };
  guint released_by_loop = 0;
  guint finished = 0;

  g_signal_connect (session, "finished", G_CALLBACK (on_finished_count), &finished);
  /* The write is held until the main loop has ticked: were it on the main thread, the loop
   * could not tick and the gate would time out. */
  gate_arm (path);
  g_timeout_add (2, on_gate_tick, &released_by_loop);

  gz_session_stop_async (session, NULL, on_session_stopped, &first);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_STOPPING);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* A second stop while stopping waits for the same outcome. */
  gz_session_stop_async (session, NULL, on_session_stopped, &joined);
  wait_for (&first, 20000);
  wait_for (&joined, 10000);

  g_assert_cmpuint (released_by_loop, ==, 1);
  g_assert_false (gate.timed_out);
  g_assert_true (gate.thread != NULL && gate.thread != main_thread);

  g_assert_no_error (first.error);
  g_assert_cmpstr (first.summary->path, ==, path);
  g_assert_cmpint (first.summary->size, >, 0);
  g_assert_no_error (joined.error);
  g_assert_cmpint (joined.summary->size, ==, first.summary->size);
  g_assert_cmpuint (finished, ==, 1);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  assert_valid_profile (path, OPEN_SAMPLE_TYPE);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);

  /* Once finished, the same summary. */
  gz_session_stop_async (session, NULL, on_session_stopped, &after);
  wait_for (&after, 10000);
  g_assert_no_error (after.error);
  g_assert_cmpint (after.summary->size, ==, first.summary->size);
  g_assert_cmpuint (finished, ==, 1);
  outcome_clear (&first);
  outcome_clear (&joined);
  outcome_clear (&after);
}

static void
cancel_action (gpointer data)
{
  g_cancellable_cancel (data);
}

/* A main-loop tick: cancels while a thread is held at the gate, then lets it go on. */
static gboolean
on_gate_cancel_tick (gpointer user_data)
{
  if (gate_release_if_entered (cancel_action, user_data))
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
test_stop_cancel_session (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr(GzSession) session = start_session (f, OPEN_TYPE, 0);
  g_autoptr(GzSession) taking = start_session (f, GZ_PROFILE_TYPE_GOROUTINE, 0);
  g_autoptr(GzSession) writing = start_session (f, GZ_PROFILE_TYPE_GOROUTINE, 0);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GCancellable) while_taking = g_cancellable_new ();
  g_autoptr(GCancellable) while_writing = g_cancellable_new ();
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (NULL);
  g_autoptr(GPtrArray) active = NULL;
  Outcome outcome = { 0 };
  guint finished = 0;

  /* Cancelled before: nothing happens, the session runs on. */
  g_cancellable_cancel (cancelled);
  gz_session_stop_async (session, cancelled, on_session_stopped, &outcome);
  wait_for (&outcome, 10000);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_RUNNING);
  active = gz_session_registry_list (registry, NULL, NULL);
  g_assert_cmpuint (active->len, ==, 3);
  outcome_clear (&outcome);

  /* Cancelled while the profile is taken (the goroutine profiler lists the threads): the
   * profile is not written, the session fails as cancelled. */
  g_signal_connect (taking, "finished", G_CALLBACK (on_finished_count), &finished);
  gate_arm ("/proc/self/task");
  g_timeout_add (2, on_gate_cancel_tick, while_taking);
  gz_session_stop_async (taking, while_taking, on_session_stopped, &outcome);
  wait_for (&outcome, 20000);
  g_assert_true (gate.released);
  g_assert_true (gate.thread != main_thread);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (outcome.error->message, gz_session_get_id (taking)));
  g_assert_cmpint (gz_session_get_state (taking), ==, GZ_SESSION_STATE_FAILED);
  g_assert_true (g_error_matches (gz_session_get_error (taking), G_IO_ERROR,
                                  G_IO_ERROR_CANCELLED));
  g_assert_cmpuint (finished, ==, 1);
  g_assert_false (g_file_test (gz_session_get_output_path (taking), G_FILE_TEST_EXISTS));
  outcome_clear (&outcome);

  /* Cancelled while the profile is written: too late, it is saved. */
  gate_arm (gz_session_get_output_path (writing));
  g_timeout_add (2, on_gate_cancel_tick, while_writing);
  gz_session_stop_async (writing, while_writing, on_session_stopped, &outcome);
  wait_for (&outcome, 20000);
  g_assert_true (gate.released);
  g_assert_true (g_cancellable_is_cancelled (while_writing));
  g_assert_no_error (outcome.error);
  g_assert_cmpint (gz_session_get_state (writing), ==, GZ_SESSION_STATE_FINISHED);
  assert_valid_profile (gz_session_get_output_path (writing), "goroutine/count");
  outcome_clear (&outcome);

  /* The first session still stops normally. */
  gz_session_stop_async (session, NULL, on_session_stopped, &outcome);
  wait_for (&outcome, 20000);
  g_assert_no_error (outcome.error);
  assert_valid_profile (gz_session_get_output_path (session), OPEN_SAMPLE_TYPE);
  outcome_clear (&outcome);
  /* Two profiles: the cancelled one left nothing, not even a temporary file. */
  g_assert_cmpuint (count_files (f->out_dir), ==, 2);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

/* Another process stops the session: here a second registry object on the same main loop as
 * the session, so neither side may block the thread the other needs. */
static void
test_stop_request (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GzSession) session = start_session (f, OPEN_TYPE, 0);
  g_autoptr(GzSessionRegistry) stopper = gz_session_registry_new (NULL);
  Outcome outcome = { 0 };
  guint finished = 0;

  g_assert_cmpint (gz_session_get_duration (session), ==, 0);
  g_signal_connect (session, "finished", G_CALLBACK (on_finished_count), &finished);
  g_atomic_pointer_set (&last_profile_writer, NULL);

  gz_session_registry_stop_async (stopper, gz_session_get_id (session), 20000, NULL,
                                  on_registry_stopped, &outcome);
  wait_for (&outcome, 25000);

  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.summary);
  g_assert_cmpuint (finished, ==, 1);
  g_assert_cmpstr (outcome.summary->id, ==, gz_session_get_id (session));
  g_assert_cmpstr (outcome.summary->path, ==, gz_session_get_output_path (session));
  g_assert_cmpint (outcome.summary->size, ==, gz_session_get_summary (session)->size);
  g_assert_cmpint (outcome.summary->n_samples, ==,
                   gz_session_get_summary (session)->n_samples);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  g_assert_true (g_atomic_pointer_get (&last_profile_writer) != main_thread);
  assert_valid_profile (outcome.summary->path, OPEN_SAMPLE_TYPE);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
  outcome_clear (&outcome);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *sessions_root = NULL;
  g_autofree char *sessions = NULL;
  int status;

  /* Before any thread exists: setenv is not thread-safe. */
  sessions_root = g_dir_make_tmp ("gz-test-sessions-XXXXXX", NULL);
  g_assert_nonnull (sessions_root);
  sessions = g_build_filename (sessions_root, "sessions", NULL);
  g_setenv ("GZ_PROFILE_SESSION_DIR", sessions, TRUE);
  main_thread = g_thread_self ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/core/session-registry/proc-start-ticks", test_proc_start_ticks);
  ADD ("/core/session-registry/reserve-distinct", test_reserve_distinct, NULL);
  ADD ("/core/session-registry/publish-list-lookup", test_publish_list_lookup, NULL);
  ADD ("/core/session-registry/stale-owner", test_stale_owner, GINT_TO_POINTER (FALSE));
  ADD ("/core/session-registry/stale-owner-async", test_stale_owner, GINT_TO_POINTER (TRUE));
  ADD ("/core/session-registry/stop-answered", test_stop_answered, NULL);
  ADD ("/core/session-registry/stop-timeout", test_stop_timeout, NULL);
  ADD ("/core/session-registry/stop-stale-owner", test_stop_stale_owner, NULL);
  ADD ("/core/session-registry/stop-owner-dies", test_stop_owner_dies, NULL);
  ADD ("/core/session-registry/stop-cancel", test_stop_cancel, NULL);
  ADD ("/core/session-registry/stop-ended-alone", test_stop_ended_alone, NULL);
  ADD ("/core/session/output-unwritable", test_output_unwritable, NULL);
  ADD ("/core/session/cpu-default-duration", test_cpu_default_duration, NULL);
  ADD ("/core/session/duration-timer", test_duration_timer, NULL);
  ADD ("/core/session/stop-off-main-thread", test_stop_off_main_thread, NULL);
  ADD ("/core/session/stop-cancel", test_stop_cancel_session, NULL);
  ADD ("/core/session/stop-request", test_stop_request, NULL);
#undef ADD

  status = g_test_run ();
  remove_tree (sessions_root);
  return status;
}
