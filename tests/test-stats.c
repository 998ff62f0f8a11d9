/* test-stats.c: runtime statistics: the documented keys with plausible values, memory that
 * grows when the test allocates, and the table, JSON and YAML texts. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* A "Name:   123 kB" (or plain number) line of /proc/self/status, or -1. */
static gint64
proc_status (const char *name)
{
  g_autofree char *status = NULL;
  g_autofree char *prefix = g_strconcat ("\n", name, ":", NULL);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, prefix);
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (prefix), NULL, 10);
}

/* VmRSS (in bytes) just before and just after a collection: the collected RSS lies between
 * (the process's memory moves meanwhile, under ASan by megabytes). */
typedef struct
{
  gint64 low;
  gint64 high;
} Bracket;

static JsonNode *
collect_bracketed (const char *field,
                   Bracket    *bracket)
{
  gint64 before = proc_status (field) * 1024;
  JsonNode *stats = gz_process_stats_collect (NULL);
  gint64 after = proc_status (field) * 1024;

  g_assert_nonnull (stats);
  bracket->low = MIN (before, after);
  bracket->high = MAX (before, after);
  return stats;
}

static JsonObject *
collect (JsonNode **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = gz_process_stats_collect (&error);
  g_assert_no_error (error);
  g_assert_nonnull (*keep);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*keep));
  return json_node_get_object (*keep);
}

static gint64
count_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gint64 n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static double
cpu_seconds (JsonObject *root)
{
  JsonObject *cpu = member_object (root, "cpu");

  g_assert_true (has_number (cpu, "user_seconds"));
  g_assert_true (has_number (cpu, "system_seconds"));
  return json_object_get_double_member (cpu, "user_seconds") +
         json_object_get_double_member (cpu, "system_seconds");
}

static double
process_cpu_seconds (void)
{
  struct timespec ts;

  g_assert_cmpint (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts), ==, 0);
  return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Threads that wait until told to go, so that the count is known while they live. */
static GMutex parked_lock;
static GCond parked_cond;
static gboolean parked_release;

static gpointer
parked_thread (gpointer data)
{
  g_mutex_lock (&parked_lock);
  while (!parked_release)
    g_cond_wait (&parked_cond, &parked_lock);
  g_mutex_unlock (&parked_lock);
  return NULL;
}

static void
test_collect (void)
{
  g_autoptr(JsonNode) stats = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  JsonObject *root, *memory, *allocations, *cpu, *switches;
  Bracket rss;

  stats = collect_bracketed ("VmRSS", &rss);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (stats));
  root = json_node_get_object (stats);

  timestamp = g_date_time_new_from_iso8601 (json_object_get_string_member (root, "timestamp"),
                                            NULL);
  g_assert_nonnull (timestamp);
  g_assert_cmpint (ABS (g_date_time_difference (now, timestamp)), <, 60 * G_TIME_SPAN_SECOND);

  g_assert_true (has_number (root, "uptime_seconds"));
  /* This test program started moments ago. */
  g_assert_cmpfloat (json_object_get_double_member (root, "uptime_seconds"), <, 60);
  g_assert_cmpint (get_int (root, "pid"), ==, getpid ());
  /* /proc/self/status counts the same threads; nothing here starts or ends one meanwhile. */
  g_assert_cmpint (get_int (root, "threads"), ==, proc_status ("Threads"));

  memory = member_object (root, "memory");
  /* The kernel's figures, read around the collection; the peak only grows. */
  g_assert_cmpint (get_int (memory, "rss_bytes"), >=, rss.low);
  g_assert_cmpint (get_int (memory, "rss_bytes"), <=, rss.high);
  g_assert_cmpint (get_int (memory, "peak_rss_bytes"), >=, get_int (memory, "rss_bytes"));
  g_assert_cmpint (get_int (memory, "peak_rss_bytes"), <=, proc_status ("VmHWM") * 1024);
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

  switches = member_object (root, "context_switches");
  g_assert_true (has_number (switches, "voluntary"));
  g_assert_true (has_number (switches, "involuntary"));
}

