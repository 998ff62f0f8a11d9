/* gz-stats.c: placeholder, to be written. */
