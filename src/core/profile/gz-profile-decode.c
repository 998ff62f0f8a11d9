/* gz-profile-decode.c: gzip-compressed or raw profile.proto (ours or Go's), or gperftools'
 * legacy CPU profile, to the model, with every string index and id checked: a corrupt file is
 * an error, never a crash. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <zlib.h>

#include "gz-profile.h"
#include "gz-profile-legacy.h"
#include "gz-profile-limits.h"
#include "gz-units.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;

static gboolean
corrupt (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
corrupt (GError    **error,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
               "Not a valid pprof profile: %s", message);
  return FALSE;
}

static gboolean
too_large (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
too_large (GError    **error,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_TOO_LARGE, message);
  return FALSE;
}

/* Inflates into @out (@out_len bytes; NULL: only counts, into a scratch buffer, and feeds
 * @counter), refusing more than @max bytes. The size of the output in @total. */
static gboolean
inflate_to (const guint8         *data,
            gsize                 len,
            guint8               *out,
            gsize                 out_len,
            guint64               max,
            GzProfileWireCounter *counter,
            gsize                *total,
            GError              **error)
{
  z_stream zs = { 0, };
  guint8 scratch[65536];
  int ret;

  /* 15 + 32: zlib or gzip header, detected. */
  if (inflateInit2 (&zs, 15 + 32) != Z_OK)
    return corrupt (error, "could not start gzip decompression");

  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  do
    {
      if (out == NULL)
        {
          zs.next_out = scratch;
          zs.avail_out = sizeof scratch;
        }
      else
        {
          zs.next_out = out + zs.total_out;
          zs.avail_out = out_len - zs.total_out;
        }
      ret = inflate (&zs, Z_NO_FLUSH);
      if (counter != NULL)
        gz_profile_wire_counter_feed (counter, scratch, sizeof scratch - zs.avail_out);
      if (zs.total_out > max)
        {
          g_autofree char *max_text = gz_units_format_bytes ((double) max);

          inflateEnd (&zs);
          return too_large (error, "it decompresses to more than %s: set "
                            "GZ_PROFILE_MAX_DECOMPRESSED_SIZE to read it", max_text);
        }
    }
  while (ret == Z_OK);

  if (ret != Z_STREAM_END)
    {
      const char *why = ret == Z_BUF_ERROR ? "the gzip data is truncated"
                                           : (zs.msg ? zs.msg : "bad gzip data");

      corrupt (error, "%s", why);
      inflateEnd (&zs);
      return FALSE;
    }
  *total = zs.total_out;
  inflateEnd (&zs);
  return TRUE;
}

/* Two passes, the first only counting: memory is the decompressed size, never more (a growing
 * buffer would take up to twice that, and ASan keeps the old ones), and a bomb of small
 * messages is refused before that is taken. */
static GBytes *
gunzip (const guint8 *data,
        gsize         len,
        GError      **error)
{
  GzProfileWireCounter counter = { 0, };
  g_autofree guint8 *out = NULL;
  guint64 max;
  gsize size = 0;
  gsize written = 0;

  if (!gz_profile_limits_max_decompressed_size (&max, error) ||
      !inflate_to (data, len, NULL, 0, max, &counter, &size, error) ||
      !gz_profile_wire_counter_check (&counter, size, error))
    return NULL;
  out = g_malloc (MAX (size, 1));
  if (!inflate_to (data, len, out, MAX (size, 1), size, NULL, &written, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&out), written);
}

typedef struct
{
  const PbProfile *pb;
  GError         **error;
  guint64          budget; /* memory left for strings (gz-profile-limits.h) */
} Decoder;

