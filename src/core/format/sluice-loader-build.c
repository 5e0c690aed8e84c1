/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-combination.h"
#include "sluice-comments.h"
#include "sluice-condition.h"
#include "sluice-controller.h"
#include "sluice-duration.h"
#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-memory-size.h"
#include "sluice-gate.h"
#include "sluice-phase.h"
#include "sluice-recommendation.h"
#include "sluice-xml-private.h"

/* Turns a checked document into the model. The document has passed the
 * structural checks and the schema, so values parse; what remains here is
 * copying, line numbers and comments.
 *
 * Comments are kept where the saver can put them back: before a node
 * (sluice_node_set_comments), after the last child of a container
 * (trailing comments), and before or inside the non-node elements
 * (description, parameters, services, view, when/then/else, bodies) as
 * object data on their owner, keyed as in sluice-xml-private.h. The few
 * places that have nowhere to go (inside a text body or an <external>)
 * get a warning instead of being dropped silently. */

typedef void (*ChildFunc) (SluiceLoadContext *ctx,
                           xmlNode           *child,
                           GStrv              comments,
                           gpointer           owner);

static void
warn_comment_dropped (SluiceLoadContext *ctx,
                      xmlNode           *comment)
{
  sluice_load_context_warning (ctx, sluice_xml_line (comment), NULL,
                               _("a comment inside <%s> is not kept when the file is saved"),
                               (const char *) comment->parent->name);
}

static void
warn_pi_dropped (SluiceLoadContext *ctx,
                 xmlNode           *pi)
{
  sluice_load_context_warning (ctx, sluice_xml_line (pi), NULL,
                               _("the processing instruction <?%s?> is not kept when the file is saved"),
                               (const char *) pi->name);
}

/* The character data of a text element, verbatim (text and CDATA). */
static char *
text_of (SluiceLoadContext *ctx,
         xmlNode           *element)
{
  GString *text = g_string_new (NULL);

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
        g_string_append (text, (const char *) child->content);
      else if (child->type == XML_COMMENT_NODE)
        warn_comment_dropped (ctx, child);
      else if (child->type == XML_PI_NODE)
        warn_pi_dropped (ctx, child);
    }
  return g_string_free (text, FALSE);
}

static GStrv
take_comments (GPtrArray *pending)
{
  GStrv strv;

  if (pending->len == 0)
    return NULL;

  strv = g_new0 (char *, pending->len + 1);
  for (guint i = 0; i < pending->len; i++)
    strv[i] = g_ptr_array_index (pending, i);
  g_ptr_array_set_size (pending, 0);
  return strv;
}

/* Calls @func for each element child of @parent with the comments that
 * stood before it; returns the comments after the last element. */
static GStrv
walk_children (SluiceLoadContext *ctx,
               xmlNode           *parent,
               ChildFunc          func,
               gpointer           owner)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    {
      if (child->type == XML_COMMENT_NODE)
        g_ptr_array_add (pending, g_strdup ((const char *) child->content));
      else if (child->type == XML_PI_NODE)
        warn_pi_dropped (ctx, child);
      else if (child->type == XML_ELEMENT_NODE)
        {
          g_auto(GStrv) comments = take_comments (pending);
          func (ctx, child, comments, owner);
        }
    }
  return take_comments (pending);
}

/* Comments in places that have no slot of their own. */
static void
warn_all_comments (SluiceLoadContext *ctx,
                   xmlNode           *parent)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (child->type == XML_COMMENT_NODE)
      warn_comment_dropped (ctx, child);
    else if (child->type == XML_PI_NODE)
      warn_pi_dropped (ctx, child);
}

static void
set_comment_data (gpointer    object,
                  const char *prefix,
                  const char *element,
                  GStrv       comments)
{
  g_autofree char *place = NULL;

  if (comments == NULL)
    return;
  place = g_strconcat (prefix, element, NULL);
  sluice_comments_set (object, place, (const char * const *) comments);
}

static void
set_node_basics (SluiceNode *node,
                 xmlNode    *element,
                 GStrv       comments)
{
  g_autofree char *id = sluice_xml_get_attr (element, "id");
  g_autofree char *name = sluice_xml_get_attr (element, "name");

  if (id != NULL)
    sluice_node_set_id (node, id);
  if (name != NULL)
    sluice_node_set_name (node, name);
  sluice_node_set_line (node, sluice_xml_line (element));
  if (comments != NULL)
    sluice_node_set_comments (node, (const char * const *) comments);
}

