/* gz-stats-values.c: GzStatsValues, the statistics' JSON as rows: one preferences group per
 * top-level section, one row per value in readable units, updated in place. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-stats-values.h"
#include "gz-units.h"

struct _GzStatsValues
{
  GtkBox parent_instance;

  GHashTable *groups; /* section name -> AdwPreferencesGroup (borrowed) */
  GHashTable *values; /* JSON path -> GtkLabel (borrowed) */
};

G_DEFINE_FINAL_TYPE (GzStatsValues, gz_stats_values, GTK_TYPE_BOX)

/* A key's unit suffix says how to show its number; the title leaves it out. */
typedef enum
{
  UNIT_NONE,
  UNIT_BYTES,
  UNIT_NANOSECONDS,
  UNIT_MICROSECONDS,
  UNIT_MILLISECONDS,
  UNIT_SECONDS,
} Unit;

static const struct
{
  const char *suffix;
  Unit unit;
} unit_suffixes[] = {
  { "_bytes", UNIT_BYTES },
  { "_nanoseconds", UNIT_NANOSECONDS },
  { "_ns", UNIT_NANOSECONDS },
  { "_us", UNIT_MICROSECONDS },
  { "_ms", UNIT_MILLISECONDS },
  { "_seconds", UNIT_SECONDS },
  { "_sec", UNIT_SECONDS },
};

static Unit
unit_for_key (const char *key,
              gsize      *stem_len)
{
  gsize len = strlen (key);

  for (guint i = 0; i < G_N_ELEMENTS (unit_suffixes); i++)
    {
      gsize slen = strlen (unit_suffixes[i].suffix);

      if (len > slen && g_str_has_suffix (key, unit_suffixes[i].suffix))
        {
          *stem_len = len - slen;
          return unit_suffixes[i].unit;
        }
    }

  *stem_len = len;
  return UNIT_NONE;
}

/* Words shown in their usual spelling rather than capitalized. */
static const struct
{
  const char *word;
  const char *shown;
} special_words[] = {
  { "rss", "RSS" }, { "cpu", "CPU" }, { "fds", "FDs" }, { "fd", "FD" },
  { "id", "ID" }, { "pid", "PID" }, { "gc", "GC" }, { "io", "I/O" },
};

/* "peak_rss_bytes" -> "Peak RSS" */
static char *
title_for_key (const char *key)
{
  g_autoptr(GString) title = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  g_autofree char *stem = NULL;
  gsize stem_len;

  unit_for_key (key, &stem_len);
  stem = g_strndup (key, stem_len);
  words = g_strsplit_set (stem, "_-", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *shown = NULL;

      if (*words[i] == '\0')
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (special_words); j++)
        if (g_str_equal (words[i], special_words[j].word))
          shown = special_words[j].shown;

      if (title->len > 0)
        g_string_append_c (title, ' ');
      if (shown != NULL)
        g_string_append (title, shown);
      else if (title->len == 0)
        {
          g_string_append_c (title, g_ascii_toupper (words[i][0]));
          g_string_append (title, words[i] + 1);
        }
      else
        g_string_append (title, words[i]);
    }

  return g_string_free (g_steal_pointer (&title), FALSE);
}

static char *
format_value (const char *key,
              JsonNode   *node)
{
  gsize stem_len;
  Unit unit = unit_for_key (key, &stem_len);
  GType type;

  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("Not available"));

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      guint n = json_array_get_length (json_node_get_array (node));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", n), n);
    }

  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  switch (unit)
    {
    case UNIT_BYTES:
      return gz_units_format_bytes (json_node_get_double (node));
    case UNIT_NANOSECONDS:
      return gz_units_format_nanoseconds (json_node_get_double (node));
    case UNIT_MICROSECONDS:
      return gz_units_format_nanoseconds (json_node_get_double (node) * 1e3);
    case UNIT_MILLISECONDS:
      return gz_units_format_nanoseconds (json_node_get_double (node) * 1e6);
    case UNIT_SECONDS:
      return gz_units_format_nanoseconds (json_node_get_double (node) * 1e9);
    case UNIT_NONE:
    default:
      break;
    }

  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return g_strdup_printf ("%.3f", json_node_get_double (node));
}

static AdwPreferencesGroup *
gz_stats_values_ensure_group (GzStatsValues *self,
                              const char    *section)
{
  AdwPreferencesGroup *group = g_hash_table_lookup (self->groups, section);
  g_autofree char *title = NULL;

  if (group != NULL)
    return group;

  title = *section != '\0' ? title_for_key (section) : g_strdup (_("Process"));
  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, title);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (group));
  g_hash_table_insert (self->groups, g_strdup (section), group);

  return group;
}

static void
gz_stats_values_set_row (GzStatsValues *self,
                         const char    *section,
                         const char    *path,
                         const char    *key,
                         JsonNode      *node)
{
  GtkLabel *label = g_hash_table_lookup (self->values, path);
  g_autofree char *text = format_value (key, node);

  if (label == NULL)
    {
      AdwPreferencesGroup *group = gz_stats_values_ensure_group (self, section);
      g_autofree char *title = title_for_key (key);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      /* The JSON path, so the row can be found in the stats schema. */
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), path);
      label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_selectable (label, TRUE);
      gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (GTK_WIDGET (label), "gz-stats-value");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (label));
      adw_preferences_group_add (group, row);
      g_hash_table_insert (self->values, g_strdup (path), label);
    }

  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
gz_stats_values_add_object (GzStatsValues *self,
                            const char    *section,
                            const char    *prefix,
                            JsonObject    *object)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (object, key);
      g_autofree char *path = prefix != NULL ? g_strconcat (prefix, ".", key, NULL)
                                             : g_strdup (key);

      if (JSON_NODE_HOLDS_OBJECT (node))
        /* Top-level objects become groups; deeper ones are flattened into their group. */
        gz_stats_values_add_object (self, prefix != NULL ? section : key, path,
                                  json_node_get_object (node));
      else
        gz_stats_values_set_row (self, section, path, key, node);
    }
}

void
gz_stats_values_update (GzStatsValues *self,
                        JsonObject    *stats)
{
  g_return_if_fail (GZ_IS_STATS_VALUES (self));
  g_return_if_fail (stats != NULL);

  gz_stats_values_add_object (self, "", NULL, stats);
}

const char *
gz_stats_values_get (GzStatsValues *self,
                     const char    *path)
{
  GtkLabel *label;

  g_return_val_if_fail (GZ_IS_STATS_VALUES (self), NULL);

  label = g_hash_table_lookup (self->values, path);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}

void
gz_stats_values_clear (GzStatsValues *self)
{
  GtkWidget *child;

  g_return_if_fail (GZ_IS_STATS_VALUES (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_box_remove (GTK_BOX (self), child);
  g_hash_table_remove_all (self->groups);
  g_hash_table_remove_all (self->values);
}

static void
gz_stats_values_finalize (GObject *object)
{
  GzStatsValues *self = GZ_STATS_VALUES (object);

  g_hash_table_unref (self->groups);
  g_hash_table_unref (self->values);

  G_OBJECT_CLASS (gz_stats_values_parent_class)->finalize (object);
}

static void
gz_stats_values_class_init (GzStatsValuesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_stats_values_finalize;
}

static void
gz_stats_values_init (GzStatsValues *self)
{
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 24);
}

GtkWidget *
gz_stats_values_new (void)
{
  return g_object_new (GZ_TYPE_STATS_VALUES, NULL);
}
