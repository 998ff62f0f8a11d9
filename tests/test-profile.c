/* test-profile.c: the profile model, builder, encoder, decoder and validator, and that
 * `go tool pprof` reads what we write without the binary. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <ftw.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "gz-profile-builder.h"
#include "gz-profile-top.h"
#include "gz-profile.h"
#include "gz-symbolizer.h"
#include "profile.pb-c.h"

/* A profile that uses every field of the model. */
static GzProfile *
make_profile (void)
{
  GzProfile *profile = gz_profile_new ();
  const char *names[] = { "main", "work", "inner" };
  GzMapping *mapping;
  GzLocation *location;
  GzSample *sample;
  GzLine line;
  GzLabel label;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("contentions", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("delay", "nanoseconds"));

  for (guint i = 0; i < 2; i++)
    {
      mapping = gz_mapping_new ();
      mapping->id = i + 1;
      mapping->memory_start = 0x400000 + i * 0x100000;
      mapping->memory_limit = mapping->memory_start + 0x8000;
      mapping->file_offset = 0x1000 * i;
      mapping->filename = g_strdup_printf ("/usr/lib/libtest%u.so", i);
      mapping->build_id = i == 0 ? g_strdup ("0123456789abcdef") : NULL;
      mapping->has_functions = TRUE;
      mapping->has_filenames = i == 0;
      mapping->has_line_numbers = i == 0;
      mapping->has_inline_frames = i == 1;
      g_ptr_array_add (profile->mappings, mapping);
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GzFunction *function = gz_function_new ();

      function->id = i + 1;
      function->name = g_strdup (names[i]);
      function->system_name = g_strdup_printf ("_Z%s", names[i]);
      function->filename = i == 2 ? NULL : g_strdup ("src/test.c");
      function->start_line = 10 * (i + 1);
      g_ptr_array_add (profile->functions, function);
    }

  for (guint i = 0; i < 3; i++)
    {
      location = gz_location_new ();
      location->id = i + 1;
      location->mapping_id = i == 2 ? 0 : i + 1;
      location->address = 0x401000 + 0x10 * i;
      location->is_folded = i == 1;
      line.function_id = i + 1;
      line.line = 100 + i;
      g_array_append_val (location->lines, line);
      if (i == 1)
        {
          /* an inlined frame: innermost first */
          line.function_id = 3;
          line.line = 7;
          g_array_prepend_val (location->lines, line);
        }
      g_ptr_array_add (profile->locations, location);
    }

  for (guint i = 0; i < 2; i++)
    {
      gint64 values[2] = { i + 1, 1000 * (i + 3) };

      sample = gz_sample_new ();
      for (guint j = i; j < 3; j++)
        {
          guint64 id = 3 - j;

          g_array_append_val (sample->location_ids, id);
        }
      g_array_append_vals (sample->values, values, 2);
      label = (GzLabel) { g_strdup ("thread"), g_strdup_printf ("worker-%u", i), 0, NULL };
      g_array_append_val (sample->labels, label);
      label = (GzLabel) { g_strdup ("bytes"), NULL, 4096 * (i + 1), g_strdup ("bytes") };
      g_array_append_val (sample->labels, label);
      g_ptr_array_add (profile->samples, sample);
    }

  g_ptr_array_add (profile->comments, g_strdup ("first comment"));
  g_ptr_array_add (profile->comments, g_strdup ("second comment"));
  profile->drop_frames = g_strdup ("^drop");
  profile->keep_frames = g_strdup ("^keep");
  profile->time_nanos = 1700000000123456789;
  profile->duration_nanos = 30000000000;
  profile->period_type.type = g_strdup ("contentions");
  profile->period_type.unit = g_strdup ("count");
  profile->period = 1;
  profile->default_sample_type = g_strdup ("delay");
  return profile;
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  return remove (path);
}

static void
remove_tree (const char *dir)
{
  g_assert_cmpint (nftw (dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), ==, 0);
}

/* The function of line @i of @location, and location @i of @sample. */
static GzFunction *
line_function (GzProfile  *profile,
               GzLocation *location,
               guint       i)
{
  return gz_profile_get_function (profile, g_array_index (location->lines, GzLine, i).function_id);
}

static GzLocation *
sample_location (GzProfile *profile,
                 GzSample  *sample,
                 guint      i)
{
  return gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));
}

/* NULL and "" are the same string in profile.proto. */
static void
assert_str (const char *a,
            const char *b)
{
  g_assert_cmpstr (a ? a : "", ==, b ? b : "");
}

