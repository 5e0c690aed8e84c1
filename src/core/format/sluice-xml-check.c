/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-duration.h"
#include "sluice-enums.h"
#include "sluice-schedule.h"
#include "sluice-timescope.h"
#include "sluice-xml-private.h"

/* The grammar of SPEC section 3, as a table the friendly checks walk.
 * The RelaxNG schema says the same thing formally; this table exists so
 * that the common mistakes get a message naming the element, the id and
 * what is allowed instead of a raw schema error. */

#define MODULE_ATTRIBUTES "id", "name", "timeout", "retries", "backoff", "on-error"
#define MODULE_ELEMENTS "execution", "condition", "combination", "external", "fail", "gate"

typedef struct
{
  const char *name;
  const char *attributes[10];
  const char *children[8];
  gboolean    text;      /* character data allowed */
} ElementRule;

static const ElementRule rules[] = {
  { "pipeline", { "format", "id", "name", "lua-memory-limit" },
    { "description", "parameters", "services", "schedule", "controller", "recommendation", "tests", "view" }, FALSE },
  { "description", { NULL }, { NULL }, TRUE },
  { "parameters", { NULL }, { "parameter" }, FALSE },
  { "parameter", { "name", "default", "description" }, { NULL }, FALSE },
  { "services", { NULL }, { "service" }, FALSE },
  { "service", { "name", "balance", "balancer", "pipeline", "token-file" }, { "endpoint" }, FALSE },
  { "endpoint", { "url" }, { NULL }, FALSE },
  { "schedule", { "cron", "timezone", "timescope", "catch-up", "overlap" }, { NULL }, FALSE },
  { "controller", { "id", "name", "mode", "workers", "distribute" }, { "phase" }, FALSE },
  { "phase", { "id", "name" }, { MODULE_ELEMENTS }, FALSE },
  { "execution", { MODULE_ATTRIBUTES }, { "lua", "command", "use" }, FALSE },
  { "condition", { MODULE_ATTRIBUTES }, { "when", "then", "else" }, FALSE },
  { "combination", { MODULE_ATTRIBUTES }, { MODULE_ELEMENTS }, FALSE },
  { "external", { MODULE_ATTRIBUTES, "service" }, { NULL }, FALSE },
  { "fail", { MODULE_ATTRIBUTES }, { NULL }, TRUE },
  { "gate", { MODULE_ATTRIBUTES }, { "check" }, FALSE },
  { "recommendation", { "near" }, { "rule" }, FALSE },
  { "rule", { "verdict", "when", "value" }, { NULL }, FALSE },
  { "check", { "name", "value", "op", "threshold", "min", "max", "relative-to", "relative" }, { NULL }, FALSE },
  { "lua", { NULL }, { NULL }, TRUE },
  { "command", { NULL }, { NULL }, TRUE },
  { "use", { "tool" }, { "param" }, FALSE },
  { "param", { "name" }, { NULL }, TRUE },
  { "when", { NULL }, { NULL }, TRUE },
  { "then", { NULL }, { MODULE_ELEMENTS }, FALSE },
  { "else", { NULL }, { MODULE_ELEMENTS }, FALSE },
  /* <tests> (sluice-loader-tests.c); a case's <param> is the tool's. */
  { "tests", { NULL }, { "case" }, FALSE },
  { "case", { "name", "target", "timeout" },
    { "param", "input", "stub", "expect-items", "expect-count", "assert", "expect-failure" }, FALSE },
  { "input", { "file" }, { NULL }, TRUE },
  { "stub", { "module", "real", "fail", "status", "times", "message", "after" }, { "answer" }, FALSE },
  { "answer", { "match" }, { NULL }, TRUE },
  { "expect-items", { "file", "order", "compare" }, { NULL }, TRUE },
  { "expect-count", { "value" }, { NULL }, FALSE },
  { "assert", { NULL }, { NULL }, TRUE },
  { "expect-failure", { "module", "message" }, { NULL }, FALSE },
};

