/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <jansson.h>

#include "sluice-json.h"
#include "sluice-run-panel.h"
#include "sluice-run-services.h"
#include "sluice-run-stages.h"

struct _SluiceRunPanel
{
  GtkWidget         parent_instance;

  SluiceRunSession *session;      /* owned, may be NULL */
  char             *module_id;    /* of the data preview */
  GtkWidget        *box;
  GtkLabel         *state_label;
  GtkLabel         *totals_label;
  GtkDropDown      *module_filter;
  GtkStringList    *module_ids;   /* "" first: all modules */
  GtkDropDown      *level_filter;
  GtkListView      *log_view;
  GtkNoSelection   *selection;
  GtkLabel         *summary;      /* notes under the stages table */
  GListStore       *stages;       /* owned: SluiceStageRow */
  GtkColumnView    *stages_view;
  GListStore       *services;     /* owned: SluiceEndpointRow */
  GtkWidget        *services_page;
  GtkWidget        *services_tab;
  GtkNotebook      *notebook;
  GtkTextView      *preview;
  GtkTextView      *outputs;
  SluiceRunReportView *report_view; /* borrowed page */
  gboolean          report_shown; /* the final report of the session is on its page */
  json_t           *shown_remote_report; /* borrowed from the session: the server's report on the page */
  GtkWidget        *fetch_button; /* a remote run: ask the server for its report and outputs */
  gint64            last_text_update;
  gboolean          shown_items;  /* the totals shown count an item */
  guint             trailing_update;  /* the update a throttled one owes */
  guint64           shown_outputs;
  /* The log shows the newest events on top and stays there as they
   * come, unless the user scrolled down to older ones. */
  gboolean          following;
  gulong            pin_handler;  /* on pin_clock's after-paint, while new rows are laid out */
  GdkFrameClock    *pin_clock;    /* owned while pinning */
  /* The value the list's last gtk_adjustment_configure() put in place
   * (it emits "changed" right before "value-changed"); NAN once that
   * value change was seen. Any other change is the user's scrolling. */
  double            relaid_value;
  gboolean          pinning;      /* the panel itself moves the view */
};

G_DEFINE_FINAL_TYPE (SluiceRunPanel, sluice_run_panel, GTK_TYPE_WIDGET)

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  SluiceRunLogRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), sluice_run_log_row_get_text (row));
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "dim-label");
  switch (sluice_run_log_row_get_level (row))
    {
    case SLUICE_RUN_LEVEL_ERROR:
      gtk_widget_add_css_class (label, "error");
      break;
    case SLUICE_RUN_LEVEL_WARNING:
      gtk_widget_add_css_class (label, "warning");
      break;
    case SLUICE_RUN_LEVEL_DEBUG:
      gtk_widget_add_css_class (label, "dim-label");
      break;
    case SLUICE_RUN_LEVEL_INFO:
    default:
      break;
    }
}

static char *
pretty_json (const char *line)
{
  json_t *value = json_loads (line, 0, NULL);
  char *text, *result;

  if (value == NULL)
    return g_strdup (line);
  /* The runner's writer: numbers in their shortest exact form (1.4, not
   * 1.3999999999999999). */
  text = sluice_json_dumps (value, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  if (text == NULL)
    return g_strdup (line);
  json_decref (value);
  result = g_strdup (text);
  free (text);
  return result;
}

static void
append_items (GString    *s,
              const char *title,
              char      **items)
{
  g_string_append_printf (s, "%s\n", title);
  if (items[0] == NULL)
    g_string_append (s, _("  (none yet)\n"));
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *pretty = pretty_json (items[i]);
      g_string_append_printf (s, "%s\n", pretty);
    }
}

/* A run on a server: no module's items are kept there, only the run's
 * output, of which the watch fetched the newest. */
