/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-core.h"
#include "sluice-json.h"
#include "test-executor-common.h"

/* The ordered modes' hand-off (sluice-executor-flow.c, -schedule.c):
 * whatever runs where — cheap Lua on the run's thread, dear Lua on the
 * workers, steps that complete out of order — order-by-sequence writes
 * exactly what not-parallel writes, byte for byte, and first-wins only
 * ever drops; and outputs of Lua at the end of the last controller leave
 * as text written from Lua in these modes too (the fast path), not as
 * items built and serialised again. */

/* A sink that keeps the output lines and counts which way they came. */
#define TEST_TYPE_COUNTING_SINK (test_counting_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingSink, test_counting_sink, TEST, COUNTING_SINK, GObject)

struct _TestCountingSink
{
  GObject  parent_instance;
  GString *lines;
  guint    items;     /* through write() */
  guint    texts;     /* through write_text() */
};

static void test_counting_sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCountingSink, test_counting_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK, test_counting_sink_iface_init))

static gboolean
counting_sink_write (SluiceItemSink  *sink,
                     json_t          *item,
                     gpointer         tag,
                     GError         **error)
{
  TestCountingSink *self = TEST_COUNTING_SINK (sink);

  self->items++;
  g_assert_true (sluice_json_write (self->lines, item, JSON_COMPACT | JSON_SORT_KEYS, NULL));
  g_string_append_c (self->lines, '\n');
  return TRUE;
}

static gboolean
counting_sink_write_text (SluiceItemSink  *sink,
                          const char      *text,
                          gsize            length,
                          gpointer         tag,
                          GError         **error)
{
  TestCountingSink *self = TEST_COUNTING_SINK (sink);

  self->texts++;
  g_string_append_len (self->lines, text, length);
  g_string_append_c (self->lines, '\n');
  return TRUE;
}

static void
test_counting_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = counting_sink_write;
  iface->write_text = counting_sink_write_text;
}

static void
test_counting_sink_finalize (GObject *object)
{
  g_string_free (TEST_COUNTING_SINK (object)->lines, TRUE);
  G_OBJECT_CLASS (test_counting_sink_parent_class)->finalize (object);
}

static void
test_counting_sink_class_init (TestCountingSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_counting_sink_finalize;
}

static void
test_counting_sink_init (TestCountingSink *self)
{
  self->lines = g_string_new (NULL);
}

typedef struct
{
  char    *lines;
  guint    items;
  guint    texts;
  guint64  superseded;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_free (outcome->lines);
}

/* Runs @phase in a controller of @mode (@workers) on @input, into a
 * counting sink. */
static Outcome
run_phase (const char *mode,
           guint       workers,
           const char *phase,
           const char *input,
           const char *last_module)
{
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\" mode=\"%s\" workers=\"%u\">"
                                           "<phase id=\"p\">%s</phase></controller>",
                                           mode, workers, phase);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestCountingSink *sink = g_object_new (TEST_TYPE_COUNTING_SINK, NULL);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  SluiceModuleStats stats = { 0 };
  Outcome outcome;

  sluice_executor_set_sink (run->executor, SLUICE_ITEM_SINK (sink));
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  if (last_module != NULL)
    g_assert_true (sluice_executor_get_module_stats (run->executor, last_module, &stats));
  outcome.lines = g_strdup (sink->lines->str);
  outcome.items = sink->items;
  outcome.texts = sink->texts;
  outcome.superseded = stats.superseded;
  test_run_free (run);
  g_object_unref (sink);
  return outcome;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    n++;
  return n;
}

/* Byte for byte, saying where they part. */
static void
assert_same_lines (const char *actual,
                   const char *expected)
{
  g_auto(GStrv) a = g_strsplit (actual, "\n", -1);
  g_auto(GStrv) b = g_strsplit (expected, "\n", -1);

  for (guint i = 0; a[i] != NULL && b[i] != NULL; i++)
    if (strcmp (a[i], b[i]) != 0)
      {
        g_test_message ("line %u differs", i + 1);
        g_assert_cmpstr (a[i], ==, b[i]);
      }
  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  g_assert_cmpstr (actual, ==, expected);
}

/* Items of every shape, some that make several outputs, some dropped,
 * some written as text from Lua and some not (a string with NUL and
 * non-ASCII bytes is left to jansson), and bursts of dear ones (a few ms of Lua each), so that a parallel
 * controller's Lua moves from the workers to the run's thread and back
 * while items are in flight. */
