/* gz-process-stats.c: runtime statistics of this process as JSON, and as a table, JSON or YAML text. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "gz-heap-sampler.h"
#include "gz-process-stats.h"
#include "gz-units.h"

/* config.h defines GZ_HAVE_TCMALLOC empty (meson's conf.set) or as 1 or 0: true for the first
 * two. */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
# define USE_TCMALLOC 1
# include <gperftools/malloc_extension_c.h>
#else
# define USE_TCMALLOC 0
#endif

/* Under AddressSanitizer, ASan's allocator owns malloc (glibc's mallinfo2 then reports zeros):
 * ask the sanitizer's allocator instead. */
#if !USE_TCMALLOC && defined (__SANITIZE_ADDRESS__)
# define USE_SANITIZER_ALLOCATOR 1
/* From libasan (GCC ships no header for them: sanitizer/allocator_interface.h is clang's). */
size_t __sanitizer_get_current_allocated_bytes (void);
size_t __sanitizer_get_heap_size (void);
size_t __sanitizer_get_free_bytes (void);
size_t __sanitizer_get_unmapped_bytes (void);
#else
# define USE_SANITIZER_ALLOCATOR 0
#endif

gboolean
gz_process_stats_format_from_string (const char    *name,
                             GzProcessStatsFormat *format)
{
  static const struct { const char *name; GzProcessStatsFormat format; } formats[] = {
    { "table", GZ_PROCESS_STATS_FORMAT_TABLE },
    { "json", GZ_PROCESS_STATS_FORMAT_JSON },
    { "yaml", GZ_PROCESS_STATS_FORMAT_YAML },
    { "yml", GZ_PROCESS_STATS_FORMAT_YAML },
  };

  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_ascii_strcasecmp (name, formats[i].name) == 0)
        {
          if (format != NULL)
            *format = formats[i].format;
          return TRUE;
        }
    }
  return FALSE;
}

/* Collecting */

static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 gboolean     known,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (known)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_double_or_null (JsonBuilder *builder,
                    const char  *name,
                    gboolean     known,
                    double       value)
{
  json_builder_set_member_name (builder, name);
  if (known)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A "Name:   123 kB" line of /proc/self/status, in bytes; -1 when absent. */
static gint64
status_kb (const char *status,
           const char *name)
{
  g_autofree char *prefix = g_strconcat ("\n", name, ":", NULL);
  const char *line;

  if (status == NULL || (line = strstr (status, prefix)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (prefix), NULL, 10) * 1024;
}

/* When this process started, in seconds of CLOCK_BOOTTIME (the clock of /proc/uptime): field
 * 22 of /proc/self/stat, in clock ticks. It does not change: read once. -1 when unknown. */
static double
process_start_time (void)
{
  static double start = -1;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_autofree char *stat = NULL;
      long ticks = sysconf (_SC_CLK_TCK);
      const char *after_comm;

      /* The command name may hold spaces and parentheses: fields resume after the last ')'. */
      if (g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) && ticks > 0 &&
          (after_comm = strrchr (stat, ')')) != NULL)
        {
          g_auto(GStrv) fields = g_strsplit (after_comm + 2, " ", -1);

          /* fields[0] is field 3 (state), so field 22 (starttime) is fields[19]. */
          if (g_strv_length (fields) >= 20)
            start = (double) g_ascii_strtoull (fields[19], NULL, 10) / (double) ticks;
        }
      g_once_init_leave (&once, 1);
    }
  return start;
}

/* Seconds since this process started; -1 when unknown. */
static double
process_uptime (void)
{
  double start = process_start_time ();
  struct timespec now;

  if (start < 0 || clock_gettime (CLOCK_BOOTTIME, &now) != 0)
    return -1;
  return MAX (0.0, (double) now.tv_sec + now.tv_nsec / 1e9 - start);
}

/* The /proc files of this process, open once and read again with pread at offset 0 (procfs
 * renders them anew on each read, and fstat asks the kernel each time): a server may answer
 * thousands of /debug/stats a second, and opening, looking up and closing them was a third of
 * the cost. A fork keeps the parent's descriptors: a new pid reopens them. */
