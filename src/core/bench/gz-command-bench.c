/* gz-command-bench.c: runs commands as benchmarks: spawn, wait4's rusage per run, warmup,
 * prepare and cleanup, the spawn cost, runs cut at a deadline and every run's process group
 * ended after it, progress and cancellation, on a worker for _async. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>

#include "gz-bench-spawn.h"
#include "gz-bench-statistics.h"
#include "gz-command-bench.h"

extern char **environ;

/* The unmeasured runs of the empty command before its measured ones. */
#define SPAWN_COST_WARMUP 3

/* How long a process group has after SIGTERM before SIGKILL: a run that is cut, or what a run
 * left behind. */
#define GRACE_NANOS (G_GINT64_CONSTANT (1000) * 1000 * 1000)

G_DEFINE_QUARK (gz-command-error-quark, gz_command_error)

void
gz_command_bench_options_init (GzCommandBenchOptions *options)
{
  memset (options, 0, sizeof *options);
  options->shell = GZ_COMMAND_SHELL_SH;
  options->count = 10;
}

void
gz_command_bench_report_free (GzCommandBenchReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->results);
  g_ptr_array_unref (report->cut);
  g_free (report);
}

/* --- one run */

/* What a cancellation must reach: the process group of the run in progress. */
typedef struct
{
  GMutex   lock;
  pid_t    pid;        /* the running command (its own process group), or 0 */
  gboolean cancelled;
} Runner;

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  Runner *runner = data;

  g_mutex_lock (&runner->lock);
  runner->cancelled = TRUE;
  if (runner->pid > 0)
    kill (-runner->pid, SIGKILL);
  g_mutex_unlock (&runner->lock);
}

typedef struct
{
  gint64         wall_nanos;
  struct rusage  usage;
  int            exit_status; /* or 128 + signal */
  int            signal;      /* the signal that ended it, or 0 */
  gboolean       cut;         /* still going at the deadline: stopped then (the figures are
                               * the wall time until then, and what wait4 could tell) */
} RunFigures;

