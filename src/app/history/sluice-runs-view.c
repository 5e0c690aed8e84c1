/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sluice-replay-log.h"
#include "sluice-server-runs.h"
#include "sluice-run-compare-window.h"
#include "sluice-runs-view.h"

/* Events read to replay a run: beyond this its replay stops early (and
 * says so). */
#define MAX_REPLAY_EVENTS 2000000

struct _SluiceRunsView
{
  GtkWidget         parent_instance;

  GtkWidget        *box;
  GtkLabel         *title;
  GtkListBox       *list;
  GtkLabel         *empty;
  GtkLabel         *progression;
  GtkLabel         *server_label;    /* what the server said, or why it could not */
  GtkWidget        *open_button;
  GtkWidget        *compare_button;

  /* The replay bar. */
  GtkWidget        *replay_bar;
  GtkLabel         *replay_title;
  GtkRange         *scrubber;
  GtkToggleButton  *play_button;
  GtkDropDown      *speed;
  GtkLabel         *position_label;

  SluicePipeline   *pipeline;        /* owned */
  char             *path;
  char             *state_dir;
  GPtrArray        *runs;            /* SluicePastRun*, as listed: local and the server's */
  GPtrArray        *local_runs;      /* SluicePastRun*, from the journals */

  /* A sluice-run daemon's runs of the same pipeline (read-only). */
  SluiceRunClient  *client;
  GCancellable     *server_cancellable;
  GPtrArray        *server_runs;     /* SluicePastRun*, as it last listed them */
  char             *file_sha256;     /* of the file shown, to tell the same file */
  gboolean          server_listing;
  SluiceRunSession *replay;          /* owned while a run is open */
  guint             log_shown;       /* the replay's position its log shows */
  guint             play_id;
  gint64            play_last;       /* monotonic µs of the last step */
  double            play_time;       /* the replay's clock, µs since the epoch */
  gboolean          seeking;
};

enum
{
  REPLAY_CHANGED,
  REPLAY_MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const double speeds[] = { 0.01, 0.1, 1, 10, 100 };

G_DEFINE_FINAL_TYPE (SluiceRunsView, sluice_runs_view, GTK_TYPE_WIDGET)

/* The cells of a run's row. */

static char *
format_start (const SluicePastRun *run)
{
  g_autoptr(GDateTime) time = NULL;
  gint64 when = run->started_us != 0 ? run->started_us : run->created_us;

  if (when == 0)
    return g_strdup ("—");
  time = g_date_time_new_from_unix_local (when / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("—");
}

static char *
format_duration (const SluicePastRun *run)
{
  gint64 us = sluice_past_run_get_duration (run);

  if (run->error != NULL || run->started_us == 0)
    return g_strdup ("—");
  if (us < G_USEC_PER_SEC)
    return g_strdup_printf (_("%.0f ms"), us / 1000.0);
  if (us < 60 * G_USEC_PER_SEC)
    return g_strdup_printf (_("%.1f s"), us / (double) G_USEC_PER_SEC);
  return g_strdup_printf (_("%" PRId64 " min %02" PRId64 " s"),
                          us / (60 * G_USEC_PER_SEC), us / G_USEC_PER_SEC % 60);
}

static const char *
stage_name (SluiceRunsView *self,
            const char     *controller)
{
  SluiceNode *node;

  if (controller == NULL)
    return "—";
  node = self->pipeline != NULL ? sluice_pipeline_find_node (self->pipeline, controller) : NULL;
  if (node != NULL && sluice_node_get_name (node) != NULL && *sluice_node_get_name (node) != '\0')
    return sluice_node_get_name (node);
  return controller;
}

static char *
format_state (const SluicePastRun *run)
{
  if (run->error != NULL)
    return g_strdup (_("unreadable"));
  /* A run not final and not being written any more was killed. */
  if (!sluice_past_run_is_final (run))
    return g_strdup_printf (_("%s (not ended)"), run->state);
  return g_strdup (run->state);
}

/* Where a run comes from: "designer", "sluice-run", or a server's run
 * with whether it ran the file shown. */
static char *
format_origin (const SluicePastRun *run)
{
  if (run->server_url == NULL)
    return g_strdup (run->origin);
  /* TRANSLATORS: a run of a sluice-run daemon: its URL, and whether it ran the pipeline file shown */
  return g_strdup_printf (_("server %s, %s"), run->server_url,
                          run->file_matches ? _("same file") : _("another version of the file"));
}

static char *
format_outcome (const SluicePastRun *run)
{
  g_autofree char *origin = NULL;

  if (run->error != NULL)
    return g_strdup (run->error);
  origin = format_origin (run);
  if (g_strcmp0 (run->state, "completed") == 0)
    return g_strdup_printf (_("passed every stage (%s)"), origin);
  if (g_strcmp0 (run->state, "failed") == 0)
    return g_strdup_printf (_("failed in %s (%s)"), run->failed_module != NULL ? run->failed_module : "?",
                            origin);
  return g_strdup_printf ("%s (%s)", run->state, origin);
}

static char **
row_cells (SluiceRunsView      *self,
           const SluicePastRun *run)
{
  char **cells = g_new0 (char *, 7);

  cells[0] = format_state (run);
  cells[1] = format_start (run);
  cells[2] = format_duration (run);
  cells[3] = format_outcome (run);
  cells[4] = g_strdup (run->error != NULL ? "—" : stage_name (self, run->stage_reached));
  cells[5] = g_strdup (run->failed_check != NULL ? run->failed_check : "—");
  return cells;
}

static const int cell_widths[] = { 12, 19, 9, 28, 14, 30 };

static GtkWidget *
cells_box (char     **cells,
           gboolean   header)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  for (guint i = 0; cells[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (cells[i]);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_width_chars (GTK_LABEL (label), cell_widths[i]);
      gtk_label_set_max_width_chars (GTK_LABEL (label), cell_widths[i]);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_tooltip_text (label, cells[i]);
      if (i == 3 || i == 5)
        gtk_widget_set_hexpand (label, TRUE);
      if (header)
        gtk_widget_add_css_class (label, "heading");
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  return box;
}

static GtkWidget *
run_row (SluiceRunsView      *self,
         const SluicePastRun *run)
{
  g_auto (GStrv) cells = row_cells (self, run);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), cells_box (cells, FALSE));
  if (run->server_url != NULL)
    gtk_widget_add_css_class (row, "sluice-server-run");
  if (run->error != NULL)
    gtk_widget_add_css_class (row, "error");
  else if (g_strcmp0 (run->state, "failed") == 0)
    gtk_widget_add_css_class (row, "sluice-run-failed");
  return row;
}

/* Controller ids in pipeline order. */
static GStrv
controller_ids (SluicePipeline *pipeline)
{
  GListModel *controllers = pipeline != NULL ? sluice_pipeline_get_controllers (pipeline) : NULL;
  guint n = controllers != NULL ? g_list_model_get_n_items (controllers) : 0;
  char **ids = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceNode) node = g_list_model_get_item (controllers, i);

