/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

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
#include "sluice-recommendation.h"
#include "sluice-phase.h"
#include "sluice-saver.h"
#include "sluice-xml-private.h"

/* The canonical form of a pipeline file, which is what the saver writes and
 * what makes saves diff-friendly:
 *
 *  - `<?xml version="1.0" encoding="UTF-8"?>`, then the comments that stood
 *    before the root, then <pipeline>; the file ends with a newline.
 *  - One element per line, indented by two spaces per level. An element
 *    with no children and no text is written self-closing (`<phase id="p"/>`).
 *  - Children in schema order: description, parameters, services,
 *    schedule, controllers, view. <parameters> and <services> are omitted when empty;
 *    in a condition, <when> always, then <then> and <else> when they hold
 *    modules (or comments).
 *  - Attributes in a fixed order: pipeline format, id, name; parameter
 *    name, default, description; service name, balance, balancer,
 *    pipeline, token-file; endpoint url; schedule cron, timezone,
 *    timescope, catch-up, overlap;
 *    controller id, name, mode, workers, distribute; phase id, name; modules id, name,
 *    (external: service), timeout, retries, backoff, on-error; use tool;
 *    param name. Attributes with their default value are omitted: name
 *    when unset, workers when unset (0), timeout 0, retries 0, backoff 2,
 *    on-error fail, balance least-loaded, catch-up none, overlap skip. The controller's mode is the
 *    exception and always written: it is what a reader looks for first.
 *  - Durations in the largest exact unit (sluice_duration_format), backoff
 *    as the shortest decimal that reads back to the same double.
 *  - Text bodies (<lua>, <command>, <when>, <param>, <fail>, <description>)
 *    are written verbatim inside their element, newlines and indentation
 *    included, so `<lua>` code is byte-for-byte what the user typed; only
 *    `<` and `&` (and `>` after `]]`) are escaped, and a carriage return as
 *    `&#13;`. No CDATA: a loaded CDATA section is written as escaped text.
 *  - Attribute values escape `& < > "` and tab, newline and carriage
 *    return as character references, so they survive normalisation.
 *  - Comments on a line of their own, `<!--text-->` with the text verbatim,
 *    at the indentation of the element they precede (or of the last child
 *    position for trailing ones). They are kept before and after every
 *    element except inside text bodies and <external> (the loader warns
 *    about those); see tests/data/xml/comments.xml.
 *  - <view> is written as it was loaded (libxml2's serialisation of it),
 *    indented to its level.
 *
 * Characters XML 1.0 cannot represent (control characters other than tab,
 * newline and carriage return) are left out, so the output is always
 * well-formed. */

#define DEFAULT_BALANCE "least-loaded"

static void
append_indent (GString *out,
               guint    depth)
{
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static gboolean
is_xml_char (guchar c)
{
  return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

static void
append_escaped (GString    *out,
                const char *raw,
                gboolean    attribute)
{
  g_autofree char *valid = g_utf8_make_valid (raw, -1);

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (!is_xml_char (c))
        continue;
      switch (c)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          if (attribute || (p - valid >= 2 && p[-1] == ']' && p[-2] == ']'))
            g_string_append (out, "&gt;");
          else
            g_string_append_c (out, '>');
          break;
        case '"':
          g_string_append (out, attribute ? "&quot;" : "\"");
          break;
        case '\r':
          g_string_append (out, "&#13;");
          break;
        case '\n':
          g_string_append (out, attribute ? "&#10;" : "\n");
          break;
        case '\t':
          g_string_append (out, attribute ? "&#9;" : "\t");
          break;
        default:
          g_string_append_c (out, (char) c);
        }
    }
}

static void
append_attr (GString    *out,
             const char *name,
             const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, " %s=\"", name);
  append_escaped (out, value, TRUE);
  g_string_append_c (out, '"');
}

