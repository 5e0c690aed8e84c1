/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The preferences window: the canvas grid and how often drafts of unsaved
 * work are written. Every row is bound to @settings. */
GtkWindow *sluice_preferences_window_new (GtkWindow *parent,
                                          GSettings *settings);

G_END_DECLS
