/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "test-executor-common.h"

/* The Lua memory limit set from the file: <pipeline lua-memory-limit="…">
 * (schema, loader, saver, validator) and each Lua state of the run
 * keeping to it, the item failing with the module and the limit named. */

/* A table of a million integers: about 16 MiB of array, grown by
 * doubling; far below the default of 256 MiB. */
#define GROW "<execution id=\"grow\"><lua>" \
             "if item.big then local t = {} for i = 1, 1000000 do t[i] = i end item.n = #t end" \
             "</lua></execution>"

static char *
pipeline_xml (const char *attributes,
              const char *controller,
              const char *module)
{
  return g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                          "<pipeline format=\"1\" id=\"t\"%s>\n"
                          "<controller id=\"c\" %s><phase id=\"p\">%s</phase></controller>\n"
                          "</pipeline>\n", attributes, controller, module);
}

static TestRun *
run_xml (const char *xml,
         const char *input)
{
  g_autoptr(SluicePipeline) pipeline = test_load (xml);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);

  test_run_wait (run);
  return run;
}

static void
test_limit_from_file (void)
{
  const char *controllers[] = { "mode=\"not-parallel\"", "mode=\"no-order\" workers=\"2\"" };

  for (guint i = 0; i < G_N_ELEMENTS (controllers); i++)
    {
      g_autofree char *limited = pipeline_xml (" lua-memory-limit=\"8MiB\"", controllers[i], GROW);
      g_autofree char *unlimited = pipeline_xml ("", controllers[i], GROW);
      g_autofree char *generous = pipeline_xml (" lua-memory-limit=\"1GiB\"", controllers[i], GROW);
      const char *input = "{\"big\":false}\n{\"big\":true}\n{\"big\":true}\n{\"big\":true}\n";
      TestRun *run;

      /* Past the file's limit: the item fails, naming module and limit. */
      run = run_xml (limited, input);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
      g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "grow");
      g_test_message ("%s", sluice_executor_get_error (run->executor));
      g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "“grow”"));
      g_assert_nonnull (strstr (sluice_executor_get_error (run->executor),
                                "memory limit of 8 MiB reached (the pipeline's lua-memory-limit)"));
      test_run_free (run);

      /* The same items without the attribute (the default), or with a
       * larger limit, run. */
      run = run_xml (unlimited, input);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (run->outputs->len, ==, 4);
      test_run_free (run);
      run = run_xml (generous, input);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (run->outputs->len, ==, 4);
      test_run_free (run);
    }
}

/* A state stays usable after an item hit the limit: with on-error="drop"
 * the big items fail one by one and the small ones still run. */
static void
test_limit_then_go_on (void)
{
  g_autofree char *xml = pipeline_xml (" lua-memory-limit=\"4MiB\"", "mode=\"not-parallel\"",
                                       "<execution id=\"grow\" on-error=\"drop\"><lua>"
                                       "if item.big then local t = {} for i = 1, 1000000 do t[i] = i end end"
                                       "</lua></execution>");
  TestRun *run = run_xml (xml, "{\"big\":true}\n{\"n\":1}\n{\"big\":true}\n{\"n\":2}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"n\":1}");
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 1), ==, "{\"n\":2}");
  test_run_free (run);
}

