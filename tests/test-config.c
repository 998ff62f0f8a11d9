/* test-config.c: option precedence (flag > environment > file > default), where each value came
 * from, and the errors a person meets with a bad file, key or value. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "gz-config.h"

static char *
write_config (const char *contents)
{
  g_autoptr(GError) error = NULL;
  /* $XDG_CONFIG_HOME is a fresh directory for each test (G_TEST_OPTION_ISOLATE_DIRS). */
  char *path = g_build_filename (g_get_user_config_dir (), "test-config.ini", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  const char * const *names = gz_config_list_keys ();
  g_autofree char *expected_path = NULL;
  g_autofree char *source = NULL;
  guint n = 0;

  /* The default file is missing in the isolated $XDG_CONFIG_HOME: that is fine. */
  config = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  expected_path = g_build_filename (g_get_user_config_dir (), "gz", "profile.ini", NULL);
  g_assert_cmpstr (gz_config_get_path (config), ==, expected_path);

  for (; names[n] != NULL; n++)
    {
      g_autofree char *described = gz_config_describe_source (config, names[n]);

      g_assert_nonnull (gz_config_get_key_help (names[n]));
      g_assert_nonnull (gz_config_get_string (config, names[n]));
      g_assert_cmpint (gz_config_get_source (config, names[n]), ==, GZ_CONFIG_SOURCE_DEFAULT);
      g_assert_cmpstr (described, ==, "default");
    }
  g_assert_cmpuint (n, ==, 14);

  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 100);
  g_assert_cmpint (gz_config_get_int (config, "memory-rate"), ==, 128 * 1024);
  g_assert_cmpint (gz_config_get_int (config, "port"), ==, 6060);
  g_assert_cmpint (gz_config_get_duration (config, "duration"), ==, 30 * G_TIME_SPAN_SECOND * 1000);
  g_assert_cmpint (gz_config_get_duration (config, "auto-profile-interval"), ==,
                   5 * 60 * G_GINT64_CONSTANT (1000000000));
  g_assert_false (gz_config_get_boolean (config, "auto-profile"));
  g_assert_cmpstr (gz_config_get_string (config, "output-dir"), ==, "tmp/profiles");
  g_assert_cmpstr (gz_config_get_string (config, "bind"), ==, "127.0.0.1");
  g_assert_cmpstr (gz_config_get_string (config, "token-file"), ==, "");
  source = g_build_filename (g_get_user_data_dir (), "gz", "results", NULL);
  g_assert_cmpstr (gz_config_get_string (config, "results-dir"), ==, source);

  g_clear_pointer (&source, g_free);
  source = gz_config_env_name ("auto-profile-interval");
  g_assert_cmpstr (source, ==, "GZ_PROFILE_AUTO_PROFILE_INTERVAL");
}

static void
test_missing_named_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = gz_config_new ("/nonexistent/gz/profile.ini", &error);

  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/gz/profile.ini"));
}

static void
test_precedence (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autofree char *path = write_config ("# test configuration\n"
                                        "[profile]\n"
                                        "cpu-hz = 150\n"
                                        "port = 7000\n"
                                        "\n"
                                        "duration = 1m\n"
                                        "auto-profile = yes\n");
  g_autofree char *file_line_3 = g_strdup_printf ("file %s:3", path);
  g_autofree char *file_line_6 = g_strdup_printf ("file %s:6", path);
  g_autofree char *described = NULL;

  g_setenv ("GZ_PROFILE_PORT", "7001", TRUE);
  g_setenv ("GZ_PROFILE_DURATION", "2m", TRUE);
  config = gz_config_new (path, &error);
  g_unsetenv ("GZ_PROFILE_PORT");
  g_unsetenv ("GZ_PROFILE_DURATION");
  g_assert_no_error (error);

  /* file beats default */
  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 150);
  g_assert_cmpint (gz_config_get_source (config, "cpu-hz"), ==, GZ_CONFIG_SOURCE_FILE);
  described = gz_config_describe_source (config, "cpu-hz");
  g_assert_cmpstr (described, ==, file_line_3);
  g_clear_pointer (&described, g_free);
  g_assert_true (gz_config_get_boolean (config, "auto-profile"));

  /* environment beats file */
  g_assert_cmpint (gz_config_get_int (config, "port"), ==, 7001);
  described = gz_config_describe_source (config, "port");
  g_assert_cmpstr (described, ==, "env GZ_PROFILE_PORT");
  g_clear_pointer (&described, g_free);

  /* flag beats environment and file */
  g_assert_cmpint (gz_config_get_duration (config, "duration"), ==,
                   120 * G_GINT64_CONSTANT (1000000000));
  g_assert_true (gz_config_set_flag (config, "duration", "1m30s", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_duration (config, "duration"), ==,
                   90 * G_GINT64_CONSTANT (1000000000));
  g_assert_cmpint (gz_config_get_source (config, "duration"), ==, GZ_CONFIG_SOURCE_FLAG);
  described = gz_config_describe_source (config, "duration");
  g_assert_cmpstr (described, ==, "flag --duration");
  g_clear_pointer (&described, g_free);

  /* untouched keys keep their defaults */
  described = gz_config_describe_source (config, "bind");
  g_assert_cmpstr (described, ==, "default");
  g_clear_pointer (&described, g_free);

  /* the file's duration line is remembered even though env won */
  g_clear_object (&config);
  config = gz_config_new (path, &error);
  g_assert_no_error (error);
  described = gz_config_describe_source (config, "duration");
  g_assert_cmpstr (described, ==, file_line_6);

  g_unlink (path);
}

