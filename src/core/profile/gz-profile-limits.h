/* gz-profile-limits.h: how much outside input a profile may be and how much memory decoding it
 * may take: the file and decompressed size caps (GZ_PROFILE_MAX_FILE_SIZE,
 * GZ_PROFILE_MAX_DECOMPRESSED_SIZE) and the memory bound (32 times the decompressed size), checked
 * on the wire format before anything is allocated for it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Defaults of the caps; a variable set to a size ("512M", "2G", "1048576") replaces them. */
#define GZ_PROFILE_DEFAULT_MAX_FILE_SIZE         ((guint64) 512 << 20)
#define GZ_PROFILE_DEFAULT_MAX_DECOMPRESSED_SIZE ((guint64) 1 << 30)
/* Decoding a profile of S decompressed bytes may take GZ_PROFILE_MEMORY_FACTOR * S plus
 * GZ_PROFILE_MEMORY_SLACK bytes (small profiles: tables, hash maps, the first allocations). */
#define GZ_PROFILE_MEMORY_FACTOR                 32
#define GZ_PROFILE_MEMORY_SLACK                  ((guint64) 16 << 20)

/* The caps in effect; FALSE with GZ_PROFILE_ERROR_FAILED when the variable is not a size. */
gboolean gz_profile_limits_max_file_size         (guint64      *out,
                                                  GError      **error);
gboolean gz_profile_limits_max_decompressed_size (guint64      *out,
                                                  GError      **error);

/* The memory decoding a profile.proto message of @len bytes will take (protobuf-c's structures
 * and the model's), from a scan of its wire format that allocates nothing; strings copied into
 * the model are counted as the decoder copies them (gz_profile_limits_charge). FALSE with
 * GZ_PROFILE_ERROR_CORRUPT when the wire format is broken, GZ_PROFILE_ERROR_TOO_LARGE when the
 * estimate is over the bound; otherwise *budget_left is what is left of the bound. */
gboolean gz_profile_limits_check_message (const guint8 *data,
                                          gsize         len,
                                          guint64      *budget_left,
                                          GError      **error);
/* The same check for an estimate made elsewhere (the legacy decoder). */
gboolean gz_profile_limits_check_estimate (guint64      estimate,
                                           gsize         len,
                                           const char   *what,
                                           GError      **error);
/* The top-level messages of a profile.proto message fed in pieces (the output of inflate, as it
 * comes): a lower bound of what decoding it will take, before the whole of it is kept. */
typedef struct
{
  /*< private >*/
  guint   state;
  guint   shift;
  guint64 value;
  guint64 key;
  guint64 skip;
  guint64 cost;
  guint64 count[8];
} GzProfileWireCounter;

void     gz_profile_wire_counter_feed     (GzProfileWireCounter *self,
                                           const guint8         *data,
                                           gsize                 len);
/* FALSE with GZ_PROFILE_ERROR_TOO_LARGE when what was fed, @len bytes in all, is over the
 * bound already. */
gboolean gz_profile_wire_counter_check    (GzProfileWireCounter *self,
                                           gsize                 len,
                                           GError              **error);

/* One allocation of @size bytes (with malloc's overhead), for estimates. */
guint64  gz_profile_limits_alloc_cost     (guint64      size);

G_END_DECLS
