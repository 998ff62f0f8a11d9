/* fuzz-query.c: libFuzzer target for the pprof server's query strings: libsoup's form decoding
 * (what the server hands the handlers), then net/http/pprof's seconds and debug parameters as
 * the handlers check them, and the '+'-separated address list of /debug/pprof/symbol: any bytes
 * are a value or a 400's text, never a crash, a leak or a hang. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <libsoup/soup.h>

#include "gz-pprof-query.h"
#include "gz-pprof-server.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GHashTable) query = soup_form_decode (text);
  g_auto(GStrv) words = g_strsplit (text, "+", -1);
  g_autofree char *problem = NULL;
  gint64 seconds = 0;
  int debug = -1;

  if (gz_pprof_query_parse_seconds (gz_pprof_query_get (query, "seconds"), &seconds, &problem))
    {
      g_assert_null (problem);
      g_assert_cmpint (seconds, >=, 1);
      g_assert_cmpint (seconds, <=, GZ_PPROF_SERVER_MAX_SECONDS);
    }
  else
    g_assert_nonnull (problem);
  g_clear_pointer (&problem, g_free);

  if (gz_pprof_query_parse_debug (gz_pprof_query_get (query, "debug"), &debug, &problem))
    {
      g_assert_null (problem);
      g_assert_cmpint (debug, >=, 0);
      g_assert_cmpint (debug, <=, 2);
    }
  else
    g_assert_nonnull (problem);

  for (guint i = 0; words[i] != NULL; i++)
    (void) g_ascii_strtoull (g_strstrip (words[i]), NULL, 0);
  return 0;
}
