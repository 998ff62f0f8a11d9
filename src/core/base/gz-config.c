/* gz-config.c: options from flags, GZ_PROFILE_* variables, profile.ini and defaults. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gz-config.h"
#include "gz-duration.h"

G_DEFINE_QUARK (gz-config-error-quark, gz_config_error)

#define GROUP "profile"

typedef enum
{
  KIND_PATH,     /* a file or directory; "~/" is the home directory */
  KIND_STRING,
  KIND_INT,
  KIND_BOOLEAN,
  KIND_DURATION,
} KeyKind;

typedef struct
{
  const char *name;
  KeyKind     kind;
  const char *default_value; /* NULL: computed (results-dir) */
  gint64      min;
  gint64      max;
  gboolean    may_be_empty;
  const char *example;
  const char *help;
} KeyInfo;

static const KeyInfo keys[] = {
  { "output-dir", KIND_PATH, "tmp/profiles", 0, 0, FALSE, "tmp/profiles",
    "directory profiles are written to" },
  { "duration", KIND_DURATION, "30s", 0, 0, FALSE, "30s",
    "length of a cpu session (Go duration syntax)" },
  /* At most 250: the kernel's profiling timer fires at most about 250 times a second here
   * (measured: 500 and 1000 Hz both give ~250 samples per CPU second), so a higher rate would
   * give profiles that claim too little CPU time. */
  { "cpu-hz", KIND_INT, "100", 1, 250, FALSE, "100",
    "CPU profile sampling frequency in Hz, at most 250 (fixed when the CPU profiler first "
    "loads in a process)" },
  { "memory-rate", KIND_INT, "131072", 0, G_GINT64_CONSTANT (1) << 30, FALSE, "131072",
    "mean bytes allocated between memory samples (0 turns sampling off)" },
  { "block-rate", KIND_INT, "10000", 0, G_GINT64_CONSTANT (1000000000000), FALSE, "10000",
    "sample one blocking event per this many nanoseconds blocked (0 off, 1 all)" },
  { "mutex-fraction", KIND_INT, "5", 0, 1000000, FALSE, "5",
    "sample 1 in this many mutex contentions (0 off, 1 all)" },
  { "port", KIND_INT, "6060", 1, 65535, FALSE, "6060",
    "TCP port of the pprof HTTP server" },
  { "bind", KIND_STRING, "127.0.0.1", 0, 0, FALSE, "127.0.0.1",
    "address the pprof HTTP server listens on" },
  { "auto-profile", KIND_BOOLEAN, "false", 0, 0, FALSE, "true",
    "take CPU profiles periodically" },
  { "auto-profile-interval", KIND_DURATION, "5m", 0, 0, FALSE, "5m",
    "time between automatic profiles" },
  { "auto-profile-duration", KIND_DURATION, "30s", 0, 0, FALSE, "30s",
    "length of each automatic profile" },
  { "keep", KIND_INT, "50", 0, 1000000, FALSE, "50",
    "automatic profiles kept before the oldest are deleted (0 keeps all)" },
  { "token-file", KIND_PATH, "", 0, 0, TRUE, "~/.config/gz/token",
    "file holding the bearer token the server requires (empty: no token)" },
  { "results-dir", KIND_PATH, NULL, 0, 0, FALSE, "~/.local/share/gz/results",
    "directory benchmark results are stored in" },
};

#define N_KEYS G_N_ELEMENTS (keys)

typedef struct
{
  char          *value; /* normalized text */
  GzConfigSource source;
  char          *origin; /* file path, variable name or flag; NULL for the default */
  int            line;   /* for the file */
} Value;

struct _GzConfig
{
  GObject parent_instance;

  char   *path;
  Value   values[N_KEYS];
};

G_DEFINE_FINAL_TYPE (GzConfig, gz_config, G_TYPE_OBJECT)

static int
find_key (const char *key)
{
  for (guint i = 0; i < N_KEYS; i++)
    if (g_str_equal (keys[i].name, key))
      return (int) i;
  return -1;
}

static char *
key_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < N_KEYS; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", keys[i].name);
  return g_string_free (names, FALSE);
}

