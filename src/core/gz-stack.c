/* gz-stack.c: placeholder, to be written. */
