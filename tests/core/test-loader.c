/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

static void
print_problems (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", text);
    }
}

static SluicePipeline *
load_everything (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "xml", "everything.xml", NULL);
  g_autoptr(GPtrArray) problems = new_problems ();
  SluicePipeline *pipeline = sluice_load_file (path, problems);

  print_problems (problems);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  return pipeline;
}

static SluiceNode *
find (SluicePipeline *pipeline,
      const char     *id)
{
  SluiceNode *node = sluice_pipeline_find_node (pipeline, id);

  g_assert_nonnull (node);
  return node;
}

static void
test_model_values (void)
{
  g_autoptr(SluicePipeline) pipeline = load_everything ();
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  GListStore *parameters = sluice_pipeline_get_parameters (pipeline);
  g_autoptr(SluiceParameter) symbol = g_list_model_get_item (G_LIST_MODEL (parameters), 0);
  SluiceService *backtester = sluice_pipeline_find_service (pipeline, "backtester");
  SluiceService *rr = sluice_pipeline_find_service (pipeline, "rr");
  g_autoptr(SluiceController) score = g_list_model_get_item (controllers, 1);
  SluiceModule *run_opt = SLUICE_MODULE (find (pipeline, "run-opt"));
  SluiceCondition *gate = SLUICE_CONDITION (find (pipeline, "gate-opt"));
  SluiceExternal *bt2 = SLUICE_EXTERNAL (find (pipeline, "bt2"));
  SluiceCombination *group = SLUICE_COMBINATION (find (pipeline, "group"));
  SluiceExecution *wait = SLUICE_EXECUTION (find (pipeline, "wait"));
  g_autoptr(SluiceFail) too_small = NULL;
  g_autoptr(SluiceFail) anonymous = NULL;
  const char * const *urls;

  g_assert_cmpuint (sluice_pipeline_get_format (pipeline), ==, 1);
  g_assert_cmpstr (sluice_node_get_id (SLUICE_NODE (pipeline)), ==, "everything");
  g_assert_cmpstr (sluice_node_get_name (SLUICE_NODE (pipeline)), ==, "Every element & attribute");
  g_assert_cmpstr (sluice_pipeline_get_description (pipeline), ==,
                   "Uses everything: \"quotes\", <angles> & ampersands.\nSecond line.");
  g_assert_cmpuint (sluice_node_get_line (SLUICE_NODE (pipeline)), ==, 3);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (parameters)), ==, 3);
  g_assert_cmpstr (sluice_parameter_get_name (symbol), ==, "symbol");
  g_assert_cmpstr (sluice_parameter_get_default_value (symbol), ==, "BTC-USD");
  g_assert_cmpstr (sluice_parameter_get_description (symbol), ==, "Ticker\non two lines");
  g_assert_cmpuint (sluice_parameter_get_line (symbol), ==, 9);
  g_assert_null (sluice_parameter_get_default_value (sluice_pipeline_find_parameter (pipeline, "bare")));

  g_assert_nonnull (backtester);
  urls = sluice_service_get_endpoints (backtester);
  g_assert_cmpuint (g_strv_length ((char **) urls), ==, 2);
  g_assert_cmpstr (urls[1], ==, "http://127.0.0.1:8082/?a=1&b=2");
  g_assert_null (sluice_service_get_balance (backtester));
  g_assert_cmpstr (sluice_service_get_balance (rr), ==, "round-robin");
  g_assert_cmpuint (sluice_service_get_line (rr), ==, 19);
  g_assert_null (sluice_service_get_balancer (backtester));
  g_assert_cmpstr (sluice_service_get_balancer (rr), ==, "http://127.0.0.1:9000/");
  g_assert_cmpstr (sluice_service_get_pipeline (rr), ==, "scoring");
  g_assert_cmpstr (sluice_service_get_token_file (rr), ==, "scoring.token");

  g_assert_cmpuint (g_list_model_get_n_items (controllers), ==, 4);
  g_assert_cmpstr (sluice_node_get_id (SLUICE_NODE (score)), ==, "score");
  g_assert_cmpint (sluice_controller_get_mode (score), ==, SLUICE_MODE_ORDER_BY_SEQUENCE);
  g_assert_cmpuint (sluice_controller_get_workers (score), ==, 4);
  g_assert_cmpint (sluice_controller_get_mode (SLUICE_CONTROLLER (find (pipeline, "fan"))), ==, SLUICE_MODE_NO_ORDER);
  g_assert_cmpint (sluice_controller_get_mode (SLUICE_CONTROLLER (find (pipeline, "last"))), ==, SLUICE_MODE_FIRST_WINS);
  g_assert_cmpuint (sluice_controller_get_workers (SLUICE_CONTROLLER (find (pipeline, "optimize"))), ==, 0);
  g_assert_cmpstr (sluice_node_get_name (find (pipeline, "opt")), ==, "Optimisation");

  g_assert_cmpstr (sluice_node_get_name (SLUICE_NODE (run_opt)), ==, "Run optimiser");
  g_assert_cmpint (sluice_module_get_timeout_ms (run_opt), ==, 30000);
  g_assert_cmpuint (sluice_module_get_retries (run_opt), ==, 2);
  g_assert_cmpfloat (sluice_module_get_backoff (run_opt), ==, 1.5);
  g_assert_cmpint (sluice_module_get_on_error (run_opt), ==, SLUICE_ON_ERROR_DROP);
  g_assert_cmpint (sluice_execution_get_body_kind (SLUICE_EXECUTION (run_opt)), ==, SLUICE_BODY_COMMAND);
  g_assert_cmpstr (sluice_execution_get_code (SLUICE_EXECUTION (run_opt)), ==, "./optimise --symbol ${symbol}");
  g_assert_cmpuint (sluice_node_get_line (SLUICE_NODE (run_opt)), ==, 24);
  g_assert_cmpuint (sluice_execution_get_code_line (SLUICE_EXECUTION (run_opt)), ==, 25);

  g_assert_cmpstr (sluice_condition_get_expression (gate), ==,
                   "item.improvement >= params.threshold and item.x < 3");
  g_assert_cmpuint (sluice_condition_get_expression_line (gate), ==, 29);
  g_assert_cmpuint (g_list_model_get_n_items (sluice_condition_get_then_modules (gate)), ==, 1);
  too_small = g_list_model_get_item (sluice_condition_get_else_modules (gate), 0);
  g_assert_cmpstr (sluice_fail_get_reason (too_small), ==, "improvement below 5%");
  g_assert_true (sluice_node_get_parent (SLUICE_NODE (too_small)) == SLUICE_NODE (gate));

  g_assert_cmpint (sluice_module_get_on_error (SLUICE_MODULE (find (pipeline, "double"))), ==, SLUICE_ON_ERROR_CONTINUE);
  g_assert_cmpstr (sluice_external_get_service (bt2), ==, "rr");
  g_assert_cmpstr (sluice_node_get_name (SLUICE_NODE (bt2)), ==, "Second");
  g_assert_cmpint (sluice_module_get_timeout_ms (SLUICE_MODULE (bt2)), ==, 250);
  g_assert_cmpuint (sluice_module_get_retries (SLUICE_MODULE (bt2)), ==, 5);
  g_assert_cmpfloat (sluice_module_get_backoff (SLUICE_MODULE (bt2)), ==, 3.0);
  g_assert_cmpint (sluice_module_get_on_error (SLUICE_MODULE (bt2)), ==, SLUICE_ON_ERROR_FAIL);
  g_assert_cmpfloat (sluice_module_get_backoff (SLUICE_MODULE (find (pipeline, "bt"))), ==, SLUICE_DEFAULT_BACKOFF);

  g_assert_cmpint (sluice_module_get_timeout_ms (SLUICE_MODULE (group)), ==, 5 * 60 * 1000);
  g_assert_cmpuint (g_list_model_get_n_items (sluice_combination_get_modules (group)), ==, 3);
  anonymous = g_list_model_get_item (sluice_combination_get_modules (group), 2);
  g_assert_null (sluice_node_get_id (SLUICE_NODE (anonymous)));
  g_assert_cmpint (sluice_execution_get_body_kind (wait), ==, SLUICE_BODY_TOOL);
  g_assert_cmpstr (sluice_execution_get_tool (wait), ==, "delay");
  g_assert_cmpstr (sluice_execution_lookup_tool_param (wait, "duration"), ==, "250ms");
  g_assert_cmpstr (sluice_execution_lookup_tool_param (wait, "empty"), ==, "");
  g_assert_cmpuint (((SluiceToolParam *) g_ptr_array_index (sluice_execution_get_tool_params (wait), 0))->line, ==, 63);

  g_assert_cmpstr (sluice_pipeline_get_view_xml (pipeline), ==,
                   "<view zoom=\"1.5\">\n"
                   "    <node id=\"run-opt\" x=\"10\" y=\"20\"/>\n"
                   "    <collapsed id=\"group\"/>\n"
                   "  </view>");
}

