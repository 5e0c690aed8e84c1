/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"

static void
count_cb (guint *count)
{
  (*count)++;
}

static SluicePipeline *
build_pipeline (SluiceExecution **out_exec)
{
  SluicePipeline *pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceController) controller = sluice_controller_new ("c1", SLUICE_MODE_NO_ORDER);
  g_autoptr(SluicePhase) phase = sluice_phase_new ("p1");
  g_autoptr(SluiceExecution) exec = sluice_execution_new ("m1");
  g_autoptr(SluiceCondition) cond = sluice_condition_new ("gate", "item.x > 1");
  g_autoptr(SluiceFail) fail = sluice_fail_new ("stop", "too small");

  sluice_execution_set_lua (exec, "item.x = 1");
  sluice_node_list_append (SLUICE_NODE (cond), sluice_condition_get_else_modules (cond), SLUICE_NODE (fail));
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (exec));
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (cond));
  sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller), SLUICE_NODE (phase));
  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (controller));

  *out_exec = exec;
  return pipeline;
}

static void
test_tree (void)
{
  SluiceExecution *exec;
  g_autoptr(SluicePipeline) pipeline = build_pipeline (&exec);
  SluiceNode *found;

  found = sluice_pipeline_find_node (pipeline, "stop");
  g_assert_nonnull (found);
  g_assert_true (SLUICE_IS_FAIL (found));
  g_assert_cmpstr (sluice_fail_get_reason (SLUICE_FAIL (found)), ==, "too small");
  g_assert_true (SLUICE_IS_CONDITION (sluice_node_get_parent (found)));
  g_assert_cmpstr (sluice_node_get_element_name (found), ==, "fail");
  g_assert_null (sluice_pipeline_find_node (pipeline, "nope"));
  g_assert_true (sluice_node_get_parent (SLUICE_NODE (exec)) != NULL);
  g_assert_cmpstr (sluice_node_get_label (SLUICE_NODE (exec)), ==, "m1");
  sluice_node_set_name (SLUICE_NODE (exec), "Set x");
  g_assert_cmpstr (sluice_node_get_label (SLUICE_NODE (exec)), ==, "Set x");
}

static void
test_changed_signal (void)
{
  SluiceExecution *exec;
  g_autoptr(SluicePipeline) pipeline = build_pipeline (&exec);
  guint changes = 0, notifies = 0;
  g_autoptr(SluiceParameter) param = sluice_parameter_new ("symbol", "BTC");

  g_signal_connect_swapped (pipeline, "changed", G_CALLBACK (count_cb), &changes);
  g_signal_connect_swapped (exec, "notify::timeout-ms", G_CALLBACK (count_cb), &notifies);

  sluice_module_set_timeout_ms (SLUICE_MODULE (exec), 250);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (notifies, ==, 1);

  /* Setting the same value again is not a change. */
  sluice_module_set_timeout_ms (SLUICE_MODULE (exec), 250);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (notifies, ==, 1);

  sluice_execution_set_command (exec, "cat");
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpint (sluice_execution_get_body_kind (exec), ==, SLUICE_BODY_COMMAND);

  /* Line numbers are not edits. */
  sluice_node_set_line (SLUICE_NODE (exec), 42);
  g_assert_cmpuint (changes, ==, 2);

  g_list_store_append (sluice_pipeline_get_parameters (pipeline), param);
  g_assert_cmpuint (changes, ==, 3);
  sluice_parameter_set_default_value (param, "ETH");
  g_assert_cmpuint (changes, ==, 4);
  g_assert_true (sluice_pipeline_find_parameter (pipeline, "symbol") == param);
}

