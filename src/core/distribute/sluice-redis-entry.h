/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

/* One entry of a work stream as a worker holds it, from when it was read
 * (or claimed) until its results are written and it is acknowledged. */
typedef struct
{
  char    *id;           /* the stream entry id */
  char    *run;          /* the run it belongs to; NULL when missing */
  guint64  seq;          /* its sequence number in that run */
  char    *item;         /* the item field as written (not trusted) */
  gsize    item_length;
  guint    deliveries;   /* how often it was handed out, this time included */
  char    *invalid;      /* why it is not an item: it goes to the dead letters */
  GString *outputs;      /* its outputs as JSON lines, while it runs */
  char    *error;        /* why it failed */
  gboolean dead;         /* goes to the dead-letter stream in this write */
} SluiceRedisEntry;

/* Reads [id, [field, value, …]] from a stream reply. Never NULL: an
 * entry that is not a well-formed item has @invalid set (and an empty
 * id when even that is missing). */
SluiceRedisEntry *sluice_redis_entry_parse (redisReply       *reply,
                                            guint             deliveries);
void              sluice_redis_entry_free  (SluiceRedisEntry *entry);

/* Whether @text (of @length bytes) may name a run: 1–128 bytes of
 * letters, digits, '-', '_' and '.'. Used for stream keys, so nothing
 * else gets in. */
gboolean          sluice_redis_run_id_is_valid (const char *text,
                                                gsize       length);

G_END_DECLS
