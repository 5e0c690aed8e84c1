/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sluice-trust-dialog.h"
#include "sluice-window-private.h"
#include "sluice-window-run.h"
#include "sluice-window-history.h"

/* The run side of a window, kept beside the window's own state (attached
 * as object data) so that the designer's files need only one call. */
typedef struct
{
  SluiceWindow     *window;        /* borrowed: owns us */
  SluiceRunSession *session;       /* owned, the current or last run */
  SluiceCanvasRunOverlay *overlay; /* borrowed: a child of the canvas's overlay */
  SluiceRunPanel   *panel;         /* borrowed: in the bottom stack */
  GtkStack         *bottom;        /* borrowed */
  GtkLabel         *status;        /* borrowed: in the header bar */
  GtkLabel         *uses;          /* borrowed: what F5 runs with, when pinned */
  GtkWidget        *run_button;    /* borrowed */
  GtkWidget        *pause_button;
  GtkWidget        *cancel_button;
  GtkWidget        *resume_button;
  gboolean          locked;
} WindowRun;

/* Edit actions a run disables (the model must not change under it). */
static const char * const edit_actions[] = {
  "undo", "redo", "cut", "paste", "paste-xml", "duplicate", "delete", "move-up",
  "move-down", "move-to", "insert", "reload",
};

static WindowRun *
get_run (SluiceWindow *self)
{
  return g_object_get_data (G_OBJECT (self), "sluice-window-run");
}

static void
set_action_enabled (SluiceWindow *self,
                    const char   *name,
                    gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_controls (WindowRun *run)
{
  SluiceRunState state = run->session ? sluice_run_session_get_state (run->session) : SLUICE_RUN_PENDING;
  gboolean active = run->session != NULL && sluice_run_session_get_active (run->session);
  const char *classes[] = { "run-running", "run-paused", "run-completed", "run-failed", "run-cancelled" };

  set_action_enabled (run->window, "run", !active);
  set_action_enabled (run->window, "run-with", !active);
  set_action_enabled (run->window, "pause", active && state == SLUICE_RUN_RUNNING);
  set_action_enabled (run->window, "resume", active && state == SLUICE_RUN_PAUSED);
  set_action_enabled (run->window, "cancel", active);
  /* The header bar keeps few controls (GNOME HIG): the transport
   * buttons only while a run goes on, the state only once there is one. */
  gtk_widget_set_visible (run->pause_button, active && state != SLUICE_RUN_PAUSED);
  gtk_widget_set_visible (run->resume_button, active && state == SLUICE_RUN_PAUSED);
  gtk_widget_set_visible (run->cancel_button, active);
  gtk_widget_set_visible (GTK_WIDGET (run->status),
                          run->session != NULL && sluice_run_session_get_started (run->session));

  gtk_label_set_text (run->status, sluice_window_get_run_status (run->window));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (run->status), classes[i]);
  if (run->session != NULL && state != SLUICE_RUN_PENDING)
    gtk_widget_add_css_class (GTK_WIDGET (run->status), classes[MIN (state, SLUICE_RUN_CANCELLED) - 1]);
}

/* Applies the lock again: the window re-enables edit actions as the
 * selection changes. */
static void
apply_lock (WindowRun *run)
{
  SluiceWindow *self = run->window;

  if (!run->locked)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (edit_actions); i++)
    set_action_enabled (self, edit_actions[i], FALSE);
}

static void
set_locked (WindowRun *run,
            gboolean   locked)
{
  SluiceWindow *self = run->window;

  if (run->locked == locked)
    return;
  run->locked = locked;
  gtk_widget_set_sensitive (GTK_WIDGET (self->inspector), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->palette), !locked);
  /* Insensitive panes look almost the same: dim them visibly. */
  if (locked)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->inspector), "run-locked");
      gtk_widget_add_css_class (GTK_WIDGET (self->palette), "run-locked");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->inspector), "run-locked");
      gtk_widget_remove_css_class (GTK_WIDGET (self->palette), "run-locked");
    }
  if (locked)
    apply_lock (run);
  else
    sluice_window_update_actions (self);
}

/* What the toast says of a failed run: where it failed, when a module
 * did. A toast is one line, cut at the window's width, and why a module
 * failed can be long; it is in full under the run panel's stages and in
 * its log. */
