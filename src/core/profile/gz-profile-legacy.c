/* gz-profile-legacy.c: gperftools' legacy CPU profile (binary header, records of count + stack,
 * trailer, then the text of /proc/self/maps) to the one profile model, as pprof reads it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gz-profile-legacy.h"
#include "gz-profile-limits.h"

/* Larger stacks than gperftools writes (kMaxStackDepth 254) are corrupt. */
#define MAX_STACK_DEPTH 1024

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  guint         word; /* 8 or 4 */
} Reader;

static gboolean
read_word (Reader  *r,
           guint64 *out)
{
  if (r->len - r->pos < r->word)
    return FALSE;
  if (r->word == 8)
    {
      guint64 v;

      memcpy (&v, r->data + r->pos, 8);
      *out = GUINT64_FROM_LE (v);
    }
  else
    {
      guint32 v;

      memcpy (&v, r->data + r->pos, 4);
      *out = GUINT32_FROM_LE (v);
    }
  r->pos += r->word;
  return TRUE;
}

static gboolean
header_at (const guint8 *data,
           gsize         len,
           guint         word)
{
  Reader r = { data, len, 0, word };
  guint64 w[3];

  for (guint i = 0; i < 3; i++)
    if (!read_word (&r, &w[i]))
      return FALSE;
  return w[0] == 0 && w[1] == 3 && w[2] == 0;
}

gboolean
gz_profile_legacy_detect (const guint8 *data,
                          gsize         len)
{
  return header_at (data, len, 8) || header_at (data, len, 4);
}

static gboolean
corrupt (GError    **error,
         const char *what)
{
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
               "Not a valid gperftools CPU profile: %s", what);
  return FALSE;
}

/* One line of /proc/self/maps: "start-end perms offset dev inode [path]"; executable mappings
 * with a path are kept (as pprof does). */
static void
add_mapping (GzProfile  *profile,
             const char *line)
{
  g_autoptr(GzMapping) mapping = NULL;
  guint64 start, end, offset;
  char perms[8] = "";
  char *p;
  const char *path;
  int consumed = 0;

  if (sscanf (line, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %7s %"
              G_GINT64_MODIFIER "x %*s %*s %n", &start, &end, perms, &offset, &consumed) < 4 ||
      consumed == 0 || strchr (perms, 'x') == NULL || end <= start)
    return;
  path = line + consumed;
  while (*path == ' ')
    path++;
  if (*path == '\0')
    return;

  mapping = gz_mapping_new ();
  mapping->id = profile->mappings->len + 1;
  mapping->memory_start = start;
  mapping->memory_limit = end;
  mapping->file_offset = offset;
  mapping->filename = g_strdup (path);
  p = strchr (mapping->filename, '\n');
  if (p != NULL)
    *p = '\0';
  g_ptr_array_add (profile->mappings, g_steal_pointer (&mapping));
}

/* The mappings by start address: a binary search when they do not overlap (as /proc/self/maps
 * never does), else the first that holds the address in file order, as pprof picks it. */
typedef struct
{
  GPtrArray *sorted; /* GzMapping, not owned */
  gboolean   disjoint;
} MappingIndex;

/* More overlapping mappings than this would make every lookup a long scan. */
#define MAX_OVERLAPPING_MAPPINGS 1024

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  const GzMapping *ma = *(GzMapping * const *) a;
  const GzMapping *mb = *(GzMapping * const *) b;

  return ma->memory_start < mb->memory_start ? -1 : ma->memory_start > mb->memory_start;
}

static void
mapping_index_init (MappingIndex *index,
                    GzProfile    *profile)
{
  index->sorted = g_ptr_array_new ();
  for (guint i = 0; i < profile->mappings->len; i++)
    g_ptr_array_add (index->sorted, g_ptr_array_index (profile->mappings, i));
  g_ptr_array_sort (index->sorted, compare_start);
  index->disjoint = TRUE;
  for (guint i = 1; i < index->sorted->len; i++)
    {
      GzMapping *prev = g_ptr_array_index (index->sorted, i - 1);
      GzMapping *next = g_ptr_array_index (index->sorted, i);

      if (prev->memory_limit > next->memory_start)
        index->disjoint = FALSE;
    }
}

static void
mapping_index_clear (MappingIndex *index)
{
  g_clear_pointer (&index->sorted, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MappingIndex, mapping_index_clear)

static guint64
mapping_of (MappingIndex *index,
            GzProfile    *profile,
            guint64       address)
{
  if (index->disjoint)
    {
      guint lo = 0, hi = index->sorted->len;
      GzMapping *m;

      /* the last mapping that starts at or below @address */
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (((GzMapping *) g_ptr_array_index (index->sorted, mid))->memory_start <= address)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo == 0)
        return 0;
      m = g_ptr_array_index (index->sorted, lo - 1);
      return address < m->memory_limit ? m->id : 0;
    }
  for (guint i = 0; i < profile->mappings->len; i++)
    {
      GzMapping *m = g_ptr_array_index (profile->mappings, i);

      if (address >= m->memory_start && address < m->memory_limit)
        return m->id;
    }
  return 0;
}

/* What a sample and a location cost in memory (gz-profile-limits.h), beyond their arrays. */
#define SAMPLE_COST   320
#define LOCATION_COST 320

/* The location id for @address, made on first use; 0 when @budget has no room for one. */
static guint64
location_for (GzProfile    *profile,
              MappingIndex *mappings,
              GHashTable   *by_address,
              guint64       address,
              guint64      *budget)
{
  gpointer id = g_hash_table_lookup (by_address, &address);
  GzLocation *location;

  if (id != NULL)
    return GPOINTER_TO_SIZE (id);
  if (*budget < LOCATION_COST)
    return 0;
  *budget -= LOCATION_COST;
  location = gz_location_new ();
  location->id = profile->locations->len + 1;
  location->address = address;
  location->mapping_id = mapping_of (mappings, profile, address);
  g_ptr_array_add (profile->locations, location);
  g_hash_table_insert (by_address, g_memdup2 (&address, sizeof address),
                       GSIZE_TO_POINTER (location->id));
  return location->id;
}

