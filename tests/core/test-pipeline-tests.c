/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"

/* <tests> in pipeline files: loading with lines, saving back unchanged,
 * the schema, hostile XML inside, and the validator's checks. */

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
             "<pipeline format=\"1\" id=\"p\">\n" \
             "  <parameters>\n" \
             "    <parameter name=\"factor\" default=\"2\"/>\n" \
             "  </parameters>\n" \
             "  <controller id=\"c\" mode=\"not-parallel\">\n" \
             "    <phase id=\"ph\">\n" \
             "      <execution id=\"double\">\n" \
             "        <lua>item.v = item.v * 2</lua>\n" \
             "      </execution>\n" \
             "      <combination id=\"group\">\n" \
             "        <execution id=\"save\">\n" \
             "          <command>cat</command>\n" \
             "        </execution>\n" \
             "      </combination>\n" \
             "    </phase>\n" \
             "  </controller>\n"
/* HEAD is 17 lines: <tests> starts on line 18. */
#define TAIL "</pipeline>\n"

static SluicePipeline *
load (const char *text,
      GPtrArray  *problems)
{
  return sluice_load_data (text, strlen (text), "t.xml", problems);
}

static GPtrArray *
problems_new (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

/* The problems as "LINE: message" lines, for assertions. */
static char *
problems_text (GPtrArray *problems)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (text, "%u: %s\n", sluice_problem_get_line (problem),
                              sluice_problem_get_message (problem));
    }
  return g_string_free (text, FALSE);
}

static char *
validate (const char *text)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (text, problems);

  if (pipeline != NULL)
    sluice_validate (pipeline, "t.xml", problems);
  return problems_text (problems);
}

static const char full_tests[] =
  HEAD
  "  <tests>\n"
  "    <case name=\"all\" timeout=\"5s\">\n"
  "      <param name=\"factor\">3</param>\n"
  "      <input>\n"
  "{\"v\": 1}\n"
  "</input>\n"
  "      <stub module=\"save\" fail=\"exit\" status=\"3\" times=\"1\" message=\"boom\" after=\"5m\">\n"
  "        <answer match='{\"v\":2}'>{\"w\": 1}</answer>\n"
  "        <answer/>\n"
  "      </stub>\n"
  "      <expect-items order=\"any\" compare=\"subset\">\n"
  "{\"v\": 2}\n"
  "</expect-items>\n"
  "      <expect-count value=\"1\"/>\n"
  "      <assert>#outputs == 1</assert>\n"
  "      <assert>assert (outputs[1].v &lt; 3)</assert>\n"
  "      <expect-failure module=\"save\" message=\"boom\"/>\n"
  "    </case>\n"
  "    <case name=\"file\" target=\"c\">\n"
  "      <input file=\"in.jsonl\"/>\n"
  "      <stub module=\"save\" real=\"true\"/>\n"
  "    </case>\n"
  "  </tests>\n"
  TAIL;

