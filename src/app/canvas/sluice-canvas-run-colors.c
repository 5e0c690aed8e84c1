/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-canvas-run-colors.h"

void
sluice_canvas_run_badge_colors (SluiceLiveState  state,
                                GdkRGBA         *fill,
                                GdkRGBA         *text)
{
  /* White on libadwaita's blue, green, grey and yellow is 2.2 to 3.8:1:
   * one step darker (GNOME palette blue 4, dark 2; green below green 5),
   * dark 5 on yellow. */
  static const char *fills[] = {
    [SLUICE_LIVE_IDLE] = "#5e5c64",
    [SLUICE_LIVE_WAITING] = "#e5a50a",
    [SLUICE_LIVE_RUNNING] = "#1c71d8",
    [SLUICE_LIVE_DONE] = "#1a7f4f",
    [SLUICE_LIVE_FAILED] = "#c01c28",
    [SLUICE_LIVE_SKIPPED] = "#5e5c64",
    [SLUICE_LIVE_CANCELLED] = "#c64600",
    [SLUICE_LIVE_PAUSED] = "#e5a50a",
  };
  gboolean yellow = state == SLUICE_LIVE_WAITING || state == SLUICE_LIVE_PAUSED;

  g_return_if_fail ((guint) state < G_N_ELEMENTS (fills));

  gdk_rgba_parse (fill, fills[state]);
  gdk_rgba_parse (text, yellow ? "#241f31" : "#ffffff");
}

void
sluice_canvas_run_chip_colors (const SluiceCanvasColors *colors,
                               GdkRGBA                  *fill,
                               GdkRGBA                  *text)
{
  *fill = colors->card;
  *text = colors->text;
}