      ids[i] = g_strdup (sluice_node_get_id (node));
    }
  return ids;
}

static void
update_progression (SluiceRunsView *self)
{
  g_auto (GStrv) ids = controller_ids (self->pipeline);
  /* Over the journals: a server's run says its stages once opened only. */
  json_t *progression = sluice_run_history_progression (self->local_runs, (const char * const *) ids);
  json_int_t runs = json_integer_value (json_object_get (progression, "runs"));
  GString *text = g_string_new (NULL);
  size_t i;
  json_t *stage;

  if (runs > 0)
    {
      g_string_append_printf (text, ngettext ("Progression over %d run: ", "Progression over %d runs: ", runs),
                              (int) runs);
      json_array_foreach (json_object_get (progression, "stages"), i, stage)
        {
          json_int_t reached = json_integer_value (json_object_get (stage, "reached"));
          json_int_t passed = json_integer_value (json_object_get (stage, "passed"));

          if (i > 0)
            g_string_append (text, " → ");
          /* TRANSLATORS: a stage, how many runs passed it of those that reached it, and the rate */
          if (reached > 0)
            g_string_append_printf (text, _("%s %d/%d (%.0f %%)"),
                                    stage_name (self, json_string_value (json_object_get (stage, "stage"))),
                                    (int) passed, (int) reached, 100.0 * passed / reached);
          else
            g_string_append_printf (text, _("%s not reached"),
                                    stage_name (self, json_string_value (json_object_get (stage, "stage"))));
        }
    }
  gtk_label_set_text (self->progression, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->progression), runs > 0);
  g_string_free (text, TRUE);
  json_decref (progression);
}

static void
selection_changed_cb (SluiceRunsView *self)
{
  g_autoptr(GList) rows = gtk_list_box_get_selected_rows (self->list);
  guint n = g_list_length (rows);
  gboolean readable = TRUE;

  for (GList *l = rows; l != NULL; l = l->next)
    readable &= ((SluicePastRun *) g_ptr_array_index (self->runs, gtk_list_box_row_get_index (l->data)))->error == NULL;
  gtk_widget_set_sensitive (self->open_button, n == 1 && readable);
  gtk_widget_set_sensitive (self->compare_button, n == 2 && readable);
}

