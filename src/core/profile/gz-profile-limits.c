/* gz-profile-limits.c: the caps on a profile's file and decompressed sizes, and the memory bound
 * of decoding checked on the wire format (protobuf-c allocates a structure per message: an empty
 * Sample is 2 bytes on the wire and some 300 bytes decoded, so a gzip of millions of them would
 * take gigabytes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-profile.h"
#include "gz-profile-limits.h"
#include "gz-units.h"
#include "profile.pb-c.h"

static gboolean
size_from_env (const char *name,
               guint64     fallback,
               guint64    *out,
               GError    **error)
{
  const char *text = g_getenv (name);
  guint64 value;
  char *end = NULL;

  if (text == NULL || *text == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  value = g_ascii_strtoull (text, &end, 10);
  if (end != text && g_ascii_isdigit (*text))
    {
      guint shift = 0;

      switch (g_ascii_toupper (*end))
        {
        case 'K': shift = 10; end++; break;
        case 'M': shift = 20; end++; break;
        case 'G': shift = 30; end++; break;
        default: break;
        }
      if (shift != 0 && (*end == 'i' || *end == 'I'))
        end++;
      if (shift != 0 && (*end == 'b' || *end == 'B'))
        end++;
      if (*end == '\0' && value > 0 && value <= (G_MAXUINT64 >> 30))
        {
          *out = value << shift;
          return TRUE;
        }
    }
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
               "%s=“%s” is not a size: use bytes or a number with K, M or G (“512M”)",
               name, text);
  return FALSE;
}

gboolean
gz_profile_limits_max_file_size (guint64  *out,
                                 GError  **error)
{
  return size_from_env ("GZ_PROFILE_MAX_FILE_SIZE", GZ_PROFILE_DEFAULT_MAX_FILE_SIZE, out,
                        error);
}

gboolean
gz_profile_limits_max_decompressed_size (guint64  *out,
                                         GError  **error)
{
  return size_from_env ("GZ_PROFILE_MAX_DECOMPRESSED_SIZE",
                        GZ_PROFILE_DEFAULT_MAX_DECOMPRESSED_SIZE, out, error);
}

guint64
gz_profile_limits_alloc_cost (guint64 size)
{
  /* glibc: 8 bytes of header, 16-byte granules, 32 bytes at least */
  return MAX ((size + 8 + 15) & ~(guint64) 15, 32);
}

/* What a GArray or GPtrArray header costs (GRealArray: data, len, alloc, elt_size, flags, ref). */
#define ARRAY_COST    gz_profile_limits_alloc_cost (40)
/* A slot in the model's GPtrArray (doubling: up to twice) and in protobuf-c's array. */
#define SLOTS_COST    (2 * sizeof (gpointer) + sizeof (gpointer))
/* An id renumbered: a dense table of up to 4 slots per id, or a hash entry with its key. */
#define ID_COST       96

typedef enum
{
  KIND_PROFILE,
  KIND_VALUE_TYPE,
  KIND_SAMPLE,
  KIND_LABEL,
  KIND_MAPPING,
  KIND_LOCATION,
  KIND_LINE,
  KIND_FUNCTION,
  KIND_N,
} Kind;

static const char *const kind_names[KIND_N] = {
  "messages", "sample types", "samples", "labels", "mappings",
  "locations", "lines", "functions",
};

typedef struct
{
  guint64 cost;
  guint64 count[KIND_N];
  guint64 cost_of[KIND_N];
  guint64 strings;
} Estimate;

static gboolean
read_varint (const guint8 **p,
             const guint8  *end,
             guint64       *out)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 70; shift += 7)
    {
      guint8 byte;

      if (*p >= end)
        return FALSE;
      byte = *(*p)++;
      if (shift < 64)
        value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        {
          *out = value;
          return TRUE;
        }
    }
  return FALSE;
}

