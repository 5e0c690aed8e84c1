/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-redis-dead-letters.h"
#include "sluice-redis-keys.h"

#define PAGE "500"

static void
free_context (redisContext *context)
{
  if (context != NULL)
    redisFree (context);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisContext, free_context)

static void
free_reply (redisReply *reply)
{
  if (reply != NULL)
    freeReplyObject (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisReply, free_reply)

/* A reply, or NULL with @error (naming the URL) for a failure or an
 * error reply. */
static redisReply *
command (redisContext          *context,
         const SluiceRedisUrl  *url,
         GError               **error,
         int                    argc,
         const char           **argv,
         const size_t          *lengths)
{
  redisReply *reply = redisCommandArgv (context, argc, argv, lengths);

  if (reply == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", url->display,
                   context->errstr[0] ? context->errstr : "no reply");
      return NULL;
    }
  if (reply->type == REDIS_REPLY_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", url->display, reply->str);
      freeReplyObject (reply);
      return NULL;
    }
  return reply;
}

static redisContext *
open_context (const SluiceRedisUrl  *url,
              GError               **error)
{
  struct timeval timeout = { 5, 0 };
  g_autoptr(redisContext) context = redisConnectWithTimeout (url->host, url->port, timeout);
  g_autoptr(redisReply) reply = NULL;

  if (context == NULL || context->err)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "cannot connect to %s: %s",
                   url->display, context != NULL ? context->errstr : "out of memory");
      return NULL;
    }
  redisSetTimeout (context, timeout);
  if (url->password != NULL)
    {
      const char *argv[3] = { "AUTH", url->user ? url->user : url->password, url->password };
      size_t lengths[3] = { 4, strlen (argv[1]), strlen (argv[2]) };

      reply = command (context, url, error, url->user ? 3 : 2, argv, lengths);
      if (reply == NULL)
        return NULL;
      g_clear_pointer (&reply, free_reply);
    }
  if (url->database != 0)
    {
      g_autofree char *db = g_strdup_printf ("%u", url->database);
      const char *argv[2] = { "SELECT", db };
      size_t lengths[2] = { 6, strlen (db) };

      reply = command (context, url, error, 2, argv, lengths);
      if (reply == NULL)
        return NULL;
    }
  return g_steal_pointer (&context);
}

static redisReply *
field (redisReply *fields,
       const char *name)
{
  for (gsize i = 0; i + 1 < fields->elements; i += 2)
    if (fields->element[i]->type == REDIS_REPLY_STRING && g_str_equal (fields->element[i]->str, name) &&
        fields->element[i + 1]->type == REDIS_REPLY_STRING)
      return fields->element[i + 1];
  return NULL;
}

static void
set_text (json_t     *object,
          const char *key,
          redisReply *value)
{
  g_autofree char *text = value != NULL ? g_utf8_make_valid (value->str, value->len) : g_strdup ("");

  json_object_set_new (object, key, json_string (text));
}

/* Calls @func for each dead letter, a page at a time. */
static gboolean
for_each (redisContext          *context,
          const SluiceRedisUrl  *url,
          const char            *key,
          gboolean             (*func) (redisReply *entry, gpointer data, GError **error),
          gpointer               data,
          GError               **error)
{
  g_autofree char *start = g_strdup ("-");

  for (;;)
    {
      const char *argv[6] = { "XRANGE", key, start, "+", "COUNT", PAGE };
      size_t lengths[6] = { 6, strlen (key), strlen (start), 1, 5, strlen (PAGE) };
      g_autoptr(redisReply) reply = command (context, url, error, 6, argv, lengths);

      if (reply == NULL)
        return FALSE;
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0)
        return TRUE;
      for (gsize i = 0; i < reply->elements; i++)
        {
          redisReply *entry = reply->element[i];

          if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
              entry->element[0]->type != REDIS_REPLY_STRING ||
              entry->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
          if (!func (entry, data, error))
            return FALSE;
          g_free (start);
          /* Exclusive range start (Redis 6.2 and later). */
          start = g_strdup_printf ("(%s", entry->element[0]->str);
        }
    }
}

typedef struct
{
  GString *out;
  guint    count;
} ListData;

