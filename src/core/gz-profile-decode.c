/* gz-profile-decode.c: placeholder, to be written. */
