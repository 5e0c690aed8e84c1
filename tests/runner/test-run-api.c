/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* symlink */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sluice-core.h"
#include "run-api-common.h"

/* The run API through the real `sluice-run daemon` on 127.0.0.1, each
 * test with a temporary state directory and root, the daemon killed at
 * the end of the test (also when it fails: the daemon dies with us). */

static char *tmpdir;

/* Pipelines: "double" is instant; "slow" takes 20 ms per item, one at a
 * time, so a run stays running long enough to be steered. */
static const char *DOUBLE =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"double\">\n"
  "<controller id=\"first\" mode=\"order-by-sequence\" workers=\"4\"><phase id=\"p\">"
  "<execution id=\"dbl\"><lua>if item.fail then error('asked to fail') end\n"
  "item.value = (item.value or 0) * 2</lua></execution></phase></controller>\n"
  "<controller id=\"second\" mode=\"order-by-sequence\"><phase id=\"q\">"
  "<execution id=\"inc\"><lua>item.value = item.value + 1</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static const char *SLOW =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"slow\">\n"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"nap\"><command>sleep 0.02; cat</command></execution></phase></controller>\n"
  "</pipeline>\n";

typedef struct
{
  char        *root;       /* pipelines live here */
  char        *state_dir;
  Daemon      *daemon;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const *extra = data;
  g_autofree char *base = g_build_filename (tmpdir, "XXXXXX", NULL);

  f->root = g_mkdtemp (g_steal_pointer (&base));
  g_assert_nonnull (f->root);
  f->state_dir = g_build_filename (f->root, "state", NULL);
  g_free (write_file (f->root, "double.xml", DOUBLE));
  g_free (write_file (f->root, "slow.xml", SLOW));
  f->daemon = daemon_start (f->state_dir, f->root, extra);
  f->session = soup_session_new_with_options ("timeout", 60, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, daemon_free);
  g_clear_object (&f->session);
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->state_dir);
}

static char *
items_body (const char *pipeline,
            guint       n,
            gboolean    start)
{
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "{\"pipeline\": \"%s\", \"start\": %s, \"input\": {\"items\": [",
                          pipeline, start ? "true" : "false");
  for (guint i = 1; i <= n; i++)
    g_string_append_printf (body, "%s{\"value\": %u}", i > 1 ? "," : "", i);
  g_string_append (body, "]}}");
  return g_string_free (body, FALSE);
}

static char *
run_path (const char *id,
          const char *what)
{
  return what != NULL ? g_strdup_printf ("/runs/%s/%s", id, what) : g_strdup_printf ("/runs/%s", id);
}

/* POST /runs/ID/ACTION: the status; *changed from the answer. */
static guint
act (Fixture    *f,
     const char *id,
     const char *action,
     gboolean   *changed)
{
  g_autofree char *path = run_path (id, action);
  g_auto(Answer) a = api_call (f->session, f->daemon, "POST", path, NULL, NULL);

  if (a.status == 200)
    *changed = json_is_true (json_object_get (a.json, "changed"));
  else
    {
      /* A refusal names the run and says why. */
      g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), id));
      g_assert_cmpint (json_integer_value (json_object_get (a.json, "status")), ==, a.status);
    }
  return a.status;
}

/* ---- the OpenAPI description against the routes ---- */

static void
test_openapi (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "sluice-run-api.json", NULL);
  json_error_t jerror;
  json_t *spec = json_load_file (path, JSON_REJECT_DUPLICATES, &jerror);
  json_t *paths;
  const SluiceRunApiRoute *routes;
  guint n_routes, n_described = 0;
  g_autofree char *body = items_body ("double.xml", 1, FALSE);
  g_autofree char *id = api_create (f->session, f->daemon, body, NULL);
  const char *route_path;
  json_t *operations;

  if (spec == NULL)
    g_error ("%s: %s (line %d)", path, jerror.text, jerror.line);
  g_assert_cmpstr (json_string_value (json_object_get (spec, "openapi")), ==, "3.0.3");
  paths = json_object_get (spec, "paths");
  routes = sluice_run_api_get_routes (&n_routes);

  /* Every route the server answers is described… */
  for (guint i = 0; i < n_routes; i++)
    {
      g_autofree char *method = g_ascii_strdown (routes[i].method, -1);
      json_t *operation = json_object_get (json_object_get (paths, routes[i].path), method);

      if (operation == NULL)
        g_error ("%s %s is answered by the server but missing from %s", routes[i].method, routes[i].path, path);
      g_assert_nonnull (json_object_get (operation, "responses"));
    }
  /* …every described operation is a route… */
  json_object_foreach (paths, route_path, operations)
    {
      const char *method;
      json_t *operation;

      json_object_foreach (operations, method, operation)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < n_routes; i++)
            if (g_str_equal (routes[i].path, route_path) && g_ascii_strcasecmp (routes[i].method, method) == 0)
              found = TRUE;
          if (!found)
            g_error ("%s %s is described in %s but not a route", method, route_path, path);
          n_described++;
        }
    }
  g_assert_cmpuint (n_described, ==, n_routes);

  /* …and the live server answers each one (not 404/405), and nothing else. */
  for (guint i = 0; i < n_routes; i++)
    {
      g_autoptr(GString) real = g_string_new (routes[i].path);
      const char *request_body = g_str_equal (routes[i].path, "/runs") && g_str_equal (routes[i].method, "POST") ? body : NULL;

      /* This daemon has no folder: the daemon suite answers those. */
      if (g_str_has_prefix (routes[i].path, "/pipelines"))
        continue;
      g_string_replace (real, "{id}", id, 0);
      {
        g_auto(Answer) a = api_call (f->session, f->daemon, routes[i].method, real->str, request_body, NULL);

        if (a.status == 404 || a.status == 405 || a.status >= 500)
          g_error ("%s %s: %u %s", routes[i].method, real->str, a.status, a.body);
      }
    }
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/nothing/here", NULL, NULL);
    g_assert_cmpuint (a.status, ==, 404);
  }
  {
    g_autofree char *p = run_path (id, "explode");
    g_auto(Answer) a = api_call (f->session, f->daemon, "POST", p, NULL, NULL);
    g_assert_cmpuint (a.status, ==, 404);
  }
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "DELETE", "/runs", NULL, NULL);
    g_assert_cmpuint (a.status, ==, 405);
  }
  json_decref (spec);
}

