/* gz-launcher.c: a program started for profiling: fork, the child waits on a socket while the
 * parent opens what watches it, then it execs. Between fork and exec the child runs only
 * async-signal-safe calls (gz-cli and the app have threads). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-launcher.h"
#include "gz-preload-format.h"
#include "gz-preload-paths.h"

/* How soon the reap is tried again while gz_launcher_lock_child() holds the child. */
#define REAP_RETRY_MS 5
/* How often the child is looked at where the kernel has no pidfd (before Linux 5.3). */
#define REAP_POLL_MS 20

struct _GzLauncher
{
  GObject       parent_instance;

  char         *program;
  char        **argv;          /* argv[0] as given */
  char         *command_line;
  GHashTable   *env;           /* name -> value set on top of this process's environment */
  int           ring_fd;       /* -1: none */
  char         *working_dir;   /* NULL: this process's */
  int           stdio_fds[3];  /* the program's stdin, stdout, stderr; -1: this process's */

  GPid          pid;
  int           release_fd;    /* our end of the socket the child waits on; -1 once released */
  int           error_fd;      /* the read end the child reports a failed exec on */
  gboolean      released;
  gboolean      exited;        /* written under child_lock */
  gboolean      status_lost;   /* reaped by someone else: its status is unknown */
  int           wait_status;
  int           pidfd;         /* readable once the child ended; -1: none */
  GMutex        child_lock;    /* held while the child must stay unreaped */
  GMainContext *context;       /* the spawn's: the reap and ::exited happen there */
  GSource      *child_watch;   /* the pidfd's source, or a timer that looks again */
  GPtrArray    *waiters;       /* GTask of gz_launcher_wait_async() */
};

G_DEFINE_FINAL_TYPE (GzLauncher, gz_launcher, G_TYPE_OBJECT)

enum {
  EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_child_watch (GzLauncher *self)
{
  if (self->child_watch != NULL)
    {
      g_source_destroy (self->child_watch);
      g_clear_pointer (&self->child_watch, g_source_unref);
    }
}

/* A thread that waits for a child nobody watches any more: no zombie is left behind. */
static gpointer
reap_orphan (gpointer data)
{
  pid_t pid = GPOINTER_TO_INT (data);
  int status;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return NULL;
}

static void
gz_launcher_dispose (GObject *object)
{
  GzLauncher *self = GZ_LAUNCHER (object);

  gz_launcher_abort (self);
  clear_child_watch (self);
  /* A child that runs on (or leaves after the abort) is waited for by a thread of its own:
   * GLib's child watch reaps only when its context is iterated, which no one may do. Nothing
   * captures it any more (a capture holds a reference). */
  if (self->pid != 0 && !self->exited)
    {
      GThread *reaper = g_thread_try_new ("gz-reaper", reap_orphan, GINT_TO_POINTER (self->pid),
                                          NULL);

      if (reaper != NULL)
        g_thread_unref (reaper);
      self->exited = TRUE;
      self->status_lost = TRUE;
    }
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (gz_launcher_parent_class)->dispose (object);
}

static void
gz_launcher_finalize (GObject *object)
{
  GzLauncher *self = GZ_LAUNCHER (object);

  if (self->error_fd >= 0)
    close (self->error_fd);
  for (int i = 0; i < 3; i++)
    if (self->stdio_fds[i] >= 0)
      close (self->stdio_fds[i]);
  g_free (self->working_dir);
  g_free (self->program);
  g_strfreev (self->argv);
  g_free (self->command_line);
  g_hash_table_unref (self->env);
  g_ptr_array_unref (self->waiters);
  g_mutex_clear (&self->child_lock);
  G_OBJECT_CLASS (gz_launcher_parent_class)->finalize (object);
}

static void
gz_launcher_class_init (GzLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_launcher_dispose;
  object_class->finalize = gz_launcher_finalize;

  /* The child ended (reaped); gz_launcher_get_exit_code() says how. */
  signals[EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gz_launcher_init (GzLauncher *self)
{
  self->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->waiters = g_ptr_array_new ();
  self->ring_fd = -1;
  for (int i = 0; i < 3; i++)
    self->stdio_fds[i] = -1;
  self->release_fd = -1;
  self->error_fd = -1;
  self->pidfd = -1;
  g_mutex_init (&self->child_lock);
}

/* The program's file: as given when it has a slash, else found in $PATH. */
static char *
resolve_program (const char  *name,
                 GError     **error)
{
  g_autofree char *path = NULL;

  if (strchr (name, '/') != NULL)
    path = g_strdup (name);
  else
    path = g_find_program_in_path (name);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "command \"%s\" not found; check its name, or give its path", name);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR) || access (path, X_OK) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "\"%s\" is not an executable file; give a program (chmod +x it if it is "
                   "one)", path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
gz_launcher_quote_command (const char * const *argv)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *quoted = strpbrk (argv[i], " \t\"'\\$") != NULL || *argv[i] == '\0'
                                  ? g_shell_quote (argv[i]) : g_strdup (argv[i]);

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, quoted);
    }
  return g_string_free (line, FALSE);
}