GzProfile *
gz_profile_legacy_decode (const guint8 *data,
                          gsize         len,
                          GError      **error)
{
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GHashTable) by_address = NULL;
  g_autoptr(GArray) pcs = g_array_new (FALSE, FALSE, sizeof (guint64));
  Reader r = { data, len, 0, 8 };
  guint64 header[5];
  guint64 budget = 0;
  g_auto(MappingIndex) mappings = { NULL, TRUE };
  gint64 period_ns;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!header_at (data, len, 8))
    r.word = 4;
  for (guint i = 0; i < 5; i++)
    if (!read_word (&r, &header[i]))
      {
        corrupt (error, "the header is truncated");
        return NULL;
      }
  if (header[0] != 0 || header[1] != 3 || header[2] != 0)
    {
      corrupt (error, "the header is not 0, 3, 0");
      return NULL;
    }
  if (header[3] == 0 || header[3] > G_USEC_PER_SEC * 60)
    {
      corrupt (error, "the sampling period is not between 1 µs and a minute");
      return NULL;
    }
  period_ns = (gint64) header[3] * 1000;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("samples", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  profile->period_type.type = g_strdup ("cpu");
  profile->period_type.unit = g_strdup ("nanoseconds");
  profile->period = period_ns;

  /* The records come before the maps text, but locations need the mappings: find the trailer
   * first, read the maps, then the records. */
  {
    Reader scan = r;
    gsize records_end = 0;
    guint64 records = 0, frames = 0, estimate;
    g_autofree char *maps = NULL;
    char *line;

    for (;;)
      {
        guint64 count, depth, pc;

        if (!read_word (&scan, &count) || !read_word (&scan, &depth))
          {
            corrupt (error, "the trailer is missing (truncated file)");
            return NULL;
          }
        if (depth > MAX_STACK_DEPTH)
          {
            corrupt (error, "a stack is deeper than 1024 frames");
            return NULL;
          }
        if (count == 0 && depth == 1)
          {
            if (!read_word (&scan, &pc) || pc != 0)
              {
                corrupt (error, "the trailer is not 0, 1, 0");
                return NULL;
              }
            records_end = scan.pos;
            break;
          }
        if (depth == 0 || (len - scan.pos) / scan.word < depth)
          {
            corrupt (error, "a record is truncated or has no frames");
            return NULL;
          }
        scan.pos += depth * scan.word;
        records++;
        frames += depth;
      }

    /* samples and their stacks now; locations as they are made (at most one per frame) */
    estimate = records * SAMPLE_COST + frames * 2 * sizeof (guint64);
    if (!gz_profile_limits_check_estimate (estimate, len, "records", error))
      return NULL;
    budget = GZ_PROFILE_MEMORY_FACTOR * (guint64) len + GZ_PROFILE_MEMORY_SLACK - estimate;

    /* line by line in place (a split would take a pointer and an allocation per line) */
    maps = g_strndup ((const char *) data + records_end, len - records_end);
    for (line = maps; line != NULL; )
      {
        char *newline = strchr (line, '\n');

        if (newline != NULL)
          *newline = '\0';
        add_mapping (profile, line);
        line = newline != NULL ? newline + 1 : NULL;
      }
  }

  mapping_index_init (&mappings, profile);
  if (!mappings.disjoint && profile->mappings->len > MAX_OVERLAPPING_MAPPINGS)
    {
      corrupt (error, "its maps have more than 1024 executable mappings that overlap");
      return NULL;
    }
  by_address = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (;;)
    {
      g_autoptr(GzSample) sample = NULL;
      guint64 count = 0, depth = 0;
      gint64 values[2];
      guint first = 0;

      /* the scan above checked every record up to the trailer */
      read_word (&r, &count);
      read_word (&r, &depth);
      if (count == 0 && depth == 1)
        break;
      g_array_set_size (pcs, 0);
      for (guint64 i = 0; i < depth; i++)
        {
          guint64 pc = 0;

          read_word (&r, &pc);
          g_array_append_val (pcs, pc);
        }
      if (count > G_MAXINT64 / (guint64) period_ns)
        {
          corrupt (error, "a sample count is too large");
          return NULL;
        }

      /* The signal handler's pc and the unwound leaf can be the same frame (pprof drops it). */
      if (pcs->len > 1 && g_array_index (pcs, guint64, 0) == g_array_index (pcs, guint64, 1))
        first = 1;
      sample = gz_sample_new ();
      for (guint i = first; i < pcs->len; i++)
        {
          guint64 pc = g_array_index (pcs, guint64, i);
          guint64 id;

          /* return addresses: the call instruction is the byte before */
          if (i > 0 && pc > 0)
            pc--;
          id = location_for (profile, &mappings, by_address, pc, &budget);
          if (id == 0)
            {
              g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_TOO_LARGE,
                           "refused: its locations would take more than %d times its size in "
                           "memory", GZ_PROFILE_MEMORY_FACTOR);
              return NULL;
            }
          g_array_append_val (sample->location_ids, id);
        }
      values[0] = (gint64) count;
      values[1] = (gint64) count * period_ns;
      g_array_append_vals (sample->values, values, 2);
      g_ptr_array_add (profile->samples, g_steal_pointer (&sample));
    }

  return g_steal_pointer (&profile);
}