static void
test_comments (void)
{
  g_autoptr(SluicePipeline) pipeline = load_everything ();
  const char * const *comments;

  comments = sluice_node_get_comments (SLUICE_NODE (pipeline));
  g_assert_nonnull (comments);
  g_assert_cmpstr (comments[0], ==, " A canonical file that uses every element and attribute of format 1. ");
  comments = sluice_node_get_comments (find (pipeline, "optimize"));
  g_assert_nonnull (comments);
  g_assert_cmpstr (comments[0], ==, " stage one ");
  g_assert_null (comments[1]);
  comments = sluice_node_get_comments (find (pipeline, "gate-opt"));
  g_assert_cmpstr (comments[0], ==, " the gate ");
  comments = sluice_node_get_trailing_comments (find (pipeline, "opt"));
  g_assert_cmpstr (comments[0], ==, " trailing in phase ");
  comments = sluice_node_get_trailing_comments (find (pipeline, "group"));
  g_assert_cmpstr (comments[0], ==, " trailing in combination ");
  comments = sluice_node_get_trailing_comments (SLUICE_NODE (pipeline));
  g_assert_cmpstr (comments[0], ==, " trailing in pipeline ");
  g_assert_null (sluice_node_get_comments (find (pipeline, "score")));
}

/* The code of a multi-line <lua> starts on the line of its start tag, so
 * Lua's line n is file line code_line + n - 1. */
