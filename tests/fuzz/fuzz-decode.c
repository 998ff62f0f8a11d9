/* fuzz-decode.c: libFuzzer target for the profile decoder: any bytes (gzip or raw profile.proto,
 * or gperftools' legacy CPU format) decode to a profile or to an error, never a crash, a leak
 * or a hang; what decodes also goes through top, which must take any valid profile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "gz-profile.h"
#include "gz-profile-top.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = gz_profile_decode (bytes, &error);

  if (profile == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);
  for (guint i = 0; i < profile->sample_types->len; i++)
    {
      g_autoptr(GzTopReport) report = NULL;
      GzValueType *vt = g_ptr_array_index (profile->sample_types, i);
      GzTopOptions options = { .sample_type = vt->type, .node_fraction = 0.005,
                               .base = profile, .sort_by_cum = i % 2 == 1 };

      report = gz_profile_top_report (profile, &options, &error);
      g_assert_no_error (error);
      g_assert_nonnull (report);
    }
  return 0;
}