static void
assert_profiles_equal (GzProfile *a,
                       GzProfile *b)
{
  g_assert_cmpuint (a->sample_types->len, ==, b->sample_types->len);
  for (guint i = 0; i < a->sample_types->len; i++)
    {
      GzValueType *va = g_ptr_array_index (a->sample_types, i);
      GzValueType *vb = g_ptr_array_index (b->sample_types, i);

      assert_str (va->type, vb->type);
      assert_str (va->unit, vb->unit);
    }

  g_assert_cmpuint (a->mappings->len, ==, b->mappings->len);
  for (guint i = 0; i < a->mappings->len; i++)
    {
      GzMapping *ma = g_ptr_array_index (a->mappings, i);
      GzMapping *mb = g_ptr_array_index (b->mappings, i);

      g_assert_cmpuint (ma->id, ==, mb->id);
      g_assert_cmpuint (ma->memory_start, ==, mb->memory_start);
      g_assert_cmpuint (ma->memory_limit, ==, mb->memory_limit);
      g_assert_cmpuint (ma->file_offset, ==, mb->file_offset);
      assert_str (ma->filename, mb->filename);
      assert_str (ma->build_id, mb->build_id);
      g_assert_cmpint (ma->has_functions, ==, mb->has_functions);
      g_assert_cmpint (ma->has_filenames, ==, mb->has_filenames);
      g_assert_cmpint (ma->has_line_numbers, ==, mb->has_line_numbers);
      g_assert_cmpint (ma->has_inline_frames, ==, mb->has_inline_frames);
    }

  g_assert_cmpuint (a->functions->len, ==, b->functions->len);
  for (guint i = 0; i < a->functions->len; i++)
    {
      GzFunction *fa = g_ptr_array_index (a->functions, i);
      GzFunction *fb = g_ptr_array_index (b->functions, i);

      g_assert_cmpuint (fa->id, ==, fb->id);
      assert_str (fa->name, fb->name);
      assert_str (fa->system_name, fb->system_name);
      assert_str (fa->filename, fb->filename);
      g_assert_cmpint (fa->start_line, ==, fb->start_line);
    }

  g_assert_cmpuint (a->locations->len, ==, b->locations->len);
  for (guint i = 0; i < a->locations->len; i++)
    {
      GzLocation *la = g_ptr_array_index (a->locations, i);
      GzLocation *lb = g_ptr_array_index (b->locations, i);

      g_assert_cmpuint (la->id, ==, lb->id);
      g_assert_cmpuint (la->mapping_id, ==, lb->mapping_id);
      g_assert_cmpuint (la->address, ==, lb->address);
      g_assert_cmpint (la->is_folded, ==, lb->is_folded);
      g_assert_cmpuint (la->lines->len, ==, lb->lines->len);
      for (guint j = 0; j < la->lines->len; j++)
        {
          g_assert_cmpuint (g_array_index (la->lines, GzLine, j).function_id, ==,
                            g_array_index (lb->lines, GzLine, j).function_id);
          g_assert_cmpint (g_array_index (la->lines, GzLine, j).line, ==,
                           g_array_index (lb->lines, GzLine, j).line);
        }
    }

  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  for (guint i = 0; i < a->samples->len; i++)
    {
      GzSample *sa = g_ptr_array_index (a->samples, i);
      GzSample *sb = g_ptr_array_index (b->samples, i);

      g_assert_cmpmem (sa->location_ids->data, sa->location_ids->len * sizeof (guint64),
                       sb->location_ids->data, sb->location_ids->len * sizeof (guint64));
      g_assert_cmpmem (sa->values->data, sa->values->len * sizeof (gint64),
                       sb->values->data, sb->values->len * sizeof (gint64));
      g_assert_cmpuint (sa->labels->len, ==, sb->labels->len);
      for (guint j = 0; j < sa->labels->len; j++)
        {
          GzLabel *la = &g_array_index (sa->labels, GzLabel, j);
          GzLabel *lb = &g_array_index (sb->labels, GzLabel, j);

          assert_str (la->key, lb->key);
          assert_str (la->str, lb->str);
          g_assert_cmpint (la->num, ==, lb->num);
          assert_str (la->num_unit, lb->num_unit);
        }
    }

  g_assert_cmpuint (a->comments->len, ==, b->comments->len);
  for (guint i = 0; i < a->comments->len; i++)
    assert_str (g_ptr_array_index (a->comments, i), g_ptr_array_index (b->comments, i));
  assert_str (a->drop_frames, b->drop_frames);
  assert_str (a->keep_frames, b->keep_frames);
  g_assert_cmpint (a->time_nanos, ==, b->time_nanos);
  g_assert_cmpint (a->duration_nanos, ==, b->duration_nanos);
  assert_str (a->period_type.type, b->period_type.type);
  assert_str (a->period_type.unit, b->period_type.unit);
  g_assert_cmpint (a->period, ==, b->period);
  assert_str (a->default_sample_type, b->default_sample_type);
}

static void
test_type_names (void)
{
  GzProfileType type;

  for (GzProfileType t = 0; t < GZ_PROFILE_TYPE_N; t++)
    {
      const char *name = gz_profile_type_to_string (t);

      g_assert_nonnull (name);
      g_assert_true (gz_profile_type_from_string (name, &type));
      g_assert_cmpint (type, ==, t);
      g_assert_nonnull (strstr (gz_profile_type_names (), name));
    }
  g_assert_cmpstr (gz_profile_type_to_string (GZ_PROFILE_TYPE_GOROUTINE), ==, "goroutine");
  g_assert_true (gz_profile_type_from_string ("threads", &type));
  g_assert_cmpint (type, ==, GZ_PROFILE_TYPE_GOROUTINE);
  g_assert_true (gz_profile_type_from_string ("heap", &type));
  g_assert_cmpint (type, ==, GZ_PROFILE_TYPE_MEMORY);
  g_assert_false (gz_profile_type_from_string ("cpus", &type));
  g_assert_false (gz_profile_type_from_string ("", &type));
  g_assert_false (gz_profile_type_from_string (NULL, &type));
}

static void
test_boxed (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  GzProfile *copy;

  g_assert_true (G_TYPE_IS_BOXED (gz_profile_get_type ()));
  copy = g_boxed_copy (gz_profile_get_type (), profile);
  g_assert_true (copy == profile);
  g_boxed_free (gz_profile_get_type (), copy);
  g_assert_cmpuint (profile->samples->len, ==, 2);
}

static void
test_round_trip (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GzProfile) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  bytes = gz_profile_encode (profile, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, >, 18);
  g_assert_cmpuint (data[0], ==, 0x1f);
  g_assert_cmpuint (data[1], ==, 0x8b);

  decoded = gz_profile_decode (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  assert_profiles_equal (profile, decoded);
}

