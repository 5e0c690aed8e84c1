/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-executor-common.h"
#include "sluice-executor-gates.h"

/* <gate>: the operators, relative checks, JSON paths, the validator's
 * messages, the round trip, and gates in every controller mode. */

/* ---- operators ---------------------------------------------------- */

static void
test_operators (void)
{
  static const struct
  {
    const char *op;
    double      value;
    double      threshold;
    gboolean    passed;
    double      margin;
  } cases[] = {
    { ">=", 1.5, 1.0, TRUE, 0.5 },
    { ">=", 1.0, 1.0, TRUE, 0.0 },
    { ">=", 0.5, 1.0, FALSE, -0.5 },
    { ">", 1.0, 1.0, FALSE, 0.0 },
    { ">", 1.25, 1.0, TRUE, 0.25 },
    { "<=", 0.25, 0.25, TRUE, 0.0 },
    { "<=", 0.5, 0.25, FALSE, -0.25 },
    { "<", 0.25, 0.25, FALSE, 0.0 },
    { "<", 0.125, 0.25, TRUE, 0.125 },
    { "==", 2.0, 2.0, TRUE, 0.0 },
    { "==", 2.5, 2.0, FALSE, -0.5 },
    { "!=", 2.5, 2.0, TRUE, 0.5 },
    { "!=", 2.0, 2.0, FALSE, 0.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SluiceGateOp op;
      double margin = 99;

      g_assert_true (sluice_gate_op_from_string (cases[i].op, &op));
      g_assert_cmpstr (sluice_gate_op_to_string (op), ==, cases[i].op);
      g_assert_cmpint (sluice_gate_op_evaluate (op, cases[i].value, cases[i].threshold, NAN, NAN, &margin),
                       ==, cases[i].passed);
      g_assert_cmpfloat_with_epsilon (margin, cases[i].margin, 1e-12);
    }
}

static void
test_between (void)
{
  double margin;

  g_assert_true (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, 0.2, 0, 0, 0.25, &margin));
  g_assert_cmpfloat_with_epsilon (margin, 0.05, 1e-12);
  g_assert_true (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, 0, 0, 0, 0.25, &margin));
  g_assert_cmpfloat (margin, ==, 0);
  g_assert_false (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, 0.3, 0, 0, 0.25, &margin));
  g_assert_cmpfloat_with_epsilon (margin, -0.05, 1e-12);
  g_assert_false (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, -1, 0, 0, 0.25, &margin));
  g_assert_cmpfloat_with_epsilon (margin, -1, 1e-12);
  /* Open ranges. */
  g_assert_true (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, 1e9, 0, 0, NAN, &margin));
  g_assert_false (sluice_gate_op_evaluate (SLUICE_GATE_OP_BETWEEN, 1, 0, NAN, 0.5, &margin));
  g_assert_cmpfloat_with_epsilon (margin, -0.5, 1e-12);
  /* NaN never passes, even with != (every comparison with it is false). */
  g_assert_false (sluice_gate_op_evaluate (SLUICE_GATE_OP_NE, NAN, 1, NAN, NAN, &margin));
  g_assert_false (sluice_gate_op_evaluate (SLUICE_GATE_OP_GE, NAN, 1, NAN, NAN, &margin));
}

static void
test_relative (void)
{
  double change;

  /* The seed's degradation: (historical − replay) / historical. */
  g_assert_true (sluice_gate_relative_change (SLUICE_GATE_RELATIVE_DROP, 1.6, 2.0, &change));
  g_assert_cmpfloat_with_epsilon (change, 0.2, 1e-12);
  g_assert_true (sluice_gate_relative_change (SLUICE_GATE_RELATIVE_RISE, 2.5, 2.0, &change));
  g_assert_cmpfloat_with_epsilon (change, 0.25, 1e-12);
  /* A negative reference: worse is still a positive drop. */
  g_assert_true (sluice_gate_relative_change (SLUICE_GATE_RELATIVE_DROP, -2, -1, &change));
  g_assert_cmpfloat_with_epsilon (change, 1.0, 1e-12);
  g_assert_false (sluice_gate_relative_change (SLUICE_GATE_RELATIVE_DROP, 1, 0, &change));
}