static void
test_list_remove_clears_parent (void)
{
  SluiceExecution *exec;
  g_autoptr(SluicePipeline) pipeline = build_pipeline (&exec);
  SluicePhase *phase = SLUICE_PHASE (sluice_node_get_parent (SLUICE_NODE (exec)));
  GListModel *modules = sluice_phase_get_modules (phase);
  g_autoptr(SluiceExecution) kept = g_object_ref (exec);
  guint changes = 0;

  g_signal_connect_swapped (pipeline, "changed", G_CALLBACK (count_cb), &changes);
  g_assert_cmpint (sluice_node_list_find (modules, SLUICE_NODE (exec)), ==, 0);
  sluice_node_list_remove (modules, 0);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_null (sluice_node_get_parent (SLUICE_NODE (kept)));
  g_assert_cmpint (sluice_node_list_find (modules, SLUICE_NODE (exec)), ==, -1);
  g_assert_cmpuint (g_list_model_get_n_items (modules), ==, 1);

  /* A removed node can be inserted elsewhere: that is how moves work. */
  sluice_node_list_insert (SLUICE_NODE (phase), modules, 1, SLUICE_NODE (kept));
  g_assert_cmpint (sluice_node_list_find (modules, SLUICE_NODE (kept)), ==, 1);
  g_assert_cmpuint (changes, ==, 2);
}

static void
test_parent_cleared_on_dispose (void)
{
  SluiceExecution *exec;
  SluicePipeline *pipeline = build_pipeline (&exec);
  g_autoptr(SluiceExecution) kept = g_object_ref (exec);

  g_object_unref (pipeline);
  g_assert_null (sluice_node_get_parent (SLUICE_NODE (kept)));
}

static void
test_get_container (void)
{
  SluiceExecution *exec;
  g_autoptr(SluicePipeline) pipeline = build_pipeline (&exec);
  SluiceNode *fail = sluice_pipeline_find_node (pipeline, "stop");
  SluiceNode *cond = sluice_pipeline_find_node (pipeline, "gate");
  SluiceNode *owner = NULL;
  GListModel *list = NULL;
  guint position = 99;

  /* A module in a condition's else branch: the second of its lists. */
  g_assert_true (sluice_node_get_container (fail, &owner, &list, &position));
  g_assert_true (owner == cond);
  g_assert_true (list == sluice_condition_get_else_modules (SLUICE_CONDITION (cond)));
  g_assert_cmpuint (position, ==, 0);

  g_assert_true (sluice_node_get_container (cond, NULL, NULL, &position));
  g_assert_cmpuint (position, ==, 1);

  g_assert_false (sluice_node_get_container (SLUICE_NODE (pipeline), &owner, &list, &position));
}

static void
test_tool_params (void)
{
  g_autoptr(SluiceExecution) exec = sluice_execution_new ("d");

  sluice_execution_set_tool (exec, "delay");
  sluice_execution_set_tool_param (exec, "min", "1ms");
  sluice_execution_set_tool_param (exec, "max", "5ms");
  g_assert_cmpstr (sluice_execution_lookup_tool_param (exec, "max"), ==, "5ms");
  sluice_execution_set_tool_param (exec, "max", "9ms");
  g_assert_cmpstr (sluice_execution_lookup_tool_param (exec, "max"), ==, "9ms");
  g_assert_cmpuint (sluice_execution_get_tool_params (exec)->len, ==, 2);
  sluice_execution_set_tool_param (exec, "min", NULL);
  g_assert_null (sluice_execution_lookup_tool_param (exec, "min"));
  /* Another tool does not inherit the params of the previous one. */
  sluice_execution_set_tool (exec, "other");
  g_assert_cmpuint (sluice_execution_get_tool_params (exec)->len, ==, 0);
  g_assert_nonnull (sluice_tool_lookup ("delay"));
  g_assert_null (sluice_tool_lookup ("nope"));
}

