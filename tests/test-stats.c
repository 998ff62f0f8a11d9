/* test-stats.c: runtime statistics: the documented keys with plausible values, memory that
 * grows when the test allocates, and the table, JSON and YAML texts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-heap-sampler.h"
#include "gz-process-stats.h"

#define MIB (1024 * 1024)

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_object_member (object, name);
}

/* The member must exist; returns whether it holds a number (FALSE for null). */
static gboolean
has_number (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  g_assert_true (json_object_has_member (object, name));
  node = json_object_get_member (object, name);
  if (JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64 ||
                 json_node_get_value_type (node) == G_TYPE_DOUBLE);
  return TRUE;
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  g_assert_true (has_number (object, name));
  return json_object_get_int_member (object, name);
}

static void
test_collect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = gz_process_stats_collect (&error);
  g_autoptr(GDateTime) timestamp = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  JsonObject *root, *memory, *allocations, *cpu, *switches;

  g_assert_no_error (error);
  g_assert_nonnull (stats);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (stats));
  root = json_node_get_object (stats);

  timestamp = g_date_time_new_from_iso8601 (json_object_get_string_member (root, "timestamp"),
                                            NULL);
  g_assert_nonnull (timestamp);
  g_assert_cmpint (ABS (g_date_time_difference (now, timestamp)), <, 60 * G_TIME_SPAN_SECOND);

  g_assert_true (has_number (root, "uptime_seconds"));
  g_assert_cmpfloat (json_object_get_double_member (root, "uptime_seconds"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (root, "uptime_seconds"), <, 3600);
  g_assert_cmpint (get_int (root, "pid"), ==, getpid ());
  g_assert_cmpint (get_int (root, "threads"), >=, 1);
  g_assert_cmpint (get_int (root, "open_fds"), >=, 1);

  memory = member_object (root, "memory");
  g_assert_cmpint (get_int (memory, "rss_bytes"), >, MIB);
  g_assert_cmpint (get_int (memory, "peak_rss_bytes"), >=, get_int (memory, "rss_bytes"));
  g_assert_cmpint (get_int (memory, "allocator_in_use_bytes"), >, 0);
  g_assert_cmpint (get_int (memory, "heap_size_bytes"), >=,
                   get_int (memory, "allocator_in_use_bytes"));
  g_assert_true (has_number (memory, "free_bytes"));
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
  g_assert_cmpstr (json_object_get_string_member (memory, "allocator"), ==, "tcmalloc");
  g_assert_true (has_number (memory, "unmapped_bytes"));
#elif defined (__SANITIZE_ADDRESS__)
  g_assert_cmpstr (json_object_get_string_member (memory, "allocator"), ==, "asan");
  g_assert_true (has_number (memory, "unmapped_bytes"));
#else
  g_assert_cmpstr (json_object_get_string_member (memory, "allocator"), ==, "glibc");
  g_assert_false (has_number (memory, "unmapped_bytes"));
#endif

  allocations = member_object (root, "allocations");
  if (gz_heap_sampler_is_available ())
    {
      g_assert_cmpint (get_int (allocations, "total_allocs"), >, 0);
      g_assert_cmpint (get_int (allocations, "total_alloc_bytes"), >, 0);
      g_assert_cmpint (get_int (allocations, "total_frees"), <=,
                       get_int (allocations, "total_allocs"));
      g_assert_cmpint (get_int (allocations, "sampling_rate_bytes"), ==,
                       gz_heap_sampler_get_rate ());
      g_assert_true (has_number (allocations, "live_bytes_estimate"));
      g_assert_true (has_number (allocations, "live_objects_estimate"));
    }
  else
    {
      /* Never a made-up number: unknown is null. */
      g_assert_false (has_number (allocations, "total_allocs"));
      g_assert_false (has_number (allocations, "live_bytes_estimate"));
    }

  cpu = member_object (root, "cpu");
  g_assert_true (has_number (cpu, "user_seconds"));
  g_assert_true (has_number (cpu, "system_seconds"));
  g_assert_cmpfloat (json_object_get_double_member (cpu, "user_seconds") +
                     json_object_get_double_member (cpu, "system_seconds"), >, 0);

  switches = member_object (root, "context_switches");
  g_assert_cmpint (get_int (switches, "voluntary"), >=, 0);
  g_assert_cmpint (get_int (switches, "involuntary"), >=, 0);
}

static void
test_memory_grows (void)
{
  g_autoptr(JsonNode) before = gz_process_stats_collect (NULL);
  g_autoptr(JsonNode) after = NULL;
  JsonObject *m0 = json_object_get_object_member (json_node_get_object (before), "memory");
  JsonObject *m1;
  char *volatile block = malloc (50 * MIB);
  long page = sysconf (_SC_PAGESIZE);

  g_assert_nonnull (block);
  for (gsize i = 0; i < 50 * MIB; i += (gsize) page)
    block[i] = (char) i;

  after = gz_process_stats_collect (NULL);
  m1 = json_object_get_object_member (json_node_get_object (after), "memory");
  g_test_message ("rss %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT ", in use %" G_GINT64_FORMAT
                  " -> %" G_GINT64_FORMAT,
                  get_int (m0, "rss_bytes"), get_int (m1, "rss_bytes"),
                  get_int (m0, "allocator_in_use_bytes"), get_int (m1, "allocator_in_use_bytes"));
  g_assert_cmpint (get_int (m1, "rss_bytes") - get_int (m0, "rss_bytes"), >=, 45 * MIB);
  g_assert_cmpint (get_int (m1, "peak_rss_bytes"), >=, get_int (m1, "rss_bytes"));
  g_assert_cmpint (get_int (m1, "allocator_in_use_bytes") - get_int (m0, "allocator_in_use_bytes"),
                   >=, 50 * MIB);
  free (block);
}

