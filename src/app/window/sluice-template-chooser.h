/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sluice-application.h"

G_BEGIN_DECLS

/* "New From Template…": a dialog listing the templates (name, what it
 * is for, what the user must fill in); choosing one opens it as a new,
 * unsaved pipeline. Returns the dialog (owned by GTK). */
GtkWidget *sluice_template_chooser_present (GtkWindow         *parent,
                                            SluiceApplication *application);

G_END_DECLS
