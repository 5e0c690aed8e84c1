/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-core.h"
#include "sluice-tool-batch.h"
#include "test-executor-common.h"

/* The batching helper in real runs: a loader step whose writer records
 * each batch, can refuse writes and can answer later; the executor's
 * retries resend a refused batch, the flush writes the rest, and only one
 * write is ever outstanding. */

#define TEST_TYPE_STEP_LOADER (test_step_loader_get_type ())
G_DECLARE_FINAL_TYPE (TestStepLoader, test_step_loader, TEST, STEP_LOADER, SluiceStep)

struct _TestStepLoader
{
  SluiceStep       parent_instance;
  SluiceToolBatch *batch;
  guint            fail_writes;   /* writes to refuse first */
  gboolean         later;         /* answer on a timer, not at once */
  gboolean         hold;          /* answer only once the next batch has filled */
  guint            size;
  guint            added;         /* items given to the helper */
  gboolean         flushing;
  GPtrArray       *pending;       /* hold: the write not answered yet */
  guint            pending_at;    /* hold: @added when it started */
  gpointer         fallback;      /* hold: answers it anyway after hold_ms */
  guint            hold_ms;
  gboolean         encode;        /* keep items as {"kept": item} */
};

G_DEFINE_FINAL_TYPE (TestStepLoader, test_step_loader, SLUICE_TYPE_STEP)

/* Across the run: the ids of written items, the size of each write
 * attempt ("10 10! 5": ! = refused), and the most writes at once. */
static GArray *written;
static GString *attempts;
static guint outstanding, max_outstanding;
/* hold: writes answered because the stream went on meanwhile, and the
 * most items held (given, not yet written) at once. */
static guint answered_by_stream, max_held;