/* What one message of @kind costs decoded, beyond its fields. */
static guint64
message_cost (Kind kind)
{
  switch (kind)
    {
    case KIND_VALUE_TYPE:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__ValueType)) +
             gz_profile_limits_alloc_cost (sizeof (GzValueType)) + SLOTS_COST;
    case KIND_SAMPLE:
      /* protobuf-c's arrays of ids and values, the model's three GArrays and their data */
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Sample)) +
             gz_profile_limits_alloc_cost (sizeof (GzSample)) + 3 * ARRAY_COST +
             4 * gz_profile_limits_alloc_cost (0) + SLOTS_COST;
    case KIND_LABEL:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Label)) +
             2 * sizeof (GzLabel) + sizeof (gpointer);
    case KIND_MAPPING:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Mapping)) +
             gz_profile_limits_alloc_cost (sizeof (GzMapping)) + SLOTS_COST + ID_COST;
    case KIND_LOCATION:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Location)) +
             gz_profile_limits_alloc_cost (sizeof (GzLocation)) + ARRAY_COST +
             2 * gz_profile_limits_alloc_cost (0) + SLOTS_COST + ID_COST;
    case KIND_LINE:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Line)) +
             2 * sizeof (GzLine) + sizeof (gpointer);
    case KIND_FUNCTION:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Function)) +
             gz_profile_limits_alloc_cost (sizeof (GzFunction)) + SLOTS_COST + ID_COST;
    case KIND_PROFILE:
    case KIND_N:
    default:
      return gz_profile_limits_alloc_cost (sizeof (Perftools__Profiles__Profile));
    }
}

/* The kind of the sub-message in field @number of a @kind, or KIND_N. */
static Kind
sub_message (Kind    kind,
             guint64 number)
{
  switch (kind)
    {
    case KIND_PROFILE:
      switch (number)
        {
        case 1: return KIND_VALUE_TYPE;
        case 2: return KIND_SAMPLE;
        case 3: return KIND_MAPPING;
        case 4: return KIND_LOCATION;
        case 5: return KIND_FUNCTION;
        case 11: return KIND_VALUE_TYPE;
        default: return KIND_N;
        }
    case KIND_SAMPLE:
      return number == 3 ? KIND_LABEL : KIND_N;
    case KIND_LOCATION:
      return number == 4 ? KIND_LINE : KIND_N;
    case KIND_VALUE_TYPE:
    case KIND_LABEL:
    case KIND_MAPPING:
    case KIND_LINE:
    case KIND_FUNCTION:
    case KIND_N:
    default:
      return KIND_N;
    }
}

/* Repeated numbers: 8 bytes in protobuf-c's array, up to 16 in the model's GArray (comments:
 * a pointer and a string, counted as the decoder copies it). */
static gboolean
repeated_number (Kind    kind,
                 guint64 number)
{
  return (kind == KIND_SAMPLE && (number == 1 || number == 2)) ||
         (kind == KIND_PROFILE && number == 13);
}

/* FALSE on broken wire format; stops early (TRUE) once the estimate is over @limit. */
static gboolean
scan (Kind          kind,
      const guint8 *p,
      const guint8 *end,
      guint64       limit,
      Estimate     *estimate)
{
  estimate->count[kind]++;
  estimate->cost_of[kind] += message_cost (kind);
  estimate->cost += message_cost (kind);

  while (p < end && estimate->cost <= limit)
    {
      guint64 key, number, value, len = 0;
      guint wire;
      Kind sub;

      if (!read_varint (&p, end, &key))
        return FALSE;
      number = key >> 3;
      wire = key & 7;
      if (number == 0)
        return FALSE;
      switch (wire)
        {
        case 0:
          if (!read_varint (&p, end, &value))
            return FALSE;
          break;
        case 1:
          if (end - p < 8)
            return FALSE;
          p += 8;
          break;
        case 5:
          if (end - p < 4)
            return FALSE;
          p += 4;
          break;
        case 2:
          if (!read_varint (&p, end, &len) || len > (guint64) (end - p))
            return FALSE;
          break;
        default:
          return FALSE; /* groups: protobuf-c refuses them too */
        }

      if (repeated_number (kind, number))
        {
          guint64 n = 1;

          if (wire == 2)
            {
              n = 0;
              for (guint64 i = 0; i < len; i++)
                n += (p[i] & 0x80) == 0;
            }
          estimate->cost += n * 24;
          estimate->cost_of[kind] += n * 24;
        }
      else if (wire == 2 && (sub = sub_message (kind, number)) != KIND_N)
        {
          if (!scan (sub, p, p + len, limit, estimate))
            return FALSE;
        }
      else if (wire == 2 && kind == KIND_PROFILE && number == 6)
        {
          estimate->strings++;
          estimate->cost += sizeof (gpointer) + gz_profile_limits_alloc_cost (len + 1);
        }
      else if (number > 14 || (kind != KIND_PROFILE && number > 10))
        {
          /* an unknown field: protobuf-c keeps a copy of it */
          estimate->cost += gz_profile_limits_alloc_cost (len) + 24;
        }
      if (wire == 2)
        p += len;
    }
  return TRUE;
}

static guint64
bound (gsize len)
{
  return GZ_PROFILE_MEMORY_FACTOR * (guint64) len + GZ_PROFILE_MEMORY_SLACK;
}

