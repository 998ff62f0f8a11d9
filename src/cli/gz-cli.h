/* gz-cli.h: what the gz-cli subcommands share: exit codes, error lines, option parsing with
 * configuration flags, and terminal output of sessions and summaries. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>

#include "gz-config.h"
#include "gz-session.h"
#include "gz-target-client.h"

G_BEGIN_DECLS

#define GZ_CLI_EXIT_OK      0
#define GZ_CLI_EXIT_FAILURE 1 /* the command could not do its work */
#define GZ_CLI_EXIT_USAGE   2 /* the command line is wrong */

/* One line on stderr, "gz-cli: <problem>; <fix>"; returns @status. */
int          gz_cli_fail             (int           status,
                                      const char   *format,
                                      ...) G_GNUC_PRINTF (2, 3);

/* Parses @argv with @context; on failure prints the one-line error (naming
 * `gz-cli profile @command --help`) and returns FALSE. Leftover arguments are an error. */
gboolean     gz_cli_parse            (GOptionContext *context,
                                      const char     *command,
                                      int            *argc,
                                      char         ***argv);

/* --config FILE and one --KEY VALUE flag per configuration key (except those in @skip). The
 * flags are kept in order and applied through gz_config_set_flag by gz_cli_load_config, so
 * precedence flag > env > file holds. */
typedef struct _GzCliConfigFlags GzCliConfigFlags;

GzCliConfigFlags *gz_cli_config_flags_new  (void);
void              gz_cli_config_flags_free (GzCliConfigFlags *flags);
/* The flags of the keys in @only (NULL: every key): the ones a command uses. */
GOptionGroup     *gz_cli_config_flags_group (GzCliConfigFlags   *flags,
                                             const char * const *only);
/* The value given on the command line for @key, or NULL. */
const char       *gz_cli_config_flags_lookup (GzCliConfigFlags *flags,
                                              const char       *key);
/* Loads the configuration and applies the flags; on error prints it and sets @status. */
GzConfig         *gz_cli_load_config       (GzCliConfigFlags *flags,
                                            int              *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzCliConfigFlags, gz_cli_config_flags_free)

/* Terminal output. */
/* Ctrl-C and SIGTERM cancel @cancellable from arm to disarm (on the main loop: the caller turns
 * it while it waits), so that a long command stops cleanly and keeps what it has. */
typedef struct
{
  guint sigint;
  guint sigterm;
} GzCliInterrupt;

void         gz_cli_interrupt_arm    (GzCliInterrupt *self,
                                      GCancellable   *cancellable);
void         gz_cli_interrupt_disarm (GzCliInterrupt *self);

gboolean     gz_cli_is_tty           (void);
char        *gz_cli_format_elapsed   (gint64        nanoseconds);
char        *gz_cli_format_target    (const GzTarget *target);
void         gz_cli_print_summary    (const GzSessionSummary *summary);

/* Calls @once now and then every @interval_ms until it returns FALSE or Ctrl-C/SIGTERM; for
 * `--watch`. Returns FALSE if @once did. */
gboolean     gz_cli_watch            (guint         interval_ms,
                                      gboolean    (*once) (gpointer data),
                                      gpointer      data);

/* Progress of a running session: a bar on a TTY, a plain line now and then otherwise. */
void         gz_cli_progress_update  (GzSession    *session);
void         gz_cli_progress_end     (void);

/* Other programs (gz-cli-target.c). A client for @url (with @token_file, may be NULL) when
 * @url is not NULL, else for the socket of @pid; a pid without one gets the line saying how to
 * start the program with one (`gz-cli profile run`). */
GzTargetClient *gz_cli_target_client     (int           pid,
                                          const char   *url,
                                          const char   *token_file,
                                          GError      **error);
/* Splits @argv at "--" (gz-cli-run.c): the options stay, the command after it is returned
 * (NULL when there is none). */
char          **gz_cli_split_command     (int          *argc,
                                          char        **argv);
/* @command quoted for display, one line. */
char           *gz_cli_command_line      (char        **command);
/* `run -- COMMAND` (gz-cli-server.c): launches @command with the preload and serves its pprof
 * endpoints on its Unix socket (gz_agent_socket_path()) until it ends, as `server -- COMMAND`
 * does on a port; returns its exit status. */
int             gz_cli_serve_on_socket   (GzConfig           *config,
                                          char              **command);

/* The subcommands: argv[0] is the subcommand name. */
int          gz_cli_start            (int           argc,
                                      char        **argv);
int          gz_cli_stop             (int           argc,
                                      char        **argv);
int          gz_cli_list             (int           argc,
                                      char        **argv);
int          gz_cli_stats            (int           argc,
                                      char        **argv);
int          gz_cli_run              (int           argc,
                                      char        **argv);
int          gz_cli_config           (int           argc,
                                      char        **argv);
int          gz_cli_server           (int           argc,
                                      char        **argv);
/* Benchmarks, stored results and their comparison (gz-cli-benchmark.c, -results.c, -compare.c). */
int          gz_cli_benchmark        (int           argc,
                                      char        **argv);
/* `benchmark --command CMD …` (gz-cli-benchmark-commands.c): whether @argv asks for it, and
 * the command; @command_line as typed, for the stored context. */
gboolean     gz_cli_benchmark_has_command (int          argc,
                                           char       **argv);
int          gz_cli_benchmark_commands    (int          argc,
                                           char       **argv,
                                           const char  *command_line);
int          gz_cli_results          (int           argc,
                                      char        **argv);
int          gz_cli_compare          (int           argc,
                                      char        **argv);
/* `profile top FILE` (gz-cli-top.c): pprof -top's analysis. */
int          gz_cli_top              (int           argc,
                                      char        **argv);

G_END_DECLS