static const SluiceToolParamInfo loader_params[] = {
  SLUICE_TOOL_BATCH_PARAMS,
  { "fail-writes", "Writes to refuse first", FALSE, SLUICE_TOOL_PARAM_INT, "0", NULL },
  { "later", "Answer on a timer", FALSE, SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "hold", "Answer once the next batch filled", FALSE, SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "hold-ms", "hold: answer anyway after this long", FALSE, SLUICE_TOOL_PARAM_INT, "10000", NULL },
  { "encode", "Keep items as {\"kept\": item}", FALSE, SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo loader_info = { "test-loader", "Loader", "Writes batches", loader_params };

typedef struct
{
  TestStepLoader *self;
  GPtrArray      *items;
} Write;

static void
finish_write (TestStepLoader *self,
              GPtrArray      *items)
{
  outstanding--;
  if (self->fail_writes > 0)
    {
      self->fail_writes--;
      g_string_append_printf (attempts, "%u! ", items->len);
      sluice_tool_batch_write_done (self->batch, "the server said no");
      return;
    }

  g_string_append_printf (attempts, "%u ", items->len);
  for (guint i = 0; i < items->len; i++)
    {
      json_t *item = g_ptr_array_index (items, i);
      gint64 id;

      /* An item not in encode's form is written as -1 (a wrong id). */
      if (self->encode)
        item = json_object_get (item, "kept");
      id = item != NULL ? json_integer_value (json_object_get (item, "id")) : -1;
      g_array_append_val (written, id);
    }
  sluice_tool_batch_write_done (self->batch, NULL);
}

static void
later_cb (gpointer data)
{
  Write *write = data;

  finish_write (write->self, write->items);
  g_free (write);
}

static void
answer_pending (TestStepLoader *self)
{
  GPtrArray *items = g_steal_pointer (&self->pending);

  if (self->fallback != NULL)
    sluice_step_context_remove_timer (sluice_step_get_context (SLUICE_STEP (self)),
                                      g_steal_pointer (&self->fallback));
  finish_write (self, items);
  g_ptr_array_unref (items);
}

static void
fallback_cb (gpointer data)
{
  TestStepLoader *self = data;

  self->fallback = NULL;
  answer_pending (self);
}

static void
write_cb (SluiceToolBatch *batch,
          GPtrArray       *items,
          gpointer         user_data)
{
  TestStepLoader *self = user_data;

  outstanding++;
  max_outstanding = MAX (max_outstanding, outstanding);
  if (self->hold && !self->flushing)
    {
      /* Answered when the stream has brought the next batch (it can only
       * if the call that completed this one went on), or after hold-ms
       * (10 s: then the background test fails). */
      self->pending = g_ptr_array_ref (items);
      self->pending_at = self->added;
      self->fallback = sluice_step_context_add_timer (sluice_step_get_context (SLUICE_STEP (self)),
                                                      g_get_monotonic_time () + self->hold_ms * 1000,
                                                      fallback_cb, self);
      return;
    }
  if (self->later)
    {
      Write *write = g_new0 (Write, 1);

      write->self = self;
      write->items = items;
      sluice_step_context_add_timer (sluice_step_get_context (SLUICE_STEP (self)),
                                     g_get_monotonic_time () + 2000, later_cb, write);
      return;
    }
  finish_write (self, items);
}

static json_t *
encode_kept (json_t    *item,
             gpointer   user_data,
             GError   **error)
{
  return json_pack ("{s:O}", "kept", item);
}

static gboolean
test_step_loader_prepare (SluiceStep         *step,
                          SluiceModule       *module,
                          SluiceStepContext  *context,
                          GError            **error)
{
  TestStepLoader *self = TEST_STEP_LOADER (step);
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  const char *fail = sluice_execution_lookup_tool_param (execution, "fail-writes");
  guint size;
  gint64 interval;

  if (!sluice_tool_batch_read_params (sluice_node_get_id (SLUICE_NODE (module)),
                                      sluice_execution_lookup_tool_param (execution, "batch-size"),
                                      sluice_execution_lookup_tool_param (execution, "batch-interval"),
                                      &size, &interval, error))
    return FALSE;

  self->fail_writes = fail != NULL ? atoi (fail) : 0;
  self->later = g_strcmp0 (sluice_execution_lookup_tool_param (execution, "later"), "true") == 0;
  self->hold = g_strcmp0 (sluice_execution_lookup_tool_param (execution, "hold"), "true") == 0;
  self->size = size;
  self->hold_ms = sluice_execution_lookup_tool_param (execution, "hold-ms") != NULL
                    ? atoi (sluice_execution_lookup_tool_param (execution, "hold-ms")) : 10000;
  self->batch = sluice_tool_batch_new (context, sluice_node_get_id (SLUICE_NODE (module)),
                                       size, interval, write_cb, self);
  self->encode = g_strcmp0 (sluice_execution_lookup_tool_param (execution, "encode"), "true") == 0;
  if (self->encode)
    sluice_tool_batch_set_encode (self->batch, encode_kept, NULL);
  return TRUE;
}

static void
test_step_loader_process (SluiceStep     *step,
                          SluiceStepCall *call)
{
  TestStepLoader *self = TEST_STEP_LOADER (step);

  self->added++;
  max_held = MAX (max_held, self->added - written->len);
  sluice_tool_batch_add (self->batch, call);
  if (self->pending != NULL && self->added >= self->pending_at + self->size)
    {
      answered_by_stream++;
      answer_pending (self);
    }
}

static void
test_step_loader_flush (SluiceStep     *step,
                        SluiceStepCall *call)
{
  TestStepLoader *self = TEST_STEP_LOADER (step);

  self->flushing = TRUE;
  if (self->pending != NULL)
    answer_pending (self);
  sluice_tool_batch_flush (self->batch, call);
}

static void
test_step_loader_cancel (SluiceStep     *step,
                         SluiceStepCall *call,
                         const char     *reason)
{
  sluice_tool_batch_cancel (TEST_STEP_LOADER (step)->batch, call, reason);
}

static void
test_step_loader_finalize (GObject *object)
{
  g_clear_pointer (&TEST_STEP_LOADER (object)->batch, sluice_tool_batch_free);
  G_OBJECT_CLASS (test_step_loader_parent_class)->finalize (object);
}

static void
test_step_loader_class_init (TestStepLoaderClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_step_loader_finalize;
  step_class->info = &loader_info;
  step_class->prepare = test_step_loader_prepare;
  step_class->process = test_step_loader_process;
  step_class->flush = test_step_loader_flush;
  step_class->cancel = test_step_loader_cancel;
  step_class->side_effects = TRUE;
}

static void
test_step_loader_init (TestStepLoader *self)
{
}

/* ------------------------------------------------------------ helpers */

static TestRun *
run_loader (const char *mode,
            const char *attributes,
            const char *params,
            guint       n_items)
{
  g_autofree char *input = test_items (n_items);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"%s\" workers=\"4\"><phase id=\"p\">"
                     "<execution id=\"load\" %s><use tool=\"test-loader\">%s</use></execution>"
                     "</phase></controller>", mode, attributes, params);

  g_array_set_size (written, 0);
  g_string_truncate (attempts, 0);
  outstanding = max_outstanding = 0;
  answered_by_stream = max_held = 0;
  return test_run_body (body, input);
}

static void
assert_written_once (guint n)
{
  g_autofree guint *count = g_new0 (guint, n);

  g_assert_cmpuint (written->len, ==, n);
  for (guint i = 0; i < written->len; i++)
    {
      gint64 id = g_array_index (written, gint64, i);

      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, n);
      g_assert_cmpuint (++count[id], ==, 1);
    }
}

