/* gz-heap-profiler.c: placeholder, to be written. */