static void
test_write_read_file (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GzProfile) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gz-test-profile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "p.prof", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "p.prof", NULL);
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);

  decoded = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  assert_profiles_equal (profile, decoded);

  /* The error names the path. */
  g_assert_false (gz_profile_write_file (profile, bad_path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, bad_path));
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* An invalid profile is not written. */
  g_array_set_size (((GzSample *) g_ptr_array_index (profile->samples, 0))->values, 1);
  g_remove (path);
  g_assert_false (gz_profile_write_file (profile, path, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  remove_tree (dir);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} WriteWait;

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteWait *wait = user_data;

  g_assert_null (source);
  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Writes @profile to @path with gz_profile_write_file_async, waiting in a GMainLoop. */
static gboolean
write_file_async (GzProfile     *profile,
                  const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  WriteWait wait = { g_main_loop_new (NULL, FALSE), NULL };
  gboolean ok;

  gz_profile_write_file_async (profile, path, cancellable, write_done, &wait);
  /* Delivered by the loop, never inside the call. */
  g_assert_null (wait.result);
  g_main_loop_run (wait.loop);

  ok = gz_profile_write_file_finish (profile, wait.result, error);
  g_object_unref (wait.result);
  g_main_loop_unref (wait.loop);
  return ok;
}

/* The same file as gz_profile_write_file, from a worker; a cancelled write writes nothing; a
 * failure names the path as the direct call does. */
static void
test_write_file_async (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GzProfile) decoded = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gz-test-profile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "async.prof", NULL);
  g_autofree char *sync_path = g_build_filename (dir, "sync.prof", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "p.prof", NULL);
  g_autofree char *async_data = NULL;
  g_autofree char *sync_data = NULL;
  gsize async_len, sync_len;

  g_assert_no_error (error);
  g_assert_true (write_file_async (profile, path, NULL, &error));
  g_assert_no_error (error);
  decoded = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  assert_profiles_equal (profile, decoded);
  /* Byte for byte what the direct call writes. */
  g_assert_true (gz_profile_write_file (profile, sync_path, &error));
  g_assert_true (g_file_get_contents (path, &async_data, &async_len, NULL));
  g_assert_true (g_file_get_contents (sync_path, &sync_data, &sync_len, NULL));
  g_assert_cmpmem (async_data, async_len, sync_data, sync_len);

  g_remove (path);
  g_cancellable_cancel (cancelled);
  g_assert_false (write_file_async (profile, path, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (write_file_async (profile, bad_path, NULL, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, bad_path));

  remove_tree (dir);
}

/* Validation: each rule broken on its own. */

typedef struct
{
  const char *name;
  void      (*breaker) (GzProfile *profile);
  const char *message_part; /* the error names the rule */
} BrokenRule;

static void
break_location_order (GzProfile *p)
{
  GzLocation *l0 = g_ptr_array_index (p->locations, 0);
  GzLocation *l1 = g_ptr_array_index (p->locations, 1);

  l0->id = 2;
  l1->id = 1;
}

static void
break_mapping_id (GzProfile *p)
{
  ((GzMapping *) g_ptr_array_index (p->mappings, 1))->id = 7;
}

static void
break_function_id (GzProfile *p)
{
  ((GzFunction *) g_ptr_array_index (p->functions, 0))->id = 0;
}

static void
break_dangling_location (GzProfile *p)
{
  GzSample *sample = g_ptr_array_index (p->samples, 0);

  g_array_index (sample->location_ids, guint64, 0) = p->locations->len + 1;
}

static void
break_dangling_function (GzProfile *p)
{
  GzLocation *location = g_ptr_array_index (p->locations, 0);

  g_array_index (location->lines, GzLine, 0).function_id = 99;
}

static void
break_dangling_mapping (GzProfile *p)
{
  ((GzLocation *) g_ptr_array_index (p->locations, 0))->mapping_id = 3;
}

static void
break_n_values (GzProfile *p)
{
  GzSample *sample = g_ptr_array_index (p->samples, 1);
  gint64 extra = 5;

  g_array_append_val (sample->values, extra);
}

static void
break_no_location (GzProfile *p)
{
  g_array_set_size (((GzSample *) g_ptr_array_index (p->samples, 1))->location_ids, 0);
}

static void
break_sample_type_unit (GzProfile *p)
{
  GzValueType *vt = g_ptr_array_index (p->sample_types, 1);

  g_clear_pointer (&vt->unit, g_free);
}

static void
break_no_sample_types (GzProfile *p)
{
  g_ptr_array_set_size (p->sample_types, 0);
  for (guint i = 0; i < p->samples->len; i++)
    g_array_set_size (((GzSample *) g_ptr_array_index (p->samples, i))->values, 0);
  g_clear_pointer (&p->default_sample_type, g_free);
}

static void
break_period_type (GzProfile *p)
{
  g_clear_pointer (&p->period_type.type, g_free);
}

static void
break_default_sample_type (GzProfile *p)
{
  g_free (p->default_sample_type);
  p->default_sample_type = g_strdup ("inuse_space");
}

static void
break_duration (GzProfile *p)
{
  p->duration_nanos = -1;
}

static void
break_label_key (GzProfile *p)
{
  GzSample *sample = g_ptr_array_index (p->samples, 0);

  g_clear_pointer (&g_array_index (sample->labels, GzLabel, 0).key, g_free);
}

static const BrokenRule broken_rules[] = {
  { "location-ids-out-of-order", break_location_order, "location 0 has id 2" },
  { "mapping-id", break_mapping_id, "mapping 1 has id 7" },
  { "function-id-zero", break_function_id, "function 0 has id 0" },
  { "dangling-location", break_dangling_location, "refers to location 4" },
  { "dangling-function", break_dangling_function, "function 99" },
  { "dangling-mapping", break_dangling_mapping, "mapping 3" },
  { "number-of-values", break_n_values, "sample 1 has 3 values" },
  { "no-location", break_no_location, "sample 1 has no location" },
  { "sample-type-unit", break_sample_type_unit, "sample type 1" },
  { "no-sample-types", break_no_sample_types, "no sample type" },
  { "period-type", break_period_type, "period type" },
  { "default-sample-type", break_default_sample_type, "inuse_space" },
  { "negative-duration", break_duration, "negative duration" },
  { "label-key", break_label_key, "no key" },
};

static void
test_validate_valid (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_no_error (error);
}

static void
test_validate_broken (gconstpointer data)
{
  const BrokenRule *rule = data;
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GError) error = NULL;

  rule->breaker (profile);
  g_assert_false (gz_profile_validate (profile, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
  g_test_message ("%s: %s", rule->name, error->message);
  g_assert_nonnull (strstr (error->message, rule->message_part));
  g_clear_error (&error);

  g_assert_null (gz_profile_encode (profile, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
}

/* Decoding bad input */

static GBytes *
gunzip_bytes (GBytes *bytes)
{
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (base, G_CONVERTER (decompressor));

  g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
assert_decode_fails (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = gz_profile_decode (bytes, &error);

  g_assert_null (profile);
  g_assert_nonnull (error);
  g_assert_true (error->domain == GZ_PROFILE_ERROR);
}

static void
test_decode_garbage (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) text = g_bytes_new_static ("hello, I am not a profile\n", 26);
  guint8 buf[512];

  assert_decode_fails (empty);
  assert_decode_fails (text);

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GBytes) bytes = NULL;
      gsize len = g_test_rand_int_range (1, sizeof buf);

      for (gsize i = 0; i < len; i++)
        buf[i] = g_test_rand_int_range (0, 256);
      if (round % 2 == 0)
        {
          /* a gzip header followed by garbage */
          buf[0] = 0x1f;
          buf[1] = 0x8b;
        }
      bytes = g_bytes_new (buf, len);
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GzProfile) profile = gz_profile_decode (bytes, &error);

        /* Random protobuf bytes may decode into something; never a crash, and what is
         * returned is valid. */
        if (profile == NULL)
          g_assert_true (error->domain == GZ_PROFILE_ERROR);
        else
          g_assert_true (gz_profile_validate (profile, NULL));
      }
    }
}

