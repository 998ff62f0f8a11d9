/* gz-agent.c: the agent's entry and exit in its host: whether to run at all (not in a secure-
 * execution process), leaving LD_PRELOAD clean for children, starting the agent's thread, and
 * the bounded flush at exit (in the process that loaded it only, never in a forked child). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "gz-agent-private.h"
#include "gz-stack.h"

/* At exit: how long the program waits at most for the sessions to be flushed and the servers
 * stopped. */
#define EXIT_TIMEOUT_MS 5000

static GzAgentLoop *agent_loop;
static pid_t        agent_pid;

void
gz_agent_say (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* One write: lines of several threads do not interleave. */
  {
    g_autofree char *line = g_strdup_printf ("gz-agent: %s\n", message);
    ssize_t unused G_GNUC_UNUSED = write (STDERR_FILENO, line, strlen (line));
  }
}

/* Whether @entry of LD_PRELOAD names this library. */
static gboolean
is_this_library (const char *entry,
                 const char *self_path)
{
  g_autofree char *base = g_path_get_basename (entry);

  return g_str_equal (base, "libgz-agent.so") ||
         (self_path != NULL && g_str_equal (entry, self_path));
}

/* Children (exec'd programs) run without the agent: it goes from LD_PRELOAD, the rest stays. */
static void
remove_from_preload (void)
{
  const char *value = getenv ("LD_PRELOAD");
  g_auto(GStrv) entries = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  Dl_info info = { 0 };

  if (value == NULL)
    return;
  dladdr ((void *) remove_from_preload, &info);
  entries = g_strsplit_set (value, " :", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      if (entries[i][0] != '\0' && !is_this_library (entries[i], info.dli_fname))
        g_ptr_array_add (kept, entries[i]);
    }
  if (kept->len == 0)
    {
      unsetenv ("LD_PRELOAD");
    }
  else
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (kept, NULL);
      joined = g_strjoinv (":", (char **) kept->pdata);
      setenv ("LD_PRELOAD", joined, 1);
    }
}

/* The goroutine captures signal every thread. gz's own programs use SIGRTMIN+6; in a host, the
 * first real-time signal from there on that still has its default disposition when the agent
 * loads (the program's own main has not run yet: a handler it installs later on the same
 * signal is found at the next capture, which then fails rather than run the program's
 * handler). glibc keeps the two below SIGRTMIN for itself. */
static void
choose_capture_signal (void)
{
  for (int signo = SIGRTMIN + 6; signo <= SIGRTMAX; signo++)
    {
      struct sigaction current;

      if (sigaction (signo, NULL, &current) == 0 && current.sa_handler == SIG_DFL &&
          !(current.sa_flags & SA_SIGINFO))
        {
          gz_stack_set_capture_signal (signo);
          return;
        }
    }
}

/* Whether the program's executable defines @name itself (it comes first in the lookup). */
static gboolean
executable_defines (const char *name)
{
  void *found = dlsym (RTLD_DEFAULT, name);
  Dl_info in_found = { 0 }, in_executable = { 0 };

  return found != NULL && dladdr (found, &in_found) != 0 &&
         dladdr ((void *) getauxval (AT_PHDR), &in_executable) != 0 &&
         in_found.dli_fbase == in_executable.dli_fbase;
}

static void
agent_exit (void)
{
  /* A forked child inherits this handler, not the agent's thread. */
  if (agent_loop == NULL || getpid () != agent_pid)
    return;
  gz_agent_loop_stop (agent_loop, EXIT_TIMEOUT_MS);
}

__attribute__ ((constructor)) static void
gz_agent_init (void)
{
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *inherit = getenv ("GZ_AGENT_INHERIT");

  /* setuid, setgid or file capabilities: the loader drops LD_PRELOAD for these, but a path in
   * /etc/ld.so.preload or a trusted directory still gets here. Serving such a process's memory
   * to its invoking user would leak what the privilege protects. */
  if (getauxval (AT_SECURE) != 0)
    {
      gz_agent_say ("not profiling %d: it runs with privileges (setuid, setgid or "
                    "capabilities); the agent stays idle", (int) getpid ());
      return;
    }

  if (inherit == NULL || !g_str_equal (inherit, "1"))
    remove_from_preload ();

  /* A gz program (gz-cli, the app) has the same hooks and types built in: the agent's would
   * see nothing and its types would clash with the program's. */
  if (executable_defines ("malloc") && executable_defines ("pthread_mutex_lock"))
    {
      gz_agent_say ("not profiling %d: the program has gz's hooks built in (a gz program "
                    "serves its own profiles: gz-cli profile server)", (int) getpid ());
      return;
    }

  config = gz_config_new (NULL, &error);
  if (config == NULL)
    {
      gz_agent_say ("not profiling %d: %s", (int) getpid (), error->message);
      return;
    }

  choose_capture_signal ();
  agent_pid = getpid ();
  agent_loop = gz_agent_loop_start (config, &error);
  if (agent_loop == NULL)
    {
      gz_agent_say ("not profiling %d: %s", (int) agent_pid, error->message);
      return;
    }
  atexit (agent_exit);
}
