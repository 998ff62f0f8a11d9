/* gz-pprof-stream.c: the stream libsoup reads a connection through. It follows the requests'
 * framing (request line, headers, a Content-Length body) and answers 414 or 431 itself when a
 * request line or its headers are too long, before libsoup's own limit closes the connection
 * without a word. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-pprof-stream.h"

/* The input side: passes bytes through, watching the framing. */

#define GZ_TYPE_PPROF_LIMIT_INPUT (gz_pprof_limit_input_get_type ())
G_DECLARE_FINAL_TYPE (GzPprofLimitInput, gz_pprof_limit_input, GZ, PPROF_LIMIT_INPUT,
                      GFilterInputStream)

typedef enum
{
  FRAME_REQUEST_LINE,
  FRAME_HEADERS,
  FRAME_BODY,
  FRAME_UNKNOWN,     /* a body without a length: libsoup refuses it and closes */
  FRAME_REFUSED,
} Frame;

struct _GzPprofLimitInput
{
  GFilterInputStream parent_instance;

  GOutputStream     *output;       /* for the refusal */
  Frame              frame;
  gsize              line_length;  /* of the current line */
  gsize              header_bytes; /* of the current request, request line included */
  guint64            body_left;
  gint64             content_length; /* -1: none seen; -2: chunked */
  char               line[64];     /* the start of the current header line */
};

static void gz_pprof_limit_input_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GzPprofLimitInput, gz_pprof_limit_input,
                               G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      gz_pprof_limit_input_pollable_iface_init))

static void
end_of_line (GzPprofLimitInput *self)
{
  if (self->frame == FRAME_REQUEST_LINE)
    {
      if (self->line_length > 0)
        self->frame = FRAME_HEADERS;
    }
  else if (self->line_length == 0)
    {
      /* The empty line: the headers end. */
      self->header_bytes = 0;
      if (self->content_length == -2)
        self->frame = FRAME_UNKNOWN;
      else if (self->content_length > 0)
        {
          self->body_left = (guint64) self->content_length;
          self->frame = FRAME_BODY;
        }
      else
        self->frame = FRAME_REQUEST_LINE;
      self->content_length = -1;
    }
  else
    {
      gsize n = MIN (self->line_length, sizeof self->line - 1);

      self->line[n] = '\0';
      if (g_ascii_strncasecmp (self->line, "Content-Length:", 15) == 0)
        self->content_length = g_ascii_strtoll (self->line + 15, NULL, 10);
      else if (g_ascii_strncasecmp (self->line, "Transfer-Encoding:", 18) == 0)
        self->content_length = -2;
    }
  self->line_length = 0;
}

/* Follows @n bytes; returns the status to refuse the request with, or 0. */
static guint
scan (GzPprofLimitInput *self,
      const guint8      *data,
      gsize              n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint8 c = data[i];

      switch (self->frame)
        {
        case FRAME_BODY:
          {
            gsize skip = (gsize) MIN ((guint64) (n - i), self->body_left);

            self->body_left -= skip;
            i += skip - 1;
            if (self->body_left == 0)
              self->frame = FRAME_REQUEST_LINE;
          }
          break;
        case FRAME_REQUEST_LINE:
        case FRAME_HEADERS:
          self->header_bytes++;
          if (c == '\n')
            end_of_line (self);
          else if (c != '\r')
            {
              if (self->line_length < sizeof self->line)
                self->line[self->line_length] = (char) c;
              self->line_length++;
            }
          if (self->frame == FRAME_REQUEST_LINE &&
              self->line_length > GZ_PPROF_STREAM_MAX_REQUEST_LINE)
            return 414;
          if (self->header_bytes > GZ_PPROF_STREAM_MAX_HEADER_BYTES)
            return self->frame == FRAME_REQUEST_LINE ? 414 : 431;
          break;
        case FRAME_UNKNOWN:
        case FRAME_REFUSED:
          return 0;
        }
    }
  return 0;
}

/* Go's words for these (net/http), plain text, and the connection ends. */
static void
refuse (GzPprofLimitInput  *self,
        guint               status,
        GError            **error)
{
  const char *reason = status == 414 ? "URI Too Long" : "Request Header Fields Too Large";
  g_autofree char *body = status == 414
    ? g_strdup_printf ("414 URI Too Long: the request line is over %d bytes\n",
                       GZ_PPROF_STREAM_MAX_REQUEST_LINE)
    : g_strdup_printf ("431 Request Header Fields Too Large: the headers are over %d bytes\n",
                       GZ_PPROF_STREAM_MAX_HEADER_BYTES);
  g_autofree char *response =
    g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "X-Go-Pprof: 1\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                     status, reason, strlen (body), body);

  self->frame = FRAME_REFUSED;
  g_output_stream_write_all (self->output, response, strlen (response), NULL, NULL, NULL);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "request refused with %u",
               status);
}

