/* gz-threadcreate-profiler.c: placeholder, to be written. */
