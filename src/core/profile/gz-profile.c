/* gz-profile.c: the profile model: a refcounted boxed type, its parts, lookups and totals. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-object.h>

#include "gz-profile.h"

G_DEFINE_QUARK (gz-profile-error-quark, gz_profile_error)

static const char * const type_names[GZ_PROFILE_TYPE_N] = {
  [GZ_PROFILE_TYPE_CPU] = "cpu",
  [GZ_PROFILE_TYPE_MEMORY] = "memory",
  [GZ_PROFILE_TYPE_GOROUTINE] = "goroutine",
  [GZ_PROFILE_TYPE_BLOCK] = "block",
  [GZ_PROFILE_TYPE_MUTEX] = "mutex",
  [GZ_PROFILE_TYPE_THREADCREATE] = "threadcreate",
};

const char *
gz_profile_type_to_string (GzProfileType type)
{
  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);

  return type_names[type];
}

gboolean
gz_profile_type_from_string (const char    *name,
                             GzProfileType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < GZ_PROFILE_TYPE_N; i++)
    {
      if (g_str_equal (name, type_names[i]))
        {
          *type = i;
          return TRUE;
        }
    }

  /* Go's and pprof's own aliases. */
  if (g_str_equal (name, "threads"))
    {
      *type = GZ_PROFILE_TYPE_GOROUTINE;
      return TRUE;
    }
  if (g_str_equal (name, "heap"))
    {
      *type = GZ_PROFILE_TYPE_MEMORY;
      return TRUE;
    }

  return FALSE;
}

const char *
gz_profile_type_names (void)
{
  return "cpu, memory, goroutine, block, mutex, threadcreate";
}

/* The parts */

GzValueType *
gz_value_type_new (const char *type,
                   const char *unit)
{
  GzValueType *self = g_new0 (GzValueType, 1);

  self->type = g_strdup (type);
  self->unit = g_strdup (unit);
  return self;
}

void
gz_value_type_free (GzValueType *self)
{
  if (self == NULL)
    return;
  g_free (self->type);
  g_free (self->unit);
  g_free (self);
}

GzMapping *
gz_mapping_new (void)
{
  return g_new0 (GzMapping, 1);
}

void
gz_mapping_free (GzMapping *self)
{
  if (self == NULL)
    return;
  g_free (self->filename);
  g_free (self->build_id);
  g_free (self);
}

GzFunction *
gz_function_new (void)
{
  return g_new0 (GzFunction, 1);
}

void
gz_function_free (GzFunction *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->system_name);
  g_free (self->filename);
  g_free (self);
}

GzLocation *
gz_location_new (void)
{
  GzLocation *self = g_new0 (GzLocation, 1);

  self->lines = g_array_new (FALSE, TRUE, sizeof (GzLine));
  return self;
}

void
gz_location_free (GzLocation *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->lines, g_array_unref);
  g_free (self);
}

void
gz_label_clear (GzLabel *self)
{
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->str, g_free);
  g_clear_pointer (&self->num_unit, g_free);
}

void
gz_label_copy (const GzLabel *src,
               GzLabel       *dest)
{
  dest->key = g_strdup (src->key);
  dest->str = g_strdup (src->str);
  dest->num = src->num;
  dest->num_unit = g_strdup (src->num_unit);
}

GzSample *
gz_sample_new (void)
{
  GzSample *self = g_new0 (GzSample, 1);

  self->location_ids = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->values = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->labels = g_array_new (FALSE, TRUE, sizeof (GzLabel));
  g_array_set_clear_func (self->labels, (GDestroyNotify) gz_label_clear);
  return self;
}

void
gz_sample_free (GzSample *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->location_ids, g_array_unref);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->labels, g_array_unref);
  g_free (self);
}

/* The profile */

G_DEFINE_BOXED_TYPE (GzProfile, gz_profile, gz_profile_ref, gz_profile_unref)

GzProfile *
gz_profile_new (void)
{
  GzProfile *self = g_new0 (GzProfile, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->sample_types = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_value_type_free);
  self->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_sample_free);
  self->mappings = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_mapping_free);
  self->locations = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_location_free);
  self->functions = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_function_free);
  self->comments = g_ptr_array_new_with_free_func (g_free);
  return self;
}

GzProfile *
gz_profile_ref (GzProfile *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
gz_profile_unref (GzProfile *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->sample_types, g_ptr_array_unref);
  g_clear_pointer (&self->samples, g_ptr_array_unref);
  g_clear_pointer (&self->mappings, g_ptr_array_unref);
  g_clear_pointer (&self->locations, g_ptr_array_unref);
  g_clear_pointer (&self->functions, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_free (self->drop_frames);
  g_free (self->keep_frames);
  g_free (self->period_type.type);
  g_free (self->period_type.unit);
  g_free (self->default_sample_type);
  g_free (self);
}

GzLocation *
gz_profile_get_location (GzProfile *self,
                         guint64    id)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (id == 0 || id > self->locations->len)
    return NULL;
  return g_ptr_array_index (self->locations, id - 1);
}

GzFunction *
gz_profile_get_function (GzProfile *self,
                         guint64    id)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (id == 0 || id > self->functions->len)
    return NULL;
  return g_ptr_array_index (self->functions, id - 1);
}

GzMapping *
gz_profile_get_mapping (GzProfile *self,
                        guint64    id)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (id == 0 || id > self->mappings->len)
    return NULL;
  return g_ptr_array_index (self->mappings, id - 1);
}

int
gz_profile_find_sample_type (GzProfile  *self,
                             const char *type)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (type != NULL, -1);

  for (guint i = 0; i < self->sample_types->len; i++)
    {
      GzValueType *vt = g_ptr_array_index (self->sample_types, i);

      if (g_strcmp0 (vt->type, type) == 0)
        return i;
    }
  return -1;
}

gint64
gz_profile_total (GzProfile *self,
                  guint      index)
{
  gint64 total = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (self->samples, i);

      if (index < sample->values->len)
        total += g_array_index (sample->values, gint64, index);
    }
  return total;
}
