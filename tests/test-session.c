/* test-session.c: the session registry (ids, listing, stale owners, stop requests) and
 * GzSession (output checks, durations, stops from another thread), in one process. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void
test_stale_owner (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) dead = new_info (GZ_PROFILE_TYPE_GOROUTINE);
  g_autoptr(GzSessionInfo) reused = new_info (GZ_PROFILE_TYPE_BLOCK);
  g_autoptr(GzSessionInfo) alive = new_info (GZ_PROFILE_TYPE_MUTEX);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  const char *argv[] = { "true", NULL };
  GPid child;
  int status;

  /* An owner that exited: a child we started and reaped. */
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &child, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_spawn_close_pid (child);

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

  active = gz_session_registry_list (registry, stale, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpstr (((GzSessionInfo *) active->pdata[0])->id, ==, alive->id);
  g_assert_cmpuint (stale->len, ==, 2);
  expected = g_strdup_printf ("removed stale session %s: owner pid %d exited", dead->id,
                              (int) child);
  g_assert_true (g_str_equal (stale->pdata[0], expected) || g_str_equal (stale->pdata[1], expected));

  /* Removed, so reported once only. */
  g_ptr_array_set_size (stale, 0);
  g_clear_pointer (&active, g_ptr_array_unref);
  active = gz_session_registry_list (registry, stale, &error);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpuint (stale->len, ==, 0);
  gz_session_registry_unpublish (registry, alive->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

typedef struct
{
  GzSessionRegistry *registry;
  const char        *id;
  const char        *path;
} FakeOwner;

static void
clear_top_entry (gpointer data)
{
  g_free (((GzTopEntry *) data)->name);
}

/* Plays the owner: waits for the stop request, answers it, unpublishes. */
static gpointer
fake_owner_thread (gpointer data)
{
  FakeOwner *owner = data;
  g_autoptr(GzSessionSummary) summary = g_new0 (GzSessionSummary, 1);
  GzTopEntry entry = { g_strdup ("burn_cpu"), 700, 900 };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gz_session_registry_stop_requested (owner->registry, owner->id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  summary->id = g_strdup (owner->id);
  summary->path = g_strdup (owner->path);
  summary->size = 1234;
  summary->n_samples = 98;
  summary->duration_nanos = 1000 * MS;
  summary->sample_type = g_strdup ("cpu/nanoseconds");
  summary->total = 1000;
  summary->top = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
  g_array_set_clear_func (summary->top, clear_top_entry);
  g_array_append_val (summary->top, entry);
  g_assert_true (gz_session_registry_write_result (owner->registry, summary, NULL));
  gz_session_registry_unpublish (owner->registry, owner->id);
  return NULL;
}

static void
test_stop_result (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = new_info (GZ_PROFILE_TYPE_CPU);
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  FakeOwner owner;
  GThread *thread;
  GzTopEntry *top;

  g_assert_true (gz_session_registry_reserve (registry, info, f->out_dir, &error));
  info->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, info, &error));

  owner.registry = registry;
  owner.id = info->id;
  owner.path = info->output_path;
  thread = g_thread_new ("fake-owner", fake_owner_thread, &owner);
  summary = gz_session_registry_stop (registry, info->id, 10000, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpstr (summary->id, ==, info->id);
  g_assert_cmpstr (summary->path, ==, info->output_path);
  g_assert_cmpint (summary->size, ==, 1234);
  g_assert_cmpint (summary->n_samples, ==, 98);
  g_assert_cmpint (summary->duration_nanos, ==, 1000 * MS);
  g_assert_cmpstr (summary->sample_type, ==, "cpu/nanoseconds");
  g_assert_cmpuint (summary->top->len, ==, 1);
  top = &g_array_index (summary->top, GzTopEntry, 0);
  g_assert_cmpstr (top->name, ==, "burn_cpu");
  g_assert_cmpint (top->flat, ==, 700);
  g_assert_cmpint (top->cum, ==, 900);
  /* Request and answer are consumed. */
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
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
on_finished_quit (GzSession *session,
                  gpointer   user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
on_too_long (gpointer user_data)
{
  g_error ("the session did not finish in time");
  return G_SOURCE_REMOVE;
}

static void
test_duration_timer (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  const GzSessionSummary *summary;
  guint guard;

  session = gz_session_new (NULL, OPEN_TYPE, 300 * MS, f->out_dir, &error);
  g_assert_no_error (error);
  g_assert_true (gz_session_start (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_RUNNING);
  g_assert_cmpint (gz_session_get_start_time (session), >, 0);
  g_assert_false (gz_session_start (session, &error));
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE);
  g_clear_error (&error);

  g_signal_connect (session, "finished", G_CALLBACK (on_finished_quit), loop);
  guard = g_timeout_add_seconds (20, on_too_long, NULL);
  g_main_loop_run (loop);
  g_source_remove (guard);

  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  g_assert_cmpint (gz_session_get_elapsed (session), >=, 300 * MS);
  summary = gz_session_get_summary (session);
  g_assert_nonnull (summary);
  g_assert_cmpstr (summary->path, ==, gz_session_get_output_path (session));
  g_assert_cmpstr (summary->sample_type, ==, OPEN_SAMPLE_TYPE);
  g_assert_cmpint (summary->size, >, 0);
  g_assert_cmpuint (summary->top->len, <=, 5);
  assert_valid_profile (summary->path, summary->sample_type);
  /* Finished: unpublished. */
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);

  /* Stopping again gives the same summary. */
  {
    g_autoptr(GzSessionSummary) again = gz_session_stop (session, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (again->path, ==, summary->path);
    g_assert_cmpint (again->size, ==, summary->size);
  }
}

typedef struct
{
  char             *id;
  GzSessionSummary *summary;
  GError           *error;
} Stopper;

static gpointer
stopper_thread (gpointer data)
{
  Stopper *stopper = data;
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (NULL);

  g_usleep (300 * 1000);
  stopper->summary = gz_session_registry_stop (registry, stopper->id, 20000, &stopper->error);
  return NULL;
}

static void
test_stop_request (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Stopper stopper = { 0 };
  GThread *thread;
  guint guard;

  session = gz_session_new (NULL, OPEN_TYPE, 0, f->out_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_session_get_duration (session), ==, 0);
  g_assert_true (gz_session_start (session, &error));

  stopper.id = g_strdup (gz_session_get_id (session));
  g_signal_connect (session, "finished", G_CALLBACK (on_finished_quit), loop);
  thread = g_thread_new ("stopper", stopper_thread, &stopper);
  guard = g_timeout_add_seconds (25, on_too_long, NULL);
  g_main_loop_run (loop);
  g_source_remove (guard);
  g_thread_join (thread);

  g_assert_no_error (stopper.error);
  g_assert_nonnull (stopper.summary);
  g_assert_cmpstr (stopper.summary->id, ==, stopper.id);
  g_assert_cmpstr (stopper.summary->path, ==, gz_session_get_output_path (session));
  g_assert_cmpint (stopper.summary->size, ==, gz_session_get_summary (session)->size);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  assert_valid_profile (stopper.summary->path, OPEN_SAMPLE_TYPE);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);

  gz_session_summary_free (stopper.summary);
  g_free (stopper.id);
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

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/session-registry/proc-start-ticks", test_proc_start_ticks);
  g_test_add ("/core/session-registry/reserve-distinct", Fixture, NULL, fixture_set_up,
              test_reserve_distinct, fixture_tear_down);
  g_test_add ("/core/session-registry/publish-list-lookup", Fixture, NULL, fixture_set_up,
              test_publish_list_lookup, fixture_tear_down);
  g_test_add ("/core/session-registry/stale-owner", Fixture, NULL, fixture_set_up,
              test_stale_owner, fixture_tear_down);
  g_test_add ("/core/session-registry/stop-result", Fixture, NULL, fixture_set_up,
              test_stop_result, fixture_tear_down);
  g_test_add ("/core/session/output-unwritable", Fixture, NULL, fixture_set_up,
              test_output_unwritable, fixture_tear_down);
  g_test_add ("/core/session/cpu-default-duration", Fixture, NULL, fixture_set_up,
              test_cpu_default_duration, fixture_tear_down);
  g_test_add ("/core/session/duration-timer", Fixture, NULL, fixture_set_up,
              test_duration_timer, fixture_tear_down);
  g_test_add ("/core/session/stop-request", Fixture, NULL, fixture_set_up,
              test_stop_request, fixture_tear_down);

  status = g_test_run ();
  remove_tree (sessions_root);
  return status;
}
