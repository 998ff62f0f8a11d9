/* gz-preload.c: the preload library's start in its host: whether to record at all (a ring
 * handed over in GZ_PRELOAD_RING, not a privileged process), mapping the ring, leaving the
 * environment clean for exec'd children, and what fork children do. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gz-preload-private.h"

#define INHERIT_ENV "GZ_PRELOAD_INHERIT"
#define LIBRARY_NAME "libgz-preload.so"

__thread GzPreloadThread gz_preload_thread __attribute__ ((tls_model ("initial-exec")));
GzRingHeader *gz_preload_header;
uint8_t      *gz_preload_data;
uint32_t      gz_preload_flags;
pid_t         gz_preload_pid;

extern char **environ;
/* The linker's name for this library's own ELF header. */
extern const ElfW (Ehdr) __ehdr_start GZ_HIDDEN;

void
gz_preload_say (const char *message)
{
  char line[256] = "gz-preload: ";
  size_t len = strlen (line);
  size_t n = strlen (message);
  ssize_t unused;

  if (n > sizeof line - len - 1)
    n = sizeof line - len - 1;
  memcpy (line + len, message, n);
  len += n;
  line[len++] = '\n';
  /* One write: lines of several processes do not interleave. */
  unused = write (STDERR_FILENO, line, len);
  (void) unused;
}

static const char *
get_env (const char *name)
{
  size_t len = strlen (name);

  for (char **e = environ; e != NULL && *e != NULL; e++)
    {
      if (strncmp (*e, name, len) == 0 && (*e)[len] == '=')
        return *e + len + 1;
    }

  return NULL;
}

/* The environment is edited in place, never reallocated: this runs before the program's main,
 * possibly before its allocator is ready. */
static void
remove_env (const char *name)
{
  size_t len = strlen (name);
  char **w = environ;

  if (environ == NULL)
    return;
  for (char **r = environ; *r != NULL; r++)
    {
      if (!(strncmp (*r, name, len) == 0 && (*r)[len] == '='))
        *w++ = *r;
    }
  *w = NULL;
}

/* Whether the LD_PRELOAD entry @entry of @len bytes names this library. */
static bool
is_this_library (const char *entry,
                 size_t      len,
                 const char *self_path)
{
  size_t name_len = strlen (LIBRARY_NAME);

  if (self_path != NULL && strlen (self_path) == len && memcmp (entry, self_path, len) == 0)
    return true;

  return len >= name_len && memcmp (entry + len - name_len, LIBRARY_NAME, name_len) == 0 &&
         (len == name_len || entry[len - name_len - 1] == '/');
}

/* Exec'd children run without the preload: its entries go from LD_PRELOAD (the string is
 * rewritten in place: it only shrinks), the others stay. */
static void
remove_from_preload (void)
{
  char *value = (char *) get_env ("LD_PRELOAD");
  Dl_info info = { 0 };
  const char *self_path = NULL;
  char *r, *w;

  if (value == NULL)
    return;
  if (dladdr ((void *) remove_from_preload, &info) != 0)
    self_path = info.dli_fname;

  for (r = w = value; *r != '\0';)
    {
      size_t len = strcspn (r, " :");

      if (len > 0 && !is_this_library (r, len, self_path))
        {
          if (w != value)
            *w++ = ':';
          memmove (w, r, len);
          w += len;
        }
      r += len;
      if (*r != '\0')
        r++;
    }
  *w = '\0';
  if (*value == '\0')
    remove_env ("LD_PRELOAD");
}

/* This library's text, so that the collector drops the preload's own frames. */
static void
find_own_text (uint64_t *start,
               uint64_t *end)
{
  const ElfW (Ehdr) *ehdr = &__ehdr_start;
  const ElfW (Phdr) *phdr = (const ElfW (Phdr) *) ((const char *) ehdr + ehdr->e_phoff);
  uintptr_t base = (uintptr_t) ehdr;
  bool have_base = false;

  for (int i = 0; i < ehdr->e_phnum; i++)
    {
      if (phdr[i].p_type == PT_LOAD && !have_base)
        {
          base = (uintptr_t) ehdr - (phdr[i].p_vaddr & ~(uintptr_t) 4095);
          have_base = true;
        }
      if (phdr[i].p_type == PT_LOAD && (phdr[i].p_flags & PF_X) != 0)
        {
          *start = base + phdr[i].p_vaddr;
          *end = *start + phdr[i].p_memsz;
        }
    }
}