static char *
dup_failed_message (SluiceRunSession *session)
{
  const char *id = sluice_run_session_get_failed_module (session);
  SluiceNode *node = id != NULL ? sluice_pipeline_find_node (sluice_run_session_get_pipeline (session), id) : NULL;

  if (node != NULL)
    /* TRANSLATORS: a toast; the name of the module where a run failed */
    return g_strdup_printf (_("Run failed at “%s”"), sluice_node_get_label (node));
  return g_strdup_printf (_("Run failed: %s"), sluice_run_session_get_error (session));
}

static void
session_state_cb (WindowRun *run)
{
  SluiceRunState state = sluice_run_session_get_state (run->session);

  set_locked (run, sluice_run_session_get_active (run->session));
  update_controls (run);
  if (state == SLUICE_RUN_FAILED)
    {
      g_autofree char *message = dup_failed_message (run->session);
      sluice_window_toast (run->window, message);
    }
  else if (state == SLUICE_RUN_COMPLETED)
    sluice_window_toast (run->window, _("Run completed"));
  else if (state == SLUICE_RUN_CANCELLED)
    sluice_window_toast (run->window, _("Run cancelled"));
}

/* The run panel opens tall enough to read its log and tables (the
 * problems list alone needs little), leaving the canvas most of the
 * window. */
#define RUN_PANEL_HEIGHT 280
#define CANVAS_MIN_HEIGHT 200

static void
show_panel_tall (WindowRun *run)
{
  GtkWidget *box = gtk_widget_get_parent (GTK_WIDGET (run->bottom));
  GtkWidget *paned = box ? gtk_widget_get_parent (box) : NULL;
  int height, bottom;

  if (!GTK_IS_PANED (paned) || (height = gtk_widget_get_height (paned)) <= 0)
    return;
  bottom = height - gtk_paned_get_position (GTK_PANED (paned));
  if (bottom < RUN_PANEL_HEIGHT)
    gtk_paned_set_position (GTK_PANED (paned), MAX (CANVAS_MIN_HEIGHT, height - RUN_PANEL_HEIGHT));
}

static gboolean
refuse_if_invalid (WindowRun       *run,
                   SluiceRunChoice *choice)
{
  SluiceDocument *document = sluice_window_get_document (run->window);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  GFile *file = sluice_document_get_file (document);
  g_autofree char *path = file ? g_file_get_path (file) : g_strdup (_("Untitled"));

  sluice_validate_for_run (sluice_document_get_pipeline (document), path, choice->defines, problems);
  if (!sluice_problems_have_errors (problems))
    return FALSE;
  sluice_problems_sort (problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_autofree char *message = g_strdup_printf (_("Cannot run: %s"), text);

      sluice_window_toast (run->window, message);
      break;
    }
  return TRUE;
}

/* Lets go of the last run's session, and with it of its run: off the
 * canvas and out of the run panel. */