static void
test_code_line (void)
{
  g_autoptr(SluicePipeline) pipeline = load_everything ();
  SluiceExecution *exec = SLUICE_EXECUTION (find (pipeline, "double"));

  g_assert_cmpuint (sluice_execution_get_code_line (exec), ==, 46);
  g_assert_true (g_str_has_prefix (sluice_execution_get_code (exec), "\n  -- multi-line Lua"));
}

/* An element's line is where its start tag starts, even when its
 * attributes span lines; a code body's line is where its text starts. */
static void
test_multi_line_tags (void)
{
  const char *xml =
    "<pipeline\n"
    "    format=\"1\">\n"
    "  <controller\n"
    "      id=\"c\"\n"
    "      mode=\"no-order\">\n"
    "    <phase id=\"p\">\n"
    "      <execution id=\"e\"\n"
    "                 timeout=\"1s\"><lua\n"
    ">a = 1</lua></execution>\n"
    "    </phase>\n"
    "  </controller>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "lines.xml", problems);

  print_problems (problems);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (sluice_node_get_line (SLUICE_NODE (pipeline)), ==, 1);
  g_assert_cmpuint (sluice_node_get_line (find (pipeline, "c")), ==, 3);
  g_assert_cmpuint (sluice_node_get_line (find (pipeline, "p")), ==, 6);
  g_assert_cmpuint (sluice_node_get_line (find (pipeline, "e")), ==, 7);
  g_assert_cmpuint (sluice_execution_get_code_line (SLUICE_EXECUTION (find (pipeline, "e"))), ==, 9);
}

