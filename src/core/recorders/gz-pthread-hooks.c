/* gz-pthread-hooks.c: pthread_mutex_lock, pthread_cond_wait, pthread_join and pthread_create
 * wrappers, linked into each executable so they interpose on every library's calls, feeding
 * the block, mutex and threadcreate recorders. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "gz-contention.h"
#include "gz-stack.h"
#include "gz-threadcreate.h"

typedef int (*MutexLockFunc)     (pthread_mutex_t *);
typedef int (*CondWaitFunc)      (pthread_cond_t *, pthread_mutex_t *);
typedef int (*CondTimedwaitFunc) (pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*JoinFunc)          (pthread_t, void **);
typedef int (*CreateFunc)        (pthread_t *, const pthread_attr_t *, void *(*) (void *), void *);

static MutexLockFunc real_mutex_lock;
static CondWaitFunc real_cond_wait;
static CondTimedwaitFunc real_cond_timedwait;
static JoinFunc real_join;
static CreateFunc real_create;
static gboolean resolved;

/* Set while this thread is inside dlsym or a recorder: libunwind, dlsym and the tables may
 * take pthread mutexes themselves, and those calls must pass straight through. */
static __thread gboolean in_hook;

/* libunwind's own text. Its locks are taken by whoever unwinds — gz, but also tcmalloc, which
 * records a stack when its heap grows — and recording a wait for one of them would unwind again
 * under that lock: waits whose caller is libunwind pass straight through. They are the
 * unwinder's cost, not the program's. */
static guintptr unwinder_start;
static guintptr unwinder_end;

static int
find_unwinder (struct dl_phdr_info *info,
               size_t               size,
               void                *data)
{
  const char *base = strrchr (info->dlpi_name, '/');

  if (base == NULL || !g_str_has_prefix (base, "/libunwind.so"))
    return 0;

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *phdr = &info->dlpi_phdr[i];

      if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_X) != 0)
        {
          unwinder_start = info->dlpi_addr + phdr->p_vaddr;
          unwinder_end = unwinder_start + phdr->p_memsz;
        }
    }
  return 1;
}

static inline gboolean
called_by_unwinder (const void *caller)
{
  return (guintptr) caller - unwinder_start < unwinder_end - unwinder_start;
}

static void
resolve (void)
{
  in_hook = TRUE;
  dl_iterate_phdr (find_unwinder, NULL);
  /* Plain dlsym would return the pre-2.3.2 compatibility versions of the condition
   * functions, which expect the old pthread_cond_t layout. */
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
  __atomic_store_n (&real_mutex_lock,
                    (MutexLockFunc) dlsym (RTLD_NEXT, "pthread_mutex_lock"),
                    __ATOMIC_RELEASE);
  in_hook = FALSE;
  __atomic_store_n (&resolved, TRUE, __ATOMIC_RELEASE);

  gz_contention_set_hooked (real_mutex_lock != NULL && real_cond_wait != NULL &&
                            real_cond_timedwait != NULL && real_join != NULL);
  gz_threadcreate_set_hooked (real_create != NULL);
}

__attribute__((constructor)) static void
gz_pthread_hooks_init (void)
{
  if (!__atomic_load_n (&resolved, __ATOMIC_ACQUIRE))
    resolve ();
}

/* The function to call for @slot, resolving lazily when a library runs before our
 * constructor. NULL while this thread is inside dlsym, or when the lookup failed. */
#define REAL(slot) \
  (G_LIKELY (__atomic_load_n (&resolved, __ATOMIC_ACQUIRE)) || in_hook \
     ? __atomic_load_n (&(slot), __ATOMIC_ACQUIRE) \
     : (resolve (), __atomic_load_n (&(slot), __ATOMIC_ACQUIRE)))

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Inside a recorder, or inside libunwind for gz (which takes pthread mutexes of its own):
 * record nothing, or a recording would unwind again and deadlock on libunwind's lock. */
static inline gboolean
passing_through (void)
{
  return in_hook || gz_stack_is_unwinding ();
}