typedef struct
{
  pid_t  pid;
  int    statm;   /* /proc/self/statm: the resident set, cheap to render */
  int    status;  /* /proc/self/status: VmHWM, and the fallbacks; costly to render */
  int    task;    /* /proc/self/task: its link count is 2 + the number of threads */
  int    fd_dir;  /* /proc/self/fd: its size is the number of descriptors (Linux >= 6.2) */
  gint64 hwm;     /* VmHWM in bytes at the last read of status, -1 when unknown */
  gint64 hwm_at;  /* monotonic, when status was last read; 0: never */
} ProcFiles;

/* VmHWM moves only when the resident set grows past it: between two reads of status (at most
 * one per this many microseconds) the peak is the larger of the last VmHWM and the resident
 * set now, which never exceeds the true peak nor lags it by more than this. */
#define STATUS_PERIOD_US (100 * G_TIME_SPAN_MILLISECOND)

static GMutex proc_lock;
static ProcFiles proc_files = { -1, -1, -1, -1, -1, -1, 0 };

static void
proc_files_close (ProcFiles *files)
{
  int *fds[] = { &files->statm, &files->status, &files->task, &files->fd_dir };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
  files->hwm = -1;
  files->hwm_at = 0;
}

/* Under proc_lock. */
static ProcFiles *
proc_files_get (pid_t pid)
{
  ProcFiles *files = &proc_files;

  if (files->pid != pid)
    {
      proc_files_close (files);
      files->pid = pid;
      files->statm = open ("/proc/self/statm", O_RDONLY | O_CLOEXEC);
      files->status = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
      files->task = open ("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      files->fd_dir = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  return files;
}

/* A kept /proc file into @buffer from its start, NUL-terminated; NULL when it cannot be read. */
static const char *
pread_all (int    fd,
           char  *buffer,
           gsize  size)
{
  gsize length = 0;
  gssize n;

  if (fd < 0)
    return NULL;
  while (length < size - 1 &&
         ((n = pread (fd, buffer + length, size - 1 - length, (off_t) length)) > 0 ||
          (n < 0 && errno == EINTR)))
    length += MAX (n, 0);
  buffer[length] = '\0';
  return length > 0 ? buffer : NULL;
}

typedef struct
{
  gint64 rss;      /* bytes; -1 when unknown */
  gint64 peak;
  gint64 threads;
  gint64 fds;
} ProcFigures;

/* Open descriptors: the size of /proc/self/fd (one fstat; Linux 6.2 and later), else its
 * listing. -1 when unknown. */
static gint64
count_fds (ProcFiles *files)
{
  g_autoptr(GDir) dir = NULL;
  struct stat info;
  gint64 n = 0;

  if (files->fd_dir >= 0 && fstat (files->fd_dir, &info) == 0 && info.st_size > 0)
    return info.st_size;
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir) != NULL)
    n++;
  /* Listing /proc/self/fd opens a descriptor of its own, which is listed too. */
  return n - 1;
}

static void
read_proc (ProcFigures *figures,
           pid_t        pid)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&proc_lock);
  ProcFiles *files = proc_files_get (pid);
  gint64 now = g_get_monotonic_time ();
  char buffer[8192];
  const char *text;
  struct stat info;
  gboolean need_status;

  figures->rss = figures->peak = figures->threads = -1;

  /* statm: "size resident shared text lib data dt", in pages; resident is VmRSS. */
  if ((text = pread_all (files->statm, buffer, sizeof buffer)) != NULL)
    {
      const char *resident = strchr (text, ' ');
      long page = sysconf (_SC_PAGESIZE);

      if (resident != NULL && page > 0)
        figures->rss = g_ascii_strtoll (resident + 1, NULL, 10) * page;
    }
  if (files->task >= 0 && fstat (files->task, &info) == 0 && info.st_nlink > 2)
    figures->threads = (gint64) info.st_nlink - 2;

  need_status = figures->rss < 0 || figures->threads < 0 || files->hwm < 0 ||
                files->hwm_at == 0 || now - files->hwm_at >= STATUS_PERIOD_US;
  if (need_status && (text = pread_all (files->status, buffer, sizeof buffer)) != NULL)
    {
      const char *threads_line = strstr (text, "\nThreads:");

      files->hwm = status_kb (text, "VmHWM");
      files->hwm_at = now;
      if (figures->rss < 0)
        figures->rss = status_kb (text, "VmRSS");
      if (figures->threads < 0 && threads_line != NULL)
        figures->threads = g_ascii_strtoll (threads_line + strlen ("\nThreads:"), NULL, 10);
    }
  if (files->hwm >= 0)
    figures->peak = MAX (files->hwm, figures->rss);

  figures->fds = count_fds (files);
}

