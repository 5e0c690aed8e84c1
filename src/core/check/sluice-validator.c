/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "sluice-combination.h"
#include "sluice-condition.h"
#include "sluice-controller.h"
#include "sluice-duration.h"
#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-lua-check.h"
#include "sluice-memory-size.h"
#include "sluice-params.h"
#include "sluice-phase.h"
#include "sluice-step-registry.h"
#include "sluice-tool.h"
#include "sluice-text.h"
#include "sluice-validator.h"
#include "sluice-validator-private.h"

/* The semantic checks of SPEC section 4. Severity policy (also in the
 * README): anything that would make a run fail or behave differently from
 * what the file says is an error; anything that runs but is probably not
 * what the author meant is a warning. In particular a tool parameter the
 * tool does not know is an error (a misspelt "duration" would otherwise be
 * ignored silently), and a parameter without a default is a warning (the
 * file is fine, but a run needs -D NAME=VALUE). */

static void check_modules (SluiceCheck      *check,
                           GListModel *modules);

void
_sluice_check_report (SluiceCheck    *check,
                      SluiceSeverity  severity,
                      guint           line,
                      SluiceNode     *node,
                      const char     *format,
                      ...)
{
  g_autofree char *message = NULL;
  const char *node_id = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (node != NULL)
    {
      node_id = sluice_node_get_id (node);
      if (node_id != NULL && node_id[0] == '\0')
        node_id = NULL;
    }

  g_ptr_array_add (check->problems,
                   sluice_problem_new (severity, check->file, line, node_id, message));
}

/* What messages call a node: "module" for every module kind, so that a
 * duplicate id reads the same whatever the elements are. */
static const char *
node_kind (SluiceNode *node)
{
  if (SLUICE_IS_MODULE (node))
    return _("module");
  if (SLUICE_IS_PHASE (node))
    return _("phase");
  if (SLUICE_IS_CONTROLLER (node))
    return _("controller");
  return _("pipeline");
}

/* The id for messages; never NULL. A node without an id is reported as
 * such once; its other problems still need something to name it by. */
static const char *
node_label (SluiceNode *node)
{
  const char *id = sluice_node_get_id (node);

  return id != NULL && id[0] != '\0' ? id : _("(no id)");
}

/* Lines of @text before byte @offset, so that a finding inside a
 * multi-line body points at its own line. */
static guint
line_of_offset (const char *text,
                gsize       offset)
{
  guint lines = 0;

  for (gsize i = 0; i < offset && text[i] != '\0'; i++)
    if (text[i] == '\n')
      lines++;

  return lines;
}

static void
check_id (SluiceCheck *check,
          SluiceNode  *node)
{
  const char *id = sluice_node_get_id (node);
  SluiceNode *first;

  if (_sluice_check_str_empty (id))
    {
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
              _("%s without an id (every %s needs an id that is unique in the file)"),
              node_kind (node), node_kind (node));
      return;
    }

  /* Two ids that look the same must be the same id. */
  if (sluice_text_find_invisible (id) != 0)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
            _("%s id `%s` holds an invisible or control character (U+%04X): ids must be visible text"),
            node_kind (node), id, sluice_text_find_invisible (id));

  first = g_hash_table_lookup (check->ids, id);
  if (first == NULL)
    {
      g_hash_table_insert (check->ids, (gpointer) id, node);
      return;
    }

  if (g_str_equal (node_kind (first), node_kind (node)))
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
            _("%s `%s` is defined twice (first at line %u)"),
            node_kind (node), id, sluice_node_get_line (first));
  else
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
            _("%s `%s` has the same id as the %s at line %u"),
            node_kind (node), id, node_kind (first), sluice_node_get_line (first));
}

typedef struct
{
  SluiceCheck      *check;
  SluiceNode *node;
  const char *text;
  guint       base_line;
  const char *where;
  gssize      last_offset;  /* of the last good reference, -1 for none */
} RefScan;

