/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"
#include "test-fifo-reader.h"
#include "test-lines.h"

/* Designer windows running pipelines at the same time, each run on a
 * thread of its own, sharing the core library: Lua, a <command>, a
 * condition, fan-out, a gate, an external module against a real
 * `sluice-run serve`, and batched writes to SQLite and a file. One run
 * is cancelled midway and one window closed mid-run while another goes
 * on; the runs that finish have exact counts and outputs. And a failed
 * run with a batched write in flight: the window sees the run end only
 * once that write is over. */

static SluiceApplication *app;
static char *tmp_dir;
static char *serve_url;
static GPid server_pid;

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session)) &&
         sluice_run_session_get_settled (session);
}

static gboolean
any_run_final (gpointer data)
{
  SluiceWindow **windows = data;

  for (guint i = 0; windows[i] != NULL; i++)
    if (run_final (windows[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

/* Every kind of module a designer run may have, writing to files of
 * its own, named @name. */
static char *
mixed_pipeline (const char *name,
                guint       batch)
{
  return g_strdup_printf (
    "<pipeline format='1' id='%s'>"
    "<services><service name='double'><endpoint url='%s'/></service></services>"
    "<controller id='first' mode='no-order' workers='2'><phase id='p1'>"
    "<execution id='tag'><lua>item.run = '%s' item.sq = item.id * item.id</lua></execution>"
    "<condition id='even'><when>item.id %% 2 == 0</when>"
    "<then><execution id='fan'><lua>emit({id = item.id, run = item.run, sq = item.sq, copy = 1}) "
    "emit({id = item.id, run = item.run, sq = item.sq, copy = 2})</lua></execution></then>"
    "<else><execution id='cmd'><command>sed 's/}$/,\"cmd\":true}/'</command></execution></else>"
    "</condition>"
    "<gate id='gate'><check name='known' value='item.id' op='&gt;=' threshold='0'/></gate>"
    "</phase></controller>"
    "<controller id='store' mode='not-parallel'><phase id='p2'>"
    "<external id='call' service='double' timeout='20s' retries='2'/>"
    "<execution id='db'><use tool='sql-load'><param name='database'>sqlite:%s/%s.db</param>"
    "<param name='table'>t</param><param name='columns'>id,run</param><param name='create'>true</param>"
    "<param name='batch-size'>%u</param><param name='pass'>true</param></use></execution>"
    "<execution id='file'><use tool='file-load'><param name='path'>%s/%s.jsonl</param>"
    "<param name='batch-size'>%u</param><param name='pass'>true</param></use></execution>"
    "</phase></controller></pipeline>",
    name, serve_url, name, tmp_dir, name, batch, tmp_dir, name, batch);
}

static gint64
count_rows (const char *path,
            const char *run)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  gint64 n = -1;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t WHERE run = ?", -1, &statement, NULL) != SQLITE_OK)
    {
      /* No table yet: no batch was written. */
      sqlite3_close (db);
      return 0;
    }
  sqlite3_bind_text (statement, 1, run, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) == SQLITE_ROW)
    n = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return n;
}

/* One output of mixed_pipeline(@name); counts its fan-out copies and
 * what went through the command. */
static void
check_item (const char *line,
            const char *name,
            guint      *copies,
            guint      *by_command)
{
  json_t *item = json_loads (line, 0, NULL);
  json_int_t id;

  g_assert_nonnull (item);
  g_assert_cmpstr (json_string_value (json_object_get (item, "run")), ==, name);
  id = json_integer_value (json_object_get (item, "id"));
  /* The external module's answer: the served pipeline doubled it. */
  g_assert_cmpint (json_integer_value (json_object_get (item, "x")), ==, 2 * id);
  g_assert_cmpint (json_integer_value (json_object_get (item, "sq")), ==, id * id);
  if (copies != NULL && id % 2 == 0)
    *copies += json_integer_value (json_object_get (item, "copy"));
  else if (by_command != NULL)
    *by_command += json_is_true (json_object_get (item, "cmd"));
  json_decref (item);
}

/* A completed run of @n items (1…n) of mixed_pipeline(@name): every
 * output, the file and the table, exact. */
static void
check_completed (SluiceWindow *window,
                 const char   *name,
                 guint         n,
                 gint64        rows_before)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);
  GPtrArray *outputs = sluice_run_session_get_outputs (session);
  g_autofree char *file = g_strdup_printf ("%s/%s.jsonl", tmp_dir, name);
  g_autofree char *db = g_strdup_printf ("%s/%s.db", tmp_dir, name);
  guint n_even = n / 2, n_odd = n - n / 2;
  guint copies = 0, by_command = 0;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 in, out;
  gint64 elapsed;

  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_COMPLETED);
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  g_assert_cmpuint (in, ==, n);
  g_assert_cmpuint (out, ==, 2 * n_even + n_odd);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 2 * n_even + n_odd);
  /* The window keeps the last thousand or so outputs; the file has them
   * all (it is written after the external module, last). */
  g_assert_cmpuint (outputs->len, >, 0);
  g_assert_cmpuint (outputs->len, <=, 2 * n_even + n_odd);
  for (guint i = 0; i < outputs->len; i++)
    check_item (g_ptr_array_index (outputs, i), name, NULL, NULL);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      check_item (lines[i], name, &copies, &by_command);
  g_assert_cmpuint (copies, ==, 3 * n_even);
  g_assert_cmpuint (by_command, ==, n_odd);
  g_assert_cmpuint (test_count_file_lines (file), ==, 2 * n_even + n_odd);
  g_assert_cmpint (count_rows (db, name), ==, rows_before + 2 * n_even + n_odd);
}

