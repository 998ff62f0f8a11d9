/* gz-profile-encode.c: the model to gzip-compressed profile.proto. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <zlib.h>

#include "gz-profile.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile   PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample    PbSample;
typedef Perftools__Profiles__Label     PbLabel;
typedef Perftools__Profiles__Mapping   PbMapping;
typedef Perftools__Profiles__Location  PbLocation;
typedef Perftools__Profiles__Line      PbLine;
typedef Perftools__Profiles__Function  PbFunction;

/* The string table: index 0 is "", each string once. Strings are borrowed from the model. */
typedef struct
{
  GHashTable *index;   /* const char * -> index */
  GPtrArray  *strings; /* const char * */
} Strings;

static gint64
strings_add (Strings    *strings,
             const char *str)
{
  gpointer index;

  if (str == NULL || str[0] == '\0')
    return 0;
  if (g_hash_table_lookup_extended (strings->index, str, NULL, &index))
    return GPOINTER_TO_SIZE (index);
  index = GSIZE_TO_POINTER (strings->strings->len);
  g_ptr_array_add (strings->strings, (gpointer) str);
  g_hash_table_insert (strings->index, (gpointer) str, index);
  return GPOINTER_TO_SIZE (index);
}

static GBytes *
gzip_bytes (const guint8 *data,
            gsize         len,
            GError      **error)
{
  z_stream zs = { 0, };
  gsize capacity;
  g_autofree guint8 *out = NULL;
  int ret;

  /* 15 + 16: a gzip header and trailer, like Go's compress/gzip; BestSpeed as Go does. */
  if (deflateInit2 (&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Could not start gzip compression: %s", zs.msg ? zs.msg : "out of memory");
      return NULL;
    }
  capacity = deflateBound (&zs, len) + 32;
  out = g_malloc (capacity);
  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  zs.next_out = out;
  zs.avail_out = capacity;
  ret = deflate (&zs, Z_FINISH);
  if (ret != Z_STREAM_END)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "gzip compression failed (zlib error %d)", ret);
      deflateEnd (&zs);
      return NULL;
    }
  len = zs.total_out;
  deflateEnd (&zs);
  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), len), len);
}

