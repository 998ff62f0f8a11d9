/* gz-profile.c: placeholder, to be written. */