/* Each counter moves by what the test did between two collections. */
static void
test_changes (void)
{
  g_autoptr(JsonNode) before_node = NULL;
  g_autoptr(JsonNode) after_node = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  JsonObject *before = collect (&before_node);
  JsonObject *after;
  gint64 start = g_get_monotonic_time ();
  int fds[5];
  gint64 fds_listed;
  double busy_start;

  /* 20 sleeps: at least 20 voluntary context switches. */
  for (guint i = 0; i < 20; i++)
    g_usleep (10 * 1000);
  /* A quarter of a second of CPU by the process's own clock (however busy the machine is). */
  busy_start = process_cpu_seconds ();
  while (process_cpu_seconds () - busy_start < 0.25)
    g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      fds[i] = dup (STDERR_FILENO);
      g_assert_cmpint (fds[i], >=, 0);
    }
  parked_release = FALSE;
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (threads, g_thread_new ("parked", parked_thread, NULL));

  after = collect (&after_node);
  fds_listed = count_dir ("/proc/self/fd") - 1; /* the listing's own descriptor */

  g_test_message ("uptime %.2f -> %.2f s, cpu %.3f -> %.3f s, voluntary %" G_GINT64_FORMAT
                  " -> %" G_GINT64_FORMAT,
                  json_object_get_double_member (before, "uptime_seconds"),
                  json_object_get_double_member (after, "uptime_seconds"),
                  cpu_seconds (before), cpu_seconds (after),
                  get_int (member_object (before, "context_switches"), "voluntary"),
                  get_int (member_object (after, "context_switches"), "voluntary"));

  /* Uptime advanced by the wall time that passed (clock ticks of 10 ms either side). */
  g_assert_cmpfloat (json_object_get_double_member (after, "uptime_seconds") -
                     json_object_get_double_member (before, "uptime_seconds"), >=,
                     (g_get_monotonic_time () - start) / 1e6 - 0.25);
  g_assert_cmpfloat (json_object_get_double_member (after, "uptime_seconds") -
                     json_object_get_double_member (before, "uptime_seconds"), <=,
                     (g_get_monotonic_time () - start) / 1e6 + 0.25);
  g_assert_cmpfloat (cpu_seconds (after) - cpu_seconds (before), >=, 0.2);
  g_assert_cmpint (get_int (member_object (after, "context_switches"), "voluntary") -
                   get_int (member_object (before, "context_switches"), "voluntary"), >=, 20);
  g_assert_cmpint (get_int (member_object (after, "context_switches"), "involuntary"), >=,
                   get_int (member_object (before, "context_switches"), "involuntary"));
  g_assert_cmpint (get_int (after, "open_fds") - get_int (before, "open_fds"), ==, 5);
  g_assert_cmpint (get_int (after, "open_fds"), ==, fds_listed);
  g_assert_cmpint (get_int (after, "threads") - get_int (before, "threads"), ==, 3);

  g_mutex_lock (&parked_lock);
  parked_release = TRUE;
  g_cond_broadcast (&parked_cond);
  g_mutex_unlock (&parked_lock);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
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

/* The YAML value of @path ("memory.rss_bytes") in gz's YAML (two levels, "key: value"). */
static char *
yaml_value (const char *yaml,
            const char *section,
            const char *key)
{
  g_auto(GStrv) lines = g_strsplit (yaml, "\n", -1);
  g_autofree char *top = g_strdup_printf ("%s:", section != NULL ? section : key);
  g_autofree char *nested = g_strdup_printf ("  %s: ", key);
  gboolean in_section = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (section == NULL && g_str_has_prefix (line, top) && line[strlen (top)] == ' ')
        return g_strdup (line + strlen (top) + 1);
      if (section != NULL && g_str_equal (line, top))
        in_section = TRUE;
      else if (section != NULL && line[0] != ' ')
        in_section = FALSE;
      else if (in_section && g_str_has_prefix (line, nested))
        return g_strdup (line + strlen (nested));
    }
  return NULL;
}

