/* gz-command.c: command lines to benchmark: split, named, and checked before anything runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "gz-command.h"

gboolean
gz_command_shell_from_string (const char     *name,
                              GzCommandShell *shell)
{
  if (g_strcmp0 (name, "sh") == 0)
    *shell = GZ_COMMAND_SHELL_SH;
  else if (g_strcmp0 (name, "none") == 0)
    *shell = GZ_COMMAND_SHELL_NONE;
  else
    return FALSE;
  return TRUE;
}

/* Words sh runs itself: nothing to find in $PATH for them. */
static const char * const shell_words[] = {
  "!", "{", "}", "[", "[[", ".", ":", "alias", "bg", "break", "case", "cd", "command",
  "continue", "echo", "eval", "exec", "exit", "export", "false", "fg", "for", "getopts", "hash",
  "if", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift",
  "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "until",
  "wait", "while", NULL
};

static gboolean
check_program (const char *program,
               const char *command_line,
               GError    **error)
{
  g_autofree char *found = NULL;

  if (strchr (program, '/') != NULL)
    {
      if (g_file_test (program, G_FILE_TEST_IS_REGULAR)
          && g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "cannot run “%s”: %s is %s", command_line, program,
                   g_file_test (program, G_FILE_TEST_EXISTS) ? "not an executable file"
                                                             : "not there");
      return FALSE;
    }
  found = g_find_program_in_path (program);
  if (found != NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "cannot run “%s”: no program %s in $PATH", command_line, program);
  return FALSE;
}

/* Whether sh would take @word as a program to look up: no quoting, expansion or operator in
 * it, not an assignment, not a builtin or keyword. */
static gboolean
shell_runs_program (const char *word)
{
  if (strpbrk (word, "$`\\\"'*?[]{}()<>|&;=~#") != NULL)
    return FALSE;
  return !g_strv_contains (shell_words, word);
}

GzCommand *
gz_command_new (const char     *command_line,
                const char     *name,
                GzCommandShell  shell,
                GError        **error)
{
  g_autoptr(GzCommand) command = g_new0 (GzCommand, 1);
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (command_line != NULL ? command_line : ""));

  if (stripped[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "an empty command");
      return NULL;
    }
  if (!g_shell_parse_argv (command_line, NULL, &words, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot split “%s” into words: %s", command_line, local_error->message);
      return NULL;
    }
  if (shell == GZ_COMMAND_SHELL_NONE || shell_runs_program (words[0]))
    if (!check_program (words[0], command_line, error))
      return NULL;

  command->command_line = g_strdup (command_line);
  command->name = g_strdup (name != NULL && name[0] != '\0' ? name : command_line);
  if (shell == GZ_COMMAND_SHELL_NONE)
    command->argv = g_steal_pointer (&words);
  else
    {
      command->argv = g_new0 (char *, 4);
      command->argv[0] = g_strdup ("/bin/sh");
      command->argv[1] = g_strdup ("-c");
      command->argv[2] = g_strdup (command_line);
    }
  return g_steal_pointer (&command);
}

void
gz_command_free (GzCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->name);
  g_free (command->command_line);
  g_strfreev (command->argv);
  g_free (command);
}
