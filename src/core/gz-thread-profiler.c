/* gz-thread-profiler.c: placeholder, to be written. */