static gint64
now_nanos (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* gz-bench-spawn: $GZ_BENCH_SPAWN; the build tree's for a program of the build tree; else the
 * installed one; NULL when there is none (then runs start straight from this process, and a
 * run's peak RSS is at least this process's). */
static gpointer
find_spawn_helper (gpointer data)
{
  const char *env = g_getenv ("GZ_BENCH_SPAWN");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);
  if (self != NULL && g_str_has_prefix (self, GZ_BUILD_ROOT "/")
      && g_file_test (GZ_BENCH_SPAWN_BUILD_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (GZ_BENCH_SPAWN_BUILD_PATH);
  if (g_file_test (GZ_BENCH_SPAWN_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (GZ_BENCH_SPAWN_PATH);
  return NULL;
}

static const char *
spawn_helper (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, find_spawn_helper, NULL);
}

/* A descriptor that polls readable once @pid exits, or -1 (then waiting polls waitid). */
static int
open_pidfd (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  return -1;
#endif
}

/* Waits for the child @pid to exit, without reaping it, until @deadline (monotonic ns; 0: no
 * limit). TRUE once it has exited, FALSE at the deadline. */
static gboolean
wait_exit (pid_t  pid,
           int    pidfd,
           gint64 deadline)
{
  for (;;)
    {
      siginfo_t info;
      gint64 left;

      memset (&info, 0, sizeof info);
      if (deadline <= 0)
        {
          while (waitid (P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
            ;
          return TRUE;
        }
      if (waitid (P_PID, pid, &info, WEXITED | WNOWAIT | WNOHANG) == 0 && info.si_pid == pid)
        return TRUE;
      left = deadline - now_nanos ();
      if (left <= 0)
        return FALSE;
      if (pidfd >= 0)
        {
          struct pollfd p = { pidfd, POLLIN, 0 };

          poll (&p, 1, (int) MIN ((left + 999999) / 1000000, 1000));
        }
      else
        g_usleep (MIN (left / 1000 + 1, 10000));
    }
}

/* Ends what is left in the process group @pgid once its leader @pid (a child of ours, exited
 * and not reaped: it holds the group's id) is reaped into @status and @usage: SIGTERM to the
 * group, then SIGKILL to whatever is still in it after the grace. */
static void
reap_group (pid_t          pid,
            int           *status,
            struct rusage *usage)
{
  gint64 until;
  gboolean killed = FALSE;

  /* Before the reaping, the id can only be this group's. */
  kill (-pid, SIGTERM);
  while (wait4 (pid, status, 0, usage) < 0 && errno == EINTR)
    ;
  /* A group is not freed while a process is in it, so the id stays this group's while
   * kill finds anyone. */
  until = now_nanos () + GRACE_NANOS;
  for (;;)
    {
      siginfo_t info;

      /* The group's orphans that ended, ours while we are their subreaper (bench_run). */
      do
        memset (&info, 0, sizeof info);
      while (waitid (P_PGID, pid, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0);
      if (kill (-pid, 0) != 0)
        break;
      if (now_nanos () >= until)
        {
          /* Another grace to reap what SIGKILL ended. */
          if (killed)
            break;
          kill (-pid, SIGKILL);
          killed = TRUE;
          until = now_nanos () + GRACE_NANOS;
        }
      g_usleep (2000);
    }
}

/* Runs @argv once in a process group of its own (so that a cancellation kills all of it and a
 * terminal's Ctrl-C reaches only us), through gz-bench-spawn when there is one, stdio on
 * /dev/null, signals at their defaults and none blocked (a GLib worker blocks them all). A run
 * still going at @deadline (monotonic ns; 0: none) is cut: its group gets SIGTERM, SIGKILL after
 * the grace. Whatever the run leaves in its group is ended after it. FALSE with an error when
 * it could not start; cancelled when the runner was (then the figures mean nothing). */
static gboolean
run_once (Runner       *runner,
          char        **argv,
          gint64        deadline,
          RunFigures   *figures,
          gboolean     *cancelled,
          GError      **error)
{
  static const int defaulted[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGCHLD, SIGPROF,
                                   SIGALRM, SIGUSR1, SIGUSR2 };
  const char *helper = spawn_helper ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, defaults;
  GzBenchSpawnReport report;
  g_autofree char **spawned = NULL;
  gint64 start;
  pid_t pid;
  int status, err, pidfd, fds[2] = { -1, -1 };
  guint n = g_strv_length (argv);
  gssize got = 0;

  *cancelled = FALSE;
  figures->cut = FALSE;
  if (helper != NULL)
    {
      if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
        return FALSE;
      spawned = g_new0 (char *, n + 3);
      spawned[0] = (char *) helper;
      spawned[1] = (char *) "3";
      memcpy (spawned + 2, argv, n * sizeof (char *));
    }
  sigemptyset (&none);
  sigemptyset (&defaults);
  for (guint i = 0; i < G_N_ELEMENTS (defaulted); i++)
    sigaddset (&defaults, defaulted[i]);
  posix_spawn_file_actions_init (&actions);
  for (int fd = 0; fd <= 2; fd++)
    posix_spawn_file_actions_addopen (&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY,
                                      0);
  if (helper != NULL)
    posix_spawn_file_actions_adddup2 (&actions, fds[1], 3);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
                                   | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &defaults);

  g_mutex_lock (&runner->lock);
  if (runner->cancelled)
    err = ECANCELED;
  else
    {
      start = now_nanos ();
      err = helper != NULL ? posix_spawn (&pid, helper, &actions, &attr, spawned, environ)
                           : posix_spawnp (&pid, argv[0], &actions, &attr, argv, environ);
      if (err == 0)
        runner->pid = pid;
    }
  g_mutex_unlock (&runner->lock);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  if (fds[1] >= 0)
    close (fds[1]);
  if (err != 0)
    {
      if (fds[0] >= 0)
        close (fds[0]);
      if (err == ECANCELED)
        {
          *cancelled = TRUE;
          return TRUE;
        }
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "cannot run %s: %s",
                   helper != NULL ? helper : argv[0], g_strerror (err));
      return FALSE;
    }

  /* Waited for without reaping first, so that neither a cancellation nor a cut ever signals a
   * reused pid. */
  pidfd = deadline > 0 ? open_pidfd (pid) : -1;
  if (!wait_exit (pid, pidfd, deadline))
    {
      figures->cut = TRUE;
      kill (-pid, SIGTERM);
      if (!wait_exit (pid, pidfd, now_nanos () + GRACE_NANOS))
        {
          kill (-pid, SIGKILL);
          wait_exit (pid, pidfd, 0);
        }
    }
  if (pidfd >= 0)
    close (pidfd);
  figures->wall_nanos = now_nanos () - start;
  g_mutex_lock (&runner->lock);
  runner->pid = 0;
  *cancelled = runner->cancelled;
  g_mutex_unlock (&runner->lock);
  reap_group (pid, &status, &figures->usage);
  if (helper != NULL && figures->cut)
    close (fds[0]);
  else if (helper != NULL)
    {
      /* The helper wrote its report before it exited: it is all in the pipe. */
      do
        got = read (fds[0], &report, sizeof report);
      while (got < 0 && errno == EINTR);
      close (fds[0]);
      if (*cancelled)
        return TRUE;
      if (got != (gssize) sizeof report)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed (wait status %d) "
                       "before it reported on %s", helper, status, argv[0]);
          return FALSE;
        }
      if (report.spawn_errno != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (report.spawn_errno),
                       "cannot run %s: %s", argv[0], g_strerror (report.spawn_errno));
          return FALSE;
        }
      figures->wall_nanos = report.wall_nanos;
      figures->usage = report.usage;
      status = report.wait_status;
    }
  if (figures->cut)
    figures->wall_nanos = MIN (figures->wall_nanos, deadline - start);
  figures->signal = WIFSIGNALED (status) ? WTERMSIG (status) : 0;
  figures->exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + figures->signal;
  return TRUE;
}

static double
timeval_nanos (const struct timeval *tv)
{
  return tv->tv_sec * 1e9 + tv->tv_usec * 1e3;
}

static char *
describe_status (const RunFigures *figures)
{
  if (figures->signal != 0)
    return g_strdup_printf ("was killed by signal %d (%s)", figures->signal,
                            g_strsignal (figures->signal));
  return g_strdup_printf ("exited with status %d", figures->exit_status);
}

/* --- the spawn cost */

static double
spawn_cost (Runner        *runner,
            GzCommandShell shell,
            guint          runs)
{
  char *sh_argv[] = { "/bin/sh", "-c", "", NULL };
  char *none_argv[] = { "true", NULL };
  char **argv = shell == GZ_COMMAND_SHELL_SH ? sh_argv : none_argv;
  g_autofree double *walls = g_new (double, MAX (runs, 1));
  guint n = 0;

  for (guint i = 0; i < SPAWN_COST_WARMUP + runs; i++)
    {
      RunFigures figures;
      gboolean cancelled;

      if (!run_once (runner, argv, 0, &figures, &cancelled, NULL) || cancelled)
        break;
      if (figures.exit_status != 0)
        return NAN;
      if (i >= SPAWN_COST_WARMUP)
        walls[n++] = (double) figures.wall_nanos;
    }
  return gz_bench_statistics_median (walls, n);
}

double
gz_command_bench_spawn_cost (GzCommandShell shell,
                             guint          runs)
{
  Runner runner = { 0 };
  double cost;

  g_mutex_init (&runner.lock);
  cost = spawn_cost (&runner, shell, runs);
  g_mutex_clear (&runner.lock);
  return cost;
}

/* --- the benchmark */

/* The runs of the empty command behind the spawn cost. */
#define SPAWN_COST_RUNS 30

typedef struct
{
  GPtrArray                   *commands;
  const GzCommandBenchOptions *options;
  GzCommand                   *prepare;
  GzCommand                   *cleanup;
  Runner                       runner;
  GzCommandBenchReport        *report;
} Bench;

/* Prepare, cleanup: they must succeed. FALSE with @error, or cancelled. */
static gboolean
run_helper (Bench      *bench,
            GzCommand  *helper,
            const char *what,
            GzCommand  *command,
            gint64      deadline,
            gboolean   *cancelled,
            gboolean   *over,
            GError    **error)
{
  RunFigures figures;
  g_autofree char *status = NULL;

  *cancelled = FALSE;
  *over = FALSE;
  if (helper == NULL)
    return TRUE;
  if (!run_once (&bench->runner, helper->argv, deadline, &figures, cancelled, error))
    return FALSE;
  /* Cut at the end of the duration: the runs are over, not failed. */
  *over = figures.cut;
  if (*over || *cancelled || (figures.exit_status == 0 && figures.signal == 0))
    return TRUE;
  status = describe_status (&figures);
  g_set_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_HELPER_FAILED,
               "the %s command “%s” %s (before %s)",
               what, helper->command_line, status, command->name);
  return FALSE;
}