GzLauncher *
gz_launcher_new (const char * const  *argv,
                 GError             **error)
{
  g_autoptr(GzLauncher) self = NULL;
  g_autofree char *program = NULL;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  program = resolve_program (argv[0], error);
  if (program == NULL)
    return NULL;
  self = g_object_new (GZ_TYPE_LAUNCHER, NULL);
  self->program = g_steal_pointer (&program);
  self->argv = g_strdupv ((char **) argv);
  self->command_line = gz_launcher_quote_command ((const char * const *) self->argv);
  return g_steal_pointer (&self);
}

const char *
gz_launcher_get_program (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), NULL);
  return self->program;
}

const char *
gz_launcher_get_command_line (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), NULL);
  return self->command_line;
}

void
gz_launcher_setenv (GzLauncher *self,
                    const char *name,
                    const char *value)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));
  g_return_if_fail (self->pid == 0);

  g_hash_table_insert (self->env, g_strdup (name), g_strdup (value));
}

gboolean
gz_launcher_set_preload (GzLauncher  *self,
                         int          ring_fd,
                         GError     **error)
{
  g_autofree char *library = NULL;
  g_autofree char *preload = NULL;
  g_autofree char *fd_text = NULL;
  const char *old_preload;

  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (self->pid == 0, FALSE);

  /* Refused before anything runs: a static binary would run unprofiled. */
  if (!gz_preload_check_program (self->program, error))
    return FALSE;
  library = gz_preload_library_path (error);
  if (library == NULL)
    return FALSE;
  old_preload = g_hash_table_lookup (self->env, "LD_PRELOAD");
  if (old_preload == NULL)
    old_preload = g_getenv ("LD_PRELOAD");
  preload = old_preload != NULL && *old_preload != '\0'
              ? g_strconcat (library, ":", old_preload, NULL) : g_strdup (library);
  gz_launcher_setenv (self, "LD_PRELOAD", preload);
  fd_text = g_strdup_printf ("%d", ring_fd);
  gz_launcher_setenv (self, GZ_RING_ENV, fd_text);
  self->ring_fd = ring_fd;
  return TRUE;
}

void
gz_launcher_set_working_dir (GzLauncher *self,
                             const char *dir)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));
  g_return_if_fail (self->pid == 0);

  g_free (self->working_dir);
  self->working_dir = g_strdup (dir);
}

void
gz_launcher_take_fd (GzLauncher *self,
                     int         fd,
                     int         child_fd)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));
  g_return_if_fail (self->pid == 0);
  g_return_if_fail (child_fd >= 0 && child_fd < 3 && fd > 2);

  if (self->stdio_fds[child_fd] >= 0)
    close (self->stdio_fds[child_fd]);
  self->stdio_fds[child_fd] = fd;
}

