/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sluice-server-watch.h"

#define REFRESH_INTERVAL_MS 1000
/* The newest output items a watch fetches (the run panel keeps as many). */
#define OUTPUT_TAIL 1000

struct _SluiceServerWatch
{
  GObject            parent_instance;

  SluiceRunClient   *client;      /* owned */
  SluiceRunFollower *follower;    /* owned */
  SluiceRunSession  *session;     /* owned */
  GCancellable      *cancellable; /* owned: requests in flight */
  char              *run_id;
  char              *problem;
  guint              refresh_id;
  guint              follow_again_id;
  gboolean           refreshing;
  gboolean           results_fetched; /* once, when the run is seen over */
  guint              fetching;        /* requests for results in flight */
  guint64            items_out;       /* as GET /runs/ID last said */
};

enum
{
  PROP_0,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SluiceServerWatch, sluice_server_watch, G_TYPE_OBJECT)

static void
set_problem (SluiceServerWatch *self,
             const char        *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
event_cb (SluiceRunFollower *follower,
          const char        *json,
          guint64            seq,
          SluiceServerWatch *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceEvent) event = sluice_event_new_from_json (json, &error);

  /* An event this designer does not know (a newer daemon) is skipped;
   * the counters it would have changed come from GET /runs/ID. */
  if (event == NULL)
    {
      g_debug ("%s: run %s: event %" G_GUINT64_FORMAT ": %s", sluice_run_client_get_url (self->client),
               self->run_id, seq, error->message);
      return;
    }
  sluice_run_session_apply_event (self->session, event);
}

static void
connection_cb (SluiceRunFollower *follower,
               gboolean           connected,
               const char        *problem,
               SluiceServerWatch *self)
{
  g_autofree char *text = NULL;

  if (!connected)
    /* TRANSLATORS: %s names the server's URL and what went wrong */
    text = g_strdup_printf (_("Lost the connection to %s; trying again (every 5 s at most)"), problem);
  set_problem (self, text);
}

static gboolean
follow_again_cb (gpointer user_data)
{
  SluiceServerWatch *self = user_data;

  self->follow_again_id = 0;
  sluice_run_follower_start (self->follower);
  return G_SOURCE_REMOVE;
}

static void
ended_cb (SluiceRunFollower *follower,
          const GError      *error,
          SluiceServerWatch *self)
{
  /* A server killed at the wrong moment closes the stream as cleanly as
   * one whose run is over: until the run's end was told, follow on. */
  if (error == NULL && !sluice_run_state_is_final (sluice_run_session_get_state (self->session)))
    {
      g_autofree char *text = g_strdup_printf (_("Lost the connection to %s; trying again every second"),
                                               sluice_run_client_get_url (self->client));

      set_problem (self, text);
      if (self->follow_again_id == 0)
        self->follow_again_id = g_timeout_add (1000, follow_again_cb, self);
      return;
    }
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", sluice_run_client_get_url (self->client), error->message);

      set_problem (self, text);
    }
}

static void
report_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SluiceServerWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *report = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);

  self->fetching--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report == NULL)
    {
      /* TRANSLATORS: %s is what went wrong, naming the server */
      g_autofree char *text = g_strdup_printf (_("No report: %s"), error->message);

      set_problem (self, text);
      return;
    }
  sluice_run_session_set_remote_results (self->session, report, NULL, 0);
  json_decref (report);
}

static void
output_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SluiceServerWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sluice_run_client_get_bytes_finish (SLUICE_RUN_CLIENT (source), result, &error);
  g_autoptr(GPtrArray) lines = NULL;
  const char *data, *end;
  gsize length;

  self->fetching--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL)
    {
      /* TRANSLATORS: %s is what went wrong, naming the server */
      g_autofree char *text = g_strdup_printf (_("No output items: %s"), error->message);

      set_problem (self, text);
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  end = data + length;
  lines = g_ptr_array_new_with_free_func (g_free);
  while (data != NULL && data < end)
    {
      const char *nl = memchr (data, '\n', end - data);
      const char *stop = nl != NULL ? nl : end;

      if (stop > data)
        g_ptr_array_add (lines, g_utf8_make_valid (data, stop - data));
      data = stop + 1;
    }
  sluice_run_session_set_remote_results (self->session, NULL, lines, MAX (self->items_out, lines->len));
}

/* The run's report and its newest output items, from the server: when
 * the run is seen over, and whenever the viewer asks. */
static void
fetch_results (SluiceServerWatch *self)
{
  g_autofree char *report = g_strdup_printf ("/runs/%s/report", self->run_id);
  g_autofree char *output = g_strdup_printf ("/runs/%s/output?tail=%u", self->run_id, OUTPUT_TAIL);

  if (self->fetching > 0)
    return;
  self->fetching = 2;
  sluice_run_client_call_async (self->client, "GET", report, NULL, self->cancellable, report_cb, g_object_ref (self));
  sluice_run_client_get_bytes_async (self->client, output, self->cancellable, output_cb, g_object_ref (self));
}

