/* gz-pprof-server.h: the pprof HTTP server (libsoup 3) that makes any gz process — gz-cli's
 * server, the app — or another program it serves from outside (gz_pprof_server_set_target())
 * a target for `go tool pprof URL` and continuous-profiling scrapers, with Go's net/http/pprof
 * endpoints and semantics, plus /debug/stats.
 *
 *   GET /debug/pprof/                       HTML index: counts, links, descriptions
 *   GET /debug/pprof/profile?seconds=N      CPU profile over N s (default 30), asynchronous
 *   GET /debug/pprof/{heap,allocs,goroutine,block,mutex,threadcreate}
 *         [?debug=1|2] [?seconds=N]         binary, legacy text, or a delta over N s
 *   GET /debug/pprof/cmdline                the command line, NUL-separated
 *   GET|POST /debug/pprof/symbol            Go's symbol protocol
 *   GET /debug/pprof/trace                  501: no Go execution traces in a C process
 *   GET /debug/stats                        gz_process_stats_collect() as JSON
 *
 * Slow work (snapshots, symbolization, encoding) runs on worker threads; the main loop only
 * parses requests, answers the cheap ones (/debug/stats, cmdline, errors) and writes
 * responses, so one slow request never holds up the others. Requests waiting for the same
 * snapshot share it. Connections are kept alive (HTTP/1.1), within the deadlines and the
 * limit below. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "gz-collector.h"
#include "gz-config.h"

G_BEGIN_DECLS

#define GZ_PPROF_SERVER_ERROR (gz_pprof_server_error_quark ())
GQuark gz_pprof_server_error_quark (void);

typedef enum
{
  GZ_PPROF_SERVER_ERROR_ADDRESS_IN_USE, /* the port is taken: choose another with --port */
  GZ_PPROF_SERVER_ERROR_ADDRESS,        /* the bind address is not an IP address */
  GZ_PPROF_SERVER_ERROR_TOKEN,          /* the token file cannot be read or is empty */
  GZ_PPROF_SERVER_ERROR_FAILED,
  GZ_PPROF_SERVER_ERROR_NO_TOKEN,       /* beyond loopback without a token: refused */
} GzPprofServerError;

/* Limits: requests being handled at once (beyond: 503), open connections (by default as many
 * as the file-descriptor limit leaves, see below; beyond: the oldest idle one, else the one
 * sending its headers the longest, is closed for the new one), request
 * body bytes (beyond: 413), and the longest `seconds` a request may ask. Deadlines, as Go's
 * http.Server ReadHeaderTimeout and IdleTimeout: for a request's headers to arrive, and for the
 * next request on a kept-alive connection. */
#define GZ_PPROF_SERVER_DEFAULT_MAX_IN_FLIGHT          64
/* File descriptors kept out of the connections' share: the process' own files, profiles being
 * written, the target's /proc files (and an eighth of the limit besides). */
#define GZ_PPROF_SERVER_FD_RESERVE                     64
#define GZ_PPROF_SERVER_DEFAULT_READ_HEADER_TIMEOUT_MS 10000
#define GZ_PPROF_SERVER_DEFAULT_IDLE_TIMEOUT_MS        90000
#define GZ_PPROF_SERVER_MAX_BODY                (64 * 1024)
#define GZ_PPROF_SERVER_MAX_SECONDS             3600

#define GZ_TYPE_PPROF_SERVER (gz_pprof_server_get_type ())
G_DECLARE_FINAL_TYPE (GzPprofServer, gz_pprof_server, GZ, PPROF_SERVER, GObject)

/* @config: NULL for defaults; its cpu-hz, memory-rate, ... configure the profilers, its
 * token-file the authorization (read at listen time). */
GzPprofServer *gz_pprof_server_new            (GzConfig       *config);
/* Serves the profiles of process @pid instead of this process' own, from outside it (before
 * listening): cpu through perf events, goroutine through ptrace, cmdline and /debug/stats from
 * /proc, symbol from its maps. heap, allocs, block, mutex and threadcreate come from
 * @collector, the reader of the ring of a program gz launched with the preload (kept; cumulative
 * since its start, deltas with ?seconds= as in process); without one (a program gz did not
 * start) they answer 501 with one line saying to start it with `gz-cli profile server --
 * COMMAND`. */
void           gz_pprof_server_set_target     (GzPprofServer  *self,
                                               pid_t           pid,
                                               GzCollector    *collector);
/* Listens on the configuration's bind address and port. */
gboolean       gz_pprof_server_listen         (GzPprofServer  *self,
                                               GError        **error);
/* Listens on @address (an IP literal) and @port (0: any free port). Fails with
 * GZ_PPROF_SERVER_ERROR_ADDRESS_IN_USE when the port is taken, GZ_PPROF_SERVER_ERROR_NO_TOKEN
 * for an address beyond loopback without a token file. */
gboolean       gz_pprof_server_listen_on      (GzPprofServer  *self,
                                               const char     *address,
                                               guint           port,
                                               GError        **error);
/* Listens on a Unix socket at @path (which must not exist), for clients on this machine that
 * can open it and run as this process' user or as root (their peer credentials are checked on
 * every connection; no token is asked for). */
gboolean       gz_pprof_server_listen_unix    (GzPprofServer  *self,
                                               const char     *path,
                                               GError        **error);
/* The port listened on (after listen), and "http://ADDRESS:PORT/debug/pprof/" ("unix:PATH"
 * for a Unix socket). */
guint          gz_pprof_server_get_port       (GzPprofServer  *self);
char          *gz_pprof_server_get_url        (GzPprofServer  *self);
/* Whether @address (an IP literal) is a loopback address; FALSE for anything else. */
gboolean       gz_pprof_server_address_is_loopback (const char *address);

/* The default cap on open connections: the soft RLIMIT_NOFILE, less an eighth of it and
 * GZ_PPROF_SERVER_FD_RESERVE (at least 16): read now, so a raised limit raises it. */
guint          gz_pprof_server_default_max_connections (void);
void           gz_pprof_server_set_max_in_flight       (GzPprofServer *self,
                                                        guint          max_in_flight);
/* 0: the default, gz_pprof_server_default_max_connections () when set. */
void           gz_pprof_server_set_max_connections     (GzPprofServer *self,
                                                        guint          max_connections);
void           gz_pprof_server_set_read_header_timeout (GzPprofServer *self,
                                                        guint          msec);
void           gz_pprof_server_set_idle_timeout        (GzPprofServer *self,
                                                        guint          msec);
guint          gz_pprof_server_get_n_in_flight         (GzPprofServer *self);
/* Open connections: with a request in flight, sending one, or idle between two. */
guint          gz_pprof_server_get_n_connections       (GzPprofServer *self);

/* Observing: the signal "request-finished" (const char *method, const char *path, guint status,
 * gint64 duration_us) is emitted on the server's context when a request that passed the early
 * checks has been answered or aborted (recent requests in the app). */

/* Graceful shutdown: stops accepting, ends the requests in flight early (a CPU or delta profile
 * is cut short and sent with what it has), waits for their responses to be written (at most
 * a few seconds), then closes every connection. */
void           gz_pprof_server_shutdown_async  (GzPprofServer      *self,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean       gz_pprof_server_shutdown_finish (GzPprofServer      *self,
                                                GAsyncResult       *result,
                                                GError            **error);

G_END_DECLS
