/* gz-pprof-text.h: the text forms of net/http/pprof — debug=1 legacy profiles for people and
 * the goroutine debug=2 dump of every thread's stack. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "gz-profile.h"

G_BEGIN_DECLS

/* The legacy text Go writes for `NAME?debug=1` (heap, allocs, goroutine, block, mutex,
 * threadcreate), from @profile: a header, then one record per sample, largest first, with
 * its addresses and its frames symbolized. */
char *gz_pprof_text_format      (GzProfile  *profile,
                                 const char *name);

/* `goroutine?debug=2`: every thread of the calling process, its state and its stack, the way
 * Go dumps goroutines. */
char *gz_pprof_text_thread_dump (GError    **error);
/* The same of another process @pid, taken from outside with ptrace (gz_thread_capture_process()):
 * fails with one line when ptrace is refused or the process is gone. */
char *gz_pprof_text_process_thread_dump (pid_t       pid,
                                         GError    **error);

G_END_DECLS