static char *
dup_remote_data (SluiceRunPanel *self)
{
  GPtrArray *outputs = sluice_run_session_get_outputs (self->session);
  guint64 total = sluice_run_session_get_n_outputs (self->session);
  GString *s;

  if (!sluice_run_session_get_remote_outputs (self->session))
    return g_strdup (_("The server keeps no items of single modules, only the run’s output. Its newest "
                       "items come here when the run is over, or now with “Fetch from Server”."));
  s = g_string_new (NULL);
  if (outputs->len == 0)
    g_string_append (s, _("The run has no output items on the server.\n"));
  else if (total > outputs->len)
    /* TRANSLATORS: "the newest 1000 of 25000 output items" */
    g_string_append_printf (s, _("The run’s output on the server: the newest %u of %" PRIu64 " items, newest first\n\n"),
                            outputs->len, total);
  else
    g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "The run’s output on the server: %u item\n\n",
                                            "The run’s output on the server: all %u items, newest first\n\n", outputs->len),
                            outputs->len);
  /* Formatted, as the preview's: the newest 100 (the Output page lists
   * them compact). */
  for (guint i = outputs->len; i > 0 && i + 100 > outputs->len; i--)
    {
      g_autofree char *pretty = pretty_json (g_ptr_array_index (outputs, i - 1));

      g_string_append_printf (s, "%s\n", pretty);
    }
  return g_string_free (s, FALSE);
}

char *
sluice_run_panel_dup_preview (SluiceRunPanel *self)
{
  SluiceExecutor *executor = self->session ? sluice_run_session_get_executor (self->session) : NULL;
  g_auto(GStrv) in = NULL;
  g_auto(GStrv) out = NULL;
  GString *s;

  if (executor == NULL && self->session != NULL && sluice_run_session_get_remote (self->session))
    return dup_remote_data (self);
  if (self->module_id == NULL || executor == NULL)
    return g_strdup (_("Select a module on the canvas to see the last items that went into it and came out of it."));
  in = sluice_executor_dup_preview (executor, self->module_id, FALSE);
  out = sluice_executor_dup_preview (executor, self->module_id, TRUE);
  s = g_string_new (NULL);
  g_string_append_printf (s, _("Module “%s”, newest first\n\n"), self->module_id);
  append_items (s, _("Came out:"), out);
  g_string_append (s, "\n");
  append_items (s, _("Went in:"), in);
  return g_string_free (s, FALSE);
}

static gboolean
is_inside (SluiceNode *node,
           SluiceNode *ancestor)
{
  for (; node != NULL; node = sluice_node_get_parent (node))
    if (node == ancestor)
      return TRUE;
  return FALSE;
}

static gboolean
summary_cb (SluiceNode *node,
            gpointer    user_data)
{
  gpointer *data = user_data;
  SluiceRunPanel *self = data[0];
  GString *s = data[1];
  SluiceControllerLive live;
  const char *failed = sluice_run_session_get_failed_module (self->session);
  SluiceNode *failed_node;
  const char *gate;

  if (!SLUICE_IS_CONTROLLER (node) || !sluice_run_session_get_controller_live (self->session, node, &live))
    return TRUE;

  failed_node = failed ? sluice_pipeline_find_node (sluice_run_session_get_pipeline (self->session), failed) : NULL;
  if (failed_node != NULL && (SLUICE_IS_FAIL (failed_node) || SLUICE_IS_GATE (failed_node)) && is_inside (failed_node, node))
    gate = _("gate failed");
  else if (live.state == SLUICE_LIVE_FAILED)
    gate = _("failed");
  else if (live.state == SLUICE_LIVE_DONE)
    gate = _("passed");
  else
    gate = "–";
  g_string_append_printf (s, _("%-24s %-10s %8.1f s  in %-8" PRIu64 " out %-8" PRIu64 " %s\n"),
                          sluice_node_get_label (node), sluice_live_state_to_string (live.state),
                          live.started ? ((live.finished ? live.finished : g_get_monotonic_time ()) - live.started) / 1e6 : 0.0,
                          live.items_in, live.items_out, gate);
  return TRUE;
}

/* What the stages table does not say: why the run failed, and what the
 * log let go. */
static char *
dup_notes (SluiceRunPanel *self)
{
  GString *s = g_string_new (NULL);

  if (self->session == NULL || !sluice_run_session_get_started (self->session))
    return g_string_free (s, FALSE);
  if (sluice_run_session_get_error (self->session) != NULL)
    g_string_append_printf (s, _("\nError: %s\n"), sluice_run_session_get_error (self->session));
  if (sluice_run_session_get_log_truncated (self->session))
    {
      guint64 dropped = sluice_run_log_get_n_dropped (sluice_run_session_get_log (self->session));

      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                              "\nThe log keeps the newest %u events of a run and every warning, "
                                              "error and state change; %" PRIu64 " older event was let go. "
                                              "The counters are exact.\n",
                                              "\nThe log keeps the newest %u events of a run and every warning, "
                                              "error and state change; %" PRIu64 " older events were let go. "
                                              "The counters are exact.\n",
                                              (gulong) MIN (dropped, G_MAXULONG)),
                              SLUICE_RUN_SESSION_MAX_EVENTS, dropped);
    }
  return g_string_free (s, FALSE);
}

