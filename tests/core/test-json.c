/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "sluice-json.h"

static void
check_dump (const char *input,
            const char *expected)
{
  json_error_t error;
  json_t *json = json_loads (input, JSON_DECODE_ANY, &error);
  char *dumped;
  json_t *again;

  g_assert_nonnull (json);
  dumped = sluice_json_dumps (json, JSON_COMPACT | JSON_ENCODE_ANY);
  g_assert_cmpstr (dumped, ==, expected);

  /* Whatever is written reads back as exactly the same values. */
  again = json_loads (dumped, JSON_DECODE_ANY, &error);
  g_assert_nonnull (again);
  g_assert_true (json_equal (json, again));

  json_decref (again);
  json_decref (json);
  free (dumped);
}

static void
test_shortest_reals (void)
{
  check_dump ("{\"a\":0.5449}", "{\"a\":0.5449}");
  check_dump ("[1.0, 2.5, -0.001]", "[1.0,2.5,-0.001]");
  check_dump ("{\"n\":{\"deep\":[0.1]}}", "{\"n\":{\"deep\":[0.1]}}");
  check_dump ("{\"i\":12345678901234,\"s\":\"x\",\"t\":true,\"z\":null}",
              "{\"i\":12345678901234,\"s\":\"x\",\"t\":true,\"z\":null}");
}

static void
test_exact_when_needed (void)
{
  json_t *json = json_pack ("[f]", 0.1 + 0.2);
  char *dumped = sluice_json_dumps (json, JSON_COMPACT);

  /* 0.30000000000000004 needs all 17 digits; 15 would say 0.3. */
  g_assert_cmpstr (dumped, ==, "[0.30000000000000004]");
  free (dumped);
  json_decref (json);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/json/shortest-reals", test_shortest_reals);
  g_test_add_func ("/sluice/json/exact-when-needed", test_exact_when_needed);

  return g_test_run ();
}
