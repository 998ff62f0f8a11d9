/* gz-profile-validate.c: the rules pprof and continuous-profiling engines apply to a profile,
 * checked on the model before it is written and after it is read. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-profile.h"

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID, "Invalid profile: %s", message);
  return FALSE;
}

static gboolean
is_empty (const char *str)
{
  return str == NULL || str[0] == '\0';
}

static gboolean
validate_tables (GzProfile *self,
                 GError   **error)
{
  for (guint i = 0; i < self->mappings->len; i++)
    {
      GzMapping *mapping = g_ptr_array_index (self->mappings, i);

      if (mapping->id != i + 1)
        return invalid (error, "mapping %u has id %" G_GUINT64_FORMAT ", expected %u "
                        "(ids are 1..N in table order)", i, mapping->id, i + 1);
    }

  for (guint i = 0; i < self->functions->len; i++)
    {
      GzFunction *function = g_ptr_array_index (self->functions, i);

      if (function->id != i + 1)
        return invalid (error, "function %u has id %" G_GUINT64_FORMAT ", expected %u "
                        "(ids are 1..N in table order)", i, function->id, i + 1);
    }

  for (guint i = 0; i < self->locations->len; i++)
    {
      GzLocation *location = g_ptr_array_index (self->locations, i);

      if (location->id != i + 1)
        return invalid (error, "location %u has id %" G_GUINT64_FORMAT ", expected %u "
                        "(ids are 1..N in table order)", i, location->id, i + 1);
      if (location->mapping_id != 0 && gz_profile_get_mapping (self, location->mapping_id) == NULL)
        return invalid (error, "location %" G_GUINT64_FORMAT " refers to mapping %"
                        G_GUINT64_FORMAT ", which does not exist", location->id,
                        location->mapping_id);
      for (guint j = 0; j < location->lines->len; j++)
        {
          GzLine *line = &g_array_index (location->lines, GzLine, j);

          if (gz_profile_get_function (self, line->function_id) == NULL)
            return invalid (error, "line %u of location %" G_GUINT64_FORMAT " refers to "
                            "function %" G_GUINT64_FORMAT ", which does not exist", j,
                            location->id, line->function_id);
        }
    }

  return TRUE;
}

static gboolean
validate_samples (GzProfile             *self,
                  GzProfileValidateFlags flags,
                  GError               **error)
{
  guint n_types = self->sample_types->len;

  for (guint i = 0; i < self->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (self->samples, i);

      if (sample->values->len != n_types)
        return invalid (error, "sample %u has %u values, expected one per sample type (%u)",
                        i, sample->values->len, n_types);
      if (sample->location_ids->len == 0 && !(flags & GZ_PROFILE_VALIDATE_ALLOW_EMPTY_STACKS))
        return invalid (error, "sample %u has no location", i);
      for (guint j = 0; j < sample->location_ids->len; j++)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, j);

          if (gz_profile_get_location (self, id) == NULL)
            return invalid (error, "sample %u refers to location %" G_GUINT64_FORMAT
                            ", which does not exist", i, id);
        }
      for (guint j = 0; j < sample->labels->len; j++)
        {
          GzLabel *label = &g_array_index (sample->labels, GzLabel, j);

          if (is_empty (label->key))
            return invalid (error, "label %u of sample %u has no key", j, i);
        }
    }

  return TRUE;
}

gboolean
gz_profile_validate (GzProfile *self,
                     GError   **error)
{
  return gz_profile_validate_with_flags (self, GZ_PROFILE_VALIDATE_DEFAULT, error);
}

gboolean
gz_profile_validate_with_flags (GzProfile             *self,
                                GzProfileValidateFlags flags,
                                GError               **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->sample_types->len == 0)
    return invalid (error, "it has no sample type");

  for (guint i = 0; i < self->sample_types->len; i++)
    {
      GzValueType *vt = g_ptr_array_index (self->sample_types, i);

      if (is_empty (vt->type) || is_empty (vt->unit))
        return invalid (error, "sample type %u has an empty type or unit (\"%s\"/\"%s\")", i,
                        vt->type ? vt->type : "", vt->unit ? vt->unit : "");
    }

  if (self->period != 0 && (is_empty (self->period_type.type) || is_empty (self->period_type.unit)))
    return invalid (error, "period is %" G_GINT64_FORMAT " but the period type is not set",
                    self->period);

  if (!is_empty (self->default_sample_type) &&
      gz_profile_find_sample_type (self, self->default_sample_type) < 0)
    return invalid (error, "default sample type \"%s\" is none of the sample types",
                    self->default_sample_type);

  if (self->duration_nanos < 0)
    return invalid (error, "negative duration (%" G_GINT64_FORMAT " ns)", self->duration_nanos);

  for (guint i = 0; i < self->comments->len; i++)
    if (g_ptr_array_index (self->comments, i) == NULL)
      return invalid (error, "comment %u is NULL", i);

  return validate_tables (self, error) && validate_samples (self, flags, error);
}
