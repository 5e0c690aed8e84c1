/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-event-stream.h"
#include "sluice-listen.h"

/* At most this much waits in memory for a client: a client that reads
 * slower than the run makes events gets them as fast as it reads (the
 * rest stays in the run's history until then), so a stalled client
 * costs the daemon a bounded amount of memory. */
#define MAX_BACKLOG (1024 * 1024)

struct _SluiceEventStream
{
  SoupServerMessage       *msg;          /* owned */
  SluiceManagedRun        *run;          /* owned */
  guint64                  next;         /* seq of the next event to send */
  gsize                    backlog;      /* bytes appended, not yet written */
  gulong                   event_id;
  gulong                   finished_id;  /* the run's */
  gulong                   msg_finished_id;
  gulong                   wrote_id;
  guint                    flush_id;     /* a catch-up is scheduled */
  gboolean                 run_over;     /* end the stream once caught up */
  gboolean                 complete;
  SluiceEventStreamClosed  closed;
  gpointer                 user_data;
};

static void
append (SluiceEventStream *self,
        GString           *text)
{
  gsize length = text->len;

  self->backlog += length;
  soup_message_body_append (soup_server_message_get_response_body (self->msg),
                            SOUP_MEMORY_TAKE, g_string_free (text, FALSE), length);
}

/* Events from self->next on, as chunks, while the backlog allows; the
 * end of the stream once the run is over and everything was sent. */
static void
catch_up (SluiceEventStream *self)
{
  guint64 n;

  if (self->complete)
    return;
  n = sluice_managed_run_count_events (self->run);
  while (self->next <= n && self->backlog < MAX_BACKLOG)
    {
      GString *text = g_string_new (NULL);

      for (; self->next <= n && text->len < 64 * 1024; self->next++)
        g_string_append_printf (text, "id: %" G_GUINT64_FORMAT "\ndata: %s\n\n",
                                self->next, sluice_managed_run_get_event (self->run, self->next));
      append (self, text);
    }
  if (self->run_over && self->next > n)
    {
      self->complete = TRUE;
      soup_message_body_complete (soup_server_message_get_response_body (self->msg));
    }
}

static void
disconnect_run (SluiceEventStream *self)
{
  g_clear_signal_handler (&self->event_id, self->run);
  g_clear_signal_handler (&self->finished_id, self->run);
  g_clear_handle_id (&self->flush_id, g_source_remove);
}

static gboolean
flush_cb (gpointer user_data)
{
  SluiceEventStream *self = user_data;

  self->flush_id = 0;
  catch_up (self);
  soup_server_message_unpause (self->msg);
  return G_SOURCE_REMOVE;
}

/* Events come in bursts (a slice of the executor's work emits many):
 * they are sent together once the slice is over — one chunk, one write
 * — before the executor's next slice (which runs at idle priority). */
static void
event_cb (SluiceManagedRun  *run,
          guint64            seq,
          const char        *json,
          SluiceEventStream *self)
{
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, self, NULL);
}

static void
run_finished_cb (SluiceManagedRun  *run,
                 SluiceEventStream *self)
{
  disconnect_run (self);
  self->run_over = TRUE;
  catch_up (self);
  soup_server_message_unpause (self->msg);
}

/* Written to the client: room for more. */
static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              size,
                    SluiceEventStream *self)
{
  self->backlog -= MIN (size, self->backlog);
  if (self->backlog < MAX_BACKLOG / 2)
    catch_up (self);
}

static void
msg_finished_cb (SoupServerMessage *msg,
                 SluiceEventStream *self)
{
  g_clear_signal_handler (&self->msg_finished_id, self->msg);
  g_clear_signal_handler (&self->wrote_id, self->msg);
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
  self->wrote_id = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), self);

  if (sluice_run_state_is_final (sluice_managed_run_get_state (run)))
    self->run_over = TRUE;
  else
    {
      self->event_id = g_signal_connect (run, "event", G_CALLBACK (event_cb), self);
      self->finished_id = g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), self);
    }
  catch_up (self);
  return self;
}

void
sluice_event_stream_ping (SluiceEventStream *self)
{
  if (self->complete)
    return;
  append (self, g_string_new (": keep-alive\n\n"));
  soup_server_message_unpause (self->msg);
}

void
sluice_event_stream_free (SluiceEventStream *self)
{
  if (self == NULL)
    return;
  disconnect_run (self);
  g_clear_signal_handler (&self->msg_finished_id, self->msg);
  g_clear_signal_handler (&self->wrote_id, self->msg);
  g_object_unref (self->msg);
  g_object_unref (self->run);
  g_free (self);
}
