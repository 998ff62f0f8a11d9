/* gz-profile-top.c: flat and cumulative totals per function, like `pprof -top`. Names are
 * interned once per function and location, so a sample costs one pass over its frames. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

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

#define CALLED_INLINE  1
#define CALLED_OUTLINE 2

/* The nodes (one per function name) and their running totals. */
typedef struct
{
  GHashTable *by_name; /* name (owned by names) -> node index + 1 */
  GPtrArray  *names;   /* char * */
  GArray     *flat;    /* gint64 */
  GArray     *cum;     /* gint64 */
  GArray     *stamp;   /* guint: the last sample that added to cum; 0: never touched */
  GArray     *callers; /* guint8: CALLED_INLINE | CALLED_OUTLINE, how callers reach it */
  guint       sample;  /* the current sample's stamp */
} Nodes;

static void
nodes_init (Nodes *nodes)
{
  nodes->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  nodes->names = g_ptr_array_new_with_free_func (g_free);
  nodes->flat = g_array_new (FALSE, TRUE, sizeof (gint64));
  nodes->cum = g_array_new (FALSE, TRUE, sizeof (gint64));
  nodes->stamp = g_array_new (FALSE, TRUE, sizeof (guint));
  nodes->callers = g_array_new (FALSE, TRUE, sizeof (guint8));
  nodes->sample = 0;
}

static void
nodes_clear (Nodes *nodes)
{
  g_clear_pointer (&nodes->by_name, g_hash_table_unref);
  g_clear_pointer (&nodes->names, g_ptr_array_unref);
  g_clear_pointer (&nodes->flat, g_array_unref);
  g_clear_pointer (&nodes->cum, g_array_unref);
  g_clear_pointer (&nodes->stamp, g_array_unref);
  g_clear_pointer (&nodes->callers, g_array_unref);
}

/* Takes @name. */
static guint
nodes_intern (Nodes *nodes,
              char  *name)
{
  gpointer slot = g_hash_table_lookup (nodes->by_name, name);
  guint index;

  if (slot != NULL)
    {
      g_free (name);
      return GPOINTER_TO_UINT (slot) - 1;
    }
  index = nodes->names->len;
  g_ptr_array_add (nodes->names, name);
  g_hash_table_insert (nodes->by_name, name, GUINT_TO_POINTER (index + 1));
  g_array_set_size (nodes->flat, index + 1);
  g_array_set_size (nodes->cum, index + 1);
  g_array_set_size (nodes->stamp, index + 1);
  g_array_set_size (nodes->callers, index + 1);
  return index;
}

/* One profile's locations as node indices: location i (id i + 1) has the nodes
 * frames[start[i]] .. frames[start[i + 1] - 1], innermost first. */
typedef struct
{
  guint  *start;
  GArray *frames;  /* guint */
  guint8 *focused; /* location matches the focus regex */
} Frames;

static void
frames_clear (Frames *frames)
{
  g_clear_pointer (&frames->start, g_free);
  g_clear_pointer (&frames->frames, g_array_unref);
  g_clear_pointer (&frames->focused, g_free);
}

static gboolean
matches (GRegex     *regex,
         const char *text)
{
  return text != NULL && g_regex_match (regex, text, 0, NULL);
}

/* pprof's Location.matchesName: a line's function name or file name, or the mapping file. */
static gboolean
location_matches (GzProfile  *profile,
                  GzLocation *location,
                  GRegex     *focus)
{
  GzMapping *mapping;

  for (guint j = 0; j < location->lines->len; j++)
    {
      GzLine *line = &g_array_index (location->lines, GzLine, j);
      GzFunction *function = gz_profile_get_function (profile, line->function_id);

      if (function != NULL && (matches (focus, function->name) ||
                               matches (focus, function->filename)))
        return TRUE;
    }
  mapping = gz_profile_get_mapping (profile, location->mapping_id);
  return mapping != NULL && matches (focus, mapping->filename);
}

static void
frames_build (Frames    *frames,
              GzProfile *profile,
              Nodes     *nodes,
              GRegex    *focus)
{
  g_autofree guint *function_node = g_new0 (guint, profile->functions->len + 1);
  guint n = profile->locations->len;

  frames->start = g_new (guint, n + 1);
  frames->frames = g_array_sized_new (FALSE, FALSE, sizeof (guint), n + n / 4);
  frames->focused = focus != NULL ? g_new0 (guint8, n) : NULL;

  for (guint i = 0; i < n; i++)
    {
      GzLocation *location = g_ptr_array_index (profile->locations, i);
      guint named = 0;

      frames->start[i] = frames->frames->len;
      for (guint j = 0; j < location->lines->len; j++)
        {
          guint64 id = g_array_index (location->lines, GzLine, j).function_id;
          GzFunction *function = gz_profile_get_function (profile, id);
          guint node;

          if (function == NULL || function->name == NULL || function->name[0] == '\0')
            continue;
          /* function_node holds node index + 1 */
          if (function_node[id] == 0)
            function_node[id] = nodes_intern (nodes, g_strdup (function->name)) + 1;
          node = function_node[id] - 1;
          g_array_append_val (frames->frames, node);
          named++;
        }
      if (named == 0)
        {
          guint node = nodes_intern (nodes, gz_profile_location_name (profile, location));

          g_array_append_val (frames->frames, node);
        }
      if (focus != NULL)
        frames->focused[i] = location_matches (profile, location, focus);
    }
  frames->start[n] = frames->frames->len;
}

