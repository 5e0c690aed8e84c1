/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-executor-common.h"
#include "report-tools.h"

/* The parts of a run report that judge a run: warnings, the consistency
 * score, the recommendation rules (the pipeline's and the defaults), and
 * the <recommendation> element itself. Every report is also checked
 * against the JSON Schema. */

static char *tmp_dir;

static json_t *
build_report (TestRun *run)
{
  g_autofree char *path = g_build_filename (tmp_dir, "report.json", NULL);
  g_autoptr(GError) error = NULL;
  json_t *report = sluice_run_report_build (run->executor, "t.xml");

  g_assert_true (sluice_run_report_write (report, path, &error));
  g_assert_no_error (error);
  report_assert_valid_json (path);
  return report;
}

static const char *
verdict_of (json_t *report)
{
  return json_string_value (json_object_get (json_object_get (report, "recommendation"), "verdict"));
}

static const char *
rule_of (json_t *report)
{
  return json_string_value (json_object_get (json_object_get (report, "recommendation"), "rule"));
}

static json_t *
find_warning (json_t     *report,
              const char *kind)
{
  size_t i;
  json_t *warning;

  json_array_foreach (json_object_get (report, "warnings"), i, warning)
    if (g_strcmp0 (json_string_value (json_object_get (warning, "kind")), kind) == 0)
      return warning;
  return NULL;
}

/* A warning of @kind about @id (a module or a controller). */
static json_t *
find_warning_about (json_t     *report,
                    const char *kind,
                    const char *key,
                    const char *id)
{
  size_t i;
  json_t *warning;

  json_array_foreach (json_object_get (report, "warnings"), i, warning)
    if (g_strcmp0 (json_string_value (json_object_get (warning, "kind")), kind) == 0 &&
        g_strcmp0 (json_string_value (json_object_get (warning, key)), id) == 0)
      return warning;
  return NULL;
}

/* One run that earns every kind of warning. */
static void
test_warnings (void)
{
  g_autofree char *flag = g_build_filename (tmp_dir, "flaky-flag", NULL);
  g_autofree char *define = g_strdup_printf ("flag=%s", flag);
  const char *defines[] = { define, NULL };
  static const char *body =
    "<parameters><parameter name=\"flag\"/></parameters>\n"
    "<controller id=\"first\" name=\"First\"><phase id=\"p1\">\n"
    "  <execution id=\"flaky\" retries=\"2\" backoff=\"1\">\n"
    "    <command>if [ -e ${flag} ]; then cat; else touch ${flag}; exit 1; fi</command></execution>\n"
    "  <condition id=\"branch\"><when>false</when><then>\n"
    "    <execution id=\"never\"><lua>item.x = 1</lua></execution></then></condition>\n"
    "  <gate id=\"near\" name=\"Near gate\">\n"
    "    <check name=\"Value\" value=\"item.v\" op=\"&gt;=\" threshold=\"0.99\"/></gate>\n"
    "  <gate id=\"positive\" on-error=\"drop\">\n"
    "    <check name=\"Sign\" value=\"item.s\" op=\"&gt;\" threshold=\"0\"/></gate>\n"
    "</phase></controller>\n"
    "<controller id=\"slow\" name=\"Slow\"><phase id=\"p2\">\n"
    "  <execution id=\"wait\"><use tool=\"delay\"><param name=\"duration\">400ms</param></use></execution>\n"
    "</phase></controller>\n"
    "<controller id=\"quick\" name=\"Quick\"><phase id=\"p3\">\n"
    "  <execution id=\"touch\"><lua>item.quick = true</lua></execution>\n"
    "</phase></controller>\n"
    "<controller id=\"quicker\" name=\"Quicker\"><phase id=\"p4\">\n"
    "  <execution id=\"touch2\"><lua>item.quicker = true</lua></execution>\n"
    "</phase></controller>\n";
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, "{\"v\": 1, \"s\": 1}\n{\"v\": 1, \"s\": -1}\n", defines, FALSE);
  json_t *report;
  json_t *stage;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  report = build_report (run);

  g_assert_nonnull (find_warning (report, "retries"));
  g_assert_cmpstr (json_string_value (json_object_get (find_warning (report, "retries"), "module")), ==, "flaky");
  g_assert_nonnull (find_warning (report, "never-ran"));
  g_assert_cmpstr (json_string_value (json_object_get (find_warning (report, "never-ran"), "module")), ==, "never");
  g_assert_nonnull (find_warning (report, "near-threshold"));
  g_assert_nonnull (strstr (json_string_value (json_object_get (find_warning (report, "near-threshold"), "message")),
                            "“Value” passed by only 0.01"));
  g_assert_nonnull (find_warning (report, "dropped"));
  g_assert_cmpstr (json_string_value (json_object_get (find_warning (report, "dropped"), "module")), ==, "positive");
  /* The 400 ms stage; on a slow machine (a sanitizer build) the first
   * stage, with its retry, may be called slow too. */
  g_assert_nonnull (find_warning_about (report, "slow-stage", "controller", "slow"));
  g_assert_null (find_warning_about (report, "slow-stage", "controller", "quick"));

  stage = json_array_get (json_object_get (report, "stages"), 0);
  g_assert_cmpint (json_integer_value (json_object_get (stage, "items_in")), ==, 2);
  g_assert_cmpint (json_integer_value (json_object_get (stage, "items_out")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (stage, "retries")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (stage, "dropped")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (stage, "items_failed")), ==, 1);   /* the gate, dropping */
  stage = json_array_get (json_object_get (report, "stages"), 1);
  g_assert_cmpfloat (json_number_value (json_object_get (stage, "duration_ms")), >=, 400);

  /* The defaults: a gate stopped an item, so reject. */
  g_assert_cmpstr (verdict_of (report), ==, "reject");
  g_assert_cmpstr (rule_of (report), ==, "reject when gate-failed");
  g_assert_nonnull (strstr (json_string_value (json_object_get (json_object_get (report, "outcome"), "headline")),
                            "Completed; gate “positive”"));
  json_decref (report);
  test_run_free (run);
}

