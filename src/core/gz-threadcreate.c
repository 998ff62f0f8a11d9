/* gz-threadcreate.c: placeholder, to be written. */
