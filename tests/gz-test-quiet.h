/* gz-test-quiet.h: whether a timed window of a test was disturbed by other programs, measured
 * by the kernel's own counters (CPU clocks, schedstat run delay, involuntary switches, steal). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GZ_TEST_QUIET_THREAD,   /* the calling thread */
  GZ_TEST_QUIET_PROCESS,  /* this process: all its threads, also those that ended meanwhile */
  GZ_TEST_QUIET_CHILDREN, /* the children waited for during the window (and theirs) */
  GZ_TEST_QUIET_PROGRAM,  /* the main thread of a program started meanwhile by name, however
                           * far down (watched while it runs), with the children's switches */
} GzTestQuietScope;

typedef struct
{
  GzTestQuietScope scope;
  guint            busy;         /* threads meant to keep a CPU busy the whole window */
  gint64           wall_ns;
  gint64           cpu_ns;       /* CPU time the scope got */
  gint64           lost_ns;      /* busy x wall - cpu: time the busy threads did not run */
  gint64           run_delay_ns; /* runnable but waiting for a CPU (schedstat), or -1 */
  gint64           steal_ns;     /* the hypervisor ran others on this VM's CPUs (all CPUs) */
  glong            involuntary;  /* involuntary context switches */
  /* < private > */
  gint64           start_wall, start_cpu, start_delay, start_steal;
  glong            start_involuntary;
  GThread         *watcher;
  char            *program;
  gint             stop;
  gint64           seen_cpu, seen_delay;
} GzTestQuiet;

void     gz_test_quiet_begin        (GzTestQuiet       *quiet,
                                     GzTestQuietScope   scope,
                                     guint              busy);
/* Watches the program whose command name is @name (as /proc/PID/comm shows it) from now on:
 * its main thread's time on a CPU and waiting for one; the figures stand for that time. */
void     gz_test_quiet_begin_program (GzTestQuiet      *quiet,
                                     const char        *name);
void     gz_test_quiet_end          (GzTestQuiet       *quiet);
/* TRUE when the busy threads lost more than @fraction of the window (not running, or waiting
 * for a CPU). The involuntary switches are only reported. */
gboolean gz_test_quiet_disturbed    (const GzTestQuiet *quiet,
                                     double             fraction);
/* Adds @quiet's figures to @total (zero-initialized first). */
void     gz_test_quiet_add          (GzTestQuiet       *total,
                                     const GzTestQuiet *quiet);
/* "other programs kept the measured threads from running 12.3 ms of 45.6 ms (run delay ..., 7 involuntary
 * switches, steal ...; load 3.1 on 2 CPUs)" */
char    *gz_test_quiet_describe     (const GzTestQuiet *quiet);
/* The 1-minute load average, and whether it is over 1.5 x the CPUs. */
double   gz_test_quiet_load         (void);
gboolean gz_test_quiet_machine_busy (void);

G_END_DECLS
