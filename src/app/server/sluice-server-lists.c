/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "sluice-server-lists.h"

/* One row of either list: its labels, its buttons, and what it shows. */
typedef struct
{
  GtkWidget *row;
  GPtrArray *labels;      /* GtkLabel*, borrowed */
  GHashTable *buttons;    /* action → GtkWidget*, borrowed */
  char      *id;
  char      *state;
  gboolean   seen;        /* in the last list */
} Row;

struct _SluiceServerLists
{
  GObject          parent_instance;

  SluiceRunClient *client;        /* owned, may be NULL */
  GCancellable    *cancellable;   /* owned */
  GtkWidget       *runs_page;     /* owned (a ref) */
  GtkListBox      *runs_list;
  GtkWidget       *pipelines_page;
  GtkListBox      *pipelines_list;
  GtkLabel        *pipelines_problem;
  GHashTable      *runs;          /* id → Row */
  GHashTable      *pipelines;     /* id → Row */
};

enum
{
  MESSAGE,
  PIPELINE_FETCHED,
  TRIGGERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceServerLists, sluice_server_lists, G_TYPE_OBJECT)

static void
row_free (Row *row)
{
  g_ptr_array_unref (row->labels);
  g_hash_table_unref (row->buttons);
  g_free (row->id);
  g_free (row->state);
  g_free (row);
}

char *
sluice_server_format_time (const char *iso)
{
  g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (local == NULL)
    return g_strdup ("—");
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M:%S");
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

char *
sluice_server_format_duration (const char *started,
                               const char *finished)
{
  g_autoptr(GDateTime) from = started != NULL ? g_date_time_new_from_iso8601 (started, NULL) : NULL;
  g_autoptr(GDateTime) to = finished != NULL ? g_date_time_new_from_iso8601 (finished, NULL) : g_date_time_new_now_utc ();
  double seconds;

  if (from == NULL || to == NULL)
    return g_strdup ("—");
  seconds = MAX (0, g_date_time_difference (to, from) / (double) G_USEC_PER_SEC);
  if (seconds < 60)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%d min %02d s"), (int) seconds / 60, (int) seconds % 60);
  return g_strdup_printf (_("%d h %02d min"), (int) seconds / 3600, ((int) seconds % 3600) / 60);
}

static const char *
text_of (json_t     *object,
         const char *key)
{
  return json_string_value (json_object_get (object, key));
}

static void
say (SluiceServerLists *self,
     const char        *text,
     gboolean           is_error)
{
  g_signal_emit (self, signals[MESSAGE], 0, text, is_error);
}

static char *
explain (SluiceServerLists *self,
         const GError      *error)
{
  const char *url = sluice_run_client_get_url (self->client);

  /* Errors that name no URL (METHOD PATH: STATUS reason) get it. */
  if (strstr (error->message, url) != NULL)
    return g_strdup (error->message);
  return g_strdup_printf ("%s: %s", url, error->message);
}

/* Rows */

static GtkLabel *
add_label (Row       *row,
           GtkBox    *box,
           int        width_chars,
           gboolean   expand)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  if (!expand)
    gtk_label_set_max_width_chars (GTK_LABEL (label), width_chars);
  gtk_widget_set_hexpand (label, expand);
  gtk_box_append (box, label);
  g_ptr_array_add (row->labels, label);
  return GTK_LABEL (label);
}

static GtkWidget *
add_button (Row        *row,
            GtkBox     *box,
            const char *action,
            const char *icon,
            const char *label,
            const char *tooltip)
{
  GtkWidget *button = icon != NULL ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (icon != NULL)
    gtk_widget_add_css_class (button, "flat");
  gtk_box_append (box, button);
  g_hash_table_insert (row->buttons, g_strdup (action), button);
  g_object_set_data_full (G_OBJECT (button), "sluice-action", g_strdup (action), g_free);
  return button;
}

static Row *
row_new (const char *id)
{
  Row *row = g_new0 (Row, 1);

  row->id = g_strdup (id);
  row->labels = g_ptr_array_new ();
  row->buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), FALSE);
  return row;
}