static void
test_malformed_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("[profile]\n"
                                        "cpu-hz = 100\n"
                                        "this line is not valid\n");
  g_autofree char *where = g_strdup_printf ("%s:3", path);
  g_autoptr(GzConfig) config = gz_config_new (path, &error);

  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
  g_clear_error (&error);

  g_free (path);
  path = write_config ("cpu-hz = 100\n");
  g_free (where);
  where = g_strdup_printf ("%s:1", path);
  config = gz_config_new (path, &error);
  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, "[profile]"));
  g_unlink (path);
}

static void
test_unknown_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("[profile]\n"
                                        "# a comment\n"
                                        "cpu-hzz = 100\n");
  g_autofree char *where = g_strdup_printf ("%s:3", path);
  g_autoptr(GzConfig) config = gz_config_new (path, &error);

  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_UNKNOWN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, "cpu-hzz"));
  g_assert_nonnull (strstr (error->message, "cpu-hz,")); /* lists the real ones */
  g_clear_error (&error);

  config = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gz_config_set_flag (config, "colour", "red", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "colour"));
  g_unlink (path);
}

static void
test_bad_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autofree char *path = write_config ("[profile]\n"
                                        "port = 6061\n"
                                        "cpu-hz = fast\n");
  g_autofree char *where = g_strdup_printf ("%s:3", path);

  config = gz_config_new (path, &error);
  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, "cpu-hz"));
  g_assert_nonnull (strstr (error->message, "fast"));
  g_clear_error (&error);

  g_setenv ("GZ_PROFILE_DURATION", "-5s", TRUE);
  config = gz_config_new (NULL, &error);
  g_unsetenv ("GZ_PROFILE_DURATION");
  g_assert_null (config);
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "GZ_PROFILE_DURATION"));
  g_assert_nonnull (strstr (error->message, "negative"));
  g_clear_error (&error);

  config = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gz_config_set_flag (config, "port", "70000", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "--port"));
  g_assert_nonnull (strstr (error->message, "65535"));
  g_clear_error (&error);
  /* above what the kernel's profiling timer delivers */
  g_assert_false (gz_config_set_flag (config, "cpu-hz", "500", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "250"));
  g_clear_error (&error);
  g_assert_false (gz_config_set_flag (config, "auto-profile", "maybe", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_false (gz_config_set_flag (config, "output-dir", "", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_clear_error (&error);
  /* a failed flag leaves the value alone */
  g_assert_cmpint (gz_config_get_int (config, "port"), ==, 6060);
  g_unlink (path);
}

static void
test_save_value (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzConfig) reread = NULL;
  g_autofree char *path = write_config ("# top comment\n"
                                        "[profile]\n"
                                        "# how often to sample\n"
                                        "cpu-hz = 100\n"
                                        "port = 6061\n");
  g_autofree char *contents = NULL;
  g_autofree char *described = NULL;
  g_autofree char *where = NULL;
  g_auto(GStrv) lines = NULL;

  config = gz_config_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (gz_config_save_value (config, "cpu-hz", "200", &error));
  g_assert_no_error (error);
  g_assert_true (gz_config_save_value (config, "duration", "45s", &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_test_message ("%s", contents);
  g_assert_nonnull (strstr (contents, "# top comment"));
  g_assert_nonnull (strstr (contents, "# how often to sample\ncpu-hz=200"));
  g_assert_nonnull (strstr (contents, "port=6061"));
  g_assert_nonnull (strstr (contents, "duration=45s"));

  /* GKeyFile may add blank lines: find the line the key is on now. */
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "cpu-hz="))
      where = g_strdup_printf ("file %s:%u", path, i + 1);
  g_assert_nonnull (where);
  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 200);
  described = gz_config_describe_source (config, "cpu-hz");
  g_assert_cmpstr (described, ==, where);

  reread = gz_config_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (reread, "cpu-hz"), ==, 200);
  g_assert_cmpint (gz_config_get_int (reread, "port"), ==, 6061);
  g_assert_cmpint (gz_config_get_duration (reread, "duration"), ==,
                   45 * G_GINT64_CONSTANT (1000000000));

  /* a bad value is refused and the file is left as it was */
  g_assert_false (gz_config_save_value (config, "cpu-hz", "0", &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "cpu-hz=200"));

  /* the default file, missing with its directory, is created */
  g_clear_object (&config);
  config = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (gz_config_get_path (config), G_FILE_TEST_EXISTS));
  g_assert_true (gz_config_save_value (config, "keep", "9", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (config, "keep"), ==, 9);
  g_clear_object (&reread);
  reread = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (reread, "keep"), ==, 9);
  g_assert_cmpint (gz_config_get_source (reread, "keep"), ==, GZ_CONFIG_SOURCE_FILE);

  g_unlink (path);
}