static void
test_decode_truncated (void)
{
  g_autoptr(GzProfile) profile = make_profile ();
  g_autoptr(GBytes) gzipped = gz_profile_encode (profile, NULL);
  g_autoptr(GBytes) raw = gunzip_bytes (gzipped);
  g_autoptr(GzProfile) from_raw = NULL;
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;

  /* Every truncation of the gzip stream is detected (gzip has a length and CRC). */
  for (gsize len = 0; len < g_bytes_get_size (gzipped); len++)
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (gzipped, 0, len);

      assert_decode_fails (part);
    }

  /* The raw message decodes too... */
  from_raw = gz_profile_decode (raw, &error);
  g_assert_no_error (error);
  assert_profiles_equal (profile, from_raw);

  /* ...and a truncated raw message is an error, or a shorter message that still passes
   * validation: never a crash. */
  for (gsize len = 0; len < g_bytes_get_size (raw); len++)
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (raw, 0, len);
      g_autoptr(GError) part_error = NULL;
      g_autoptr(GzProfile) decoded = gz_profile_decode (part, &part_error);

      if (decoded == NULL)
        {
          g_assert_true (part_error->domain == GZ_PROFILE_ERROR);
          n_failed++;
        }
      else
        g_assert_true (gz_profile_validate (decoded, NULL));
    }
  g_assert_cmpuint (n_failed, >, g_bytes_get_size (raw) / 2);
}

/* Hand-made profile.proto messages, as another writer (Go) could produce them. */

typedef struct
{
  Perftools__Profiles__Profile   pb;
  Perftools__Profiles__ValueType sample_type;
  Perftools__Profiles__ValueType *sample_type_ptrs[1];
  Perftools__Profiles__Mapping   mappings[2];
  Perftools__Profiles__Mapping   *mapping_ptrs[2];
  Perftools__Profiles__Function  functions[2];
  Perftools__Profiles__Function  *function_ptrs[2];
  Perftools__Profiles__Line      lines[2];
  Perftools__Profiles__Line      *line_ptrs[2];
  Perftools__Profiles__Location  locations[2];
  Perftools__Profiles__Location  *location_ptrs[2];
  Perftools__Profiles__Sample    sample;
  Perftools__Profiles__Sample    *sample_ptrs[1];
  uint64_t                       sample_locations[2];
  int64_t                        value;
  char                          *strings[8];
} HandMade;

/* Ids not in table order: mappings 9, 4; functions 10, 3; locations 30, 20. */
static void
hand_made_init (HandMade *h)
{
  static const char *strings[] = {
    "", "samples", "count", "/bin/app", "/lib/libc.so.6", "app_main", "app_work", "app.c",
  };

  memset (h, 0, sizeof *h);
  perftools__profiles__profile__init (&h->pb);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    h->strings[i] = (char *) strings[i];
  h->pb.n_string_table = G_N_ELEMENTS (strings);
  h->pb.string_table = h->strings;

  perftools__profiles__value_type__init (&h->sample_type);
  h->sample_type.type = 1;
  h->sample_type.unit = 2;
  h->sample_type_ptrs[0] = &h->sample_type;
  h->pb.n_sample_type = 1;
  h->pb.sample_type = h->sample_type_ptrs;

  for (guint i = 0; i < 2; i++)
    {
      perftools__profiles__mapping__init (&h->mappings[i]);
      h->mappings[i].id = i == 0 ? 9 : 4;
      h->mappings[i].filename = 3 + i;
      h->mappings[i].memory_start = 0x1000 * (i + 1);
      h->mapping_ptrs[i] = &h->mappings[i];

      perftools__profiles__function__init (&h->functions[i]);
      h->functions[i].id = i == 0 ? 10 : 3;
      h->functions[i].name = 5 + i;
      h->functions[i].filename = 7;
      h->function_ptrs[i] = &h->functions[i];

      /* location 30 -> function 3 (app_work) in mapping 4; location 20 -> function 10 in 9 */
      perftools__profiles__line__init (&h->lines[i]);
      h->lines[i].function_id = i == 0 ? 3 : 10;
      h->lines[i].line = 40 + i;
      h->line_ptrs[i] = &h->lines[i];
      perftools__profiles__location__init (&h->locations[i]);
      h->locations[i].id = i == 0 ? 30 : 20;
      h->locations[i].mapping_id = i == 0 ? 4 : 9;
      h->locations[i].address = 0x1100 * (i + 1);
      h->locations[i].n_line = 1;
      h->locations[i].line = &h->line_ptrs[i];
      h->location_ptrs[i] = &h->locations[i];
    }
  h->pb.n_mapping = 2;
  h->pb.mapping = h->mapping_ptrs;
  h->pb.n_function = 2;
  h->pb.function = h->function_ptrs;
  h->pb.n_location = 2;
  h->pb.location = h->location_ptrs;

  perftools__profiles__sample__init (&h->sample);
  h->sample_locations[0] = 30; /* leaf: app_work */
  h->sample_locations[1] = 20;
  h->sample.n_location_id = 2;
  h->sample.location_id = h->sample_locations;
  h->value = 42;
  h->sample.n_value = 1;
  h->sample.value = &h->value;
  h->sample_ptrs[0] = &h->sample;
  h->pb.n_sample = 1;
  h->pb.sample = h->sample_ptrs;
}

static GBytes *
hand_made_pack (HandMade *h)
{
  gsize size = perftools__profiles__profile__get_packed_size (&h->pb);
  guint8 *data = g_malloc (size + 1);

  perftools__profiles__profile__pack (&h->pb, data);
  return g_bytes_new_take (data, size);
}

static void
test_decode_renumbers (void)
{
  HandMade h;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GzSample *sample;
  GzLocation *leaf;
  GzLocation *caller;

  hand_made_init (&h);
  bytes = hand_made_pack (&h);
  profile = gz_profile_decode (bytes, &error);
  g_assert_no_error (error);

  /* ids are 1..N in table order, and every reference follows its element. */
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (((GzMapping *) g_ptr_array_index (profile->mappings, i))->id, ==, i + 1);
      g_assert_cmpuint (((GzFunction *) g_ptr_array_index (profile->functions, i))->id, ==, i + 1);
      g_assert_cmpuint (((GzLocation *) g_ptr_array_index (profile->locations, i))->id, ==, i + 1);
    }
  sample = g_ptr_array_index (profile->samples, 0);
  leaf = sample_location (profile, sample, 0);
  caller = sample_location (profile, sample, 1);
  g_assert_cmpuint (leaf->address, ==, 0x1100);
  g_assert_cmpuint (caller->address, ==, 0x2200);
  g_assert_cmpstr (gz_profile_get_mapping (profile, leaf->mapping_id)->filename, ==,
                   "/lib/libc.so.6");
  g_assert_cmpstr (gz_profile_get_mapping (profile, caller->mapping_id)->filename, ==,
                   "/bin/app");
  g_assert_cmpstr (line_function (profile, leaf, 0)->name, ==, "app_work");
  g_assert_cmpstr (line_function (profile, caller, 0)->name, ==, "app_main");
  g_assert_cmpint (g_array_index (leaf->lines, GzLine, 0).line, ==, 40);
  g_assert_cmpint (gz_profile_total (profile, 0), ==, 42);
}