/* @index into the string table; @what names the field for the error. Index 0 gives @empty. */
static gboolean
get_string (Decoder    *dec,
            gint64      index,
            const char *what,
            gboolean    null_when_empty,
            char      **out)
{
  if (index < 0 || (guint64) index >= dec->pb->n_string_table)
    return corrupt (dec->error, "%s refers to string %" G_GINT64_FORMAT ", but the string "
                    "table has %" G_GSIZE_FORMAT " entries", what, index,
                    dec->pb->n_string_table);
  if (index == 0 && null_when_empty)
    {
      *out = NULL;
      return TRUE;
    }
  else
    {
      guint64 cost = gz_profile_limits_alloc_cost (strlen (dec->pb->string_table[index]) + 1);

      /* one long string named by millions of references would be millions of copies */
      if (cost > dec->budget)
        return too_large (dec->error, "refused: its strings would take more than %d times its "
                          "size in memory; it looks like a decompression bomb",
                          GZ_PROFILE_MEMORY_FACTOR);
      dec->budget -= cost;
      *out = g_strdup (dec->pb->string_table[index]);
      return TRUE;
    }
}

/* The file's ids mapped to 1..N in table order. Go and gz write ids 1..N already, and most
 * writers keep them small: a dense table then, a hash only for sparse ids. */
typedef struct
{
  guint64    *dense;  /* dense[id] = new id, 0: none; NULL when sparse */
  guint64     n_dense;
  GHashTable *sparse; /* id -> new id */
} IdMap;

static void
id_map_clear (IdMap *map)
{
  g_clear_pointer (&map->dense, g_free);
  g_clear_pointer (&map->sparse, g_hash_table_unref);
}

/* 0 and duplicates are errors. */
static gboolean
renumber (Decoder    *dec,
          const char *what,
          gsize       n,
          guint64   (*get_id) (const PbProfile *pb, gsize i),
          IdMap      *map)
{
  guint64 max_id = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint64 id = get_id (dec->pb, i);

      if (id == 0)
        return corrupt (dec->error, "%s %" G_GSIZE_FORMAT " has id 0", what, i);
      max_id = MAX (max_id, id);
    }

  if (max_id <= 4 * (guint64) n + 1024)
    {
      map->n_dense = max_id + 1;
      map->dense = g_new0 (guint64, map->n_dense);
      for (gsize i = 0; i < n; i++)
        {
          guint64 id = get_id (dec->pb, i);

          if (map->dense[id] != 0)
            return corrupt (dec->error, "two %ss have id %" G_GUINT64_FORMAT, what, id);
          map->dense[id] = i + 1;
        }
      return TRUE;
    }

  map->sparse = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (gsize i = 0; i < n; i++)
    {
      guint64 id = get_id (dec->pb, i);

      if (g_hash_table_contains (map->sparse, &id))
        return corrupt (dec->error, "two %ss have id %" G_GUINT64_FORMAT, what, id);
      g_hash_table_insert (map->sparse, g_memdup2 (&id, sizeof id), GSIZE_TO_POINTER (i + 1));
    }
  return TRUE;
}

static guint64
mapping_id (const PbProfile *pb,
            gsize            i)
{
  return pb->mapping[i]->id;
}

static guint64
location_id (const PbProfile *pb,
             gsize            i)
{
  return pb->location[i]->id;
}

static guint64
function_id (const PbProfile *pb,
             gsize            i)
{
  return pb->function[i]->id;
}

static inline gboolean
resolve (Decoder    *dec,
         IdMap      *map,
         guint64     id,
         const char *what,
         guint64    *out)
{
  gpointer new_id;

  if (map->dense != NULL)
    {
      if (id < map->n_dense && map->dense[id] != 0)
        {
          *out = map->dense[id];
          return TRUE;
        }
    }
  else if (g_hash_table_lookup_extended (map->sparse, &id, NULL, &new_id))
    {
      *out = GPOINTER_TO_SIZE (new_id);
      return TRUE;
    }
  return corrupt (dec->error, "%s refers to id %" G_GUINT64_FORMAT ", which does not exist",
                  what, id);
}

