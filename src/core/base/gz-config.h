/* gz-config.h: every option, from (in order of precedence) a command-line flag, an environment
 * variable GZ_PROFILE_*, a GKeyFile ($XDG_CONFIG_HOME/gz/profile.ini or --config FILE), or the
 * default; each value remembers where it came from. Shared by gz-cli and the app. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GZ_CONFIG_ERROR (gz_config_error_quark ())
GQuark gz_config_error_quark (void);

typedef enum
{
  GZ_CONFIG_ERROR_PARSE,   /* malformed file: names file and line */
  GZ_CONFIG_ERROR_VALUE,   /* a bad value: names file/variable/flag and key */
  GZ_CONFIG_ERROR_UNKNOWN, /* an unknown key */
} GzConfigError;

typedef enum
{
  GZ_CONFIG_SOURCE_DEFAULT,
  GZ_CONFIG_SOURCE_FILE,
  GZ_CONFIG_SOURCE_ENV,
  GZ_CONFIG_SOURCE_FLAG,
} GzConfigSource;

#define GZ_TYPE_CONFIG (gz_config_get_type ())
G_DECLARE_FINAL_TYPE (GzConfig, gz_config, GZ, CONFIG, GObject)

/* Keys (file key in group [profile]; env var is GZ_PROFILE_ + upper-case key with '-' -> '_'):
 *   output-dir (tmp/profiles), duration (30s), cpu-hz (100), memory-rate (131072 bytes),
 *   block-rate (10000 ns), mutex-fraction (5), port (6060), bind (127.0.0.1), auto-profile
 *   (false), auto-profile-interval (5m), auto-profile-duration (30s), keep (50), token-file (""),
 *   results-dir ($XDG_DATA_HOME/gz/results). */

/* Defaults, then @path (NULL: $XDG_CONFIG_HOME/gz/profile.ini; a missing default file is fine,
 * a missing named file is an error), then the environment. */
GzConfig      *gz_config_new             (const char     *path,
                                          GError        **error);
/* The same, read on a worker thread (nothing of it on the caller's main loop). */
void           gz_config_new_async       (const char          *path,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GzConfig      *gz_config_new_finish      (GAsyncResult   *result,
                                          GError        **error);
/* The keys in display order, NULL-terminated. */
const char * const *gz_config_list_keys  (void);
/* One line saying what @key does, for `gz-cli profile config` and the app. */
const char    *gz_config_get_key_help    (const char     *key);
/* "GZ_PROFILE_CPU_HZ" for "cpu-hz". Free with g_free. */
char          *gz_config_env_name        (const char     *key);
const char    *gz_config_get_path        (GzConfig       *self);
/* Sets from a command-line flag; validates @value for @key. */
gboolean       gz_config_set_flag        (GzConfig       *self,
                                          const char     *key,
                                          const char     *value,
                                          GError        **error);
const char    *gz_config_get_string      (GzConfig       *self,
                                          const char     *key);
gint64         gz_config_get_int         (GzConfig       *self,
                                          const char     *key);
gboolean       gz_config_get_boolean     (GzConfig       *self,
                                          const char     *key);
/* Durations in nanoseconds. */
gint64         gz_config_get_duration    (GzConfig       *self,
                                          const char     *key);
GzConfigSource gz_config_get_source      (GzConfig       *self,
                                          const char     *key);
/* "default", "file /path:line", "env GZ_PROFILE_X", "flag --x". Free with g_free. */
char          *gz_config_describe_source (GzConfig       *self,
                                          const char     *key);
/* Writes @key = @value to the file (the app edits the same file), atomically. */
gboolean       gz_config_save_value      (GzConfig       *self,
                                          const char     *key,
                                          const char     *value,
                                          GError        **error);
/* The same, the file read and written on a worker; @value is checked at once (a bad one fails
 * without touching the file). @self's value changes when _finish returns TRUE. Saves in one
 * process are serialized, so none loses another's key. */
void           gz_config_save_value_async  (GzConfig            *self,
                                            const char          *key,
                                            const char          *value,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean       gz_config_save_value_finish (GzConfig       *self,
                                            GAsyncResult   *result,
                                            GError        **error);

G_END_DECLS