/* ------------------------------------------------------------ tests */

static void
test_batch_by_size (void)
{
  TestRun *run = run_loader ("not-parallel", "",
                             "<param name=\"batch-size\">10</param><param name=\"batch-interval\">1m</param>", 25);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (attempts->str, ==, "10 10 5 ");
  assert_written_once (25);
  /* A loader ends the flow. */
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

static void
test_batch_one_write_at_a_time (void)
{
  TestRun *run = run_loader ("no-order", "",
                             "<param name=\"batch-size\">7</param><param name=\"later\">true</param>", 500);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (500);
  g_assert_cmpuint (max_outstanding, ==, 1);
  test_run_free (run);
}

/* A refused batch fails the call that completed it; its retry resends
 * the same batch, and nothing is written twice. */
static void
test_batch_retry_resends (void)
{
  TestRun *run = run_loader ("not-parallel", "retries=\"2\" backoff=\"1\"",
                             "<param name=\"batch-size\">10</param><param name=\"fail-writes\">2</param>", 30);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (attempts->str, ==, "10! 10! 10 10 10 ");
  assert_written_once (30);
  test_run_free (run);
}

static void
test_batch_retry_resends_later (void)
{
  TestRun *run = run_loader ("order-by-sequence", "retries=\"1\" backoff=\"1\"",
                             "<param name=\"batch-size\">16</param><param name=\"fail-writes\">1</param>"
                             "<param name=\"later\">true</param>", 200);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (200);
  g_assert_true (g_str_has_prefix (attempts->str, "16! "));
  test_run_free (run);
}

/* Without retries the run fails with the server's message and the size
 * of the batch that was not written. */
static void
test_batch_failure_fails_run (void)
{
  TestRun *run = run_loader ("not-parallel", "",
                             "<param name=\"batch-size\">10</param><param name=\"fail-writes\">1</param>", 30);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor),
                            "module “load”: a batch of 10 items was not written: the server said no"));
  g_assert_cmpuint (written->len, ==, 0);
  test_run_free (run);

  /* One item: the singular form (ngettext), not "a batch of 1 items". */
  run = run_loader ("not-parallel", "", "<param name=\"batch-size\">1</param><param name=\"fail-writes\">1</param>", 3);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor),
                            "module “load”: a batch of 1 item was not written: the server said no"));
  test_run_free (run);
}

/* The flush's write fails: its retry resends what was left. */
static void
test_batch_flush_retry (void)
{
  TestRun *run = run_loader ("no-order", "retries=\"1\" backoff=\"1\"",
                             "<param name=\"batch-size\">100</param><param name=\"fail-writes\">1</param>", 42);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (attempts->str, ==, "42! 42 ");
  assert_written_once (42);
  test_run_free (run);
}