static void
apply_run (SluiceServerWatch *self,
           json_t            *run)
{
  const char *name = json_string_value (json_object_get (run, "state"));
  SluiceRunState state;

  self->items_out = json_integer_value (json_object_get (run, "items_out"));
  if (name != NULL && sluice_run_state_from_string (name, &state) && sluice_run_state_is_final (state) &&
      !self->results_fetched)
    {
      self->results_fetched = TRUE;
      fetch_results (self);
    }

  sluice_run_session_set_remote_totals (self->session,
                                        json_integer_value (json_object_get (run, "items_in")),
                                        json_integer_value (json_object_get (run, "items_out")),
                                        (gint64) (json_number_value (json_object_get (run, "elapsed_ms")) * 1000));
  if (name != NULL && sluice_run_state_from_string (name, &state))
    sluice_run_session_set_remote_state (self->session, state,
                                         json_string_value (json_object_get (run, "error")),
                                         json_string_value (json_object_get (run, "failed_module")),
                                         json_integer_value (json_object_get (run, "events")));
}

static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SluiceServerWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *run = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);

  self->refreshing = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (run == NULL)
    {
      /* TRANSLATORS: %s is what went wrong, naming the server */
      g_autofree char *text = g_strdup_printf (_("Lost the connection to %s; trying again every second"), error->message);

      set_problem (self, text);
      return;
    }
  apply_run (self, run);
  if (sluice_run_follower_get_connected (self->follower))
    set_problem (self, NULL);
  json_decref (run);
}

static gboolean
refresh_cb (gpointer user_data)
{
  SluiceServerWatch *self = user_data;
  g_autofree char *path = g_strdup_printf ("/runs/%s", self->run_id);

  if (!self->refreshing)
    {
      self->refreshing = TRUE;
      sluice_run_client_call_async (self->client, "GET", path, NULL, self->cancellable, refreshed_cb,
                                    g_object_ref (self));
    }
  /* Once the run is over and its end was told, nothing changes any more. */
  if (!sluice_run_session_get_active (self->session) && self->problem == NULL &&
      sluice_run_state_is_final (sluice_run_session_get_state (self->session)))
    {
      self->refresh_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
acted_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SluiceServerWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *run = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (run == NULL)
    {
      set_problem (self, error->message);
      return;
    }
  apply_run (self, run);
  json_decref (run);
}

static void
control_cb (SluiceRunSession  *session,
            const char        *action,
            SluiceServerWatch *self)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s/%s", self->run_id, action);

  if (g_str_equal (action, "results"))
    {
      fetch_results (self);
      return;
    }
  sluice_run_client_call_async (self->client, "POST", path, NULL, self->cancellable, acted_cb, g_object_ref (self));
}

void
sluice_server_watch_start (SluiceServerWatch *self)
{
  g_return_if_fail (SLUICE_IS_SERVER_WATCH (self));
  sluice_run_follower_start (self->follower);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
  refresh_cb (self);
}

SluiceRunSession *
sluice_server_watch_get_session (SluiceServerWatch *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVER_WATCH (self), NULL);
  return self->session;
}

const char *
sluice_server_watch_get_run_id (SluiceServerWatch *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVER_WATCH (self), NULL);
  return self->run_id;
}

const char *
sluice_server_watch_get_problem (SluiceServerWatch *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVER_WATCH (self), NULL);
  return self->problem;
}

static void
sluice_server_watch_dispose (GObject *object)
{
  SluiceServerWatch *self = SLUICE_SERVER_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->follow_again_id, g_source_remove);
  if (self->follower != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->follower, self);
      sluice_run_follower_stop (self->follower);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->follower);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (sluice_server_watch_parent_class)->dispose (object);
}

static void
sluice_server_watch_finalize (GObject *object)
{
  SluiceServerWatch *self = SLUICE_SERVER_WATCH (object);

  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_free (self->run_id);
  g_free (self->problem);
  G_OBJECT_CLASS (sluice_server_watch_parent_class)->finalize (object);
}

static void
sluice_server_watch_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SluiceServerWatch *self = SLUICE_SERVER_WATCH (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_server_watch_class_init (SluiceServerWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_server_watch_dispose;
  object_class->finalize = sluice_server_watch_finalize;
  object_class->get_property = sluice_server_watch_get_property;

  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_server_watch_init (SluiceServerWatch *self)
{
  self->cancellable = g_cancellable_new ();
}

SluiceServerWatch *
sluice_server_watch_new (SluiceRunClient *client,
                         const char      *run_id,
                         SluicePipeline  *pipeline)
{
  SluiceServerWatch *self;

  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (client), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);
  self = g_object_new (SLUICE_TYPE_SERVER_WATCH, NULL);
  self->client = g_object_ref (client);
  self->run_id = g_strdup (run_id);
  self->session = sluice_run_session_new_remote (pipeline);
  self->follower = sluice_run_follower_new (client, run_id);
  g_signal_connect (self->follower, "event", G_CALLBACK (event_cb), self);
  g_signal_connect (self->follower, "connection-changed", G_CALLBACK (connection_cb), self);
  g_signal_connect (self->follower, "ended", G_CALLBACK (ended_cb), self);
  g_signal_connect (self->session, "control", G_CALLBACK (control_cb), self);
  return self;
}
