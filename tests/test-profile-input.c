/* test-profile-input.c: bounded input (issue 18): `gz-cli profile top` on a FIFO (with a writer
 * that never writes), /dev/zero, /dev/urandom, a directory, the empty-samples gzip bomb and files
 * over the size caps: one clear line, a non-zero exit, and bounded time and peak memory (the
 * child's own rusage: CPU time and ru_maxrss), never a hang. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "gz-profile.h"

/* A child that takes longer than this is hung (a loaded machine under ASan included). */
#define HANG_SECONDS 60

static char *tmp_dir;

typedef struct
{
  int     status;  /* exit status, or -signal */
  char   *err;     /* stderr */
  double  cpu;     /* user + system seconds */
  double  wall;
  glong   max_rss; /* KiB */
} Run;

static void
run_clear (Run *run)
{
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs `gz-cli profile top PATH` with @env ("NAME=VALUE" or NULL) added; kills it after
 * HANG_SECONDS. */
static void
run_top (const char *path,
         const char *env,
         Run        *run)
{
  const char *cli = g_getenv ("GZ_CLI");
  g_autoptr(GString) err = g_string_new (NULL);
  struct rusage usage;
  gint64 start = g_get_monotonic_time ();
  int pipe_fds[2];
  int status = 0;
  pid_t pid;

  g_assert_nonnull (cli);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_RDWR);

      dup2 (null_fd, 0);
      dup2 (null_fd, 1);
      dup2 (pipe_fds[1], 2);
      if (env != NULL)
        putenv ((char *) env);
      execl (cli, cli, "profile", "top", path, (char *) NULL);
      _exit (127);
    }
  close (pipe_fds[1]);
  g_assert_cmpint (fcntl (pipe_fds[0], F_SETFL, O_NONBLOCK), ==, 0);
  for (;;)
    {
      char buf[4096];
      ssize_t got = read (pipe_fds[0], buf, sizeof buf);
      pid_t done;

      if (got > 0)
        {
          g_string_append_len (err, buf, got);
          continue;
        }
      done = wait4 (pid, &status, WNOHANG, &usage);
      if (done == pid)
        break;
      if (g_get_monotonic_time () - start > HANG_SECONDS * G_USEC_PER_SEC)
        {
          kill (pid, SIGKILL);
          g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
          break;
        }
      g_usleep (10000);
    }
  /* what was left in the pipe */
  for (;;)
    {
      char buf[4096];
      ssize_t got = read (pipe_fds[0], buf, sizeof buf);

      if (got <= 0)
        break;
      g_string_append_len (err, buf, got);
    }
  close (pipe_fds[0]);

  run->wall = (g_get_monotonic_time () - start) / 1e6;
  run->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
  run->cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
             usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  run->max_rss = usage.ru_maxrss;
  run->err = g_string_free (g_steal_pointer (&err), FALSE);
  g_test_message ("%s%s%s: exit %d in %.2f s (%.2f s CPU), peak RSS %ld KiB: %s", path,
                  env != NULL ? " with " : "", env != NULL ? env : "", run->status, run->wall,
                  run->cpu, run->max_rss, run->err);
}

/* Failed with exactly one line holding @message, before the hang bound. */
static void
assert_refused (const Run  *run,
                const char *message)
{
  const char *newline;

  g_assert_cmpfloat (run->wall, <, HANG_SECONDS);
  g_assert_cmpint (run->status, >, 0);
  g_assert_nonnull (strstr (run->err, message));
  newline = strchr (run->err, '\n');
  g_assert_true (newline == NULL || newline[1] == '\0');
}

/* A refusal takes well under a second of CPU (5 s under the sanitizers) and little memory
 * (reading /dev/zero to the end took 3 GB in 10 s before issue 18). */
static void
assert_cheap (const Run *run,
              glong      max_rss_kib)
{
  gboolean sanitized = g_strcmp0 (g_getenv ("GZ_TEST_SANITIZED"), "1") == 0;

  g_assert_cmpfloat (run->cpu, <, sanitized ? 5.0 : 1.0);
  g_assert_cmpint (run->max_rss, <, max_rss_kib);
}

static void
test_fifo (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "pipe.prof", NULL);
  g_auto(Run) lonely = { 0, };
  g_auto(Run) held = { 0, };
  int writer;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  /* no writer at all: a blocking open would wait for one */
  run_top (path, NULL, &lonely);
  assert_refused (&lonely, "pipe.prof is a named pipe (FIFO), not a regular file: profiles are "
                           "read only from regular files");
  assert_cheap (&lonely, 64 * 1024);

  /* a writer that never writes: a read would wait for ever */
  writer = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (writer, >=, 0);
  run_top (path, NULL, &held);
  assert_refused (&held, "is a named pipe (FIFO), not a regular file");
  assert_cheap (&held, 64 * 1024);
  close (writer);
  g_unlink (path);
}

