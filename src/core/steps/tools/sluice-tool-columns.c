/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-columns-compute.h"
#include "sluice-item-to-change.h"
#include "sluice-columns-reshape.h"
#include "sluice-execution.h"
#include "sluice-json.h"
#include "sluice-lua-check.h"
#include "sluice-pipeline.h"
#include "sluice-run-state.h"
#include "sluice-tool-columns.h"
#include "sluice-tool-params.h"
#include "sluice-text.h"

/* The column transformer: defaults, computed fields, renames,
 * flattening or nesting, drops and a selection, in that order.
 *
 * Two ways to run it, chosen in prepare:
 *  - in C (process): everything but the computed fields is done on the
 *    JSON item; computed fields are Lua expressions evaluated in a Lua
 *    state of the step's own with only the fields they read pushed
 *    (sluice-columns-compute.c). This is the usual case, and it costs a
 *    fraction of converting every item to Lua and back.
 *  - as a Lua chunk made from the parameters (get_lua), which the
 *    executor runs in its sandboxed Lua states like any Lua module:
 *    when an expression uses `item` in a way the field scan cannot
 *    follow (sluice-lua-field-scan.c). Names and values reach the chunk
 *    only as quoted Lua strings.
 * Computed fields are Lua expressions over `item`, as trusted as a
 * <lua> body, sandboxed alike either way. */

typedef struct
{
  char   *name;
  json_t *value;
} ColumnDefault;

typedef struct
{
  char *from;
  char *to;
} ColumnRename;

struct _SluiceToolColumns
{
  SluiceStep            parent_instance;
  char                 *code;       /* the Lua way; NULL for the C way */
  guint                 line;
  /* the C way */
  GArray               *defaults;   /* ColumnDefault */
  SluiceColumnsCompute *compute;    /* NULL without computed fields */
  GArray               *renames;    /* ColumnRename */
  gboolean              flatten;
  gboolean              nest;
  char                 *separator;
  char                **drops;
  GHashTable           *selects;    /* name → itself; NULL = keep all */
};