/* Partial batches go on the interval, not only at the end. */
static void
test_batch_interval (void)
{
  g_autofree char *input = test_items (12);
  TestRun *run;

  g_array_set_size (written, 0);
  g_string_truncate (attempts, 0);
  run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                       "<execution id=\"slow\"><use tool=\"delay\"><param name=\"duration\">10ms</param></use></execution>"
                       "<execution id=\"load\"><use tool=\"test-loader\"><param name=\"batch-size\">1000</param>"
                       "<param name=\"batch-interval\">25ms</param></use></execution>"
                       "</phase></controller>", input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (12);
  g_test_message ("writes: %s", attempts->str);
  /* 12 items 10 ms apart, written every 25 ms: several writes. */
  g_assert_cmpuint (strlen (attempts->str) , >, strlen ("12 "));
  test_run_free (run);
}

/* A write on the interval fails with nobody waiting: the next call
 * resends it, its item along. With an encode function, that item joins
 * in encode's form like every other (it joined as it came, and a loader
 * wrote it wrongly: file-load as an empty line). */
static void
test_batch_interval_failure_resent (gconstpointer data)
{
  gboolean encode = GPOINTER_TO_INT (data);
  g_autofree char *body = NULL;
  g_autofree char *input = test_items (3);
  TestRun *run;

  g_array_set_size (written, 0);
  g_string_truncate (attempts, 0);
  body = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                          "<execution id=\"slow\"><use tool=\"delay\"><param name=\"duration\">30ms</param></use></execution>"
                          "<execution id=\"load\"><use tool=\"test-loader\"><param name=\"batch-size\">1000</param>"
                          "<param name=\"batch-interval\">5ms</param><param name=\"fail-writes\">1</param>"
                          "<param name=\"encode\">%s</param></use></execution>"
                          "</phase></controller>", encode ? "true" : "false");
  run = test_run_body (body, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (3);
  g_assert_true (g_str_has_prefix (attempts->str, "1! "));
  test_run_free (run);
}

/* On-error drop gives the batch up: it is not written, and the log says so. */
static void
test_batch_drop_is_logged (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"load\" on-error=\"drop\"><use tool=\"test-loader\"><param name=\"batch-size\">5</param>"
                    "<param name=\"fail-writes\">1</param></use></execution>"
                    "</phase></controller>");
  g_autofree char *input = test_items (12);
  TestRun *run;
  gboolean logged = FALSE;

  g_array_set_size (written, 0);
  g_string_truncate (attempts, 0);
  run = test_run_new (pipeline, input, NULL, TRUE);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (attempts->str, ==, "5! 5 2 ");
  g_assert_cmpuint (written->len, ==, 7);
  for (guint i = 0; i < run->events->len; i++)
    logged |= strstr (g_ptr_array_index (run->events, i), "gave up a batch of 5 items") != NULL;
  g_assert_true (logged);
  test_run_free (run);
}

/* Ten thousand batches of one. */
static void
test_batch_many (void)
{
  TestRun *run = run_loader ("no-order", "", "<param name=\"batch-size\">1</param>", 10000);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (10000);
  test_run_free (run);
}

/* The call that completes a batch goes on while its batch is written:
 * the next batch fills meanwhile (the writer answers only once it has),
 * and no more than two batches are ever held. */
static void
test_batch_written_in_background (void)
{
  TestRun *run = run_loader ("not-parallel", "",
                             "<param name=\"batch-size\">10</param><param name=\"hold\">true</param>", 95);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_written_once (95);
  g_assert_cmpuint (answered_by_stream, ==, 8);
  g_assert_cmpuint (max_outstanding, ==, 1);
  g_assert_cmpuint (max_held, <=, 20);
  test_run_free (run);
}

/* A batch written in the background fails, persistently: the call that
 * comes next resends it and fails with the server's message; nothing is
 * written. */