static gint64
sort_time (const SluicePastRun *run)
{
  return run->created_us != 0 ? run->created_us : run->started_us;
}

/* The journals' runs and the server's, newest first (both lists are). */
static void
merge_runs (SluiceRunsView *self)
{
  guint l = 0, r = 0;
  GPtrArray *remote = self->server_runs;
  guint n_remote = remote != NULL ? remote->len : 0;

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);
  while (l < self->local_runs->len || r < n_remote)
    {
      SluicePastRun *local = l < self->local_runs->len ? g_ptr_array_index (self->local_runs, l) : NULL;
      SluicePastRun *server = r < n_remote ? g_ptr_array_index (remote, r) : NULL;

      if (server == NULL || (local != NULL && sort_time (local) >= sort_time (server)))
        {
          g_ptr_array_add (self->runs, sluice_past_run_ref (local));
          l++;
        }
      else
        {
          g_ptr_array_add (self->runs, sluice_past_run_ref (server));
          r++;
        }
    }
}

static void
show_rows (SluiceRunsView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  merge_runs (self);
  for (guint i = 0; i < self->runs->len; i++)
    gtk_list_box_append (self->list, run_row (self, g_ptr_array_index (self->runs, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->empty), self->runs->len == 0);
  update_progression (self);
  selection_changed_cb (self);
}

static void list_server_runs (SluiceRunsView *self);

void
sluice_runs_view_refresh (SluiceRunsView *self)
{
  g_autofree char *base = NULL;

  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));

  g_clear_pointer (&self->local_runs, g_ptr_array_unref);
  if (self->path != NULL && self->pipeline != NULL)
    self->local_runs = sluice_run_history_list (self->state_dir, sluice_node_get_id (SLUICE_NODE (self->pipeline)),
                                                self->path);
  else
    self->local_runs = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);

  base = self->path != NULL ? g_path_get_basename (self->path) : NULL;
  if (base != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Runs of %s"), base);

      gtk_label_set_text (self->title, title);
    }
  else
    gtk_label_set_text (self->title, _("Runs"));
  gtk_label_set_text (self->empty, self->path == NULL ? _("Save the pipeline to keep a history of its runs.")
                                                      : _("No runs yet: each run (F5, or sluice-run --journal) is kept here."));
  show_rows (self);
  list_server_runs (self);
}

/* The server's runs of the pipeline. */

static void
set_server_status (SluiceRunsView *self,
                   const char     *text,
                   gboolean        is_error)
{
  gtk_label_set_text (self->server_label, text);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->server_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->server_label), "error");
}


static char *
file_sha256 (const char *path)
{
  g_autofree char *text = NULL;
  gsize length;

  if (path == NULL || !g_file_get_contents (path, &text, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
}

static void
server_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SluiceRunsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = sluice_server_runs_list_finish (SLUICE_RUN_CLIENT (source), result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || source != G_OBJECT (self->client))
    return;
  self->server_listing = FALSE;
  g_clear_pointer (&self->server_runs, g_ptr_array_unref);
  if (runs == NULL)
    {
      /* The journals' runs stay listed: only the server's are missing. */
      /* TRANSLATORS: %s says why, with the server's URL */
      text = g_strdup_printf (_("The server’s runs are not listed: %s"), error->message);
      set_server_status (self, text, TRUE);
      show_rows (self);
      return;
    }
  self->server_runs = g_steal_pointer (&runs);
  /* TRANSLATORS: how many runs of the pipeline a sluice-run daemon has, and its URL */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run of this pipeline on %s",
                                       "%u runs of this pipeline on %s", self->server_runs->len),
                          self->server_runs->len, sluice_run_client_get_url (self->client));
  set_server_status (self, text, FALSE);
  show_rows (self);
}

static void
list_server_runs (SluiceRunsView *self)
{
  const char *pipeline_id = self->pipeline != NULL ? sluice_node_get_id (SLUICE_NODE (self->pipeline)) : NULL;
  g_autofree char *text = NULL;

  g_cancellable_cancel (self->server_cancellable);
  g_clear_object (&self->server_cancellable);
  self->server_listing = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->server_label), self->client != NULL);
  if (self->client == NULL || pipeline_id == NULL)
    return;
  self->server_cancellable = g_cancellable_new ();
  g_free (self->file_sha256);
  self->file_sha256 = file_sha256 (self->path);
  text = g_strdup_printf (_("Listing the runs on %s…"), sluice_run_client_get_url (self->client));
  set_server_status (self, text, FALSE);
  self->server_listing = TRUE;
  sluice_server_runs_list_async (self->client, pipeline_id, self->file_sha256, self->server_cancellable,
                                 server_listed_cb, g_object_ref (self));
}

