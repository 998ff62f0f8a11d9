/* gz-results-store.c: one JSON file per label; read-modify-write under a lock file, written
 * atomically (temporary file, fsync, rename), corrupt files reported and left alone. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "gz-bench-format.h"
#include "gz-results-store.h"

#define FILE_FORMAT  "gz-bench-results"
#define FILE_VERSION 1
#define SUFFIX       ".json"

G_DEFINE_QUARK (gz-results-error-quark, gz_results_error)

struct _GzResultsStore
{
  GObject parent_instance;
  char   *dir;
};

G_DEFINE_FINAL_TYPE (GzResultsStore, gz_results_store, G_TYPE_OBJECT)

/* --- context */

static char *
read_cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const char *colon = strchr (lines[i], ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown");
}

GzBenchContext *
gz_bench_context_new_current (const char *command_line)
{
  GzBenchContext *context = g_new0 (GzBenchContext, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  context->date = g_date_time_format_iso8601 (now);
  context->host = g_strdup (g_get_host_name ());
  context->cpu_model = read_cpu_model ();
  context->cpu_count = g_get_num_processors ();
  context->gz_version = g_strdup (GZ_VERSION);
  context->build_type = g_strdup (GZ_BUILD_TYPE);
  context->command_line = g_strdup (command_line != NULL ? command_line : "");
  return context;
}

GzBenchContext *
gz_bench_context_copy (const GzBenchContext *context)
{
  GzBenchContext *copy = g_new0 (GzBenchContext, 1);

  copy->date = g_strdup (context->date);
  copy->host = g_strdup (context->host);
  copy->cpu_model = g_strdup (context->cpu_model);
  copy->cpu_count = context->cpu_count;
  copy->gz_version = g_strdup (context->gz_version);
  copy->build_type = g_strdup (context->build_type);
  copy->command_line = g_strdup (context->command_line);
  return copy;
}

void
gz_bench_context_free (GzBenchContext *context)
{
  if (context == NULL)
    return;
  g_free (context->date);
  g_free (context->host);
  g_free (context->cpu_model);
  g_free (context->gz_version);
  g_free (context->build_type);
  g_free (context->command_line);
  g_free (context);
}

GzBenchRun *
gz_bench_run_new (GzBenchContext *context)
{
  GzBenchRun *run = g_new0 (GzBenchRun, 1);

  run->context = context;
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  return run;
}

void
gz_bench_run_free (GzBenchRun *run)
{
  if (run == NULL)
    return;
  gz_bench_context_free (run->context);
  g_ptr_array_unref (run->results);
  g_free (run);
}

/* --- result sets */

void
gz_result_set_free (GzResultSet *set)
{
  if (set == NULL)
    return;
  g_free (set->label);
  g_free (set->path);
  g_ptr_array_unref (set->runs);
  g_free (set);
}

GPtrArray *
gz_result_set_benchmark_names (GzResultSet *set)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      for (guint i = 0; i < run->results->len; i++)
        {
          GzBenchResult *result = g_ptr_array_index (run->results, i);

          if (!g_ptr_array_find_with_equal_func (names, result->name, g_str_equal, NULL))
            g_ptr_array_add (names, result->name);
        }
    }
  return names;
}

GPtrArray *
gz_result_set_samples (GzResultSet *set,
                       const char  *name)
{
  GPtrArray *samples = g_ptr_array_new ();

  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      for (guint i = 0; i < run->results->len; i++)
        {
          GzBenchResult *result = g_ptr_array_index (run->results, i);

          if (g_str_equal (result->name, name))
            g_ptr_array_add (samples, result);
        }
    }
  return samples;
}

guint
gz_result_set_n_samples (GzResultSet *set)
{
  guint n = 0;

  for (guint r = 0; r < set->runs->len; r++)
    n += ((GzBenchRun *) g_ptr_array_index (set->runs, r))->results->len;
  return n;
}

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
set_from_json (JsonNode    *root,
               const char  *path,
               GError     **error)
{
  g_autoptr(GzResultSet) set = g_new0 (GzResultSet, 1);
  JsonObject *object;
  JsonArray *runs;

  set->path = g_strdup (path);
  set->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_run_free);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto corrupt;
  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "format", ""),
                 FILE_FORMAT) != 0
      || !json_object_has_member (object, "label")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "runs")))
    goto corrupt;
  set->label = g_strdup (json_object_get_string_member_with_default (object, "label", ""));
  runs = json_object_get_array_member (object, "runs");
  for (guint r = 0; r < json_array_get_length (runs); r++)
    {
      JsonNode *run_node = json_array_get_element (runs, r);
      JsonObject *run_object;
      JsonNode *results;
      GzBenchContext *context;
      g_autoptr(GzBenchRun) run = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (run_node))
        goto corrupt;
      run_object = json_node_get_object (run_node);
      results = json_object_get_member (run_object, "results");
      if (results == NULL || !JSON_NODE_HOLDS_ARRAY (results))
        goto corrupt;
      context = gz_bench_context_from_json (json_object_get_member (run_object, "context"),
                                            &local_error);
      if (context == NULL)
        goto corrupt_with;
      run = gz_bench_run_new (context);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (results)); i++)
        {
          GzBenchResult *result =
            gz_bench_result_from_json (json_array_get_element (json_node_get_array (results), i),
                                       &local_error);

          if (result == NULL)
            goto corrupt_with;
          g_ptr_array_add (run->results, result);
        }
      g_ptr_array_add (set->runs, g_steal_pointer (&run));
      continue;

    corrupt_with:
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
                   "%s is not a gz results file (run %u: %s); move it away or delete it",
                   path, r + 1, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&set);

corrupt:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
               "%s is not a gz results file (expected an object with format \"%s\" and runs); "
               "move it away or delete it", path, FILE_FORMAT);
  return NULL;
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
  return set_from_json (json_parser_get_root (parser), path, error);
}

static JsonNode *
set_to_json (GzResultSet *set)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FILE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FILE_VERSION);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, set->label);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "context");
      json_builder_add_value (builder, gz_bench_context_to_json (run->context));
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      for (guint i = 0; i < run->results->len; i++)
        json_builder_add_value (builder,
                                gz_bench_result_to_json (g_ptr_array_index (run->results, i)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static GzBenchRun *
copy_run (GzBenchRun *run)
{
  GzBenchRun *copy = gz_bench_run_new (gz_bench_context_copy (run->context));

  for (guint i = 0; i < run->results->len; i++)
    g_ptr_array_add (copy->results, gz_bench_result_copy (g_ptr_array_index (run->results, i)));
  return copy;
}

gboolean
gz_results_store_add (GzResultsStore *self,
                      const char     *label,
                      GzBenchRun     *run,
                      GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GzResultSet) set = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
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
      set = g_new0 (GzResultSet, 1);
      set->path = g_strdup (path);
      set->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_run_free);
    }
  g_free (set->label);
  set->label = g_strdup (label);
  g_ptr_array_add (set->runs, copy_run (run));

  root = set_to_json (set);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);
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
