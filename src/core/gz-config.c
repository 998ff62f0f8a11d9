/* gz-config.c: placeholder, to be written. */
