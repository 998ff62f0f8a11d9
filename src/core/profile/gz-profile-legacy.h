/* gz-profile-legacy.h: gperftools' legacy CPU profile (the binary file CPUPROFILE= writes, see
 * gperftools' docs/cpuprofile-fileformat.html) read into the one profile model. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-profile.h"

G_BEGIN_DECLS

/* Whether @data starts like a legacy CPU profile (header words 0, 3, 0 in 64- or 32-bit
 * little-endian). A profile.proto never does: its first byte is a field tag, never 0. */
gboolean    gz_profile_legacy_detect     (const guint8 *data,
                                          gsize         len);
/* The samples as pprof reads them: sample types samples/count and cpu/nanoseconds, period
 * from the header, non-leaf addresses minus one (the call instruction), the leaf frame that
 * the signal handler duplicates dropped, mappings from the /proc/self/maps text after the
 * trailer. The file carries no symbols: locations have addresses and mappings, no lines. */
GzProfile  *gz_profile_legacy_decode     (const guint8 *data,
                                          gsize         len,
                                          GError      **error);

G_END_DECLS