static void
test_numbers (void)
{
  static const char *bad[] = { "", "  ", "abc", "1e400", "-1e400", "nan", "NaN", "inf", "-inf",
                               "0x10", "1.5abc", "1,5", "--1", "1e", "." };
  double value;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sluice_gate_parse_number (bad[i], &value, &error));
      g_assert_nonnull (error);
      g_test_message ("“%s” %s", bad[i], error->message);
    }
  g_assert_true (sluice_gate_parse_number (" 0.2 ", &value, NULL));
  g_assert_cmpfloat (value, ==, 0.2);
  g_assert_true (sluice_gate_parse_number ("-1e-3", &value, NULL));
  g_assert_cmpfloat (value, ==, -1e-3);
  /* Underflow is a tiny number, not an error. */
  g_assert_true (sluice_gate_parse_number ("1e-400", &value, NULL));
  g_assert_cmpfloat (value, ==, 0);
}

/* ---- JSON paths --------------------------------------------------- */

static void
assert_path_number (const char *path_text,
                    const char *item_text,
                    double      expected)
{
  g_autoptr(SluiceJsonPath) path = sluice_json_path_parse (path_text, NULL);
  json_t *item = json_loads (item_text, 0, NULL);
  g_autoptr(GError) error = NULL;
  double value = 0;

  g_assert_nonnull (path);
  g_assert_true (sluice_json_path_get_number (path, item, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value, ==, expected);
  json_decref (item);
}

static void
assert_path_error (const char *path_text,
                   const char *item_text,
                   int         code,
                   const char *fragment)
{
  g_autoptr(SluiceJsonPath) path = sluice_json_path_parse (path_text, NULL);
  json_t *item = json_loads (item_text, 0, NULL);
  g_autoptr(GError) error = NULL;
  double value = 0;

  g_assert_nonnull (path);
  g_assert_false (sluice_json_path_get_number (path, item, &value, &error));
  g_assert_error (error, SLUICE_JSON_PATH_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
  json_decref (item);
}

static void
test_paths (void)
{
  static const char *bad[] = { "", "x", "items.a", "item.", "item..a", "item[", "item[]",
                               "item[-1]", "item[1.5]", "item[99999999999]", "item[\"a]",
                               "item.a b[0", "item a", "itemx.a" };

  assert_path_number ("item.a", "{\"a\": 1}", 1);
  assert_path_number ("item.a.b", "{\"a\": {\"b\": 2.5}}", 2.5);
  assert_path_number ("item.list[1]", "{\"list\": [1, 7]}", 7);
  assert_path_number ("item.list[0].x", "{\"list\": [{\"x\": -3}]}", -3);
  assert_path_number ("item[\"odd key.with dots\"]", "{\"odd key.with dots\": 4}", 4);
  assert_path_number ("item[\"q\\\"uote\"]", "{\"q\\\"uote\": 5}", 5);
  assert_path_number ("item.a-b_c", "{\"a-b_c\": 6}", 6);

  assert_path_error ("item.missing", "{\"a\": 1}", SLUICE_JSON_PATH_ERROR_MISSING, "has no key “missing”");
  assert_path_error ("item.a.b", "{\"a\": 1}", SLUICE_JSON_PATH_ERROR_TYPE, "item.a is a number, not an object");
  assert_path_error ("item.a", "{\"a\": \"1.5\"}", SLUICE_JSON_PATH_ERROR_TYPE, "is a string, not a number");
  assert_path_error ("item.a", "{\"a\": true}", SLUICE_JSON_PATH_ERROR_TYPE, "is a boolean");
  assert_path_error ("item.a", "{\"a\": null}", SLUICE_JSON_PATH_ERROR_TYPE, "is null");
  assert_path_error ("item.a", "{\"a\": [1]}", SLUICE_JSON_PATH_ERROR_TYPE, "is an array");
  assert_path_error ("item.a[2]", "{\"a\": [1, 2]}", SLUICE_JSON_PATH_ERROR_MISSING, "has no element 2 (it has 2)");
  assert_path_error ("item.a[0]", "{\"a\": {\"0\": 1}}", SLUICE_JSON_PATH_ERROR_TYPE, "not an array");
  assert_path_error ("item", "{}", SLUICE_JSON_PATH_ERROR_TYPE, "is an object, not a number");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      SluiceJsonPath *path = sluice_json_path_parse (bad[i], &error);

      g_assert_null (path);
      g_assert_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_SYNTAX);
      g_test_message ("%s", error->message);
    }
}

