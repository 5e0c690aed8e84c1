/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-json.h"
#include "sluice-run-state.h"
#include "sluice-sql-connection.h"
#include "sluice-tool-params.h"
#include "sluice-tool-sql-extract.h"

/* The SQL extractor: each item that reaches it runs the query, with
 * values bound as parameters ($1 / ?1 …: never put into the SQL text),
 * and becomes its rows, read a batch at a time (a cursor on PostgreSQL)
 * and streamed as the steps after it have room. */

#define BACKLOG_LIMIT 4096

struct _SluiceToolSqlExtract
{
  SluiceStep           parent_instance;
  SluiceToolParams    *params;
  SluiceSqlConnection *connection;
  char               **binds;     /* lines of `bind` */
  guint                batch;
  gboolean             busy;      /* one query at a time on the connection */
};

G_DEFINE_FINAL_TYPE (SluiceToolSqlExtract, sluice_tool_sql_extract, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo sql_extract_params[] = {
  { "database", N_("sqlite:FILE, or a PostgreSQL URI (postgresql://user:password@host:port/name)"), TRUE,
    SLUICE_TOOL_PARAM_SECRET, NULL, NULL },
  { "query", N_("The query; values are parameters ($1, $2 on PostgreSQL; ?1, ?2 on SQLite), given in bind"), TRUE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "bind", N_("The parameters' values, one a line: text (${name}s allowed), item.FIELD for a field of the item, or null"), FALSE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "batch-size", N_("Rows read at a time"), FALSE,
    SLUICE_TOOL_PARAM_INT, "1000", NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo sql_extract_info = {
  "sql-extract",
  N_("Query SQL"),
  N_("Turns each item into the rows of a query on SQLite or PostgreSQL, with bound parameters, streamed in batches"),
  sql_extract_params,
  "<execution id=\"orders\">\n"
  "  <use tool=\"sql-extract\">\n"
  "    <param name=\"database\">${db}</param>\n"
  "    <param name=\"query\">SELECT id, total FROM orders WHERE customer = $1 AND day >= $2</param>\n"
  "    <param name=\"bind\">item.customer\n${since}</param>\n"
  "  </use>\n"
  "</execution>",
};

typedef struct
{
  SluiceToolSqlExtract *self;
  SluiceStepCall       *call;
  gpointer              timer;
  GPtrArray            *rows;
} Extraction;

/* Values never go into the query text. */
static void
sluice_tool_sql_extract_check (SluiceStepClass *klass,
                               SluiceModule    *module,
                               SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  GPtrArray *params = sluice_execution_get_tool_params (execution);

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);

      if (g_str_equal (param->name, "query") && param->value != NULL && strstr (param->value, "${") != NULL)
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR,
                                  param->line ? param->line : sluice_node_get_line (SLUICE_NODE (module)),
                                  _("module `%s`: tool `sql-extract`: ${…} in the query would put a value into SQL text; "
                                    "write $1 (or ?1) there and the value in `bind`"),
                                  sluice_node_get_id (SLUICE_NODE (module)));
    }
}

static gboolean
sluice_tool_sql_extract_prepare (SluiceStep         *step,
                                 SluiceModule       *module,
                                 SluiceStepContext  *context,
                                 GError            **error)
{
  SluiceToolSqlExtract *self = SLUICE_TOOL_SQL_EXTRACT (step);
  const char *raw_query = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), "query");
  const char *bind;
  g_autoptr(GError) local = NULL;

  if (raw_query != NULL && strstr (raw_query, "${") != NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”, tool “sql-extract”: ${…} in the query: put values in `bind`",
                   sluice_node_get_id (SLUICE_NODE (module)));
      return FALSE;
    }
  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;
  self->connection = sluice_sql_connection_new (sluice_tool_params_get (self->params, "database"), NULL, &local);
  if (self->connection == NULL)
    {
      sluice_tool_params_set_error (self->params, error, "database", "%s", local->message);
      return FALSE;
    }
  /* Made again at the first item, when the pipeline's folder is known. */
  g_clear_pointer (&self->connection, sluice_sql_connection_free);
  bind = sluice_tool_params_get (self->params, "bind");
  self->binds = bind != NULL && *bind != '\0' ? g_strsplit (bind, "\n", -1) : g_new0 (char *, 1);
  self->batch = CLAMP (sluice_tool_params_get_int (self->params, "batch-size"), 1, 1000000);
  return TRUE;
}

/* The bound values for @item: char* each, NULL for SQL NULL. */
static GPtrArray *
bind_values (SluiceToolSqlExtract *self,
             json_t               *item)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; self->binds[i] != NULL; i++)
    {
      const char *line = self->binds[i];

      if (i > 0 && self->binds[i + 1] == NULL && *line == '\0')
        break;   /* a final new line */
      if (g_str_has_prefix (line, "item."))
        {
          json_t *value = item != NULL ? json_object_get (item, line + 5) : NULL;

          if (value == NULL || json_is_null (value))
            g_ptr_array_add (values, NULL);
          else if (json_is_string (value))
            g_ptr_array_add (values, g_strdup (json_string_value (value)));
          else
            {
              char *text = sluice_json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
              g_ptr_array_add (values, g_strdup (text));
              free (text);
            }
        }
      else if (g_str_equal (line, "null"))
        g_ptr_array_add (values, NULL);
      else
        g_ptr_array_add (values, g_strdup (line));
    }
  return values;
}

