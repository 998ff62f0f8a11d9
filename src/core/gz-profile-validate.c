/* gz-profile-validate.c: placeholder, to be written. */