/* Sums of values from a file wrap around rather than overflow (undefined in C): a corrupt
 * profile gives odd numbers, never undefined behaviour. */
static inline gint64
add64 (gint64 a,
       gint64 b)
{
  return (gint64) ((guint64) a + (guint64) b);
}

static inline gint64
neg64 (gint64 v)
{
  return (gint64) (0 - (guint64) v);
}

static inline gint64
abs64 (gint64 v)
{
  return v < 0 ? neg64 (v) : v;
}

/* Adds the samples of @profile (times @sign) to the nodes, as pprof's graph does: flat to the
 * leaf's innermost frame, cum once per node per sample. Returns the sum of |value| over all
 * samples (pprof's total) and adds the kept samples' values to *flat_sum. */
static gint64
accumulate (GzProfile *profile,
            Frames    *frames,
            Nodes     *nodes,
            guint      index,
            gint64     sign,
            gint64    *flat_sum)
{
  gint64 *flat = (gint64 *) (void *) nodes->flat->data;
  gint64 *cum = (gint64 *) (void *) nodes->cum->data;
  guint *stamp = (guint *) (void *) nodes->stamp->data;
  guint8 *callers = (guint8 *) nodes->callers->data;
  const guint *frame = (const guint *) (const void *) frames->frames->data;
  guint n_locations = profile->locations->len;
  gint64 total = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);
      const guint64 *ids = (const guint64 *) (const void *) sample->location_ids->data;
      guint depth = sample->location_ids->len;
      gint64 value;
      guint s;

      if (index >= sample->values->len)
        continue;
      value = g_array_index (sample->values, gint64, index);
      if (sign < 0)
        value = neg64 (value);
      if (value == 0)
        continue;
      total = add64 (total, abs64 (value));

      if (frames->focused != NULL)
        {
          gboolean keep = FALSE;

          for (guint j = 0; j < depth && !keep; j++)
            keep = ids[j] >= 1 && ids[j] <= n_locations && frames->focused[ids[j] - 1];
          if (!keep)
            continue;
        }

      s = ++nodes->sample;
      for (guint j = 0; j < depth; j++)
        {
          guint64 id = ids[j];

          if (id == 0 || id > n_locations)
            continue;
          for (guint k = frames->start[id - 1]; k < frames->start[id]; k++)
            {
              guint node = frame[k];
              gboolean outermost = k + 1 == frames->start[id];

              if (stamp[node] != s)
                {
                  stamp[node] = s;
                  cum[node] = add64 (cum[node], value);
                }
              /* pprof's edge into the node: inline unless it is its location's outermost line;
               * the stack's outermost frame has no caller */
              if (!outermost)
                callers[node] |= CALLED_INLINE;
              else if (j + 1 < depth)
                callers[node] |= CALLED_OUTLINE;
            }
          if (j == 0 && frames->start[id - 1] < frames->start[id])
            {
              flat[frame[frames->start[id - 1]]] = add64 (flat[frame[frames->start[id - 1]]],
                                                          value);
              *flat_sum = add64 (*flat_sum, value);
            }
        }
    }
  return total;
}

static void
gz_top_entry_clear (gpointer data)
{
  GzTopEntry *entry = data;

  g_clear_pointer (&entry->name, g_free);
}

/* pprof's FlatNameOrder and CumNameOrder (graph.SortNodes): the larger |first| key, then the
 * name, then the larger |second| key. */
static int
compare_by (gint64      first_a,
            gint64      first_b,
            const char *name_a,
            const char *name_b,
            gint64      second_a,
            gint64      second_b)
{
  int by_name;

  if (abs64 (first_a) != abs64 (first_b))
    return abs64 (first_a) > abs64 (first_b) ? -1 : 1;
  by_name = strcmp (name_a, name_b);
  if (by_name != 0)
    return by_name;
  if (abs64 (second_a) != abs64 (second_b))
    return abs64 (second_a) > abs64 (second_b) ? -1 : 1;
  return 0;
}

static int
compare_flat (gconstpointer a,
              gconstpointer b)
{
  const GzTopEntry *ea = a;
  const GzTopEntry *eb = b;

  return compare_by (ea->flat, eb->flat, ea->name, eb->name, ea->cum, eb->cum);
}

static int
compare_cum (gconstpointer a,
             gconstpointer b)
{
  const GzTopEntry *ea = a;
  const GzTopEntry *eb = b;

  return compare_by (ea->cum, eb->cum, ea->name, eb->name, ea->flat, eb->flat);
}

