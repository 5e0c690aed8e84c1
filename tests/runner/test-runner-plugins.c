/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "runner-common.h"

/* Plug-in tools through the real sluice-run: a Lua tool and a C plug-in
 * in a tools/ folder beside the pipeline run; a broken one is reported
 * with its path and the run goes on; a pipeline naming a tool whose
 * plug-in is broken is refused with the module's line. */

static char *
make_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-run-plugins-XXXXXX", NULL);
  g_autofree char *tools = g_build_filename (dir, "tools", NULL);
  g_autofree char *upper = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", "plugins", "upper.lua", NULL);
  g_autofree char *lua = NULL;
  g_autofree char *so = NULL;
  gsize length;

  g_assert_cmpint (g_mkdir (tools, 0700), ==, 0);
  g_assert_true (g_file_get_contents (upper, &lua, NULL, NULL));
  g_assert_true (g_file_set_contents (g_build_filename (tools, "upper.lua", NULL), lua, -1, NULL));
  g_assert_true (g_file_get_contents (g_getenv ("SLUICE_STAMP_PLUGIN"), &so, &length, NULL));
  g_assert_true (g_file_set_contents (g_build_filename (tools, "stamp-tool.so", NULL), so, length, NULL));
  g_assert_true (g_file_set_contents (g_build_filename (tools, "oops.lua", NULL), "--- tool: oops\nitem.x = = 1\n", -1, NULL));
  return g_steal_pointer (&dir);
}

static void
test_run_with_plugins (void)
{
  g_autofree char *dir = make_folder ();
  g_autofree char *pipeline = g_build_filename (dir, "p.xml", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.xml", NULL);
  g_auto(RunnerResult) ran = { 0 };
  g_auto(RunnerResult) refused = { 0 };

  g_assert_true (g_file_set_contents (pipeline,
    "<pipeline format='1' id='p'><controller id='c' mode='not-parallel'><phase id='ph'>\n"
    "<execution id='u'><use tool='upper'><param name='field'>name</param></use></execution>\n"
    "<execution id='s'><use tool='stamp'><param name='field'>by</param><param name='value'>me</param></use></execution>\n"
    "</phase></controller></pipeline>\n", -1, NULL));
  runner_run (&ran, (const char *[]) { pipeline, "-i", "-", NULL }, "{\"name\": \"ada\"}\n");
  g_assert_cmpint (ran.status, ==, 0);
  g_assert_cmpstr (ran.out, ==, "{\"by\":\"me\",\"name\":\"ADA\"}\n");
  g_assert_nonnull (strstr (ran.err, "tools/oops.lua: warning: plug-in skipped"));
  g_assert_nonnull (strstr (ran.err, "oops.lua:2: unexpected symbol"));

  g_assert_true (g_file_set_contents (broken,
    "<pipeline format='1' id='b'><controller id='c' mode='not-parallel'><phase id='ph'>\n"
    "<execution id='o'><use tool='oops'/></execution>\n"
    "</phase></controller></pipeline>\n", -1, NULL));
  runner_run (&refused, (const char *[]) { broken, NULL }, NULL);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "broken.xml:2"));
  g_assert_nonnull (strstr (refused.err, "oops"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sluice/runner/plugins/run", test_run_with_plugins);
  return g_test_run ();
}
