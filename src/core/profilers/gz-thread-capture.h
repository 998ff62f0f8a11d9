/* gz-thread-capture.h: every thread's stack, unwound outside any signal handler: of this process
 * from the copies its threads' handlers take, of another process by stopping it with ptrace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "gz-stack.h"

G_BEGIN_DECLS

/* The threads of the calling process (gz_stack_copy_all_threads()), each one's copied registers
 * and stack unwound here with libdw (GzPerfUnwinder on this process): a GPtrArray of
 * GzThreadStack by thread id, @pcs set (copy NULL), or signals_blocked. */
GPtrArray *gz_thread_capture_self (guint    timeout_ms,
                                   GError **error);

/* The threads of another process @pid, from outside (nothing of gz in it, no signal): each thread
 * is seized and interrupted with ptrace, its registers and the top of its stack copied, and all
 * are let go before the copies are unwound here. A thread that does not stop within @timeout_ms is
 * reported with signals_blocked set (its stack unknown). Fails with one line when ptrace is
 * refused (another user's process, Yama's ptrace_scope) or the process is gone. */
GPtrArray *gz_thread_capture_process (pid_t    pid,
                                      guint    timeout_ms,
                                      GError **error);

G_END_DECLS
