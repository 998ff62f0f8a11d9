/* gz-test-cli.c: running gz-cli end to end from the tests, as a user would (the binary comes from
 * $GZ_CLI): a fixture with its own temporary session, output, configuration and data homes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-test-cli.h"

#include <glib/gstdio.h>
#include <string.h>

void
gz_test_cli_set_up (GzTestCli  *f,
                    const char *tmpl,
                    const char *command)
{
  f->root = g_dir_make_tmp (tmpl, NULL);
  g_assert_nonnull (f->root);
  f->session_dir = g_build_filename (f->root, "sessions", NULL);
  f->out_dir = g_build_filename (f->root, "out", NULL);
  f->config_home = g_build_filename (f->root, "config", NULL);
  f->data_home = g_build_filename (f->root, "data", NULL);
  f->results_dir = g_build_filename (f->data_home, "gz", "results", NULL);
  f->command = command;
  f->env = g_ptr_array_new_with_free_func (g_free);
}

void
gz_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        gz_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
gz_test_cli_tear_down (GzTestCli *f)
{
  gz_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->session_dir);
  g_free (f->out_dir);
  g_free (f->config_home);
  g_free (f->data_home);
  g_free (f->results_dir);
  g_ptr_array_unref (f->env);
}

void
gz_test_cli_setenv (GzTestCli  *f,
                    const char *name,
                    const char *value)
{
  g_ptr_array_add (f->env, g_strconcat (name, "=", value, NULL));
}

const char *
gz_test_cli_path (void)
{
  const char *path = g_getenv ("GZ_CLI");

  g_assert_nonnull (path);
  return path;
}

static void
setenv_pairs (GSubprocessLauncher *launcher,
              const char * const  *pairs,
              guint                n)
{
  for (guint i = 0; i < n && pairs[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (pairs[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
}

GSubprocessLauncher *
gz_test_cli_launcher (GzTestCli        *f,
                      GSubprocessFlags  flags,
                      const char      **extra_env)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_auto(GStrv) env = g_get_environ ();

  /* Nothing from the user's own configuration may leak in. */
  for (guint i = 0; env[i] != NULL; i++)
    if (g_str_has_prefix (env[i], "GZ_PROFILE_") || g_str_has_prefix (env[i], "GZ_BENCH_"))
      {
        g_autofree char *name = g_strndup (env[i], strcspn (env[i], "="));

        g_subprocess_launcher_unsetenv (launcher, name);
      }
  g_subprocess_launcher_setenv (launcher, "GZ_PROFILE_SESSION_DIR", f->session_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->config_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  setenv_pairs (launcher, (const char * const *) f->env->pdata, f->env->len);
  if (extra_env != NULL)
    setenv_pairs (launcher, extra_env, G_MAXUINT);
  return launcher;
}

GSubprocess *
gz_test_cli_spawnv (GzTestCli        *f,
                    GSubprocessFlags  flags,
                    const char      **extra_env,
                    GPtrArray        *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = gz_test_cli_launcher (f, flags, extra_env);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (char *) gz_test_cli_path ());
  if (f->command != NULL)
    g_ptr_array_add (argv, (char *) f->command);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (args, i));
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static GPtrArray *
collect_args (const char *first,
              va_list     ap)
{
  GPtrArray *args = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  return args;
}

GSubprocess *
gz_test_cli_spawn (GzTestCli        *f,
                   GSubprocessFlags  flags,
                   const char       *first,
                   ...)
{
  g_autoptr(GPtrArray) args = NULL;
  va_list ap;

  va_start (ap, first);
  args = collect_args (first, ap);
  va_end (ap);
  return gz_test_cli_spawnv (f, flags, NULL, args);
}

int
gz_test_cli_run_env (GzTestCli   *f,
                     const char **extra_env,
                     char       **out,
                     char       **err,
                     const char  *first,
                     ...)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  va_list ap;

  va_start (ap, first);
  args = collect_args (first, ap);
  va_end (ap);
  proc = gz_test_cli_spawnv (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             extra_env, args);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_text, &stderr_text,
                                                &error));
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("$ gz-cli%s%s %s … → %d\n%s%s", f->command != NULL ? " " : "",
                f->command != NULL ? f->command : "", first != NULL ? first : "",
                g_subprocess_get_exit_status (proc), stdout_text, stderr_text);
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (proc);
}