static void
test_load_all_parts (void)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (full_tests, problems);
  g_autofree char *text = problems_text (problems);
  SluiceTestCase *test;
  SluiceTestStub *stub;
  SluiceTestOrder order;
  SluiceTestCompare compare;
  const char *module, *message;
  guint line;

  g_assert_nonnull (pipeline);
  g_assert_cmpstr (text, ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sluice_pipeline_get_tests (pipeline))), ==, 2);

  test = sluice_pipeline_find_test (pipeline, "all");
  g_assert_nonnull (test);
  g_assert_cmpuint (sluice_test_case_get_line (test), ==, 19);
  g_assert_cmpint (sluice_test_case_get_timeout_ms (test), ==, 5000);
  g_assert_null (sluice_test_case_get_target (test));
  g_assert_cmpuint (sluice_test_case_get_params (test)->len, ==, 1);
  g_assert_cmpuint (sluice_test_case_get_input (test)->line, ==, 21);
  stub = sluice_test_case_find_stub (test, "save");
  g_assert_nonnull (stub);
  g_assert_cmpint (stub->fault, ==, SLUICE_STUB_FAULT_EXIT);
  g_assert_cmpuint (stub->status, ==, 3);
  g_assert_cmpuint (stub->times, ==, 1);
  g_assert_cmpint (stub->after_ms, ==, 300000);
  g_assert_cmpuint (stub->answers->len, ==, 2);
  g_assert_cmpstr (((SluiceStubAnswer *) g_ptr_array_index (stub->answers, 0))->match, ==, "{\"v\":2}");
  g_assert_nonnull (sluice_test_case_get_expected (test, &order, &compare));
  g_assert_cmpint (order, ==, SLUICE_TEST_ORDER_ANY);
  g_assert_cmpint (compare, ==, SLUICE_TEST_COMPARE_SUBSET);
  g_assert_cmpint (sluice_test_case_get_expected_count (test, &line), ==, 1);
  g_assert_cmpuint (line, ==, 31);
  g_assert_cmpuint (sluice_test_case_get_asserts (test)->len, ==, 2);
  g_assert_cmpstr (((SluiceTestAssert *) g_ptr_array_index (sluice_test_case_get_asserts (test), 1))->code,
                   ==, "assert (outputs[1].v < 3)");
  g_assert_true (sluice_test_case_get_expected_failure (test, &module, &message, NULL));
  g_assert_cmpstr (module, ==, "save");
  g_assert_cmpstr (message, ==, "boom");

  test = sluice_pipeline_find_test (pipeline, "file");
  g_assert_cmpstr (sluice_test_case_get_target (test), ==, "c");
  g_assert_cmpstr (sluice_test_case_get_input (test)->file, ==, "in.jsonl");
  g_assert_true (sluice_test_case_find_stub (test, "save")->real);
}

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (full_tests, problems);
  g_autofree char *saved = sluice_save_to_data (pipeline, NULL);

  g_assert_cmpstr (saved, ==, full_tests);
}

static void
test_round_trip_edited (void)
{
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluicePipeline) again = NULL;
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluiceTestCase) test = sluice_test_case_new ("made <here> & \"quoted\"");
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  SluiceTestStub *stub = sluice_test_stub_new ("save", 0);

  pipeline = load (HEAD TAIL, problems);
  sluice_test_stub_add_answer (stub, "{\"k\":\"a'b\\\"c\"}", "{\"out\": \"]]>\"}", 0);
  sluice_test_case_add_stub (test, stub);
  sluice_test_case_set_input (test, "{\"v\": \"<&>\"}", NULL, 0);
  sluice_test_case_add_assert (test, "outputs[1].v ~= '<'", 0);
  g_list_store_append (sluice_pipeline_get_tests (pipeline), test);

  saved = sluice_save_to_data (pipeline, NULL);
  again = load (saved, problems);
  g_assert_nonnull (again);
  saved_again = sluice_save_to_data (again, NULL);
  g_assert_cmpstr (saved, ==, saved_again);
  g_assert_nonnull (sluice_pipeline_find_test (again, "made <here> & \"quoted\""));
  g_assert_cmpstr (((SluiceStubAnswer *) g_ptr_array_index (
                      sluice_test_case_find_stub (sluice_pipeline_find_test (again, "made <here> & \"quoted\""),
                                                  "save")->answers, 0))->text, ==, "{\"out\": \"]]>\"}");
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_edit_emits_changed (void)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (full_tests, problems);
  SluiceTestCase *test = sluice_pipeline_find_test (pipeline, "all");
  guint changed = 0;

  g_signal_connect_swapped (pipeline, "changed", G_CALLBACK (count_cb), &changed);
  sluice_test_case_set_name (test, "renamed");
  g_assert_cmpuint (changed, >, 0);
}