char *
sluice_run_panel_dup_summary (SluiceRunPanel *self)
{
  GString *s = g_string_new (NULL);
  gpointer data[2] = { self, s };
  g_autofree char *notes = NULL;

  if (self->session == NULL || !sluice_run_session_get_started (self->session))
    return g_string_free (s, FALSE);
  sluice_pipeline_foreach_node (sluice_run_session_get_pipeline (self->session), summary_cb, data);
  notes = dup_notes (self);
  g_string_append (s, notes);
  return g_string_free (s, FALSE);
}

/* Only a run that calls services has a page for them. */
static void
update_services_page (SluiceRunPanel *self)
{
  gboolean visible = g_list_model_get_n_items (G_LIST_MODEL (self->services)) > 0;

  /* Hiding the current page moves the focus: not in a panel that is
   * leaving its window (the last run's page stays until then). */
  if (!visible && gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;
  gtk_widget_set_visible (self->services_page, visible);
  /* GtkNotebook does not show the tab again with its page: both. */
  gtk_widget_set_visible (self->services_tab, visible);
}

/* A text view's text, set only when it changed: setting it lays all of
 * it out again (a hundred lines of JSON), and a run updates the panel
 * several times a second. */
static void
set_text_if_changed (GtkTextView *view,
                     const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  if (g_strcmp0 (g_object_get_data (G_OBJECT (buffer), "sluice-shown-text"), text) == 0)
    return;
  g_object_set_data_full (G_OBJECT (buffer), "sluice-shown-text", g_strdup (text), g_free);
  gtk_text_buffer_set_text (buffer, text, -1);
}

/* The newest outputs, on their page. Only while the page is on screen
 * (or @force: someone reads them): it is written again whenever the
 * count changes, which is every update of a run. */
static void
refresh_outputs (SluiceRunPanel *self,
                 gboolean        force)
{
  GPtrArray *outputs;

  if (self->session == NULL || (!force && !gtk_widget_get_mapped (GTK_WIDGET (self->outputs))))
    return;
  outputs = sluice_run_session_get_outputs (self->session);
  if (self->shown_outputs != sluice_run_session_get_n_outputs (self->session))
    {
      GString *s = g_string_new (NULL);

      self->shown_outputs = sluice_run_session_get_n_outputs (self->session);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " output item",
                                                             "%" PRIu64 " output items",
                                                             (gulong) MIN (self->shown_outputs, G_MAXULONG)),
                                                self->shown_outputs);

      if (self->shown_outputs > outputs->len)
        /* TRANSLATORS: "5000 output items; the last 1000, newest first:" */
        g_string_append_printf (s, _("%s; the last %u, newest first:\n"), count, outputs->len);
      else if (self->shown_outputs > 1)
        /* TRANSLATORS: "3 output items, newest first:" */
        g_string_append_printf (s, _("%s, newest first:\n"), count);
      else
        g_string_append_printf (s, "%s:\n", count);
      for (guint i = outputs->len; i > 0 && i + 100 > outputs->len; i--)
        g_string_append_printf (s, "%s\n", (char *) g_ptr_array_index (outputs, i - 1));
      set_text_if_changed (self->outputs, s->str);
      g_string_free (s, TRUE);
    }
}

static void
outputs_mapped_cb (SluiceRunPanel *self)
{
  refresh_outputs (self, TRUE);
}

static void
refresh_texts (SluiceRunPanel *self)
{
  g_autofree char *notes = dup_notes (self);
  g_autofree char *preview = sluice_run_panel_dup_preview (self);

  sluice_run_stages_update (self->stages, self->session);
  sluice_run_services_update (self->services, self->session);
  update_services_page (self);
  gtk_label_set_text (self->summary, g_strstrip (notes));
  gtk_widget_set_visible (GTK_WIDGET (self->summary), *notes != '\0');
  set_text_if_changed (self->preview, preview);
  refresh_outputs (self, FALSE);
}