static void
detach_session (WindowRun *run)
{
  if (run->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (run->session, run);
  sluice_canvas_run_overlay_set_session (run->overlay, NULL);
  sluice_run_panel_set_session (run->panel, NULL);
  g_clear_object (&run->session);
}

/* Shows @session (taken) on the canvas and in the run panel, in place
 * of the last run. */
static void
attach_session (WindowRun        *run,
                SluiceRunSession *session)
{
  detach_session (run);
  run->session = session;
  g_signal_connect_swapped (run->session, "notify::state", G_CALLBACK (session_state_cb), run);
  sluice_canvas_run_overlay_set_session (run->overlay, run->session);
  sluice_run_panel_set_session (run->panel, run->session);
  gtk_stack_set_visible_child_name (run->bottom, "run");
  show_panel_tall (run);
}

void
sluice_window_watch_run (SluiceWindow     *self,
                         SluiceRunSession *session)
{
  WindowRun *run = get_run (self);

  g_return_if_fail (SLUICE_IS_RUN_SESSION (session));
  if (run == NULL || run->overlay == NULL || run->panel == NULL)
    return;
  attach_session (run, g_object_ref (session));
  set_locked (run, sluice_run_session_get_active (session));
  update_controls (run);
}

static void
start (WindowRun       *run,
       SluiceRunChoice *choice)
{
  SluiceDocument *document = sluice_window_get_document (run->window);
  GFile *file = sluice_document_get_file (document);
  g_autofree char *path = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  SluiceRunSession *session;
  gboolean started;

  if (run->session != NULL && sluice_run_session_get_active (run->session))
    return;
  if (refuse_if_invalid (run, choice))
    return;

  input = sluice_run_choice_open_input (choice, &error);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot read the input: %s"), error->message);
      sluice_window_toast (run->window, message);
      return;
    }
  if (file != NULL)
    path = g_file_get_path (file);

  if (run->overlay == NULL || run->panel == NULL)
    return;
  session = sluice_run_session_new (sluice_document_get_pipeline (document));
  sluice_run_session_set_input_items (session,
                                      choice->input == SLUICE_RUN_INPUT_TYPED ? choice->typed : NULL,
                                      choice->input == SLUICE_RUN_INPUT_FILE ? choice->input_path : NULL,
                                      choice->defines);
  sluice_window_history_track_run (run->window, session, choice->defines);
  set_locked (run, TRUE);
  /* The last run goes first: its 5,000 modules' Lua and items freed on
   * this thread while the new run's thread built its own left the
   * memory the new run's thread allocates from in pieces; each run in
   * a window then ran slower than the one before (bench-live-run: its
   * thread's CPU from 4.2 to 6.4 s over five runs; RSS 10 to 15 MB
   * more each run). */
  detach_session (run);
  started = sluice_run_session_start (session, choice->defines, path, input, &error);
  /* Shown once it runs: the run panel's set-up for five thousand
   * modules (a few hundredths of a second) no longer delays the run. A
   * session shows from any point of its run (sluice_window_watch_run()). */
  attach_session (run, session);
  if (!started)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot run: %s"), error->message);

      set_locked (run, FALSE);
      sluice_window_toast (run->window, message);
    }
  update_controls (run);
}

typedef struct
{
  SluiceWindow    *window;
  SluiceRunChoice *choice;
} Pending;

static void
trusted_cb (gboolean trusted,
            gpointer user_data)
{
  Pending *pending = user_data;
  /* None once the window is going away. */
  WindowRun *run = sluice_window_get_document (pending->window) ? get_run (pending->window) : NULL;

  if (trusted && run != NULL)
    pending->window->vouched = TRUE;
  if (trusted && run != NULL)
    start (run, pending->choice);
  else if (run != NULL)
    sluice_window_toast (pending->window, _("Not run: the pipeline is not trusted"));
  g_object_unref (pending->window);
  sluice_run_choice_free (pending->choice);
  g_free (pending);
}

void
sluice_window_run_with_choice (SluiceWindow    *self,
                               SluiceRunChoice *choice)
{
  SluiceDocument *document = sluice_window_get_document (self);
  GFile *file = sluice_document_get_file (document);
  Pending *pending = g_new0 (Pending, 1);
  g_autofree char *name = file ? g_file_get_basename (file) : NULL;
  SluiceRunChoice *copy = sluice_run_choice_new ();
  GHashTableIter iter;
  gpointer key, value;

  copy->input = choice->input;
  copy->input_path = g_strdup (choice->input_path);
  copy->typed = g_strdup (choice->typed);
  g_hash_table_iter_init (&iter, choice->defines);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->defines, g_strdup (key), g_strdup (value));

  pending->window = g_object_ref (self);
  pending->choice = copy;
  /* A pipeline the user built (or trusted) here is theirs, also once
   * saved; one from disk shows what it runs first. */
  if (self->vouched)
    trusted_cb (TRUE, pending);
  else if (sluice_trust_get_pending (GTK_WINDOW (self)))
    {
      /* Already asking: the answer to that question stands. */
      g_object_unref (pending->window);
      sluice_run_choice_free (pending->choice);
      g_free (pending);
    }
  else
    sluice_trust_check (GTK_WINDOW (self), sluice_document_get_pipeline (document), name, trusted_cb, pending);
}

/* Says on screen what F5 runs with: the Run button's tooltip always,
 * and a label beside it when the user pinned a choice. */