/* A path as deep as an item may be, and one deeper than any item. */
static void
test_deep_paths (void)
{
  GString *path = g_string_new ("item");
  GString *item = g_string_new (NULL);
  g_autoptr(SluiceJsonPath) parsed = NULL;
  g_autoptr(GError) error = NULL;
  json_t *json;
  double value;

  for (guint i = 0; i < 500; i++)
    g_string_append (path, ".a");
  for (guint i = 0; i < 500; i++)
    g_string_append (item, "{\"a\":");
  g_string_append (item, "42");
  for (guint i = 0; i < 500; i++)
    g_string_append_c (item, '}');
  g_string_prepend (item, "{\"a\":");
  g_string_append_c (item, '}');

  parsed = sluice_json_path_parse (path->str, &error);
  g_assert_no_error (error);
  json = json_loads (item->str, 0, NULL);
  g_assert_nonnull (json);
  g_assert_false (sluice_json_path_get_number (parsed, json, &value, &error));
  g_assert_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_TYPE);   /* one level short */
  g_clear_error (&error);
  json_decref (json);

  for (guint i = 0; i < 100; i++)
    g_string_append (path, ".a");
  g_assert_null (sluice_json_path_parse (path->str, &error));
  g_assert_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_SYNTAX);
  g_string_free (path, TRUE);
  g_string_free (item, TRUE);
}

/* ---- the file ----------------------------------------------------- */

static const char *gate_file =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<pipeline format=\"1\" id=\"g\">\n"
  "  <parameters>\n"
  "    <parameter name=\"min_sharpe\" default=\"1.0\"/>\n"
  "  </parameters>\n"
  "  <controller id=\"c\" mode=\"not-parallel\">\n"
  "    <phase id=\"p\">\n"
  "      <gate id=\"gate\" name=\"Back-test gate\" on-error=\"drop\">\n"
  "        <check name=\"Sharpe\" value=\"item.h.sharpe\" op=\"&gt;=\" threshold=\"${min_sharpe}\"/>\n"
  "        <check name=\"Drawdown\" value=\"item.h.dd\" op=\"between\" min=\"0\" max=\"0.25\"/>\n"
  "        <check name=\"Degradation\" value=\"item.l.sharpe\" relative-to=\"item.h.sharpe\" op=\"&lt;=\" threshold=\"0.20\"/>\n"
  "        <check name=\"Growth\" value=\"item.l.dd\" relative-to=\"item.h.dd\" relative=\"rise\" op=\"&lt;\" threshold=\"1\"/>\n"
  "      </gate>\n"
  "    </phase>\n"
  "  </controller>\n"
  "</pipeline>\n";

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (gate_file, strlen (gate_file), "g.xml", problems);
  g_autofree char *saved = NULL;
  SluiceNode *node;
  const SluiceGateCheck *check;

  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  sluice_validate (pipeline, "g.xml", problems);
  g_assert_cmpuint (problems->len, ==, 0);

  node = sluice_pipeline_find_node (pipeline, "gate");
  g_assert_true (SLUICE_IS_GATE (node));
  g_assert_cmpint (sluice_module_get_on_error (SLUICE_MODULE (node)), ==, SLUICE_ON_ERROR_DROP);
  g_assert_cmpuint (sluice_gate_get_n_checks (SLUICE_GATE (node)), ==, 4);
  check = sluice_gate_get_check (SLUICE_GATE (node), 2);
  g_assert_cmpstr (check->name, ==, "Degradation");
  g_assert_cmpstr (check->relative_to, ==, "item.h.sharpe");
  g_assert_cmpstr (check->op, ==, "<=");
  g_assert_cmpuint (check->line, ==, 11);
  check = sluice_gate_get_check (SLUICE_GATE (node), 1);
  g_assert_cmpstr (check->min, ==, "0");
  g_assert_cmpstr (check->max, ==, "0.25");
  g_assert_null (check->threshold);

  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_cmpstr (saved, ==, gate_file);
}

