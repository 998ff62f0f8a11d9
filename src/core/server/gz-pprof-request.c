/* gz-pprof-request.c: the pprof server's paused requests: work on a worker thread or a timer,
 * then the response on the main loop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-pprof-request.h"
#include "gz-pprof-server-private.h"
#include "gz-pprof-text.h"

void
gz_pprof_serve_bytes (SoupServerMessage *msg,
                      guint              status,
                      const char        *content_type,
                      const char        *filename,
                      GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (filename != NULL)
    {
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s\"", filename);

      soup_message_headers_replace (headers, "Content-Disposition", disposition);
    }
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_server_message_set_status (msg, status, NULL);
  /* The bytes themselves, not a copy. */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

void
gz_pprof_serve_error (SoupServerMessage *msg,
                      guint              status,
                      const char        *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *line = g_strconcat (text, "\n", NULL);
  g_autoptr(GBytes) body = g_bytes_new_take (line, strlen (line));

  soup_message_headers_replace (headers, "X-Go-Pprof", "1");
  soup_message_headers_remove (headers, "Content-Disposition");
  gz_pprof_serve_bytes (msg, status, "text/plain; charset=utf-8", NULL, body);
}

void
gz_pprof_request_set_error (GzPprofRequest *request,
                            guint           status,
                            const char     *text)
{
  request->status = status;
  request->content_type = NULL;
  g_clear_pointer (&request->filename, g_free);
  g_clear_pointer (&request->response, g_bytes_unref);
  request->response = g_bytes_new (text, strlen (text));
}

void
gz_pprof_request_set_body (GzPprofRequest *request,
                           const char     *content_type,
                           GBytes         *body)
{
  request->status = SOUP_STATUS_OK;
  request->content_type = content_type;
  g_clear_pointer (&request->response, g_bytes_unref);
  request->response = body;
}

void
gz_pprof_request_set_profile (GzPprofRequest *request,
                              GzProfile      *profile,
                              const char     *filename,
                              GError         *error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  if (profile == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not take the %s profile: %s",
                                               request->name, error->message);

      /* A build without that profiler (no allocation wrappers) is not a server fault. */
      gz_pprof_request_set_error (request,
                                  g_error_matches (error, GZ_PROFILE_ERROR,
                                                   GZ_PROFILE_ERROR_UNSUPPORTED)
                                    ? SOUP_STATUS_NOT_IMPLEMENTED
                                    : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                  text);
      return;
    }

  if (request->debug != 0)
    {
      char *text = gz_pprof_text_format (profile, request->name);

      gz_pprof_request_set_body (request, "text/plain; charset=utf-8",
                                 g_bytes_new_take (text, strlen (text)));
      return;
    }

  bytes = gz_profile_encode (profile, &local_error);
  if (bytes == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not encode the %s profile: %s",
                                               request->name, local_error->message);

      gz_pprof_request_set_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
      return;
    }
  gz_pprof_request_set_body (request, "application/octet-stream", bytes);
  g_free (request->filename);
  request->filename = g_strdup (filename);
}

GzPprofRequest *
gz_pprof_request_new (GzPprofServer     *server,
                      SoupServerMessage *msg)
{
  GzPprofRequest *request = g_new0 (GzPprofRequest, 1);

  request->server = g_object_ref (server);
  request->msg = g_object_ref (msg);
  request->received = g_get_monotonic_time ();
  soup_server_message_pause (msg);
  gz_pprof_server_add_pending (server, request);
  return request;
}

static void
request_free (GzPprofRequest *request)
{
  if (request->timeout_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (),
                                                          request->timeout_id);

      if (source != NULL)
        g_source_destroy (source);
      request->timeout_id = 0;
    }
  g_clear_object (&request->profiler);
  g_clear_pointer (&request->start, gz_profile_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->response, g_bytes_unref);
  g_free (request->filename);
  g_object_unref (request->msg);
  g_object_unref (request->server);
  g_free (request);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GzPprofRequest *request = task_data;

  request->work (request);
  g_task_return_boolean (task, TRUE);
}

static void
request_thread_done (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GzPprofRequest *request = user_data;
  GzPprofRequestStep then = request->then;

  request->then = NULL;
  if (then != NULL)
    then (request);
  else
    gz_pprof_request_respond (request);
}

/* The task has no source object: GTask may drop its last reference on the worker thread, and
 * the server (and its SoupServer, which is not thread-safe) must only ever be disposed on the
 * main loop. The request holds the server, and requests are freed on the main loop. */
void
gz_pprof_request_run (GzPprofRequest     *request,
                      GzPprofRequestStep  work,
                      GzPprofRequestStep  then)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, request_thread_done, request);

  request->work = work;
  request->then = then;
  g_task_set_source_tag (task, gz_pprof_request_run);
  g_task_set_task_data (task, request, NULL);
  g_task_run_in_thread (task, request_thread);
}

void
gz_pprof_request_respond (GzPprofRequest *request)
{
  GzPprofServer *server = request->server;

  if (request->content_type == NULL)
    {
      gsize length = 0;
      const char *data = request->response != NULL
        ? g_bytes_get_data (request->response, &length) : NULL;
      g_autofree char *text = g_strndup (data != NULL ? data : "", length);

      gz_pprof_serve_error (request->msg, request->status, text);
    }
  else
    gz_pprof_serve_bytes (request->msg, request->status, request->content_type,
                          request->filename, request->response);
  soup_server_message_unpause (request->msg);

  /* The request may hold the last reference to the server: free it last. */
  g_object_ref (server);
  gz_pprof_server_remove_pending (server, request);
  request_free (request);
  g_object_unref (server);
}

void
gz_pprof_request_wait (GzPprofRequest *request,
                       GSourceFunc     callback)
{
  GSource *source;

  if (request->hurry)
    {
      callback (request);
      return;
    }
  /* On the server's thread-default context. */
  source = g_timeout_source_new ((guint) (request->seconds * 1000));
  g_source_set_callback (source, callback, request, NULL);
  request->timeout_id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

void
gz_pprof_request_hurry (GzPprofRequest *request)
{
  request->hurry = TRUE;
  if (request->timeout_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (),
                                                          request->timeout_id);

      g_source_set_ready_time (source, 0);
    }
}
