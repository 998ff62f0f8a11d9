/* gz-process-list.c: the user's processes from /proc, with CPU use between two refreshes and
 * whether `gz-cli profile run` serves each one (its socket). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-preload-paths.h"
#include "gz-private-dir.h"
#include "gz-process-list.h"

struct _GzProcessList
{
  GObject     parent_instance;

  GMutex      lock;
  /* pid -> Ticks of the previous refresh, so CPU use is over the time between two. */
  GHashTable *previous;
};

typedef struct
{
  guint64 start_ticks; /* a reused pid is another process */
  guint64 cpu_ticks;   /* utime + stime */
  gint64  when;        /* monotonic microseconds */
} Ticks;

G_DEFINE_FINAL_TYPE (GzProcessList, gz_process_list, G_TYPE_OBJECT)

GzProcessInfo *
gz_process_info_copy (const GzProcessInfo *info)
{
  GzProcessInfo *copy = g_new (GzProcessInfo, 1);

  *copy = *info;
  copy->command_line = g_strdup (info->command_line);
  return copy;
}

void
gz_process_info_free (GzProcessInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->command_line);
  g_free (info);
}

static void
gz_process_list_finalize (GObject *object)
{
  GzProcessList *self = GZ_PROCESS_LIST (object);

  g_hash_table_unref (self->previous);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gz_process_list_parent_class)->finalize (object);
}

static void
gz_process_list_class_init (GzProcessListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_process_list_finalize;
}

static void
gz_process_list_init (GzProcessList *self)
{
  g_mutex_init (&self->lock);
  self->previous = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

GzProcessList *
gz_process_list_new (void)
{
  return g_object_new (GZ_TYPE_PROCESS_LIST, NULL);
}

/* The kernel's own threads (PF_KTHREAD in /proc/PID/stat's flags): nothing to profile there. */
#define PF_KTHREAD 0x00200000

/* State, utime + stime and start time from /proc/PID/stat; FALSE when the process is gone or
 * is a kernel thread. */
static gboolean
read_stat (int       pid,
           char     *state,
           guint64  *cpu_ticks,
           guint64  *start_ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* The command name may hold spaces and parentheses: the fields start after the last ')'. */
  rest = strrchr (contents, ')');
  if (rest == NULL)
    return FALSE;
  fields = g_strsplit (rest + 2, " ", 0);
  /* fields[0] is field 3 (state): utime is 14, stime 15, starttime 22. */
  if (g_strv_length (fields) < 20)
    return FALSE;
  /* fields[6] is field 9, the flags. */
  if (g_ascii_strtoull (fields[6], NULL, 10) & PF_KTHREAD)
    return FALSE;
  *state = fields[0][0];
  *cpu_ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  *start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

/* The arguments joined by spaces, or "[comm]" for a process without any (one that cleared
 * them). */
static char *
read_command_line (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *contents = NULL;
  g_autofree char *comm = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &contents, &length, NULL) && length > 0)
    {
      /* NUL-separated, the last one ending it. */
      for (gsize i = 0; i + 1 < length; i++)
        if (contents[i] == '\0')
          contents[i] = ' ';
      return g_utf8_make_valid (contents, -1);
    }
  g_free (path);
  path = g_strdup_printf ("/proc/%d/comm", pid);
  if (!g_file_get_contents (path, &comm, NULL, NULL))
    return NULL;
  g_strchomp (comm);
  return g_strdup_printf ("[%s]", comm);
}

static double
uptime_seconds (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/uptime", &contents, NULL, NULL))
    return 0;
  return g_ascii_strtod (contents, NULL);
}

static int
compare_pids (gconstpointer a,
              gconstpointer b)
{
  const GzProcessInfo *pa = *(GzProcessInfo * const *) a;
  const GzProcessInfo *pb = *(GzProcessInfo * const *) b;

  return (pa->pid > pb->pid) - (pa->pid < pb->pid);
}

