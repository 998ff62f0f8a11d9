/* gz-profile-delta.h: the difference of two profiles of the same process, as Go computes
 * `?seconds=N` deltas: the one delta of gz, used by the server and by sessions. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-profile.h"

G_BEGIN_DECLS

/* Turns @end into @end − @start, in place. Samples are matched by their stack (each frame's
 * address and name, so that two snapshots symbolized separately still match) and their text
 * labels. Every value is subtracted except those of the sample types named in @keep
 * (NULL-terminated, may be NULL), which keep @end's value: a heap's in-use values are a state,
 * not a count. Samples that come out all zero are dropped, and with them the locations and
 * functions no other sample uses (the rest are renumbered 1..N); stacks only in @start (gone
 * since) are left out. @end's duration becomes the time between the two profiles. */
void gz_profile_subtract (GzProfile          *end,
                          GzProfile          *start,
                          const char * const *keep);

G_END_DECLS