static void
test_decode_bad_references (void)
{
  HandMade h;

  /* a string index past the table */
  hand_made_init (&h);
  h.functions[1].name = 8;
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "function name"));
  }

  /* a negative string index */
  hand_made_init (&h);
  h.sample_type.unit = -1;
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
  }

  /* string_table[0] must be "" */
  hand_made_init (&h);
  h.strings[0] = (char *) "x";
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "string table"));
  }

  /* a sample referring to a location that does not exist */
  hand_made_init (&h);
  h.sample_locations[1] = 21;
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "21"));
  }

  /* two functions with one id */
  hand_made_init (&h);
  h.functions[1].id = 10;
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
  }

  /* a wrong number of values decodes but is invalid */
  hand_made_init (&h);
  h.sample.n_value = 0;
  {
    g_autoptr(GBytes) bytes = hand_made_pack (&h);
    g_autoptr(GError) error = NULL;

    g_assert_null (gz_profile_decode (bytes, &error));
    g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
  }
}

/* Top: flat and cum per function, recursion counted once. */

static guint64
add_function (GzProfile  *p,
              const char *name)
{
  GzFunction *function = gz_function_new ();
  GzLocation *location = gz_location_new ();
  GzLine line = { 0, 0 };

  function->id = p->functions->len + 1;
  function->name = g_strdup (name);
  g_ptr_array_add (p->functions, function);
  location->id = p->locations->len + 1;
  location->address = 0x1000 * location->id;
  line.function_id = function->id;
  g_array_append_val (location->lines, line);
  g_ptr_array_add (p->locations, location);
  return location->id;
}

static void
add_stack (GzProfile     *p,
           gint64         value,
           const guint64 *ids,
           guint          n_ids)
{
  GzSample *sample = gz_sample_new ();

  g_array_append_vals (sample->location_ids, ids, n_ids);
  g_array_append_val (sample->values, value);
  g_ptr_array_add (p->samples, sample);
}

static const GzTopEntry *
find_top (GArray     *top,
          const char *name)
{
  for (guint i = 0; i < top->len; i++)
    if (g_str_equal (g_array_index (top, GzTopEntry, i).name, name))
      return &g_array_index (top, GzTopEntry, i);
  return NULL;
}

static void
test_top (void)
{
  g_autoptr(GzProfile) p = gz_profile_new ();
  g_autoptr(GArray) top = NULL;
  g_autoptr(GArray) top2 = NULL;
  guint64 a, b, c, unknown;
  gint64 va = 5, vb = 3, vc = 2, vu = 1;

  g_ptr_array_add (p->sample_types, gz_value_type_new ("samples", "count"));
  a = add_function (p, "a");
  b = add_function (p, "b");
  c = add_function (p, "c");
  unknown = p->locations->len + 1;
  {
    GzLocation *location = gz_location_new ();

    location->id = unknown;
    location->address = 0xabc;
    g_ptr_array_add (p->locations, location);
  }
  add_stack (p, va, (guint64[]) { a, b, c }, 3);
  add_stack (p, vb, (guint64[]) { b, b, c }, 3); /* b is recursive */
  add_stack (p, vc, (guint64[]) { c }, 1);
  add_stack (p, vu, (guint64[]) { unknown, c }, 2);
  g_assert_true (gz_profile_validate (p, NULL));

  top = gz_profile_top (p, 0, 0);
  g_assert_cmpuint (top->len, ==, 4);
  g_assert_cmpstr (g_array_index (top, GzTopEntry, 0).name, ==, "a");
  g_assert_cmpint (find_top (top, "a")->flat, ==, va);
  g_assert_cmpint (find_top (top, "a")->cum, ==, va);
  g_assert_cmpint (find_top (top, "b")->flat, ==, vb);
  g_assert_cmpint (find_top (top, "b")->cum, ==, va + vb);
  g_assert_cmpint (find_top (top, "c")->flat, ==, vc);
  g_assert_cmpint (find_top (top, "c")->cum, ==, va + vb + vc + vu);
  g_assert_cmpint (find_top (top, "0x0000000000000abc")->flat, ==, vu);
  for (guint i = 1; i < top->len; i++)
    g_assert_cmpint (g_array_index (top, GzTopEntry, i - 1).flat, >=,
                     g_array_index (top, GzTopEntry, i).flat);

  top2 = gz_profile_top (p, 0, 2);
  g_assert_cmpuint (top2->len, ==, 2);
  g_assert_cmpint (gz_profile_total (p, 0), ==, va + vb + vc + vu);
}

/* The builder */

static const struct
{
  GzProfileType type;
  const char   *sample_types; /* type/unit, ... */
  const char   *period_type;
  const char   *default_sample_type;
} go_types[] = {
  { GZ_PROFILE_TYPE_CPU, "samples/count cpu/nanoseconds", "cpu/nanoseconds", NULL },
  { GZ_PROFILE_TYPE_MEMORY,
    "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes",
    "space/bytes", "inuse_space" },
  { GZ_PROFILE_TYPE_GOROUTINE, "goroutine/count", "goroutine/count", NULL },
  { GZ_PROFILE_TYPE_BLOCK, "contentions/count delay/nanoseconds", "contentions/count", NULL },
  { GZ_PROFILE_TYPE_MUTEX, "contentions/count delay/nanoseconds", "contentions/count", NULL },
  { GZ_PROFILE_TYPE_THREADCREATE, "threadcreate/count", "threadcreate/count", NULL },
};

