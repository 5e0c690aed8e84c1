/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sluice-http-link.h"
#include "sluice-http-retry.h"
#include "sluice-json-path.h"
#include "sluice-rate-limit.h"
#include "sluice-validator.h"
#include "test-executor-common.h"
#include "test-http-server.h"

/* The http tool against a real HTTP server on loopback (started on its
 * own thread by tests/support/test-http-server.c), through the executor
 * as a pipeline runs it. */

static TestHttpServer *server;

#define SECRET "s3cr3t-Bearer-value-42"

/* A pipeline with one http module whose <param>s are @params; the
 * string "URL" in them is replaced by the server's address. */
static TestRun *
run_http_full (const char         *params,
               const char         *input,
               const char         *controller_attrs,
               const char * const *defines)
{
  g_autofree char *with_url = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) parts = g_strsplit (params, "URL", -1);
  g_autoptr(SluicePipeline) pipeline = NULL;
  TestRun *run;

  with_url = g_strjoinv (test_http_server_get_url (server), parts);
  body = g_strdup_printf ("<parameters><parameter name=\"evil\" default=\"\"/></parameters>\n"
                          "<controller id=\"c\" %s><phase id=\"p\">\n"
                          "<execution id=\"get\"><use tool=\"http\">%s</use></execution>\n"
                          "</phase></controller>",
                          controller_attrs ? controller_attrs : "mode=\"not-parallel\"", with_url);
  pipeline = test_load_body (body);
  run = test_run_new (pipeline, input, defines, TRUE);
  test_run_wait (run);
  return run;
}

/* The error that refuses the run before it starts (prepare). */
static char *
refusal (const char         *params,
         const char * const *defines)
{
  g_autofree char *with_url = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) parts = g_strsplit (params, "URL", -1);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GError) error = NULL;

  with_url = g_strjoinv (test_http_server_get_url (server), parts);
  body = g_strdup_printf ("<parameters><parameter name=\"evil\" default=\"\"/></parameters>\n"
                          "<controller id=\"c\"><phase id=\"p\">\n"
                          "<execution id=\"get\"><use tool=\"http\">%s</use></execution>\n"
                          "</phase></controller>", with_url);
  pipeline = test_load_body (body);
  for (guint i = 0; defines != NULL && defines[i] != NULL; i++)
    {
      const char *eq = strchr (defines[i], '=');

      g_hash_table_insert (table, g_strndup (defines[i], eq - defines[i]), g_strdup (eq + 1));
    }
  executor = sluice_executor_new (pipeline, table, &error);
  g_assert_null (executor);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

static TestRun *
run_http (const char *params)
{
  return run_http_full (params, NULL, NULL, NULL);
}

static const char *
run_error (TestRun *run)
{
  const char *error = sluice_executor_get_error (run->executor);

  return error != NULL ? error : "";
}

/* Every event of the run, one line each. */
static char *
all_events (TestRun *run)
{
  g_ptr_array_add (run->events, NULL);
  return g_strjoinv ("\n", (GStrv) run->events->pdata);
}