static void
append_comments (GString            *out,
                 guint               depth,
                 const char * const *comments)
{
  for (guint i = 0; comments != NULL && comments[i] != NULL; i++)
    {
      g_autoptr(GString) text = g_string_new (comments[i]);

      /* "--" cannot appear in a comment, nor can one end in "-". */
      while (g_string_replace (text, "--", "- -", 0) > 0)
        ;
      if (text->len > 0 && text->str[text->len - 1] == '-')
        g_string_append_c (text, ' ');

      append_indent (out, depth);
      g_string_append (out, "<!--");
      for (gsize j = 0; j < text->len; j++)
        if (is_xml_char ((guchar) text->str[j]))
          g_string_append_c (out, text->str[j]);
      g_string_append (out, "-->\n");
    }
}

static gboolean
strv_contains_n (const char * const *strv,
                   guint               n,
                   const char         *str)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (strv[i], str))
      return TRUE;
  return FALSE;
}

static const char * const *
comment_data (gpointer    object,
              const char *prefix,
              const char *element)
{
  g_autofree char *place = g_strconcat (prefix, element, NULL);

  return sluice_comments_get (object, place);
}

/* An element whose children follow; closed with close_element(), which
 * turns it into a self-closing tag when nothing was written inside. */
typedef struct
{
  const char *name;
  guint       depth;
  gsize       tag_end;   /* length of @out right after ">\n" */
} OpenElement;

static void
open_tag (GString    *out,
          guint       depth,
          const char *name)
{
  append_indent (out, depth);
  g_string_append_printf (out, "<%s", name);
}

static OpenElement
end_open_tag (GString    *out,
              guint       depth,
              const char *name)
{
  OpenElement element = { name, depth, 0 };

  g_string_append (out, ">\n");
  element.tag_end = out->len;
  return element;
}

static void
close_element (GString           *out,
               const OpenElement *element)
{
  if (out->len == element->tag_end)
    {
      g_string_truncate (out, element->tag_end - 2);
      g_string_append (out, "/>\n");
      return;
    }
  append_indent (out, element->depth);
  g_string_append_printf (out, "</%s>\n", element->name);
}

/* Writes ">text</name>\n", or "/>\n" for empty text. */
static void
finish_text_element (GString    *out,
                     const char *name,
                     const char *text)
{
  if (text == NULL || *text == '\0')
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append_c (out, '>');
  append_escaped (out, text, FALSE);
  g_string_append_printf (out, "</%s>\n", name);
}

static void
write_text_element (GString    *out,
                    guint       depth,
                    const char *name,
                    const char *text)
{
  open_tag (out, depth, name);
  finish_text_element (out, name, text);
}

static void write_modules (GString    *out,
                           guint       depth,
                           GListModel *modules);

static void
append_module_attributes (GString      *out,
                          SluiceModule *module)
{
  SluiceNode *node = SLUICE_NODE (module);
  gint64 timeout = sluice_module_get_timeout_ms (module);
  guint retries = sluice_module_get_retries (module);
  double backoff = sluice_module_get_backoff (module);
  SluiceOnError on_error = sluice_module_get_on_error (module);

  append_attr (out, "id", sluice_node_get_id (node));
  append_attr (out, "name", sluice_node_get_name (node));
  if (SLUICE_IS_EXTERNAL (module))
    append_attr (out, "service", sluice_external_get_service (SLUICE_EXTERNAL (module)));
  if (timeout > 0)
    {
      g_autofree char *text = sluice_duration_format (timeout);
      append_attr (out, "timeout", text);
    }
  if (retries > 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", retries);
      append_attr (out, "retries", text);
    }
  if (backoff != SLUICE_DEFAULT_BACKOFF)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      /* The shortest of the usual precisions that reads back exactly. */
      g_ascii_formatd (buffer, sizeof buffer, "%.15g", backoff);
      if (g_ascii_strtod (buffer, NULL) != backoff)
        g_ascii_formatd (buffer, sizeof buffer, "%.17g", backoff);
      append_attr (out, "backoff", buffer);
    }
  if (on_error != SLUICE_ON_ERROR_FAIL)
    append_attr (out, "on-error", sluice_on_error_to_string (on_error));
}