static GzBenchResult *
result_of (GzCommand        *command,
           const RunFigures *figures,
           GzBenchCut        cut,
           double            spawn_cost_ns)
{
  GzBenchResult *result = gz_bench_result_new ();

  result->name = g_strdup (command->name);
  result->suite = g_strdup ("command");
  result->command = g_strdup (command->command_line);
  result->concurrency = 1;
  result->iterations = 1;
  result->wall_nanos = figures->wall_nanos;
  result->ns_per_op = (double) figures->wall_nanos;
  result->ops_per_sec = figures->wall_nanos > 0 ? 1e9 / (double) figures->wall_nanos : NAN;
  result->timing = GZ_BENCH_TIMING_PER_OP;
  result->n_timings = 1;
  result->timer_cost_ns = NAN;
  result->exit_status = figures->exit_status;
  result->user_nanos = timeval_nanos (&figures->usage.ru_utime);
  result->system_nanos = timeval_nanos (&figures->usage.ru_stime);
  result->max_rss_bytes = figures->usage.ru_maxrss * 1024.0;
  result->spawn_cost_ns = spawn_cost_ns;
  result->cut = cut;
  result->memory_note = g_strdup ("a command: peak RSS from wait4, no allocation counts");
  return result;
}

static void
tell (Bench *bench,
      guint  index,
      guint  runs,
      double fraction,
      double sum_ns)
{
  const GzCommandBenchOptions *o = bench->options;

  if (o->progress != NULL)
    o->progress (index, runs, CLAMP (fraction, 0.0, 1.0), runs > 0 ? sum_ns / runs : NAN,
                 o->progress_data);
}

