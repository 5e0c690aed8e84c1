/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"
#include "sluice-lua-check.h"

/* One file per rule under tests/data/validator/: each must give exactly
 * the one problem described here, at the exact line. */
typedef struct
{
  const char     *file;
  SluiceSeverity  severity;
  guint           line;
  const char     *node;     /* NULL: the problem names no node */
  const char     *message;  /* a substring of the message */
} Rule;

#define E SLUICE_SEVERITY_ERROR
#define W SLUICE_SEVERITY_WARNING

static const Rule rules[] = {
  { "duplicate-id.xml", E, 6, "a", "module `a` is defined twice (first at line 5)" },
  { "duplicate-id-kinds.xml", E, 5, "p", "module `p` has the same id as the phase at line 4" },
  { "missing-id.xml", E, 5, NULL, "module without an id" },
  { "fail-on-error.xml", W, 5, "stop", "on-error and retries have no effect on <fail>" },
  { "invisible-id.xml", E, 5, "step\u200f", "holds an invisible or control character (U+200F)" },
  { "newline-id.xml", E, 5, NULL, "holds an invisible or control character (U+000A)" },
  { "unknown-tool.xml", E, 5, "t1", "unknown tool `teleport` (known tools: " },
  { "tool-unknown-param.xml", E, 8, "t1", "tool `delay` has no parameter `speed`" },
  { "tool-duplicate-param.xml", E, 8, NULL, "`duration` is given twice" },
  { "delay-bad-duration.xml", E, 7, "t1", "is not a duration like 250ms, 30s or 5m: `soon`" },
  { "delay-no-duration.xml", E, 5, "t1", "needs `duration`, or both `min` and `max`" },
  { "delay-both.xml", E, 5, "t1", "either `duration` or `min` and `max`, not both" },
  { "delay-min-above-max.xml", E, 5, "t1", "`min` of tool `delay` is longer than `max`" },
  { "lua-syntax.xml", E, 10, "bad-lua", "Lua of module `bad-lua` does not compile: unexpected symbol near '='" },
  { "lua-unfinished.xml", E, 7, "bad-lua", "'end' expected (to close 'for' at line 1)" },
  { "lua-sandbox.xml", W, 12, "shell-out", "Lua of module `shell-out` uses `os`, which sandboxed Lua does not provide" },
  { "when-syntax.xml", E, 6, "gate", "<when> expression of condition `gate` does not compile: unexpected symbol near <eof>" },
  { "when-empty.xml", E, 6, "gate", "condition `gate` has no <when> expression" },
  { "undeclared-param-command.xml", E, 11, "cmd", "undeclared parameter `${nobody}` in its command" },
  { "undeclared-param-tool.xml", E, 7, "wait", "undeclared parameter `${pause}` in its tool parameter" },
  { "malformed-reference.xml", E, 11, "cmd", "malformed parameter reference in its command" },
  { "external-undeclared-service.xml", E, 10, "ask", "names undeclared service `oracle`" },
  { "service-no-endpoints.xml", E, 4, NULL, "service `oracle` has no endpoints" },
  { "service-bad-url.xml", E, 4, NULL, "endpoint `ftp://example.org/` of service `oracle` is not an http:// or https:// URL" },
  { "duplicate-service.xml", E, 7, NULL, "service `oracle` is declared twice (first at line 4)" },
  { "duplicate-parameter.xml", E, 5, NULL, "parameter `who` is declared twice (first at line 4)" },
  { "parameter-no-default.xml", W, 4, NULL, "parameter `who` has no default: a run must give it with -D who=VALUE" },
  { "parameter-bad-name.xml", E, 4, NULL, "parameter name `9 lives` cannot be referred to" },
  { "empty-controller.xml", E, 3, "c", "controller `c` has no phases" },
  { "empty-phase.xml", E, 4, "p", "phase `p` has no modules" },
  { "empty-pipeline.xml", E, 2, "test", "the pipeline has no controllers" },
  { "empty-command.xml", E, 5, "cmd", "module `cmd` has an empty command" },
  { "empty-lua.xml", W, 5, "nothing", "module `nothing` has an empty Lua body" },
  { "empty-combination.xml", W, 5, "group", "combination `group` has no modules" },
  { "condition-no-branches.xml", W, 5, "gate", "condition `gate` has neither <then> nor <else> modules" },
  { "dead-after-fail.xml", W, 7, "never", "module `never` never runs: fail module `stop` before it fails the run" },
  { "workers-not-parallel.xml", W, 3, "c", "workers=\"8\" has no effect in not-parallel mode" },
  { "service-duplicate-endpoint.xml", W, 4, NULL, "endpoint `http://127.0.0.1:1/` of service `oracle` is listed twice" },
  { "fail-no-reason.xml", W, 5, "stop", "fail module `stop` gives no reason" },
};

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