/* Two stages check Sharpe (higher is better) and Drawdown (lower is
 * better); the score follows the README's formula. */
static const char *consistency_body =
  "<controller id=\"a\"><phase id=\"pa\">\n"
  "  <gate id=\"ga\"><check name=\"Sharpe\" value=\"item.a.sharpe\" op=\"&gt;=\" threshold=\"1\"/>\n"
  "    <check name=\"Drawdown\" value=\"item.a.dd\" op=\"&lt;=\" threshold=\"0.5\"/></gate>\n"
  "</phase></controller>\n"
  "<controller id=\"b\"><phase id=\"pb\">\n"
  "  <gate id=\"gb\"><check name=\"Sharpe\" value=\"item.b.sharpe\" op=\"&gt;=\" threshold=\"0.5\"/>\n"
  "    <check name=\"Drawdown\" value=\"item.b.dd\" op=\"&lt;=\" threshold=\"0.5\"/></gate>\n"
  "</phase></controller>\n";
static const char *consistency_item =
  "{\"a\": {\"sharpe\": 2.0, \"dd\": 0.2}, \"b\": {\"sharpe\": 1.5, \"dd\": 0.1}}\n";

static json_t *
run_with_rules (const char *rules)
{
  g_autofree char *body = g_strconcat (consistency_body, rules, "\n", NULL);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  TestRun *run;
  json_t *report;

  sluice_validate (pipeline, "t.xml", problems);
  g_assert_false (sluice_problems_have_errors (problems));
  run = test_run_new (pipeline, consistency_item, NULL, FALSE);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  report = build_report (run);
  test_run_free (run);
  return report;
}

static void
test_consistency (void)
{
  json_t *report = run_with_rules ("");
  json_t *consistency = json_object_get (report, "consistency");
  json_t *pairs = json_object_get (consistency, "pairs");

  /* Sharpe 2.0 → 1.5: d = 0.25; Drawdown 0.2 → 0.1 improved: d = 0.
   * Score = 1 − (0.25 + 0) / 2. */
  g_assert_cmpuint (json_array_size (pairs), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (json_array_get (pairs, 0), "degradation")), 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (json_array_get (pairs, 1), "degradation")), 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (consistency, "score")), 0.875, 1e-12);
  g_assert_cmpstr (verdict_of (report), ==, "deploy");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "rules")), ==, "default");
  json_decref (report);
}

static void
test_pipeline_rules (void)
{
  json_t *report;

  report = run_with_rules ("<recommendation><rule verdict=\"review\" when=\"consistency-below\" value=\"0.9\"/>"
                           "<rule verdict=\"deploy\" when=\"completed\"/></recommendation>");
  g_assert_cmpstr (verdict_of (report), ==, "review");
  g_assert_cmpstr (rule_of (report), ==, "review when consistency-below 0.9");
  g_assert_nonnull (strstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "reason")),
                            "0.88 is below 0.9"));
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "rules")), ==, "pipeline");
  json_decref (report);

  report = run_with_rules ("<recommendation><rule verdict=\"review\" when=\"consistency-below\" value=\"0.8\"/>"
                           "<rule verdict=\"deploy\" when=\"completed\"/></recommendation>");
  g_assert_cmpstr (verdict_of (report), ==, "deploy");
  json_decref (report);

  /* near="0.5": Sharpe 1.5 ≥ 0.5 passed by 1 = 200 % of 0.5, Drawdown
   * 0.1 ≤ 0.5 by 0.4 = 80 %: nothing near; near="0.9" makes Drawdown near. */
  report = run_with_rules ("<recommendation near=\"0.9\"><rule verdict=\"review\" when=\"near-threshold\"/>"
                           "<rule verdict=\"deploy\" when=\"always\"/></recommendation>");
  g_assert_cmpstr (verdict_of (report), ==, "review");
  json_decref (report);

  report = run_with_rules ("<recommendation><rule verdict=\"reject\" when=\"failed\"/></recommendation>");
  g_assert_cmpstr (verdict_of (report), ==, "review");
  g_assert_cmpstr (rule_of (report), ==, "no rule applied");
  json_decref (report);

  report = run_with_rules ("<recommendation><rule verdict=\"reject\" when=\"warnings\"/>"
                           "<rule verdict=\"deploy\" when=\"always\"/></recommendation>");
  g_assert_cmpstr (verdict_of (report), ==, "deploy");
  json_decref (report);
}