static char *
row_text (Row *row)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < row->labels->len; i++)
    g_string_append_printf (text, "%s%s", i ? " | " : "", gtk_label_get_text (g_ptr_array_index (row->labels, i)));
  return g_string_free (text, FALSE);
}

static void
set_state_class (GtkLabel   *label,
                 const char *state)
{
  const char *states[] = { "pending", "running", "paused", "completed", "failed", "cancelled" };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *name = g_strconcat ("run-", states[i], NULL);

      if (g_strcmp0 (state, states[i]) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), name);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), name);
    }
}

/* Run actions */

/* The run a call answered with, or NULL once its error is shown (or
 * nothing, when the call was cancelled: the view is going away). */
static json_t *
finish_call (SluiceServerLists *self,
             GObject           *source,
             GAsyncResult      *result)
{
  g_autoptr(GError) error = NULL;
  json_t *run = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);

  if (run == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = explain (self, error);

      say (self, text, TRUE);
    }
  return run;
}

static void
acted_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SluiceServerLists) self = user_data;
  json_t *run = finish_call (self, source, result);

  if (run == NULL)
    return;
  {
    /* TRANSLATORS: "run r-2026… is paused now" */
    g_autofree char *text = g_strdup_printf (_("Run %s is %s now"), text_of (run, "id"), text_of (run, "state"));

    say (self, text, FALSE);
  }
  json_decref (run);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SluiceServerLists) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sluice_run_client_get_bytes_finish (SLUICE_RUN_CLIENT (source), result, &error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *display = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL)
    {
      g_autofree char *text = explain (self, error);

      say (self, text, TRUE);
      return;
    }
  display = g_strdup_printf ("%s/runs/%s/pipeline", sluice_run_client_get_url (self->client),
                             (const char *) g_object_get_data (G_OBJECT (self), "fetching"));
  /* Checked before a window opens: a file that does not load is said
   * here, with the server's name for it. */
  pipeline = sluice_load_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), display, problems);
  if (pipeline == NULL)
    {
      g_autofree char *first = problems->len > 0 ? sluice_problem_to_string (g_ptr_array_index (problems, 0))
                                                 : g_strdup (_("it does not load"));
      g_autofree char *text = g_strdup_printf (_("Cannot show the run: %s"), first);

      say (self, text, TRUE);
      return;
    }
  /* Kept as a file so the window has one to show and reload: the
   * pipeline as the server runs it, named after the run. */
  folder = g_build_filename (g_get_user_cache_dir (), "sluice", "server-runs", NULL);
  path = g_strdup_printf ("%s/%s.xml", folder, (const char *) g_object_get_data (G_OBJECT (self), "fetching"));
  if (g_mkdir_with_parents (folder, 0700) != 0 ||
      !g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot keep the run’s pipeline in %s: %s"), folder,
                                               error != NULL ? error->message : g_strerror (errno));

      say (self, text, TRUE);
      return;
    }
  g_signal_emit (self, signals[PIPELINE_FETCHED], 0, g_object_get_data (G_OBJECT (self), "fetching"), path);
}

static void
run_button_clicked_cb (GtkButton *button,
                       gpointer   user_data)
{
  SluiceServerLists *self = user_data;
  const char *action = g_object_get_data (G_OBJECT (button), "sluice-action");
  const char *run_id = g_object_get_data (G_OBJECT (button), "sluice-id");
  g_autofree char *path = NULL;

  if (self->client == NULL)
    return;
  if (g_str_equal (action, "watch"))
    {
      /* One Watch at a time: the run it is for rides on the lists. */
      g_object_set_data_full (G_OBJECT (self), "fetching", g_strdup (run_id), g_free);
      path = g_strdup_printf ("/runs/%s/pipeline", run_id);
      sluice_run_client_get_bytes_async (self->client, path, self->cancellable, fetched_cb, g_object_ref (self));
      return;
    }
  path = g_strdup_printf ("/runs/%s/%s", run_id, action);
  sluice_run_client_call_async (self->client, "POST", path, NULL, self->cancellable, acted_cb, g_object_ref (self));
}

