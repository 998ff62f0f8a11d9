/* gz-preload-cpu.c: the fallback CPU ticks, for where perf events are refused: a POSIX CPU timer
 * at cpu_hz, and a handler that copies the registers and the stack into the ring (no unwinding
 * in the handler: the collector unwinds). A tick's period is the process's CPU time since the
 * one before. The ticks come on a realtime signal near SIGRTMAX that nobody handles, not on
 * SIGPROF: a program with a profiler of its own (its SIGPROF handler and ITIMER_PROF, installed
 * after our start) keeps its ticks, and we keep ours. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "gz-preload-private.h"

static uint64_t period_ns;
static uint64_t last_cpu_ns;  /* the process's CPU clock at the last tick */
static int      tick_signo;   /* the signal of our ticks, 0 before the first start */

/* Realtime signals tried, from SIGRTMAX down (the low ones are the ones programs take). */
#define TICK_SIGNALS 8

/* The process's CPU time since the last tick: the kernel checks its CPU timers at its own
 * ticks, so under load several periods may pass for one signal. */
static uint64_t
elapsed_cpu (void)
{
  struct timespec ts;
  uint64_t now;
  uint64_t last;

  if (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return period_ns;
  now = (uint64_t) ts.tv_sec * UINT64_C (1000000000) + (uint64_t) ts.tv_nsec;
  last = __atomic_exchange_n (&last_cpu_ns, now, __ATOMIC_RELAXED);

  return last != 0 && now > last ? now - last : period_ns;
}

static void
on_tick (int        signo,
         siginfo_t *info,
         void      *context)
{
  static const int dwarf_order[GZ_RING_N_REGS] = {
    REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
  };
  const ucontext_t *uc = context;
  uint64_t regs[GZ_RING_N_REGS];
  uint64_t period;
  int saved_errno = errno;

  if (!gz_preload_wants (GZ_RING_RECORD_CPU))
    return;
  for (int i = 0; i < GZ_RING_N_REGS; i++)
    regs[i] = (uint64_t) uc->uc_mcontext.gregs[dwarf_order[i]];
  period = elapsed_cpu ();
  gz_preload_write_stack (GZ_RECORD_CPU, &period, sizeof period, regs);
  errno = saved_errno;
}

/* The timer: a POSIX CPU timer rather than ITIMER_PROF, because execve deletes it (an itimer
 * would go on in the new program, where our signal is back to its default: terminate). */
static timer_t timer;
static int     timer_armed;

static bool
arm (bool on)
{
  struct itimerspec spec = { 0 };

  if (on)
    {
      spec.it_interval.tv_sec = (time_t) (period_ns / 1000000000);
      spec.it_interval.tv_nsec = (long) (period_ns % 1000000000);
      spec.it_value = spec.it_interval;
    }

  return timer_settime (timer, 0, &spec, NULL) == 0;
}

/* Whether @signo is free for our ticks: still at its default, or ours already (a fork child). */
static bool
signal_is_free (int signo)
{
  struct sigaction current;

  if (sigaction (signo, NULL, &current) != 0)
    return false;
  return (current.sa_flags & SA_SIGINFO) ? current.sa_sigaction == on_tick
                                         : current.sa_handler == SIG_DFL;
}

/* Ticks start only on a signal nobody handles: a program with handlers on all of them keeps
 * them, and gets no ticks of ours. */
void
gz_preload_cpu_start (void)
{
  uint32_t hz = gz_preload_header->cpu_hz;
  struct sigaction action;
  struct sigevent event;

  __atomic_store_n (&timer_armed, 0, __ATOMIC_RELAXED);
  if (hz == 0 || hz > 1000000)
    return;
  if (tick_signo == 0 || !signal_is_free (tick_signo))
    {
      tick_signo = 0;
      for (int signo = SIGRTMAX; signo > SIGRTMAX - TICK_SIGNALS && signo >= SIGRTMIN; signo--)
        if (signal_is_free (signo))
          {
            tick_signo = signo;
            break;
          }
      if (tick_signo == 0)
        return;
    }

  period_ns = UINT64_C (1000000000) / hz;
  /* The first tick counts from here (a fork child's too). */
  __atomic_store_n (&last_cpu_ns, 0, __ATOMIC_RELAXED);
  elapsed_cpu ();
  memset (&action, 0, sizeof action);
  action.sa_sigaction = on_tick;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset (&action.sa_mask);
  if (sigaction (tick_signo, &action, NULL) != 0)
    return;

  memset (&event, 0, sizeof event);
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = tick_signo;
  if (timer_create (CLOCK_PROCESS_CPUTIME_ID, &event, &timer) != 0)
    return;
  if (arm (true))
    __atomic_store_n (&timer_armed, 1, __ATOMIC_RELAXED);
}

bool
gz_preload_cpu_pause (void)
{
  sigset_t pending;

  if (!__atomic_load_n (&timer_armed, __ATOMIC_RELAXED) || !arm (false))
    return false;
  /* A tick that came before the timer stopped, waiting in a thread that blocks our signal,
   * would outlive an exec and end the new program: take it now. */
  if (sigpending (&pending) == 0 && sigismember (&pending, tick_signo))
    {
      sigset_t only;
      struct timespec now = { 0, 0 };

      sigemptyset (&only);
      sigaddset (&only, tick_signo);
      sigtimedwait (&only, NULL, &now);
    }

  return true;
}

void
gz_preload_cpu_resume (void)
{
  arm (true);
}
