/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "sluice-application.h"
#include "sluice-canvas-run-colors.h"
#include "sluice-palette.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* What a window does around a run, under a display: the panes it locks
 * and gives back, closing it afterwards, trust through a save, what the
 * run draws and says. Driven through the window's actions and widgets. */

static SluiceApplication *app;
static char *tmp_dir;

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

static void
activate (SluiceWindow *window,
          const char   *name,
          GVariant     *param)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), name);

  g_assert_nonnull (action);
  g_assert_true (g_action_get_enabled (action));
  g_action_activate (action, param);
}

static gboolean
action_enabled (SluiceWindow *window,
                const char   *name)
{
  return g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (window), name));
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static SluiceRunState
wait_final (SluiceWindow *window)
{
  g_assert_true (test_app_wait_for (run_final, window, 60000));
  test_app_spin (30);
  return sluice_run_session_get_state (sluice_window_get_run_session (window));
}

static char *
write_tmp (const char *name,
           const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

/* Defect 12: Ctrl+N, an edit, F5, Ctrl+W, Discard. The suite makes
 * criticals fatal, so any critical while the window goes fails here. */
static void
test_close_after_run (void)
{
  SluiceWindow *window = sluice_window_new (app);
  AdwMessageDialog *dialog;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (50);
  sluice_canvas_select (sluice_window_get_canvas (window),
                        sluice_pipeline_find_node (pipeline_of (window), "module-1"), FALSE);
  activate (window, "insert", g_variant_new_string ("lua"));
  g_assert_true (sluice_document_get_modified (sluice_window_get_document (window)));
  activate (window, "run", NULL);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  test_app_spin (100);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  activate (window, "close", NULL);
  g_assert_true (test_app_wait_for (test_app_message_dialog_shown, window, 5000));
  dialog = test_app_find_message_dialog (window);
  adw_message_dialog_response (dialog, "discard");
  test_app_spin (200);
  g_assert_null (window);
}

/* The same while the run still goes: closing cancels it. */
static void
test_close_during_run (void)
{
  g_autofree char *path = write_tmp ("close-during.xml",
    "<pipeline format='1' id='close-during'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='wait'><command>sleep 300; cat</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));

  g_assert_true (sluice_trust_remember (hash, NULL));
  activate (window, "run", NULL);
  test_app_spin (200);
  g_assert_true (sluice_run_session_get_active (sluice_window_get_run_session (window)));
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  activate (window, "close", NULL);
  test_app_spin (200);
  g_assert_null (window);
}

/* Defect 1: whatever way a run ends, the palette is given back: it is
 * sensitive, not dimmed, and activating one of its rows adds a node. */
static void
check_palette_back (SluiceWindow *window)
{
  GtkWidget *palette = test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_PALETTE);
  GtkWidget *row;
  guint before = g_list_model_get_n_items (sluice_phase_get_modules (
    SLUICE_PHASE (sluice_pipeline_find_node (pipeline_of (window), "p"))));

  g_assert_false (sluice_window_get_run_locked (window));
  g_assert_true (gtk_widget_is_sensitive (palette));
  g_assert_false (gtk_widget_has_css_class (palette, "run-locked"));
  g_assert_true (action_enabled (window, "insert"));
  g_assert_true (action_enabled (window, "paste"));

  sluice_palette_set_search (SLUICE_PALETTE (palette), "lua");
  row = sluice_palette_get_first_visible (SLUICE_PALETTE (palette));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_sensitive (row));
  sluice_canvas_select (sluice_window_get_canvas (window), sluice_pipeline_find_node (pipeline_of (window), "a"), FALSE);
  /* A double-click (or Enter) activates the row. */
  g_signal_emit_by_name (row, "activate");
  test_app_spin (20);
  g_assert_cmpuint (g_list_model_get_n_items (sluice_phase_get_modules (
    SLUICE_PHASE (sluice_pipeline_find_node (pipeline_of (window), "p")))), ==, before + 1);
  sluice_palette_set_search (SLUICE_PALETTE (palette), "");
}

static void
test_palette_after_run (void)
{
  static const struct { const char *body; SluiceRunState end; } runs[] = {
    { "<lua>item.x = 1</lua>", SLUICE_RUN_COMPLETED },
    { "<lua>error ('no')</lua>", SLUICE_RUN_FAILED },
    { "<command>sleep 300; cat</command>", SLUICE_RUN_CANCELLED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *xml = g_strdup_printf (
        "<pipeline format='1' id='palette-%u'><controller id='c' mode='not-parallel'><phase id='p'>"
        "<execution id='a'>%s</execution>"
        "</phase></controller></pipeline>", i, runs[i].body);
      g_autofree char *name = g_strdup_printf ("palette-%u.xml", i);
      g_autofree char *path = write_tmp (name, xml);
      SluiceWindow *window = test_app_open_window (app, path);
      g_autofree char *hash = sluice_trust_hash (pipeline_of (window));

      g_assert_true (sluice_trust_remember (hash, NULL));
      activate (window, "run", NULL);
      g_assert_true (sluice_window_get_run_locked (window));
      g_assert_false (gtk_widget_is_sensitive (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_PALETTE)));
      if (runs[i].end == SLUICE_RUN_CANCELLED)
        {
          test_app_spin (100);
          activate (window, "cancel", NULL);
        }
      g_assert_cmpint (wait_final (window), ==, runs[i].end);
      check_palette_back (window);
      close_window (window);
    }
}

static gboolean
trust_dialog_shown (gpointer data)
{
  return sluice_trust_get_dialog (data) != NULL;
}

/* Defect 3: a pipeline drawn here runs without a prompt, before and
 * after it is saved, and its saved file opens trusted; a file from disk
 * still asks. */