static gboolean
unknown_key (GError    **error,
             const char *where,
             const char *key)
{
  g_autofree char *names = key_names ();

  g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_UNKNOWN,
               "%s: unknown option \342\200\234%s\342\200\235; the options are %s",
               where, key, names);
  return FALSE;
}

char *
gz_config_env_name (const char *key)
{
  g_autofree char *upper = g_ascii_strup (key, -1);

  g_strdelimit (upper, "-", '_');
  return g_strconcat ("GZ_PROFILE_", upper, NULL);
}

/* Checks @text for @info; returns the normalized value or NULL with @error naming @where. */
static char *
validate (const KeyInfo *info,
          const char    *text,
          const char    *where,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                   "%s: %s is not valid UTF-8; e.g. %s = %s",
                   where, info->name, info->name, info->example);
      return NULL;
    }

  switch (info->kind)
    {
    case KIND_INT:
      {
        gint64 n;

        if (!g_ascii_string_to_signed (text, 10, info->min, info->max, &n, NULL))
          {
            g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                         "%s: %s \342\200\234%s\342\200\235 is not a whole number from %"
                         G_GINT64_FORMAT " to %" G_GINT64_FORMAT "; e.g. %s = %s",
                         where, info->name, text, info->min, info->max, info->name,
                         info->example);
            return NULL;
          }
        return g_strdup_printf ("%" G_GINT64_FORMAT, n);
      }

    case KIND_BOOLEAN:
      {
        static const char * const yes[] = { "true", "yes", "on", "1" };
        static const char * const no[] = { "false", "no", "off", "0" };

        for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
          {
            if (g_ascii_strcasecmp (text, yes[i]) == 0)
              return g_strdup ("true");
            if (g_ascii_strcasecmp (text, no[i]) == 0)
              return g_strdup ("false");
          }
        g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                     "%s: %s \342\200\234%s\342\200\235 is not a boolean; use true or false",
                     where, info->name, text);
        return NULL;
      }

    case KIND_DURATION:
      if (!gz_duration_parse (text, NULL, &local_error))
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE, "%s: %s: %s",
                       where, info->name, local_error->message);
          return NULL;
        }
      return g_strdup (text);

    case KIND_PATH:
    case KIND_STRING:
      if (*text == '\0' && !info->may_be_empty)
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                       "%s: %s must not be empty; e.g. %s = %s",
                       where, info->name, info->name, info->example);
          return NULL;
        }
      if (info->kind == KIND_STRING && strpbrk (text, " \t\n") != NULL)
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                       "%s: %s \342\200\234%s\342\200\235 must not contain spaces; e.g. %s = %s",
                       where, info->name, text, info->name, info->example);
          return NULL;
        }
      if (info->kind == KIND_PATH && g_str_has_prefix (text, "~/"))
        return g_build_filename (g_get_home_dir (), text + 2, NULL);
      return g_strdup (text);

    default:
      g_assert_not_reached ();
    }
}

static void
set_value (GzConfig      *self,
           int            index,
           char          *value, /* taken */
           GzConfigSource source,
           const char    *origin,
           int            line)
{
  Value *v = &self->values[index];

  g_free (v->value);
  g_free (v->origin);
  v->value = value;
  v->source = source;
  v->origin = g_strdup (origin);
  v->line = line;
}

static void
gz_config_finalize (GObject *object)
{
  GzConfig *self = GZ_CONFIG (object);

  for (guint i = 0; i < N_KEYS; i++)
    {
      g_free (self->values[i].value);
      g_free (self->values[i].origin);
    }
  g_free (self->path);

  G_OBJECT_CLASS (gz_config_parent_class)->finalize (object);
}

static void
gz_config_class_init (GzConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_config_finalize;
}

static void
gz_config_init (GzConfig *self)
{
  for (guint i = 0; i < N_KEYS; i++)
    {
      char *value = keys[i].default_value != NULL
        ? g_strdup (keys[i].default_value)
        : g_build_filename (g_get_user_data_dir (), "gz", "results", NULL);

      set_value (self, (int) i, value, GZ_CONFIG_SOURCE_DEFAULT, NULL, 0);
    }
}

