/* gz-contention.c: placeholder, to be written. */
