/* gz-cli.c: the entry point; dispatches `gz-cli profile <command>` to one file per command. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "gz-cli.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command profile_commands[] = {
  { "start",  gz_cli_start,  N_("Profile a program (this one, --pid, --url or -- COMMAND)") },
  { "run",    gz_cli_run,    N_("Run a program to profile from elsewhere; prints its pid") },
  { "stop",   gz_cli_stop,   N_("Stop a session of another process and print its summary") },
  { "list",   gz_cli_list,   N_("List the active sessions of every gz process of this user") },
  { "stats",  gz_cli_stats,  N_("Print runtime statistics of this process, --pid or --url") },
  { "config", gz_cli_config, N_("Print each option's effective value and where it came from") },
  { "server", gz_cli_server,
    N_("Serve this process' pprof endpoints over HTTP (go tool pprof URL)") },
  { "benchmark", gz_cli_benchmark,
    N_("Run built-in benchmarks or any commands; store the results") },
  { "results", gz_cli_results, N_("List, show, delete or export stored benchmark results") },
  { "compare", gz_cli_compare, N_("Compare two labels of results: medians, CIs, Mann-Whitney U") },
  { "top",    gz_cli_top,    N_("Print flat and cumulative values per function of a profile") },
};

static void
print_profile_help (FILE *stream)
{
  /* Translators: "Usage:" and "Commands:" head sections; keep the command line as it is. */
  fprintf (stream, "%s\n  gz-cli profile COMMAND [OPTION…]\n\n%s\n", _("Usage:"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (profile_commands); i++)
    fprintf (stream, "  %-10s %s\n", profile_commands[i].name, _(profile_commands[i].summary));
  fprintf (stream, "\n%s\n", _("See `gz-cli profile COMMAND --help` for the options of each."));
}

static void
print_help (FILE *stream)
{
  fprintf (stream, "%s\n  gz-cli [--version] [--help] profile COMMAND [OPTION…]\n\n%s\n\n",
           _("Usage:"), _("Take pprof profiles of a C process and manage profiling sessions."));
  print_profile_help (stream);
}

static int
run_profile (int    argc,
             char **argv)
{
  const char *name;

  if (argc < 2)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile needs a command; see gz-cli profile "
                                             "--help"));

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_profile_help (stdout);
      return GZ_CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (profile_commands); i++)
    if (g_str_equal (name, profile_commands[i].name))
      return profile_commands[i].run (argc - 1, argv + 1);

  return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown command \"%s\"; see gz-cli profile --help"),
                      name);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, GZ_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("gz-cli");

  if (argc < 2)
    {
      print_help (stderr);
      return GZ_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-V"))
    {
      printf ("gz-cli %s\n", GZ_VERSION);
      return GZ_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_help (stdout);
      return GZ_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "profile"))
    return run_profile (argc - 1, argv + 1);

  if (argv[1][0] == '-')
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown option %s; see gz-cli --help"), argv[1]);
  return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown command \"%s\"; use gz-cli profile COMMAND "
                                           "(see gz-cli --help)"), argv[1]);
}