static void
add_memory (JsonBuilder       *builder,
            const ProcFigures *figures)
{
  gint64 rss = figures->rss;
  gint64 peak = figures->peak;

  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);

#if USE_TCMALLOC
  {
    static const char * const properties[][2] = {
      { "allocator_in_use_bytes", "generic.current_allocated_bytes" },
      { "heap_size_bytes", "generic.heap_size" },
      { "free_bytes", "tcmalloc.pageheap_free_bytes" },
      { "unmapped_bytes", "tcmalloc.pageheap_unmapped_bytes" },
    };

    json_builder_set_member_name (builder, "allocator");
    json_builder_add_string_value (builder, "tcmalloc");
    for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
      {
        size_t value = 0;
        gboolean known = MallocExtension_GetNumericProperty (properties[i][1], &value) != 0;

        add_int_or_null (builder, properties[i][0], known, (gint64) value);
      }
  }
#elif USE_SANITIZER_ALLOCATOR
  json_builder_set_member_name (builder, "allocator");
  json_builder_add_string_value (builder, "asan");
  add_int_or_null (builder, "allocator_in_use_bytes", TRUE,
                   (gint64) __sanitizer_get_current_allocated_bytes ());
  add_int_or_null (builder, "heap_size_bytes", TRUE, (gint64) __sanitizer_get_heap_size ());
  add_int_or_null (builder, "free_bytes", TRUE, (gint64) __sanitizer_get_free_bytes ());
  add_int_or_null (builder, "unmapped_bytes", TRUE, (gint64) __sanitizer_get_unmapped_bytes ());
#else
  {
    struct mallinfo2 info = mallinfo2 ();

    json_builder_set_member_name (builder, "allocator");
    json_builder_add_string_value (builder, "glibc");
    /* In use: small blocks plus mmapped blocks; heap: arenas plus mmapped blocks. glibc does not
     * say how much it returned to the system. */
    add_int_or_null (builder, "allocator_in_use_bytes", TRUE,
                     (gint64) (info.uordblks + info.hblkhd));
    add_int_or_null (builder, "heap_size_bytes", TRUE, (gint64) (info.arena + info.hblkhd));
    add_int_or_null (builder, "free_bytes", TRUE, (gint64) info.fordblks);
    add_int_or_null (builder, "unmapped_bytes", FALSE, 0);
  }
#endif

  add_int_or_null (builder, "rss_bytes", rss >= 0, rss);
  add_int_or_null (builder, "peak_rss_bytes", peak >= 0, peak);
  json_builder_end_object (builder);
}

static void
add_allocations (JsonBuilder *builder)
{
  gboolean available = gz_heap_sampler_is_available ();
  gsize rate = available ? gz_heap_sampler_get_rate () : 0;
  GzHeapCounters counters = { 0 };

  if (available)
    gz_heap_sampler_get_counters (&counters);

  json_builder_set_member_name (builder, "allocations");
  json_builder_begin_object (builder);
  /* Estimates from the sampler: unknown when it is off. */
  add_int_or_null (builder, "sampling_rate_bytes", available, (gint64) rate);
  add_int_or_null (builder, "live_bytes_estimate", available && rate > 0,
                   (gint64) counters.sampled_live_bytes_estimate);
  add_int_or_null (builder, "live_objects_estimate", available && rate > 0,
                   (gint64) counters.sampled_live_objects_estimate);
  /* Exact counts from the allocation wrappers. */
  add_int_or_null (builder, "total_allocs", available, (gint64) counters.allocs);
  add_int_or_null (builder, "total_frees", available, (gint64) counters.frees);
  add_int_or_null (builder, "total_alloc_bytes", available, (gint64) counters.alloc_bytes);
  json_builder_end_object (builder);
}