static void
test_builder_types (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);

  g_assert_nonnull (symbolizer);
  for (guint i = 0; i < G_N_ELEMENTS (go_types); i++)
    {
      g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (go_types[i].type);
      g_autoptr(GzProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) types = g_string_new (NULL);
      g_autofree char *period_type = NULL;
      gint64 values[4] = { 1, 2, 3, 4 };
      guint64 pc = (guint64) (guintptr) test_builder_types + 1;
      gint64 before = g_get_real_time () * 1000;
      gint64 after;

      g_assert_cmpint (gz_profile_builder_get_profile_type (builder), ==, go_types[i].type);
      if (go_types[i].type == GZ_PROFILE_TYPE_CPU)
        gz_profile_builder_set_period (builder, 10000000);
      gz_profile_builder_add_sample (builder, &pc, 1, GZ_STACK_FLAGS_NONE, values, NULL, 0);
      profile = gz_profile_builder_finish (builder, symbolizer, &error);
      after = g_get_real_time () * 1000;
      g_assert_no_error (error);

      for (guint j = 0; j < profile->sample_types->len; j++)
        {
          GzValueType *vt = g_ptr_array_index (profile->sample_types, j);

          g_string_append_printf (types, "%s%s/%s", j ? " " : "", vt->type, vt->unit);
        }
      g_assert_cmpstr (types->str, ==, go_types[i].sample_types);
      period_type = g_strdup_printf ("%s/%s", profile->period_type.type, profile->period_type.unit);
      g_assert_cmpstr (period_type, ==, go_types[i].period_type);
      g_assert_cmpstr (profile->default_sample_type, ==, go_types[i].default_sample_type);
      if (go_types[i].type == GZ_PROFILE_TYPE_CPU)
        g_assert_cmpint (profile->period, ==, 10000000);
      else if (go_types[i].type != GZ_PROFILE_TYPE_MEMORY)
        g_assert_cmpint (profile->period, ==, 1);
      /* Without set_time: from the builder's creation to its finish (the wall clock and the
       * monotonic one may disagree by a few microseconds: 1 ms of slack). */
      g_assert_cmpint (profile->time_nanos, >=, before - 1000000);
      g_assert_cmpint (profile->time_nanos + profile->duration_nanos, <=, after + 1000000);
      g_assert_cmpint (profile->duration_nanos, <=, after - before + 1000000);
      g_assert_cmpint (gz_profile_total (profile, 0), ==, 1);
    }
}

static void
test_builder_aggregates (void)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_BLOCK);
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  guint64 in_top = (guint64) (guintptr) test_top + 8;
  guint64 in_round_trip = (guint64) (guintptr) test_round_trip + 8;
  guint64 stack_a[] = { in_top, in_round_trip };
  guint64 stack_b[] = { in_round_trip };
  GzLabel label_x = { (char *) "thread", (char *) "x", 0, NULL };
  GzLabel label_y = { (char *) "thread", (char *) "y", 0, NULL };
  const char *named[] = { "[signals blocked]", "gmain" };
  gint64 v1[2] = { 1, 100 };
  gint64 v2[2] = { 2, 250 };
  const GzLabel *labels;
  guint n_with_x = 0;

  gz_profile_builder_set_time (builder, 1234567890, 5000);
  gz_profile_builder_add_comment (builder, "made by a test");
  gz_profile_builder_add_sample (builder, stack_a, 2, GZ_STACK_FLAGS_NONE, v1, &label_x, 1);
  gz_profile_builder_add_sample (builder, stack_a, 2, GZ_STACK_FLAGS_NONE, v2, &label_x, 1);
  gz_profile_builder_add_sample (builder, stack_a, 2, GZ_STACK_FLAGS_NONE, v1, &label_y, 1);
  gz_profile_builder_add_sample (builder, stack_a, 2, GZ_STACK_FLAGS_LEAF_EXACT, v1, NULL, 0);
  gz_profile_builder_add_sample (builder, stack_b, 1, GZ_STACK_FLAGS_NONE, v2, NULL, 0);
  gz_profile_builder_add_sample (builder, stack_b, 1, GZ_STACK_FLAGS_NONE, v1, NULL, 0);
  gz_profile_builder_add_named_sample (builder, named, 2, v1, &label_y, 1);
  gz_profile_builder_add_named_sample (builder, named, 2, v1, &label_y, 1);
  gz_profile_builder_add_sample (builder, (guint64[]) { 0x10 }, 1, 0, v1, NULL, 0);
  g_assert_cmpuint (gz_profile_builder_get_n_samples (builder), ==, 6);

  profile = gz_profile_builder_finish (builder, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (profile->samples->len, ==, 6);
  g_assert_cmpint (profile->time_nanos, ==, 1234567890);
  g_assert_cmpint (profile->duration_nanos, ==, 5000);
  g_assert_cmpuint (profile->comments->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (profile->comments, 0), ==, "made by a test");
  /* All that was added (v1 seven times, v2 twice), merged or not. */
  g_assert_cmpint (gz_profile_total (profile, 0), ==, 7 * v1[0] + 2 * v2[0]);
  g_assert_cmpint (gz_profile_total (profile, 1), ==, 7 * v1[1] + 2 * v2[1]);

  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);

      labels = (const GzLabel *) (gpointer) sample->labels->data;
      if (sample->labels->len == 1 && g_strcmp0 (labels[0].str, "x") == 0)
        {
          n_with_x++;
          g_assert_cmpint (g_array_index (sample->values, gint64, 0), ==, 3);
          g_assert_cmpint (g_array_index (sample->values, gint64, 1), ==, 350);
        }
    }
  g_assert_cmpuint (n_with_x, ==, 1);

  /* Locations are per address (the exact leaf and the return address differ in lookup only
   * when both occur); named frames have no mapping; an unknown address has no line. */
  for (guint i = 0; i < profile->locations->len; i++)
    {
      GzLocation *location = g_ptr_array_index (profile->locations, i);

      if (location->address == 0)
        {
          g_assert_cmpuint (location->mapping_id, ==, 0);
          g_assert_cmpuint (location->lines->len, ==, 1);
        }
      else if (location->address == 0x10)
        {
          g_assert_cmpuint (location->mapping_id, ==, 0);
          g_assert_cmpuint (location->lines->len, ==, 0);
        }
      else
        {
          GzFunction *function;

          g_assert_cmpuint (location->mapping_id, ==, 1);
          g_assert_cmpuint (location->lines->len, ==, 1);
          function = line_function (profile, location, 0);
          g_assert_true (g_str_equal (function->name, "test_top") ||
                         g_str_equal (function->name, "test_round_trip"));
          g_assert_true (g_str_has_suffix (function->filename, "test-profile.c"));
        }
    }
  {
    g_autoptr(GArray) top = gz_profile_top (profile, 0, 0);

    g_assert_nonnull (find_top (top, "[signals blocked]"));
    g_assert_cmpint (find_top (top, "gmain")->cum, ==, 2);
    g_assert_cmpint (find_top (top, "test_round_trip")->cum, ==, 1 + 2 + 1 + 1 + 2 + 1);
  }
}

/* Real stacks: nested functions, each a distinct body so the compiler keeps them apart. */

static guint64 captured[64];
static guint n_captured;

/* Inlined into gz_test_nested_inner: the leaf location has two lines. */
static inline __attribute__((always_inline)) void
gz_test_inlined_capture (volatile int depth)
{
  depth *= 7;
  n_captured = unw_backtrace ((void **) captured, G_N_ELEMENTS (captured));
}

static __attribute__((noinline, noipa)) void
gz_test_nested_inner (volatile int depth)
{
  gz_test_inlined_capture (depth);
  depth++;
}

static __attribute__((noinline, noipa)) void
gz_test_nested_middle (volatile int depth)
{
  gz_test_nested_inner (depth + 1);
  depth += 2;
}

