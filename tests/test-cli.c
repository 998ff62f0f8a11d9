/* test-cli.c: gz-cli end to end, run as a user would (the binary comes from $GZ_CLI), each
 * test with its own session directory, output directory and configuration home. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-session-registry.h"
#include "gz-test-cli.h"

/* An open-ended type this build can take: memory needs the allocation wrappers (no ASan).
 * config.h defines GZ_HAVE_TCMALLOC empty (meson's conf.set) or as 1 or 0. */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
# define HAVE_WRAPPERS    1
# define OPEN_TYPE        "memory"
# define OPEN_SAMPLE_TYPE "inuse_space"
#else
# define HAVE_WRAPPERS    0
# define OPEN_TYPE        "goroutine"
# define OPEN_SAMPLE_TYPE "goroutine"
#endif

typedef GzTestCli Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (f, "gz-test-cli-XXXXXX", NULL);
  gz_test_cli_setenv (f, "G_SLICE", "always-malloc");
  gz_test_cli_setenv (f, "LC_ALL", "C");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (f);
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

/* Runs gz-cli with the arguments (NULL-terminated) and returns its exit status. */
#define run_cli(f, out, err, ...) gz_test_cli_run_env (f, NULL, out, err, __VA_ARGS__)

/* The value after "KEY: " on a line of @text. */
static char *
field (const char *text,
       const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("(?m)^%s: (.+)$", key);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, text, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static void
assert_valid_profile (const char *path,
                      const char *sample_type)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_profile_find_sample_type (profile, sample_type), >=, 0);
}

static void
assert_go_reads (Fixture    *f,
                 const char *path,
                 const char *type_line)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tmp = g_build_filename (f->root, "pprof", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  if (go == NULL)
    {
      g_test_message ("go is not installed: not reading %s with go tool pprof", path);
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "PPROF_TMPDIR", tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", f->root, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, go, "tool", "pprof", "-top", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("go tool pprof -top %s failed: %s", path, err);
  g_assert_nonnull (strstr (out, type_line));
}

/* The one-line error contract: "gz-cli: <problem>; <fix>\n". */
static void
assert_one_line_error (const char *err,
                       const char *fragment)
{
  g_assert_true (g_str_has_prefix (err, "gz-cli: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  g_assert_nonnull (strstr (err, "; "));
  if (strstr (err, fragment) == NULL)
    g_error ("stderr \"%s\" does not mention \"%s\"", err, fragment);
}

static void
test_version_help (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *help = NULL;
  g_autofree char *start_help = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "--version", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "gz-cli " GZ_VERSION));

  g_assert_cmpint (run_cli (f, &help, NULL, "profile", "--help", NULL), ==, 0);
  for (const char * const *c = (const char * const[]) { "start", "stop", "list", "stats",
                                                        "config", NULL }; *c != NULL; c++)
    g_assert_nonnull (strstr (help, *c));

  g_assert_cmpint (run_cli (f, &start_help, NULL, "profile", "start", "--help-all", NULL), ==, 0);
  g_assert_nonnull (strstr (start_help, "--type"));
  g_assert_nonnull (strstr (start_help, "--duration"));
  g_assert_nonnull (strstr (start_help, "--output-dir"));
  g_assert_nonnull (strstr (start_help, "--cpu-hz"));
}

static void
test_start_cpu (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GRegex) id_pattern = g_regex_new ("^cpu_[0-9]+(_[0-9]+)?$", 0, 0, NULL);
  int status;

  status = run_cli (f, &out, &err, "profile", "start", "--type", "cpu", "--duration", "1s",
                    "--output-dir", f->out_dir, NULL);
  if (status != 0)
    g_error ("gz-cli failed (%d): %s", status, err);
  /* gperftools' "PROFILE: interrupts/…" report at its stop is not shown to the user. */
  g_assert_null (strstr (err, "PROFILE:"));

  id = field (out, "Session");
  path = field (out, "Output");
  g_assert_nonnull (id);
  g_assert_true (g_regex_match (id_pattern, id, 0, NULL));
  name = g_strconcat (id, ".prof", NULL);
  expected = g_build_filename (f->out_dir, name, NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_nonnull (strstr (out, "samples"));
  g_assert_nonnull (strstr (out, "go tool pprof"));
  g_assert_nonnull (strstr (out, path));

  assert_valid_profile (path, "cpu");
  assert_go_reads (f, path, "Type: cpu");
  /* The profile and nothing else (no temporary or probe files). */
  g_assert_cmpuint (count_files (f->out_dir), ==, 1);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_same_second (Fixture      *f,
                  gconstpointer data)
{
  GSubprocess *procs[2];
  char *outs[2];
  g_autofree char *id0 = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *path0 = NULL;
  g_autofree char *path1 = NULL;

  /* Both at once: they start within the same second (or, rarely, straddle one). */
  for (guint i = 0; i < 2; i++)
    procs[i] = gz_test_cli_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "profile", "start",
                                  "--type", OPEN_TYPE, "--duration", "500ms", "--output-dir",
                                  f->out_dir, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &outs[i], NULL,
                                                    &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (procs[i]), ==, 0);
      g_object_unref (procs[i]);
    }
  id0 = field (outs[0], "Session");
  id1 = field (outs[1], "Session");
  path0 = field (outs[0], "Output");
  path1 = field (outs[1], "Output");
  g_assert_nonnull (id0);
  g_assert_nonnull (id1);
  g_assert_cmpstr (id0, !=, id1);
  g_assert_cmpstr (path0, !=, path1);
  assert_valid_profile (path0, OPEN_SAMPLE_TYPE);
  assert_valid_profile (path1, OPEN_SAMPLE_TYPE);
  g_assert_cmpuint (count_files (f->out_dir), ==, 2);
  g_free (outs[0]);
  g_free (outs[1]);
}