static void
test_devices (void)
{
  const char *devices[] = { "/dev/zero", "/dev/urandom" };

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_auto(Run) run = { 0, };
      g_autofree char *message = g_strdup_printf ("%s is a character device, not a regular file",
                                                  devices[i]);

      if (!g_file_test (devices[i], G_FILE_TEST_EXISTS))
        continue;
      run_top (devices[i], NULL, &run);
      assert_refused (&run, message);
      assert_cheap (&run, 64 * 1024);
    }
}

static void
test_directory (void)
{
  g_auto(Run) run = { 0, };

  run_top (tmp_dir, NULL, &run);
  assert_refused (&run, "is a directory, not a regular file");
  assert_cheap (&run, 64 * 1024);
}

/* The empty-samples bomb of issue 18: 50 000 000 empty Sample messages (field 2, length 0:
 * 0x12 0x00), 100 MB that gzip to ~100 kB; each decodes to some 300 bytes (6.3 GB RSS before). */
static char *
write_bomb (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "bomb.pb.gz", NULL);
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                                                 9);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GOutputStream) zout = NULL;
  g_autoptr(GError) error = NULL;
  static guint8 chunk[1 << 20];
  GStatBuf st;

  for (gsize i = 0; i < sizeof chunk; i += 2)
    {
      chunk[i] = 0x12;
      chunk[i + 1] = 0x00;
    }
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  zout = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (compressor));
  for (guint i = 0; i < 100; i++)
    {
      g_output_stream_write_all (zout, chunk, sizeof chunk, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_close (zout, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("bomb: %d bytes of gzip for 100 MiB", (int) st.st_size);
  g_assert_cmpint (st.st_size, <, 200 * 1024);
  return g_steal_pointer (&path);
}

static void
test_empty_samples_bomb (void)
{
  g_autofree char *path = write_bomb ();
  g_auto(Run) run = { 0, };

  run_top (path, NULL, &run);
  assert_refused (&run, "samples or more); it looks like a decompression bomb");
  /* the bound: under a second and 256 MiB */
  assert_cheap (&run, 256 * 1024);
  g_unlink (path);
}

static void
test_caps (void)
{
  g_autofree char *heap = g_build_filename (g_getenv ("GZ_TEST_GO_PROFILES"), "go-heap.pb.gz",
                                            NULL);
  g_autofree char *raw = g_build_filename (g_getenv ("GZ_TEST_GO_PROFILES"), "go-heap.pb", NULL);
  g_auto(Run) fine = { 0, };
  g_auto(Run) file_cap = { 0, };
  g_auto(Run) decompressed_cap = { 0, };
  g_auto(Run) raw_cap = { 0, };
  g_auto(Run) bad_value = { 0, };
  g_auto(Run) raised = { 0, };

  /* go-heap.pb.gz: 6283 bytes, 12783 decompressed */
  run_top (heap, NULL, &fine);
  g_assert_cmpint (fine.status, ==, 0);

  run_top (heap, "GZ_PROFILE_MAX_FILE_SIZE=4K", &file_cap);
  assert_refused (&file_cap, "go-heap.pb.gz is 6.14 KiB, more than the 4 KiB a profile file may "
                             "be: set GZ_PROFILE_MAX_FILE_SIZE to read it");
  assert_cheap (&file_cap, 64 * 1024);

  run_top (heap, "GZ_PROFILE_MAX_DECOMPRESSED_SIZE=8K", &decompressed_cap);
  assert_refused (&decompressed_cap, "go-heap.pb.gz: it decompresses to more than 8 KiB: set "
                                     "GZ_PROFILE_MAX_DECOMPRESSED_SIZE to read it");

  run_top (raw, "GZ_PROFILE_MAX_DECOMPRESSED_SIZE=8K", &raw_cap);
  assert_refused (&raw_cap, "go-heap.pb: it is more than 8 KiB: set "
                            "GZ_PROFILE_MAX_DECOMPRESSED_SIZE to read it");

  run_top (heap, "GZ_PROFILE_MAX_FILE_SIZE=lots", &bad_value);
  assert_refused (&bad_value, "GZ_PROFILE_MAX_FILE_SIZE=“lots” is not a size");

  run_top (heap, "GZ_PROFILE_MAX_FILE_SIZE=7K", &raised);
  g_assert_cmpint (raised.status, ==, 0);
}

/* A heap profile as a large Go service writes one: 200 000 samples of 10 frames over 5000
 * locations and 3000 functions. It must still be read (the bound is no refusal of real profiles),
 * within 32 times its decompressed size plus 16 MiB beyond the CLI's own footprint (a small
 * profile's peak in the same run). */
/* Writes the profile to @path; its decompressed size. */
static gsize
write_large_profile (const char *path)
{
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GConverter) inflater = NULL;
  GRand *rand = g_rand_new_with_seed (18);
  gsize decompressed = 0;
  guint8 buffer[65536];
  gsize in_len;
  const guint8 *in;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("alloc_objects", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("alloc_space", "bytes"));
  for (guint i = 1; i <= 3000; i++)
    {
      GzFunction *function = gz_function_new ();

      function->id = i;
      function->name = g_strdup_printf ("github.com/some/pkg.(*Type).Method%u", i);
      function->filename = g_strdup_printf ("/src/pkg/file%u.go", i % 100);
      g_ptr_array_add (profile->functions, function);
    }
  for (guint i = 1; i <= 5000; i++)
    {
      GzLocation *location = gz_location_new ();
      GzLine line = { (i % 3000) + 1, i % 500 + 1 };

      location->id = i;
      location->address = 0x400000 + i * 16;
      g_array_append_val (location->lines, line);
      g_ptr_array_add (profile->locations, location);
    }
  for (guint i = 0; i < 200000; i++)
    {
      GzSample *sample = gz_sample_new ();
      gint64 values[2] = { g_rand_int_range (rand, 1, 100), g_rand_int_range (rand, 1, 100000) };

      for (guint j = 0; j < 10; j++)
        {
          guint64 id = g_rand_int_range (rand, 1, 5001);

          g_array_append_val (sample->location_ids, id);
        }
      g_array_append_vals (sample->values, values, 2);
      g_ptr_array_add (profile->samples, sample);
    }
  g_rand_free (rand);
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);

  encoded = gz_profile_encode (profile, &error);
  g_assert_no_error (error);
  inflater = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  in = g_bytes_get_data (encoded, &in_len);
  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result = g_converter_convert (inflater, in, in_len, buffer, sizeof buffer,
                                                     G_CONVERTER_INPUT_AT_END, &read, &written,
                                                     &error);

      g_assert_no_error (error);
      in += read;
      in_len -= read;
      decompressed += written;
      if (result == G_CONVERTER_FINISHED)
        break;
    }
  return decompressed;
}

