/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <libsoup/soup.h>

#include "sluice-core.h"
#include "test-redis.h"
#include "test-lines.h"

/* Distributed runs on Redis Streams through the real programs: a real
 * redis-server (tests/support/test-redis.c), real `sluice-run worker`
 * processes and the real `sluice-run --distribute`, with faults: a
 * worker killed with SIGKILL, Redis restarted, a poison item, Redis
 * down, entries that are not items, a key of the wrong type. */

static char *tmpdir;

static void
child_setup_cb (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
write_file (const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* A pipeline @id whose first controller has @mode; each item's value is
 * doubled after a delay of @delay (e.g. "0ms"); item.value == poison
 * fails with "poison item". */
static char *
write_pipeline (const char *id,
                const char *mode,
                const char *delay)
{
  g_autofree char *name = g_strdup_printf ("%s.xml", id);
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\"?>\n"
    "<pipeline format=\"1\" id=\"%s\">\n"
    "  <parameters><parameter name=\"poison\" default=\"-1\"/></parameters>\n"
    "  <controller id=\"c\" mode=\"%s\"%s>\n"
    "    <phase id=\"p\">\n"
    "      <execution id=\"wait\"><use tool=\"delay\"><param name=\"min\">%s</param><param name=\"max\">%s</param></use></execution>\n"
    "      <execution id=\"double\"><lua>if item.value == tonumber(params.poison) then error('poison item') end\n"
    "item.value = item.value * 2</lua></execution>\n"
    "    </phase>\n"
    "  </controller>\n"
    "</pipeline>\n",
    id, mode, g_str_equal (mode, "not-parallel") ? "" : " workers=\"4\"", delay, delay);

  return write_file (name, xml);
}

/* Items {"value": 1..n}, and what the pipeline makes of them in order. */
static char *
write_items (const char  *name,
             guint        n,
             char       **expected)
{
  g_autoptr(GString) in = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    {
      g_string_append_printf (in, "{\"value\":%u}\n", i);
      g_string_append_printf (out, "{\"value\":%u}\n", 2 * i);
    }
  if (expected != NULL)
    *expected = g_strdup (out->str);
  return write_file (name, in->str);
}

static int
compare_lines (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static GSubprocess *
spawn (GSubprocessFlags   flags,
       const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0:quarantine_size_mb=16", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* A worker with a short visibility time-out, for the pipeline file, with
 * -D @define unless NULL. */
static GSubprocess *
start_worker (SluiceTestRedis *redis,
              const char      *define,
              const char      *pipeline)
{
  const char *args[] = { "worker", "--redis", sluice_test_redis_get_url (redis),
                         "--visibility-timeout", "1s", "--batch", "32", "--max-deliveries", "3",
                         pipeline, define != NULL ? "-D" : NULL, define, NULL };

  return spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE, args);
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Waits for @process and reads what it printed. */
static void
finish (GSubprocess *process,
        Result      *result)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (process))
    g_error ("sluice-run was killed by signal %d; its standard error:\n%s",
             g_subprocess_get_term_sig (process), result->err ? result->err : "");
  result->status = g_subprocess_get_exit_status (process);
}

static GSubprocess *
start_run (SluiceTestRedis *redis,
           const char      *pipeline,
           const char      *input,
           const char      *output)
{
  const char *args[] = { "--distribute", sluice_test_redis_get_url (redis), pipeline,
                         "-i", input, "-o", output, NULL };

  return spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, args);
}

static void
run_to_end (SluiceTestRedis *redis,
            const char      *pipeline,
            const char      *input,
            const char      *output,
            Result          *result)
{
  g_autoptr(GSubprocess) run = start_run (redis, pipeline, input, output);

  finish (run, result);
}

static char *
read_text (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

/* Entries handed out and not acknowledged, in any group. */
static long long
pending_count (SluiceTestRedis *redis,
               const char      *key)
{
  redisReply *reply = sluice_test_redis_command (redis, "XPENDING %s " "sluice-workers", key);
  long long count;

  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, REDIS_REPLY_ARRAY);
  count = reply->element[0]->integer;
  freeReplyObject (reply);
  return count;
}

