/* gz-command.h: a command line to benchmark: how it is run (through sh or split into words),
 * its name, and the check that it can run at all, made before anything runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  GZ_COMMAND_SHELL_SH,   /* run as `sh -c COMMAND` (the default, as hyperfine's) */
  GZ_COMMAND_SHELL_NONE, /* split into words as a shell would, executed directly */
} GzCommandShell;

/* "sh" or "none". */
gboolean        gz_command_shell_from_string   (const char           *name,
                                                GzCommandShell       *shell);

/* One command to measure. */
typedef struct
{
  char  *name;         /* the benchmark's name: the given one, or the command line */
  char  *command_line; /* as given */
  char **argv;         /* what is executed */
} GzCommand;

/* Checks that @command_line can run before anything runs: an empty line, words a shell cannot
 * split, or a program that is not found or not executable fail with G_IO_ERROR_NOT_FOUND (or
 * G_IO_ERROR_INVALID_ARGUMENT), naming it. With GZ_COMMAND_SHELL_SH the first word is checked
 * when it is a plain word (a shell builtin or keyword is fine). @name may be NULL. */
GzCommand      *gz_command_new                 (const char           *command_line,
                                                const char           *name,
                                                GzCommandShell        shell,
                                                GError              **error);
void            gz_command_free                (GzCommand            *command);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzCommand, gz_command_free)

G_END_DECLS