/* A heap profile as a large Go service writes one: 200 000 samples of 10 frames over 5000
 * locations and 3000 functions. It must still be read (the bound refuses no real profile),
 * within 32 times its decompressed size plus 16 MiB beyond the CLI's own footprint (a small
 * profile's peak in the same run). */
static void
test_large_real_profile (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "large.pb.gz", NULL);
  g_autofree char *size_path = g_build_filename (tmp_dir, "large.size", NULL);
  g_autofree char *small = g_build_filename (g_getenv ("GZ_TEST_GO_PROFILES"), "go-heap.pb.gz",
                                             NULL);
  g_autofree char *size_text = NULL;
  g_auto(Run) peer = { 0, };
  g_auto(Run) run = { 0, };
  gsize decompressed;
  int status = 0;
  pid_t pid;

  /* made in a child: a child of this process would count this one's memory in its peak RSS
   * (ru_maxrss covers the time before exec) */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *text = g_strdup_printf ("%zu", write_large_profile (path));

      _exit (g_file_set_contents (size_path, text, -1, NULL) ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (g_file_get_contents (size_path, &size_text, NULL, NULL));
  decompressed = g_ascii_strtoull (size_text, NULL, 10);

  run_top (small, NULL, &peer);
  g_assert_cmpint (peer.status, ==, 0);
  run_top (path, NULL, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_test_message ("%zu bytes decompressed: peak RSS %ld KiB, %.1f times that over the small "
                  "profile's %ld KiB", decompressed, run.max_rss,
                  (run.max_rss - peer.max_rss) * 1024.0 / decompressed, peer.max_rss);
  g_unlink (path);
  g_unlink (size_path);
  /* ASan's redzones and its quarantine of freed memory are not the decoder's */
  if (g_strcmp0 (g_getenv ("GZ_TEST_SANITIZED"), "1") == 0)
    {
      g_test_skip ("the memory bound is checked without the sanitizers (figures above)");
      return;
    }
  g_assert_cmpint (run.max_rss - peer.max_rss, <=, (32 * (glong) decompressed) / 1024 + 16 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-profile-input-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/profile-input/fifo", test_fifo);
  g_test_add_func ("/profile-input/devices", test_devices);
  g_test_add_func ("/profile-input/directory", test_directory);
  g_test_add_func ("/profile-input/empty-samples-bomb", test_empty_samples_bomb);
  g_test_add_func ("/profile-input/caps", test_caps);
  g_test_add_func ("/profile-input/large-real-profile", test_large_real_profile);

  ret = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
