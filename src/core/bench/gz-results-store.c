/* gz-results-store.c: one JSON file per label; read-modify-write under a lock file, written
 * atomically (temporary file, fsync, rename), corrupt files reported and left alone. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "gz-results-codec.h"
#include "gz-results-store.h"

#define SUFFIX       ".json"

struct _GzResultsStore
{
  GObject parent_instance;
  char   *dir;
};

G_DEFINE_FINAL_TYPE (GzResultsStore, gz_results_store, G_TYPE_OBJECT)

/* --- the store */

static void
gz_results_store_finalize (GObject *object)
{
  GzResultsStore *self = GZ_RESULTS_STORE (object);

  g_free (self->dir);
  G_OBJECT_CLASS (gz_results_store_parent_class)->finalize (object);
}

static void
gz_results_store_class_init (GzResultsStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_results_store_finalize;
}

static void
gz_results_store_init (GzResultsStore *self)
{
}

GzResultsStore *
gz_results_store_new (const char *dir)
{
  GzResultsStore *self = g_object_new (GZ_TYPE_RESULTS_STORE, NULL);

  self->dir = dir != NULL ? g_strdup (dir)
                          : g_build_filename (g_get_user_data_dir (), "gz", "results", NULL);
  return self;
}

GzResultsStore *
gz_results_store_new_for_config (GzConfig *config)
{
  return gz_results_store_new (config != NULL ? gz_config_get_string (config, "results-dir")
                                              : NULL);
}

const char *
gz_results_store_get_dir (GzResultsStore *self)
{
  g_return_val_if_fail (GZ_IS_RESULTS_STORE (self), NULL);
  return self->dir;
}

gboolean
gz_results_store_check_label (const char *label,
                              GError    **error)
{
  gsize len = label != NULL ? strlen (label) : 0;

  if (len == 0 || len > 100 || label[0] == '.' || label[0] == '-')
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && strchr ("._-+", label[i]) == NULL)
      goto invalid;
  return TRUE;

invalid:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_INVALID_LABEL,
               "invalid label \"%s\"; use 1 to 100 letters, digits and . _ - + (not starting "
               "with . or -), such as v1.0", label != NULL ? label : "");
  return FALSE;
}

static char *
label_path (GzResultsStore *self,
            const char     *label)
{
  g_autofree char *file = g_strconcat (label, SUFFIX, NULL);

  return g_build_filename (self->dir, file, NULL);
}

char *
gz_results_store_new_label (GzResultsStore *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *base = g_date_time_format (now, "run-%Y%m%d-%H%M%S");

  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *label = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);
      g_autofree char *path = label_path (self, label);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&label);
    }
  return g_strdup_printf ("%s-%d", base, (int) getpid ());
}

static gboolean
ensure_dir (GzResultsStore *self,
            GError        **error)
{
  if (g_mkdir_with_parents (self->dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED,
                   "cannot create the results directory %s (%s); set results-dir (--results-dir "
                   "or GZ_PROFILE_RESULTS_DIR) to a writable directory", self->dir,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* An exclusive lock on DIR/.lock for a read-modify-write; -1 on failure. */
static int
lock_store (GzResultsStore *self,
            GError        **error)
{
  g_autofree char *path = g_build_filename (self->dir, ".lock", NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED, "cannot lock %s (%s); "
                   "check the permissions of the results directory", path, g_strerror (errsv));
      return -1;
    }
  return fd;
}

static GzResultSet *
load_path (const char  *path,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND, "%s does not exist",
                     path);
      else if (local_error->domain == JSON_PARSER_ERROR || local_error->domain == G_IO_ERROR
               || local_error->domain == G_CONVERT_ERROR)
        g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
                     "%s is corrupt (%s); move it away or delete it", path,
                     local_error->message);
      else
        g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED, "cannot read %s (%s)",
                     path, local_error->message);
      return NULL;
    }
  return gz_results_codec_set_from_json (json_parser_get_root (parser), path, error);
}

