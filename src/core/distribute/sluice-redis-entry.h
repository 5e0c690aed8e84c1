/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

typedef struct _SluiceRedisEntry SluiceRedisEntry;

/* One item of an entry: a line of its item text, and what became of it. */
typedef struct
{
  SluiceRedisEntry *entry;       /* the entry it is in */
  guint64           seq;         /* the entry's seq + its index */
  gsize             offset;      /* of its text in entry->item */
  gsize             length;
  GString          *outputs;     /* its outputs as JSON lines; NULL until one came */
  char             *error;       /* why it failed */
  char             *invalid;     /* why it is no item: to the dead letters at once */
  gboolean          done;
} SluiceRedisSlot;

/* One entry of a work stream as a worker holds it, from when it was read
 * (or claimed) until its results are written and it is acknowledged.
 *
 * An entry carries one item (field "item") or several consecutive ones
 * (field "items": JSON lines, the first with sequence number "seq", the
 * next seq + 1, …): Redis' cost is per entry (XADD, the consumer group's
 * pending list, XACK), so the producer puts many items in one. */
struct _SluiceRedisEntry
{
  char            *id;           /* the stream entry id */
  char            *run;          /* the run it belongs to; NULL when missing */
  guint64          seq;          /* its (first item's) sequence number in that run */
  char            *item;         /* the item(s) field as written (not trusted) */
  gsize            item_length;
  guint            deliveries;   /* how often it was handed out, this time included */
  char            *invalid;      /* why it is not an item: it goes to the dead letters */
  SluiceRedisSlot *slots;        /* its items; none when @invalid */
  guint            n_slots;
  guint            n_running;    /* slots handed to the run and not done */
  guint            n_dead;       /* slots to the dead letters in this write */
  guint            n_done;       /* slots whose outputs go out in this write */
  gboolean         retry;        /* a slot failed with deliveries left: no ack */
};

/* Reads [id, [field, value, …]] from a stream reply. Never NULL: an
 * entry that is not a well-formed item has @invalid set (and an empty
 * id when even that is missing); an "items" line that is no item has
 * its slot's @invalid set. */
SluiceRedisEntry *sluice_redis_entry_parse (redisReply       *reply,
                                            guint             deliveries);
void              sluice_redis_entry_free  (SluiceRedisEntry *entry);

/* Whether @text (of @length bytes) may name a run: 1–128 bytes of
 * letters, digits, '-', '_' and '.'. Used for stream keys, so nothing
 * else gets in. */
gboolean          sluice_redis_run_id_is_valid (const char *text,
                                                gsize       length);

/* The most items the producer puts in one entry. */
#define SLUICE_REDIS_ENTRY_ITEMS 64
/* The most items in one entry a worker accepts. */
#define SLUICE_REDIS_ENTRY_MAX_ITEMS 100000

G_END_DECLS
