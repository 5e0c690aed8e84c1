/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"

/* Running test cases: every expectation kind, every stub kind, injected
 * faults with retries and on-error, the fake clock, and the attacks
 * (100,000 items, an assertion that loops, a stub with no answer, a
 * module inside a group). Each case is written in a pipeline file's own
 * syntax and run by sluice_test_run_case(). */

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
             "<pipeline format=\"1\" id=\"p\">\n" \
             "  <parameters><parameter name=\"factor\" default=\"2\"/></parameters>\n" \
             "  <controller id=\"c\" mode=\"not-parallel\">\n" \
             "    <phase id=\"ph\">\n" \
             "      <execution id=\"double\"><lua>item.v = (item.v or 0) * tonumber (params.factor)</lua></execution>\n" \
             "      <execution id=\"call\" retries=\"RETRIES\" backoff=\"BACKOFF\" on-error=\"ONERROR\" TIMEOUT>" \
             "<command>exit 99</command></execution>\n" \
             "      <combination id=\"group\">\n" \
             "        <execution id=\"inner\"><lua>item.inner = true</lua></execution>\n" \
             "      </combination>\n" \
             "    </phase>\n" \
             "  </controller>\n" \
             "  <controller id=\"spread\" mode=\"no-order\" workers=\"4\">\n" \
             "    <phase id=\"ph2\"><execution id=\"tag\"><lua>item.tagged = 1</lua></execution></phase>\n" \
             "  </controller>\n"

typedef struct
{
  const char *retries;
  const char *backoff;
  const char *on_error;
  const char *timeout;
} Settings;

static SluiceTestResult *
run_case_with (const Settings *settings,
               const char     *case_xml)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(GString) text = g_string_new (HEAD);
  SluiceTestCase *test;

  g_string_replace (text, "RETRIES", settings->retries, 1);
  g_string_replace (text, "BACKOFF", settings->backoff, 1);
  g_string_replace (text, "ONERROR", settings->on_error, 1);
  g_string_replace (text, "TIMEOUT", settings->timeout, 1);
  g_string_append_printf (text, "  <tests>\n%s\n  </tests>\n</pipeline>\n", case_xml);

  pipeline = sluice_load_data (text->str, text->len, "t.xml", problems);
  g_assert_nonnull (pipeline);
  sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", line);
    }
  g_assert_false (sluice_problems_have_errors (problems));

  test = g_list_model_get_item (G_LIST_MODEL (sluice_pipeline_get_tests (pipeline)), 0);
  g_object_unref (test);   /* the store keeps it */
  return sluice_test_run_case (pipeline, NULL, test);
}

static SluiceTestResult *
run_case (const char *case_xml)
{
  const Settings plain = { "0", "2", "fail", "" };

  return run_case_with (&plain, case_xml);
}

static void
assert_passes (const char *case_xml)
{
  g_autoptr(SluiceTestResult) result = run_case (case_xml);

  g_test_message ("%s", result->message != NULL ? result->message : "passed");
  g_assert_true (result->passed);
}

static void
assert_fails (const char *case_xml,
              const char *message_part)
{
  g_autoptr(SluiceTestResult) result = run_case (case_xml);

  g_test_message ("%s", result->message != NULL ? result->message : "passed");
  g_assert_false (result->passed);
  g_assert_nonnull (result->message);
  g_assert_nonnull (strstr (result->message, message_part));
}

static void
test_expect_items_exact (void)
{
  assert_passes ("<case name=\"x\"><input>\n{\"v\":1}\n{\"v\":2}\n</input><stub module=\"call\"/>"
                 "<expect-items>\n{\"v\":2,\"inner\":true,\"tagged\":1}\n{\"v\":4,\"inner\":true,\"tagged\":1}\n"
                 "</expect-items></case>");
  assert_fails ("<case name=\"x\"><input>\n{\"v\":1}\n</input><stub module=\"call\"/>"
                "<expect-items>\n{\"v\":3,\"inner\":true,\"tagged\":1}\n</expect-items></case>",
                "- {\"inner\":true,\"tagged\":1,\"v\":3}");
}

static void
test_expect_items_subset (void)
{
  assert_passes ("<case name=\"x\"><input>{\"v\":1,\"keep\":\"k\"}</input><stub module=\"call\"/>"
                 "<expect-items compare=\"subset\">{\"v\":2}</expect-items></case>");
  assert_fails ("<case name=\"x\"><input>{\"v\":1}</input><stub module=\"call\"/>"
                "<expect-items compare=\"subset\">{\"v\":2,\"missing\":1}</expect-items></case>",
                "1 expected item(s) not in the outputs");
}

/* The last controller is no-order: by default outputs compare as a
 * multiset; order="strict" asks for the order. */
