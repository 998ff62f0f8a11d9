/* gz-threadcreate.h: the stack that created each thread, recorded by the pthread_create
 * wrapper in gz-pthread-hooks.c, so threads created by GLib and other libraries are seen. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean gz_threadcreate_is_available (void);
/* Set by gz-pthread-hooks.c once the real pthread_create is resolved. */
void     gz_threadcreate_set_hooked   (gboolean hooked);
/* Called by the wrapper with the creator's stack; @skip frames of the caller are dropped. */
void     gz_threadcreate_record       (guint skip);
/* values[0] = threads created from that stack since start. GArray of GzStackRecord. */
GArray  *gz_threadcreate_snapshot     (void);

G_END_DECLS
