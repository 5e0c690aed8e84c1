/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static void
test_shortest_each_real (void)
{
  /* One real that needs 17 digits used to give every real of the item 17
   * digits: 0.07 came out as 0.070000000000000007, 1.4 as
   * 1.3999999999999999. Each real now gets its own shortest form. */
  check_dump ("{\"a\":0.07,\"b\":1.4,\"c\":0.30000000000000004}",
              "{\"a\":0.07,\"b\":1.4,\"c\":0.30000000000000004}");
  check_dump ("[1e22,1e-7,-0.0,5e-324,1.7976931348623157e308,123456789012345.6]",
              "[1e22,1e-7,-0.0,5e-324,1.7976931348623157e308,123456789012345.6]");
  check_dump ("[0.1,100.0,1e+300,2.5E-3]", "[0.1,100.0,1e300,0.0025]");
}

static void
test_format_real (void)
{
  static const struct { double value; const char *text; } cases[] = {
    { 0.07, "0.07" }, { 1.4, "1.4" }, { 1.0, "1.0" }, { -0.0, "-0.0" },
    { 1e22, "1e22" }, { 1e-7, "1e-7" }, { 5e-324, "5e-324" }, { 0.1 + 0.2, "0.30000000000000004" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char buffer[SLUICE_JSON_REAL_BUF_SIZE];
      gsize length = sluice_json_format_real (cases[i].value, buffer);

      g_assert_cmpstr (buffer, ==, cases[i].text);
      g_assert_cmpuint (length, ==, strlen (cases[i].text));
    }
}

/* Writes like json_dumps() for everything but reals. */
static void
test_same_as_jansson (void)
{
  const char *text = "{\"b\":[1,{\"x\":[],\"y\":{}},\"s\\\"\\\\/\\u0001\\n\u00e9\"],"
                     "\"a\":{\"z\":null,\"t\":true,\"f\":false},\"c\":-9223372036854775808}";
  const size_t flags[] = {
    0, JSON_COMPACT, JSON_INDENT (2), JSON_INDENT (3) | JSON_SORT_KEYS, JSON_COMPACT | JSON_SORT_KEYS,
    JSON_ENSURE_ASCII, JSON_ESCAPE_SLASH | JSON_COMPACT,
  };
  json_t *json = json_loads (text, 0, NULL);

  g_assert_nonnull (json);
  json_object_set_new (json, "u", json_string ("\xf0\x9f\x98\x80"));
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      char *ours = sluice_json_dumps (json, flags[i]);
      char *theirs = json_dumps (json, flags[i]);

      g_assert_cmpstr (ours, ==, theirs);
      free (ours);
      free (theirs);
    }
  json_decref (json);

  /* Sorted keys: small objects by insertion sort, large by qsort; keys
   * that are prefixes of others ("k1", "k10"). */
  for (guint n = 1; n <= 40; n++)
    {
      json_t *object = json_object ();
      char *ours, *theirs;

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("k%u", (i * 7 + 3) % n);

          json_object_set_new (object, key, json_integer (i));
        }
      ours = sluice_json_dumps (object, JSON_COMPACT | JSON_SORT_KEYS);
      theirs = json_dumps (object, JSON_COMPACT | JSON_SORT_KEYS);
      g_assert_cmpstr (ours, ==, theirs);
      free (ours);
      free (theirs);
      json_decref (object);
    }
}

static json_t *
nested_arrays (guint depth)
{
  json_t *value = json_pack ("[f]", 0.5);

  for (guint i = 1; i < depth; i++)
    value = json_pack ("[o]", value);
  return value;
}

static void
test_linear_in_depth (void)
{
  /* Depth 31 took 20 s (each level evaluated the one below twice), 40
   * never ended. */
  gint64 start = g_get_monotonic_time ();
  json_t *json = nested_arrays (SLUICE_JSON_MAX_DEPTH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new ("x");
  char *text = sluice_json_dumps (json, JSON_COMPACT);

  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, 2 * SLUICE_JSON_MAX_DEPTH + 3);
  free (text);
  g_assert_cmpuint (sluice_json_dump_flags (json, 0), ==, JSON_REAL_PRECISION (15));
  json_decref (json);

  /* One level more is refused, and leaves the output as it was. */
  json = nested_arrays (SLUICE_JSON_MAX_DEPTH + 1);
  g_assert_false (sluice_json_write (out, json, JSON_COMPACT, &error));
  g_assert_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_WRITE);
  g_assert_cmpstr (out->str, ==, "x");
  g_assert_null (sluice_json_dumps (json, JSON_COMPACT));
  json_decref (json);

  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

