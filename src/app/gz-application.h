/* gz-application.h: the gz-profile application: its actions, shortcuts and windows. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_APPLICATION (gz_application_get_type ())
G_DECLARE_FINAL_TYPE (GzApplication, gz_application, GZ, APPLICATION, AdwApplication)

GzApplication *gz_application_new (void);

G_END_DECLS
