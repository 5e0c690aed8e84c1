/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-condition.h"
#include "sluice-controller.h"
#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-module.h"
#include "sluice-validator-private.h"

/* The checks of <tests> (README "Testing pipelines"): targets, stubs and
 * expected failures name modules that exist; parameters are declared;
 * JSON lines parse, each problem at its line; assertions compile. Runs
 * after the nodes' checks, so check->ids holds every id. */

static void
report (SluiceCheck    *check,
        SluiceSeverity  severity,
        guint           line,
        SluiceTestCase *test,
        const char     *format,
        ...) G_GNUC_PRINTF (5, 6);

static void
report (SluiceCheck    *check,
        SluiceSeverity  severity,
        guint           line,
        SluiceTestCase *test,
        const char     *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _sluice_check_report (check, severity, line, NULL, _("test case `%s`: %s"),
                        sluice_test_case_get_name (test), message);
}

static void
check_items (SluiceCheck           *check,
             SluiceTestCase        *test,
             const SluiceTestItems *items,
             const char            *what)
{
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  g_autoptr(GError) error = NULL;
  guint bad_line = 0;

  if (items == NULL)
    return;

  if (items->file != NULL)
    {
      g_autofree char *directory = check->file != NULL ? g_path_get_dirname (check->file) : g_strdup (".");
      g_autofree char *path = g_path_is_absolute (items->file)
                              ? g_strdup (items->file)
                              : g_build_filename (directory, items->file, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        report (check, SLUICE_SEVERITY_ERROR, items->line, test,
                _("the %s file “%s” does not exist"), what, items->file);
      return;
    }

  if (!sluice_test_parse_items (items->text, items->line, parsed, &bad_line, &error))
    report (check, SLUICE_SEVERITY_ERROR, bad_line, test, _("bad %s item: %s"), what,
            strchr (error->message, ':') != NULL ? strchr (error->message, ':') + 2 : error->message);
}

/* A module that can be stubbed: one whose work is a step other than Lua
 * (a command, a tool, a call to a server). */
static gboolean
is_step_module (SluiceNode *node)
{
  if (SLUICE_IS_EXTERNAL (node))
    return TRUE;
  return SLUICE_IS_EXECUTION (node) &&
         sluice_execution_get_body_kind (SLUICE_EXECUTION (node)) != SLUICE_BODY_LUA;
}

static SluiceNode *
find_module (SluiceCheck    *check,
             SluiceTestCase *test,
             const char     *id,
             guint           line,
             const char     *what)
{
  SluiceNode *node;

  /* The designer makes stubs before the user names their module. */
  if (id == NULL || *id == '\0')
    {
      report (check, SLUICE_SEVERITY_ERROR, line, test, _("%s names no module"), what);
      return NULL;
    }
  node = g_hash_table_lookup (check->ids, id);
  if (node == NULL || !SLUICE_IS_MODULE (node))
    {
      report (check, SLUICE_SEVERITY_ERROR, line, test,
              _("%s names `%s`, which is no module of this pipeline"), what, id);
      return NULL;
    }
  return node;
}

static void
check_stub (SluiceCheck    *check,
            SluiceTestCase *test,
            SluiceTestStub *stub,
            GHashTable     *stubbed)
{
  SluiceNode *node = find_module (check, test, stub->module, stub->line, _("a stub"));

  if (node == NULL)
    return;
  if (!is_step_module (node))
    {
      report (check, SLUICE_SEVERITY_ERROR, stub->line, test,
              _("module `%s` is Lua, a condition, a group or a gate: only commands, tools and "
                "external modules can be stubbed"), stub->module);
      return;
    }
  if (!g_hash_table_add (stubbed, stub->module))
    report (check, SLUICE_SEVERITY_ERROR, stub->line, test,
            _("module `%s` is stubbed twice"), stub->module);
  if (stub->real && (stub->fault != SLUICE_STUB_FAULT_NONE || stub->answers->len > 0))
    report (check, SLUICE_SEVERITY_ERROR, stub->line, test,
            _("the stub of `%s` is real=\"true\": it cannot also fail or answer"), stub->module);

  for (guint i = 0; i < stub->answers->len; i++)
    {
      SluiceStubAnswer *answer = g_ptr_array_index (stub->answers, i);
      SluiceTestItems items = { answer->text, NULL, answer->line };

      if (answer->match != NULL)
        {
          json_error_t json_error;
          json_t *match = json_loads (answer->match, 0, &json_error);

          if (match == NULL || !json_is_object (match))
            report (check, SLUICE_SEVERITY_ERROR, answer->line, test,
                    _("the match of an answer of `%s` must be a JSON object (%s)"), stub->module,
                    match == NULL ? json_error.text : _("not an object"));
          json_decref (match);
        }
      check_items (check, test, &items, _("answer"));
    }
}

static void
check_assert (SluiceCheck      *check,
              SluiceTestCase   *test,
              SluiceTestAssert *assertion)
{
  g_autofree char *message = NULL;
  g_autofree char *chunk_message = NULL;
  g_autofree char *stripped = g_strdup (assertion->code);
  guint line = 0;

  /* An assertion is an expression, or else a chunk (README). */
  if (sluice_lua_check_expression (check->lua, assertion->code, &line, &message))
    return;
  if (sluice_lua_check_chunk (check->lua, assertion->code, &line, &chunk_message))
    return;
  /* One line is meant as an expression: its message is the one to read. */
  if (strchr (g_strstrip (stripped), '\n') == NULL)
    {
      g_free (chunk_message);
      chunk_message = g_steal_pointer (&message);
    }
  report (check, SLUICE_SEVERITY_ERROR, assertion->line + (line > 0 ? line - 1 : 0), test,
          _("the assertion does not compile: %s"), chunk_message);
}

static void
check_case (SluiceCheck    *check,
            SluiceTestCase *test,
            GHashTable     *names)
{
  g_autoptr(GHashTable) stubbed = g_hash_table_new (g_str_hash, g_str_equal);
  const char *target = sluice_test_case_get_target (test);
  const char *name = sluice_test_case_get_name (test);
  guint line = sluice_test_case_get_line (test);
  GPtrArray *params = sluice_test_case_get_params (test);
  GPtrArray *stubs = sluice_test_case_get_stubs (test);
  GPtrArray *asserts = sluice_test_case_get_asserts (test);
  const char *fail_module;
  guint fail_line;

  if (name != NULL && !g_hash_table_add (names, (gpointer) name))
    report (check, SLUICE_SEVERITY_ERROR, line, test, _("another case has the same name"));

  if (target != NULL)
    {
      SluiceNode *node = g_hash_table_lookup (check->ids, target);

      if (node == NULL || !(SLUICE_IS_MODULE (node) || SLUICE_IS_CONTROLLER (node)))
        report (check, SLUICE_SEVERITY_ERROR, line, test,
                _("the target `%s` is no controller or module of this pipeline"), target);
    }

  for (guint i = 0; i < params->len; i++)
    {
      SluiceTestParam *param = g_ptr_array_index (params, i);

      if (sluice_pipeline_find_parameter (check->pipeline, param->name) == NULL)
        report (check, SLUICE_SEVERITY_ERROR, line, test,
                _("parameter `%s` is not declared in <parameters>"), param->name);
    }

  check_items (check, test, sluice_test_case_get_input (test), _("input"));
  check_items (check, test, sluice_test_case_get_expected (test, NULL, NULL), _("expected"));

  for (guint i = 0; i < stubs->len; i++)
    check_stub (check, test, g_ptr_array_index (stubs, i), stubbed);
  for (guint i = 0; i < asserts->len; i++)
    check_assert (check, test, g_ptr_array_index (asserts, i));

  if (sluice_test_case_get_expected_failure (test, &fail_module, NULL, &fail_line) &&
      fail_module != NULL)
    find_module (check, test, fail_module, fail_line, _("<expect-failure>"));
}

void
_sluice_check_tests (SluiceCheck *check)
{
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (check->pipeline));
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      check_case (check, test, names);
    }
}
