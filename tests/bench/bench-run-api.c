/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "../runner/run-api-common.h"

/* The run API of `sluice-run daemon` (issue 12), against the real daemon
 * on loopback:
 *
 *   1. runs created and started per second (POST /runs with "start":
 *      true, from 8 client threads), and runs completed per second;
 *   2. event-stream latency: from the executor stamping an event (its
 *      "time", millisecond precision) to an SSE client reading it,
 *      p50/p99/max, for a paced run (a command per item) and a burst
 *      (Lua, thousands of events a second). Target: p99 < 50 ms.
 *
 *   meson compile -C BUILD bench-run-api
 *   SLUICE_RUN=BUILD/src/runner/sluice-run BUILD/tests/bench/bench-run-api [RUNS]
 */

#define N_THREADS 8

static const char *TRIVIAL =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"trivial\">\n"
  "<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
  "<execution id=\"touch\"><lua>item.seen = true</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static const char *PACED =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"paced\">\n"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"nap\"><command>sleep 0.005; cat</command></execution></phase></controller>\n"
  "</pipeline>\n";

static const char *BURST =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"burst\">\n"
  "<controller id=\"a\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
  "<execution id=\"one\"><lua>item.a = 1</lua></execution></phase></controller>\n"
  "<controller id=\"b\" mode=\"order-by-sequence\"><phase id=\"q\">"
  "<execution id=\"two\"><lua>item.b = 2</lua></execution></phase></controller>\n"
  "</pipeline>\n";

typedef struct
{
  Daemon *daemon;
  guint   n;
  GPtrArray *ids;   /* char * */
} Creator;

static gpointer
create_thread (gpointer user_data)
{
  Creator *c = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  for (guint i = 0; i < c->n; i++)
    g_ptr_array_add (c->ids, api_create (session, c->daemon, "{\"pipeline\": \"trivial.xml\", \"start\": true}", NULL));
  return NULL;
}

