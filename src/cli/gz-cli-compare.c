/* gz-cli-compare.c: `gz-cli profile compare`: two labels side by side, with medians, 95%
 * confidence intervals and Mann–Whitney U tests, as benchstat does. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gz-bench-compare-format.h"
#include "gz-cli.h"
#include "gz-results-store.h"

static gboolean
parse_percent (const char *text,
               double     *out)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  gsize len = strlen (copy);

  if (len > 0 && copy[len - 1] == '%')
    copy[len - 1] = '\0';
  *out = g_ascii_strtod (copy, &end);
  return end != copy && *end == '\0' && isfinite (*out) && *out >= 0;
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = { "results-dir", NULL };

int
gz_cli_compare (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzResultsStore) store = NULL;
  g_autoptr(GzResultSet) baseline = NULL;
  g_autoptr(GzResultSet) current = NULL;
  g_autoptr(GzBenchComparison) comparison = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *baseline_label = NULL;
  g_autofree char *current_label = NULL;
  g_autofree char *threshold_text = NULL;
  g_autofree char *alpha_text = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *text = NULL;
  gboolean fail_on_regression = FALSE;
  double threshold = 5.0, alpha = 0.05;
  GzBenchFormat format = GZ_BENCH_FORMAT_TABLE;
  int status = GZ_CLI_EXIT_OK;
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "baseline", 'b', 0, G_OPTION_ARG_STRING, &baseline_label, N_("The label to compare against"),
      "LABEL" },
    { "current", 0, 0, G_OPTION_ARG_STRING, &current_label, N_("The label to judge"), "LABEL" },
    { "threshold", 't', 0, G_OPTION_ARG_STRING, &threshold_text,
      N_("Smallest change called a regression or improvement (default 5%)"), "PERCENT" },
    { "alpha", 'a', 0, G_OPTION_ARG_STRING, &alpha_text,
      N_("Significance level of the Mann-Whitney U test (default 0.05)"), "ALPHA" },
    { "fail-on-regression", 0, 0, G_OPTION_ARG_NONE, &fail_on_regression,
      N_("Exit with status 3 when any benchmark regressed"), NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, N_("table (default), json or markdown"),
      "FORMAT" },
    { NULL }
  };

  context = g_option_context_new (N_("- compare two labels of stored benchmark results"));
  g_option_context_set_summary (context,
                                /* xgettext:no-c-format */
                                N_("For each benchmark in both labels: the median and 95% "
                                   "confidence interval of each side, the change,\nthe two-sided "
                                   "Mann-Whitney U p-value and a verdict (regression, improvement, "
                                   "or ~ when the\nchange is not significant or under the "
                                   "threshold), for ns/op, B/op and allocs/op\n(for commands: "
                                   "ns/op, CPU time and peak RSS).\nExit status: 0, "
                                   "1 on failure, 2 on usage errors, 3 on a regression with "
                                   "--fail-on-regression."));
  group = gz_cli_config_flags_group (flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  if (!gz_cli_parse (context, "compare", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (baseline_label == NULL || current_label == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("compare needs --baseline LABEL and --current "
                                             "LABEL; see gz-cli profile results list"));
  if (threshold_text != NULL && !parse_percent (threshold_text, &threshold))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --threshold \"%s\"; give a percentage such "
                                             "as 5%% or 2.5"), threshold_text);
  if (alpha_text != NULL && (!parse_percent (alpha_text, &alpha) || alpha <= 0 || alpha >= 1))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --alpha \"%s\"; give a level between 0 and "
                                             "1 such as 0.05"), alpha_text);
  if (format_name != NULL && (!gz_bench_format_from_string (format_name, &format)
                              || (format != GZ_BENCH_FORMAT_TABLE
                                  && format != GZ_BENCH_FORMAT_JSON
                                  && format != GZ_BENCH_FORMAT_MARKDOWN)))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown compare format \"%s\"; use one of: table, "
                                             "json, markdown"), format_name);

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;
  store = gz_results_store_new_for_config (config);
  baseline = gz_results_store_load (store, baseline_label, &error);
  if (baseline == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("baseline: %s"), error->message);
  current = gz_results_store_load (store, current_label, &error);
  if (current == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("current: %s"), error->message);

  comparison = gz_bench_compare (baseline, current, threshold, alpha);
  if (comparison->rows->len == 0)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("labels %s and %s have no benchmark in common; "
                                               "run the same --name for both"),
                        baseline_label, current_label);
  text = gz_bench_compare_format (comparison, format);
  fputs (text, stdout);
  fflush (stdout);
  if (fail_on_regression && comparison->n_regressions > 0)
    return 3;
  return GZ_CLI_EXIT_OK;
}
