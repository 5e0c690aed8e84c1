/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the designer's tests share: a private environment, an application
 * to open windows in, waiting on the main loop and screenshots. */

#include <adwaita.h>

#include "sluice-application.h"
#include "sluice-window.h"

/* Keeps drafts, settings, trust and remembered choices inside a new
 * temporary directory (returned, owned by the caller) named after the
 * test program. */
char         *test_app_setup_environment (const char         *name);
/* Initialises GTK and libadwaita and registers a non-unique application.
 * Without a display the test program fails at once, saying so. */
SluiceApplication *test_app_new          (void);

/* Runs the main loop for @ms milliseconds. */
void          test_app_spin              (guint               ms);
/* Runs the main loop until @cond is true; FALSE after @timeout_ms. */
gboolean      test_app_wait_for          (gboolean          (*cond) (gpointer),
                                          gpointer            data,
                                          guint               timeout_ms);
char         *test_app_example_path      (const char         *name);
/* A window showing @path, presented. */
SluiceWindow *test_app_open_window       (SluiceApplication  *app,
                                          const char         *path);
/* Trusts the pipeline @window shows, as "Trust and Run" would. */
void          test_app_trust             (SluiceWindow       *window);
/* Writes @xml to @dir/@name, opens it in a window of @app and trusts it. */
SluiceWindow *test_app_open_trusted      (SluiceApplication  *app,
                                          const char         *dir,
                                          const char         *name,
                                          const char         *xml);
/* Runs @window's pipeline on @n typed items {"id": 1} … {"id": @n}. */
void          test_app_run_ids           (SluiceWindow       *window,
                                          guint               n);
/* Saves what @window shows right after its next frame as @name in
 * $SLUICE_SCREENSHOT_DIR, or in @fallback_dir. */
void          test_app_save_screenshot   (SluiceWindow       *window,
                                          const char         *fallback_dir,
                                          const char         *name);
/* The first widget of @type under @root (itself included), breadth first. */
GtkWidget    *test_app_find_widget       (GtkWidget          *root,
                                          GType               type);
/* What @window draws now, as a texture of its size (in its own
 * coordinates, one pixel a unit). */
GdkTexture   *test_app_render            (SluiceWindow       *window);
/* Whether two renders of a window differ inside @rect (window
 * coordinates). */
gboolean      test_app_textures_differ   (GdkTexture         *a,
                                          GdkTexture         *b,
                                          const graphene_rect_t *rect);
/* Starts `sluice-run serve @pipeline` ($SLUICE_RUN) on a free loopback
 * port, killed with the test if it aborts; returns its URL. */
char         *test_app_start_serve       (const char         *pipeline,
                                          GSubprocess       **process);
/* Threads of this process named as a designer run's ("sluice-live-run"). */
guint         test_app_count_run_threads (void);
/* Processes whose parent is this one, other than @except and the process
 * guard's guardian: what a run started and nobody reaped (zombies too). */
guint         test_app_count_children    (GPid                except);
/* test_app_count_children (GPOINTER_TO_INT (@except)) == 0, for
 * test_app_wait_for(). */
gboolean      test_app_no_children       (gpointer            except);
/* The message dialog shown over @window ("Save Changes?"), or NULL. */
AdwMessageDialog *test_app_find_message_dialog (SluiceWindow *window);
/* test_app_find_message_dialog (@window) != NULL, for test_app_wait_for(). */
gboolean      test_app_message_dialog_shown (gpointer          window);
/* The first widget with CSS class @css_class under @root, breadth first. */
GtkWidget    *test_app_find_with_class   (GtkWidget          *root,
                                          const char         *css_class);