/* ---- a run from creation to its report ---- */

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *body = items_body ("double.xml", 3, FALSE);
  g_autofree char *id = api_create (f->session, f->daemon, body, NULL);
  g_autofree char *state = NULL;
  g_autofree char *path = run_path (id, NULL);
  gboolean changed;

  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "state")), ==, "pending");
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "pipeline_id")), ==, "double");
  }
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs?state=pending", NULL, NULL);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, 1);
  }
  g_assert_cmpuint (act (f, id, "start", &changed), ==, 200);
  g_assert_true (changed);
  state = api_wait_final (f->session, f->daemon, id, NULL, 30);
  g_assert_cmpstr (state, ==, "completed");
  {
    g_autofree char *p = run_path (id, "output");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "{\"value\":3}\n{\"value\":5}\n{\"value\":7}\n");
  }
  {
    g_autofree char *p = run_path (id, "report");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "items_in")), ==, 3);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "items_out")), ==, 3);
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "state")), ==, "completed");
  }
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "items_out")), ==, 3);
    g_assert_nonnull (json_object_get (a.json, "finished"));
  }
  /* Filters: state, pipeline, time. */
  {
    g_autofree char *other = items_body ("slow.xml", 0, FALSE);
    g_autofree char *id2 = api_create (f->session, f->daemon, other, NULL);
    g_auto(Answer) by_pipeline = api_call (f->session, f->daemon, "GET", "/runs?pipeline=slow", NULL, NULL);
    g_auto(Answer) completed = api_call (f->session, f->daemon, "GET", "/runs?state=completed", NULL, NULL);
    g_auto(Answer) future = api_call (f->session, f->daemon, "GET", "/runs?since=2999-01-01T00:00:00Z", NULL, NULL);
    g_auto(Answer) past = api_call (f->session, f->daemon, "GET", "/runs?until=1000000000", NULL, NULL);
    g_auto(Answer) all = api_call (f->session, f->daemon, "GET", "/runs?since=1000000000&limit=1", NULL, NULL);
    g_auto(Answer) bad = api_call (f->session, f->daemon, "GET", "/runs?state=sleeping", NULL, NULL);

    g_assert_cmpuint (json_array_size (json_object_get (by_pipeline.json, "runs")), ==, 1);
    g_assert_cmpstr (json_string_value (json_object_get (json_array_get (json_object_get (by_pipeline.json, "runs"), 0), "id")), ==, id2);
    g_assert_cmpuint (json_array_size (json_object_get (completed.json, "runs")), ==, 1);
    g_assert_cmpuint (json_array_size (json_object_get (future.json, "runs")), ==, 0);
    g_assert_cmpuint (json_array_size (json_object_get (past.json, "runs")), ==, 0);
    g_assert_cmpuint (json_array_size (json_object_get (all.json, "runs")), ==, 1);
    g_assert_cmpuint (bad.status, ==, 400);
    g_assert_nonnull (strstr (json_string_value (json_object_get (bad.json, "error")), "state"));
  }
}

/* ---- SPEC 6 transitions ---- */

static void
test_transitions (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *done_body = items_body ("double.xml", 1, TRUE);
  g_autofree char *done = api_create (f->session, f->daemon, done_body, NULL);
  g_autofree char *slow_body = items_body ("slow.xml", 100, FALSE);
  g_autofree char *slow = api_create (f->session, f->daemon, slow_body, NULL);
  g_autofree char *final = NULL;
  g_autofree char *events_path = run_path (slow, "events");
  gboolean changed;
  guint paused_events = 0;

  g_free (api_wait_final (f->session, f->daemon, done, NULL, 30));
  /* A finished run cannot be resumed, started, paused or cancelled. */
  g_assert_cmpuint (act (f, done, "resume", &changed), ==, 409);
  g_assert_cmpuint (act (f, done, "start", &changed), ==, 409);
  g_assert_cmpuint (act (f, done, "pause", &changed), ==, 409);
  g_assert_cmpuint (act (f, done, "cancel", &changed), ==, 409);
  /* A pending run can only be started or cancelled. */
  g_assert_cmpuint (act (f, slow, "pause", &changed), ==, 409);
  g_assert_cmpuint (act (f, slow, "resume", &changed), ==, 409);

  g_assert_cmpuint (act (f, slow, "start", &changed), ==, 200);
  g_assert_true (changed);
  g_assert_cmpuint (act (f, slow, "start", &changed), ==, 200);   /* repeated: harmless */
  g_assert_false (changed);
  g_assert_cmpuint (act (f, slow, "pause", &changed), ==, 200);
  g_assert_true (changed);
  g_assert_cmpuint (act (f, slow, "pause", &changed), ==, 200);
  g_assert_false (changed);
  api_wait_state (f->session, f->daemon, slow, "paused", NULL, 5);
  g_assert_cmpuint (act (f, slow, "resume", &changed), ==, 200);
  g_assert_true (changed);
  g_assert_cmpuint (act (f, slow, "resume", &changed), ==, 200);
  g_assert_false (changed);
  g_assert_cmpuint (act (f, slow, "cancel", &changed), ==, 200);
  g_assert_true (changed);
  g_assert_cmpuint (act (f, slow, "cancel", &changed), ==, 200);
  g_assert_false (changed);
  final = api_wait_final (f->session, f->daemon, slow, NULL, 10);
  g_assert_cmpstr (final, ==, "cancelled");
  g_assert_cmpuint (act (f, slow, "resume", &changed), ==, 409);

  /* The duplicates left no trace: one paused and one cancelled state. */
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", events_path, NULL, NULL);
    size_t i;
    json_t *event;
    guint cancelled = 0;

    json_array_foreach (a.json, i, event)
      {
        const char *state = json_string_value (json_object_get (event, "state"));

        paused_events += g_strcmp0 (state, "paused") == 0;
        cancelled += g_strcmp0 (state, "cancelled") == 0;
        g_assert_cmpint (json_integer_value (json_object_get (event, "seq")), ==, (json_int_t) i + 1);
      }
    g_assert_cmpuint (paused_events, ==, 1);
    g_assert_cmpuint (cancelled, ==, 1);
  }
}

/* ---- hostile and broken requests ---- */

static void
expect (Fixture    *f,
        const char *method,
        const char *path,
        const char *body,
        const char *token,
        guint       status,
        const char *in_error)
{
  g_auto(Answer) a = api_call (f->session, f->daemon, method, path, body, token);

  if (a.status != status)
    g_error ("%s %s %.200s: %u %s, expected %u", method, path, body ? body : "", a.status, a.body, status);
  if (in_error != NULL)
    {
      const char *error = json_string_value (json_object_get (a.json, "error"));

      if (error == NULL || strstr (error, in_error) == NULL)
        g_error ("%s %s: the error “%s” does not name “%s”", method, path, error ? error : a.body, in_error);
    }
}

