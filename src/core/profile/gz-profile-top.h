/* gz-profile-top.h: flat and cumulative totals per function, like `pprof -top`: the same
 * values, sorting, node dropping, focus and base (diff) semantics. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-profile.h"

G_BEGIN_DECLS

/* Flat and cumulative totals per function name for sample type @index, sorted by flat,
 * largest first; like `pprof -top`. */
typedef enum
{
  GZ_TOP_CALLED = 0,        /* called only (or a root) */
  GZ_TOP_INLINED,           /* only ever inlined into its callers: pprof's "(inline)" */
  GZ_TOP_PARTIALLY_INLINED, /* inlined at some call sites: "(partial-inline)" */
} GzTopInlining;

typedef struct
{
  char         *name;
  gint64        flat;
  gint64        cum;
  GzTopInlining inlining; /* from the stacks' frames; pprof also forgets calls below 0.1 % */
} GzTopEntry;

/* Returns a GArray of GzTopEntry (freeing it frees the names); @max_entries 0 means all.
 * A location without lines is named by its address. Recursion counts once in cum. */
GArray     *gz_profile_top                (GzProfile    *self,
                                           guint         index,
                                           guint         max_entries);
/* The name gz_profile_top() uses for @location: its innermost function, or its address. */
char       *gz_profile_location_name      (GzProfile    *self,
                                           GzLocation   *location);

/* What `pprof -top` takes. Zero-initialised options mean: the default sample type, every
 * node, sorted by flat, no focus, no base, no node dropping. */
typedef struct
{
  const char *sample_type;   /* NULL: default_sample_type, else the last one (as pprof) */
  guint       node_count;    /* 0: all nodes */
  gboolean    sort_by_cum;
  GRegex     *focus;         /* keep samples with a frame whose function name, file name or
                              * mapping file matches; NULL: all */
  GzProfile  *base;          /* subtracted like pprof's -diff_base; NULL: none */
  double      node_fraction; /* drop nodes whose |cum| < total × this (pprof: 0.005) */
} GzTopOptions;

typedef struct
{
  GArray *entries;       /* GzTopEntry: the shown nodes, sorted */
  guint   sample_index;  /* the sample type used */
  gint64  total;         /* pprof's total: sum of |value| (of the base's samples with a base) */
  gint64  shown;         /* sum of the shown entries' flat */
  gint64  drop_cutoff;   /* |total × node_fraction|, as pprof prints it */
  guint   n_dropped;     /* nodes dropped by node_fraction */
  guint   n_kept;        /* nodes left after dropping, before node_count */
} GzTopReport;

/* The whole `pprof -top` analysis. Fails (GZ_PROFILE_ERROR_INVALID) when the sample type is
 * not in the profile (the message lists those that are) or not in the base. */
GzTopReport *gz_profile_top_report        (GzProfile          *self,
                                           const GzTopOptions *options,
                                           GError            **error);
void         gz_top_report_free           (GzTopReport        *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzTopReport, gz_top_report_free)

G_END_DECLS
