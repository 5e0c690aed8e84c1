/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-test-case-command.h"

struct _SluiceTestCaseCommand
{
  SluiceCommand   parent_instance;
  SluiceTestCase *test;       /* owned: the case in the pipeline */
  SluiceTestCase *before;     /* owned copy */
  SluiceTestCase *after;      /* owned copy */
  char           *merge_key;  /* owned, may be NULL */
};

G_DECLARE_FINAL_TYPE (SluiceTestCaseCommand, sluice_test_case_command, SLUICE, TEST_CASE_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceTestCaseCommand, sluice_test_case_command, SLUICE_TYPE_COMMAND)

static void
test_case_apply (SluiceCommand *command)
{
  SluiceTestCaseCommand *self = (SluiceTestCaseCommand *) command;

  sluice_test_case_assign (self->test, self->after);
}

static void
test_case_revert (SluiceCommand *command)
{
  SluiceTestCaseCommand *self = (SluiceTestCaseCommand *) command;

  sluice_test_case_assign (self->test, self->before);
}

static gboolean
test_case_merge (SluiceCommand *command,
                 SluiceCommand *next)
{
  SluiceTestCaseCommand *self = (SluiceTestCaseCommand *) command;
  SluiceTestCaseCommand *other;

  if (!SLUICE_IS_TEST_CASE_COMMAND (next))
    return FALSE;
  other = (SluiceTestCaseCommand *) next;
  if (other->test != self->test || self->merge_key == NULL ||
      g_strcmp0 (self->merge_key, other->merge_key) != 0)
    return FALSE;
  g_set_object (&self->after, other->after);
  return TRUE;
}

static void
sluice_test_case_command_finalize (GObject *object)
{
  SluiceTestCaseCommand *self = (SluiceTestCaseCommand *) object;

  g_clear_object (&self->test);
  g_clear_object (&self->before);
  g_clear_object (&self->after);
  g_free (self->merge_key);
  G_OBJECT_CLASS (sluice_test_case_command_parent_class)->finalize (object);
}

static void
sluice_test_case_command_class_init (SluiceTestCaseCommandClass *klass)
{
  SluiceCommandClass *command_class = SLUICE_COMMAND_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_test_case_command_finalize;
  command_class->apply = test_case_apply;
  command_class->revert = test_case_revert;
  command_class->merge = test_case_merge;
}

static void
sluice_test_case_command_init (SluiceTestCaseCommand *self)
{
}

SluiceCommand *
sluice_test_case_command_new (SluiceTestCase *test,
                              SluiceTestCase *edited,
                              const char     *merge_key)
{
  SluiceTestCaseCommand *self;

  g_return_val_if_fail (SLUICE_IS_TEST_CASE (test), NULL);
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (edited), NULL);

  self = g_object_new (sluice_test_case_command_get_type (), NULL);
  self->test = g_object_ref (test);
  self->before = sluice_test_case_copy (test);
  self->after = sluice_test_case_copy (edited);
  self->merge_key = g_strdup (merge_key);
  sluice_command_set_description (SLUICE_COMMAND (self), "Edit the test case");
  return SLUICE_COMMAND (self);
}