static void updated_cb (SluiceRunPanel *self);

static void
trailing_update_cb (gpointer data)
{
  SluiceRunPanel *self = data;

  self->trailing_update = 0;
  if (self->session != NULL)
    {
      self->last_text_update = 0;
      updated_cb (self);
    }
}

static void
updated_cb (SluiceRunPanel *self)
{
  SluiceRunState state = sluice_run_session_get_state (self->session);
  g_autofree char *totals = NULL;
  guint64 items_in, items_out;
  gint64 elapsed;
  gint64 now = g_get_monotonic_time ();

  /* A few times a second: each change of a label redraws the window.
   * An update skipped here is owed: it comes when the interval is over,
   * even if the run says nothing more meanwhile (a slow step), so that
   * the counts never stay behind the canvas. Not skipped: a change of
   * state, the end, and the first items (the canvas counted them at
   * once, and "in 0" beside them read as a fault for a quarter of a
   * second). */
  sluice_run_session_get_totals (self->session, &items_in, &items_out, &elapsed);
  if (now - self->last_text_update < 250000 && !sluice_run_state_is_final (state) &&
      (self->shown_items || items_in + items_out == 0) &&
      g_strcmp0 (gtk_label_get_text (self->state_label), sluice_run_state_to_string (state)) == 0)
    {
      if (self->trailing_update == 0)
        self->trailing_update = g_timeout_add_once ((guint) ((self->last_text_update + 250000 - now) / 1000) + 1,
                                                    trailing_update_cb, self);
      return;
    }
  g_clear_handle_id (&self->trailing_update, g_source_remove);
  self->last_text_update = now;
  gtk_label_set_text (self->state_label, sluice_run_state_to_string (state));
  self->shown_items = items_in + items_out > 0;
  totals = g_strdup_printf (_("in %" PRIu64 " · out %" PRIu64 " · %.1f s"), items_in, items_out, elapsed / 1e6);
  gtk_label_set_text (self->totals_label, totals);
  refresh_texts (self);
  /* A remote run's: the server's, as soon as the watch has it. */
  if (sluice_run_session_get_remote_report (self->session) != self->shown_remote_report)
    {
      self->shown_remote_report = sluice_run_session_get_remote_report (self->session);
      sluice_run_report_view_set_report (self->report_view, self->shown_remote_report);
    }
  /* The report once the run is over: the same object sluice-run writes. */
  if (sluice_run_state_is_final (state) && !self->report_shown &&
      sluice_run_session_get_run (self->session) != NULL)
    {
      json_t *report = sluice_run_build_report (sluice_run_session_get_run (self->session));

      sluice_run_report_view_set_report (self->report_view, report);
      json_decref (report);
      self->report_shown = TRUE;
    }
}

static void
fetch_clicked_cb (SluiceRunPanel *self)
{
  if (self->session != NULL)
    sluice_run_session_request_results (self->session);
}

static void
filter_changed_cb (SluiceRunPanel *self)
{
  const char *module;

  if (self->session == NULL)
    return;
  /* The first entry is "All modules". */
  module = gtk_drop_down_get_selected (self->module_filter) > 0
           ? gtk_string_list_get_string (self->module_ids, gtk_drop_down_get_selected (self->module_filter))
           : NULL;
  sluice_run_log_set_filter (sluice_run_session_get_log (self->session), module,
                             gtk_drop_down_get_selected (self->level_filter));
}

void
sluice_run_panel_set_filter (SluiceRunPanel *self,
                             const char     *module_id,
                             SluiceRunLevel  min_level)
{
  guint position = 0;

  for (guint i = 1; module_id != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->module_ids)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->module_ids, i), module_id) == 0)
      position = i;
  gtk_drop_down_set_selected (self->module_filter, position);
  gtk_drop_down_set_selected (self->level_filter, min_level);
  filter_changed_cb (self);
}

static gboolean
collect_module_cb (SluiceNode *node,
                   gpointer    user_data)
{
  if (SLUICE_IS_MODULE (node) && sluice_node_get_id (node) != NULL)
    g_ptr_array_add (user_data, (gpointer) sluice_node_get_id (node));
  return TRUE;
}

/* The module filter's choices: "All modules", then @pipeline's modules,
 * in one splice (the drop-down hears of five thousand modules once, not
 * once each: a fifth of a second before a big pipeline's run), and none
 * when they are the ones listed (a pipeline run again: another 20 ms). */