static void
bench_create (Daemon *daemon,
              guint   n_runs)
{
  Creator creators[N_THREADS];
  GThread *threads[N_THREADS];
  g_autoptr(SoupSession) session = soup_session_new ();
  gint64 start = g_get_monotonic_time ();
  double created_s, completed_s;

  for (guint t = 0; t < N_THREADS; t++)
    {
      creators[t] = (Creator) { daemon, n_runs / N_THREADS, g_ptr_array_new_with_free_func (g_free) };
      threads[t] = g_thread_new ("create", create_thread, &creators[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  created_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  for (guint t = 0; t < N_THREADS; t++)
    {
      for (guint i = 0; i < creators[t].ids->len; i++)
        g_free (api_wait_final (session, daemon, g_ptr_array_index (creators[t].ids, i), NULL, 120));
      g_ptr_array_unref (creators[t].ids);
    }
  completed_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  n_runs = n_runs / N_THREADS * N_THREADS;
  printf ("create+start: %u runs from %d threads in %.2f s: %.0f runs/s created and started; "
          "all completed after %.2f s: %.0f runs/s\n",
          n_runs, N_THREADS, created_s, n_runs / created_s, completed_s, n_runs / completed_s);
}

typedef struct
{
  GArray     *latencies_ms;   /* double */
  GHashTable *by_type;        /* event name → GArray of double */
} Latency;

/* µs since midnight UTC of "…THH:MM:SS.mmmZ", cheaply: the client must
 * not be what is measured. */
static gint64
time_of_day (const char *data)
{
  const char *t = strstr (data, "\"time\":\"");
  int h, m, sec, ms;

  if (t == NULL || sscanf (t + 8, "%*4d-%*2d-%*2dT%2d:%2d:%2d.%3dZ", &h, &m, &sec, &ms) != 4)
    return -1;
  return (((gint64) h * 60 + m) * 60 + sec) * G_USEC_PER_SEC + ms * 1000;
}

static char *
type_of (const char *data)
{
  const char *t = strstr (data, "\"event\":\"");
  const char *end = t != NULL ? strchr (t + 9, '"') : NULL;

  return end != NULL ? g_strndup (t + 9, end - t - 9) : g_strdup ("?");
}

static gboolean
latency_cb (guint64     seq,
            const char *data,
            gpointer    user_data)
{
  Latency *latency = user_data;
  gint64 now = g_get_real_time () % ((gint64) 86400 * G_USEC_PER_SEC);
  gint64 stamped = time_of_day (data);
  /* The stamp is cut to the millisecond: add back half of one. */
  double ms = (now - stamped) / 1000.0 - 0.5;
  g_autofree char *type = type_of (data);
  GArray *of_type;

  if (stamped < 0)
    return TRUE;
  g_array_append_val (latency->latencies_ms, ms);
  of_type = g_hash_table_lookup (latency->by_type, type);
  if (of_type == NULL)
    {
      of_type = g_array_new (FALSE, FALSE, sizeof (double));
      g_hash_table_insert (latency->by_type, g_strdup (type), of_type);
    }
  g_array_append_val (of_type, ms);
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint index = MIN ((guint) (p * sorted->len), sorted->len - 1);

  return g_array_index (sorted, double, index);
}

typedef struct
{
  Daemon     *daemon;
  const char *id;
  Latency    *latency;
} Follower;

static gpointer
follow_thread (gpointer user_data)
{
  Follower *follower = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, NULL);

  api_follow_events (session, follower->daemon, follower->id, 0, NULL, latency_cb, follower->latency);
  return NULL;
}

static void
bench_latency (Daemon     *daemon,
               const char *label,
               const char *pipeline,
               guint       n_items)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *id = NULL;
  Latency latency = { g_array_new (FALSE, FALSE, sizeof (double)),
                      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref) };
  double p50, p99;

  g_string_append_printf (body, "{\"pipeline\": \"%s\", \"input\": [", pipeline);
  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (body, "%s{\"n\": %u}", i > 0 ? "," : "", i);
  g_string_append (body, "]}");
  id = api_create (session, daemon, body->str, NULL);
  /* Follow the pending run first (nothing yet), then start it from
   * another connection, so that every event is read live. */
  {
    g_autofree char *start_path = g_strdup_printf ("/runs/%s/start", id);
    Follower follower = { daemon, id, &latency };
    GThread *thread = g_thread_new ("follow", follow_thread, &follower);

    g_usleep (200000);
    {
      g_auto(Answer) a = api_call (session, daemon, "POST", start_path, NULL, NULL);

      g_assert (a.status == 200);
    }
    g_thread_join (thread);
  }
  g_array_sort (latency.latencies_ms, compare_doubles);
  p50 = percentile (latency.latencies_ms, 0.5);
  p99 = percentile (latency.latencies_ms, 0.99);
  printf ("event latency, %s: %u events: p50 %.2f ms, p99 %.2f ms, max %.2f ms (p99 target 50 ms: %.2f× of it)\n",
          label, latency.latencies_ms->len, p50, p99,
          g_array_index (latency.latencies_ms, double, latency.latencies_ms->len - 1), p99 / 50.0);
  {
    GHashTableIter iter;
    gpointer type, values;

    g_hash_table_iter_init (&iter, latency.by_type);
    while (g_hash_table_iter_next (&iter, &type, &values))
      {
        g_array_sort (values, compare_doubles);
        printf ("    %-17s %6u events: p50 %.2f ms, p99 %.2f ms\n", (char *) type, ((GArray *) values)->len,
                percentile (values, 0.5), percentile (values, 0.99));
      }
  }
  {
    g_autofree char *path = g_strdup_printf ("/runs/%s", id);
    g_auto(Answer) a = api_call (session, daemon, "GET", path, NULL, NULL);

    printf ("    the run itself took %.0f ms\n", json_number_value (json_object_get (a.json, "elapsed_ms")));
  }
  g_hash_table_unref (latency.by_type);
  g_array_free (latency.latencies_ms, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *root = g_dir_make_tmp ("sluice-bench-run-api-XXXXXX", NULL);
  g_autofree char *state_dir = g_build_filename (root, "state", NULL);
  guint n_runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 400;
  g_autoptr(Daemon) daemon = NULL;

  g_free (write_file (root, "trivial.xml", TRIVIAL));
  g_free (write_file (root, "paced.xml", PACED));
  g_free (write_file (root, "burst.xml", BURST));
  daemon = daemon_start (state_dir, root, NULL);
  printf ("sluice-run daemon at %s, state in %s\n", daemon->url, state_dir);

  bench_create (daemon, MAX (n_runs, N_THREADS));
  bench_latency (daemon, "paced (a 5 ms command per item)", "paced.xml", 200);
  bench_latency (daemon, "burst (Lua, as fast as it goes)", "burst.xml", 5000);

  daemon_kill (daemon);
  remove_tree (root);
  return 0;
}
