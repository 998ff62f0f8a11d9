/* gz-profile-builder.c: turns raw stacks of program counters into a symbolized, validated
 * profile: aggregates identical stacks, then names every address with the symbolizer. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-object.h>

#include "gz-profile-builder.h"
#include "gz-symbolizer.h"

typedef struct
{
  guint         hash;
  GzStackFlags  flags;
  guint         n_frames;
  guint64      *pcs;      /* n_frames, or NULL for a named sample */
  char        **names;    /* n_frames + NULL, or NULL */
  GzLabel      *labels;
  guint         n_labels;
  gint64       *values;   /* n_sample_types */
} BuilderSample;

struct _GzProfileBuilder
{
  GzProfileType type;
  guint         n_sample_types;
  gint64        period;
  gint64        time_nanos;
  gint64        duration_nanos;
  gint64        start_monotonic;
  GPtrArray    *comments;
  GPtrArray    *samples;   /* BuilderSample, in order of arrival */
  GHashTable   *index;     /* BuilderSample -> itself */
  gboolean      finished;
};

typedef struct
{
  const char *type;
  const char *unit;
} TypeUnit;

typedef struct
{
  TypeUnit    sample_types[4];
  TypeUnit    period_type;
  gint64      default_period;
  const char *default_sample_type;
} TypeInfo;

/* Go's own sample types (runtime/pprof), so that tools treat our profiles like Go's. */
static const TypeInfo type_info[GZ_PROFILE_TYPE_N] = {
  [GZ_PROFILE_TYPE_CPU] = {
    { { "samples", "count" }, { "cpu", "nanoseconds" } },
    { "cpu", "nanoseconds" }, 0, NULL,
  },
  [GZ_PROFILE_TYPE_MEMORY] = {
    { { "alloc_objects", "count" }, { "alloc_space", "bytes" },
      { "inuse_objects", "count" }, { "inuse_space", "bytes" } },
    { "space", "bytes" }, 0, "inuse_space",
  },
  [GZ_PROFILE_TYPE_GOROUTINE] = {
    { { "goroutine", "count" } },
    { "goroutine", "count" }, 1, NULL,
  },
  [GZ_PROFILE_TYPE_BLOCK] = {
    { { "contentions", "count" }, { "delay", "nanoseconds" } },
    { "contentions", "count" }, 1, NULL,
  },
  [GZ_PROFILE_TYPE_MUTEX] = {
    { { "contentions", "count" }, { "delay", "nanoseconds" } },
    { "contentions", "count" }, 1, NULL,
  },
  [GZ_PROFILE_TYPE_THREADCREATE] = {
    { { "threadcreate", "count" } },
    { "threadcreate", "count" }, 1, NULL,
  },
};

static void
builder_sample_free (BuilderSample *sample)
{
  for (guint i = 0; i < sample->n_labels; i++)
    gz_label_clear (&sample->labels[i]);
  g_free (sample->labels);
  g_free (sample->pcs);
  g_strfreev (sample->names);
  g_free (sample->values);
  g_free (sample);
}

static guint
str_hash0 (const char *str)
{
  return str != NULL ? g_str_hash (str) : 0x9e3779b9u;
}

/* The stack by the one stack hash, seeded with everything else that tells samples apart. */
static guint
builder_sample_compute_hash (const BuilderSample *sample)
{
  guint seed = sample->flags;

  if (sample->names != NULL)
    for (guint i = 0; i < sample->n_frames; i++)
      seed = seed * 31 + str_hash0 (sample->names[i]);
  for (guint i = 0; i < sample->n_labels; i++)
    {
      const GzLabel *label = &sample->labels[i];

      seed = seed * 31 + str_hash0 (label->key);
      seed = seed * 31 + str_hash0 (label->str);
      seed = seed * 31 + (guint) (label->num ^ (label->num >> 32));
      seed = seed * 31 + str_hash0 (label->num_unit);
    }
  return gz_stack_hash (sample->pcs, sample->pcs != NULL ? sample->n_frames : 0, seed);
}

static guint
builder_sample_hash (gconstpointer data)
{
  return ((const BuilderSample *) data)->hash;
}

