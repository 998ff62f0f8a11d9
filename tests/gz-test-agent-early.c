/* gz-test-agent-early.c: a library of the agent's test target whose constructor starts a
 * thread: it runs before the agent's own constructor (a dependency of the program is
 * initialized before a preloaded library), so the agent must see a thread it did not see
 * start. Plain C, no GLib, as a foreign program. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <unistd.h>

__attribute__ ((noinline, used)) void *gz_test_agent_early_thread (void *data);
int gz_test_agent_early_started (void);

static int started;

void *
gz_test_agent_early_thread (void *data)
{
  for (;;)
    pause ();
  return NULL;
}

__attribute__ ((constructor)) static void
early_init (void)
{
  pthread_t thread;

  if (pthread_create (&thread, NULL, gz_test_agent_early_thread, NULL) == 0)
    {
      pthread_detach (thread);
      started = 1;
    }
}

/* The program calls it, so that the linker keeps the library (--as-needed). */
int
gz_test_agent_early_started (void)
{
  return started;
}