static void
test_trust_through_save (void)
{
  SluiceWindow *window = sluice_window_new (app);
  g_autofree char *path = g_build_filename (tmp_dir, "drawn.xml", NULL);
  g_autofree char *marker = g_strdup_printf ("cat # drawn-%u", g_random_int ());
  g_autofree char *contents = NULL;
  g_autofree char *copy = g_build_filename (tmp_dir, "from-elsewhere.xml", NULL);
  SluiceNode *command;
  SluiceWindow *again;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (50);
  sluice_canvas_select (sluice_window_get_canvas (window),
                        sluice_pipeline_find_node (pipeline_of (window), "module-1"), FALSE);
  activate (window, "insert", g_variant_new_string ("command"));
  command = sluice_canvas_get_focus_node (sluice_window_get_canvas (window));
  g_assert_true (SLUICE_IS_EXECUTION (command));
  sluice_execution_set_command (SLUICE_EXECUTION (command), marker);

  activate (window, "run", NULL);
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (window)));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);

  activate (window, "save-to", g_variant_new_string (path));
  g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
  activate (window, "run", NULL);
  test_app_spin (50);
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (window)));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  close_window (window);

  /* The saved file, opened again, is the user's own. */
  again = test_app_open_window (app, path);
  activate (again, "run", NULL);
  test_app_spin (50);
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (again)));
  g_assert_cmpint (wait_final (again), ==, SLUICE_RUN_COMPLETED);
  close_window (again);

  /* The same file with another command, from elsewhere, asks. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  {
    g_autoptr(GRegex) regex = g_regex_new ("# drawn-", 0, 0, NULL);
    g_autofree char *changed = g_regex_replace_literal (regex, contents, -1, 0, "# elsewhere-", 0, NULL);

    g_assert_true (g_file_set_contents (copy, changed, -1, NULL));
  }
  again = test_app_open_window (app, copy);
  activate (again, "run", NULL);
  g_assert_true (test_app_wait_for (trust_dialog_shown, again, 5000));
  g_assert_null (sluice_window_get_run_session (again));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (sluice_trust_get_dialog (GTK_WINDOW (again))), "cancel");
  test_app_spin (50);
  close_window (again);
}

/* The command starts within seconds; the waits below are long because a
 * loaded machine (the sanitizer build, other builds) can be slow. */
static gboolean
module_running (gpointer data)
{
  SluiceWindow *window = data;
  SluiceRunSession *session = sluice_window_get_run_session (window);
  SluiceModuleLive live;

  if (session == NULL)
    return FALSE;
  sluice_run_session_poll (session);
  return sluice_run_session_get_module_live (session, sluice_pipeline_find_node (pipeline_of (window), "slow"), &live) &&
         live.state == SLUICE_LIVE_RUNNING;
}

/* Puts the centre of @id's box at widget point (@wx, @wy) of the canvas,
 * at @zoom. */
static void
put_box_at (SluiceWindow *window,
            const char   *id,
            double        zoom,
            double        wx,
            double        wy)
{
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceLayout *layout = sluice_canvas_get_layout (canvas);
  const SluiceLayoutBox *box = sluice_layout_get_box (layout, sluice_layout_find_node (layout,
                                                      sluice_pipeline_find_node (pipeline_of (window), id)));
  SluiceViewport viewport = { zoom, box->x + box->width / 2 - wx / zoom, box->y + box->height / 2 - wy / zoom };

  sluice_canvas_set_viewport (canvas, &viewport);
  test_app_spin (100);
}

/* Whether the run overlay draws anything inside @rect (in the window):
 * the window drawn with and without it must be the same there. */
static gboolean
same_size (GdkTexture *a,
           GdkTexture *b)
{
  return gdk_texture_get_width (a) == gdk_texture_get_width (b) &&
         gdk_texture_get_height (a) == gdk_texture_get_height (b);
}

/* Where the canvas and the zoom controls are in the window. */
static void
layout_of (SluiceWindow    *window,
           graphene_rect_t *canvas,
           graphene_rect_t *zoom)
{
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (sluice_window_get_canvas (window)), GTK_WIDGET (window), canvas));
  g_assert_true (gtk_widget_compute_bounds (test_app_find_with_class (GTK_WIDGET (window), "zoom-controls"),
                                            GTK_WIDGET (window), zoom));
}

/* Whether the run overlay draws anything inside @rect (in the window):
 * the window drawn with and without it must be the same there. A window
 * still settling (resized, re-laid out) between the two renders is given
 * time: its size and layout must be the same for both. */
static gboolean
overlay_draws_in (SluiceWindow          *window,
                  const graphene_rect_t *rect)
{
  GtkWidget *overlay = GTK_WIDGET (sluice_window_get_run_overlay (window));

  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(GdkTexture) with = NULL;
      g_autoptr(GdkTexture) without = NULL;
      graphene_rect_t canvas_before, zoom_before, canvas_after, zoom_after;

      layout_of (window, &canvas_before, &zoom_before);
      with = test_app_render (window);
      gtk_widget_set_child_visible (overlay, FALSE);
      without = test_app_render (window);
      gtk_widget_set_child_visible (overlay, TRUE);
      layout_of (window, &canvas_after, &zoom_after);
      if (same_size (with, without) && graphene_rect_equal (&canvas_before, &canvas_after) &&
          graphene_rect_equal (&zoom_before, &zoom_after))
        return test_app_textures_differ (with, without, rect);
      test_app_spin (100);
    }
  g_assert_not_reached ();
}

/* Defect 2: a running module half below the canvas, or under the zoom
 * controls: its outline, badge and counters stay on the canvas, under
 * the zoom controls. */
