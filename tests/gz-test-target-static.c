/* gz-test-target-static.c: a statically linked program, which LD_PRELOAD cannot reach: gz-cli
 * must refuse to launch it with the preload, before it runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

int
main (void)
{
  return 0;
}
