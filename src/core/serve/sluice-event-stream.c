/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-event-stream.h"
#include "sluice-listen.h"

struct _SluiceEventStream
{
  SoupServerMessage       *msg;          /* owned */
  SluiceManagedRun        *run;          /* owned */
  guint64                  next;         /* seq of the next event to send */
  gulong                   event_id;
  gulong                   finished_id;  /* the run's */
  gulong                   msg_finished_id;
  gboolean                 complete;
  SluiceEventStreamClosed  closed;
  gpointer                 user_data;
};

static void
append (SluiceEventStream *self,
        const char        *text,
        gsize              length)
{
  soup_message_body_append (soup_server_message_get_response_body (self->msg),
                            SOUP_MEMORY_COPY, text, length);
}

static void
append_event (SluiceEventStream *self,
              guint64            seq,
              const char        *json)
{
  g_autofree char *text = g_strdup_printf ("id: %" G_GUINT64_FORMAT "\ndata: %s\n\n", seq, json);

  append (self, text, strlen (text));
}

/* Everything recorded from self->next on. */
static void
catch_up (SluiceEventStream *self)
{
  guint64 n = sluice_managed_run_get_n_events (self->run);

  for (; self->next <= n; self->next++)
    append_event (self, self->next, sluice_managed_run_get_event (self->run, self->next));
}

static void
complete (SluiceEventStream *self)
{
  if (self->complete)
    return;
  self->complete = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
}

static void
disconnect_run (SluiceEventStream *self)
{
  g_clear_signal_handler (&self->event_id, self->run);
  g_clear_signal_handler (&self->finished_id, self->run);
}

static void
event_cb (SluiceManagedRun  *run,
          guint64            seq,
          const char        *json,
          SluiceEventStream *self)
{
  catch_up (self);
  soup_server_message_unpause (self->msg);
}

static void
run_finished_cb (SluiceManagedRun  *run,
                 SluiceEventStream *self)
{
  catch_up (self);
  disconnect_run (self);
  complete (self);
  soup_server_message_unpause (self->msg);
}

static void
msg_finished_cb (SoupServerMessage *msg,
                 SluiceEventStream *self)
{
  g_clear_signal_handler (&self->msg_finished_id, self->msg);
  disconnect_run (self);
  self->complete = TRUE;
  self->closed (self, self->user_data);
}

SluiceEventStream *
sluice_event_stream_new (SoupServerMessage       *msg,
                         SluiceManagedRun        *run,
                         guint64                  after,
                         SluiceEventStreamClosed  closed,
                         gpointer                 user_data)
{
  SluiceEventStream *self = g_new0 (SluiceEventStream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  self->msg = g_object_ref (msg);
  self->run = g_object_ref (run);
  self->next = after + 1;
  self->closed = closed;
  self->user_data = user_data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  sluice_listen_close_after (msg);
  /* Sent chunks are let go: a long stream does not grow in memory. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  self->msg_finished_id = g_signal_connect (msg, "finished", G_CALLBACK (msg_finished_cb), self);

  catch_up (self);
  if (sluice_run_state_is_final (sluice_managed_run_get_state (run)))
    complete (self);
  else
    {
      self->event_id = g_signal_connect (run, "event", G_CALLBACK (event_cb), self);
      self->finished_id = g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), self);
    }
  return self;
}

void
sluice_event_stream_ping (SluiceEventStream *self)
{
  if (self->complete)
    return;
  append (self, ": keep-alive\n\n", strlen (": keep-alive\n\n"));
  soup_server_message_unpause (self->msg);
}

void
sluice_event_stream_free (SluiceEventStream *self)
{
  if (self == NULL)
    return;
  disconnect_run (self);
  g_clear_signal_handler (&self->msg_finished_id, self->msg);
  g_object_unref (self->msg);
  g_object_unref (self->run);
  g_free (self);
}