/* The records skip the wrapper's frames so the leaf is the function that called it: all of a
 * wrapper lives in one function, except the slow path of pthread_mutex_lock, which is kept
 * out of line (a lean fast path) and never tail-called (a fixed number of frames). */

__attribute__((noinline)) static int
mutex_lock_slow (pthread_mutex_t *mutex,
                 int              rc,
                 const void      *caller)
{
  MutexLockFunc lock = REAL (real_mutex_lock);
  gint64 start;

  if (G_UNLIKELY (lock == NULL))
    {
      /* Only while dlsym runs in this thread, before anything is resolved. */
      while ((rc = pthread_mutex_trylock (mutex)) == EBUSY)
        sched_yield ();
      return rc;
    }
  if (passing_through () || rc != EBUSY || called_by_unwinder (caller))
    return lock (mutex);

  start = now_ns ();
  rc = lock (mutex);
  if (rc == 0 || rc == EOWNERDEAD)
    {
      gint64 delay = now_ns () - start;

      in_hook = TRUE;
      gz_contention_record (GZ_BLOCK_KIND_MUTEX, delay, 2);
      in_hook = FALSE;
    }

  return rc;
}

int
pthread_mutex_lock (pthread_mutex_t *mutex)
{
  /* Uncontended: one atomic, as in the real function. EOWNERDEAD also means we own it. */
  int rc = pthread_mutex_trylock (mutex);

  if (G_LIKELY (rc == 0) || rc == EOWNERDEAD || rc == ENOTRECOVERABLE)
    return rc;

  rc = mutex_lock_slow (mutex, rc, __builtin_return_address (0));
  __asm__ volatile ("" ::: "memory"); /* not a tail call */

  return rc;
}

int
pthread_cond_wait (pthread_cond_t  *cond,
                   pthread_mutex_t *mutex)
{
  CondWaitFunc wait = REAL (real_cond_wait);
  gint64 start;
  int rc;

  if (G_UNLIKELY (wait == NULL))
    return ENOSYS;
  if (passing_through ())
    return wait (cond, mutex);

  start = now_ns ();
  rc = wait (cond, mutex);
  in_hook = TRUE;
  gz_contention_record (GZ_BLOCK_KIND_COND, now_ns () - start, 1);
  in_hook = FALSE;

  return rc;
}

int
pthread_cond_timedwait (pthread_cond_t        *cond,
                        pthread_mutex_t       *mutex,
                        const struct timespec *abstime)
{
  CondTimedwaitFunc wait = REAL (real_cond_timedwait);
  gint64 start;
  int rc;

  if (G_UNLIKELY (wait == NULL))
    return ENOSYS;
  if (passing_through ())
    return wait (cond, mutex, abstime);

  start = now_ns ();
  rc = wait (cond, mutex, abstime);
  in_hook = TRUE;
  gz_contention_record (GZ_BLOCK_KIND_COND, now_ns () - start, 1);
  in_hook = FALSE;

  return rc;
}

int
pthread_join (pthread_t   thread,
              void      **retval)
{
  JoinFunc join = REAL (real_join);
  gint64 start;
  int rc;

  if (G_UNLIKELY (join == NULL))
    return ENOSYS;
  if (passing_through ())
    return join (thread, retval);

  start = now_ns ();
  rc = join (thread, retval);
  in_hook = TRUE;
  gz_contention_record (GZ_BLOCK_KIND_JOIN, now_ns () - start, 1);
  in_hook = FALSE;

  return rc;
}

int
pthread_create (pthread_t            *thread,
                const pthread_attr_t *attr,
                void                *(*start_routine) (void *),
                void                 *arg)
{
  CreateFunc create = REAL (real_create);
  int rc;

  if (G_UNLIKELY (create == NULL))
    return EAGAIN;

  rc = create (thread, attr, start_routine, arg);
  if (rc == 0 && !passing_through ())
    {
      in_hook = TRUE;
      gz_threadcreate_record (1);
      in_hook = FALSE;
    }

  return rc;
}