static const char *MIXED_PHASE =
  "<execution id=\"shape\"><lua>item.half = item.id / 2 item.s = (item.tag or '') .. '\\0é'</lua></execution>"
  "<execution id=\"cost\"><lua>"
  "  if item.id % 400 &lt; 60 and item.id % 3 == 0 then"
  "    local x = 0 for i = 1, 150000 do x = x + i % 7 end item.x = x"
  "  end</lua></execution>"
  "<execution id=\"fan\"><lua>"
  "  if item.id % 7 == 0 then return false end"
  "  if item.id % 5 == 0 then"
  "    for k = 1, 3 do local c = { id = item.id, k = k, deep = { { item.half } } } emit (c) end"
  "    return"
  "  end</lua></execution>"
  "<execution id=\"last\"><lua>item.n = 0.07 + (item.k or 0)</lua></execution>";

static char *
mixed_input (guint n)
{
  GString *input = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (input, "{\"id\": %u, \"tag\": \"%s\", \"v\": [%u, 1.5, null]}\n",
                            i, i % 2 ? "b" : "a", i);
  return g_string_free (input, FALSE);
}

/* order-by-sequence writes what not-parallel writes, byte for byte, with
 * few and with many workers; and the lines leave as text. */
static void
test_ordered_same_bytes (void)
{
  g_autofree char *input = mixed_input (1200);
  Outcome serial = run_phase ("not-parallel", 1, MIXED_PHASE, input, NULL);
  guint expected = count_lines (serial.lines);

  /* 1200 items: 172 dropped, 205 of the rest make three. */
  g_assert_cmpuint (expected, ==, 1200 - 172 + 2 * 205);
  /* Both ways are taken (a string with NUL and non-ASCII is left to
   * the ordinary way, sluice-lua-text.c). */
  g_assert_cmpuint (serial.texts + serial.items, ==, expected);
  g_assert_cmpuint (serial.texts, >, 500);
  g_assert_cmpuint (serial.items, >, 500);
  for (guint workers = 1; workers <= 8; workers *= 2)
    {
      Outcome ordered = run_phase ("order-by-sequence", workers, MIXED_PHASE, input, NULL);

      g_test_message ("order-by-sequence, %u workers: %u as text, %u as items", workers,
                      ordered.texts, ordered.items);
      assert_same_lines (ordered.lines, serial.lines);
      /* Lua's outputs at the end of the last controller: as text
       * wherever not-parallel writes them as text. */
      g_assert_cmpuint (ordered.texts, ==, serial.texts);
      g_assert_cmpuint (ordered.items, ==, serial.items);
      outcome_clear (&ordered);
    }
  outcome_clear (&serial);
}

/* Steps that complete out of order (a random delay) between Lua ops:
 * the reorder buffer is really used, and the output is still the same. */
static void
test_ordered_out_of_order (void)
{
  /* Outputs of one item that pass the delay each are produced in the
   * order they come out of it (SPEC 2): the fan-out is after it. */
  const char *phase =
    "<execution id=\"before\"><lua>item.before = true</lua></execution>"
    "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">3ms</param></use></execution>"
    "<execution id=\"after\"><lua>if item.id % 9 == 0 then return false end item.after = true "
    "  if item.id % 4 == 0 then emit (item) emit ({ id = item.id, twin = true }) return end</lua></execution>";
  g_autofree char *input = mixed_input (400);
  Outcome serial = run_phase ("not-parallel", 1, phase, input, NULL);
  Outcome ordered = run_phase ("order-by-sequence", 32, phase, input, NULL);

  g_assert_cmpuint (count_lines (serial.lines), ==, 400 - 45 + 100 - 12);
  assert_same_lines (ordered.lines, serial.lines);
  outcome_clear (&serial);
  outcome_clear (&ordered);
}

/* The id of an output line (every line here has one). */
static gint64
line_id (const char *line)
{
  const char *p = strstr (line, "\"id\":");

  g_assert_nonnull (p);
  return g_ascii_strtoll (p + 5, NULL, 10);
}

/* first-wins: every line it writes is the line not-parallel writes for
 * that item, items only ever newer than the last written; what it does
 * not write is counted superseded. Cheap Lua writes everything, as text. */