void
sluice_runs_view_set_server (SluiceRunsView  *self,
                             SluiceRunClient *client)
{
  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));
  g_return_if_fail (client == NULL || SLUICE_IS_RUN_CLIENT (client));

  if (client == self->client)
    return;
  g_set_object (&self->client, client);
  g_clear_pointer (&self->server_runs, g_ptr_array_unref);
  show_rows (self);
  list_server_runs (self);
}

SluiceRunClient *
sluice_runs_view_get_server (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  return self->client;
}

gboolean
sluice_runs_view_get_server_listing (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), FALSE);
  return self->server_listing;
}

const char *
sluice_runs_view_get_server_status (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->server_label)) ? gtk_label_get_text (self->server_label) : NULL;
}

/* The replay. */

static void
update_position_label (SluiceRunsView *self)
{
  SluiceRunReplay *replay = sluice_run_session_get_replay (self->replay);
  guint position = sluice_run_replay_get_position (replay);
  guint n = sluice_run_replay_get_n_events (replay);
  gint64 start = sluice_run_replay_get_start_time (replay);
  gint64 at = position > 0 ? sluice_run_replay_get_event_time (replay, position - 1) : start;
  g_autofree char *text = NULL;

  /* TRANSLATORS: the replay's position: events replayed, of how many, and the run's time then */
  text = g_strdup_printf (_("event %u of %u · %+.3f s · %s"), position, n,
                          at > 0 && start > 0 ? (at - start) / (double) G_USEC_PER_SEC : 0.0,
                          sluice_run_state_to_string (sluice_run_replay_get_state (replay)));
  gtk_label_set_text (self->position_label, text);
}

/* The run panel's log as it was at the scrubber's position. */
static void
show_replay_log (SluiceRunsView *self)
{
  sluice_replay_log_show (sluice_run_session_get_log (self->replay), sluice_run_session_get_replay (self->replay),
                          SLUICE_RUN_SESSION_MAX_EVENTS, &self->log_shown);
}

void
sluice_runs_view_seek (SluiceRunsView *self,
                       guint           position)
{
  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));
  g_return_if_fail (self->replay != NULL);

  sluice_run_session_seek (self->replay, position);
  show_replay_log (self);
  self->seeking = TRUE;
  gtk_range_set_value (self->scrubber, sluice_run_replay_get_position (sluice_run_session_get_replay (self->replay)));
  self->seeking = FALSE;
  update_position_label (self);
  g_signal_emit (self, signals[REPLAY_MOVED], 0, self->replay);
}

static void
scrubber_changed_cb (SluiceRunsView *self)
{
  if (self->seeking || self->replay == NULL)
    return;
  sluice_runs_view_seek (self, (guint) gtk_range_get_value (self->scrubber));
  /* The replay's clock follows the hand. */
  if (self->play_id != 0)
    {
      SluiceRunReplay *replay = sluice_run_session_get_replay (self->replay);
      guint position = sluice_run_replay_get_position (replay);

      self->play_time = position > 0 ? sluice_run_replay_get_event_time (replay, position - 1)
                                     : sluice_run_replay_get_start_time (replay);
    }
}