static void
test_bad_requests (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (tmpdir, "outside.xml", NULL);
  g_autofree char *link = g_build_filename (f->root, "link.xml", NULL);
  g_autofree char *traversal = g_strdup_printf ("{\"pipeline\": \"%s/../outside.xml\"}", f->root);
  g_autofree char *linked = g_strdup ("{\"pipeline\": \"link.xml\"}");
  g_autofree char *huge = NULL;
  g_autofree char *hostile = json_quote ("<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\">"
                                         "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
                                         "<pipeline format=\"1\" id=\"x\">&b;</pipeline>");
  g_autofree char *hostile_body = g_strdup_printf ("{\"pipeline\": {\"xml\": %s}}", hostile);
  g_autofree char *broken = json_quote ("<pipeline format=\"1\" id=\"x\"><controller");
  g_autofree char *broken_body = g_strdup_printf ("{\"pipeline\": {\"xml\": %s}}", broken);
  GString *big = g_string_new ("{\"pipeline\": \"double.xml\", \"input\": {\"items\": [");

  g_free (write_file (tmpdir, "outside.xml", DOUBLE));
  g_assert_cmpint (symlink (outside, link), ==, 0);

  expect (f, "POST", "/runs", "{\"pipeline\": ", NULL, 400, "not JSON");
  expect (f, "POST", "/runs", "[1, 2]", NULL, 400, "JSON object");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"colour\": 1}", NULL, 400, "colour");
  expect (f, "POST", "/runs", "{\"pipeline\": 42}", NULL, 400, "pipeline");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"parameters\": {\"n\": [1]}}", NULL, 400, "parameters.n");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"input\": {\"items\": [1]}}", NULL, 400, "input.items[0]");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"input\": 7}", NULL, 400, "input");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"start\": \"yes\"}", NULL, 400, "start");
  expect (f, "POST", "/runs", "{\"pipeline\": \"missing.xml\"}", NULL, 404, "missing.xml");
  /* Files outside the roots: by "..", absolute, or through a link. */
  expect (f, "POST", "/runs", traversal, NULL, 403, "outside the daemon's roots");
  expect (f, "POST", "/runs", "{\"pipeline\": \"/etc/passwd\"}", NULL, 403, "/etc/passwd");
  expect (f, "POST", "/runs", linked, NULL, 403, "link.xml");
  expect (f, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"input\": {\"path\": \"../../../../etc/passwd\"}}", NULL, 403, "input.path");
  /* Pipelines that cannot run. */
  expect (f, "POST", "/runs", hostile_body, NULL, 422, "cannot run");
  expect (f, "POST", "/runs", broken_body, NULL, 422, "cannot run");
  /* Unknown and malformed ids. */
  expect (f, "GET", "/runs/r-20260101T000000-00000000", NULL, NULL, 404, "r-20260101T000000-00000000");
  expect (f, "POST", "/runs/r-20260101T000000-00000000/start", NULL, NULL, 404, "r-20260101T000000-00000000");
  expect (f, "GET", "/runs/../../etc/passwd", NULL, NULL, 404, NULL);
  {
    /* libsoup itself refuses an encoded slash in the path (400). */
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs/..%2F..%2Fetc/report", NULL, NULL);
    g_assert_true (a.status == 400 || a.status == 404);
  }
  expect (f, "GET", "/runs/x/events", NULL, NULL, 404, "no run");
  /* A body beyond --max-body (64K here): refused, not kept. */
  for (guint i = 0; big->len < 200 * 1024; i++)
    g_string_append_printf (big, "%s{\"value\": %u, \"pad\": \"%0200d\"}", i > 0 ? "," : "", i, 0);
  g_string_append (big, "]}}");
  huge = g_string_free (big, FALSE);
  expect (f, "POST", "/runs", huge, NULL, 413, "limit");
  /* Deep, binary and non-UTF-8 bodies. */
  {
    GString *deep = g_string_new ("{\"pipeline\": \"double.xml\", \"input\": [{\"x\": ");

    for (guint i = 0; i < 30000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 30000; i++)
      g_string_append_c (deep, ']');
    g_string_append (deep, "}]}");
    expect (f, "POST", "/runs", deep->str, NULL, 400, "not JSON");
    g_string_free (deep, TRUE);
  }
  {
    /* Deep enough for the parser, too deep for an item. */
    GString *deep = g_string_new ("{\"pipeline\": \"double.xml\", \"input\": [{\"x\": ");

    for (guint i = 0; i < 2000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 2000; i++)
      g_string_append_c (deep, ']');
    g_string_append (deep, "}]}");
    expect (f, "POST", "/runs", deep->str, NULL, 400, "input.items[0]");
    g_string_free (deep, TRUE);
  }
  expect (f, "POST", "/runs", "{\"pipeline\": \"double\xff\xfe.xml\"}", NULL, 400, "not JSON");
  expect (f, "POST", "/runs", "\x00\x01\x02", NULL, 400, NULL);
  /* A chunked body beyond the limit: counted as it comes, refused. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) connection = NULL;
    g_autoptr(GString) request = g_string_new ("POST /runs HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    g_autofree char *chunk = g_strnfill (4096, ' ');
    char answer[256] = { 0 };
    guint port = g_ascii_strtoull (strrchr (f->daemon->url, ':') + 1, NULL, 10);

    for (guint i = 0; i < 64; i++)
      g_string_append_printf (request, "1000\r\n%s\r\n", chunk);
    g_string_append (request, "0\r\n\r\n");
    connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                               request->str, request->len, NULL, NULL, &error);
    g_assert_no_error (error);
    g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             answer, sizeof answer - 1, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
  }
  /* After all that, the daemon still answers and made no runs. */
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs", NULL, NULL);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, 0);
  }
  /* No run directory was left behind by the refused ones. */
  {
    g_autofree char *runs = g_build_filename (f->state_dir, "runs", NULL);
    g_autoptr(GDir) dir = g_dir_open (runs, 0, NULL);

    g_assert_nonnull (dir);
    g_assert_null (g_dir_read_name (dir));
  }
}

static void
test_token (void)
{
  g_autofree char *base = g_build_filename (tmpdir, "XXXXXX", NULL);
  g_autofree char *root = g_mkdtemp (g_steal_pointer (&base));
  g_autofree char *state_dir = g_build_filename (root, "state", NULL);
  g_autofree char *token_file = write_file (root, "token", "s3cret\n");
  const char *extra[] = { "--token-file", token_file, NULL };
  g_autoptr(Daemon) daemon = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();

  g_free (write_file (root, "double.xml", DOUBLE));
  daemon = daemon_start (state_dir, root, extra);
  {
    g_auto(Answer) a = api_call (session, daemon, "GET", "/runs", NULL, NULL);
    g_assert_cmpuint (a.status, ==, 401);
    g_assert_nonnull (json_object_get (a.json, "error"));
  }
  {
    g_auto(Answer) a = api_call (session, daemon, "GET", "/metrics", NULL, "s3cre");
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto(Answer) a = api_call (session, daemon, "POST", "/runs", "{\"pipeline\": \"double.xml\"}", "wrong!");
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto(Answer) a = api_call (session, daemon, "POST", "/runs", "{\"pipeline\": \"double.xml\", \"start\": true}", "s3cret");
    g_assert_cmpuint (a.status, ==, 201);
  }
  {
    g_auto(Answer) a = api_call (session, daemon, "GET", "/runs", NULL, "s3cret");
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, 1);
  }
  daemon_kill (daemon);
  remove_tree (root);
}

/* ---- the event stream: reconnecting misses nothing, repeats nothing ---- */

typedef struct
{
  GArray  *seqs;
  guint    stop_after;   /* drop the connection after this many; 0 = never */
  gboolean saw_final;
} Seen;

static gboolean
seen_cb (guint64     seq,
         const char *data,
         gpointer    user_data)
{
  Seen *seen = user_data;
  json_t *event = json_loads (data, 0, NULL);

  g_assert_nonnull (event);
  g_assert_cmpint (json_integer_value (json_object_get (event, "seq")), ==, (json_int_t) seq);
  if (g_strcmp0 (json_string_value (json_object_get (event, "state")), "completed") == 0)
    seen->saw_final = TRUE;
  json_decref (event);
  g_array_append_val (seen->seqs, seq);
  return seen->stop_after == 0 || seen->seqs->len % seen->stop_after != 0;
}

