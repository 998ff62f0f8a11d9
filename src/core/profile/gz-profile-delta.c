/* gz-profile-delta.c: @end − @start per stack, in place (Go's delta profiles). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-profile-delta.h"
#include "gz-profile-top.h"

/* A string naming a sample's stack (addresses and function names) and its text labels: the
 * same stack in two snapshots, symbolized separately, gives the same key. */
static char *
sample_key (GzProfile *profile,
            GzSample  *sample)
{
  GString *key = g_string_new (NULL);

  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));
      g_autofree char *name = gz_profile_location_name (profile, location);

      g_string_append_printf (key, "%" G_GINT64_MODIFIER "x:%s;", location->address, name);
    }
  for (guint i = 0; i < sample->labels->len; i++)
    {
      const GzLabel *label = &g_array_index (sample->labels, GzLabel, i);

      if (label->str != NULL)
        g_string_append_printf (key, "|%s=%s", label->key, label->str);
    }
  return g_string_free (key, FALSE);
}

static gboolean
is_kept (GzProfile          *profile,
         guint               index,
         const char * const *keep)
{
  const GzValueType *value_type = g_ptr_array_index (profile->sample_types, index);

  return keep != NULL && g_strv_contains (keep, value_type->type);
}

/* Locations and then functions that no sample uses any more go, the others are renumbered
 * 1..N in their order, as Go's Merge compacts: the delta of a long-lived process carries only
 * the stacks it shows. Mappings stay (they are few, and mapping 1 is the executable). */
static void
drop_unused (GzProfile *profile)
{
  guint n_locations = profile->locations->len;
  guint n_functions = profile->functions->len;
  /* Old id -> new id; 0 for gone (or for an id that pointed nowhere). */
  g_autofree guint64 *location_ids = g_new0 (guint64, n_locations + 1);
  g_autofree guint64 *function_ids = g_new0 (guint64, n_functions + 1);
  guint n = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);

      for (guint j = 0; j < sample->location_ids->len; j++)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, j);

          if (id >= 1 && id <= n_locations)
            location_ids[id] = 1;
        }
    }
  for (guint i = 0; i < n_locations; i++)
    {
      GzLocation *location = g_ptr_array_index (profile->locations, i);

      if (location_ids[i + 1] == 0)
        {
          gz_location_free (location);
          continue;
        }
      location_ids[i + 1] = location->id = n + 1;
      profile->locations->pdata[n++] = location;
      for (guint j = 0; j < location->lines->len; j++)
        {
          guint64 id = g_array_index (location->lines, GzLine, j).function_id;

          if (id >= 1 && id <= n_functions)
            function_ids[id] = 1;
        }
    }
  /* The tail holds moved or freed pointers: cleared, so that shrinking frees nothing. */
  for (guint i = n; i < n_locations; i++)
    profile->locations->pdata[i] = NULL;
  g_ptr_array_set_size (profile->locations, n);

  n = 0;
  for (guint i = 0; i < n_functions; i++)
    {
      GzFunction *function = g_ptr_array_index (profile->functions, i);

      if (function_ids[i + 1] == 0)
        {
          gz_function_free (function);
          continue;
        }
      function_ids[i + 1] = function->id = n + 1;
      profile->functions->pdata[n++] = function;
    }
  for (guint i = n; i < n_functions; i++)
    profile->functions->pdata[i] = NULL;
  g_ptr_array_set_size (profile->functions, n);

  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);

      for (guint j = 0; j < sample->location_ids->len; j++)
        {
          guint64 *id = &g_array_index (sample->location_ids, guint64, j);

          *id = *id <= n_locations ? location_ids[*id] : 0;
        }
    }
  for (guint i = 0; i < profile->locations->len; i++)
    {
      GzLocation *location = g_ptr_array_index (profile->locations, i);

      for (guint j = 0; j < location->lines->len; j++)
        {
          GzLine *line = &g_array_index (location->lines, GzLine, j);

          line->function_id = line->function_id <= n_functions ? function_ids[line->function_id]
                                                               : 0;
        }
    }
}

void
gz_profile_subtract (GzProfile          *end,
                     GzProfile          *start,
                     const char * const *keep)
{
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_if_fail (end != NULL);
  g_return_if_fail (start != NULL);

  for (guint i = 0; i < start->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (start->samples, i);

      g_hash_table_insert (before, sample_key (start, sample), sample);
    }

  for (guint i = end->samples->len; i-- > 0;)
    {
      GzSample *sample = g_ptr_array_index (end->samples, i);
      g_autofree char *key = sample_key (end, sample);
      GzSample *old = g_hash_table_lookup (before, key);
      gboolean all_zero = TRUE;

      for (guint j = 0; j < sample->values->len; j++)
        {
          gint64 *value = &g_array_index (sample->values, gint64, j);

          if (old != NULL && j < old->values->len && !is_kept (end, j, keep))
            *value -= g_array_index (old->values, gint64, j);
          all_zero = all_zero && *value == 0;
        }
      if (all_zero)
        g_ptr_array_remove_index (end->samples, i);
    }
  drop_unused (end);

  end->duration_nanos = MAX (end->time_nanos - start->time_nanos, 0);
}
