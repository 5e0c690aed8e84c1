/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test-executor-common.h"

/* One command module in a not-parallel controller, with @attrs. */
static TestRun *
run_command (const char *attrs,
             const char *command,
             const char *input)
{
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                           "<execution id=\"cmd\" %s><command>%s</command></execution>"
                                           "</phase></controller>", attrs, command);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);

  test_run_wait (run);
  return run;
}

static void
assert_failed_with (TestRun    *run,
                    const char *module,
                    const char *fragment)
{
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, module);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), fragment));
}

static void
test_command_ok (void)
{
  TestRun *run = run_command ("", "tr a-z A-Z", "{\"a\": \"x\"}\n{\"a\": \"y\"}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"A\":\"X\"}");
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 1), ==, "{\"A\":\"Y\"}");
  test_run_free (run);
}

static void
test_command_crash (void)
{
  TestRun *run = run_command ("", "kill -s SEGV $$$$", NULL);

  assert_failed_with (run, "cmd", "signal 11");
  test_run_free (run);
}

static void
test_command_exit_status (void)
{
  TestRun *run = run_command ("", "echo 'something broke' &gt;&amp;2; exit 3", NULL);

  assert_failed_with (run, "cmd", "exited with status 3");
  g_assert_nonnull (strstr (sluice_executor_get_stderr_tail (run->executor), "something broke"));
  test_run_free (run);
}

static void
test_command_non_json (void)
{
  TestRun *run = run_command ("", "echo '{\"ok\": 1}'; echo 'hello there'", NULL);

  assert_failed_with (run, "cmd", "not JSON (output line 2");
  test_run_free (run);
}

static void
test_command_nothing (void)
{
  TestRun *run = run_command ("", "cat > /dev/null", "{}\n{}\n");
  SluiceModuleStats stats;

  /* No output is zero items: the item is dropped, not an error. */
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "cmd", &stats));
  g_assert_cmpuint (stats.dropped, ==, 2);
  test_run_free (run);
}

static void
test_command_timeout (void)
{
  gint64 t0 = g_get_monotonic_time ();
  TestRun *run = run_command ("timeout=\"200ms\"", "sleep 30", NULL);

  assert_failed_with (run, "cmd", "timed out after 200 ms");
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  test_run_free (run);
}

static void
test_command_stderr_flood (void)
{
  struct rusage before, after;
  TestRun *run;

  getrusage (RUSAGE_SELF, &before);
  run = run_command ("", "head -c 100000000 /dev/zero | tr '\\0' x &gt;&amp;2; echo TAIL-MARK &gt;&amp;2; exit 1", NULL);
  getrusage (RUSAGE_SELF, &after);

  assert_failed_with (run, "cmd", "exited with status 1");
  g_assert_nonnull (strstr (sluice_executor_get_stderr_tail (run->executor), "TAIL-MARK"));
  g_assert_cmpuint (strlen (sluice_executor_get_stderr_tail (run->executor)), <=, 64 * 1024 + 8);
  /* 100 MB went through; peak memory grew by far less. */
  /* AddressSanitizer keeps freed memory in quarantine: RSS means
   * nothing there. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (after.ru_maxrss - before.ru_maxrss, <, 30 * 1024);
#endif
  test_run_free (run);
}

static void
test_command_params_quoted (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<?xml version=\"1.0\"?><pipeline format=\"1\" id=\"t\">"
               "<parameters><parameter name=\"who\"/></parameters>"
               "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
               "<execution id=\"cmd\"><command>cat > /dev/null; printf '{\"who\": \"%s\"}\\n' ${who}</command></execution>"
               "</phase></controller></pipeline>");
  const char * const defines[] = { "who=a b; exit 7", NULL };
  TestRun *run = test_run_new (pipeline, NULL, defines, FALSE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"who\":\"a b; exit 7\"}");
  test_run_free (run);
}

static void
test_missing_parameter (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<?xml version=\"1.0\"?><pipeline format=\"1\" id=\"t\">"
               "<parameters><parameter name=\"needed\"/></parameters>"
               "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
               "<execution id=\"m\"><lua>item.x = params.needed</lua></execution>"
               "</phase></controller></pipeline>");
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = sluice_executor_new (pipeline, NULL, &error);

  g_assert_null (executor);
  g_assert_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_PARAMETER);
  g_assert_nonnull (strstr (error->message, "needed"));
}

static void
test_lua_runtime_error_line (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<?xml version=\"1.0\"?>\n"
               "<pipeline format=\"1\" id=\"t\">\n"
               "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
               "<execution id=\"bad\"><lua>\n"
               "local a = 1\n"
               "local b = nil + a\n"
               "</lua></execution>\n"
               "</phase></controller></pipeline>\n");
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "bad");
  /* The failing statement is on line 6 of the file. */
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "module “bad”: Lua error at line 6: "));
  test_run_free (run);
}