static const char * const keys[] = {
  "timestamp", "uptime_seconds", "pid", "memory", "allocator_in_use_bytes", "heap_size_bytes",
  "free_bytes", "unmapped_bytes", "rss_bytes", "peak_rss_bytes", "allocations",
  "live_bytes_estimate", "live_objects_estimate", "total_allocs", "total_frees",
  "total_alloc_bytes", "threads", "cpu", "user_seconds", "system_seconds", "context_switches",
  "voluntary", "involuntary", "open_fds",
};

static void
test_formats (void)
{
  g_autoptr(JsonNode) stats = gz_process_stats_collect (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_JSON);
  g_autofree char *yaml = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_YAML);
  g_autofree char *table = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_TABLE);
  GzProcessStatsFormat format;

  g_test_message ("%s\n%s\n%s", json, yaml, table);

  /* JSON reads back to the same tree. */
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  g_assert_true (json_node_equal (json_parser_get_root (parser), stats));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("\"%s\"", keys[i]);
      g_autofree char *yaml_key = g_strdup_printf ("%s:", keys[i]);

      g_assert_nonnull (strstr (json, quoted));
      g_assert_nonnull (strstr (yaml, yaml_key));
    }
  g_assert_nonnull (strstr (yaml, "\nmemory:\n  allocator: "));
  g_assert_nonnull (strstr (yaml, "\ntimestamp: \"")); /* it holds ':' */

  for (const char *label = "Uptime\0RSS\0Peak RSS\0Threads\0Open file descriptors\0Voluntary\0";
       *label != '\0'; label += strlen (label) + 1)
    g_assert_nonnull (strstr (table, label));
  g_assert_nonnull (strstr (table, " MiB\n"));

  g_assert_true (gz_process_stats_format_from_string ("table", &format));
  g_assert_cmpint (format, ==, GZ_PROCESS_STATS_FORMAT_TABLE);
  g_assert_true (gz_process_stats_format_from_string ("json", &format));
  g_assert_cmpint (format, ==, GZ_PROCESS_STATS_FORMAT_JSON);
  g_assert_true (gz_process_stats_format_from_string ("YAML", &format));
  g_assert_cmpint (format, ==, GZ_PROCESS_STATS_FORMAT_YAML);
  g_assert_false (gz_process_stats_format_from_string ("xml", &format));
}

static void
test_yaml_quoting (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *yaml = NULL;

  g_assert_true (json_parser_load_from_data (parser,
    "{\"plain\": \"tcmalloc\", \"bool\": \"true\", \"colon\": \"a: b\", \"number\": \"12\","
    " \"empty\": \"\", \"quote\": \"say \\\"hi\\\"\\n\", \"none\": null, \"float\": 2.0,"
    " \"int\": 3, \"list\": [1, \"no\"], \"nested\": {\"key\": \"path/to-x.y\"}}", -1, &error));
  g_assert_no_error (error);
  yaml = gz_process_stats_format (json_parser_get_root (parser), GZ_PROCESS_STATS_FORMAT_YAML);
  g_assert_cmpstr (yaml, ==,
                   "---\n"
                   "plain: tcmalloc\n"
                   "bool: \"true\"\n"
                   "colon: \"a: b\"\n"
                   "number: \"12\"\n"
                   "empty: \"\"\n"
                   "quote: \"say \\\"hi\\\"\\n\"\n"
                   "none: null\n"
                   "float: 2.0\n"
                   "int: 3\n"
                   "list:\n"
                   "  - 1\n"
                   "  - \"no\"\n"
                   "nested:\n"
                   "  key: path/to-x.y\n");
}

static void
test_table_units (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *table = NULL;

  /* 12.3 MiB = 12897485 bytes; a missing or null value is shown as unknown. */
  g_assert_true (json_parser_load_from_data (parser,
    "{\"pid\": 7, \"uptime_seconds\": 75.5, \"memory\": {\"rss_bytes\": 12897485,"
    " \"peak_rss_bytes\": 1000, \"free_bytes\": null}}", -1, NULL));
  table = gz_process_stats_format (json_parser_get_root (parser), GZ_PROCESS_STATS_FORMAT_TABLE);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "  RSS                        12.3 MiB\n"));
  g_assert_nonnull (strstr (table, "  Peak RSS                   1000 B\n"));
  g_assert_nonnull (strstr (table, "  Free                       unknown\n"));
  g_assert_nonnull (strstr (table, "Uptime                       1m15.5s\n"));
  g_assert_nonnull (strstr (table, "PID                          7\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/stats/collect", test_collect);
  g_test_add_func ("/core/stats/memory-grows", test_memory_grows);
  g_test_add_func ("/core/stats/formats", test_formats);
  g_test_add_func ("/core/stats/yaml-quoting", test_yaml_quoting);
  g_test_add_func ("/core/stats/table-units", test_table_units);
  return g_test_run ();
}
