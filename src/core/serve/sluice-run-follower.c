/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-run-follower.h"
#include "sluice-run-state.h"

/* Reconnecting: first after this long, then twice as long each time up
 * to the cap, so that a daemon away for a while is not hammered. */
#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS   5000
/* An event line longer than this is not the daemon's. */
#define MAX_LINE (16 * 1024 * 1024)

struct _SluiceRunFollower
{
  GObject            parent_instance;

  SluiceRunClient   *client;      /* owned */
  char              *run_id;
  char              *path;
  GCancellable      *cancellable; /* owned, of the current connection */
  GDataInputStream  *lines;       /* owned, while connected */
  SoupMessage       *msg;         /* owned, while connecting or connected */
  guint64            last_seq;
  guint64            pending_id;  /* the "id:" of the event being read */
  guint              failures;
  guint              max_failures;
  GSource           *retry;       /* the wait before reconnecting, owned */
  guint              retry_ms;    /* the next wait before reconnecting */
  gboolean           connected;
  gboolean           running;
};

enum
{
  EVENT,
  CONNECTION_CHANGED,
  ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceRunFollower, sluice_run_follower, G_TYPE_OBJECT)

static void connect_now (SluiceRunFollower *self);

static void
clear_retry (SluiceRunFollower *self)
{
  if (self->retry != NULL)
    g_source_destroy (self->retry);
  g_clear_pointer (&self->retry, g_source_unref);
}

static void
set_connected (SluiceRunFollower *self,
               gboolean           connected,
               const char        *problem)
{
  if (self->connected == connected && connected)
    return;
  self->connected = connected;
  g_signal_emit (self, signals[CONNECTION_CHANGED], 0, connected, problem);
}

static void
drop_connection (SluiceRunFollower *self)
{
  g_clear_object (&self->lines);
  g_clear_object (&self->msg);
}

static void
end (SluiceRunFollower *self,
     GError            *error)
{
  self->running = FALSE;
  drop_connection (self);
  clear_retry (self);
  g_signal_emit (self, signals[ENDED], 0, error);
}

static gboolean
retry_cb (gpointer user_data)
{
  SluiceRunFollower *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* The stream broke or could not be opened: try again, unless that has
 * failed too often. */
static void
failed (SluiceRunFollower *self,
        const GError      *error)
{
  const char *url = sluice_run_client_get_url (self->client);
  const char *message = error != NULL ? error->message : "the connection closed";
  /* The client's own errors name the URL already. */
  g_autofree char *problem = g_str_has_prefix (message, url) ? g_strdup (message)
                                                             : g_strdup_printf ("%s: %s", url, message);

  drop_connection (self);
  if (!self->running)
    return;
  self->failures++;
  set_connected (self, FALSE, problem);
  if (self->max_failures > 0 && self->failures >= self->max_failures)
    {
      g_autoptr(GError) gone = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,
                                            "%s", problem);

      end (self, gone);
      return;
    }
  {
    /* On the thread-default context, as the requests: a command-line
     * client runs its own. */
    clear_retry (self);
    self->retry = g_timeout_source_new (self->retry_ms);
    g_source_set_callback (self->retry, retry_cb, self, NULL);
    g_source_attach (self->retry, g_main_context_get_thread_default ());
  }
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

guint
sluice_run_follower_get_retry_delay (SluiceRunFollower *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_FOLLOWER (self), 0);
  return self->retry_ms;
}

static gboolean
state_is_final (const char *state)
{
  for (SluiceRunState value = SLUICE_RUN_PENDING; value <= SLUICE_RUN_CANCELLED; value++)
    if (g_strcmp0 (state, sluice_run_state_to_string (value)) == 0)
      return sluice_run_state_is_final (value);
  return FALSE;
}

/* The stream closed cleanly. A server ends it when the run is over, but
 * also when it shuts down (or dies between two events): only the run's
 * own state says which. */
static void
state_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SluiceRunFollower) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *run = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);
  const char *state = json_string_value (json_object_get (run, "state"));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    {
      json_decref (run);
      return;
    }
  if (run == NULL)
    failed (self, error);
  else if (state_is_final (state))
    end (self, NULL);
  else
    {
      g_autoptr(GError) early = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,
                                             "the event stream closed while the run is %s",
                                             state != NULL ? state : "in an unknown state");

      failed (self, early);
    }
  json_decref (run);
}

static void
check_state (SluiceRunFollower *self)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s", self->run_id);

  drop_connection (self);
  sluice_run_client_call_async (self->client, "GET", path, NULL, self->cancellable, state_cb, g_object_ref (self));
}

static void
handle_line (SluiceRunFollower *self,
             const char        *line)
{
  if (g_str_has_prefix (line, "id: "))
    self->pending_id = g_ascii_strtoull (line + 4, NULL, 10);
  else if (g_str_has_prefix (line, "data: "))
    {
      guint64 seq = self->pending_id;

      /* After a reconnection the server starts after Last-Event-ID; an
       * event at or below it would be told twice. */
      if (seq != 0 && seq <= self->last_seq)
        return;
      if (seq != 0)
        self->last_seq = seq;
      g_signal_emit (self, signals[EVENT], 0, line + 6, seq);
    }
  else if (*line == '\0')
    self->pending_id = 0;
}

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SluiceRunFollower) self = user_data;
  g_autoptr(GError) error = NULL;
  gsize length;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                                     &length, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running ||
      G_DATA_INPUT_STREAM (source) != self->lines)
    return;
  if (line == NULL && error == NULL)
    {
      check_state (self);
      return;
    }
  if (line == NULL || length > MAX_LINE)
    {
      failed (self, error);
      return;
    }
  handle_line (self, line);
  if (self->running && self->lines != NULL)
    g_data_input_stream_read_line_async (self->lines, G_PRIORITY_DEFAULT, self->cancellable, line_cb,
                                         g_object_ref (self));
}

