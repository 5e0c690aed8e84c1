/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* SIGINT and SIGTERM end a run whose Lua never ends, wherever that Lua
 * runs: on the main thread (not-parallel controllers; cheap Lua of the
 * parallel ones, once measured cheap) or on a worker. Each kind of
 * endless chunk the time-out tests use (a loop, pcall around a loop,
 * xpcall, coroutines, a backtracking pattern) must give way to the
 * cancel: exit status 128+N (SPEC 6), outputs before the loop written.
 * The time limit asserted is generous (10 s, the machine may be busy);
 * the real figure is printed. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-lines.h"

#define N_CHEAP 20   /* items before the loop: more than the executor measures before inlining */

static const char * const loops[] = {
  "while true do end",
  "while true do pcall(function () while true do end end) end",
  "while true do xpcall(function () while true do end end, function () while true do end end) end",
  "while true do local co = coroutine.create(function () while true do pcall(function () while true do end end) end end) coroutine.resume(co) end",
  "while true do pcall(string.find, ('a'):rep(40) .. 'b', ('a*'):rep(40) .. 'c') end",
};

static const char * const modes[] = {
  "mode=\"not-parallel\"",
  "mode=\"no-order\" workers=\"2\"",
  "mode=\"order-by-sequence\" workers=\"2\"",
};

static char *
write_pipeline (const char *dir,
                const char *mode,
                const char *loop)
{
  g_autofree char *escaped = g_markup_escape_text (loop, -1);
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"endless\" name=\"Endless\">\n"
    "  <controller id=\"c\" %s><phase id=\"p\">\n"
    "    <execution id=\"cheap\"><lua>item.seen = true</lua></execution>\n"
    "    <execution id=\"spin\"><lua>if item.id &gt; %d then %s end</lua></execution>\n"
    "  </phase></controller>\n"
    "</pipeline>\n", mode, N_CHEAP, escaped);
  char *path = g_build_filename (dir, "endless.xml", NULL);

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  return path;
}

static char *
write_items (const char *dir)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char *path = g_build_filename (dir, "items.jsonl", NULL);

  for (guint i = 1; i <= 1000; i++)
    g_string_append_printf (s, "{\"id\":%u}\n", i);
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  return path;
}

/* CPU time the process used, in clock ticks (user + system). */
static guint64
cpu_ticks (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL)
    return 0;
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  /* After the name: state is field 3 of stat(5), utime 14, stime 15. */
  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

static void
waited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gint64 *ended = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *ended = g_get_monotonic_time ();
}

static gboolean
give_up_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
cancel_case (const char *mode,
             const char *loop,
             int         sig)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-cancel-XXXXXX", NULL);
  g_autofree char *pipeline = write_pipeline (dir, mode, loop);
  g_autofree char *items = write_items (dir);
  g_autofree char *output = g_build_filename (dir, "out.jsonl", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  guint64 ticks_per_s = sysconf (_SC_CLK_TCK);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 sent, ended = 0;
  gboolean gave_up = FALSE;
  guint timeout;
  const char *pid;

  g_test_message ("%s, %s, %s", mode, loop, sig == SIGINT ? "SIGINT" : "SIGTERM");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, g_getenv ("SLUICE_RUN"),
                              "-q", "-i", items, "-o", output, pipeline, NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (process);

  /* Wait (not sleep) until the run is in the loop: it has burnt a third
   * of a second of CPU, far more than 20 items need. */
  while (cpu_ticks (pid) < ticks_per_s / 3 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (cpu_ticks (pid), >=, ticks_per_s / 3);

  sent = g_get_monotonic_time ();
  g_subprocess_send_signal (process, sig);
  /* Generous: a cancel takes milliseconds on an idle machine. */
  g_subprocess_wait_async (process, NULL, waited_cb, &ended);
  timeout = g_timeout_add_seconds (10, give_up_cb, &gave_up);
  while (ended == 0 && !gave_up)
    g_main_context_iteration (NULL, TRUE);
  if (!gave_up)
    g_source_remove (timeout);
  else
    kill (atoi (pid), SIGKILL);  /* now: force_exit() would wait for GLib's worker */
  g_assert_false (gave_up);
  ended = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_test_message ("ended %.0f ms after the signal", (ended - sent) / 1000.0);
  g_assert_cmpint (ended - sent, <, 10 * G_USEC_PER_SEC);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 128 + sig);
  /* What went through before the loop is written; in a parallel mode
   * an early item can still wait behind looping ones on the workers. */
  if (g_str_has_prefix (mode, "mode=\"not-parallel\""))
    g_assert_cmpuint (test_count_file_lines (output), ==, N_CHEAP);
  else
    g_assert_cmpuint (test_count_file_lines (output), <=, N_CHEAP);

  g_unlink (output);
  g_unlink (items);
  g_unlink (pipeline);
  g_rmdir (dir);
}

static void
test_cancel (gconstpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  const char *mode = modes[index / G_N_ELEMENTS (loops)];
  const char *loop = loops[index % G_N_ELEMENTS (loops)];

  /* Both signals over the cases. */
  cancel_case (mode, loop, index % 2 ? SIGTERM : SIGINT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint l = 0; l < G_N_ELEMENTS (loops); l++)
      {
        static const char * const mode_names[] = { "not-parallel", "no-order", "order-by-sequence" };
        static const char * const loop_names[] = { "loop", "pcall", "xpcall", "coroutine", "backtracking" };
        g_autofree char *path = g_strdup_printf ("/sluice/runner-cancel/%s/%s", mode_names[m], loop_names[l]);

        g_test_add_data_func (path, GUINT_TO_POINTER (m * G_N_ELEMENTS (loops) + l), test_cancel);
      }
  return g_test_run ();
}
