/* gz-cpu-profiler.c: placeholder, to be written. */