JsonNode *
gz_process_stats_collect (GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  struct rusage usage = { 0 };
  gboolean have_usage = getrusage (RUSAGE_SELF, &usage) == 0;
  double uptime = process_uptime ();
  pid_t pid = getpid ();
  ProcFigures proc;
  gint64 threads, fds;

  read_proc (&proc, pid);
  threads = proc.threads;
  fds = proc.fds;

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  add_double_or_null (builder, "uptime_seconds", uptime >= 0, uptime);
  add_int_or_null (builder, "pid", TRUE, pid);

  add_memory (builder, &proc);
  add_allocations (builder);

  add_int_or_null (builder, "threads", threads >= 0, threads);

  json_builder_set_member_name (builder, "cpu");
  json_builder_begin_object (builder);
  add_double_or_null (builder, "user_seconds", have_usage,
                      usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6);
  add_double_or_null (builder, "system_seconds", have_usage,
                      usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "context_switches");
  json_builder_begin_object (builder);
  add_int_or_null (builder, "voluntary", have_usage, usage.ru_nvcsw);
  add_int_or_null (builder, "involuntary", have_usage, usage.ru_nivcsw);
  json_builder_end_object (builder);

  add_int_or_null (builder, "open_fds", fds >= 0, fds);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Formatting */

typedef enum { SHOW_PLAIN, SHOW_BYTES, SHOW_SECONDS } Show;

static void
table_row (GString    *out,
           const char *label,
           JsonObject *object,
           const char *member,
           Show        show)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  g_autofree char *text = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    text = g_strdup ("unknown");
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (node));
  else if (show == SHOW_BYTES)
    text = gz_units_format_bytes ((double) json_node_get_int (node));
  else if (show == SHOW_SECONDS)
    text = gz_units_format_nanoseconds (json_node_get_double (node) * 1e9);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    text = g_strdup_printf ("%.2f", json_node_get_double (node));
  else
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  g_string_append_printf (out, "%-28s %s\n", label, text);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
format_table (JsonObject *root)
{
  GString *out = g_string_new (NULL);
  JsonObject *memory = object_member (root, "memory");
  JsonObject *allocations = object_member (root, "allocations");
  JsonObject *cpu = object_member (root, "cpu");
  JsonObject *switches = object_member (root, "context_switches");

  table_row (out, "Timestamp", root, "timestamp", SHOW_PLAIN);
  table_row (out, "Uptime", root, "uptime_seconds", SHOW_SECONDS);
  table_row (out, "PID", root, "pid", SHOW_PLAIN);
  g_string_append (out, "Memory\n");
  table_row (out, "  Allocator", memory, "allocator", SHOW_PLAIN);
  table_row (out, "  Allocator in use", memory, "allocator_in_use_bytes", SHOW_BYTES);
  table_row (out, "  Heap size", memory, "heap_size_bytes", SHOW_BYTES);
  table_row (out, "  Free", memory, "free_bytes", SHOW_BYTES);
  table_row (out, "  Unmapped", memory, "unmapped_bytes", SHOW_BYTES);
  table_row (out, "  RSS", memory, "rss_bytes", SHOW_BYTES);
  table_row (out, "  Peak RSS", memory, "peak_rss_bytes", SHOW_BYTES);
  g_string_append (out, "Allocations\n");
  table_row (out, "  Sampling rate", allocations, "sampling_rate_bytes", SHOW_BYTES);
  table_row (out, "  Live (estimate)", allocations, "live_bytes_estimate", SHOW_BYTES);
  table_row (out, "  Live objects (estimate)", allocations, "live_objects_estimate", SHOW_PLAIN);
  table_row (out, "  Total allocations", allocations, "total_allocs", SHOW_PLAIN);
  table_row (out, "  Total frees", allocations, "total_frees", SHOW_PLAIN);
  table_row (out, "  Total allocated", allocations, "total_alloc_bytes", SHOW_BYTES);
  table_row (out, "Threads", root, "threads", SHOW_PLAIN);
  g_string_append (out, "CPU time\n");
  table_row (out, "  User", cpu, "user_seconds", SHOW_SECONDS);
  table_row (out, "  System", cpu, "system_seconds", SHOW_SECONDS);
  g_string_append (out, "Context switches\n");
  table_row (out, "  Voluntary", switches, "voluntary", SHOW_PLAIN);
  table_row (out, "  Involuntary", switches, "involuntary", SHOW_PLAIN);
  table_row (out, "Open file descriptors", root, "open_fds", SHOW_PLAIN);

  return g_string_free (out, FALSE);
}

