/* test-duration.c: Go's duration syntax, parsed and formatted as Go does (cases from Go's own
 * time package tests). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-duration.h"

#define US G_GINT64_CONSTANT (1000)
#define MS G_GINT64_CONSTANT (1000000)
#define S  G_GINT64_CONSTANT (1000000000)
#define M  (60 * S)
#define H  (60 * M)

static const struct
{
  const char *text;
  gint64      nanoseconds;
} good[] = {
  { "0", 0 },
  { "5s", 5 * S },
  { "30s", 30 * S },
  { "1478s", 1478 * S },
  { "+5s", 5 * S },
  { "0s", 0 },
  { "5.6s", 5 * S + 600 * MS },
  { "5.s", 5 * S },
  { ".5s", 500 * MS },
  { "1.0s", S },
  { "1.004s", S + 4 * MS },
  { "100.00100s", 100 * S + MS },
  { "10ns", 10 },
  { "11us", 11 * US },
  { "12\xc2\xb5s", 12 * US },
  { "12\xce\xbcs", 12 * US },
  { "13ms", 13 * MS },
  { "300ms", 300 * MS },
  { "15m", 15 * M },
  { "16h", 16 * H },
  { "1.5h", 90 * M },
  { "3h30m", 3 * H + 30 * M },
  { "1m30s", 90 * S },
  { "1h2m3.5s", H + 2 * M + 3 * S + 500 * MS },
  { "10.5s4m", 4 * M + 10 * S + 500 * MS },
  { "1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 },
  { "39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS },
  { "52763797000ns", 52763797000 },
  { "0.3333333333333333333h", 20 * M },
  { "9007199254740993ns", (G_GINT64_CONSTANT (1) << 53) + 1 },
  { "9223372036854775807ns", G_MAXINT64 },
  { "9223372036854775.807us", G_MAXINT64 },
  { "9223372036854ms775us807ns", G_MAXINT64 },
  { "0.100000000000000000000h", 6 * M },
  { "0.830103483285477580700h", 49 * M + 48 * S + 372539827 },
};

static const struct
{
  const char *text;
  const char *problem; /* a fragment the message must contain */
} bad[] = {
  { "", "empty" },
  { "3", "unit is missing" },
  { "-", "negative" },
  { "-5s", "must not be negative" },
  { "-2m3.4s", "must not be negative" },
  { "s", "expected a number" },
  { ".", "expected a number" },
  { ".s", "expected a number" },
  { "+.s", "expected a number" },
  { "1d", "unknown unit" },
  { "5 s", "unknown unit" },
  { "abc", "expected a number" },
  { "\x85\x85", "expected a number" },
  { "9223372036854775808ns", "too large" },
  { "9223372036854775.808us", "too large" },
  { "9223372036854ms775us808ns", "too large" },
  { "3000000h", "too large" },
};

static void
test_parse_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ns = -1;

      g_test_message ("parsing %s", good[i].text);
      g_assert_true (gz_duration_parse (good[i].text, &ns, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ns, ==, good[i].nanoseconds);
    }
}

static void
test_parse_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      /* Escaped: some inputs are not UTF-8, and the TAP stream must stay text. */
      g_autofree char *shown = g_strescape (bad[i].text, NULL);
      gint64 ns = 42;

      g_test_message ("parsing \"%s\"", shown);
      g_assert_false (gz_duration_parse (bad[i].text, &ns, &error));
      g_assert_error (error, GZ_DURATION_ERROR, 0);
      g_assert_cmpint (ns, ==, 42);
      g_assert_nonnull (strstr (error->message, bad[i].problem));
      /* Every message shows what a good duration looks like. */
      g_assert_nonnull (strstr (error->message, "e.g. 30s"));
    }
}

static void
test_format (void)
{
  static const struct
  {
    gint64      nanoseconds;
    const char *text;
  } cases[] = {
    { 0, "0s" },
    { 1, "1ns" },
    { 1100, "1.1\xc2\xb5s" },
    { 2200 * US, "2.2ms" },
    { 300 * MS, "300ms" },
    { 3300 * MS, "3.3s" },
    { 30 * S, "30s" },
    { 90 * S, "1m30s" },
    { 4 * M + 5 * S, "4m5s" },
    { 4 * M + 5001 * MS, "4m5.001s" },
    { 5 * H + 6 * M + 7001 * MS, "5h6m7.001s" },
    { 8 * M + 1, "8m0.000000001s" },
    { H, "1h0m0s" },
    { -90 * S, "-1m30s" },
    { G_MAXINT64, "2562047h47m16.854775807s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gz_duration_format (cases[i].nanoseconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *text = gz_duration_format (good[i].nanoseconds);
      gint64 ns = -1;

      g_assert_true (gz_duration_parse (text, &ns, NULL));
      g_assert_cmpint (ns, ==, good[i].nanoseconds);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/duration/parse", test_parse_good);
  g_test_add_func ("/core/duration/errors", test_parse_bad);
  g_test_add_func ("/core/duration/format", test_format);
  g_test_add_func ("/core/duration/round-trip", test_round_trip);
  return g_test_run ();
}
