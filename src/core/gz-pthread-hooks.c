/* gz-pthread-hooks.c: placeholder, to be written. */
