/* gz-collector.c: drains the preload's ring of one process on a worker thread, unwinds every
 * record's registers and stack copy at once (the process may exit or unmap code later) with the
 * perf unwinder, and adds it to per-stack totals; profiles are built from the totals on demand,
 * symbolized with the process's symbolizer, read while it ran. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "gz-collector.h"
#include "gz-heap-sampler.h"
#include "gz-perf-events.h"
#include "gz-perf-unwind.h"
#include "gz-profile-builder.h"
#include "gz-stack.h"
#include "gz-symbolizer.h"

#define MAX_FRAMES 128
/* The worker looks for records this often; until the preload attached, every millisecond for a
 * second, then seldom. */
#define POLL_INTERVAL_USEC (2 * 1000)
#define ATTACH_INTERVAL_USEC 1000
#define ATTACH_WAIT_USEC G_USEC_PER_SEC
#define IDLE_INTERVAL_USEC (20 * 1000)
/* A pass over the ring reads the process's maps first (new modules), at most this often. */
#define MAPS_INTERVAL_USEC (10 * 1000)
/* A drain that runs to the end gives up after this many passes over a program that writes
 * records as fast as they are read. */
#define MAX_DRAIN_PASSES 64

G_STATIC_ASSERT (GZ_RING_N_REGS == GZ_PERF_N_REGS);
G_STATIC_ASSERT (GZ_RING_REG_SP == GZ_PERF_REG_SP);
G_STATIC_ASSERT (GZ_RING_REG_IP == GZ_PERF_REG_IP);

/* What a stack did, cumulative since the start. Memory values are the raw sampled counts (Go
 * scales them when a profile is built); block and mutex values are weighted per record. */
typedef struct
{
  gint64 alloc_count;
  gint64 alloc_bytes;
  gint64 inuse_count;
  gint64 inuse_bytes;
  double block_count;
  double block_delay;
  double mutex_count;
  double mutex_delay;
  gint64 threads;
  gint64 cpu_count;
  gint64 cpu_ns;
} Totals;

typedef struct
{
  guint        id;       /* index in stacks */
  guint        hash;
  GzStackFlags flags;
  guint        n_pcs;
  guint64     *pcs;      /* leaf first, without the preload's frames */
  Totals       totals;
} Stack;

typedef struct
{
  Stack  *stack;
  guint64 size;
} LiveObject;

struct _GzCollectorMark
{
  gint64  time_nanos;
  guint   n_stacks;
  Totals *totals;        /* by stack id */
};

struct _GzCollector
{
  GObject         parent_instance;

  pid_t           pid;
  GzRing         *ring;

  /* The worker and the callers of the public functions share all below under @lock: whoever
   * holds it may drain the ring (one drainer at a time). */
  GMutex          lock;
  GCond           cond;
  GThread        *worker;
  gboolean        started;
  gboolean        running;       /* started, not stopped: profiles drain the ring first */
  gboolean        stopping;
  gint64          start_nanos;   /* wall clock at start */
  char           *maps_text;     /* code lines of /proc/PID/maps when last read */
  char           *image_line;    /* the first of them when the modules were read */
  gint64          maps_time;     /* monotonic time of the last read of the maps */
  gboolean        maps_checked;  /* in this pass over the ring */
  /* Read once the preload attached (read_modules); NULL before, or when that failed. */
  GzPerfUnwinder *unwinder;
  GzSymbolizer   *symbolizer;
  GError         *modules_error; /* why they could not be read, the last time */
  gint64          modules_time;  /* monotonic time of that */
  guint64         preload_start; /* the image the modules were read of */
  GArray         *preload_ranges; /* guint64 start, end of the preload in each image */
  GPtrArray      *old_symbolizers; /* of images before an exec */

  GPtrArray      *stacks;        /* Stack, by id */
  GHashTable     *stack_index;   /* Stack -> itself */
  GHashTable     *live;          /* address -> LiveObject: sampled objects not freed yet */
  GByteArray     *pending;       /* records copied out of the ring, not added yet */

  guint64         n_records;
  guint64         n_foreign;     /* written by other processes */
  guint64         n_malformed;
  guint64         n_not_unwound;
  guint64         last_time_ns;
};

G_DEFINE_FINAL_TYPE (GzCollector, gz_collector, G_TYPE_OBJECT)

