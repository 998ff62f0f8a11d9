/* gz-session-registry.c: placeholder, to be written. */
