/* gz-pprof-target-stats.c: /debug/stats of another process from /proc/PID/{stat,status,fd}. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gz-pprof-target-stats.h"

/* A "Name:   value" line of /proc/PID/status; -1 when absent. */
static gint64
status_value (const char *status,
              const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("\n%s:", name);
  const char *line = strstr (status, prefix);

  return line != NULL ? g_ascii_strtoll (line + strlen (prefix), NULL, 10) : -1;
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value) /* < 0: unknown */
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value) /* < 0: unknown */
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Its open descriptors: the entries of /proc/PID/fd (-1 when another user's). */
static gint64
count_fds (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gint64 n = 0;

  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

JsonNode *
gz_pprof_target_stats_collect (pid_t    pid,
                               GError **error)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autofree char *stat = NULL;
  g_autofree char *status = NULL;
  g_auto(GStrv) fields = NULL;
  double ticks = (double) sysconf (_SC_CLK_TCK);
  double uptime = -1, user = -1, system = -1;
  gint64 kb;
  const char *after_comm;
  struct timespec boot;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
      !g_file_get_contents (status_path, &status, NULL, NULL) ||
      (after_comm = strrchr (stat, ')')) == NULL || after_comm[1] != ' ' ||
      after_comm[2] == 'Z' || after_comm[2] == 'X')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "process %d is gone", (int) pid);
      return NULL;
    }

  /* The comm may hold spaces: fields resume after the last ')'; fields[0] is field 3 (state),
   * utime and stime (14, 15) are fields[11] and [12], starttime (22) fields[19]. */
  fields = g_strsplit (after_comm + 2, " ", -1);
  if (g_strv_length (fields) >= 20 && ticks > 0)
    {
      user = (double) g_ascii_strtoull (fields[11], NULL, 10) / ticks;
      system = (double) g_ascii_strtoull (fields[12], NULL, 10) / ticks;
      if (clock_gettime (CLOCK_BOOTTIME, &boot) == 0)
        uptime = MAX (0.0, (double) boot.tv_sec + boot.tv_nsec / 1e9 -
                           (double) g_ascii_strtoull (fields[19], NULL, 10) / ticks);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  add_double (builder, "uptime_seconds", uptime);
  add_int (builder, "pid", pid);

  /* Its allocator is not ours to ask from outside. */
  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "allocator");
  json_builder_add_null_value (builder);
  add_int (builder, "allocator_in_use_bytes", -1);
  add_int (builder, "heap_size_bytes", -1);
  add_int (builder, "free_bytes", -1);
  add_int (builder, "unmapped_bytes", -1);
  kb = status_value (status, "VmRSS");
  add_int (builder, "rss_bytes", kb >= 0 ? kb * 1024 : -1);
  kb = status_value (status, "VmHWM");
  add_int (builder, "peak_rss_bytes", kb >= 0 ? kb * 1024 : -1);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "allocations");
  json_builder_begin_object (builder);
  add_int (builder, "sampling_rate_bytes", -1);
  add_int (builder, "live_bytes_estimate", -1);
  add_int (builder, "live_objects_estimate", -1);
  add_int (builder, "total_allocs", -1);
  add_int (builder, "total_frees", -1);
  add_int (builder, "total_alloc_bytes", -1);
  json_builder_end_object (builder);

  add_int (builder, "threads", status_value (status, "Threads"));

  json_builder_set_member_name (builder, "cpu");
  json_builder_begin_object (builder);
  add_double (builder, "user_seconds", user);
  add_double (builder, "system_seconds", system);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "context_switches");
  json_builder_begin_object (builder);
  add_int (builder, "voluntary", status_value (status, "voluntary_ctxt_switches"));
  add_int (builder, "involuntary", status_value (status, "nonvoluntary_ctxt_switches"));
  json_builder_end_object (builder);

  add_int (builder, "open_fds", count_fds (pid));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
