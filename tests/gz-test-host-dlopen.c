/* gz-test-host-dlopen.c: a plain program that test-hosts runs under gz-cli: two threads
 * allocate and free, one loads and unloads a module with dlopen/dlclose, one walks the loaded
 * objects with dl_iterate_phdr, all for SECONDS of wall time (issue 17: a CPU session hung
 * such programs when its handler unwound inside the loader's lock).
 *
 *   gz-test-host-dlopen MODULE SECONDS
 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *module;
static double seconds;
static volatile uint64_t sink;
static void *volatile held[64];

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

__attribute__ ((noinline, noipa)) static void *
churn_small (void *data)
{
  double end = now () + seconds;
  uint64_t n = 0;

  while (now () < end)
    for (int i = 0; i < 256; i++, n++)
      {
        char *p = malloc (16 + (n % 200));

        p[0] = (char) n;
        free (held[n % 32]);
        held[n % 32] = p;
      }
  return (void *) (uintptr_t) n;
}

__attribute__ ((noinline, noipa)) static void *
churn_large (void *data)
{
  double end = now () + seconds;
  uint64_t n = 0;

  while (now () < end)
    for (int i = 0; i < 64; i++, n++)
      {
        char *p = calloc (1, 4096 + (n % 7) * 512);

        p[1] = (char) n;
        free (held[32 + n % 32]);
        held[32 + n % 32] = p;
      }
  return (void *) (uintptr_t) n;
}

__attribute__ ((noinline, noipa)) static void *
load_unload (void *data)
{
  double end = now () + seconds;
  uint64_t n = 0;

  while (now () < end)
    {
      void *handle = dlopen (module, RTLD_NOW | RTLD_LOCAL);

      if (handle == NULL)
        {
          fprintf (stderr, "dlopen: %s\n", dlerror ());
          exit (2);
        }
      sink += (uintptr_t) dlsym (handle, "collector_plugin_keep_8mib");
      dlclose (handle);
      n++;
    }
  return (void *) (uintptr_t) n;
}

static int
count_object (struct dl_phdr_info *info,
              size_t               size,
              void                *data)
{
  (*(uint64_t *) data) += info->dlpi_phnum;
  return 0;
}

__attribute__ ((noinline, noipa)) static void *
walk_objects (void *data)
{
  double end = now () + seconds;
  uint64_t n = 0, headers = 0;

  while (now () < end)
    {
      dl_iterate_phdr (count_object, &headers);
      n++;
    }
  sink += headers;
  return (void *) (uintptr_t) n;
}

int
main (int    argc,
      char **argv)
{
  void *(*bodies[]) (void *) = { churn_small, churn_large, load_unload, walk_objects };
  const char *names[] = { "malloc/free", "calloc/free", "dlopen/dlclose", "dl_iterate_phdr" };
  pthread_t threads[4];

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s MODULE SECONDS\n", argv[0]);
      return 2;
    }
  module = argv[1];
  seconds = strtod (argv[2], NULL);
  for (int i = 0; i < 4; i++)
    if (pthread_create (&threads[i], NULL, bodies[i], NULL) != 0)
      return 2;
  for (int i = 0; i < 4; i++)
    {
      void *result;

      pthread_join (threads[i], &result);
      printf ("%s %llu\n", names[i], (unsigned long long) (uintptr_t) result);
    }
  return 0;
}
