/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-announcer.h"

struct _SluiceAnnouncer
{
  GObject       parent_instance;

  SluiceServer *server;      /* owned; or NULL, and @status says it */
  SluiceAnnouncerStatusFunc status;
  gpointer      status_data;
  char         *announce_url;
  char         *url;
  guint         interval_ms;
  SoupSession  *session;
  guint         timer_id;
  gboolean      in_flight;   /* one beat at a time */
  gboolean      warned;      /* the balancer's failure was said once */
};

G_DEFINE_FINAL_TYPE (SluiceAnnouncer, sluice_announcer, G_TYPE_OBJECT)

static void
announced_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SluiceAnnouncer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status = msg != NULL ? soup_message_get_status (msg) : 0;

  self->in_flight = FALSE;
  if (body == NULL || status != SOUP_STATUS_OK)
    {
      if (!self->warned)
        g_printerr ("sluice-run: cannot announce to the balancer %s: %s (trying again every %u ms)\n",
                    self->announce_url, error != NULL ? error->message : soup_message_get_reason_phrase (msg),
                    self->interval_ms);
      self->warned = TRUE;
    }
  else if (self->warned)
    {
      g_printerr ("sluice-run: announced to the balancer %s again\n", self->announce_url);
      self->warned = FALSE;
    }
  g_object_unref (self);
}

static void
beat (SluiceAnnouncer *self)
{
  json_t *status = self->server != NULL ? sluice_server_build_status (self->server)
                                        : self->status (self->status_data);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, self->announce_url);
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (msg == NULL || self->in_flight)
    {
      json_decref (status);
      return;
    }

  json_object_set_new (status, "url", json_string (self->url));
  text = json_dumps (status, JSON_COMPACT);
  json_decref (status);
  bytes = g_bytes_new_with_free_func (text, strlen (text), free, text);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  self->in_flight = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    announced_cb, g_object_ref (self));
}

static gboolean
beat_cb (gpointer user_data)
{
  beat (user_data);
  return G_SOURCE_CONTINUE;
}

static void
sluice_announcer_finalize (GObject *object)
{
  SluiceAnnouncer *self = SLUICE_ANNOUNCER (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_object (&self->server);
  g_clear_object (&self->session);
  g_free (self->announce_url);
  g_free (self->url);

  G_OBJECT_CLASS (sluice_announcer_parent_class)->finalize (object);
}

static void
sluice_announcer_class_init (SluiceAnnouncerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_announcer_finalize;
}

static void
sluice_announcer_init (SluiceAnnouncer *self)
{
}

static SluiceAnnouncer *
announcer_new (const char *balancer,
               const char *url,
               guint       interval_ms)
{
  SluiceAnnouncer *self = g_object_new (SLUICE_TYPE_ANNOUNCER, NULL);
  g_autoptr(GProxyResolver) direct = NULL;

  self->announce_url = g_uri_resolve_relative (balancer, "announce", G_URI_FLAGS_NONE, NULL);
  if (self->announce_url == NULL)
    self->announce_url = g_strdup (balancer);
  self->url = g_strdup (url);
  self->interval_ms = MAX (interval_ms, 50);
  direct = g_simple_proxy_resolver_new (NULL, NULL);
  self->session = soup_session_new_with_options ("timeout", 2, "proxy-resolver", direct, NULL);
  return self;
}

SluiceAnnouncer *
sluice_announcer_new (SluiceServer *server,
                      const char   *balancer,
                      const char   *url,
                      guint         interval_ms)
{
  SluiceAnnouncer *self;

  g_return_val_if_fail (SLUICE_IS_SERVER (server), NULL);
  g_return_val_if_fail (balancer != NULL && url != NULL, NULL);

  self = announcer_new (balancer, url, interval_ms);
  self->server = g_object_ref (server);
  return self;
}

SluiceAnnouncer *
sluice_announcer_new_for_status (SluiceAnnouncerStatusFunc status,
                                 gpointer                  user_data,
                                 const char               *balancer,
                                 const char               *url,
                                 guint                     interval_ms)
{
  SluiceAnnouncer *self;

  g_return_val_if_fail (status != NULL, NULL);
  g_return_val_if_fail (balancer != NULL && url != NULL, NULL);

  self = announcer_new (balancer, url, interval_ms);
  self->status = status;
  self->status_data = user_data;
  return self;
}

void
sluice_announcer_start (SluiceAnnouncer *self)
{
  g_return_if_fail (SLUICE_IS_ANNOUNCER (self));

  beat (self);
  if (self->timer_id == 0)
    self->timer_id = g_timeout_add (self->interval_ms, beat_cb, self);
}

void
sluice_announcer_stop (SluiceAnnouncer *self)
{
  g_return_if_fail (SLUICE_IS_ANNOUNCER (self));

  g_clear_handle_id (&self->timer_id, g_source_remove);
  /* The status says "draining" by now: the balancer stops sending. */
  self->in_flight = FALSE;
  beat (self);
}