/* The deadline of a run starting now: the timeout's, the duration's end's (@end, 0 for none),
 * whichever comes first; 0 for none. */
static gint64
run_deadline (const GzCommandBenchOptions *o,
              gint64                       end)
{
  gint64 deadline = o->timeout_nanos > 0 ? now_nanos () + o->timeout_nanos : 0;

  if (end > 0 && (deadline == 0 || end < deadline))
    deadline = end;
  return deadline;
}

/* Whether the run with @figures failed the benchmark: its error, naming @what run. */
static gboolean
run_failed (Bench            *bench,
            GzCommand        *command,
            const RunFigures *figures,
            const char       *what,
            GError          **error)
{
  g_autofree char *status = NULL;

  if (figures->cut || figures->exit_status == 0 || bench->options->ignore_failure)
    return FALSE;
  status = describe_status (figures);
  g_set_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_RUN_FAILED, "“%s” %s in %s",
               command->command_line, status, what);
  return TRUE;
}

/* One command: warmup, measured runs, cleanup. FALSE with @error; a cancellation sets the
 * report's interrupted and returns TRUE. With a duration, the runs (warmup ones each for as
 * long, measured ones until its end) are cut when still going then; with a timeout, each run
 * after it. */
static gboolean
bench_command (Bench     *bench,
               guint      index,
               GError   **error)
{
  const GzCommandBenchOptions *o = bench->options;
  GzCommand *command = g_ptr_array_index (bench->commands, index);
  guint n_commands = bench->commands->len;
  gboolean cancelled = FALSE, over = FALSE, ok = TRUE;
  gint64 start = 0, end = 0;
  double sum = 0;
  guint runs = 0, cut_runs = 0;
  g_autoptr(GError) cleanup_error = NULL;

  tell (bench, index, 0, (double) index / n_commands, 0);
  for (guint64 w = 0; ok && !cancelled && w < o->warmup; w++)
    {
      RunFigures figures;
      gint64 warmup_end = o->duration_nanos > 0 ? now_nanos () + o->duration_nanos : 0;
      g_autofree char *what = NULL;

      ok = run_helper (bench, bench->prepare, "prepare", command, warmup_end, &cancelled, &over,
                       error);
      if (!ok || cancelled || over)
        continue;
      ok = run_once (&bench->runner, command->argv, run_deadline (o, warmup_end), &figures,
                     &cancelled, error);
      what = g_strdup_printf ("warmup run %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, w + 1,
                              o->warmup);
      if (ok && !cancelled && run_failed (bench, command, &figures, what, error))
        ok = FALSE;
    }

  start = now_nanos ();
  end = o->duration_nanos > 0 ? start + o->duration_nanos : 0;
  while (ok && !cancelled)
    {
      RunFigures figures;
      gint64 elapsed = now_nanos () - start;
      double fraction;

      if (o->duration_nanos > 0 ? elapsed >= o->duration_nanos : runs + cut_runs >= o->count)
        break;
      ok = run_helper (bench, bench->prepare, "prepare", command, end, &cancelled, &over, error);
      if (!ok || cancelled || over)
        break;
      ok = run_once (&bench->runner, command->argv, run_deadline (o, end), &figures, &cancelled,
                     error);
      if (!ok || cancelled)
        break;
      if (figures.cut)
        {
          GzBenchCut cut = end > 0 && now_nanos () >= end ? GZ_BENCH_CUT_DURATION
                                                          : GZ_BENCH_CUT_TIMEOUT;

          g_ptr_array_add (bench->report->cut,
                           result_of (command, &figures, cut, bench->report->spawn_cost_ns));
          if (cut == GZ_BENCH_CUT_DURATION)
            break;
          cut_runs++;
          continue;
        }
      {
        g_autofree char *of = o->duration_nanos > 0
          ? g_strdup ("") : g_strdup_printf (" of %" G_GUINT64_FORMAT, o->count);
        g_autofree char *what = g_strdup_printf ("measured run %u%s", runs + cut_runs + 1, of);

        if (run_failed (bench, command, &figures, what, error))
          {
            ok = FALSE;
            break;
          }
      }
      g_ptr_array_add (bench->report->results,
                       result_of (command, &figures, GZ_BENCH_CUT_NONE,
                                  bench->report->spawn_cost_ns));
      runs++;
      sum += (double) figures.wall_nanos;
      elapsed = now_nanos () - start;
      fraction = o->duration_nanos > 0
        ? (index + MIN (1.0, (double) elapsed / (double) o->duration_nanos)) / n_commands
        : (double) (index * o->count + runs + cut_runs) / (double) (n_commands * o->count);
      tell (bench, index, runs, fraction, sum);
    }

  if (cancelled)
    bench->report->interrupted = TRUE;

  /* Cleanup runs whatever happened to the runs, even after a cancellation. */
  if (bench->cleanup != NULL)
    {
      RunFigures figures;
      gboolean was_cancelled;
      Runner cleanup_runner = { 0 };

      g_mutex_init (&cleanup_runner.lock);
      if (run_once (&cleanup_runner, bench->cleanup->argv, 0, &figures, &was_cancelled,
                    &cleanup_error) && (figures.exit_status != 0 || figures.signal != 0) && ok)
        {
          g_autofree char *status = describe_status (&figures);

          g_set_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_HELPER_FAILED,
                       "the cleanup command “%s” %s "
                       "(after %s)", bench->cleanup->command_line, status, command->name);
          ok = FALSE;
        }
      else if (cleanup_error != NULL && ok)
        {
          g_propagate_error (error, g_steal_pointer (&cleanup_error));
          ok = FALSE;
        }
      g_mutex_clear (&cleanup_runner.lock);
    }
  return ok;
}

