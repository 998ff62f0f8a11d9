/* gz-stats-page.c: the Statistics page: one group per section of gz_process_stats_collect()'s
 * JSON, one row per value, collected on a worker and updated in place every two seconds while the
 * page is mapped. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-process-stats.h"
#include "gz-stats-page.h"
#include "gz-units.h"

#define REFRESH_INTERVAL_MS 2000

struct _GzStatsPage
{
  AdwBin parent_instance;

  GtkLabel *error_label;
  GtkBox *groups_box;

  GHashTable *groups; /* section name -> AdwPreferencesGroup (borrowed) */
  GHashTable *values; /* JSON path -> GtkLabel (borrowed) */
  guint refresh_source;
  GCancellable *cancellable; /* cancelled on dispose */
  guint n_in_flight;         /* collections on a worker */
};

G_DEFINE_FINAL_TYPE (GzStatsPage, gz_stats_page, ADW_TYPE_BIN)

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
gz_stats_page_ensure_group (GzStatsPage *self,
                            const char  *section)
{
  AdwPreferencesGroup *group = g_hash_table_lookup (self->groups, section);
  g_autofree char *title = NULL;

  if (group != NULL)
    return group;

  title = *section != '\0' ? title_for_key (section) : g_strdup (_("Process"));
  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, title);
  gtk_box_append (self->groups_box, GTK_WIDGET (group));
  g_hash_table_insert (self->groups, g_strdup (section), group);

  return group;
}

static void
gz_stats_page_set_row (GzStatsPage *self,
                       const char  *section,
                       const char  *path,
                       const char  *key,
                       JsonNode    *node)
{
  GtkLabel *label = g_hash_table_lookup (self->values, path);
  g_autofree char *text = format_value (key, node);

  if (label == NULL)
    {
      AdwPreferencesGroup *group = gz_stats_page_ensure_group (self, section);
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
gz_stats_page_add_object (GzStatsPage *self,
                          const char  *section,
                          const char  *prefix,
                          JsonObject  *object)
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
        gz_stats_page_add_object (self, prefix != NULL ? section : key, path,
                                  json_node_get_object (node));
      else
        gz_stats_page_set_row (self, section, path, key, node);
    }
}

/* Shows @stats, or the error that kept them from being read. FALSE for the error. */
static gboolean
gz_stats_page_apply (GzStatsPage  *self,
                     JsonNode     *stats,
                     const GError *error)
{
  if (stats == NULL || !JSON_NODE_HOLDS_OBJECT (stats))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the statistics: %s"),
                                               error != NULL ? error->message
                                                             : _("not a JSON object"));
      gtk_label_set_text (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gz_stats_page_add_object (self, "", NULL, json_node_get_object (stats));
  return TRUE;
}

/* On the worker: reading /proc and the allocator is the slow part. */
static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  JsonNode *stats;

  if (g_task_return_error_if_cancelled (task))
    return;
  stats = gz_process_stats_collect (&error);
  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) json_node_unref);
}

/* Back on the main thread: @user_data is the caller's task, whose source is the page. */
static void
collect_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GzStatsPage *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = g_task_propagate_pointer (G_TASK (result), &error);

  self->n_in_flight--;
  /* Disposed meanwhile (the window closed): nothing left to fill in. */
  if (self->values == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the statistics page is gone");
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!gz_stats_page_apply (self, stats, error))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "the statistics are not a JSON object");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
gz_stats_page_refresh_async (GzStatsPage         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (GZ_IS_STATS_PAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_stats_page_refresh_async);

  /* The worker's task has no source object: if the worker dropped the last reference to it,
   * the page would be released off the main thread. The caller's task keeps the page alive. */
  worker = g_task_new (NULL, cancellable, collect_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, collect_thread);
  self->n_in_flight++;
  g_task_run_in_thread (worker, collect_thread);
}

gboolean
gz_stats_page_refresh_finish (GzStatsPage   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
gz_stats_page_get_value (GzStatsPage *self,
                         const char  *path)
{
  GtkLabel *label;

  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), NULL);

  label = g_hash_table_lookup (self->values, path);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}

/* One refresh at a time from the timer: on a busy machine a tick is skipped rather than
 * piling collections up. */
static void
gz_stats_page_refresh_now (GzStatsPage *self)
{
  if (self->n_in_flight == 0)
    gz_stats_page_refresh_async (self, self->cancellable, NULL, NULL);
}

static gboolean
gz_stats_page_refresh_cb (gpointer user_data)
{
  gz_stats_page_refresh_now (GZ_STATS_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
gz_stats_page_map (GtkWidget *widget)
{
  GzStatsPage *self = GZ_STATS_PAGE (widget);

  GTK_WIDGET_CLASS (gz_stats_page_parent_class)->map (widget);

  /* Only collect while someone can see the numbers. */
  gz_stats_page_refresh_now (self);
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_INTERVAL_MS, gz_stats_page_refresh_cb, self);
}

static void
gz_stats_page_unmap (GtkWidget *widget)
{
  GzStatsPage *self = GZ_STATS_PAGE (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (gz_stats_page_parent_class)->unmap (widget);
}

static void
gz_stats_page_dispose (GObject *object)
{
  GzStatsPage *self = GZ_STATS_PAGE (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GZ_TYPE_STATS_PAGE);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);

  G_OBJECT_CLASS (gz_stats_page_parent_class)->dispose (object);
}

static void
gz_stats_page_class_init (GzStatsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_stats_page_dispose;
  widget_class->map = gz_stats_page_map;
  widget_class->unmap = gz_stats_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-stats-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, groups_box);
}

static void
gz_stats_page_init (GzStatsPage *self)
{
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gz_stats_page_new (void)
{
  return g_object_new (GZ_TYPE_STATS_PAGE, NULL);
}
