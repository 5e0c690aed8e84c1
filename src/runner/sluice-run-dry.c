/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-run-dry.h"
#include "sluice-step-stub.h"
#include "sluice-test-compare.h"
#include "sluice-text.h"

static void
record_cb (const char *module_id,
           const char *action,
           json_t     *item,
           gpointer    user_data)
{
  FILE *stream = user_data;
  g_autofree char *text = sluice_test_item_text (item, 0);
  g_autofree char *safe = sluice_text_escape_unprintable (action);

  fprintf (stream, "dry-run: module “%s” would %s with item %s\n", module_id, safe, text);
  fflush (stream);
}

static SluiceStep *
replace_cb (SluiceModule *module,
            SluiceStep   *step,
            gpointer      user_data)
{
  SluiceStubRecorder *recorder = user_data;

  /* A module whose step could not be made (an unknown tool) is recorded
   * too: what it would do is unknown, so it must not run either. */
  if (step != NULL && !sluice_step_has_side_effects (step))
    return NULL;
  return sluice_step_stub_new (recorder, NULL);
}

gboolean
sluice_run_dry_prepare (SluiceRun  *run,
                        FILE       *stream,
                        GError    **error)
{
  SluiceExecutor *executor = sluice_run_get_executor (run);
  SluiceStubRecorder *recorder = sluice_stub_recorder_new ();

  sluice_stub_recorder_set_func (recorder, record_cb, stream);
  /* The stubs keep their recorder; the executor keeps the stubs. */
  g_object_set_data_full (G_OBJECT (executor), "sluice-dry-run-recorder", recorder, g_object_unref);
  return sluice_executor_replace_steps (executor, replace_cb, recorder, error);
}