static void
check_yaml_scalar (const char *yaml,
                   const char *section,
                   const char *key,
                   JsonNode   *node)
{
  g_autofree char *text = yaml_value (yaml, section, key);

  g_test_message ("%s.%s: %s", section != NULL ? section : "", key, text);
  g_assert_nonnull (text);
  if (JSON_NODE_HOLDS_NULL (node))
    g_assert_cmpstr (text, ==, "null");
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    g_assert_cmpint (g_ascii_strtoll (text, NULL, 10), ==, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (text, NULL), json_node_get_double (node),
                                    1e-9 * MAX (1, fabs (json_node_get_double (node))));
  else
    {
      /* Plain, or quoted with C escapes. */
      const char *value = json_node_get_string (node);

      if (text[0] == '"')
        {
          g_autofree char *inner = g_strndup (text + 1, strlen (text) - 2);
          g_autofree char *unquoted = g_strcompress (inner);

          g_assert_cmpstr (unquoted, ==, value);
        }
      else
        g_assert_cmpstr (text, ==, value);
    }
}

static void
check_yaml_matches (const char *yaml,
                    JsonObject *root)
{
  g_autoptr(GList) members = json_object_get_members (root);

  g_assert_true (g_str_has_prefix (yaml, "---\n"));
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (root, l->data);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) inner = json_object_get_members (object);

          for (const GList *k = inner; k != NULL; k = k->next)
            check_yaml_scalar (yaml, l->data, k->data, json_object_get_member (object, k->data));
        }
      else
        check_yaml_scalar (yaml, NULL, l->data, node);
    }
}

/* The bytes a table row shows ("12.3 MiB"), as a number. */
static double
table_bytes (const char *table,
             const char *label)
{
  static const char * const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  const char *row = strstr (table, label);
  char *end = NULL;
  double value;

  g_assert_nonnull (row);
  row += strlen (label);
  value = g_ascii_strtod (row, &end);
  g_assert_true (end != row);
  while (*end == ' ')
    end++;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++, value *= 1024)
    if (g_str_has_prefix (end, units[i]) && end[strlen (units[i])] == '\n')
      return value;
  g_assert_not_reached ();
}

static void
test_formats (void)
{
  Bracket vm_rss;
  g_autoptr(JsonNode) stats = collect_bracketed ("VmRSS", &vm_rss);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_JSON);
  g_autofree char *yaml = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_YAML);
  g_autofree char *table = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_TABLE);
  GzProcessStatsFormat format;
  double rss;

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

  /* YAML says the same as the JSON tree, value for value. */
  check_yaml_matches (yaml, json_node_get_object (stats));

  /* The table's RSS, read back, is the kernel's (three significant digits). */
  for (const char *label = "Uptime\0RSS\0Peak RSS\0Threads\0Open file descriptors\0Voluntary\0";
       *label != '\0'; label += strlen (label) + 1)
    g_assert_nonnull (strstr (table, label));
  rss = table_bytes (table, "  RSS ");
  g_test_message ("table RSS %.0f B, VmRSS %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " B", rss,
                  vm_rss.low, vm_rss.high);
  g_assert_cmpfloat (rss, >=, vm_rss.low * 0.995);
  g_assert_cmpfloat (rss, <=, vm_rss.high * 1.005);

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
  g_assert_nonnull (strstr (table, "Uptime                       1 min 16 s\n"));
  g_assert_nonnull (strstr (table, "PID                          7\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/stats/collect", test_collect);
  g_test_add_func ("/core/stats/changes", test_changes);
  g_test_add_func ("/core/stats/memory-grows", test_memory_grows);
  g_test_add_func ("/core/stats/formats", test_formats);
  g_test_add_func ("/core/stats/yaml-quoting", test_yaml_quoting);
  g_test_add_func ("/core/stats/table-units", test_table_units);
  return g_test_run ();
}