static void
write_execution_body (GString         *out,
                      guint            depth,
                      SluiceExecution *execution)
{
  SluiceBodyKind kind = sluice_execution_get_body_kind (execution);
  const char *name;

  switch (kind)
    {
    case SLUICE_BODY_LUA:
      name = "lua";
      break;
    case SLUICE_BODY_COMMAND:
      name = "command";
      break;
    case SLUICE_BODY_TOOL:
      name = "use";
      break;
    case SLUICE_BODY_NONE:
    default:
      return;
    }

  append_comments (out, depth, comment_data (execution, SLUICE_XML_BEFORE_KEY_PREFIX, name));

  if (kind == SLUICE_BODY_TOOL)
    {
      GPtrArray *params = sluice_execution_get_tool_params (execution);
      OpenElement use;

      open_tag (out, depth, "use");
      append_attr (out, "tool", sluice_execution_get_tool (execution));
      use = end_open_tag (out, depth, "use");
      for (guint i = 0; i < params->len; i++)
        {
          SluiceToolParam *param = g_ptr_array_index (params, i);
          g_autofree char *key = g_strconcat ("param:", param->name, NULL);

          append_comments (out, depth + 1,
                           comment_data (execution, SLUICE_XML_BEFORE_KEY_PREFIX, key));
          open_tag (out, depth + 1, "param");
          append_attr (out, "name", param->name);
          finish_text_element (out, "param", param->value);
        }
      append_comments (out, depth + 1,
                       comment_data (execution, SLUICE_XML_TRAILING_KEY_PREFIX, "use"));
      close_element (out, &use);
    }
  else
    write_text_element (out, depth, name, sluice_execution_get_code (execution));
}

static void
write_condition_branch (GString         *out,
                        guint            depth,
                        SluiceCondition *condition,
                        const char      *name,
                        GListModel      *modules)
{
  const char * const *before = comment_data (condition, SLUICE_XML_BEFORE_KEY_PREFIX, name);
  const char * const *inside = comment_data (condition, SLUICE_XML_TRAILING_KEY_PREFIX, name);
  OpenElement element;

  if (g_list_model_get_n_items (modules) == 0 && before == NULL && inside == NULL)
    return;

  append_comments (out, depth, before);
  open_tag (out, depth, name);
  element = end_open_tag (out, depth, name);
  write_modules (out, depth + 1, modules);
  append_comments (out, depth + 1, inside);
  close_element (out, &element);
}

static void
write_gate_checks (GString    *out,
                   guint       depth,
                   SluiceGate *gate)
{
  guint n = sluice_gate_get_n_checks (gate);

  for (guint i = 0; i < n; i++)
    {
      const SluiceGateCheck *check = sluice_gate_get_check (gate, i);

      open_tag (out, depth, "check");
      append_attr (out, "name", check->name);
      append_attr (out, "value", check->value);
      append_attr (out, "relative-to", check->relative_to);
      append_attr (out, "relative", check->relative);
      append_attr (out, "op", check->op);
      append_attr (out, "threshold", check->threshold);
      append_attr (out, "min", check->min);
      append_attr (out, "max", check->max);
      g_string_append (out, "/>\n");
    }
}

static void
write_recommendation (GString        *out,
                      guint           depth,
                      SluicePipeline *pipeline)
{
  SluiceRecommendation *recommendation = sluice_recommendation_get_for (pipeline);
  OpenElement element;

  if (recommendation == NULL)
    return;

  append_comments (out, depth, comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, "recommendation"));
  open_tag (out, depth, "recommendation");
  append_attr (out, "near", sluice_recommendation_get_near (recommendation));
  element = end_open_tag (out, depth, "recommendation");
  for (guint i = 0; i < sluice_recommendation_get_n_rules (recommendation); i++)
    {
      const SluiceRecommendationRule *rule = sluice_recommendation_get_rule (recommendation, i);

      open_tag (out, depth + 1, "rule");
      append_attr (out, "verdict", rule->verdict);
      append_attr (out, "when", rule->when);
      append_attr (out, "value", rule->value);
      g_string_append (out, "/>\n");
    }
  close_element (out, &element);
}

