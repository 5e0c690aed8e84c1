/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sluice-loader.h"
#include "sluice-run-options.h"
#include "sluice-run-test.h"
#include "sluice-test-runner.h"
#include "sluice-validator.h"

/* The test mode of the runner: every case of every file in turn, as TAP
 * (one "ok"/"not ok" line a case, the reasons as "#" lines naming
 * FILE:LINE), and a JUnit XML report for CI systems. */

typedef struct
{
  char             *file;
  SluiceTestResult *result;   /* owned; NULL: the file did not load or validate */
  char             *problems; /* why the file could not be tested */
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->file);
  sluice_test_result_free (entry->result);
  g_free (entry->problems);
  g_free (entry);
}

static void
print_comment (const char *file,
               const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    printf ("# %s%s\n", i == 0 && file != NULL ? file : "", lines[i]);
}

static void
print_entry (Entry *entry,
             guint  number)
{
  if (entry->result == NULL)
    {
      printf ("not ok %u - %s\n", number, entry->file);
      print_comment (NULL, entry->problems);
      return;
    }

  printf ("%s %u - %s: %s\n", entry->result->passed ? "ok" : "not ok", number,
          entry->file, entry->result->name);
  if (!entry->result->passed)
    {
      g_autofree char *where = g_strdup_printf ("%s:%u: ", entry->file, entry->result->line);
      print_comment (where, entry->result->message);
    }
  fflush (stdout);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autofree char *escaped = NULL;

  /* Control characters XML 1.0 cannot carry are left out. */
  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 && *p != '\n' && *p != '\t')
      *p = ' ';
  escaped = g_markup_escape_text (valid, -1);
  g_string_append (out, escaped);
}

static gboolean
write_junit (GPtrArray   *entries,
             const char  *path,
             GError     **error)
{
  g_autoptr(GString) out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
  const char *file = NULL;

  for (guint i = 0; i <= entries->len; i++)
    {
      Entry *entry = i < entries->len ? g_ptr_array_index (entries, i) : NULL;

      if (file != NULL && (entry == NULL || g_strcmp0 (entry->file, file) != 0))
        g_string_append (out, "  </testsuite>\n");
      if (entry == NULL)
        break;
      if (g_strcmp0 (entry->file, file) != 0)
        {
          guint tests = 0, failures = 0;

          for (guint j = i; j < entries->len && g_str_equal (((Entry *) g_ptr_array_index (entries, j))->file,
                                                             entry->file); j++)
            {
              Entry *other = g_ptr_array_index (entries, j);
              tests++;
              failures += other->result == NULL || !other->result->passed;
            }
          file = entry->file;
          g_string_append (out, "  <testsuite name=\"");
          append_escaped (out, file);
          g_string_append_printf (out, "\" tests=\"%u\" failures=\"%u\">\n", tests, failures);
        }

      g_string_append (out, "    <testcase classname=\"");
      append_escaped (out, entry->file);
      g_string_append (out, "\" name=\"");
      append_escaped (out, entry->result != NULL ? entry->result->name : "(file)");
      g_string_append_printf (out, "\" time=\"%.3f\"",
                              entry->result != NULL ? entry->result->duration_us / 1e6 : 0.0);
      if (entry->result != NULL && entry->result->passed)
        {
          g_string_append (out, "/>\n");
          continue;
        }
      g_string_append (out, ">\n      <failure message=\"");
      append_escaped (out, entry->result != NULL ? "the case failed" : "the file cannot be tested");
      g_string_append (out, "\">");
      if (entry->result != NULL)
        g_string_append_printf (out, "%s:%u: ", entry->file, entry->result->line);
      append_escaped (out, entry->result != NULL ? entry->result->message : entry->problems);
      g_string_append (out, "</failure>\n    </testcase>\n");
    }
  g_string_append (out, "</testsuites>\n");

  return g_file_set_contents (path, out->str, out->len, error);
}

