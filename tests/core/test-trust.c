/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "test-executor-common.h"

/* Trust without a window: what a pipeline runs, its hash, the store. */

static const char *body =
  "<services><service name=\"s\"><endpoint url=\"http://127.0.0.1:1/\"/></service></services>"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"a\"><command>echo hi</command></execution>"
  "<execution id=\"b\"><command>echo hi</command></execution>"
  "<execution id=\"l\"><lua>item.x = 1</lua></execution>"
  "</phase></controller>";

static void
test_collect_and_summarise (void)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autoptr(GPtrArray) list = sluice_trust_collect (pipeline);
  g_autoptr(GPtrArray) groups = NULL;
  SluiceTrustGroup *first;

  g_assert_cmpuint (list->len, ==, 4);
  groups = sluice_trust_summarise (list);
  /* Two identical commands are one group, first of all. */
  g_assert_cmpuint (groups->len, ==, 3);
  first = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (first->kind, ==, "command");
  g_assert_cmpuint (first->count, ==, 2);
  g_assert_true (sluice_trust_kind_reaches_out ("endpoint"));
  g_assert_false (sluice_trust_kind_reaches_out ("lua"));
}

/* What it runs counts; what it is called does not. */
static void
test_hash (void)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autofree char *before = sluice_trust_hash (pipeline);
  g_autofree char *renamed = NULL;
  g_autofree char *changed = NULL;

  sluice_node_set_name (sluice_pipeline_find_node (pipeline, "a"), "Another name");
  renamed = sluice_trust_hash (pipeline);
  g_assert_cmpstr (before, ==, renamed);

  sluice_execution_set_command (SLUICE_EXECUTION (sluice_pipeline_find_node (pipeline, "a")), "rm -rf ~");
  changed = sluice_trust_hash (pipeline);
  g_assert_cmpstr (before, !=, changed);
}

static void
test_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-trust-XXXXXX", NULL);
  g_autofree char *store = g_build_filename (dir, "sluice", "trusted", NULL);
  g_autoptr(GError) error = NULL;

  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_assert_false (sluice_trust_is_trusted ("abc"));
  g_assert_true (sluice_trust_remember ("abc", &error));
  g_assert_no_error (error);
  g_assert_true (sluice_trust_is_trusted ("abc"));
  g_assert_false (sluice_trust_is_trusted ("abd"));
  g_unlink (store);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/trust/collect-and-summarise", test_collect_and_summarise);
  g_test_add_func ("/sluice/trust/hash", test_hash);
  g_test_add_func ("/sluice/trust/store", test_store);

  return g_test_run ();
}
