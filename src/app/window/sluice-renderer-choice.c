/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <epoxy/gl.h>
#include <string.h>

#include "sluice-renderer-choice.h"

/* Why the designer picks GTK's renderer itself on a software OpenGL.
 *
 * With no GPU driver (a virtual machine, a remote desktop, Xvfb), Mesa's
 * llvmpipe gives GTK 4.8 a working OpenGL and GTK draws with its GL
 * renderer: every frame redraws the whole window through emulated
 * shaders on the processors that also run the pipeline. GTK's cairo
 * renderer draws only the region that changed. Measured under Xvfb with
 * llvmpipe on two processors: bench-designer's zoom and pan frames at
 * 10,000 modules took 1.9 ms instead of 9.0 ms, and the first window
 * painted in 120 ms instead of 273 ms; in bench-live-run (5,000
 * modules, 100,000 items) a live run's frame took 41 ms from layout to
 * painted instead of 113 ms, and the window drew 6 to 11 frames a
 * second instead of 3 to 6, for the same CPU. Newer GTKs look for
 * llvmpipe in their own choice too.
 *
 * The choice is made through the display's "gsk-renderer" data, which
 * GTK (since 4.0; its inspector uses it) reads before GSK_RENDERER: a
 * process-wide setenv() is not safe once threads run, and the tests and
 * benchmarks start the application without main(). */

gboolean
sluice_gl_renderer_is_software (const char *gl_renderer)
{
  static const char * const software[] = { "llvmpipe", "softpipe", "swrast", "Software Rasterizer" };

  if (gl_renderer == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (gl_renderer, software[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* What @display's OpenGL calls itself, or NULL without one. */
static char *
read_gl_renderer (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  char *name;

  if (!gdk_display_prepare_gl (display, NULL))
    return NULL;
  context = gdk_display_create_gl_context (display, NULL);
  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    return NULL;
  gdk_gl_context_make_current (context);
  name = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();
  return name;
}

gboolean
sluice_renderer_choose_for_display (GdkDisplay *display)
{
  g_autofree char *gl_renderer = NULL;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

  /* The user's choice wins, GL included (GSK_RENDERER=gl). */
  if (g_getenv ("GSK_RENDERER") != NULL)
    return FALSE;
  gl_renderer = read_gl_renderer (display);
  if (!sluice_gl_renderer_is_software (gl_renderer))
    return FALSE;
  g_debug ("OpenGL is %s, a software one: drawing with cairo", gl_renderer);
  g_object_set_data (G_OBJECT (display), "gsk-renderer", (gpointer) "cairo");
  return TRUE;
}