static void
test_run_clipped (void)
{
  g_autofree char *path = write_tmp ("clipped.xml",
    "<pipeline format='1' id='clipped'><controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='slow' name='A slow module with a long name'><command>sleep 300; cat</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GtkWidget *canvas = GTK_WIDGET (sluice_window_get_canvas (window));
  GtkWidget *zoom;
  graphene_rect_t canvas_rect, zoom_rect, below;
  double height;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  test_app_spin (200);
  g_assert_true (sluice_trust_remember (hash, NULL));
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{}\n{}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (module_running, window, 30000));
  test_app_spin (300);

  g_assert_true (gtk_widget_compute_bounds (canvas, GTK_WIDGET (window), &canvas_rect));
  height = canvas_rect.size.height;
  /* Below the canvas: the pane divider and the bottom pane. */
  below = GRAPHENE_RECT_INIT (canvas_rect.origin.x, canvas_rect.origin.y + height,
                              canvas_rect.size.width, 40);
  put_box_at (window, "slow", 1.0, canvas_rect.size.width / 2, height - 5);
  g_assert_true (overlay_draws_in (window, &GRAPHENE_RECT_INIT (canvas_rect.origin.x, canvas_rect.origin.y,
                                                               canvas_rect.size.width, height)));
  g_assert_false (overlay_draws_in (window, &below));
  put_box_at (window, "slow", 1.91, canvas_rect.size.width / 2, height - 5);
  g_assert_false (overlay_draws_in (window, &below));

  /* The zoom controls stay on top. */
  zoom = test_app_find_with_class (GTK_WIDGET (window), "zoom-controls");
  g_assert_nonnull (zoom);
  g_assert_true (gtk_widget_compute_bounds (zoom, canvas, &zoom_rect));
  for (double z = 0.78; z <= 1.91; z += 0.37)
    {
      put_box_at (window, "slow", z, zoom_rect.origin.x + zoom_rect.size.width / 2,
                  zoom_rect.origin.y + zoom_rect.size.height / 2);
      /* Each button with an icon (the label's text follows the zoom),
       * without the rounded, anti-aliased edges where the canvas shows
       * through. */
      for (GtkWidget *button = gtk_widget_get_first_child (zoom); button; button = gtk_widget_get_next_sibling (button))
        {
          graphene_rect_t rect;

          if (GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (button))))
            continue;
          g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (window), &rect));
          graphene_rect_inset (&rect, 6, 4);
          g_assert_false (overlay_draws_in (window, &rect));
        }
      g_assert_true (gtk_widget_compute_bounds (zoom, canvas, &zoom_rect));
    }

  activate (window, "cancel", NULL);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_CANCELLED);
  close_window (window);
}

static gboolean
is_paused (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_session_get_state (session) == SLUICE_RUN_PAUSED;
}

static char *
label_of (SluiceWindow *window,
          const char   *id)
{
  sluice_run_session_poll (sluice_window_get_run_session (window));
  return sluice_canvas_run_overlay_dup_label (sluice_window_get_run_overlay (window),
                                              sluice_pipeline_find_node (pipeline_of (window), id));
}

/* Defect 18: paused, the stage's badge says so; cancelled, nothing is
 * left in flight and a gate's <fail> that never fired is not
 * "cancelled". */
static void
test_pause_cancel_badges (void)
{
  g_autofree char *path = write_tmp ("badges.xml",
    "<pipeline format='1' id='badges'><controller id='c' mode='no-order' workers='1'>"
    "<phase id='p'><execution id='slow'><command>sleep 300; cat</command></execution></phase>"
    "<phase id='gate'><condition id='check'><when>item.ok</when>"
    "<else><fail id='stop'>not ok</fail></else></condition></phase>"
    "</controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autofree char *running = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *cancelled = NULL;
  g_autofree char *fail = NULL;
  g_autofree char *slow = NULL;

  g_assert_true (sluice_trust_remember (hash, NULL));
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{}\n{}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (module_running, window, 30000));
  running = label_of (window, "c");
  g_assert_true (g_str_has_prefix (running, "running"));

  activate (window, "pause", NULL);
  g_assert_true (test_app_wait_for (is_paused, window, 10000));
  test_app_spin (100);
  paused = label_of (window, "c");
  g_test_message ("paused: %s", paused);
  g_assert_true (g_str_has_prefix (paused, "paused"));

  activate (window, "cancel", NULL);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_CANCELLED);
  cancelled = label_of (window, "c");
  g_test_message ("cancelled: %s", cancelled);
  g_assert_true (g_str_has_prefix (cancelled, "cancelled"));
  g_assert_null (strstr (cancelled, "in flight"));
  g_assert_null (strstr (cancelled, "queue"));
  slow = label_of (window, "slow");
  g_assert_cmpstr (slow, ==, "cancelled");
  fail = label_of (window, "stop");
  g_test_message ("fail: %s", fail);
  g_assert_null (fail);
  close_window (window);
}

