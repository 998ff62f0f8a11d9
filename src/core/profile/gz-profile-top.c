/* gz-profile-top.c: flat and cumulative totals per function, like `pprof -top`. */

#include "config.h"

#include "gz-profile-top.h"

char *
gz_profile_location_name (GzProfile  *self,
                          GzLocation *location)
{
  if (location->lines->len > 0)
    {
      GzLine *line = &g_array_index (location->lines, GzLine, 0);
      GzFunction *function = gz_profile_get_function (self, line->function_id);

      if (function != NULL && function->name != NULL && function->name[0] != '\0')
        return g_strdup (function->name);
    }
  return g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x", location->address);
}

static void
gz_top_entry_clear (gpointer data)
{
  GzTopEntry *entry = data;

  g_clear_pointer (&entry->name, g_free);
}

static int
compare_top_entries (gconstpointer a,
                     gconstpointer b)
{
  const GzTopEntry *ea = a;
  const GzTopEntry *eb = b;

  if (ea->flat != eb->flat)
    return ea->flat > eb->flat ? -1 : 1;
  if (ea->cum != eb->cum)
    return ea->cum > eb->cum ? -1 : 1;
  return g_strcmp0 (ea->name, eb->name);
}

GArray *
gz_profile_top (GzProfile *self,
                guint      index,
                guint      max_entries)
{
  g_autoptr(GHashTable) by_name = NULL; /* name -> index + 1 in entries */
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) location_names = NULL;
  GArray *entries;

  g_return_val_if_fail (self != NULL, NULL);

  entries = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
  g_array_set_clear_func (entries, gz_top_entry_clear);
  by_name = g_hash_table_new (g_str_hash, g_str_equal);
  seen = g_hash_table_new (NULL, NULL);

  /* The innermost name of each location, and every name of its lines (inlined frames). */
  location_names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; i < self->locations->len; i++)
    {
      GzLocation *location = g_ptr_array_index (self->locations, i);
      GPtrArray *names = g_ptr_array_new ();

      g_ptr_array_add (names, gz_profile_location_name (self, location));
      for (guint j = 1; j < location->lines->len; j++)
        {
          GzLine *line = &g_array_index (location->lines, GzLine, j);
          GzFunction *function = gz_profile_get_function (self, line->function_id);

          if (function != NULL && function->name != NULL && function->name[0] != '\0')
            g_ptr_array_add (names, g_strdup (function->name));
        }
      g_ptr_array_add (names, NULL);
      g_ptr_array_add (location_names, g_ptr_array_free (names, FALSE));
    }

  for (guint i = 0; i < self->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (self->samples, i);
      gint64 value;

      if (index >= sample->values->len)
        continue;
      value = g_array_index (sample->values, gint64, index);
      if (value == 0)
        continue;

      g_hash_table_remove_all (seen);
      for (guint j = 0; j < sample->location_ids->len; j++)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, j);
          char **names;

          if (id == 0 || id > location_names->len)
            continue;
          names = g_ptr_array_index (location_names, id - 1);
          for (guint k = 0; names[k] != NULL; k++)
            {
              gpointer slot = g_hash_table_lookup (by_name, names[k]);
              GzTopEntry *entry;

              if (slot == NULL)
                {
                  GzTopEntry new_entry = { g_strdup (names[k]), 0, 0 };

                  g_array_append_val (entries, new_entry);
                  slot = GUINT_TO_POINTER (entries->len);
                  g_hash_table_insert (by_name, new_entry.name, slot);
                }
              entry = &g_array_index (entries, GzTopEntry, GPOINTER_TO_UINT (slot) - 1);
              /* The leaf's innermost frame is the one executing. */
              if (j == 0 && k == 0)
                entry->flat += value;
              if (g_hash_table_add (seen, slot))
                entry->cum += value;
            }
        }
    }

  g_hash_table_steal_all (by_name);
  g_array_sort (entries, compare_top_entries);
  if (max_entries > 0 && entries->len > max_entries)
    g_array_set_size (entries, max_entries);
  return entries;
}