static void
test_model_edits (void)
{
  g_autoptr(SluiceGate) gate = sluice_gate_new ("g");
  g_autoptr(SluiceGateCheck) check = sluice_gate_check_new ("A", "item.a", ">=", "1");
  g_autoptr(GPtrArray) copy = NULL;
  guint notified = 0;

  g_signal_connect_swapped (gate, "notify::n-checks", G_CALLBACK (g_atomic_int_inc), &notified);
  sluice_gate_add_check (gate, check);
  g_assert_cmpuint (notified, ==, 1);
  copy = sluice_gate_dup_checks (gate);
  sluice_gate_set_checks (gate, copy);      /* the same: nothing happens */
  g_assert_cmpuint (notified, ==, 1);
  g_free (((SluiceGateCheck *) g_ptr_array_index (copy, 0))->threshold);
  ((SluiceGateCheck *) g_ptr_array_index (copy, 0))->threshold = g_strdup ("2");
  sluice_gate_set_checks (gate, copy);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpstr (sluice_gate_get_check (gate, 0)->threshold, ==, "2");
  g_ptr_array_set_size (copy, 0);
  sluice_gate_set_checks (gate, copy);
  g_assert_cmpuint (sluice_gate_get_n_checks (gate), ==, 0);
}

/* Every mistake a check can hold, each at its own line. */
static void
test_validator (void)
{
  static const char *xml =
    "<?xml version=\"1.0\"?>\n"                                                                   /* 1 */
    "<pipeline format=\"1\" id=\"v\">\n"
    "  <parameters><parameter name=\"min\" default=\"1\"/><parameter name=\"word\" default=\"high\"/></parameters>\n"
    "  <controller id=\"c\"><phase id=\"p\">\n"
    "    <gate id=\"g\">\n"                                                                       /* 5 */
    "      <check name=\"A\" value=\"item.a\" op=\"&gt;=\" threshold=\"abc\"/>\n"
    "      <check name=\"B\" value=\"item.a\" op=\"&gt;=\" threshold=\"1e400\"/>\n"
    "      <check name=\"C\" value=\"item.a\" op=\"&gt;=\" threshold=\"NaN\"/>\n"
    "      <check name=\"D\" value=\"item.a\" op=\"&gt;=\" threshold=\"\"/>\n"
    "      <check name=\"E\" value=\"item.a\" op=\"=&gt;\" threshold=\"1\"/>\n"                   /* 10 */
    "      <check name=\"F\" value=\"item.a\" op=\"&gt;=\"/>\n"
    "      <check name=\"G\" value=\"item.a\" op=\"&gt;=\" threshold=\"${undefined}\"/>\n"
    "      <check name=\"H\" value=\"a.b\" op=\"&gt;=\" threshold=\"1\"/>\n"
    "      <check name=\"I\" value=\"item.a\" op=\"between\" min=\"2\" max=\"1\"/>\n"
    "      <check name=\"J\" value=\"item.a\" op=\"&lt;\" threshold=\"${word}\"/>\n"             /* 15 */
    "      <check name=\"K\" value=\"item.a\" op=\"between\" threshold=\"1\"/>\n"
    "      <check name=\"L\" value=\"item.a\" op=\"&lt;\" threshold=\"1\" max=\"2\"/>\n"
    "      <check name=\"M\" value=\"item.a\" op=\"between\"/>\n"
    "      <check name=\"N\" value=\"item.a\" op=\"&lt;\" threshold=\"${min\"/>\n"
    "      <check name=\"O\" value=\"item.a\" op=\"&lt;\" threshold=\"1\" relative=\"drop\"/>\n"  /* 20 */
    "      <check name=\"P\" value=\"item.a\" op=\"&lt;\" threshold=\"${min}\"/>\n"
    "      <check name=\"P\" value=\"item.a\" op=\"&lt;\" threshold=\"${min}\"/>\n"
    "    </gate>\n"
    "    <gate id=\"empty\" retries=\"2\"/>\n"
    "  </phase></controller>\n"                                                                 /* 25 */
    "</pipeline>\n";
  static const char *expected[] = {
    "v.xml:6: error: gate `g`, check “A”: threshold “abc” is not a number",
    "v.xml:7: error: gate `g`, check “B”: threshold “1e400” is beyond the range of a number",
    "v.xml:8: error: gate `g`, check “C”: threshold “NaN” is not a number",
    "v.xml:9: error: gate `g`, check “D”: threshold “” is empty, not a number",
    "v.xml:10: error: gate `g`, check “E”: unknown op “=>” (use >=, >, <=, <, ==, != or between)",
    "v.xml:11: error: gate `g`, check “F”: op “>=” needs a threshold",
    "v.xml:12: error: gate `g`, check “G” refers to undeclared parameter `${undefined}`",
    "v.xml:13: error: gate `g`, check “H”: value: “a.b” is not a path into the item",
    "v.xml:14: error: gate `g`, check “I”: min 2 is above max 1: nothing can pass",
    "v.xml:15: error: gate `g`, check “J”: threshold “${word}” is “high”, which is not a number",
    "v.xml:16: error: gate `g`, check “K”: op “between” takes min and max, not threshold",
    "v.xml:17: error: gate `g`, check “L”: min and max go with op “between”, not “<”",
    "v.xml:18: error: gate `g`, check “M”: op “between” needs min, max or both",
    "v.xml:19: error: gate `g`, check “N”: malformed parameter reference",
    "v.xml:20: error: gate `g`, check “O”: relative=\"drop\" needs relative-to",
    "v.xml:22: warning: gate `g` has two checks named “P”",
    "v.xml:24: warning: gate `empty` has no checks: it passes every item",
    "v.xml:24: warning: gate `empty`: retries have no effect",
  };
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "v.xml", problems);

  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  sluice_validate (pipeline, "v.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", text);
    }
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      if (!g_str_has_prefix (text, expected[i]))
        g_error ("problem %u: got “%s”, expected “%s…”", i, text, expected[i]);
    }
}