static void add_module_cb (SluiceLoadContext *ctx,
                           xmlNode           *element,
                           GStrv              comments,
                           gpointer           owner);

/* The owner of a module list and the list itself. */
typedef struct
{
  SluiceNode *node;
  GListModel *list;
} ModuleList;

static void
add_modules (SluiceLoadContext *ctx,
             xmlNode           *element,
             SluiceNode        *owner_node,
             GListModel        *list,
             gpointer           trailing_owner,
             const char        *trailing_key)
{
  ModuleList target = { owner_node, list };
  g_auto(GStrv) trailing = walk_children (ctx, element, add_module_cb, &target);

  if (trailing == NULL)
    return;
  if (trailing_key == NULL)
    sluice_node_set_trailing_comments (owner_node, (const char * const *) trailing);
  else
    set_comment_data (trailing_owner, SLUICE_XML_TRAILING_KEY_PREFIX, trailing_key, trailing);
}

static void
add_tool_param (SluiceLoadContext *ctx,
                SluiceExecution   *execution,
                xmlNode           *element)
{
  g_autofree char *name = sluice_xml_get_attr (element, "name");
  g_autofree char *value = text_of (ctx, element);
  GPtrArray *params;

  if (sluice_execution_lookup_tool_param (execution, name) != NULL)
    {
      sluice_load_context_error (ctx, sluice_xml_line (element),
                                 sluice_node_get_id (SLUICE_NODE (execution)),
                                 _("tool param `%s` is given twice"), name);
      return;
    }

  sluice_execution_set_tool_param (execution, name, value);
  params = sluice_execution_get_tool_params (execution);
  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);

      if (g_strcmp0 (param->name, name) == 0)
        param->line = sluice_xml_line (element);
    }
}

static void
tool_param_cb (SluiceLoadContext *ctx,
               xmlNode           *element,
               GStrv              comments,
               gpointer           owner)
{
  g_autofree char *name = sluice_xml_get_attr (element, "name");
  g_autofree char *key = g_strconcat ("param:", name, NULL);

  set_comment_data (owner, SLUICE_XML_BEFORE_KEY_PREFIX, key, comments);
  add_tool_param (ctx, owner, element);
}

static void
execution_child_cb (SluiceLoadContext *ctx,
                    xmlNode           *element,
                    GStrv              comments,
                    gpointer           owner)
{
  SluiceExecution *execution = owner;
  const char *kind = (const char *) element->name;

  set_comment_data (execution, SLUICE_XML_BEFORE_KEY_PREFIX, kind, comments);

  if (g_str_equal (kind, "lua") || g_str_equal (kind, "command"))
    {
      g_autofree char *code = text_of (ctx, element);

      if (g_str_equal (kind, "lua"))
        sluice_execution_set_lua (execution, code);
      else
        sluice_execution_set_command (execution, code);
      /* The code starts right after the start tag, on its line. */
      sluice_execution_set_code_line (execution, sluice_xml_line (element));
    }
  else if (g_str_equal (kind, "use"))
    {
      g_autofree char *tool = sluice_xml_get_attr (element, "tool");

      g_auto(GStrv) trailing = NULL;

      sluice_execution_set_tool (execution, tool);
      sluice_execution_set_code_line (execution, sluice_xml_line (element));
      trailing = walk_children (ctx, element, tool_param_cb, execution);
      set_comment_data (execution, SLUICE_XML_TRAILING_KEY_PREFIX, "use", trailing);
    }
}

static void
condition_child_cb (SluiceLoadContext *ctx,
                    xmlNode           *element,
                    GStrv              comments,
                    gpointer           owner)
{
  SluiceCondition *condition = owner;
  const char *part = (const char *) element->name;

  set_comment_data (condition, SLUICE_XML_BEFORE_KEY_PREFIX, part, comments);

  if (g_str_equal (part, "when"))
    {
      g_autofree char *expression = text_of (ctx, element);

      sluice_condition_set_expression (condition, expression);
      sluice_condition_set_expression_line (condition, sluice_xml_line (element));
    }
  else if (g_str_equal (part, "then"))
    add_modules (ctx, element, SLUICE_NODE (condition),
                 sluice_condition_get_then_modules (condition), condition, "then");
  else if (g_str_equal (part, "else"))
    add_modules (ctx, element, SLUICE_NODE (condition),
                 sluice_condition_get_else_modules (condition), condition, "else");
}

