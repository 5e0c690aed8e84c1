/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-core.h"
#include "sluice-tool-params.h"
#include "test-executor-common.h"

/* Typed tool parameters: the validator checks values against their
 * declared type with the line of the <param>, after ${name}
 * substitution where the value is known; a run refuses a bad value that
 * only a -D made; tools read defaults and typed values. */

#define TEST_TYPE_STEP_TYPED (test_step_typed_get_type ())
G_DECLARE_FINAL_TYPE (TestStepTyped, test_step_typed, TEST, STEP_TYPED, SluiceStep)

struct _TestStepTyped
{
  SluiceStep        parent_instance;
  SluiceToolParams *params;
};

G_DEFINE_FINAL_TYPE (TestStepTyped, test_step_typed, SLUICE_TYPE_STEP)

static const char * const colours[] = { "red", "green", NULL };

static const SluiceToolParamInfo typed_params[] = {
  { "count", "An int", FALSE, SLUICE_TOOL_PARAM_INT, "3", NULL },
  { "ratio", "A float", FALSE, SLUICE_TOOL_PARAM_FLOAT, "0.5", NULL },
  { "strict", "A bool", FALSE, SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "wait", "A duration", FALSE, SLUICE_TOOL_PARAM_DURATION, "2s", NULL },
  { "colour", "A choice", FALSE, SLUICE_TOOL_PARAM_CHOICE, "red", colours },
  { "file", "A path", FALSE, SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "password", "A secret", FALSE, SLUICE_TOOL_PARAM_SECRET, NULL, NULL },
  { "query", "Text", FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo typed_info = { "test-typed", "Typed", "Every type of parameter", typed_params };

static gboolean
test_step_typed_prepare (SluiceStep         *step,
                         SluiceModule       *module,
                         SluiceStepContext  *context,
                         GError            **error)
{
  TestStepTyped *self = TEST_STEP_TYPED (step);

  self->params = sluice_tool_params_new (step, module, context, error);
  return self->params != NULL;
}

static void
test_step_typed_process (SluiceStep     *step,
                         SluiceStepCall *call)
{
  TestStepTyped *self = TEST_STEP_TYPED (step);
  g_autofree char *path = sluice_tool_params_get_path (self->params, "file");
  json_t *item = json_pack ("{sI sf sb sI ss ss*}",
                            "count", (json_int_t) sluice_tool_params_get_int (self->params, "count"),
                            "ratio", sluice_tool_params_get_float (self->params, "ratio"),
                            "strict", sluice_tool_params_get_bool (self->params, "strict"),
                            "wait", (json_int_t) sluice_tool_params_get_duration_us (self->params, "wait"),
                            "colour", sluice_tool_params_get (self->params, "colour"),
                            "file", path);

  sluice_step_call_emit (call, item);
  sluice_step_call_finish (call);
}

static void
test_step_typed_finalize (GObject *object)
{
  g_clear_pointer (&TEST_STEP_TYPED (object)->params, sluice_tool_params_free);
  G_OBJECT_CLASS (test_step_typed_parent_class)->finalize (object);
}

static void
test_step_typed_class_init (TestStepTypedClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_step_typed_finalize;
  step_class->info = &typed_info;
  step_class->prepare = test_step_typed_prepare;
  step_class->process = test_step_typed_process;
}

static void
test_step_typed_init (TestStepTyped *self)
{
}

/* ------------------------------------------------------------ helpers */

/* A pipeline whose module has @params (one per line from line 5). */
static SluicePipeline *
load_with_params (const char *params)
{
  g_autofree char *xml =
    g_strdup_printf ("<pipeline format=\"1\" id=\"t\">\n"                      /* 1 */
                     "<parameters><parameter name=\"n\" default=\"7\"/><parameter name=\"c\"/></parameters>\n" /* 2 */
                     "<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">\n" /* 3 */
                     "<execution id=\"m\"><use tool=\"test-typed\">\n"       /* 4 */
                     "%s"
                     "</use></execution></phase></controller></pipeline>\n", params);

  return test_load (xml);
}

/* The error problems as "LINE: message" lines. */
static char *
errors_of (SluicePipeline *pipeline,
           GHashTable     *defines)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  GString *out = g_string_new (NULL);

  if (defines != NULL)
    sluice_validate_for_run (pipeline, "t.xml", defines, problems);
  else
    sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);

      if (sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR)
        g_string_append_printf (out, "%u: %s\n", sluice_problem_get_line (problem),
                                sluice_problem_get_message (problem));
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ tests */

static void
test_values_by_type (void)
{
  g_autoptr(SluicePipeline) bad =
    load_with_params ("<param name=\"count\">3.5</param>\n"
                      "<param name=\"ratio\">half</param>\n"
                      "<param name=\"strict\">maybe</param>\n"
                      "<param name=\"wait\">soon</param>\n"
                      "<param name=\"colour\">blue</param>\n"
                      "<param name=\"file\"></param>\n"
                      "<param name=\"password\">x</param>\n");
  g_autoptr(SluicePipeline) good =
    load_with_params ("<param name=\"count\">-12</param>\n"
                      "<param name=\"ratio\">1e3</param>\n"
                      "<param name=\"strict\">Yes</param>\n"
                      "<param name=\"wait\">250ms</param>\n"
                      "<param name=\"colour\">green</param>\n"
                      "<param name=\"file\">a/b.csv</param>\n");
  g_autofree char *bad_errors = errors_of (bad, NULL);
  g_autofree char *good_errors = errors_of (good, NULL);

  g_assert_cmpstr (bad_errors, ==,
                   "5: module `m`: tool `test-typed`: `count` is not a whole number: `3.5`\n"
                   "6: module `m`: tool `test-typed`: `ratio` is not a number: `half`\n"
                   "7: module `m`: tool `test-typed`: `strict` is not true or false: `maybe`\n"
                   "8: module `m`: tool `test-typed`: `wait` is not a duration like 250ms, 30s or 5m: `soon`\n"
                   "9: module `m`: tool `test-typed`: `colour` must be one of red, green, not `blue`\n"
                   "10: module `m`: tool `test-typed`: `file` is an empty path\n");
  g_assert_cmpstr (good_errors, ==, "");
}

/* ${n} has a default (checked with it); ${c} has none (left to the run,
 * unless -D gives it). */
static void
test_values_after_substitution (void)
{
  g_autoptr(SluicePipeline) pipeline =
    load_with_params ("<param name=\"count\">${n}x</param>\n"
                      "<param name=\"colour\">${c}</param>\n");
  g_autoptr(GHashTable) defines = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *plain = errors_of (pipeline, NULL);
  g_autofree char *for_run = NULL;

  g_assert_cmpstr (plain, ==,
                   "5: module `m`: tool `test-typed`: `count` is not a whole number: `7x` (after ${…} substitution)\n");

  g_hash_table_insert (defines, "c", "purple");
  g_hash_table_insert (defines, "n", "8");
  for_run = errors_of (pipeline, defines);
  g_assert_true (strstr (for_run, "6: module `m`: tool `test-typed`: `colour` must be one of red, green, not `purple` (after ${…} substitution)") != NULL);
  g_assert_true (strstr (for_run, "`8x`") != NULL);
}

/* A run gets typed values, defaults included; a bad value made by -D
 * refuses the run with the module and parameter named. */
static void
test_run_reads_typed_values (void)
{
  g_autoptr(SluicePipeline) pipeline =
    load_with_params ("<param name=\"count\">${n}</param>\n"
                      "<param name=\"colour\">${c}</param>\n"
                      "<param name=\"file\">data/in.csv</param>\n");
  const char *good[] = { "c=green", NULL };
  const char *bad[] = { "c=blue", NULL };
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  TestRun *run = test_run_new (pipeline, NULL, good, FALSE);
  json_t *item;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  item = test_output (run, 0);
  g_assert_cmpint (json_integer_value (json_object_get (item, "count")), ==, 7);
  g_assert_cmpfloat (json_real_value (json_object_get (item, "ratio")), ==, 0.5);
  g_assert_false (json_is_true (json_object_get (item, "strict")));
  g_assert_cmpint (json_integer_value (json_object_get (item, "wait")), ==, 2000000);
  g_assert_cmpstr (json_string_value (json_object_get (item, "colour")), ==, "green");
  g_assert_true (g_str_has_suffix (json_string_value (json_object_get (item, "file")), "data/in.csv"));
  json_decref (item);
  test_run_free (run);

  g_hash_table_insert (table, "c", (gpointer) bad[0] + 2);
  executor = sluice_executor_new (pipeline, table, &error);
  g_assert_null (executor);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==,
                   "module “m”, tool “test-typed”: `colour` must be one of red, green, not `blue`");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  sluice_step_registry_register ("test-typed", TEST_TYPE_STEP_TYPED, SLUICE_STEP_TOOL);

  g_test_add_func ("/sluice/tools/params/by-type", test_values_by_type);
  g_test_add_func ("/sluice/tools/params/substitution", test_values_after_substitution);
  g_test_add_func ("/sluice/tools/params/run", test_run_reads_typed_values);

  return g_test_run ();
}