static void
test_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceRedisUrl) plain = sluice_redis_url_parse ("redis://example.org", &error);
  g_autoptr(SluiceRedisUrl) full = sluice_redis_url_parse ("redis://:s%40cret@10.0.0.5:6380/2", &error);
  g_autoptr(SluiceRedisUrl) user = sluice_redis_url_parse ("redis://app:pw@[::1]:7000", &error);
  SluiceRedisUrl *bad;

  g_assert_no_error (error);
  g_assert_cmpstr (plain->host, ==, "example.org");
  g_assert_cmpuint (plain->port, ==, 6379);
  g_assert_null (plain->password);
  g_assert_cmpstr (full->host, ==, "10.0.0.5");
  g_assert_cmpuint (full->port, ==, 6380);
  g_assert_cmpstr (full->password, ==, "s@cret");
  g_assert_cmpuint (full->database, ==, 2);
  /* Messages never show the password. */
  g_assert_cmpstr (full->display, ==, "redis://:***@10.0.0.5:6380/2");
  g_assert_cmpstr (user->host, ==, "::1");
  g_assert_cmpstr (user->user, ==, "app");
  g_assert_cmpstr (user->display, ==, "redis://app:***@[::1]:7000");

  bad = sluice_redis_url_parse ("rediss://h:1", &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "TLS"));
  g_clear_error (&error);
  for (guint i = 0; i < 5; i++)
    {
      const char *texts[] = { "http://h", "redis://", "redis://h:0", "redis://h:99999", "redis://h:1/x" };

      bad = sluice_redis_url_parse (texts[i], &error);
      g_assert_null (bad);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

/* The helper's own contract: a server that answers, on loopback, gone
 * after free. */
static void
test_helper (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  redisReply *reply;

  if (redis == NULL)
    return;
  reply = sluice_test_redis_command (redis, "PING");
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->str, ==, "PONG");
  freeReplyObject (reply);
}

/* Two workers started before the stream exists; every mode gives what
 * it promises. */
static void
check_mode (const char *mode)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *id = g_strdup_printf ("mode-%s", mode);
  g_autofree char *pipeline = write_pipeline (id, mode, "0ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("in.jsonl", g_str_equal (mode, "not-parallel") ? 300 : 3000, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "out.jsonl", NULL);
  g_autofree char *results_pattern = NULL;
  g_autofree char *items_key = NULL;
  g_autofree char *text = NULL;
  g_auto(Result) result = { 0 };
  GSubprocess *a, *b;

  if (redis == NULL)
    return;
  a = start_worker (redis, NULL, pipeline);
  b = start_worker (redis, NULL, pipeline);
  run_to_end (redis, pipeline, input, output, &result);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  text = read_text (output);

  if (g_str_equal (mode, "no-order"))
    {
      /* The same lines, in any order. */
      g_auto(GStrv) got = g_strsplit (text, "\n", -1);
      g_auto(GStrv) want = g_strsplit (expected, "\n", -1);

      g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (want));
      qsort (got, g_strv_length (got), sizeof (char *), compare_lines);
      qsort (want, g_strv_length (want), sizeof (char *), compare_lines);
      for (guint i = 0; want[i] != NULL; i++)
        g_assert_cmpstr (got[i], ==, want[i]);
    }
  else if (g_str_equal (mode, "first-wins"))
    {
      /* Increasing values, a subset of the expected ones, the last item's
       * among them (nothing is later than it). */
      g_auto(GStrv) got = g_strsplit (text, "\n", -1);
      gint64 last = 0;

      for (guint i = 0; got[i] != NULL && got[i][0] != '\0'; i++)
        {
          gint64 value = g_ascii_strtoll (got[i] + strlen ("{\"value\":"), NULL, 10);

          g_assert_cmpint (value, >, last);
          last = value;
        }
      g_assert_cmpint (last, ==, 6000);
    }
  else
    g_assert_cmpstr (text, ==, expected);

  /* Nothing is left unacknowledged; the work stream is trimmed to the
   * work not done; the run's results stream is gone. */
  items_key = g_strdup_printf ("sluice:{%s}:items", id);
  g_assert_cmpint (pending_count (redis, items_key), ==, 0);
  for (int i = 0; i < 200 && sluice_test_redis_integer (redis, "XLEN %s", items_key) > 100; i++)
    g_usleep (20 * 1000);
  g_assert_cmpint (sluice_test_redis_integer (redis, "XLEN %s", items_key), <=, 100);
  results_pattern = g_strdup_printf ("sluice:{%s}:results:*", id);
  {
    redisReply *keys = sluice_test_redis_command (redis, "KEYS %s", results_pattern);

    g_assert_cmpuint (keys->elements, ==, 0);
    freeReplyObject (keys);
  }
  stop_process (a);
  stop_process (b);
}

static void
test_order_by_sequence (void)
{
  check_mode ("order-by-sequence");
}

static void
test_no_order (void)
{
  check_mode ("no-order");
}

static void
test_first_wins (void)
{
  check_mode ("first-wins");
}

static void
test_not_parallel (void)
{
  check_mode ("not-parallel");
}

/* Waits until @path has at least @lines lines (the run is under way). */
static void
wait_for_lines (const char *path,
                guint       lines)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (test_count_file_lines (path) < lines)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* kill -9 of a worker mid-run: what it held is claimed by the other
 * after the visibility time-out; nothing lost, no duplicate in the
 * ordered output. */