/* Starts an open-ended session in the background; returns it once `list` shows it. */
static GSubprocess *
start_background (Fixture     *f,
                  const char  *type,
                  const char  *duration,
                  char       **id_out,
                  char       **path_out)
{
  GSubprocess *proc;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (duration != NULL)
    proc = gz_test_cli_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "profile", "start", "--type",
                              type, "--duration", duration, "--output-dir", f->out_dir, NULL);
  else
    proc = gz_test_cli_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "profile", "start", "--type",
                              type, "--output-dir", f->out_dir, NULL);

  /* The first two lines name the session and the file; read them without closing the pipe. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "Session: "))
        *id_out = g_strdup (line + strlen ("Session: "));
      else if (g_str_has_prefix (line, "Output: "))
        *path_out = g_strdup (line + strlen ("Output: "));
    }
  g_assert_nonnull (*id_out);
  g_assert_nonnull (*path_out);

  /* Published once started. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (run_cli (f, &out, NULL, "profile", "list", NULL), ==, 0);
      if (strstr (out, *id_out) != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  return proc;
}

static JsonArray *
list_json (Fixture    *f,
           JsonParser *parser)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "profile", "list", "--format", "json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

static void
test_cross_process (Fixture      *f,
                    gconstpointer data)
{
  const char *type = data;
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(JsonParser) parser1 = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *table = NULL;
  g_autofree char *target = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *owner_out = NULL;
  g_autofree char *empty = NULL;
  JsonArray *sessions;
  JsonObject *session;
  gint64 elapsed1, elapsed2;
  int status;

  if (g_str_equal (type, "memory") && !HAVE_WRAPPERS)
    {
      g_test_skip ("built without the allocation wrappers (no tcmalloc, or ASan)");
      return;
    }
  owner = start_background (f, type, NULL, &id, &path);

  g_assert_cmpint (run_cli (f, &table, NULL, "profile", "list", NULL), ==, 0);
  target = g_strdup_printf ("self (pid %s)", g_subprocess_get_identifier (owner));
  g_assert_nonnull (strstr (table, "ID"));
  g_assert_nonnull (strstr (table, "DURATION"));
  g_assert_nonnull (strstr (table, id));
  g_assert_nonnull (strstr (table, type));
  g_assert_nonnull (strstr (table, target));

  sessions = list_json (f, parser1);
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  session = json_array_get_object_element (sessions, 0);
  g_assert_cmpstr (json_object_get_string_member (session, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (session, "type"), ==, type);
  g_assert_cmpint (json_object_get_int_member (session, "duration_nanos"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (session, "output_path"), ==, path);
  elapsed1 = json_object_get_int_member (session, "elapsed_nanos");

  /* The duration is live. */
  g_usleep (600 * 1000);
  sessions = list_json (f, parser2);
  session = json_array_get_object_element (sessions, 0);
  elapsed2 = json_object_get_int_member (session, "elapsed_nanos");
  g_assert_cmpint (elapsed2 - elapsed1, >=, 500 * 1000000);

  status = run_cli (f, &out, &err, "profile", "stop", "--session", id, NULL);
  if (status != 0)
    g_error ("stop failed (%d): %s", status, err);
  g_assert_nonnull (strstr (out, path));
  g_assert_nonnull (strstr (out, "samples"));
  g_assert_nonnull (strstr (out, "size"));
  g_assert_nonnull (strstr (out, "go tool pprof"));

  /* The owner saved the profile, printed its summary and exited. */
  g_assert_true (g_subprocess_communicate_utf8 (owner, NULL, NULL, &owner_out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (owner), ==, 0);
  g_assert_nonnull (strstr (owner_out, path));
  assert_valid_profile (path, g_str_equal (type, "memory") ? "inuse_space" : "goroutine");
  assert_go_reads (f, path, "Type: ");

  g_assert_cmpint (run_cli (f, &empty, NULL, "profile", "list", NULL), ==, 0);
  g_assert_cmpstr (empty, ==, "No active sessions.\n");
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_sigterm (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;

  owner = start_background (f, "cpu", "60s", &id, &path);
  g_usleep (500 * 1000);
  g_subprocess_send_signal (owner, SIGTERM);
  g_assert_true (g_subprocess_communicate_utf8 (owner, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (owner));
  g_assert_cmpint (g_subprocess_get_exit_status (owner), ==, 0);
  g_assert_nonnull (strstr (out, "go tool pprof"));
  assert_valid_profile (path, "cpu");
  g_assert_cmpuint (count_files (f->out_dir), ==, 1);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_stale (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GSubprocess) owner = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  owner = start_background (f, OPEN_TYPE, NULL, &id, &path);
  expected = g_strdup_printf ("removed stale session %s: owner pid %s exited", id,
                              g_subprocess_get_identifier (owner));
  /* SIGKILL, and not reaped yet: a zombie owner is as dead as a gone one. */
  kill (atoi (g_subprocess_get_identifier (owner)), SIGKILL);
  g_usleep (100 * 1000);

  g_assert_cmpint (run_cli (f, &out, &err, "profile", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "No active sessions.\n");
  g_assert_nonnull (strstr (err, expected));
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);

  /* Reported once, and stop knows it is gone. */
  g_assert_cmpint (run_cli (f, &out2, &err2, "profile", "stop", "--session", id, NULL), ==, 1);
  assert_one_line_error (err2, id);

  g_assert_true (g_subprocess_wait (owner, NULL, NULL));
  g_assert_false (g_subprocess_get_if_exited (owner));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* An owner that never answers (this test process, which publishes a session and then does
 * nothing): stop gives up after --timeout with one line, and withdraws its request. */
static void
test_stop_timeout (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->session_dir);
  g_autoptr(GzSessionInfo) info = g_new0 (GzSessionInfo, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start, elapsed;
  int status;

  info->type = GZ_PROFILE_TYPE_MUTEX;
  info->target.kind = GZ_TARGET_SELF;
  info->target.pid = getpid ();
  g_assert_true (gz_session_registry_reserve (registry, info, f->out_dir, &error));
  info->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, info, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  status = run_cli (f, &out, &err, "profile", "stop", "--session", info->id, "--timeout",
                    "300ms", NULL);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  assert_one_line_error (err, "did not answer within 300ms");
  g_assert_nonnull (strstr (err, info->id));
  g_assert_cmpint (elapsed, >=, 300 * 1000);
  g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);
  g_assert_false (gz_session_registry_stop_requested (registry, info->id));
  gz_session_registry_unpublish (registry, info->id);
  g_assert_cmpuint (count_files (f->session_dir), ==, 0);
}

static void
test_bad_input (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->root, "a-file", NULL);
  g_autofree char *bad_dir = g_build_filename (file, "profiles", NULL);
  const struct
  {
    const char *args[10];
    int         status;
    const char *fragment;
  } cases[] = {
    { { "profile", "start", "--type", "foo", "--output-dir", f->out_dir }, 2,
      "unknown profile type \"foo\"; use one of: cpu, memory, goroutine, block, mutex, "
      "threadcreate" },
    { { "profile", "start", "--output-dir", f->out_dir }, 2, "--type" },
    { { "profile", "start", "--type", "cpu", "--duration", "abc", "--output-dir", f->out_dir },
      2, "invalid duration \"abc\"" },
    { { "profile", "start", "--type", "cpu", "--duration", "-5s", "--output-dir", f->out_dir },
      2, "negative duration \"-5s\"" },
    { { "profile", "start", "--type", "memory", "--duration", "0", "--output-dir", f->out_dir },
      2, "duration" },
    { { "profile", "start", "--type", "cpu", "--duration", "1s", "--output-dir", bad_dir }, 1,
      bad_dir },
    { { "profile", "start", "--type", "cpu", "--bogus", "--output-dir", f->out_dir }, 2,
      "unknown option --bogus" },
    { { "profile", "start", "--type", "cpu", "--cpu-hz", "many", "--output-dir", f->out_dir },
      2, "cpu-hz" },
    { { "profile", "stop", "--session", "cpu_123_9" }, 1, "no active session \"cpu_123_9\"" },
    { { "profile", "stop" }, 2, "--session" },
    { { "profile", "stats", "--format", "xml" }, 2, "unknown stats format \"xml\"" },
    { { "profile", "stats", "--watch", "soon" }, 2, "soon" },
    { { "profile", "list", "--format", "csv" }, 2, "csv" },
    { { "profile", "frobnicate" }, 2, "unknown command \"frobnicate\"" },
    { { "profile" }, 2, "command" },
    { { "frobnicate" }, 2, "unknown command \"frobnicate\"" },
  };

  g_assert_true (g_file_set_contents (file, "", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char * const *a = cases[i].args;
      int status;

      status = run_cli (f, &out, &err, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                        NULL);
      g_test_message ("case %u: %s %s → %d: %s", i, a[0], a[1] ? a[1] : "", status, err);
      g_assert_cmpint (status, ==, cases[i].status);
      assert_one_line_error (err, cases[i].fragment);
      /* No partial file, no leftover session. */
      g_assert_cmpuint (count_files (f->out_dir), ==, 0);
      g_assert_cmpuint (count_files (f->session_dir), ==, 0);
    }
}

static void
test_stats (Fixture      *f,
            gconstpointer data)
{
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  g_assert_cmpint (run_cli (f, &table, NULL, "profile", "stats", NULL), ==, 0);
  g_assert_cmpuint (strlen (table), >, 0);
  g_assert_cmpint (run_cli (f, &json, NULL, "profile", "stats", "--format", "json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (run_cli (f, &yaml, NULL, "profile", "stats", "--format", "yaml", NULL), ==, 0);

  /* Each format names the same things in its own way, the process's own. */
  g_assert_true (g_regex_match_simple ("(?m)^PID +[1-9][0-9]*$", table, 0, 0));
  g_assert_true (g_regex_match_simple ("(?m)^Threads +[1-9][0-9]*$", table, 0, 0));
  g_assert_true (g_regex_match_simple ("(?m)^  RSS +[0-9.]+ [KMG]?i?B$", table, 0, 0));
  g_assert_cmpint (json_object_get_int_member (root, "pid"), >, 0);
  g_assert_cmpint (json_object_get_int_member (root, "threads"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "memory"),
                                               "rss_bytes"), >, 0);
  g_assert_true (g_regex_match_simple ("(?m)^pid: [1-9][0-9]*$", yaml, 0, 0));
  g_assert_true (g_regex_match_simple ("(?m)^threads: [1-9][0-9]*$", yaml, 0, 0));
  g_assert_true (g_regex_match_simple ("(?m)^memory:\n(  .*\n)*  rss_bytes: [1-9][0-9]*$", yaml,
                                       0, 0));
}

/* The line of `profile config` for @key, split in columns. */
static char **
config_row (const char *out,
            const char *key)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_regex_split_simple ("\\s{2,}", lines[i], 0, 0);

      if (cols[0] != NULL && g_str_equal (cols[0], key))
        return g_steal_pointer (&cols);
    }
  g_error ("no line for %s in:\n%s", key, out);
  return NULL;
}

static void
test_config_precedence (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *ini = g_build_filename (f->root, "custom.ini", NULL);
  g_autofree char *bad_ini = g_build_filename (f->root, "bad.ini", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file_source = NULL;
  const char *env[] = { "GZ_PROFILE_CPU_HZ=250", "GZ_PROFILE_KEEP=9", NULL };
  g_auto(GStrv) cpu_hz = NULL;
  g_auto(GStrv) keep = NULL;
  g_auto(GStrv) port = NULL;
  g_auto(GStrv) bind = NULL;
  g_auto(GStrv) duration = NULL;
  int status;

  g_assert_true (g_file_set_contents (ini, "# test\n[profile]\ncpu-hz = 150\nport = 7070\n"
                                      "keep = 3\nbind = 0.0.0.0\n", -1, NULL));
  status = gz_test_cli_run_env (f, env, &out, &err, "profile", "config", "--config", ini,
                                "--bind", "127.0.0.2", NULL);
  if (status != 0)
    g_error ("config failed (%d): %s", status, err);

  cpu_hz = config_row (out, "cpu-hz");   /* env beats file */
  keep = config_row (out, "keep");
  port = config_row (out, "port");       /* file beats default */
  bind = config_row (out, "bind");       /* flag beats file */
  duration = config_row (out, "duration");
  g_assert_cmpstr (cpu_hz[1], ==, "250");
  g_assert_cmpstr (cpu_hz[2], ==, "env GZ_PROFILE_CPU_HZ");
  g_assert_cmpstr (keep[1], ==, "9");
  g_assert_cmpstr (port[1], ==, "7070");
  file_source = g_strdup_printf ("file %s:4", ini);
  g_assert_cmpstr (port[2], ==, file_source);
  g_assert_cmpstr (bind[1], ==, "127.0.0.2");
  g_assert_cmpstr (bind[2], ==, "flag --bind");
  g_assert_cmpstr (duration[1], ==, "30s");
  g_assert_cmpstr (duration[2], ==, "default");

  /* The flag reaches the session: start writes where --output-dir says, beating the env. */
  {
    g_autofree char *env_dir = g_build_filename (f->root, "env-out", NULL);
    g_autofree char *env_var = g_strconcat ("GZ_PROFILE_OUTPUT_DIR=", env_dir, NULL);
    const char *start_env[] = { env_var, "GZ_PROFILE_DURATION=300ms", NULL };
    g_autofree char *start_out = NULL;
    g_autofree char *start_err = NULL;
    g_autofree char *path = NULL;

    status = gz_test_cli_run_env (f, start_env, &start_out, &start_err, "profile", "start",
                                  "--type", OPEN_TYPE, "--duration", "300ms", "--output-dir",
                                  f->out_dir, NULL);
    if (status != 0)
      g_error ("start failed (%d): %s", status, start_err);
    path = field (start_out, "Output");
    g_assert_true (g_str_has_prefix (path, f->out_dir));
    g_assert_false (g_file_test (env_dir, G_FILE_TEST_EXISTS));
  }

  /* A malformed file names itself. */
  g_assert_true (g_file_set_contents (bad_ini, "[profile]\ncpu-hz = fast\n", -1, NULL));
  g_clear_pointer (&err, g_free);
  status = run_cli (f, NULL, &err, "profile", "config", "--config", bad_ini, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, "gz-cli: "));
  g_assert_nonnull (strstr (err, bad_ini));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/version-help", test_version_help, NULL);
  ADD ("/cli/start/cpu", test_start_cpu, NULL);
  ADD ("/cli/start/same-second", test_same_second, NULL);
  ADD ("/cli/start/sigterm", test_sigterm, NULL);
  ADD ("/cli/cross-process/memory", test_cross_process, "memory");
  ADD ("/cli/cross-process/goroutine", test_cross_process, "goroutine");
  ADD ("/cli/list/stale", test_stale, NULL);
  ADD ("/cli/stop/timeout", test_stop_timeout, NULL);
  ADD ("/cli/bad-input", test_bad_input, NULL);
  ADD ("/cli/stats", test_stats, NULL);
  ADD ("/cli/config/precedence", test_config_precedence, NULL);

  return g_test_run ();
}
