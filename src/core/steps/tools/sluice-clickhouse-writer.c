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

typedef struct
{
  SluiceToolClickhouse *self;    /* borrowed; NULL once abandoned */
  SluiceToolBatch      *batch;   /* borrowed: the step's */
  GCancellable         *cancellable;
  GBytes               *rows;    /* owned: the body, kept for after CREATE */
  guint                 count;
} Write;

static void
write_free (Write *write)
{
  g_clear_object (&write->cancellable);
  g_clear_pointer (&write->rows, g_bytes_unref);
  g_free (write);
}

static void
write_done (Write      *write,
            const char *error)
{
  SluiceToolBatch *batch = write->batch;
  g_autofree char *message = NULL;

  if (error != NULL)
    message = g_strdup_printf ("ClickHouse %s, table “%s”: %s", write->self->server.url, write->self->table, error);
  write->self->writing = NULL;
  write_free (write);
  sluice_tool_batch_write_done (batch, message);
}

static void send_rows (Write *write);

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Write *write = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  gboolean creating = msg != NULL && g_object_get_data (G_OBJECT (msg), "creating") != NULL;

  if (write->self == NULL)
    {
      write_free (write);
      return;
    }

  if (body == NULL)
    {
      write_done (write, error->message);
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_autofree char *text = sluice_clickhouse_error_text (soup_message_get_status (msg), body);
      g_autofree char *what = creating ? g_strdup_printf ("creating the table: %s", text) : NULL;

      write_done (write, what != NULL ? what : text);
      return;
    }
  if (creating)
    {
      write->self->created = TRUE;
      send_rows (write);
      return;
    }
  write_done (write, NULL);
}

static void
send (Write       *write,
      SoupMessage *msg)
{
  g_clear_object (&write->cancellable);
  write->cancellable = g_cancellable_new ();
  write->self->writing = write;
  soup_session_send_and_read_async (write->self->session, msg, G_PRIORITY_DEFAULT,
                                    write->cancellable, answered_cb, write);
}

static void
send_rows (Write *write)
{
  g_autofree char *block = g_strdup_printf ("%u", write->count + 1);
  const char * const settings[] = {
    "max_insert_block_size", block,
    "input_format_skip_unknown_fields", "0",
    "input_format_allow_errors_num", "0",
    NULL,
  };
  g_autoptr(SoupMessage) msg = sluice_clickhouse_message_new (&write->self->server, write->self->insert_sql,
                                                              settings, write->rows);

  send (write, msg);
}

/* The body: the items' lines (encode_row), one after the other. */
static void
encode_rows (Write     *write,
             GPtrArray *items)
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
  write->count = items->len;
  write->rows = g_string_free_to_bytes (body);
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

void
_sluice_clickhouse_writer_write (SluiceToolBatch *batch,
                                 GPtrArray       *items,
                                 gpointer         user_data)
{
  SluiceToolClickhouse *self = user_data;
  Write *write = g_new0 (Write, 1);

  write->self = self;
  write->batch = batch;
  encode_rows (write, items);

  if (self->create_sql != NULL && !self->created)
    {
      g_autoptr(SoupMessage) msg = sluice_clickhouse_message_new (&self->server, self->create_sql, NULL, NULL);

      g_object_set_data (G_OBJECT (msg), "creating", GINT_TO_POINTER (1));
      send (write, msg);
      return;
    }
  send_rows (write);
}

void
_sluice_clickhouse_writer_abandon (SluiceToolClickhouse *self)
{
  Write *write = self->writing;

  if (write == NULL)
    return;
  self->writing = NULL;
  write->self = NULL;
  g_cancellable_cancel (write->cancellable);
}