static gssize
after_read (GzPprofLimitInput  *self,
            void               *buffer,
            gssize              n,
            GError            **error)
{
  guint status;

  if (n <= 0)
    return n;
  status = scan (self, buffer, (gsize) n);
  if (status == 0)
    return n;
  refuse (self, status, error);
  return -1;
}

static gssize
limit_read (GInputStream  *stream,
            void          *buffer,
            gsize          count,
            GCancellable  *cancellable,
            GError       **error)
{
  GzPprofLimitInput *self = GZ_PPROF_LIMIT_INPUT (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  if (self->frame == FRAME_REFUSED)
    return 0;
  return after_read (self, buffer, g_input_stream_read (base, buffer, count, cancellable, error),
                     error);
}

static gssize
limit_read_nonblocking (GPollableInputStream  *stream,
                        void                  *buffer,
                        gsize                  count,
                        GError               **error)
{
  GzPprofLimitInput *self = GZ_PPROF_LIMIT_INPUT (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  if (self->frame == FRAME_REFUSED)
    return 0;
  return after_read (self, buffer,
                     g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base),
                                                               buffer, count, NULL, error),
                     error);
}

static gboolean
limit_can_poll (GPollableInputStream *stream)
{
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  return G_IS_POLLABLE_INPUT_STREAM (base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
limit_is_readable (GPollableInputStream *stream)
{
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base));
}

static GSource *
limit_create_source (GPollableInputStream *stream,
                     GCancellable         *cancellable)
{
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  g_autoptr(GSource) base_source =
    g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base), cancellable);

  /* Dispatched with this stream, not the base one. */
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static void
gz_pprof_limit_input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = limit_can_poll;
  iface->is_readable = limit_is_readable;
  iface->create_source = limit_create_source;
  iface->read_nonblocking = limit_read_nonblocking;
}

static void
gz_pprof_limit_input_finalize (GObject *object)
{
  GzPprofLimitInput *self = GZ_PPROF_LIMIT_INPUT (object);

  g_clear_object (&self->output);
  G_OBJECT_CLASS (gz_pprof_limit_input_parent_class)->finalize (object);
}

static void
gz_pprof_limit_input_class_init (GzPprofLimitInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_pprof_limit_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = limit_read;
}

static void
gz_pprof_limit_input_init (GzPprofLimitInput *self)
{
  self->content_length = -1;
}

/* The stream. */

struct _GzPprofStream
{
  GIOStream          parent_instance;

  GSocketConnection *connection;
  GInputStream      *input;
};

G_DEFINE_FINAL_TYPE (GzPprofStream, gz_pprof_stream, G_TYPE_IO_STREAM)

static GInputStream *
stream_get_input (GIOStream *stream)
{
  return GZ_PPROF_STREAM (stream)->input;
}

static GOutputStream *
stream_get_output (GIOStream *stream)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (GZ_PPROF_STREAM (stream)->connection));
}

static gboolean
stream_close (GIOStream     *stream,
              GCancellable  *cancellable,
              GError       **error)
{
  return g_io_stream_close (G_IO_STREAM (GZ_PPROF_STREAM (stream)->connection), cancellable,
                            error);
}

static void
gz_pprof_stream_finalize (GObject *object)
{
  GzPprofStream *self = GZ_PPROF_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (gz_pprof_stream_parent_class)->finalize (object);
}

static void
gz_pprof_stream_class_init (GzPprofStreamClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = gz_pprof_stream_finalize;
  stream_class->get_input_stream = stream_get_input;
  stream_class->get_output_stream = stream_get_output;
  stream_class->close_fn = stream_close;
}

static void
gz_pprof_stream_init (GzPprofStream *self)
{
}

GzPprofStream *
gz_pprof_stream_new (GSocketConnection *connection)
{
  GzPprofStream *self = g_object_new (GZ_TYPE_PPROF_STREAM, NULL);
  GzPprofLimitInput *input;

  self->connection = g_object_ref (connection);
  input = g_object_new (GZ_TYPE_PPROF_LIMIT_INPUT,
                        "base-stream", g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                        "close-base-stream", FALSE, NULL);
  input->output = g_object_ref (g_io_stream_get_output_stream (G_IO_STREAM (connection)));
  self->input = G_INPUT_STREAM (input);
  return self;
}