static void
gate_check_cb (SluiceLoadContext *ctx,
               xmlNode           *element,
               GStrv              comments,
               gpointer           owner)
{
  g_autoptr(SluiceGateCheck) check = g_new0 (SluiceGateCheck, 1);

  check->name = sluice_xml_get_attr (element, "name");
  check->value = sluice_xml_get_attr (element, "value");
  check->op = sluice_xml_get_attr (element, "op");
  check->threshold = sluice_xml_get_attr (element, "threshold");
  check->min = sluice_xml_get_attr (element, "min");
  check->max = sluice_xml_get_attr (element, "max");
  check->relative_to = sluice_xml_get_attr (element, "relative-to");
  check->relative = sluice_xml_get_attr (element, "relative");
  check->line = sluice_xml_line (element);
  if (comments != NULL)
    sluice_load_context_warning (ctx, sluice_xml_line (element), NULL,
                                 _("a comment inside <gate> is not kept when the file is saved"));
  sluice_gate_add_check (SLUICE_GATE (owner), check);
}

static void
apply_module_attributes (SluiceModule *module,
                         xmlNode      *element)
{
  g_autofree char *timeout = sluice_xml_get_attr (element, "timeout");
  g_autofree char *retries = sluice_xml_get_attr (element, "retries");
  g_autofree char *backoff = sluice_xml_get_attr (element, "backoff");
  g_autofree char *on_error = sluice_xml_get_attr (element, "on-error");

  if (timeout != NULL)
    {
      gint64 ms = 0;

      if (sluice_duration_parse (timeout, &ms))
        sluice_module_set_timeout_ms (module, ms);
    }
  if (retries != NULL)
    sluice_module_set_retries (module, (guint) g_ascii_strtoull (retries, NULL, 10));
  if (backoff != NULL)
    sluice_module_set_backoff (module, g_ascii_strtod (backoff, NULL));
  if (on_error != NULL)
    {
      SluiceOnError value;

      if (sluice_on_error_from_string (on_error, &value))
        sluice_module_set_on_error (module, value);
    }
}

static SluiceModule *
build_module (SluiceLoadContext *ctx,
              xmlNode           *element,
              GStrv              comments)
{
  const char *kind = (const char *) element->name;
  g_autofree char *id = sluice_xml_get_attr (element, "id");
  SluiceModule *module = NULL;
  GStrv trailing = NULL;

  if (g_str_equal (kind, "execution"))
    {
      module = SLUICE_MODULE (sluice_execution_new (id));
      trailing = walk_children (ctx, element, execution_child_cb, module);
    }
  else if (g_str_equal (kind, "condition"))
    {
      module = SLUICE_MODULE (sluice_condition_new (id, NULL));
      trailing = walk_children (ctx, element, condition_child_cb, module);
    }
  else if (g_str_equal (kind, "combination"))
    {
      SluiceCombination *combination = sluice_combination_new (id);

      module = SLUICE_MODULE (combination);
      add_modules (ctx, element, SLUICE_NODE (combination),
                   sluice_combination_get_modules (combination), NULL, NULL);
    }
  else if (g_str_equal (kind, "external"))
    {
      g_autofree char *service = sluice_xml_get_attr (element, "service");

      module = SLUICE_MODULE (sluice_external_new (id, service));
      warn_all_comments (ctx, element);
    }
  else if (g_str_equal (kind, "fail"))
    {
      g_autofree char *reason = text_of (ctx, element);

      module = SLUICE_MODULE (sluice_fail_new (id, reason));
    }
  else if (g_str_equal (kind, "gate"))
    {
      g_auto(GStrv) gate_trailing = NULL;

      module = SLUICE_MODULE (sluice_gate_new (id));
      gate_trailing = walk_children (ctx, element, gate_check_cb, module);
      if (gate_trailing != NULL)
        sluice_load_context_warning (ctx, sluice_xml_line (element), NULL,
                                     _("a comment inside <gate> is not kept when the file is saved"));
    }
  else
    g_assert_not_reached ();  /* the checks only let module elements here */

  set_node_basics (SLUICE_NODE (module), element, comments);
  apply_module_attributes (module, element);
  if (trailing != NULL)
    sluice_node_set_trailing_comments (SLUICE_NODE (module), (const char * const *) trailing);
  g_strfreev (trailing);

  return module;
}