static void
test_kill_worker (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("killed", "order-by-sequence", "2ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("in.jsonl", 2000, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "killed.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(Result) result = { 0 };
  GSubprocess *a, *b, *run;

  if (redis == NULL)
    return;
  a = start_worker (redis, NULL, pipeline);
  b = start_worker (redis, NULL, pipeline);
  run = start_run (redis, pipeline, input, output);
  wait_for_lines (output, 200);
  g_subprocess_send_signal (a, SIGKILL);
  g_subprocess_wait (a, NULL, NULL);
  g_assert_true (test_count_file_lines (output) < 2000);

  finish (run, &result);
  g_object_unref (run);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  text = read_text (output);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpint (pending_count (redis, "sluice:{killed}:items"), ==, 0);
  stop_process (a);
  stop_process (b);
}

/* Redis stopped and started again mid-run, with AOF: workers and the
 * run reconnect and the run completes with every output once. */
static void
test_restart_redis (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (TRUE);
  g_autofree char *pipeline = write_pipeline ("restarted", "order-by-sequence", "1ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("in.jsonl", 3000, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "restarted.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(Result) result = { 0 };
  GSubprocess *a, *b, *run;

  if (redis == NULL)
    return;
  a = start_worker (redis, NULL, pipeline);
  b = start_worker (redis, NULL, pipeline);
  run = start_run (redis, pipeline, input, output);
  wait_for_lines (output, 300);
  sluice_test_redis_stop (redis);
  g_usleep (700 * 1000);
  if (!sluice_test_redis_restart (redis))
    {
      stop_process (run);
      stop_process (a);
      stop_process (b);
      return;
    }

  finish (run, &result);
  g_object_unref (run);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.err, "connected again"));
  text = read_text (output);
  g_assert_cmpstr (text, ==, expected);
  /* Both workers are still there and still work. */
  g_assert_nonnull (g_subprocess_get_identifier (a));
  g_assert_nonnull (g_subprocess_get_identifier (b));
  stop_process (a);
  stop_process (b);
}

/* A poison item fails on every delivery: after --max-deliveries it is in
 * the dead-letter stream, the rest completes and the run fails saying
 * so; `dlq list` shows it; after the cause is fixed `dlq replay` runs it. */
static void
test_poison (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("poisoned", "order-by-sequence", "0ms");
  g_autofree char *input = write_items ("in.jsonl", 100, NULL);
  g_autofree char *output = g_build_filename (tmpdir, "poisoned.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autofree char *results_key = NULL;
  g_auto(Result) result = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) replay = { 0 };
  g_auto(Result) after = { 0 };
  json_t *dead = NULL;
  GSubprocess *worker, *process;

  if (redis == NULL)
    return;
  worker = start_worker (redis, "poison=13", pipeline);
  run_to_end (redis, pipeline, input, output, &result);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "1 item failed"));
  g_assert_nonnull (strstr (result.err, "sluice:{poisoned}:dead"));
  g_assert_nonnull (strstr (result.err, "poison item"));
  text = read_text (output);
  g_assert_cmpuint (test_count_file_lines (output), ==, 99);
  g_assert_null (strstr (text, "{\"value\":26}\n"));
  g_assert_nonnull (strstr (text, "{\"value\":24}\n{\"value\":28}\n"));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "dlq", "list", "--redis", sluice_test_redis_get_url (redis), "poisoned", NULL });
  finish (process, &list);
  g_object_unref (process);
  g_assert_cmpint (list.status, ==, 0);
  dead = json_loads (list.out, JSON_DISABLE_EOF_CHECK, NULL);
  g_assert_nonnull (dead);
  g_assert_cmpint (json_integer_value (json_object_get (dead, "seq")), ==, 12);
  g_assert_cmpint (json_integer_value (json_object_get (dead, "deliveries")), ==, 3);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (dead, "item"), "value")), ==, 13);
  g_assert_nonnull (strstr (json_string_value (json_object_get (dead, "error")), "poison item"));

  /* The cause fixed (a worker without the poison), replay: it runs, its
   * result goes to its run's results stream, the dead letters empty. */
  stop_process (worker);
  worker = start_worker (redis, NULL, pipeline);
  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "dlq", "replay", "--redis", sluice_test_redis_get_url (redis), "poisoned", NULL });
  finish (process, &replay);
  g_object_unref (process);
  g_assert_cmpint (replay.status, ==, 0);
  g_assert_nonnull (strstr (replay.err, "1 item put back"));
  g_assert_cmpint (sluice_test_redis_integer (redis, "XLEN sluice:{poisoned}:dead"), ==, 0);
  results_key = g_strdup_printf ("sluice:{poisoned}:results:%s", json_string_value (json_object_get (dead, "run")));
  for (int i = 0; i < 500 && sluice_test_redis_integer (redis, "XLEN %s", results_key) < 1; i++)
    g_usleep (20 * 1000);
  {
    redisReply *entries = sluice_test_redis_command (redis, "XRANGE %s - +", results_key);

    g_assert_cmpuint (entries->elements, ==, 1);
    g_assert_cmpstr (entries->element[0]->element[1]->element[1]->str, ==, "12");
    g_assert_cmpstr (entries->element[0]->element[1]->element[3]->str, ==, "{\"value\":26}\n");
    freeReplyObject (entries);
  }

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "dlq", "list", "--redis", sluice_test_redis_get_url (redis), "poisoned", NULL });
  finish (process, &after);
  g_object_unref (process);
  g_assert_cmpstr (after.out, ==, "");
  json_decref (dead);
  stop_process (worker);
}

