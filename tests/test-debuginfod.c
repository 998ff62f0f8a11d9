/* test-debuginfod.c: debug files from debuginfod, offline: a stripped library whose debug file a
 * local debuginfod serves on loopback; its static function is named with DEBUGINFOD_URLS, from
 * elfutils' cache once fetched, and not without; a server that hangs or a port that refuses
 * never holds symbolization past the symbolizer's network budget. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "gz-symbolizer.h"

/* The budget, and what a loaded machine (or a sanitizer) may add to it. */
#define BOUND_MS (GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC / 1000 + 1800)

typedef struct
{
  char       *tmp;
  char       *cache;
  GHashTable *result; /* the helper's "key value" lines */
  char       *errors; /* the helper's stderr */
} Fixture;

static const char *
need_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%s is not set (run by meson test)", name);

      g_test_skip (reason);
    }
  return value;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("gz-debuginfod-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache = g_build_filename (f->tmp, "cache", NULL);
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFileInfo) owned = info;
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          remove_tree (child);
        }
    }
  /* libdebuginfod makes its cached files read-only; their directory is ours. */
  g_file_delete (file, NULL, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GFile) tmp = g_file_new_for_path (f->tmp);

  remove_tree (tmp);
  g_free (f->tmp);
  g_free (f->cache);
  g_clear_pointer (&f->result, g_hash_table_unref);
  g_free (f->errors);
}

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Runs the helper on the stripped library with @urls as DEBUGINFOD_URLS (NULL: unset) and
 * f->cache as elfutils' cache; keeps its output in f->result and f->errors. The main context
 * runs meanwhile (a hanging server in this process must accept). */
static void
run_helper (Fixture    *f,
            const char *urls)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) debug_lines = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (urls != NULL)
    g_subprocess_launcher_setenv (launcher, "DEBUGINFOD_URLS", urls, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "DEBUGINFOD_URLS");
  g_subprocess_launcher_setenv (launcher, "DEBUGINFOD_CACHE_PATH", f->cache, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DEBUGINFOD_TIMEOUT");
  g_subprocess_launcher_unsetenv (launcher, "DEBUGINFOD_PROGRESS");
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "Gz", TRUE);
  helper = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GZ_TEST_STRIPPED_SYMBOLIZE"),
                                        g_getenv ("GZ_TEST_STRIPPED_LIB"), NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (helper, NULL, NULL, communicated, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&f->errors, g_free);
  g_subprocess_communicate_utf8_finish (helper, result, &out, &f->errors, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (helper) || g_subprocess_get_exit_status (helper) != 0)
    g_error ("the helper failed:\n%s%s", out, f->errors);

  g_clear_pointer (&f->result, g_hash_table_unref);
  f->result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (space != NULL)
        g_hash_table_insert (f->result, g_strndup (lines[i], space - lines[i]),
                             g_strdup (space + 1));
    }
  debug_lines = g_strsplit (f->errors, "\n", -1);
  for (guint i = 0; debug_lines[i] != NULL; i++)
    if (strstr (debug_lines[i], "debuginfod:") != NULL)
      g_test_message ("helper: %s", strstr (debug_lines[i], "debuginfod:"));
  g_test_message ("DEBUGINFOD_URLS=%s: static function %s at %s:%s in %s ms; all %s ms",
                  urls != NULL ? urls : "(unset)",
                  (char *) g_hash_table_lookup (f->result, "hidden-function"),
                  (char *) g_hash_table_lookup (f->result, "hidden-file"),
                  (char *) g_hash_table_lookup (f->result, "hidden-line"),
                  (char *) g_hash_table_lookup (f->result, "hidden-ms"),
                  (char *) g_hash_table_lookup (f->result, "elapsed-ms"));
}

static const char *
result (Fixture    *f,
        const char *key)
{
  const char *value = g_hash_table_lookup (f->result, key);

  g_assert_nonnull (value);
  return value;
}