static void
test_lua_timeout (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
                                "<execution id=\"loop\" timeout=\"100ms\"><lua>while true do end</lua></execution>"
                                "</phase></controller>", NULL);

  assert_failed_with (run, "loop", "timed out");
  test_run_free (run);
}

static void
test_lua_sandbox (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"m\"><lua>"
                                "item.os = os == nil; item.io = io == nil; item.require = require == nil;"
                                "item.load = load == nil and loadstring == nil and dofile == nil and loadfile == nil;"
                                "item.debug = debug == nil and package == nil and collectgarbage == nil;"
                                "item.params = pcall (function () params.x = 1 end) == false"
                                "</lua></execution></phase></controller>", NULL);
  json_t *out;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  out = test_output (run, 0);
  g_assert_true (json_is_true (json_object_get (out, "os")));
  g_assert_true (json_is_true (json_object_get (out, "io")));
  g_assert_true (json_is_true (json_object_get (out, "require")));
  g_assert_true (json_is_true (json_object_get (out, "load")));
  g_assert_true (json_is_true (json_object_get (out, "debug")));
  g_assert_true (json_is_true (json_object_get (out, "params")));
  json_decref (out);
  test_run_free (run);
}

/* A Lua string is bytes; an item leaving Lua must still be JSON, so
 * invalid UTF-8 fails the module instead of writing a broken line. */
static void
test_lua_invalid_utf8 (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"bytes\"><lua>item.s = \"\\xff\\xfe\"</lua></execution>"
                                "</phase></controller>", NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "not valid UTF-8"));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "module “bytes”: item holds"));
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

/* Lua tables iterate in a different order in every Lua state, so output
 * keys are sorted: the same item always gives the same line. */
static void
test_output_keys_sorted (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
                                "<execution id=\"m\"><lua>item.zeta = 1; item.alpha = 0.5449; item.mid = {b = 2, a = 1}</lua></execution>"
                                "</phase></controller>", "{\"q\":1}\n{\"q\":1}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (run->outputs->pdata[i], ==,
                     "{\"alpha\":0.5449,\"mid\":{\"a\":1,\"b\":2},\"q\":1,\"zeta\":1}");
  test_run_free (run);
}

static void
test_condition_trailing_comment (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<condition id=\"g\"><when>item.x == nil -- no x yet</when>"
                                "<then><execution id=\"m\"><lua>item.x = 1</lua></execution></then>"
                                "</condition></phase></controller>", "{}\n{\"x\":5}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  g_assert_cmpstr (run->outputs->pdata[0], ==, "{\"x\":1}");
  g_assert_cmpstr (run->outputs->pdata[1], ==, "{\"x\":5}");
  test_run_free (run);
}

static void
test_bad_input_not_json (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"m\"><lua>item.x = 1</lua></execution>"
                                "</phase></controller>", "{}\n{}\n{oops\n{}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "input line 3: not JSON"));
  test_run_free (run);
}

static void
test_bad_input_not_object (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"m\"><lua>item.x = 1</lua></execution>"
                                "</phase></controller>", "{}\n\n[1, 2]\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "input line 3: not a JSON object"));
  test_run_free (run);
}

static void
test_retries_backoff (void)
{
  gint64 t0 = g_get_monotonic_time ();
  TestRun *run = run_command ("retries=\"2\" backoff=\"2\"", "exit 1", NULL);
  SluiceModuleStats stats;
  guint failed_events = 0;

  assert_failed_with (run, "cmd", "exited with status 1");
  /* Waited 100 ms then 200 ms between the three attempts. */
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 300 * 1000);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "cmd", &stats));
  g_assert_cmpuint (stats.failed, ==, 3);
  for (guint i = 0; i < run->events->len; i++)
    if (strstr (g_ptr_array_index (run->events, i), "\"module-failed\""))
      {
        g_autofree char *attempt = g_strdup_printf ("\"attempt\":%u", ++failed_events);
        g_assert_nonnull (strstr (g_ptr_array_index (run->events, i), attempt));
      }
  g_assert_cmpuint (failed_events, ==, 3);
  test_run_free (run);
}