static void
update_uses (WindowRun *run)
{
  SluiceDocument *document = sluice_window_get_document (run->window);
  g_autoptr(SluiceRunChoice) choice = NULL;
  g_autofree char *described = NULL;
  g_autofree char *tooltip = NULL;

  /* Before the window has its document, there is nothing to say. */
  if (run->uses == NULL || document == NULL)
    return;
  choice = sluice_run_choice_load_for_run (sluice_document_get_file (document));
  described = sluice_run_choice_describe (choice);
  /* TRANSLATORS: the tooltip of Run; %s is what it runs with, e.g.
   * "data.jsonl · x=1" or "one empty item". */
  tooltip = g_strdup_printf (_("Run the pipeline with %s (F5)"), described);
  gtk_widget_set_tooltip_text (run->run_button, tooltip);
  gtk_label_set_text (run->uses, described);
  gtk_widget_set_visible (GTK_WIDGET (run->uses), choice->pinned);
}

static void
run_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_load_for_run (sluice_document_get_file (sluice_window_get_document (self)));

  sluice_window_run_with_choice (self, choice);
}

static void
dialog_run_cb (SluiceRunChoice *choice,
               gpointer         user_data)
{
  WindowRun *run = get_run (user_data);

  if (run != NULL)
    update_uses (run);
  sluice_window_run_with_choice (user_data, choice);
}

static void
run_with_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  SluiceDocument *document = sluice_window_get_document (self);

  sluice_run_dialog_present (GTK_WINDOW (self), sluice_document_get_pipeline (document),
                             sluice_document_get_file (document), dialog_run_cb, self);
}

static void
pause_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  WindowRun *run = get_run (user_data);

  if (run->session != NULL)
    sluice_run_session_pause (run->session);
}

static void
resume_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  WindowRun *run = get_run (user_data);

  if (run->session != NULL)
    sluice_run_session_resume (run->session);
}

static void
cancel_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  WindowRun *run = get_run (user_data);

  if (run->session != NULL)
    sluice_run_session_cancel (run->session);
}

static const GActionEntry run_actions[] = {
  { "run", run_activated },
  { "run-with", run_with_activated },
  { "pause", pause_activated },
  { "resume", resume_activated },
  { "cancel", cancel_activated },
};

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
icon_button (const char *icon,
             const char *action,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
add_header_controls (WindowRun *run)
{
  GtkWidget *header = find_descendant (GTK_WIDGET (run->window), ADW_TYPE_HEADER_BAR);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *run_button = adw_split_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autoptr(GMenu) menu = g_menu_new ();

  gtk_box_append (GTK_BOX (content), gtk_image_new_from_icon_name ("media-playback-start-symbolic"));
  gtk_box_append (GTK_BOX (content), gtk_label_new_with_mnemonic (_("_Run")));
  adw_split_button_set_child (ADW_SPLIT_BUTTON (run_button), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (run_button), "win.run");
  gtk_widget_set_tooltip_text (run_button, _("Run the pipeline (F5)"));
  /* The arrow opens a menu of the other ways to run, as split buttons
   * do; it does not run anything by itself. */
  g_menu_append (menu, _("Run _With Input and Parameters…"), "win.run-with");
  g_menu_append (menu, _("_Export for the Runner…"), "win.export-runner");
  g_menu_append (menu, _("_Serve This Pipeline…"), "win.serve-command");
  adw_split_button_set_menu_model (ADW_SPLIT_BUTTON (run_button), G_MENU_MODEL (menu));
  adw_split_button_set_dropdown_tooltip (ADW_SPLIT_BUTTON (run_button), _("Other ways to run"));
  gtk_widget_add_css_class (run_button, "suggested-action");
  gtk_widget_add_css_class (box, "linked");
  gtk_box_append (GTK_BOX (box), run_button);
  run->run_button = run_button;
  run->pause_button = icon_button ("media-playback-pause-symbolic", "win.pause", _("Pause the run (F6)"));
  run->resume_button = icon_button ("media-seek-forward-symbolic", "win.resume", _("Resume the run (Shift+F6)"));
  gtk_box_append (GTK_BOX (box), run->pause_button);
  gtk_box_append (GTK_BOX (box), run->resume_button);
  run->cancel_button = icon_button ("process-stop-symbolic", "win.cancel", _("Cancel the run (Shift+F5)"));
  gtk_box_append (GTK_BOX (box), run->cancel_button);

  run->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (run->status), "run-status");
  gtk_widget_set_margin_start (GTK_WIDGET (run->status), 6);
  gtk_widget_set_valign (GTK_WIDGET (run->status), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (run->status), _("State of the run"));
  run->uses = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (run->uses), "run-uses");
  gtk_widget_add_css_class (GTK_WIDGET (run->uses), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (run->uses), "caption");
  gtk_label_set_ellipsize (run->uses, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (run->uses, 24);
  gtk_widget_set_tooltip_text (GTK_WIDGET (run->uses), _("What Run (F5) uses: choose with Run With Input and Parameters"));
  if (header != NULL)
    {
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), box);
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (run->status));
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (run->uses));
    }
  else
    g_critical ("sluice: no header bar for the run controls");
}