static double
elapsed_ms (Fixture *f)
{
  return g_ascii_strtod (result (f, "elapsed-ms"), NULL);
}

/* The static function named from its debug file: name, file and a line inside it. */
static void
assert_hidden_named (Fixture *f)
{
  gint64 line = g_ascii_strtoll (result (f, "hidden-line"), NULL, 10);

  g_assert_cmpstr (result (f, "hidden-function"), ==, "gz_test_stripped_hidden");
  g_assert_true (g_str_has_suffix (result (f, "hidden-file"), "tests/gz-test-stripped-lib.c"));
  g_assert_cmpint (line, >=, g_ascii_strtoll (result (f, "hidden-first"), NULL, 10));
  g_assert_cmpint (line, <=, g_ascii_strtoll (result (f, "hidden-last"), NULL, 10));
}

static void
assert_hidden_unnamed (Fixture *f)
{
  g_assert_cmpstr (result (f, "hidden-function"), !=, "gz_test_stripped_hidden");
  g_assert_cmpstr (result (f, "hidden-file"), ==, "-");
  g_assert_true (g_str_has_suffix (result (f, "hidden-module"), "gz-test-stripped.so"));
}

/* How many times the helper's debug log says @text. */
static guint
count_in_errors (Fixture    *f,
                 const char *text)
{
  guint count = 0;

  for (const char *p = f->errors; (p = strstr (p, text)) != NULL; p += strlen (text))
    count++;
  return count;
}

