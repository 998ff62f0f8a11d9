/* gz-perf-events.c: perf_event_open on every thread of another process (CPU clock, user space),
 * one ring buffer per CPU, and the samples parsed out of them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gz-perf-events.h"

/* Data pages per CPU (a power of two): 512 KiB, which with its header page is the 516 KiB an
 * unprivileged user may lock per CPU by default (kernel.perf_event_mlock_kb). Smaller when the
 * limit is already partly used. */
#define DATA_PAGES_MAX 128
#define DATA_PAGES_MIN 32

#if defined(__x86_64__)
/* perf's x86 register numbers: AX BX CX DX SI DI BP SP IP (0-8), R8-R15 (16-23). */
#define SAMPLE_REGS_MASK (G_GUINT64_CONSTANT (0x1ff) | (G_GUINT64_CONSTANT (0xff) << 16))
/* For each register in the sample's order (ascending perf number), its DWARF number. */
static const guint8 perf_to_dwarf[GZ_PERF_N_REGS] = {
  0, 3, 2, 1, 4, 5, 6, 7, 16, 8, 9, 10, 11, 12, 13, 14, 15,
};
#endif

typedef struct
{
  int       fd;        /* the event whose buffer this is; the others of the CPU write here */
  int       cpu;
  gboolean  hung_up;   /* its thread ended: poll() would return at once, so only drain it */
  guint8   *base;      /* header page + data pages */
  gsize     data_size;
} RingBuffer;

struct _GzPerfEvents
{
  pid_t       pid;
  GArray     *fds;       /* int: every event, for enable/disable/close */
  GArray     *buffers;   /* RingBuffer, one per CPU */
  GHashTable *tids;      /* the threads we opened events on (not those that inherited them) */
  guint       hz;
  int         n_cpus;
  int         wake_fd;
  gsize       page_size;
  guint8     *scratch;   /* a record that wraps around the end of a buffer */
  gsize       scratch_size;
  guint64     lost;
  gint        mmaps_seen;
  gboolean    user_only;
  gboolean    on_exec;   /* enabled by the kernel at the process's exec */
};

static int
perf_event_open (struct perf_event_attr *attr,
                 pid_t                   tid,
                 int                     cpu,
                 int                     group_fd,
                 unsigned long           flags)
{
  return (int) syscall (SYS_perf_event_open, attr, tid, cpu, group_fd, flags);
}

static void
fill_attr (struct perf_event_attr *attr,
           guint                   hz,
           gboolean                user_only,
           gboolean                on_exec)
{
  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_CPU_CLOCK;
  attr->freq = 1;
  attr->sample_freq = hz;
  attr->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD |
                      PERF_SAMPLE_CALLCHAIN;
#if defined(__x86_64__)
  attr->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
  attr->sample_regs_user = SAMPLE_REGS_MASK;
  attr->sample_stack_user = GZ_PERF_STACK_BYTES;
#endif
  /* Time in the kernel (system calls, page faults) counts as CPU time of the user stack that
   * entered it, as SIGPROF profilers count it; perf_event_paranoid 2 allows an unprivileged
   * user only user space, where such samples are dropped. Kernel frames are never recorded. */
  attr->exclude_kernel = user_only;
  attr->exclude_hv = 1;
  attr->exclude_callchain_kernel = 1;
  attr->disabled = 1;
  /* A launched program: from its first instruction, and nothing of the fork before. */
  attr->enable_on_exec = on_exec;
  /* Threads the process creates during the session carry the event on. */
  attr->inherit = 1;
  attr->mmap = 1;
  attr->mmap2 = 1;
  /* Half the smallest buffer wakes the reader: a few samples of 16 KiB and more. */
  attr->watermark = 1;
  attr->wakeup_watermark = DATA_PAGES_MIN * (guint32) sysconf (_SC_PAGESIZE) / 2;
}

static int
read_paranoid (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &text, NULL, NULL))
    return 2;
  return atoi (text);
}

