/* gz-results-store.h: benchmark results kept over time, one JSON file per label under the
 * results directory ($XDG_DATA_HOME/gz/results or the config's results-dir). Each run adds
 * its samples with its context; writes are atomic and serialized by a lock file; a corrupt
 * file is reported with its path and skipped. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "gz-config.h"
#include "gz-result-set.h"

G_BEGIN_DECLS

#define GZ_TYPE_RESULTS_STORE (gz_results_store_get_type ())
G_DECLARE_FINAL_TYPE (GzResultsStore, gz_results_store, GZ, RESULTS_STORE, GObject)

/* @dir: NULL for $XDG_DATA_HOME/gz/results. */
GzResultsStore *gz_results_store_new          (const char     *dir);
/* The config's results-dir. */
GzResultsStore *gz_results_store_new_for_config (GzConfig     *config);
const char     *gz_results_store_get_dir      (GzResultsStore *self);

/* Letters, digits and . _ - + (not starting with '.'), at most 100 characters. */
gboolean        gz_results_store_check_label  (const char     *label,
                                               GError        **error);
/* "run-20240131-154502", unused so far. */
char           *gz_results_store_new_label    (GzResultsStore *self);

/* Adds @run's samples to @label (created when new). Fails, changing nothing, when the label's
 * file is corrupt. */
gboolean        gz_results_store_add          (GzResultsStore *self,
                                               const char     *label,
                                               GzBenchRun     *run,
                                               GError        **error);
/* Every readable label, newest last; each unreadable file adds "PATH: why" to @problems. */
GPtrArray      *gz_results_store_list         (GzResultsStore *self,
                                               GPtrArray     **problems,
                                               GError        **error);
GzResultSet    *gz_results_store_load         (GzResultsStore *self,
                                               const char     *label,
                                               GError        **error);
gboolean        gz_results_store_delete       (GzResultsStore *self,
                                               const char     *label,
                                               GError        **error);

G_END_DECLS