/* The build ID of the debug file, in hex. */
static char *
debug_file_build_id (const char *path)
{
  const void *bits = NULL;
  GString *hex = g_string_new (NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  Elf *elf;
  ssize_t len;

  g_assert_cmpint (fd, >=, 0);
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  len = dwelf_elf_gnu_build_id (elf, &bits);
  g_assert_cmpint (len, >, 0);
  for (ssize_t i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", ((const guint8 *) bits)[i]);
  elf_end (elf);
  close (fd);
  return g_string_free (hex, FALSE);
}

/* A loopback port that nothing listens on, as far as anyone can tell. */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Without DEBUGINFOD_URLS the stripped library's static function has no name. */
static void
test_without_urls (Fixture       *f,
                   gconstpointer  data)
{
  if (need_env ("GZ_TEST_STRIPPED_SYMBOLIZE") == NULL || need_env ("GZ_TEST_STRIPPED_LIB") == NULL)
    return;
  run_helper (f, NULL);
  assert_hidden_unnamed (f);
  g_assert_cmpstr (result (f, "hidden-build-id"), !=, "-");
  g_assert_false (g_file_test (f->cache, G_FILE_TEST_EXISTS));
}

/* Starts debuginfod on @port over a directory that holds only the debug file; returns once it
 * serves the file. */
static GSubprocess *
start_debuginfod (Fixture    *f,
                  guint16     port,
                  const char *build_id)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *served = g_build_filename (f->tmp, "served", NULL);
  g_autofree char *debug_copy = g_build_filename (served, "gz-test-stripped.debug", NULL);
  g_autofree char *database = g_build_filename (f->tmp, "debuginfod.sqlite", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/buildid/%s/debuginfo", port,
                                          build_id);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *server;
  gsize length;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_cmpint (g_mkdir_with_parents (served, 0700), ==, 0);
  g_file_get_contents (g_getenv ("GZ_TEST_STRIPPED_DEBUG"), &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (debug_copy, contents, length, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* A server that is not a client: no upstream servers to forward to. */
  g_subprocess_launcher_unsetenv (launcher, "DEBUGINFOD_URLS");
  server = g_subprocess_launcher_spawn (launcher, &error, "debuginfod", "-p", port_text,
                                        "-d", database, "-F", "-t", "0", "-g", "0", served,
                                        NULL);
  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);

      if (soup_message_get_status (message) == SOUP_STATUS_OK)
        break;
      /* it exits at once when it cannot start: its identifier goes */
      g_main_context_iteration (NULL, FALSE);
      g_assert_nonnull (g_subprocess_get_identifier (server));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  return server;
}

static void
stop (GSubprocess *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
}

/* With DEBUGINFOD_URLS, the static function is named from the served debug file, which lands
 * in elfutils' cache: with the server gone, the next process names it from there. */
static void
test_from_server (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *debuginfod = g_find_program_in_path ("debuginfod");
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *build_id = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cached = NULL;
  guint16 port;

  if (need_env ("GZ_TEST_STRIPPED_SYMBOLIZE") == NULL ||
      need_env ("GZ_TEST_STRIPPED_LIB") == NULL || need_env ("GZ_TEST_STRIPPED_DEBUG") == NULL)
    return;
  if (debuginfod == NULL)
    {
      g_test_skip ("the debuginfod program is not installed (tools/install-deps.sh installs it)");
      return;
    }
  build_id = debug_file_build_id (g_getenv ("GZ_TEST_STRIPPED_DEBUG"));
  port = free_port ();
  server = start_debuginfod (f, port, build_id);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  run_helper (f, url);
  assert_hidden_named (f);
  g_assert_cmpstr (result (f, "hidden-build-id"), ==, build_id);
  cached = g_build_filename (f->cache, build_id, "debuginfo", NULL);
  g_assert_true (g_file_test (cached, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpfloat (elapsed_ms (f), <, BOUND_MS);

  stop (server);
  run_helper (f, url);
  assert_hidden_named (f);
  g_assert_cmpfloat (elapsed_ms (f), <, BOUND_MS);
}

static void
accept_and_hold (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 gpointer           data)
{
  g_ptr_array_add (data, g_object_ref (connection));
}

/* A server that accepts and never answers: the first module waits out the budget, the others
 * do not wait at all, and the cut lookup leaves no "not found" in elfutils' cache. */
static void
test_hanging_server (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *negative = NULL;
  guint16 port;

  if (need_env ("GZ_TEST_STRIPPED_SYMBOLIZE") == NULL || need_env ("GZ_TEST_STRIPPED_LIB") == NULL)
    return;
  port = free_port ();
  g_socket_listener_add_inet_port (G_SOCKET_LISTENER (service), port, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (accept_and_hold), held);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  run_helper (f, url);
  assert_hidden_unnamed (f);
  g_assert_cmpuint (held->len, >=, 1);
  g_assert_cmpfloat (elapsed_ms (f), >=, GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC / 1000 - 50);
  g_assert_cmpfloat (elapsed_ms (f), <, BOUND_MS);
  g_assert_cmpuint (count_in_errors (f, "debuginfod: no answer"), ==, 1);
  negative = g_build_filename (f->cache, result (f, "hidden-build-id"), "debuginfo", NULL);
  g_assert_false (g_file_test (negative, G_FILE_TEST_EXISTS));
  g_socket_service_stop (service);
}

/* A port where nothing listens: every module fails at once. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = NULL;

  if (need_env ("GZ_TEST_STRIPPED_SYMBOLIZE") == NULL || need_env ("GZ_TEST_STRIPPED_LIB") == NULL)
    return;
  url = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
  run_helper (f, url);
  assert_hidden_unnamed (f);
  g_assert_cmpfloat (elapsed_ms (f), <, BOUND_MS);
  g_assert_cmpuint (count_in_errors (f, "debuginfod: no answer"), ==, 0);
  g_assert_cmpuint (count_in_errors (f, "debuginfod: no debug file for"), >=, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/debuginfod/without-urls", Fixture, NULL, fixture_set_up, test_without_urls,
              fixture_tear_down);
  g_test_add ("/debuginfod/from-server", Fixture, NULL, fixture_set_up, test_from_server,
              fixture_tear_down);
  g_test_add ("/debuginfod/hanging-server", Fixture, NULL, fixture_set_up, test_hanging_server,
              fixture_tear_down);
  g_test_add ("/debuginfod/refused", Fixture, NULL, fixture_set_up, test_refused,
              fixture_tear_down);
  return g_test_run ();
}
