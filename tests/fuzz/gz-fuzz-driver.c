/* gz-fuzz-driver.c: runs a libFuzzer target (LLVMFuzzerTestOneInput) without clang: replays
 * every file of the corpus directories, then mutates them deterministically (bit flips, bytes
 * set to edge values, chunks cut, copied, repeated or spliced from another seed) for a bounded
 * time or number of runs. The suite builds each target with it under gcc, in the normal and the
 * ASan+UBSan builds; bench/fuzz/run.sh builds the same targets with clang's libFuzzer.
 * Usage: gz-fuzz-target [-max_total_time=S] [-runs=N] [-seed=N] [-artifact_prefix=P]
 *        CORPUS_DIR_OR_FILE... A crashing input is written to P + "crash-input" first (from the
 * signal handler, or ASan's death callback). -runs=N -save_last=1 writes the Nth input to
 * P + "last-input": how a leak reported at exit is found (bisect on N). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* ASan's, when the driver is linked with it */
extern void __sanitizer_set_death_callback (void (*callback) (void)) __attribute__ ((weak));

#define MAX_LEN (1 << 20)

static const guint8 *current_data;
static gsize current_size;
static char *artifact_path;

/* async-signal-safe: write () only */
static void
save_current (void)
{
  int fd;

  if (artifact_path == NULL || current_data == NULL)
    return;
  fd = open (artifact_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  for (gsize done = 0; done < current_size; )
    {
      ssize_t n = write (fd, current_data + done, current_size - done);

      if (n <= 0)
        break;
      done += n;
    }
  close (fd);
}

static void
on_fatal_signal (int sig)
{
  static const char message[] = "gz-fuzz-driver: fatal signal; the input is in the artifact\n";

  save_current ();
  (void) write (2, message, sizeof message - 1);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
run_one (const guint8 *data,
         gsize         size)
{
  /* a copy of exactly @size bytes, so that ASan sees any read past the end */
  guint8 *copy = g_malloc (MAX (size, 1));

  if (size > 0)
    memcpy (copy, data, size);
  current_data = copy;
  current_size = size;
  LLVMFuzzerTestOneInput (copy, size);
  current_data = NULL;
  g_free (copy);
}

static void
add_file (GPtrArray  *seeds,
          const char *path)
{
  char *contents = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &contents, &length, NULL))
    {
      if (length > MAX_LEN)
        length = MAX_LEN;
      g_ptr_array_add (seeds, g_bytes_new_take (contents, length));
    }
}