static void
stack_free (Stack *stack)
{
  g_free (stack->pcs);
  g_free (stack);
}

static guint
stack_hash (gconstpointer data)
{
  return ((const Stack *) data)->hash;
}

static gboolean
stack_equal (gconstpointer a,
             gconstpointer b)
{
  const Stack *sa = a;
  const Stack *sb = b;

  return sa->hash == sb->hash && sa->flags == sb->flags && sa->n_pcs == sb->n_pcs &&
         memcmp (sa->pcs, sb->pcs, sa->n_pcs * sizeof (guint64)) == 0;
}

static Stack *
intern_stack (GzCollector  *self,
              guint64      *pcs,
              guint         n_pcs,
              GzStackFlags  flags)
{
  Stack key = { 0, };
  Stack *stack;

  key.flags = flags;
  key.n_pcs = n_pcs;
  key.pcs = pcs;
  key.hash = gz_stack_hash (pcs, n_pcs, flags);
  stack = g_hash_table_lookup (self->stack_index, &key);
  if (stack != NULL)
    return stack;

  stack = g_new0 (Stack, 1);
  *stack = key;
  stack->id = self->stacks->len;
  stack->pcs = g_memdup2 (pcs, n_pcs * sizeof (guint64));
  g_ptr_array_add (self->stacks, stack);
  g_hash_table_add (self->stack_index, stack);
  return stack;
}

/* Whether the preload in our process has attached to the ring: from then on its libraries are
 * mapped and its records come. */
static gboolean
attached (GzCollector *self)
{
  const GzRingHeader *header = gz_ring_get_header (self->ring);

  return __atomic_load_n (&header->attached, __ATOMIC_ACQUIRE) != 0 &&
         __atomic_load_n (&header->pid, __ATOMIC_RELAXED) == (gint32) self->pid;
}

/* The lines of @maps that map code ("ADDR-ADDR r-xp ..."): the heap growing changes none. */
static char *
code_lines (const char *maps)
{
  g_auto(GStrv) lines = g_strsplit (maps, "\n", -1);
  GString *code = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *perms = strchr (lines[i], ' ');

      if (perms != NULL && strlen (perms) > 4 && perms[3] == 'x')
        g_string_append_printf (code, "%s\n", lines[i]);
    }
  return g_string_free (code, FALSE);
}

/* Whether the code mapped in the process changed since the last call. FALSE once it is gone,
 * or exiting (its maps emptied): what was read of it stays. */
static gboolean
maps_changed (GzCollector *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) self->pid);
  g_autofree char *maps = NULL;
  g_autofree char *code = NULL;

  self->maps_time = g_get_monotonic_time ();
  if (!g_file_get_contents (path, &maps, NULL, NULL))
    return FALSE;
  code = code_lines (maps);
  if (*code == '\0' || g_strcmp0 (code, self->maps_text) == 0)
    return FALSE;
  g_free (self->maps_text);
  self->maps_text = g_steal_pointer (&code);
  return TRUE;
}

/* The unwinder and the symbolizer read the process's modules again, now, while it runs. */
static void
refresh_modules (GzCollector *self)
{
  gz_perf_unwinder_refresh (self->unwinder);
  gz_symbolizer_refresh (self->symbolizer, NULL);
}

/* Reads the process's modules for the unwinder and the symbolizer, once: while it runs, as soon
 * as its preload attached (not before: a launched program may not have been exec'd yet, and the
 * modules of the program it was would be taken for its own). */
static gboolean
read_modules (GzCollector  *self,
              GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->unwinder != NULL)
    return TRUE;
  /* It failed a moment ago (an exec under way, or the process is gone): not again at once. */
  if (self->modules_error != NULL &&
      g_get_monotonic_time () - self->modules_time < MAPS_INTERVAL_USEC)
    {
      g_propagate_error (error, g_error_copy (self->modules_error));
      return FALSE;
    }
  self->modules_time = g_get_monotonic_time ();
  /* Which image of the process these modules are (an exec with GZ_PRELOAD_INHERIT moves it). */
  self->preload_start = __atomic_load_n (&gz_ring_get_header (self->ring)->preload_start,
                                         __ATOMIC_RELAXED);
  g_clear_pointer (&self->maps_text, g_free);
  maps_changed (self);
  g_clear_pointer (&self->image_line, g_free);
  if (self->maps_text != NULL)
    self->image_line = g_strndup (self->maps_text, strcspn (self->maps_text, "\n"));
  self->symbolizer = gz_symbolizer_new (self->pid, &local_error);
  if (self->symbolizer != NULL)
    self->unwinder = gz_perf_unwinder_new (self->pid, &local_error);
  if (self->unwinder == NULL)
    {
      g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
      g_clear_error (&self->modules_error);
      self->modules_error = g_error_copy (local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&self->modules_error);
  return TRUE;
}