static void
dump_problems (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_test_message ("  %s", text);
    }
}

static void
test_rule (gconstpointer data)
{
  const Rule *rule = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "validator", rule->file, NULL);
  g_autoptr(GPtrArray) problems = new_problems ();
  SluiceProblem *problem;
  gboolean ok;

  ok = sluice_check_file (path, problems);
  dump_problems (problems);

  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);

  g_assert_cmpstr (sluice_problem_get_file (problem), ==, path);
  g_assert_cmpint (sluice_problem_get_severity (problem), ==, rule->severity);
  g_assert_cmpuint (sluice_problem_get_line (problem), ==, rule->line);
  g_assert_nonnull (strstr (sluice_problem_get_message (problem), rule->message));
  if (rule->node != NULL)
    g_assert_cmpstr (sluice_problem_get_node_id (problem), ==, rule->node);

  /* Warnings alone leave a file valid. */
  g_assert_true (ok == (rule->severity == SLUICE_SEVERITY_WARNING));
}

static void
test_valid_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "validator", "valid.xml", NULL);
  g_autoptr(GPtrArray) problems = new_problems ();

  g_assert_true (sluice_check_file (path, problems));
  dump_problems (problems);
  g_assert_cmpuint (problems->len, ==, 0);
}

static void
test_examples (void)
{
  const char *names[] = { "strategy.xml", "modes.xml", "etl.xml" };
  const char *root = g_getenv ("SLUICE_SOURCE_ROOT");

  if (root == NULL)
    {
      g_test_skip ("SLUICE_SOURCE_ROOT is not set");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (root, "data", "examples", names[i], NULL);
      g_autoptr(GPtrArray) problems = new_problems ();

      g_test_message ("%s", path);
      g_assert_true (sluice_check_file (path, problems));
      dump_problems (problems);
      g_assert_cmpuint (problems->len, ==, 0);
    }
}

/* Builds pipeline → controller "c" → phase "p" and returns the phase
 * (borrowed: the pipeline owns it). */
static SluicePhase *
make_skeleton (SluicePipeline *pipeline)
{
  g_autoptr(SluiceController) controller = sluice_controller_new ("c", SLUICE_MODE_NOT_PARALLEL);
  g_autoptr(SluicePhase) phase = sluice_phase_new ("p");

  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline),
                           SLUICE_NODE (controller));
  sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller),
                           SLUICE_NODE (phase));

  return phase;
}

/* Appends @module to @phase, which takes it over. */
static void
append_module (SluicePhase *phase,
               gpointer     module)
{
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), module);
  g_object_unref (module);
}

static gboolean
has_problem (GPtrArray      *problems,
             SluiceSeverity  severity,
             const char     *text)
{
  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);

      if (sluice_problem_get_severity (problem) == severity &&
          strstr (sluice_problem_get_message (problem), text) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Models made in the designer have no lines and may hold states a file
 * cannot (an execution without a body). */
static void
test_designer_model (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(GPtrArray) problems = new_problems ();
  SluicePhase *phase = make_skeleton (pipeline);
  SluiceProblem *problem;

  append_module (phase, sluice_execution_new ("nobody"));
  append_module (phase, sluice_external_new ("ext", ""));
  append_module (phase, sluice_fail_new (NULL, "stop"));

  sluice_validate (pipeline, NULL, problems);
  dump_problems (problems);

  g_assert_cmpuint (problems->len, ==, 3);
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_ERROR, "module `nobody` has no body"));
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_ERROR, "external module `ext` names no service"));
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_ERROR, "module without an id"));

  problem = g_ptr_array_index (problems, 0);
  g_assert_null (sluice_problem_get_file (problem));
  g_assert_cmpuint (sluice_problem_get_line (problem), ==, 0);
}

