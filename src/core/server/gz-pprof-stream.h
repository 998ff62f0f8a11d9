/* gz-pprof-stream.h: a connection as libsoup reads it, with the request line and headers
 * bounded: too long, the client gets 414 or 431 (libsoup 3.2 would just close at 64 KiB). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GZ_PPROF_STREAM_MAX_REQUEST_LINE 8192         /* beyond: 414 URI Too Long */
#define GZ_PPROF_STREAM_MAX_HEADER_BYTES (32 * 1024)  /* beyond: 431 */

#define GZ_TYPE_PPROF_STREAM (gz_pprof_stream_get_type ())
G_DECLARE_FINAL_TYPE (GzPprofStream, gz_pprof_stream, GZ, PPROF_STREAM, GIOStream)

/* Wraps @connection; closing the stream closes @connection. */
GzPprofStream *gz_pprof_stream_new (GSocketConnection *connection);

G_END_DECLS