/* Redis not there: a clear error naming the URL, exit 1, at once. */
static void
test_redis_down (void)
{
  g_autofree char *pipeline = write_pipeline ("down", "no-order", "0ms");
  g_autofree char *input = write_items ("in.jsonl", 10, NULL);
  g_autofree char *output = g_build_filename (tmpdir, "down.jsonl", NULL);
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *url = NULL;
  g_auto(Result) run = { 0 };
  g_auto(Result) worker = { 0 };
  g_auto(Result) dlq = { 0 };
  GSubprocess *process;
  gint64 start = g_get_monotonic_time ();

  if (redis == NULL)
    return;
  /* A port where nothing listens: the one Redis had, once it is gone. */
  url = g_strdup (sluice_test_redis_get_url (redis));
  sluice_test_redis_stop (redis);

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "--distribute", url, pipeline, "-i", input, "-o", output, NULL });
  finish (process, &run);
  g_object_unref (process);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, url));
  g_assert_nonnull (strstr (run.err, "cannot connect"));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "worker", "--redis", url, pipeline, NULL });
  finish (process, &worker);
  g_object_unref (process);
  g_assert_cmpint (worker.status, ==, 1);
  g_assert_nonnull (strstr (worker.err, url));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "dlq", "list", "--redis", url, "down", NULL });
  finish (process, &dlq);
  g_object_unref (process);
  g_assert_cmpint (dlq.status, ==, 1);
  g_assert_nonnull (strstr (dlq.err, url));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* A server that accepts connections and never answers (a listening
 * socket nobody accepts on: the kernel completes the handshake): the
 * handshake times out with a message naming the URL, no hang. */
static void
test_stalled_server (void)
{
  g_autofree char *pipeline = write_pipeline ("stalled", "no-order", "0ms");
  g_autofree char *input = write_items ("in.jsonl", 10, NULL);
  g_autofree char *output = g_build_filename (tmpdir, "stalled.jsonl", NULL);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  g_auto(Result) run = { 0 };
  GSubprocess *process;
  gint64 start;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  g_assert_true (g_socket_listen (socket, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("redis://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  start = g_get_monotonic_time ();
  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "--distribute", url, pipeline, "-i", input, "-o", output, NULL });
  finish (process, &run);
  g_object_unref (process);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, url));
  g_assert_nonnull (strstr (run.err, "timed out"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
}

/* A Redis that asks for a password: refused without it (NOAUTH, the
 * URL named without the password), a run through it with it. */
static void
test_password (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("guarded", "order-by-sequence", "0ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("in.jsonl", 100, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "guarded.jsonl", NULL);
  g_autofree char *with = NULL, *wrong = NULL, *text = NULL;
  g_auto(Result) refused = { 0 };
  g_auto(Result) bad = { 0 };
  g_auto(Result) run = { 0 };
  GSubprocess *process, *worker;

  if (redis == NULL)
    return;
  freeReplyObject (sluice_test_redis_command (redis, "CONFIG SET requirepass %s", "s3cret"));
  with = g_strdup_printf ("redis://:s3cret@127.0.0.1:%u", sluice_test_redis_get_port (redis));
  wrong = g_strdup_printf ("redis://:nope@127.0.0.1:%u", sluice_test_redis_get_port (redis));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "--distribute", sluice_test_redis_get_url (redis), pipeline,
                                      "-i", input, "-o", output, NULL });
  finish (process, &refused);
  g_object_unref (process);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "NOAUTH"));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "--distribute", wrong, pipeline, "-i", input, "-o", output, NULL });
  finish (process, &bad);
  g_object_unref (process);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "WRONGPASS"));
  g_assert_null (strstr (bad.err, "nope"));
  g_assert_nonnull (strstr (bad.err, ":***@127.0.0.1"));

  worker = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                  (const char *[]) { "worker", "--redis", with, pipeline, NULL });
  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "--distribute", with, pipeline, "-i", input, "-o", output, NULL });
  finish (process, &run);
  g_object_unref (process);
  g_assert_cmpint (run.status, ==, 0);
  text = read_text (output);
  g_assert_cmpstr (text, ==, expected);
  stop_process (worker);
}

/* Entries written by someone else that are not items go to the dead
 * letters with the reason; the worker goes on and a real run completes. */