static void
test_schema_refuses (void)
{
  static const struct { const char *xml; const char *message; } cases[] = {
    { "<tests><case/></tests>", "needs a `name` attribute" },
    { "<tests><case name=\"x\"><bogus/></case></tests>", "unknown element <bogus>" },
    { "<tests><case name=\"x\"><stub/></case></tests>", "needs a `module` attribute" },
    { "<tests><case name=\"x\" timeout=\"soon\"/></tests>", "is not a duration" },
    { "<tests><case name=\"x\"><stub module=\"save\" fail=\"explode\"/></case></tests>", "" },
    { "<tests><case name=\"x\"><expect-count value=\"-1\"/></case></tests>", "" },
    { "<tests><case name=\"x\"><stub module=\"save\" after=\"1 year\"/></case></tests>", "is not a duration" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (HEAD, "  ", cases[i].xml, "\n", TAIL, NULL);
      g_autoptr(GPtrArray) problems = problems_new ();
      g_autoptr(SluicePipeline) pipeline = load (text, problems);
      g_autofree char *found = problems_text (problems);

      g_test_message ("%s → %s", cases[i].xml, found);
      g_assert_null (pipeline);
      g_assert_nonnull (strstr (found, cases[i].message));
      g_assert_nonnull (strstr (found, "18: "));
    }
}

/* An entity bomb or an external entity inside a case is refused like
 * anywhere else in the file: the DOCTYPE never gets read. */
static void
test_hostile_xml (void)
{
  static const char * const texts[] = {
    "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
    "<pipeline format=\"1\"><controller id=\"c\"><phase id=\"p\"><execution id=\"e\"><lua/></execution></phase></controller>"
    "<tests><case name=\"x\"><input>&b;</input></case></tests></pipeline>\n",
    "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
    "<pipeline format=\"1\"><controller id=\"c\"><phase id=\"p\"><execution id=\"e\"><lua/></execution></phase></controller>"
    "<tests><case name=\"x\"><input>&x;</input></case></tests></pipeline>\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GPtrArray) problems = problems_new ();
      g_autoptr(SluicePipeline) pipeline = load (texts[i], problems);
      g_autofree char *found = problems_text (problems);

      g_assert_null (pipeline);
      g_assert_nonnull (strstr (found, "DOCTYPE"));
      g_assert_null (strstr (found, "root:"));
    }
}

/* A case nested deeper than the parser allows is refused, not recursed. */
static void
test_deep_nesting (void)
{
  g_autoptr(GString) text = g_string_new (HEAD "<tests><case name=\"x\"><input>");
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = NULL;

  for (guint i = 0; i < 300; i++)
    g_string_append (text, "<a>");
  g_string_append (text, "</input></case></tests>" TAIL);
  pipeline = load (text->str, problems);
  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, >, 0);
}

