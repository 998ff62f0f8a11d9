/* gz-preload-exec.c: the exec functions, which stop the fallback CPU ticks first: a tick that
 * fired during the exec would reach the new program, where its signal terminates. The POSIX
 * timer is deleted by execve anyway; stopping it before closes the window in between. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "gz-preload-private.h"

typedef int (*ExecveFunc)  (const char *, char *const[], char *const[]);
typedef int (*ExecvFunc)   (const char *, char *const[]);
typedef int (*ExecvpeFunc) (const char *, char *const[], char *const[]);
typedef int (*FexecveFunc) (int, char *const[], char *const[]);

/* Not hot: looked up at each call, which also serves a call before the constructor. */
static void *
next (const char *name)
{
  GzPreloadThread *t = &gz_preload_thread;
  uint8_t was_busy = t->busy;
  void *found;

  t->busy = 1;
  found = dlsym (RTLD_NEXT, name);
  t->busy = was_busy;

  return found;
}

/* Runs around each exec: ticks stopped, then started again if the exec came back (failed). */
#define AROUND_EXEC(call) \
  do \
    { \
      bool paused = gz_preload_wants (GZ_RING_RECORD_CPU) && gz_preload_cpu_pause (); \
      int rc = (call); \
      int saved_errno = errno; \
      if (paused) \
        gz_preload_cpu_resume (); \
      errno = saved_errno; \
      return rc; \
    } \
  while (0)

GZ_EXPORT int
execve (const char   *path,
        char *const   argv[],
        char *const   envp[])
{
  ExecveFunc real = (ExecveFunc) next ("execve");

  if (real == NULL)
    return errno = ENOSYS, -1;
  AROUND_EXEC (real (path, argv, envp));
}

GZ_EXPORT int
execv (const char *path,
       char *const argv[])
{
  ExecvFunc real = (ExecvFunc) next ("execv");

  if (real == NULL)
    return errno = ENOSYS, -1;
  AROUND_EXEC (real (path, argv));
}

GZ_EXPORT int
execvp (const char *file,
        char *const argv[])
{
  ExecvFunc real = (ExecvFunc) next ("execvp");

  if (real == NULL)
    return errno = ENOSYS, -1;
  AROUND_EXEC (real (file, argv));
}

GZ_EXPORT int
execvpe (const char *file,
         char *const argv[],
         char *const envp[])
{
  ExecvpeFunc real = (ExecvpeFunc) next ("execvpe");

  if (real == NULL)
    return errno = ENOSYS, -1;
  AROUND_EXEC (real (file, argv, envp));
}

GZ_EXPORT int
fexecve (int         fd,
         char *const argv[],
         char *const envp[])
{
  FexecveFunc real = (FexecveFunc) next ("fexecve");

  if (real == NULL)
    return errno = ENOSYS, -1;
  AROUND_EXEC (real (fd, argv, envp));
}

/* The list forms: their arguments into an array on the stack, then the array forms above. */
static size_t
count_args (const char *arg,
            va_list     args)
{
  size_t n = 1;
  va_list copy;

  va_copy (copy, args);
  if (arg != NULL)
    while (va_arg (copy, const char *) != NULL)
      n++;
  va_end (copy);

  return n;
}

static void
fill_args (char       **argv,
           const char  *arg,
           va_list      args)
{
  size_t i = 0;

  argv[i] = (char *) arg;
  while (argv[i] != NULL)
    argv[++i] = va_arg (args, char *);
}

GZ_EXPORT int
execl (const char *path,
       const char *arg,
       ...)
{
  va_list args;
  size_t n;

  va_start (args, arg);
  n = count_args (arg, args);
  {
    char *argv[n + 1];

    fill_args (argv, arg, args);
    va_end (args);
    return execv (path, argv);
  }
}

GZ_EXPORT int
execlp (const char *file,
        const char *arg,
        ...)
{
  va_list args;
  size_t n;

  va_start (args, arg);
  n = count_args (arg, args);
  {
    char *argv[n + 1];

    fill_args (argv, arg, args);
    va_end (args);
    return execvp (file, argv);
  }
}

GZ_EXPORT int
execle (const char *path,
        const char *arg,
        ...)
{
  va_list args;
  size_t n;

  va_start (args, arg);
  n = count_args (arg, args);
  {
    char *argv[n + 1];
    char *const *envp;

    fill_args (argv, arg, args);
    envp = va_arg (args, char *const *);
    va_end (args);
    return execve (path, argv, envp);
  }
}