/* This process's environment with the launcher's changes. */
static GStrv
child_environment (GzLauncher *self)
{
  GStrv envp = g_get_environ ();
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, self->env);
  while (g_hash_table_iter_next (&iter, &name, &value))
    envp = g_environ_setenv (envp, name, value, TRUE);
  return envp;
}

/* The cancellable's source of a wait, which holds its task: gone once the task returns. */
static void
drop_cancel_source (GTask *task)
{
  GSource *source = g_object_steal_data (G_OBJECT (task), "gz-cancel-source");

  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
}

static void
return_waiter (GzLauncher *self,
               GTask      *task)
{
  int *code = g_new (int, 1);

  drop_cancel_source (task);
  *code = gz_launcher_get_exit_code (self);
  g_task_return_pointer (task, code, g_free);
}

/* The child ended: its status is known (or lost), ::exited and the waiters are told. */
static void
child_ended (GzLauncher *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);
  g_autoptr(GzLauncher) hold = g_object_ref (self);

  self->waiters = g_ptr_array_new ();
  clear_child_watch (self);
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }
  g_signal_emit (self, signals[EXITED], 0);
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      return_waiter (self, task);
    }
}

/* Reaps the child if it ended; FALSE when it runs on, or a capture holds it (look again).
 * Under the lock no thread of it is stopped by our ptrace, whose stops waitpid() would report
 * too, and its pid is not given back to the system while a capture stops its threads. */
static gboolean
try_reap (GzLauncher *self)
{
  int status = 0;
  pid_t got;

  if (!g_mutex_trylock (&self->child_lock))
    return FALSE;
  do
    got = waitpid (self->pid, &status, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == self->pid && !WIFSTOPPED (status) && !WIFCONTINUED (status))
    {
      self->exited = TRUE;
      self->wait_status = status;
    }
  else if (got < 0)
    {
      /* Reaped by another waiter (a capture's waitpid that met its end): it ended. */
      self->exited = TRUE;
      self->status_lost = TRUE;
    }
  g_mutex_unlock (&self->child_lock);
  if (self->exited)
    child_ended (self);
  return self->exited;
}