/* Attributes a file must give, with what they are for. */
static const struct
{
  const char *element;
  const char *attribute;
} required[] = {
  { "parameter", "name" },
  { "service", "name" },
  { "endpoint", "url" },
  { "schedule", "cron" },
  { "external", "service" },
  { "use", "tool" },
  { "param", "name" },
  { "case", "name" },
  { "stub", "module" },
  { "check", "name" },
  { "check", "value" },
  { "check", "op" },
  { "rule", "verdict" },
  { "rule", "when" },
};

static const ElementRule *
find_rule (const xmlChar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_strcmp0 (rules[i].name, (const char *) name) == 0)
      return &rules[i];
  return NULL;
}

static gboolean
strv_contains_n (const char * const *strv,
                 guint               n,
                 const char         *str)
{
  for (guint i = 0; i < n && strv[i] != NULL; i++)
    if (g_str_equal (strv[i], str))
      return TRUE;
  return FALSE;
}

static char *
join_n (const char * const *strv,
        guint               n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n && strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, strv[i]);
    }
  return g_string_free (s, FALSE);
}

/* The id of the element or of its closest ancestor that has one: what a
 * problem is about. Returned string is owned by the caller. */
static char *
owner_id (xmlNode *node)
{
  for (; node != NULL && node->type == XML_ELEMENT_NODE; node = node->parent)
    {
      xmlChar *id = xmlGetNoNsProp (node, BAD_CAST "id");

      if (id != NULL)
        {
          char *ret = g_strdup ((const char *) id);
          xmlFree (id);
          return ret;
        }
    }
  return NULL;
}

/* "execution `run`" or just "<execution>" when it has no id. */
static char *
describe (xmlNode *node)
{
  g_autofree char *id = NULL;
  xmlChar *raw = xmlGetNoNsProp (node, BAD_CAST "id");

  /* Parameters and services are known by their name. */
  if (raw != NULL && *raw == '\0')
    g_clear_pointer (&raw, xmlFree);
  if (raw == NULL)
    raw = xmlGetNoNsProp (node, BAD_CAST "name");
  if (raw != NULL && *raw == '\0')
    g_clear_pointer (&raw, xmlFree);
  if (raw == NULL)
    return g_strdup_printf ("<%s>", (const char *) node->name);
  id = g_strdup ((const char *) raw);
  xmlFree (raw);
  return g_strdup_printf ("%s `%s`", (const char *) node->name, id);
}

static void
element_error (SluiceLoadContext *ctx,
               xmlNode           *node,
               const char        *message)
{
  g_autofree char *id = owner_id (node);

  sluice_load_context_error (ctx, sluice_xml_line (node), id, "%s", message);
}

/* libxml2 gives a text node the line where its chunk ended; step back to
 * the line of its first non-blank character. */
static guint
text_line (xmlNode *text)
{
  const char *content = (const char *) text->content;
  guint line = sluice_xml_line (text);
  guint leading = 0;
  guint total = 0;
  gboolean blank = TRUE;

  for (const char *p = content; p != NULL && *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        blank = FALSE;
      if (*p == '\n')
        {
          total++;
          if (blank)
            leading++;
        }
    }
  if (line > total - leading)
    line -= total - leading;
  return MAX (line, sluice_xml_line (text->parent));
}

