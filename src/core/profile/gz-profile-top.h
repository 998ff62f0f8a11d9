/* gz-profile-top.h: flat and cumulative totals per function, like `pprof -top`. */
#pragma once

#include "gz-profile.h"

G_BEGIN_DECLS

/* Flat and cumulative totals per function name for sample type @index, sorted by flat,
 * largest first; like `pprof -top`. */
typedef struct
{
  char  *name;
  gint64 flat;
  gint64 cum;
} GzTopEntry;

/* Returns a GArray of GzTopEntry (freeing it frees the names); @max_entries 0 means all.
 * A location without lines is named by its address. Recursion counts once in cum. */
GArray     *gz_profile_top                (GzProfile    *self,
                                           guint         index,
                                           guint         max_entries);
/* The name gz_profile_top() uses for @location: its innermost function, or its address. */
char       *gz_profile_location_name      (GzProfile    *self,
                                           GzLocation   *location);

G_END_DECLS