G_DEFINE_FINAL_TYPE (SluiceToolColumns, sluice_tool_columns, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo columns_params[] = {
  { "defaults", N_("Values for missing or null fields, as field=value (JSON or text), separated by commas or new lines"), FALSE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "compute", N_("Computed fields, one a line: field = Lua expression over item (item.price * item.qty)"), FALSE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "rename", N_("Renames as old=new, separated by commas or new lines"), FALSE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "flatten", N_("Nested objects become fields named by their path (a.b.c)"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "nest", N_("Fields named by a path (a.b.c) become nested objects"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "separator", N_("What joins the parts of a path for flatten and nest"), FALSE,
    SLUICE_TOOL_PARAM_STRING, ".", NULL },
  { "drop", N_("Fields to remove, comma-separated"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "select", N_("The only fields to keep, comma-separated (after everything else)"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo columns_info = {
  "columns",
  N_("Reshape Columns"),
  N_("Selects, renames, drops, defaults, computes (Lua expressions), flattens and nests fields"),
  columns_params,
  "<execution id=\"shape\">\n"
  "  <use tool=\"columns\">\n"
  "    <param name=\"rename\">qty=quantity</param>\n"
  "    <param name=\"defaults\">currency=EUR, discount=0</param>\n"
  "    <param name=\"compute\">total = item.price * item.quantity - item.discount</param>\n"
  "    <param name=\"select\">id, total, currency</param>\n"
  "  </use>\n"
  "</execution>",
};

/* Splits @text at any of @separators outside double quotes (a JSON
 * default may hold a comma); empty parts are left out. */
static char **
split_list (const char *text,
            const char *separators)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) part = g_string_new (NULL);
  gboolean quoted = FALSE, escape = FALSE;

  for (const char *p = text; p != NULL; p++)
    {
      if (*p != '\0' && (quoted || strchr (separators, *p) == NULL))
        {
          if (escape)
            escape = FALSE;
          else if (quoted && *p == '\\')
            escape = TRUE;
          else if (*p == '"')
            quoted = !quoted;
          g_string_append_c (part, *p);
          continue;
        }
      g_strstrip (part->str);
      if (part->str[0] != '\0')
        g_strv_builder_add (builder, part->str);
      g_string_truncate (part, 0);
      if (*p == '\0')
        break;
    }
  return g_strv_builder_end (builder);
}

/* "name=rest" → name and rest, both trimmed; FALSE without a name. */
static gboolean
split_pair (char  *pair,
            char **name,
            char **rest)
{
  char *eq = strchr (pair, '=');

  if (eq == NULL || eq == pair)
    return FALSE;
  *eq = '\0';
  *name = g_strstrip (pair);
  *rest = g_strstrip (eq + 1);
  return **name != '\0';
}

/* A default value: JSON scalars as they are, anything else as text. */
static gboolean
append_lua_value (GString    *code,
                  const char *text)
{
  g_autoptr(GError) error = NULL;
  json_error_t jerror;
  json_t *value = json_loads (text, JSON_DECODE_ANY, &jerror);

  if (value == NULL)
    {
      sluice_append_lua_string (code, text);
      return TRUE;
    }
  if (json_is_string (value))
    sluice_append_lua_string (code, json_string_value (value));
  else if (json_is_integer (value))
    g_string_append_printf (code, "%" JSON_INTEGER_FORMAT, json_integer_value (value));
  else if (json_is_real (value))
    {
      char buffer[SLUICE_JSON_REAL_BUF_SIZE];

      sluice_json_format_real (json_real_value (value), buffer);
      g_string_append (code, buffer);
    }
  else if (json_is_boolean (value))
    g_string_append (code, json_is_true (value) ? "true" : "false");
  else if (json_is_null (value))
    g_string_append (code, "null");
  else
    {
      json_decref (value);
      return FALSE;
    }
  json_decref (value);
  return TRUE;
}

static const char flatten_code[] =
  "do\n"
  "  local sep = %s\n"
  "  local flat = {}\n"
  "  local function walk (t, prefix)\n"
  "    for k, v in pairs (t) do\n"
  "      local key = prefix .. tostring (k)\n"
  "      if type (v) == 'table' and getmetatable (v) == nil and next (v) ~= nil then\n"
  "        walk (v, key .. sep)\n"
  "      else\n"
  "        flat[key] = v\n"
  "      end\n"
  "    end\n"
  "  end\n"
  "  walk (item, '')\n"
  "  for k in pairs (item) do item[k] = nil end\n"
  "  for k, v in pairs (flat) do item[k] = v end\n"
  "end\n";

static const char nest_code[] =
  "do\n"
  "  local sep = %s\n"
  "  local paths = {}\n"
  "  for k, v in pairs (item) do\n"
  "    if type (k) == 'string' and string.find (k, sep, 1, true) then paths[k] = v end\n"
  "  end\n"
  "  for k, v in pairs (paths) do\n"
  "    item[k] = nil\n"
  "    local t, start = item, 1\n"
  "    while true do\n"
  "      local i = string.find (k, sep, start, true)\n"
  "      if i == nil then break end\n"
  "      local part = string.sub (k, start, i - 1)\n"
  "      if type (t[part]) ~= 'table' or getmetatable (t[part]) ~= nil then t[part] = {} end\n"
  "      t = t[part]\n"
  "      start = i + #sep\n"
  "    end\n"
  "    t[string.sub (k, start)] = v\n"
  "  end\n"
  "end\n";

/* The chunk for the parameters, or NULL with a sentence in @why. */
static char *
build_code (SluiceToolParams  *params,
            char             **why)
{
  g_autoptr(GString) code = g_string_new (NULL);
  g_auto(GStrv) defaults = split_list (sluice_tool_params_get (params, "defaults"), ",\n");
  g_auto(GStrv) computes = split_list (sluice_tool_params_get (params, "compute"), "\n");
  g_auto(GStrv) renames = split_list (sluice_tool_params_get (params, "rename"), ",\n");
  g_auto(GStrv) drops = split_list (sluice_tool_params_get (params, "drop"), ",");
  g_auto(GStrv) selects = split_list (sluice_tool_params_get (params, "select"), ",");
  const char *separator = sluice_tool_params_get (params, "separator");
  g_autoptr(GString) quoted_separator = g_string_new (NULL);
  char *name, *rest;

  for (guint i = 0; defaults[i] != NULL; i++)
    {
      if (!split_pair (defaults[i], &name, &rest))
        return *why = g_strdup_printf (_("default `%s` is not field=value"), defaults[i]), NULL;
      g_string_append (code, "do local v = item[");
      sluice_append_lua_string (code, name);
      g_string_append (code, "] if v == nil or v == null then item[");
      sluice_append_lua_string (code, name);
      g_string_append (code, "] = ");
      if (!append_lua_value (code, rest))
        return *why = g_strdup_printf (_("the default of `%s` must be a number, text, true, false or null"), name), NULL;
      g_string_append (code, " end end\n");
    }

  for (guint i = 0; computes[i] != NULL; i++)
    {
      if (!split_pair (computes[i], &name, &rest) || *rest == '\0')
        return *why = g_strdup_printf (_("`%s` is not field = expression"), computes[i]), NULL;
      g_string_append (code, "item[");
      sluice_append_lua_string (code, name);
      g_string_append_printf (code, "] = (%s)\n", rest);
    }

  for (guint i = 0; renames[i] != NULL; i++)
    {
      if (!split_pair (renames[i], &name, &rest) || *rest == '\0')
        return *why = g_strdup_printf (_("rename `%s` is not old=new"), renames[i]), NULL;
      g_string_append (code, "do local v = item[");
      sluice_append_lua_string (code, name);
      g_string_append (code, "] item[");
      sluice_append_lua_string (code, name);
      g_string_append (code, "] = nil item[");
      sluice_append_lua_string (code, rest);
      g_string_append (code, "] = v end\n");
    }

  if (separator == NULL || *separator == '\0')
    return *why = g_strdup (_("the separator may not be empty")), NULL;
  sluice_append_lua_string (quoted_separator, separator);
  if (sluice_tool_params_get_bool (params, "flatten") && sluice_tool_params_get_bool (params, "nest"))
    return *why = g_strdup (_("flatten and nest undo each other: choose one")), NULL;
  if (sluice_tool_params_get_bool (params, "flatten"))
    g_string_append_printf (code, flatten_code, quoted_separator->str);
  if (sluice_tool_params_get_bool (params, "nest"))
    g_string_append_printf (code, nest_code, quoted_separator->str);

  for (guint i = 0; drops[i] != NULL; i++)
    {
      g_string_append (code, "item[");
      sluice_append_lua_string (code, drops[i]);
      g_string_append (code, "] = nil\n");
    }

  if (selects[0] != NULL)
    {
      g_string_append (code, "do local keep = {");
      for (guint i = 0; selects[i] != NULL; i++)
        {
          g_string_append_c (code, '[');
          sluice_append_lua_string (code, selects[i]);
          g_string_append (code, "] = true, ");
        }
      g_string_append (code, "} for k in pairs (item) do if not keep[k] then item[k] = nil end end end\n");
    }

  if (code->len == 0)
    return *why = g_strdup (_("nothing to do: give select, drop, rename, defaults, compute, flatten or nest")), NULL;
  return g_string_free (g_steal_pointer (&code), FALSE);
}

/* Computed expressions that do not compile, at their own line. */
static void
sluice_tool_columns_check (SluiceStepClass *klass,
                           SluiceModule    *module,
                           SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  g_autoptr(SluiceLuaCheck) lua = sluice_lua_check_new ();

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);
      guint base = param->line ? param->line : sluice_node_get_line (SLUICE_NODE (module));
      g_auto(GStrv) lines = NULL;

      if (!g_str_equal (param->name, "compute") || param->value == NULL)
        continue;
      lines = g_strsplit (param->value, "\n", -1);
      for (guint k = 0; lines[k] != NULL; k++)
        {
          g_autofree char *copy = g_strdup (lines[k]);
          g_autofree char *message = NULL;
          char *name, *expression;
          guint line = 0;

          if (*g_strstrip (copy) == '\0')
            continue;
          if (!split_pair (copy, &name, &expression) || *expression == '\0')
            sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, base + k,
                                      _("module `%s`: tool `columns`: `%s` is not field = expression"), id, copy);
          else if (!sluice_lua_check_expression (lua, expression, &line, &message))
            sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, base + k,
                                      _("module `%s`: tool `columns`: the expression of `%s` does not compile: %s"),
                                      id, name, message);
        }
    }
}

/* A default's value: JSON scalars as they are, anything else as text
 * (as append_lua_value() writes it into the chunk). */
static json_t *
default_value (const char *text)
{
  json_error_t jerror;
  json_t *value = json_loads (text, JSON_DECODE_ANY, &jerror);

  if (value == NULL)
    return json_string (text);
  if (json_is_object (value) || json_is_array (value))
    {
      json_decref (value);
      return NULL;
    }
  return value;
}

static void
clear_default (ColumnDefault *item)
{
  g_free (item->name);
  json_decref (item->value);
}

static void
clear_rename (ColumnRename *item)
{
  g_free (item->from);
  g_free (item->to);
}

/* The lua-memory-limit of the pipeline @module is in; 0 = the default. */
static guint64
memory_limit_of (SluiceModule *module)
{
  for (SluiceNode *node = SLUICE_NODE (module); node != NULL; node = sluice_node_get_parent (node))
    if (SLUICE_IS_PIPELINE (node))
      return sluice_pipeline_get_lua_memory_limit (SLUICE_PIPELINE (node));
  return 0;
}

/* The C way, from the parameters build_code() accepted. FALSE (and no
 * error) when an expression needs the Lua way. */
static gboolean
prepare_native (SluiceToolColumns  *self,
                SluiceModule       *module,
                SluiceToolParams   *params,
                SluiceStepContext  *context,
                GError            **error)
{
  g_auto(GStrv) defaults = split_list (sluice_tool_params_get (params, "defaults"), ",\n");
  g_auto(GStrv) computes = split_list (sluice_tool_params_get (params, "compute"), "\n");
  g_auto(GStrv) renames = split_list (sluice_tool_params_get (params, "rename"), ",\n");
  g_auto(GStrv) selects = split_list (sluice_tool_params_get (params, "select"), ",");
  char *name, *rest;

  if (computes[0] != NULL)
    {
      guint n = g_strv_length (computes);
      g_autofree char **names = g_new0 (char *, n + 1);
      g_autofree char **expressions = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        if (!split_pair (computes[i], &names[i], &expressions[i]))
          return FALSE;
      self->compute = sluice_columns_compute_new (sluice_node_get_id (SLUICE_NODE (module)),
                                                  self->line, names, expressions, context,
                                                  memory_limit_of (module), error);
      if (self->compute == NULL)
        return FALSE;
    }

  self->defaults = g_array_new (FALSE, FALSE, sizeof (ColumnDefault));
  g_array_set_clear_func (self->defaults, (GDestroyNotify) clear_default);
  for (guint i = 0; defaults[i] != NULL; i++)
    {
      ColumnDefault item;

      if (!split_pair (defaults[i], &name, &rest))
        return FALSE;
      item.value = default_value (rest);
      if (item.value == NULL)
        return FALSE;
      item.name = g_strdup (name);
      g_array_append_val (self->defaults, item);
    }

  self->renames = g_array_new (FALSE, FALSE, sizeof (ColumnRename));
  g_array_set_clear_func (self->renames, (GDestroyNotify) clear_rename);
  for (guint i = 0; renames[i] != NULL; i++)
    {
      ColumnRename item;

      if (!split_pair (renames[i], &name, &rest))
        return FALSE;
      item.from = g_strdup (name);
      item.to = g_strdup (rest);
      g_array_append_val (self->renames, item);
    }

  self->flatten = sluice_tool_params_get_bool (params, "flatten");
  self->nest = sluice_tool_params_get_bool (params, "nest");
  self->separator = g_strdup (sluice_tool_params_get (params, "separator"));
  self->drops = split_list (sluice_tool_params_get (params, "drop"), ",");
  if (selects[0] != NULL)
    {
      self->selects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; selects[i] != NULL; i++)
        g_hash_table_add (self->selects, g_strdup (selects[i]));
    }
  return TRUE;
}

