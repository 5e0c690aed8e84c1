/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <math.h>

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "sluice-number-text.h"
#include "test-executor-common.h"

/* The transformers: convert (types, strict and lenient, timestamps with
 * formats and zones) and columns (select, rename, drop, defaults,
 * computed Lua expressions, flatten and nest), on items from input
 * lines, with hostile names and values. */

static TestRun *
run_tool (const char *tool,
          const char *params,
          const char *input,
          gboolean    events)
{
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"t\"><use tool=\"%s\">%s</use></execution>"
                     "</phase></controller>", tool, params);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, events);

  test_run_wait (run);
  return run;
}

static char *
output_line (TestRun *run,
             guint    i)
{
  g_assert_cmpuint (i, <, run->outputs->len);
  return g_ptr_array_index (run->outputs, i);
}

static gboolean
has_log (TestRun    *run,
         const char *text)
{
  for (guint i = 0; i < run->events->len; i++)
    {
      const char *event = g_ptr_array_index (run->events, i);

      if (strstr (event, "\"log\"") != NULL && strstr (event, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------ convert */

static void
test_convert_types (void)
{
  TestRun *run = run_tool ("convert",
                           "<param name=\"fields\">i:int, f:float\nb:bool, s:string, o:string, e:int, n:int</param>",
                           "{\"i\":\" 42 \",\"f\":\"1e3\",\"b\":\"No\",\"s\":1.5,\"o\":{\"k\":[1]},\"e\":\"\",\"n\":null}\n"
                           "{\"i\":12.0,\"f\":7,\"b\":1,\"s\":true}\n"
                           "{\"i\":\"12.0\",\"f\":\"-0.25\",\"b\":\"on\",\"s\":\"x\",\"z\":1}\n",
                           FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==,
                   "{\"b\":false,\"e\":null,\"f\":1000.0,\"i\":42,\"n\":null,\"o\":\"{\\\"k\\\":[1]}\",\"s\":\"1.5\"}");
  g_assert_cmpstr (output_line (run, 1), ==, "{\"b\":true,\"f\":7.0,\"i\":12,\"s\":\"true\"}");
  g_assert_cmpstr (output_line (run, 2), ==, "{\"b\":true,\"f\":-0.25,\"i\":12,\"s\":\"x\",\"z\":1}");
  test_run_free (run);
}

static void
test_convert_strict (void)
{
  static const struct { const char *fields; const char *input; const char *error; } cases[] = {
    { "price:float", "{\"price\":\"abc\"}", "module “t”: field “price”: cannot convert \"abc\" to float" },
    { "n:int", "{\"n\":\"1.5\"}", "field “n”: cannot convert \"1.5\" to int" },
    { "n:int", "{\"n\":9e30}", "cannot convert 9e30 to int" },
    { "n:int", "{\"n\":\"99999999999999999999\"}", "cannot convert \"99999999999999999999\" to int" },
    { "f:float", "{\"f\":\"nan\"}", "cannot convert \"nan\" to float" },
    { "f:float", "{\"f\":\"inf\"}", "cannot convert \"inf\" to float" },
    { "b:bool", "{\"b\":\"maybe\"}", "cannot convert \"maybe\" to bool" },
    { "b:bool", "{\"b\":2}", "cannot convert 2 to bool" },
    { "t:timestamp", "{\"t\":\"yesterday\"}", "cannot convert \"yesterday\" to timestamp" },
    { "e:int", "{\"e\":\"\"}", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *params = g_strdup_printf ("<param name=\"fields\">%s</param>%s", cases[i].fields,
                                                 cases[i].error == NULL ? "<param name=\"empty-is-null\">false</param>" : "");
      g_autofree char *input = g_strdup_printf ("%s\n", cases[i].input);
      TestRun *run = run_tool ("convert", params, input, FALSE);
      const char *error = sluice_executor_get_error (run->executor);

      g_test_message ("%s → %s", cases[i].input, error);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
      if (cases[i].error != NULL)
        g_assert_nonnull (strstr (error, cases[i].error));
      test_run_free (run);
    }
}

static void
test_convert_lenient (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  TestRun *run;

  for (guint i = 0; i < 15; i++)
    g_string_append_printf (input, "{\"n\":\"%s\",\"k\":%u}\n", i % 3 == 0 ? "bad" : "5", i);
  run = run_tool ("convert", "<param name=\"fields\">n:int</param><param name=\"mode\">lenient</param>",
                  input->str, TRUE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 15);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"k\":0,\"n\":null}");
  g_assert_cmpstr (output_line (run, 1), ==, "{\"k\":1,\"n\":5}");
  g_assert_true (has_log (run, "field “n”: cannot convert \\\"bad\\\" to int; set to null"));
  /* The count, at the end of the stream. */
  g_assert_true (has_log (run, "5 values did not convert and were set to null"));
  test_run_free (run);
}

static void
test_convert_timestamps (void)
{
  TestRun *run = run_tool ("convert", "<param name=\"fields\">t:timestamp</param>"
                           "<param name=\"timezone\">Europe/Paris</param>",
                           "{\"t\":\"2024-01-05T10:00:00+01:00\"}\n"
                           "{\"t\":\"2024-07-05 10:00:00\"}\n"
                           "{\"t\":\"2024-01-05\"}\n"
                           "{\"t\":\"2024-01-05T10:00:00.250Z\"}\n"
                           "{\"t\":1700000000}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"t\":\"2024-01-05T09:00:00Z\"}");
  /* Summer time in Paris. */
  g_assert_cmpstr (output_line (run, 1), ==, "{\"t\":\"2024-07-05T08:00:00Z\"}");
  g_assert_cmpstr (output_line (run, 2), ==, "{\"t\":\"2024-01-04T23:00:00Z\"}");
  g_assert_cmpstr (output_line (run, 3), ==, "{\"t\":\"2024-01-05T10:00:00.250000Z\"}");
  g_assert_cmpstr (output_line (run, 4), ==, "{\"t\":\"2023-11-14T22:13:20Z\"}");
  test_run_free (run);

  run = run_tool ("convert", "<param name=\"fields\">t:timestamp</param>"
                  "<param name=\"timestamp-format\">%d/%m/%Y %H:%M</param>"
                  "<param name=\"timezone\">America/New_York</param>"
                  "<param name=\"timestamp-output\">epoch-ms</param>",
                  "{\"t\":\"05/01/2024 10:30\"}\n", FALSE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"t\":1704468600000}");
  test_run_free (run);
}

/* UTC timestamps take a way without GDateTime: it must agree with
 * GDateTime's (Etc/UTC takes that one) on every output, and refuse what
 * GDateTime refuses (Feb 29 of a common year, hour 24, seconds 60). */
static void
test_convert_timestamps_utc_fast (void)
{
  const char * const outputs[] = { "iso8601", "epoch", "epoch-ms" };
  GRand *rand = g_rand_new_with_seed (14);
  g_autoptr(GString) input = g_string_new (NULL);

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (input, "{\"t\":\"%04d-%02d-%02d%c%02d:%02d:%02d%s\"}\n",
                            g_rand_int_range (rand, 1000, 10000), g_rand_int_range (rand, 0, 14),
                            g_rand_int_range (rand, 0, 33), i % 2 ? 'T' : ' ',
                            g_rand_int_range (rand, 0, 25), g_rand_int_range (rand, 0, 61),
                            g_rand_int_range (rand, 0, 61), i % 3 ? "" : "Z");
  g_string_append (input, "{\"t\":\"2023-02-29T10:00:00\"}\n{\"t\":\"2024-02-29T10:00:00\"}\n"
                          "{\"t\":\"1900-02-29 00:00:00\"}\n{\"t\":\"2000-02-29 23:59:59Z\"}\n");
  g_rand_free (rand);

  for (guint o = 0; o < G_N_ELEMENTS (outputs); o++)
    {
      g_autofree char *fast_params = g_strdup_printf ("<param name=\"fields\">t:timestamp</param><param name=\"mode\">lenient</param>"
                                                      "<param name=\"timestamp-output\">%s</param>", outputs[o]);
      g_autofree char *slow_params = g_strdup_printf ("%s<param name=\"timezone\">Etc/UTC</param>", fast_params);
      TestRun *fast = run_tool ("convert", fast_params, input->str, FALSE);
      TestRun *slow = run_tool ("convert", slow_params, input->str, FALSE);

      g_assert_cmpint (sluice_executor_get_state (fast->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpint (sluice_executor_get_state (slow->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (fast->outputs->len, ==, 2004);
      g_assert_cmpuint (slow->outputs->len, ==, 2004);
      for (guint i = 0; i < 2004; i++)
        g_assert_cmpstr (output_line (fast, i), ==, output_line (slow, i));
      test_run_free (fast);
      test_run_free (slow);
    }
}

static void
test_convert_refusals (void)
{
  g_autoptr(SluicePipeline) zone =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"t\"><use tool=\"convert\"><param name=\"fields\">a:int</param>"
                    "<param name=\"timezone\">Mars/Olympus</param></use></execution></phase></controller>");
  g_autoptr(SluicePipeline) bad =
    test_load ("<pipeline format=\"1\" id=\"pl\">\n<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
               "<execution id=\"t\"><use tool=\"convert\">\n"
               "<param name=\"fields\">a:integer</param>\n"
               "</use></execution></phase></controller></pipeline>\n");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = sluice_executor_new (zone, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_null (executor);
  g_assert_nonnull (strstr (error->message, "unknown time zone “Mars/Olympus”"));

  sluice_validate (bad, "t.xml", problems);
  g_assert_cmpuint (problems->len, >=, 1);
  text = sluice_problem_to_string (g_ptr_array_index (problems, 0));
  g_assert_cmpstr (text, ==, "t.xml:4: error: module `t`: tool `convert`: `integer` is not a type (int, float, bool, string, timestamp)");
}

/* The fast number parsers give strtod's and strtoll's answers, bit for
 * bit, on what they take, and refuse what they do not handle. */
static void
test_convert_number_fast_path (void)
{
  static const char * const refused[] = {
    "", "-", ".", "1e5", "0x10", " 1", "1 ", "inf", "nan", "1.2.3", "+-1",
    "1234567890123456", "0.12345678901234567", "1.00000000000000000000001", NULL,
  };
  GRand *rand = g_rand_new_with_seed (14);
  double d;
  gint64 i;

  for (guint k = 0; k < 200000; k++)
    {
      guint digits = g_rand_int_range (rand, 1, 16);
      guint point = g_rand_int_range (rand, 0, digits + 1);
      GString *text = g_string_new (g_rand_boolean (rand) ? "-" : "");
      double expected;

      for (guint n = 0; n < digits; n++)
        {
          if (n == point && n > 0)
            g_string_append_c (text, '.');
          g_string_append_c (text, '0' + g_rand_int_range (rand, 0, 10));
        }
      expected = g_ascii_strtod (text->str, NULL);
      g_assert_true (sluice_number_text_real (text->str, text->len, &d));
      if (memcmp (&d, &expected, sizeof d) != 0)
        g_error ("%s: %.17g, strtod %.17g", text->str, d, expected);
      if (strchr (text->str, '.') == NULL)
        {
          g_assert_true (sluice_number_text_int (text->str, text->len, &i));
          g_assert_cmpint (i, ==, g_ascii_strtoll (text->str, NULL, 10));
        }
      g_string_free (text, TRUE);
    }
  g_assert_true (sluice_number_text_int ("-999999999999999999", 19, &i));
  g_assert_cmpint (i, ==, -999999999999999999);
  g_assert_true (sluice_number_text_real ("-0.0", 4, &d));
  g_assert_true (signbit (d) && d == 0.0);
  for (guint k = 0; refused[k] != NULL; k++)
    g_assert_false (sluice_number_text_real (refused[k], strlen (refused[k]), &d));
  g_assert_false (sluice_number_text_int ("9223372036854775808", 19, &i));
  g_assert_false (sluice_number_text_int ("1.0", 3, &i));
  g_rand_free (rand);
}

/* ------------------------------------------------------------ columns */

static void
test_columns_basics (void)
{
  TestRun *run = run_tool ("columns",
                           "<param name=\"defaults\">currency=EUR, discount=0, note=\"a, b\"</param>"
                           "<param name=\"compute\">total = item.price * item.qty - item.discount\n"
                           "label = item.name .. '!'</param>"
                           "<param name=\"rename\">qty=quantity</param>"
                           "<param name=\"drop\">secret</param>",
                           "{\"name\":\"a\",\"price\":2.5,\"qty\":4,\"secret\":\"x\",\"discount\":null}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==,
                   "{\"currency\":\"EUR\",\"discount\":0,\"label\":\"a!\",\"name\":\"a\",\"note\":\"a, b\","
                   "\"price\":2.5,\"quantity\":4,\"total\":10.0}");
  test_run_free (run);
}

/* Names and values are data, whatever they hold. */
static void
test_columns_hostile_names (void)
{
  TestRun *run = run_tool ("columns",
                           "<param name=\"rename\">a\"b=x]] os.exit() --</param>"
                           "<param name=\"defaults\">q\\\"=\\\"]]..error('boom')--</param>"
                           "<param name=\"select\">x]] os.exit() --, q\\\"</param>",
                           "{\"a\\\"b\":1,\"other\":2}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==,
                   "{\"q\\\\\\\"\":\"\\\\\\\"]]..error('boom')--\",\"x]] os.exit() --\":1}");
  test_run_free (run);
}

static void
test_columns_flatten_nest (void)
{
  TestRun *run = run_tool ("columns", "<param name=\"flatten\">true</param>",
                           "{\"a\":{\"b\":{\"c\":1},\"d\":[1,{\"e\":2}],\"f\":{}},\"g\":null}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"a.b.c\":1,\"a.d\":[1,{\"e\":2}],\"a.f\":{},\"g\":null}");
  test_run_free (run);

  run = run_tool ("columns", "<param name=\"nest\">true</param><param name=\"separator\">__</param>",
                  "{\"a__b__c\":1,\"a__x\":\"y\",\"top\":true}\n", FALSE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"a\":{\"b\":{\"c\":1},\"x\":\"y\"},\"top\":true}");
  test_run_free (run);
}

/* A computed field runs sandboxed; its errors fail the item. */
static void
test_columns_compute_errors (void)
{
  TestRun *run = run_tool ("columns", "<param name=\"compute\">x = item.missing + 1</param>", "{\"a\":1}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "module “t”"));
  test_run_free (run);

  run = run_tool ("columns", "<param name=\"compute\">x = os.execute('touch /tmp/sluice-pwned')</param>", "{\"a\":1}\n", FALSE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_false (g_file_test ("/tmp/sluice-pwned", G_FILE_TEST_EXISTS));
  test_run_free (run);
}

/* Expressions that read the item in ways the field scan cannot follow
 * (a loop over it, a change to a nested table, a global read by name, a
 * comment) see the whole item and keep their changes, as a Lua chunk
 * would; plain field reads see their fields, nested values included. */
static void
test_columns_compute_whole_item (void)
{
  TestRun *run = run_tool ("columns",
                           "<param name=\"compute\">n = (function () local n = 0 for _ in pairs (item) do n = n + 1 end return n end) ()\n"
                           "grown = table.insert (item.tags, 'z') or #item.tags\n"
                           "via_env = _ENV['item'].a * 10\n"
                           "commented = item.a + #[[x]]\n"
                           "nested = item.obj.x .. item['tags'][1] .. tostring (item.none)</param>",
                           "{\"a\":1,\"b\":2,\"tags\":[\"x\"],\"obj\":{\"x\":\"X\"}}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==,
                   "{\"a\":1,\"b\":2,\"commented\":2,\"grown\":2,\"n\":4,\"nested\":\"Xxnil\","
                   "\"obj\":{\"x\":\"X\"},\"tags\":[\"x\",\"z\"],\"via_env\":10}");
  test_run_free (run);

  /* Field reads only: the C way, the same answers. */
  run = run_tool ("columns",
                  "<param name=\"compute\">nested = item.obj.x .. item['tags'][1] .. tostring (item.none)\n"
                  "cmp = item.a &lt;= 1 and item . b ~= 3 and item.a == 1\n"
                  "gone = item.none\n"
                  "s = ('%d-%s'):format (item.a, item[\"b\"])\n"
                  "f = item.a / 4 + 0x10 + 1e1</param>",
                  "{\"a\":1,\"b\":2,\"gone\":5,\"tags\":[\"x\"],\"obj\":{\"x\":\"X\"}}\n", FALSE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==,
                   "{\"a\":1,\"b\":2,\"cmp\":true,\"f\":26.25,\"nested\":\"Xxnil\",\"obj\":{\"x\":\"X\"},"
                   "\"s\":\"1-2\",\"tags\":[\"x\"]}");
  test_run_free (run);
}

/* A computed field that never ends is stopped by the module's time-out,
 * in C as in the Lua chunk; one past the memory limit fails its item. */
static void
test_columns_compute_stopped (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"t\" timeout=\"100ms\"><use tool=\"columns\">"
                    "<param name=\"compute\">x = (function () while true do end end) ()</param>"
                    "</use></execution></phase></controller>");
  TestRun *run = test_run_new (pipeline, "{\"a\":1}\n", NULL, FALSE);

  test_run_wait (run);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "module “t”"));
  test_run_free (run);

  run = run_tool ("columns", "<param name=\"compute\">x = string.rep ('x', 1 &lt;&lt; 30) .. item.a</param>",
                  "{\"a\":\"b\"}\n", FALSE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "memory"));
  test_run_free (run);
}

/* Flatten, nest and the rest never change what an earlier step (or the
 * executor, for a retry) still holds: nested values are shared. */
static void
test_columns_shared_values (void)
{
  TestRun *run = run_tool ("columns",
                           "<param name=\"nest\">true</param>",
                           "{\"a\":{\"x\":1},\"a.y\":2,\"b.c.d\":3,\"b\":7}\n", FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"a\":{\"x\":1,\"y\":2},\"b\":{\"c\":{\"d\":3}}}");
  test_run_free (run);
}

/* convert and columns change their item in place when no one else
 * holds it (sluice-item-to-change.c). What the executor keeps must not
 * change: a failed item goes on as it came (on-error="continue"), and a
 * combination retried starts again from its original item. */
static void
test_in_place_is_private (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-in-place-XXXXXX", &error);
  g_autofree char *counter = g_build_filename (dir, "runs", NULL);
  g_autoptr(SluicePipeline) pipeline = NULL;
  SluiceModuleStats stats;
  TestRun *run;

  /* The first field converts, the second does not: nothing changed. */
  pipeline = test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                             "<execution id=\"t\" on-error=\"continue\"><use tool=\"convert\">"
                             "<param name=\"fields\">a:int, b:int</param></use></execution>"
                             "</phase></controller>");
  run = test_run_new (pipeline, "{\"a\":\"1\",\"b\":\"x\"}\n{\"a\":\"2\",\"b\":\"3\"}\n", NULL, FALSE);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"a\":\"1\",\"b\":\"x\"}");
  g_assert_cmpstr (output_line (run, 1), ==, "{\"a\":2,\"b\":3}");
  test_run_free (run);
  g_clear_object (&pipeline);

  /* The second computed field is no JSON value (a function): the first
   * is not set either. */
  pipeline = test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                             "<execution id=\"t\" on-error=\"continue\"><use tool=\"columns\">"
                             "<param name=\"compute\">x = item.a + 1\ny = item.a and string.len</param>"
                             "<param name=\"rename\">a=b</param></use></execution>"
                             "</phase></controller>");
  run = test_run_new (pipeline, "{\"a\":1}\n", NULL, FALSE);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"a\":1}");
  test_run_free (run);
  g_clear_object (&pipeline);

  /* The group fails twice after columns added 1 (a counter in a file),
   * and each run starts from n = 0. */
  g_assert_no_error (error);
  pipeline = test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                             "<combination id=\"group\" retries=\"2\" backoff=\"1\">"
                             "<execution id=\"g1\"><use tool=\"columns\"><param name=\"compute\">n = item.n + 1</param></use></execution>"
                             "<execution id=\"g2\"><use tool=\"convert\"><param name=\"fields\">n:string</param></use></execution>"
                             "<execution id=\"g3\"><command>n=$$(cat runs 2&gt;/dev/null || echo 0); n=$$((n + 1)); "
                             "echo $$n &gt; runs; [ $$n -ge 3 ] || exit 1; cat</command></execution>"
                             "</combination></phase></controller>");
  run = test_run_new (pipeline, "{\"n\":0}\n", NULL, FALSE);
  sluice_executor_set_base_directory (run->executor, dir);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (output_line (run, 0), ==, "{\"n\":\"1\"}");
  g_assert_true (sluice_executor_get_module_stats (run->executor, "group", &stats));
  g_assert_cmpuint (stats.failed, ==, 2);
  test_run_free (run);
  g_unlink (counter);
  g_rmdir (dir);
}

/* Simple arithmetic is evaluated in C (sluice-columns-arith.c): it
 * must give what Lua gives (the same expressions in parentheses go
 * through Lua), also for integers that wrap, floats, mixed sides,
 * strings Lua converts, and missing fields Lua complains about. */
static void
test_columns_arith_matches_lua (void)
{
  static const char *expressions[] = {
    "x = item.a * item.b\ny = item.a + item.b\nz = item.a - 2\nw = 0.5 * item.b",
    "x = (item.a * item.b)\ny = (item.a + item.b)\nz = (item.a - 2)\nw = (0.5 * item.b)",
  };
  const char *input =
    "{\"a\":3,\"b\":4}\n"
    "{\"a\":0.25,\"b\":3}\n"
    "{\"a\":9223372036854775807,\"b\":2}\n"
    "{\"a\":-9223372036854775807,\"b\":-3}\n"
    "{\"a\":1e300,\"b\":1.5}\n"
    "{\"a\":\"10\",\"b\":\"2.5\"}\n"
    "{\"a\":0.1,\"b\":0.2}\n"
    "{\"a\":7}\n";
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);

  for (guint k = 0; k < G_N_ELEMENTS (expressions); k++)
    {
      g_autofree char *params = g_strdup_printf ("<param name=\"compute\">%s</param>", expressions[k]);
      TestRun *run = run_tool ("columns", params, input, FALSE);
      GString *answer = g_string_new (NULL);

      /* The last item fails (nil arithmetic) in both ways alike. */
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
      for (guint i = 0; i < run->outputs->len; i++)
        g_string_append_printf (answer, "%s\n", (char *) g_ptr_array_index (run->outputs, i));
      g_string_append (answer, sluice_executor_get_error (run->executor));
      g_ptr_array_add (answers, g_string_free (answer, FALSE));
      test_run_free (run);
    }
  g_assert_cmpstr (g_ptr_array_index (answers, 0), ==, g_ptr_array_index (answers, 1));
  g_assert_nonnull (strstr (g_ptr_array_index (answers, 0), "\"x\":-2,"));   /* wrapped */
  g_assert_nonnull (strstr (g_ptr_array_index (answers, 0), "\"x\":25.0,"));   /* "10" * "2.5" */
}