/* The process exec'd (GZ_PRELOAD_INHERIT): every module is another now, even where an address
 * still falls in an old one, and libdw cannot unwind once the program it first read is gone, so
 * the unwinder and the symbolizer start over. */
static gboolean
read_new_image (GzCollector *self)
{
  g_clear_pointer (&self->unwinder, gz_perf_unwinder_free);
  /* A profile being built may still name addresses with it. */
  if (self->symbolizer != NULL)
    g_ptr_array_add (self->old_symbolizers, g_steal_pointer (&self->symbolizer));
  return read_modules (self, NULL);
}

/* Reads the maps; when code came or went, the modules again. Returns whether they were read
 * again (the unwinder is NULL then if that failed). */
static gboolean
check_maps (GzCollector *self)
{
  if (!maps_changed (self))
    return FALSE;
  /* Its first code (the program's) is gone: an exec that left the preload where it was (no
   * address randomization). */
  if (self->image_line != NULL && strstr (self->maps_text, self->image_line) == NULL)
    read_new_image (self);
  else
    refresh_modules (self);
  return TRUE;
}

/* The record's stack part at @offset, or NULL when the record is too short for it. */
static const GzRecordStack *
record_stack (const GzRecordHeader *record,
              gsize                 offset)
{
  const GzRecordStack *stack;

  if (record->size < offset + sizeof (GzRecordStack))
    return NULL;
  stack = (const GzRecordStack *) ((const guint8 *) record + offset);
  if (stack->stack_size > record->size - offset - sizeof (GzRecordStack))
    return NULL;
  return stack;
}

static guint
unwind (GzCollector          *self,
        const GzRecordHeader *record,
        const GzRecordStack  *rs,
        guint64              *pcs,
        gboolean             *complete)
{
  GzPerfSample sample = { 0, };

  sample.pid = record->pid;
  sample.tid = record->tid;
  sample.time = record->time_ns;
  sample.has_regs = TRUE;
  memcpy (sample.regs, rs->regs, sizeof sample.regs);
  sample.stack_size = rs->stack_size;
  sample.stack = rs->stack;
  return gz_perf_unwinder_unwind (self->unwinder, &sample, pcs, MAX_FRAMES, complete);
}

/* Whether the unwind of @rs (@pcs, @n_pcs) met an address in no module known to the unwinder.
 * The unwind may have gone past it (frame pointers) but stops where it is its first frame. */
static gboolean
has_unknown_pc (GzCollector         *self,
                const GzRecordStack *rs,
                const guint64       *pcs,
                guint                n_pcs)
{
  if (n_pcs == 0)
    return !gz_perf_unwinder_has_module (self->unwinder, rs->regs[GZ_RING_REG_IP]);
  for (guint i = 0; i < n_pcs; i++)
    if (!gz_perf_unwinder_has_module (self->unwinder, pcs[i]))
      return TRUE;
  return FALSE;
}

/* Where the preload's code is, in every image of the process (an exec moves it): records of an
 * image may be read after the next one attached. */
static void
add_preload_range (GzCollector *self,
                   guint64      start,
                   guint64      end)
{
  guint64 range[2] = { start, end };

  for (guint i = 0; i + 1 < self->preload_ranges->len; i += 2)
    if (g_array_index (self->preload_ranges, guint64, i) == start)
      return;
  g_array_append_vals (self->preload_ranges, range, 2);
}

static gboolean
in_preload (GzCollector *self,
            guint64      pc)
{
  for (guint i = 0; i + 1 < self->preload_ranges->len; i += 2)
    if (pc >= g_array_index (self->preload_ranges, guint64, i) &&
        pc < g_array_index (self->preload_ranges, guint64, i + 1))
      return TRUE;
  return FALSE;
}

