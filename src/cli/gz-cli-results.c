/* gz-cli-results.c: `gz-cli profile results list|show|delete|export`: the stored benchmark
 * results. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gz-bench-format.h"
#include "gz-cli.h"
#include "gz-results-store.h"

static const char actions[] = "list, show LABEL, delete LABEL, export LABEL";

static void
print_problems (GPtrArray *problems)
{
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    gz_cli_fail (0, _("skipped: %s"), (char *) g_ptr_array_index (problems, i));
}

static int
results_list (GzResultsStore *store)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  g_autoptr(GError) error = NULL;
  gsize width = strlen ("LABEL");

  sets = gz_results_store_list (store, &problems, &error);
  if (sets == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  if (sets->len == 0)
    printf (_("No stored results in %s; run gz-cli profile benchmark --name NAME --save LABEL\n"),
            gz_results_store_get_dir (store));
  else
    {
      for (guint i = 0; i < sets->len; i++)
        width = MAX (width, strlen (((GzResultSet *) g_ptr_array_index (sets, i))->label));
      printf ("%-*s  %4s  %7s  %-19s  %s\n", (int) width, "LABEL", "RUNS", "SAMPLES",
              "LAST RUN", "BENCHMARKS");
      for (guint i = 0; i < sets->len; i++)
        {
          GzResultSet *set = g_ptr_array_index (sets, i);
          g_autoptr(GPtrArray) names = gz_result_set_benchmark_names (set);
          GzBenchRun *last = set->runs->len > 0
            ? g_ptr_array_index (set->runs, set->runs->len - 1) : NULL;
          g_autofree char *joined = NULL;

          g_ptr_array_add (names, NULL);
          joined = g_strjoinv (", ", (char **) names->pdata);
          printf ("%-*s  %4u  %7u  %-19.19s  %s\n", (int) width, set->label, set->runs->len,
                  gz_result_set_n_samples (set), last != NULL ? last->context->date : "-",
                  joined);
        }
      printf (_("\nIn %s\n"), gz_results_store_get_dir (store));
    }
  fflush (stdout);
  print_problems (problems);
  return GZ_CLI_EXIT_OK;
}

static int
results_show (GzResultsStore *store,
              const char     *label,
              GzBenchFormat   format)
{
  g_autoptr(GzResultSet) set = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GzBenchRun *last;

  set = gz_results_store_load (store, label, &error);
  if (set == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  if (set->runs->len == 0)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("label %s holds no runs (%s)"), label, set->path);
  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      g_ptr_array_extend (all, run->results, NULL, NULL);
    }
  last = g_ptr_array_index (set->runs, set->runs->len - 1);
  if (format == GZ_BENCH_FORMAT_TABLE)
    {
      printf ("%s: %u run%s, %u samples (%s)\n", label, set->runs->len,
              set->runs->len == 1 ? "" : "s", all->len, set->path);
      for (guint r = 0; r < set->runs->len; r++)
        {
          GzBenchRun *run = g_ptr_array_index (set->runs, r);

          printf ("  %s  %s  %s\n", run->context->date,
                  run->context->host != NULL ? run->context->host : "-",
                  run->context->command_line != NULL ? run->context->command_line : "");
        }
      printf ("\n");
    }
  text = gz_bench_format_results (all, last->context, label, format);
  fputs (text, stdout);
  return GZ_CLI_EXIT_OK;
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = { "results-dir", NULL };

int
gz_cli_results (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzResultsStore) store = NULL;
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  const char *action = NULL;
  const char *label = NULL;
  GzBenchFormat format;
  GOptionGroup *group;
  int status = GZ_CLI_EXIT_OK;
  char **parse_argv;
  int parse_argc;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("For show and export: table, json, gobench, csv or markdown (default table for show, "
         "json for export)"), "FORMAT" },
    { NULL }
  };

  /* The action and the label are positional; the options may come anywhere. */
  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (arg[0] == '-')
        {
          /* Every option but --help takes a value: keep it with its option. */
          g_ptr_array_add (rest, argv[i]);
          if (strchr (arg, '=') == NULL && !g_str_equal (arg, "--help") && !g_str_equal (arg, "-h")
              && !g_str_has_prefix (arg, "--help-") && i + 1 < argc)
            g_ptr_array_add (rest, argv[++i]);
        }
      else if (action == NULL)
        action = arg;
      else if (label == NULL)
        label = arg;
      else
        g_ptr_array_add (rest, argv[i]);
    }
  g_ptr_array_add (rest, NULL);
  parse_argv = (char **) rest->pdata;
  parse_argc = (int) rest->len - 1;

  context = g_option_context_new (N_("[list | show LABEL | delete LABEL | export LABEL]"));
  g_option_context_set_summary (context, N_("The benchmark results stored by gz-cli profile "
                                            "benchmark, one label each (default: list)."));
  group = gz_cli_config_flags_group (flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  if (!gz_cli_parse (context, "results", &parse_argc, &parse_argv))
    return GZ_CLI_EXIT_USAGE;

  if (action == NULL)
    action = "list";
  if (!g_str_equal (action, "list") && !g_str_equal (action, "show")
      && !g_str_equal (action, "delete") && !g_str_equal (action, "export"))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown results action \"%s\"; use one of: %s"),
                        action, actions);
  if (g_str_equal (action, "list") && label != NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unexpected argument \"%s\"; results list takes no "
                                             "label"), label);
  if (!g_str_equal (action, "list") && label == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("results %s needs a LABEL; see gz-cli profile "
                                             "results list"), action);
  format = g_str_equal (action, "export") ? GZ_BENCH_FORMAT_JSON : GZ_BENCH_FORMAT_TABLE;
  if (format_name != NULL && !gz_bench_format_from_string (format_name, &format))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown format \"%s\"; use one of: %s"), format_name,
                        gz_bench_format_names ());

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;
  store = gz_results_store_new_for_config (config);

  if (g_str_equal (action, "list"))
    return results_list (store);
  if (g_str_equal (action, "delete"))
    {
      if (!gz_results_store_delete (store, label, &error))
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
      printf (_("Deleted the results labelled %s\n"), label);
      return GZ_CLI_EXIT_OK;
    }
  return results_show (store, label, format);
}