static gboolean
play_tick_cb (gpointer user_data)
{
  SluiceRunsView *self = user_data;
  SluiceRunReplay *replay = sluice_run_session_get_replay (self->replay);
  gint64 now = g_get_monotonic_time ();
  double speed = speeds[MIN (gtk_drop_down_get_selected (self->speed), G_N_ELEMENTS (speeds) - 1)];
  guint position;

  self->play_time += (now - self->play_last) * speed;
  self->play_last = now;
  position = sluice_run_replay_position_at (replay, (gint64) self->play_time);
  /* Events without times still move on, one a frame. */
  if (position <= sluice_run_replay_get_position (replay) && sluice_run_replay_get_start_time (replay) == 0)
    position = sluice_run_replay_get_position (replay) + 1;
  if (position != sluice_run_replay_get_position (replay))
    sluice_runs_view_seek (self, position);
  if (sluice_run_replay_get_position (replay) >= sluice_run_replay_get_n_events (replay))
    {
      sluice_runs_view_play (self, 0);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void play_toggled_cb (SluiceRunsView *self);

void
sluice_runs_view_play (SluiceRunsView *self,
                       double          speed)
{
  SluiceRunReplay *replay;
  guint position;

  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));

  if (speed <= 0 || self->replay == NULL)
    {
      if (self->play_id != 0)
        g_source_remove (self->play_id);
      self->play_id = 0;
      g_signal_handlers_block_by_func (self->play_button, play_toggled_cb, self);
      gtk_toggle_button_set_active (self->play_button, FALSE);
      g_signal_handlers_unblock_by_func (self->play_button, play_toggled_cb, self);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (speeds[i] <= speed)
      gtk_drop_down_set_selected (self->speed, i);
  replay = sluice_run_session_get_replay (self->replay);
  /* From the start when it stands at the end. */
  if (sluice_run_replay_get_position (replay) >= sluice_run_replay_get_n_events (replay))
    sluice_runs_view_seek (self, 0);
  position = sluice_run_replay_get_position (replay);
  self->play_time = position > 0 ? sluice_run_replay_get_event_time (replay, position - 1)
                                 : sluice_run_replay_get_start_time (replay);
  self->play_last = g_get_monotonic_time ();
  if (self->play_id == 0)
    self->play_id = g_timeout_add (16, play_tick_cb, self);
  g_signal_handlers_block_by_func (self->play_button, play_toggled_cb, self);
  gtk_toggle_button_set_active (self->play_button, TRUE);
  g_signal_handlers_unblock_by_func (self->play_button, play_toggled_cb, self);
}

gboolean
sluice_runs_view_get_playing (SluiceRunsView *self)
{
  return self->play_id != 0;
}

static void
play_toggled_cb (SluiceRunsView *self)
{
  if (gtk_toggle_button_get_active (self->play_button))
    sluice_runs_view_play (self, speeds[MIN (gtk_drop_down_get_selected (self->speed), G_N_ELEMENTS (speeds) - 1)]);
  else
    sluice_runs_view_play (self, 0);
}

void
sluice_runs_view_close_replay (SluiceRunsView *self)
{
  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));

  sluice_runs_view_play (self, 0);
  if (self->replay == NULL)
    return;
  g_clear_object (&self->replay);
  gtk_widget_set_visible (self->replay_bar, FALSE);
  g_signal_emit (self, signals[REPLAY_CHANGED], 0, NULL);
}

static void record_server_stages (SluiceRunsView *self,
                                  SluicePastRun  *run);

static gboolean
open_run (SluiceRunsView  *self,
          SluicePastRun   *run,
          GError         **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(SluiceRunReplay) replay = NULL;
  g_autofree char *start = NULL;
  g_autofree char *title = NULL;
  gboolean truncated = FALSE;
  guint n;

  if (run->error != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, run->error);
      return FALSE;
    }
  events = sluice_past_run_load_events (run, MAX_REPLAY_EVENTS, &truncated, error);
  if (events == NULL)
    return FALSE;

  sluice_runs_view_close_replay (self);
  replay = sluice_run_replay_new (events);
  n = sluice_run_replay_get_n_events (replay);
  self->replay = sluice_run_session_new_replay (self->pipeline, replay);
  sluice_run_session_seek (self->replay, n);
  self->log_shown = 0;
  show_replay_log (self);

  start = format_start (run);
  /* TRANSLATORS: the run replayed: its id, when it started, and what was recorded */
  title = g_strdup_printf (_("%s %s (%s)%s%s"), run->server_url != NULL ? _("Server run") : _("Run"),
                           run->run_id, start,
                           !run->item_events ? _(" — recorded without per-item events: the nodes cannot be replayed")
                           : truncated ? _(" — only its first events are replayed") : "",
                           run->server_url != NULL && !run->file_matches
                           ? _(" — it ran another version of the file: modules are matched by id") : "");
  gtk_label_set_text (self->replay_title, title);
  self->seeking = TRUE;
  gtk_range_set_range (self->scrubber, 0, MAX (n, 1));
  gtk_range_set_value (self->scrubber, n);
  self->seeking = FALSE;
  update_position_label (self);
  gtk_widget_set_visible (self->replay_bar, TRUE);
  g_signal_emit (self, signals[REPLAY_CHANGED], 0, self->replay);
  record_server_stages (self, run);
  return TRUE;
}

/* A server's run. */

/* What the replay counted per stage is what the server's run recorded:
 * the list's "stage reached" and a comparison use it. */