static void
write_module (GString      *out,
              guint         depth,
              SluiceModule *module)
{
  SluiceNode *node = SLUICE_NODE (module);
  const char *name = sluice_node_get_element_name (node);
  OpenElement element;

  append_comments (out, depth, sluice_node_get_comments (node));
  open_tag (out, depth, name);
  append_module_attributes (out, module);

  if (SLUICE_IS_FAIL (module))
    {
      finish_text_element (out, name, sluice_fail_get_reason (SLUICE_FAIL (module)));
      return;
    }

  element = end_open_tag (out, depth, name);

  if (SLUICE_IS_EXECUTION (module))
    write_execution_body (out, depth + 1, SLUICE_EXECUTION (module));
  else if (SLUICE_IS_CONDITION (module))
    {
      SluiceCondition *condition = SLUICE_CONDITION (module);

      append_comments (out, depth + 1,
                       comment_data (condition, SLUICE_XML_BEFORE_KEY_PREFIX, "when"));
      write_text_element (out, depth + 1, "when", sluice_condition_get_expression (condition));
      write_condition_branch (out, depth + 1, condition, "then",
                              sluice_condition_get_then_modules (condition));
      write_condition_branch (out, depth + 1, condition, "else",
                              sluice_condition_get_else_modules (condition));
    }
  else if (SLUICE_IS_COMBINATION (module))
    write_modules (out, depth + 1, sluice_combination_get_modules (SLUICE_COMBINATION (module)));
  else if (SLUICE_IS_GATE (module))
    write_gate_checks (out, depth + 1, SLUICE_GATE (module));

  append_comments (out, depth + 1, sluice_node_get_trailing_comments (node));
  close_element (out, &element);
}

static void
write_modules (GString    *out,
               guint       depth,
               GListModel *modules)
{
  guint n = g_list_model_get_n_items (modules);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceModule) module = g_list_model_get_item (modules, i);
      write_module (out, depth, module);
    }
}

/* Controllers and phases: a node with an id, a name and a child list. */
static OpenElement
open_node (GString    *out,
           guint       depth,
           SluiceNode *node)
{
  const char *name = sluice_node_get_element_name (node);

  append_comments (out, depth, sluice_node_get_comments (node));
  open_tag (out, depth, name);
  append_attr (out, "id", sluice_node_get_id (node));
  append_attr (out, "name", sluice_node_get_name (node));
  return (OpenElement) { name, depth, 0 };
}

static void
write_controller (GString          *out,
                  guint             depth,
                  SluiceController *controller)
{
  GListModel *phases = sluice_controller_get_phases (controller);
  guint workers = sluice_controller_get_workers (controller);
  OpenElement element;

  element = open_node (out, depth, SLUICE_NODE (controller));
  append_attr (out, "mode", sluice_mode_to_string (sluice_controller_get_mode (controller)));
  if (workers > 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", workers);
      append_attr (out, "workers", text);
    }
  if (sluice_controller_get_distribute (controller) != NULL)
    append_attr (out, "distribute", sluice_controller_get_distribute (controller));
  element = end_open_tag (out, depth, element.name);

  for (guint i = 0; i < g_list_model_get_n_items (phases); i++)
    {
      g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, i);
      OpenElement phase_element = open_node (out, depth + 1, SLUICE_NODE (phase));

      phase_element = end_open_tag (out, depth + 1, phase_element.name);
      write_modules (out, depth + 2, sluice_phase_get_modules (phase));
      append_comments (out, depth + 2, sluice_node_get_trailing_comments (SLUICE_NODE (phase)));
      close_element (out, &phase_element);
    }

  append_comments (out, depth + 1, sluice_node_get_trailing_comments (SLUICE_NODE (controller)));
  close_element (out, &element);
}

