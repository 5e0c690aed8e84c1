/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-run-state.h"
#include "sluice-sql-connection.h"
#include "sluice-sql-record.h"
#include "sluice-tool-batch.h"
#include "sluice-tool-params.h"
#include "sluice-tool-sql-load.h"

/* The SQL loader: items become rows of a SQLite or PostgreSQL table,
 * inserted or upserted (ON CONFLICT on the key columns), one
 * transaction a batch, written on a worker thread so the run goes on
 * meanwhile. A batch the database refuses (a bad row, a lost
 * connection) is not written at all, and its call fails with the
 * database's message; retries resend it on a new connection. */

struct _SluiceToolSqlLoad
{
  SluiceStep           parent_instance;
  SluiceToolParams    *params;
  SluiceToolBatch     *batch;
  SluiceSqlConnection *connection;
  SluiceSqlWrite       write;
  char               **columns;
  char               **keys;
  gboolean             records;   /* PostgreSQL: items kept as records */
  GString             *scratch;   /* the records' buffer (the run's thread) */
};

G_DEFINE_FINAL_TYPE (SluiceToolSqlLoad, sluice_tool_sql_load, SLUICE_TYPE_STEP)

static const char * const modes[] = { "insert", "upsert", NULL };

static const SluiceToolParamInfo sql_load_params[] = {
  { "database", N_("sqlite:FILE, or a PostgreSQL URI (postgresql://user:password@host:port/name)"), TRUE,
    SLUICE_TOOL_PARAM_SECRET, NULL, NULL },
  { "table", N_("The table to write (quoted as a name: any characters)"), TRUE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "schema", N_("PostgreSQL: the table's schema"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "columns", N_("Columns to write, comma-separated (default: every field of the batch's items)"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "mode", N_("insert, or upsert: rows whose key exists are updated"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "insert", modes },
  { "key", N_("upsert: the key columns (a unique index or primary key), comma-separated"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "create", N_("Create the table when it is missing, with types from the first batch (and the key as primary key)"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "pass", N_("Pass each item on as well (to load it somewhere else next); it goes on before its batch is written"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  SLUICE_TOOL_BATCH_PARAMS,
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo sql_load_info = {
  "sql-load",
  N_("Write to SQL"),
  N_("Inserts or upserts items into a SQLite or PostgreSQL table, one transaction a batch"),
  sql_load_params,
  "<execution id=\"store\" retries=\"3\">\n"
  "  <use tool=\"sql-load\">\n"
  "    <param name=\"database\">${db}</param>\n"
  "    <param name=\"table\">orders</param>\n"
  "    <param name=\"mode\">upsert</param>\n"
  "    <param name=\"key\">id</param>\n"
  "    <param name=\"batch-size\">10000</param>\n"
  "  </use>\n"
  "</execution>",
};

static char **
split_names (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (text == NULL || *text == '\0')
    return NULL;
  builder = g_strv_builder_new ();
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*g_strstrip (parts[i]) != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

/* One batch, one transaction, on the batch helper's worker thread. It
 * does not give up when cancelled (@cancellable unused): the database's
 * own time-outs end it. */
static char *
write_items (GPtrArray    *items,
             GCancellable *cancellable,
             gpointer      user_data)
{
  SluiceToolSqlLoad *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Made at the first batch: a relative SQLite file is relative to the
   * pipeline's folder, known from the first item on. */
  if (self->connection == NULL)
    self->connection = sluice_sql_connection_new (sluice_tool_params_get (self->params, "database"),
                                                  sluice_step_get_context (SLUICE_STEP (self))->base_directory, NULL);
  if (self->records ? sluice_sql_connection_write_records (self->connection, &self->write, items, &error)
                    : sluice_sql_connection_write (self->connection, &self->write, items, &error))
    return NULL;
  return g_strdup (error->message);
}

/* PostgreSQL: an item becomes its record when it comes (see
 * sluice-sql-record.h). */
static json_t *
encode_record (json_t    *item,
               gpointer   user_data,
               GError   **error)
{
  SluiceToolSqlLoad *self = user_data;

  return sluice_sql_record_new (item, self->scratch);
}

static gboolean
sluice_tool_sql_load_prepare (SluiceStep         *step,
                              SluiceModule       *module,
                              SluiceStepContext  *context,
                              GError            **error)
{
  SluiceToolSqlLoad *self = SLUICE_TOOL_SQL_LOAD (step);
  g_autoptr(GError) local = NULL;
  g_autofree char *target = NULL;

  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;

  /* Checked now, made at the first batch (when the pipeline's folder,
   * for a relative SQLite file, is known). */
  self->connection = sluice_sql_connection_new (sluice_tool_params_get (self->params, "database"), NULL, &local);
  if (self->connection == NULL)
    {
      sluice_tool_params_set_error (self->params, error, "database", "%s", local->message);
      return FALSE;
    }
  self->records = sluice_sql_connection_takes_records (self->connection);
  target = g_strdup (sluice_sql_connection_describe (self->connection));
  g_clear_pointer (&self->connection, sluice_sql_connection_free);
  self->columns = split_names (sluice_tool_params_get (self->params, "columns"));
  self->keys = split_names (sluice_tool_params_get (self->params, "key"));
  self->write.schema = sluice_tool_params_get (self->params, "schema");
  self->write.table = sluice_tool_params_get (self->params, "table");
  self->write.columns = self->columns;
  self->write.keys = self->keys;
  self->write.upsert = g_strcmp0 (sluice_tool_params_get (self->params, "mode"), "upsert") == 0;
  self->write.create = sluice_tool_params_get_bool (self->params, "create");
  if (self->write.upsert && self->keys == NULL)
    {
      sluice_tool_params_set_error (self->params, error, "key", "an upsert needs the key columns");
      return FALSE;
    }
  if (*self->write.table == '\0')
    {
      sluice_tool_params_set_error (self->params, error, "table", "is empty");
      return FALSE;
    }
  self->batch = sluice_tool_batch_new_worker (step, self->params, write_items, NULL, self, error);
  if (self->batch == NULL)
    return FALSE;
  sluice_tool_batch_set_target (self->batch, target);
  if (self->records)
    {
      self->scratch = g_string_new (NULL);
      sluice_tool_batch_set_encode (self->batch, encode_record, self);
    }
  return TRUE;
}

static void
sluice_tool_sql_load_process (SluiceStep     *step,
                              SluiceStepCall *call)
{
  sluice_tool_batch_process (SLUICE_TOOL_SQL_LOAD (step)->batch, call);
}

static void
sluice_tool_sql_load_flush (SluiceStep     *step,
                            SluiceStepCall *call)
{
  sluice_tool_batch_flush (SLUICE_TOOL_SQL_LOAD (step)->batch, call);
}

static void
sluice_tool_sql_load_cancel (SluiceStep     *step,
                             SluiceStepCall *call,
                             const char     *reason)
{
  sluice_tool_batch_cancel (SLUICE_TOOL_SQL_LOAD (step)->batch, call, reason);
}

static void
sluice_tool_sql_load_finalize (GObject *object)
{
  SluiceToolSqlLoad *self = SLUICE_TOOL_SQL_LOAD (object);

  g_clear_pointer (&self->batch, sluice_tool_batch_free);
  g_clear_pointer (&self->connection, sluice_sql_connection_free);
  g_clear_pointer (&self->params, sluice_tool_params_free);
  g_strfreev (self->columns);
  g_strfreev (self->keys);
  if (self->scratch != NULL)
    g_string_free (self->scratch, TRUE);
  G_OBJECT_CLASS (sluice_tool_sql_load_parent_class)->finalize (object);
}

static void
sluice_tool_sql_load_class_init (SluiceToolSqlLoadClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_sql_load_finalize;
  step_class->info = &sql_load_info;
  step_class->prepare = sluice_tool_sql_load_prepare;
  step_class->process = sluice_tool_sql_load_process;
  step_class->flush = sluice_tool_sql_load_flush;
  step_class->cancel = sluice_tool_sql_load_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_sql_load_init (SluiceToolSqlLoad *self)
{
}