static void
test_sse_resume (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *body = items_body ("slow.xml", 40, TRUE);
  g_autofree char *id = api_create (f->session, f->daemon, body, NULL);
  g_autofree char *events_path = run_path (id, "events");
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  Seen seen = { seqs, 7, FALSE };
  guint64 last = 0;
  guint connections = 0;

  /* Drop the connection every 7 events, at once or after a pause (the
   * run goes on meanwhile), and reconnect with Last-Event-ID. */
  while (!seen.saw_final)
    {
      last = api_follow_events (f->session, f->daemon, id, last, NULL, seen_cb, &seen);
      if (connections++ % 2 == 1)
        g_usleep (60000);
      g_assert_cmpuint (connections, <, 1000);
    }
  g_assert_cmpuint (connections, >, 3);
  for (guint i = 0; i < seqs->len; i++)
    g_assert_cmpuint (g_array_index (seqs, guint64, i), ==, i + 1);
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", events_path, NULL, NULL);
    g_assert_cmpuint (json_array_size (a.json), ==, seqs->len);
  }
  /* ?after= and a Last-Event-ID at the end: just the rest, then the end. */
  {
    g_autofree char *p = g_strdup_printf ("/runs/%s/events?after=%u", id, seqs->len - 2);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_assert_cmpuint (json_array_size (a.json), ==, 2);
  }
  {
    g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (guint64));
    Seen tail = { rest, 0, FALSE };

    api_follow_events (f->session, f->daemon, id, seqs->len, NULL, seen_cb, &tail);
    g_assert_cmpuint (rest->len, ==, 0);
  }
  expect (f, "GET", events_path, NULL, NULL, 200, NULL);
}

/* ---- kill -9 of the daemon during a run ---- */

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *body = items_body ("slow.xml", 50, TRUE);
  g_autofree char *id = api_create (f->session, f->daemon, body, NULL);
  g_autofree char *pending_body = items_body ("double.xml", 2, FALSE);
  g_autofree char *pending = api_create (f->session, f->daemon, pending_body, NULL);
  g_autofree char *done_body = items_body ("double.xml", 2, TRUE);
  g_autofree char *done = api_create (f->session, f->daemon, done_body, NULL);
  g_autofree char *state = NULL;
  g_autofree char *path = run_path (id, NULL);
  guint64 events_before;

  g_free (api_wait_final (f->session, f->daemon, done, NULL, 30));
  /* Let it get some way, then kill -9. */
  for (;;)
    {
      g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

      if (json_integer_value (json_object_get (a.json, "items_out")) >= 10)
        {
          events_before = json_integer_value (json_object_get (a.json, "events"));
          break;
        }
      g_usleep (10000);
    }
  daemon_kill (f->daemon);
  g_clear_pointer (&f->daemon, daemon_free);
  f->daemon = daemon_start (f->state_dir, f->root, NULL);

  /* Past runs are listed as they were; the running one runs again. */
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs", NULL, NULL);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, 3);
  }
  {
    g_autofree char *p = run_path (pending, NULL);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "state")), ==, "pending");
  }
  {
    g_autofree char *p = run_path (done, "output");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_assert_cmpstr (a.body, ==, "{\"value\":3}\n{\"value\":5}\n");
  }
  state = api_wait_final (f->session, f->daemon, id, NULL, 60);
  g_assert_cmpstr (state, ==, "completed");
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    json_t *history = json_object_get (a.json, "history");
    gboolean restarted = FALSE;
    size_t i;
    json_t *entry;

    g_assert_cmpint (json_integer_value (json_object_get (a.json, "attempts")), ==, 2);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "items_out")), ==, 50);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "events")), >, events_before - 10);
    json_array_foreach (history, i, entry)
      restarted |= json_object_get (entry, "reason") != NULL;
    g_assert_true (restarted);
  }
  /* Resumed from its journal: every item once, none twice. */
  {
    g_autofree char *p = run_path (id, "output");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (a.body, "\n", -1);
    g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);

    g_assert_cmpuint (g_strv_length (lines), ==, 51);
    for (guint i = 0; i < 50; i++)
      g_assert_true (g_hash_table_add (values, lines[i]));
  }
  /* Events go on numbering after the ones recorded: 1, 2, … no gap, no repeat. */
  {
    g_autofree char *p = run_path (id, "events");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", p, NULL, NULL);
    size_t i;
    json_t *event;

    json_array_foreach (a.json, i, event)
      g_assert_cmpint (json_integer_value (json_object_get (event, "seq")), ==, (json_int_t) i + 1);
  }
  /* The pending one still starts. */
  {
    gboolean changed;
    g_autofree char *final = NULL;

    g_assert_cmpuint (act (f, pending, "start", &changed), ==, 200);
    final = api_wait_final (f->session, f->daemon, pending, NULL, 30);
    g_assert_cmpstr (final, ==, "completed");
  }
}

/* ---- 200 clients at once ---- */

typedef struct
{
  Daemon     *daemon;
  const char *id;
  gboolean    stream;
  guint       errors;
  guint       requests;
  guint64     events;
} Client;

static gboolean
count_cb (guint64     seq,
          const char *data,
          gpointer    user_data)
{
  Client *client = user_data;

  if (seq != client->events + 1)
    client->errors++;
  client->events = seq;
  return TRUE;
}

static gpointer
client_thread (gpointer user_data)
{
  Client *client = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *path = g_strdup_printf ("/runs/%s", client->id);

  if (client->stream)
    {
      api_follow_events (session, client->daemon, client->id, 0, NULL, count_cb, client);
      return NULL;
    }
  for (guint i = 0; i < 10; i++)
    {
      g_auto(Answer) a = api_call (session, client->daemon, "GET", i % 2 ? path : "/runs?limit=5", NULL, NULL);

      client->requests++;
      if (a.status != 200 || a.json == NULL)
        client->errors++;
      g_usleep (20000);
    }
  return NULL;
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  enum { N_RUNS = 5, N_CLIENTS = 200 };
  char *ids[N_RUNS];
  Client clients[N_CLIENTS];
  GThread *threads[N_CLIENTS];
  gint64 started = g_get_monotonic_time ();
  double seconds;

  for (guint r = 0; r < N_RUNS; r++)
    {
      g_autofree char *body = items_body ("slow.xml", 40, TRUE);

      ids[r] = api_create (f->session, f->daemon, body, NULL);
    }
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i] = (Client) { f->daemon, ids[i % N_RUNS], i % 4 == 0, 0, 0, 0 };
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }
  for (guint i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);
  seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_test_message ("200 clients over 5 runs: %.1f s", seconds);
  /* Bounded: the runs take about 1 s each (40 × 20 ms), run side by side. */
  g_assert_cmpfloat (seconds, <, 60);

  for (guint r = 0; r < N_RUNS; r++)
    {
      g_autofree char *state = api_wait_final (f->session, f->daemon, ids[r], NULL, 30);
      g_autofree char *path = run_path (ids[r], NULL);
      g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
      guint64 n_events = json_integer_value (json_object_get (a.json, "events"));

      g_assert_cmpstr (state, ==, "completed");
      for (guint i = r; i < N_CLIENTS; i += N_RUNS)
        {
          g_assert_cmpuint (clients[i].errors, ==, 0);
          if (clients[i].stream)
            g_assert_cmpuint (clients[i].events, ==, n_events);
          else
            g_assert_cmpuint (clients[i].requests, ==, 10);
        }
      g_free (ids[r]);
    }
  /* Every stream client is gone from the gauge. */
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/metrics", NULL, NULL);
    g_assert_nonnull (strstr (a.body, "\nsluice_event_stream_clients 0\n"));
  }
}