/* A body changed in the designer is checked again from scratch, and a
 * valid edit clears the problem. */
static void
test_revalidate_after_edit (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(GPtrArray) problems = new_problems ();
  SluicePhase *phase = make_skeleton (pipeline);
  SluiceExecution *execution = sluice_execution_new ("x");

  sluice_execution_set_lua (execution, "item.x = ");
  append_module (phase, g_object_ref (execution));

  sluice_validate (pipeline, "edited.xml", problems);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_ERROR, "does not compile"));

  g_ptr_array_set_size (problems, 0);
  sluice_execution_set_lua (execution, "item.x = 1");
  sluice_validate (pipeline, "edited.xml", problems);
  g_assert_cmpuint (problems->len, ==, 0);
  g_object_unref (execution);
}

static void
test_validate_for_run (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceParameter) required = sluice_parameter_new ("region", NULL);
  g_autoptr(SluiceParameter) optional = sluice_parameter_new ("limit", "10");
  g_autoptr(GHashTable) defines = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) problems = new_problems ();
  SluicePhase *phase = make_skeleton (pipeline);
  SluiceExecution *execution = sluice_execution_new ("x");

  sluice_execution_set_lua (execution, "item.x = 1");
  append_module (phase, execution);
  g_list_store_append (sluice_pipeline_get_parameters (pipeline), required);
  g_list_store_append (sluice_pipeline_get_parameters (pipeline), optional);

  /* Checking the file: only a warning. */
  sluice_validate (pipeline, "run.xml", problems);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_WARNING, "parameter `region` has no default"));

  /* Running without it: an error. */
  g_ptr_array_set_size (problems, 0);
  sluice_validate_for_run (pipeline, "run.xml", defines, problems);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (has_problem (problems, SLUICE_SEVERITY_ERROR, "give it with -D region=VALUE"));

  /* Defined: nothing to say. */
  g_ptr_array_set_size (problems, 0);
  g_hash_table_insert (defines, (char *) "region", (char *) "eu");
  g_hash_table_insert (defines, (char *) "limit", (char *) "5");
  sluice_validate_for_run (pipeline, "run.xml", defines, problems);
  g_assert_cmpuint (problems->len, ==, 0);

  /* Defines that name no parameter, in name order. */
  g_hash_table_insert (defines, (char *) "zone", (char *) "1");
  g_hash_table_insert (defines, (char *) "area", (char *) "2");
  sluice_validate_for_run (pipeline, "run.xml", defines, problems);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (sluice_problem_get_message (g_ptr_array_index (problems, 0)), ==,
                   "-D area: the pipeline has no parameter `area`");
  g_assert_cmpstr (sluice_problem_get_message (g_ptr_array_index (problems, 1)), ==,
                   "-D zone: the pipeline has no parameter `zone`");
}

static void
test_sort (void)
{
  g_autoptr(GPtrArray) problems = new_problems ();
  const char *expected[] = {
    "a.xml:1: error: e1",
    "a.xml:3: error: e3",
    "a.xml:3: warning: w3",
    "a.xml:3: warning: w3b",
    "b.xml:2: error: b2",
  };

  g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, "b.xml", 2, NULL, "b2"));
  g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_WARNING, "a.xml", 3, NULL, "w3"));
  g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_WARNING, "a.xml", 3, NULL, "w3b"));
  g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, "a.xml", 3, NULL, "e3"));
  g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, "a.xml", 1, NULL, "e1"));

  sluice_problems_sort (problems);

  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_assert_cmpstr (text, ==, expected[i]);
    }
}

static void
test_check_file_missing (void)
{
  g_autoptr(GPtrArray) problems = new_problems ();

  g_assert_false (sluice_check_file ("/nonexistent/pipeline.xml", problems));
  g_assert_cmpuint (problems->len, >=, 1);
  g_assert_cmpstr (sluice_problem_get_file (g_ptr_array_index (problems, 0)), ==,
                   "/nonexistent/pipeline.xml");
}

