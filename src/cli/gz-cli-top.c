/* gz-cli-top.c: `gz-cli profile top FILE`: where the time or memory goes, per function, with
 * the values and rules of `go tool pprof -top`. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gz-cli.h"
#include "gz-profile-top.h"
#include "gz-units.h"

/* pprof's default -nodefraction */
#define DEFAULT_NODE_FRACTION 0.005

/* pprof's measurement.Percentage: 2 decimals from 1 % on, 2 significant digits below. */
static char *
format_percent (gint64 value,
                gint64 total)
{
  double ratio = total != 0 ? ABS ((double) value / (double) total) * 100 : 0;

  if (ratio >= 99.95 && ratio <= 100.05)
    return g_strdup ("100%");
  if (ratio >= 1.0)
    return g_strdup_printf ("%.2f%%", ratio);
  return g_strdup_printf ("%.2g%%", ratio);
}

static char *
format_value (gint64      value,
              const char *unit,
              gboolean    raw)
{
  /* as pprof: nothing is "0", whatever the unit */
  if (raw || value == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, value);
  return gz_units_format_value (value, unit);
}

/* @text right-aligned in @width columns (characters, not bytes: "µs"). */
static void
print_padded (GString    *out,
              const char *text,
              int         width)
{
  for (long i = g_utf8_strlen (text, -1); i < width; i++)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

static void
print_header (GzProfile         *profile,
              const GzTopReport *report,
              const char        *unit,
              gboolean           raw,
              const char        *focus)
{
  GzValueType *vt = g_ptr_array_index (profile->sample_types, report->sample_index);
  g_autofree char *total = format_value (report->total, unit, raw);
  g_autofree char *shown = format_value (report->shown, unit, raw);
  g_autofree char *shown_pct = format_percent (report->shown, report->total);

  if (profile->mappings->len > 0)
    {
      GzMapping *main_mapping = g_ptr_array_index (profile->mappings, 0);

      if (main_mapping->filename != NULL && main_mapping->filename[0] != '\0')
        {
          g_autofree char *base = g_path_get_basename (main_mapping->filename);

          printf ("%s %s\n", _("File:"), base);
        }
    }
  printf ("%s %s\n", _("Type:"), vt->type);
  if (profile->time_nanos > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (profile->time_nanos / 1000000000);

      if (time != NULL)
        {
          g_autofree char *text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S UTC");

          printf ("%s %s\n", _("Time:"), text);
        }
    }
  if (profile->duration_nanos > 0)
    {
      g_autofree char *duration = gz_units_format_nanoseconds ((double) profile->duration_nanos);

      if (g_strcmp0 (unit, "nanoseconds") == 0)
        {
          g_autofree char *ratio = format_percent (report->total, profile->duration_nanos);

          /* Translators: pprof's header: the profile's duration, then its total CPU time and
           * that time as a share of the duration. */
          printf (_("Duration: %s, Total samples = %s (%s)\n"), duration, total, ratio);
        }
      else
        printf (_("Duration: %s\n"), duration);
    }
  if (focus != NULL)
    printf (_("Active filters:\n   focus=%s\n"), focus);
  printf (_("Showing nodes accounting for %s, %s of %s total\n"), shown, shown_pct, total);
  if (report->n_dropped > 0 && report->total != 0)
    {
      g_autofree char *cutoff = format_value (report->drop_cutoff, unit, raw);

      printf (g_dngettext (GETTEXT_PACKAGE, "Dropped %u node (cum <= %s)\n",
                           "Dropped %u nodes (cum <= %s)\n", report->n_dropped),
              report->n_dropped, cutoff);
    }
  if (report->entries->len > 0 && report->entries->len < report->n_kept)
    printf (_("Showing top %u nodes out of %u\n"), report->entries->len, report->n_kept);
}

static void
print_rows (const GzTopReport *report,
            const char        *unit,
            gboolean           raw)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  const guint n_columns = 5;
  int width[5] = { 10, 6, 6, 10, 6 };
  gint64 sum = 0;

  /* the cells first: "12 min 25 s" is wider than pprof's ten columns */
  for (guint i = 0; i < report->entries->len; i++)
    {
      const GzTopEntry *entry = &g_array_index (report->entries, GzTopEntry, i);

      sum = (gint64) ((guint64) sum + (guint64) entry->flat); /* wraps, never overflows */
      g_ptr_array_add (cells, format_value (entry->flat, unit, raw));
      g_ptr_array_add (cells, format_percent (entry->flat, report->total));
      g_ptr_array_add (cells, format_percent (sum, report->total));
      g_ptr_array_add (cells, format_value (entry->cum, unit, raw));
      g_ptr_array_add (cells, format_percent (entry->cum, report->total));
      for (guint c = 0; c < n_columns; c++)
        {
          const char *cell = g_ptr_array_index (cells, cells->len - n_columns + c);

          width[c] = MAX (width[c], (int) g_utf8_strlen (cell, -1));
        }
    }

  g_string_append_printf (out, "%*s %*s%% %*s%% %*s %*s%%\n", width[0], _("flat"), width[1] - 1,
                          _("flat"), width[2] - 1, _("sum"), width[3], _("cum"), width[4] - 1,
                          _("cum"));
  for (guint i = 0; i < report->entries->len; i++)
    {
      const GzTopEntry *entry = &g_array_index (report->entries, GzTopEntry, i);

      for (guint c = 0; c < n_columns; c++)
        {
          print_padded (out, g_ptr_array_index (cells, i * n_columns + c), width[c]);
          g_string_append (out, c + 1 < n_columns ? " " : "  ");
        }
      g_string_append (out, entry->name);
      if (entry->inlining == GZ_TOP_INLINED)
        g_string_append (out, " (inline)");
      else if (entry->inlining == GZ_TOP_PARTIALLY_INLINED)
        g_string_append (out, " (partial-inline)");
      g_string_append_c (out, '\n');
    }
  fwrite (out->str, 1, out->len, stdout);
}