static void
test_on_error_drop_continue (void)
{
  g_autofree char *input = test_items (6);
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"drop\" on-error=\"drop\"><lua>if item.id == 1 then error ('no') end</lua></execution>"
                                "<execution id=\"cont\" on-error=\"continue\"><lua>item.touched = true; if item.id == 2 then error ('no') end</lua></execution>"
                                "</phase></controller>", input);
  SluiceModuleStats stats;
  json_t *out;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 5);
  /* Item 2 continued unchanged: without "touched". */
  out = test_output (run, 1);
  g_assert_cmpint (json_integer_value (json_object_get (out, "id")), ==, 2);
  g_assert_null (json_object_get (out, "touched"));
  json_decref (out);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "drop", &stats));
  g_assert_cmpuint (stats.dropped, ==, 1);
  g_assert_cmpuint (stats.failed, ==, 1);
  test_run_free (run);
}

static void
test_condition (void)
{
  g_autofree char *input = test_items (4);
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<condition id=\"cond\"><when>item.tag == 'a'</when>"
                                "<then><execution id=\"t\"><lua>item.branch = 'then'</lua></execution></then>"
                                "<else><execution id=\"e\"><lua>item.branch = 'else'</lua></execution></else></condition>"
                                "<condition id=\"only-then\"><when>item.id == 0</when>"
                                "<then><execution id=\"t2\"><lua>item.first = true</lua></execution></then></condition>"
                                "</phase></controller>", input);
  json_t *out;

  g_assert_cmpuint (run->outputs->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      out = test_output (run, i);
      g_assert_cmpstr (json_string_value (json_object_get (out, "branch")), ==, i % 2 ? "else" : "then");
      g_assert_true ((json_object_get (out, "first") != NULL) == (i == 0));
      json_decref (out);
    }
  test_run_free (run);
}

static void
test_combination_retries (void)
{
  /* The group fails twice (its second module fails while a counter kept
   * in a file is low: Lua keeps no state between items or attempts) and
   * succeeds on its third run, from the original item each time. */
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-group-XXXXXX", &error);
  g_autofree char *counter = g_build_filename (dir, "runs", NULL);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<combination id=\"group\" retries=\"2\" backoff=\"1\">"
                    "<execution id=\"g1\"><lua>item.n = (item.n or 0) + 1</lua></execution>"
                    "<execution id=\"g2\"><command>n=$$(cat runs 2&gt;/dev/null || echo 0); n=$$((n + 1)); "
                    "echo $$n &gt; runs; [ $$n -ge 3 ] || exit 1; cat</command></execution>"
                    "</combination></phase></controller>");
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  SluiceModuleStats stats;

  g_assert_no_error (error);
  sluice_executor_set_base_directory (run->executor, dir);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  g_assert_cmpint (test_output_int (run, 0, "n"), ==, 1);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "group", &stats));
  g_assert_cmpuint (stats.failed, ==, 2);
  g_assert_cmpuint (stats.items_out, ==, 1);
  test_run_free (run);
  g_unlink (counter);
  g_rmdir (dir);
}

/* module-failed of a module in a group counts the group's runs too. */
static void
test_combination_attempts (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<combination id=\"group\" retries=\"2\" backoff=\"1\">"
                    "<execution id=\"always\" on-error=\"fail\"><lua>error ('no')</lua></execution>"
                    "</combination></phase></controller>");
  TestRun *run = test_run_new (pipeline, NULL, NULL, TRUE);
  GString *attempts = g_string_new (NULL);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  for (guint i = 0; i < run->events->len; i++)
    {
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, NULL);

      if (g_str_equal (json_string_value (json_object_get (event, "event")), "module-failed") &&
          g_str_equal (json_string_value (json_object_get (event, "module")), "always"))
        g_string_append_printf (attempts, "%" JSON_INTEGER_FORMAT " ",
                                json_integer_value (json_object_get (event, "attempt")));
      json_decref (event);
    }
  g_assert_cmpstr (attempts->str, ==, "1 2 3 ");
  g_string_free (attempts, TRUE);
  test_run_free (run);
}

/* SPEC 7: limits hold for fan-out too. One item emits 12 children into a
 * command that takes a slot (a directory it creates) and writes "x" to
 * "over" when none is free. */
static void
fan_out_case (const char *mode_attrs,
              const char *take_slot)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-fanout-XXXXXX", &error);
  g_autofree char *over = g_build_filename (dir, "over", NULL);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" %s><phase id=\"p\">"
                     "<execution id=\"split\"><lua>for i = 1, 12 do emit ({ n = i }) end</lua></execution>"
                     "<execution id=\"cmd\"><command>%s\nsleep 0.03; rmdir \"$s\" 2&gt;/dev/null; cat</command></execution>"
                     "</phase></controller>", mode_attrs, take_slot);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);

  g_assert_no_error (error);
  sluice_executor_set_base_directory (run->executor, dir);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 12);
  g_assert_false (g_file_test (over, G_FILE_TEST_EXISTS));
  test_run_free (run);
  g_rmdir (dir);
}