static GzCommandBenchReport *
bench_run (GPtrArray                   *commands,
           const GzCommandBenchOptions *options,
           GCancellable                *cancellable,
           GError                     **error)
{
  Bench bench = { 0 };
  gulong handler = 0;
  gboolean ok = TRUE;
  int subreaper = 0;

  g_return_val_if_fail (commands != NULL && commands->len > 0, NULL);
  g_return_val_if_fail (options->duration_nanos >= 0, NULL);
  g_return_val_if_fail (options->duration_nanos > 0 || options->count > 0, NULL);

  bench.commands = commands;
  bench.options = options;
  /* Everything is checked before anything runs. */
  if (options->prepare != NULL)
    {
      bench.prepare = gz_command_new (options->prepare, NULL, options->shell, error);
      if (bench.prepare == NULL)
        return NULL;
    }
  if (options->cleanup != NULL)
    {
      bench.cleanup = gz_command_new (options->cleanup, NULL, options->shell, error);
      if (bench.cleanup == NULL)
        {
          gz_command_free (bench.prepare);
          return NULL;
        }
    }

  g_mutex_init (&bench.runner.lock);
  bench.report = g_new0 (GzCommandBenchReport, 1);
  bench.report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  bench.report->cut = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), &bench.runner, NULL);
  /* The runs' orphans (background children) become ours, to be reaped when they are ended:
   * an init that does not reap (a container's) would leave them in their group. */
  if (prctl (PR_GET_CHILD_SUBREAPER, &subreaper) != 0)
    subreaper = -1;
  else if (!subreaper)
    prctl (PR_SET_CHILD_SUBREAPER, 1);

  bench.report->spawn_cost_ns = spawn_cost (&bench.runner, options->shell, SPAWN_COST_RUNS);
  for (guint i = 0; ok && i < commands->len && !bench.report->interrupted; i++)
    ok = bench_command (&bench, i, error);

  if (subreaper == 0)
    prctl (PR_SET_CHILD_SUBREAPER, 0);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);
  g_mutex_clear (&bench.runner.lock);
  gz_command_free (bench.prepare);
  gz_command_free (bench.cleanup);
  if (!ok)
    g_clear_pointer (&bench.report, gz_command_bench_report_free);
  return bench.report;
}