/* A cancelled run is no success: the defaults reject it. */
static void
test_cancelled (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\"><phase id=\"p\"><execution id=\"wait\"><use tool=\"delay\">"
                    "<param name=\"duration\">30s</param></use></execution></phase></controller>");
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  json_t *report;

  sluice_executor_start (run->executor);
  g_timeout_add_once (50, (GSourceOnceFunc) sluice_executor_cancel, run->executor);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_CANCELLED);
  report = build_report (run);
  g_assert_cmpstr (verdict_of (report), ==, "reject");
  g_assert_cmpstr (rule_of (report), ==, "reject when failed");
  json_decref (report);
  test_run_free (run);
}

static const char *recommendation_file =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<pipeline format=\"1\" id=\"r\">\n"
  "  <controller id=\"c\" mode=\"not-parallel\">\n"
  "    <phase id=\"p\">\n"
  "      <gate id=\"g\">\n"
  "        <check name=\"A\" value=\"item.a\" op=\"&gt;\" threshold=\"0\"/>\n"
  "      </gate>\n"
  "    </phase>\n"
  "  </controller>\n"
  "  <recommendation near=\"0.1\">\n"
  "    <rule verdict=\"reject\" when=\"failed\"/>\n"
  "    <rule verdict=\"review\" when=\"consistency-below\" value=\"0.8\"/>\n"
  "    <rule verdict=\"deploy\" when=\"completed\"/>\n"
  "  </recommendation>\n"
  "  <view zoom=\"1\"/>\n"
  "</pipeline>\n";

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (recommendation_file, strlen (recommendation_file),
                                                         "r.xml", problems);
  g_autofree char *saved = NULL;
  SluiceRecommendation *recommendation;

  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  sluice_validate (pipeline, "r.xml", problems);
  g_assert_cmpuint (problems->len, ==, 0);
  recommendation = sluice_recommendation_get_for (pipeline);
  g_assert_nonnull (recommendation);
  g_assert_cmpstr (sluice_recommendation_get_near (recommendation), ==, "0.1");
  g_assert_cmpuint (sluice_recommendation_get_n_rules (recommendation), ==, 3);
  g_assert_cmpstr (sluice_recommendation_get_rule (recommendation, 1)->value, ==, "0.8");
  g_assert_cmpuint (sluice_recommendation_get_rule (recommendation, 1)->line, ==, 12);
  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_cmpstr (saved, ==, recommendation_file);
}

static void
test_validator (void)
{
  static const char *xml =
    "<?xml version=\"1.0\"?>\n"
    "<pipeline format=\"1\">\n"
    "  <controller id=\"c\"><phase id=\"p\"><execution id=\"e\"><lua>x = 1</lua></execution></phase></controller>\n"
    "  <recommendation near=\"abc\">\n"
    "    <rule verdict=\"reject\" when=\"sometimes\"/>\n"
    "    <rule verdict=\"review\" when=\"consistency-below\"/>\n"
    "    <rule verdict=\"review\" when=\"consistency-below\" value=\"2\"/>\n"
    "    <rule verdict=\"review\" when=\"consistency-below\" value=\"1e400\"/>\n"
    "    <rule verdict=\"deploy\" when=\"completed\" value=\"1\"/>\n"
    "  </recommendation>\n"
    "</pipeline>\n";
  static const char *expected[] = {
    "v.xml:4: error: recommendation: near “abc” is not a number",
    "v.xml:5: error: recommendation rule: unknown condition `sometimes`",
    "v.xml:6: error: recommendation rule `consistency-below` needs a value",
    "v.xml:7: error: recommendation rule `consistency-below`: value 2 is not a score from 0 to 1",
    "v.xml:8: error: recommendation rule `consistency-below`: value “1e400” is beyond the range of a number",
    "v.xml:9: warning: recommendation rule `completed` takes no value",
  };
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "v.xml", problems);

  g_assert_nonnull (pipeline);
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