/* A pipeline-level list (<parameters>, <services>): omitted when it is
 * empty and has no comments; each item written by @write_item. */
typedef void (*WriteItemFunc) (GString  *out,
                               guint     depth,
                               gpointer  item);

static void
write_list (GString        *out,
            guint           depth,
            SluicePipeline *pipeline,
            const char     *name,
            GListModel     *list,
            WriteItemFunc   write_item)
{
  const char * const *before = comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, name);
  const char * const *inside = comment_data (pipeline, SLUICE_XML_TRAILING_KEY_PREFIX, name);
  OpenElement element;

  if (g_list_model_get_n_items (list) == 0 && before == NULL && inside == NULL)
    return;

  append_comments (out, depth, before);
  open_tag (out, depth, name);
  element = end_open_tag (out, depth, name);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (list, i);

      append_comments (out, depth + 1, sluice_comments_get (item, SLUICE_COMMENTS_BEFORE));
      write_item (out, depth + 1, item);
    }
  append_comments (out, depth + 1, inside);
  close_element (out, &element);
}

static void
write_parameter (GString  *out,
                 guint     depth,
                 gpointer  item)
{
  SluiceParameter *parameter = item;

  open_tag (out, depth, "parameter");
  append_attr (out, "name", sluice_parameter_get_name (parameter));
  append_attr (out, "default", sluice_parameter_get_default_value (parameter));
  append_attr (out, "description", sluice_parameter_get_description (parameter));
  g_string_append (out, "/>\n");
}

static void
write_service (GString  *out,
               guint     depth,
               gpointer  item)
{
  SluiceService *service = item;
  const char * const *urls = sluice_service_get_endpoints (service);
  const char *balance = sluice_service_get_balance (service);
  OpenElement element;

  open_tag (out, depth, "service");
  append_attr (out, "name", sluice_service_get_name (service));
  if (g_strcmp0 (balance, DEFAULT_BALANCE) != 0)
    append_attr (out, "balance", balance);
  if (sluice_service_get_balancer (service) != NULL)
    append_attr (out, "balancer", sluice_service_get_balancer (service));
  if (sluice_service_get_pipeline (service) != NULL)
    append_attr (out, "pipeline", sluice_service_get_pipeline (service));
  if (sluice_service_get_token_file (service) != NULL)
    append_attr (out, "token-file", sluice_service_get_token_file (service));
  element = end_open_tag (out, depth, "service");
  for (guint j = 0; urls != NULL && urls[j] != NULL; j++)
    {
      g_autofree char *key = g_strconcat ("endpoint:", urls[j], NULL);

      /* Keyed by URL: written before its first occurrence only. */
      if (!strv_contains_n (urls, j, urls[j]))
        append_comments (out, depth + 1,
                         comment_data (service, SLUICE_XML_BEFORE_KEY_PREFIX, key));
      open_tag (out, depth + 1, "endpoint");
      append_attr (out, "url", urls[j]);
      g_string_append (out, "/>\n");
    }
  append_comments (out, depth + 1,
                   comment_data (service, SLUICE_XML_TRAILING_KEY_PREFIX, "service"));
  close_element (out, &element);
}

/* Defaults (no timezone, no timescope, catch-up none, overlap skip) are
 * omitted, like every other attribute's. */
