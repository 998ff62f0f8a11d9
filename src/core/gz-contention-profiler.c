/* gz-contention-profiler.c: placeholder, to be written. */
