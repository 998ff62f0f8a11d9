/* gen-profile.c: writes a large synthetic CPU profile (gzip profile.proto, as Go writes it) for
 * the top and viewer benchmarks: ~1M samples over ~50k functions by default, deep skewed stacks
 * that share prefixes, some recursion and some inlined frames. Deterministic for a seed.
 *
 * Build: cc -O2 -o gen-profile gen-profile.c -lz -lm
 * Usage: gen-profile OUT.prof [SAMPLES [FUNCTIONS [SEED]]] */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct
{
  uint8_t *data;
  size_t   len;
  size_t   cap;
} Buf;

static void
buf_reserve (Buf   *b,
             size_t n)
{
  if (b->len + n <= b->cap)
    return;
  while (b->len + n > b->cap)
    b->cap = b->cap ? b->cap * 2 : 4096;
  b->data = realloc (b->data, b->cap);
  if (b->data == NULL)
    {
      fprintf (stderr, "gen-profile: out of memory\n");
      exit (1);
    }
}

static void
put_varint (Buf     *b,
            uint64_t v)
{
  buf_reserve (b, 10);
  while (v >= 0x80)
    {
      b->data[b->len++] = (uint8_t) (v | 0x80);
      v >>= 7;
    }
  b->data[b->len++] = (uint8_t) v;
}

static void
put_tag (Buf     *b,
         unsigned field,
         unsigned wire)
{
  put_varint (b, (field << 3) | wire);
}

/* A varint field, skipped when zero as proto3 does. */
static void
put_uint (Buf     *b,
          unsigned field,
          uint64_t v)
{
  if (v == 0)
    return;
  put_tag (b, field, 0);
  put_varint (b, v);
}

static void
put_bytes (Buf        *b,
           unsigned    field,
           const void *data,
           size_t      len)
{
  put_tag (b, field, 2);
  put_varint (b, len);
  buf_reserve (b, len);
  memcpy (b->data + b->len, data, len);
  b->len += len;
}

/* A sub-message: @inner is written as field @field of @b, then emptied. */
static void
put_message (Buf     *b,
             unsigned field,
             Buf     *inner)
{
  put_bytes (b, field, inner->data, inner->len);
  inner->len = 0;
}

static uint64_t rng_state;