static gboolean
builder_sample_equal (gconstpointer a,
                      gconstpointer b)
{
  const BuilderSample *sa = a;
  const BuilderSample *sb = b;

  if (sa->hash != sb->hash || sa->flags != sb->flags || sa->n_frames != sb->n_frames ||
      sa->n_labels != sb->n_labels || (sa->pcs == NULL) != (sb->pcs == NULL))
    return FALSE;
  if (sa->pcs != NULL && memcmp (sa->pcs, sb->pcs, sa->n_frames * sizeof (guint64)) != 0)
    return FALSE;
  if (sa->names != NULL)
    for (guint i = 0; i < sa->n_frames; i++)
      if (g_strcmp0 (sa->names[i], sb->names[i]) != 0)
        return FALSE;
  for (guint i = 0; i < sa->n_labels; i++)
    {
      const GzLabel *la = &sa->labels[i];
      const GzLabel *lb = &sb->labels[i];

      if (g_strcmp0 (la->key, lb->key) != 0 || g_strcmp0 (la->str, lb->str) != 0 ||
          la->num != lb->num || g_strcmp0 (la->num_unit, lb->num_unit) != 0)
        return FALSE;
    }
  return TRUE;
}

GzProfileBuilder *
gz_profile_builder_new (GzProfileType type)
{
  GzProfileBuilder *self;

  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);

  self = g_new0 (GzProfileBuilder, 1);
  self->type = type;
  for (guint i = 0; i < G_N_ELEMENTS (type_info[type].sample_types); i++)
    if (type_info[type].sample_types[i].type != NULL)
      self->n_sample_types = i + 1;
  self->period = type_info[type].default_period;
  self->start_monotonic = g_get_monotonic_time ();
  self->comments = g_ptr_array_new_with_free_func (g_free);
  self->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) builder_sample_free);
  self->index = g_hash_table_new (builder_sample_hash, builder_sample_equal);
  return self;
}

void
gz_profile_builder_free (GzProfileBuilder *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->samples, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_free (self);
}

GzProfileType
gz_profile_builder_get_profile_type (GzProfileBuilder *self)
{
  return self->type;
}

guint
gz_profile_builder_get_n_samples (GzProfileBuilder *self)
{
  return self->samples->len;
}

void
gz_profile_builder_set_period (GzProfileBuilder *self,
                               gint64            period)
{
  self->period = period;
}

void
gz_profile_builder_set_time (GzProfileBuilder *self,
                             gint64            time_nanos,
                             gint64            duration_nanos)
{
  self->time_nanos = time_nanos;
  self->duration_nanos = duration_nanos;
}

void
gz_profile_builder_add_comment (GzProfileBuilder *self,
                                const char       *comment)
{
  g_return_if_fail (comment != NULL);

  g_ptr_array_add (self->comments, g_strdup (comment));
}

static void
builder_add (GzProfileBuilder *self,
             BuilderSample    *key,
             const gint64     *values)
{
  BuilderSample *existing;

  key->hash = builder_sample_compute_hash (key);
  existing = g_hash_table_lookup (self->index, key);
  if (existing != NULL)
    {
      for (guint i = 0; i < self->n_sample_types; i++)
        existing->values[i] += values[i];
      return;
    }

  /* New: take copies of everything the key borrowed. */
  {
    BuilderSample *sample = g_new0 (BuilderSample, 1);

    *sample = *key;
    if (key->pcs != NULL)
      sample->pcs = g_memdup2 (key->pcs, key->n_frames * sizeof (guint64));
    if (key->names != NULL)
      sample->names = g_strdupv (key->names);
    sample->labels = g_new0 (GzLabel, MAX (key->n_labels, 1));
    for (guint i = 0; i < key->n_labels; i++)
      gz_label_copy (&key->labels[i], &sample->labels[i]);
    sample->values = g_memdup2 (values, self->n_sample_types * sizeof (gint64));
    g_ptr_array_add (self->samples, sample);
    g_hash_table_add (self->index, sample);
  }
}

