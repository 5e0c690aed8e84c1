/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-canvas-private.h"
#include "sluice-run-session.h"

G_BEGIN_DECLS

/* The colours of the text a run draws on the canvas, each on its fill
 * with at least 4.5:1 contrast (WCAG AA for small text) in the light and
 * the dark style; pure, for tests.
 *
 * A badge is a label in a pill of its state's colour: a node's state, a
 * check's result, a branch's count, a stage's state in words far out.
 * The same in both styles, as libadwaita's coloured pills are; darker
 * than the state's colour of outlines where white text needs it, dark
 * text on yellow. */
void sluice_canvas_run_badge_colors (SluiceLiveState           state,
                                     GdkRGBA                  *fill,
                                     GdkRGBA                  *text);
/* A module's counters under it, in a chip framed in its state's colour:
 * a card of the canvas's style with its text. */
void sluice_canvas_run_chip_colors  (const SluiceCanvasColors *colors,
                                     GdkRGBA                  *fill,
                                     GdkRGBA                  *text);

G_END_DECLS