static char *
problems_text (GPtrArray *problems)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));

      if (sluice_problem_get_severity (g_ptr_array_index (problems, i)) != SLUICE_SEVERITY_ERROR)
        continue;
      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Loads and validates @file, runs its cases (those named in @cases, or
 * all) into @entries. Returns the worst status for the file. */
static int
test_file (const char         *file,
           const char * const *cases,
           GPtrArray          *entries,
           GHashTable         *cases_seen)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_file (file, problems);
  GListModel *tests;
  int status = SLUICE_EXIT_COMPLETED;
  guint run = 0;

  if (pipeline != NULL)
    sluice_validate (pipeline, file, problems);
  sluice_problems_sort (problems);

  if (pipeline == NULL || sluice_problems_have_errors (problems))
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->file = g_strdup (file);
      entry->problems = problems_text (problems);
      if (*entry->problems == '\0')
        {
          g_free (entry->problems);
          entry->problems = g_strdup_printf ("%s: the file could not be loaded", file);
        }
      g_ptr_array_add (entries, entry);
      print_entry (entry, entries->len);
      return SLUICE_EXIT_INVALID;
    }

  tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);
      const char *name = sluice_test_case_get_name (test);
      Entry *entry;

      if (cases != NULL && !g_strv_contains (cases, name))
        continue;
      g_hash_table_add (cases_seen, g_strdup (name));

      entry = g_new0 (Entry, 1);
      entry->file = g_strdup (file);
      entry->result = sluice_test_run_case (pipeline, file, test);
      g_ptr_array_add (entries, entry);
      print_entry (entry, entries->len);
      if (!entry->result->passed)
        status = SLUICE_EXIT_FAILED;
      run++;
    }

  if (g_list_model_get_n_items (tests) == 0)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->file = g_strdup (file);
      entry->problems = g_strdup_printf ("%s: the pipeline has no <tests> cases", file);
      g_ptr_array_add (entries, entry);
      print_entry (entry, entries->len);
      return SLUICE_EXIT_INVALID;
    }

  return status;
}

int
sluice_run_test (int    argc,
                 char **argv)
{
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) cases = NULL;
  g_autofree char *junit = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GHashTable) cases_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) args = g_strdupv (argv);
  guint failed = 0;
  int status = SLUICE_EXIT_COMPLETED;
  const GOptionEntry entries_spec[] = {
    { "case", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cases,
      N_("Run only the case NAME (repeatable)"), N_("NAME") },
    { "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
      N_("Also write a JUnit XML report to FILE"), N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("PIPELINE.xml…") },
    { NULL }
  };

  context = g_option_context_new (_("— run the test cases of pipeline files"));
  g_option_context_add_main_entries (context, entries_spec, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Prints TAP on standard output; a failing case is followed by “#” lines with\n"
      "FILE:LINE of the case and a diff of expected (-) and actual (+) items.\n"
      "\n"
      "Exit status: 0 every case passed, 1 a case failed, 2 invalid pipeline,\n"
      "a file without cases, an unknown --case, or a usage error.\n"));
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_printerr ("sluice-run test: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (files == NULL || files[0] == NULL)
    {
      g_printerr ("sluice-run test: give at least one pipeline file (sluice-run test --help)\n");
      return SLUICE_EXIT_INVALID;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      int file_status = test_file (files[i], (const char * const *) cases, entries, cases_seen);

      status = MAX (status, file_status);
    }

  for (guint i = 0; cases != NULL && cases[i] != NULL; i++)
    if (!g_hash_table_contains (cases_seen, cases[i]))
      {
        g_printerr ("sluice-run test: no case named “%s” in the files given\n", cases[i]);
        status = SLUICE_EXIT_INVALID;
      }

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      failed += entry->result == NULL || !entry->result->passed;
    }
  printf ("1..%u\n# %u passed, %u failed\n", entries->len, entries->len - failed, failed);
  fflush (stdout);

  if (junit != NULL && !write_junit (entries, junit, &error))
    {
      g_printerr ("sluice-run test: cannot write %s: %s\n", junit, error->message);
      return SLUICE_EXIT_INVALID;
    }

  return status;
}