/* YAML: plain scalars where they cannot be misread, double-quoted strings otherwise. */
static gboolean
yaml_needs_quotes (const char *text)
{
  static const char * const reserved[] = {
    "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ".inf", ".Inf", ".INF", "-.inf", ".nan", ".NaN", ".NAN", "y", "Y", "n", "N",
  };
  char *end = NULL;

  /* Leading digits or signs may read as a number in some YAML dialect ("1_000", "0o17"). */
  if (*text == '\0' || strchr ("-.+0123456789", text[0]) != NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (g_str_equal (text, reserved[i]))
      return TRUE;
  /* Would read as a number. */
  g_ascii_strtod (text, &end);
  if (end != NULL && *end == '\0')
    return TRUE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_./-", *p) == NULL)
      return TRUE;
  return FALSE;
}

static void
yaml_string (GString    *out,
             const char *text)
{
  if (!yaml_needs_quotes (text))
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\x%02x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
yaml_scalar (GString  *out,
             JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      yaml_string (out, json_node_get_string (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_DOUBLE:
      {
        double value = json_node_get_double (node);

        if (isnan (value))
          g_string_append (out, ".nan");
        else if (isinf (value))
          g_string_append (out, value > 0 ? ".inf" : "-.inf");
        else
          {
            /* 15 digits: 0.007117, not json-glib's 0.0071170000000000001. */
            g_ascii_formatd (buf, sizeof buf, "%.15g", value);
            g_string_append (out, buf);
            /* Keep it a float for a YAML reader, as JSON does: 2 -> 2.0. */
            if (strpbrk (buf, ".eE") == NULL)
              g_string_append (out, ".0");
          }
        break;
      }
    default:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
    }
}

static void yaml_node (GString *out, JsonNode *node, int indent);

static void
yaml_object (GString    *out,
             JsonObject *object,
             int         indent)
{
  g_autoptr(GList) members = json_object_get_members (object);

  if (members == NULL)
    {
      g_string_append (out, " {}\n");
      return;
    }
  g_string_append_c (out, '\n');
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      g_string_append_printf (out, "%*s", indent, "");
      yaml_string (out, l->data);
      g_string_append_c (out, ':');
      yaml_node (out, value, indent + 2);
    }
}

static void
yaml_node (GString  *out,
           JsonNode *node,
           int       indent)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    yaml_object (out, json_node_get_object (node), indent);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 0)
        {
          g_string_append (out, " []\n");
          return;
        }
      g_string_append_c (out, '\n');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (out, "%*s-", indent, "");
          yaml_node (out, json_array_get_element (array, i), indent + 2);
        }
    }
  else
    {
      g_string_append_c (out, ' ');
      yaml_scalar (out, node);
      g_string_append_c (out, '\n');
    }
}

char *
gz_process_stats_format (JsonNode     *stats,
                 GzProcessStatsFormat format)
{
  g_return_val_if_fail (stats != NULL && JSON_NODE_HOLDS_OBJECT (stats), NULL);

  switch (format)
    {
    case GZ_PROCESS_STATS_FORMAT_JSON:
      {
        g_autoptr(JsonGenerator) generator = json_generator_new ();
        g_autofree char *text = NULL;

        json_generator_set_root (generator, stats);
        json_generator_set_pretty (generator, TRUE);
        json_generator_set_indent (generator, 2);
        text = json_generator_to_data (generator, NULL);
        return g_strconcat (text, "\n", NULL);
      }

    case GZ_PROCESS_STATS_FORMAT_YAML:
      {
        GString *out = g_string_new ("---");

        yaml_object (out, json_node_get_object (stats), 0);
        return g_string_free (out, FALSE);
      }

    case GZ_PROCESS_STATS_FORMAT_TABLE:
    default:
      return format_table (json_node_get_object (stats));
    }
}