/* The stack of @rs, without the preload's frames; NULL when nothing is left of it. @exact: the
 * registers are an interrupted instruction's (a signal's), not a call's. */
static Stack *
record_to_stack (GzCollector          *self,
                 const GzRecordHeader *record,
                 const GzRecordStack  *rs,
                 gboolean              exact)
{
  const GzRingHeader *header = gz_ring_get_header (self->ring);
  guint64 pcs[MAX_FRAMES];
  guint64 kept[MAX_FRAMES];
  gboolean complete = FALSE;
  gboolean leaf_kept = FALSE;
  guint n, n_kept = 0;
  guint64 preload_start = __atomic_load_n (&header->preload_start, __ATOMIC_RELAXED);
  guint64 preload_end = __atomic_load_n (&header->preload_end, __ATOMIC_RELAXED);

  if (!read_modules (self, NULL))
    {
      self->n_not_unwound++;
      return NULL;
    }
  /* The preload moved: the process exec'd (with GZ_PRELOAD_INHERIT). Every module is another
   * now, even where an address still falls in an old one, and libdw cannot unwind once the
   * program it first read is gone: both start over. */
  if (preload_start != self->preload_start && !read_new_image (self))
    {
      self->n_not_unwound++;
      return NULL;
    }
  add_preload_range (self, preload_start, preload_end);
  n = unwind (self, record, rs, pcs, &complete);
  /* Code the unwinder does not know: mapped since the last look (dlopen), if the maps changed.
   * Once a pass: every record of a pass was written before it began, so one look at the maps
   * sees all the modules they name (unless it was gone by then). */
  if (!self->maps_checked && has_unknown_pc (self, rs, pcs, n))
    {
      self->maps_checked = TRUE;
      if (check_maps (self))
        {
          if (self->unwinder == NULL)
            {
              self->n_not_unwound++;
              return NULL;
            }
          n = unwind (self, record, rs, pcs, &complete);
        }
    }

  for (guint i = 0; i < n; i++)
    {
      if (in_preload (self, pcs[i]))
        continue;
      if (i == 0)
        leaf_kept = TRUE;
      kept[n_kept++] = pcs[i];
    }
  if (n_kept == 0)
    {
      self->n_not_unwound++;
      return NULL;
    }
  return intern_stack (self, kept, n_kept,
                       exact && leaf_kept ? GZ_STACK_FLAGS_LEAF_EXACT : GZ_STACK_FLAGS_NONE);
}

static void
forget_object (GzCollector *self,
               guint64      address)
{
  LiveObject *object = g_hash_table_lookup (self->live, GSIZE_TO_POINTER (address));

  if (object == NULL)
    return;
  object->stack->totals.inuse_count--;
  object->stack->totals.inuse_bytes -= (gint64) object->size;
  g_hash_table_remove (self->live, GSIZE_TO_POINTER (address));
}

static void
add_alloc (GzCollector          *self,
           const GzRecordHeader *record)
{
  const GzRecordAlloc *alloc = (const GzRecordAlloc *) record;
  const GzRecordStack *rs = record_stack (record, G_STRUCT_OFFSET (GzRecordAlloc, stack));
  LiveObject *object;
  Stack *stack;

  if (rs == NULL)
    {
      self->n_malformed++;
      return;
    }
  /* Its free was lost (a full ring): the address is another object's now. */
  forget_object (self, alloc->address);
  stack = record_to_stack (self, record, rs, FALSE);
  if (stack == NULL)
    return;
  stack->totals.alloc_count++;
  stack->totals.alloc_bytes += (gint64) alloc->size;
  stack->totals.inuse_count++;
  stack->totals.inuse_bytes += (gint64) alloc->size;
  object = g_new (LiveObject, 1);
  object->stack = stack;
  object->size = alloc->size;
  g_hash_table_insert (self->live, GSIZE_TO_POINTER (alloc->address), object);
}

/* Weighted as the in-process recorder does (gz-contention.c), from the rates the preload
 * sampled at. */