/* ---- metrics, read by the Prometheus client library's own parser ---- */

/* Parsed by the Prometheus client library's own parser (run-api-common.c). */
static double
sample (json_t     *samples,
        const char *name,
        const char *l1,
        const char *v1,
        const char *l2,
        const char *v2)
{
  return api_metrics_sample (samples, name, l1, v1, l2, v2);
}

static json_t *
scrape (Fixture *f)
{
  return api_scrape_metrics (f->session, f->daemon);
}

/* Waits until @module of @pipeline has taken an item, as /metrics says:
 * on a busy machine the short runs can end before the slow one has
 * started its first item, and a run paused then has counted nothing. */
static void
wait_for_items_in (Fixture    *f,
                   const char *pipeline,
                   const char *module)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      json_t *samples = scrape (f);
      double items_in = sample (samples, "sluice_module_items_in_total", "pipeline", pipeline, "module", module);

      json_decref (samples);
      if (items_in >= 1)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("module %s of %s took no item in 30 s", module, pipeline);
      g_usleep (20000);
    }
}

static void
test_metrics (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *ok_body = items_body ("double.xml", 4, TRUE);
  g_autofree char *ok = api_create (f->session, f->daemon, ok_body, NULL);
  g_autofree char *fail = api_create (f->session, f->daemon,
                                      "{\"pipeline\": \"double.xml\", \"start\": true, \"input\": [{\"value\": 1}, {\"fail\": true}]}", NULL);
  g_autofree char *pending = api_create (f->session, f->daemon, "{\"pipeline\": \"double.xml\"}", NULL);
  g_autofree char *slow_body = items_body ("slow.xml", 1000, TRUE);
  g_autofree char *slow = api_create (f->session, f->daemon, slow_body, NULL);
  g_autofree char *s1 = api_wait_final (f->session, f->daemon, ok, NULL, 30);
  g_autofree char *s2 = api_wait_final (f->session, f->daemon, fail, NULL, 30);
  json_t *samples;
  gboolean changed;

  g_assert_cmpstr (s1, ==, "completed");
  g_assert_cmpstr (s2, ==, "failed");
  wait_for_items_in (f, "slow", "nap");
  g_assert_cmpuint (act (f, slow, "pause", &changed), ==, 200);
  api_wait_state (f->session, f->daemon, slow, "paused", NULL, 5);

  samples = scrape (f);
  g_assert_cmpfloat (sample (samples, "sluice_runs", "state", "completed", NULL, NULL), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_runs", "state", "failed", NULL, NULL), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_runs", "state", "pending", NULL, NULL), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_runs", "state", "paused", NULL, NULL), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_runs", "state", "running", NULL, NULL), ==, 0);
  g_assert_cmpfloat (sample (samples, "sluice_runs_created_total", NULL, NULL, NULL, NULL), ==, 4);
  g_assert_cmpfloat (sample (samples, "sluice_runs_finished_total", "pipeline", "double", "state", "completed"), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_runs_finished_total", "pipeline", "double", "state", "failed"), ==, 1);
  /* Items per module: 4 went into dbl in the run that completed, and in
   * the failed one the failing item and perhaps the other (the run
   * stops at the failure). */
  g_assert_cmpfloat (sample (samples, "sluice_module_items_in_total", "pipeline", "double", "module", "dbl"), >=, 5);
  g_assert_cmpfloat (sample (samples, "sluice_module_items_in_total", "pipeline", "double", "module", "dbl"), <=, 6);
  g_assert_cmpfloat (sample (samples, "sluice_module_items_failed_total", "pipeline", "double", "module", "dbl"), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_module_items_out_total", "pipeline", "double", "module", "inc"), >=, 4);
  /* Stages: both runs entered "first"; the failed one failed there. */
  g_assert_cmpfloat (sample (samples, "sluice_stage_runs_entered_total", "pipeline", "double", "controller", "first"), ==, 2);
  g_assert_cmpfloat (sample (samples, "sluice_stage_runs_failed_total", "pipeline", "double", "controller", "first"), ==, 1);
  g_assert_cmpfloat (sample (samples, "sluice_stage_failure_ratio", "pipeline", "double", "controller", "first"), ==, 0.5);
  g_assert_cmpfloat (sample (samples, "sluice_stage_runs_passed_total", "pipeline", "double", "controller", "second"), >=, 1);
  g_assert_cmpfloat (sample (samples, "sluice_stage_progression_ratio", "pipeline", "double", "controller", "second"), ==,
                     sample (samples, "sluice_stage_runs_passed_total", "pipeline", "double", "controller", "second") /
                     sample (samples, "sluice_stage_runs_entered_total", "pipeline", "double", "controller", "second"));
  /* Histograms: counted per stage and per item, +Inf equal to the count. */
  g_assert_cmpfloat (sample (samples, "sluice_stage_duration_seconds_count", "pipeline", "double", "controller", "first"), ==, 2);
  g_assert_cmpfloat (sample (samples, "sluice_stage_duration_seconds_bucket", "controller", "first", "le", "+Inf"), ==, 2);
  g_assert_cmpfloat (sample (samples, "sluice_module_duration_seconds_count", "pipeline", "double", "module", "inc"), >=, 4);
  g_assert_cmpfloat (sample (samples, "sluice_run_duration_seconds_count", "pipeline", "double", NULL, NULL), ==, 2);
  /* The paused slow run: its queue and counters are live. */
  g_assert_cmpfloat (sample (samples, "sluice_queue_depth", "pipeline", "slow", "controller", "c"), >=, 0);
  g_assert_cmpfloat (sample (samples, "sluice_module_items_in_total", "pipeline", "slow", "module", "nap"), >=, 1);
  g_assert_cmpfloat (sample (samples, "sluice_module_items_in_total", "pipeline", "slow", "module", "nap"), <, 1000);
  g_assert_cmpfloat (sample (samples, "sluice_http_requests_total", "code", "201", NULL, NULL), ==, 4);
  json_decref (samples);
}

/* ---- sluice-run runs, the client ---- */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Ran;

static void
ran_clear (Ran *ran)
{
  g_free (ran->out);
  g_free (ran->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ran, ran_clear)

/* sluice-run runs ARGS… --server URL */
static Ran
runs (const char *server,
      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  Ran ran = { 0 };
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  g_ptr_array_add (argv, "runs");
  g_ptr_array_add (argv, "--server");
  g_ptr_array_add (argv, (char *) server);
  va_start (ap, server);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &ran.out, &ran.err, &error);
  g_assert_no_error (error);
  ran.status = g_subprocess_get_exit_status (process);
  return ran;
}

/* `runs logs -f` while the daemon is killed with SIGKILL and started
 * again on the same address: it says on standard error that the server
 * is away and that it is back, reconnects with Last-Event-ID, prints no
 * event twice and ends (0) only once the run is over — a stream that
 * closes early is not the end of the run. */
static void
test_client_follow_restart (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autofree char *items = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *listen = NULL;
  g_autoptr(GSubprocess) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 previous = 0;
  json_t *last = NULL;

  for (guint i = 1; i <= 150; i++)
    g_string_append_printf (many, "{\"value\": %u}\n", i);
  items = write_file (f->root, "many.jsonl", many->str);
  {
    g_auto(Ran) r = runs (f->daemon->url, "create", "slow.xml", "--items", items, "--start", NULL);
    g_assert_cmpint (r.status, ==, 0);
    id = g_strstrip (g_strdup (r.out));
  }
  path = g_strdup_printf ("/runs/%s", id);
  follower = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                               g_getenv ("SLUICE_RUN"), "runs", "--server", f->daemon->url,
                               "logs", "-f", "--json", id, NULL);
  g_assert_no_error (error);

  /* Well into the run, then the daemon dies under the follower. */
  for (guint i = 0; ; i++)
    {
      g_auto(Answer) run = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

      if (json_integer_value (json_object_get (run.json, "items_out")) >= 20)
        break;
      g_assert_cmpuint (i, <, 6000);
      g_usleep (10000);
    }
  listen = g_strdup_printf ("127.0.0.1:%s", strrchr (f->daemon->url, ':') + 1);
  daemon_kill (f->daemon);
  g_clear_pointer (&f->daemon, daemon_free);
  /* Away long enough for the follower to fail to reconnect a few times. */
  g_usleep (1500000);
  if (g_subprocess_get_identifier (follower) == NULL)
    g_error ("logs -f ended while the daemon was away");
  f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { "--max-body", "64K", "--listen", listen, NULL });

  g_subprocess_communicate_utf8 (follower, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("follower's standard error:\n%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (follower), ==, 0);
  g_assert_nonnull (strstr (err, "lost the event stream"));
  g_assert_nonnull (strstr (err, "reconnected to"));

  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 2);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      json_t *event = json_loads (lines[i], 0, NULL);
      gint64 seq = json_integer_value (json_object_get (event, "seq"));

      g_assert_nonnull (event);
      /* Never twice, never back. */
      g_assert_cmpint (seq, >, previous);
      previous = seq;
      if (lines[i + 1] == NULL)
        last = json_incref (event);
      json_decref (event);
    }
  g_assert_cmpstr (json_string_value (json_object_get (last, "event")), ==, "run-state");
  g_assert_cmpstr (json_string_value (json_object_get (last, "state")), ==, "completed");
  json_decref (last);
}