static Row *
run_row_new (SluiceServerLists *self,
             const char        *id)
{
  Row *row = row_new (id);
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  const char *actions[][4] = {
    { "pause", "media-playback-pause-symbolic", NULL, N_("Pause the run") },
    { "resume", "media-seek-forward-symbolic", NULL, N_("Resume the run") },
    { "cancel", "process-stop-symbolic", NULL, N_("Cancel the run") },
    { "watch", NULL, N_("_Watch"), N_("Open the run’s pipeline and watch the run live") },
  };

  gtk_widget_set_margin_start (GTK_WIDGET (box), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (box), 6);
  gtk_widget_set_margin_top (GTK_WIDGET (box), 4);
  gtk_widget_set_margin_bottom (GTK_WIDGET (box), 4);
  gtk_widget_add_css_class (GTK_WIDGET (add_label (row, box, 9, FALSE)), "run-status");
  add_label (row, box, 10, TRUE);     /* pipeline */
  add_label (row, box, 8, FALSE);     /* started */
  add_label (row, box, 9, FALSE);     /* duration */
  add_label (row, box, 15, FALSE);    /* items */
  gtk_widget_add_css_class (GTK_WIDGET (add_label (row, box, 12, FALSE)), "dim-label");   /* id */
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = add_button (row, box, actions[i][0], actions[i][1],
                                      actions[i][2] ? _(actions[i][2]) : NULL, _(actions[i][3]));

      g_object_set_data_full (G_OBJECT (button), "sluice-id", g_strdup (id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (run_button_clicked_cb), self, 0);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), GTK_WIDGET (box));
  /* Newest first: the daemon lists oldest first. */
  gtk_list_box_prepend (self->runs_list, row->row);
  return row;
}

static void
update_run_row (Row    *row,
                json_t *run)
{
  const char *state = text_of (run, "state");
  const char *pipeline = text_of (run, "registry_id") ?: text_of (run, "pipeline_id") ?: text_of (run, "pipeline");
  g_autofree char *started = sluice_server_format_time (text_of (run, "started"));
  g_autofree char *duration = sluice_server_format_duration (text_of (run, "started"), text_of (run, "finished"));
  g_autofree char *items = g_strdup_printf (_("in %" PRId64 " · out %" PRId64),
                                            (gint64) json_integer_value (json_object_get (run, "items_in")),
                                            (gint64) json_integer_value (json_object_get (run, "items_out")));
  gboolean over = g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "failed") == 0 ||
                  g_strcmp0 (state, "cancelled") == 0;

  g_free (row->state);
  row->state = g_strdup (state != NULL ? state : "");
  gtk_label_set_text (g_ptr_array_index (row->labels, 0), row->state);
  set_state_class (g_ptr_array_index (row->labels, 0), state);
  gtk_label_set_text (g_ptr_array_index (row->labels, 1), pipeline != NULL ? pipeline : "");
  gtk_widget_set_tooltip_text (g_ptr_array_index (row->labels, 1),
                               text_of (run, "error") != NULL ? text_of (run, "error") : text_of (run, "pipeline"));
  gtk_label_set_text (g_ptr_array_index (row->labels, 2), started);
  gtk_label_set_text (g_ptr_array_index (row->labels, 3), duration);
  gtk_label_set_text (g_ptr_array_index (row->labels, 4), items);
  gtk_label_set_text (g_ptr_array_index (row->labels, 5), row->id);
  /* What SPEC 6 allows from this state (the others stay in place,
   * insensitive, so that the columns line up). */
  gtk_widget_set_sensitive (g_hash_table_lookup (row->buttons, "pause"), g_strcmp0 (state, "running") == 0);
  gtk_widget_set_sensitive (g_hash_table_lookup (row->buttons, "resume"), g_strcmp0 (state, "paused") == 0);
  gtk_widget_set_sensitive (g_hash_table_lookup (row->buttons, "cancel"), !over);
}