static void
add_module_cb (SluiceLoadContext *ctx,
               xmlNode           *element,
               GStrv              comments,
               gpointer           owner)
{
  ModuleList *target = owner;
  g_autoptr(SluiceModule) module = build_module (ctx, element, comments);

  sluice_node_list_append (target->node, target->list, SLUICE_NODE (module));
}

static void
add_phase_cb (SluiceLoadContext *ctx,
              xmlNode           *element,
              GStrv              comments,
              gpointer           owner)
{
  SluiceController *controller = owner;
  g_autofree char *id = sluice_xml_get_attr (element, "id");
  g_autoptr(SluicePhase) phase = sluice_phase_new (id);

  set_node_basics (SLUICE_NODE (phase), element, comments);
  add_modules (ctx, element, SLUICE_NODE (phase),
               sluice_phase_get_modules (phase), NULL, NULL);
  sluice_node_list_append (SLUICE_NODE (controller),
                           sluice_controller_get_phases (controller),
                           SLUICE_NODE (phase));
}

static void
add_controller (SluiceLoadContext *ctx,
                SluicePipeline    *pipeline,
                xmlNode           *element,
                GStrv              comments)
{
  g_autofree char *id = sluice_xml_get_attr (element, "id");
  g_autofree char *mode_text = sluice_xml_get_attr (element, "mode");
  g_autofree char *workers = sluice_xml_get_attr (element, "workers");
  g_autofree char *distribute = sluice_xml_get_attr (element, "distribute");
  g_autoptr(SluiceController) controller = NULL;
  g_auto(GStrv) trailing = NULL;
  SluiceMode mode = SLUICE_MODE_NOT_PARALLEL;

  if (mode_text != NULL)
    sluice_mode_from_string (mode_text, &mode);
  controller = sluice_controller_new (id, mode);
  set_node_basics (SLUICE_NODE (controller), element, comments);
  if (workers != NULL)
    sluice_controller_set_workers (controller, (guint) g_ascii_strtoull (workers, NULL, 10));
  sluice_controller_set_distribute (controller, distribute);

  trailing = walk_children (ctx, element, add_phase_cb, controller);
  if (trailing != NULL)
    sluice_node_set_trailing_comments (SLUICE_NODE (controller), (const char * const *) trailing);

  sluice_node_list_append (SLUICE_NODE (pipeline),
                           sluice_pipeline_get_controllers (pipeline),
                           SLUICE_NODE (controller));
}

static void
add_parameter_cb (SluiceLoadContext *ctx,
                  xmlNode           *element,
                  GStrv              comments,
                  gpointer           owner)
{
  SluicePipeline *pipeline = owner;
  g_autofree char *name = sluice_xml_get_attr (element, "name");
  g_autofree char *default_value = sluice_xml_get_attr (element, "default");
  g_autofree char *description = sluice_xml_get_attr (element, "description");
  g_autoptr(SluiceParameter) parameter = sluice_parameter_new (name, default_value);

  if (description != NULL)
    sluice_parameter_set_description (parameter, description);
  sluice_parameter_set_line (parameter, sluice_xml_line (element));
  sluice_comments_set (parameter, SLUICE_COMMENTS_BEFORE, (const char * const *) comments);
  g_list_store_append (sluice_pipeline_get_parameters (pipeline), parameter);
}

typedef struct
{
  SluiceService *service;
  GPtrArray     *urls;
} ServiceBuild;

/* Comments before an endpoint are keyed by its URL; the saver writes them
 * before the first endpoint with that URL. */
static void
endpoint_cb (SluiceLoadContext *ctx,
             xmlNode           *element,
             GStrv              comments,
             gpointer           owner)
{
  ServiceBuild *build = owner;
  char *url = sluice_xml_get_attr (element, "url");
  g_autofree char *key = g_strconcat (SLUICE_XML_BEFORE_KEY_PREFIX, "endpoint:", url, NULL);
  const char * const *earlier = sluice_comments_get (build->service, key);

  if (comments != NULL)
    {
      g_autoptr(GStrvBuilder) all = g_strv_builder_new ();

      if (earlier != NULL)
        g_strv_builder_addv (all, (const char **) earlier);
      g_strv_builder_addv (all, (const char **) comments);
      g_auto(GStrv) joined = g_strv_builder_end (all);

      sluice_comments_set (build->service, key, (const char * const *) joined);
    }
  g_ptr_array_add (build->urls, url);
}