static void
add_wait (GzCollector          *self,
          const GzRecordHeader *record)
{
  const GzRingHeader *header = gz_ring_get_header (self->ring);
  const GzRecordWait *wait = (const GzRecordWait *) record;
  const GzRecordStack *rs = record_stack (record, G_STRUCT_OFFSET (GzRecordWait, stack));
  double delay;
  Stack *stack;

  if (rs == NULL)
    {
      self->n_malformed++;
      return;
    }
  delay = (double) wait->delay_ns;
  stack = record_to_stack (self, record, rs, FALSE);
  if (stack == NULL)
    return;
  if (record->type == GZ_RECORD_BLOCK)
    {
      double rate = (double) header->block_rate_ns;

      /* Go's blocksampled(): a wait shorter than the rate was kept with probability
       * delay / rate, so it stands for rate / delay waits. */
      if (rate > 0 && delay > 0 && delay < rate)
        {
          stack->totals.block_count += rate / delay;
          stack->totals.block_delay += rate;
        }
      else
        {
          stack->totals.block_count += 1;
          stack->totals.block_delay += delay;
        }
    }
  else
    {
      double fraction = MAX (header->mutex_fraction, 1);

      stack->totals.mutex_count += fraction;
      stack->totals.mutex_delay += delay * fraction;
    }
}

static void
add_thread (GzCollector          *self,
            const GzRecordHeader *record)
{
  const GzRecordStack *rs = record_stack (record, G_STRUCT_OFFSET (GzRecordThread, stack));
  Stack *stack;

  if (rs == NULL)
    {
      self->n_malformed++;
      return;
    }
  stack = record_to_stack (self, record, rs, FALSE);
  if (stack != NULL)
    stack->totals.threads++;
}

static void
add_cpu (GzCollector          *self,
         const GzRecordHeader *record)
{
  const GzRecordCpu *cpu = (const GzRecordCpu *) record;
  const GzRecordStack *rs = record_stack (record, G_STRUCT_OFFSET (GzRecordCpu, stack));
  Stack *stack;

  if (rs == NULL)
    {
      self->n_malformed++;
      return;
    }
  stack = record_to_stack (self, record, rs, TRUE);
  if (stack == NULL)
    return;
  stack->totals.cpu_count++;
  stack->totals.cpu_ns += (gint64) cpu->period_ns;
}

static void
add_record (GzCollector          *self,
            const GzRecordHeader *record)
{
  self->n_records++;
  self->last_time_ns = MAX (self->last_time_ns, record->time_ns);
  if (record->type == GZ_RECORD_PAD || record->type == GZ_RECORD_FORK)
    return;
  if ((pid_t) record->pid != self->pid)
    {
      self->n_foreign++;
      return;
    }
  switch (record->type)
    {
    case GZ_RECORD_ALLOC:
      add_alloc (self, record);
      break;
    case GZ_RECORD_FREE:
      if (record->size >= sizeof (GzRecordFree))
        forget_object (self, ((const GzRecordFree *) record)->address);
      else
        self->n_malformed++;
      break;
    case GZ_RECORD_BLOCK:
    case GZ_RECORD_MUTEX:
      add_wait (self, record);
      break;
    case GZ_RECORD_THREAD:
      add_thread (self, record);
      break;
    case GZ_RECORD_CPU:
      add_cpu (self, record);
      break;
    default:
      self->n_malformed++;
      break;
    }
}

/* Copies a record out of the ring: its room is given back before the slow part (unwinding). */
static void
copy_record (const GzRecordHeader *record,
             gpointer              user_data)
{
  GzCollector *self = user_data;

  if (record->size >= sizeof (GzRecordHeader) && record->size % 8 == 0)
    g_byte_array_append (self->pending, (const guint8 *) record, record->size);
  else
    self->n_malformed++;
}

/* With the lock held: one pass over the ring. Returns the number of records read. */
static guint
drain_once (GzCollector *self)
{
  guint n = gz_ring_drain (self->ring, copy_record, self);
  gsize offset = 0;

  /* Now, before the slow part, while the program that just wrote these most likely runs:
   * they may name modules it mapped since the last look. */
  self->maps_checked = FALSE;
  if (n > 0 && self->unwinder != NULL &&
      g_get_monotonic_time () - self->maps_time >= MAPS_INTERVAL_USEC)
    {
      self->maps_checked = TRUE;
      check_maps (self);
    }
  while (offset < self->pending->len)
    {
      const GzRecordHeader *record = (const GzRecordHeader *) (self->pending->data + offset);

      add_record (self, record);
      offset += record->size;
    }
  g_byte_array_set_size (self->pending, 0);
  return n;
}