static gboolean
list_one (redisReply  *entry,
          gpointer     data,
          GError     **error)
{
  ListData *list = data;
  redisReply *fields = entry->element[1];
  redisReply *item = field (fields, "item");
  redisReply *deliveries = field (fields, "deliveries");
  redisReply *seq = field (fields, "seq");
  json_t *object = json_object ();
  g_autofree char *text = NULL;
  json_t *parsed = NULL;

  json_object_set_new (object, "entry", json_string (entry->element[0]->str));
  set_text (object, "run", field (fields, "run"));
  json_object_set_new (object, "seq", json_integer (seq ? (json_int_t) g_ascii_strtoull (seq->str, NULL, 10) : 0));
  set_text (object, "error", field (fields, "error"));
  json_object_set_new (object, "deliveries",
                       json_integer (deliveries ? (json_int_t) g_ascii_strtoull (deliveries->str, NULL, 10) : 0));
  set_text (object, "original_entry", field (fields, "entry"));
  if (item != NULL)
    parsed = sluice_json_parse_item (item->str, item->len, NULL);
  if (parsed != NULL)
    json_object_set_new (object, "item", parsed);
  else
    set_text (object, "item_text", item);

  text = json_dumps (object, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref (object);
  g_string_append (list->out, text);
  g_string_append_c (list->out, '\n');
  list->count++;
  return TRUE;
}

gboolean
sluice_redis_dead_letters_list (const SluiceRedisUrl  *url,
                                const char            *pipeline_id,
                                GString               *out,
                                guint                 *count,
                                GError               **error)
{
  g_autoptr(redisContext) context = open_context (url, error);
  g_autofree char *key = sluice_redis_dead_key (pipeline_id);
  ListData data = { out, 0 };

  if (context == NULL || !for_each (context, url, key, list_one, &data, error))
    return FALSE;
  if (count != NULL)
    *count = data.count;
  return TRUE;
}

typedef struct
{
  redisContext         *context;
  const SluiceRedisUrl *url;
  const char           *items_key;
  const char           *dead_key;
  guint                 count;
} ReplayData;

static gboolean
replay_one (redisReply  *entry,
            gpointer     data,
            GError     **error)
{
  ReplayData *replay = data;
  redisReply *fields = entry->element[1];
  redisReply *run = field (fields, "run");
  redisReply *seq = field (fields, "seq");
  redisReply *item = field (fields, "item");
  const char *xadd[9] = { "XADD", replay->items_key, "*", "run", run ? run->str : "",
                          "seq", seq ? seq->str : "0", "item", item ? item->str : "" };
  size_t xadd_lengths[9] = { 4, strlen (replay->items_key), 1, 3, run ? run->len : 0,
                             3, seq ? seq->len : 1, 4, item ? item->len : 0 };
  const char *xdel[3] = { "XDEL", replay->dead_key, entry->element[0]->str };
  size_t xdel_lengths[3] = { 4, strlen (replay->dead_key), entry->element[0]->len };
  g_autoptr(redisReply) reply = NULL;

  redisAppendCommand (replay->context, "MULTI");
  redisAppendCommandArgv (replay->context, 9, xadd, xadd_lengths);
  redisAppendCommandArgv (replay->context, 3, xdel, xdel_lengths);
  redisAppendCommand (replay->context, "EXEC");
  for (int i = 0; i < 4; i++)
    {
      void *r = NULL;

      g_clear_pointer (&reply, free_reply);
      if (redisGetReply (replay->context, &r) != REDIS_OK || r == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", replay->url->display,
                       replay->context->errstr[0] ? replay->context->errstr : "no reply");
          return FALSE;
        }
      reply = r;
      if (reply->type == REDIS_REPLY_ERROR)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: replaying %s: %s",
                       replay->url->display, entry->element[0]->str, reply->str);
          return FALSE;
        }
    }
  replay->count++;
  return TRUE;
}

gboolean
sluice_redis_dead_letters_replay (const SluiceRedisUrl  *url,
                                  const char            *pipeline_id,
                                  guint                 *count,
                                  GError               **error)
{
  g_autoptr(redisContext) context = open_context (url, error);
  g_autofree char *items_key = sluice_redis_items_key (pipeline_id);
  g_autofree char *dead_key = sluice_redis_dead_key (pipeline_id);
  ReplayData data = { context, url, items_key, dead_key, 0 };
  gboolean ok;

  if (context == NULL)
    return FALSE;
  ok = for_each (context, url, dead_key, replay_one, &data, error);
  if (count != NULL)
    *count = data.count;
  return ok;
}
