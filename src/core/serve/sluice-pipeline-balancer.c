/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <jansson.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-keep-alive.h"
#include "sluice-listen.h"
#include "sluice-pipeline-balancer.h"

#define MAX_ANNOUNCE (64 * 1024)

typedef struct
{
  char    *url;
  char    *pipeline;
  json_t  *status;      /* as announced */
  gint64   seen;        /* monotonic µs */
  double   in_flight;   /* in flight and queued, as announced */
  double   capacity;
  guint    picked;      /* picks since its last announce */
  gboolean draining;
  gboolean worker;      /* a sluice-run worker: listed, never picked */
} Instance;

struct _SluicePipelineBalancer
{
  GObject     parent_instance;

  SoupServer *server;
  char       *url;
  GHashTable *instances;   /* url → Instance* */
  gint64      expire_us;
  gint64      started;
  guint64     picks;
};

G_DEFINE_FINAL_TYPE (SluicePipelineBalancer, sluice_pipeline_balancer, G_TYPE_OBJECT)

static void
instance_free (Instance *instance)
{
  g_free (instance->url);
  g_free (instance->pipeline);
  json_decref (instance->status);
  g_free (instance);
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             json_t            *json)
{
  char *text = json_dumps (json, JSON_COMPACT);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
  free (text);
  json_decref (json);
}

static void
answer_error (SoupServerMessage *msg,
              guint              status,
              const char        *error)
{
  answer_json (msg, status, json_pack ("{s:s}", "error", error));
}

static void
expire (SluicePipelineBalancer *self,
        gint64                  now)
{
  GHashTableIter iter;
  Instance *instance;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &instance))
    if (now - instance->seen > self->expire_us)
      g_hash_table_iter_remove (&iter);
}

static double
number (json_t     *object,
        const char *key)
{
  json_t *value = json_object_get (object, key);

  return json_is_number (value) ? json_number_value (value) : 0;
}

static gboolean
scheme_allowed (const char *scheme,
                gboolean    worker)
{
  if (worker)
    return g_strcmp0 (scheme, "redis") == 0 || g_strcmp0 (scheme, "rediss") == 0;
  return g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0;
}

static void
announce (SluicePipelineBalancer *self,
          SoupServerMessage      *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  json_t *status;
  const char *url, *pipeline;
  Instance *instance;
  g_autoptr(GUri) uri = NULL;
  gboolean worker;

  if (g_bytes_get_size (bytes) > MAX_ANNOUNCE)
    {
      answer_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "an announce is at most 64 KiB");
      return;
    }
  status = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0, NULL);
  url = json_string_value (json_object_get (status, "url"));
  pipeline = json_string_value (json_object_get (status, "pipeline"));
  /* Workers take their items from Redis: they are listed, never picked,
   * and name themselves by the redis:// URL they read from. */
  worker = g_strcmp0 (json_string_value (json_object_get (status, "kind")), "worker") == 0;
  if (!json_is_object (status) || url == NULL || pipeline == NULL ||
      (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      !scheme_allowed (g_uri_get_scheme (uri), worker))
    {
      json_decref (status);
      answer_error (msg, SOUP_STATUS_BAD_REQUEST,
                    "an announce is a JSON object with \"url\" (http:// or https://; redis:// or rediss:// "
                    "for \"kind\": \"worker\") and \"pipeline\"");
      return;
    }

  instance = g_hash_table_lookup (self->instances, url);
  if (instance == NULL)
    {
      instance = g_new0 (Instance, 1);
      instance->url = g_strdup (url);
      g_hash_table_insert (self->instances, instance->url, instance);
    }
  g_free (instance->pipeline);
  instance->pipeline = g_strdup (pipeline);
  json_decref (instance->status);
  instance->status = status;
  instance->seen = g_get_monotonic_time ();
  instance->in_flight = number (status, "in_flight") + number (status, "queue_depth");
  instance->capacity = MAX (number (status, "capacity"), 1);
  instance->draining = json_is_true (json_object_get (status, "draining"));
  instance->worker = worker;
  instance->picked = 0;

  answer_json (msg, SOUP_STATUS_OK, json_pack ("{s:b}", "ok", TRUE));
}

static gboolean
matches (Instance   *instance,
         const char *pipeline)
{
  return pipeline == NULL || g_str_equal (instance->pipeline, pipeline);
}

