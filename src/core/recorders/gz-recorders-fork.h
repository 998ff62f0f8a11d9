/* gz-recorders-fork.h: a gate that keeps the recorders whole across fork (): no thread is in
 * the middle of a recording (holding a table's lock, or libunwind's) when the child is made. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Around a recording (stack capture and table update). FALSE: a fork is under way, skip this
 * recording (and do not call _leave). Nests. */
gboolean gz_recorders_fork_enter (void);
void     gz_recorders_fork_leave (void);

G_END_DECLS
