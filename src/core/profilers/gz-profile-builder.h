/* gz-profile-builder.h: the builder every profiler hands raw stacks to; it returns a symbolized,
 * validated profile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-profile.h"
#include "gz-stack.h"
#include "gz-symbolizer.h"

G_BEGIN_DECLS

/* The builder: profilers hand it raw stacks of program counters with values; it aggregates
 * identical stacks and, at the end, symbolizes them in-process into mappings, locations and
 * functions. */
typedef struct _GzProfileBuilder GzProfileBuilder;

/* A builder for @type sets Go's sample types, period type and default sample type:
 * cpu: samples/count, cpu/nanoseconds (period cpu/nanoseconds);
 * memory: alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes;
 * goroutine: goroutine/count; block, mutex: contentions/count, delay/nanoseconds;
 * threadcreate: threadcreate/count. */
GzProfileBuilder *gz_profile_builder_new          (GzProfileType     type);
void              gz_profile_builder_free         (GzProfileBuilder *self);
GzProfileType     gz_profile_builder_get_profile_type (GzProfileBuilder *self);
void              gz_profile_builder_set_period   (GzProfileBuilder *self,
                                                   gint64            period);
void              gz_profile_builder_set_time     (GzProfileBuilder *self,
                                                   gint64            time_nanos,
                                                   gint64            duration_nanos);
void              gz_profile_builder_add_comment  (GzProfileBuilder *self,
                                                   const char       *comment);
/* @pcs: leaf first. @values: one per sample type. Samples with the same stack, flags and
 * labels are merged (values added). An empty stack is dropped (pprof needs a location per
 * sample): give such a sample a name with gz_profile_builder_add_named_sample(). */
void              gz_profile_builder_add_sample   (GzProfileBuilder *self,
                                                   const guint64    *pcs,
                                                   guint             n_pcs,
                                                   GzStackFlags      flags,
                                                   const gint64     *values,
                                                   const GzLabel    *labels,
                                                   guint             n_labels);
/* A sample whose frames are names, not addresses (e.g. "[signals blocked]"). */
void              gz_profile_builder_add_named_sample (GzProfileBuilder *self,
                                                       const char * const *frames,
                                                       guint             n_frames,
                                                       const gint64     *values,
                                                       const GzLabel    *labels,
                                                       guint             n_labels);
/* Number of distinct samples so far. */
guint             gz_profile_builder_get_n_samples (GzProfileBuilder *self);
/* Symbolizes with @symbolizer (NULL: the calling process) and returns a validated profile.
 * The builder may be finished once. */
GzProfile        *gz_profile_builder_finish       (GzProfileBuilder *self,
                                                   GzSymbolizer     *symbolizer,
                                                   GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzProfileBuilder, gz_profile_builder_free)

/* Adds each record of @records (GArray of GzStackRecord) to @builder as a sample with the
 * record's values, one per sample type of the builder. */
void              gz_stack_records_add_to_builder (GArray           *records,
                                                   GzProfileBuilder *builder);

G_END_DECLS
