/* gz-launcher.h: starts a program to be profiled so that everything gz needs exists before its
 * first instruction: the child is forked and waits, the profilers open on it, then it execs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define GZ_TYPE_LAUNCHER (gz_launcher_get_type ())
G_DECLARE_FINAL_TYPE (GzLauncher, gz_launcher, GZ, LAUNCHER, GObject)

/* The command @argv (argv[0] found in $PATH when it has no slash), checked now: not found or
 * not executable fail with one line (G_IO_ERROR_NOT_FOUND, G_IO_ERROR_PERMISSION_DENIED). */
GzLauncher  *gz_launcher_new             (const char * const  *argv,
                                          GError             **error);
/* @argv as a shell would read it back: each argument quoted where it needs to be. Free with
 * g_free. */
char        *gz_launcher_quote_command   (const char * const  *argv);
/* The program's file, as found. */
const char  *gz_launcher_get_program     (GzLauncher          *self);
/* The command as a shell would read it back (quoted where needed). */
const char  *gz_launcher_get_command_line (GzLauncher         *self);
/* Sets @name in the program's environment (before gz_launcher_spawn()). */
void         gz_launcher_setenv          (GzLauncher          *self,
                                          const char          *name,
                                          const char          *value);
/* Preloads libgz-preload.so (gz_preload_library_path(), before an LD_PRELOAD the environment
 * already has) and hands the program @ring_fd (a ring's memfd, close-on-exec here: the child
 * alone inherits it) through GZ_PRELOAD_RING. Fails with one line when the program cannot take
 * a preload (a static or setuid binary) or the library is missing: nothing was started. */
gboolean     gz_launcher_set_preload     (GzLauncher          *self,
                                          int                  ring_fd,
                                          GError             **error);
/* Runs the program in @dir (NULL: this process's folder); a relative program path is still
 * this process's (give an absolute one). Before gz_launcher_spawn(). */
void         gz_launcher_set_working_dir (GzLauncher          *self,
                                          const char          *dir);
/* The program's @child_fd (0, 1 or 2: stdin, stdout, stderr) is @fd (above 2, close-on-exec;
 * the launcher owns it from now on) instead of this process's. Before gz_launcher_spawn(). */
void         gz_launcher_take_fd         (GzLauncher          *self,
                                          int                  fd,
                                          int                  child_fd);

/* Forks the child, which waits before its exec for gz_launcher_release(): open perf events on
 * gz_launcher_get_pid() meanwhile (enable_on_exec). The child's end is watched on the
 * thread-default main context of this call. */
gboolean     gz_launcher_spawn           (GzLauncher          *self,
                                          GError             **error);
/* The child's pid (0 before the spawn). */
GPid         gz_launcher_get_pid         (GzLauncher          *self);
/* Lets the child exec; FALSE with one line when the exec failed (the child is gone then). */
gboolean     gz_launcher_release         (GzLauncher          *self,
                                          GError             **error);
/* Ends a child that was not released yet (it never runs the program). Nothing once released. */
void         gz_launcher_abort           (GzLauncher          *self);
/* kill() of the child while it runs; nothing once it ended. */
void         gz_launcher_send_signal     (GzLauncher          *self,
                                          int                  signum);

/* Holds the child unreaped, so that its pid stays its own, from any thread: for a capture by
 * ptrace (whose stops are not taken for its end meanwhile). FALSE, holding nothing, when it
 * was not released yet or ended. Keep it short: the reap waits for gz_launcher_unlock_child(). */
gboolean     gz_launcher_lock_child      (GzLauncher          *self);
void         gz_launcher_unlock_child    (GzLauncher          *self);

/* Whether the child ended (and was reaped). Once the launcher is dropped, a child that runs on
 * is reaped by GLib (no zombie is left). */
gboolean     gz_launcher_get_exited      (GzLauncher          *self);
/* Once ended: its exit status, or 128 + the signal that killed it, as shells give it (1 in
 * the rare case that another waiter reaped it: its status was lost). */
int          gz_launcher_get_exit_code   (GzLauncher          *self);
/* Once ended: "exited with status 3", "was killed by signal 9 (Killed)". Free with g_free. */
char        *gz_launcher_describe_exit   (GzLauncher          *self);

/* Waits for the child to end (at once when it has). @cancellable stops the wait, not the
 * child. */
void         gz_launcher_wait_async      (GzLauncher          *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* *@exit_code as gz_launcher_get_exit_code(). */
gboolean     gz_launcher_wait_finish     (GzLauncher          *self,
                                          GAsyncResult        *result,
                                          int                 *exit_code,
                                          GError             **error);

/* Signals: ::exited () — the child ended, on the spawn's main context. */

G_END_DECLS