static void
param_ref_cb (const char *name,
              gsize       offset,
              gpointer    user_data)
{
  RefScan *scan = user_data;
  g_autofree char *problem = NULL;

  scan->last_offset = (gssize) offset;

  if (sluice_pipeline_find_parameter (scan->check->pipeline, name) != NULL)
    return;
  if (_sluice_check_schedule_reference (scan->check, name, &problem))
    {
      if (problem != NULL)
        _sluice_check_report (scan->check, SLUICE_SEVERITY_ERROR,
                scan->base_line + line_of_offset (scan->text, offset), scan->node,
                _("module `%s`: %s"), node_label (scan->node), problem);
      return;
    }

  _sluice_check_report (scan->check, SLUICE_SEVERITY_ERROR,
          scan->base_line + line_of_offset (scan->text, offset), scan->node,
          _("module `%s` refers to undeclared parameter `${%s}` in its %s"),
          node_label (scan->node), name, scan->where);
}

/* The offset of the first "${" after @after ("$$" is a literal "$"):
 * the scanner stops at the malformed reference right after the last good
 * one, and this finds its line without parsing the error message. */
static gsize
find_reference_after (const char *text,
                      gssize      after)
{
  for (gsize i = 0; text[i] != '\0'; i++)
    {
      if (text[i] != '$')
        continue;
      if (text[i + 1] == '$')
        i++;
      else if (text[i + 1] == '{' && (gssize) i > after)
        return i;
    }

  return 0;
}

/* Checks the ${name} references of @text, which starts at @base_line. */
static void
check_references (SluiceCheck *check,
                  SluiceNode  *node,
                  const char  *text,
                  guint        base_line,
                  const char  *where)
{
  RefScan scan = { check, node, text, base_line, where, -1 };
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return;

  if (!sluice_params_scan (text, param_ref_cb, &scan, &error))
    {
      gsize offset = find_reference_after (text, scan.last_offset);
      const char *reason = error->message;
      const char *colon = strstr (reason, ": ");

      /* The scanner's "malformed … at offset N: " says what the line
       * number and our own wording already say. */
      if (g_str_has_prefix (reason, "malformed") && colon != NULL)
        reason = colon + 2;

      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, base_line + line_of_offset (text, offset), node,
              _("module `%s` has a malformed parameter reference in its %s: %s"),
              node_label (node), where, reason);
    }
}

/* Globals that Lua modules do not get (SPEC section 2: no os.execute, io,
 * require or loading of files): using one fails only when the run reaches
 * it, so the validator says so first. */
static const char * const sandbox_missing[] = {
  "os", "io", "require", "dofile", "loadfile", "load", "debug", "package",
  "collectgarbage", NULL
};

typedef struct
{
  SluiceCheck      *check;
  SluiceNode *node;
  guint       base_line;
} GlobalScan;

static void
sandbox_global_cb (const char *name,
                   guint       line,
                   gpointer    user_data)
{
  GlobalScan *scan = user_data;

  _sluice_check_report (scan->check, SLUICE_SEVERITY_WARNING, scan->base_line + line - 1, scan->node,
          _("Lua of module `%s` uses `%s`, which sandboxed Lua does not provide"),
          node_label (scan->node), name);
}

static void
check_sandbox (SluiceCheck *check,
               SluiceNode  *node,
               const char  *code,
               guint        base_line)
{
  GlobalScan scan = { check, node, base_line };

  sluice_lua_check_globals (code, sandbox_missing, sandbox_global_cb, &scan);
}

/* Lua lines count from 1 at @base_line. */
static guint
map_lua_line (guint base_line,
              guint lua_line)
{
  return lua_line > 0 ? base_line + lua_line - 1 : base_line;
}

static void
step_report_cb (SluiceStepCheck *step_check,
                SluiceSeverity   severity,
                guint            line,
                const char      *message,
                gpointer         data)
{
  SluiceCheck *check = data;
  _sluice_check_report (check, severity, line, check->step_node, "%s", message);
}

/* What only the module's step knows how to check (e.g. that the delay
 * tool's durations are durations). */