static gboolean
problems_contain (GPtrArray  *problems,
                  const char *fragment)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_test_message ("%s", text);
      if (strstr (text, fragment) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_validate (void)
{
  const char *out_of_range[] = { "0MiB", "1023KiB", "65GiB", "99999999999999999999GiB", "18014398509481984GiB" };
  const char *not_sizes[] = { "12MB", "512", "-1MiB", "1.5GiB", "MiB", " 1MiB", "1mib" };

  for (guint i = 0; i < G_N_ELEMENTS (out_of_range); i++)
    {
      g_autofree char *attr = g_strdup_printf (" lua-memory-limit=\"%s\"", out_of_range[i]);
      g_autofree char *xml = pipeline_xml (attr, "mode=\"not-parallel\"", GROW);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = test_load (xml);

      sluice_validate (pipeline, "t.xml", problems);
      g_assert_true (problems_contain (problems, "t.xml:2: error: lua-memory-limit must be between 1MiB and 64GiB"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (not_sizes); i++)
    {
      g_autofree char *attr = g_strdup_printf (" lua-memory-limit=\"%s\"", not_sizes[i]);
      g_autofree char *xml = pipeline_xml (attr, "mode=\"not-parallel\"", GROW);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "t.xml", problems);

      g_assert_null (pipeline);
      g_assert_true (problems_contain (problems, "is not a size (use a whole number and KiB, MiB or GiB, e.g. 512MiB)"));
    }

  /* The bounds themselves are fine. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *xml = pipeline_xml (i == 0 ? " lua-memory-limit=\"1024KiB\"" : " lua-memory-limit=\"64GiB\"",
                                           "mode=\"not-parallel\"", GROW);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = test_load (xml);

      sluice_validate (pipeline, "t.xml", problems);
      g_assert_false (problems_contain (problems, "lua-memory-limit"));
    }
}

static void
test_save (void)
{
  const struct { const char *in; const char *saved; } cases[] = {
    { "1536KiB", "lua-memory-limit=\"1536KiB\"" },
    { "1024MiB", "lua-memory-limit=\"1GiB\"" },
    { "512MiB", "lua-memory-limit=\"512MiB\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *attr = g_strdup_printf (" lua-memory-limit=\"%s\"", cases[i].in);
      g_autofree char *xml = pipeline_xml (attr, "mode=\"not-parallel\"", GROW);
      g_autoptr(SluicePipeline) pipeline = test_load (xml);
      g_autofree char *saved = sluice_save_to_data (pipeline, NULL);
      g_autoptr(SluicePipeline) again = test_load (saved);

      g_assert_nonnull (strstr (saved, cases[i].saved));
      g_assert_cmpuint (sluice_pipeline_get_lua_memory_limit (again), ==,
                        sluice_pipeline_get_lua_memory_limit (pipeline));
    }

  /* Unset stays unset. */
  {
    g_autofree char *xml = pipeline_xml ("", "mode=\"not-parallel\"", GROW);
    g_autoptr(SluicePipeline) pipeline = test_load (xml);
    g_autofree char *saved = sluice_save_to_data (pipeline, NULL);

    g_assert_cmpuint (sluice_pipeline_get_lua_memory_limit (pipeline), ==, 0);
    g_assert_null (strstr (saved, "lua-memory-limit"));
  }
}

static void
test_parse_sizes (void)
{
  guint64 bytes = 0;

  g_assert_true (sluice_memory_size_parse ("1KiB", &bytes));
  g_assert_cmpuint (bytes, ==, 1024);
  g_assert_true (sluice_memory_size_parse ("256MiB", &bytes));
  g_assert_cmpuint (bytes, ==, 256u * 1024 * 1024);
  g_assert_true (sluice_memory_size_parse ("17179869183GiB", &bytes));
  g_assert_cmpuint (bytes, ==, G_GUINT64_CONSTANT (17179869183) << 30);
  g_assert_false (sluice_memory_size_parse ("17179869184GiB", &bytes));
  g_assert_false (sluice_memory_size_parse ("99999999999999999999KiB", &bytes));
  g_assert_false (sluice_memory_size_parse ("1", &bytes));
  g_assert_false (sluice_memory_size_parse ("1 MiB", &bytes));
  g_assert_false (sluice_memory_size_parse ("", &bytes));
  g_assert_false (sluice_memory_size_parse (NULL, &bytes));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua-memory/limit-from-file", test_limit_from_file);
  g_test_add_func ("/sluice/lua-memory/limit-then-go-on", test_limit_then_go_on);
  g_test_add_func ("/sluice/lua-memory/validate", test_validate);
  g_test_add_func ("/sluice/lua-memory/save", test_save);
  g_test_add_func ("/sluice/lua-memory/parse-sizes", test_parse_sizes);

  return g_test_run ();
}
