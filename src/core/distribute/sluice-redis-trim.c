/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-redis-trim.h"

typedef struct
{
  char     *key;
  char     *min_id;     /* the oldest id still needed so far */
  guint     replies;    /* XPENDING replies still to come */
  gboolean  failed;
  GCallback done;
  gpointer  user_data;
} Trim;

static void
trim_finish (Trim *trim)
{
  ((void (*) (gpointer)) trim->done) (trim->user_data);
  g_free (trim->key);
  g_free (trim->min_id);
  g_free (trim);
}

/* Stream ids compare as MS-SEQ pairs of numbers. */
static gboolean
id_less (const char *a,
         const char *b)
{
  guint64 a_ms = g_ascii_strtoull (a, NULL, 10), b_ms = g_ascii_strtoull (b, NULL, 10);
  const char *a_dash = strchr (a, '-'), *b_dash = strchr (b, '-');
  guint64 a_seq = a_dash ? g_ascii_strtoull (a_dash + 1, NULL, 10) : 0;
  guint64 b_seq = b_dash ? g_ascii_strtoull (b_dash + 1, NULL, 10) : 0;

  return a_ms < b_ms || (a_ms == b_ms && a_seq < b_seq);
}

static void
consider (Trim       *trim,
          const char *id)
{
  if (trim->min_id == NULL || id_less (id, trim->min_id))
    {
      g_free (trim->min_id);
      trim->min_id = g_strdup (id);
    }
}

static void
trimmed_cb (SluiceRedisClient *client,
            redisReply        *reply,
            const char        *error,
            gpointer           user_data)
{
  trim_finish (user_data);
}

static void
pending_cb (SluiceRedisClient *client,
            redisReply        *reply,
            const char        *error,
            gpointer           user_data)
{
  Trim *trim = user_data;
  SluiceRedisArgs *args;

  /* [count, smallest id, greatest id, consumers] */
  if (error != NULL || !sluice_redis_reply_is_array (reply) || reply->elements < 2)
    trim->failed = TRUE;
  else if (reply->element[1]->type == REDIS_REPLY_STRING)
    consider (trim, reply->element[1]->str);

  if (--trim->replies > 0)
    return;
  if (trim->failed || trim->min_id == NULL || g_str_equal (trim->min_id, "0-0"))
    {
      trim_finish (trim);
      return;
    }
  args = sluice_redis_args_new ("XTRIM");
  sluice_redis_args_add (args, trim->key);
  sluice_redis_args_add (args, "MINID");
  sluice_redis_args_add (args, "~");
  sluice_redis_args_add (args, trim->min_id);
  sluice_redis_args_add (args, "LIMIT");
  sluice_redis_args_add (args, "0");
  sluice_redis_client_send (client, args, trimmed_cb, trim);
}

static redisReply *
map_get (redisReply *map,
         const char *name)
{
  for (gsize i = 0; i + 1 < map->elements; i += 2)
    if (map->element[i]->type == REDIS_REPLY_STRING && g_str_equal (map->element[i]->str, name))
      return map->element[i + 1];
  return NULL;
}

static void
groups_cb (SluiceRedisClient *client,
           redisReply        *reply,
           const char        *error,
           gpointer           user_data)
{
  Trim *trim = user_data;

  if (error != NULL || !sluice_redis_reply_is_array (reply) || reply->elements == 0)
    {
      trim_finish (trim);
      return;
    }
  for (gsize i = 0; i < reply->elements; i++)
    {
      redisReply *group = reply->element[i];
      redisReply *name, *last;
      SluiceRedisArgs *args;

      if (!sluice_redis_reply_is_array (group) ||
          (name = map_get (group, "name")) == NULL || name->type != REDIS_REPLY_STRING ||
          (last = map_get (group, "last-delivered-id")) == NULL || last->type != REDIS_REPLY_STRING)
        {
          trim->failed = TRUE;
          continue;
        }
      consider (trim, last->str);
      args = sluice_redis_args_new ("XPENDING");
      sluice_redis_args_add (args, trim->key);
      sluice_redis_args_add_len (args, name->str, name->len);
      trim->replies++;
      sluice_redis_client_send (client, args, pending_cb, trim);
    }
  if (trim->replies == 0)
    trim_finish (trim);
}

void
sluice_redis_trim_stream (SluiceRedisClient *client,
                          const char        *key,
                          GCallback          done,
                          gpointer           user_data)
{
  Trim *trim = g_new0 (Trim, 1);
  SluiceRedisArgs *args;

  trim->key = g_strdup (key);
  trim->done = done;
  trim->user_data = user_data;
  args = sluice_redis_args_new ("XINFO");
  sluice_redis_args_add (args, "GROUPS");
  sluice_redis_args_add (args, key);
  sluice_redis_client_send (client, args, groups_cb, trim);
}