static void
test_fan_out_not_parallel (void)
{
  fan_out_case ("mode=\"not-parallel\"",
                "if mkdir s1 2&gt;/dev/null; then s=s1; else echo x &gt;&gt; over; fi");
}

static void
test_fan_out_workers (void)
{
  fan_out_case ("mode=\"no-order\" workers=\"2\"",
                "if mkdir s1 2&gt;/dev/null; then s=s1; "
                "elif mkdir s2 2&gt;/dev/null; then s=s2; else echo x &gt;&gt; over; fi");
}

static void
test_combination_timeout (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<combination id=\"group\" timeout=\"150ms\">"
                                "<execution id=\"d1\"><use tool=\"delay\"><param name=\"duration\">100ms</param></use></execution>"
                                "<execution id=\"d2\"><use tool=\"delay\"><param name=\"duration\">100ms</param></use></execution>"
                                "</combination></phase></controller>", NULL);

  assert_failed_with (run, "group", "timed out after 150 ms");
  test_run_free (run);
}

static void
test_fail_module (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<condition id=\"gate\"><when>item.score and item.score > 1</when>"
                                "<else><fail id=\"nope\">score too low</fail></else></condition>"
                                "</phase></controller>", "{\"score\": 2}\n{\"score\": 0}\n");

  assert_failed_with (run, "nope", "score too low");
  g_assert_cmpuint (run->outputs->len, ==, 1);
  test_run_free (run);
}

/* An external module is a step like the others: its failure fails the
 * module, named with the endpoint (the rest is in test-external.c). */
static void
test_external_refused (void)
{
  TestRun *run = test_run_body ("<services><service name=\"s\"><endpoint url=\"http://127.0.0.1:1/\"/></service></services>"
                                "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<external id=\"ext\" service=\"s\"/>"
                                "</phase></controller>", NULL);

  assert_failed_with (run, "ext", "http://127.0.0.1:1/");
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "service `s`"));
  test_run_free (run);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/executor/command/ok", test_command_ok);
  g_test_add_func ("/sluice/executor/command/crash", test_command_crash);
  g_test_add_func ("/sluice/executor/command/exit-status", test_command_exit_status);
  g_test_add_func ("/sluice/executor/command/non-json", test_command_non_json);
  g_test_add_func ("/sluice/executor/command/prints-nothing", test_command_nothing);
  g_test_add_func ("/sluice/executor/command/timeout", test_command_timeout);
  g_test_add_func ("/sluice/executor/command/stderr-flood", test_command_stderr_flood);
  g_test_add_func ("/sluice/executor/command/params-quoted", test_command_params_quoted);
  g_test_add_func ("/sluice/executor/missing-parameter", test_missing_parameter);
  g_test_add_func ("/sluice/executor/lua/runtime-error-line", test_lua_runtime_error_line);
  g_test_add_func ("/sluice/executor/lua/timeout", test_lua_timeout);
  g_test_add_func ("/sluice/executor/lua/sandbox", test_lua_sandbox);
  g_test_add_func ("/sluice/executor/lua/invalid-utf8", test_lua_invalid_utf8);
  g_test_add_func ("/sluice/executor/output-keys-sorted", test_output_keys_sorted);
  g_test_add_func ("/sluice/executor/condition/trailing-comment", test_condition_trailing_comment);
  g_test_add_func ("/sluice/executor/input/not-json", test_bad_input_not_json);
  g_test_add_func ("/sluice/executor/input/not-object", test_bad_input_not_object);
  g_test_add_func ("/sluice/executor/retries-backoff", test_retries_backoff);
  g_test_add_func ("/sluice/executor/on-error", test_on_error_drop_continue);
  g_test_add_func ("/sluice/executor/condition", test_condition);
  g_test_add_func ("/sluice/executor/combination/retries", test_combination_retries);
  g_test_add_func ("/sluice/executor/combination/timeout", test_combination_timeout);
  g_test_add_func ("/sluice/executor/combination/attempts", test_combination_attempts);
  g_test_add_func ("/sluice/executor/fan-out/not-parallel", test_fan_out_not_parallel);
  g_test_add_func ("/sluice/executor/fan-out/workers", test_fan_out_workers);
  g_test_add_func ("/sluice/executor/fail", test_fail_module);
  g_test_add_func ("/sluice/executor/external/refused", test_external_refused);

  return g_test_run ();
}