/* The problems and the run share the bottom pane, as two pages. */
static void
add_bottom_pane (WindowRun *run)
{
  SluiceWindow *self = run->window;
  GtkWidget *paned = gtk_widget_get_parent (self->problems_box);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *switcher = gtk_stack_switcher_new ();

  g_return_if_fail (GTK_IS_PANED (paned));
  run->bottom = GTK_STACK (gtk_stack_new ());
  g_object_ref (self->problems_box);
  gtk_paned_set_end_child (GTK_PANED (paned), NULL);
  gtk_stack_add_titled (run->bottom, self->problems_box, "problems", _("Problems"));
  g_object_unref (self->problems_box);
  run->panel = SLUICE_RUN_PANEL (sluice_run_panel_new ());
  g_object_add_weak_pointer (G_OBJECT (run->panel), (gpointer *) &run->panel);
  gtk_stack_add_titled (run->bottom, GTK_WIDGET (run->panel), "run", _("Run"));
  sluice_window_history_init (self, run->bottom);
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), run->bottom);
  gtk_widget_set_halign (switcher, GTK_ALIGN_START);
  gtk_widget_set_margin_start (switcher, 6);
  gtk_widget_set_margin_top (switcher, 4);
  gtk_widget_set_vexpand (GTK_WIDGET (run->bottom), TRUE);
  gtk_box_append (GTK_BOX (box), switcher);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (run->bottom));
  gtk_paned_set_end_child (GTK_PANED (paned), box);
}

static void
selection_changed_cb (SluiceWindow *self)
{
  WindowRun *run = get_run (self);
  SluiceNode *node = sluice_canvas_get_focus_node (self->canvas);

  if (run == NULL)
    return;
  apply_lock (run);
  if (node != NULL && SLUICE_IS_MODULE (node))
    sluice_run_panel_set_module (run->panel, sluice_node_get_id (node));
}

/* While locked, a press on a node selects it (for the data preview) and
 * goes no further: nothing can be dragged. Presses on the background
 * still pan. */
