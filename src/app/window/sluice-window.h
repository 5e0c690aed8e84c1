/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-document.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_WINDOW (sluice_window_get_type ())
G_DECLARE_FINAL_TYPE (SluiceWindow, sluice_window, SLUICE, WINDOW, AdwApplicationWindow)

/* One window per document. Every command is a "win." action (see
 * sluice-window-actions.c), so tests and scripts drive the window the way
 * a user does. */
SluiceWindow   *sluice_window_new           (SluiceApplication *application);
/* Replaces the window's pipeline by a new one from the template @name;
 * FALSE (and an error dialog) when it cannot be loaded. */
gboolean        sluice_window_load_template (SluiceWindow      *self,
                                             const char        *name);
SluiceDocument *sluice_window_get_document  (SluiceWindow      *self);
SluiceCanvas   *sluice_window_get_canvas    (SluiceWindow      *self);
/* Loads @file into this window; on failure shows why and returns FALSE. */
gboolean        sluice_window_load          (SluiceWindow      *self,
                                             GFile             *file);
gboolean        sluice_window_load_draft    (SluiceWindow      *self,
                                             const char        *draft,
                                             GFile             *file);
/* Untitled and never edited: fit to be replaced by an opened file. */
gboolean        sluice_window_is_pristine   (SluiceWindow      *self);
/* Shows a transient message. */
void            sluice_window_toast         (SluiceWindow      *self,
                                             const char        *message);
/* The last message shown with sluice_window_toast (for tests). */
const char     *sluice_window_get_last_message (SluiceWindow   *self);

G_END_DECLS