static void
record_server_stages (SluiceRunsView *self,
                      SluicePastRun  *run)
{
  GListModel *controllers = sluice_pipeline_get_controllers (self->pipeline);

  if (run->server_url == NULL || run->stages->len > 0)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(SluiceNode) controller = g_list_model_get_item (controllers, i);
      SluiceControllerLive live;
      SluicePastStage *stage;

      if (!sluice_run_session_get_controller_live (self->replay, controller, &live))
        continue;
      stage = g_new0 (SluicePastStage, 1);
      stage->controller = g_strdup (sluice_node_get_id (controller));
      stage->items_in = live.items_in;
      stage->items_out = live.items_out;
      g_ptr_array_add (run->stages, stage);
      if (live.items_in > 0)
        {
          g_free (run->stage_reached);
          run->stage_reached = g_strdup (stage->controller);
        }
    }
  show_rows (self);
}

typedef struct
{
  SluiceRunsView *view;
  SluicePastRun  *run;
} Fetching;

static void
server_run_fetched_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Fetching *fetching = user_data;
  g_autoptr(SluiceRunsView) self = fetching->view;
  g_autoptr(SluicePastRun) run = fetching->run;
  g_autoptr(GError) error = NULL;

  g_free (fetching);
  if (!sluice_server_runs_fetch_finish (SLUICE_RUN_CLIENT (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: a server's run could not be fetched: its id, and why (with the URL) */
      text = g_strdup_printf (_("Run %s not replayed: %s"), run->run_id, error->message);
      set_server_status (self, text, TRUE);
      return;
    }
  if (!open_run (self, run, &error))
    {
      set_server_status (self, error->message, TRUE);
      return;
    }
  {
    /* TRANSLATORS: a server's run fetched: how many events, its id, the server's URL */
    g_autofree char *text = g_strdup_printf (_("Replaying %u events of run %s from %s"), run->server_events->len,
                                             run->run_id, run->server_url);

    set_server_status (self, text, FALSE);
  }
}

static void
fetch_server_run (SluiceRunsView *self,
                  SluicePastRun  *run)
{
  Fetching *fetching = g_new0 (Fetching, 1);
  g_autofree char *text = g_strdup_printf (_("Fetching run %s from %s…"), run->run_id, run->server_url);

  set_server_status (self, text, FALSE);
  fetching->view = g_object_ref (self);
  fetching->run = sluice_past_run_ref (run);
  sluice_server_runs_fetch_async (self->client, run, MAX_REPLAY_EVENTS, self->server_cancellable,
                                  server_run_fetched_cb, fetching);
}

gboolean
sluice_runs_view_open (SluiceRunsView  *self,
                       guint            index,
                       GError         **error)
{
  SluicePastRun *run;

  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), FALSE);
  g_return_val_if_fail (index < self->runs->len, FALSE);

  run = g_ptr_array_index (self->runs, index);
  if (run->server_url != NULL && run->error == NULL && run->server_events == NULL)
    {
      if (self->client == NULL || g_strcmp0 (sluice_run_client_get_url (self->client), run->server_url) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Not connected to %s any more"),
                       run->server_url);
          return FALSE;
        }
      fetch_server_run (self, run);
      return TRUE;
    }
  return open_run (self, run, error);
}

SluiceRunSession *
sluice_runs_view_get_replay_session (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  return self->replay;
}

static void
open_clicked_cb (SluiceRunsView *self)
{
  g_autoptr(GList) rows = gtk_list_box_get_selected_rows (self->list);
  g_autoptr(GError) error = NULL;

  if (rows == NULL)
    return;
  if (!sluice_runs_view_open (self, gtk_list_box_row_get_index (rows->data), &error))
    gtk_label_set_text (self->replay_title, error->message);
}

static void
row_activated_cb (SluiceRunsView *self,
                  GtkListBoxRow  *row)
{
  g_autoptr(GError) error = NULL;

  if (!sluice_runs_view_open (self, gtk_list_box_row_get_index (row), &error))
    {
      gtk_label_set_text (self->replay_title, error->message);
      gtk_widget_set_visible (self->replay_bar, FALSE);
    }
}