static gboolean
resolve_sample_type (GzProfile  *profile,
                     const char *name,
                     guint      *index,
                     GError    **error)
{
  g_autoptr(GString) names = NULL;
  int found;

  if (profile->sample_types->len == 0)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID,
                   "the profile has no sample types");
      return FALSE;
    }
  if (name == NULL)
    name = profile->default_sample_type;
  if (name == NULL || name[0] == '\0')
    {
      *index = profile->sample_types->len - 1;
      return TRUE;
    }
  found = gz_profile_find_sample_type (profile, name);
  if (found >= 0)
    {
      *index = (guint) found;
      return TRUE;
    }

  names = g_string_new (NULL);
  for (guint i = 0; i < profile->sample_types->len; i++)
    {
      GzValueType *vt = g_ptr_array_index (profile->sample_types, i);

      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", vt->type);
    }
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID,
               "no sample type \"%s\"; the profile has: %s", name, names->str);
  return FALSE;
}

GzTopReport *
gz_profile_top_report (GzProfile          *self,
                       const GzTopOptions *options,
                       GError            **error)
{
  static const GzTopOptions defaults = { 0, };
  g_autoptr(GzTopReport) report = NULL;
  Nodes nodes;
  Frames frames = { 0, };
  Frames base_frames = { 0, };
  guint base_index = 0;
  gint64 flat_sum = 0;
  gint64 total;
  gint64 cutoff = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (options == NULL)
    options = &defaults;

  report = g_new0 (GzTopReport, 1);
  if (!resolve_sample_type (self, options->sample_type, &report->sample_index, error))
    return NULL;
  if (options->base != NULL)
    {
      GzValueType *vt = g_ptr_array_index (self->sample_types, report->sample_index);
      g_autoptr(GError) local_error = NULL;

      if (!resolve_sample_type (options->base, vt->type, &base_index, &local_error))
        {
          g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID, "the base profile: %s",
                       local_error->message);
          return NULL;
        }
    }

  nodes_init (&nodes);
  frames_build (&frames, self, &nodes, options->focus);
  total = accumulate (self, &frames, &nodes, report->sample_index, 1, &flat_sum);
  if (options->base != NULL)
    {
      gint64 base_total;

      frames_build (&base_frames, options->base, &nodes, options->focus);
      base_total = accumulate (options->base, &base_frames, &nodes, base_index, -1, &flat_sum);
      /* pprof: with a base, percentages are of the base's total */
      if (base_total > 0)
        total = base_total;
      else
        total = add64 (total, base_total);
    }
  report->total = total;

  if (options->node_fraction > 0)
    {
      cutoff = abs64 ((gint64) ((double) flat_sum * options->node_fraction));
      report->drop_cutoff = abs64 ((gint64) ((double) total * options->node_fraction));
    }

  report->entries = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
  g_array_set_clear_func (report->entries, gz_top_entry_clear);
  for (guint n = 0; n < nodes.names->len; n++)
    {
      GzTopEntry entry;

      if (g_array_index (nodes.stamp, guint, n) == 0)
        continue;
      entry.cum = g_array_index (nodes.cum, gint64, n);
      if (cutoff > 0 && abs64 (entry.cum) < cutoff)
        {
          report->n_dropped++;
          continue;
        }
      entry.flat = g_array_index (nodes.flat, gint64, n);
      switch (g_array_index (nodes.callers, guint8, n))
        {
        case CALLED_INLINE:
          entry.inlining = GZ_TOP_INLINED;
          break;
        case CALLED_INLINE | CALLED_OUTLINE:
          entry.inlining = GZ_TOP_PARTIALLY_INLINED;
          break;
        default:
          entry.inlining = GZ_TOP_CALLED;
        }
      entry.name = g_steal_pointer (&g_ptr_array_index (nodes.names, n));
      g_array_append_val (report->entries, entry);
    }
  report->n_kept = report->entries->len;
  g_array_sort (report->entries, options->sort_by_cum ? compare_cum : compare_flat);
  if (options->node_count > 0 && report->entries->len > options->node_count)
    g_array_set_size (report->entries, options->node_count);
  for (guint i = 0; i < report->entries->len; i++)
    report->shown = add64 (report->shown, g_array_index (report->entries, GzTopEntry, i).flat);

  frames_clear (&frames);
  frames_clear (&base_frames);
  nodes_clear (&nodes);
  return g_steal_pointer (&report);
}

void
gz_top_report_free (GzTopReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->entries, g_array_unref);
  g_free (report);
}

GArray *
gz_profile_top (GzProfile *self,
                guint      index,
                guint      max_entries)
{
  g_autoptr(GzTopReport) report = NULL;
  GzTopOptions options = { 0, };
  GArray *entries;

  g_return_val_if_fail (self != NULL, NULL);

  if (index < self->sample_types->len)
    options.sample_type = ((GzValueType *) g_ptr_array_index (self->sample_types, index))->type;
  options.node_count = max_entries;
  report = gz_profile_top_report (self, &options, NULL);
  if (report == NULL)
    {
      entries = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
      g_array_set_clear_func (entries, gz_top_entry_clear);
      return entries;
    }
  entries = g_steal_pointer (&report->entries);
  return entries;
}
