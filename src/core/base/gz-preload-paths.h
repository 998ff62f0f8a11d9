/* gz-agent-paths.h: where the agent (libgz-agent.so) and the preload library live and where it listens, for the agent
 * itself and for gz-cli; and whether a program can take the agent at all. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $GZ_AGENT_DIR, else $XDG_RUNTIME_DIR/gz/agents, else <user cache dir>/gz/agents. Not created
 * here: the agent creates it (0700). Free with g_free. */
char          *gz_agent_dir              (void);
/* gz_agent_dir()/<pid>.sock. Free with g_free. */
char          *gz_agent_socket_path      (int            pid);
/* $GZ_AGENT_LIBRARY; else <dir of /proc/self/exe>/../agent/libgz-agent.so when it exists (the
 * build tree); else the installed GZ_AGENT_PATH. An error when the chosen file does not exist. */
char          *gz_agent_library_path     (GError       **error);
/* The preload library (libgz-preload.so) that launched programs get: $GZ_PRELOAD_LIBRARY; else
 * <dir of /proc/self/exe>/../preload/libgz-preload.so when it exists (the build tree); else the
 * installed GZ_PRELOAD_PATH. An error when the chosen file does not exist. */
char          *gz_preload_library_path   (GError       **error);
/* Whether LD_PRELOAD can put the agent into @executable_path: a dynamically linked ELF (it has a
 * PT_INTERP) that is neither setuid nor setgid. The error says why not (G_IO_ERROR_NOT_SUPPORTED,
 * or the error opening or reading the file). */
gboolean       gz_agent_can_preload      (const char    *executable_path,
                                          GError       **error);

G_END_DECLS
