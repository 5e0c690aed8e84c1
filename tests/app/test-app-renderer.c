/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gsk/gskcairorenderer.h>

#include "sluice-renderer-choice.h"
#include "test-app-common.h"

/* Which renderer the designer's windows draw with (issue 9): on a
 * software OpenGL, as under Xvfb here, GTK's cairo renderer, which draws
 * only what changed, instead of its GL renderer redrawing every frame
 * whole through llvmpipe; and never against the user's GSK_RENDERER. */

static SluiceApplication *app;
static char *tmp_dir;

static void
test_software_names (void)
{
  g_assert_true (sluice_gl_renderer_is_software ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (sluice_gl_renderer_is_software ("softpipe"));
  g_assert_true (sluice_gl_renderer_is_software ("Software Rasterizer"));
  g_assert_true (sluice_gl_renderer_is_software ("swrast"));
  /* A GPU whose driver is built with LLVM is not llvmpipe. */
  g_assert_false (sluice_gl_renderer_is_software ("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)"));
  g_assert_false (sluice_gl_renderer_is_software ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (sluice_gl_renderer_is_software (""));
  g_assert_false (sluice_gl_renderer_is_software (NULL));
}

/* Xvfb has only Mesa's software OpenGL: the application's start chose
 * cairo for the display, and a window shown draws with it. */
static void
test_xvfb_draws_with_cairo (void)
{
  g_autofree char *path = test_app_example_path ("double.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  GskRenderer *renderer;

  g_assert_cmpstr (g_object_get_data (G_OBJECT (gdk_display_get_default ()), "gsk-renderer"), ==, "cairo");
  test_app_spin (100);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_assert_nonnull (renderer);
  g_assert_true (GSK_IS_CAIRO_RENDERER (renderer));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (50);
}

/* GSK_RENDERER set by the user is left to GTK, whatever the OpenGL. */
static void
test_user_choice_wins (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  g_object_set_data (G_OBJECT (display), "gsk-renderer", NULL);
  g_setenv ("GSK_RENDERER", "ngl", TRUE);
  g_assert_false (sluice_renderer_choose_for_display (display));
  g_assert_null (g_object_get_data (G_OBJECT (display), "gsk-renderer"));
  g_unsetenv ("GSK_RENDERER");
  g_assert_true (sluice_renderer_choose_for_display (display));
  g_assert_cmpstr (g_object_get_data (G_OBJECT (display), "gsk-renderer"), ==, "cairo");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* What this suite checks is the choice made without one. */
  g_unsetenv ("GSK_RENDERER");
  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-renderer");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-renderer/software-names", test_software_names);
  g_test_add_func ("/sluice/app-renderer/xvfb-draws-with-cairo", test_xvfb_draws_with_cairo);
  g_test_add_func ("/sluice/app-renderer/user-choice-wins", test_user_choice_wins);

  status = g_test_run ();
  g_object_unref (app);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
