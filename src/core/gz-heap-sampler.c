/* gz-heap-sampler.c: placeholder, to be written. */