/* With the lock held. @all: until the ring is empty (the last drain). */
static guint
drain (GzCollector *self,
       gboolean     all)
{
  guint passes = 0;
  guint n, total = 0;

  while ((n = drain_once (self)) > 0)
    {
      total += n;
      if (!all || ++passes >= MAX_DRAIN_PASSES)
        break;
    }
  return total;
}

/* Whether the program reserved room since the last drain: a record is (being) written. */
static gboolean
has_records (GzCollector *self)
{
  const GzRingHeader *header = gz_ring_get_header (self->ring);

  return __atomic_load_n (&header->head, __ATOMIC_ACQUIRE) !=
         __atomic_load_n (&header->tail, __ATOMIC_RELAXED);
}

static gpointer
worker_thread (gpointer data)
{
  GzCollector *self = data;
  gint64 started = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      gint64 interval = POLL_INTERVAL_USEC;
      gint64 end;

      /* The modules are read as soon as the preload attached: the program may not live
       * until its first records are read. */
      if (self->unwinder == NULL)
        {
          if (attached (self))
            read_modules (self, NULL);
          else
            interval = g_get_monotonic_time () - started < ATTACH_WAIT_USEC
                       ? ATTACH_INTERVAL_USEC : IDLE_INTERVAL_USEC;
        }
      /* Looking costs two loads: records are read (and the maps with them) within a few
       * milliseconds, while the program that wrote them most likely still runs. */
      if (has_records (self))
        drain (self, FALSE);
      end = g_get_monotonic_time () + interval;
      while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, end))
        ;
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

