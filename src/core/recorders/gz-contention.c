/* gz-contention.c: the block and mutex recorders fed by the pthread hooks. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <time.h>
#include <unistd.h>

#include "gz-contention.h"
#include "gz-recorders-fork.h"
#include "gz-stack-table.h"

static gint64 block_rate = GZ_BLOCK_DEFAULT_RATE_NS;
static int mutex_fraction = GZ_MUTEX_DEFAULT_FRACTION;
static gboolean hooked;

static GzStackTable *
block_table (void)
{
  static GzStackTable *table;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, gz_stack_table_new (2));

  return table;
}

static GzStackTable *
mutex_table (void)
{
  static GzStackTable *table;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, gz_stack_table_new (2));

  return table;
}

/* xorshift64*, one state per thread: sampling decisions need no lock. */
static guint64
random_u64 (void)
{
  static __thread guint64 state;
  guint64 x = state;

  if (G_UNLIKELY (x == 0))
    {
      struct timespec ts;

      clock_gettime (CLOCK_MONOTONIC, &ts);
      x = ((guint64) gettid () << 32) ^ (guint64) ts.tv_nsec ^ 0x9e3779b97f4a7c15ull;
    }
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  state = x;

  return x * 0x2545f4914f6cdd1dull;
}

gboolean
gz_contention_is_available (void)
{
  return __atomic_load_n (&hooked, __ATOMIC_ACQUIRE);
}

void
gz_contention_set_hooked (gboolean is_hooked)
{
  __atomic_store_n (&hooked, is_hooked, __ATOMIC_RELEASE);
}

void
gz_contention_set_block_rate (gint64 rate_ns)
{
  __atomic_store_n (&block_rate, MAX (rate_ns, 0), __ATOMIC_RELAXED);
}

gint64
gz_contention_get_block_rate (void)
{
  return __atomic_load_n (&block_rate, __ATOMIC_RELAXED);
}

void
gz_contention_set_mutex_fraction (int fraction)
{
  __atomic_store_n (&mutex_fraction, MAX (fraction, 0), __ATOMIC_RELAXED);
}

int
gz_contention_get_mutex_fraction (void)
{
  return __atomic_load_n (&mutex_fraction, __ATOMIC_RELAXED);
}

void
gz_contention_record (GzBlockKind kind,
                      gint64      delay_ns,
                      guint       skip)
{
  gint64 rate = gz_contention_get_block_rate ();
  int fraction = gz_contention_get_mutex_fraction ();
  gboolean to_block;
  gboolean to_mutex;
  guint64 pcs[GZ_STACK_MAX_DEPTH];
  guint n_pcs;

  if (delay_ns <= 0)
    return;

  /* Go's blocksampled(): every event of at least the rate, shorter ones with probability
   * delay / rate; each is then weighted by 1 / probability so the totals are unbiased. */
  to_block = rate > 0 && (delay_ns >= rate || (gint64) (random_u64 () % (guint64) rate) < delay_ns);
  to_mutex = kind == GZ_BLOCK_KIND_MUTEX && fraction > 0 &&
             (fraction == 1 || random_u64 () % (guint64) fraction == 0);
  if (!to_block && !to_mutex)
    return;
  if (!gz_recorders_fork_enter ())
    return;

  /* This function's frame, then the caller's @skip frames. */
  n_pcs = gz_stack_capture (pcs, G_N_ELEMENTS (pcs), 1 + skip);
  if (n_pcs == 0)
    {
      gz_recorders_fork_leave ();
      return;
    }

  if (to_block)
    {
      double values[2];

      if (delay_ns >= rate)
        {
          values[0] = 1;
          values[1] = (double) delay_ns;
        }
      else
        {
          values[0] = (double) rate / (double) delay_ns;
          values[1] = (double) rate;
        }
      gz_stack_table_add (block_table (), pcs, n_pcs, values);
    }

  if (to_mutex)
    {
      double values[2] = { fraction, (double) delay_ns * fraction };

      gz_stack_table_add (mutex_table (), pcs, n_pcs, values);
    }
  gz_recorders_fork_leave ();
}

GArray *
gz_contention_snapshot_block (void)
{
  return gz_stack_table_snapshot (block_table ());
}

GArray *
gz_contention_snapshot_mutex (void)
{
  return gz_stack_table_snapshot (mutex_table ());
}
