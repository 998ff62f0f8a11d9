/* gz-test-cli.h: running gz-cli end to end from the tests, as a user would (the binary comes from
 * $GZ_CLI): a fixture with its own temporary session, output, configuration and data homes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char       *root;        /* a temporary directory, removed with all it holds at tear-down */
  char       *session_dir; /* root/sessions: GZ_PROFILE_SESSION_DIR */
  char       *out_dir;     /* root/out */
  char       *config_home; /* root/config: XDG_CONFIG_HOME */
  char       *data_home;   /* root/data */
  char       *results_dir; /* data_home/gz/results */
  const char *command;     /* put before every command line's arguments, or NULL */
  GPtrArray  *env;         /* "NAME=VALUE" set in every child, before the caller's own */
} GzTestCli;

/* Makes the temporary root from @tmpl (see g_dir_make_tmp); every command line starts with
 * @command when it is not NULL. */
void                 gz_test_cli_set_up      (GzTestCli        *f,
                                              const char       *tmpl,
                                              const char       *command);
void                 gz_test_cli_tear_down   (GzTestCli        *f);
/* Sets @name to @value in every gz-cli this fixture runs. */
void                 gz_test_cli_setenv      (GzTestCli        *f,
                                              const char       *name,
                                              const char       *value);
/* Removes @path, and everything below it when it is a directory (symlinks are not followed). */
void                 gz_test_remove_tree     (const char       *path);
/* $GZ_CLI, which must be set. */
const char          *gz_test_cli_path        (void);
/* A launcher with a clean environment: nothing of the user's GZ_PROFILE_* or GZ_BENCH_*, the
 * fixture's session dir and configuration home, the fixture's env, then @extra_env
 * ("NAME=VALUE", NULL-terminated; may be NULL). */
GSubprocessLauncher *gz_test_cli_launcher    (GzTestCli        *f,
                                              GSubprocessFlags  flags,
                                              const char      **extra_env);
/* Starts gz-cli with the fixture's command and @args (not NULL-terminated). */
GSubprocess         *gz_test_cli_spawnv      (GzTestCli        *f,
                                              GSubprocessFlags  flags,
                                              const char      **extra_env,
                                              GPtrArray        *args);
/* As gz_test_cli_spawnv() with a NULL-terminated list of arguments. */
GSubprocess         *gz_test_cli_spawn       (GzTestCli        *f,
                                              GSubprocessFlags  flags,
                                              const char       *first,
                                              ...) G_GNUC_NULL_TERMINATED;
/* Runs gz-cli with the NULL-terminated arguments to its exit and returns its exit status;
 * *out and *err (when not NULL) get its stdout and stderr (free them with g_free). */
int                  gz_test_cli_run_env     (GzTestCli        *f,
                                              const char      **extra_env,
                                              char            **out,
                                              char            **err,
                                              const char       *first,
                                              ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