static __attribute__((noinline, noipa)) void
gz_test_nested_outer (volatile int depth)
{
  gz_test_nested_middle (depth + 1);
  depth += 3;
}

static GzProfile *
build_nested_profile (GError **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_CPU);

  gz_profile_builder_set_period (builder, 10000000);
  for (guint i = 0; i < 3; i++)
    {
      gint64 values[2] = { 1, 10000000 };

      gz_test_nested_outer (0);
      g_assert_cmpuint (n_captured, >=, 4);
      gz_profile_builder_add_sample (builder, captured, n_captured, GZ_STACK_FLAGS_NONE, values,
                                     NULL, 0);
    }
  return gz_profile_builder_finish (builder, NULL, error);
}

static void
test_builder_real_stacks (void)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *expected[] = { "gz_test_nested_inner", "gz_test_nested_middle",
                             "gz_test_nested_outer" };
  GzMapping *main_mapping;
  GzSample *sample;

  profile = build_nested_profile (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (profile->samples->len, ==, 1);

  main_mapping = gz_profile_get_mapping (profile, 1);
  g_assert_nonnull (main_mapping);
  g_assert_cmpstr (main_mapping->filename, ==, exe);
  g_assert_true (main_mapping->has_functions);
  g_assert_true (main_mapping->has_filenames);
  g_assert_true (main_mapping->has_line_numbers);
  g_assert_nonnull (main_mapping->build_id);
  for (guint i = 1; i < profile->mappings->len; i++)
    g_assert_cmpstr (((GzMapping *) g_ptr_array_index (profile->mappings, i))->filename, !=, exe);

  g_assert_true (main_mapping->has_inline_frames);

  sample = g_ptr_array_index (profile->samples, 0);
  g_assert_cmpint (g_array_index (sample->values, gint64, 0), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GzLocation *location = sample_location (profile, sample, i);
      GzFunction *function;
      guint outer = i == 0 ? 1 : 0;

      g_assert_cmpuint (location->address, ==, captured[i]);
      g_assert_cmpuint (location->mapping_id, ==, 1);
      /* The leaf: the inlined function first, then the one it was inlined into. */
      g_assert_cmpuint (location->lines->len, ==, outer + 1);
      if (i == 0)
        {
          function = line_function (profile, location, 0);
          g_assert_cmpstr (function->name, ==, "gz_test_inlined_capture");
          g_assert_true (g_str_has_suffix (function->filename, "test-profile.c"));
        }
      function = line_function (profile, location, outer);
      g_assert_cmpstr (function->name, ==, expected[i]);
      g_assert_true (g_str_has_suffix (function->filename, "test-profile.c"));
      g_assert_cmpint (g_array_index (location->lines, GzLine, outer).line, >,
                       function->start_line);
      g_assert_cmpint (function->start_line, >, 0);
    }

  /* Functions are not repeated. */
  for (guint i = 0; i < profile->functions->len; i++)
    for (guint j = i + 1; j < profile->functions->len; j++)
      {
        GzFunction *fi = g_ptr_array_index (profile->functions, i);
        GzFunction *fj = g_ptr_array_index (profile->functions, j);

        g_assert_false (g_strcmp0 (fi->name, fj->name) == 0 &&
                        g_strcmp0 (fi->filename, fj->filename) == 0);
      }
}

/* `go tool pprof -top FILE`, with a fresh HOME; returns stdout, or NULL if go is missing. */
static char *
run_pprof (const char *dir,
           const char *path)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *home = g_build_filename (dir, "home", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { NULL, "tool", "pprof", "-top", "-nodecount=50", path, NULL };
  int status;

  if (go == NULL)
    return NULL;
  argv[0] = go;
  g_mkdir_with_parents (home, 0700);
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "PPROF_TMPDIR", home, TRUE);
  env = g_environ_unsetenv (env, "PPROF_BINARY_PATH");
  g_spawn_sync (dir, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("pprof stdout:\n%s\npprof stderr:\n%s", out, err);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  /* pprof found what it needed in the profile: it did not look for the binary. */
  g_assert_null (strstr (err, "symbolization failed"));
  return g_steal_pointer (&out);
}

static void
assert_pprof_names_nested (const char *out)
{
  g_assert_nonnull (strstr (out, "gz_test_inlined_capture"));
  g_assert_nonnull (strstr (out, "gz_test_nested_inner"));
  g_assert_nonnull (strstr (out, "gz_test_nested_middle"));
  g_assert_nonnull (strstr (out, "gz_test_nested_outer"));
}

static void
test_builder_pprof (void)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *go = g_find_program_in_path ("go");

  if (go == NULL)
    {
      g_test_skip ("go is not in PATH: cannot run `go tool pprof`");
      return;
    }

  profile = build_nested_profile (&error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("gz-test-pprof-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "cpu.prof", NULL);
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);

  out = run_pprof (dir, path);
  assert_pprof_names_nested (out);
  g_assert_nonnull (strstr (out, "Type: cpu"));
  remove_tree (dir);
}

/* The profile is written by a copy of this program, which is then deleted: pprof gets only
 * the file. */
static void
test_builder_pprof_binary_gone (void)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = NULL;
  gsize len;
  int status;

  if (go == NULL)
    {
      g_test_skip ("go is not in PATH: cannot run `go tool pprof`");
      return;
    }

  dir = g_dir_make_tmp ("gz-test-pprof-XXXXXX", &error);
  g_assert_no_error (error);
  copy = g_build_filename (dir, "gz-test-copy", NULL);
  path = g_build_filename (dir, "cpu.prof", NULL);
  g_assert_true (g_file_get_contents (self_exe, &contents, &len, &error));
  g_assert_true (g_file_set_contents_full (copy, contents, len, G_FILE_SET_CONTENTS_NONE, 0755,
                                           &error));
  g_assert_no_error (error);

  {
    const char *argv[] = { copy, "--write-nested-profile", path, NULL };

    g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                  &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (status, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_unlink (copy), ==, 0);

  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gz_profile_get_mapping (profile, 1)->filename, ==, copy);

  out = run_pprof (dir, path);
  assert_pprof_names_nested (out);
  remove_tree (dir);
}

/* Profiles written by Go's runtime/pprof decode, with Go's sample types equal to the ones our
 * builder uses for the same type, and survive our re-encoding. */