static void
pick (SluicePipelineBalancer *self,
      SoupServerMessage      *msg,
      GHashTable             *query)
{
  const char *pipeline = query != NULL ? g_hash_table_lookup (query, "pipeline") : NULL;
  GHashTableIter iter;
  Instance *instance, *best = NULL;
  double best_load = G_MAXDOUBLE;
  guint known = 0;

  if (pipeline == NULL && query != NULL)
    pipeline = g_hash_table_lookup (query, "service");
  if (pipeline == NULL)
    {
      answer_error (msg, SOUP_STATUS_BAD_REQUEST, "ask GET /pick?pipeline=ID");
      return;
    }

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &instance))
    {
      double load;

      if (!matches (instance, pipeline) || instance->worker)
        continue;
      known++;
      if (instance->draining)
        continue;
      /* Picks since its last report count as load, so that a burst of
       * clients does not all go to the same instance. */
      load = (instance->in_flight + instance->picked) / instance->capacity;
      if (load < best_load)
        {
          best_load = load;
          best = instance;
        }
    }

  if (best == NULL)
    {
      g_autofree char *text = known == 0
        ? g_strdup_printf ("no instance serves pipeline `%s`", pipeline)
        : g_strdup_printf ("every instance of pipeline `%s` is draining", pipeline);

      answer_error (msg, known == 0 ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_SERVICE_UNAVAILABLE, text);
      return;
    }

  best->picked++;
  self->picks++;
  answer_json (msg, SOUP_STATUS_OK, json_pack ("{s:s, s:s, s:f}", "url", best->url,
                                               "pipeline", best->pipeline, "load", best_load));
}

static int
compare_urls (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 ((*(Instance **) a)->url, (*(Instance **) b)->url);
}

static void
list_instances (SluicePipelineBalancer *self,
                SoupServerMessage      *msg,
                GHashTable             *query)
{
  const char *pipeline = query != NULL ? g_hash_table_lookup (query, "pipeline") : NULL;
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  json_t *list = json_array ();
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Instance *instance;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &instance))
    if (matches (instance, pipeline))
      g_ptr_array_add (sorted, instance);
  g_ptr_array_sort (sorted, compare_urls);

  for (guint i = 0; i < sorted->len; i++)
    {
      json_t *entry;

      instance = g_ptr_array_index (sorted, i);
      entry = json_deep_copy (instance->status);
      json_object_set_new (entry, "healthy", json_boolean (!instance->draining));
      json_object_set_new (entry, "age_ms", json_integer ((now - instance->seen) / 1000));
      json_array_append_new (list, entry);
    }
  answer_json (msg, SOUP_STATUS_OK, json_pack ("{s:o}", "instances", list));
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SluicePipelineBalancer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gint64 now = g_get_monotonic_time ();

  expire (self, now);

  if (g_str_equal (path, "/announce") && method == SOUP_METHOD_POST)
    announce (self, msg);
  else if (g_str_equal (path, "/pick") && method == SOUP_METHOD_GET)
    pick (self, msg, query);
  else if (g_str_equal (path, "/instances") && method == SOUP_METHOD_GET)
    list_instances (self, msg, query);
  else if (g_str_equal (path, "/status") && method == SOUP_METHOD_GET)
    answer_json (msg, SOUP_STATUS_OK,
                 json_pack ("{s:b, s:I, s:I, s:f}", "healthy", TRUE,
                            "instances", (json_int_t) g_hash_table_size (self->instances),
                            "picks", (json_int_t) self->picks,
                            "uptime_s", (now - self->started) / (double) G_USEC_PER_SEC));
  else
    answer_error (msg, SOUP_STATUS_NOT_FOUND,
                  "not found: POST /announce, GET /pick?pipeline=ID, GET /instances, GET /status");
}

static void
sluice_pipeline_balancer_finalize (GObject *object)
{
  SluicePipelineBalancer *self = SLUICE_PIPELINE_BALANCER (object);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_hash_table_unref (self->instances);
  g_free (self->url);

  G_OBJECT_CLASS (sluice_pipeline_balancer_parent_class)->finalize (object);
}

static void
sluice_pipeline_balancer_class_init (SluicePipelineBalancerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_pipeline_balancer_finalize;
}

static void
sluice_pipeline_balancer_init (SluicePipelineBalancer *self)
{
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) instance_free);
  self->started = g_get_monotonic_time ();
}

SluicePipelineBalancer *
sluice_pipeline_balancer_new (gint64 expire_us)
{
  SluicePipelineBalancer *self = g_object_new (SLUICE_TYPE_PIPELINE_BALANCER, NULL);

  self->expire_us = expire_us > 0 ? expire_us : 3 * G_USEC_PER_SEC;
  self->server = soup_server_new ("server-header", "sluice-run/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  /* Callers ask every second and instances announce as often: their
   * connections stay open (sluice-keep-alive.h). */
  sluice_keep_alive_install (self->server);
  return self;
}

gboolean
sluice_pipeline_balancer_listen (SluicePipelineBalancer  *self,
                                 const char              *address,
                                 GError                 **error)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE_BALANCER (self), FALSE);

  if (!sluice_listen (self->server, address, FALSE, error))
    return FALSE;
  if (self->url == NULL)
    self->url = sluice_listen_get_url (self->server);
  return TRUE;
}

const char *
sluice_pipeline_balancer_get_url (SluicePipelineBalancer *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE_BALANCER (self), NULL);
  return self->url;
}
