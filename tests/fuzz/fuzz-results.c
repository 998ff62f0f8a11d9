/* fuzz-results.c: libFuzzer target for stored benchmark results (a label's JSON file in the
 * results store): any bytes decode to a result set or fail with GZ_RESULTS_ERROR_CORRUPT, never
 * a crash, a leak or a hang; a set that decodes is written again, and what is written reads
 * back (the store must read every file it writes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "gz-results-codec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static GzResultSet *
decode (const char *text,
        gsize       length,
        GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL))
    return NULL;
  return gz_results_codec_set_from_json (json_parser_get_root (parser), "fuzz.json", error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzResultSet) set = NULL;
  g_autoptr(GzResultSet) again = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  set = decode ((const char *) data, size, &error);
  if (set == NULL)
    {
      if (error != NULL)
        g_assert_true (g_error_matches (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT));
      return 0;
    }
  g_assert_no_error (error);
  text = gz_results_codec_set_to_text (set, &length);
  g_assert_nonnull (text);
  again = decode (text, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (gz_result_set_n_samples (again), ==, gz_result_set_n_samples (set));
  return 0;
}