/* Defect 19: one of a thing is said in the singular. */
static void
test_plurals (void)
{
  g_autofree char *path = write_tmp ("plurals.xml",
    "<pipeline format='1' id='plurals'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='one'><command>cat # plurals</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  GtkWidget *dialog;
  g_autofree char *outputs = NULL;
  const char *body;

  activate (window, "run", NULL);
  g_assert_true (test_app_wait_for (trust_dialog_shown, window, 5000));
  dialog = sluice_trust_get_dialog (GTK_WINDOW (window));
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("%s", body);
  g_assert_null (strstr (body, "1 commands"));
  g_assert_nonnull (strstr (body, "runs the command, Lua body or endpoint below"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "trust");
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);

  outputs = sluice_run_panel_dup_outputs (sluice_window_get_run_panel (window));
  g_test_message ("%s", outputs);
  g_assert_true (g_str_has_prefix (outputs, "1 output item:\n"));
  close_window (window);
}

static gboolean
has_events (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && g_list_model_get_n_items (sluice_run_panel_get_log_model (sluice_window_get_run_panel (data))) >= 80;
}

static gboolean
log_on_top (gpointer data)
{
  return gtk_adjustment_get_value (data) <= gtk_adjustment_get_lower (data) + 1;
}

/* The list view whose vertical adjustment is the log's. */
static GtkWidget *
find_scrollable_with (GtkWidget     *root,
                      GtkAdjustment *adjustment)
{
  if (GTK_IS_LIST_VIEW (root) && gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (root)) == adjustment)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_scrollable_with (c, adjustment);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
log_view_of (SluiceRunPanel *panel)
{
  GtkWidget *view = find_scrollable_with (GTK_WIDGET (panel), sluice_run_panel_get_log_adjustment (panel));

  g_assert_nonnull (view);
  return view;
}

/* A user's scroll in the log at the worst time: rows came, the panel
 * queued a scroll to the newest for the frame that lays them out, and
 * the scroll (an input event) comes before that frame. */
typedef struct
{
  SluiceRunPanel *panel;
  double          value;
  gboolean        idle_queued;
  gboolean        scrolled;  /* while a scroll to the newest was queued */
} ScrollInRace;

static gboolean
scroll_in_race_cb (gpointer data)
{
  ScrollInRace *race = data;

  race->idle_queued = FALSE;
  /* Rows came in the frame clock's own phases: the next rows, then. */
  if (!sluice_run_panel_get_newest_queued (race->panel))
    return G_SOURCE_REMOVE;
  gtk_adjustment_set_value (sluice_run_panel_get_log_adjustment (race->panel), race->value);
  race->scrolled = TRUE;
  return G_SOURCE_REMOVE;
}

/* Input events come at G_PRIORITY_DEFAULT, before the frame clock's
 * layout (GDK_PRIORITY_REDRAW): the scroll comes before the frame that
 * lays the new rows out. */
static void
rows_came_cb (ScrollInRace *race)
{
  if (race->scrolled || race->idle_queued)
    return;
  race->idle_queued = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, scroll_in_race_cb, race, NULL);
}

static gboolean
scrolled_in_race (gpointer data)
{
  return ((ScrollInRace *) data)->scrolled;
}

/* Defect 11, the view: the log shows the newest events on top while
 * they come, and stays where the user scrolled to. */
static void
test_log_follows (void)
{
  g_autofree char *path = write_tmp ("follow.xml",
    "<pipeline format='1' id='follow'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='slow'><command>sleep 0.02; cat</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceRunPanel *panel = sluice_window_get_run_panel (window);
  GtkAdjustment *adjustment = sluice_run_panel_get_log_adjustment (panel);
  GString *typed = g_string_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  g_assert_true (sluice_trust_remember (hash, NULL));
  /* More than the test takes: cancelled at its end. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (typed, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_string_free (typed, FALSE);
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (has_events, window, 20000));
  test_app_spin (300);
  g_assert_true (sluice_run_session_get_active (sluice_window_get_run_session (window)));
  /* More rows than fit, and the view on the newest (once the frame
   * that laid the last rows out is over). */
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment) + 100);
  g_assert_true (test_app_wait_for (log_on_top, adjustment, 2000));
  g_assert_true (sluice_run_panel_get_following (panel));

  /* The user scrolls down to older events, each time right after rows
   * came and before the frame that lays them out, when the panel has
   * queued a scroll to the newest (what a loaded machine did once in a
   * while): the view stays with them. Then back on top, it follows
   * again. */
  for (guint i = 0; i < 3; i++)
    {
      ScrollInRace race = { panel, 80 + 40 * i, FALSE, FALSE };
      GListModel *rows = sluice_run_panel_get_log_model (panel);
      gulong id = g_signal_connect_swapped (rows, "items-changed", G_CALLBACK (rows_came_cb), &race);

      g_assert_true (test_app_wait_for (scrolled_in_race, &race, 5000));
      g_signal_handler_disconnect (rows, id);
      test_app_spin (300);
      g_assert_false (sluice_run_panel_get_following (panel));
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >=, race.value);

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
      test_app_spin (300);
      g_assert_true (sluice_run_panel_get_following (panel));
      g_assert_true (test_app_wait_for (log_on_top, adjustment, 2000));
    }

  activate (window, "cancel", NULL);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_CANCELLED);
  test_app_spin (300);
  g_assert_true (test_app_wait_for (log_on_top, adjustment, 2000));

  /* No rows come now: the list moving to a row on its own (as it does
   * to show the row the keyboard's focus went to) is the user's doing,
   * not the list keeping its rows in place. */
  g_assert_true (gtk_widget_activate_action (log_view_of (panel), "list.scroll-to-item", "u", 150));
  test_app_spin (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 80);
  g_assert_false (sluice_run_panel_get_following (panel));
  close_window (window);
}

/* WCAG 2's relative luminance of an opaque colour. */
static double
luminance (const GdkRGBA *c)
{
  double channel[3] = { c->red, c->green, c->blue }, weight[3] = { 0.2126, 0.7152, 0.0722 }, sum = 0;

  for (guint i = 0; i < 3; i++)
    sum += weight[i] * (channel[i] <= 0.03928 ? channel[i] / 12.92 : pow ((channel[i] + 0.055) / 1.055, 2.4));
  return sum;
}

/* The contrast of @text (maybe translucent) drawn on the opaque @fill. */
static double
contrast (const GdkRGBA *text,
          const GdkRGBA *fill)
{
  GdkRGBA seen = {
    text->red * text->alpha + fill->red * (1 - text->alpha),
    text->green * text->alpha + fill->green * (1 - text->alpha),
    text->blue * text->alpha + fill->blue * (1 - text->alpha),
    1,
  };
  double a = luminance (&seen), b = luminance (fill);

  return (MAX (a, b) + 0.05) / (MIN (a, b) + 0.05);
}