/* The one line a refusal gets: why, and what to change. */
static void
set_open_error (GError **error,
                pid_t    pid,
                int      errsv)
{
  g_autofree char *proc = g_strdup_printf ("/proc/%d", (int) pid);
  struct stat st;
  int paranoid;

  if (errsv == ESRCH || (errsv != ENOSYS && stat (proc, &st) != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no process %d; check the pid (ps -e lists them)", (int) pid);
      return;
    }
  if (errsv == ENOSYS || errsv == ENOENT || errsv == ENODEV || errsv == EOPNOTSUPP)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "this kernel has no perf events for CPU sampling (%s); start the program "
                   "under gz instead, whose preload then samples it: gz-cli profile start "
                   "--type cpu -- COMMAND",
                   g_strerror (errsv));
      return;
    }
  if (errsv != EACCES && errsv != EPERM)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "perf events cannot sample process %d (%s); start the program under gz "
                   "instead, whose preload then samples it: gz-cli profile start --type cpu "
                   "-- COMMAND",
                   (int) pid, g_strerror (errsv));
      return;
    }
  paranoid = read_paranoid ();
  if (geteuid () != 0 && st.st_uid != geteuid ())
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "process %d belongs to another user (uid %u): perf events sample only your "
                 "own processes; run gz-cli as that user (or as root)",
                 (int) pid, (guint) st.st_uid);
  else if (paranoid > 2)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "the kernel refuses perf events to users (kernel.perf_event_paranoid is %d); "
                 "allow them with `sudo sysctl kernel.perf_event_paranoid=2`, or give gz-cli "
                 "CAP_PERFMON", paranoid);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "the kernel refused perf events on process %d (%s): a container's policy "
                 "forbids perf_event_open (allow it, e.g. docker run --cap-add PERFMON), or the "
                 "process is not dumpable; else start the program under gz, whose preload then "
                 "samples it: gz-cli profile start --type cpu -- COMMAND", (int) pid,
                 g_strerror (errsv));
}

/* An event on @tid; with kernel time when the kernel allows it (*@user_only FALSE), else
 * user space only (*@user_only set). */
