/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether a GL_RENDERER string names one of Mesa's software
 * rasterisers (llvmpipe, softpipe, swrast). */
gboolean sluice_gl_renderer_is_software     (const char *gl_renderer);

/* Makes @display's windows draw with GTK's cairo renderer when its
 * OpenGL is a software one, unless the user chose a renderer with
 * GSK_RENDERER. Before the display's first window is shown. Returns
 * whether it did. */
gboolean sluice_renderer_choose_for_display (GdkDisplay *display);

G_END_DECLS