static void
test_expect_items_order (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) xml = NULL;

  for (guint i = 1; i <= 50; i++)
    {
      g_string_append_printf (input, "{\"v\":%u}\n", i);
      g_string_append_printf (expected, "{\"v\":%u}\n", 2 * (51 - i));
    }
  xml = g_string_new (NULL);
  g_string_printf (xml, "<case name=\"x\"><input>%s</input><stub module=\"call\"/>"
                   "<expect-items compare=\"subset\">%s</expect-items></case>", input->str, expected->str);
  assert_passes (xml->str);
  g_string_printf (xml, "<case name=\"x\"><input>%s</input><stub module=\"call\"/>"
                   "<expect-items order=\"strict\" compare=\"subset\">%s</expect-items></case>",
                   input->str, expected->str);
  assert_fails (xml->str, "item 1 differs");
}

static void
test_expect_count_and_assert (void)
{
  assert_passes ("<case name=\"x\"><input>\n{\"v\":1}\n{\"v\":5}\n</input><stub module=\"call\"/>"
                 "<expect-count value=\"2\"/><assert>#outputs == 2</assert>"
                 "<assert>\nlocal sum = 0\nfor _, o in ipairs (outputs) do sum = sum + o.v end\n"
                 "assert (sum == 12, 'sum is ' .. sum)\n</assert>"
                 "<assert>#recorded.call == 2 and recorded.call[2].v == 10</assert></case>");
  assert_fails ("<case name=\"x\"><stub module=\"call\"/><expect-count value=\"3\"/></case>",
                "expected 3 output(s), got 1");
  assert_fails ("<case name=\"x\"><stub module=\"call\"/><assert>outputs[1].v > 5</assert></case>",
                "the assertion is false");
  assert_fails ("<case name=\"x\"><stub module=\"call\"/><assert>\nassert (#outputs == 7, 'not seven')\n</assert></case>",
                "not seven");
}

/* Lua assertions are sandboxed and bounded: a loop is stopped, io is not there. */
static void
test_assert_contained (void)
{
  gint64 started = g_get_monotonic_time ();

  assert_fails ("<case name=\"x\"><stub module=\"call\"/><assert>\nwhile true do end\n</assert></case>",
                "the assertion failed with an error");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);
  assert_fails ("<case name=\"x\"><stub module=\"call\"/><assert>\nio.open ('/etc/passwd')\n</assert></case>",
                "the assertion failed with an error");
}

static void
test_params (void)
{
  assert_passes ("<case name=\"x\"><param name=\"factor\">10</param><input>{\"v\":3}</input>"
                 "<stub module=\"call\"/><expect-items compare=\"subset\">{\"v\":30}</expect-items></case>");
}

static void
test_expect_failure (void)
{
  assert_passes ("<case name=\"x\"><stub module=\"call\" fail=\"exit\" status=\"7\"/>"
                 "<expect-failure module=\"call\" message=\"exited with status 7\"/></case>");
  assert_fails ("<case name=\"x\"><stub module=\"call\" fail=\"exit\" status=\"7\"/>"
                "<expect-failure module=\"double\"/></case>",
                "expected module “double” to fail");
  assert_fails ("<case name=\"x\"><stub module=\"call\"/><expect-failure message=\"x\"/></case>",
                "expected the run to fail");
  assert_fails ("<case name=\"x\"><stub module=\"call\" fail=\"http\" status=\"502\"/></case>",
                "answered 502");
}

/* Without a stub, a step with side effects never runs in a test. */
static void
test_unstubbed_side_effect_refused (void)
{
  assert_fails ("<case name=\"x\"/>", "module “call”: it has side effects: the test must stub it (<stub module=\"call\"/>)");
}

static void
test_real_step (void)
{
  /* The real command is `exit 99`. */
  assert_fails ("<case name=\"x\"><stub module=\"call\" real=\"true\"/></case>", "exited with status 99");
}

