/* gz-test-host-closefds.c: a plain program that behaves as a daemon does: it closes every fd
 * from 3 to 1024 first, then allocates and spins while it writes lines of its own into FILE
 * (nothing else may land there) and exits 0.
 *
 *   gz-test-host-closefds FILE
 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *volatile kept[4096];
static volatile uint64_t sink;

__attribute__ ((noinline, noipa)) static void
daemon_work (int round)
{
  uint64_t x = (uint64_t) round + 11;

  for (int i = 0; i < 32; i++)
    {
      kept[(round * 32 + i) % 4096] = malloc (2048 + (size_t) i);
      memset (kept[(round * 32 + i) % 4096], round & 0x7f, 16);
    }
  for (int i = 0; i < 200000; i++)
    x ^= x << 7, x ^= x >> 9;
  sink += x;
}

int
main (int    argc,
      char **argv)
{
  int fd;

  if (argc != 2)
    return 2;
  for (int i = 3; i <= 1024; i++)
    close (i);
  fd = open (argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return 3;
  for (int round = 0; round < 200; round++)
    {
      char line[64];
      int length = snprintf (line, sizeof line, "host line %d\n", round);

      daemon_work (round);
      if (write (fd, line, (size_t) length) != length)
        return 4;
    }
  close (fd);
  return 0;
}