gboolean
gz_results_store_add (GzResultsStore *self,
                      const char     *label,
                      GzBenchRun     *run,
                      GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GzResultSet) set = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;
  gboolean ok;
  int lock;

  g_return_val_if_fail (GZ_IS_RESULTS_STORE (self), FALSE);

  if (!gz_results_store_check_label (label, error) || !ensure_dir (self, error))
    return FALSE;
  lock = lock_store (self, error);
  if (lock < 0)
    return FALSE;

  path = label_path (self, label);
  set = load_path (path, &local_error);
  if (set == NULL && !g_error_matches (local_error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND))
    {
      close (lock);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "not adding to label %s, whose file is unreadable: ", label);
      return FALSE;
    }
  if (set == NULL)
    {
      g_clear_error (&local_error);
      set = gz_result_set_new (label, path);
    }
  g_free (set->label);
  set->label = g_strdup (label);
  g_ptr_array_add (set->runs, gz_bench_run_copy (run));

  data = gz_results_codec_set_to_text (set, &length);
  /* A temporary file beside it, fsync, rename: a crash leaves the old file or the new one. */
  ok = g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local_error);
  close (lock);
  if (!ok)
    {
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED, "cannot write %s (%s); "
                   "check free space and permissions", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gint
compare_sets_by_date (gconstpointer a,
                      gconstpointer b)
{
  GzResultSet *x = *(GzResultSet **) a;
  GzResultSet *y = *(GzResultSet **) b;
  const char *dx = x->runs->len > 0
    ? ((GzBenchRun *) g_ptr_array_index (x->runs, x->runs->len - 1))->context->date : "";
  const char *dy = y->runs->len > 0
    ? ((GzBenchRun *) g_ptr_array_index (y->runs, y->runs->len - 1))->context->date : "";
  int by_date = g_strcmp0 (dx, dy);

  return by_date != 0 ? by_date : g_strcmp0 (x->label, y->label);
}

GPtrArray *
gz_results_store_list (GzResultsStore *self,
                       GPtrArray     **problems,
                       GError        **error)
{
  g_autoptr(GPtrArray) sets =
    g_ptr_array_new_with_free_func ((GDestroyNotify) gz_result_set_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (GZ_IS_RESULTS_STORE (self), NULL);

  if (problems != NULL)
    *problems = g_ptr_array_new_with_free_func (g_free);
  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&sets);
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED,
                   "cannot read the results directory %s (%s)", self->dir, local_error->message);
      return NULL;
    }
  /* Only LABEL.json: temporary files of an interrupted write (LABEL.json.XXXXXX) are not
   * results. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) load_error = NULL;
      GzResultSet *set;

      if (!g_str_has_suffix (name, SUFFIX) || name[0] == '.')
        continue;
      path = g_build_filename (self->dir, name, NULL);
      set = load_path (path, &load_error);
      if (set == NULL)
        {
          if (problems != NULL)
            g_ptr_array_add (*problems, g_strdup (load_error->message));
          continue;
        }
      /* The file name is the label. */
      g_free (set->label);
      set->label = g_strndup (name, strlen (name) - strlen (SUFFIX));
      g_ptr_array_add (sets, set);
    }
  g_ptr_array_sort (sets, compare_sets_by_date);
  return g_steal_pointer (&sets);
}

static void
set_not_found (GzResultsStore *self,
               const char     *label,
               GError        **error)
{
  g_autoptr(GPtrArray) sets = gz_results_store_list (self, NULL, NULL);
  g_autoptr(GString) labels = g_string_new (NULL);

  for (guint i = 0; sets != NULL && i < sets->len; i++)
    g_string_append_printf (labels, "%s%s", i > 0 ? ", " : "",
                            ((GzResultSet *) g_ptr_array_index (sets, i))->label);
  if (labels->len == 0)
    g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND,
                 "no results labelled \"%s\": %s has none yet; run gz-cli profile benchmark "
                 "--save LABEL first", label, self->dir);
  else
    g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND,
                 "no results labelled \"%s\"; labels in %s: %s", label, self->dir,
                 labels->str);
}

GzResultSet *
gz_results_store_load (GzResultsStore *self,
                       const char     *label,
                       GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  GzResultSet *set;

  g_return_val_if_fail (GZ_IS_RESULTS_STORE (self), NULL);

  if (!gz_results_store_check_label (label, error))
    return NULL;
  path = label_path (self, label);
  set = load_path (path, &local_error);
  if (set == NULL)
    {
      if (g_error_matches (local_error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND))
        set_not_found (self, label, error);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_free (set->label);
  set->label = g_strdup (label);
  return set;
}

gboolean
gz_results_store_delete (GzResultsStore *self,
                         const char     *label,
                         GError        **error)
{
  g_autofree char *path = NULL;
  int lock, errsv;

  g_return_val_if_fail (GZ_IS_RESULTS_STORE (self), FALSE);

  if (!gz_results_store_check_label (label, error))
    return FALSE;
  path = label_path (self, label);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      set_not_found (self, label, error);
      return FALSE;
    }
  lock = lock_store (self, error);
  if (lock < 0)
    return FALSE;
  errsv = g_unlink (path) == 0 ? 0 : errno;
  close (lock);
  if (errsv != 0)
    {
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_FAILED, "cannot delete %s (%s)",
                   path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}
