/* gz-preload-pthread.c: pthread_mutex_lock, pthread_cond_wait, pthread_cond_timedwait,
 * pthread_join and pthread_create, forwarded to libc, recording waits (block, mutex) and thread
 * creation. The delay of a record is the wait in ns; the collector applies the sampling
 * weights (Go's rules, decided here). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "gz-preload-private.h"

typedef int (*MutexLockFunc)     (pthread_mutex_t *);
typedef int (*CondWaitFunc)      (pthread_cond_t *, pthread_mutex_t *);
typedef int (*CondTimedwaitFunc) (pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*JoinFunc)          (pthread_t, void **);
typedef int (*CreateFunc)        (pthread_t *, const pthread_attr_t *, void *(*) (void *), void *);

static MutexLockFunc     real_mutex_lock;
static CondWaitFunc      real_cond_wait;
static CondTimedwaitFunc real_cond_timedwait;
static JoinFunc          real_join;
static CreateFunc        real_create;
static int               resolved;

void
gz_preload_pthread_resolve (void)
{
  GzPreloadThread *t = &gz_preload_thread;
  uint8_t was_busy = t->busy;

  if (__atomic_load_n (&resolved, __ATOMIC_ACQUIRE))
    return;
  t->busy = 1;
  /* Plain dlsym would give the pre-2.3.2 compatibility versions of the condition functions,
   * which expect the old pthread_cond_t. */
  __atomic_store_n (&real_cond_wait,
                    (CondWaitFunc) dlvsym (RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2"),
                    __ATOMIC_RELEASE);
  __atomic_store_n (&real_cond_timedwait,
                    (CondTimedwaitFunc) dlvsym (RTLD_NEXT, "pthread_cond_timedwait",
                                                "GLIBC_2.3.2"),
                    __ATOMIC_RELEASE);
  __atomic_store_n (&real_join, (JoinFunc) dlsym (RTLD_NEXT, "pthread_join"), __ATOMIC_RELEASE);
  __atomic_store_n (&real_create, (CreateFunc) dlsym (RTLD_NEXT, "pthread_create"),
                    __ATOMIC_RELEASE);
  __atomic_store_n (&real_mutex_lock, (MutexLockFunc) dlsym (RTLD_NEXT, "pthread_mutex_lock"),
                    __ATOMIC_RELEASE);
  t->busy = was_busy;
  __atomic_store_n (&resolved, 1, __ATOMIC_RELEASE);
}

/* The function in @slot, resolved on first use if a library calls before our constructor;
 * NULL only while this thread is inside dlsym. */
#define REAL(slot) \
  (GZ_LIKELY (__atomic_load_n (&resolved, __ATOMIC_ACQUIRE)) || gz_preload_thread.busy \
     ? __atomic_load_n (&(slot), __ATOMIC_ACQUIRE) \
     : (gz_preload_pthread_resolve (), __atomic_load_n (&(slot), __ATOMIC_ACQUIRE)))

/* Go's blocksampled (): every wait of at least the rate, shorter ones with probability
 * delay / rate. */
static bool
block_sampled (uint64_t delay_ns)
{
  uint64_t rate = gz_preload_header->block_rate_ns;

  if (rate == 0 || !gz_preload_wants (GZ_RING_RECORD_BLOCK))
    return false;

  return delay_ns >= rate || gz_preload_random () % rate < delay_ns;
}

static bool
mutex_sampled (void)
{
  uint32_t fraction = gz_preload_header->mutex_fraction;

  if (fraction == 0 || !gz_preload_wants (GZ_RING_RECORD_MUTEX))
    return false;

  return fraction == 1 || gz_preload_random () % fraction == 0;
}

__attribute__ ((noinline)) static void
record_wait (uint64_t delay_ns,
             bool     is_mutex)
{
  GzPreloadThread *t = &gz_preload_thread;
  bool to_block;
  bool to_mutex;

  if (delay_ns == 0)
    return;
  to_block = block_sampled (delay_ns);
  to_mutex = is_mutex && mutex_sampled ();
  if (!to_block && !to_mutex)
    return;

  t->busy = 1;
  if (to_block)
    gz_preload_write_stack (GZ_RECORD_BLOCK, &delay_ns, sizeof delay_ns, NULL);
  if (to_mutex)
    gz_preload_write_stack (GZ_RECORD_MUTEX, &delay_ns, sizeof delay_ns, NULL);
  t->busy = 0;
}

