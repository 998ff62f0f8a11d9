/* gz-cli.c: the entry point; dispatches `gz-cli profile <command>` to one file per command. */

#include "config.h"

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
  { "start",  gz_cli_start,  "Profile a program (this one, --pid, --url or -- COMMAND)" },
  { "run",    gz_cli_run,    "Run a program with the gz agent, no session; prints its pid" },
  { "stop",   gz_cli_stop,   "Stop a session of another process and print its summary" },
  { "list",   gz_cli_list,   "List the active sessions of every gz process of this user" },
  { "stats",  gz_cli_stats,  "Print runtime statistics of this process, --pid or --url" },
  { "config", gz_cli_config, "Print each option's effective value and where it came from" },
  { "server", gz_cli_server, "Serve this process' pprof endpoints over HTTP (go tool pprof URL)" },
  { "benchmark", gz_cli_benchmark, "Run built-in benchmarks or any commands; store the results" },
  { "results", gz_cli_results, "List, show, delete or export stored benchmark results" },
  { "compare", gz_cli_compare, "Compare two labels of results: medians, CIs, Mann-Whitney U" },
};

static void
print_profile_help (FILE *stream)
{
  fprintf (stream, "Usage:\n  gz-cli profile COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (profile_commands); i++)
    fprintf (stream, "  %-10s %s\n", profile_commands[i].name, profile_commands[i].summary);
  fprintf (stream, "\nSee `gz-cli profile COMMAND --help` for the options of each.\n");
}

static void
print_help (FILE *stream)
{
  fprintf (stream,
           "Usage:\n  gz-cli [--version] [--help] profile COMMAND [OPTION…]\n\n"
           "Take pprof profiles of a C process and manage profiling sessions.\n\n");
  print_profile_help (stream);
}

static int
run_profile (int    argc,
             char **argv)
{
  const char *name;

  if (argc < 2)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "profile needs a command; use one of: start, stop, "
                        "run, list, stats, config, server (see gz-cli profile --help)");

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_profile_help (stdout);
      return GZ_CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (profile_commands); i++)
    if (g_str_equal (name, profile_commands[i].name))
      return profile_commands[i].run (argc - 1, argv + 1);

  return gz_cli_fail (GZ_CLI_EXIT_USAGE, "unknown command \"%s\"; use one of: start, stop, "
                      "run, list, stats, config, server (see gz-cli profile --help)", name);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
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
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "unknown option %s; see gz-cli --help", argv[1]);
  return gz_cli_fail (GZ_CLI_EXIT_USAGE, "unknown command \"%s\"; use gz-cli profile COMMAND "
                      "(see gz-cli --help)", argv[1]);
}