/* Drops the rows that were not in the last list. */
static void
sweep (GHashTable *rows)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Row *row = value;

      if (!row->seen)
        {
          GtkWidget *list = gtk_widget_get_parent (row->row);

          if (list != NULL)
            gtk_list_box_remove (GTK_LIST_BOX (list), row->row);
          g_hash_table_iter_remove (&iter);
        }
      else
        row->seen = FALSE;
    }
}

void
sluice_server_lists_set_runs (SluiceServerLists *self,
                              json_t            *runs)
{
  size_t i;
  json_t *run;

  g_return_if_fail (SLUICE_IS_SERVER_LISTS (self));
  json_array_foreach (runs, i, run)
    {
      const char *id = text_of (run, "id");
      Row *row;

      /* The id goes into request paths and a file name: a server that
       * sends "../../x" is not followed there. */
      if (id == NULL || !sluice_run_record_id_is_valid (id))
        continue;
      if ((row = g_hash_table_lookup (self->runs, id)) == NULL)
        {
          row = run_row_new (self, id);
          g_hash_table_insert (self->runs, row->id, row);
        }
      row->seen = TRUE;
      update_run_row (row, run);
    }
  sweep (self->runs);
}

/* Pipelines */

static void
triggered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SluiceServerLists) self = user_data;
  json_t *run = finish_call (self, source, result);

  if (run == NULL)
    return;
  g_signal_emit (self, signals[TRIGGERED], 0, text_of (run, "id"));
  {
    g_autofree char *text = g_strdup_printf (_("Started run %s of %s"), text_of (run, "id"),
                                             text_of (run, "registry_id") ?: text_of (run, "pipeline"));

    say (self, text, FALSE);
  }
  json_decref (run);
}

static void
run_now_clicked_cb (GtkButton *button,
                    gpointer   user_data)
{
  SluiceServerLists *self = user_data;
  g_autofree char *escaped = sluice_run_client_escape_id (g_object_get_data (G_OBJECT (button), "sluice-id"));
  g_autofree char *path = g_strdup_printf ("/pipelines/%s/runs", escaped);
  json_t *body = json_object ();

  if (self->client != NULL)
    sluice_run_client_call_async (self->client, "POST", path, body, self->cancellable, triggered_cb,
                                  g_object_ref (self));
  json_decref (body);
}

static Row *
pipeline_row_new (SluiceServerLists *self,
                  const char        *id)
{
  Row *row = row_new (id);
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  GtkWidget *button;

  gtk_widget_set_margin_start (GTK_WIDGET (box), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (box), 6);
  gtk_widget_set_margin_top (GTK_WIDGET (box), 4);
  gtk_widget_set_margin_bottom (GTK_WIDGET (box), 4);
  gtk_widget_add_css_class (GTK_WIDGET (add_label (row, box, 12, TRUE)), "heading");   /* id */
  add_label (row, box, 24, FALSE);    /* schedule */
  add_label (row, box, 14, FALSE);    /* next run */
  add_label (row, box, 20, FALSE);    /* last run */
  add_label (row, box, 9, FALSE);     /* running */
  button = add_button (row, box, "run-now", NULL, _("Run _Now"), _("Start a run of this pipeline now"));
  g_object_set_data_full (G_OBJECT (button), "sluice-id", g_strdup (id), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (run_now_clicked_cb), self, 0);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), GTK_WIDGET (box));
  gtk_list_box_append (self->pipelines_list, row->row);
  return row;
}