/* Everything after the ids, into @profile. */
static gboolean
convert_tables (Decoder   *dec,
                GzProfile *profile,
                IdMap     *mapping_ids,
                IdMap     *location_ids,
                IdMap     *function_ids)
{
  const PbProfile *pb = dec->pb;

  for (gsize i = 0; i < pb->n_sample_type; i++)
    {
      g_autoptr(GzValueType) vt = g_new0 (GzValueType, 1);

      if (!get_string (dec, pb->sample_type[i]->type, "sample type", FALSE, &vt->type) ||
          !get_string (dec, pb->sample_type[i]->unit, "sample type unit", FALSE, &vt->unit))
        return FALSE;
      g_ptr_array_add (profile->sample_types, g_steal_pointer (&vt));
    }

  for (gsize i = 0; i < pb->n_mapping; i++)
    {
      const Perftools__Profiles__Mapping *pm = pb->mapping[i];
      g_autoptr(GzMapping) mapping = gz_mapping_new ();

      mapping->id = i + 1;
      mapping->memory_start = pm->memory_start;
      mapping->memory_limit = pm->memory_limit;
      mapping->file_offset = pm->file_offset;
      if (!get_string (dec, pm->filename, "mapping file name", FALSE, &mapping->filename) ||
          !get_string (dec, pm->build_id, "mapping build ID", TRUE, &mapping->build_id))
        return FALSE;
      mapping->has_functions = pm->has_functions;
      mapping->has_filenames = pm->has_filenames;
      mapping->has_line_numbers = pm->has_line_numbers;
      mapping->has_inline_frames = pm->has_inline_frames;
      g_ptr_array_add (profile->mappings, g_steal_pointer (&mapping));
    }

  for (gsize i = 0; i < pb->n_function; i++)
    {
      const Perftools__Profiles__Function *pf = pb->function[i];
      g_autoptr(GzFunction) function = gz_function_new ();

      function->id = i + 1;
      if (!get_string (dec, pf->name, "function name", FALSE, &function->name) ||
          !get_string (dec, pf->system_name, "function system name", TRUE,
                       &function->system_name) ||
          !get_string (dec, pf->filename, "function file name", TRUE, &function->filename))
        return FALSE;
      function->start_line = pf->start_line;
      g_ptr_array_add (profile->functions, g_steal_pointer (&function));
    }

  for (gsize i = 0; i < pb->n_location; i++)
    {
      const Perftools__Profiles__Location *pl = pb->location[i];
      g_autoptr(GzLocation) location = gz_location_new ();

      location->id = i + 1;
      location->address = pl->address;
      location->is_folded = pl->is_folded;
      if (pl->mapping_id != 0 &&
          !resolve (dec, mapping_ids, pl->mapping_id, "a location", &location->mapping_id))
        return FALSE;
      for (gsize j = 0; j < pl->n_line; j++)
        {
          GzLine line = { 0, };

          if (!resolve (dec, function_ids, pl->line[j]->function_id, "a location's line",
                        &line.function_id))
            return FALSE;
          line.line = pl->line[j]->line;
          g_array_append_val (location->lines, line);
        }
      g_ptr_array_add (profile->locations, g_steal_pointer (&location));
    }

  for (gsize i = 0; i < pb->n_sample; i++)
    {
      const Perftools__Profiles__Sample *ps = pb->sample[i];
      g_autoptr(GzSample) sample = gz_sample_new ();

      for (gsize j = 0; j < ps->n_location_id; j++)
        {
          guint64 id;

          if (!resolve (dec, location_ids, ps->location_id[j], "a sample", &id))
            return FALSE;
          g_array_append_val (sample->location_ids, id);
        }
      g_array_append_vals (sample->values, ps->value, ps->n_value);
      for (gsize j = 0; j < ps->n_label; j++)
        {
          const Perftools__Profiles__Label *pl = ps->label[j];
          GzLabel label = { 0, };

          if (!get_string (dec, pl->key, "label key", FALSE, &label.key) ||
              !get_string (dec, pl->str, "label value", TRUE, &label.str) ||
              !get_string (dec, pl->num_unit, "label unit", TRUE, &label.num_unit))
            {
              gz_label_clear (&label);
              return FALSE;
            }
          label.num = pl->num;
          g_array_append_val (sample->labels, label);
        }
      g_ptr_array_add (profile->samples, g_steal_pointer (&sample));
    }

  if (!get_string (dec, pb->drop_frames, "drop_frames", TRUE, &profile->drop_frames) ||
      !get_string (dec, pb->keep_frames, "keep_frames", TRUE, &profile->keep_frames) ||
      !get_string (dec, pb->default_sample_type, "default_sample_type", TRUE,
                   &profile->default_sample_type))
    return FALSE;
  if (pb->period_type != NULL &&
      (!get_string (dec, pb->period_type->type, "period type", TRUE, &profile->period_type.type) ||
       !get_string (dec, pb->period_type->unit, "period unit", TRUE, &profile->period_type.unit)))
    return FALSE;
  for (gsize i = 0; i < pb->n_comment; i++)
    {
      char *comment;

      if (!get_string (dec, pb->comment[i], "a comment", FALSE, &comment))
        return FALSE;
      g_ptr_array_add (profile->comments, comment);
    }
  profile->time_nanos = pb->time_nanos;
  profile->duration_nanos = pb->duration_nanos;
  profile->period = pb->period;

  return TRUE;
}