static void
test_durations (void)
{
  struct { const char *text; gint64 ms; const char *canonical; } good[] = {
    { "250ms", 250, "250ms" }, { "30s", 30000, "30s" }, { "5m", 300000, "5m" },
    { "2h", 7200000, "2h" }, { "1500ms", 1500, "1500ms" }, { "60s", 60000, "1m" },
    { "0ms", 0, "0ms" }, { "8760h", 31536000000, "8760h" },
  };
  /* 99999999999h once became no delay at all: out of range is invalid. */
  const char *bad[] = { "", "s", "30", "30x", "-5s", "5 s", "1.5s", "ms", "99999999999999999999h",
                        "99999999999h", "8761h", "31536000001ms", NULL };
  gint64 ms;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *formatted = NULL;

      g_assert_true (sluice_duration_parse (good[i].text, &ms));
      g_assert_cmpint (ms, ==, good[i].ms);
      formatted = sluice_duration_format (ms);
      g_assert_cmpstr (formatted, ==, good[i].canonical);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (sluice_duration_parse (bad[i], &ms));
}

static void
test_enums (void)
{
  SluiceMode mode;
  SluiceOnError on_error;

  g_assert_true (sluice_mode_from_string ("first-wins", &mode));
  g_assert_cmpint (mode, ==, SLUICE_MODE_FIRST_WINS);
  g_assert_cmpstr (sluice_mode_to_string (SLUICE_MODE_ORDER_BY_SEQUENCE), ==, "order-by-sequence");
  g_assert_false (sluice_mode_from_string ("parallel", &mode));
  g_assert_false (sluice_mode_from_string (NULL, &mode));
  g_assert_true (sluice_on_error_from_string ("continue", &on_error));
  g_assert_cmpint (on_error, ==, SLUICE_ON_ERROR_CONTINUE);
  g_assert_cmpstr (sluice_severity_to_string (SLUICE_SEVERITY_WARNING), ==, "warning");
}

static void
collect_cb (const char *name,
            gsize       offset,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s@%" G_GSIZE_FORMAT, name, offset));
}

static void
test_params (void)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *quoted = NULL;
  char *result;

  g_assert_true (sluice_params_scan ("run ${a} $$x ${b.c}", collect_cb, refs, NULL));
  g_assert_cmpuint (refs->len, ==, 2);
  g_assert_cmpstr (refs->pdata[0], ==, "a@4");
  g_assert_cmpstr (refs->pdata[1], ==, "b.c@13");

  g_assert_false (sluice_params_scan ("x ${", collect_cb, refs, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (sluice_params_scan ("x ${}", collect_cb, refs, &error));
  g_clear_error (&error);

  g_hash_table_insert (values, "sym", "BTC; rm -rf /");
  plain = sluice_params_substitute ("echo ${sym} $$HOME", values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "echo BTC; rm -rf / $HOME");
  quoted = sluice_params_substitute ("echo ${sym}", values, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (quoted, ==, "echo 'BTC; rm -rf /'");

  result = sluice_params_substitute ("echo ${missing}", values, TRUE, &error);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "missing"));
}

static void
test_problem (void)
{
  g_autoptr(SluiceProblem) p =
    sluice_problem_new_printf (SLUICE_SEVERITY_ERROR, "a.xml", 3, "m1",
                               "module `%s` is defined twice", "m1");
  g_autofree char *str = sluice_problem_to_string (p);

  g_assert_cmpstr (str, ==, "a.xml:3: error: module `m1` is defined twice");
  g_assert_cmpstr (sluice_problem_get_node_id (p), ==, "m1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/model/tree", test_tree);
  g_test_add_func ("/sluice/model/changed-signal", test_changed_signal);
  g_test_add_func ("/sluice/model/list-remove-clears-parent", test_list_remove_clears_parent);
  g_test_add_func ("/sluice/model/parent-cleared-on-dispose", test_parent_cleared_on_dispose);
  g_test_add_func ("/sluice/model/get-container", test_get_container);
  g_test_add_func ("/sluice/model/tool-params", test_tool_params);
  g_test_add_func ("/sluice/model/durations", test_durations);
  g_test_add_func ("/sluice/model/enums", test_enums);
  g_test_add_func ("/sluice/model/params", test_params);
  g_test_add_func ("/sluice/model/problem", test_problem);

  return g_test_run ();
}