static inline bool
recording_waits (void)
{
  return gz_preload_wants (GZ_RING_RECORD_BLOCK | GZ_RING_RECORD_MUTEX) &&
         !gz_preload_thread.busy;
}

__attribute__ ((noinline)) static int
mutex_lock_slow (pthread_mutex_t *mutex)
{
  MutexLockFunc lock = REAL (real_mutex_lock);
  uint64_t start;
  int rc;

  if (GZ_UNLIKELY (lock == NULL))
    {
      /* Only while dlsym runs in this thread, before anything is resolved. */
      while ((rc = pthread_mutex_trylock (mutex)) == EBUSY)
        sched_yield ();
      return rc;
    }
  if (!recording_waits ())
    return lock (mutex);

  start = gz_preload_now_ns ();
  rc = lock (mutex);
  if (rc == 0 || rc == EOWNERDEAD)
    record_wait (gz_preload_now_ns () - start, true);

  return rc;
}

GZ_EXPORT int
pthread_mutex_lock (pthread_mutex_t *mutex)
{
  /* Uncontended: one atomic, as in the real function. EOWNERDEAD also means we own it. */
  int rc = pthread_mutex_trylock (mutex);

  if (GZ_LIKELY (rc == 0) || rc == EOWNERDEAD || rc == ENOTRECOVERABLE)
    return rc;

  return mutex_lock_slow (mutex);
}

GZ_EXPORT int
pthread_cond_wait (pthread_cond_t  *cond,
                   pthread_mutex_t *mutex)
{
  CondWaitFunc wait = REAL (real_cond_wait);
  uint64_t start;
  int rc;

  if (GZ_UNLIKELY (wait == NULL))
    return ENOSYS;
  if (!recording_waits ())
    return wait (cond, mutex);

  start = gz_preload_now_ns ();
  rc = wait (cond, mutex);
  record_wait (gz_preload_now_ns () - start, false);

  return rc;
}

GZ_EXPORT int
pthread_cond_timedwait (pthread_cond_t        *cond,
                        pthread_mutex_t       *mutex,
                        const struct timespec *abstime)
{
  CondTimedwaitFunc wait = REAL (real_cond_timedwait);
  uint64_t start;
  int rc;

  if (GZ_UNLIKELY (wait == NULL))
    return ENOSYS;
  if (!recording_waits ())
    return wait (cond, mutex, abstime);

  start = gz_preload_now_ns ();
  rc = wait (cond, mutex, abstime);
  record_wait (gz_preload_now_ns () - start, false);

  return rc;
}

GZ_EXPORT int
pthread_join (pthread_t   thread,
              void      **retval)
{
  JoinFunc join = REAL (real_join);
  uint64_t start;
  int rc;

  if (GZ_UNLIKELY (join == NULL))
    return ENOSYS;
  if (!recording_waits ())
    return join (thread, retval);

  start = gz_preload_now_ns ();
  rc = join (thread, retval);
  record_wait (gz_preload_now_ns () - start, false);

  return rc;
}

GZ_EXPORT int
pthread_create (pthread_t            *thread,
                const pthread_attr_t *attr,
                void                *(*start_routine) (void *),
                void                 *arg)
{
  CreateFunc create = REAL (real_create);
  GzPreloadThread *t = &gz_preload_thread;
  int rc;

  if (GZ_UNLIKELY (create == NULL))
    return EAGAIN;

  rc = create (thread, attr, start_routine, arg);
  if (rc == 0 && gz_preload_wants (GZ_RING_RECORD_THREADS) && !t->busy)
    {
      t->busy = 1;
      gz_preload_write_stack (GZ_RECORD_THREAD, NULL, 0, NULL);
      t->busy = 0;
    }

  return rc;
}