static void
add_service_cb (SluiceLoadContext *ctx,
                xmlNode           *element,
                GStrv              comments,
                gpointer           owner)
{
  SluicePipeline *pipeline = owner;
  g_autofree char *name = sluice_xml_get_attr (element, "name");
  g_autofree char *balance = sluice_xml_get_attr (element, "balance");
  g_autofree char *balancer = sluice_xml_get_attr (element, "balancer");
  g_autofree char *pipeline_id = sluice_xml_get_attr (element, "pipeline");
  g_autofree char *token_file = sluice_xml_get_attr (element, "token-file");
  g_autoptr(SluiceService) service = sluice_service_new (name);
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  ServiceBuild build = { service, urls };
  g_auto(GStrv) trailing = NULL;

  if (balance != NULL && !g_str_equal (balance, "least-loaded"))
    sluice_service_set_balance (service, balance);
  sluice_service_set_balancer (service, balancer);
  sluice_service_set_pipeline (service, pipeline_id);
  sluice_service_set_token_file (service, token_file);
  sluice_service_set_line (service, sluice_xml_line (element));
  sluice_comments_set (service, SLUICE_COMMENTS_BEFORE, (const char * const *) comments);

  trailing = walk_children (ctx, element, endpoint_cb, &build);
  set_comment_data (service, SLUICE_XML_TRAILING_KEY_PREFIX, "service", trailing);
  g_ptr_array_add (urls, NULL);
  sluice_service_set_endpoints (service, (const char * const *) urls->pdata);

  g_list_store_append (sluice_pipeline_get_services (pipeline), service);
}

/* The schedule's values were checked by the structural checks and the
 * schema; the cron expression and the zone are the validator's. */
static void
set_schedule (SluicePipeline *pipeline,
              xmlNode        *element)
{
  g_autofree char *cron = sluice_xml_get_attr (element, "cron");
  g_autofree char *timezone = sluice_xml_get_attr (element, "timezone");
  g_autofree char *timescope = sluice_xml_get_attr (element, "timescope");
  g_autofree char *catch_up = sluice_xml_get_attr (element, "catch-up");
  g_autofree char *overlap = sluice_xml_get_attr (element, "overlap");
  g_autoptr(SluiceSchedule) schedule = sluice_schedule_new (cron);
  SluiceTimescope timescope_value;
  SluiceCatchUp catch_up_value;
  SluiceOverlap overlap_value;

  sluice_schedule_set_timezone (schedule, timezone);
  if (sluice_timescope_from_string (timescope, &timescope_value))
    sluice_schedule_set_timescope (schedule, timescope_value);
  if (sluice_catch_up_from_string (catch_up, &catch_up_value))
    sluice_schedule_set_catch_up (schedule, catch_up_value);
  if (sluice_overlap_from_string (overlap, &overlap_value))
    sluice_schedule_set_overlap (schedule, overlap_value);
  sluice_schedule_set_line (schedule, sluice_xml_line (element));
  sluice_pipeline_set_schedule (pipeline, schedule);
}

static void
add_rule_cb (SluiceLoadContext *ctx,
             xmlNode           *element,
             GStrv              comments,
             gpointer           owner)
{
  g_autofree char *verdict = sluice_xml_get_attr (element, "verdict");
  g_autofree char *when = sluice_xml_get_attr (element, "when");
  g_autofree char *value = sluice_xml_get_attr (element, "value");

  if (comments != NULL)
    sluice_load_context_warning (ctx, sluice_xml_line (element), NULL,
                                 _("a comment inside <recommendation> is not kept when the file is saved"));
  sluice_recommendation_add_rule (owner, verdict, when, value, sluice_xml_line (element));
}

static void
add_recommendation (SluiceLoadContext *ctx,
                    SluicePipeline    *pipeline,
                    xmlNode           *element)
{
  g_autoptr(SluiceRecommendation) recommendation = sluice_recommendation_new ();
  g_autofree char *near = sluice_xml_get_attr (element, "near");
  g_auto(GStrv) trailing = NULL;

  sluice_recommendation_set_near (recommendation, near);
  sluice_recommendation_set_line (recommendation, sluice_xml_line (element));
  trailing = walk_children (ctx, element, add_rule_cb, recommendation);
  if (trailing != NULL)
    sluice_load_context_warning (ctx, sluice_xml_line (element), NULL,
                                 _("a comment inside <recommendation> is not kept when the file is saved"));
  sluice_recommendation_set_for (pipeline, recommendation);
}