/* A comment inside a text body has no place in the model: a warning says
 * so, and the file still loads. */
static void
test_comment_in_body (void)
{
  const char *xml =
    "<pipeline format=\"1\">\n"
    "  <controller id=\"c\"><phase id=\"p\">\n"
    "    <execution id=\"e\"><lua>a = 1<!-- why -->b = 2</lua></execution>\n"
    "  </phase></controller>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "body.xml", problems);
  SluiceProblem *problem;

  print_problems (problems);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (sluice_problem_get_severity (problem), ==, SLUICE_SEVERITY_WARNING);
  g_assert_cmpuint (sluice_problem_get_line (problem), ==, 3);
  g_assert_cmpstr (sluice_execution_get_code (SLUICE_EXECUTION (find (pipeline, "e"))), ==, "a = 1b = 2");
}

/* Processing instructions have no place in the model either. */
static void
test_processing_instruction (void)
{
  const char *xml =
    "<?xml version=\"1.0\"?>\n"
    "<?xml-stylesheet href=\"a.css\"?>\n"
    "<pipeline format=\"1\">\n"
    "  <?designer hint?>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "pi.xml", problems);

  print_problems (problems);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpuint (sluice_problem_get_line (g_ptr_array_index (problems, 0)), ==, 2);
  g_assert_cmpuint (sluice_problem_get_line (g_ptr_array_index (problems, 1)), ==, 4);
  g_assert_nonnull (strstr (sluice_problem_get_message (g_ptr_array_index (problems, 1)),
                            "the processing instruction <?designer?> is not kept"));
}

typedef struct
{
  const char *name;
  const char *xml;
  guint       line;
  const char *message;  /* a part of the first problem's message */
} BadCase;

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pipeline format=\"1\">\n"
#define PHASE(modules) HEAD "<controller id=\"c\">\n<phase id=\"p\">\n" modules "</phase>\n</controller>\n</pipeline>\n"

