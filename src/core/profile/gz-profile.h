/* gz-profile.h: the one profile model (pprof's profile.proto in GLib terms), and the encoder,
 * the atomic writer (also async), the decoder and the validator that read and write it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GZ_PROFILE_ERROR (gz_profile_error_quark ())

typedef enum
{
  GZ_PROFILE_ERROR_CORRUPT,     /* not a (gzipped) profile.proto */
  GZ_PROFILE_ERROR_INVALID,     /* decodes, but breaks a rule that pprof or an engine enforces */
  GZ_PROFILE_ERROR_UNSUPPORTED, /* this build or platform cannot take that profile */
  GZ_PROFILE_ERROR_FAILED,
  GZ_PROFILE_ERROR_TOO_LARGE,   /* over a size cap or the memory bound (gz-profile-limits.h) */
  GZ_PROFILE_ERROR_NOT_REGULAR, /* a FIFO, device, socket or directory, not a regular file */
} GzProfileError;

GQuark gz_profile_error_quark (void);

typedef enum
{
  GZ_PROFILE_TYPE_CPU,
  GZ_PROFILE_TYPE_MEMORY,
  GZ_PROFILE_TYPE_GOROUTINE, /* a C program's unit is the thread; "threads" is an alias */
  GZ_PROFILE_TYPE_BLOCK,
  GZ_PROFILE_TYPE_MUTEX,
  GZ_PROFILE_TYPE_THREADCREATE,
  GZ_PROFILE_TYPE_N,
} GzProfileType;

const char *gz_profile_type_to_string   (GzProfileType  type);
gboolean    gz_profile_type_from_string (const char    *name,
                                         GzProfileType *type);
/* "cpu, memory, goroutine, block, mutex, threadcreate": for error messages. */
const char *gz_profile_type_names       (void);

/* The model. Strings are owned; the encoder builds the string table. Ids are 1..N, in table
 * order: mappings->pdata[i]->id == i + 1, and likewise for locations and functions. */
typedef struct
{
  char *type;
  char *unit;
} GzValueType;

typedef struct
{
  guint64  id;
  guint64  memory_start;
  guint64  memory_limit;
  guint64  file_offset;
  char    *filename;
  char    *build_id;
  gboolean has_functions;
  gboolean has_filenames;
  gboolean has_line_numbers;
  gboolean has_inline_frames;
} GzMapping;

typedef struct
{
  guint64 id;
  char   *name;
  char   *system_name;
  char   *filename;
  gint64  start_line;
} GzFunction;

typedef struct
{
  guint64 function_id;
  gint64  line;
} GzLine;

typedef struct
{
  guint64 id;
  guint64 mapping_id; /* 0 when unknown */
  guint64 address;
  GArray *lines;      /* GzLine, innermost (inlined) first */
  gboolean is_folded;
} GzLocation;

typedef struct
{
  char  *key;
  char  *str;      /* NULL for a numeric label */
  gint64 num;
  char  *num_unit; /* may be NULL */
} GzLabel;

typedef struct
{
  GArray *location_ids; /* guint64, leaf first */
  GArray *values;       /* gint64, one per sample type */
  GArray *labels;       /* GzLabel */
} GzSample;

typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  GPtrArray  *sample_types; /* GzValueType */
  GPtrArray  *samples;      /* GzSample */
  GPtrArray  *mappings;     /* GzMapping */
  GPtrArray  *locations;    /* GzLocation */
  GPtrArray  *functions;    /* GzFunction */
  GPtrArray  *comments;     /* char * */
  char       *drop_frames;
  char       *keep_frames;
  gint64      time_nanos;
  gint64      duration_nanos;
  GzValueType period_type;
  gint64      period;
  char       *default_sample_type;
} GzProfile;

/* Constructors and free functions for the parts; every pointer array of a GzProfile frees
 * its elements with these. */
GzValueType *gz_value_type_new            (const char   *type,
                                           const char   *unit);
