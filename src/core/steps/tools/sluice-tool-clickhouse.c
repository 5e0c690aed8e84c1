/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sluice-execution.h"
#include "sluice-run-state.h"
#include "sluice-tool-clickhouse-private.h"
#include "sluice-tool-params.h"
#include "sluice-tool-values.h"

/* The clickhouse tool: with `query` an extractor (each trigger item
 * becomes the rows the query answers, streamed as JSONEachRow), with
 * `table` a loader (items inserted in batches, flushed at the end of the
 * stream). This file reads the settings and dispatches; the query is
 * sluice-clickhouse-reader.c's, the batches sluice-clickhouse-writer.c's.
 *
 * side_effects is TRUE for both roles: a loader writes, and a query may
 * be any statement. */

G_DEFINE_FINAL_TYPE (SluiceToolClickhouse, sluice_tool_clickhouse, SLUICE_TYPE_STEP)

static const char * const mode_choices[] = { "insert", "upsert", NULL };

static const SluiceToolParamInfo clickhouse_params[] = {
  { "url", N_("ClickHouse's HTTP interface"), FALSE, SLUICE_TOOL_PARAM_STRING, "http://127.0.0.1:8123/", NULL },
  { "database", N_("Database of the query or the table"), FALSE, SLUICE_TOOL_PARAM_STRING, "default", NULL },
  { "user", N_("User name"), FALSE, SLUICE_TOOL_PARAM_STRING, "default", NULL },
  { "password-file", N_("File holding the user's password"), FALSE, SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "password-env", N_("Environment variable holding the user's password"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "query", N_("Extractor: a SELECT; its rows become items (FORMAT JSONEachRow is added)"), FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "table", N_("Loader: the table the items go to"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "mode", N_("Loader: insert, or upsert (a ReplacingMergeTree keeps the row with the highest version per key)"), FALSE, SLUICE_TOOL_PARAM_CHOICE, "insert", mode_choices },
  { "key", N_("Loader: key columns, comma-separated (ORDER BY of a created table; what upsert replaces by)"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "version", N_("Loader, upsert: the version column; every item must have it"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "create", N_("Loader: create the table when it does not exist"), FALSE, SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "columns", N_("Loader, create: one “name Type” a line, e.g. id UInt64"), FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "timeout", N_("Longest silence of the server during a request"), FALSE, SLUICE_TOOL_PARAM_DURATION, "60s", NULL },
  SLUICE_TOOL_BATCH_PARAMS,
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo clickhouse_info = {
  "clickhouse",
  N_("ClickHouse"),
  N_("Extracts the rows of a query (streamed) or loads items into a table in batches, over ClickHouse's HTTP interface"),
  clickhouse_params,
  "<execution id=\"warehouse\" retries=\"3\" backoff=\"2\">\n"
  "  <use tool=\"clickhouse\">\n"
  "    <param name=\"url\">http://127.0.0.1:8123/</param>\n"
  "    <param name=\"table\">orders</param>\n"
  "    <param name=\"create\">true</param>\n"
  "    <param name=\"columns\">order_id UInt64\nlabel String\nversion UInt64</param>\n"
  "    <param name=\"mode\">upsert</param>\n"
  "    <param name=\"key\">order_id</param>\n"
  "    <param name=\"version\">version</param>\n"
  "    <param name=\"batch-size\">10000</param>\n"
  "  </use>\n"
  "</execution>",
};

static gboolean
has_reference (const char *text)
{
  return text != NULL && strstr (text, "${") != NULL;
}

static void
check_columns (SluiceStepCheck *check,
               const char      *id,
               guint            line,
               const char      *columns)
{
  g_auto(GStrv) lines = g_strsplit (columns, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *text = g_strstrip (lines[i]);
      char *space = strpbrk (text, " \t");

      if (*text == '\0' || has_reference (text))
        continue;
      if (space == NULL || !sluice_clickhouse_type_is_safe (g_strstrip (space + 1)))
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line + i,
                                  _("module `%s`: `columns` of tool `clickhouse` wants “name Type” lines with a plain type, not `%s`"),
                                  id, text);
    }
}

static void
sluice_tool_clickhouse_check (SluiceStepClass *klass,
                              SluiceModule    *module,
                              SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  guint line = sluice_node_get_line (SLUICE_NODE (module));
  const char *query = sluice_execution_lookup_tool_param (execution, "query");
  const char *table = sluice_execution_lookup_tool_param (execution, "table");
  const char *mode = sluice_execution_lookup_tool_param (execution, "mode");
  const char *create = sluice_execution_lookup_tool_param (execution, "create");
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  gboolean creating = FALSE;

  if ((query == NULL) == (table == NULL))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: tool `clickhouse` takes `query` (to extract) or `table` (to load), exactly one"), id);
  if (mode != NULL && g_ascii_strcasecmp (mode, "upsert") == 0 &&
      (sluice_execution_lookup_tool_param (execution, "version") == NULL ||
       sluice_execution_lookup_tool_param (execution, "key") == NULL))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: upsert of tool `clickhouse` needs `key` and `version`"), id);
  if (create != NULL && sluice_tool_param_parse_bool (create, &creating) && creating &&
      sluice_execution_lookup_tool_param (execution, "columns") == NULL)
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: `create` of tool `clickhouse` needs `columns`"), id);

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);

      if (g_str_equal (param->name, "columns") && param->value != NULL)
        check_columns (check, id, param->line ? param->line : line, param->value);
    }
}

/* ---- prepare */

static gboolean
read_server (SluiceToolClickhouse  *self,
             SluiceToolParams      *params,
             SluiceToolValues      *values,
             GError               **error)
{
  const char *url = sluice_tool_params_get (params, "url");
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0) ||
      !sluice_tool_text_is_one_line (url))
    {
      sluice_tool_params_set_error (params, error, "url", "is not an http:// or https:// URL: “%s”", url);
      return FALSE;
    }
  self->server.url = g_strdup (url);
  self->server.database = g_strdup (sluice_tool_params_get (params, "database"));
  self->server.user = g_strdup (sluice_tool_params_get (params, "user"));
  if (!sluice_tool_text_is_one_line (self->server.user) || strchr (self->server.user, ':') != NULL)
    {
      sluice_tool_params_set_error (params, error, "user", "must be one line without “:”");
      return FALSE;
    }
  self->server.password = sluice_tool_values_secret (values, "password-file", "password-env", error);
  return error == NULL || *error == NULL;
}

