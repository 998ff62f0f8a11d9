/* gz-symbolizer.c: placeholder, to be written. */