static void
write_schedule (GString        *out,
                guint           depth,
                SluicePipeline *pipeline)
{
  SluiceSchedule *schedule = sluice_pipeline_get_schedule (pipeline);

  if (schedule == NULL)
    return;

  append_comments (out, depth, comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, "schedule"));
  open_tag (out, depth, "schedule");
  append_attr (out, "cron", sluice_schedule_get_cron (schedule) != NULL ? sluice_schedule_get_cron (schedule) : "");
  append_attr (out, "timezone", sluice_schedule_get_timezone (schedule));
  append_attr (out, "timescope", sluice_timescope_to_string (sluice_schedule_get_timescope (schedule)));
  if (sluice_schedule_get_catch_up (schedule) != SLUICE_CATCH_UP_NONE)
    append_attr (out, "catch-up", sluice_catch_up_to_string (sluice_schedule_get_catch_up (schedule)));
  if (sluice_schedule_get_overlap (schedule) != SLUICE_OVERLAP_SKIP)
    append_attr (out, "overlap", sluice_overlap_to_string (sluice_schedule_get_overlap (schedule)));
  g_string_append (out, "/>\n");
}

char *
sluice_save_to_data (SluicePipeline *pipeline,
                     gsize          *length)
{
  SluiceNode *node = SLUICE_NODE (pipeline);
  GString *out;
  GListModel *controllers;
  const char *view;
  OpenElement root;
  g_autofree char *format = NULL;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  append_comments (out, 0, sluice_node_get_comments (node));

  format = g_strdup_printf ("%u", MAX (sluice_pipeline_get_format (pipeline), 1));
  open_tag (out, 0, "pipeline");
  append_attr (out, "format", format);
  append_attr (out, "id", sluice_node_get_id (node));
  append_attr (out, "name", sluice_node_get_name (node));
  if (sluice_pipeline_get_lua_memory_limit (pipeline) != 0)
    {
      g_autofree char *size = sluice_memory_size_format (sluice_pipeline_get_lua_memory_limit (pipeline));

      append_attr (out, "lua-memory-limit", size);
    }
  root = end_open_tag (out, 0, "pipeline");

  if (sluice_pipeline_get_description (pipeline) != NULL)
    {
      append_comments (out, 1, comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, "description"));
      write_text_element (out, 1, "description", sluice_pipeline_get_description (pipeline));
    }
  write_list (out, 1, pipeline, "parameters", G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline)), write_parameter);
  write_list (out, 1, pipeline, "services", G_LIST_MODEL (sluice_pipeline_get_services (pipeline)), write_service);
  write_schedule (out, 1, pipeline);

  controllers = sluice_pipeline_get_controllers (pipeline);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      write_controller (out, 1, controller);
    }

  write_recommendation (out, 1, pipeline);
  sluice_saver_write_tests (out, 1, pipeline);

  view = sluice_pipeline_get_view_xml (pipeline);
  if (view != NULL)
    {
      append_comments (out, 1, comment_data (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX, "view"));
      append_indent (out, 1);
      g_string_append (out, view);
      g_string_append_c (out, '\n');
    }

  append_comments (out, 1, sluice_node_get_trailing_comments (node));
  close_element (out, &root);
  append_comments (out, 0, sluice_comments_get (pipeline, SLUICE_COMMENTS_AFTER));

  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

gboolean
sluice_save_file (SluicePipeline  *pipeline,
                  const char      *path,
                  GError         **error)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = sluice_save_to_data (pipeline, &length);
  file = g_file_new_for_path (path);

  /* Writes a temporary file next to @path, syncs it and renames it over
   * @path, so a crash leaves either the old or the new file. */
  return g_file_replace_contents (file, data, length, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}

void
sluice_xml_write_indent (GString *out,
                         guint    depth)
{
  append_indent (out, depth);
}

void
sluice_xml_write_escaped (GString    *out,
                          const char *raw,
                          gboolean    attribute)
{
  append_escaped (out, raw, attribute);
}

void
sluice_xml_write_attr (GString    *out,
                       const char *name,
                       const char *value)
{
  append_attr (out, name, value);
}

void
sluice_xml_write_comments (GString            *out,
                           guint               depth,
                           const char * const *comments)
{
  append_comments (out, depth, comments);
}