void
gz_profile_builder_add_sample (GzProfileBuilder *self,
                               const guint64    *pcs,
                               guint             n_pcs,
                               GzStackFlags      flags,
                               const gint64     *values,
                               const GzLabel    *labels,
                               guint             n_labels)
{
  BuilderSample key = { 0, };

  g_return_if_fail (self != NULL);
  g_return_if_fail (pcs != NULL || n_pcs == 0);
  g_return_if_fail (values != NULL);
  g_return_if_fail (labels != NULL || n_labels == 0);
  g_return_if_fail (!self->finished);

  /* pprof needs at least one location per sample. */
  if (n_pcs == 0)
    return;

  key.flags = flags;
  key.n_frames = n_pcs;
  key.pcs = (guint64 *) pcs;
  key.labels = (GzLabel *) labels;
  key.n_labels = n_labels;
  builder_add (self, &key, values);
}

void
gz_profile_builder_add_named_sample (GzProfileBuilder   *self,
                                     const char * const *frames,
                                     guint               n_frames,
                                     const gint64       *values,
                                     const GzLabel      *labels,
                                     guint               n_labels)
{
  g_autofree char **names = NULL;
  BuilderSample key = { 0, };

  g_return_if_fail (self != NULL);
  g_return_if_fail (frames != NULL || n_frames == 0);
  g_return_if_fail (values != NULL);
  g_return_if_fail (labels != NULL || n_labels == 0);
  g_return_if_fail (!self->finished);

  if (n_frames == 0)
    return;

  names = g_new0 (char *, n_frames + 1);
  for (guint i = 0; i < n_frames; i++)
    names[i] = (char *) (frames[i] != NULL ? frames[i] : "");

  key.n_frames = n_frames;
  key.names = names;
  key.labels = (GzLabel *) labels;
  key.n_labels = n_labels;
  builder_add (self, &key, values);
}

/* Finishing: symbolization into mappings, functions and locations. */

typedef struct
{
  GzProfile  *profile;
  GHashTable *mappings;       /* const GzSymbolMapping * -> id */
  GHashTable *functions;      /* "name\nfilename" -> id */
  GHashTable *return_locs;    /* pc (guint64 *) -> id, looked up at pc - 1 */
  GHashTable *exact_locs;     /* pc (guint64 *) -> id, looked up at pc */
  GHashTable *named_locs;     /* name -> id */
} Tables;

static guint64
tables_function (Tables     *tables,
                 const char *name,
                 const char *filename,
                 gint64      start_line)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", name, filename ? filename : "");
  gpointer id;
  GzFunction *function;

  if (g_hash_table_lookup_extended (tables->functions, key, NULL, &id))
    return GPOINTER_TO_SIZE (id);

  function = gz_function_new ();
  function->id = tables->profile->functions->len + 1;
  function->name = g_strdup (name);
  function->system_name = g_strdup (name);
  function->filename = g_strdup (filename);
  function->start_line = start_line;
  g_ptr_array_add (tables->profile->functions, function);
  g_hash_table_insert (tables->functions, g_steal_pointer (&key),
                       GSIZE_TO_POINTER (function->id));
  return function->id;
}

static guint64
tables_mapping (Tables                *tables,
                const GzSymbolMapping *sm)
{
  gpointer id;

  if (sm == NULL)
    return 0;
  if (g_hash_table_lookup_extended (tables->mappings, sm, NULL, &id))
    return GPOINTER_TO_SIZE (id);
  /* Mappings are all added up front (see add_mappings); one seen later is added too. */
  {
    GzMapping *mapping = gz_mapping_new ();

    mapping->id = tables->profile->mappings->len + 1;
    mapping->memory_start = sm->memory_start;
    mapping->memory_limit = sm->memory_limit;
    mapping->file_offset = sm->file_offset;
    mapping->filename = g_strdup (sm->filename);
    mapping->build_id = g_strdup (sm->build_id);
    mapping->has_functions = TRUE;
    g_ptr_array_add (tables->profile->mappings, mapping);
    g_hash_table_insert (tables->mappings, (gpointer) sm, GSIZE_TO_POINTER (mapping->id));
    return mapping->id;
  }
}

