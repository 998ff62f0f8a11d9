/* gz-test-host-static.c: a statically linked program that creates the file MARKER as its first
 * act: where it exists, the program ran. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <fcntl.h>
#include <unistd.h>

int
main (int    argc,
      char **argv)
{
  int fd;

  if (argc != 2)
    return 2;
  fd = open (argv[1], O_WRONLY | O_CREAT, 0644);
  if (fd < 0)
    return 3;
  close (fd);
  return 0;
}