GPtrArray *
gz_process_list_refresh (GzProcessList  *self,
                         GError        **error)
{
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GHashTable) current = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *agent_dir = gz_agent_dir ();
  /* Sockets count only in a folder of the user's own (not a link, nobody else writes there). */
  gboolean agent_dir_private = gz_private_dir_check (agent_dir, FALSE, NULL);
  double ticks_per_second = (double) sysconf (_SC_CLK_TCK);
  double uptime = uptime_seconds ();
  gint64 now = g_get_monotonic_time ();
  uid_t uid = getuid ();
  const char *name;

  g_return_val_if_fail (GZ_IS_PROCESS_LIST (self), NULL);

  dir = g_dir_open ("/proc", 0, error);
  if (dir == NULL)
    return NULL;

  locker = g_mutex_locker_new (&self->lock);
  processes = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_process_info_free);
  current = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *proc_path = NULL;
      g_autofree char *socket_name = NULL;
      g_autofree char *socket_path = NULL;
      GzProcessInfo *info;
      Ticks *ticks, *before;
      struct stat st;
      char *end = NULL;
      char state = 0;
      long pid = strtol (name, &end, 10);

      if (pid <= 0 || *end != '\0')
        continue;
      proc_path = g_strconcat ("/proc/", name, NULL);
      /* Owned by the user: the processes gz may profile (and perf_event_open may sample). */
      if (stat (proc_path, &st) != 0 || st.st_uid != uid)
        continue;

      ticks = g_new0 (Ticks, 1);
      if (!read_stat ((int) pid, &state, &ticks->cpu_ticks, &ticks->start_ticks) || state == 'Z' ||
          state == 'X')
        {
          g_free (ticks);
          continue;
        }
      ticks->when = now;

      info = g_new0 (GzProcessInfo, 1);
      info->pid = (int) pid;
      info->command_line = read_command_line ((int) pid);
      if (info->command_line == NULL)
        {
          /* Gone between the two reads. */
          gz_process_info_free (info);
          g_free (ticks);
          continue;
        }
      socket_name = g_strdup_printf ("%d.sock", info->pid);
      socket_path = g_build_filename (agent_dir, socket_name, NULL);
      info->has_agent = agent_dir_private && lstat (socket_path, &st) == 0 &&
                        S_ISSOCK (st.st_mode) && st.st_uid == geteuid ();

      before = g_hash_table_lookup (self->previous, GINT_TO_POINTER (info->pid));
      if (before != NULL && before->start_ticks == ticks->start_ticks && now > before->when)
        info->cpu_percent = 100.0 * (double) (ticks->cpu_ticks - before->cpu_ticks) /
                            ticks_per_second / ((double) (now - before->when) / G_USEC_PER_SEC);
      else if (uptime > (double) ticks->start_ticks / ticks_per_second)
        info->cpu_percent = 100.0 * (double) ticks->cpu_ticks / ticks_per_second /
                            (uptime - (double) ticks->start_ticks / ticks_per_second);
      info->cpu_percent = MAX (info->cpu_percent, 0.0);

      g_hash_table_insert (current, GINT_TO_POINTER (info->pid), ticks);
      g_ptr_array_add (processes, info);
    }
  /* Only the processes seen now: the table does not grow with every pid ever used. */
  g_hash_table_unref (self->previous);
  self->previous = g_steal_pointer (&current);

  g_ptr_array_sort (processes, compare_pids);
  return g_steal_pointer (&processes);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *processes = gz_process_list_refresh (source_object, &error);

  if (processes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, processes, (GDestroyNotify) g_ptr_array_unref);
}

void
gz_process_list_refresh_async (GzProcessList       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_PROCESS_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_process_list_refresh_async);
  g_task_run_in_thread (task, refresh_thread);
}

GPtrArray *
gz_process_list_refresh_finish (GzProcessList  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (GZ_IS_PROCESS_LIST (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