/* The colour of the pixel at (@x, @y) in @window's coordinates. */
static void
pixel_at (GdkTexture *texture,
          double      x,
          double      y,
          GdkRGBA    *color)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc (width * 4 * height);
  const guchar *p;

  g_assert_cmpfloat (x, >=, 0);
  g_assert_cmpfloat (y, >=, 0);
  g_assert_cmpfloat (x, <, width);
  g_assert_cmpfloat (y, <, height);
  /* GDK_MEMORY_DEFAULT: B, G, R, A premultiplied; the window is opaque. */
  gdk_texture_download (texture, data, width * 4);
  p = data + (int) y * width * 4 + (int) x * 4;
  *color = (GdkRGBA) { p[2] / 255.0, p[1] / 255.0, p[0] / 255.0, 1 };
}

static void
assert_color_near (const GdkRGBA *seen,
                   const GdkRGBA *expected)
{
  g_autofree char *s = gdk_rgba_to_string (seen);
  g_autofree char *e = gdk_rgba_to_string (expected);

  g_test_message ("drawn %s, expected %s", s, e);
  g_assert_cmpfloat (fabs (seen->red - expected->red), <, 0.04);
  g_assert_cmpfloat (fabs (seen->green - expected->green), <, 0.04);
  g_assert_cmpfloat (fabs (seen->blue - expected->blue), <, 0.04);
}

static const SluiceLayoutBox *
box_of (SluiceWindow *window,
        const char   *id)
{
  SluiceLayout *layout = sluice_canvas_get_layout (sluice_window_get_canvas (window));

  for (guint i = 0; i < sluice_layout_get_n_boxes (layout); i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);

      if (g_strcmp0 (sluice_node_get_id (b->node), id) == 0)
        return b;
    }
  g_assert_not_reached ();
}

/* A model point of the canvas in @window's coordinates. */
static void
model_to_window (SluiceWindow *window,
                 double        mx,
                 double        my,
                 double       *x,
                 double       *y)
{
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  graphene_point_t out;
  double wx, wy;

  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), mx, my, &wx, &wy);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (canvas), GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (wx, wy), &out));
  *x = out.x;
  *y = out.y;
}

/* The text a run draws on the canvas (a module's counters in their chip,
 * badges of states, checks, branches and stages) reads at 4.5:1 or more
 * in the light and the dark style, and the chips follow the style: in
 * the dark one they were white on the dark canvas. Checked on the
 * colours, and on what the window draws at a chip and a badge, with the
 * style switched while the window shows the run. */
static void
test_run_colors (void)
{
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "colors.xml",
    "<pipeline format='1' id='colors'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='m'><lua>item.x = 1</lua></execution>"
    "</phase></controller></pipeline>");
  AdwStyleManager *style = adw_style_manager_get_default ();
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceViewport vp = { 1.5, 0, 0 };
  const SluiceLayoutBox *b, *c;

  test_app_run_ids (window, 3);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  /* Zoomed in, so that a pixel inside a chip's margin is the chip's. */
  b = box_of (window, "m");
  c = box_of (window, "c");
  vp.x = c->x - 20;
  vp.y = c->y - 20;
  sluice_canvas_set_viewport (canvas, &vp);

  /* Dark first: the style the window did not start in. */
  for (int dark = 1; dark >= 0; dark--)
    {
      g_autoptr(GdkTexture) drawn = NULL;
      GdkRGBA fill, text, seen;
      double x, y;

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      test_app_spin (100);
      g_assert_cmpint (adw_style_manager_get_dark (style), ==, dark);

      for (SluiceLiveState state = SLUICE_LIVE_IDLE; state <= SLUICE_LIVE_PAUSED; state++)
        {
          sluice_canvas_run_badge_colors (state, &fill, &text);
          g_assert_cmpfloat (contrast (&text, &fill), >=, 4.5);
        }
      /* The scene's badges: the controllers' modes, failed tests' tags. */
      for (SluiceMode mode = SLUICE_MODE_NOT_PARALLEL; mode <= SLUICE_MODE_FIRST_WINS; mode++)
        {
          sluice_mode_badge_color (mode, &fill);
          g_assert_cmpfloat (contrast (&sluice_canvas_get_colors (canvas)->on_badge, &fill), >=, 4.5);
        }
      g_assert_cmpfloat (contrast (&sluice_canvas_get_colors (canvas)->on_badge,
                                   &sluice_canvas_get_colors (canvas)->error_badge), >=, 4.5);
      sluice_canvas_run_chip_colors (sluice_canvas_get_colors (canvas), &fill, &text);
      g_test_message ("chip contrast %.2f", contrast (&text, &fill));
      g_assert_cmpfloat (contrast (&text, &fill), >=, 4.5);
      if (dark)
        g_assert_cmpfloat (luminance (&fill), <, 0.1);
      else
        g_assert_cmpfloat (luminance (&fill), >, 0.8);

      drawn = test_app_render (window);
      /* The counters' chip under the module: its margin left of the
       * text (the chip's frame is its first unit, its text starts at 5). */
      model_to_window (window, b->x + 6 + 3, b->y + b->height + 2 + 6, &x, &y);
      pixel_at (drawn, x, y, &seen);
      assert_color_near (&seen, &fill);
      /* The "done" badge over its top-right corner, right of its text. */
      sluice_canvas_run_badge_colors (SLUICE_LIVE_DONE, &fill, &text);
      model_to_window (window, b->x + b->width - 4 - 4, b->y - 10 + 5, &x, &y);
      pixel_at (drawn, x, y, &seen);
      assert_color_near (&seen, &fill);
      /* The stage's mode badge, left of its text (which starts at 10). */
      sluice_mode_badge_color (SLUICE_MODE_NOT_PARALLEL, &fill);
      model_to_window (window, c->x + 18 + 6, c->y + 44 + 12, &x, &y);
      pixel_at (drawn, x, y, &seen);
      assert_color_near (&seen, &fill);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  close_window (window);
}

/* Defect 11, the log: a ring that keeps the newest routine events and
 * every warning, error and state change. */