static const char go_program[] =
  "package main\n"
  "import (\"os\"; \"runtime\"; \"runtime/pprof\"; \"time\")\n"
  "var sink []byte\n"
  "func spin(d time.Duration) (x int) {\n"
  "  for end := time.Now().Add(d); time.Now().Before(end); { x++ }\n"
  "  return\n"
  "}\n"
  "func main() {\n"
  "  runtime.MemProfileRate = 4096\n"
  "  runtime.SetBlockProfileRate(1)\n"
  "  runtime.SetMutexProfileFraction(1)\n"
  "  f, _ := os.Create(\"cpu.prof\")\n"
  "  pprof.StartCPUProfile(f)\n"
  "  spin(300 * time.Millisecond)\n"
  "  pprof.StopCPUProfile()\n"
  "  f.Close()\n"
  "  for i := 0; i < 1000; i++ { sink = make([]byte, 10000) }\n"
  "  names := []string{\"heap\", \"goroutine\", \"block\", \"mutex\", \"threadcreate\"}\n"
  "  for _, name := range names {\n"
  "    f, _ := os.Create(name + \".prof\")\n"
  "    pprof.Lookup(name).WriteTo(f, 0)\n"
  "    f.Close()\n"
  "  }\n"
  "}\n";

static void
test_decode_go_profiles (void)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *dir = NULL;
  g_autofree char *source = NULL;
  g_autofree char *home = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { NULL, "run", "main.go", NULL };
  int status;

  if (go == NULL)
    {
      g_test_skip ("go is not in PATH: cannot write profiles with Go's runtime/pprof");
      return;
    }

  dir = g_dir_make_tmp ("gz-test-go-XXXXXX", &error);
  g_assert_no_error (error);
  source = g_build_filename (dir, "main.go", NULL);
  home = g_build_filename (dir, "home", NULL);
  g_assert_true (g_file_set_contents (source, go_program, -1, &error));
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "GOCACHE", home, TRUE);
  env = g_environ_setenv (env, "GOFLAGS", "", TRUE);
  env = g_environ_setenv (env, "GO111MODULE", "off", TRUE);
  argv[0] = go;
  g_spawn_sync (dir, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("go run failed: %s", err);

  for (GzProfileType type = 0; type < GZ_PROFILE_TYPE_N; type++)
    {
      const char *name = type == GZ_PROFILE_TYPE_MEMORY ? "heap" : gz_profile_type_to_string (type);
      g_autofree char *file = g_strdup_printf ("%s.prof", name);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autoptr(GzProfile) profile = gz_profile_read_file (path, &error);
      g_autoptr(GzProfile) again = NULL;
      g_autoptr(GzProfile) ours = NULL;
      g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (type);
      g_autoptr(GBytes) bytes = NULL;
      gint64 values[4] = { 1, 1, 1, 1 };
      guint64 pc = (guint64) (guintptr) test_decode_go_profiles + 1;

      g_assert_no_error (error);
      g_test_message ("%s: %u samples, %u locations, %u functions", file,
                      profile->samples->len, profile->locations->len, profile->functions->len);
      if (type == GZ_PROFILE_TYPE_CPU || type == GZ_PROFILE_TYPE_MEMORY ||
          type == GZ_PROFILE_TYPE_GOROUTINE)
        {
          g_assert_cmpuint (profile->samples->len, >, 0);
          g_assert_cmpuint (profile->functions->len, >, 0);
        }
      if (type == GZ_PROFILE_TYPE_CPU)
        {
          g_autoptr(GArray) top = gz_profile_top (profile, 1, 0);

          g_assert_nonnull (find_top (top, "main.spin"));
        }

      /* Our builder uses Go's sample and period types. */
      gz_profile_builder_add_sample (builder, &pc, 1, GZ_STACK_FLAGS_NONE, values, NULL, 0);
      ours = gz_profile_builder_finish (builder, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ours->sample_types->len, ==, profile->sample_types->len);
      for (guint i = 0; i < ours->sample_types->len; i++)
        {
          GzValueType *a = g_ptr_array_index (ours->sample_types, i);
          GzValueType *b = g_ptr_array_index (profile->sample_types, i);

          g_assert_cmpstr (a->type, ==, b->type);
          g_assert_cmpstr (a->unit, ==, b->unit);
        }
      assert_str (ours->period_type.type, profile->period_type.type);
      assert_str (ours->period_type.unit, profile->period_type.unit);

      /* Go writes threadcreate samples without a stack; we never do, so the encoder, which
       * validates strictly, refuses them. */
      if (!gz_profile_validate (profile, &error))
        {
          g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "no location"));
          g_assert_null (gz_profile_encode (profile, NULL));
          g_clear_error (&error);
          for (guint i = 0; i < profile->samples->len; )
            if (((GzSample *) g_ptr_array_index (profile->samples, i))->location_ids->len == 0)
              g_ptr_array_remove_index (profile->samples, i);
            else
              i++;
        }

      bytes = gz_profile_encode (profile, &error);
      g_assert_no_error (error);
      again = gz_profile_decode (bytes, &error);
      g_assert_no_error (error);
      assert_profiles_equal (profile, again);
    }

  remove_tree (dir);
}

static int
write_nested_profile (const char *path)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  profile = build_nested_profile (&error);
  if (profile == NULL || !gz_profile_write_file (profile, path, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--write-nested-profile"))
    return write_nested_profile (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profile/type-names", test_type_names);
  g_test_add_func ("/core/profile/boxed", test_boxed);
  g_test_add_func ("/core/profile/round-trip", test_round_trip);
  g_test_add_func ("/core/profile/write-read-file", test_write_read_file);
  g_test_add_func ("/core/profile/write-file-async", test_write_file_async);
  g_test_add_func ("/core/profile/validate/valid", test_validate_valid);
  for (guint i = 0; i < G_N_ELEMENTS (broken_rules); i++)
    {
      g_autofree char *name = g_strdup_printf ("/core/profile/validate/%s", broken_rules[i].name);

      g_test_add_data_func (name, &broken_rules[i], test_validate_broken);
    }
  g_test_add_func ("/core/profile/decode/garbage", test_decode_garbage);
  g_test_add_func ("/core/profile/decode/truncated", test_decode_truncated);
  g_test_add_func ("/core/profile/decode/renumbers", test_decode_renumbers);
  g_test_add_func ("/core/profile/decode/bad-references", test_decode_bad_references);
  g_test_add_func ("/core/profile/decode/go-profiles", test_decode_go_profiles);
  g_test_add_func ("/core/profile/top", test_top);
  g_test_add_func ("/core/profile/builder/types", test_builder_types);
  g_test_add_func ("/core/profile/builder/aggregates", test_builder_aggregates);
  g_test_add_func ("/core/profile/builder/real-stacks", test_builder_real_stacks);
  g_test_add_func ("/core/profile/builder/pprof", test_builder_pprof);
  g_test_add_func ("/core/profile/builder/pprof-binary-gone", test_builder_pprof_binary_gone);

  return g_test_run ();
}