/* Finds the line of each key in [profile] and rejects what GKeyFile would reject without a
 * line number, or would accept but we do not know. Fills @lines: key -> line. */
static gboolean
scan_lines (const char *path,
            const char *contents,
            GHashTable *lines,
            GError    **error)
{
  g_auto(GStrv) text_lines = g_strsplit (contents, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; text_lines[i] != NULL; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s:%u", path, i + 1);
      char *line = g_strstrip (text_lines[i]);
      const char *eq;

      if (*line == '\0' || *line == '#')
        continue;

      if (*line == '[')
        {
          if (line[strlen (line) - 1] != ']')
            {
              g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                           "%s: \342\200\234%s\342\200\235 is not a group header; write [" GROUP "]",
                           where, line);
              return FALSE;
            }
          g_free (group);
          group = g_strndup (line + 1, strlen (line) - 2);
          if (!g_str_equal (group, GROUP))
            {
              g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_UNKNOWN,
                           "%s: unknown group [%s]; options go in the group [" GROUP "]",
                           where, group);
              return FALSE;
            }
          continue;
        }

      eq = strchr (line, '=');
      if (eq == NULL)
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                       "%s: \342\200\234%s\342\200\235 is not \342\200\234key = value\342\200\235, "
                       "a [group] or a # comment; e.g. cpu-hz = 100",
                       where, line);
          return FALSE;
        }
      if (group == NULL)
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                       "%s: an option before any group; put [" GROUP "] on a line above it",
                       where);
          return FALSE;
        }

      {
        g_autofree char *key = g_strstrip (g_strndup (line, (gsize) (eq - line)));

        if (find_key (key) < 0)
          return unknown_key (error, where, key);
        g_hash_table_insert (lines, g_steal_pointer (&key), GUINT_TO_POINTER (i + 1));
      }
    }

  return TRUE;
}

static gboolean
load_file (GzConfig   *self,
           gboolean    must_exist,
           GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (!must_exist && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                   "cannot read the configuration file: %s; check the path given to --config",
                   local_error->message);
      return FALSE;
    }

  if (!scan_lines (self->path, contents, lines, error))
    return FALSE;

  if (!g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                   "%s: %s; see the [" GROUP "] example in the README",
                   self->path, local_error->message);
      return FALSE;
    }

  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *where = NULL;
      char *value;
      int line;

      if (!g_key_file_has_key (key_file, GROUP, keys[i].name, NULL))
        continue;

      line = GPOINTER_TO_INT (g_hash_table_lookup (lines, keys[i].name));
      where = g_strdup_printf ("%s:%d", self->path, line);
      text = g_key_file_get_string (key_file, GROUP, keys[i].name, &local_error);
      if (text == NULL)
        {
          g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE, "%s: %s: %s",
                       where, keys[i].name, local_error->message);
          return FALSE;
        }
      value = validate (&keys[i], text, where, error);
      if (value == NULL)
        return FALSE;
      set_value (self, (int) i, value, GZ_CONFIG_SOURCE_FILE, self->path, line);
    }

  return TRUE;
}

static gboolean
load_environment (GzConfig *self,
                  GError  **error)
{
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *name = gz_config_env_name (keys[i].name);
      g_autofree char *where = NULL;
      const char *text = g_getenv (name);
      char *value;

      if (text == NULL)
        continue;
      where = g_strdup_printf ("environment variable %s", name);
      value = validate (&keys[i], text, where, error);
      if (value == NULL)
        return FALSE;
      set_value (self, (int) i, value, GZ_CONFIG_SOURCE_ENV, name, 0);
    }
  return TRUE;
}

