/* gz-pprof-query.c: parses the query parameters of net/http/pprof as Go does. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-pprof-query.h"
#include "gz-pprof-server.h"

/* Go's rules: a positive integer; ours add a ceiling. */
gboolean
gz_pprof_query_parse_seconds (const char  *text,
                              gint64      *seconds,
                              char       **problem)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      *problem = g_strdup ("invalid value for \"seconds\" - must be a positive integer");
      return FALSE;
    }
  if (value > GZ_PPROF_SERVER_MAX_SECONDS)
    {
      *problem = g_strdup_printf ("invalid value for \"seconds\" - at most %d (one hour) on "
                                  "this server", GZ_PPROF_SERVER_MAX_SECONDS);
      return FALSE;
    }
  *seconds = (gint64) value;
  return TRUE;
}

gboolean
gz_pprof_query_parse_debug (const char  *text,
                            int         *debug,
                            char       **problem)
{
  gint64 value;

  if (text == NULL || text[0] == '\0')
    {
      *debug = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, 0, 2, &value, NULL))
    {
      *problem = g_strdup ("invalid value for \"debug\" - must be 0, 1 or 2");
      return FALSE;
    }
  *debug = (int) value;
  return TRUE;
}

const char *
gz_pprof_query_get (GHashTable *query,
                    const char *key)
{
  return query != NULL ? g_hash_table_lookup (query, key) : NULL;
}
