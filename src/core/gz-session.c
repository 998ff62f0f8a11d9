/* gz-session.c: placeholder, to be written. */