static int
open_event (pid_t     tid,
            int       cpu,
            guint     hz,
            gboolean  on_exec,
            gboolean *user_only)
{
  struct perf_event_attr attr;
  int fd = -1;

  if (!*user_only)
    {
      fill_attr (&attr, hz, FALSE, on_exec);
      fd = perf_event_open (&attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd >= 0 || (errno != EACCES && errno != EPERM))
        return fd;
      *user_only = TRUE;
    }
  fill_attr (&attr, hz, TRUE, on_exec);
  return perf_event_open (&attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

gboolean
gz_perf_events_check (pid_t    pid,
                      GError **error)
{
  gboolean user_only = FALSE;
  int fd;

#if !defined(__x86_64__)
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "CPU profiles through perf events need x86-64; start the program under gz, "
               "whose preload then samples it: gz-cli profile start --type cpu -- COMMAND");
  return FALSE;
#endif
  if (pid <= 0)
    {
      set_open_error (error, pid, ESRCH);
      return FALSE;
    }
  fd = open_event (pid, -1, 100, FALSE, &user_only);
  if (fd < 0)
    {
      set_open_error (error, pid, errno);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static GArray *
list_tids (pid_t    pid,
           GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  const char *name;

  if (dir == NULL)
    {
      set_open_error (error, pid, ESRCH);
      g_array_unref (tids);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      pid_t tid = (pid_t) atoi (name);

      if (tid > 0)
        g_array_append_val (tids, tid);
    }
  return tids;
}

static gboolean
map_buffer (GzPerfEvents *self,
            int           fd,
            int           cpu,
            GError      **error)
{
  RingBuffer buffer = { fd, cpu, FALSE, NULL, 0 };
  int errsv = 0;

  for (gsize pages = DATA_PAGES_MAX; pages >= DATA_PAGES_MIN; pages /= 2)
    {
      gsize size = (pages + 1) * self->page_size;
      void *base = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

      if (base != MAP_FAILED)
        {
          buffer.base = base;
          buffer.data_size = pages * self->page_size;
          g_array_append_val (self->buffers, buffer);
          return TRUE;
        }
      errsv = errno;
    }
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "cannot map the perf event buffers of process %d (%s); raise "
               "kernel.perf_event_mlock_kb or the memlock limit (ulimit -l)",
               (int) self->pid, g_strerror (errsv));
  return FALSE;
}

/* Opens @tid's event on @cpu, writing to that CPU's buffer (mapped with the CPU's first
 * event). TRUE with nothing opened when the thread ended or the CPU is offline. */
static gboolean
open_on_cpu (GzPerfEvents  *self,
             pid_t          tid,
             int            cpu,
             GError       **error)
{
  RingBuffer *buffer = NULL;
  int fd;

  for (guint i = 0; i < self->buffers->len && buffer == NULL; i++)
    if (g_array_index (self->buffers, RingBuffer, i).cpu == cpu)
      buffer = &g_array_index (self->buffers, RingBuffer, i);
  fd = open_event (tid, cpu, self->hz, self->on_exec, &self->user_only);
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ESRCH || (errsv == ENODEV && cpu > 0))
        return TRUE;
      set_open_error (error, self->pid, errsv);
      return FALSE;
    }
  g_array_append_val (self->fds, fd);
  g_hash_table_add (self->tids, GINT_TO_POINTER (tid));
  if (buffer == NULL)
    return map_buffer (self, fd, cpu, error);
  if (ioctl (fd, PERF_EVENT_IOC_SET_OUTPUT, buffer->fd) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot share the perf buffer of CPU %d (%s)", cpu, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static GzPerfEvents *
events_open (pid_t     pid,
             guint     hz,
             gboolean  on_exec,
             GError  **error)
{
  g_autoptr(GzPerfEvents) self = g_new0 (GzPerfEvents, 1);
  g_autoptr(GArray) tids = NULL;

  if (!gz_perf_events_check (pid, error))
    return NULL;

  self->pid = pid;
  self->hz = hz;
  self->on_exec = on_exec;
  self->n_cpus = (int) sysconf (_SC_NPROCESSORS_CONF);
  self->fds = g_array_new (FALSE, FALSE, sizeof (int));
  self->buffers = g_array_new (FALSE, FALSE, sizeof (RingBuffer));
  self->tids = g_hash_table_new (NULL, NULL);
  self->page_size = (gsize) sysconf (_SC_PAGESIZE);
  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (self->wake_fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "eventfd: %s",
                   g_strerror (errsv));
      return NULL;
    }

  tids = list_tids (pid, error);
  if (tids == NULL)
    return NULL;
  for (int cpu = 0; cpu < self->n_cpus; cpu++)
    for (guint i = 0; i < tids->len; i++)
      if (!open_on_cpu (self, g_array_index (tids, pid_t, i), cpu, error))
        return NULL;
  if (self->buffers->len == 0)
    {
      set_open_error (error, pid, ESRCH);
      return NULL;
    }
  return g_steal_pointer (&self);
}

GzPerfEvents *
gz_perf_events_open (pid_t    pid,
                     guint    hz,
                     GError **error)
{
  return events_open (pid, hz, FALSE, error);
}

GzPerfEvents *
gz_perf_events_open_on_exec (pid_t    pid,
                             guint    hz,
                             GError **error)
{
  return events_open (pid, hz, TRUE, error);
}

void
gz_perf_events_free (GzPerfEvents *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; self->buffers != NULL && i < self->buffers->len; i++)
    {
      RingBuffer *buffer = &g_array_index (self->buffers, RingBuffer, i);

      munmap (buffer->base, buffer->data_size + self->page_size);
    }
  for (guint i = 0; self->fds != NULL && i < self->fds->len; i++)
    close (g_array_index (self->fds, int, i));
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_clear_pointer (&self->buffers, g_array_unref);
  g_clear_pointer (&self->fds, g_array_unref);
  g_clear_pointer (&self->tids, g_hash_table_unref);
  g_free (self->scratch);
  g_free (self);
}

