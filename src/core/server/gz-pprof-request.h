/* gz-pprof-request.h: a request of the pprof server paused while its work runs on a worker
 * thread (GTask) or waits out `seconds` on a timer, then answered on the main loop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "gz-pprof-server.h"
#include "gz-profile.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

typedef struct _GzPprofRequest GzPprofRequest;
typedef void (*GzPprofRequestStep) (GzPprofRequest *request);

struct _GzPprofRequest
{
  GzPprofServer     *server;
  SoupServerMessage *msg;
  const char        *name;        /* the profile's name: "heap", "allocs", ... */
  GzProfileType      type;
  int                debug;
  gint64             seconds;
  GzProfiler        *profiler;    /* cpu: running */
  GzProfile         *start;       /* delta: the first snapshot */
  GBytes            *body;        /* symbol: the addresses */
  gint64             received;    /* monotonic */

  /* Private to gz-pprof-request.c. */
  GzPprofRequestStep work;        /* in a worker thread */
  GzPprofRequestStep then;        /* on the main loop, after work */
  guint              timeout_id;
  gboolean           hurry;       /* shutting down: end early */

  /* The response, filled by work. */
  guint              status;
  const char        *content_type; /* NULL: an error, plain text with X-Go-Pprof */
  char              *filename;     /* attachment name, or NULL */
  GBytes            *response;
};

/* Pauses @msg until the request is answered. */
GzPprofRequest *gz_pprof_request_new         (GzPprofServer      *server,
                                              SoupServerMessage  *msg);
/* Runs @work on a worker thread, then @then (NULL: respond) on the main loop. */
void            gz_pprof_request_run         (GzPprofRequest     *request,
                                              GzPprofRequestStep  work,
                                              GzPprofRequestStep  then);
/* Calls @callback after `seconds` on the main loop, at once when shutting down. */
void            gz_pprof_request_wait        (GzPprofRequest     *request,
                                              GSourceFunc         callback);
/* Shutting down: a timer still waiting fires now. */
void            gz_pprof_request_hurry       (GzPprofRequest     *request);
/* Writes the response, unpauses the message and frees @request. */
void            gz_pprof_request_respond     (GzPprofRequest     *request);

void            gz_pprof_request_set_error   (GzPprofRequest     *request,
                                              guint               status,
                                              const char         *text);
/* Takes @body. */
void            gz_pprof_request_set_body    (GzPprofRequest     *request,
                                              const char         *content_type,
                                              GBytes             *body);
/* @profile encoded (or as debug=1 text), or, when NULL, the error that kept it from being
 * taken. */
void            gz_pprof_request_set_profile (GzPprofRequest     *request,
                                              GzProfile          *profile,
                                              const char         *filename,
                                              GError             *error);

/* Immediate answers, on the main loop. */
void            gz_pprof_serve_bytes         (SoupServerMessage  *msg,
                                              guint               status,
                                              const char         *content_type,
                                              const char         *filename,
                                              GBytes             *body);
/* Go's serveError: a real status, plain text, X-Go-Pprof: 1 so that `go tool pprof` shows
 * the message instead of trying to parse it. */
void            gz_pprof_serve_error         (SoupServerMessage  *msg,
                                              guint               status,
                                              const char         *text);

G_END_DECLS
