/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-tool-clickhouse-private.h"

/* The loader's batches: one INSERT … FORMAT JSONEachRow per batch, the
 * items as the body. What ClickHouse 18.16 guarantees for it: the rows
 * of one INSERT are parsed into blocks of max_insert_block_size rows,
 * and each block of a MergeTree table is written as one part, all or
 * nothing. We set max_insert_block_size above the batch size, so a batch
 * is one block: a batch that fails (a bad row, a type error, the server
 * killed before the part is committed) leaves nothing of itself in the
 * table. What it cannot tell us is a batch whose part was committed just
 * before the connection broke: the retry then writes it again
 * (at-least-once). mode=upsert makes that harmless: the
 * ReplacingMergeTree keeps one row per key, the highest version. */

/* The writes are the batch helper's worker's (sluice-tool-batch.c):
 * one batch at a time on a worker thread, the step held meanwhile, with
 * libsoup's synchronous calls (a session may send from any thread since
 * libsoup 3.2). So the run's stop waits for the INSERT in flight, and
 * cancels it when the server stalls, as it does for every loader: no
 * write of a run lands after the run said it ended. */

/* The body: the items' lines (encode_row), one after the other. */
static GBytes *
encode_rows (GPtrArray *items)
{
  gsize size = 0;
  GString *body;

  for (guint i = 0; i < items->len; i++)
    size += json_string_length (g_ptr_array_index (items, i));
  body = g_string_sized_new (size + 1);
  for (guint i = 0; i < items->len; i++)
    {
      json_t *line = g_ptr_array_index (items, i);

      g_string_append_len (body, json_string_value (line), json_string_length (line));
    }
  return g_string_free_to_bytes (body);
}

/* Sends @msg and waits for the answer: NULL, or why it failed. */
static char *
post (SluiceToolClickhouse *self,
      SoupMessage          *msg,
      GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (self->session, msg, cancellable, &error);

  if (body == NULL)
    return g_strdup (error->message);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    return sluice_clickhouse_error_text (soup_message_get_status (msg), body);
  return NULL;
}

static char *
create_table (SluiceToolClickhouse *self,
              GCancellable         *cancellable)
{
  g_autoptr(SoupMessage) msg = sluice_clickhouse_message_new (&self->server, self->create_sql, NULL, NULL);
  g_autofree char *error = post (self, msg, cancellable);

  if (error != NULL)
    return g_strdup_printf ("creating the table: %s", error);
  self->created = TRUE;
  return NULL;
}

static char *
insert_rows (SluiceToolClickhouse *self,
             GPtrArray            *items,
             GCancellable         *cancellable)
{
  g_autofree char *block = g_strdup_printf ("%u", items->len + 1);
  const char * const settings[] = {
    "max_insert_block_size", block,
    "input_format_skip_unknown_fields", "0",
    "input_format_allow_errors_num", "0",
    NULL,
  };
  g_autoptr(GBytes) rows = encode_rows (items);
  g_autoptr(SoupMessage) msg = sluice_clickhouse_message_new (&self->server, self->insert_sql, settings, rows);

  return post (self, msg, cancellable);
}

json_t *
_sluice_clickhouse_writer_encode (json_t    *item,
                                  gpointer   user_data,
                                  GError   **error)
{
  SluiceToolClickhouse *self = user_data;

  if (self->version != NULL)
    {
      json_t *value = json_object_get (item, self->version);

      if (value == NULL || json_is_null (value))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "ClickHouse %s, table “%s”: the item has no version column “%s”; it was not sent",
                       self->server.url, self->table, self->version);
          return NULL;
        }
    }
  g_string_truncate (self->line, 0);
  if (!sluice_json_write (self->line, item, JSON_COMPACT, error))
    {
      g_prefix_error (error, "ClickHouse %s, table “%s”: the item cannot be sent: ", self->server.url, self->table);
      return NULL;
    }
  g_string_append_c (self->line, '\n');
  return json_stringn_nocheck (self->line->str, self->line->len);
}

char *
_sluice_clickhouse_writer_work (GPtrArray    *items,
                                GCancellable *cancellable,
                                gpointer      user_data)
{
  SluiceToolClickhouse *self = user_data;
  g_autofree char *error = NULL;

  /* ->created is the worker's alone: one write at a time. */
  if (self->create_sql != NULL && !self->created)
    error = create_table (self, cancellable);
  if (error == NULL)
    error = insert_rows (self, items, cancellable);
  if (error == NULL)
    return NULL;
  return g_strdup_printf ("ClickHouse %s, table “%s”: %s", self->server.url, self->table, error);
}