static void
test_validator (void)
{
  static const struct { const char *xml; const char *expected; } cases[] = {
    /* Malformed JSON: the problem is at the line of the bad item. */
    { "<tests><case name=\"x\"><input>\n{\"v\": 1}\n{\"v\": 2,}\n</input></case></tests>",
      "20: test case `x`: bad input item: " },
    { "<tests><case name=\"x\"><input>\n[1, 2]\n</input></case></tests>",
      "19: test case `x`: bad input item: not a JSON object but an array" },
    { "<tests><case name=\"x\"><expect-items>\n\n\n{oops}</expect-items></case></tests>",
      "21: test case `x`: bad expected item" },
    { "<tests><case name=\"x\" target=\"nope\"/></tests>",
      "18: test case `x`: the target `nope` is no controller or module of this pipeline" },
    { "<tests><case name=\"x\" target=\"ph\"/></tests>",
      "the target `ph` is no controller or module" },
    { "<tests><case name=\"x\"><stub module=\"ghost\"/></case></tests>",
      "a stub names `ghost`, which is no module of this pipeline" },
    { "<tests><case name=\"x\"><stub module=\"double\"/></case></tests>",
      "module `double` is Lua, a condition, a group or a gate" },
    { "<tests><case name=\"x\"><stub module=\"save\"/><stub module=\"save\"/></case></tests>",
      "module `save` is stubbed twice" },
    { "<tests><case name=\"x\"><stub module=\"save\" real=\"true\" fail=\"exit\"/></case></tests>",
      "cannot also fail or answer" },
    { "<tests><case name=\"x\"><stub module=\"save\"><answer match=\"[1]\"/></stub></case></tests>",
      "the match of an answer of `save` must be a JSON object" },
    { "<tests><case name=\"x\"><stub module=\"save\"><answer>\n{\"a\":1}\nnope</answer></stub></case></tests>",
      "20: test case `x`: bad answer item" },
    { "<tests><case name=\"x\"><param name=\"nope\">1</param></case></tests>",
      "parameter `nope` is not declared" },
    { "<tests><case name=\"x\"><assert>#outputs ==</assert></case></tests>",
      "18: test case `x`: the assertion does not compile" },
    { "<tests><case name=\"x\"><assert>\nlocal a = 1\nif a then\n</assert></case></tests>",
      "the assertion does not compile" },
    { "<tests><case name=\"x\"><expect-failure module=\"ghost\"/></case></tests>",
      "<expect-failure> names `ghost`, which is no module" },
    { "<tests><case name=\"x\"/><case name=\"x\"/></tests>",
      "another case has the same name" },
    { "<tests><case name=\"x\"><input file=\"does-not-exist.jsonl\"/></case></tests>",
      "the input file “does-not-exist.jsonl” does not exist" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (HEAD, "  ", cases[i].xml, "\n", TAIL, NULL);
      g_autofree char *found = validate (text);

      g_test_message ("%s → %s", cases[i].xml, found);
      g_assert_nonnull (strstr (found, cases[i].expected));
    }
}

static void
test_valid_cases_have_no_problems (void)
{
  g_autofree char *text = g_strconcat (HEAD,
    "  <tests>\n"
    "    <case name=\"ok\" target=\"save\">\n"
    "      <stub module=\"save\"><answer match=\"{}\">{\"a\": 1}</answer></stub>\n"
    "      <assert>\nlocal n = #outputs\nassert (n == 1)\n</assert>\n"
    "      <expect-failure/>\n"
    "    </case>\n"
    "  </tests>\n", TAIL, NULL);
  g_autofree char *found = validate (text);

  g_assert_cmpstr (found, ==, "");
}

/* The examples carry tests, with comments between cases: saved unchanged,
 * each file comes back byte for byte. */
static void
test_examples_round_trip (void)
{
  static const char * const names[] = {
    "calls-double.xml", "double.xml", "etl.xml", "etl-http-clickhouse.xml", "modes.xml", "strategy.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples",
                                                names[i], NULL);
      g_autoptr(GPtrArray) problems = problems_new ();
      g_autoptr(SluicePipeline) pipeline = sluice_load_file (path, problems);
      g_autofree char *contents = NULL;
      g_autofree char *saved = NULL;

      g_assert_nonnull (pipeline);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sluice_pipeline_get_tests (pipeline))), >, 0);
      saved = sluice_save_to_data (pipeline, NULL);
      g_assert_cmpstr (saved, ==, contents);
    }
}

/* Comments between the parts of a case, between a stub's answers and at
 * their ends are kept and written back where they were, with no warning
 * that they would be lost. */
static void
test_comments_inside_case (void)
{
  static const char text[] =
    HEAD
    "  <tests>\n"
    "    <case name=\"commented\">\n"
    "      <!-- the factor of this case -->\n"
    "      <param name=\"factor\">3</param>\n"
    "      <!-- one item -->\n"
    "      <input>{\"v\": 1}</input>\n"
    "      <!-- the saver is stubbed -->\n"
    "      <stub module=\"save\">\n"
    "        <!-- the first answer -->\n"
    "        <answer match='{\"v\":2}'>{\"w\": 1}</answer>\n"
    "        <!-- the fallback -->\n"
    "        <answer>{\"w\": 2}</answer>\n"
    "        <!-- end of the answers -->\n"
    "      </stub>\n"
    "      <stub module=\"double\"/>\n"
    "      <expect-count value=\"1\"/>\n"
    "      <!-- one assertion -->\n"
    "      <assert>#outputs == 1</assert>\n"
    "      <!-- the last word -->\n"
    "    </case>\n"
    "  </tests>\n"
    TAIL;
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (text, problems);
  g_autofree char *found = problems_text (problems);
  g_autofree char *saved = NULL;

  g_assert_nonnull (pipeline);
  g_assert_null (strstr (found, "not kept"));
  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_cmpstr (saved, ==, text);
}

/* A case copied, edited and assigned back (the designer's undoable
 * edits) says what the edit says; the copy of the original undoes it. */