static const BadCase bad_cases[] = {
  { "no-format", "<pipeline>\n</pipeline>\n", 1, "<pipeline> needs a format attribute (format=\"1\")" },
  { "newer-format", "<?xml version=\"1.0\"?>\n<pipeline format=\"2\" id=\"x\">\n<foo/></pipeline>\n", 2,
    "this file uses format 2; this version of Sluice reads format 1 — update Sluice" },
  { "bad-format", "<pipeline format=\"one\"/>", 1, "format `one` is not a format version" },
  { "not-a-pipeline", "<html/>", 1, "the root element is <html>; a Sluice pipeline file starts with <pipeline>" },
  { "unknown-element", PHASE ("<foo/>\n"), 5,
    "unknown element <foo> inside <phase> (expected execution, condition, combination, external, fail, gate)" },
  { "no-body", PHASE ("<execution id=\"x\"/>\n"), 5,
    "execution `x` must have exactly one body: <lua>, <command> or <use tool>" },
  { "two-bodies", PHASE ("<execution id=\"x\">\n<lua>a=1</lua>\n<command>true</command>\n</execution>\n"), 5,
    "execution `x` must have exactly one body" },
  { "unknown-mode", HEAD "<controller id=\"c\" mode=\"fast\"/>\n</pipeline>\n", 3,
    "controller `c`: unknown mode `fast` (use not-parallel, no-order, order-by-sequence or first-wins)" },
  { "bad-duration", PHASE ("\n<external id=\"e\" service=\"s\" timeout=\"30x\"/>\n"), 6,
    "external `e`: `30x` is not a duration (use e.g. 250ms, 30s, 5m)" },
  { "zero-workers", HEAD "<controller id=\"c\" workers=\"0\"/>\n</pipeline>\n", 3,
    "controller `c`: workers must be at least 1, not 0" },
  { "text-workers", HEAD "<controller id=\"c\" workers=\"many\"/>\n</pipeline>\n", 3,
    "controller `c`: workers `many` is not a number" },
  { "bad-retries", PHASE ("<fail id=\"f\" retries=\"-1\"/>\n"), 5, "fail `f`: retries `-1` is not a count" },
  { "bad-backoff", PHASE ("<fail id=\"f\" backoff=\"fast\"/>\n"), 5, "fail `f`: backoff `fast` is not a factor" },
  { "bad-on-error", PHASE ("<fail id=\"f\" on-error=\"ignore\"/>\n"), 5,
    "fail `f`: unknown on-error `ignore` (use fail, drop or continue)" },
  { "bad-balance", HEAD "<services>\n<service name=\"s\" balance=\"random\"/>\n</services>\n</pipeline>\n", 4,
    "service `s`: unknown balance `random`" },
  { "unknown-attribute", HEAD "<controller id=\"c\" colour=\"red\"/>\n</pipeline>\n", 3,
    "unknown attribute `colour` on <controller> (allowed: id, name, mode, workers, distribute)" },
  { "external-no-service", PHASE ("<external id=\"e\"/>\n"), 5, "external `e` needs a `service` attribute" },
  { "condition-no-when", PHASE ("<condition id=\"k\"><then/></condition>\n"), 5, "condition `k` needs a <when> expression" },
  { "two-whens", PHASE ("<condition id=\"k\"><when>a</when><when>b</when></condition>\n"), 5,
    "condition `k` has more than one <when>" },
  { "stray-text", PHASE ("hello\n"), 5, "unexpected text “hello” inside <phase>" },
  { "section-order", HEAD "<services/>\n<parameters/>\n</pipeline>\n", 4, "<parameters> must come before <services>" },
  { "two-descriptions", HEAD "<description/>\n<description/>\n</pipeline>\n", 4, "<pipeline> has more than one <description>" },
  { "duplicate-tool-param", PHASE ("<execution id=\"t\"><use tool=\"delay\">\n<param name=\"a\">1</param>\n<param name=\"a\">2</param>\n</use></execution>\n"), 7,
    "tool param `a` is given twice" },
  { "condition-order", PHASE ("<condition id=\"k\">\n<then/>\n<when>a</when>\n</condition>\n"), 7,
    "condition `k`: <when> must come before <then> (the order is when, then, else)" },
  { "empty-id", HEAD "<controller id=\"\"/>\n</pipeline>\n", 3, "<controller>: `id` must not be empty" },
  { "empty-parameter-name", HEAD "<parameters>\n<parameter name=\"\"/>\n</parameters>\n</pipeline>\n", 4,
    "<parameter>: `name` must not be empty" },
  { "mismatched-tag", HEAD "<controller id=\"c\">\n</phase>\n</pipeline>\n", 4, "not well-formed XML" },
  { "undefined-entity", HEAD "<description>&nope;</description>\n</pipeline>\n", 3, "Entity 'nope' not defined" },
  { "wrong-declared-encoding", "<?xml version=\"1.0\" encoding=\"ASCII\"?>\n<pipeline format=\"1\" name=\"\xe2\x89\xa5\"/>\n", 2,
    "is the text in the encoding the file declares?" },
  { "namespaced", "<pipeline xmlns=\"urn:x\" format=\"1\"/>", 1, "the root element is in the namespace `urn:x`" },
};