static gboolean
on_reap_timer (gpointer user_data)
{
  GzLauncher *self = user_data;

  /* When it reaped, the source is gone already. */
  return try_reap (self) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
watch_child (GzLauncher  *self,
             GSource     *source,
             GSourceFunc  func)
{
  clear_child_watch (self);
  self->child_watch = source;
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
}

/* The pidfd is readable: the child ended. */
static gboolean
on_pidfd_readable (int          fd,
                   GIOCondition condition,
                   gpointer     user_data)
{
  GzLauncher *self = user_data;

  if (try_reap (self))
    return G_SOURCE_REMOVE;
  /* A capture holds it: it stays readable, so look again by a timer rather than spin. */
  watch_child (self, g_timeout_source_new (REAP_RETRY_MS), on_reap_timer);
  return G_SOURCE_REMOVE;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
G_GNUC_NORETURN static void
child_run (GzLauncher  *self,
           int          release_socket[2],
           int          error_pipe[2],
           char       **argv,
           char       **envp,
           sigset_t    *old_mask)
{
  int release_read = release_socket[0];
  int error_write = error_pipe[1];
  char go;
  ssize_t n;
  int errsv;

  /* The parent's handlers (GLib's for SIGINT, SIGTERM, SIGCHLD) must not run here: they would
   * write into the parent's wake-up pipe. exec resets caught signals, not ignored ones. */
  for (int sig = 1; sig < NSIG; sig++)
    {
      struct sigaction action;

      if (sigaction (sig, NULL, &action) == 0 && action.sa_handler != SIG_DFL &&
          (action.sa_handler != SIG_IGN || sig == SIGPIPE))
        {
          memset (&action, 0, sizeof action);
          action.sa_handler = SIG_DFL;
          sigaction (sig, &action, NULL);
        }
    }
  sigprocmask (SIG_SETMASK, old_mask, NULL);
  /* The parent's ends: with ours open, its abort (or death) would never read as an end. */
  close (release_socket[1]);
  close (error_pipe[0]);

  if (self->ring_fd >= 0 && fcntl (self->ring_fd, F_SETFD, 0) != 0)
    {
      errsv = errno;
      (void) !write (error_write, &errsv, sizeof errsv);
      _exit (127);
    }
  /* The parent's word: a byte to exec, end of file (abort, or the parent died) to leave. */
  do
    n = read (release_read, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit (127);
  for (int i = 0; i < 3; i++)
    if (self->stdio_fds[i] >= 0 && dup2 (self->stdio_fds[i], i) < 0)
      goto failed;
  if (self->working_dir != NULL && chdir (self->working_dir) != 0)
    goto failed;
  execve (self->program, argv, envp);
failed:
  errsv = errno;
  (void) !write (error_write, &errsv, sizeof errsv);
  _exit (127);
}

gboolean
gz_launcher_spawn (GzLauncher  *self,
                   GError     **error)
{
  g_auto(GStrv) envp = NULL;
  g_autofree char **argv = NULL;
  int release_socket[2], error_pipe[2];
  sigset_t all, old_mask;
  guint n = g_strv_length (self->argv);
  pid_t pid;
  int errsv;

  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (self->pid == 0, FALSE);

  envp = child_environment (self);
  /* argv[0] as the user gave it, as a shell passes it. */
  argv = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    argv[i] = self->argv[i];

  /* A socket rather than a pipe: a child killed while it waits (a Ctrl-C then) must not turn
   * the release into a SIGPIPE of ours. */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, release_socket) != 0)
    {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot start %s: socketpair: %s", self->program, g_strerror (errsv));
      return FALSE;
    }
  if (pipe2 (error_pipe, O_CLOEXEC) != 0)
    {
      errsv = errno;
      close (release_socket[0]);
      close (release_socket[1]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot start %s: pipe: %s", self->program, g_strerror (errsv));
      return FALSE;
    }

  /* No handler of ours may run in the child before it resets them. */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old_mask);
  pid = fork ();
  if (pid == 0)
    child_run (self, release_socket, error_pipe, argv, envp, &old_mask);
  errsv = errno;
  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  close (release_socket[0]);
  close (error_pipe[1]);
  /* The child has its copies of the program's streams. */
  for (int i = 0; i < 3; i++)
    if (self->stdio_fds[i] >= 0 && pid > 0)
      {
        close (self->stdio_fds[i]);
        self->stdio_fds[i] = -1;
      }
  if (pid < 0)
    {
      close (release_socket[1]);
      close (error_pipe[0]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot start %s: fork: %s", self->program, g_strerror (errsv));
      return FALSE;
    }
  self->pid = pid;
  self->release_fd = release_socket[1];
  self->error_fd = error_pipe[0];
  self->context = g_main_context_ref_thread_default ();
  /* Our own reap rather than GLib's child watch: it must wait while a capture holds the child
   * (gz_launcher_lock_child()), and a GLib without pidfds (before 2.74) calls waitpid() at any
   * SIGCHLD, which also reports the stops of our ptrace captures. */
#ifdef SYS_pidfd_open
  self->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
#endif
  if (self->pidfd >= 0)
    watch_child (self, g_unix_fd_source_new (self->pidfd, G_IO_IN),
                 (GSourceFunc) (void (*) (void)) on_pidfd_readable);
  else
    watch_child (self, g_timeout_source_new (REAP_POLL_MS), on_reap_timer);
  return TRUE;
}

GPid
gz_launcher_get_pid (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), 0);
  return self->pid;
}