static void
check_step (SluiceCheck  *check,
            SluiceModule *module)
{
  const char *name = sluice_step_registry_name_for (module);
  SluiceStepClass *klass = name != NULL ? sluice_step_registry_lookup_class (name) : NULL;
  SluiceStepCheck step_check = { step_report_cb, check };

  if (klass == NULL || klass->check == NULL)
    return;

  check->step_node = SLUICE_NODE (module);
  klass->check (klass, module, &step_check);
  check->step_node = NULL;
}

static void
check_tool (SluiceCheck     *check,
            SluiceExecution *execution)
{
  SluiceNode *node = SLUICE_NODE (execution);
  const char *name = sluice_execution_get_tool (execution);
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  const SluiceToolInfo *tool;
  g_autoptr(GHashTable) seen = NULL;

  if (_sluice_check_str_empty (name))
    {
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
              _("module `%s` uses a tool without naming it"), node_label (node));
      return;
    }

  tool = sluice_tool_lookup (name);
  if (tool == NULL)
    {
      g_autoptr(GString) known = g_string_new (NULL);
      const SluiceToolInfo * const *all = sluice_tool_list ();

      for (guint i = 0; all[i] != NULL; i++)
        g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", all[i]->name);

      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
              _("module `%s` uses unknown tool `%s` (known tools: %s)"),
              node_label (node), name, known->str);
      return;
    }

  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);
      guint line = param->line ? param->line : sluice_node_get_line (node);
      gboolean found = FALSE;

      if (_sluice_check_str_empty (param->name))
        {
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, node,
                  _("module `%s` has a tool parameter without a name"), node_label (node));
          continue;
        }

      for (guint j = 0; tool->params[j].name != NULL && !found; j++)
        if (g_str_equal (tool->params[j].name, param->name))
          {
            found = TRUE;
            _sluice_check_tool_param_value (check, node, tool, &tool->params[j], param->value, line);
          }

      if (!found)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, node,
                _("module `%s`: tool `%s` has no parameter `%s`"),
                node_label (node), tool->name, param->name);
      else if (g_hash_table_contains (seen, param->name))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, node,
                _("module `%s`: tool parameter `%s` is given twice"),
                node_label (node), param->name);

      g_hash_table_add (seen, param->name);
      check_references (check, node, param->value, line, _("tool parameter"));
    }

  for (guint j = 0; tool->params[j].name != NULL; j++)
    if (tool->params[j].required && !g_hash_table_contains (seen, tool->params[j].name))
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
              _("module `%s`: tool `%s` needs parameter `%s`"),
              node_label (node), tool->name, tool->params[j].name);

  check_step (check, SLUICE_MODULE (execution));
}

static void
check_execution (SluiceCheck     *check,
                 SluiceExecution *execution)
{
  SluiceNode *node = SLUICE_NODE (execution);
  const char *code = sluice_execution_get_code (execution);
  guint base_line = sluice_execution_get_code_line (execution);

  if (base_line == 0)
    base_line = sluice_node_get_line (node);

  switch (sluice_execution_get_body_kind (execution))
    {
    case SLUICE_BODY_NONE:
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
              _("module `%s` has no body: give it one <lua>, <command> or <use tool>"),
              node_label (node));
      break;

    case SLUICE_BODY_LUA:
      {
        g_autofree char *stripped = g_strstrip (g_strdup (code ? code : ""));
        g_autofree char *message = NULL;
        guint lua_line = 0;

        if (stripped[0] == '\0')
          _sluice_check_report (check, SLUICE_SEVERITY_WARNING, base_line, node,
                  _("module `%s` has an empty Lua body: it passes items on unchanged"),
                  node_label (node));
        else if (!sluice_lua_check_chunk (check->lua, code, &lua_line, &message))
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, map_lua_line (base_line, lua_line), node,
                  _("Lua of module `%s` does not compile: %s"),
                  node_label (node), message);
        else
          check_sandbox (check, node, code, base_line);
      }
      break;

    case SLUICE_BODY_COMMAND:
      {
        g_autofree char *stripped = g_strstrip (g_strdup (code ? code : ""));

        if (stripped[0] == '\0')
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, base_line, node,
                  _("module `%s` has an empty command"), node_label (node));
        else
          check_references (check, node, code, base_line, _("command"));
      }
      break;

    case SLUICE_BODY_TOOL:
      check_tool (check, execution);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