static gboolean
items_in_above (gpointer data)
{
  gpointer *pair = data;
  SluiceRunSession *session = sluice_window_get_run_session (pair[0]);
  guint64 in = 0, out;
  gint64 elapsed;

  if (session == NULL)
    return FALSE;
  sluice_run_session_poll (session);
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  return in > GPOINTER_TO_UINT (pair[1]);
}

static void
wait_items_in (SluiceWindow *window,
               guint         n)
{
  gpointer pair[2] = { window, GUINT_TO_POINTER (n) };

  g_assert_true (test_app_wait_for (items_in_above, pair, 60000));
}

/* Three windows at once: one goes to the end, one is cancelled midway,
 * one closed mid-run; then two at once, both to the end. */
static void
test_three_windows (void)
{
  g_autofree char *a_xml = mixed_pipeline ("alpha", 10);
  g_autofree char *b_xml = mixed_pipeline ("beta", 7);
  g_autofree char *c_xml = mixed_pipeline ("gamma", 3);
  SluiceWindow *a = test_app_open_trusted (app, tmp_dir, "alpha.xml", a_xml);
  SluiceWindow *b = test_app_open_trusted (app, tmp_dir, "beta.xml", b_xml);
  SluiceWindow *c = test_app_open_trusted (app, tmp_dir, "gamma.xml", c_xml);
  SluiceRunSession *c_session;
  SluiceWindow *both[3] = { NULL, NULL, NULL };
  g_autofree char *alpha_db = g_build_filename (tmp_dir, "alpha.db", NULL);
  g_autofree char *beta_db = g_build_filename (tmp_dir, "beta.db", NULL);
  gboolean a_went_on;
  gint64 alpha_rows, beta_rows;

  test_app_run_ids (a, 3001);
  test_app_run_ids (b, 100000);
  test_app_run_ids (c, 100000);
  wait_items_in (b, 300);
  wait_items_in (c, 200);

  /* b cancelled while a and c go on. */
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (b), "cancel"), NULL);
  g_assert_true (test_app_wait_for (run_final, b, 30000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (b)), ==, SLUICE_RUN_CANCELLED);

  /* c closed mid-run: its session (and thread) goes. */
  c_session = sluice_window_get_run_session (c);
  g_assert_false (sluice_run_session_get_settled (c_session));
  g_object_add_weak_pointer (G_OBJECT (c_session), (gpointer *) &c_session);
  a_went_on = !run_final (a);
  close_window (c);
  g_assert_true (test_app_wait_for (is_gone, &c_session, 30000));
  g_test_message ("alpha was %sstill running when beta was cancelled and gamma closed", a_went_on ? "" : "not ");

  g_assert_true (test_app_wait_for (run_final, a, 120000));
  check_completed (a, "alpha", 3001, 0);

  /* Again in a and b, both to the end, at the same time. */
  alpha_rows = count_rows (alpha_db, "alpha");
  beta_rows = count_rows (beta_db, "beta");
  test_app_run_ids (a, 801);
  test_app_run_ids (b, 1200);
  both[0] = a;
  both[1] = b;
  g_assert_true (test_app_wait_for (any_run_final, both, 120000));
  g_assert_true (test_app_wait_for (run_final, a, 120000));
  g_assert_true (test_app_wait_for (run_final, b, 120000));
  check_completed (a, "alpha", 801, alpha_rows);
  check_completed (b, "beta", 1200, beta_rows);
  close_window (b);
  close_window (a);
  /* Every command of every run reaped, the closed window's too. */
  g_assert_true (test_app_wait_for (test_app_no_children, GINT_TO_POINTER (server_pid), 10000));
}