static void
ioctl_all (GzPerfEvents  *self,
           unsigned long  request)
{
  for (guint i = 0; i < self->fds->len; i++)
    ioctl (g_array_index (self->fds, int, i), request, 0);
}

void
gz_perf_events_enable (GzPerfEvents *self)
{
  ioctl_all (self, PERF_EVENT_IOC_ENABLE);
}

void
gz_perf_events_disable (GzPerfEvents *self)
{
  ioctl_all (self, PERF_EVENT_IOC_DISABLE);
}

void
gz_perf_events_wake (GzPerfEvents *self)
{
  guint64 one = 1;

  if (write (self->wake_fd, &one, sizeof one) < 0)
    return; /* the counter is full: a wake-up is pending anyway */
}

gboolean
gz_perf_events_take_mmaps (GzPerfEvents *self)
{
  return g_atomic_int_exchange (&self->mmaps_seen, 0) != 0;
}

guint64
gz_perf_events_get_lost (GzPerfEvents *self)
{
  return self->lost;
}

gboolean
gz_perf_events_has_thread (GzPerfEvents *self,
                           pid_t         tid)
{
  return g_hash_table_contains (self->tids, GINT_TO_POINTER (tid));
}

gboolean
gz_perf_events_add_thread (GzPerfEvents *self,
                           pid_t         tid)
{
  guint first = self->fds->len;

  for (int cpu = 0; cpu < self->n_cpus; cpu++)
    if (!open_on_cpu (self, tid, cpu, NULL))
      return FALSE;
  for (guint i = first; i < self->fds->len; i++)
    ioctl (g_array_index (self->fds, int, i), PERF_EVENT_IOC_ENABLE, 0);
  return TRUE;
}

gboolean
gz_perf_events_get_user_only (GzPerfEvents *self)
{
  return self->user_only;
}

guint
gz_perf_events_get_n_threads (GzPerfEvents *self)
{
  return g_hash_table_size (self->tids);
}

/* A cursor over one record's bytes; reads past its end give zeros and set @bad. */
typedef struct
{
  const guint8 *p;
  const guint8 *end;
  gboolean      bad;
} Cursor;

static guint64
next_u64 (Cursor *c)
{
  guint64 v = 0;

  if (c->end - c->p < 8)
    {
      c->bad = TRUE;
      return 0;
    }
  memcpy (&v, c->p, 8);
  c->p += 8;
  return v;
}

static void
parse_sample (const guint8     *record,
              gsize             size,
              GzPerfSampleFunc  func,
              gpointer          user_data)
{
  Cursor c = { record + sizeof (struct perf_event_header), record + size, FALSE };
  g_autofree guint64 *chain = NULL;
  GzPerfSample sample = { 0 };
  guint64 word, nr;
  guint n = 0;

  word = next_u64 (&c);
  sample.pid = (guint32) word;
  sample.tid = (guint32) (word >> 32);
  sample.time = next_u64 (&c);
  sample.period = next_u64 (&c);
  nr = next_u64 (&c);
  if (nr > (guint64) (c.end - c.p) / 8)
    return;
  chain = g_new (guint64, nr + 1);
  for (guint64 i = 0; i < nr; i++)
    {
      guint64 ip = next_u64 (&c);

      /* Context markers (PERF_CONTEXT_USER, …) are not frames. */
      if (ip < PERF_CONTEXT_MAX)
        chain[n++] = ip;
    }
  sample.callchain = chain;
  sample.n_callchain = n;
#if defined(__x86_64__)
  if (next_u64 (&c) != PERF_SAMPLE_REGS_ABI_NONE)
    {
      sample.has_regs = TRUE;
      for (guint i = 0; i < GZ_PERF_N_REGS; i++)
        sample.regs[perf_to_dwarf[i]] = next_u64 (&c);
    }
  word = next_u64 (&c);
  if (word > 0 && word <= (guint64) (c.end - c.p))
    {
      const guint8 *data = c.p;
      guint64 dyn_size;

      c.p += word;
      dyn_size = next_u64 (&c);
      sample.stack = data;
      sample.stack_size = MIN (dyn_size, word);
    }
#endif
  if (!c.bad)
    func (&sample, user_data);
}