static void
clear_native (SluiceToolColumns *self)
{
  g_clear_pointer (&self->defaults, g_array_unref);
  g_clear_pointer (&self->compute, sluice_columns_compute_free);
  g_clear_pointer (&self->renames, g_array_unref);
  g_clear_pointer (&self->separator, g_free);
  g_clear_pointer (&self->drops, g_strfreev);
  g_clear_pointer (&self->selects, g_hash_table_unref);
}

static gboolean
sluice_tool_columns_prepare (SluiceStep         *step,
                             SluiceModule       *module,
                             SluiceStepContext  *context,
                             GError            **error)
{
  SluiceToolColumns *self = SLUICE_TOOL_COLUMNS (step);
  g_autoptr(SluiceToolParams) params = sluice_tool_params_new (step, module, context, error);
  g_autofree char *why = NULL;
  g_autoptr(GError) local = NULL;

  if (params == NULL)
    return FALSE;
  /* The chunk is built in any case: it checks every parameter. */
  self->code = build_code (params, &why);
  if (self->code == NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”, tool “columns”: %s", sluice_node_get_id (SLUICE_NODE (module)), why);
      return FALSE;
    }
  self->line = sluice_node_get_line (SLUICE_NODE (module));

  if (prepare_native (self, module, params, context, &local))
    {
      g_clear_pointer (&self->code, g_free);
      return TRUE;
    }
  clear_native (self);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static const char *
sluice_tool_columns_get_lua (SluiceStep *step,
                             guint      *line)
{
  SluiceToolColumns *self = SLUICE_TOOL_COLUMNS (step);

  if (line != NULL)
    *line = self->line;
  return self->code;
}

static void
apply_defaults (SluiceToolColumns *self,
                json_t            *item)
{
  for (guint i = 0; i < self->defaults->len; i++)
    {
      ColumnDefault *entry = &g_array_index (self->defaults, ColumnDefault, i);
      json_t *value = json_object_get (item, entry->name);

      if (value == NULL || json_is_null (value))
        json_object_set_nocheck (item, entry->name, entry->value);
    }
}

/* As the chunk does: the old name's value (or none) goes to the new. */
static void
apply_renames (SluiceToolColumns *self,
               json_t            *item)
{
  for (guint i = 0; i < self->renames->len; i++)
    {
      ColumnRename *entry = &g_array_index (self->renames, ColumnRename, i);
      json_t *value = json_object_get (item, entry->from);

      if (value == NULL)
        {
          json_object_del (item, entry->to);
          continue;
        }
      json_incref (value);
      json_object_del (item, entry->from);
      json_object_set_new_nocheck (item, entry->to, value);
    }
}

static void
apply_select (SluiceToolColumns *self,
              json_t            *item)
{
  const char *key;
  json_t *value;
  void *tmp;

  json_object_foreach_safe (item, tmp, key, value)
    if (!g_hash_table_contains (self->selects, key))
      json_object_del (item, key);
}

static void
sluice_tool_columns_process (SluiceStep     *step,
                             SluiceStepCall *call)
{
  SluiceToolColumns *self = SLUICE_TOOL_COLUMNS (step);
  g_autoptr(GError) error = NULL;
  json_t *item;

  /* Only a computed field can fail the item, and it changes nothing
   * when it does: without defaults (which it must see) it goes first,
   * on the item itself if no one else holds it (no copy). */
  if (self->defaults->len == 0 || self->compute == NULL)
    {
      item = sluice_item_to_change (call);
      if (self->compute != NULL &&
          !sluice_columns_compute_apply (self->compute, item, call->deadline, &error))
        {
          json_decref (item);
          sluice_step_call_fail (call, error->message, NULL);
          return;
        }
      apply_defaults (self, item);
    }
  else
    {
      item = json_copy (call->item);
      apply_defaults (self, item);
      if (!sluice_columns_compute_apply (self->compute, item, call->deadline, &error))
        {
          json_decref (item);
          sluice_step_call_fail (call, error->message, NULL);
          return;
        }
    }
  apply_renames (self, item);
  if (self->flatten)
    item = sluice_columns_flatten (item, self->separator);
  if (self->nest)
    sluice_columns_nest (item, self->separator);
  for (guint i = 0; self->drops[i] != NULL; i++)
    json_object_del (item, self->drops[i]);
  if (self->selects != NULL)
    apply_select (self, item);

  sluice_step_call_emit (call, item);
  sluice_step_call_finish (call);
}

static void
sluice_tool_columns_finalize (GObject *object)
{
  SluiceToolColumns *self = SLUICE_TOOL_COLUMNS (object);

  g_free (self->code);
  clear_native (self);
  G_OBJECT_CLASS (sluice_tool_columns_parent_class)->finalize (object);
}

static void
sluice_tool_columns_class_init (SluiceToolColumnsClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_columns_finalize;
  step_class->info = &columns_info;
  step_class->check = sluice_tool_columns_check;
  step_class->prepare = sluice_tool_columns_prepare;
  step_class->get_lua = sluice_tool_columns_get_lua;
  step_class->process = sluice_tool_columns_process;
}

static void
sluice_tool_columns_init (SluiceToolColumns *self)
{
}
