/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-net.h"

/* The balancing policies and endpoint health, without a network. */

static SluiceEndpointSet *
make_set (SluiceBalance balance,
          guint         n)
{
  SluiceEndpointSet *set = sluice_endpoint_set_new (balance);
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:%u/", 8000 + i));
  g_ptr_array_add (urls, NULL);
  sluice_endpoint_set_update (set, (const char * const *) urls->pdata);
  return set;
}

static void
test_balance_names (void)
{
  SluiceBalance balance;

  g_assert_true (sluice_balance_from_string (NULL, &balance));
  g_assert_cmpint (balance, ==, SLUICE_BALANCE_LEAST_LOADED);
  g_assert_true (sluice_balance_from_string ("random-two", &balance));
  g_assert_cmpint (balance, ==, SLUICE_BALANCE_RANDOM_TWO);
  g_assert_cmpstr (sluice_balance_to_string (SLUICE_BALANCE_ROUND_ROBIN), ==, "round-robin");
  g_assert_false (sluice_balance_from_string ("random", &balance));
}

static void
test_round_robin (void)
{
  SluiceEndpointSet *set = make_set (SLUICE_BALANCE_ROUND_ROBIN, 3);
  SluicePickResult result;

  for (guint i = 0; i < 9; i++)
    g_assert_true (sluice_endpoint_set_pick (set, 0, NULL, 0, &result) == sluice_endpoint_set_get (set, i % 3));

  /* A down endpoint is skipped. */
  sluice_endpoint_failed (sluice_endpoint_set_get (set, 1), 0, "refused");
  for (guint i = 0; i < 4; i++)
    g_assert_true (sluice_endpoint_set_pick (set, 1, NULL, 0, &result) != sluice_endpoint_set_get (set, 1));
  sluice_endpoint_set_free (set);
}

static void
test_least_loaded (void)
{
  SluiceEndpointSet *set = make_set (SLUICE_BALANCE_LEAST_LOADED, 3);
  SluiceEndpoint *a = sluice_endpoint_set_get (set, 0);
  SluiceEndpoint *b = sluice_endpoint_set_get (set, 1);
  SluiceEndpoint *c = sluice_endpoint_set_get (set, 2);
  SluicePickResult result;

  a->in_flight = 3;
  b->in_flight = 1;
  c->in_flight = 2;
  g_assert_true (sluice_endpoint_set_pick (set, 0, NULL, 0, &result) == b);
  /* Load reported by others counts too. */
  b->others = 5;
  g_assert_true (sluice_endpoint_set_pick (set, 0, NULL, 0, &result) == c);
  /* A slower endpoint needs fewer calls waiting to lose. */
  b->others = 0;
  b->latency_us = 10 * a->latency_us;
  g_assert_true (sluice_endpoint_set_pick (set, 0, NULL, 0, &result) == c);
  /* Tried ones are never picked again. */
  {
    SluiceEndpoint *tried[] = { c };

    g_assert_true (sluice_endpoint_set_pick (set, 0, tried, 1, &result) == a);
  }
  sluice_endpoint_set_free (set);
}

static void
test_random_two (void)
{
  SluiceEndpointSet *set = make_set (SLUICE_BALANCE_RANDOM_TWO, 4);
  guint counts[4] = { 0 };
  SluicePickResult result;

  /* The most loaded one is never the better of two. */
  sluice_endpoint_set_get (set, 3)->in_flight = 10;
  for (guint i = 0; i < 4000; i++)
    {
      SluiceEndpoint *picked = sluice_endpoint_set_pick (set, 0, NULL, 0, &result);

      for (guint j = 0; j < 4; j++)
        if (picked == sluice_endpoint_set_get (set, j))
          counts[j]++;
    }
  g_assert_cmpuint (counts[3], ==, 0);
  for (guint j = 0; j < 3; j++)
    g_assert_cmpuint (counts[j], >, 900);
  sluice_endpoint_set_free (set);
}

static void
test_results (void)
{
  SluiceEndpointSet *set = make_set (SLUICE_BALANCE_LEAST_LOADED, 2);
  SluiceEndpoint *a = sluice_endpoint_set_get (set, 0);
  SluiceEndpoint *b = sluice_endpoint_set_get (set, 1);
  SluiceEndpoint *both[] = { a, b };
  SluicePickResult result;
  SluiceEndpointSet *empty = sluice_endpoint_set_new (SLUICE_BALANCE_LEAST_LOADED);

  g_assert_null (sluice_endpoint_set_pick (empty, 0, NULL, 0, &result));
  g_assert_cmpint (result, ==, SLUICE_PICK_EMPTY);
  sluice_endpoint_set_free (empty);

  g_assert_null (sluice_endpoint_set_pick (set, 0, both, 2, &result));
  g_assert_cmpint (result, ==, SLUICE_PICK_ALL_TRIED);

  a->in_flight = a->limit;
  b->in_flight = b->limit;
  g_assert_null (sluice_endpoint_set_pick (set, 0, NULL, 0, &result));
  g_assert_cmpint (result, ==, SLUICE_PICK_ALL_BUSY);

  /* Below the calls' limit but at the requests' (connections'): busy
   * too; a batch of many calls is one request. */
  a->in_flight = b->in_flight = 1;
  a->requests = a->max_requests;
  b->requests = b->max_requests;
  g_assert_null (sluice_endpoint_set_pick (set, 0, NULL, 0, &result));
  g_assert_cmpint (result, ==, SLUICE_PICK_ALL_BUSY);
  b->in_flight = b->limit - 1;
  b->requests = 1;
  g_assert_true (sluice_endpoint_set_pick (set, 0, NULL, 0, &result) == b);
  a->in_flight = b->in_flight = a->requests = b->requests = 0;

  sluice_endpoint_failed (a, 0, "reset");
  sluice_endpoint_failed (b, 0, "reset");
  g_assert_null (sluice_endpoint_set_pick (set, 0, NULL, 0, &result));
  g_assert_cmpint (result, ==, SLUICE_PICK_NONE_HEALTHY);
  sluice_endpoint_set_free (set);
}