static void
test_client (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *items = write_file (f->root, "items.jsonl", "{\"value\": 1}\n\n{\"value\": 10}\n");
  g_autofree char *bad_items = write_file (f->root, "bad.jsonl", "{\"value\": 1}\n[2]\n");
  g_autofree char *id = NULL;
  g_autofree char *slow = NULL;

  {
    g_auto(Ran) r = runs (f->daemon->url, "create", "double.xml", "--items", items, NULL);
    g_assert_cmpint (r.status, ==, 0);
    id = g_strstrip (g_strdup (r.out));
    g_assert_true (g_str_has_prefix (id, "r-"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "list", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "ID "));
    g_assert_nonnull (strstr (r.out, id));
    g_assert_nonnull (strstr (r.out, "pending"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "start", id, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  /* logs -f follows to the end of the run, then exits 0. */
  {
    g_auto(Ran) r = runs (f->daemon->url, "logs", "-f", id, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "run-state         completed"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "logs", "--json", id, NULL);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (r.out), "\n", -1);
    json_t *last = json_loads (lines[g_strv_length (lines) - 1], 0, NULL);

    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (json_string_value (json_object_get (last, "state")), ==, "completed");
    json_decref (last);
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "output", id, NULL);
    g_assert_cmpstr (r.out, ==, "{\"value\":3}\n{\"value\":21}\n");
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "show", id, "--json", NULL);
    json_t *run = json_loads (r.out, 0, NULL);

    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (json_string_value (json_object_get (run, "state")), ==, "completed");
    g_assert_cmpint (json_integer_value (json_object_get (run, "items_out")), ==, 2);
    json_decref (run);
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "report", id, NULL);
    json_t *report = json_loads (r.out, 0, NULL);

    g_assert_cmpint (json_integer_value (json_object_get (report, "items_in")), ==, 2);
    json_decref (report);
  }
  /* Exit statuses: refused 1, usage 2, unreachable 3. */
  {
    g_auto(Ran) r = runs (f->daemon->url, "resume", id, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "409"));
    g_assert_nonnull (strstr (r.err, "cannot be resumed"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "show", "r-20260101T000000-00000000", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "404"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "frobnicate", id, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "create", "double.xml", "--items", bad_items, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "line 2"));
  }
  {
    g_auto(Ran) r = runs ("http://127.0.0.1:1", "list", NULL);
    g_assert_cmpint (r.status, ==, 3);
  }
  /* Steering a live run; --inline sends the file itself. */
  {
    g_autofree char *local = write_file (f->root, "local-slow.xml", SLOW);
    g_autoptr(GString) many = g_string_new (NULL);
    g_autofree char *many_file = NULL;

    for (guint i = 0; i < 500; i++)
      g_string_append_printf (many, "{\"n\": %u}\n", i);
    many_file = write_file (f->root, "many.jsonl", many->str);
    g_auto(Ran) r = runs (f->daemon->url, "create", local, "--inline", "--start", "--items", many_file, NULL);

    g_assert_cmpint (r.status, ==, 0);
    slow = g_strstrip (g_strdup (r.out));
  }
  {
    g_auto(Ran) r1 = runs (f->daemon->url, "cancel", slow, NULL);
    g_auto(Ran) r2 = runs (f->daemon->url, "cancel", slow, NULL);

    g_assert_cmpint (r1.status, ==, 0);
    g_assert_cmpint (r2.status, ==, 0);
    g_assert_nonnull (strstr (r2.out, "(unchanged)"));
  }
  {
    g_auto(Ran) r = runs (f->daemon->url, "list", "--state", "cancelled", "--json", NULL);
    json_t *answer = json_loads (r.out, 0, NULL);
    json_t *list = json_object_get (answer, "runs");

    g_assert_cmpuint (json_array_size (list), ==, 1);
    g_assert_true (json_is_true (json_object_get (json_array_get (list, 0), "pipeline_inline")));
    json_decref (answer);
  }
}

