/* gz-viewer-loader.h: what the Viewer shows, made on a worker: a profile (and a base) read and
 * decoded, one sample type chosen, its call tree built; then per-function totals and the callers and
 * callees of one function. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-profile-tree.h"

G_BEGIN_DECLS

typedef struct
{
  GzProfile     *profile;
  GzProfile     *base;  /* NULL without a diff */
  guint          index; /* the sample type shown */
  GzProfileTree *tree;
} GzViewerLoad;

void          gz_viewer_load_free   (GzViewerLoad        *self);

/* Reads @file unless @profile is given, and @base_file unless @base is given (neither: no
 * diff); shows @sample_type (NULL: the profile's default, else its last, as pprof does) and
 * builds the tree, all on a worker. A base without that sample type is an error. */
void          gz_viewer_load_async  (GFile               *file,
                                     GzProfile           *profile,
                                     GFile               *base_file,
                                     GzProfile           *base,
                                     const char          *sample_type,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GzViewerLoad *gz_viewer_load_finish (GAsyncResult        *result,
                                     GError             **error);

/* gz_profile_tree_get_functions () of @tree on a worker (a walk of the whole tree): the top
 * table's rows, filled in after the flame graph is drawn. */
void          gz_viewer_functions_async  (GzProfileTree       *tree,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GArray       *gz_viewer_functions_finish (GAsyncResult        *result,
                                          GError             **error);

/* The callers and callees trees of function @name in @tree, built on a worker (they walk the
 * whole tree). Both NULL when no frame has that name. */
void          gz_viewer_sandwich_async  (GzProfileTree       *tree,
                                         guint32              name,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean      gz_viewer_sandwich_finish (GAsyncResult        *result,
                                         GzProfileTree      **callers,
                                         GzProfileTree      **callees,
                                         GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzViewerLoad, gz_viewer_load_free)

G_END_DECLS
