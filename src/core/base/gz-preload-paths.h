/* gz-preload-paths.h: where the preload library (libgz-preload.so) lives and whether a program
 * can take it; where `gz-cli profile run` serves the programs it launches (their sockets). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder of the sockets on which `gz-cli profile run` serves the programs it launches:
 * $GZ_AGENT_DIR, else $XDG_RUNTIME_DIR/gz/agents, else <user cache dir>/gz/agents. Not created
 * here: `run` creates it (0700). Free with g_free. */
char          *gz_agent_dir              (void);
/* gz_agent_dir()/<pid>.sock: the socket of program @pid, launched by `run`. Free with g_free. */
char          *gz_agent_socket_path      (int            pid);
/* The preload library (libgz-preload.so) that launched programs get: $GZ_PRELOAD_LIBRARY; else
 * <dir of /proc/self/exe>/../preload/libgz-preload.so when it exists (the build tree); else the
 * installed GZ_PRELOAD_PATH. An error when the chosen file does not exist. */
char          *gz_preload_library_path   (GError       **error);
/* Whether LD_PRELOAD can put the preload into @executable_path: a dynamically linked ELF (it has
 * a PT_INTERP) that is neither setuid nor setgid. The error says why not in one line
 * (G_IO_ERROR_NOT_SUPPORTED, or the error opening or reading the file). */
gboolean       gz_preload_check_program  (const char    *executable_path,
                                          GError       **error);

G_END_DECLS
