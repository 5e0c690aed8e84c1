/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-inspector.h"
#include "sluice-palette.h"
#include "sluice-tests-panel.h"
#include "sluice-window.h"

G_BEGIN_DECLS

struct _SluiceWindow
{
  AdwApplicationWindow  parent_instance;

  SluiceDocument       *document;     /* owned */
  char                 *last_message; /* owned */
  gboolean              close_confirmed;
  /* The content was written in this window or trusted here: runs ask
   * nothing, and saving it remembers it as trusted. FALSE for content
   * that came from disk until the user trusts it. */
  gboolean              vouched;
  /* Toasts rise above the bottom pane: a rule for this window's toast
   * overlay (its own style class), see lift_toasts(). */
  GtkCssProvider       *toast_css;    /* owned, added to the display */
  char                 *toast_class;  /* owned */

  /* Template children. */
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  GtkMenuButton        *menu_button;
  SluicePalette        *palette;
  SluiceCanvas         *canvas;
  SluiceInspector      *inspector;
  GtkListBox           *problems_list;
  GtkLabel             *problems_label;
  GtkWidget            *problems_box;
  SluiceTestsPanel     *tests_panel;    /* in problems_box, below the problems */
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *search_count;
  GtkLabel             *zoom_label;
  GtkWidget            *palette_pane;
  GtkWidget            *inspector_pane;
};

/* Adds the "win." actions to the window's action map, which
 * GtkApplication exports on the session bus. */
void     sluice_window_add_actions       (SluiceWindow      *self);
/* The exact command line that runs the saved file, or NULL. */
char    *sluice_window_runner_command    (SluiceWindow      *self);
char    *sluice_window_serve_command     (SluiceWindow      *self);
void     sluice_window_update_actions    (SluiceWindow      *self);
/* Saves to the current file or asks for one; calls @then (may be NULL)
 * with TRUE once saved. */
typedef void (*SluiceSavedFunc) (SluiceWindow *self,
                                 gboolean      saved,
                                 gpointer      user_data);
void     sluice_window_save_then         (SluiceWindow      *self,
                                          gboolean           ask,
                                          SluiceSavedFunc    then,
                                          gpointer           user_data);
gboolean sluice_window_save_to           (SluiceWindow      *self,
                                          GFile             *file);
void     sluice_window_find_next         (SluiceWindow      *self,
                                          gboolean           restart);

G_END_DECLS