GzConfig *
gz_config_new (const char *path,
               GError    **error)
{
  g_autoptr(GzConfig) self = g_object_new (GZ_TYPE_CONFIG, NULL);

  if (path != NULL)
    self->path = g_strdup (path);
  else
    self->path = g_build_filename (g_get_user_config_dir (), "gz", "profile.ini", NULL);

  if (!load_file (self, path != NULL, error))
    return NULL;
  if (!load_environment (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char * const *
gz_config_list_keys (void)
{
  static const char *names[N_KEYS + 1];

  if (names[0] == NULL)
    for (guint i = 0; i < N_KEYS; i++)
      names[i] = keys[i].name;
  return names;
}

const char *
gz_config_get_key_help (const char *key)
{
  int i = find_key (key);

  g_return_val_if_fail (i >= 0, NULL);
  return keys[i].help;
}

const char *
gz_config_get_path (GzConfig *self)
{
  g_return_val_if_fail (GZ_IS_CONFIG (self), NULL);
  return self->path;
}

gboolean
gz_config_set_flag (GzConfig   *self,
                    const char *key,
                    const char *value,
                    GError    **error)
{
  g_autofree char *flag = NULL;
  char *normalized;
  int i;

  g_return_val_if_fail (GZ_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  flag = g_strconcat ("--", key, NULL);
  i = find_key (key);
  if (i < 0)
    return unknown_key (error, flag, key);

  normalized = validate (&keys[i], value, flag, error);
  if (normalized == NULL)
    return FALSE;
  set_value (self, i, normalized, GZ_CONFIG_SOURCE_FLAG, flag, 0);
  return TRUE;
}

static const Value *
lookup (GzConfig   *self,
        const char *key,
        KeyKind     kind)
{
  int i;

  g_return_val_if_fail (GZ_IS_CONFIG (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  i = find_key (key);
  if (i < 0)
    {
      g_critical ("gz-config: unknown key \"%s\"", key);
      return NULL;
    }
  if ((int) kind >= 0 && keys[i].kind != kind)
    {
      g_critical ("gz-config: key \"%s\" has another type", key);
      return NULL;
    }
  return &self->values[i];
}

const char *
gz_config_get_string (GzConfig   *self,
                      const char *key)
{
  const Value *v = lookup (self, key, (KeyKind) -1);

  return v != NULL ? v->value : NULL;
}

gint64
gz_config_get_int (GzConfig   *self,
                   const char *key)
{
  const Value *v = lookup (self, key, KIND_INT);

  return v != NULL ? g_ascii_strtoll (v->value, NULL, 10) : 0;
}

gboolean
gz_config_get_boolean (GzConfig   *self,
                       const char *key)
{
  const Value *v = lookup (self, key, KIND_BOOLEAN);

  return v != NULL && g_str_equal (v->value, "true");
}

gint64
gz_config_get_duration (GzConfig   *self,
                        const char *key)
{
  const Value *v = lookup (self, key, KIND_DURATION);
  gint64 ns = 0;

  if (v != NULL && !gz_duration_parse (v->value, &ns, NULL))
    g_assert_not_reached (); /* validated when set */
  return ns;
}

GzConfigSource
gz_config_get_source (GzConfig   *self,
                      const char *key)
{
  const Value *v = lookup (self, key, (KeyKind) -1);

  return v != NULL ? v->source : GZ_CONFIG_SOURCE_DEFAULT;
}

char *
gz_config_describe_source (GzConfig   *self,
                           const char *key)
{
  const Value *v = lookup (self, key, (KeyKind) -1);

  if (v == NULL)
    return NULL;

  switch (v->source)
    {
    case GZ_CONFIG_SOURCE_DEFAULT:
      return g_strdup ("default");
    case GZ_CONFIG_SOURCE_FILE:
      return g_strdup_printf ("file %s:%d", v->origin, v->line);
    case GZ_CONFIG_SOURCE_ENV:
      return g_strdup_printf ("env %s", v->origin);
    case GZ_CONFIG_SOURCE_FLAG:
      return g_strdup_printf ("flag %s", v->origin);
    default:
      g_assert_not_reached ();
    }
}

/* One writer at a time in this process: two saves must not both read the old file and lose
 * one another's key. */
static GMutex save_lock;

/* Writes @key = @value into the file at @path: reads it (comments kept), changes the key, writes
 * it atomically; *@line is the key's line in the new file. Touches no GzConfig, so that the
 * async save can run it on a worker. */
static gboolean
write_key (const char *path,
           const char *key,
           const char *value,
           int        *line,
           GError    **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&save_lock);
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_key_file_load_from_file (key_file, path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_PARSE,
                   "%s: %s; fix or remove the file, then try again", path, local_error->message);
      return FALSE;
    }
  g_clear_error (&local_error);

  /* The text as given ("~/x", "1m30s"), so the file stays as a person would write it. */
  g_key_file_set_string (key_file, GROUP, key, value);
  contents = g_key_file_to_data (key_file, &length, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                   "cannot create the directory %s: %s; check its permissions",
                   dir, g_strerror (saved_errno));
      return FALSE;
    }
  /* A temporary file renamed over the old one: a reader sees the old file or the new. */
  if (!g_file_set_contents (path, contents, (gssize) length, &local_error))
    {
      g_set_error (error, GZ_CONFIG_ERROR, GZ_CONFIG_ERROR_VALUE,
                   "cannot write %s: %s; check its permissions", path, local_error->message);
      return FALSE;
    }

  *line = scan_lines (path, contents, lines, NULL)
    ? GPOINTER_TO_INT (g_hash_table_lookup (lines, key)) : 0;
  return TRUE;
}

/* The index of @key and its normalized @value, or -1 with @error. */
static int
check_value (GzConfig   *self,
             const char *key,
             const char *value,
             char      **normalized,
             GError    **error)
{
  int i = find_key (key);

  if (i < 0)
    {
      unknown_key (error, self->path, key);
      return -1;
    }
  *normalized = validate (&keys[i], value, self->path, error);
  return *normalized != NULL ? i : -1;
}

/* After the file was written: a flag or variable still wins; otherwise the file's new value is
 * the effective one. */
static void
commit_value (GzConfig *self,
              int       index,
              char     *normalized, /* taken */
              int       line)
{
  if (self->values[index].source <= GZ_CONFIG_SOURCE_FILE)
    set_value (self, index, normalized, GZ_CONFIG_SOURCE_FILE, self->path, line);
  else
    g_free (normalized);
}

gboolean
gz_config_save_value (GzConfig   *self,
                      const char *key,
                      const char *value,
                      GError    **error)
{
  char *normalized = NULL;
  int line = 0;
  int i;

  g_return_val_if_fail (GZ_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  i = check_value (self, key, value, &normalized, error);
  if (i < 0)
    return FALSE;
  if (!write_key (self->path, key, value, &line, error))
    {
      g_free (normalized);
      return FALSE;
    }
  commit_value (self, i, normalized, line);
  return TRUE;
}

typedef struct
{
  char *path;
  char *key;
  char *value;
  char *normalized;
  int   index;
  int   line;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_free (save->path);
  g_free (save->key);
  g_free (save->value);
  g_free (save->normalized);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!write_key (save->path, save->key, save->value, &save->line, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
gz_config_save_value_async (GzConfig            *self,
                            const char          *key,
                            const char          *value,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  SaveData *save;

  g_return_if_fail (GZ_IS_CONFIG (self));
  g_return_if_fail (key != NULL && value != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_config_save_value_async);
  /* Once written, the file is changed: report that even if @cancellable fires meanwhile. */
  g_task_set_check_cancellable (task, FALSE);

  save = g_new0 (SaveData, 1);
  save->index = check_value (self, key, value, &save->normalized, &error);
  if (save->index < 0)
    {
      save_data_free (save);
      g_task_return_error (task, error);
      return;
    }
  save->path = g_strdup (self->path);
  save->key = g_strdup (key);
  save->value = g_strdup (value);
  g_task_set_task_data (task, save, save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
gz_config_save_value_finish (GzConfig      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  SaveData *save;

  g_return_val_if_fail (GZ_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  save = g_task_get_task_data (G_TASK (result));
  commit_value (self, save->index, g_steal_pointer (&save->normalized), save->line);
  return TRUE;
}

static void
new_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;
  GzConfig *config;

  if (g_task_return_error_if_cancelled (task))
    return;
  config = gz_config_new (task_data, &error);
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, g_object_unref);
}

void
gz_config_new_async (const char          *path,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gz_config_new_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, new_thread);
}

GzConfig *
gz_config_new_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
