/* gz-perf-events.h: the kernel's CPU-clock sampling of another process (perf_event_open): one
 * event per thread and CPU, inherited by the threads they create, read from one ring buffer per
 * CPU; each sample carries the kernel's user call chain, the user registers and a copy of the
 * user stack. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The user registers a sample carries, in DWARF order for x86-64 (rax, rdx, rcx, rbx, rsi, rdi,
 * rbp, rsp, r8-r15, rip), as libdw's unwinder takes them. */
#define GZ_PERF_N_REGS  17
#define GZ_PERF_REG_SP  7
#define GZ_PERF_REG_IP  16

/* The bytes of user stack (from the stack pointer up) each sample copies. */
#define GZ_PERF_STACK_BYTES 16384

typedef struct
{
  guint32        pid;
  guint32        tid;
  guint64        time;
  guint64        period;        /* nanoseconds of CPU this sample stands for */
  guint          n_callchain;   /* user frames of the kernel's call chain, leaf first */
  const guint64 *callchain;
  gboolean       has_regs;
  guint64        regs[GZ_PERF_N_REGS];
  guint64        stack_size;    /* bytes of @stack that were copied */
  const guint8  *stack;         /* starts at regs[GZ_PERF_REG_SP] */
} GzPerfSample;

typedef struct _GzPerfEvents GzPerfEvents;

typedef void (*GzPerfSampleFunc) (const GzPerfSample *sample,
                                  gpointer            user_data);

/* Whether perf events can sample process @pid at all: FALSE with a one-line reason and what to
 * change when the kernel refuses (G_IO_ERROR_PERMISSION_DENIED: another user's process, the
 * paranoid level, a container's policy; G_IO_ERROR_NOT_FOUND: no such process;
 * G_IO_ERROR_NOT_SUPPORTED: not x86-64, or no perf events in this kernel). */
gboolean      gz_perf_events_check         (pid_t              pid,
                                            GError           **error);
/* Opens the (disabled) events on every thread of @pid, at @hz samples per second of CPU. */
GzPerfEvents *gz_perf_events_open          (pid_t              pid,
                                            guint              hz,
                                            GError           **error);
/* As gz_perf_events_open() on @pid, a child that has not called exec yet (it waits for its
 * parent's word): the kernel enables the events at its exec, so that the program is sampled from
 * its first instruction; gz_perf_events_enable() is not needed. */
GzPerfEvents *gz_perf_events_open_on_exec  (pid_t              pid,
                                            guint              hz,
                                            GError           **error);
void          gz_perf_events_free          (GzPerfEvents      *self);
void          gz_perf_events_enable        (GzPerfEvents      *self);
void          gz_perf_events_disable       (GzPerfEvents      *self);
/* Waits up to @timeout_ms for data (or gz_perf_events_wake()), then hands every sample of the
 * ring buffers to @func, in the calling thread. */
void          gz_perf_events_read          (GzPerfEvents      *self,
                                            int                timeout_ms,
                                            GzPerfSampleFunc   func,
                                            gpointer           user_data);
/* Ends a gz_perf_events_read() wait of another thread early. */
void          gz_perf_events_wake          (GzPerfEvents      *self);
/* Whether the process mapped new code since the last call (then cleared). */
gboolean      gz_perf_events_take_mmaps    (GzPerfEvents      *self);
/* Samples the kernel dropped because the buffers were full. */
guint64       gz_perf_events_get_lost      (GzPerfEvents      *self);
/* The threads the events were opened on (those created later inherit them). */
guint         gz_perf_events_get_n_threads (GzPerfEvents      *self);
/* Whether events were opened on @tid (threads created later inherit them instead). */
gboolean      gz_perf_events_has_thread    (GzPerfEvents      *self,
                                            pid_t              tid);
/* Opens enabled events on @tid, a thread that carries none (it was created while the events
 * were being opened, by a thread that had none yet). The thread that reads calls this. */
gboolean      gz_perf_events_add_thread    (GzPerfEvents      *self,
                                            pid_t              tid);
/* TRUE when the kernel allowed user space only (perf_event_paranoid 2 and no CAP_PERFMON):
 * time the threads spent in the kernel is not sampled. Else it counts, on the user stack that
 * entered the kernel. */
gboolean      gz_perf_events_get_user_only (GzPerfEvents      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzPerfEvents, gz_perf_events_free)

G_END_DECLS