static void
test_lua_check (void)
{
  g_autoptr(SluiceLuaCheck) check = sluice_lua_check_new ();
  g_autofree char *message = NULL;
  guint line = 0;

  g_assert_true (sluice_lua_check_chunk (check, "item.x = 1\nreturn false", &line, &message));
  g_assert_null (message);

  /* Precompiled bytecode could do anything; only text is accepted. */
  g_assert_false (sluice_lua_check_chunk (check, "\x1bLua\x54", &line, &message));
  g_assert_nonnull (strstr (message, "binary"));
  g_clear_pointer (&message, g_free);

  g_assert_false (sluice_lua_check_chunk (check, "local a\n\nlocal = 2", &line, &message));
  g_assert_cmpuint (line, ==, 3);
  g_clear_pointer (&message, g_free);

  g_assert_true (sluice_lua_check_expression (check, "item.a and\nitem.b", &line, &message));

  /* The closing parenthesis goes on a line of its own, so a trailing
   * comment cannot swallow it (here or in the executor). */
  g_assert_true (sluice_lua_check_expression (check, "item.x > 1 -- big", &line, &message));
  {
    g_autofree char *source = sluice_lua_expression_source ("a -- b");
    g_assert_cmpstr (source, ==, "return (a -- b\n)");
  }

  /* "return (EXPR)" refuses statements and several values. */
  g_assert_false (sluice_lua_check_expression (check, "item.x = 1", &line, &message));
  g_clear_pointer (&message, g_free);
  g_assert_false (sluice_lua_check_expression (check, "1, 2", &line, &message));
  g_clear_pointer (&message, g_free);

  g_assert_false (sluice_lua_check_expression (check, "item.a and\n\nitem.b ==", &line, &message));
  g_assert_cmpuint (line, ==, 3);
}

static void
collect_global_cb (const char *name,
                   guint       line,
                   gpointer    user_data)
{
  g_string_append_printf (user_data, "%s@%u ", name, line);
}

static char *
scan_globals (const char *code)
{
  const char *names[] = { "io", "os", "require", NULL };
  GString *found = g_string_new (NULL);

  sluice_lua_check_globals (code, names, collect_global_cb, found);
  return g_string_free (found, FALSE);
}