GzCommandBenchReport *
gz_command_bench_run (GPtrArray                   *commands,
                      const GzCommandBenchOptions *options,
                      GCancellable                *cancellable,
                      GError                     **error)
{
  return bench_run (commands, options, cancellable, error);
}

/* --- on a worker thread */

/* Carries the latest progress from the worker to the caller's main context. */
typedef struct
{
  GSource               source;
  GMutex                lock;
  guint                 command;
  guint                 run;
  double                fraction;
  double                mean_ns;
  GzCommandProgressFunc func;
  gpointer              data;
} ProgressSource;

static gboolean
progress_source_dispatch (GSource    *source,
                          GSourceFunc callback,
                          gpointer    user_data)
{
  ProgressSource *self = (ProgressSource *) source;
  guint command, run;
  double fraction, mean_ns;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&self->lock);
  command = self->command;
  run = self->run;
  fraction = self->fraction;
  mean_ns = self->mean_ns;
  g_mutex_unlock (&self->lock);
  self->func (command, run, fraction, mean_ns, self->data);
  return G_SOURCE_CONTINUE;
}

static void
progress_source_finalize (GSource *source)
{
  g_mutex_clear (&((ProgressSource *) source)->lock);
}

static GSourceFuncs progress_source_funcs = {
  .dispatch = progress_source_dispatch,
  .finalize = progress_source_finalize,
};