static void
set_module_ids (SluiceRunPanel *self,
                SluicePipeline *pipeline)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  guint listed = g_list_model_get_n_items (G_LIST_MODEL (self->module_ids)) - 1;
  gboolean same;

  sluice_pipeline_foreach_node (pipeline, collect_module_cb, ids);
  same = ids->len == listed;
  for (guint i = 0; same && i < ids->len; i++)
    same = g_strcmp0 (g_ptr_array_index (ids, i), gtk_string_list_get_string (self->module_ids, i + 1)) == 0;
  if (same)
    return;
  g_ptr_array_add (ids, NULL);
  gtk_string_list_splice (self->module_ids, 1, listed, (const char * const *) ids->pdata);
}

static GtkAdjustment *
log_adjustment (SluiceRunPanel *self)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view));
}

static void
pin_to_top (SluiceRunPanel *self)
{
  GtkAdjustment *adjustment = log_adjustment (self);

  if (gtk_adjustment_get_value (adjustment) == gtk_adjustment_get_lower (adjustment))
    return;
  self->pinning = TRUE;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
  self->pinning = FALSE;
}

/* Shows the newest row through the list's own action too, once a frame
 * is over (never while the list lays out or takes a change: it would ask
 * the model for rows it has not been told about yet). After thousands of
 * rows came at the top and as many went at the bottom in one frame (a
 * fast run), GTK 4.8's list kept an anchor among the rows that went and
 * drew nothing, while its adjustment already said "at the top", so
 * setting the value changed nothing. */
static void
show_newest (SluiceRunPanel *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->log_view));

  if (model != NULL && g_list_model_get_n_items (model) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->log_view), "list.scroll-to-item", "u", 0);
  pin_to_top (self);
}

static void
unpin (SluiceRunPanel *self)
{
  /* A clock whose surface went away drops its handlers itself. */
  if (self->pin_handler != 0 && g_signal_handler_is_connected (self->pin_clock, self->pin_handler))
    g_signal_handler_disconnect (self->pin_clock, self->pin_handler);
  self->pin_handler = 0;
  g_clear_object (&self->pin_clock);
}

/* The window laid the new rows out. */
static void
pin_after_paint_cb (SluiceRunPanel *self)
{
  unpin (self);
  show_newest (self);
}

static void
log_scrolled_cb (SluiceRunPanel *self)
{
  GtkAdjustment *adjustment = log_adjustment (self);
  double value = gtk_adjustment_get_value (adjustment);
  gboolean by_list = value == self->relaid_value;

  self->relaid_value = NAN;
  if (self->pinning)
    return;
  /* While new rows are laid out, or the list is resized, the list moves
   * the view to keep the rows it showed in place: that is not the user
   * scrolling away, and the view goes back to the newest. */
  if (by_list && self->following)
    {
      pin_to_top (self);
      return;
    }
  self->following = value <= gtk_adjustment_get_lower (adjustment) + 1;
  /* The user scrolled away: a scroll to the newest queued before, for
   * rows that came before, is dropped, whenever its frame comes. */
  if (!self->following)
    unpin (self);
}

/* Rows came or the list was resized (no scrolling by the user): the
 * list configured its adjustment. */
static void
log_relaid_cb (SluiceRunPanel *self)
{
  if (self->following)
    pin_to_top (self);
  self->relaid_value = gtk_adjustment_get_value (log_adjustment (self));
}

static void
log_changed_cb (SluiceRunPanel *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->log_view));

  if (!self->following || self->pin_handler != 0)
    return;
  /* Not on screen, no frame may come soon: the list has not moved. */
  if (clock == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self->log_view)))
    {
      pin_to_top (self);
      return;
    }
  /* Once the window has laid the new rows out, in the same frame: the
   * frame clock lays out again before it paints when asked to, so the
   * view is on the newest rows in the frame that shows them, without a
   * frame of its own (a software renderer renders the whole window for
   * each). */
  self->pin_clock = g_object_ref (clock);
  self->pin_handler = g_signal_connect_data (clock, "layout", G_CALLBACK (pin_after_paint_cb), self, NULL,
                                             G_CONNECT_SWAPPED | G_CONNECT_AFTER);
}