static void
check_parse_error (const char *text,
                   gsize       length,
                   int         code,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (sluice_json_parse_item (text, length, &error));
  g_assert_error (error, SLUICE_JSON_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_parse_item (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  json_t *json;
  char *text;

  check_parse_error ("{bad", 4, SLUICE_JSON_ERROR_SYNTAX, "not JSON at column");
  check_parse_error ("", 0, SLUICE_JSON_ERROR_SYNTAX, "not JSON");
  check_parse_error ("[1]", 3, SLUICE_JSON_ERROR_NOT_OBJECT, "not a JSON object but an array");
  check_parse_error ("\"s\"", 3, SLUICE_JSON_ERROR_NOT_OBJECT, "but a string");
  check_parse_error ("{\"i\":123456789012345678901234567890}", 36, SLUICE_JSON_ERROR_NUMBER_RANGE,
                     "number out of range");
  check_parse_error ("{\"r\":1e400}", 11, SLUICE_JSON_ERROR_NUMBER_RANGE, "number out of range");
  check_parse_error ("{\"k\\u0000\":1}", 13, SLUICE_JSON_ERROR_SYNTAX, "NUL byte in object key");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  check_parse_error (deep->str, deep->len, SLUICE_JSON_ERROR_TOO_DEEP, "deeper than 512 levels");

  /* NUL inside strings is kept, in and out. */
  json = sluice_json_parse_item ("{\"a\":\"x\\u0000y\"} ", 17, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_string_length (json_object_get (json, "a")), ==, 3);
  text = sluice_json_dumps (json, JSON_COMPACT);
  g_assert_cmpstr (text, ==, "{\"a\":\"x\\u0000y\"}");
  free (text);
  json_decref (json);

  /* Brackets inside strings do not count as depth. */
  g_string_assign (deep, "{\"a\":\"");
  for (guint i = 0; i < 1000; i++)
    g_string_append (deep, "[\\\"");
  g_string_append (deep, "\"}");
  json = sluice_json_parse_item (deep->str, deep->len, &error);
  g_assert_no_error (error);
  json_decref (json);
}

/* The fast path (sluice-json-fast.c) takes the common lines itself and
 * leaves the rest to jansson: every line must come out exactly as
 * json_loadb() reads it, or be refused as before. Each line is also read
 * from a buffer that continues past it with digits, so that nothing reads
 * beyond its length. */
static void
test_fast_path_same_as_jansson (void)
{
  static const char * const lines[] = {
    "{}", " { } ", "{\"a\":1}", "{\"id\": 0, \"value\": 17, \"tag\": \"a\"}",
    "{\"a\":-0}", "{\"a\":-0.0}", "{\"a\":0.07}", "{\"a\":1.4}", "{\"a\":1E2}", "{\"a\":1e-400}",
    "{\"a\":4.9e-324}", "{\"a\":1.7976931348623157e308}", "{\"a\":9223372036854775807}",
    "{\"a\":-9223372036854775808}", "{\"a\":9223372036854775808}", "{\"a\":-9223372036854775809}",
    "{\"a\":18446744073709551616}", "{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":01}", "{\"a\":1.}",
    "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":+1}", "{\"a\":0x10}",
    "{\"a\":\"x\\\"y\\\\z\\/\\b\\f\\n\\r\\t\"}", "{\"a\":\"\\u00e9\\ud83d\\ude00\"}",
    "{\"a\":\"\\ud800\"}", "{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}",
    "{\"a\":\"tab\there\"}", "{\"a\":\"\\x\"}", "{\"k\\n\":1,\"k\\n\":2}", "{\"a\":1,\"a\":[2]}",
    "{\"a\":[1,2.5,\"s\",true,false,null,{},[]]}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":{\"b\":}}",
    "{\"a\":1,}", "{,}", "{\"a\" 1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":falsey}", "{\"a\":1}x",
    "{\"a\":1} {}", "[1]", "\"s\"", "1", "null", "", "   ", "{", "{\"a", "{\"a\":\"b", "{\"a\":1",
    "{\"\":0}", "{\"a\":[[[[[[[[[[]]]]]]]]]]}", "\t{\"a\":\r\n1}\n",
  };
  g_autoptr(GString) deep = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lines) + 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *buffer = NULL;
      const char *line;
      gsize length;
      json_error_t jerror;
      json_t *ours, *theirs;

      if (i < G_N_ELEMENTS (lines))
        line = lines[i];
      else
        {
          /* 512 levels are taken, 513 refused. */
          guint levels = i == G_N_ELEMENTS (lines) ? 511 : 512;

          g_string_assign (deep, "{\"a\":");
          for (guint j = 0; j < levels; j++)
            g_string_append_c (deep, '[');
          for (guint j = 0; j < levels; j++)
            g_string_append_c (deep, ']');
          g_string_append_c (deep, '}');
          line = deep->str;
        }
      length = strlen (line);
      buffer = g_strconcat (line, "12345", NULL);
      ours = sluice_json_parse_item (buffer, length, &error);
      theirs = json_loadb (line, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerror);
      if (theirs != NULL && (!json_is_object (theirs) || i == G_N_ELEMENTS (lines) + 1))
        g_clear_pointer (&theirs, json_decref);
      if (theirs == NULL)
        {
          g_assert_null (ours);
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_nonnull (ours);
      if (!json_equal (ours, theirs))
        g_error ("line %u (%s) does not read as jansson reads it", i, line);
      json_decref (ours);
      json_decref (theirs);
    }
}

/* What sluice_json_format_real wrote before its fast path for short
 * decimals: the shortest %.Ng from 15 up that reads back. */
static void
format_real_by_printf (double value,
                       char   buffer[64])
{
  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, 64, format, value);
      if (precision == 17 || g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  if (strchr (buffer, 'e') == NULL && strchr (buffer, '.') == NULL)
    strcat (buffer, ".0");
}

/* The fast path writes what printf wrote, for prices, halves, values
 * that look short but are not (0.1 + 0.2), and random doubles. */
static void
test_format_real_fast_path (void)
{
  GRand *rand = g_rand_new_with_seed (14);

  for (guint i = 0; i < 300000; i++)
    {
      char expected[64], got[SLUICE_JSON_REAL_BUF_SIZE];
      double value;

      switch (i % 4)
        {
        case 0: value = g_rand_int_range (rand, -1000000, 1000000) / 100.0; break;
        case 1: value = g_rand_int_range (rand, 0, 1000000000) / pow (10, g_rand_int_range (rand, 0, 9)); break;
        case 2: value = g_rand_double_range (rand, -1e6, 1e6); break;
        default: value = g_rand_int_range (rand, 0, 1000) * 0.1 + g_rand_int_range (rand, 0, 1000) * 0.2; break;
        }
      if (value > -1e-4 && value < 1e-4)
        continue;
      format_real_by_printf (value, expected);
      sluice_json_format_real (value, got);
      if (g_strcmp0 (expected, got) != 0)
        g_error ("%.17g: %s, printf %s", value, got, expected);
    }
  g_rand_free (rand);
}

/* Integers and plain strings as the writers append them (two digits a
 * division, one room check): what printf and jansson write, at every
 * length and both ends of int64, into strings that must grow. */
static void
test_append_integer_and_plain (void)
{
  static const gint64 ends[] = { G_MININT64, G_MININT64 + 1, G_MAXINT64, G_MAXINT64 - 1, -1, 0, 1 };
  g_autoptr(GString) out = g_string_sized_new (1);
  g_autoptr(GString) want = g_string_sized_new (1);

  for (gint64 v = -1000; v <= 1000; v++)
    {
      g_string_truncate (out, 0);
      sluice_json_append_integer (out, v);
      g_string_printf (want, "%" G_GINT64_FORMAT, v);
      g_assert_cmpstr (out->str, ==, want->str);
    }
  for (gint64 p = 10; p > 0 && p <= G_MAXINT64 / 10; p *= 10)
    for (gint64 d = -1; d <= 1; d++)
      for (int sign = -1; sign <= 1; sign += 2)
        {
          gint64 v = sign * (p + d);

          g_string_truncate (out, 0);
          sluice_json_append_integer (out, v);
          g_string_printf (want, "%" G_GINT64_FORMAT, v);
          g_assert_cmpstr (out->str, ==, want->str);
        }
  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      json_t *json = json_integer (ends[i]);
      char *jansson = json_dumps (json, JSON_ENCODE_ANY);

      g_string_truncate (out, 0);
      sluice_json_append_integer (out, ends[i]);
      g_assert_cmpstr (out->str, ==, jansson);
      free (jansson);
      json_decref (json);
    }

  /* Plain strings, empty to long, appended until the string grows many
   * times: the same as the general way. */
  g_string_truncate (out, 0);
  g_string_truncate (want, 0);
  for (guint n = 0; n < 3000; n += 7)
    {
      g_autofree char *text = g_strnfill (n, 'a' + n % 26);

      sluice_json_append_plain_string (out, text, n);
      g_string_append_printf (want, "\"%s\"", text);
      sluice_json_append_string (out, text, n);
      g_string_append_printf (want, "\"%s\"", text);
    }
  g_assert_cmpuint (out->len, ==, want->len);
  g_assert_cmpstr (out->str, ==, want->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/json/shortest-reals", test_shortest_reals);
  g_test_add_func ("/sluice/json/exact-when-needed", test_exact_when_needed);
  g_test_add_func ("/sluice/json/shortest-each-real", test_shortest_each_real);
  g_test_add_func ("/sluice/json/format-real", test_format_real);
  g_test_add_func ("/sluice/json/format-real-fast-path", test_format_real_fast_path);
  g_test_add_func ("/sluice/json/same-as-jansson", test_same_as_jansson);
  g_test_add_func ("/sluice/json/linear-in-depth", test_linear_in_depth);
  g_test_add_func ("/sluice/json/parse-item", test_parse_item);
  g_test_add_func ("/sluice/json/fast-path-same-as-jansson", test_fast_path_same_as_jansson);
  g_test_add_func ("/sluice/json/append-integer-and-plain", test_append_integer_and_plain);

  return g_test_run ();
}