/* Names from the file and values from items reach the HTML escaped. */
static void
test_html_escaping (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"x\" name=\"&lt;script&gt;alert(1)&lt;/script&gt;\">\n"
               "<controller id=\"c\" name=\"&lt;img src=x onerror=alert(2)&gt;\"><phase id=\"p\">\n"
               "<gate id=\"g\" name=\"&lt;b&gt;&amp;\"><check name=\"&lt;/td&gt;&lt;script&gt;\" value=\"item[&quot;&lt;k&gt;&quot;]\" op=\"&gt;\" threshold=\"0\"/></gate>\n"
               "</phase></controller></pipeline>\n");
  g_autofree char *path = g_build_filename (tmp_dir, "escaped.html", NULL);
  g_autofree char *html = NULL;
  g_autoptr(GError) error = NULL;
  TestRun *run = test_run_new (pipeline, "{\"<k>\": \"</script>\"}\n", NULL, FALSE);
  json_t *report;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  report = build_report (run);
  g_assert_true (sluice_run_report_write (report, path, &error));
  g_assert_true (g_file_get_contents (path, &html, NULL, NULL));
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "<img"));
  g_assert_null (strstr (html, "<b>&"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_nonnull (strstr (html, "&lt;/td&gt;&lt;script&gt;"));
  json_decref (report);
  test_run_free (run);
}

/* What left each stage and what failed in it, as the executor counts
 * them at the stage's boundary (the designer's stages table and the
 * report read these, not a guess from the model): a stage whose last
 * module in the file is a <fail> in an else branch still passes its
 * items on, and a drop after a failure counts as failed there. */
static void
test_stage_counts_from_executor (void)
{
  static const char *body =
    "<controller id=\"route\" name=\"Route\"><phase id=\"p1\">\n"
    "  <condition id=\"big\"><when>item.v &lt; 100</when><then>\n"
    "    <execution id=\"keep\"><lua>item.kept = true</lua></execution></then><else>\n"
    "    <fail id=\"too-big\">too big</fail></else></condition>\n"
    "</phase></controller>\n"
    "<controller id=\"check\" name=\"Check\"><phase id=\"p2\">\n"
    "  <execution id=\"odd\" on-error=\"drop\"><lua>if item.v % 2 == 1 then error ('odd') end</lua></execution>\n"
    "</phase></controller>\n";
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, "{\"v\": 1}\n{\"v\": 2}\n{\"v\": 4}\n", NULL, FALSE);
  SluiceStageStats stats = { 0 };
  json_t *report;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_true (sluice_executor_get_stage_stats (run->executor, "route", &stats));
  g_assert_cmpuint (stats.items_in, ==, 3);
  g_assert_cmpuint (stats.items_out, ==, 3);
  g_assert_cmpuint (stats.items_failed + stats.dropped, ==, 0);
  g_assert_true (sluice_executor_get_stage_stats (run->executor, "check", &stats));
  g_assert_cmpuint (stats.items_in, ==, 3);
  g_assert_cmpuint (stats.items_out, ==, 2);
  g_assert_cmpuint (stats.items_failed, ==, 0);
  g_assert_cmpuint (stats.dropped, ==, 1);
  report = build_report (run);
  g_assert_cmpint (json_integer_value (json_object_get (json_array_get (json_object_get (report, "stages"), 1),
                                                       "items_failed")), ==, 1);
  json_decref (report);
  test_run_free (run);

  /* A failure no on-error takes fails the run: counted at its stage. */
  {
    g_autoptr(SluicePipeline) again = test_load_body (body);

    run = test_run_new (again, "{\"v\": 2}\n{\"v\": 500}\n", NULL, FALSE);
  }
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_assert_true (sluice_executor_get_stage_stats (run->executor, "route", &stats));
  g_assert_cmpuint (stats.items_failed, ==, 1);
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  int status;
  g_autofree char *command = NULL;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-analysis-XXXXXX", NULL);

  g_test_add_func ("/sluice/report-analysis/warnings", test_warnings);
  g_test_add_func ("/sluice/report-analysis/stage-counts", test_stage_counts_from_executor);
  g_test_add_func ("/sluice/report-analysis/consistency", test_consistency);
  g_test_add_func ("/sluice/report-analysis/pipeline-rules", test_pipeline_rules);
  g_test_add_func ("/sluice/report-analysis/cancelled", test_cancelled);
  g_test_add_func ("/sluice/report-analysis/round-trip", test_round_trip);
  g_test_add_func ("/sluice/report-analysis/validator", test_validator);
  g_test_add_func ("/sluice/report-analysis/html-escaping", test_html_escaping);

  status = g_test_run ();
  command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (tmp_dir);
  return status;
}
