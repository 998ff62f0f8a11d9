/* gz-malloc-hooks.c: placeholder, to be written. */