static void
assert_ids (TestRun *run,
            guint    n)
{
  g_assert_cmpuint (run->outputs->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (test_output_int (run, i, "id"), ==, i + 1);
}

/* ---- pieces */

static void
test_json_path (void)
{
  json_t *doc = json_loads ("{\"data\": {\"items\": [1, {\"x\": 2}]}, \"odd key\": {\"a\": 3}}", 0, NULL);
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "data..items", "data[", "data[x]", "['a'", "a]", NULL };
  struct { const char *path; const char *expect; } good[] = {
    { "", NULL }, { "$", NULL }, { "data.items[1].x", "2" }, { "$.data.items[0]", "1" },
    { "$['odd key'].a", "3" }, { "data.missing", "-" }, { "data.items.x", "-" }, { "data[0]", "-" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(SluiceJsonPath) path = sluice_json_path_parse_document (good[i].path, &error);
      json_t *found;

      g_assert_no_error (error);
      found = sluice_json_path_lookup (path, doc, NULL);
      if (good[i].expect == NULL)
        g_assert_true (found == doc);
      else if (g_str_equal (good[i].expect, "-"))
        g_assert_null (found);
      else
        g_assert_cmpint (json_integer_value (found), ==, g_ascii_strtoll (good[i].expect, NULL, 10));
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(SluiceJsonPath) path = sluice_json_path_parse_document (bad[i], &error);

      g_assert_null (path);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
  json_decref (doc);
}

static void
test_link_header (void)
{
  g_autofree char *a = sluice_http_link_find_next ("<https://x.example/i?page=2>; rel=\"next\", <https://x.example/i?page=9>; rel=\"last\"", "https://x.example/i");
  g_autofree char *b = sluice_http_link_find_next ("</i?page=1>; rel=first, </i?page=3>; rel=\"prev next\"", "https://x.example/i?page=2");
  g_autofree char *c = sluice_http_link_find_next ("<https://x.example/i?page=1>; rel=\"prev\"", "https://x.example/");

  g_assert_cmpstr (a, ==, "https://x.example/i?page=2");
  g_assert_cmpstr (b, ==, "https://x.example/i?page=3");
  g_assert_null (c);
  g_assert_null (sluice_http_link_find_next (NULL, "https://x.example/"));
  g_assert_null (sluice_http_link_find_next ("<broken", "https://x.example/"));

  g_assert_true (sluice_http_link_same_origin ("http://127.0.0.1:80/a", "http://127.0.0.1/b"));
  g_assert_false (sluice_http_link_same_origin ("http://127.0.0.2/a", "http://127.0.0.1/b"));
  g_assert_false (sluice_http_link_same_origin ("https://127.0.0.1/a", "http://127.0.0.1/b"));
  g_assert_false (sluice_http_link_same_origin ("http://127.0.0.1:81/a", "http://127.0.0.1:80/b"));
  g_assert_false (sluice_http_link_same_origin ("http://127.0.0.1@evil.example/", "http://127.0.0.1/"));
}

static void
test_retry_rules (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;

  g_assert_cmpint (sluice_http_retry_after_parse ("3", now), ==, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (sluice_http_retry_after_parse (" 864000 ", now), ==, G_GINT64_CONSTANT (864000) * G_USEC_PER_SEC);
  g_assert_cmpint (sluice_http_retry_after_parse ("99999999999999999999", now), ==, G_MAXINT64);
  g_assert_cmpint (sluice_http_retry_after_parse ("soon", now), ==, -1);
  g_assert_cmpint (sluice_http_retry_after_parse ("-5", now), ==, -1);
  g_assert_cmpint (sluice_http_retry_after_parse (NULL, now), ==, -1);
  /* Tue, 14 Nov 2023 22:13:30 GMT is 10 s after `now`. */
  g_assert_cmpint (sluice_http_retry_after_parse ("Tue, 14 Nov 2023 22:13:30 GMT", now), ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (sluice_http_retry_after_parse ("Tue, 14 Nov 2000 22:13:30 GMT", now), ==, 0);

  g_assert_cmpint (sluice_http_retry_backoff (100, 0, 1000), ==, 100);
  g_assert_cmpint (sluice_http_retry_backoff (100, 3, 1000), ==, 800);
  g_assert_cmpint (sluice_http_retry_backoff (100, 60, 1000), ==, 1000);

  g_assert_true (sluice_http_retry_status_is_transient (429));
  g_assert_true (sluice_http_retry_status_is_transient (503));
  g_assert_false (sluice_http_retry_status_is_transient (501));
  g_assert_false (sluice_http_retry_status_is_transient (404));
}

static void
test_rate_limit (void)
{
  SluiceRateLimit limit;

  sluice_rate_limit_init (&limit, 4);
  g_assert_cmpint (sluice_rate_limit_take (&limit, 1000), ==, 1000);
  g_assert_cmpint (sluice_rate_limit_take (&limit, 1000), ==, 251000);
  g_assert_cmpint (sluice_rate_limit_take (&limit, 1000), ==, 501000);
  g_assert_cmpint (sluice_rate_limit_take (&limit, 2000000), ==, 2000000);
  sluice_rate_limit_init (&limit, 0);
  g_assert_cmpint (sluice_rate_limit_take (&limit, 7), ==, 7);
}

/* ---- pagination */

static void
test_pages_number (void)
{
  guint before = test_http_server_get_hits (server, "/number");
  TestRun *run = run_http ("<param name=\"url\">URL/number</param>"
                           "<param name=\"query\">pages=3\nper=2</param>"
                           "<param name=\"items\">data.items</param>"
                           "<param name=\"paginate\">page</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 6);
  /* Three pages and the empty one that ends it. */
  g_assert_cmpuint (test_http_server_get_hits (server, "/number"), ==, before + 4);
  test_run_free (run);
}

static void
test_pages_link (void)
{
  TestRun *run = run_http ("<param name=\"url\">URL/link</param>"
                           "<param name=\"query\">pages=4\nper=3</param>"
                           "<param name=\"paginate\">link</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 12);
  test_run_free (run);
}

static void
test_pages_next (void)
{
  TestRun *run = run_http ("<param name=\"url\">URL/next</param>"
                           "<param name=\"query\">pages=3\nper=1</param>"
                           "<param name=\"items\">items</param>"
                           "<param name=\"paginate\">next</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 3);
  test_run_free (run);
}

static void
test_pages_cursor (void)
{
  TestRun *run = run_http ("<param name=\"url\">URL/cursor</param>"
                           "<param name=\"query\">pages=5\nper=2</param>"
                           "<param name=\"items\">$.items</param>"
                           "<param name=\"paginate\">cursor</param>"
                           "<param name=\"next-field\">meta.next_cursor</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 10);
  test_run_free (run);
}

/* A Link header that leads back to a page already read. */
static void
test_pages_cycle (void)
{
  guint before = test_http_server_get_hits (server, "/loop");
  TestRun *run = run_http ("<param name=\"url\">URL/loop</param>"
                           "<param name=\"paginate\">link</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "pagination cycle"));
  g_assert_cmpuint (test_http_server_get_hits (server, "/loop"), <=, before + 3);
  test_run_free (run);
}

static void
test_pages_max (void)
{
  g_autofree char *events = NULL;
  TestRun *run = run_http ("<param name=\"url\">URL/link</param>"
                           "<param name=\"query\">pages=1000\nper=2</param>"
                           "<param name=\"paginate\">link</param>"
                           "<param name=\"max-pages\">3</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 6);
  events = all_events (run);
  g_assert_nonnull (strstr (events, "stopped after max-pages (3) pages"));
  test_run_free (run);
}

/* ---- retries */

static void
test_retry_429 (void)
{
  guint before = test_http_server_get_hits (server, "/limited");
  gint64 start = g_get_monotonic_time ();
  TestRun *run = run_http ("<param name=\"url\">URL/limited</param>"
                           "<param name=\"query\">key=429\nfail=2\nretry_after=1</param>"
                           "<param name=\"items\">items</param>"
                           "<param name=\"retry-delay\">10ms</param>");
  GArray *times = test_http_server_get_times (server, "/limited");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  /* Retry-After: 1 wins over the 10 ms backoff, twice. */
  g_assert_cmpuint (times->len, ==, before + 3);
  g_assert_cmpint (g_array_index (times, gint64, before + 1) - g_array_index (times, gint64, before), >=, 950000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1900000);
  g_array_unref (times);
  test_run_free (run);
}

/* A server that keeps answering 429: the tool gives up after its
 * retries with the status in the message, and the run fails. */
static void
test_retry_429_storm (void)
{
  guint before = test_http_server_get_hits (server, "/limited");
  TestRun *run = run_http ("<param name=\"url\">URL/limited</param>"
                           "<param name=\"query\">key=storm\nfail=1000</param>"
                           "<param name=\"retries\">4</param>"
                           "<param name=\"retry-delay\">10ms</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "HTTP 429"));
  g_assert_nonnull (strstr (run_error (run), "gave up after 5 attempts"));
  g_assert_cmpuint (test_http_server_get_hits (server, "/limited"), ==, before + 5);
  test_run_free (run);
}

/* Retry-After: 10 days is capped at max-wait, and the log says so. */
static void
test_retry_after_capped (void)
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *events = NULL;
  TestRun *run = run_http ("<param name=\"url\">URL/limited</param>"
                           "<param name=\"query\">key=days\nfail=1\nretry_after=864000</param>"
                           "<param name=\"items\">items</param>"
                           "<param name=\"max-wait\">300ms</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 290000);
  events = all_events (run);
  g_assert_nonnull (strstr (events, "asks to wait 864000 s; waiting max-wait, 300 ms"));
  test_run_free (run);
}

/* A module timeout shorter than the wait fails now, not after it. */
static void
test_retry_past_deadline (void)
{
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\"><phase id=\"p\">"
                                           "<execution id=\"get\" timeout=\"2s\"><use tool=\"http\">"
                                           "<param name=\"url\">%s/limited?key=deadline&amp;fail=5&amp;retry_after=60</param>"
                                           "</use></execution></phase></controller>",
                                           test_http_server_get_url (server));
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "would end after the module's timeout"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500000);
  test_run_free (run);
}

static void
test_retry_5xx_burst (void)
{
  guint before = test_http_server_get_hits (server, "/flaky");
  TestRun *run = run_http ("<param name=\"url\">URL/flaky</param>"
                           "<param name=\"query\">key=burst\nfail=3\nstatus=503</param>"
                           "<param name=\"items\">items</param>"
                           "<param name=\"retry-delay\">20ms</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  g_assert_cmpuint (test_http_server_get_hits (server, "/flaky"), ==, before + 4);
  test_run_free (run);

  /* 501 will not change: no retry. */
  run = run_http ("<param name=\"url\">URL/flaky</param>"
                  "<param name=\"query\">key=501\nfail=3\nstatus=501</param>"
                  "<param name=\"retry-delay\">20ms</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "HTTP 501"));
  g_assert_nonnull (strstr (run_error (run), "upstream broke"));
  g_assert_cmpuint (test_http_server_get_hits (server, "/flaky"), ==, before + 5);
  test_run_free (run);
}

/* A slow server against the tool's timeout: each attempt is cut off. */
static void
test_timeout (void)
{
  guint before = test_http_server_get_hits (server, "/slow");
  gint64 start = g_get_monotonic_time ();
  TestRun *run = run_http ("<param name=\"url\">URL/slow</param>"
                           "<param name=\"query\">ms=5000</param>"
                           "<param name=\"timeout\">200ms</param>"
                           "<param name=\"retries\">1</param>"
                           "<param name=\"retry-delay\">10ms</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "no answer within 200 ms"));
  g_assert_cmpuint (test_http_server_get_hits (server, "/slow"), ==, before + 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  test_run_free (run);

  /* Slow but within the timeout is fine. */
  run = run_http ("<param name=\"url\">URL/slow</param>"
                  "<param name=\"query\">ms=300</param>"
                  "<param name=\"items\">items</param>"
                  "<param name=\"timeout\">5s</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);
}

/* ---- answers that lie */

static void
test_bad_json (void)
{
  TestRun *run = run_http ("<param name=\"url\">URL/bad-json</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "the answer is not JSON"));
  g_assert_nonnull (strstr (run_error (run), "/bad-json"));
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

/* 1 GiB without a length: the tool reads max-bytes and stops. */
static void
test_huge (void)
{
  gint64 start = g_get_monotonic_time ();
  TestRun *run = run_http ("<param name=\"url\">URL/huge</param>"
                           "<param name=\"query\">mb=1024</param>"
                           "<param name=\"max-bytes\">4194304</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "larger than the limit of 4 MiB"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  test_run_free (run);
}

static void
test_items_path (void)
{
  TestRun *run = run_http ("<param name=\"url\">URL/scalar</param>"
                           "<param name=\"items\">items</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "“items” in the answer is a string, not an array or object"));
  test_run_free (run);

  run = run_http ("<param name=\"url\">URL/object</param>"
                  "<param name=\"items\">items</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_ids (run, 1);
  test_run_free (run);

  /* A path to nothing is no items, not an error. */
  run = run_http ("<param name=\"url\">URL/object</param>"
                  "<param name=\"items\">items.more[3]</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

static void
test_server_down (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *params = NULL;
  guint before;
  TestRun *run;

  /* A port that was free a moment ago and has nobody listening. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  params = g_strdup_printf ("<param name=\"url\">http://127.0.0.1:%u/items</param>"
                            "<param name=\"retries\">2</param><param name=\"retry-delay\">10ms</param>",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  before = test_http_server_get_hits (server, "/reset");

  run = run_http (params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "gave up after 3 attempts"));
  g_assert_nonnull (strstr (run_error (run), "/items"));
  test_run_free (run);

  /* A connection closed without an answer is retried the same way. */
  run = run_http ("<param name=\"url\">URL/reset</param>"
                  "<param name=\"retries\">1</param><param name=\"retry-delay\">10ms</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "gave up after 2 attempts"));
  g_assert_cmpuint (test_http_server_get_hits (server, "/reset"), ==, before + 2);
  test_run_free (run);
}

/* ---- what is sent */

static void
test_request (void)
{
  json_t *echo;
  TestRun *run = run_http_full ("<param name=\"url\">URL/echo</param>"
                                "<param name=\"method\">POST</param>"
                                "<param name=\"headers\">X-One: 1\nX-Two: two words</param>"
                                "<param name=\"query\">q=a b&amp;c\nempty=</param>",
                                "{\"n\": 1}\n", NULL, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  echo = test_output (run, 0);
  g_assert_cmpstr (json_string_value (json_object_get (echo, "method")), ==, "POST");
  g_assert_cmpstr (json_string_value (json_object_get (echo, "body")), ==, "{\"n\":1}");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (echo, "query"), "q")), ==, "a b&c");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (echo, "query"), "empty")), ==, "");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (echo, "headers"), "x-two")), ==, "two words");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (echo, "headers"), "content-type")), ==, "application/json");
  json_decref (echo);
  test_run_free (run);
}

/* A ${name} whose value holds CR LF must not add a header. */
static void
test_header_injection (void)
{
  const char *defines[] = { "evil=x\r\nX-Injected: 1", NULL };
  guint before = test_http_server_get_hits (server, "/echo");
  g_autofree char *seen = NULL;
  g_autofree char *header_error = refusal ("<param name=\"url\">URL/echo</param>"
                                           "<param name=\"headers\">X-Value: ${evil}</param>",
                                           defines);
  g_autofree char *url_error = refusal ("<param name=\"url\">URL/echo?x=${evil}</param>", defines);
  g_autofree char *secret_error = refusal ("<param name=\"url\">URL/echo</param>"
                                           "<param name=\"secret-header\">${evil}</param>"
                                           "<param name=\"secret-env\">HOME</param>",
                                           defines);
  TestRun *run;

  g_assert_nonnull (strstr (header_error, "module “get”: line 1 of parameter “headers” of tool “http” has a line break after substitution; refused"));
  g_assert_nonnull (strstr (url_error, "parameter “url” of tool “http” has a line break"));
  g_assert_nonnull (strstr (secret_error, "parameter “secret-header” of tool “http” has a line break"));

  /* A query value is encoded, so CR LF there is data. */
  run = run_http_full ("<param name=\"url\">URL/echo</param>"
                       "<param name=\"query\">x=${evil}</param>",
                       NULL, NULL, (const char *[]) { "evil=a%0D%0AX-Injected: 1", NULL });
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);

  g_assert_cmpuint (test_http_server_get_hits (server, "/echo"), ==, before + 1);
  seen = test_http_server_get_seen_headers (server);
  g_assert_null (strstr (seen, "X-Injected"));
}

static void
test_redirects (void)
{
  g_autofree char *local = g_strdup_printf ("%s/echo", test_http_server_get_url (server));
  g_autofree char *params = NULL;
  TestRun *run;

  params = g_strdup_printf ("<param name=\"url\">URL/redirect</param><param name=\"query\">to=%s</param>", local);
  run = run_http (params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  test_run_free (run);

  /* Another host (even one that is loopback too, by another name) is refused. */
  for (guint i = 0; i < 3; i++)
    {
      const char *targets[] = { "http://192.0.2.1/steal", "http://localhost:%s/echo", "https://127.0.0.1:%s/echo" };
      const char *port = strrchr (test_http_server_get_url (server), ':') + 1;
      g_autofree char *target = NULL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      target = g_strdup_printf (targets[i], port);
#pragma GCC diagnostic pop
      g_free (params);
      params = g_strdup_printf ("<param name=\"url\">URL/redirect</param><param name=\"query\">to=%s</param>", target);
      run = run_http (params);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
      g_assert_nonnull (strstr (run_error (run), "another host; refused"));
      test_run_free (run);
    }
}

/* ---- the secret */

static void
test_secret (void)
{
  g_autofree char *events = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-http-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "key", NULL);
  g_autofree char *params = NULL;
  g_autofree char *refused = NULL;
  TestRun *run;

  test_http_server_set_secret (server, "X-Api-Key", SECRET);
  run = run_http ("<param name=\"url\">URL/secret</param>"
                  "<param name=\"items\">items</param>"
                  "<param name=\"secret-header\">X-Api-Key</param>"
                  "<param name=\"secret-env\">SLUICE_TEST_HTTP_SECRET</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  events = all_events (run);
  g_assert_null (strstr (events, SECRET));
  test_run_free (run);
  seen = test_http_server_get_seen_headers (server);
  g_assert_nonnull (strstr (seen, "X-Api-Key: " SECRET));

  /* From a file (with its newline), against a server that refuses it. */
  g_assert_true (g_file_set_contents (file, "wrong-" SECRET "\n", -1, NULL));
  params = g_strdup_printf ("<param name=\"url\">URL/secret</param>"
                            "<param name=\"secret-header\">X-Api-Key</param>"
                            "<param name=\"secret-file\">%s</param>", file);
  run = run_http (params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "HTTP 401"));
  g_assert_null (strstr (run_error (run), SECRET));
  g_clear_pointer (&events, g_free);
  events = all_events (run);
  g_assert_null (strstr (events, SECRET));
  test_run_free (run);

  /* A server that echoes what it got into an error: the message quotes
   * it with the secret blanked out. */
  run = run_http ("<param name=\"url\">URL/echo</param>"
                  "<param name=\"query\">status=400</param>"
                  "<param name=\"secret-header\">X-Api-Key</param>"
                  "<param name=\"secret-env\">SLUICE_TEST_HTTP_SECRET</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "HTTP 400"));
  g_assert_nonnull (strstr (run_error (run), "\"x-api-key\":\"***\""));
  g_assert_null (strstr (run_error (run), "s3cr3t"));
  g_clear_pointer (&events, g_free);
  events = all_events (run);
  g_assert_null (strstr (events, "s3cr3t"));
  test_run_free (run);

  /* An unset variable names the variable, never a value. */
  refused = refusal ("<param name=\"url\">URL/secret</param>"
                     "<param name=\"secret-header\">X-Api-Key</param>"
                     "<param name=\"secret-env\">SLUICE_TEST_HTTP_UNSET</param>", NULL);
  g_assert_nonnull (strstr (refused, "the environment variable “SLUICE_TEST_HTTP_UNSET” of tool “http” is not set"));

  g_unlink (file);
  g_rmdir (dir);
}

/* ---- the rate limit */

/* Eight trigger items at once, four workers, 10 requests a second for
 * the module: the requests go 100 ms apart whatever the workers. */
static void
test_rate (void)
{
  guint before = test_http_server_get_hits (server, "/number");
  g_autofree char *input = test_items (8);
  TestRun *run = run_http_full ("<param name=\"url\">URL/number</param>"
                                "<param name=\"query\">pages=1\nper=1</param>"
                                "<param name=\"items\">data.items</param>"
                                "<param name=\"rate\">10</param>",
                                input, "mode=\"no-order\" workers=\"4\"", NULL);
  GArray *times = test_http_server_get_times (server, "/number");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 8);
  g_assert_cmpuint (times->len, ==, before + 8);
  /* Sent 100 ms apart; the server sees them with some jitter. */
  for (guint i = before + 1; i < times->len; i++)
    g_assert_cmpint (g_array_index (times, gint64, i) - g_array_index (times, gint64, i - 1), >=, 50000);
  g_assert_cmpint (g_array_index (times, gint64, before + 7) - g_array_index (times, gint64, before), >=, 680000);
  g_assert_cmpint (g_array_index (times, gint64, before + 7) - g_array_index (times, gint64, before), <, 2 * G_USEC_PER_SEC);
  g_array_unref (times);
  test_run_free (run);
}

/* ---- TLS */

/* Certificates are checked, always: a self-signed server fails the item
 * at once (no retries: it will not change), and ca-file trusts it. */
static void
test_tls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-http-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(TestHttpServer) tls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *params = NULL;
  TestHttpServer *plain = server;
  int status = -1;
  TestRun *run;

  /* Missing tools fail the test: it never skips. */
  g_assert_nonnull (openssl);
  g_assert_true (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key, "-out", cert, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  tls = test_http_server_new_tls (cert, key);
  g_assert_true (g_str_has_prefix (test_http_server_get_url (tls), "https://"));
  server = tls;
  run = run_http ("<param name=\"url\">URL/number</param><param name=\"items\">data.items</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("untrusted: %s", run_error (run));
  g_assert_null (strstr (run_error (run), "gave up after"));
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);

  params = g_strdup_printf ("<param name=\"url\">URL/number</param><param name=\"items\">data.items</param>"
                            "<param name=\"ca-file\">%s</param>", cert);
  run = run_http (params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);
  server = plain;

  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

/* ---- validation */

static void
test_validate (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\"><phase id=\"p\">\n"
                    "<execution id=\"get\"><use tool=\"http\">\n"
                    "<param name=\"url\">ftp://x/</param>\n"
                    "<param name=\"headers\">no colon here</param>\n"
                    "<param name=\"items\">data..x</param>\n"
                    "<param name=\"secret-env\">KEY</param>\n"
                    "</use></execution></phase></controller>");
  GString *all = g_string_new (NULL);

  sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_string_append_printf (all, "%s\n", text);
    }
  g_test_message ("%s", all->str);
  g_assert_nonnull (strstr (all->str, "t.xml:5: error: module `get`: `url` of tool `http` is not an http:// or https:// URL"));
  g_assert_nonnull (strstr (all->str, "t.xml:6: error: module `get`: `headers` of tool `http` wants"));
  g_assert_nonnull (strstr (all->str, "t.xml:7: error: module `get`: `items` of tool `http`: “data..x” is not a path into the document"));
  g_assert_nonnull (strstr (all->str, "needs `secret-header` together with"));
  g_string_free (all, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool-http/json-path", test_json_path);
  g_test_add_func ("/tool-http/link-header", test_link_header);
  g_test_add_func ("/tool-http/retry-rules", test_retry_rules);
  g_test_add_func ("/tool-http/rate-limit", test_rate_limit);
  g_test_add_func ("/tool-http/pages/number", test_pages_number);
  g_test_add_func ("/tool-http/pages/link", test_pages_link);
  g_test_add_func ("/tool-http/pages/next", test_pages_next);
  g_test_add_func ("/tool-http/pages/cursor", test_pages_cursor);
  g_test_add_func ("/tool-http/pages/cycle", test_pages_cycle);
  g_test_add_func ("/tool-http/pages/max-pages", test_pages_max);
  g_test_add_func ("/tool-http/retry/429", test_retry_429);
  g_test_add_func ("/tool-http/retry/429-storm", test_retry_429_storm);
  g_test_add_func ("/tool-http/retry/after-capped", test_retry_after_capped);
  g_test_add_func ("/tool-http/retry/past-deadline", test_retry_past_deadline);
  g_test_add_func ("/tool-http/retry/5xx-burst", test_retry_5xx_burst);
  g_test_add_func ("/tool-http/timeout", test_timeout);
  g_test_add_func ("/tool-http/bad-json", test_bad_json);
  g_test_add_func ("/tool-http/huge", test_huge);
  g_test_add_func ("/tool-http/items-path", test_items_path);
  g_test_add_func ("/tool-http/server-down", test_server_down);
  g_test_add_func ("/tool-http/request", test_request);
  g_test_add_func ("/tool-http/header-injection", test_header_injection);
  g_test_add_func ("/tool-http/redirects", test_redirects);
  g_test_add_func ("/tool-http/secret", test_secret);
  g_test_add_func ("/tool-http/rate", test_rate);
  g_test_add_func ("/tool-http/validate", test_validate);
  g_test_add_func ("/tool-http/tls", test_tls);

  /* Before any thread exists: setenv is not thread-safe. */
  g_setenv ("SLUICE_TEST_HTTP_SECRET", SECRET, TRUE);
  g_unsetenv ("SLUICE_TEST_HTTP_UNSET");
  server = test_http_server_new ();
  status = g_test_run ();
  test_http_server_free (server);
  return status;
}
