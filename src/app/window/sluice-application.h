/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_APPLICATION (sluice_application_get_type ())
G_DECLARE_FINAL_TYPE (SluiceApplication, sluice_application, SLUICE, APPLICATION, AdwApplication)

SluiceApplication *sluice_application_new            (void);
/* The app's settings, or NULL when the schema is not installed (running
 * from a build tree without GSETTINGS_SCHEMA_DIR). */
GSettings         *sluice_application_get_settings   (SluiceApplication *self);
/* Opens @file in its window, or in a new one. */
GtkWindow         *sluice_application_open_file      (SluiceApplication *self,
                                                      GFile             *file);
GtkWindow         *sluice_application_new_window     (SluiceApplication *self);
/* A window holding a new pipeline from the template @name. */
GtkWindow         *sluice_application_new_from_template (SluiceApplication *self,
                                                        const char        *name);
/* The "Open Recent" section of the primary menu. */
GMenuModel        *sluice_application_get_recent_menu (SluiceApplication *self);
void               sluice_application_add_recent     (SluiceApplication *self,
                                                      GFile             *file);

G_END_DECLS
