/* gz-viewer-page.h: the Viewer page of the main window: opens a pprof profile (file chooser,
 * drag and drop, the command line) and shows its flame graph, top table and callers/callees,
 * optionally against a base profile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-flame-graph.h"
#include "gz-viewer-table.h"

G_BEGIN_DECLS

#define GZ_TYPE_VIEWER_PAGE (gz_viewer_page_get_type ())
G_DECLARE_FINAL_TYPE (GzViewerPage, gz_viewer_page, GZ, VIEWER_PAGE, AdwBin)

GtkWidget    *gz_viewer_page_new                (void);
/* The Viewer page inside @ancestor (a window), or NULL. */
GzViewerPage *gz_viewer_page_find               (GtkWidget     *ancestor);

/* Reads, decodes and builds on a worker; the page shows a spinner meanwhile, then the profile
 * or what was wrong with the file. "loaded" is emitted when it is done either way. */
void          gz_viewer_page_open               (GzViewerPage  *self,
                                                 GFile         *file);
/* Compares the open profile with @file (or, while one is loading, the profile once loaded). */
void          gz_viewer_page_open_base          (GzViewerPage  *self,
                                                 GFile         *file);
void          gz_viewer_page_clear_base         (GzViewerPage  *self);
/* Asks for a file with a native file chooser: the profile, or with @base the base. */
void          gz_viewer_page_choose_file        (GzViewerPage  *self,
                                                 gboolean       base);
void          gz_viewer_page_set_sample_type    (GzViewerPage  *self,
                                                 const char    *type);
/* The callers/callees view shows @name's callers and callees. */
void          gz_viewer_page_select_function    (GzViewerPage  *self,
                                                 const char    *name);

/* "empty", "loading", "error" or "profile"; and the message shown in the error state. */
const char   *gz_viewer_page_get_state          (GzViewerPage  *self);
const char   *gz_viewer_page_get_error          (GzViewerPage  *self);
GzFlameGraph *gz_viewer_page_get_flame_graph    (GzViewerPage  *self);
GzFlameGraph *gz_viewer_page_get_callers_graph  (GzViewerPage  *self);
GzFlameGraph *gz_viewer_page_get_callees_graph  (GzViewerPage  *self);
GzViewerTable *gz_viewer_page_get_table         (GzViewerPage  *self);
/* Shows one of the views: "flame", "top" or "sandwich". */
void          gz_viewer_page_set_view           (GzViewerPage  *self,
                                                 const char    *name);

G_END_DECLS