static void
test_foreign_entries (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("foreign", "order-by-sequence", "0ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("in.jsonl", 50, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "foreign.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(Result) result = { 0 };
  g_auto(Result) list = { 0 };
  const char binary[] = "{\"value\":\"\xff\xfe\x00\x01\"}";
  GSubprocess *worker, *process;
  redisReply *reply;

  if (redis == NULL)
    return;
  worker = start_worker (redis, NULL, pipeline);
  reply = sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r1 seq 0 item %b",
                                     binary, sizeof binary - 1);
  freeReplyObject (reply);
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r1 seq 1 item [1,2]"));
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r1 seq 2 item {\"a\":"));
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * hello world"));
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run ../../x seq 3 item {}"));
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r1 seq -4 item {}"));
  /* Several items in one entry, one of them no item: only that one is
   * dead-lettered; the others' outputs are answered, the bad one marked x. */
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r2 seq 7 items %s",
                                              "{\"value\":1}\n[1]\n{\"value\":3}"));
  /* Sequence numbers that would wrap around. */
  freeReplyObject (sluice_test_redis_command (redis, "XADD sluice:{foreign}:items * run r3 seq 18446744073709551615 items %s",
                                              "{}\n{}"));

  run_to_end (redis, pipeline, input, output, &result);
  g_assert_cmpint (result.status, ==, 0);
  text = read_text (output);
  g_assert_cmpstr (text, ==, expected);

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "dlq", "list", "--redis", sluice_test_redis_get_url (redis), "foreign", NULL });
  finish (process, &list);
  g_object_unref (process);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "not valid UTF-8"));
  g_assert_nonnull (strstr (list.out, "not a JSON object"));
  g_assert_nonnull (strstr (list.out, "no valid “run” field"));
  g_assert_nonnull (strstr (list.out, "no valid “seq” field"));
  g_assert_nonnull (strstr (list.out, "overflow"));
  g_assert_nonnull (strstr (list.out, "\"seq\":8"));
  g_assert_cmpint (sluice_test_redis_integer (redis, "XLEN sluice:{foreign}:dead"), ==, 8);
  {
    redisReply *entries = sluice_test_redis_command (redis, "XRANGE sluice:{foreign}:results:r2 - +");
    g_autoptr(GString) fields = g_string_new (NULL);

    for (gsize i = 0; i < entries->elements; i++)
      for (gsize j = 0; j < entries->element[i]->element[1]->elements; j++)
        g_string_append_printf (fields, "%s|", entries->element[i]->element[1]->element[j]->str);
    freeReplyObject (entries);
    g_test_message ("results of r2: %s", fields->str);
    g_assert_nonnull (strstr (fields->str, "|7|m."));
    g_assert_nonnull (strstr (fields->str, "|12,x,12|o."));
    g_assert_nonnull (strstr (fields->str, "|{\"value\":2}\n{\"value\":6}\n|"));
    g_assert_nonnull (strstr (fields->str, "|8|e."));
  }
  /* The worker is still there. */
  g_assert_nonnull (g_subprocess_get_identifier (worker));
  stop_process (worker);
}

/* The work stream's key holds a string: both sides say so and exit 1. */
static void
test_wrong_type (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("wrongtype", "no-order", "0ms");
  g_autofree char *input = write_items ("in.jsonl", 10, NULL);
  g_autofree char *output = g_build_filename (tmpdir, "wrongtype.jsonl", NULL);
  g_auto(Result) run = { 0 };
  g_auto(Result) worker = { 0 };
  GSubprocess *process;

  if (redis == NULL)
    return;
  freeReplyObject (sluice_test_redis_command (redis, "SET sluice:{wrongtype}:items hello"));

  run_to_end (redis, pipeline, input, output, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "WRONGTYPE"));
  g_assert_nonnull (strstr (run.err, "sluice:{wrongtype}:items"));

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                   (const char *[]) { "worker", "--redis", sluice_test_redis_get_url (redis), pipeline, NULL });
  finish (process, &worker);
  g_object_unref (process);
  g_assert_cmpint (worker.status, ==, 1);
  g_assert_nonnull (strstr (worker.err, "WRONGTYPE"));
  g_assert_nonnull (strstr (worker.err, "sluice:{wrongtype}:items"));
}