static gboolean
too_large (gsize       len,
           const char *what,
           GError    **error)
{
  g_autofree char *memory = gz_units_format_bytes ((double) bound (len));
  g_autofree char *size = gz_units_format_bytes ((double) len);

  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_TOO_LARGE,
               "refused: decoding its %s would take more than %s of memory, %d times its size "
               "(%s); it looks like a decompression bomb",
               size, memory, GZ_PROFILE_MEMORY_FACTOR, what);
  return FALSE;
}

static gboolean
too_large_counts (gsize          len,
                  const guint64 *count,
                  const guint64 *cost_of,
                  GError       **error)
{
  g_autofree char *what = NULL;
  Kind most = KIND_VALUE_TYPE;

  for (Kind kind = KIND_VALUE_TYPE; kind < KIND_N; kind++)
    if ((cost_of != NULL ? cost_of[kind] : count[kind] * message_cost (kind)) >
        (cost_of != NULL ? cost_of[most] : count[most] * message_cost (most)))
      most = kind;
  what = g_strdup_printf ("%" G_GUINT64_FORMAT " %s or more", count[most], kind_names[most]);
  return too_large (len, what, error);
}

gboolean
gz_profile_limits_check_estimate (guint64     estimate,
                                  gsize       len,
                                  const char *what,
                                  GError    **error)
{
  if (estimate > bound (len))
    return too_large (len, what, error);
  return TRUE;
}

gboolean
gz_profile_limits_check_message (const guint8 *data,
                                 gsize         len,
                                 guint64      *budget_left,
                                 GError      **error)
{
  Estimate estimate = { 0, };

  if (!scan (KIND_PROFILE, data, data + len, bound (len), &estimate))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
                   "Not a valid pprof profile: %s",
                   "the data is not a profile.proto message (truncated or another format)");
      return FALSE;
    }
  if (estimate.cost > bound (len))
    return too_large_counts (len, estimate.count, estimate.cost_of, error);
  *budget_left = bound (len) - estimate.cost;
  return TRUE;
}

enum
{
  COUNTER_KEY,
  COUNTER_VARINT,
  COUNTER_LENGTH,
  COUNTER_SKIP,
  COUNTER_DONE, /* broken wire format: the full scan will say so */
};

static gboolean
counter_varint (GzProfileWireCounter *self,
                guint8                byte)
{
  if (self->shift < 64)
    self->value |= (guint64) (byte & 0x7f) << self->shift;
  self->shift += 7;
  if ((byte & 0x80) == 0)
    return TRUE;
  if (self->shift >= 70)
    self->state = COUNTER_DONE;
  return FALSE;
}

void
gz_profile_wire_counter_feed (GzProfileWireCounter *self,
                              const guint8         *data,
                              gsize                 len)
{
  G_STATIC_ASSERT (G_N_ELEMENTS (self->count) == KIND_N);
  const guint8 *p = data, *end = data + len;

  while (p < end && self->state != COUNTER_DONE)
    {
      if (self->state == COUNTER_SKIP)
        {
          guint64 n = MIN (self->skip, (guint64) (end - p));

          p += n;
          self->skip -= n;
          if (self->skip == 0)
            self->state = COUNTER_KEY;
          continue;
        }
      if (!counter_varint (self, *p++))
        continue;

      switch (self->state)
        {
        case COUNTER_KEY:
          self->key = self->value;
          switch (self->key & 7)
            {
            case 0: self->state = COUNTER_VARINT; break;
            case 1: self->state = COUNTER_SKIP; self->skip = 8; break;
            case 2: self->state = COUNTER_LENGTH; break;
            case 5: self->state = COUNTER_SKIP; self->skip = 4; break;
            default: self->state = COUNTER_DONE; break;
            }
          break;
        case COUNTER_VARINT:
          self->state = COUNTER_KEY;
          break;
        case COUNTER_LENGTH:
          {
            Kind kind = sub_message (KIND_PROFILE, self->key >> 3);

            if (kind != KIND_N)
              {
                self->count[kind]++;
                self->cost += message_cost (kind);
              }
            else if ((self->key >> 3) == 6)
              self->cost += sizeof (gpointer) + gz_profile_limits_alloc_cost (self->value + 1);
            self->skip = self->value;
            self->state = self->skip > 0 ? COUNTER_SKIP : COUNTER_KEY;
          }
          break;
        default:
          break;
        }
      self->value = 0;
      self->shift = 0;
    }
}

gboolean
gz_profile_wire_counter_check (GzProfileWireCounter *self,
                               gsize                 len,
                               GError              **error)
{
  if (self->cost > bound (len))
    return too_large_counts (len, self->count, NULL, error);
  return TRUE;
}