static void
test_batch_background_failure_fails_run (void)
{
  TestRun *run = run_loader ("not-parallel", "",
                             "<param name=\"batch-size\">10</param><param name=\"hold\">true</param>"
                             "<param name=\"hold-ms\">50</param><param name=\"fail-writes\">1000</param>", 30);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "items was not written: the server said no"));
  g_assert_cmpuint (written->len, ==, 0);
  test_run_free (run);
}

/* Once: the next batch takes the failed one along, and all is written
 * once, without retries. */
static void
test_batch_background_failure_resent (void)
{
  TestRun *run = run_loader ("not-parallel", "",
                             "<param name=\"batch-size\">10</param><param name=\"hold\">true</param>"
                             "<param name=\"hold-ms\">50</param><param name=\"fail-writes\">1</param>", 30);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (attempts->str, ==, "10! 20 10 ");
  assert_written_once (30);
  test_run_free (run);
}

/* Several workers and a dropped failure: the batches after it are all
 * written and the run ends. (The hang this guards against — calls
 * already waiting behind the failed write, no call after them — needs a
 * real server's timing: tool-sql /postgres/upsert-refused hung on the
 * old helper; this in-process writer did not.) */
static void
test_batch_failure_with_calls_waiting (void)
{
  TestRun *run = run_loader ("no-order", "on-error=\"drop\"",
                             "<param name=\"batch-size\">5</param><param name=\"later\">true</param>"
                             "<param name=\"fail-writes\">2</param>", 40);

  g_test_message ("attempts: %s", attempts->str);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (written->len, >=, 25);
  g_assert_cmpuint (written->len % 5, ==, 0);
  test_run_free (run);
}

/* ------------------------------------------------------------ steps' timers */

/* <use tool="test-timer-owner">: on its first item, sets two timers of
 * its own that outlive the item: one far away, one soon; removes them
 * itself when finalized (as the batch helper's interval). */
#define TEST_TYPE_STEP_TIMER_OWNER (test_step_timer_owner_get_type ())
G_DECLARE_FINAL_TYPE (TestStepTimerOwner, test_step_timer_owner, TEST, STEP_TIMER_OWNER, SluiceStep)

struct _TestStepTimerOwner
{
  SluiceStep  parent_instance;
  gpointer    far;
  gpointer    soon;
};