/* Out after a failure, back off doubling, back in after a good probe. */
static void
test_backoff (void)
{
  g_autoptr(SluiceEndpoint) e = sluice_endpoint_new ("http://127.0.0.1:1/");
  gint64 now = 1000000;

  g_assert_true (sluice_endpoint_is_available (e, now));
  sluice_endpoint_failed (e, now, "refused");
  g_assert_false (sluice_endpoint_is_available (e, now));
  g_assert_false (sluice_endpoint_wants_status (e, now + 50000, G_USEC_PER_SEC));
  g_assert_true (sluice_endpoint_wants_status (e, now + 100000, G_USEC_PER_SEC));
  /* The probe failed too: twice as long. */
  sluice_endpoint_failed (e, now + 100000, "refused");
  g_assert_false (sluice_endpoint_wants_status (e, now + 100000 + 150000, G_USEC_PER_SEC));
  g_assert_true (sluice_endpoint_wants_status (e, now + 100000 + 200000, G_USEC_PER_SEC));
  g_assert_cmpstr (e->last_error, ==, "refused");
  /* A good probe brings it back. */
  sluice_endpoint_status (e, now + 400000, 2, FALSE);
  g_assert_true (sluice_endpoint_is_available (e, now + 400000));
  g_assert_cmpfloat (e->others, ==, 2);
  /* A draining one goes out. */
  sluice_endpoint_status (e, now + 500000, 0, TRUE);
  g_assert_false (sluice_endpoint_is_available (e, now + 500000));
}

static void
test_update_keeps_state (void)
{
  SluiceEndpointSet *set = make_set (SLUICE_BALANCE_LEAST_LOADED, 2);
  const char * const next[] = { "http://127.0.0.1:8001/", "http://127.0.0.1:9000/", NULL };

  sluice_endpoint_set_get (set, 1)->served = 42;
  sluice_endpoint_set_update (set, next);
  g_assert_cmpuint (sluice_endpoint_set_get_size (set), ==, 2);
  g_assert_cmpuint (sluice_endpoint_set_get (set, 0)->served, ==, 42);
  g_assert_cmpstr (sluice_endpoint_set_get (set, 1)->url, ==, "http://127.0.0.1:9000/");
  sluice_endpoint_set_free (set);
}

static void
test_answers (void)
{
  json_t *outputs;
  char *message;

  g_assert_cmpint (sluice_net_answer_read (200, "OK", "application/json", "{\"a\":1}", 7, &outputs, &message), ==, SLUICE_ANSWER_OK);
  g_assert_cmpuint (json_array_size (outputs), ==, 1);
  json_decref (outputs);
  g_assert_cmpint (sluice_net_answer_read (200, "OK", NULL, "[{}, 3]", 7, &outputs, &message), ==, SLUICE_ANSWER_BROKEN);
  g_assert_nonnull (strstr (message, "element 1"));
  g_free (message);
  g_assert_cmpint (sluice_net_answer_read (200, "OK", NULL, "\"x\"", 3, &outputs, &message), ==, SLUICE_ANSWER_BROKEN);
  g_free (message);
  g_assert_cmpint (sluice_net_answer_read (422, "Unprocessable", "application/json",
                                           "{\"error\": \"boom\", \"module\": \"m\"}", 32, &outputs, &message),
                   ==, SLUICE_ANSWER_REJECTED);
  g_assert_nonnull (strstr (message, "module `m`: boom"));
  g_free (message);
  g_assert_cmpint (sluice_net_answer_read (503, "Busy", NULL, "", 0, &outputs, &message), ==, SLUICE_ANSWER_BUSY);
  g_free (message);
  g_assert_cmpint (sluice_net_answer_read (502, "Bad Gateway", NULL, "", 0, &outputs, &message), ==, SLUICE_ANSWER_BROKEN);
  g_free (message);
  g_assert_cmpint (sluice_net_answer_read (200, "OK", NULL, "", 0, &outputs, &message), ==, SLUICE_ANSWER_BROKEN);
  g_assert_nonnull (strstr (message, "empty body"));
  g_free (message);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/net/balance-names", test_balance_names);
  g_test_add_func ("/sluice/net/round-robin", test_round_robin);
  g_test_add_func ("/sluice/net/least-loaded", test_least_loaded);
  g_test_add_func ("/sluice/net/random-two", test_random_two);
  g_test_add_func ("/sluice/net/pick-results", test_results);
  g_test_add_func ("/sluice/net/backoff", test_backoff);
  g_test_add_func ("/sluice/net/update-keeps-state", test_update_keeps_state);
  g_test_add_func ("/sluice/net/answers", test_answers);

  return g_test_run ();
}