void         gz_value_type_free           (GzValueType  *self);
GzMapping   *gz_mapping_new               (void);
void         gz_mapping_free              (GzMapping    *self);
GzFunction  *gz_function_new              (void);
void         gz_function_free             (GzFunction   *self);
GzLocation  *gz_location_new              (void); /* with an empty lines array */
void         gz_location_free             (GzLocation   *self);
GzSample    *gz_sample_new                (void); /* with empty arrays */
void         gz_sample_free               (GzSample     *self);
/* Frees the strings of a label (the clear function of GzSample.labels). */
void         gz_label_clear               (GzLabel      *self);
/* Deep copy of @src into @dest. */
void         gz_label_copy                (const GzLabel *src,
                                           GzLabel       *dest);

GType       gz_profile_get_type           (void) G_GNUC_CONST;
GzProfile  *gz_profile_new                (void);
GzProfile  *gz_profile_ref                (GzProfile    *self);
void        gz_profile_unref              (GzProfile    *self);

/* Lookups by id (NULL when out of range); ids are 1..N so these are array indexing. */
GzLocation *gz_profile_get_location       (GzProfile    *self,
                                           guint64       id);
GzFunction *gz_profile_get_function       (GzProfile    *self,
                                           guint64       id);
GzMapping  *gz_profile_get_mapping        (GzProfile    *self,
                                           guint64       id);
/* Index of the sample type named @type, or -1. */
int         gz_profile_find_sample_type   (GzProfile    *self,
                                           const char   *type);
/* Sum of sample values at @index. */
gint64      gz_profile_total              (GzProfile    *self,
                                           guint         index);

/* Encoding: gzip-compressed profile.proto. The profile is validated first. */
GBytes     *gz_profile_encode             (GzProfile    *self,
                                           GError      **error);
/* Atomic: a temporary file in the same directory, then rename. */
gboolean    gz_profile_write_file         (GzProfile    *self,
                                           const char   *path,
                                           GError      **error);
/* The same on a worker thread: encoding and writing leave the calling thread free. The task
 * holds a reference to @self, which must not change until @callback runs. Cancelled before the
 * worker begins: G_IO_ERROR_CANCELLED, nothing written (a write, once begun, completes). */
void        gz_profile_write_file_async   (GzProfile          *self,
                                           const char         *path,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean    gz_profile_write_file_finish  (GzProfile          *self,
                                           GAsyncResult       *result,
                                           GError            **error);
/* Decoding: gzip-compressed or raw profile.proto, as Go and gz write it, or gperftools' legacy
 * CPU profile (gz-profile-legacy.h). */
GzProfile  *gz_profile_decode             (GBytes       *bytes,
                                           GError      **error);
/* Only a regular file is read (a FIFO, a device, a socket or a directory is refused at once,
 * without blocking), only up to GZ_PROFILE_MAX_FILE_SIZE (gz-profile-limits.h). */
GzProfile  *gz_profile_read_file          (const char   *path,
                                           GError      **error);
/* The same for a GFile (a local one is read as above; others through GIO, with the same
 * checks). Blocking: call it on a worker. */
GzProfile  *gz_profile_read_gfile         (GFile        *file,
                                           GCancellable *cancellable,
                                           GError      **error);
/* The rules pprof and continuous-profiling engines apply: ids 1..N in table order, every
 * reference resolves, every sample has one value per sample type, ... */
gboolean    gz_profile_validate           (GzProfile    *self,
                                           GError      **error);

typedef enum
{
  GZ_PROFILE_VALIDATE_DEFAULT = 0,
  /* Accept samples without locations: Go's threadcreate profiles have them. The decoder
   * validates with this; everything gz writes has a stack per sample. */
  GZ_PROFILE_VALIDATE_ALLOW_EMPTY_STACKS = 1 << 0,
} GzProfileValidateFlags;

gboolean    gz_profile_validate_with_flags (GzProfile             *self,
                                            GzProfileValidateFlags flags,
                                            GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzProfile, gz_profile_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzValueType, gz_value_type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzMapping, gz_mapping_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzFunction, gz_function_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzLocation, gz_location_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSample, gz_sample_free)

G_END_DECLS