static void
test_copy_and_assign (void)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (full_tests, problems);
  SluiceTestCase *test = sluice_pipeline_find_test (pipeline, "all");
  g_autoptr(SluiceTestCase) before = sluice_test_case_copy (test);
  g_autoptr(SluiceTestCase) edited = sluice_test_case_copy (test);
  g_autofree char *original = sluice_save_to_data (pipeline, NULL);
  g_autofree char *changed = NULL;
  g_autofree char *reverted = NULL;
  const char *codes[] = { "#outputs == 7", NULL };

  sluice_test_case_set_input (edited, "{\"v\": 9}", NULL, 0);
  sluice_test_case_set_asserts (edited, codes);
  sluice_test_case_remove_stub (edited, 0);
  sluice_test_case_assign (test, edited);
  changed = sluice_save_to_data (pipeline, NULL);
  g_assert_nonnull (strstr (changed, "<input>{\"v\": 9}</input>"));
  g_assert_nonnull (strstr (changed, "<assert>#outputs == 7</assert>"));
  g_assert_null (strstr (changed, "message=\"boom\" after"));
  g_assert_cmpuint (sluice_test_case_get_asserts (test)->len, ==, 1);

  sluice_test_case_assign (test, before);
  reverted = sluice_save_to_data (pipeline, NULL);
  g_assert_cmpstr (reverted, ==, original);
}

/* An edited case gets the lines a save gives it: its problems name the
 * line the bad item will be on. */
static void
test_lines_after_edit (void)
{
  g_autoptr(GPtrArray) problems = problems_new ();
  g_autoptr(SluicePipeline) pipeline = load (full_tests, problems);
  SluiceTestCase *test = sluice_pipeline_find_test (pipeline, "all");
  g_autoptr(SluiceTestCase) added = sluice_test_case_new ("added");
  g_autoptr(GPtrArray) found = problems_new ();
  g_autofree char *saved = NULL;
  g_auto(GStrv) lines = NULL;
  guint expected_line = 0;

  /* A case before it gets longer: every later line moves. */
  sluice_test_case_add_assert (test, "#outputs\n>= 0", 0);
  sluice_test_case_set_input (added, "{\"v\": 1}\n{\"v\": ", NULL, 0);
  g_list_store_append (sluice_pipeline_get_tests (pipeline), added);
  sluice_test_lines_update (pipeline);
  sluice_validate (pipeline, "t.xml", found);

  saved = sluice_save_to_data (pipeline, NULL);
  lines = g_strsplit (saved, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "{\"v\": ") && !g_str_has_suffix (lines[i], "}"))
      expected_line = i + 1;
  g_assert_cmpuint (expected_line, >, 0);
  for (guint i = 0; i < found->len; i++)
    if (strstr (sluice_problem_get_message (found->pdata[i]), "added") != NULL)
      g_assert_cmpuint (sluice_problem_get_line (found->pdata[i]), ==, expected_line);
  g_assert_cmpuint (sluice_test_case_get_input (added)->line, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/tests/load-all-parts", test_load_all_parts);
  g_test_add_func ("/sluice/tests/round-trip", test_round_trip);
  g_test_add_func ("/sluice/tests/round-trip-edited", test_round_trip_edited);
  g_test_add_func ("/sluice/tests/edit-emits-changed", test_edit_emits_changed);
  g_test_add_func ("/sluice/tests/schema-refuses", test_schema_refuses);
  g_test_add_func ("/sluice/tests/hostile-xml", test_hostile_xml);
  g_test_add_func ("/sluice/tests/deep-nesting", test_deep_nesting);
  g_test_add_func ("/sluice/tests/validator", test_validator);
  g_test_add_func ("/sluice/tests/valid-cases", test_valid_cases_have_no_problems);
  g_test_add_func ("/sluice/tests/examples-round-trip", test_examples_round_trip);
  g_test_add_func ("/sluice/tests/comments-inside-case", test_comments_inside_case);
  g_test_add_func ("/sluice/tests/copy-and-assign", test_copy_and_assign);
  g_test_add_func ("/sluice/tests/lines-after-edit", test_lines_after_edit);

  return g_test_run ();
}