static void
test_lua_globals (void)
{
  const struct {
    const char *code;
    const char *found;
  } cases[] = {
    { "io.write (1)", "io@1 " },
    { "x = 1\n\nrequire 'socket'", "require@3 " },
    { "item.io = 1; item:os (); t.require = 2", "" },
    { "-- io.open\n--[==[ os\n ]==] x = 'io' .. \"os\" .. [[\nrequire]]", "" },
    { "local io = {}\nio.write (1)", "" },
    { "local a, os = 1, 2\nos.exit ()", "" },
    { "t = { io = 1 }\nio = nil", "" },
    { "x = 1 .. os.time ()", "os@1 " },
    { "if io then os.exit () end\nio.write ()", "io@1 os@1 " },
    { "x = 'a\\'io' .. io", "io@1 " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *found = scan_globals (cases[i].code);

      g_test_message ("%s → %s", cases[i].code, found);
      g_assert_cmpstr (found, ==, cases[i].found);
    }
}

/* The designer validates as the user types: a 5,000-module pipeline must
 * validate in well under 100 ms in an optimised build. */
static void
test_large_pipeline (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(SluiceParameter) parameter = sluice_parameter_new ("who", "world");
  g_autoptr(SluiceService) service = sluice_service_new ("svc");
  const char *urls[] = { "http://127.0.0.1:8080/", NULL };
  const guint n_modules = 5000;
  guint made = 0;
  gint64 start, elapsed;

  g_list_store_append (sluice_pipeline_get_parameters (pipeline), parameter);
  sluice_service_set_endpoints (service, urls);
  g_list_store_append (sluice_pipeline_get_services (pipeline), service);

  for (guint c = 0; made < n_modules; c++)
    {
      g_autofree char *cid = g_strdup_printf ("c%u", c);
      g_autoptr(SluiceController) controller = sluice_controller_new (cid, SLUICE_MODE_NO_ORDER);

      sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline),
                               SLUICE_NODE (controller));

      for (guint p = 0; p < 10 && made < n_modules; p++)
        {
          g_autofree char *pid = g_strdup_printf ("c%u-p%u", c, p);
          g_autoptr(SluicePhase) phase = sluice_phase_new (pid);
          GListModel *modules = sluice_phase_get_modules (phase);

          sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller),
                                   SLUICE_NODE (phase));

          for (guint m = 0; m < 50 && made < n_modules; m++, made++)
            {
              g_autofree char *mid = g_strdup_printf ("m%u", made);
              SluiceModule *module;

              switch (made % 5)
                {
                case 0:
                  module = SLUICE_MODULE (sluice_execution_new (mid));
                  sluice_execution_set_lua (SLUICE_EXECUTION (module),
                                            "local total = 0\n"
                                            "for i, v in ipairs (item.values or {}) do\n"
                                            "  total = total + v * tonumber (params.who and 2 or 1)\n"
                                            "end\n"
                                            "item.total = total\n");
                  break;
                case 1:
                  module = SLUICE_MODULE (sluice_execution_new (mid));
                  sluice_execution_set_command (SLUICE_EXECUTION (module),
                                                "sed s/hello/${who}/ | tr a-z A-Z");
                  break;
                case 2:
                  module = SLUICE_MODULE (sluice_execution_new (mid));
                  sluice_execution_set_tool (SLUICE_EXECUTION (module), "delay");
                  sluice_execution_set_tool_param (SLUICE_EXECUTION (module), "duration", "5ms");
                  break;
                case 3:
                  module = SLUICE_MODULE (sluice_condition_new (mid, "item.total ~= nil and item.total > 10"));
                  {
                    g_autofree char *fid = g_strdup_printf ("%s-fail", mid);
                    g_autoptr(SluiceFail) fail = sluice_fail_new (fid, "too small");

                    sluice_node_list_append (SLUICE_NODE (module),
                                             sluice_condition_get_else_modules (SLUICE_CONDITION (module)),
                                             SLUICE_NODE (fail));
                  }
                  break;
                default:
                  module = SLUICE_MODULE (sluice_external_new (mid, "svc"));
                  break;
                }

              sluice_node_list_append (SLUICE_NODE (phase), modules, SLUICE_NODE (module));
              g_object_unref (module);
            }
        }
    }

  /* Best of three, so that a busy machine does not make the test flaky. */
  elapsed = G_MAXINT64;
  for (guint round = 0; round < 3; round++)
    {
      g_ptr_array_set_size (problems, 0);
      start = g_get_monotonic_time ();
      sluice_validate (pipeline, "large.xml", problems);
      elapsed = MIN (elapsed, g_get_monotonic_time () - start);
    }

  dump_problems (problems);
  g_assert_cmpuint (problems->len, ==, 0);

  g_printerr ("# validated %u modules in %.2f ms\n", n_modules, elapsed / 1000.0);

  /* Generous, so that sanitizer builds pass too; the optimised build
   * measures far below (see the report in the README). */
  g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      g_autofree char *name = g_strdup (rules[i].file);
      g_autofree char *path = NULL;

      *strrchr (name, '.') = '\0';
      path = g_strdup_printf ("/sluice/validator/rule/%s", name);
      g_test_add_data_func (path, &rules[i], test_rule);
    }

  g_test_add_func ("/sluice/validator/valid", test_valid_file);
  g_test_add_func ("/sluice/validator/examples", test_examples);
  g_test_add_func ("/sluice/validator/designer-model", test_designer_model);
  g_test_add_func ("/sluice/validator/revalidate", test_revalidate_after_edit);
  g_test_add_func ("/sluice/validator/for-run", test_validate_for_run);
  g_test_add_func ("/sluice/validator/sort", test_sort);
  g_test_add_func ("/sluice/validator/missing-file", test_check_file_missing);
  g_test_add_func ("/sluice/validator/lua-check", test_lua_check);
  g_test_add_func ("/sluice/validator/lua-globals", test_lua_globals);
  g_test_add_func ("/sluice/validator/large-pipeline", test_large_pipeline);

  return g_test_run ();
}