void
sluice_run_panel_set_session (SluiceRunPanel   *self,
                              SluiceRunSession *session)
{
  g_return_if_fail (SLUICE_IS_RUN_PANEL (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (sluice_run_session_get_log (self->session), self);
    }
  g_set_object (&self->session, session);
  self->shown_outputs = G_MAXUINT64;
  self->shown_items = FALSE;
  self->report_shown = FALSE;
  self->shown_remote_report = NULL;
  sluice_run_report_view_set_report (self->report_view, NULL);
  gtk_widget_set_visible (self->fetch_button, session != NULL && sluice_run_session_get_remote (session));
  /* Before the list hears of new rows (and moves the view to keep its
   * rows in place), so that this is not taken for the user scrolling. */
  if (session != NULL)
    g_signal_connect_object (sluice_run_session_get_log (session), "items-changed", G_CALLBACK (log_changed_cb),
                             self, G_CONNECT_SWAPPED);

  g_signal_handlers_block_by_func (self->module_filter, filter_changed_cb, self);
  /* No session: the last one's modules stay listed (a window lets go of
   * its last run just before it starts the next, most often of the
   * same pipeline). */
  if (session != NULL)
    set_module_ids (self, sluice_run_session_get_pipeline (session));
  gtk_drop_down_set_selected (self->module_filter, 0);
  g_signal_handlers_unblock_by_func (self->module_filter, filter_changed_cb, self);

  gtk_no_selection_set_model (self->selection, session ? G_LIST_MODEL (sluice_run_session_get_log (session)) : NULL);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "updated", G_CALLBACK (updated_cb), self);
      filter_changed_cb (self);
    }
  refresh_texts (self);
}

void
sluice_run_panel_refresh (SluiceRunPanel *self)
{
  g_return_if_fail (SLUICE_IS_RUN_PANEL (self));

  if (self->session == NULL)
    return;
  self->last_text_update = 0;
  updated_cb (self);
}

void
sluice_run_panel_set_module (SluiceRunPanel *self,
                             const char     *module_id)
{
  g_autofree char *preview = NULL;

  if (g_strcmp0 (self->module_id, module_id) == 0)
    return;
  g_free (self->module_id);
  self->module_id = g_strdup (module_id);
  preview = sluice_run_panel_dup_preview (self);
  set_text_if_changed (self->preview, preview);
}

char *
sluice_run_panel_dup_outputs (SluiceRunPanel *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);

  refresh_outputs (self, TRUE);
  buffer = gtk_text_view_get_buffer (self->outputs);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
sluice_run_panel_get_following (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), FALSE);
  return self->following;
}

GtkAdjustment *
sluice_run_panel_get_log_adjustment (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);
  return log_adjustment (self);
}

gboolean
sluice_run_panel_get_newest_queued (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), FALSE);
  return self->pin_handler != 0;
}

gboolean
sluice_run_panel_show_page (SluiceRunPanel *self,
                            const char     *title)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), FALSE);

  for (int i = 0; i < gtk_notebook_get_n_pages (self->notebook); i++)
    {
      GtkWidget *page = gtk_notebook_get_nth_page (self->notebook, i);

      if (g_strcmp0 (gtk_notebook_get_tab_label_text (self->notebook, page), title) == 0 &&
          gtk_widget_get_visible (page))
        {
          gtk_notebook_set_current_page (self->notebook, i);
          return TRUE;
        }
    }
  return FALSE;
}

GListModel *
sluice_run_panel_get_services (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);
  return G_LIST_MODEL (self->services);
}

GListModel *
sluice_run_panel_get_stages (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);
  /* The view's model: sorted as the user asked. */
  return G_LIST_MODEL (gtk_column_view_get_model (self->stages_view));
}

GtkWidget *
sluice_run_panel_get_fetch_button (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);
  return self->fetch_button;
}

SluiceRunReportView *
sluice_run_panel_get_report_view (SluiceRunPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_PANEL (self), NULL);
  return self->report_view;
}

GListModel *
sluice_run_panel_get_log_model (SluiceRunPanel *self)
{
  return G_LIST_MODEL (self->selection);
}

static void
split_cb (GtkPaned *paned)
{
  int max = 0;

  g_object_get (paned, "max-position", &max, NULL);

  if (max > 0 && !g_object_get_data (G_OBJECT (paned), "sluice-user-moved"))
    {
      g_object_set_data (G_OBJECT (paned), "sluice-split", GINT_TO_POINTER (max * 40 / 100));
      gtk_paned_set_position (paned, max * 40 / 100);
    }
}