static char *
quote_list (const char *list)
{
  g_auto(GStrv) names = g_strsplit (list, ",", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *quoted = sluice_clickhouse_quote_name (g_strstrip (names[i]));

      g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", quoted);
    }
  return g_string_free (out, FALSE);
}

static gboolean
read_create (SluiceToolClickhouse  *self,
             SluiceToolParams      *params,
             const char            *table_name,
             GError               **error)
{
  const char *columns = sluice_tool_params_get (params, "columns");
  const char *key = sluice_tool_params_get (params, "key");
  g_auto(GStrv) lines = NULL;
  g_autofree char *order = NULL;
  g_autofree char *engine = NULL;
  GString *sql;

  if (!sluice_tool_params_get_bool (params, "create"))
    return TRUE;
  if (columns == NULL)
    {
      sluice_tool_params_set_error (params, error, "columns", "is needed with create=true");
      return FALSE;
    }

  sql = g_string_new (NULL);
  g_string_append_printf (sql, "CREATE TABLE IF NOT EXISTS %s (", table_name);
  lines = g_strsplit (columns, "\n", -1);
  for (guint i = 0, n = 0; lines[i] != NULL; i++)
    {
      char *text = g_strstrip (lines[i]);
      char *space = strpbrk (text, " \t");
      g_autofree char *name = NULL;

      if (*text == '\0')
        continue;
      if (space == NULL || !sluice_clickhouse_type_is_safe (g_strstrip (space + 1)))
        {
          sluice_tool_params_set_error (params, error, "columns", "wants “name Type” lines with a plain type, not “%s”", text);
          g_string_free (sql, TRUE);
          return FALSE;
        }
      *space = '\0';
      name = sluice_clickhouse_quote_name (text);
      g_string_append_printf (sql, "%s%s %s", n++ > 0 ? ", " : "", name, g_strstrip (space + 1));
    }

  order = key != NULL ? quote_list (key) : g_strdup ("");
  if (self->version != NULL)
    {
      g_autofree char *version = sluice_clickhouse_quote_name (self->version);

      engine = g_strdup_printf ("ReplacingMergeTree(%s)", version);
    }
  else
    engine = g_strdup ("MergeTree");
  g_string_append_printf (sql, ") ENGINE = %s ORDER BY %s%s%s", engine,
                          key != NULL ? "(" : "tuple(", order, ")");
  self->create_sql = g_string_free (sql, FALSE);
  return TRUE;
}