static void
progress_source_post (guint    command,
                      guint    run,
                      double   fraction,
                      double   mean_ns,
                      gpointer data)
{
  ProgressSource *self = data;

  g_mutex_lock (&self->lock);
  self->command = command;
  self->run = run;
  self->fraction = fraction;
  self->mean_ns = mean_ns;
  g_mutex_unlock (&self->lock);
  g_source_set_ready_time (&self->source, 0);
}

typedef struct
{
  GPtrArray             *commands;
  GzCommandBenchOptions  options; /* its strings our copies */
  char                  *prepare;
  char                  *cleanup;
  GSource               *progress;
} RunTask;

static void
run_task_free (gpointer data)
{
  RunTask *task = data;

  if (task->progress != NULL)
    {
      g_source_destroy (task->progress);
      g_source_unref (task->progress);
    }
  g_ptr_array_unref (task->commands);
  g_free (task->prepare);
  g_free (task->cleanup);
  g_free (task);
}

static gboolean
destroy_progress (gpointer data)
{
  g_source_destroy (data);
  return G_SOURCE_REMOVE;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunTask *run = task_data;
  GError *error = NULL;
  GzCommandBenchReport *report = bench_run (run->commands, &run->options, cancellable, &error);

  /* The last progress is delivered, and none after the callback: the source goes by an idle
   * on the caller's context queued behind it and ahead of the result (same priority, so they
   * run in that order). */
  if (run->progress != NULL)
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, destroy_progress, g_source_ref (run->progress),
                             (GDestroyNotify) g_source_unref);
      g_source_set_static_name (idle, "gz-command-bench-progress-end");
      g_source_attach (idle, g_source_get_context (run->progress));
      g_source_unref (idle);
    }
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) gz_command_bench_report_free);
}

void
gz_command_bench_run_async (GPtrArray                   *commands,
                            const GzCommandBenchOptions *options,
                            GCancellable                *cancellable,
                            GAsyncReadyCallback          callback,
                            gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  RunTask *run = g_new0 (RunTask, 1);

  run->commands = g_ptr_array_ref (commands);
  run->options = *options;
  run->prepare = g_strdup (options->prepare);
  run->cleanup = g_strdup (options->cleanup);
  run->options.prepare = run->prepare;
  run->options.cleanup = run->cleanup;
  if (options->progress != NULL)
    {
      ProgressSource *source =
        (ProgressSource *) g_source_new (&progress_source_funcs, sizeof (ProgressSource));

      g_mutex_init (&source->lock);
      source->func = options->progress;
      source->data = options->progress_data;
      g_source_set_static_name (&source->source, "gz-command-bench-progress");
      g_source_attach (&source->source, g_main_context_get_thread_default ());
      run->progress = &source->source;
      run->options.progress = progress_source_post;
      run->options.progress_data = source;
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_command_bench_run_async);
  g_task_set_name (task, "gz_command_bench_run_async");
  /* A cancelled run returns what it measured, not G_IO_ERROR_CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, run, run_task_free);
  g_task_run_in_thread (task, run_in_thread);
}

GzCommandBenchReport *
gz_command_bench_run_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gz_command_bench_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
