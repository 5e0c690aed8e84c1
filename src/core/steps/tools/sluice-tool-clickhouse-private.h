/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-clickhouse.h"
#include "sluice-tool-batch.h"
#include "sluice-tool-clickhouse.h"

G_BEGIN_DECLS

/* Shared by sluice-tool-clickhouse.c (settings, the step),
 * sluice-clickhouse-reader.c (the query) and sluice-clickhouse-writer.c
 * (the batches). */

struct _SluiceToolClickhouse
{
  SluiceStep              parent_instance;

  SoupSession            *session;     /* owned, one per module */
  SluiceClickhouseServer  server;

  /* Extractor: a query. */
  char                   *query;       /* with FORMAT JSONEachRow */

  /* Loader: a table. */
  char                   *table;       /* as given, for messages */
  char                   *insert_sql;
  char                   *create_sql;  /* NULL unless create=true */
  gboolean                created;
  char                   *version;     /* upsert: the version column */
  SluiceToolBatch        *batch;       /* owned */
  GString                *line;        /* encode's scratch (the run's thread) */
};

void  _sluice_clickhouse_reader_start  (SluiceToolClickhouse *self,
                                        SluiceStepCall       *call);
void  _sluice_clickhouse_reader_cancel (SluiceToolClickhouse *self,
                                        SluiceStepCall       *call,
                                        const char           *reason);

/* The batch helper's worker (user_data = self): one INSERT of @items
 * (encode's lines), after the CREATE the first time; on a worker
 * thread. NULL or the message. */
char *_sluice_clickhouse_writer_work   (GPtrArray            *items,
                                        GCancellable         *cancellable,
                                        gpointer              user_data);

/* The batch helper's encode (user_data = self): an item as its line of
 * the INSERT's body (a JSON string), made when it is added; NULL with
 * @error for an item that cannot go (no version column in an upsert). */
json_t *_sluice_clickhouse_writer_encode (json_t   *item,
                                          gpointer  user_data,
                                          GError  **error);

G_END_DECLS