static gboolean
read_loader (SluiceToolClickhouse  *self,
             SluiceToolParams      *params,
             SluiceStepContext     *context,
             GError               **error)
{
  const char *table = sluice_tool_params_get (params, "table");
  g_autofree char *table_name = NULL;
  g_autofree char *target = NULL;

  if (g_ascii_strcasecmp (sluice_tool_params_get (params, "mode"), "upsert") == 0)
    {
      if (sluice_tool_params_get (params, "version") == NULL || sluice_tool_params_get (params, "key") == NULL)
        {
          sluice_tool_params_set_error (params, error, "mode", "upsert needs “key” and “version”");
          return FALSE;
        }
      self->version = g_strdup (sluice_tool_params_get (params, "version"));
    }

  self->table = g_strdup (table);
  table_name = sluice_clickhouse_table_name (&self->server, table);
  self->insert_sql = g_strdup_printf ("INSERT INTO %s FORMAT JSONEachRow", table_name);
  if (!read_create (self, params, table_name, error))
    return FALSE;

  self->batch = sluice_tool_batch_new_worker (SLUICE_STEP (self), params,
                                              _sluice_clickhouse_writer_work, NULL, self, error);
  if (self->batch == NULL)
    return FALSE;
  target = g_strdup_printf ("ClickHouse %s, table “%s”", self->server.url, table);
  sluice_tool_batch_set_target (self->batch, target);
  /* Each item becomes its line when it comes, while it is in the cache,
   * and is freed then: a batch of 10,000 items freed at once, cold, cost
   * a quarter of the run's time. */
  self->line = g_string_new (NULL);
  sluice_tool_batch_set_encode (self->batch, _sluice_clickhouse_writer_encode, self);
  return TRUE;
}

static gboolean
sluice_tool_clickhouse_prepare (SluiceStep         *step,
                                SluiceModule       *module,
                                SluiceStepContext  *context,
                                GError            **error)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (step);
  g_autoptr(SluiceToolParams) params = sluice_tool_params_new (step, module, context, error);
  SluiceToolValues values;
  const char *query, *table;
  gint64 timeout_us;

  if (params == NULL)
    return FALSE;
  sluice_tool_values_init (&values, module, context, &clickhouse_info);
  if (!read_server (self, params, &values, error))
    return FALSE;

  timeout_us = sluice_tool_params_get_duration_us (params, "timeout");
  /* The session's timeout is the longest silence while reading or
   * writing, in whole seconds. */
  self->session = soup_session_new_with_options ("user-agent", "sluice/" PACKAGE_VERSION,
                                                 "timeout", (guint) MAX (1, (timeout_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC),
                                                 NULL);

  query = sluice_tool_params_get (params, "query");
  table = sluice_tool_params_get (params, "table");
  if ((query == NULL) == (table == NULL))
    {
      sluice_tool_params_set_error (params, error, "query", "or “table” is needed, exactly one of them");
      return FALSE;
    }
  if (query != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (query));
      gsize length = strlen (text);

      /* A trailing ; would end the statement before our FORMAT. */
      while (length > 0 && (text[length - 1] == ';' || g_ascii_isspace (text[length - 1])))
        text[--length] = '\0';
      self->query = g_strdup_printf ("%s\nFORMAT JSONEachRow", text);
      return TRUE;
    }
  return read_loader (self, params, context, error);
}

static void
sluice_tool_clickhouse_process (SluiceStep     *step,
                                SluiceStepCall *call)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (step);

  if (self->query != NULL)
    _sluice_clickhouse_reader_start (self, call);
  else
    sluice_tool_batch_process (self->batch, call);
}

static void
sluice_tool_clickhouse_flush (SluiceStep     *step,
                              SluiceStepCall *call)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (step);

  if (self->batch != NULL)
    sluice_tool_batch_flush (self->batch, call);
  else
    sluice_step_call_finish (call);
}

static void
sluice_tool_clickhouse_cancel (SluiceStep     *step,
                               SluiceStepCall *call,
                               const char     *reason)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (step);

  if (self->query != NULL)
    _sluice_clickhouse_reader_cancel (self, call, reason);
  else
    sluice_tool_batch_cancel (self->batch, call, reason);
}

static void
sluice_tool_clickhouse_dispose (GObject *object)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (object);

  g_clear_pointer (&self->batch, sluice_tool_batch_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sluice_tool_clickhouse_parent_class)->dispose (object);
}

static void
sluice_tool_clickhouse_finalize (GObject *object)
{
  SluiceToolClickhouse *self = SLUICE_TOOL_CLICKHOUSE (object);

  sluice_clickhouse_server_clear (&self->server);
  g_free (self->query);
  g_free (self->table);
  g_free (self->insert_sql);
  g_free (self->create_sql);
  g_free (self->version);
  if (self->line != NULL)
    g_string_free (self->line, TRUE);

  G_OBJECT_CLASS (sluice_tool_clickhouse_parent_class)->finalize (object);
}

static void
sluice_tool_clickhouse_class_init (SluiceToolClickhouseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  object_class->dispose = sluice_tool_clickhouse_dispose;
  object_class->finalize = sluice_tool_clickhouse_finalize;
  step_class->info = &clickhouse_info;
  step_class->check = sluice_tool_clickhouse_check;
  step_class->prepare = sluice_tool_clickhouse_prepare;
  step_class->process = sluice_tool_clickhouse_process;
  step_class->flush = sluice_tool_clickhouse_flush;
  step_class->cancel = sluice_tool_clickhouse_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_clickhouse_init (SluiceToolClickhouse *self)
{
}