static guint64
tables_location (Tables       *tables,
                 GzSymbolizer *symbolizer,
                 guint64       pc,
                 gboolean      exact)
{
  GHashTable *table = exact ? tables->exact_locs : tables->return_locs;
  GzLocation *location;
  GzSymbol symbol = { 0, };
  gpointer id;
  guint64 lookup_pc;

  if (g_hash_table_lookup_extended (table, &pc, NULL, &id))
    return GPOINTER_TO_SIZE (id);

  lookup_pc = exact || pc == 0 ? pc : pc - 1;
  location = gz_location_new ();
  location->id = tables->profile->locations->len + 1;
  location->address = pc;
  if (symbolizer != NULL)
    {
      gboolean found = gz_symbolizer_lookup (symbolizer, lookup_pc, &symbol);

      location->mapping_id = tables_mapping (tables, symbol.mapping);
      if (found && symbol.function != NULL)
        {
          GzMapping *mapping = gz_profile_get_mapping (tables->profile, location->mapping_id);
          GzLine line;

          /* Inlined functions first, as pprof wants: innermost first. */
          for (guint i = 0; i < symbol.n_inlined; i++)
            {
              const GzInlineFrame *frame = &symbol.inlined[i];

              line.function_id = tables_function (tables, frame->function, frame->file,
                                                  frame->start_line);
              line.line = frame->line;
              g_array_append_val (location->lines, line);
            }
          line.function_id = tables_function (tables, symbol.function, symbol.file,
                                              symbol.start_line);
          line.line = symbol.line;
          g_array_append_val (location->lines, line);

          if (mapping != NULL)
            {
              if (symbol.file != NULL)
                mapping->has_filenames = TRUE;
              if (symbol.line > 0)
                mapping->has_line_numbers = TRUE;
              if (symbol.n_inlined > 0)
                mapping->has_inline_frames = TRUE;
            }
        }
    }
  g_ptr_array_add (tables->profile->locations, location);
  g_hash_table_insert (table, g_memdup2 (&pc, sizeof pc), GSIZE_TO_POINTER (location->id));
  return location->id;
}

static guint64
tables_named_location (Tables     *tables,
                       const char *name)
{
  GzLocation *location;
  GzLine line;
  gpointer id;

  if (g_hash_table_lookup_extended (tables->named_locs, name, NULL, &id))
    return GPOINTER_TO_SIZE (id);

  location = gz_location_new ();
  location->id = tables->profile->locations->len + 1;
  line.function_id = tables_function (tables, name, NULL, 0);
  line.line = 0;
  g_array_append_val (location->lines, line);
  g_ptr_array_add (tables->profile->locations, location);
  g_hash_table_insert (tables->named_locs, g_strdup (name), GSIZE_TO_POINTER (location->id));
  return location->id;
}

/* The executable's own mapping first: pprof takes mapping 1 for the main binary. Then the
 * mappings that samples use, in address order. */
static void
add_mappings (Tables           *tables,
              GzProfileBuilder *self,
              GzSymbolizer     *symbolizer)
{
  const GPtrArray *all = gz_symbolizer_get_mappings (symbolizer);
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->samples->len; i++)
    {
      BuilderSample *sample = g_ptr_array_index (self->samples, i);

      if (sample->pcs == NULL)
        continue;
      for (guint j = 0; j < sample->n_frames; j++)
        {
          GzSymbol symbol = { 0, };
          gboolean exact = j == 0 && (sample->flags & GZ_STACK_FLAGS_LEAF_EXACT);
          guint64 pc = sample->pcs[j];

          gz_symbolizer_lookup (symbolizer, exact || pc == 0 ? pc : pc - 1, &symbol);
          if (symbol.mapping != NULL)
            g_hash_table_add (used, (gpointer) symbol.mapping);
        }
    }

  for (guint i = 0; i < all->len; i++)
    {
      const GzSymbolMapping *sm = g_ptr_array_index (all, i);

      if (sm->main_executable)
        tables_mapping (tables, sm);
    }
  for (guint i = 0; i < all->len; i++)
    {
      const GzSymbolMapping *sm = g_ptr_array_index (all, i);

      if (g_hash_table_contains (used, sm))
        tables_mapping (tables, sm);
    }
}

