/* gz-cli-list.c: `gz-cli profile list`: the active sessions of every gz process of this user;
 * with --targets, the processes started with `gz-cli profile run` (their sockets). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gz-cli.h"
#include "gz-preload-paths.h"
#include "gz-private-dir.h"
#include "gz-session-registry.h"

typedef struct
{
  GzSessionRegistry *registry;
  gboolean           json;
  gboolean           watch;
  gboolean           targets;
  int                status;
} ListRun;

static char *
format_started (gint64 unix_nanos,
                gboolean iso)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_nanos / G_GINT64_CONSTANT (1000000000));
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, iso ? "%FT%T%:z" : "%Y-%m-%d %H:%M:%S");
}

static char *
format_duration_column (const GzSessionInfo *info,
                        gint64               now)
{
  g_autofree char *elapsed = gz_cli_format_elapsed (now - info->start_time);
  g_autofree char *bound = NULL;

  if (info->duration <= 0)
    return g_steal_pointer (&elapsed);
  bound = gz_cli_format_elapsed (info->duration);
  return g_strdup_printf ("%s / %s", elapsed, bound);
}

static void
print_table (GPtrArray *sessions,
             gint64     now)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int widths[5] = { 0 };
  const char *header[] = { "ID", "TYPE", "TARGET", "STARTED", "DURATION", NULL };

  if (sessions->len == 0)
    {
      printf (_("No active sessions.\n"));
      return;
    }

  g_ptr_array_add (rows, g_strdupv ((char **) header));
  for (guint i = 0; i < sessions->len; i++)
    {
      const GzSessionInfo *info = g_ptr_array_index (sessions, i);
      char **row = g_new0 (char *, 6);

      row[0] = g_strdup (info->id);
      row[1] = g_strdup (gz_profile_type_to_string (info->type));
      row[2] = gz_cli_format_target (&info->target);
      row[3] = format_started (info->start_time, FALSE);
      row[4] = format_duration_column (info, now);
      g_ptr_array_add (rows, row);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (int c = 0; c < 5; c++)
        widths[c] = MAX (widths[c], (int) g_utf8_strlen (row[c], -1));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      printf ("%-*s  %-*s  %-*s  %-*s  %s\n", widths[0], row[0], widths[1], row[1], widths[2],
              row[2], widths[3], row[3], row[4]);
    }
}

static void
print_json (GPtrArray *sessions,
            gint64     now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  static const char * const kinds[] = { "self", "pid", "url", "command" };

  json_builder_begin_array (builder);
  for (guint i = 0; i < sessions->len; i++)
    {
      const GzSessionInfo *info = g_ptr_array_index (sessions, i);
      g_autofree char *started = format_started (info->start_time, TRUE);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, info->id);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, gz_profile_type_to_string (info->type));
      json_builder_set_member_name (builder, "target");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, info->target.kind < G_N_ELEMENTS (kinds)
                                              ? kinds[info->target.kind] : "self");
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, info->target.pid);
      if (info->target.spec != NULL)
        {
          json_builder_set_member_name (builder, "spec");
          json_builder_add_string_value (builder, info->target.spec);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "owner_pid");
      json_builder_add_int_value (builder, info->owner_pid);
      json_builder_set_member_name (builder, "started");
      json_builder_add_string_value (builder, started);
      json_builder_set_member_name (builder, "start_time_unix_nanos");
      json_builder_add_int_value (builder, info->start_time);
      json_builder_set_member_name (builder, "elapsed_nanos");
      json_builder_add_int_value (builder, MAX (now - info->start_time, 0));
      json_builder_set_member_name (builder, "duration_nanos");
      json_builder_add_int_value (builder, info->duration);
      json_builder_set_member_name (builder, "output_path");
      json_builder_add_string_value (builder, info->output_path);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

typedef struct
{
  int   pid;
  char *command;
  char *socket;
} AgentTarget;

static void
agent_target_free (gpointer data)
{
  AgentTarget *target = data;

  g_free (target->command);
  g_free (target->socket);
  g_free (target);
}

static int
compare_targets (gconstpointer a,
                 gconstpointer b)
{
  const AgentTarget *x = *(const AgentTarget * const *) a;
  const AgentTarget *y = *(const AgentTarget * const *) b;

  return (x->pid > y->pid) - (x->pid < y->pid);
}

/* /proc/PID/cmdline with spaces for the NULs; NULL when the process is gone. */
static char *
read_command (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  while (length > 0 && contents[length - 1] == '\0')
    length--;
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';
  contents[length] = '\0';
  return g_steal_pointer (&contents);
}

/* The sockets in `run`'s directory whose process lives; the others are removed, with one
 * message each in @stale. NULL with @error when the directory is not the user's own. */
