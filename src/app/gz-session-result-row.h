/* gz-session-result-row.h: one finished session in the Sessions page: its file, size, sample
 * count and top five functions, with buttons that open its folder and the profile itself. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-session-types.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSION_RESULT_ROW (gz_session_result_row_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionResultRow, gz_session_result_row, GZ, SESSION_RESULT_ROW,
                      AdwExpanderRow)

/* A row for session @id of @type on @target (a description), whose profile is @path; it says
 * it is being read until set_summary() or set_error(). */
GzSessionResultRow     *gz_session_result_row_new         (const char              *id,
                                                           GzProfileType            type,
                                                           const char              *target,
                                                           const char              *path);
const char             *gz_session_result_row_get_id      (GzSessionResultRow      *self);
void                    gz_session_result_row_set_summary (GzSessionResultRow      *self,
                                                           const GzSessionSummary  *summary);
void                    gz_session_result_row_set_error   (GzSessionResultRow      *self,
                                                           const char              *message);
/* NULL until set_summary(). */
const GzSessionSummary *gz_session_result_row_get_summary (GzSessionResultRow      *self);
const char             *gz_session_result_row_get_error   (GzSessionResultRow      *self);

G_END_DECLS