static GzProfile *
convert (const PbProfile *pb,
         guint64          budget,
         GError         **error)
{
  g_autoptr(GzProfile) profile = gz_profile_new ();
  IdMap mapping_ids = { 0, };
  IdMap location_ids = { 0, };
  IdMap function_ids = { 0, };
  Decoder dec = { pb, error, budget };
  gboolean converted = FALSE;

  if (pb->n_string_table == 0 || pb->string_table[0] == NULL || pb->string_table[0][0] != '\0')
    {
      corrupt (error, "the string table does not start with an empty string");
      return NULL;
    }

  if (renumber (&dec, "mapping", pb->n_mapping, mapping_id, &mapping_ids) &&
      renumber (&dec, "location", pb->n_location, location_id, &location_ids) &&
      renumber (&dec, "function", pb->n_function, function_id, &function_ids))
    converted = convert_tables (&dec, profile, &mapping_ids, &location_ids, &function_ids);
  id_map_clear (&mapping_ids);
  id_map_clear (&location_ids);
  id_map_clear (&function_ids);
  return converted ? g_steal_pointer (&profile) : NULL;
}

GzProfile *
gz_profile_decode (GBytes  *bytes,
                   GError **error)
{
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GzProfile) profile = NULL;
  PbProfile *pb;
  const guint8 *data;
  guint64 max_file, max_decompressed, budget = 0;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      corrupt (error, "the file is empty");
      return NULL;
    }
  if (!gz_profile_limits_max_file_size (&max_file, error) ||
      !gz_profile_limits_max_decompressed_size (&max_decompressed, error))
    return NULL;
  if (len > max_file)
    {
      g_autofree char *max_text = gz_units_format_bytes ((double) max_file);

      too_large (error, "it is more than %s: set GZ_PROFILE_MAX_FILE_SIZE to read it",
                 max_text);
      return NULL;
    }
  if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      raw = gunzip (data, len, error);
      if (raw == NULL)
        return NULL;
    }
  else if (len > max_decompressed)
    {
      g_autofree char *max_text = gz_units_format_bytes ((double) max_decompressed);

      too_large (error, "it is more than %s: set GZ_PROFILE_MAX_DECOMPRESSED_SIZE to read it",
                 max_text);
      return NULL;
    }
  else
    raw = g_bytes_ref (bytes);

  data = g_bytes_get_data (raw, &len);
  if (gz_profile_legacy_detect (data, len))
    {
      profile = gz_profile_legacy_decode (data, len, error);
      if (profile == NULL ||
          !gz_profile_validate_with_flags (profile, GZ_PROFILE_VALIDATE_ALLOW_EMPTY_STACKS, error))
        return NULL;
      return g_steal_pointer (&profile);
    }
  /* refused before protobuf-c allocates a structure per message */
  if (!gz_profile_limits_check_message (data, len, &budget, error))
    return NULL;
  pb = perftools__profiles__profile__unpack (NULL, len, data);
  if (pb == NULL)
    {
      corrupt (error, "the data is not a profile.proto message (truncated or another format)");
      return NULL;
    }
  profile = convert (pb, budget, error);
  perftools__profiles__profile__free_unpacked (pb, NULL);
  if (profile == NULL)
    return NULL;

  if (!gz_profile_validate_with_flags (profile, GZ_PROFILE_VALIDATE_ALLOW_EMPTY_STACKS, error))
    return NULL;

  return g_steal_pointer (&profile);
}
