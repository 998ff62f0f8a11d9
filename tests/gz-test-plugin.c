/* gz-test-plugin.c: a module that test-symbolizer-default loads with dlopen after its first
 * profile, to check that code mapped later is still named. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdint.h>

uint64_t gz_test_plugin_return_address (void);
void    *gz_test_plugin_static_address (void);
int      gz_test_plugin_call_line (void);

static int call_line;

static __attribute__((noinline, noipa)) uint64_t
gz_test_plugin_inner (void)
{
  return (uint64_t) (uintptr_t) __builtin_return_address (0);
}

/* Returns an address inside itself: the return address of its call to the inner function. */
__attribute__((noinline, noipa)) uint64_t
gz_test_plugin_return_address (void)
{
  volatile uint64_t address; /* keeps the call from becoming a tail call */

  call_line = __LINE__ + 1;
  address = gz_test_plugin_inner ();
  return address;
}

/* A static function: only the module's own symbol table names it. */
void *
gz_test_plugin_static_address (void)
{
  return (void *) gz_test_plugin_inner;
}

int
gz_test_plugin_call_line (void)
{
  return call_line;
}
