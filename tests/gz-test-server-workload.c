/* gz-test-server-workload.c: a library the server's end-to-end test preloads into the real
 * gz-cli (LD_PRELOAD) so that profiles taken over HTTP show known functions: a CPU burner, 16
 * MiB held, and two threads contending on a mutex. Test code stays out of the product. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <string.h>

#include <glib.h>

/* Exported and never inlined, so that every symbolizer names them. */
void gz_test_workload_burn_cpu    (void);
void gz_test_workload_hold_memory (void);
void gz_test_workload_contend     (void);
void gz_test_workload_start       (void);

static pthread_mutex_t workload_lock = PTHREAD_MUTEX_INITIALIZER;
static void * volatile workload_memory[64];

__attribute__((noinline, noipa)) void
gz_test_workload_burn_cpu (void)
{
  volatile double x = 1.0;

  for (;;)
    for (guint i = 0; i < 1000000; i++)
      x = x * 1.0000001 + 0.0000001;
}

__attribute__((noinline, noipa)) void
gz_test_workload_hold_memory (void)
{
  /* 16 MiB in 256 KiB blocks, held for the life of the process. */
  for (guint i = 0; i < G_N_ELEMENTS (workload_memory); i++)
    {
      workload_memory[i] = g_malloc (256 * 1024);
      memset (workload_memory[i], (int) i, 256 * 1024);
    }
}

__attribute__((noinline, noipa)) void
gz_test_workload_contend (void)
{
  for (;;)
    {
      pthread_mutex_lock (&workload_lock);
      g_usleep (2000);
      pthread_mutex_unlock (&workload_lock);
      g_usleep (100);
    }
}

static gpointer
burn_thread (gpointer data)
{
  gz_test_workload_burn_cpu ();
  return NULL;
}

static gpointer
contend_thread (gpointer data)
{
  gz_test_workload_contend ();
  return NULL;
}

__attribute__((noinline, noipa)) void
gz_test_workload_start (void)
{
  g_thread_unref (g_thread_new ("gz-test-burn", burn_thread, NULL));
  gz_test_workload_hold_memory ();
  for (guint j = 0; j < 2; j++)
    g_thread_unref (g_thread_new ("gz-test-contend", contend_thread, NULL));
}

/* Once the program has started (its hooks and samplers set up by its own initializers). */
static gpointer
start_later (gpointer data)
{
  g_usleep (100 * 1000);
  gz_test_workload_start ();
  return NULL;
}

__attribute__((constructor)) static void
workload_init (void)
{
  g_thread_unref (g_thread_new ("gz-test-start", start_later, NULL));
}