static void
test_log_ring (void)
{
  g_autofree char *path = write_tmp ("ring.xml",
    "<pipeline format='1' id='ring'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='work' on-error='drop'><lua>if item.id == 3 then error ('bad item three') end</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GString *typed = g_string_new (NULL);
  SluiceRunLog *log;
  gboolean error_kept = FALSE, last_item_kept = FALSE;
  g_autofree char *last = NULL;
  g_autofree char *summary = NULL;

  g_assert_true (sluice_trust_remember (hash, NULL));
  for (guint i = 0; i < 600; i++)
    g_string_append_printf (typed, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_string_free (typed, FALSE);
  sluice_window_run_with_choice (window, choice);
  log = sluice_run_session_get_log (sluice_window_get_run_session (window));
  sluice_run_log_set_capacity (log, 100);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);

  g_assert_cmpuint (sluice_run_log_get_n_dropped (log), >, 0);
  g_assert_cmpuint (sluice_run_log_get_n_events (log), <=, 125 + 10);
  for (guint i = 0; i < sluice_run_log_get_n_events (log); i++)
    {
      g_autofree char *json = sluice_run_log_dup_json (log, i);

      error_kept |= strstr (json, "bad item three") != NULL;
      last_item_kept |= strstr (json, "\"item\":600") != NULL;
    }
  g_assert_true (error_kept);
  g_assert_true (last_item_kept);
  last = sluice_run_log_dup_json (log, sluice_run_log_get_n_events (log) - 1);
  g_test_message ("last: %s", last);
  g_assert_nonnull (strstr (last, "completed"));
  /* Unfiltered, the list shows every event the log keeps, newest
   * first. */
  sluice_run_panel_set_filter (sluice_window_get_run_panel (window), NULL, SLUICE_RUN_LEVEL_DEBUG);
  {
    GListModel *rows = sluice_run_panel_get_log_model (sluice_window_get_run_panel (window));
    g_autoptr(SluiceRunLogRow) first = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, sluice_run_log_get_n_events (log));
    first = g_list_model_get_item (rows, 0);
    g_assert_nonnull (strstr (sluice_run_log_row_get_text (first), "completed"));
  }
  summary = sluice_run_panel_dup_summary (sluice_window_get_run_panel (window));
  g_assert_nonnull (strstr (summary, "older events were let go"));
  close_window (window);
}

/* The first label under @root whose text holds @text, depth first. */
static GtkWidget *
find_label_with (GtkWidget  *root,
                 const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label_with (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static graphene_rect_t
bounds_in_window (GtkWidget    *widget,
                  SluiceWindow *window)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  g_test_message ("%s at %.0f,%.0f %.0f×%.0f", G_OBJECT_TYPE_NAME (widget),
                  bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height);
  return bounds;
}

/* "Run completed" came as a toast at the window's bottom, over the run
 * panel's log and the note under its stages (what the log let go): the
 * toast rises above the bottom pane and the canvas's zoom controls. */
static void
test_toast_beside_notes (void)
{
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "toast.xml",
    "<pipeline format='1' id='toast'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='work'><lua>item.x = 1</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceRunPanel *panel = sluice_window_get_run_panel (window);
  GtkWidget *toast, *note;
  graphene_rect_t toast_bounds, other;

  /* A canvas narrower than the zoom controls and a toast side by side. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  test_app_run_ids (window, 300);
  /* A log that lets events go, so that the note is there. */
  sluice_run_log_set_capacity (sluice_run_session_get_log (sluice_window_get_run_session (window)), 50);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, "Run completed");
  g_assert_true (sluice_run_panel_show_page (panel, "Stages"));
  /* The toast's showing animation is over. */
  test_app_spin (600);

  toast = test_app_find_widget (GTK_WIDGET (window), g_type_from_name ("AdwToastWidget"));
  g_assert_nonnull (toast);
  note = find_label_with (GTK_WIDGET (panel), "older events were let go");
  g_assert_nonnull (note);
  toast_bounds = bounds_in_window (toast, window);
  other = bounds_in_window (note, window);
  g_assert_false (graphene_rect_intersection (&toast_bounds, &other, NULL));
  other = bounds_in_window (GTK_WIDGET (panel), window);
  g_assert_false (graphene_rect_intersection (&toast_bounds, &other, NULL));
  other = bounds_in_window (test_app_find_with_class (GTK_WIDGET (window), "zoom-controls"), window);
  g_assert_false (graphene_rect_intersection (&toast_bounds, &other, NULL));
  test_app_save_screenshot (window, tmp_dir, "run-completed-toast.png");
  close_window (window);
}

/* A failed run's toast in a 1000 pixel window: the whole of it reads
 * (where the run failed), and why is in full under the stages. Saying
 * why in the toast, it was cut ("…checks failed: “Sharpe”: 1.…"). */
static void
test_failed_toast_whole (void)
{
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "failing.xml",
    "<pipeline format='1' id='failing'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='check' name='Check the thresholds'><lua>error ('the Sharpe ratio 1.8069 is under "
    "the threshold 2.5 by 0.6931, and the drawdown 0.31 is over the threshold 0.25 by 0.06')</lua></execution>"
    "</phase></controller></pipeline>");
  g_autofree char *summary = NULL;
  GtkWidget *toast, *title;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  test_app_run_ids (window, 1);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, "Run failed at “Check the thresholds”");
  test_app_spin (600);
  toast = test_app_find_widget (GTK_WIDGET (window), g_type_from_name ("AdwToastWidget"));
  g_assert_nonnull (toast);
  title = find_label_with (toast, "Run failed");
  g_assert_nonnull (title);
  g_assert_true (gtk_widget_get_mapped (title));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (title))));
  summary = sluice_run_panel_dup_summary (sluice_window_get_run_panel (window));
  g_assert_nonnull (strstr (summary, "over the threshold 0.25 by 0.06"));
  close_window (window);
}

/* A toast with a button in a 1000 pixel window: it spans the window's
 * width and reads whole (over the canvas alone it was cut: "The file
 * was changed by ano…"), above the bottom pane. */