static void
test_first_wins (void)
{
  const char *phase =
    "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">3ms</param></use></execution>"
    "<execution id=\"last\"><lua>item.done = true</lua></execution>";
  g_autofree char *input = mixed_input (300);
  Outcome serial = run_phase ("not-parallel", 1, phase, input, NULL);
  Outcome first = run_phase ("first-wins", 16, phase, input, "last");
  g_auto(GStrv) serial_lines = g_strsplit (serial.lines, "\n", -1);
  g_auto(GStrv) first_lines = g_strsplit (first.lines, "\n", -1);
  gint64 last = -1;
  guint written = g_strv_length (first_lines) - 1;

  g_assert_cmpuint (written + first.superseded, ==, 300);
  for (guint i = 0; i < written; i++)
    {
      gint64 id = line_id (first_lines[i]);

      g_assert_cmpint (id, >, last);
      g_assert_cmpstr (first_lines[i], ==, serial_lines[id]);
      last = id;
    }
  outcome_clear (&serial);
  outcome_clear (&first);

  /* Cheap Lua only: nothing can overtake, all written, as text. */
  {
    g_autofree char *more = mixed_input (2000);
    Outcome cheap_serial = run_phase ("not-parallel", 1, MIXED_PHASE, more, NULL);
    Outcome cheap = run_phase ("first-wins", 1, MIXED_PHASE, more, NULL);

    assert_same_lines (cheap.lines, cheap_serial.lines);
    g_assert_cmpuint (cheap.texts, ==, cheap_serial.texts);
    outcome_clear (&cheap_serial);
    outcome_clear (&cheap);
  }
}

static int
compare_lines (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* no-order: the same lines as not-parallel, in some order, as text. */
static void
test_no_order (void)
{
  g_autofree char *input = mixed_input (1200);
  Outcome serial = run_phase ("not-parallel", 1, MIXED_PHASE, input, NULL);
  Outcome any = run_phase ("no-order", 4, MIXED_PHASE, input, NULL);
  g_auto(GStrv) a = g_strsplit (serial.lines, "\n", -1);
  g_auto(GStrv) b = g_strsplit (any.lines, "\n", -1);

  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  qsort (a, g_strv_length (a), sizeof (char *), compare_lines);
  qsort (b, g_strv_length (b), sizeof (char *), compare_lines);
  for (guint i = 0; a[i] != NULL; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
  g_assert_cmpuint (any.texts, ==, serial.texts);
  outcome_clear (&serial);
  outcome_clear (&any);
}

/* Batches on the workers: a segment stopped by its module's timeout
 * lets the rest of its batch run, and the item it failed is dropped as
 * not-parallel drops it; the output is the same. */
static void
test_batch_timeout (void)
{
  const char *phase =
    "<execution id=\"spin\" timeout=\"50ms\" on-error=\"drop\">"
    "<lua>if item.id % 10 == 3 then while true do end end local x = 0 for i = 1, 20000 do x = x + i end item.x = x</lua>"
    "</execution>"
    "<execution id=\"last\"><lua>item.last = true</lua></execution>";
  g_autofree char *input = mixed_input (60);
  Outcome serial = run_phase ("not-parallel", 1, phase, input, NULL);
  Outcome ordered = run_phase ("order-by-sequence", 8, phase, input, NULL);

  g_assert_cmpuint (count_lines (serial.lines), ==, 54);
  assert_same_lines (ordered.lines, serial.lines);
  outcome_clear (&serial);
  outcome_clear (&ordered);
}

static gboolean
cancel_cb (gpointer data)
{
  sluice_executor_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Cancel reaches every segment of every batch: endless Lua on all the
 * workers (the first segments of a controller always go there), with
 * more queued behind it in each batch. */
static void
test_batch_cancel (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"order-by-sequence\" workers=\"8\"><phase id=\"p\">"
                    "<execution id=\"spin\"><lua>while true do end</lua></execution>"
                    "</phase></controller>");
  g_autofree char *input = mixed_input (40);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  gint64 t0 = g_get_monotonic_time ();

  g_timeout_add (200, cancel_cb, run->executor);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_CANCELLED);
  /* Generous: a bound, not a speed (the test's own limit is 60 s). */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 30 * G_USEC_PER_SEC);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/executor-order/same-bytes", test_ordered_same_bytes);
  g_test_add_func ("/sluice/executor-order/out-of-order", test_ordered_out_of_order);
  g_test_add_func ("/sluice/executor-order/first-wins", test_first_wins);
  g_test_add_func ("/sluice/executor-order/no-order", test_no_order);
  g_test_add_func ("/sluice/executor-order/batch-timeout", test_batch_timeout);
  g_test_add_func ("/sluice/executor-order/batch-cancel", test_batch_cancel);

  return g_test_run ();
}