static void
update_pipeline_row (Row    *row,
                     json_t *pipeline)
{
  json_t *schedule = json_object_get (pipeline, "schedule");
  json_t *last = json_object_get (pipeline, "last_run");
  json_t *problem = json_array_get (json_object_get (pipeline, "problems"), 0);
  gboolean valid = json_is_true (json_object_get (pipeline, "valid"));
  g_autofree char *schedule_text = NULL;
  g_autofree char *next = NULL;
  g_autofree char *last_text = NULL;
  g_autofree char *running = NULL;
  g_autofree char *next_time = sluice_server_format_time (text_of (pipeline, "next_run"));

  if (json_is_object (schedule))
    schedule_text = text_of (schedule, "timezone") != NULL
      ? g_strdup_printf ("%s (%s)", text_of (schedule, "cron"), text_of (schedule, "timezone"))
      : g_strdup (text_of (schedule, "cron"));
  else
    schedule_text = g_strdup (_("no schedule"));
  /* TRANSLATORS: the next time a scheduled pipeline runs */
  next = g_strdup_printf (_("next %s"), next_time);
  if (json_is_object (last))
    {
      g_autofree char *when = sluice_server_format_time (text_of (last, "created"));

      /* TRANSLATORS: the last run: its state and when it was created */
      last_text = g_strdup_printf (_("last %s %s"), text_of (last, "state"), when);
    }
  else
    last_text = g_strdup (_("never run"));
  running = g_strdup_printf (_("%" PRId64 " running"), (gint64) json_integer_value (json_object_get (pipeline, "running")));

  gtk_label_set_text (g_ptr_array_index (row->labels, 0), row->id);
  gtk_widget_set_tooltip_text (g_ptr_array_index (row->labels, 0),
                               problem != NULL ? text_of (problem, "message") : text_of (pipeline, "file"));
  gtk_label_set_text (g_ptr_array_index (row->labels, 1), schedule_text);
  gtk_label_set_text (g_ptr_array_index (row->labels, 2), next);
  gtk_label_set_text (g_ptr_array_index (row->labels, 3), last_text);
  gtk_label_set_text (g_ptr_array_index (row->labels, 4), running);
  if (valid)
    gtk_widget_remove_css_class (g_ptr_array_index (row->labels, 0), "error");
  else
    gtk_widget_add_css_class (g_ptr_array_index (row->labels, 0), "error");
  /* A broken pipeline cannot run: its first problem is the tooltip. */
  gtk_widget_set_sensitive (g_hash_table_lookup (row->buttons, "run-now"), valid);
}

void
sluice_server_lists_set_pipelines (SluiceServerLists *self,
                                   json_t            *pipelines,
                                   const char        *problem)
{
  size_t i;
  json_t *pipeline;

  g_return_if_fail (SLUICE_IS_SERVER_LISTS (self));
  gtk_label_set_text (self->pipelines_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->pipelines_problem), problem != NULL);
  json_array_foreach (pipelines, i, pipeline)
    {
      const char *id = text_of (pipeline, "id");
      Row *row;

      if (id == NULL)
        continue;
      if ((row = g_hash_table_lookup (self->pipelines, id)) == NULL)
        {
          row = pipeline_row_new (self, id);
          g_hash_table_insert (self->pipelines, row->id, row);
        }
      row->seen = TRUE;
      update_pipeline_row (row, pipeline);
    }
  sweep (self->pipelines);
}

/* The pages */

static GtkWidget *
scrolled_list (GtkListBox **list,
               const char  *placeholder)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *empty = gtk_label_new (placeholder);

  *list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (*list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (*list), "boxed-list");
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_widget_set_margin_top (empty, 24);
  gtk_widget_set_margin_bottom (empty, 24);
  gtk_list_box_set_placeholder (*list, empty);
  gtk_widget_set_valign (GTK_WIDGET (*list), GTK_ALIGN_START);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (*list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static void
build_pages (SluiceServerLists *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  self->runs_page = g_object_ref_sink (scrolled_list (&self->runs_list, _("No runs on this server yet")));
  self->pipelines_problem = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->pipelines_problem, TRUE);
  gtk_label_set_xalign (self->pipelines_problem, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->pipelines_problem), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->pipelines_problem));
  gtk_box_append (GTK_BOX (box), scrolled_list (&self->pipelines_list, _("No pipelines in the daemon’s folder")));
  self->pipelines_page = g_object_ref_sink (box);
}