static void
test_columns_validation (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<pipeline format=\"1\" id=\"pl\">\n<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
               "<execution id=\"t\"><use tool=\"columns\">\n"
               "<param name=\"compute\">ok = 1\n"
               "bad = item.x +* 2\n"
               "no expression here</param>\n"
               "</use></execution></phase></controller></pipeline>\n");
  g_autoptr(SluicePipeline) both =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"t\"><use tool=\"columns\"><param name=\"flatten\">true</param>"
                    "<param name=\"nest\">yes</param></use></execution></phase></controller>");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;

  sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_string_append_printf (all, "%s\n", text);
    }
  g_test_message ("%s", all->str);
  g_assert_nonnull (strstr (all->str, "t.xml:5: error: module `t`: tool `columns`: the expression of `bad` does not compile"));
  g_assert_nonnull (strstr (all->str, "t.xml:6: error: module `t`: tool `columns`: `no expression here` is not field = expression"));

  executor = sluice_executor_new (both, NULL, &error);
  g_assert_null (executor);
  g_assert_nonnull (strstr (error->message, "flatten and nest undo each other"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/tools/convert/types", test_convert_types);
  g_test_add_func ("/sluice/tools/columns/arith-matches-lua", test_columns_arith_matches_lua);
  g_test_add_func ("/sluice/tools/convert/strict", test_convert_strict);
  g_test_add_func ("/sluice/tools/convert/lenient", test_convert_lenient);
  g_test_add_func ("/sluice/tools/convert/timestamps", test_convert_timestamps);
  g_test_add_func ("/sluice/tools/convert/timestamps-utc-fast", test_convert_timestamps_utc_fast);
  g_test_add_func ("/sluice/tools/convert/refusals", test_convert_refusals);
  g_test_add_func ("/sluice/tools/convert/number-fast-path", test_convert_number_fast_path);
  g_test_add_func ("/sluice/tools/columns/basics", test_columns_basics);
  g_test_add_func ("/sluice/tools/columns/hostile-names", test_columns_hostile_names);
  g_test_add_func ("/sluice/tools/columns/flatten-nest", test_columns_flatten_nest);
  g_test_add_func ("/sluice/tools/columns/compute-errors", test_columns_compute_errors);
  g_test_add_func ("/sluice/tools/columns/validation", test_columns_validation);
  g_test_add_func ("/sluice/tools/columns/compute-whole-item", test_columns_compute_whole_item);
  g_test_add_func ("/sluice/tools/columns/shared-values", test_columns_shared_values);
  g_test_add_func ("/sluice/tools/in-place-is-private", test_in_place_is_private);
  g_test_add_func ("/sluice/tools/columns/compute-stopped", test_columns_compute_stopped);

  return g_test_run ();
}