check_condition (SluiceCheck     *check,
                 SluiceCondition *condition)
{
  SluiceNode *node = SLUICE_NODE (condition);
  const char *expression = sluice_condition_get_expression (condition);
  guint base_line = sluice_condition_get_expression_line (condition);
  g_autofree char *stripped = g_strstrip (g_strdup (expression ? expression : ""));
  GListModel *then_modules = sluice_condition_get_then_modules (condition);
  GListModel *else_modules = sluice_condition_get_else_modules (condition);

  if (base_line == 0)
    base_line = sluice_node_get_line (node);

  if (stripped[0] == '\0')
    {
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, base_line, node,
              _("condition `%s` has no <when> expression"), node_label (node));
    }
  else
    {
      g_autofree char *message = NULL;
      guint lua_line = 0;

      if (!sluice_lua_check_expression (check->lua, expression, &lua_line, &message))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, map_lua_line (base_line, lua_line), node,
                _("the <when> expression of condition `%s` does not compile: %s"),
                node_label (node), message);
      else
        check_sandbox (check, node, expression, base_line);
    }

  if (g_list_model_get_n_items (then_modules) == 0 &&
      g_list_model_get_n_items (else_modules) == 0)
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
            _("condition `%s` has neither <then> nor <else> modules: it does nothing"),
            node_label (node));

  check_modules (check, then_modules);
  check_modules (check, else_modules);
}

static void
check_external (SluiceCheck    *check,
                SluiceExternal *external)
{
  SluiceNode *node = SLUICE_NODE (external);
  const char *service = sluice_external_get_service (external);

  if (_sluice_check_str_empty (service))
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
            _("external module `%s` names no service"), node_label (node));
  else if (sluice_pipeline_find_service (check->pipeline, service) == NULL)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (node), node,
            _("external module `%s` names undeclared service `%s` (declare it in <services>)"),
            node_label (node), service);
  else
    check_step (check, SLUICE_MODULE (external));
}

static void
check_module (SluiceCheck  *check,
              SluiceModule *module)
{
  SluiceNode *node = SLUICE_NODE (module);

  check_id (check, node);

  if (SLUICE_IS_EXECUTION (module))
    check_execution (check, SLUICE_EXECUTION (module));
  else if (SLUICE_IS_CONDITION (module))
    check_condition (check, SLUICE_CONDITION (module));
  else if (SLUICE_IS_COMBINATION (module))
    {
      GListModel *modules = sluice_combination_get_modules (SLUICE_COMBINATION (module));

      if (g_list_model_get_n_items (modules) == 0)
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
                _("combination `%s` has no modules: it passes items on unchanged"),
                node_label (node));
      check_modules (check, modules);
    }
  else if (SLUICE_IS_EXTERNAL (module))
    check_external (check, SLUICE_EXTERNAL (module));
  else if (SLUICE_IS_GATE (module))
    _sluice_check_gate (check, SLUICE_GATE (module));
  else if (SLUICE_IS_FAIL (module))
    {
      if (_sluice_check_str_empty (sluice_fail_get_reason (SLUICE_FAIL (module))))
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
                _("fail module `%s` gives no reason: the run will fail without saying why"),
                node_label (node));
      /* A <fail> always fails the run: an on-error or retries that
       * suggest otherwise would mislead the reader. */
      if (sluice_module_get_on_error (module) != SLUICE_ON_ERROR_FAIL ||
          sluice_module_get_retries (module) > 0)
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
                _("fail module `%s`: on-error and retries have no effect on <fail>, which always fails the run"),
                node_label (node));
    }
}

static void
check_modules (SluiceCheck *check,
               GListModel  *modules)
{
  guint n = g_list_model_get_n_items (modules);
  g_autoptr(SluiceModule) failing = NULL;
  gboolean dead_reported = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceModule) module = g_list_model_get_item (modules, i);

      check_module (check, module);

      /* A <fail> ends the run for every item that reaches it, so what
       * follows it in the same sequence is dead; say so once. */
      if (failing != NULL && !dead_reported)
        {
          _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (SLUICE_NODE (module)),
                  SLUICE_NODE (module),
                  _("module `%s` never runs: fail module `%s` before it fails the run"),
                  node_label (SLUICE_NODE (module)), node_label (SLUICE_NODE (failing)));
          dead_reported = TRUE;
        }
      else if (failing == NULL &&
               SLUICE_IS_FAIL (module) &&
               sluice_module_get_on_error (module) == SLUICE_ON_ERROR_FAIL)
        failing = g_object_ref (module);
    }
}