/* Maps header | data | data from @fd, checking that it is a ring of ours. */
static bool
map_ring (int fd)
{
  struct stat st;
  GzRingHeader *peek;
  uint64_t data_size;
  uint8_t *area;
  bool valid;

  if (fstat (fd, &st) != 0 || st.st_size < GZ_RING_HEADER_SIZE)
    return false;
  peek = mmap (NULL, GZ_RING_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  if (peek == MAP_FAILED)
    return false;
  data_size = peek->data_size;
  valid = peek->magic == GZ_RING_MAGIC && peek->version == GZ_RING_VERSION &&
          peek->header_size == GZ_RING_HEADER_SIZE && data_size >= 4096 &&
          (data_size & (data_size - 1)) == 0 &&
          (uint64_t) st.st_size == GZ_RING_HEADER_SIZE + data_size;
  munmap (peek, GZ_RING_HEADER_SIZE);
  if (!valid)
    return false;

  area = mmap (NULL, GZ_RING_HEADER_SIZE + 2 * data_size, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (area == MAP_FAILED)
    return false;
  if (mmap (area, GZ_RING_HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
            fd, 0) == MAP_FAILED ||
      mmap (area + GZ_RING_HEADER_SIZE, data_size, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_FIXED, fd, GZ_RING_HEADER_SIZE) == MAP_FAILED ||
      mmap (area + GZ_RING_HEADER_SIZE + data_size, data_size, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_FIXED, fd, GZ_RING_HEADER_SIZE) == MAP_FAILED)
    {
      munmap (area, GZ_RING_HEADER_SIZE + 2 * data_size);
      return false;
    }
  gz_preload_header = (GzRingHeader *) area;
  gz_preload_data = area + GZ_RING_HEADER_SIZE;

  return true;
}

static int
parse_fd (const char *text)
{
  int fd = 0;

  if (text == NULL || *text == '\0')
    return -1;
  for (; *text != '\0'; text++)
    {
      if (*text < '0' || *text > '9' || fd > 100000000)
        return -1;
      fd = fd * 10 + (*text - '0');
    }

  return fd;
}

static void
fork_prepare (void)
{
  gz_preload_malloc_fork_prepare ();
}

static void
fork_parent (void)
{
  gz_preload_malloc_fork_parent ();
}

/* A fork child starts clean unless the launcher asked to follow forks. */
static void
fork_child (void)
{
  GzPreloadThread *t = &gz_preload_thread;

  gz_preload_malloc_fork_child ();
  /* The forking thread keeps its stack (the same addresses) in the child, not its tid, and
   * draws anew: children that inherit the parent's random state and countdown would all sample
   * the same allocations. */
  t->tid = 0;
  t->rng = 0;
  t->drawn = 0;
  t->countdown = 0;
  gz_preload_pid = getpid ();
  if ((gz_preload_flags & GZ_RING_FOLLOW_FORK) == 0)
    {
      __atomic_store_n (&gz_preload_flags, 0, __ATOMIC_RELAXED);
      gz_preload_malloc_forward_only ();
      return;
    }

  {
    GzRecordFork record = { 0 };

    record.child_pid = (uint32_t) gz_preload_pid;
    gz_preload_write (GZ_RECORD_FORK, &record, sizeof record);
  }
  /* Timers are not inherited. */
  if (gz_preload_flags & GZ_RING_RECORD_CPU)
    gz_preload_cpu_start ();
}

static bool exit_handler_registered;

/* The most a process's exit waits for the collector to take its records. */
#define EXIT_WAIT_NS (UINT64_C (2) * 1000 * 1000 * 1000)

/* The collector reads the process's modules (from /proc, so only while it runs) before it
 * drains: a program that ends within milliseconds, or while the collector waits for a CPU on a
 * busy machine, would take every record it wrote with it. Waits until the ring is drained (the
 * modules were read then), EXIT_WAIT_NS at most: a collector that stopped drains nothing. */
static void
wait_for_collector (GzRingHeader *header)
{
  struct timespec pause = { 0, 1000 * 1000 };
  uint64_t deadline = gz_preload_now_ns () + EXIT_WAIT_NS;

  while (__atomic_load_n (&header->tail, __ATOMIC_ACQUIRE) !=
         __atomic_load_n (&header->head, __ATOMIC_ACQUIRE) &&
         gz_preload_now_ns () < deadline)
    nanosleep (&pause, NULL);
}

/* Run by exit () with the status given to it (a return from main too), after the program's own
 * exit handlers, which were registered after it: the header says how the process ended. */
static void
on_process_exit (int   status,
                 void *data)
{
  GzRingHeader *header = gz_preload_header;

  if (header != NULL && gz_preload_flags != 0 && header->pid == gz_preload_pid)
    {
      wait_for_collector (header);
      __atomic_store_n (&header->exit_status, (int64_t) status, __ATOMIC_RELAXED);
      __atomic_store_n (&header->exited, 1, __ATOMIC_RELEASE);
    }
}

/* Only where the exit handler could not be registered: an exit without its status. */
__attribute__ ((destructor)) static void
gz_preload_fini (void)
{
  GzRingHeader *header = gz_preload_header;

  if (!exit_handler_registered && header != NULL && gz_preload_flags != 0 &&
      header->pid == gz_preload_pid)
    __atomic_store_n (&header->exited, 1, __ATOMIC_RELEASE);
}

__attribute__ ((constructor)) static void
gz_preload_init (void)
{
  GzPreloadThread *t = &gz_preload_thread;
  const char *inherit = get_env (INHERIT_ENV);
  bool inheriting = inherit != NULL && strcmp (inherit, "1") == 0;
  int fd = parse_fd (get_env (GZ_RING_ENV));
  GzRingHeader *header;
  uint32_t flags;
  int32_t no_pid = 0;

  t->busy = 1;
  gz_preload_malloc_resolve ();
  gz_preload_pthread_resolve ();
  gz_preload_pid = getpid ();

  /* setuid, setgid or file capabilities: the loader drops LD_PRELOAD for these, but
   * /etc/ld.so.preload still gets here. Handing such a process's memory to its invoking user
   * would leak what the privilege protects. */
  if (getauxval (AT_SECURE) != 0)
    {
      if (fd >= 0)
        gz_preload_say ("not recording: the program runs with privileges (setuid, setgid or "
                        "capabilities)");
      fd = -1;
    }

  if (fd >= 0 && !map_ring (fd))
    {
      gz_preload_say ("not recording: " GZ_RING_ENV " does not name a gz ring");
      fd = -1;  /* not ours to close */
    }
  if (!inheriting)
    {
      /* The ring's fd is the launcher's, not the program's: it must not meet it later. */
      if (fd >= 0)
        close (fd);
      remove_env (GZ_RING_ENV);
      remove_from_preload ();
    }

  header = gz_preload_header;
  if (header == NULL)
    {
      gz_preload_malloc_forward_only ();
      t->busy = 0;
      return;
    }

  flags = header->flags;
  if ((flags & GZ_RING_RECORD_MEMORY) && !gz_preload_malloc_start ())
    flags &= ~GZ_RING_RECORD_MEMORY;
  if ((flags & GZ_RING_RECORD_MEMORY) == 0)
    gz_preload_malloc_forward_only ();
  pthread_atfork (fork_prepare, fork_parent, fork_child);
  /* Once per image: fork children inherit the registration (and are not the header's pid). */
  if (!exit_handler_registered)
    exit_handler_registered = on_exit (on_process_exit, NULL) == 0;

  /* The first process to attach owns the header's fields; exec'd children that inherit the
   * ring write records only. The same process after an exec (GZ_PRELOAD_INHERIT) has the
   * library elsewhere: its text moves in the header. */
  if (__atomic_compare_exchange_n (&header->pid, &no_pid, (int32_t) gz_preload_pid, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
    {
      find_own_text (&header->preload_start, &header->preload_end);
      header->start_time_ns = gz_preload_now_ns ();
      /* The program will go round the ring: its pages now, in one call, rather than one fault
       * per page while it records (a fault costs microseconds in a virtual machine). Exec'd
       * children that inherit the ring touch only what they write. */
      madvise (gz_preload_data, header->data_size, MADV_POPULATE_WRITE);
      __atomic_store_n (&header->attached, 1, __ATOMIC_RELEASE);
    }
  else if (no_pid == (int32_t) gz_preload_pid)
    {
      find_own_text (&header->preload_start, &header->preload_end);
    }

  t->countdown = 0;
  __atomic_store_n (&gz_preload_flags, flags, __ATOMIC_RELEASE);
  if (flags & GZ_RING_RECORD_CPU)
    gz_preload_cpu_start ();
  t->busy = 0;
}