static uint64_t
rng (void)
{
  /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double
uniform (void)
{
  return (double) (rng () >> 11) / (double) (1ull << 53);
}

int
main (int    argc,
      char **argv)
{
  const char *out_path;
  long n_samples = 1000000;
  long n_functions = 50000;
  uint64_t seed = 1;
  long n_strings;
  Buf profile = { 0 }, msg = { 0 }, sub = { 0 }, packed = { 0 };
  const int64_t period = 10000000; /* 10 ms, as Go's 100 Hz */
  uint32_t stack[64];
  gzFile gz;

  if (argc < 2 || argc > 5)
    {
      fprintf (stderr, "Usage: gen-profile OUT.prof [SAMPLES [FUNCTIONS [SEED]]]\n");
      return 2;
    }
  out_path = argv[1];
  if (argc > 2)
    n_samples = atol (argv[2]);
  if (argc > 3)
    n_functions = atol (argv[3]);
  if (argc > 4)
    seed = strtoull (argv[4], NULL, 10);
  if (n_samples < 1 || n_functions < 16)
    {
      fprintf (stderr, "gen-profile: need at least 1 sample and 16 functions\n");
      return 2;
    }
  rng_state = seed;

  /* sample types: samples/count, cpu/nanoseconds */
  put_uint (&sub, 1, 1);
  put_uint (&sub, 2, 2);
  put_message (&profile, 1, &sub);
  put_uint (&sub, 1, 3);
  put_uint (&sub, 2, 4);
  put_message (&profile, 1, &sub);

  /* Stacks: a root, then frames drawn with a skew toward low function indices (hot code), so
   * that stacks share prefixes; now and then a frame recurses into itself. */
  for (long i = 0; i < n_samples; i++)
    {
      int depth = 4 + (int) (rng () % 28);
      uint64_t count = 1 + (rng () % 4 == 0 ? rng () % 8 : 0);

      stack[0] = 0; /* main */
      for (int d = 1; d < depth; d++)
        {
          if (d > 2 && rng () % 20 == 0)
            stack[d] = stack[d - 1];
          else
            {
              double u = uniform ();
              uint32_t f = 1 + (uint32_t) ((double) (n_functions - 1) * pow (u, 2.5 + d * 0.05));

              stack[d] = f < (uint32_t) n_functions ? f : (uint32_t) n_functions - 1;
            }
        }
      /* location ids, leaf first: location k + 1 is function k */
      for (int d = depth - 1; d >= 0; d--)
        put_varint (&packed, stack[d] + 1);
      put_message (&msg, 1, &packed);
      put_varint (&packed, count);
      put_varint (&packed, (uint64_t) (count * period));
      put_message (&msg, 2, &packed);
      put_message (&profile, 2, &msg);
    }

  /* one mapping: the program */
  put_uint (&msg, 1, 1);
  put_uint (&msg, 2, 0x400000);
  put_uint (&msg, 3, 0x400000 + 0x100000 + 64ull * n_functions);
  put_uint (&msg, 5, 6);
  put_uint (&msg, 7, 1);
  put_uint (&msg, 8, 1);
  put_uint (&msg, 9, 1);
  put_uint (&msg, 10, 1);
  put_message (&profile, 3, &msg);

  /* Locations: one per function; every 16th also holds an inlined callee (the next function),
   * innermost first, as Go writes them. */
  for (long k = 0; k < n_functions; k++)
    {
      put_uint (&msg, 1, k + 1);
      put_uint (&msg, 2, 1);
      put_uint (&msg, 3, 0x401000 + 64ull * k);
      if (k % 16 == 15 && k + 1 < n_functions)
        {
          put_uint (&sub, 1, k + 2);
          put_uint (&sub, 2, 10 + k % 50);
          put_message (&msg, 4, &sub);
        }
      put_uint (&sub, 1, k + 1);
      put_uint (&sub, 2, 20 + k % 100);
      put_message (&msg, 4, &sub);
      put_message (&profile, 4, &msg);
    }

  /* Functions: names are strings 8 + 2k, file names 9 + 2k. */
  for (long k = 0; k < n_functions; k++)
    {
      put_uint (&msg, 1, k + 1);
      put_uint (&msg, 2, 8 + 2 * k);
      put_uint (&msg, 3, 8 + 2 * k);
      put_uint (&msg, 4, 9 + 2 * k);
      put_uint (&msg, 5, 10);
      put_message (&profile, 5, &msg);
    }

  /* string table */
  {
    static const char *fixed[] = { "", "samples", "count", "cpu", "nanoseconds", "",
                                   "/usr/bin/gen-target", "" };

    n_strings = 8 + 2 * n_functions;
    for (int s = 0; s < 8; s++)
      put_bytes (&profile, 6, fixed[s], strlen (fixed[s]));
    for (long k = 0; k < n_functions; k++)
      {
        char name[96];
        int len;

        if (k == 0)
          len = snprintf (name, sizeof name, "main.main");
        else
          len = snprintf (name, sizeof name, "gen/pkg%03ld.(*Worker%ld).step%ld", k % 500, k,
                          k % 7);
        put_bytes (&profile, 6, name, (size_t) len);
        len = snprintf (name, sizeof name, "/src/gen/pkg%03ld/worker.go", k % 500);
        put_bytes (&profile, 6, name, (size_t) len);
      }
    (void) n_strings;
  }

  put_uint (&profile, 9, 1764500000000000000ull);
  put_uint (&profile, 10, 60000000000ull);
  put_uint (&sub, 1, 3);
  put_uint (&sub, 2, 4);
  put_message (&profile, 11, &sub);
  put_uint (&profile, 12, (uint64_t) period);

  gz = gzopen (out_path, "wb6");
  if (gz == NULL || gzwrite (gz, profile.data, (unsigned) profile.len) != (int) profile.len ||
      gzclose (gz) != Z_OK)
    {
      fprintf (stderr, "gen-profile: cannot write %s\n", out_path);
      return 1;
    }
  fprintf (stderr, "gen-profile: %s: %ld samples, %ld functions, %zu bytes uncompressed\n",
           out_path, n_samples, n_functions, profile.len);
  free (profile.data);
  free (msg.data);
  free (sub.data);
  free (packed.data);
  return 0;
}
