/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-redis-entry.h"

gboolean
sluice_redis_run_id_is_valid (const char *text,
                              gsize       length)
{
  if (length == 0 || length > 128)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '-' && text[i] != '_' && text[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
field_is (redisReply *field,
          const char *name)
{
  return field->type == REDIS_REPLY_STRING && field->len == strlen (name) &&
         memcmp (field->str, name, field->len) == 0;
}

/* One slot per item: the whole text, or each line of it. */
static void
split_items (SluiceRedisEntry *entry,
             gboolean          several)
{
  const char *text = entry->item;
  gsize length = entry->item_length;
  guint n = 1;

  if (several)
    {
      /* A last line without its newline is a line too. */
      if (length > 0 && text[length - 1] == '\n')
        length--;
      for (const char *p = text; (p = memchr (p, '\n', text + length - p)) != NULL; p++)
        n++;
      if (n > SLUICE_REDIS_ENTRY_MAX_ITEMS)
        {
          entry->invalid = g_strdup_printf ("more than %u items in one entry", SLUICE_REDIS_ENTRY_MAX_ITEMS);
          return;
        }
    }

  if (entry->seq > G_MAXUINT64 - (n - 1))
    {
      entry->invalid = g_strdup ("its items' sequence numbers overflow");
      return;
    }
  entry->slots = g_new0 (SluiceRedisSlot, n);
  entry->n_slots = n;
  for (guint i = 0, start = 0; i < n; i++)
    {
      SluiceRedisSlot *slot = &entry->slots[i];
      const char *end = several ? memchr (text + start, '\n', length - start) : NULL;

      slot->entry = entry;
      slot->seq = entry->seq + i;
      slot->offset = start;
      slot->length = (end != NULL ? (gsize) (end - text) : length) - start;
      start += slot->length + 1;
    }
}

SluiceRedisEntry *
sluice_redis_entry_parse (redisReply *reply,
                          guint       deliveries)
{
  SluiceRedisEntry *entry = g_new0 (SluiceRedisEntry, 1);
  redisReply *fields;
  gboolean have_seq = FALSE;
  gboolean several = FALSE;

  entry->deliveries = deliveries;
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING)
    {
      entry->id = g_strdup ("");
      entry->invalid = g_strdup ("not a stream entry");
      return entry;
    }
  entry->id = g_strndup (reply->element[0]->str, reply->element[0]->len);
  fields = reply->element[1];
  if (fields->type != REDIS_REPLY_ARRAY || fields->elements % 2 != 0)
    {
      entry->invalid = g_strdup ("the entry has no fields (deleted?)");
      return entry;
    }

  for (gsize i = 0; i + 1 < fields->elements; i += 2)
    {
      redisReply *name = fields->element[i];
      redisReply *value = fields->element[i + 1];

      if (value->type != REDIS_REPLY_STRING)
        continue;
      if (field_is (name, "run") && entry->run == NULL &&
          sluice_redis_run_id_is_valid (value->str, value->len))
        entry->run = g_strndup (value->str, value->len);
      else if (field_is (name, "seq") && !have_seq)
        {
          g_autofree char *text = g_strndup (value->str, value->len);

          have_seq = strlen (text) == value->len &&
                     g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &entry->seq, NULL);
        }
      else if ((field_is (name, "item") || field_is (name, "items")) && entry->item == NULL)
        {
          several = name->len == 5;
          entry->item = g_malloc (value->len + 1);
          memcpy (entry->item, value->str, value->len);
          entry->item[value->len] = '\0';
          entry->item_length = value->len;
        }
    }

  if (entry->run == NULL)
    entry->invalid = g_strdup ("no valid “run” field (1–128 letters, digits, -, _ or .)");
  else if (!have_seq)
    entry->invalid = g_strdup ("no valid “seq” field (a number)");
  else if (entry->item == NULL)
    entry->invalid = g_strdup ("no “item” field");
  else if (!g_utf8_validate_len (entry->item, entry->item_length, NULL))
    entry->invalid = g_strdup ("the item is not valid UTF-8");
  else
    split_items (entry, several);
  return entry;
}

void
sluice_redis_entry_free (SluiceRedisEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->id);
  g_free (entry->run);
  g_free (entry->item);
  g_free (entry->invalid);
  for (guint i = 0; i < entry->n_slots; i++)
    {
      if (entry->slots[i].outputs != NULL)
        g_string_free (entry->slots[i].outputs, TRUE);
      g_free (entry->slots[i].error);
      g_free (entry->slots[i].invalid);
    }
  g_free (entry->slots);
  g_free (entry);
}