GtkWidget *
sluice_runs_view_compare (SluiceRunsView *self,
                          guint           a,
                          guint           b)
{
  g_auto (GStrv) ids = NULL;
  json_t *comparison;
  GtkWidget *window;
  GtkRoot *root;

  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  g_return_val_if_fail (a < self->runs->len && b < self->runs->len, NULL);

  /* An unreadable run has nothing to compare. */
  if (((SluicePastRun *) g_ptr_array_index (self->runs, a))->error != NULL ||
      ((SluicePastRun *) g_ptr_array_index (self->runs, b))->error != NULL)
    return NULL;
  /* A server's run is compared once it was opened (its events fetched). */
  for (guint i = 0; i < 2; i++)
    {
      SluicePastRun *run = g_ptr_array_index (self->runs, i == 0 ? a : b);

      if (run->server_url != NULL && run->server_events == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Open run %s first: its events are on %s"), run->run_id,
                                                   run->server_url);

          set_server_status (self, text, TRUE);
          return NULL;
        }
    }
  /* Older on the left: the list is newest first. */
  if (a < b)
    {
      guint t = a;

      a = b;
      b = t;
    }
  ids = controller_ids (self->pipeline);
  comparison = sluice_run_history_compare (g_ptr_array_index (self->runs, a), g_ptr_array_index (self->runs, b),
                                           (const char * const *) ids);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  window = sluice_run_compare_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->pipeline,
                                          g_ptr_array_index (self->runs, a), g_ptr_array_index (self->runs, b),
                                          comparison);
  json_decref (comparison);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
compare_clicked_cb (SluiceRunsView *self)
{
  g_autoptr(GList) rows = gtk_list_box_get_selected_rows (self->list);

  if (g_list_length (rows) != 2)
    return;
  sluice_runs_view_compare (self, gtk_list_box_row_get_index (rows->data),
                            gtk_list_box_row_get_index (rows->next->data));
}

/* Accessors. */

guint
sluice_runs_view_get_n_runs (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), 0);
  return self->runs->len;
}

const SluicePastRun *
sluice_runs_view_get_run (SluiceRunsView *self,
                          guint           index)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

char *
sluice_runs_view_dup_row_text (SluiceRunsView *self,
                               guint           index)
{
  GtkListBoxRow *row;
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);

  row = gtk_list_box_get_row_at_index (self->list, index);
  if (row != NULL)
    for (GtkWidget *cell = gtk_widget_get_first_child (gtk_list_box_row_get_child (row)); cell != NULL;
         cell = gtk_widget_get_next_sibling (cell))
      g_string_append_printf (text, "%s%s", text->len > 0 ? " | " : "", gtk_label_get_text (GTK_LABEL (cell)));
  return g_string_free (text, FALSE);
}

char *
sluice_runs_view_dup_progression_text (SluiceRunsView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUNS_VIEW (self), NULL);
  return g_strdup (gtk_label_get_text (self->progression));
}

void
sluice_runs_view_set_pipeline (SluiceRunsView *self,
                               SluicePipeline *pipeline,
                               const char     *path)
{
  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));

  if (pipeline != self->pipeline)
    sluice_runs_view_close_replay (self);
  g_set_object (&self->pipeline, pipeline);
  g_free (self->path);
  self->path = g_strdup (path);
  sluice_runs_view_refresh (self);
}

void
sluice_runs_view_set_state_dir (SluiceRunsView *self,
                                const char     *state_dir)
{
  g_return_if_fail (SLUICE_IS_RUNS_VIEW (self));

  g_free (self->state_dir);
  self->state_dir = g_strdup (state_dir);
  sluice_runs_view_refresh (self);
}

/* Construction. */

static GtkWidget *
build_replay_bar (SluiceRunsView *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");
  GtkStringList *speed_names = gtk_string_list_new ((const char *[]) { "0.01×", "0.1×", "1×", "10×", "100×", NULL });

  self->replay_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->replay_title, 0);
  gtk_label_set_wrap (self->replay_title, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->replay_title), "heading");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->replay_title));

  self->play_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button), "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), _("Replay the run's events on the canvas"));
  g_signal_connect_swapped (self->play_button, "toggled", G_CALLBACK (play_toggled_cb), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->play_button));

  self->scrubber = GTK_RANGE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1));
  gtk_scale_set_draw_value (GTK_SCALE (self->scrubber), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->scrubber), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scrubber), _("Timeline: drag to any moment of the run"));
  g_signal_connect_swapped (self->scrubber, "value-changed", G_CALLBACK (scrubber_changed_cb), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->scrubber));

  self->speed = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (speed_names), NULL));
  gtk_drop_down_set_selected (self->speed, 1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speed), _("Replay speed, against the pace it was recorded at"));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->speed));

  self->position_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_width_chars (self->position_label, 34);
  gtk_label_set_xalign (self->position_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->position_label), "numeric");
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->position_label));

  gtk_widget_set_tooltip_text (close, _("Close the replay"));
  gtk_widget_add_css_class (close, "flat");
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (sluice_runs_view_close_replay), self);
  gtk_box_append (GTK_BOX (row), close);

  gtk_box_append (GTK_BOX (bar), row);
  gtk_widget_set_visible (bar, FALSE);
  return bar;
}