/* Items of 1 MB each, through Redis and back unchanged. */
static void
test_big_items (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_file ("big.xml",
    "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"big\">\n"
    "  <controller id=\"c\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"p\">\n"
    "    <execution id=\"mark\"><lua>item.n = item.n + 1</lua></execution>\n"
    "  </phase></controller>\n</pipeline>\n");
  g_autoptr(GString) in = g_string_new (NULL);
  g_autoptr(GString) want = g_string_new (NULL);
  g_autofree char *blob = g_strnfill (1024 * 1024, 'x');
  g_autofree char *input = NULL;
  g_autofree char *output = g_build_filename (tmpdir, "big.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(Result) result = { 0 };
  GSubprocess *a, *b;

  if (redis == NULL)
    return;
  for (guint i = 0; i < 8; i++)
    {
      g_string_append_printf (in, "{\"blob\":\"%s\",\"n\":%u}\n", blob, i);
      g_string_append_printf (want, "{\"blob\":\"%s\",\"n\":%u}\n", blob, i + 1);
    }
  input = write_file ("big.jsonl.in", in->str);
  a = start_worker (redis, NULL, pipeline);
  b = start_worker (redis, NULL, pipeline);
  run_to_end (redis, pipeline, input, output, &result);
  g_assert_cmpint (result.status, ==, 0);
  text = read_text (output);
  g_assert_true (g_str_equal (text, want->str));
  stop_process (a);
  stop_process (b);
}

/* A pipeline whose middle controller (in @mode) is marked
 * distribute="redis": the controllers before and after it run in the
 * run's process, it in the workers. Each stamps the item with the
 * parameter `where`, which the run and the workers get different
 * values of, so the outputs say who ran what. */
static char *
write_mixed_pipeline (const char *id,
                      const char *mode)
{
  g_autofree char *name = g_strdup_printf ("%s.xml", id);
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\"?>\n"
    "<pipeline format=\"1\" id=\"%s\">\n"
    "  <parameters><parameter name=\"where\" default=\"nowhere\"/></parameters>\n"
    "  <controller id=\"before\" mode=\"not-parallel\"><phase id=\"p1\">\n"
    "    <execution id=\"stamp-before\"><lua>item.before = params.where</lua></execution>\n"
    "  </phase></controller>\n"
    "  <controller id=\"remote\" mode=\"%s\"%s distribute=\"redis\"><phase id=\"p2\">\n"
    "    <execution id=\"wait\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">2ms</param></use></execution>\n"
    "    <execution id=\"double\"><lua>item.value = item.value * 2; item.middle = params.where</lua></execution>\n"
    "  </phase></controller>\n"
    "  <controller id=\"after\" mode=\"not-parallel\"><phase id=\"p3\">\n"
    "    <execution id=\"stamp-after\"><lua>item.after = params.where</lua></execution>\n"
    "  </phase></controller>\n"
    "</pipeline>\n",
    id, mode, g_str_equal (mode, "not-parallel") ? "" : " workers=\"4\"");

  return write_file (name, xml);
}

static void
check_mixed (const char *mode)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *id = g_strdup_printf ("mixed-%s", mode);
  g_autofree char *pipeline = write_mixed_pipeline (id, mode);
  guint n = g_str_equal (mode, "not-parallel") ? 200 : 1000;
  g_autofree char *input = write_items ("in.jsonl", n, NULL);
  g_autofree char *output = g_build_filename (tmpdir, "mixed.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autofree char *whole_key = g_strdup_printf ("sluice:{%s}:items", id);
  g_autofree char *controller_key = g_strdup_printf ("sluice:{%s/remote}:items", id);
  g_autofree guint8 *seen = g_new0 (guint8, n + 1);
  g_auto(GStrv) lines = NULL;
  g_auto(Result) result = { 0 };
  gint64 last = 0;
  guint count = 0;
  GSubprocess *a, *b, *run;

  if (redis == NULL)
    return;
  a = start_worker (redis, "where=worker", pipeline);
  b = start_worker (redis, "where=worker", pipeline);
  run = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
               (const char *[]) { "--distribute", sluice_test_redis_get_url (redis), pipeline,
                                  "-D", "where=run", "-i", input, "-o", output, NULL });
  finish (run, &result);
  g_object_unref (run);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);

  text = read_text (output);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      json_t *item = json_loads (lines[i], 0, NULL);
      gint64 value;

      g_assert_nonnull (item);
      g_assert_cmpstr (json_string_value (json_object_get (item, "before")), ==, "run");
      g_assert_cmpstr (json_string_value (json_object_get (item, "middle")), ==, "worker");
      g_assert_cmpstr (json_string_value (json_object_get (item, "after")), ==, "run");
      value = json_integer_value (json_object_get (item, "value"));
      g_assert_cmpint (value % 2, ==, 0);
      g_assert_cmpint (value, >=, 2);
      g_assert_cmpint (value, <=, 2 * n);
      /* Each item once, whatever the mode. */
      g_assert_cmpuint (seen[value / 2], ==, 0);
      seen[value / 2] = 1;
      if (!g_str_equal (mode, "no-order"))
        g_assert_cmpint (value, >, last);
      last = value;
      count++;
      json_decref (item);
    }
  if (g_str_equal (mode, "first-wins"))
    g_assert_cmpint (last, ==, 2 * n);
  else
    g_assert_cmpuint (count, ==, n);

  /* Only the marked controller's stream was used, and it is done. */
  g_assert_cmpint (sluice_test_redis_integer (redis, "EXISTS %s", whole_key), ==, 0);
  g_assert_cmpint (pending_count (redis, controller_key), ==, 0);
  stop_process (a);
  stop_process (b);
}

