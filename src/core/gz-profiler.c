/* gz-profiler.c: placeholder, to be written. */