gboolean
gz_launcher_release (GzLauncher  *self,
                     GError     **error)
{
  const char go = 'g';
  int errsv = 0;
  ssize_t n;

  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (self->pid != 0 && !self->released, FALSE);

  self->released = TRUE;
  n = send (self->release_fd, &go, 1, MSG_NOSIGNAL);
  close (self->release_fd);
  self->release_fd = -1;
  if (n != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot start %s: the child was gone before its exec", self->program);
      return FALSE;
    }
  /* End of file: the exec closed the pipe. An errno: it failed, and the child exits. */
  do
    n = read (self->error_fd, &errsv, sizeof errsv);
  while (n < 0 && errno == EINTR);
  close (self->error_fd);
  self->error_fd = -1;
  if (n == sizeof errsv)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot run %s: %s%s",
                   self->program, g_strerror (errsv),
                   errsv == ENOEXEC ? " (a script without a #! line? give its interpreter)"
                                    : "");
      return FALSE;
    }
  return TRUE;
}

void
gz_launcher_abort (GzLauncher *self)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));

  if (self->pid == 0 || self->released)
    return;
  /* The child sees the end of the socket and leaves without running the program. */
  self->released = TRUE;
  close (self->release_fd);
  self->release_fd = -1;
}

void
gz_launcher_send_signal (GzLauncher *self,
                         int         signum)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));

  /* Until reaped the pid is ours: never another process's. */
  if (self->pid != 0 && !self->exited)
    kill (self->pid, signum);
}

gboolean
gz_launcher_lock_child (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);

  g_mutex_lock (&self->child_lock);
  if (self->pid != 0 && self->released && !self->exited)
    return TRUE;
  g_mutex_unlock (&self->child_lock);
  return FALSE;
}

void
gz_launcher_unlock_child (GzLauncher *self)
{
  g_return_if_fail (GZ_IS_LAUNCHER (self));

  g_mutex_unlock (&self->child_lock);
}

gboolean
gz_launcher_get_exited (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);
  return self->exited;
}

int
gz_launcher_get_exit_code (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), 1);

  if (!self->exited || self->status_lost)
    return 1;
  if (WIFEXITED (self->wait_status))
    return WEXITSTATUS (self->wait_status);
  if (WIFSIGNALED (self->wait_status))
    return 128 + WTERMSIG (self->wait_status);
  return 1;
}

char *
gz_launcher_describe_exit (GzLauncher *self)
{
  g_return_val_if_fail (GZ_IS_LAUNCHER (self), NULL);

  if (!self->exited)
    return g_strdup ("is running");
  if (self->status_lost)
    return g_strdup ("ended (its exit status was lost)");
  if (WIFEXITED (self->wait_status))
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (self->wait_status));
  if (WIFSIGNALED (self->wait_status))
    return g_strdup_printf ("was killed by signal %d (%s)%s", WTERMSIG (self->wait_status),
                            g_strsignal (WTERMSIG (self->wait_status)),
                            WCOREDUMP (self->wait_status) ? ", core dumped" : "");
  return g_strdup ("ended");
}

/* A cancelled wait ends on the context it was made on, as the exit would. */
static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GzLauncher *self = g_task_get_source_object (task);

  if (g_ptr_array_remove (self->waiters, task))
    {
      g_task_return_error_if_cancelled (task);
      drop_cancel_source (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
gz_launcher_wait_async (GzLauncher          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_LAUNCHER (self));
  g_return_if_fail (self->pid != 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_launcher_wait_async);
  if (self->exited)
    {
      return_waiter (self, task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (cancellable != NULL)
    {
      g_autoptr(GSource) source = g_cancellable_source_new (cancellable);

      /* The source holds the task: it goes when the task returns, whichever way. */
      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_wait_cancelled,
                             g_object_ref (task), g_object_unref);
      g_source_attach (source, g_task_get_context (task));
      g_object_set_data (G_OBJECT (task), "gz-cancel-source", g_source_ref (source));
    }
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
}

gboolean
gz_launcher_wait_finish (GzLauncher    *self,
                         GAsyncResult  *result,
                         int           *exit_code,
                         GError       **error)
{
  g_autofree int *code = NULL;

  g_return_val_if_fail (GZ_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  code = g_task_propagate_pointer (G_TASK (result), error);
  if (code == NULL)
    return FALSE;
  if (exit_code != NULL)
    *exit_code = *code;
  return TRUE;
}