/* ---- a failed run with a batched write in flight
 *
 * The file loader appends to a FIFO: its worker blocks in open() until a
 * reader comes, 600 ms after the run started; the item goes on (pass)
 * and fails the run meanwhile. */

static gboolean
window_sees_end (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static void
test_failed_run_write_in_flight (void)
{
  g_autofree char *fifo = g_build_filename (tmp_dir, "inflight.fifo", NULL);
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='inflight'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s</param>"
    "<param name='mode'>append</param><param name='batch-size'>1</param><param name='pass'>true</param></use></execution>"
    "<execution id='boom'><lua>error('boom at ' .. item.id)</lua></execution>"
    "</phase></controller></pipeline>", fifo);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "inflight.xml", xml);
  g_autofree char *read = NULL;
  SluiceRunSession *session;
  gboolean opened_at_end;
  TestFifoReader *reader;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  reader = test_fifo_reader_start (fifo, 600 * 1000);
  test_app_run_ids (window, 3);
  session = sluice_window_get_run_session (window);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_assert_true (test_app_wait_for (window_sees_end, window, 30000));
  opened_at_end = test_fifo_reader_opened (reader);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_FAILED);
  /* The write was over before the window saw the run end. */
  g_assert_true (opened_at_end);
  g_assert_true (test_app_wait_for (run_final, window, 30000));

  close_window (window);
  g_assert_true (test_app_wait_for (is_gone, &session, 30000));
  /* The step went with the session: its FIFO's writer closed. */
  read = test_fifo_reader_finish (reader);
  g_assert_cmpstr (read, ==, "{\"id\":1}\n");
}


/* A run cancelled while its commands run, in two windows at once: the
 * killed commands are reaped when the runs end, not left as zombies on
 * contexts nobody iterates any more. */
static gboolean
commands_started (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  SluiceExecutor *executor = session != NULL ? sluice_run_session_get_executor (session) : NULL;

  for (guint i = 0; executor != NULL && i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), "slow"))
      {
        SluiceModuleStats stats;

        sluice_executor_get_module_stats_at (executor, i, &stats);
        return stats.items_in >= 2;
      }
  return FALSE;
}

static void
test_cancelled_commands_reaped (void)
{
  SluiceWindow *windows[2];

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("slow-%u.xml", i);
      g_autofree char *xml = g_strdup_printf (
        "<pipeline format='1' id='slow%u'><controller id='c' mode='no-order' workers='2'><phase id='p'>"
        "<execution id='slow'><command>sleep 30</command></execution>"
        "</phase></controller></pipeline>", i);

      windows[i] = test_app_open_trusted (app, tmp_dir, name, xml);
    }

  for (guint i = 0; i < 2; i++)
    test_app_run_ids (windows[i], 10);
  for (guint i = 0; i < 2; i++)
    g_assert_true (test_app_wait_for (commands_started, windows[i], 30000));
  /* The shells are running (spawned before their items count in). */
  g_assert_false (test_app_no_children (GINT_TO_POINTER (server_pid)));
  for (guint i = 0; i < 2; i++)
    g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (windows[i]), "cancel"), NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (test_app_wait_for (run_final, windows[i], 30000));
      g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (windows[i])), ==,
                       SLUICE_RUN_CANCELLED);
    }
  /* Reaped by the end of the runs: nothing to wait for. */
  g_assert_true (test_app_no_children (GINT_TO_POINTER (server_pid)));
  for (guint i = 0; i < 2; i++)
    close_window (windows[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *served = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-two-runs");
  app = test_app_new ();
  served = g_build_filename (tmp_dir, "served.xml", NULL);
  g_assert_true (g_file_set_contents (served,
    "<pipeline format='1' id='double'><controller id='c' mode='no-order'><phase id='p'>"
    "<execution id='twice'><lua>item.x = (item.id or 0) * 2</lua></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  serve_url = test_app_start_serve (served, &server);
  server_pid = atoi (g_subprocess_get_identifier (server));

  g_test_add_func ("/sluice/app-two-runs/three-windows", test_three_windows);
  g_test_add_func ("/sluice/app-two-runs/failed-run-write-in-flight", test_failed_run_write_in_flight);
  g_test_add_func ("/sluice/app-two-runs/cancelled-commands-reaped", test_cancelled_commands_reaped);

  ret = g_test_run ();
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_object_unref (app);
  g_free (serve_url);
  return ret;
}
