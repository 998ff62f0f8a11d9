/* gz-test-target-static.c: a statically linked program, which LD_PRELOAD cannot reach: gz-cli
 * must refuse to launch it with the agent, before it runs. */

int
main (void)
{
  return 0;
}
