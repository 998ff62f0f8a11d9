/* gz-contention-profiler.h: the block and mutex profiles; one type, the kind chosen at
 * construction. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_CONTENTION_PROFILER (gz_contention_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzContentionProfiler, gz_contention_profiler, GZ, CONTENTION_PROFILER,
                      GzProfiler)

/* @type: GZ_PROFILE_TYPE_BLOCK or GZ_PROFILE_TYPE_MUTEX. Applies config "block-rate" or
 * "mutex-fraction"; GZ_PROFILE_ERROR_UNSUPPORTED without the pthread wrappers. */
GzProfiler *gz_contention_profiler_new (GzProfileType   type,
                                        GzConfig       *config,
                                        GError        **error);

G_END_DECLS
