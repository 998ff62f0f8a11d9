/* gz-viewer-loader.c: reading, decoding and building the Viewer's tree on a worker, so that a
 * large profile never freezes the window. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-viewer-loader.h"

typedef struct
{
  GFile     *file;
  GzProfile *profile;
  GFile     *base_file;
  GzProfile *base;
  char      *sample_type;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_clear_object (&request->file);
  g_clear_pointer (&request->profile, gz_profile_unref);
  g_clear_object (&request->base_file);
  g_clear_pointer (&request->base, gz_profile_unref);
  g_free (request->sample_type);
  g_free (request);
}

void
gz_viewer_load_free (GzViewerLoad *self)
{
  g_clear_pointer (&self->profile, gz_profile_unref);
  g_clear_pointer (&self->base, gz_profile_unref);
  g_clear_pointer (&self->tree, gz_profile_tree_unref);
  g_free (self);
}

/* Regular files only, within the size caps (gz_profile_read_gfile): a FIFO is one line at
 * once, never a worker blocked in read () and "Loading…" for ever. */
static GzProfile *
read_profile (GFile        *file,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  GzProfile *profile;

  profile = gz_profile_read_gfile (file, cancellable, &local_error);
  if (profile != NULL)
    return profile;
  /* that one names the file and the fix already */
  if (g_error_matches (local_error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_NOT_REGULAR))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_set_error (error, local_error->domain, local_error->code,
               /* Translators: a file name, then why it could not be read. */
               _("“%s” is not a profile that can be shown: %s"), name, local_error->message);
  return NULL;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(GzViewerLoad) load = g_new0 (GzViewerLoad, 1);
  GError *error = NULL;
  GzValueType *type;
  int index = -1;
  int base_index = 0;

  load->profile = request->profile != NULL ? gz_profile_ref (request->profile)
                                           : read_profile (request->file, cancellable,
                                                           &error);
  if (load->profile == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (request->base != NULL)
    load->base = gz_profile_ref (request->base);
  else if (request->base_file != NULL
           && (load->base = read_profile (request->base_file, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  if (load->profile->sample_types->len == 0)
    {
      g_task_return_new_error (task, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID,
                               _("The profile has no sample types"));
      return;
    }
  if (request->sample_type != NULL)
    index = gz_profile_find_sample_type (load->profile, request->sample_type);
  if (index < 0 && load->profile->default_sample_type != NULL)
    index = gz_profile_find_sample_type (load->profile, load->profile->default_sample_type);
  if (index < 0)
    index = load->profile->sample_types->len - 1;
  load->index = index;

  type = g_ptr_array_index (load->profile->sample_types, index);
  if (load->base != NULL)
    {
      base_index = gz_profile_find_sample_type (load->base, type->type);
      if (base_index < 0)
        {
          g_task_return_new_error (task, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID,
                                   _("The base profile has no “%s” samples to compare with"),
                                   type->type);
          return;
        }
    }

  load->tree = gz_profile_tree_new (load->profile, index, load->base, base_index);
  g_task_return_pointer (task, g_steal_pointer (&load), (GDestroyNotify) gz_viewer_load_free);
}

void
gz_viewer_load_async (GFile               *file,
                      GzProfile           *profile,
                      GFile               *base_file,
                      GzProfile           *base,
                      const char          *sample_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadRequest *request;

  g_return_if_fail (file != NULL || profile != NULL);

  request = g_new0 (LoadRequest, 1);
  request->file = file != NULL ? g_object_ref (file) : NULL;
  request->profile = profile != NULL ? gz_profile_ref (profile) : NULL;
  request->base_file = base_file != NULL ? g_object_ref (base_file) : NULL;
  request->base = base != NULL ? gz_profile_ref (base) : NULL;
  request->sample_type = g_strdup (sample_type);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_viewer_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_thread);
}

GzViewerLoad *
gz_viewer_load_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
functions_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_task_return_pointer (task, gz_profile_tree_get_functions (task_data),
                         (GDestroyNotify) g_array_unref);
}

void
gz_viewer_functions_async (GzProfileTree       *tree,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gz_viewer_functions_async);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, gz_profile_tree_ref (tree), (GDestroyNotify) gz_profile_tree_unref);
  g_task_run_in_thread (task, functions_thread);
}

GArray *
gz_viewer_functions_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GzProfileTree *callers;
  GzProfileTree *callees;
} Sandwich;

static void
sandwich_free (Sandwich *sandwich)
{
  g_clear_pointer (&sandwich->callers, gz_profile_tree_unref);
  g_clear_pointer (&sandwich->callees, gz_profile_tree_unref);
  g_free (sandwich);
}

static void
sandwich_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GzProfileTree *tree = task_data;
  Sandwich *sandwich = g_new0 (Sandwich, 1);
  guint32 name = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "name"));

  /* The tree is read-only once built: reading it here while the window draws it is safe. */
  sandwich->callers = gz_profile_tree_new_callers (tree, name);
  if (sandwich->callers != NULL && !g_cancellable_is_cancelled (cancellable))
    sandwich->callees = gz_profile_tree_new_callees (tree, name);
  if (g_task_return_error_if_cancelled (task))
    sandwich_free (sandwich);
  else
    g_task_return_pointer (task, sandwich, (GDestroyNotify) sandwich_free);
}

void
gz_viewer_sandwich_async (GzProfileTree       *tree,
                          guint32              name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gz_viewer_sandwich_async);
  g_task_set_task_data (task, gz_profile_tree_ref (tree), (GDestroyNotify) gz_profile_tree_unref);
  g_object_set_data (G_OBJECT (task), "name", GUINT_TO_POINTER (name));
  g_task_run_in_thread (task, sandwich_thread);
}

gboolean
gz_viewer_sandwich_finish (GAsyncResult   *result,
                           GzProfileTree **callers,
                           GzProfileTree **callees,
                           GError        **error)
{
  Sandwich *sandwich = g_task_propagate_pointer (G_TASK (result), error);

  if (sandwich == NULL)
    return FALSE;
  *callers = g_steal_pointer (&sandwich->callers);
  *callees = g_steal_pointer (&sandwich->callees);
  sandwich_free (sandwich);
  return TRUE;
}