static char *
dump_element (xmlNode *element)
{
  xmlBufferPtr buffer = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buffer, element->doc, element, 0, 0);
  ret = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return ret;
}

static void
pipeline_child_cb (SluiceLoadContext *ctx,
                   xmlNode           *element,
                   GStrv              comments,
                   gpointer           owner)
{
  SluicePipeline *pipeline = owner;
  const char *kind = (const char *) element->name;
  g_auto(GStrv) trailing = NULL;

  if (g_str_equal (kind, "controller"))
    {
      add_controller (ctx, pipeline, element, comments);
      return;
    }

  set_comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, kind, comments);

  if (g_str_equal (kind, "description"))
    {
      g_autofree char *description = text_of (ctx, element);
      sluice_pipeline_set_description (pipeline, description);
    }
  else if (g_str_equal (kind, "parameters"))
    trailing = walk_children (ctx, element, add_parameter_cb, pipeline);
  else if (g_str_equal (kind, "services"))
    trailing = walk_children (ctx, element, add_service_cb, pipeline);
  else if (g_str_equal (kind, "schedule"))
    {
      set_schedule (pipeline, element);
      warn_all_comments (ctx, element);
    }
  else if (g_str_equal (kind, "tests"))
    trailing = sluice_loader_build_tests (ctx, element, pipeline);
  else if (g_str_equal (kind, "recommendation"))
    add_recommendation (ctx, pipeline, element);
  else if (g_str_equal (kind, "view"))
    {
      g_autofree char *view = dump_element (element);
      sluice_pipeline_set_view_xml (pipeline, view);
    }

  set_comment_data (pipeline, SLUICE_XML_TRAILING_KEY_PREFIX, kind, trailing);
}

SluicePipeline *
sluice_loader_build (SluiceLoadContext *ctx,
                     xmlDoc            *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(GPtrArray) before = g_ptr_array_new ();
  g_autoptr(GPtrArray) after = g_ptr_array_new ();
  g_autofree char *format = sluice_xml_get_attr (root, "format");
  g_auto(GStrv) trailing = NULL;
  g_auto(GStrv) before_root = NULL;
  g_auto(GStrv) after_root = NULL;
  gboolean seen_root = FALSE;

  for (xmlNode *child = doc->children; child != NULL; child = child->next)
    {
      if (child == root)
        seen_root = TRUE;
      else if (child->type == XML_COMMENT_NODE)
        g_ptr_array_add (seen_root ? after : before,
                         g_strdup ((const char *) child->content));
      else if (child->type == XML_PI_NODE)
        warn_pi_dropped (ctx, child);
    }

  set_node_basics (SLUICE_NODE (pipeline), root, NULL);
  sluice_pipeline_set_format (pipeline, (guint) g_ascii_strtoull (format, NULL, 10));
  {
    g_autofree char *lua_memory = sluice_xml_get_attr (root, "lua-memory-limit");
    guint64 bytes = 0;

    /* The schema checked the form. A size too large for 64 bits is kept
     * as the largest, and 0 (which would read as "not set") as 1 byte,
     * so that the validator refuses both as out of range. */
    if (lua_memory != NULL)
      {
        if (!sluice_memory_size_parse (lua_memory, &bytes))
          bytes = G_MAXUINT64;
        sluice_pipeline_set_lua_memory_limit (pipeline, MAX (bytes, 1));
      }
  }

  before_root = take_comments (before);
  after_root = take_comments (after);
  if (before_root != NULL)
    sluice_node_set_comments (SLUICE_NODE (pipeline), (const char * const *) before_root);
  sluice_comments_set (pipeline, SLUICE_COMMENTS_AFTER, (const char * const *) after_root);

  trailing = walk_children (ctx, root, pipeline_child_cb, pipeline);
  if (trailing != NULL)
    sluice_node_set_trailing_comments (SLUICE_NODE (pipeline), (const char * const *) trailing);

  return g_steal_pointer (&pipeline);
}