GBytes *
gz_profile_encode (GzProfile *self,
                   GError   **error)
{
  PbProfile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
  PbValueType period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
  g_autofree PbValueType *sample_types = NULL;
  g_autofree PbValueType **sample_type_ptrs = NULL;
  g_autofree PbSample *samples = NULL;
  g_autofree PbSample **sample_ptrs = NULL;
  g_autofree PbLabel *labels = NULL;
  g_autofree PbLabel **label_ptrs = NULL;
  g_autofree PbMapping *mappings = NULL;
  g_autofree PbMapping **mapping_ptrs = NULL;
  g_autofree PbLocation *locations = NULL;
  g_autofree PbLocation **location_ptrs = NULL;
  g_autofree PbLine *lines = NULL;
  g_autofree PbLine **line_ptrs = NULL;
  g_autofree PbFunction *functions = NULL;
  g_autofree PbFunction **function_ptrs = NULL;
  g_autofree gint64 *comments = NULL;
  g_autofree guint8 *packed = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GPtrArray) table = NULL;
  Strings strings;
  gsize n_labels = 0;
  gsize n_lines = 0;
  gsize size;

  g_return_val_if_fail (self != NULL, NULL);

  if (!gz_profile_validate (self, error))
    return NULL;

  index = g_hash_table_new (g_str_hash, g_str_equal);
  table = g_ptr_array_new ();
  strings.index = index;
  strings.strings = table;
  g_ptr_array_add (table, (gpointer) "");

  pb.n_sample_type = self->sample_types->len;
  sample_types = g_new0 (PbValueType, pb.n_sample_type);
  sample_type_ptrs = g_new0 (PbValueType *, pb.n_sample_type);
  for (guint i = 0; i < pb.n_sample_type; i++)
    {
      GzValueType *vt = g_ptr_array_index (self->sample_types, i);

      perftools__profiles__value_type__init (&sample_types[i]);
      sample_types[i].type = strings_add (&strings, vt->type);
      sample_types[i].unit = strings_add (&strings, vt->unit);
      sample_type_ptrs[i] = &sample_types[i];
    }
  pb.sample_type = sample_type_ptrs;

  for (guint i = 0; i < self->samples->len; i++)
    n_labels += ((GzSample *) g_ptr_array_index (self->samples, i))->labels->len;
  pb.n_sample = self->samples->len;
  samples = g_new0 (PbSample, pb.n_sample);
  sample_ptrs = g_new0 (PbSample *, pb.n_sample);
  labels = g_new0 (PbLabel, n_labels);
  label_ptrs = g_new0 (PbLabel *, n_labels);
  n_labels = 0;
  for (guint i = 0; i < pb.n_sample; i++)
    {
      GzSample *sample = g_ptr_array_index (self->samples, i);
      PbSample *ps = &samples[i];

      perftools__profiles__sample__init (ps);
      /* guint64 and gint64 arrays have the layout of protobuf-c's uint64_t and int64_t. */
      ps->n_location_id = sample->location_ids->len;
      ps->location_id = (uint64_t *) (gpointer) sample->location_ids->data;
      ps->n_value = sample->values->len;
      ps->value = (int64_t *) (gpointer) sample->values->data;
      ps->n_label = sample->labels->len;
      ps->label = &label_ptrs[n_labels];
      for (guint j = 0; j < sample->labels->len; j++)
        {
          GzLabel *label = &g_array_index (sample->labels, GzLabel, j);
          PbLabel *pl = &labels[n_labels];

          perftools__profiles__label__init (pl);
          pl->key = strings_add (&strings, label->key);
          pl->str = strings_add (&strings, label->str);
          pl->num = label->num;
          pl->num_unit = strings_add (&strings, label->num_unit);
          label_ptrs[n_labels++] = pl;
        }
      sample_ptrs[i] = ps;
    }
  pb.sample = sample_ptrs;

  pb.n_mapping = self->mappings->len;
  mappings = g_new0 (PbMapping, pb.n_mapping);
  mapping_ptrs = g_new0 (PbMapping *, pb.n_mapping);
  for (guint i = 0; i < pb.n_mapping; i++)
    {
      GzMapping *mapping = g_ptr_array_index (self->mappings, i);
      PbMapping *pm = &mappings[i];

      perftools__profiles__mapping__init (pm);
      pm->id = mapping->id;
      pm->memory_start = mapping->memory_start;
      pm->memory_limit = mapping->memory_limit;
      pm->file_offset = mapping->file_offset;
      pm->filename = strings_add (&strings, mapping->filename);
      pm->build_id = strings_add (&strings, mapping->build_id);
      pm->has_functions = mapping->has_functions;
      pm->has_filenames = mapping->has_filenames;
      pm->has_line_numbers = mapping->has_line_numbers;
      pm->has_inline_frames = mapping->has_inline_frames;
      mapping_ptrs[i] = pm;
    }
  pb.mapping = mapping_ptrs;

  for (guint i = 0; i < self->locations->len; i++)
    n_lines += ((GzLocation *) g_ptr_array_index (self->locations, i))->lines->len;
  pb.n_location = self->locations->len;
  locations = g_new0 (PbLocation, pb.n_location);
  location_ptrs = g_new0 (PbLocation *, pb.n_location);
  lines = g_new0 (PbLine, n_lines);
  line_ptrs = g_new0 (PbLine *, n_lines);
  n_lines = 0;
  for (guint i = 0; i < pb.n_location; i++)
    {
      GzLocation *location = g_ptr_array_index (self->locations, i);
      PbLocation *pl = &locations[i];

      perftools__profiles__location__init (pl);
      pl->id = location->id;
      pl->mapping_id = location->mapping_id;
      pl->address = location->address;
      pl->is_folded = location->is_folded;
      pl->n_line = location->lines->len;
      pl->line = &line_ptrs[n_lines];
      for (guint j = 0; j < location->lines->len; j++)
        {
          GzLine *line = &g_array_index (location->lines, GzLine, j);
          PbLine *pline = &lines[n_lines];

          perftools__profiles__line__init (pline);
          pline->function_id = line->function_id;
          pline->line = line->line;
          line_ptrs[n_lines++] = pline;
        }
      location_ptrs[i] = pl;
    }
  pb.location = location_ptrs;

  pb.n_function = self->functions->len;
  functions = g_new0 (PbFunction, pb.n_function);
  function_ptrs = g_new0 (PbFunction *, pb.n_function);
  for (guint i = 0; i < pb.n_function; i++)
    {
      GzFunction *function = g_ptr_array_index (self->functions, i);
      PbFunction *pf = &functions[i];

      perftools__profiles__function__init (pf);
      pf->id = function->id;
      pf->name = strings_add (&strings, function->name);
      pf->system_name = strings_add (&strings, function->system_name);
      pf->filename = strings_add (&strings, function->filename);
      pf->start_line = function->start_line;
      function_ptrs[i] = pf;
    }
  pb.function = function_ptrs;

  pb.drop_frames = strings_add (&strings, self->drop_frames);
  pb.keep_frames = strings_add (&strings, self->keep_frames);
  pb.time_nanos = self->time_nanos;
  pb.duration_nanos = self->duration_nanos;
  if (self->period_type.type != NULL || self->period_type.unit != NULL)
    {
      period_type.type = strings_add (&strings, self->period_type.type);
      period_type.unit = strings_add (&strings, self->period_type.unit);
      pb.period_type = &period_type;
    }
  pb.period = self->period;
  pb.n_comment = self->comments->len;
  comments = g_new0 (gint64, pb.n_comment);
  for (guint i = 0; i < pb.n_comment; i++)
    comments[i] = strings_add (&strings, g_ptr_array_index (self->comments, i));
  pb.comment = (int64_t *) comments;
  pb.default_sample_type = strings_add (&strings, self->default_sample_type);

  pb.n_string_table = table->len;
  pb.string_table = (char **) table->pdata;

  size = perftools__profiles__profile__get_packed_size (&pb);
  packed = g_malloc (MAX (size, 1));
  perftools__profiles__profile__pack (&pb, packed);

  return gzip_bytes (packed, size, error);
}