/* For untrusted files (the designer), real="true" runs nothing either. */
static void
test_real_step_refused_untrusted (void)
{
  static const char text[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"r\">\n"
    "  <controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
    "    <execution id=\"touch\"><command>touch sluice-test-must-not-exist</command></execution>\n"
    "  </phase></controller>\n"
    "  <tests><case name=\"real\"><stub module=\"touch\" real=\"true\"/></case></tests>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (text, strlen (text), "r.xml", problems);
  g_autoptr(SluiceTestCase) test = g_list_model_get_item (G_LIST_MODEL (sluice_pipeline_get_tests (pipeline)), 0);
  g_autoptr(SluiceTestResult) result = NULL;

  result = sluice_test_run_case_full (pipeline, NULL, test, SLUICE_TEST_RUN_NO_REAL_STEPS);
  g_assert_false (result->passed);
  g_assert_nonnull (strstr (result->message, "needs a trusted file"));
  g_assert_false (g_file_test ("sluice-test-must-not-exist", G_FILE_TEST_EXISTS));
}

static void
test_stub_answers (void)
{
  assert_passes ("<case name=\"x\"><input>\n{\"v\":1,\"k\":\"a\"}\n{\"v\":1,\"k\":\"b\"}\n{\"v\":1,\"k\":\"c\"}\n</input>"
                 "<stub module=\"call\">"
                 "<answer match='{\"k\":\"a\"}'>{\"got\":\"A\"}</answer>"
                 "<answer match='{\"k\":\"b\"}'>\n{\"got\":\"B1\"}\n{\"got\":\"B2\"}\n</answer>"
                 "<answer match='{\"k\":\"c\"}'/>"
                 "</stub>"
                 "<expect-items compare=\"subset\">\n{\"got\":\"A\"}\n{\"got\":\"B1\"}\n{\"got\":\"B2\"}\n</expect-items>"
                 "</case>");
}

/* No answer matches: a clear failure naming the item, not a hang. */
static void
test_stub_no_answer (void)
{
  assert_fails ("<case name=\"x\"><input>{\"k\":\"zzz\"}</input><stub module=\"call\">"
                "<answer match='{\"k\":\"a\"}'>{}</answer></stub></case>",
                "the stub has no answer that matches {\"k\":\"zzz\",\"v\":0}");
}

/* The first two calls fail, retries take the third; back-offs of
 * 100 ms × 3000^n (5 minutes for the second) run on the fake clock. */
static void
test_retries_on_fake_clock (void)
{
  const Settings settings = { "2", "3000", "fail", "" };
  g_autoptr(SluiceTestResult) result = NULL;

  result = run_case_with (&settings,
                          "<case name=\"x\"><stub module=\"call\" fail=\"exit\" times=\"2\"/>"
                          "<expect-count value=\"1\"/><assert>#recorded.call == 3</assert></case>");
  g_test_message ("%s", result->message ? result->message : "passed");
  g_assert_true (result->passed);
  g_assert_cmpint (result->skipped_us, >=, 300 * G_USEC_PER_SEC);
  g_assert_cmpint (result->duration_us, <, 5 * G_USEC_PER_SEC);
}

static void
test_on_error_with_faults (void)
{
  const Settings drop = { "1", "2", "drop", "" };
  const Settings cont = { "0", "2", "continue", "" };
  g_autoptr(SluiceTestResult) dropped = NULL;
  g_autoptr(SluiceTestResult) continued = NULL;

  dropped = run_case_with (&drop, "<case name=\"x\"><input>\n{\"v\":1}\n{\"v\":2}\n</input>"
                           "<stub module=\"call\" fail=\"http\" status=\"503\"/><expect-count value=\"0\"/>"
                           "<assert>#recorded.call == 4</assert></case>");
  g_assert_true (dropped->passed);
  continued = run_case_with (&cont, "<case name=\"x\"><input>{\"v\":1}</input>"
                             "<stub module=\"call\" fail=\"exit\"/>"
                             "<expect-items compare=\"subset\">{\"v\":2,\"inner\":true}</expect-items></case>");
  g_assert_true (continued->passed);
}

/* A stub that never answers meets the module's time-out, which runs on
 * the fake clock: a 5-minute time-out takes no time. */
static void
test_timeout_fault (void)
{
  const Settings settings = { "1", "2", "fail", "timeout=\"5m\"" };
  g_autoptr(SluiceTestResult) result = NULL;
  g_autoptr(SluiceTestResult) without = NULL;

  result = run_case_with (&settings, "<case name=\"x\"><stub module=\"call\" fail=\"timeout\"/>"
                          "<expect-failure module=\"call\" message=\"timed out after 300000 ms\"/></case>");
  g_test_message ("%s", result->message ? result->message : "passed");
  g_assert_true (result->passed);
  g_assert_cmpint (result->skipped_us, >=, 600 * G_USEC_PER_SEC);
  g_assert_cmpint (result->duration_us, <, 5 * G_USEC_PER_SEC);

  /* No module time-out: the stub gives up after its own `after`. */
  without = run_case ("<case name=\"x\"><stub module=\"call\" fail=\"timeout\" after=\"1h\"/>"
                      "<expect-failure message=\"timed out after 3600000 ms\"/></case>");
  g_assert_true (without->passed);
}

static void
test_target_controller (void)
{
  assert_passes ("<case name=\"x\" target=\"spread\"><input>{\"v\":1}</input>"
                 "<expect-items>{\"v\":1,\"tagged\":1}</expect-items></case>");
}

/* A module inside a group, alone: only it runs. */
static void
test_target_module_in_group (void)
{
  assert_passes ("<case name=\"x\" target=\"inner\"><input>{\"v\":1}</input>"
                 "<expect-items>{\"v\":1,\"inner\":true}</expect-items></case>");
  assert_passes ("<case name=\"x\" target=\"call\"><input>{\"v\":1}</input>"
                 "<stub module=\"call\"><answer>{\"called\":1}</answer></stub>"
                 "<expect-items>{\"called\":1}</expect-items></case>");
}

static void
test_many_items (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(SluiceTestResult) result = NULL;
  gint64 started;

  for (guint i = 0; i < 100000; i++)
    {
      g_string_append_printf (input, "{\"v\":%u}\n", i);
      g_string_append_printf (expected, "{\"v\":%u,\"inner\":true,\"tagged\":1}\n", 2 * i);
    }
  g_string_printf (xml, "<case name=\"x\" timeout=\"5m\"><input>%s</input><stub module=\"call\"/>"
                   "<expect-items>%s</expect-items><expect-count value=\"100000\"/>"
                   "<assert>#outputs == 100000</assert></case>", input->str, expected->str);
  started = g_get_monotonic_time ();
  result = run_case (xml->str);
  g_test_message ("100,000 items: %.2f s; %s", (g_get_monotonic_time () - started) / 1e6,
                  result->message ? result->message : "passed");
  g_assert_true (result->passed);
}

/* The delay tool waits on the run's clock too: five minutes of delay in
 * a no-order controller (items in flight at once, Lua on worker threads
 * between the delays) take no time. */
static void
test_delay_on_fake_clock (void)
{
  static const char text[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"d\">\n"
    "  <controller id=\"c\" mode=\"no-order\" workers=\"3\">\n"
    "    <phase id=\"p\">\n"
    "      <execution id=\"before\"><lua>item.a = 1</lua></execution>\n"
    "      <execution id=\"wait\"><use tool=\"delay\"><param name=\"duration\">5m</param></use></execution>\n"
    "      <execution id=\"after\"><lua>item.b = 2</lua></execution>\n"
    "    </phase>\n"
    "  </controller>\n"
    "  <tests><case name=\"slow\"><input>\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n</input>"
    "<expect-items>\n{\"n\":4,\"a\":1,\"b\":2}\n{\"n\":3,\"a\":1,\"b\":2}\n{\"n\":2,\"a\":1,\"b\":2}\n"
    "{\"n\":1,\"a\":1,\"b\":2}\n</expect-items></case></tests>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (text, strlen (text), "d.xml", problems);
  g_autoptr(SluiceTestCase) test = NULL;
  g_autoptr(SluiceTestResult) result = NULL;

  g_assert_nonnull (pipeline);
  test = g_list_model_get_item (G_LIST_MODEL (sluice_pipeline_get_tests (pipeline)), 0);
  result = sluice_test_run_case (pipeline, NULL, test);
  g_test_message ("%s", result->message ? result->message : "passed");
  g_assert_true (result->passed);
  /* Two waves of three and one: at least two delays skipped. */
  g_assert_cmpint (result->skipped_us, >=, 2 * 299 * G_USEC_PER_SEC);
  g_assert_cmpint (result->duration_us, <, 5 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/test-runner/expect-items-exact", test_expect_items_exact);
  g_test_add_func ("/sluice/test-runner/expect-items-subset", test_expect_items_subset);
  g_test_add_func ("/sluice/test-runner/expect-items-order", test_expect_items_order);
  g_test_add_func ("/sluice/test-runner/expect-count-and-assert", test_expect_count_and_assert);
  g_test_add_func ("/sluice/test-runner/assert-contained", test_assert_contained);
  g_test_add_func ("/sluice/test-runner/params", test_params);
  g_test_add_func ("/sluice/test-runner/expect-failure", test_expect_failure);
  g_test_add_func ("/sluice/test-runner/unstubbed-side-effect", test_unstubbed_side_effect_refused);
  g_test_add_func ("/sluice/test-runner/real-step", test_real_step);
  g_test_add_func ("/sluice/test-runner/real-step-untrusted", test_real_step_refused_untrusted);
  g_test_add_func ("/sluice/test-runner/stub-answers", test_stub_answers);
  g_test_add_func ("/sluice/test-runner/stub-no-answer", test_stub_no_answer);
  g_test_add_func ("/sluice/test-runner/retries-on-fake-clock", test_retries_on_fake_clock);
  g_test_add_func ("/sluice/test-runner/on-error-with-faults", test_on_error_with_faults);
  g_test_add_func ("/sluice/test-runner/timeout-fault", test_timeout_fault);
  g_test_add_func ("/sluice/test-runner/target-controller", test_target_controller);
  g_test_add_func ("/sluice/test-runner/target-module-in-group", test_target_module_in_group);
  g_test_add_func ("/sluice/test-runner/delay-on-fake-clock", test_delay_on_fake_clock);
  g_test_add_func ("/sluice/test-runner/many-items", test_many_items);

  return g_test_run ();
}