GzProfile *
gz_profile_builder_finish (GzProfileBuilder *self,
                           GzSymbolizer     *symbolizer,
                           GError          **error)
{
  g_autoptr(GzProfile) profile = NULL;
  const TypeInfo *info;
  Tables tables;
  gboolean has_pcs = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (!self->finished, NULL);

  self->finished = TRUE;
  info = &type_info[self->type];

  for (guint i = 0; i < self->samples->len && !has_pcs; i++)
    has_pcs = ((BuilderSample *) g_ptr_array_index (self->samples, i))->pcs != NULL;

  /* The process-wide symbolizer: what it read for earlier profiles (modules, debug
   * information, addresses) is not read again. */
  if (symbolizer == NULL && has_pcs)
    {
      g_autoptr(GError) local_error = NULL;

      symbolizer = gz_symbolizer_get_default (&local_error);
      if (symbolizer == NULL)
        {
          /* Unsymbolized addresses are still a valid profile; say why names are missing. */
          g_warning ("Profile written without function names: %s", local_error->message);
        }
    }

  profile = gz_profile_new ();
  for (guint i = 0; i < self->n_sample_types; i++)
    g_ptr_array_add (profile->sample_types,
                     gz_value_type_new (info->sample_types[i].type, info->sample_types[i].unit));
  profile->period_type.type = g_strdup (info->period_type.type);
  profile->period_type.unit = g_strdup (info->period_type.unit);
  profile->period = self->period;
  profile->default_sample_type = g_strdup (info->default_sample_type);
  for (guint i = 0; i < self->comments->len; i++)
    g_ptr_array_add (profile->comments, g_strdup (g_ptr_array_index (self->comments, i)));

  if (self->time_nanos != 0)
    {
      profile->time_nanos = self->time_nanos;
      profile->duration_nanos = self->duration_nanos;
    }
  else
    {
      gint64 now = g_get_real_time ();
      gint64 elapsed = g_get_monotonic_time () - self->start_monotonic;

      profile->duration_nanos = self->duration_nanos != 0 ? self->duration_nanos
                                                          : elapsed * 1000;
      profile->time_nanos = now * 1000 - profile->duration_nanos;
    }

  tables.profile = profile;
  tables.mappings = g_hash_table_new (NULL, NULL);
  tables.functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  tables.return_locs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  tables.exact_locs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  tables.named_locs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (symbolizer != NULL)
    add_mappings (&tables, self, symbolizer);

  for (guint i = 0; i < self->samples->len; i++)
    {
      BuilderSample *bs = g_ptr_array_index (self->samples, i);
      GzSample *sample = gz_sample_new ();

      for (guint j = 0; j < bs->n_frames; j++)
        {
          guint64 id;

          if (bs->pcs != NULL)
            id = tables_location (&tables, symbolizer, bs->pcs[j],
                                  j == 0 && (bs->flags & GZ_STACK_FLAGS_LEAF_EXACT));
          else
            id = tables_named_location (&tables, bs->names[j]);
          g_array_append_val (sample->location_ids, id);
        }
      g_array_append_vals (sample->values, bs->values, self->n_sample_types);
      for (guint j = 0; j < bs->n_labels; j++)
        {
          GzLabel label;

          gz_label_copy (&bs->labels[j], &label);
          g_array_append_val (sample->labels, label);
        }
      g_ptr_array_add (profile->samples, sample);
    }

  g_hash_table_unref (tables.mappings);
  g_hash_table_unref (tables.functions);
  g_hash_table_unref (tables.return_locs);
  g_hash_table_unref (tables.exact_locs);
  g_hash_table_unref (tables.named_locs);

  if (!gz_profile_validate (profile, error))
    return NULL;

  return g_steal_pointer (&profile);
}

void
gz_stack_records_add_to_builder (GArray           *records,
                                 GzProfileBuilder *builder)
{
  for (guint i = 0; i < records->len; i++)
    {
      const GzStackRecord *record = &g_array_index (records, GzStackRecord, i);

      gz_profile_builder_add_sample (builder, record->pcs, record->n_pcs, record->flags,
                                     record->values, NULL, 0);
    }
}
