/* gz-process-list.h: the user's own processes, as a picker of session targets shows them: pid,
 * command line, CPU use, and whether `gz-cli profile run` serves the process (its socket
 * exists). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int       pid;
  char     *command_line; /* arguments joined by spaces; "[comm]" when it has none */
  double    cpu_percent;  /* of one CPU, as top shows it; see gz_process_list_refresh() */
  gboolean  has_agent;    /* it has a `run` socket: $XDG_RUNTIME_DIR/gz/agents/PID.sock
                           * (gz_agent_socket_path) exists */
} GzProcessInfo;

GzProcessInfo *gz_process_info_copy            (const GzProcessInfo  *info);
void           gz_process_info_free            (GzProcessInfo        *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzProcessInfo, gz_process_info_free)

#define GZ_TYPE_PROCESS_LIST (gz_process_list_get_type ())
G_DECLARE_FINAL_TYPE (GzProcessList, gz_process_list, GZ, PROCESS_LIST, GObject)

GzProcessList *gz_process_list_new             (void);
/* Blocking (it reads /proc): the processes of the calling user that are neither zombies nor
 * kernel threads, by pid, as GzProcessInfo. CPU use is over the time since the previous
 * refresh of @self, or over the process's life on the first. Safe to call from any thread (one
 * refresh at a time). */
GPtrArray     *gz_process_list_refresh         (GzProcessList        *self,
                                                GError              **error);
/* The same on a worker thread. */
void           gz_process_list_refresh_async   (GzProcessList        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray     *gz_process_list_refresh_finish  (GzProcessList        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
