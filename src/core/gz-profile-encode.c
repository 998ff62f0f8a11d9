/* gz-profile-encode.c: placeholder, to be written. */