G_DEFINE_FINAL_TYPE (TestStepTimerOwner, test_step_timer_owner, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo timer_owner_params[] = { { NULL, NULL, FALSE, 0, NULL, NULL } };
static const SluiceToolInfo timer_owner_info = { "test-timer-owner", "Timer owner", "Keeps timers", timer_owner_params };
static TestStepTimerOwner *timer_owner;   /* the test's reference */
static guint timer_owner_fired;

static gboolean
test_step_timer_owner_prepare (SluiceStep         *step,
                               SluiceModule       *module,
                               SluiceStepContext  *context,
                               GError            **error)
{
  g_set_object (&timer_owner, TEST_STEP_TIMER_OWNER (step));
  return TRUE;
}

static void
timer_owner_fired_cb (gpointer data)
{
  TestStepTimerOwner *self = data;

  self->soon = NULL;
  timer_owner_fired++;
}

static void
test_step_timer_owner_process (SluiceStep     *step,
                               SluiceStepCall *call)
{
  TestStepTimerOwner *self = TEST_STEP_TIMER_OWNER (step);
  SluiceStepContext *context = sluice_step_get_context (step);

  if (self->far == NULL)
    {
      self->far = sluice_step_context_add_timer (context, g_get_monotonic_time () + (gint64) G_USEC_PER_SEC * 3600,
                                                 timer_owner_fired_cb, self);
      self->soon = sluice_step_context_add_timer (context, g_get_monotonic_time () + 50 * 1000,
                                                  timer_owner_fired_cb, self);
    }
  sluice_step_call_emit (call, json_incref (call->item));
  sluice_step_call_finish (call);
}

static void
test_step_timer_owner_finalize (GObject *object)
{
  TestStepTimerOwner *self = TEST_STEP_TIMER_OWNER (object);
  SluiceStepContext *context = sluice_step_get_context (SLUICE_STEP (self));

  if (self->far != NULL)
    sluice_step_context_remove_timer (context, self->far);
  if (self->soon != NULL)
    sluice_step_context_remove_timer (context, self->soon);
  G_OBJECT_CLASS (test_step_timer_owner_parent_class)->finalize (object);
}

static void
test_step_timer_owner_class_init (TestStepTimerOwnerClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_step_timer_owner_finalize;
  step_class->info = &timer_owner_info;
  step_class->prepare = test_step_timer_owner_prepare;
  step_class->process = test_step_timer_owner_process;
}

static void
test_step_timer_owner_init (TestStepTimerOwner *self)
{
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* The run fails while a step holds timers of its own: they are neither
 * removed under it (it removes them itself, once, after its run has gone:
 * ASan would see a double free or a use after free) nor fired after the
 * run stopped. */
static void
test_step_timers_outlive_run (gconstpointer data)
{
  gboolean step_outlives_run = GPOINTER_TO_INT (data);
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"keep\"><use tool=\"test-timer-owner\"/></execution>"
                                "<execution id=\"stop\"><lua>error ('stop here')</lua></execution>"
                                "</phase></controller>", "{\"a\":1}\n");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (timer_owner);
  g_assert_nonnull (timer_owner->far);

  /* Past the soon timer's deadline: a stopped run fires nothing. */
  g_timeout_add (200, quit_cb, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (timer_owner_fired, ==, 0);
  g_assert_nonnull (timer_owner->soon);

  if (step_outlives_run)
    {
      test_run_free (run);        /* the executor goes first */
      g_clear_object (&timer_owner);
    }
  else
    {
      g_clear_object (&timer_owner);
      test_run_free (run);        /* the step goes with its run */
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  written = g_array_new (FALSE, FALSE, sizeof (gint64));
  attempts = g_string_new (NULL);
  sluice_step_registry_register ("test-loader", TEST_TYPE_STEP_LOADER, SLUICE_STEP_TOOL);
  sluice_step_registry_register ("test-timer-owner", TEST_TYPE_STEP_TIMER_OWNER, SLUICE_STEP_TOOL);

  g_test_add_func ("/sluice/tools/batch/size", test_batch_by_size);
  g_test_add_func ("/sluice/tools/batch/one-write-at-a-time", test_batch_one_write_at_a_time);
  g_test_add_func ("/sluice/tools/batch/retry-resends", test_batch_retry_resends);
  g_test_add_func ("/sluice/tools/batch/retry-resends-later", test_batch_retry_resends_later);
  g_test_add_func ("/sluice/tools/batch/failure-fails-run", test_batch_failure_fails_run);
  g_test_add_func ("/sluice/tools/batch/flush-retry", test_batch_flush_retry);
  g_test_add_func ("/sluice/tools/batch/interval", test_batch_interval);
  g_test_add_data_func ("/sluice/tools/batch/interval-failure-resent", GINT_TO_POINTER (FALSE), test_batch_interval_failure_resent);
  g_test_add_data_func ("/sluice/tools/batch/interval-failure-resent-encoded", GINT_TO_POINTER (TRUE), test_batch_interval_failure_resent);
  g_test_add_func ("/sluice/tools/batch/drop-is-logged", test_batch_drop_is_logged);
  g_test_add_func ("/sluice/tools/batch/many", test_batch_many);
  g_test_add_func ("/sluice/tools/batch/written-in-background", test_batch_written_in_background);
  g_test_add_func ("/sluice/tools/batch/background-failure-fails-run", test_batch_background_failure_fails_run);
  g_test_add_func ("/sluice/tools/batch/background-failure-resent", test_batch_background_failure_resent);
  g_test_add_func ("/sluice/tools/batch/failure-with-calls-waiting", test_batch_failure_with_calls_waiting);
  g_test_add_data_func ("/sluice/tools/step-timers/outlive-run", GINT_TO_POINTER (FALSE), test_step_timers_outlive_run);
  g_test_add_data_func ("/sluice/tools/step-timers/outlive-executor", GINT_TO_POINTER (TRUE), test_step_timers_outlive_run);

  return g_test_run ();
}