static void
check_phase (SluiceCheck *check,
             SluicePhase *phase)
{
  GListModel *modules = sluice_phase_get_modules (phase);

  check_id (check, SLUICE_NODE (phase));

  if (g_list_model_get_n_items (modules) == 0)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (phase)),
            SLUICE_NODE (phase), _("phase `%s` has no modules"),
            node_label (SLUICE_NODE (phase)));

  check_modules (check, modules);
}

static void
check_controller (SluiceCheck      *check,
                  SluiceController *controller)
{
  GListModel *phases = sluice_controller_get_phases (controller);
  guint n = g_list_model_get_n_items (phases);

  check_id (check, SLUICE_NODE (controller));

  if (sluice_controller_get_mode (controller) == SLUICE_MODE_NOT_PARALLEL &&
      sluice_controller_get_workers (controller) > 1)
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (SLUICE_NODE (controller)),
            SLUICE_NODE (controller),
            _("controller `%s`: workers=\"%u\" has no effect in not-parallel mode, which runs one item at a time"),
            node_label (SLUICE_NODE (controller)), sluice_controller_get_workers (controller));

  if (n == 0)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (controller)),
            SLUICE_NODE (controller), _("controller `%s` has no phases"),
            node_label (SLUICE_NODE (controller)));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, i);

      check_phase (check, phase);
    }
}

static void
check_lua_memory_limit (SluiceCheck *check)
{
  guint64 limit = sluice_pipeline_get_lua_memory_limit (check->pipeline);

  if (limit != 0 && (limit < SLUICE_MEMORY_SIZE_MIN_LUA || limit > SLUICE_MEMORY_SIZE_MAX_LUA))
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (check->pipeline)),
            SLUICE_NODE (check->pipeline),
            _("lua-memory-limit must be between 1MiB and 64GiB"));
}

void
sluice_validate (SluicePipeline *pipeline,
                 const char     *file,
                 GPtrArray      *problems)
{
  sluice_validate_for_run (pipeline, file, NULL, problems);
}

void
sluice_validate_for_run (SluicePipeline *pipeline,
                         const char     *file,
                         GHashTable     *defines,
                         GPtrArray      *problems)
{
  SluiceCheck check = { 0 };
  GListModel *controllers;
  const char *pipeline_id;
  guint n;

  g_return_if_fail (SLUICE_IS_PIPELINE (pipeline));
  g_return_if_fail (problems != NULL);

  check.pipeline = pipeline;
  check.file = file;
  check.problems = problems;
  check.defines = defines;
  check.ids = g_hash_table_new (g_str_hash, g_str_equal);
  check.lua = sluice_lua_check_new ();

  /* The pipeline's own id is optional, but when given it shares the
   * file's id space with everything below it. */
  pipeline_id = sluice_node_get_id (SLUICE_NODE (pipeline));
  if (!_sluice_check_str_empty (pipeline_id))
    g_hash_table_insert (check.ids, (gpointer) pipeline_id, pipeline);

  _sluice_check_parameters (&check);
  _sluice_check_services (&check);
  check_lua_memory_limit (&check);

  controllers = sluice_pipeline_get_controllers (pipeline);
  n = g_list_model_get_n_items (controllers);

  if (n == 0)
    _sluice_check_report (&check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (pipeline)),
            SLUICE_NODE (pipeline), _("the pipeline has no controllers"));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);

      check_controller (&check, controller);
      _sluice_check_distribute (&check, controller);
    }
  _sluice_check_schedule (&check);

  _sluice_check_tests (&check);

  _sluice_check_recommendation (&check);

  g_hash_table_unref (check.ids);
  sluice_lua_check_free (check.lua);
}
