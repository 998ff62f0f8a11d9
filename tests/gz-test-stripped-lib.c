/* gz-test-stripped-lib.c: a library that the debuginfod test builds, then strips, keeping its
 * debug file apart for a local debuginfod: its static function is named only through that file. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

int   gz_test_stripped_exported (int value);
void *gz_test_stripped_hidden_address (void);
void  gz_test_stripped_hidden_lines (int *first,
                                     int *last);

static const int hidden_first_line = __LINE__ + 3;
/* Not in the dynamic symbol table: a stripped copy has no name for it. */
static __attribute__((noinline, noipa)) int
gz_test_stripped_hidden (int value)
{
  int sum = 0;

  for (int i = 0; i < value; i++)
    sum += i * value;
  return sum;
}
static const int hidden_last_line = __LINE__ - 1;

int
gz_test_stripped_exported (int value)
{
  return gz_test_stripped_hidden (value) + 1;
}

void *
gz_test_stripped_hidden_address (void)
{
  return (void *) gz_test_stripped_hidden;
}

/* The lines of the static function, from its name to its closing brace. */
void
gz_test_stripped_hidden_lines (int *first,
                               int *last)
{
  *first = hidden_first_line;
  *last = hidden_last_line;
}