static void
test_client_token (void)
{
  g_autofree char *base = g_build_filename (tmpdir, "XXXXXX", NULL);
  g_autofree char *root = g_mkdtemp (g_steal_pointer (&base));
  g_autofree char *state_dir = g_build_filename (root, "state", NULL);
  g_autofree char *token_file = write_file (root, "token", "s3cret\n");
  g_autofree char *wrong_file = write_file (root, "wrong", "nope\n");
  const char *extra[] = { "--token-file", token_file, NULL };
  g_autoptr(Daemon) daemon = daemon_start (state_dir, root, extra);

  {
    g_auto(Ran) r = runs (daemon->url, "list", NULL);
    g_assert_cmpint (r.status, ==, 4);
  }
  {
    g_auto(Ran) r = runs (daemon->url, "list", "--token-file", wrong_file, NULL);
    g_assert_cmpint (r.status, ==, 4);
  }
  {
    g_auto(Ran) r = runs (daemon->url, "list", "--token-file", token_file, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  daemon_kill (daemon);
  remove_tree (root);
}

/* ---- a client that stops reading ---- */

static const char *BURST =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"burst\">\n"
  "<controller id=\"a\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
  "<execution id=\"one\"><lua>item.a = 1</lua></execution></phase></controller>\n"
  "<controller id=\"b\" mode=\"order-by-sequence\"><phase id=\"q\">"
  "<execution id=\"two\"><lua>item.b = 2</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static void
test_stalled_client (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *burst = write_file (f->root, "burst.xml", BURST);
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *items_file = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *request = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GSocketConnectable) address = g_network_address_parse_uri (f->daemon->url, 80, &error);
  g_autoptr(GSocketAddressEnumerator) addresses = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GString) received = g_string_new (NULL);
  g_autofree char *events_path = NULL;
  guint64 expected = 1;
  char buffer[65536];
  gssize n;

  /* 20,000 items: some 80,000 events, far more than the backlog. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (items, "{\"n\": %u}\n", i);
  items_file = write_file (f->root, "burst.jsonl", items->str);
  body = g_strdup_printf ("{\"pipeline\": \"burst.xml\", \"input\": {\"path\": \"burst.jsonl\"}}");
  id = api_create (f->session, f->daemon, body, NULL);
  events_path = run_path (id, "events");

  /* A client with a small receive buffer follows, then reads nothing. */
  g_assert_no_error (error);
  g_socket_set_option (sock, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  addresses = g_socket_connectable_enumerate (address);
  socket_address = g_socket_address_enumerator_next (addresses, NULL, &error);
  g_assert_no_error (error);
  g_socket_connect (sock, socket_address, NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n", events_path);
  g_socket_send_with_blocking (sock, request, strlen (request), TRUE, NULL, &error);
  g_assert_no_error (error);
  g_usleep (200000);
  {
    gboolean changed;

    g_assert_cmpuint (act (f, id, "start", &changed), ==, 200);
  }
  state = api_wait_final (f->session, f->daemon, id, NULL, 120);
  g_assert_cmpstr (state, ==, "completed");
  /* The daemon answered others meanwhile; now the client reads it all,
   * in order, to the end of the stream. */
  g_socket_set_timeout (sock, 30);
  while ((n = g_socket_receive (sock, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (received, buffer, n);
  g_assert_no_error (error);
  for (const char *line = received->str; line != NULL && *line != '\0'; )
    {
      const char *end = strchr (line, '\n');

      if (g_str_has_prefix (line, "id: "))
        {
          g_assert_cmpuint (g_ascii_strtoull (line + 4, NULL, 10), ==, expected);
          expected++;
        }
      line = end != NULL ? end + 1 : NULL;
    }
  {
    g_autofree char *path = run_path (id, NULL);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_test_message ("%" G_GUINT64_FORMAT " events read by the stalled client", expected - 1);
    g_assert_cmpint (expected - 1, ==, json_integer_value (json_object_get (a.json, "events")));
    g_assert_cmpint (expected - 1, >, 40000);
  }
  /* The chunked stream ended properly. */
  g_assert_true (g_str_has_suffix (received->str, "0\r\n\r\n"));
}

/* ---- a graceful stop, and damaged state found at start-up ---- */

static void
test_recover_damaged (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *gone = write_file (f->root, "gone.xml", DOUBLE);
  g_autofree char *pending = api_create (f->session, f->daemon, "{\"pipeline\": \"gone.xml\"}", NULL);
  g_autofree char *done_body = items_body ("double.xml", 2, TRUE);
  g_autofree char *done = api_create (f->session, f->daemon, done_body, NULL);
  g_autofree char *broken = api_create (f->session, f->daemon, "{\"pipeline\": \"double.xml\"}", NULL);
  g_autofree char *slow_body = items_body ("slow.xml", 30, TRUE);
  g_autofree char *slow = api_create (f->session, f->daemon, slow_body, NULL);
  g_autofree char *final = NULL;
  g_autoptr(GError) error = NULL;

  g_free (api_wait_final (f->session, f->daemon, done, NULL, 30));
  api_wait_state (f->session, f->daemon, slow, "running", NULL, 10);

  /* SIGTERM: exit 0; the running run stays "running" in its record. */
  g_subprocess_send_signal (f->daemon->process, SIGTERM);
  g_subprocess_wait (f->daemon->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (f->daemon->process));
  g_assert_cmpint (g_subprocess_get_exit_status (f->daemon->process), ==, 0);
  {
    g_autofree char *path = g_build_filename (f->state_dir, "runs", slow, "state.json", NULL);
    json_t *record = json_load_file (path, 0, NULL);

    g_assert_cmpstr (json_string_value (json_object_get (record, "state")), ==, "running");
    json_decref (record);
  }
  g_clear_pointer (&f->daemon, daemon_free);

  /* Damage: a pipeline gone, a record that is not JSON, an events file
   * cut in the middle of a line. */
  g_assert_cmpint (g_unlink (gone), ==, 0);
  {
    g_autofree char *path = g_build_filename (f->state_dir, "runs", broken, "state.json", NULL);
    g_free (write_file (g_path_get_dirname (path), "state.json", "{\"id\": \"r-1\", \"state\": "));
  }
  {
    g_autofree char *path = g_build_filename (f->state_dir, "runs", done, "events.jsonl", NULL);
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (path, contents, length - 20, NULL));
  }

  f->daemon = daemon_start (f->state_dir, f->root, NULL);
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs", NULL, NULL);
    /* The broken record is skipped (and said on standard error). */
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, 3);
  }
  {
    g_autofree char *path = run_path (pending, NULL);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_assert_cmpstr (json_string_value (json_object_get (a.json, "state")), ==, "failed");
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "gone.xml"));
  }
  {
    g_autofree char *path = run_path (done, "events");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    size_t i;
    json_t *event;

    /* Whole events only: the cut line is dropped. */
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_true (json_is_array (a.json));
    g_assert_cmpuint (json_array_size (a.json), >, 3);
    json_array_foreach (a.json, i, event)
      g_assert_cmpint (json_integer_value (json_object_get (event, "seq")), ==, (json_int_t) i + 1);
  }
  final = api_wait_final (f->session, f->daemon, slow, NULL, 60);
  g_assert_cmpstr (final, ==, "completed");
  {
    g_autofree char *path = run_path (slow, "output");
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (a.body, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 31);
  }
}

/* ---- https ---- */