GtkWidget *
sluice_server_lists_get_runs_widget (SluiceServerLists *self)
{
  return self->runs_page;
}

GtkWidget *
sluice_server_lists_get_pipelines_widget (SluiceServerLists *self)
{
  return self->pipelines_page;
}

void
sluice_server_lists_set_client (SluiceServerLists *self,
                                SluiceRunClient   *client)
{
  g_return_if_fail (SLUICE_IS_SERVER_LISTS (self));
  g_set_object (&self->client, client);
}

void
sluice_server_lists_clear (SluiceServerLists *self)
{
  g_return_if_fail (SLUICE_IS_SERVER_LISTS (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->client);
  sluice_server_lists_set_runs (self, NULL);
  sluice_server_lists_set_pipelines (self, NULL, NULL);
}

/* For tests */

static Row *
find_row (GHashTable *rows,
          const char *id)
{
  return id != NULL ? g_hash_table_lookup (rows, id) : NULL;
}

const char *
sluice_server_lists_get_run_state (SluiceServerLists *self,
                                   const char        *run_id)
{
  Row *row = find_row (self->runs, run_id);

  return row != NULL ? row->state : NULL;
}

char *
sluice_server_lists_dup_run_row (SluiceServerLists *self,
                                 const char        *run_id)
{
  Row *row = find_row (self->runs, run_id);

  return row != NULL ? row_text (row) : NULL;
}

GtkWidget *
sluice_server_lists_get_run_button (SluiceServerLists *self,
                                    const char        *run_id,
                                    const char        *action)
{
  Row *row = find_row (self->runs, run_id);

  return row != NULL ? g_hash_table_lookup (row->buttons, action) : NULL;
}

char *
sluice_server_lists_dup_pipeline_row (SluiceServerLists *self,
                                      const char        *pipeline_id)
{
  Row *row = find_row (self->pipelines, pipeline_id);

  return row != NULL ? row_text (row) : NULL;
}

GtkWidget *
sluice_server_lists_get_run_now_button (SluiceServerLists *self,
                                        const char        *pipeline_id)
{
  Row *row = find_row (self->pipelines, pipeline_id);

  return row != NULL ? g_hash_table_lookup (row->buttons, "run-now") : NULL;
}

const char *
sluice_server_lists_get_pipelines_problem (SluiceServerLists *self)
{
  return gtk_label_get_text (self->pipelines_problem);
}

guint
sluice_server_lists_get_n_runs (SluiceServerLists *self)
{
  return g_hash_table_size (self->runs);
}

guint
sluice_server_lists_get_n_pipelines (SluiceServerLists *self)
{
  return g_hash_table_size (self->pipelines);
}

static void
sluice_server_lists_dispose (GObject *object)
{
  SluiceServerLists *self = SLUICE_SERVER_LISTS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->runs_page);
  g_clear_object (&self->pipelines_page);
  G_OBJECT_CLASS (sluice_server_lists_parent_class)->dispose (object);
}

static void
sluice_server_lists_finalize (GObject *object)
{
  SluiceServerLists *self = SLUICE_SERVER_LISTS (object);

  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->runs);
  g_hash_table_unref (self->pipelines);
  G_OBJECT_CLASS (sluice_server_lists_parent_class)->finalize (object);
}

static void
sluice_server_lists_class_init (SluiceServerListsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_server_lists_dispose;
  object_class->finalize = sluice_server_lists_finalize;

  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[PIPELINE_FETCHED] = g_signal_new ("pipeline-fetched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[TRIGGERED] = g_signal_new ("triggered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                     NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sluice_server_lists_init (SluiceServerLists *self)
{
  self->cancellable = g_cancellable_new ();
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) row_free);
  self->pipelines = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) row_free);
  build_pages (self);
}

SluiceServerLists *
sluice_server_lists_new (void)
{
  return g_object_new (SLUICE_TYPE_SERVER_LISTS, NULL);
}