int
gz_cli_top (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) base = NULL;
  g_autoptr(GRegex) focus = NULL;
  g_autoptr(GzTopReport) report = NULL;
  g_autofree char *sample_type = NULL;
  g_autofree char *base_path = NULL;
  g_autofree char *focus_text = NULL;
  g_auto(GStrv) files = NULL;
  gint node_count = 0;
  gboolean cum = FALSE;
  gboolean raw = FALSE;
  double node_fraction = DEFAULT_NODE_FRACTION;
  GzTopOptions options = { 0, };
  GzValueType *vt;
  const GOptionEntry entries[] = {
    { "sample-type", 't', 0, G_OPTION_ARG_STRING, &sample_type,
      N_("The sample type to show (default: the profile's default, else the last one)"),
      "TYPE" },
    { "nodecount", 'n', 0, G_OPTION_ARG_INT, &node_count,
      N_("Show at most N functions (default: all)"), "N" },
    { "cum", 0, 0, G_OPTION_ARG_NONE, &cum, N_("Sort by cumulative value, not flat"), NULL },
    { "base", 0, 0, G_OPTION_ARG_FILENAME, &base_path,
      N_("Subtract this base profile (as pprof's -diff_base)"), "FILE" },
    { "focus", 0, 0, G_OPTION_ARG_STRING, &focus_text,
      N_("Keep only samples with a function, file or mapping matching REGEX"), "REGEX" },
    { "node-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &node_fraction,
      N_("Drop functions whose cumulative share is below this (default 0.005, as pprof)"),
      "F" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      N_("Print values as integers in the profile's unit (for scripts)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (N_("- flat and cumulative values per function, as "
                                     "go tool pprof -top"));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!gz_cli_parse (context, "top", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (files == NULL || files[0] == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile top needs a profile FILE; see gz-cli "
                                             "profile top --help"));
  if (files[1] != NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile top takes one FILE, not %u; compare two "
                                             "with --base"), g_strv_length (files));
  if (node_count < 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("--nodecount must be 0 (all) or more"));
  if (node_fraction < 0 || node_fraction >= 1)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("--node-fraction must be from 0 up to 1"));
  if (focus_text != NULL)
    {
      focus = g_regex_new (focus_text, G_REGEX_OPTIMIZE, 0, &error);
      if (focus == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --focus regular expression: %s"),
                            error->message);
    }

  profile = gz_profile_read_file (files[0], &error);
  if (profile == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  if (base_path != NULL)
    {
      base = gz_profile_read_file (base_path, &error);
      if (base == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("the base profile: %s"), error->message);
    }

  options.sample_type = sample_type;
  options.node_count = (guint) node_count;
  options.sort_by_cum = cum;
  options.focus = focus;
  options.base = base;
  options.node_fraction = node_fraction;
  report = gz_profile_top_report (profile, &options, &error);
  if (report == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s: %s", files[0], error->message);

  vt = g_ptr_array_index (profile->sample_types, report->sample_index);
  print_header (profile, report, vt->unit, raw, focus_text);
  print_rows (report, vt->unit, raw);
  return GZ_CLI_EXIT_OK;
}