/* The schema: a check needs name, value and op; unknown attributes and
 * children are refused with the line. */
static void
test_schema (void)
{
  static const char *bodies[] = {
    "<gate id=\"g\"><check value=\"item.a\" op=\"&gt;\" threshold=\"1\"/></gate>",
    "<gate id=\"g\"><check name=\"a\" op=\"&gt;\" threshold=\"1\"/></gate>",
    "<gate id=\"g\"><check name=\"a\" value=\"item.a\" threshold=\"1\"/></gate>",
    "<gate id=\"g\"><check name=\"a\" value=\"item.a\" op=\"&gt;\" limit=\"1\"/></gate>",
    "<gate id=\"g\"><lua>1</lua></gate>",
    "<gate id=\"g\">text</gate>",
    "<gate id=\"g\"><check name=\"a\" value=\"item.a\" op=\"&gt;\" threshold=\"1\">x</check></gate>",
    "<gate id=\"g\"><check name=\"a\" value=\"item.a\" relative-to=\"item.b\" relative=\"sideways\" op=\"&gt;\" threshold=\"1\"/></gate>",
    "<gate id=\"g\"><check name=\"a\" value=\"\" op=\"&gt;\" threshold=\"1\"/></gate>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\">\n"
                                              "<controller id=\"c\"><phase id=\"p\">\n%s\n"
                                              "</phase></controller></pipeline>\n", bodies[i]);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "s.xml", problems);
      g_autofree char *text = NULL;

      g_assert_null (pipeline);
      g_assert_cmpuint (problems->len, >=, 1);
      text = sluice_problem_to_string (g_ptr_array_index (problems, 0));
      g_test_message ("%s", text);
      g_assert_true (g_str_has_prefix (text, "s.xml:4: error:"));
    }
}

/* ---- runs --------------------------------------------------------- */