static void
sluice_runs_view_dispose (GObject *object)
{
  SluiceRunsView *self = SLUICE_RUNS_VIEW (object);

  if (self->play_id != 0)
    g_source_remove (self->play_id);
  self->play_id = 0;
  g_clear_object (&self->replay);
  g_cancellable_cancel (self->server_cancellable);
  g_clear_object (&self->server_cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (sluice_runs_view_parent_class)->dispose (object);
}

static void
sluice_runs_view_finalize (GObject *object)
{
  SluiceRunsView *self = SLUICE_RUNS_VIEW (object);

  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->local_runs, g_ptr_array_unref);
  g_clear_pointer (&self->server_runs, g_ptr_array_unref);
  g_free (self->file_sha256);
  g_free (self->path);
  g_free (self->state_dir);
  G_OBJECT_CLASS (sluice_runs_view_parent_class)->finalize (object);
}

static void
sluice_runs_view_class_init (SluiceRunsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_runs_view_dispose;
  object_class->finalize = sluice_runs_view_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);

  signals[REPLAY_CHANGED] = g_signal_new ("replay-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_RUN_SESSION);
  signals[REPLAY_MOVED] = g_signal_new ("replay-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_RUN_SESSION);
}

static void
sluice_runs_view_init (SluiceRunsView *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  const char *headings[] = { N_("State"), N_("Started"), N_("Duration"), N_("Outcome"), N_("Stage reached"),
                             N_("Failed check"), NULL };
  char *translated[G_N_ELEMENTS (headings)] = { NULL };

  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);
  self->local_runs = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_margin_start (self->box, 6);
  gtk_widget_set_margin_end (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 6);

  self->title = GTK_LABEL (gtk_label_new (_("Runs")));
  gtk_label_set_xalign (self->title, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->title), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->title));
  gtk_widget_set_tooltip_text (refresh, _("List the runs again"));
  g_signal_connect_swapped (refresh, "clicked", G_CALLBACK (sluice_runs_view_refresh), self);
  gtk_box_append (GTK_BOX (header), refresh);
  self->open_button = gtk_button_new_with_mnemonic (_("_Open"));
  gtk_widget_set_tooltip_text (self->open_button, _("Show the selected run on the canvas and replay it"));
  g_signal_connect_swapped (self->open_button, "clicked", G_CALLBACK (open_clicked_cb), self);
  gtk_box_append (GTK_BOX (header), self->open_button);
  self->compare_button = gtk_button_new_with_mnemonic (_("_Compare"));
  gtk_widget_set_tooltip_text (self->compare_button, _("Compare the two selected runs (Ctrl+click selects a second)"));
  g_signal_connect_swapped (self->compare_button, "clicked", G_CALLBACK (compare_clicked_cb), self);
  gtk_box_append (GTK_BOX (header), self->compare_button);
  gtk_box_append (GTK_BOX (self->box), header);

  self->replay_bar = build_replay_bar (self);
  gtk_box_append (GTK_BOX (self->box), self->replay_bar);

  for (guint i = 0; headings[i] != NULL; i++)
    translated[i] = (char *) _(headings[i]);
  gtk_box_append (GTK_BOX (list_box), cells_box (translated, TRUE));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_MULTIPLE);
  gtk_list_box_set_activate_on_single_click (self->list, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "rich-list");
  g_signal_connect_swapped (self->list, "selected-rows-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_box_append (GTK_BOX (list_box), GTK_WIDGET (self->list));
  self->empty = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->empty), "dim-label");
  gtk_widget_set_margin_top (GTK_WIDGET (self->empty), 12);
  gtk_box_append (GTK_BOX (list_box), GTK_WIDGET (self->empty));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list_box);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);

  self->progression = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->progression, 0);
  gtk_label_set_wrap (self->progression, TRUE);
  gtk_label_set_selectable (self->progression, TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->progression));

  self->server_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->server_label, 0);
  gtk_label_set_wrap (self->server_label, TRUE);
  gtk_label_set_selectable (self->server_label, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->server_label), FALSE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->server_label));
  sluice_runs_view_refresh (self);
}

GtkWidget *
sluice_runs_view_new (void)
{
  return g_object_new (SLUICE_TYPE_RUNS_VIEW, NULL);
}