static GPtrArray *
list_agent_targets (GPtrArray  *stale,
                    GError    **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (agent_target_free);
  g_autofree char *dir_path = gz_agent_dir ();
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  /* Nothing is read or removed in a folder that is a link, another user's or shared. */
  if (!gz_private_dir_check (dir_path, FALSE, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return g_steal_pointer (&targets);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  dir = g_dir_open (dir_path, 0, NULL);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *socket = NULL;
      char *end = NULL;
      long pid;
      AgentTarget *target;

      if (!g_str_has_suffix (name, ".sock"))
        continue;
      pid = strtol (name, &end, 10);
      if (pid <= 0 || pid > G_MAXINT || end == NULL || !g_str_equal (end, ".sock"))
        continue;
      socket = g_build_filename (dir_path, name, NULL);
      if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
        {
          if (g_unlink (socket) == 0)
            g_ptr_array_add (stale, g_strdup_printf ("removed %s: process %ld is gone", socket,
                                                     pid));
          continue;
        }
      target = g_new0 (AgentTarget, 1);
      target->pid = (int) pid;
      target->command = read_command (target->pid);
      if (target->command == NULL)
        target->command = g_strdup ("?");
      target->socket = g_steal_pointer (&socket);
      g_ptr_array_add (targets, target);
    }
  g_ptr_array_sort (targets, compare_targets);
  return g_steal_pointer (&targets);
}

static void
print_targets (GPtrArray *targets,
               gboolean   json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < targets->len; i++)
        {
          const AgentTarget *target = g_ptr_array_index (targets, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "pid");
          json_builder_add_int_value (builder, target->pid);
          json_builder_set_member_name (builder, "command");
          json_builder_add_string_value (builder, target->command);
          json_builder_set_member_name (builder, "socket");
          json_builder_add_string_value (builder, target->socket);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return;
    }

  if (targets->len == 0)
    {
      printf (_("No processes were started with gz-cli profile run.\n"));
      return;
    }
  {
    int widths[2] = { (int) strlen ("PID"), (int) strlen ("COMMAND") };

    for (guint i = 0; i < targets->len; i++)
      {
        const AgentTarget *target = g_ptr_array_index (targets, i);
        g_autofree char *pid = g_strdup_printf ("%d", target->pid);

        widths[0] = MAX (widths[0], (int) strlen (pid));
        widths[1] = MAX (widths[1], MIN ((int) g_utf8_strlen (target->command, -1), 60));
      }
    printf ("%-*s  %-*s  %s\n", widths[0], "PID", widths[1], "COMMAND", "SOCKET");
    for (guint i = 0; i < targets->len; i++)
      {
        const AgentTarget *target = g_ptr_array_index (targets, i);

        printf ("%-*d  %-*s  %s\n", widths[0], target->pid, widths[1], target->command,
                target->socket);
      }
  }
}

static gboolean
list_targets_once (ListRun *run)
{
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = list_agent_targets (stale, &error);

  if (targets == NULL)
    {
      run->status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
      return FALSE;
    }
  if (run->watch && gz_cli_is_tty ())
    printf ("\033[H\033[2J");
  for (guint i = 0; i < stale->len; i++)
    fprintf (stderr, "gz-cli: %s\n", (const char *) g_ptr_array_index (stale, i));
  print_targets (targets, run->json);
  if (run->watch && !gz_cli_is_tty ())
    printf ("\n");
  fflush (stdout);
  return TRUE;
}

static gboolean
list_once (ListRun *run)
{
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () * 1000;

  sessions = gz_session_registry_list (run->registry, stale, &error);
  if (sessions == NULL)
    {
      run->status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("cannot list sessions in %s: %s"),
                                 gz_session_registry_get_dir (run->registry), error->message);
      return FALSE;
    }

  if (run->watch && gz_cli_is_tty ())
    printf ("\033[H\033[2J");
  for (guint i = 0; i < stale->len; i++)
    fprintf (stderr, "gz-cli: %s\n", (const char *) g_ptr_array_index (stale, i));
  if (run->json)
    print_json (sessions, now);
  else
    print_table (sessions, now);
  if (run->watch && !gz_cli_is_tty ())
    printf ("\n");
  fflush (stdout);
  return TRUE;
}

static gboolean
list_once_cb (gpointer data)
{
  ListRun *run = data;

  return run->targets ? list_targets_once (run) : list_once (run);
}

int
gz_cli_list (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzSessionRegistry) registry = NULL;
  g_autofree char *format = NULL;
  gboolean watch = FALSE;
  gboolean targets = FALSE;
  ListRun run = { 0 };
  const GOptionEntry entries[] = {
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, N_("Refresh every second until Ctrl-C"), NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("table (default) or json"), "FORMAT" },
    { "targets", 0, 0, G_OPTION_ARG_NONE, &targets,
      N_("List the processes started with gz-cli profile run (pid, command, socket) "
         "instead"), NULL },
    { NULL }
  };

  context = g_option_context_new (N_("- list the active sessions"));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!gz_cli_parse (context, "list", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (format != NULL && !g_str_equal (format, "table") && !g_str_equal (format, "json"))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown list format \"%s\"; use table or json"),
                        format);

  registry = gz_session_registry_new (NULL);
  run.registry = registry;
  run.json = format != NULL && g_str_equal (format, "json");
  run.watch = watch;
  run.targets = targets;
  run.status = GZ_CLI_EXIT_OK;

  if (!watch)
    {
      list_once_cb (&run);
      return run.status;
    }
  gz_cli_watch (1000, list_once_cb, &run);
  return run.status;
}