GzCollector *
gz_collector_new (pid_t    pid,
                  GzRing  *ring,
                  GError **error)
{
  g_autoptr(GzRing) owned_ring = ring;
  g_autoptr(GzCollector) self = NULL;

  g_return_val_if_fail (ring != NULL, NULL);

  if (pid <= 0 || (kill (pid, 0) != 0 && errno == ESRCH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "there is no process %d to collect the records of; did it exit at once?",
                   (int) pid);
      return NULL;
    }
  self = g_object_new (GZ_TYPE_COLLECTOR, NULL);
  self->pid = pid;
  self->ring = g_steal_pointer (&owned_ring);
  /* A program that runs with the preload already: its modules are there to read. */
  if (attached (self) && !read_modules (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
gz_collector_start (GzCollector *self)
{
  g_return_if_fail (GZ_IS_COLLECTOR (self));

  g_mutex_lock (&self->lock);
  if (!self->started)
    {
      self->started = TRUE;
      self->running = TRUE;
      self->start_nanos = g_get_real_time () * 1000;
      /* It waits for the lock before its first drain. */
      self->worker = g_thread_new ("gz-collector", worker_thread, self);
    }
  g_mutex_unlock (&self->lock);
}

void
gz_collector_stop (GzCollector *self)
{
  GThread *worker;

  g_return_if_fail (GZ_IS_COLLECTOR (self));

  g_mutex_lock (&self->lock);
  worker = g_steal_pointer (&self->worker);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  if (worker == NULL)
    return;
  g_thread_join (worker);

  g_mutex_lock (&self->lock);
  drain (self, TRUE);
  self->running = FALSE;
  g_mutex_unlock (&self->lock);
}

/* With the lock held: the totals, up to date. */
static void
catch_up (GzCollector *self)
{
  if (self->running)
    drain (self, TRUE);
}

GzCollectorMark *
gz_collector_mark (GzCollector *self)
{
  GzCollectorMark *mark;

  g_return_val_if_fail (GZ_IS_COLLECTOR (self), NULL);

  mark = g_new0 (GzCollectorMark, 1);
  g_mutex_lock (&self->lock);
  catch_up (self);
  mark->time_nanos = g_get_real_time () * 1000;
  mark->n_stacks = self->stacks->len;
  mark->totals = g_new (Totals, MAX (mark->n_stacks, 1));
  for (guint i = 0; i < mark->n_stacks; i++)
    mark->totals[i] = ((Stack *) g_ptr_array_index (self->stacks, i))->totals;
  g_mutex_unlock (&self->lock);
  return mark;
}

void
gz_collector_mark_free (GzCollectorMark *mark)
{
  if (mark == NULL)
    return;
  g_free (mark->totals);
  g_free (mark);
}

static gint64
round_weight (double value)
{
  return (gint64) (value + 0.5);
}

/* The values of @type for @now − @before (in-use values: @now's), scaled; FALSE when all are
 * zero. */
static gboolean
stack_values (GzProfileType       type,
              const GzRingHeader *header,
              const Totals       *now,
              const Totals       *before,
              gint64             *values)
{
  static const Totals zero = { 0, };

  if (before == NULL)
    before = &zero;
  switch (type)
    {
    case GZ_PROFILE_TYPE_MEMORY:
      values[0] = now->alloc_count - before->alloc_count;
      values[1] = now->alloc_bytes - before->alloc_bytes;
      values[2] = now->inuse_count;
      values[3] = now->inuse_bytes;
      gz_heap_sampler_scale (&values[0], &values[1], (gsize) header->memory_rate);
      gz_heap_sampler_scale (&values[2], &values[3], (gsize) header->memory_rate);
      return values[0] != 0 || values[1] != 0 || values[2] != 0 || values[3] != 0;
    case GZ_PROFILE_TYPE_BLOCK:
      values[0] = round_weight (now->block_count - before->block_count);
      values[1] = round_weight (now->block_delay - before->block_delay);
      return values[0] != 0 || values[1] != 0;
    case GZ_PROFILE_TYPE_MUTEX:
      values[0] = round_weight (now->mutex_count - before->mutex_count);
      values[1] = round_weight (now->mutex_delay - before->mutex_delay);
      return values[0] != 0 || values[1] != 0;
    case GZ_PROFILE_TYPE_THREADCREATE:
      values[0] = now->threads - before->threads;
      return values[0] != 0;
    case GZ_PROFILE_TYPE_CPU:
      values[0] = now->cpu_count - before->cpu_count;
      values[1] = now->cpu_ns - before->cpu_ns;
      return values[0] != 0;
    case GZ_PROFILE_TYPE_GOROUTINE:
    case GZ_PROFILE_TYPE_N:
    default:
      g_assert_not_reached ();
    }
}

static gint64
type_period (GzProfileType       type,
             const GzRingHeader *header)
{
  switch (type)
    {
    case GZ_PROFILE_TYPE_MEMORY:
      return (gint64) header->memory_rate;
    case GZ_PROFILE_TYPE_BLOCK:
      return (gint64) header->block_rate_ns;
    case GZ_PROFILE_TYPE_MUTEX:
      return header->mutex_fraction;
    case GZ_PROFILE_TYPE_CPU:
      return G_GINT64_CONSTANT (1000000000) / MAX (header->cpu_hz, 1);
    case GZ_PROFILE_TYPE_THREADCREATE:
    case GZ_PROFILE_TYPE_GOROUTINE:
    case GZ_PROFILE_TYPE_N:
    default:
      return 1;
    }
}

GzProfile *
gz_collector_build_profile (GzCollector      *self,
                            GzProfileType     type,
                            GzCollectorMark  *since,
                            GError          **error)
{
  g_autoptr(GzProfileBuilder) builder = NULL;
  const GzRingHeader *header;
  GzSymbolizer *symbolizer;
  GString *comment;
  gint64 now_nanos, start_nanos;
  guint64 lost;

  g_return_val_if_fail (GZ_IS_COLLECTOR (self), NULL);

  if (type == GZ_PROFILE_TYPE_GOROUTINE || type >= GZ_PROFILE_TYPE_N)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "the preload records no %s profiles; take them from outside the process",
                   gz_profile_type_to_string (type));
      return NULL;
    }

  builder = gz_profile_builder_new (type);
  header = gz_ring_get_header (self->ring);
  g_mutex_lock (&self->lock);
  catch_up (self);
  for (guint i = 0; i < self->stacks->len; i++)
    {
      const Stack *stack = g_ptr_array_index (self->stacks, i);
      const Totals *before = since != NULL && stack->id < since->n_stacks
                             ? &since->totals[stack->id] : NULL;
      gint64 values[4];

      if (stack_values (type, header, &stack->totals, before, values))
        gz_profile_builder_add_sample (builder, stack->pcs, stack->n_pcs, stack->flags, values,
                                       NULL, 0);
    }
  lost = gz_ring_get_lost (self->ring);
  comment = g_string_new (NULL);
  g_string_append_printf (comment, "from the gz preload in pid %d: %" G_GUINT64_FORMAT
                          " records read", (int) self->pid, self->n_records);
  if (self->n_foreign > 0)
    g_string_append_printf (comment, ", %" G_GUINT64_FORMAT " of other processes (fork "
                            "children) left out", self->n_foreign);
  if (self->n_not_unwound > 0 || self->n_malformed > 0)
    g_string_append_printf (comment, ", %" G_GUINT64_FORMAT " without a stack",
                            self->n_not_unwound + self->n_malformed);
  if (self->modules_error != NULL)
    g_string_append_printf (comment, " (%s)", self->modules_error->message);
  /* Set once, never replaced: usable without the lock. */
  symbolizer = self->symbolizer;
  g_mutex_unlock (&self->lock);
  gz_profile_builder_add_comment (builder, comment->str);
  g_string_free (comment, TRUE);
  if (lost > 0)
    {
      g_autofree char *line = g_strdup_printf ("%" G_GUINT64_FORMAT " records lost: the ring "
                                               "was full", lost);

      gz_profile_builder_add_comment (builder, line);
    }

  now_nanos = g_get_real_time () * 1000;
  start_nanos = since != NULL ? since->time_nanos
                              : self->start_nanos != 0 ? self->start_nanos : now_nanos;
  gz_profile_builder_set_period (builder, type_period (type, header));
  gz_profile_builder_set_time (builder, start_nanos, MAX (now_nanos - start_nanos, 0));
  /* No symbolizer: no stacks either, so the builder never looks for the calling process's. */
  return gz_profile_builder_finish (builder, symbolizer, error);
}

pid_t
gz_collector_get_pid (GzCollector *self)
{
  g_return_val_if_fail (GZ_IS_COLLECTOR (self), 0);
  return self->pid;
}

GzRing *
gz_collector_get_ring (GzCollector *self)
{
  g_return_val_if_fail (GZ_IS_COLLECTOR (self), NULL);
  return self->ring;
}

guint64
gz_collector_get_n_records (GzCollector *self)
{
  guint64 n;

  g_return_val_if_fail (GZ_IS_COLLECTOR (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_records;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
gz_collector_get_lost (GzCollector *self)
{
  g_return_val_if_fail (GZ_IS_COLLECTOR (self), 0);
  return gz_ring_get_lost (self->ring);
}

guint64
gz_collector_get_last_time_ns (GzCollector *self)
{
  guint64 time_ns;

  g_return_val_if_fail (GZ_IS_COLLECTOR (self), 0);

  g_mutex_lock (&self->lock);
  time_ns = self->last_time_ns;
  g_mutex_unlock (&self->lock);
  return time_ns;
}

static void
gz_collector_dispose (GObject *object)
{
  GzCollector *self = GZ_COLLECTOR (object);

  gz_collector_stop (self);
  G_OBJECT_CLASS (gz_collector_parent_class)->dispose (object);
}

static void
gz_collector_finalize (GObject *object)
{
  GzCollector *self = GZ_COLLECTOR (object);

  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_clear_pointer (&self->preload_ranges, g_array_unref);
  g_clear_pointer (&self->stack_index, g_hash_table_unref);
  g_clear_pointer (&self->stacks, g_ptr_array_unref);
  g_clear_pointer (&self->unwinder, gz_perf_unwinder_free);
  g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
  g_clear_pointer (&self->old_symbolizers, g_ptr_array_unref);
  g_clear_error (&self->modules_error);
  g_clear_pointer (&self->maps_text, g_free);
  g_clear_pointer (&self->image_line, g_free);
  g_clear_pointer (&self->ring, gz_ring_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (gz_collector_parent_class)->finalize (object);
}

static void
gz_collector_class_init (GzCollectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_collector_dispose;
  object_class->finalize = gz_collector_finalize;
}

static void
gz_collector_init (GzCollector *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->stacks = g_ptr_array_new_with_free_func ((GDestroyNotify) stack_free);
  self->stack_index = g_hash_table_new (stack_hash, stack_equal);
  self->live = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->pending = g_byte_array_new ();
  self->preload_ranges = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->old_symbolizers = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_symbolizer_free);
}
