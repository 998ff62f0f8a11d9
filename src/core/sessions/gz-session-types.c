/* gz-session-types.c: the error domain, and copying, freeing and summarizing the records a
 * session and the registry exchange. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-session-types.h"

#define TOP_ENTRIES 5

G_DEFINE_QUARK (gz-session-error-quark, gz_session_error)

GzSessionInfo *
gz_session_info_copy (const GzSessionInfo *info)
{
  GzSessionInfo *copy = g_new0 (GzSessionInfo, 1);

  *copy = *info;
  copy->id = g_strdup (info->id);
  copy->target.spec = g_strdup (info->target.spec);
  copy->output_path = g_strdup (info->output_path);
  return copy;
}

void
gz_session_info_free (GzSessionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->target.spec);
  g_free (info->output_path);
  g_free (info);
}

static void
clear_top_entry (gpointer data)
{
  g_free (((GzTopEntry *) data)->name);
}

static GArray *
top_array_new (void)
{
  GArray *top = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));

  g_array_set_clear_func (top, clear_top_entry);
  return top;
}

GzSessionSummary *
gz_session_summary_new (const char *id,
                        const char *path)
{
  GzSessionSummary *summary = g_new0 (GzSessionSummary, 1);

  summary->id = g_strdup (id);
  summary->path = g_strdup (path);
  summary->top = top_array_new ();
  return summary;
}

/* The sample type a summary ranks by: the profile's default, else the type's natural one. */
static int
summary_sample_index (GzProfile *profile)
{
  static const char * const preferred[] = {
    "cpu", "inuse_space", "delay", "goroutine", "threadcreate", "contentions", "samples",
  };
  int index;

  if (profile->default_sample_type != NULL && *profile->default_sample_type != '\0')
    {
      index = gz_profile_find_sample_type (profile, profile->default_sample_type);
      if (index >= 0)
        return index;
    }
  for (guint i = 0; i < G_N_ELEMENTS (preferred); i++)
    {
      index = gz_profile_find_sample_type (profile, preferred[i]);
      if (index >= 0)
        return index;
    }
  return profile->sample_types->len > 0 ? (int) profile->sample_types->len - 1 : -1;
}

GzSessionSummary *
gz_session_summary_new_for_profile (const char *id,
                                    const char *path,
                                    GzProfile  *profile,
                                    gint64      size)
{
  GzSessionSummary *summary = gz_session_summary_new (id, path);
  int index = summary_sample_index (profile);
  int samples_index = gz_profile_find_sample_type (profile, "samples");

  summary->size = size;
  summary->duration_nanos = profile->duration_nanos;
  if (samples_index >= 0)
    summary->n_samples = gz_profile_total (profile, samples_index);
  else
    summary->n_samples = profile->samples->len;
  if (index >= 0)
    {
      const GzValueType *vt = g_ptr_array_index (profile->sample_types, index);
      GArray *top = gz_profile_top (profile, index, TOP_ENTRIES);

      summary->sample_type = g_strdup_printf ("%s/%s", vt->type, vt->unit);
      summary->total = gz_profile_total (profile, index);
      if (top != NULL)
        {
          g_array_unref (summary->top);
          summary->top = top;
        }
    }
  return summary;
}

GzSessionSummary *
gz_session_summary_copy (const GzSessionSummary *summary)
{
  GzSessionSummary *copy = g_new0 (GzSessionSummary, 1);

  *copy = *summary;
  copy->id = g_strdup (summary->id);
  copy->path = g_strdup (summary->path);
  copy->sample_type = g_strdup (summary->sample_type);
  copy->top = top_array_new ();
  for (guint i = 0; summary->top != NULL && i < summary->top->len; i++)
    {
      GzTopEntry entry = g_array_index (summary->top, GzTopEntry, i);

      entry.name = g_strdup (entry.name);
      g_array_append_val (copy->top, entry);
    }
  return copy;
}

void
gz_session_summary_free (GzSessionSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->path);
  g_free (summary->sample_type);
  g_clear_pointer (&summary->top, g_array_unref);
  g_free (summary);
}