static void
test_tls (void)
{
  g_autofree char *base = g_build_filename (tmpdir, "XXXXXX", NULL);
  g_autofree char *root = g_mkdtemp (g_steal_pointer (&base));
  g_autofree char *state_dir = g_build_filename (root, "state", NULL);
  g_autofree char *cert = g_build_filename (root, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (root, "key.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(Daemon) daemon = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (openssl == NULL)
    g_error ("openssl is missing: the https test makes its certificate with it (build-aux/install-deps.sh installs it)");
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    g_error ("no TLS backend: install glib-networking (build-aux/install-deps.sh does)");
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_free (write_file (root, "double.xml", DOUBLE));
  {
    const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };

    daemon = daemon_start (state_dir, root, extra);
  }
  g_assert_true (g_str_has_prefix (daemon->url, "https://127.0.0.1:"));
  {
    g_auto(Ran) r = runs (daemon->url, "--ca-file", cert, "create", "double.xml", "--start", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Ran) r = runs (daemon->url, "--ca-file", cert, "list", "--json", NULL);
    json_t *answer = json_loads (r.out, 0, NULL);

    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpuint (json_array_size (json_object_get (answer, "runs")), ==, 1);
    json_decref (answer);
  }
  /* Without trusting it, the client refuses the certificate. */
  {
    g_auto(Ran) r = runs (daemon->url, "list", NULL);
    g_assert_cmpint (r.status, ==, 3);
  }
  daemon_kill (daemon);
  remove_tree (root);
}

/* ---- many creators at once ---- */

typedef struct
{
  Daemon    *daemon;
  GPtrArray *ids;
} Creator;

static gpointer
creator_thread (gpointer user_data)
{
  Creator *c = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (c->ids, api_create (session, c->daemon, "{\"pipeline\": \"double.xml\", \"start\": true}", NULL));
  return NULL;
}

static void
test_concurrent_create (Fixture       *f,
                        gconstpointer  data)
{
  enum { N_THREADS = 50 };
  Creator creators[N_THREADS];
  GThread *threads[N_THREADS];
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint t = 0; t < N_THREADS; t++)
    {
      creators[t] = (Creator) { f->daemon, g_ptr_array_new_with_free_func (g_free) };
      threads[t] = g_thread_new ("create", creator_thread, &creators[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint t = 0; t < N_THREADS; t++)
    {
      for (guint i = 0; i < creators[t].ids->len; i++)
        {
          const char *id = g_ptr_array_index (creators[t].ids, i);
          g_autofree char *state = api_wait_final (f->session, f->daemon, id, NULL, 60);

          g_assert_cmpstr (state, ==, "completed");
          g_assert_true (g_hash_table_add (seen, (char *) id));
        }
    }
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs?state=completed", NULL, NULL);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "runs")), ==, N_THREADS * 4);
  }
  for (guint t = 0; t < N_THREADS; t++)
    g_ptr_array_unref (creators[t].ids);
}

/* ---- parameters and input files ---- */

static const char *SCALED =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"scaled\">\n"
  "<parameters><parameter name=\"factor\" default=\"2\"/></parameters>\n"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"mul\"><lua>item.value = item.value * tonumber (params.factor)</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static void
test_parameters_and_input (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *scaled = write_file (f->root, "scaled.xml", SCALED);
  g_autofree char *input = write_file (f->root, "in.jsonl", "{\"value\": 1}\n{\"value\": 5}\n");
  g_autofree char *by_default = api_create (f->session, f->daemon,
                                            "{\"pipeline\": \"scaled.xml\", \"start\": true, \"input\": {\"path\": \"in.jsonl\"}}", NULL);
  g_autofree char *by_string = api_create (f->session, f->daemon,
                                           "{\"pipeline\": {\"path\": \"scaled.xml\"}, \"start\": true, \"parameters\": {\"factor\": \"10\"}, \"input\": {\"path\": \"in.jsonl\"}}", NULL);
  g_autofree char *by_number = api_create (f->session, f->daemon,
                                           "{\"pipeline\": \"scaled.xml\", \"start\": true, \"parameters\": {\"factor\": 3}, \"input\": [{\"value\": 7}]}", NULL);
  struct { const char *id; const char *output; } expected[] = {
    { by_default, "{\"value\":2}\n{\"value\":10}\n" },
    { by_string, "{\"value\":10}\n{\"value\":50}\n" },
    { by_number, "{\"value\":21}\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *state = api_wait_final (f->session, f->daemon, expected[i].id, NULL, 30);
      g_autofree char *path = run_path (expected[i].id, "output");
      g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

      g_assert_cmpstr (state, ==, "completed");
      g_assert_cmpstr (a.body, ==, expected[i].output);
    }
  {
    g_autofree char *path = run_path (by_string, NULL);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_assert_cmpstr (json_string_value (json_object_get (json_object_get (a.json, "parameters"), "factor")), ==, "10");
    g_assert_cmpstr (json_string_value (json_object_get (json_object_get (a.json, "input"), "kind")), ==, "file");
  }
  /* An unknown parameter is the pipeline's problem: 422 naming it. */
  expect (f, "POST", "/runs", "{\"pipeline\": \"scaled.xml\", \"parameters\": {\"colour\": \"red\"}}", NULL, 422, "colour");
  /* A bad input line fails the run, naming the line. */
  {
    g_autofree char *bad = write_file (f->root, "bad.jsonl", "{\"value\": 1}\nnot json\n");
    g_autofree char *id = api_create (f->session, f->daemon, "{\"pipeline\": \"scaled.xml\", \"start\": true, \"input\": {\"path\": \"bad.jsonl\"}}", NULL);
    g_autofree char *state = api_wait_final (f->session, f->daemon, id, NULL, 30);
    g_autofree char *path = run_path (id, NULL);
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_assert_cmpstr (state, ==, "failed");
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "line 2"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_log_set_debug_enabled (FALSE);
  tmpdir = g_dir_make_tmp ("sluice-run-api-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  static const char *const small_body[] = { "--max-body", "64K", NULL };

#define ADD(name, func) \
  g_test_add ("/sluice/run-api/" name, Fixture, small_body, fixture_setup, func, fixture_teardown)
  ADD ("openapi", test_openapi);
  ADD ("lifecycle", test_lifecycle);
  ADD ("transitions", test_transitions);
  ADD ("parameters-and-input", test_parameters_and_input);
  ADD ("bad-requests", test_bad_requests);
  g_test_add_func ("/sluice/run-api/token", test_token);
  ADD ("sse-resume", test_sse_resume);
  ADD ("kill-9-restart", test_restart);
  ADD ("sigterm-and-damaged-state", test_recover_damaged);
  ADD ("concurrent-200", test_concurrent);
  ADD ("concurrent-create", test_concurrent_create);
  ADD ("metrics", test_metrics);
  ADD ("client", test_client);
  ADD ("client-follow-restart", test_client_follow_restart);
  ADD ("stalled-client", test_stalled_client);
  g_test_add_func ("/sluice/run-api/client-token", test_client_token);
  g_test_add_func ("/sluice/run-api/tls", test_tls);
#undef ADD

  status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