static void
test_mixed_order_by_sequence (void)
{
  check_mixed ("order-by-sequence");
}

static void
test_mixed_no_order (void)
{
  check_mixed ("no-order");
}

static void
test_mixed_first_wins (void)
{
  check_mixed ("first-wins");
}

static void
test_mixed_not_parallel (void)
{
  check_mixed ("not-parallel");
}

/* distribute="redis" in the file: saved back as it was, refused with
 * the line when its value is unknown or the controller has no id. */
static void
test_mixed_format (void)
{
  const char *xml =
    "<?xml version=\"1.0\"?>\n"
    "<pipeline format=\"1\" id=\"fmt\">\n"
    "  <controller id=\"a\" mode=\"no-order\" distribute=\"redis\">\n"
    "    <phase id=\"p\"><execution id=\"m\"><lua>item.x = 1</lua></execution></phase>\n"
    "  </controller>\n"
    "  <controller id=\"b\" mode=\"not-parallel\">\n"
    "    <phase id=\"q\"><execution id=\"n\"><lua>item.y = 1</lua></execution></phase>\n"
    "  </controller>\n"
    "</pipeline>\n";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "fmt.xml", problems);
  g_autoptr(SluicePipeline) again = NULL;
  g_autoptr(SluicePipeline) bad = NULL;
  g_autoptr(SluiceController) first = NULL, second = NULL;
  g_autofree char *saved = NULL, *saved_again = NULL, *unknown = NULL, *no_id = NULL;

  g_assert_nonnull (pipeline);
  first = g_list_model_get_item (sluice_pipeline_get_controllers (pipeline), 0);
  second = g_list_model_get_item (sluice_pipeline_get_controllers (pipeline), 1);
  g_assert_cmpstr (sluice_controller_get_distribute (first), ==, "redis");
  g_assert_null (sluice_controller_get_distribute (second));
  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_nonnull (strstr (saved, "<controller id=\"a\" mode=\"no-order\" distribute=\"redis\">"));
  g_assert_null (strstr (saved, "mode=\"not-parallel\" distribute"));
  again = sluice_load_data (saved, strlen (saved), "saved.xml", problems);
  g_assert_nonnull (again);
  saved_again = sluice_save_to_data (again, NULL);
  g_assert_cmpstr (saved, ==, saved_again);

  /* An unknown value: the loader names the line. */
  g_ptr_array_set_size (problems, 0);
  unknown = g_strdup (xml);
  memcpy (strstr (unknown, "\"redis\""), "\"kafka\"", 7);
  bad = sluice_load_data (unknown, strlen (unknown), "bad.xml", problems);
  g_assert_null (bad);
  g_assert_cmpuint (problems->len, >=, 1);
  g_assert_cmpuint (sluice_problem_get_line (g_ptr_array_index (problems, 0)), ==, 3);
  g_assert_nonnull (strstr (sluice_problem_get_message (g_ptr_array_index (problems, 0)), "kafka"));

  /* No id: the validator names the line. */
  g_ptr_array_set_size (problems, 0);
  g_clear_object (&bad);
  no_id = g_strdup (xml);
  memcpy (strstr (no_id, "id=\"a\" "), "        ", 7);
  bad = sluice_load_data (no_id, strlen (no_id), "noid.xml", problems);
  g_assert_nonnull (bad);
  sluice_validate (bad, "noid.xml", problems);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < problems->len; i++)
      {
        SluiceProblem *problem = g_ptr_array_index (problems, i);

        if (strstr (sluice_problem_get_message (problem), "needs an id") != NULL)
          {
            g_assert_cmpuint (sluice_problem_get_line (problem), ==, 3);
            g_assert_cmpint (sluice_problem_get_severity (problem), ==, SLUICE_SEVERITY_ERROR);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
}

/* ---- workers report to the look-aside pipeline balancer */

/* GET @url: the answer's status and body. */
static char *
http_get (const char *url,
          guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The worker instance the balancer lists for @pipeline, once it has done
 * at least @done items (NULL after 30 s). */
static json_t *
wait_for_worker (const char *instances_url,
                 const char *pipeline,
                 json_int_t  done)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      guint status;
      g_autofree char *text = http_get (instances_url, &status);
      json_t *answer = json_loads (text, 0, NULL);
      json_t *entry;
      size_t i;

      g_assert_cmpuint (status, ==, 200);
      json_array_foreach (json_object_get (answer, "instances"), i, entry)
        if (g_strcmp0 (json_string_value (json_object_get (entry, "pipeline")), pipeline) == 0 &&
            g_strcmp0 (json_string_value (json_object_get (entry, "kind")), "worker") == 0 &&
            json_integer_value (json_object_get (entry, "done")) >= done)
          {
            json_incref (entry);
            json_decref (answer);
            return entry;
          }
      json_decref (answer);
      g_usleep (100 * 1000);
    }
  return NULL;
}

