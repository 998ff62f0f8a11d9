/* gz-duration.c: placeholder, to be written. */