static void extraction_end (Extraction *extraction, const char *error);
static void read_some_cb (gpointer data);

static void
again (Extraction *extraction,
       gint64      delay)
{
  extraction->timer = sluice_step_context_add_timer (sluice_step_get_context (SLUICE_STEP (extraction->self)),
                                                     g_get_monotonic_time () + delay, read_some_cb, extraction);
}

static void
read_some_cb (gpointer data)
{
  Extraction *extraction = data;
  g_autoptr(GError) error = NULL;

  extraction->timer = NULL;
  if (sluice_step_call_backlog (extraction->call) >= BACKLOG_LIMIT)
    {
      again (extraction, 1000);
      return;
    }

  switch (sluice_sql_connection_fetch (extraction->self->connection, extraction->rows, &error))
    {
    case SLUICE_SQL_ROWS:
      for (guint i = 0; i < extraction->rows->len; i++)
        sluice_step_call_stream (extraction->call, json_incref (g_ptr_array_index (extraction->rows, i)));
      g_ptr_array_set_size (extraction->rows, 0);
      again (extraction, 0);
      return;
    case SLUICE_SQL_END:
      extraction_end (extraction, NULL);
      return;
    case SLUICE_SQL_ERROR:
    default:
      extraction_end (extraction, error->message);
      return;
    }
}

static void
extraction_free (Extraction *extraction)
{
  if (extraction->timer != NULL)
    sluice_step_context_remove_timer (sluice_step_get_context (SLUICE_STEP (extraction->self)), extraction->timer);
  sluice_sql_connection_query_end (extraction->self->connection);
  extraction->self->busy = FALSE;
  g_ptr_array_unref (extraction->rows);
  g_free (extraction);
}

static void
extraction_end (Extraction *extraction,
                const char *error)
{
  SluiceStepCall *call = extraction->call;

  call->step_data = NULL;
  extraction_free (extraction);
  if (error != NULL)
    sluice_step_call_fail (call, error, NULL);
  else
    sluice_step_call_finish (call);
}

static void
sluice_tool_sql_extract_process (SluiceStep     *step,
                                 SluiceStepCall *call)
{
  SluiceToolSqlExtract *self = SLUICE_TOOL_SQL_EXTRACT (step);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;
  Extraction *extraction;

  if (self->busy)
    {
      /* One connection, one cursor: items that come while a query is
       * read fail instead of corrupting it; a not-parallel controller
       * (or workers="1") brings them one at a time. */
      sluice_step_call_fail (call, "the query is already running for another item; give this module a controller "
                                   "with mode=\"not-parallel\"", NULL);
      return;
    }
  if (self->connection == NULL)
    self->connection = sluice_sql_connection_new (sluice_tool_params_get (self->params, "database"),
                                                  sluice_step_get_context (step)->base_directory, NULL);
  values = bind_values (self, call->item);
  if (!sluice_sql_connection_query (self->connection, sluice_tool_params_get (self->params, "query"),
                                    values, self->batch, &error))
    {
      sluice_step_call_fail (call, error->message, NULL);
      return;
    }

  self->busy = TRUE;
  extraction = g_new0 (Extraction, 1);
  extraction->self = self;
  extraction->call = call;
  extraction->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  call->step_data = extraction;
  again (extraction, 0);
}

static void
sluice_tool_sql_extract_cancel (SluiceStep     *step,
                                SluiceStepCall *call,
                                const char     *reason)
{
  Extraction *extraction = call->step_data;

  if (extraction == NULL)
    return;
  call->step_data = NULL;
  extraction_free (extraction);
  sluice_step_call_fail (call, reason, NULL);
}

static void
sluice_tool_sql_extract_finalize (GObject *object)
{
  SluiceToolSqlExtract *self = SLUICE_TOOL_SQL_EXTRACT (object);

  g_clear_pointer (&self->connection, sluice_sql_connection_free);
  g_clear_pointer (&self->params, sluice_tool_params_free);
  g_strfreev (self->binds);
  G_OBJECT_CLASS (sluice_tool_sql_extract_parent_class)->finalize (object);
}

static void
sluice_tool_sql_extract_class_init (SluiceToolSqlExtractClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_sql_extract_finalize;
  step_class->info = &sql_extract_info;
  step_class->check = sluice_tool_sql_extract_check;
  step_class->prepare = sluice_tool_sql_extract_prepare;
  step_class->process = sluice_tool_sql_extract_process;
  step_class->cancel = sluice_tool_sql_extract_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_sql_extract_init (SluiceToolSqlExtract *self)
{
}