static void
drain (GzPerfEvents     *self,
       RingBuffer       *buffer,
       GzPerfSampleFunc  func,
       gpointer          user_data)
{
  struct perf_event_mmap_page *header = (struct perf_event_mmap_page *) buffer->base;
  const guint8 *data = buffer->base + self->page_size;
  guint64 head = __atomic_load_n (&header->data_head, __ATOMIC_ACQUIRE);
  guint64 tail = header->data_tail;

  while (tail + sizeof (struct perf_event_header) <= head)
    {
      struct perf_event_header eh;
      gsize offset = tail % buffer->data_size;
      const guint8 *record;

      if (offset + sizeof eh <= buffer->data_size)
        memcpy (&eh, data + offset, sizeof eh);
      else
        {
          gsize first = buffer->data_size - offset;

          memcpy (&eh, data + offset, first);
          memcpy ((guint8 *) &eh + first, data, sizeof eh - first);
        }
      if (eh.size < sizeof eh || tail + eh.size > head)
        break;
      if (offset + eh.size <= buffer->data_size)
        record = data + offset;
      else
        {
          gsize first = buffer->data_size - offset;

          if (self->scratch_size < eh.size)
            {
              self->scratch = g_realloc (self->scratch, eh.size);
              self->scratch_size = eh.size;
            }
          memcpy (self->scratch, data + offset, first);
          memcpy (self->scratch + first, data, eh.size - first);
          record = self->scratch;
        }

      switch (eh.type)
        {
        case PERF_RECORD_SAMPLE:
          parse_sample (record, eh.size, func, user_data);
          break;
        case PERF_RECORD_LOST:
          if (eh.size >= sizeof eh + 16)
            {
              guint64 lost;

              memcpy (&lost, record + sizeof eh + 8, 8);
              self->lost += lost;
            }
          break;
        case PERF_RECORD_MMAP:
        case PERF_RECORD_MMAP2:
          /* attr.mmap without mmap_data: only executable mappings are reported. */
          g_atomic_int_set (&self->mmaps_seen, 1);
          break;
        default:
          break;
        }
      tail += eh.size;
    }
  __atomic_store_n (&header->data_tail, tail, __ATOMIC_RELEASE);
}

void
gz_perf_events_read (GzPerfEvents     *self,
                     int               timeout_ms,
                     GzPerfSampleFunc  func,
                     gpointer          user_data)
{
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, self->buffers->len + 1);
  guint64 count;

  for (guint i = 0; i < self->buffers->len; i++)
    {
      RingBuffer *buffer = &g_array_index (self->buffers, RingBuffer, i);

      fds[i].fd = buffer->hung_up ? -1 : buffer->fd;
      fds[i].events = POLLIN;
    }
  fds[self->buffers->len].fd = self->wake_fd;
  fds[self->buffers->len].events = POLLIN;
  if (poll (fds, self->buffers->len + 1, timeout_ms) < 0 && errno != EINTR)
    g_usleep ((gulong) timeout_ms * 1000);
  for (guint i = 0; i < self->buffers->len; i++)
    if (fds[i].revents & (POLLHUP | POLLERR))
      g_array_index (self->buffers, RingBuffer, i).hung_up = TRUE;
  if (read (self->wake_fd, &count, sizeof count) < 0)
    count = 0; /* nothing pending */

  for (guint i = 0; i < self->buffers->len; i++)
    drain (self, &g_array_index (self->buffers, RingBuffer, i), func, user_data);
}