/* Async results: the callback keeps the result, the test spins the main loop until it came. */
static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static void
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_new_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = write_config ("[profile]\n"
                                        "cpu-hz = 150\n");
  g_autofree char *where = g_strdup_printf ("file %s:2", path);
  g_autofree char *described = NULL;

  /* The same values and origins as the synchronous load, environment included. */
  g_setenv ("GZ_PROFILE_PORT", "7001", TRUE);
  gz_config_new_async (path, NULL, keep_result, &result);
  wait_for_result (&result);
  g_unsetenv ("GZ_PROFILE_PORT");
  config = gz_config_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 150);
  described = gz_config_describe_source (config, "cpu-hz");
  g_assert_cmpstr (described, ==, where);
  g_assert_cmpint (gz_config_get_int (config, "port"), ==, 7001);
  g_assert_cmpint (gz_config_get_source (config, "port"), ==, GZ_CONFIG_SOURCE_ENV);
  g_clear_object (&result);

  /* The errors of the synchronous load. */
  gz_config_new_async ("/nonexistent/gz/profile.ini", NULL, keep_result, &result);
  wait_for_result (&result);
  g_assert_null (gz_config_new_finish (result, &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/gz/profile.ini"));
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelled before the worker ran: no config. */
  g_cancellable_cancel (cancellable);
  gz_config_new_async (path, cancellable, keep_result, &result);
  wait_for_result (&result);
  g_assert_null (gz_config_new_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_unlink (path);
}

static void
test_save_value_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzConfig) reread = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) bad = NULL;
  g_autoptr(GAsyncResult) overridden = NULL;
  g_autofree char *path = write_config ("# kept\n"
                                        "[profile]\n"
                                        "cpu-hz = 100\n");
  g_autofree char *contents = NULL;
  g_autofree char *described = NULL;
  g_autofree char *reread_described = NULL;

  config = gz_config_new (path, &error);
  g_assert_no_error (error);

  /* Two saves in flight at once: both keys land in the file (neither read the old file while
   * the other was writing), and each value is effective once its save finished. */
  gz_config_save_value_async (config, "cpu-hz", "200", NULL, keep_result, &first);
  gz_config_save_value_async (config, "duration", "45s", NULL, keep_result, &second);
  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 100);
  wait_for_result (&first);
  wait_for_result (&second);
  g_assert_true (gz_config_save_value_finish (config, first, &error));
  g_assert_no_error (error);
  g_assert_true (gz_config_save_value_finish (config, second, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (config, "cpu-hz"), ==, 200);
  g_assert_cmpint (gz_config_get_duration (config, "duration"), ==,
                   45 * G_GINT64_CONSTANT (1000000000));
  described = gz_config_describe_source (config, "duration");
  g_assert_true (g_str_has_prefix (described, "file "));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_test_message ("%s", contents);
  g_assert_nonnull (strstr (contents, "# kept"));
  g_assert_nonnull (strstr (contents, "cpu-hz=200"));
  g_assert_nonnull (strstr (contents, "duration=45s"));
  reread = gz_config_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (reread, "cpu-hz"), ==, 200);
  /* The line remembered after the save is the line a fresh read finds. */
  reread_described = gz_config_describe_source (reread, "duration");
  g_assert_cmpstr (reread_described, ==, described);

  /* A bad value fails without touching the file. */
  gz_config_save_value_async (config, "port", "70000", NULL, keep_result, &bad);
  wait_for_result (&bad);
  g_assert_false (gz_config_save_value_finish (config, bad, &error));
  g_assert_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "65535"));
  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "port"));

  /* Written, but a flag still wins. */
  g_assert_true (gz_config_set_flag (config, "keep", "3", &error));
  g_assert_no_error (error);
  gz_config_save_value_async (config, "keep", "9", NULL, keep_result, &overridden);
  wait_for_result (&overridden);
  g_assert_true (gz_config_save_value_finish (config, overridden, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_config_get_int (config, "keep"), ==, 3);
  g_assert_cmpint (gz_config_get_source (config, "keep"), ==, GZ_CONFIG_SOURCE_FLAG);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "keep=9"));

  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/core/config/defaults", test_defaults);
  g_test_add_func ("/core/config/missing-named-file", test_missing_named_file);
  g_test_add_func ("/core/config/precedence", test_precedence);
  g_test_add_func ("/core/config/malformed-file", test_malformed_file);
  g_test_add_func ("/core/config/unknown-key", test_unknown_key);
  g_test_add_func ("/core/config/bad-values", test_bad_values);
  g_test_add_func ("/core/config/save-value", test_save_value);
  g_test_add_func ("/core/config/new-async", test_new_async);
  g_test_add_func ("/core/config/save-value-async", test_save_value_async);
  return g_test_run ();
}