static void
refused (SluiceRunFollower *self,
         GInputStream      *stream)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes (stream, 65536, NULL, NULL);
  json_t *answer = bytes != NULL ? json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0, NULL) : NULL;
  guint status = soup_message_get_status (self->msg);
  const char *reason = json_string_value (json_object_get (answer, "error"));
  g_autoptr(GError) error = g_error_new (SLUICE_RUN_CLIENT_ERROR,
                                         status == SOUP_STATUS_UNAUTHORIZED ? SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED
                                                                            : SLUICE_RUN_CLIENT_ERROR_REFUSED,
                                         "GET %s: %u %s", self->path, status,
                                         reason != NULL ? reason : soup_message_get_reason_phrase (self->msg));

  json_decref (answer);
  end (self, error);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SluiceRunFollower) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    return;
  if (stream == NULL)
    {
      failed (self, error);
      return;
    }
  status = soup_message_get_status (self->msg);
  /* A server being restarted may answer 5xx for a moment; anything
   * else that is not the stream is the answer. */
  if (status >= 500)
    {
      g_autoptr(GError) busy = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_REFUSED,
                                            "GET %s: %u %s", self->path, status,
                                            soup_message_get_reason_phrase (self->msg));
      failed (self, busy);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      refused (self, stream);
      return;
    }
  self->failures = 0;
  self->retry_ms = RETRY_FIRST_MS;
  self->pending_id = 0;
  self->lines = g_data_input_stream_new (stream);
  set_connected (self, TRUE, NULL);
  g_data_input_stream_read_line_async (self->lines, G_PRIORITY_DEFAULT, self->cancellable, line_cb,
                                       g_object_ref (self));
}

static void
connect_now (SluiceRunFollower *self)
{
  g_autofree char *last = g_strdup_printf ("%" G_GUINT64_FORMAT, self->last_seq);
  SoupMessageHeaders *headers;

  drop_connection (self);
  self->msg = sluice_run_client_new_message (self->client, "GET", self->path);
  if (self->msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_INVALID,
                                             "%s%s is not a URL", sluice_run_client_get_url (self->client),
                                             self->path);
      end (self, error);
      return;
    }
  headers = soup_message_get_request_headers (self->msg);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  if (self->last_seq > 0)
    soup_message_headers_replace (headers, "Last-Event-ID", last);
  soup_session_send_async (sluice_run_client_get_session (self->client), self->msg, G_PRIORITY_DEFAULT, self->cancellable, sent_cb, g_object_ref (self));
}

void
sluice_run_follower_start (SluiceRunFollower *self)
{
  g_return_if_fail (SLUICE_IS_RUN_FOLLOWER (self));
  if (self->running)
    return;
  self->running = TRUE;
  self->failures = 0;
  self->retry_ms = RETRY_FIRST_MS;
  /* A new one: callbacks of a stopped connection may still be queued. */
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  connect_now (self);
}

void
sluice_run_follower_stop (SluiceRunFollower *self)
{
  g_return_if_fail (SLUICE_IS_RUN_FOLLOWER (self));
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  clear_retry (self);
  drop_connection (self);
}

void
sluice_run_follower_set_max_failures (SluiceRunFollower *self,
                                      guint              max_failures)
{
  g_return_if_fail (SLUICE_IS_RUN_FOLLOWER (self));
  self->max_failures = max_failures;
}

guint64
sluice_run_follower_get_last_seq (SluiceRunFollower *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_FOLLOWER (self), 0);
  return self->last_seq;
}

gboolean
sluice_run_follower_get_connected (SluiceRunFollower *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_FOLLOWER (self), FALSE);
  return self->connected;
}

static void
sluice_run_follower_dispose (GObject *object)
{
  SluiceRunFollower *self = SLUICE_RUN_FOLLOWER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  clear_retry (self);
  drop_connection (self);
  G_OBJECT_CLASS (sluice_run_follower_parent_class)->dispose (object);
}

static void
sluice_run_follower_finalize (GObject *object)
{
  SluiceRunFollower *self = SLUICE_RUN_FOLLOWER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_free (self->run_id);
  g_free (self->path);
  G_OBJECT_CLASS (sluice_run_follower_parent_class)->finalize (object);
}

static void
sluice_run_follower_class_init (SluiceRunFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_run_follower_dispose;
  object_class->finalize = sluice_run_follower_finalize;

  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
  signals[CONNECTION_CHANGED] = g_signal_new ("connection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sluice_run_follower_init (SluiceRunFollower *self)
{
  self->cancellable = g_cancellable_new ();
}

SluiceRunFollower *
sluice_run_follower_new (SluiceRunClient *client,
                         const char      *run_id)
{
  SluiceRunFollower *self;

  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (client), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);
  self = g_object_new (SLUICE_TYPE_RUN_FOLLOWER, NULL);
  self->client = g_object_ref (client);
  self->run_id = g_strdup (run_id);
  self->path = g_strdup_printf ("/runs/%s/events", run_id);
  return self;
}