static const char *items =
  "{\"n\": 1, \"h\": {\"sharpe\": 1.5, \"dd\": 0.1}, \"l\": {\"sharpe\": 1.4, \"dd\": 0.12}}\n"   /* passes */
  "{\"n\": 2, \"h\": {\"sharpe\": 0.5, \"dd\": 0.3}, \"l\": {\"sharpe\": 0.1, \"dd\": 0.7}}\n"    /* fails all four */
  "{\"n\": 3, \"h\": {\"sharpe\": 2.0, \"dd\": 0.2}, \"l\": {\"sharpe\": 1.6, \"dd\": 0.2}}\n"    /* degradation 0.2: passes at the edge */
  "{\"n\": 4, \"h\": {\"sharpe\": 2.0}, \"l\": {\"sharpe\": \"high\", \"dd\": 0.2}}\n";            /* missing and not numbers */

static char *
gate_body (const char *mode,
           const char *on_error)
{
  return g_strdup_printf ("<parameters><parameter name=\"min_sharpe\" default=\"1.0\"/></parameters>\n"
                          "<controller id=\"c\" mode=\"%s\" workers=\"3\"><phase id=\"p\">\n"
                          "  <execution id=\"slow\"><use tool=\"delay\"><param name=\"duration\">5ms</param></use></execution>\n"
                          "  <gate id=\"gate\" on-error=\"%s\">\n"
                          "    <check name=\"Sharpe\" value=\"item.h.sharpe\" op=\"&gt;=\" threshold=\"${min_sharpe}\"/>\n"
                          "    <check name=\"Drawdown\" value=\"item.h.dd\" op=\"between\" min=\"0\" max=\"0.25\"/>\n"
                          "    <check name=\"Degradation\" value=\"item.l.sharpe\" relative-to=\"item.h.sharpe\" op=\"&lt;=\" threshold=\"0.20\"/>\n"
                          "    <check name=\"Growth\" value=\"item.l.dd\" relative-to=\"item.h.dd\" relative=\"rise\" op=\"&lt;\" threshold=\"1\"/>\n"
                          "  </gate>\n"
                          "</phase></controller>\n", mode, on_error);
}

static gboolean
outputs_have (TestRun *run,
              gint64   n)
{
  for (guint i = 0; i < run->outputs->len; i++)
    if (test_output_int (run, i, "n") == n)
      return TRUE;
  return FALSE;
}

static json_t *
find_event (TestRun    *run,
            const char *type,
            gint64      input)
{
  for (guint i = 0; i < run->events->len; i++)
    {
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, NULL);

      if (g_strcmp0 (json_string_value (json_object_get (event, "event")), type) == 0 &&
          json_integer_value (json_object_get (event, "input")) == input)
        return event;
      json_decref (event);
    }
  return NULL;
}

static void
assert_check (json_t     *checks,
              guint       index,
              const char *name,
              gboolean    passed)
{
  json_t *check = json_array_get (checks, index);

  g_assert_nonnull (check);
  g_assert_cmpstr (json_string_value (json_object_get (check, "name")), ==, name);
  g_assert_cmpint (json_is_true (json_object_get (check, "passed")), ==, passed);
}

/* on-error="drop": items that miss drop out, the others go on, in every
 * mode; the events carry every check with its value and margin. */