static void
test_bad_case (gconstpointer data)
{
  const BadCase *bad = data;
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autofree char *file = g_strconcat (bad->name, ".xml", NULL);
  SluiceProblem *problem;

  pipeline = sluice_load_data (bad->xml, strlen (bad->xml), file, problems);
  print_problems (problems);
  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, >=, 1);
  g_assert_true (sluice_problems_have_errors (problems));

  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (sluice_problem_get_severity (problem), ==, SLUICE_SEVERITY_ERROR);
  g_assert_cmpstr (sluice_problem_get_file (problem), ==, file);
  if (bad->line > 0)
    g_assert_cmpuint (sluice_problem_get_line (problem), ==, bad->line);
  else
    g_assert_cmpuint (sluice_problem_get_line (problem), >, 0);
  g_assert_nonnull (strstr (sluice_problem_get_message (problem), bad->message));
}

/* Unknown content inside <view> is the designer's business. */
static void
test_view_free_form (void)
{
  const char *xml =
    "<pipeline format=\"1\">\n"
    "  <view a=\"1\"><anything x=\"y\">text<deeper/></anything><!-- c --></view>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "view.xml", problems);
  g_autofree char *saved = NULL;

  print_problems (problems);
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (sluice_pipeline_get_view_xml (pipeline), ==,
                   "<view a=\"1\"><anything x=\"y\">text<deeper/></anything><!-- c --></view>");
  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_nonnull (strstr (saved, "\n  <view a=\"1\"><anything x=\"y\">text<deeper/></anything><!-- c --></view>\n</pipeline>\n"));
}

static gpointer
load_in_thread (gpointer data)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(SluicePipeline) pipeline = load_everything ();
    }
  return NULL;
}

/* The compiled schema is shared; loads may run on several threads. */
static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("load", load_in_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_missing_file (void)
{
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluicePipeline) pipeline = sluice_load_file ("/nonexistent/pipeline.xml", problems);
  g_autofree char *text = NULL;

  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, ==, 1);
  text = sluice_problem_to_string (g_ptr_array_index (problems, 0));
  g_assert_true (g_str_has_prefix (text, "/nonexistent/pipeline.xml: error: cannot open the file"));
}

/* Encoding errors are raised outside the parser context; they must still
 * become problems, and libxml2 must print nothing. */
static void
test_encoding_error_quiet (void)
{
  if (g_test_subprocess ())
    {
      const char *xml = "<?xml version=\"1.0\" encoding=\"EUC-JP\"?>\n"
                        "<pipeline format=\"1\" name=\"\xe2\x89\xa5 x\"/>\n";
      g_autoptr(GPtrArray) problems = new_problems ();
      g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "euc.xml", problems);
      g_autofree char *text = NULL;

      g_assert_null (pipeline);
      g_assert_cmpuint (problems->len, >=, 1);
      text = sluice_problem_to_string (g_ptr_array_index (problems, 0));
      g_print ("%s\n", text);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
  g_test_trap_assert_stdout ("*euc.xml:?: error: the text is not in the encoding the file declares*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/xml/loader/model-values", test_model_values);
  g_test_add_func ("/sluice/xml/loader/comments", test_comments);
  g_test_add_func ("/sluice/xml/loader/code-line", test_code_line);
  g_test_add_func ("/sluice/xml/loader/multi-line-tags", test_multi_line_tags);
  g_test_add_func ("/sluice/xml/loader/comment-in-body", test_comment_in_body);
  g_test_add_func ("/sluice/xml/loader/view-free-form", test_view_free_form);
  g_test_add_func ("/sluice/xml/loader/processing-instruction", test_processing_instruction);
  g_test_add_func ("/sluice/xml/loader/threads", test_threads);
  g_test_add_func ("/sluice/xml/loader/missing-file", test_missing_file);
  g_test_add_func ("/sluice/xml/loader/encoding-error-quiet", test_encoding_error_quiet);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/sluice/xml/loader/bad/", bad_cases[i].name, NULL);
      g_test_add_data_func (path, &bad_cases[i], test_bad_case);
    }

  return g_test_run ();
}