static void
moved_cb (GtkPaned *paned)
{
  gpointer split = g_object_get_data (G_OBJECT (paned), "sluice-split");

  if (split != NULL && gtk_paned_get_position (paned) != GPOINTER_TO_INT (split))
    g_object_set_data (G_OBJECT (paned), "sluice-user-moved", GINT_TO_POINTER (TRUE));
}

static GtkWidget *
scrolled (GtkWidget *child)
{
  GtkWidget *sw = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (sw), child);
  gtk_widget_set_vexpand (sw, TRUE);
  gtk_widget_set_hexpand (sw, TRUE);
  return sw;
}

static GtkTextView *
text_view (void)
{
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  return GTK_TEXT_VIEW (view);
}

static void
sluice_run_panel_dispose (GObject *object)
{
  SluiceRunPanel *self = SLUICE_RUN_PANEL (object);

  sluice_run_panel_set_session (self, NULL);
  g_clear_handle_id (&self->trailing_update, g_source_remove);
  unpin (self);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (sluice_run_panel_parent_class)->dispose (object);
}

static void
sluice_run_panel_finalize (GObject *object)
{
  SluiceRunPanel *self = SLUICE_RUN_PANEL (object);

  g_free (self->module_id);
  g_clear_object (&self->stages);
  g_clear_object (&self->services);
  G_OBJECT_CLASS (sluice_run_panel_parent_class)->finalize (object);
}

static void
sluice_run_panel_class_init (SluiceRunPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_run_panel_dispose;
  object_class->finalize = sluice_run_panel_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "sluicerunpanel");
}