static void
test_modes_drop (gconstpointer data)
{
  const char *mode = data;
  g_autofree char *body = gate_body (mode, "drop");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, items, NULL, TRUE);
  SluiceModuleStats stats;
  json_t *event;
  json_t *results;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  if (g_str_equal (mode, "first-wins"))
    g_assert_cmpuint (run->outputs->len, >=, 1);
  else
    {
      g_assert_cmpuint (run->outputs->len, ==, 2);
      g_assert_true (outputs_have (run, 1));
      g_assert_true (outputs_have (run, 3));
    }
  if (g_str_equal (mode, "not-parallel") || g_str_equal (mode, "order-by-sequence"))
    {
      g_assert_cmpint (test_output_int (run, 0, "n"), ==, 1);
      g_assert_cmpint (test_output_int (run, 1, "n"), ==, 3);
    }

  g_assert_true (sluice_executor_get_module_stats (run->executor, "gate", &stats));
  g_assert_cmpuint (stats.items_in, ==, 4);
  g_assert_cmpuint (stats.items_out, ==, 2);
  g_assert_cmpuint (stats.dropped, ==, 2);

  /* Item 2 missed all four, by how much. */
  event = find_event (run, "gate-failed", 2);
  g_assert_nonnull (event);
  assert_check (json_object_get (event, "checks"), 0, "Sharpe", FALSE);
  assert_check (json_object_get (event, "checks"), 1, "Drawdown", FALSE);
  assert_check (json_object_get (event, "checks"), 2, "Degradation", FALSE);
  assert_check (json_object_get (event, "checks"), 3, "Growth", FALSE);
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (json_array_get (json_object_get (event, "checks"), 0), "margin")),
                                  -0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (json_array_get (json_object_get (event, "checks"), 2), "value")),
                                  0.8, 1e-9);
  g_assert_nonnull (strstr (json_string_value (json_object_get (event, "error")), "4 of 4 checks failed"));
  json_decref (event);

  /* Item 3 passed, its degradation exactly at the threshold. */
  event = find_event (run, "gate-passed", 3);
  g_assert_nonnull (event);
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (json_array_get (json_object_get (event, "checks"), 2), "value")),
                                  0.2, 1e-9);
  json_decref (event);

  /* Item 4: a missing key and a string fail their checks by name. */
  event = find_event (run, "gate-failed", 4);
  g_assert_nonnull (event);
  g_assert_nonnull (strstr (json_string_value (json_object_get (event, "error")), "item.h.dd: item.h has no key “dd”"));
  g_assert_nonnull (strstr (json_string_value (json_object_get (event, "error")), "item.l.sharpe is a string, not a number"));
  g_assert_true (json_is_null (json_object_get (json_array_get (json_object_get (event, "checks"), 1), "value")));
  json_decref (event);

  results = sluice_executor_dup_gate_results (run->executor, "gate");
  g_assert_nonnull (results);
  g_assert_cmpint (json_integer_value (json_object_get (results, "evaluated")), ==, 4);
  g_assert_cmpint (json_integer_value (json_object_get (results, "passed")), ==, 2);
  g_assert_cmpint (json_integer_value (json_object_get (results, "failed")), ==, 2);
  g_assert_cmpint (json_integer_value (json_object_get (json_array_get (json_object_get (results, "checks"), 1), "missing")),
                   ==, 1);
  json_decref (results);
  g_assert_null (sluice_executor_dup_gate_results (run->executor, "slow"));

  test_run_free (run);
}

/* The default on-error fails the run, naming every failed check. */
static void
test_modes_fail (gconstpointer data)
{
  const char *mode = data;
  g_autofree char *body = gate_body (mode, "fail");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, items, NULL, FALSE);
  const char *error;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  error = sluice_executor_get_error (run->executor);
  g_test_message ("%s", error);
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "gate");
  g_assert_nonnull (strstr (error, "module “gate”: "));
  g_assert_nonnull (strstr (error, "checks failed"));
  test_run_free (run);
}

/* on-error="continue": the item goes on although it missed. */
static void
test_continue (void)
{
  g_autofree char *body = gate_body ("not-parallel", "continue");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, items, NULL, FALSE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 4);
  test_run_free (run);
}

/* A threshold from -D; one that is not a number refuses to start. */
static void
test_defines (void)
{
  g_autofree char *body = gate_body ("not-parallel", "drop");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  static const char *strict[] = { "min_sharpe=1.9", NULL };
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  TestRun *run = test_run_new (pipeline, items, strict, FALSE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  g_assert_cmpint (test_output_int (run, 0, "n"), ==, 3);
  test_run_free (run);

  g_hash_table_insert (table, "min_sharpe", "high");
  executor = sluice_executor_new (pipeline, table, &error);
  g_assert_null (executor);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "gate “gate”, check “Sharpe”: threshold “${min_sharpe}” is “high”"));
}