/* A worker started with --announce is listed by `sluice-run balance`
 * with its consumer and the items it did, named by its Redis URL without
 * the password; /pick never hands it to a caller, which could not call
 * it; a bad --announce is refused. */
static void
test_announce (void)
{
  g_autoptr(SluiceTestRedis) redis = sluice_test_redis_start (FALSE);
  g_autofree char *pipeline = write_pipeline ("reported", "no-order", "0ms");
  g_autofree char *expected = NULL;
  g_autofree char *input = write_items ("announce-in.jsonl", 200, &expected);
  g_autofree char *output = g_build_filename (tmpdir, "announce-out.jsonl", NULL);
  g_autoptr(GSubprocess) balancer = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL, *base = NULL, *instances_url = NULL, *pick_url = NULL;
  g_autofree char *with = NULL, *prefix = NULL, *picked = NULL;
  g_auto(Result) run = { 0 };
  g_auto(Result) refused = { 0 };
  GSubprocess *worker, *bad;
  json_t *entry;
  guint status;

  if (redis == NULL)
    return;
  freeReplyObject (sluice_test_redis_command (redis, "CONFIG SET requirepass %s", "s3cret"));
  with = g_strdup_printf ("redis://:s3cret@127.0.0.1:%u", sluice_test_redis_get_port (redis));

  balancer = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                    (const char *[]) { "balance", "--listen", "127.0.0.1:0", "--expire", "5s", NULL });
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (balancer));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  base = g_strdup (line + strlen ("listening on "));
  instances_url = g_strconcat (base, "instances", NULL);
  pick_url = g_strconcat (base, "pick?pipeline=reported", NULL);

  bad = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
               (const char *[]) { "worker", "--redis", with, "--announce", "ftp://x/", pipeline, NULL });
  finish (bad, &refused);
  g_object_unref (bad);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "--announce"));

  worker = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                  (const char *[]) { "worker", "--redis", with, "--consumer", "w-1",
                                     "--announce", base, "--announce-interval", "100", pipeline, NULL });
  entry = wait_for_worker (instances_url, "reported", 0);
  g_assert_nonnull (entry);
  prefix = g_strdup_printf ("redis://127.0.0.1:%u#w-1/reported", sluice_test_redis_get_port (redis));
  g_assert_cmpstr (json_string_value (json_object_get (entry, "url")), ==, prefix);
  g_assert_cmpstr (json_string_value (json_object_get (entry, "consumer")), ==, "w-1");
  {
    char *dumped = json_dumps (entry, 0);

    g_assert_null (strstr (dumped, "s3cret"));
    free (dumped);
  }
  json_decref (entry);

  /* Callers are never sent to a worker. */
  picked = http_get (pick_url, &status);
  g_assert_cmpuint (status, ==, 404);

  /* What it did shows in the next beats. */
  {
    g_autoptr(GSubprocess) process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                            (const char *[]) { "--distribute", with, pipeline,
                                                               "-i", input, "-o", output, NULL });
    finish (process, &run);
  }
  g_assert_cmpint (run.status, ==, 0);
  entry = wait_for_worker (instances_url, "reported", 200);
  g_assert_nonnull (entry);
  json_decref (entry);
  stop_process (worker);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("sluice-distribute-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/distribute/url", test_url);
  g_test_add_func ("/distribute/helper", test_helper);
  g_test_add_func ("/distribute/mode/order-by-sequence", test_order_by_sequence);
  g_test_add_func ("/distribute/mode/no-order", test_no_order);
  g_test_add_func ("/distribute/mode/first-wins", test_first_wins);
  g_test_add_func ("/distribute/mode/not-parallel", test_not_parallel);
  g_test_add_func ("/distribute/fault/kill-worker", test_kill_worker);
  g_test_add_func ("/distribute/fault/restart-redis", test_restart_redis);
  g_test_add_func ("/distribute/fault/poison", test_poison);
  g_test_add_func ("/distribute/fault/redis-down", test_redis_down);
  g_test_add_func ("/distribute/fault/stalled-server", test_stalled_server);
  g_test_add_func ("/distribute/fault/password", test_password);
  g_test_add_func ("/distribute/attack/foreign-entries", test_foreign_entries);
  g_test_add_func ("/distribute/attack/wrong-type", test_wrong_type);
  g_test_add_func ("/distribute/attack/big-items", test_big_items);
  g_test_add_func ("/distribute/mixed/format", test_mixed_format);
  g_test_add_func ("/distribute/mixed/order-by-sequence", test_mixed_order_by_sequence);
  g_test_add_func ("/distribute/mixed/no-order", test_mixed_no_order);
  g_test_add_func ("/distribute/mixed/first-wins", test_mixed_first_wins);
  g_test_add_func ("/distribute/mixed/not-parallel", test_mixed_not_parallel);
  g_test_add_func ("/distribute/announce", test_announce);
  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (tmpdir);
  }
  return status;
}