static void
sluice_run_panel_init (SluiceRunPanel *self)
{
  const char *levels[] = { N_("Everything"), N_("Info and up"), N_("Warnings and errors"), N_("Errors"), NULL };
  const char *translated[5];
  GtkWidget *header, *paned, *notebook, *log_scroller;
  GtkListItemFactory *factory;

  for (guint i = 0; i < 5; i++)
    translated[i] = levels[i] ? _(levels[i]) : NULL;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (header, 6);
  gtk_widget_set_margin_end (header, 6);
  gtk_widget_set_margin_top (header, 6);
  self->state_label = GTK_LABEL (gtk_label_new (_("No run yet")));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "heading");
  self->totals_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->totals_label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (self->totals_label), "run-totals");
  gtk_widget_set_hexpand (GTK_WIDGET (self->totals_label), TRUE);
  gtk_label_set_xalign (self->totals_label, 0);
  self->module_ids = gtk_string_list_new ((const char *[]) { _("All modules"), NULL });
  self->module_filter = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (self->module_ids), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->module_filter), _("Show the events of one module"));
  self->level_filter = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (translated));
  gtk_drop_down_set_selected (self->level_filter, SLUICE_RUN_LEVEL_INFO);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->level_filter), _("Which events to show"));
  g_signal_connect_swapped (self->module_filter, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  g_signal_connect_swapped (self->level_filter, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->totals_label));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->module_filter));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->level_filter));
  gtk_box_append (GTK_BOX (self->box), header);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  self->selection = gtk_no_selection_new (NULL);
  self->log_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->log_view), "run-log");
  g_object_unref (self->selection);

  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  log_scroller = scrolled (GTK_WIDGET (self->log_view));
  /* A scrollbar that stays: an overlay one shows itself and fades out
   * each time rows come, and each frame of that fade redraws the window,
   * a dozen frames a second of a live run that a software renderer
   * takes from the run. */
  gtk_scrolled_window_set_overlay_scrolling (GTK_SCROLLED_WINDOW (log_scroller), FALSE);
  gtk_widget_set_name (log_scroller, "run-log");
  gtk_paned_set_start_child (GTK_PANED (paned), log_scroller);
  self->following = TRUE;
  self->relaid_value = NAN;
  g_signal_connect_object (log_adjustment (self), "value-changed", G_CALLBACK (log_scrolled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (log_adjustment (self), "changed", G_CALLBACK (log_relaid_cb),
                           self, G_CONNECT_SWAPPED);

  /* The log and the tables share the width (the tables need room for
   * their columns), until the user moves the divider. */
  g_signal_connect (paned, "notify::max-position", G_CALLBACK (split_cb), NULL);
  g_signal_connect (paned, "notify::position", G_CALLBACK (moved_cb), NULL);
  notebook = gtk_notebook_new ();
  {
    /* The stages as a table that sorts by any column; the run's error
     * (or what the log let go) below it. */
    GtkWidget *stages_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    self->stages = g_list_store_new (SLUICE_TYPE_STAGE_ROW);
    {
      GtkWidget *table = sluice_run_stages_view_new (self->stages);

      self->stages_view = GTK_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (table)));
      gtk_box_append (GTK_BOX (stages_box), table);
    }
    self->summary = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->summary, 0);
    gtk_label_set_wrap (self->summary, TRUE);
    gtk_label_set_selectable (self->summary, TRUE);
    gtk_widget_set_margin_start (GTK_WIDGET (self->summary), 6);
    gtk_widget_set_margin_end (GTK_WIDGET (self->summary), 6);
    gtk_widget_set_visible (GTK_WIDGET (self->summary), FALSE);
    gtk_box_append (GTK_BOX (stages_box), GTK_WIDGET (self->summary));
    gtk_notebook_append_page (GTK_NOTEBOOK (notebook), stages_box, gtk_label_new (_("Stages")));
  }
  self->preview = text_view ();
  {
    /* A run on a server: its report and newest outputs on demand. */
    GtkWidget *data_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    self->fetch_button = gtk_button_new_with_mnemonic (_("_Fetch from Server"));
    gtk_widget_set_tooltip_text (self->fetch_button, _("Get the run’s report and its newest output items from the server now"));
    gtk_widget_set_halign (self->fetch_button, GTK_ALIGN_START);
    gtk_widget_set_margin_start (self->fetch_button, 6);
    gtk_widget_set_margin_top (self->fetch_button, 6);
    gtk_widget_set_visible (self->fetch_button, FALSE);
    g_signal_connect_swapped (self->fetch_button, "clicked", G_CALLBACK (fetch_clicked_cb), self);
    gtk_box_append (GTK_BOX (data_box), self->fetch_button);
    gtk_box_append (GTK_BOX (data_box), scrolled (GTK_WIDGET (self->preview)));
    gtk_notebook_append_page (GTK_NOTEBOOK (notebook), data_box, gtk_label_new (_("Data")));
  }
  self->outputs = text_view ();
  g_signal_connect_swapped (self->outputs, "map", G_CALLBACK (outputs_mapped_cb), self);
  gtk_notebook_append_page (GTK_NOTEBOOK (notebook), scrolled (GTK_WIDGET (self->outputs)),
                            gtk_label_new (_("Output")));
  self->report_view = SLUICE_RUN_REPORT_VIEW (sluice_run_report_view_new ());
  gtk_notebook_append_page (GTK_NOTEBOOK (notebook), GTK_WIDGET (self->report_view), gtk_label_new (_("Report")));
  {
    /* The endpoints the external modules call, live: the look-aside
     * balancer's view of them. */
    GtkWidget *note = gtk_label_new (_("Served and failed count this run’s calls."));

    self->services = g_list_store_new (SLUICE_TYPE_ENDPOINT_ROW);
    self->services_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append (GTK_BOX (self->services_page), sluice_run_services_view_new (self->services));
    gtk_label_set_xalign (GTK_LABEL (note), 0);
    gtk_label_set_wrap (GTK_LABEL (note), TRUE);
    gtk_widget_add_css_class (note, "dim-label");
    gtk_widget_add_css_class (note, "caption");
    gtk_widget_set_margin_start (note, 6);
    gtk_box_append (GTK_BOX (self->services_page), note);
    self->services_tab = gtk_label_new (_("Services"));
    gtk_notebook_append_page (GTK_NOTEBOOK (notebook), self->services_page, self->services_tab);
    gtk_widget_set_visible (self->services_page, FALSE);
    gtk_widget_set_visible (self->services_tab, FALSE);
  }
  self->notebook = GTK_NOTEBOOK (notebook);
  gtk_paned_set_end_child (GTK_PANED (paned), notebook);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (self->box), paned);
}

GtkWidget *
sluice_run_panel_new (void)
{
  return g_object_new (SLUICE_TYPE_RUN_PANEL, NULL);
}