/* A thousand checks on each of two hundred items. */
static void
test_thousand_checks (void)
{
  GString *body = g_string_new ("<controller id=\"c\" mode=\"no-order\" workers=\"4\"><phase id=\"p\"><gate id=\"big\">\n");
  GString *input = g_string_new (NULL);
  g_autoptr(SluicePipeline) pipeline = NULL;
  TestRun *run;
  json_t *results;
  gint64 started;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (body, "<check name=\"c%u\" value=\"item.v[%u]\" op=\"&lt;\" threshold=\"%u\"/>\n",
                            i, i % 10, 10 + i);
  g_string_append (body, "</gate></phase></controller>");
  for (guint n = 0; n < 200; n++)
    {
      g_string_append_printf (input, "{\"n\": %u, \"v\": [", n);
      for (guint i = 0; i < 10; i++)
        g_string_append_printf (input, "%s%u", i ? "," : "", n == 7 ? 5000 : i);
      g_string_append (input, "]}\n");
    }

  pipeline = test_load_body (body->str);
  run = test_run_new (pipeline, input->str, NULL, FALSE);
  started = g_get_monotonic_time ();
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_test_message ("200 items × 1000 checks: %.1f ms", (g_get_monotonic_time () - started) / 1000.0);
  /* The reason stays one readable line: ten checks and a count. */
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "1000 of 1000 checks failed"));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "“c9”: 5000"));
  g_assert_null (strstr (sluice_executor_get_error (run->executor), "“c10”"));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "and 990 more"));
  g_assert_cmpuint (strlen (sluice_executor_get_error (run->executor)), <, 1000);
  results = sluice_executor_dup_gate_results (run->executor, "big");
  g_assert_cmpuint (json_array_size (json_object_get (results, "checks")), ==, 1000);
  json_decref (results);
  test_run_free (run);
  g_string_free (body, TRUE);
  g_string_free (input, TRUE);
}

/* Items entering a second controller name their parent as 0 in events:
 * found while checking gate events across controllers, where "parent"
 * once carried whatever the token's memory held. */
static void
test_events_parent (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"a\"><phase id=\"pa\"><execution id=\"x\"><lua>item.x = 1</lua></execution></phase></controller>\n"
                    "<controller id=\"b\" mode=\"no-order\" workers=\"2\"><phase id=\"pb\">\n"
                    "<gate id=\"g\"><check name=\"X\" value=\"item.x\" op=\"==\" threshold=\"1\"/></gate>\n"
                    "</phase></controller>");
  g_autofree char *input = test_items (50);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 50);
  for (guint i = 0; i < run->events->len; i++)
    {
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, NULL);
      json_t *parent = json_object_get (event, "parent");

      if (parent != NULL)
        g_assert_cmpint (json_integer_value (parent), ==, 0);
      json_decref (event);
    }
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  static const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/gates/operators", test_operators);
  g_test_add_func ("/sluice/gates/between", test_between);
  g_test_add_func ("/sluice/gates/relative", test_relative);
  g_test_add_func ("/sluice/gates/numbers", test_numbers);
  g_test_add_func ("/sluice/gates/paths", test_paths);
  g_test_add_func ("/sluice/gates/deep-paths", test_deep_paths);
  g_test_add_func ("/sluice/gates/round-trip", test_round_trip);
  g_test_add_func ("/sluice/gates/model-edits", test_model_edits);
  g_test_add_func ("/sluice/gates/validator", test_validator);
  g_test_add_func ("/sluice/gates/schema", test_schema);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *drop = g_strdup_printf ("/sluice/gates/drop/%s", modes[i]);
      g_autofree char *fail = g_strdup_printf ("/sluice/gates/fail/%s", modes[i]);

      g_test_add_data_func (drop, modes[i], test_modes_drop);
      g_test_add_data_func (fail, modes[i], test_modes_fail);
    }
  g_test_add_func ("/sluice/gates/continue", test_continue);
  g_test_add_func ("/sluice/gates/defines", test_defines);
  g_test_add_func ("/sluice/gates/thousand-checks", test_thousand_checks);
  g_test_add_func ("/sluice/gates/events-parent", test_events_parent);

  return g_test_run ();
}