static void
lock_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 WindowRun       *run)
{
  SluiceCanvas *canvas = run->window->canvas;
  SluiceLayout *layout;
  double mx, my;
  guint box;

  if (!run->locked || (layout = sluice_canvas_get_layout (canvas)) == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  sluice_viewport_to_model (sluice_canvas_get_viewport (canvas), x, y, &mx, &my);
  box = sluice_layout_hit_test (layout, mx, my);
  if (box == SLUICE_BOX_NONE)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  sluice_canvas_select (canvas, sluice_layout_get_box (layout, box)->node, FALSE);
}

void
sluice_window_run_load_css (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
    ".run-status { padding: 2px 10px; border-radius: 99px; font-weight: bold;"
    "  background: alpha(currentColor, 0.1); }\n"
    ".run-status.run-running { background: #3584e4; color: white; }\n"
    ".run-status.run-paused { background: #e5a50a; color: black; }\n"
    ".run-status.run-completed { background: #26a269; color: white; }\n"
    ".run-status.run-failed { background: #e01b24; color: white; }\n"
    ".run-status.run-cancelled { background: #c64600; color: white; }\n"
    ".run-locked { opacity: 0.5; }\n", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
window_run_free (WindowRun *run)
{
  if (run->overlay != NULL)
    g_object_remove_weak_pointer (G_OBJECT (run->overlay), (gpointer *) &run->overlay);
  if (run->panel != NULL)
    g_object_remove_weak_pointer (G_OBJECT (run->panel), (gpointer *) &run->panel);
  if (run->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (run->session, run);
      /* A server's run goes on when the window that watched it closes. */
      if (!sluice_run_session_get_remote (run->session))
        sluice_run_session_cancel (run->session);
    }
  g_clear_object (&run->session);
  g_free (run);
}

static void
window_destroy_cb (SluiceWindow *self)
{
  WindowRun *run = get_run (self);

  /* Closing the window ends its run: children are killed now. */
  if (run != NULL && run->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (run->session, run);
      if (!sluice_run_session_get_remote (run->session))
        sluice_run_session_cancel (run->session);
      g_clear_object (&run->session);
    }
}

void
sluice_window_run_init (SluiceWindow *self)
{
  WindowRun *run = g_new0 (WindowRun, 1);
  GtkWidget *overlay = gtk_widget_get_parent (GTK_WIDGET (self->canvas));
  GtkGesture *lock;

  run->window = self;
  g_object_set_data_full (G_OBJECT (self), "sluice-window-run", run, (GDestroyNotify) window_run_free);
  g_action_map_add_action_entries (G_ACTION_MAP (self), run_actions, G_N_ELEMENTS (run_actions), self);

  sluice_window_run_load_css ();
  add_header_controls (run);
  add_bottom_pane (run);

  run->overlay = SLUICE_CANVAS_RUN_OVERLAY (sluice_canvas_run_overlay_new (self->canvas));
  g_object_add_weak_pointer (G_OBJECT (run->overlay), (gpointer *) &run->overlay);
  if (GTK_IS_OVERLAY (overlay))
    {
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (run->overlay));
      /* Right above the canvas, below the zoom controls: overlays are
       * drawn in the order of their children. */
      gtk_widget_insert_after (GTK_WIDGET (run->overlay), overlay, GTK_WIDGET (self->canvas));
    }
  else
    g_critical ("sluice: the canvas is not in a GtkOverlay; no run overlay");

  lock = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (lock), GTK_PHASE_CAPTURE);
  g_signal_connect (lock, "pressed", G_CALLBACK (lock_pressed_cb), run);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), GTK_EVENT_CONTROLLER (lock));

  g_signal_connect_object (self->canvas, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect (self, "destroy", G_CALLBACK (window_destroy_cb), NULL);
  /* The title changes with the file (and its saved state): what F5 runs
   * with may have changed too. */
  g_signal_connect_swapped (self, "notify::title", G_CALLBACK (update_uses), run);
  update_controls (run);
  update_uses (run);
}

SluiceRunSession *
sluice_window_get_run_session (SluiceWindow *self)
{
  WindowRun *run = get_run (self);
  return run ? run->session : NULL;
}

SluiceRunPanel *
sluice_window_get_run_panel (SluiceWindow *self)
{
  WindowRun *run = get_run (self);
  return run ? run->panel : NULL;
}

SluiceCanvasRunOverlay *
sluice_window_get_run_overlay (SluiceWindow *self)
{
  WindowRun *run = get_run (self);
  return run ? run->overlay : NULL;
}

const char *
sluice_window_get_run_status (SluiceWindow *self)
{
  WindowRun *run = get_run (self);

  if (run == NULL || run->session == NULL || !sluice_run_session_get_started (run->session))
    return _("Not run yet");
  switch (sluice_run_session_get_state (run->session))
    {
    case SLUICE_RUN_PENDING: return _("Pending");
    case SLUICE_RUN_RUNNING: return _("Running");
    case SLUICE_RUN_PAUSED: return _("Paused");
    case SLUICE_RUN_COMPLETED: return _("Completed");
    case SLUICE_RUN_FAILED: return _("Failed");
    case SLUICE_RUN_CANCELLED: return _("Cancelled");
    default: return "";
    }
}

gboolean
sluice_window_get_run_locked (SluiceWindow *self)
{
  WindowRun *run = get_run (self);
  return run != NULL && run->locked;
}