static void
test_toast_whole_width (void)
{
  const char *xml = "<pipeline format='1' id='changed'><controller id='c' mode='not-parallel'><phase id='p'>"
                    "<execution id='m'><lua>item.x = 1</lua></execution></phase></controller></pipeline>";
  g_autofree char *path = g_build_filename (tmp_dir, "changed.xml", NULL);
  SluiceWindow *window;
  GtkWidget *toast, *title, *pane;
  graphene_rect_t toast_bounds, pane_bounds;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  window = test_app_open_window (app, path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  test_app_spin (300);
  /* Another program writes the file. */
  g_usleep (20000);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  test_app_spin (1500);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, "The file was changed by another program");
  toast = test_app_find_widget (GTK_WIDGET (window), g_type_from_name ("AdwToastWidget"));
  g_assert_nonnull (toast);
  title = find_label_with (toast, "changed by another program");
  g_assert_nonnull (title);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (title))));
  pane = gtk_paned_get_end_child (GTK_PANED (gtk_widget_get_ancestor (GTK_WIDGET (sluice_window_get_canvas (window)),
                                                                      GTK_TYPE_PANED)));
  toast_bounds = bounds_in_window (toast, window);
  pane_bounds = bounds_in_window (pane, window);
  g_assert_false (graphene_rect_intersection (&toast_bounds, &pane_bounds, NULL));
  close_window (window);
}

static gboolean
outputs_at_least_100 (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_session_get_n_outputs (session) >= 100;
}

/* Far out, each stage's name (the canvas's overview label) reads over
 * the modules' colours that a run draws: the pixel in its label's
 * padding after the text is the label's background, not a module's
 * state colour. */
static void
assert_names_over_run (SluiceWindow *window)
{
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceLayout *layout = sluice_canvas_get_layout (canvas);
  const SluiceViewport *vp = sluice_canvas_get_viewport (canvas);
  const SluiceCanvasColors *colors = sluice_canvas_get_colors (canvas);
  g_autoptr(GdkTexture) drawn = test_app_render (window);
  guint checked = 0;

  for (guint i = 0; i < sluice_layout_get_n_boxes (layout); i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);
      SluiceMode mode;
      g_autofree char *label = NULL;
      g_autoptr(PangoLayout) text = NULL;
      SluiceOverviewRect name;
      double x, y, w, h, wx, wy;
      graphene_point_t at;
      int tw, th;
      GdkRGBA seen;

      if (b->kind != SLUICE_BOX_CONTROLLER)
        continue;
      sluice_viewport_to_widget (vp, b->x, b->y, &x, &y);
      w = b->width * vp->zoom;
      h = b->height * vp->zoom;
      g_assert_true (sluice_overview_is_vertical (w, h));
      mode = sluice_controller_get_mode (SLUICE_CONTROLLER (b->node));
      label = g_strdup_printf ("%s %s", sluice_mode_symbol (mode), sluice_node_get_label (b->node));
      text = gtk_widget_create_pango_layout (GTK_WIDGET (canvas), label);
      pango_layout_get_pixel_size (text, &tw, &th);
      g_assert_true (sluice_overview_name_rect (x, y, w, h, tw, th, &name));
      /* Drawn turned by 90° about its top-right corner: half-way along
       * its text, in the label's padding (2 pixels) before its line. */
      wx = name.x + name.width - 1.5;
      wy = name.y + 5 + tw / 2.0;
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (canvas), GTK_WIDGET (window),
                                               &GRAPHENE_POINT_INIT (wx, wy), &at));
      pixel_at (drawn, at.x, at.y, &seen);
      g_test_message ("%s: name at %.1f,%.1f %.1fx%.1f, text %dx%d, pixel at %.1f,%.1f: %s", label, name.x, name.y,
                      name.width, name.height, tw, th, at.x, at.y, gdk_rgba_to_string (&seen));
      g_assert_cmpfloat (fabs (seen.red - colors->background.red), <, 0.12);
      g_assert_cmpfloat (fabs (seen.green - colors->background.green), <, 0.12);
      g_assert_cmpfloat (fabs (seen.blue - colors->background.blue), <, 0.12);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 10);
}

static void
far_out_screenshot (SluiceWindow *window,
                    const char   *name)
{
  g_autofree char *file = g_strdup_printf ("%s%s.png", name,
                                           adw_style_manager_get_dark (adw_style_manager_get_default ()) ? "-dark" : "");

  test_app_save_screenshot (window, tmp_dir, file);
}

/* Zoomed out to 10% during and after a run of ten narrow, tall stages
 * (a condition of 60 modules each, as bench-live-run has): the stages'
 * names read over the modules' colours, in the light and the dark
 * style; the words of their state are checked beside the names in
 * test-canvas-geometry. */