static gboolean
is_unsigned_number (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
is_decimal (const char *s)
{
  gboolean digits = FALSE;

  for (; g_ascii_isdigit (*s); s++)
    digits = TRUE;
  if (*s == '.')
    for (s++; g_ascii_isdigit (*s); s++)
      digits = TRUE;
  return digits && *s == '\0';
}

static void
check_value (SluiceLoadContext *ctx,
             xmlNode           *node,
             const char        *attribute,
             const char        *value)
{
  g_autofree char *what = describe (node);
  g_autofree char *message = NULL;
  gint64 ms;
  guint64 number;

  /* Names that things are found by cannot be empty; a display name can. */
  if (*value == '\0' &&
      (g_str_equal (attribute, "id") || g_str_equal (attribute, "url") ||
       g_str_equal (attribute, "tool") || g_str_equal (attribute, "service") ||
       g_str_equal (attribute, "cron") || g_str_equal (attribute, "timezone") ||
       (g_str_equal (attribute, "name") &&
        (xmlStrEqual (node->name, BAD_CAST "parameter") ||
         xmlStrEqual (node->name, BAD_CAST "service") ||
         xmlStrEqual (node->name, BAD_CAST "param") ||
         xmlStrEqual (node->name, BAD_CAST "check"))) ||
       (xmlStrEqual (node->name, BAD_CAST "check") &&
        (g_str_equal (attribute, "value") || g_str_equal (attribute, "op")))))
    message = g_strdup_printf (_("%s: `%s` must not be empty"), what, attribute);
  else if (g_str_equal (attribute, "mode"))
    {
      SluiceMode mode;

      if (!sluice_mode_from_string (value, &mode))
        message = g_strdup_printf (_("%s: unknown mode `%s` (use not-parallel, no-order, order-by-sequence or first-wins)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "distribute"))
    {
      if (!g_str_equal (value, "redis"))
        message = g_strdup_printf (_("%s: unknown distribute `%s` (use redis, or leave it out to run in-process)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "workers"))
    {
      if (!is_unsigned_number (value))
        message = g_strdup_printf (_("%s: workers `%s` is not a number"), what, value);
      else if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &number, NULL))
        message = g_strdup_printf (_("%s: workers `%s` is too large"), what, value);
      else if (number < 1)
        message = g_strdup_printf (_("%s: workers must be at least 1, not %s"), what, value);
    }
  else if (g_str_equal (attribute, "timeout") || g_str_equal (attribute, "after"))
    {
      if (!sluice_duration_parse (value, &ms))
        message = g_strdup_printf (_("%s: `%s` is not a duration (use e.g. 250ms, 30s, 5m)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "lua-memory-limit"))
    {
      gsize length = strlen (value);
      g_autofree char *digits = length > 3 ? g_strndup (value, length - 3) : NULL;

      /* The form only: the validator says when it is out of range. */
      if (digits == NULL || !is_unsigned_number (digits) ||
          !(g_str_has_suffix (value, "KiB") || g_str_has_suffix (value, "MiB") ||
            g_str_has_suffix (value, "GiB")))
        message = g_strdup_printf (_("%s: lua-memory-limit `%s` is not a size (use a whole number and KiB, MiB or GiB, e.g. 512MiB)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "retries"))
    {
      if (!is_unsigned_number (value) ||
          !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &number, NULL))
        message = g_strdup_printf (_("%s: retries `%s` is not a count (use 0, 1, 2, …)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "backoff"))
    {
      if (!is_decimal (value) || strlen (value) > 32)
        message = g_strdup_printf (_("%s: backoff `%s` is not a factor (use e.g. 2 or 1.5)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "on-error"))
    {
      SluiceOnError on_error;

      if (!sluice_on_error_from_string (value, &on_error))
        message = g_strdup_printf (_("%s: unknown on-error `%s` (use fail, drop or continue)"),
                                   what, value);
    }
  else if (g_str_equal (attribute, "timescope"))
    {
      SluiceTimescope timescope;

      if (!sluice_timescope_from_string (value, &timescope))
        message = g_strdup_printf (_("<schedule>: unknown timescope `%s` (use hourly, daily, weekly or monthly)"),
                                   value);
    }
  else if (g_str_equal (attribute, "catch-up"))
    {
      SluiceCatchUp catch_up;

      if (!sluice_catch_up_from_string (value, &catch_up))
        message = g_strdup_printf (_("<schedule>: unknown catch-up `%s` (use none, last or all)"), value);
    }
  else if (g_str_equal (attribute, "overlap"))
    {
      SluiceOverlap overlap;

      if (!sluice_overlap_from_string (value, &overlap))
        message = g_strdup_printf (_("<schedule>: unknown overlap `%s` (use skip, queue or allow)"), value);
    }
  else if (g_str_equal (attribute, "balance"))
    {
      if (!g_str_equal (value, "least-loaded") && !g_str_equal (value, "round-robin") &&
          !g_str_equal (value, "random-two"))
        message = g_strdup_printf (_("%s: unknown balance `%s` (use least-loaded, round-robin or random-two)"),
                                   what, value);
    }

  if (message != NULL)
    element_error (ctx, node, message);
}

static void
check_attributes (SluiceLoadContext *ctx,
                  xmlNode           *node,
                  const ElementRule *rule)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      const char *name = (const char *) attr->name;
      g_autofree char *message = NULL;
      xmlChar *value;

      if (attr->ns != NULL ||
          !strv_contains_n (rule->attributes, G_N_ELEMENTS (rule->attributes), name))
        {
          g_autofree char *allowed = join_n (rule->attributes, G_N_ELEMENTS (rule->attributes));

          if (*allowed != '\0')
            message = g_strdup_printf (_("unknown attribute `%s` on <%s> (allowed: %s)"),
                                       name, rule->name, allowed);
          else
            message = g_strdup_printf (_("<%s> takes no attributes (found `%s`)"),
                                       rule->name, name);
          element_error (ctx, node, message);
          continue;
        }

      value = xmlNodeListGetString (node->doc, attr->children, 1);
      check_value (ctx, node, name, value ? (const char *) value : "");
      xmlFree (value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (g_str_equal (required[i].element, rule->name) &&
        !xmlHasNsProp (node, BAD_CAST required[i].attribute, NULL))
      {
        g_autofree char *what = describe (node);
        g_autofree char *message =
          g_strdup_printf (_("%s needs a `%s` attribute"), what, required[i].attribute);
        element_error (ctx, node, message);
      }
}

static gboolean
is_blank (const xmlChar *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static void
check_execution_body (SluiceLoadContext *ctx,
                      xmlNode           *node)
{
  guint bodies = 0;

  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      bodies++;

  if (bodies != 1)
    {
      g_autofree char *what = describe (node);
      g_autofree char *message =
        g_strdup_printf (_("%s must have exactly one body: <lua>, <command> or <use tool> (found %u)"),
                         what, bodies);
      element_error (ctx, node, message);
    }
}

static void
check_condition_parts (SluiceLoadContext *ctx,
                       xmlNode           *node)
{
  static const char * const parts[] = { "when", "then", "else" };
  guint count[G_N_ELEMENTS (parts)] = { 0, };
  g_autofree char *what = describe (node);

  for (xmlNode *child = node->children; child != NULL; child = child->next)
    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST parts[i]))
        count[i]++;

  /* The parts come in the order when, then, else. */
  {
    guint last = 0;

    for (xmlNode *child = node->children; child != NULL; child = child->next)
      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST parts[i]))
          {
            if (i < last)
              {
                g_autofree char *message =
                  g_strdup_printf (_("%s: <%s> must come before <%s> (the order is when, then, else)"),
                                   what, parts[i], parts[last]);
                element_error (ctx, child, message);
              }
            last = MAX (last, i);
          }
  }

  if (count[0] == 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("%s needs a <when> expression"), what);
      element_error (ctx, node, message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (count[i] > 1)
      {
        g_autofree char *message =
          g_strdup_printf (_("%s has more than one <%s>"), what, parts[i]);
        element_error (ctx, node, message);
      }
}

static void
check_element (SluiceLoadContext *ctx,
               xmlNode           *node,
               const ElementRule *rule);

static void
check_children (SluiceLoadContext *ctx,
                xmlNode           *node,
                const ElementRule *rule)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (child->type == XML_ELEMENT_NODE)
        {
          const ElementRule *child_rule = NULL;

          if (child->ns == NULL &&
              strv_contains_n (rule->children, G_N_ELEMENTS (rule->children),
                               (const char *) child->name))
            child_rule = find_rule (child->name);

          if (child->ns == NULL && g_str_equal (rule->name, "pipeline") &&
              xmlStrEqual (child->name, BAD_CAST "view"))
            continue;  /* free-form: the designer's own */

          if (child_rule == NULL)
            {
              g_autofree char *allowed = join_n (rule->children, G_N_ELEMENTS (rule->children));
              g_autofree char *message = NULL;

              if (*allowed != '\0')
                message = g_strdup_printf (_("unknown element <%s> inside <%s> (expected %s)"),
                                           (const char *) child->name, rule->name, allowed);
              else
                message = g_strdup_printf (_("<%s> cannot contain elements (found <%s>)"),
                                           rule->name, (const char *) child->name);
              element_error (ctx, child, message);
              continue;
            }

          check_element (ctx, child, child_rule);
        }
      else if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
               !rule->text && !is_blank (child->content))
        {
          g_autofree char *text = g_strstrip (g_strndup ((const char *) child->content, 40));
          g_autofree char *message =
            g_strdup_printf (_("unexpected text “%s” inside <%s>"), text, rule->name);
          g_autofree char *id = owner_id (node);

          sluice_load_context_error (ctx, text_line (child), id, "%s", message);
        }
    }
}

/* The top-level sections come in a fixed order, each at most once
 * (controllers excepted). */
static void
check_pipeline_order (SluiceLoadContext *ctx,
                      xmlNode           *node)
{
  static const char * const order[] = {
    "description", "parameters", "services", "schedule", "controller", "recommendation", "tests", "view",
  };
  guint last = 0;
  guint seen[G_N_ELEMENTS (order)] = { 0, };

  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      guint rank;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      for (rank = 0; rank < G_N_ELEMENTS (order); rank++)
        if (xmlStrEqual (child->name, BAD_CAST order[rank]))
          break;
      if (rank == G_N_ELEMENTS (order))
        continue;  /* reported as unknown */

      if (seen[rank] > 0 && !g_str_equal (order[rank], "controller"))
        {
          g_autofree char *message =
            g_strdup_printf (_("<pipeline> has more than one <%s>"), order[rank]);
          element_error (ctx, child, message);
        }
      else if (rank < last)
        {
          g_autofree char *message =
            g_strdup_printf (_("<%s> must come before <%s> (the order is description, "
                               "parameters, services, schedule, controllers, recommendation, tests, view)"),
                             order[rank], order[last]);
          element_error (ctx, child, message);
        }
      seen[rank]++;
      last = MAX (last, rank);
    }
}

static void
check_element (SluiceLoadContext *ctx,
               xmlNode           *node,
               const ElementRule *rule)
{
  /* A prefix declared here could be used inside <view>, which is kept as
   * text: the saved file would use an undeclared prefix. */
  if (node->nsDef != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("<%s> declares an XML namespace; pipeline files use none"),
                         rule->name);
      element_error (ctx, node, message);
    }

  check_attributes (ctx, node, rule);

  if (g_str_equal (rule->name, "execution"))
    check_execution_body (ctx, node);
  else if (g_str_equal (rule->name, "condition"))
    check_condition_parts (ctx, node);
  else if (g_str_equal (rule->name, "pipeline"))
    check_pipeline_order (ctx, node);

  check_children (ctx, node, rule);
}

void
sluice_xml_check_document (SluiceLoadContext *ctx,
                           xmlNode           *root)
{
  g_return_if_fail (root != NULL);

  if (root->ns != NULL && root->ns->href != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("the root element is in the namespace `%s`; Sluice pipeline files use no namespace"),
                         (const char *) root->ns->href);
      element_error (ctx, root, message);
      return;
    }
  if (!xmlStrEqual (root->name, BAD_CAST "pipeline"))
    {
      g_autofree char *message =
        g_strdup_printf (_("the root element is <%s>; a Sluice pipeline file starts with <pipeline>"),
                         (const char *) root->name);
      element_error (ctx, root, message);
      return;
    }

  check_element (ctx, root, find_rule (root->name));
}
