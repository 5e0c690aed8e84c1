/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-core.h"
#include "sluice-executor-private.h"
#include "sluice-json.h"
#include "test-executor-common.h"
#include "test-lines.h"

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
  gint     lines_written; /* atomic: another thread watches it */
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
  g_atomic_int_inc (&self->lines_written);
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
  g_atomic_int_inc (&self->lines_written);
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

/* What a run of one phase wrote, and how it ended. */
typedef struct
{
  char           *lines;
  guint           items;      /* lines written as items */
  guint           texts;      /* lines written as text */
  guint64         superseded; /* of the module asked for */
  SluiceRunState  state;
  char           *error;
  guint64         sent;       /* segments handed to the workers */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_free (outcome->lines);
  g_free (outcome->error);
}

typedef struct
{
  SluiceExecutor   *executor;
  TestCountingSink *sink;
  gint              after;    /* interrupt once this many lines are out */
} Interrupter;

/* Another thread's cancel: the run's thread may be in Lua that never
 * ends, so no main-loop source could do it. */
static gpointer
interrupt_thread (gpointer data)
{
  Interrupter *it = data;
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&it->sink->lines_written) < it->after && g_get_monotonic_time () < give_up)
    g_usleep (2000);
  /* Past the last line: the endless item is at work now, or soon. */
  g_usleep (50000);
  sluice_executor_interrupt (it->executor);
  return NULL;
}

/* Runs @phase in a controller of @mode (@workers) on @input, into a
 * counting sink, to whatever end; with @interrupt_after > 0, interrupted
 * from another thread once that many lines are out; with @last_module,
 * counting what it superseded. */
static Outcome
run_to_end (const char *mode,
            guint       workers,
            const char *phase,
            const char *input,
            gint        interrupt_after,
            const char *last_module)
{
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\" mode=\"%s\" workers=\"%u\">"
                                           "<phase id=\"p\">%s</phase></controller>",
                                           mode, workers, phase);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestCountingSink *sink = g_object_new (TEST_TYPE_COUNTING_SINK, NULL);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  Interrupter it = { run->executor, sink, interrupt_after };
  SluiceModuleStats stats = { 0 };
  GThread *thread = NULL;
  Outcome outcome;

  sluice_executor_set_sink (run->executor, SLUICE_ITEM_SINK (sink));
  if (interrupt_after > 0)
    thread = g_thread_new ("interrupt", interrupt_thread, &it);
  outcome.state = test_run_wait (run);
  if (thread != NULL)
    g_thread_join (thread);
  if (last_module != NULL)
    g_assert_true (sluice_executor_get_module_stats (run->executor, last_module, &stats));
  outcome.lines = g_strdup (sink->lines->str);
  outcome.items = sink->items;
  outcome.texts = sink->texts;
  outcome.superseded = stats.superseded;
  outcome.error = g_strdup (sluice_executor_get_error (run->executor));
  outcome.sent = run->executor->segments_sent;
  test_run_free (run);
  g_object_unref (sink);
  return outcome;
}