static void
test_far_out_run (void)
{
  static const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };
  GString *xml = g_string_new ("<pipeline format='1' id='far'>");
  AdwStyleManager *style = adw_style_manager_get_default ();
  SluiceViewport far = { 0.1, -200, -200 };
  SluiceWindow *window;

  for (guint c = 0; c < 10; c++)
    {
      g_string_append_printf (xml, "<controller id='c%u' mode='%s'%s><phase id='p%u'>"
                                   "<condition id='when%u'><when>item.id %% 50 == %u</when><then>",
                              c, modes[c % 4], c % 4 ? " workers='2'" : "", c, c, c * 3);
      for (guint m = 0; m < 60; m++)
        /* One slow module keeps the run going for the frames drawn during it. */
        if (c == 6 && m == 1)
          g_string_append_printf (xml, "<execution id='slow%u'><command>sleep 0.05; cat</command></execution>", c);
        else
          g_string_append_printf (xml, "<execution id='m%u-%u'><lua>item.v = (item.v or 0) + %u</lua></execution>",
                                  c, m, m % 3);
      g_string_append (xml, "</then></condition></phase></controller>");
    }
  g_string_append (xml, "</pipeline>");
  window = test_app_open_trusted (app, tmp_dir, "far.xml", xml->str);
  g_string_free (xml, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  test_app_spin (100);
  sluice_canvas_set_viewport (sluice_window_get_canvas (window), &far);

  test_app_run_ids (window, 3000);
  g_assert_true (test_app_wait_for (outputs_at_least_100, window, 60000));
  g_assert_true (sluice_run_session_get_active (sluice_window_get_run_session (window)));
  assert_names_over_run (window);
  far_out_screenshot (window, "far-out-during");
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  test_app_spin (300);
  assert_names_over_run (window);
  far_out_screenshot (window, "far-out-after");

  adw_style_manager_set_color_scheme (style, adw_style_manager_get_dark (style)
                                             ? ADW_COLOR_SCHEME_FORCE_LIGHT : ADW_COLOR_SCHEME_FORCE_DARK);
  test_app_spin (200);
  assert_names_over_run (window);
  far_out_screenshot (window, "far-out-after");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  close_window (window);
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
no_hyphens (gconstpointer attribute,
            gconstpointer unused)
{
  const PangoAttribute *a = attribute;

  return a->klass->type == PANGO_ATTR_INSERT_HYPHENS && !((const PangoAttrInt *) a)->value ? 0 : 1;
}

/* Defect 17: the run dialog's command line is never hyphenated, only
 * what the chosen input needs is shown (and labelled), and the arrow
 * next to Run opens a menu. */
static void
test_run_dialog (void)
{
  g_autofree char *path = write_tmp ("a-rather-long-file-name-for-the-run-dialog-example.xml",
    "<pipeline format='1' id='dialog'><parameters><parameter name='threshold' default='1'/></parameters>"
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='a'><lua>item.x = params.threshold</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_window (app, path);
  AdwMessageDialog *dialog;
  GtkWidget *command, *input_path, *typed;
  GtkDropDown *input;
  PangoAttrList *attributes;
  g_autoptr(GSList) hyphens = NULL;
  GList *labels;
  AdwSplitButton *split;
  GMenuModel *menu;
  gboolean has_run_with = FALSE;

  activate (window, "run-with", NULL);
  g_assert_true (test_app_wait_for (test_app_message_dialog_shown, window, 5000));
  dialog = test_app_find_message_dialog (window);
  command = find_named (GTK_WIDGET (dialog), "command-line");
  g_assert_nonnull (command);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (command)), "run-dialog-example.xml"));
  attributes = gtk_label_get_attributes (GTK_LABEL (command));
  g_assert_nonnull (attributes);
  hyphens = pango_attr_list_get_attributes (attributes);
  g_assert_nonnull (g_slist_find_custom (hyphens, NULL, no_hyphens));
  g_slist_free_full (g_steal_pointer (&hyphens), (GDestroyNotify) pango_attribute_destroy);

  input_path = find_named (GTK_WIDGET (dialog), "input-path");
  typed = find_named (GTK_WIDGET (dialog), "typed-items");
  input = GTK_DROP_DOWN (test_app_find_widget (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN));
  gtk_drop_down_set_selected (input, SLUICE_RUN_INPUT_TRIGGER);
  g_assert_false (gtk_widget_is_visible (input_path));
  g_assert_false (gtk_widget_is_visible (typed));
  gtk_drop_down_set_selected (input, SLUICE_RUN_INPUT_FILE);
  g_assert_true (gtk_widget_is_visible (input_path));
  g_assert_false (gtk_widget_is_visible (typed));
  gtk_drop_down_set_selected (input, SLUICE_RUN_INPUT_TYPED);
  g_assert_false (gtk_widget_is_visible (input_path));
  g_assert_true (gtk_widget_is_visible (typed));
  labels = gtk_widget_list_mnemonic_labels (typed);
  g_assert_nonnull (labels);
  g_list_free (labels);
  adw_message_dialog_response (dialog, "cancel");
  test_app_spin (50);

  split = ADW_SPLIT_BUTTON (test_app_find_widget (GTK_WIDGET (window), ADW_TYPE_SPLIT_BUTTON));
  g_assert_nonnull (split);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (split)), ==, "win.run");
  menu = adw_split_button_get_menu_model (split);
  g_assert_nonnull (menu);
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *action = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
        has_run_with |= g_strcmp0 (action, "win.run-with") == 0;
    }
  g_assert_true (has_run_with);
  close_window (window);
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* The trust store, remembered choices and drafts stay in here. */
  tmp_dir = test_app_setup_environment ("test-app-run-window");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-run-window/close-after-run", test_close_after_run);
  g_test_add_func ("/sluice/app-run-window/close-during-run", test_close_during_run);
  g_test_add_func ("/sluice/app-run-window/palette-after-run", test_palette_after_run);
  g_test_add_func ("/sluice/app-run-window/trust-through-save", test_trust_through_save);
  g_test_add_func ("/sluice/app-run-window/run-clipped", test_run_clipped);
  g_test_add_func ("/sluice/app-run-window/pause-cancel-badges", test_pause_cancel_badges);
  g_test_add_func ("/sluice/app-run-window/plurals", test_plurals);
  g_test_add_func ("/sluice/app-run-window/log-ring", test_log_ring);
  g_test_add_func ("/sluice/app-run-window/log-follows", test_log_follows);
  g_test_add_func ("/sluice/app-run-window/run-colors", test_run_colors);
  g_test_add_func ("/sluice/app-run-window/toast-beside-notes", test_toast_beside_notes);
  g_test_add_func ("/sluice/app-run-window/failed-toast-whole", test_failed_toast_whole);
  g_test_add_func ("/sluice/app-run-window/toast-whole-width", test_toast_whole_width);
  g_test_add_func ("/sluice/app-run-window/far-out-run", test_far_out_run);
  g_test_add_func ("/sluice/app-run-window/run-dialog", test_run_dialog);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