static void
add_path (GPtrArray  *seeds,
          const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      add_file (seeds, path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_dir_close (dir);
  /* the same order on every machine: runs are reproducible */
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    if (g_file_test (names->pdata[i], G_FILE_TEST_IS_REGULAR))
      add_file (seeds, names->pdata[i]);
}

static const guint8 interesting[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0xfe, '0', '9', '"',
                                      '{', '}', '[', ']', ',', ':', '=', '&', '%', '\n', '\\' };

/* @n bytes of @data (not inside @input) at @pos. */
static void
insert (GByteArray   *input,
        guint         pos,
        const guint8 *data,
        guint         n)
{
  guint len = input->len;

  g_byte_array_set_size (input, len + n);
  memmove (input->data + pos + n, input->data + pos, len - pos);
  memcpy (input->data + pos, data, n);
}

/* One to eight mutations of @input, in place. */
static void
mutate (GByteArray *input,
        GBytes     *other,
        GRand      *rand)
{
  guint n = g_rand_int_range (rand, 1, 9);

  for (guint i = 0; i < n; i++)
    {
      guint len = input->len;
      guint pos = len > 0 ? g_rand_int_range (rand, 0, len) : 0;

      switch (g_rand_int_range (rand, 0, 9))
        {
        case 0: /* flip a bit */
          if (len > 0)
            input->data[pos] ^= 1u << g_rand_int_range (rand, 0, 8);
          break;
        case 1: /* an edge value */
          if (len > 0)
            input->data[pos] = interesting[g_rand_int_range (rand, 0, sizeof interesting)];
          break;
        case 2: /* a random byte */
          if (len > 0)
            input->data[pos] = g_rand_int_range (rand, 0, 256);
          break;
        case 3: /* cut a chunk */
          if (len > 0)
            g_byte_array_remove_range (input, pos,
                                       g_rand_int_range (rand, 1, MIN (len - pos, 64u) + 1));
          break;
        case 4: /* insert an edge value */
          {
            guint8 byte = interesting[g_rand_int_range (rand, 0, sizeof interesting)];

            if (len < MAX_LEN)
              insert (input, pos, &byte, 1);
          }
          break;
        case 5: /* repeat a chunk (lengths, counts, nesting) */
          if (len > 0 && len < MAX_LEN / 2)
            {
              guint chunk = g_rand_int_range (rand, 1, MIN (len - pos, 256u) + 1);
              guint times = g_rand_int_range (rand, 1, 9);
              g_autofree guint8 *copy = g_memdup2 (input->data + pos, chunk);

              for (guint t = 0; t < times; t++)
                insert (input, pos, copy, chunk);
            }
          break;
        case 6: /* splice from another seed */
          {
            gsize other_len;
            const guint8 *other_data = g_bytes_get_data (other, &other_len);

            if (other_len > 0 && len < MAX_LEN)
              {
                guint from = g_rand_int_range (rand, 0, other_len);
                guint chunk = g_rand_int_range (rand, 1, MIN (other_len - from, 512u) + 1);

                insert (input, pos, other_data + from, chunk);
              }
          }
          break;
        case 7: /* truncate */
          if (len > 0)
            g_byte_array_set_size (input, pos);
          break;
        default: /* overwrite a little-endian number or varint at pos */
          if (len >= 4 && pos + 4 <= len)
            {
              guint32 v = g_rand_int (rand) >> g_rand_int_range (rand, 0, 32);

              memcpy (input->data + pos, &v, 4);
            }
          break;
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  double max_time = 10;
  guint64 max_runs = G_MAXUINT64, runs = 0, mutated = 0;
  guint32 seed = 1;
  const char *prefix = "";
  gboolean save_last = FALSE;
  gint64 start;
  guint round = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "-max_total_time="))
        max_time = g_ascii_strtod (argv[i] + strlen ("-max_total_time="), NULL);
      else if (g_str_has_prefix (argv[i], "-runs="))
        max_runs = g_ascii_strtoull (argv[i] + strlen ("-runs="), NULL, 10);
      else if (g_str_has_prefix (argv[i], "-seed="))
        seed = g_ascii_strtoull (argv[i] + strlen ("-seed="), NULL, 10);
      else if (g_str_has_prefix (argv[i], "-artifact_prefix="))
        prefix = argv[i] + strlen ("-artifact_prefix=");
      else if (g_str_equal (argv[i], "-save_last=1"))
        save_last = TRUE;
      else if (argv[i][0] == '-')
        continue; /* libFuzzer's other flags: not ours */
      else
        add_path (seeds, argv[i]);
    }
  artifact_path = g_strconcat (prefix, "crash-input", NULL);
  signal (SIGSEGV, on_fatal_signal);
  signal (SIGBUS, on_fatal_signal);
  signal (SIGABRT, on_fatal_signal);
  signal (SIGFPE, on_fatal_signal);
  signal (SIGILL, on_fatal_signal);
  if (__sanitizer_set_death_callback != NULL)
    __sanitizer_set_death_callback (save_current);

  /* the empty input first, then every seed as it is */
  g_ptr_array_insert (seeds, 0, g_bytes_new_static ("", 0));
  start = g_get_monotonic_time ();
  for (guint i = 0; i < seeds->len && runs < max_runs; i++, runs++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (seeds->pdata[i], &len);

      run_one (data, len);
    }

  /* then mutants, round after round over the seeds, from one fixed random sequence */
  rand = g_rand_new_with_seed (seed);
  while (runs < max_runs && (g_get_monotonic_time () - start) / 1e6 < max_time)
    {
      for (guint i = 0; i < seeds->len && runs < max_runs; i++, runs++, mutated++)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (seeds->pdata[i], &len);
          GBytes *other = seeds->pdata[g_rand_int_range (rand, 0, seeds->len)];

          g_byte_array_set_size (input, 0);
          g_byte_array_append (input, data, len);
          /* later rounds stack more mutations on one input */
          for (guint k = 0; k <= MIN (round / 8, 3u); k++)
            mutate (input, other, rand);
          run_one (input->data, input->len);
          if ((g_get_monotonic_time () - start) / 1e6 >= max_time)
            break;
        }
      round++;
    }

  if (save_last && mutated > 0)
    {
      g_autofree char *last = g_strconcat (prefix, "last-input", NULL);

      g_assert_true (g_file_set_contents (last, (const char *) input->data, input->len, NULL));
    }
  printf ("Done %" G_GUINT64_FORMAT " runs in %.1f s: %u seeds, %" G_GUINT64_FORMAT
          " mutants (seed %u), no crash\n", runs, (g_get_monotonic_time () - start) / 1e6,
          seeds->len, mutated, seed);
  /* before LeakSanitizer's report at exit, which ends the process without flushing */
  fflush (stdout);
  g_free (artifact_path);
  return 0;
}