/* The same, for a run that completes. */
static Outcome
run_phase (const char *mode,
           guint       workers,
           const char *phase,
           const char *input,
           const char *last_module)
{
  Outcome outcome = run_to_end (mode, workers, phase, input, 0, last_module);

  g_assert_cmpint (outcome.state, ==, SLUICE_RUN_COMPLETED);
  return outcome;
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
  guint expected = test_count_lines (serial.lines);

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

  g_assert_cmpuint (test_count_lines (serial.lines), ==, 400 - 45 + 100 - 12);
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
 * not-parallel drops it; the output is the same. The timeout is wall
 * time: 500 ms, so that an ordinary item whose worker is kept off the
 * processor a while is not timed out too. With 50 ms, on a CI run that
 * had another copy of this suite and its spinning workers beside it,
 * item 40 was dropped so (41 came where it should have been). */
static void
test_batch_timeout (void)
{
  const char *phase =
    "<execution id=\"spin\" timeout=\"500ms\" on-error=\"drop\">"
    "<lua>if item.id % 10 == 3 then while true do end end local x = 0 for i = 1, 20000 do x = x + i end item.x = x</lua>"
    "</execution>"
    "<execution id=\"last\"><lua>item.last = true</lua></execution>";
  g_autofree char *input = mixed_input (60);
  Outcome serial = run_phase ("not-parallel", 1, phase, input, NULL);
  Outcome ordered = run_phase ("order-by-sequence", 8, phase, input, NULL);

  g_assert_cmpuint (test_count_lines (serial.lines), ==, 54);
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

/* Cheap Lua in an ordered controller (sluice-executor-flow.c, run_lua):
 * after the first segments, measured on the workers, it runs on the
 * run's thread, where items complete in order. These check that path:
 * the order with a slow item among fast ones, fan-out, failures taken
 * by on-error, a failure that fails the run, and a cancel while Lua runs
 * on the run's thread; and that it is taken. */

/* The first @n lines of @text. */
static char *
first_lines (const char *text,
             guint       n)
{
  const char *p = text;

  for (guint i = 0; i < n && p != NULL; i++)
    {
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return g_strndup (text, p != NULL ? (gsize) (p - text) : strlen (text));
}

/* A slow item now and then (ms of Lua) among fast ones, a burst of slow
 * ones (which the vote sends to the workers, and back), fan-out, items
 * dropped and passed on by on-error: order-by-sequence with 2 workers
 * writes not-parallel's bytes; cheap Lua ran on the run's thread. */
static const char *INLINE_PHASE =
  "<execution id=\"slow\"><lua>"
  "  if item.id % 500 == 250 or (item.id &gt;= 1000 and item.id &lt; 1040) then"
  "    local x = 0 for i = 1, 200000 do x = x + i % 7 end item.slow = x"
  "  end item.value = item.value + 1</lua></execution>"
  "<execution id=\"fan\"><lua>"
  "  if item.id % 7 == 3 then emit ({ id = item.id, k = 1 }) emit ({ id = item.id, k = 2 }) return end"
  "</lua></execution>"
  "<execution id=\"flaky\" on-error=\"drop\"><lua>if item.id % 11 == 5 then error ('bad ' .. item.id) end"
  "  item.ok = true</lua></execution>"
  "<execution id=\"lenient\" on-error=\"continue\"><lua>if item.id % 13 == 6 then error ('odd') end"
  "  item.checked = true</lua></execution>";

static void
test_inline_mixed (void)
{
  g_autofree char *input = test_items (3000);
  Outcome serial = run_phase ("not-parallel", 1, INLINE_PHASE, input, NULL);
  Outcome ordered = run_phase ("order-by-sequence", 2, INLINE_PHASE, input, NULL);

  /* 3000 items, 273 dropped; of the rest, the 390 at id % 7 == 3 that
   * are not dropped make two each. */
  g_assert_cmpuint (test_count_lines (serial.lines), ==, 3000 - 273 + 390);
  assert_same_lines (ordered.lines, serial.lines);
  g_test_message ("%" G_GUINT64_FORMAT " of 3000 segments on the workers", ordered.sent);
  /* The burst went to the workers (a fifth of it at least: it takes
   * half of the last sixteen being slow); the cheap items mostly not. */
  g_assert_cmpuint (ordered.sent, >, 8);
  g_assert_cmpuint (ordered.sent, <, 1500);
  outcome_clear (&serial);
  outcome_clear (&ordered);
}

/* Cheap Lua only: after the first eight, measured on the workers, every
 * segment runs on the run's thread (a preempted one is one vote of
 * sixteen; a tenth is a bound far above what a busy machine does). */
static void
test_inline_cheap (void)
{
  const char *phase =
    "<execution id=\"a\"><lua>item.value = item.value + 1</lua></execution>"
    "<execution id=\"b\"><lua>item.value = item.value + 1</lua></execution>";
  g_autofree char *input = test_items (4000);
  Outcome serial = run_phase ("not-parallel", 1, phase, input, NULL);

  for (guint workers = 2; workers <= 4; workers += 2)
    {
      Outcome ordered = run_phase ("order-by-sequence", workers, phase, input, NULL);

      assert_same_lines (ordered.lines, serial.lines);
      g_test_message ("%u workers: %" G_GUINT64_FORMAT " of 4000 segments on the workers", workers, ordered.sent);
      g_assert_cmpuint (ordered.sent, >=, 8);
      g_assert_cmpuint (ordered.sent, <, 400);
      outcome_clear (&ordered);
    }
  outcome_clear (&serial);
}

/* A failure no on-error takes fails the run: every output of the items
 * before it is written, in order, and none after (as not-parallel). */
static void
test_inline_failure (void)
{
  const char *phase =
    "<execution id=\"a\"><lua>item.value = item.value + 1</lua></execution>"
    "<execution id=\"breaks\"><lua>if item.id == 2000 then error ('item two thousand') end"
    "  if item.id % 9 == 1 then emit (item) emit ({ id = item.id, twin = true }) return end</lua></execution>";
  g_autofree char *input = test_items (3000);
  Outcome serial = run_to_end ("not-parallel", 1, phase, input, 0, NULL);
  Outcome ordered = run_to_end ("order-by-sequence", 2, phase, input, 0, NULL);

  g_assert_cmpint (serial.state, ==, SLUICE_RUN_FAILED);
  g_assert_cmpint (ordered.state, ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (ordered.error, "breaks"));
  g_assert_nonnull (strstr (ordered.error, "item two thousand"));
  /* Items 0 to 1999, 223 of them twice. */
  g_assert_cmpuint (test_count_lines (serial.lines), ==, 2000 + 223);
  assert_same_lines (ordered.lines, serial.lines);
  outcome_clear (&serial);
  outcome_clear (&ordered);
}

/* A cancel while Lua that never ends (no timeout) runs on the run's
 * thread: the run ends cancelled, with the outputs of the items before
 * it, in order. */
static void
test_inline_cancel (void)
{
  const char *phase =
    "<execution id=\"a\"><lua>item.value = item.value + 1</lua></execution>"
    "<execution id=\"spin\"><lua>if item.id == 1500 then while true do end end</lua></execution>";
  g_autofree char *input = test_items (3000);
  g_autofree char *all = NULL;
  g_autofree char *expected = NULL;
  gint64 t0 = g_get_monotonic_time ();
  Outcome ordered = run_to_end ("order-by-sequence", 2, phase, input, 1500, NULL);

  g_assert_cmpint (ordered.state, ==, SLUICE_RUN_CANCELLED);
  /* A bound, not a speed (the test's own limit is 60 s). */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 50 * G_USEC_PER_SEC);
  g_test_message ("%" G_GUINT64_FORMAT " segments on the workers", ordered.sent);
  {
    const char *serial_phase = "<execution id=\"a\"><lua>item.value = item.value + 1</lua></execution>";
    Outcome serial = run_phase ("not-parallel", 1, serial_phase, input, NULL);

    expected = first_lines (serial.lines, 1500);
    outcome_clear (&serial);
  }
  assert_same_lines (ordered.lines, expected);
  outcome_clear (&ordered);
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
  g_test_add_func ("/sluice/executor-order/inline-mixed", test_inline_mixed);
  g_test_add_func ("/sluice/executor-order/inline-cheap", test_inline_cheap);
  g_test_add_func ("/sluice/executor-order/inline-failure", test_inline_failure);
  g_test_add_func ("/sluice/executor-order/inline-cancel", test_inline_cancel);

  return g_test_run ();
}
