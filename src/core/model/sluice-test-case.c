/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-node-private.h"
#include "sluice-test-case.h"

struct _SluiceTestCase
{
  GObject            parent_instance;

  char              *name;
  char              *target;
  guint              line;
  gint64             timeout_ms;
  GPtrArray         *params;        /* of SluiceTestParam*, owned */
  SluiceTestItems   *input;         /* owned, or NULL */
  GPtrArray         *stubs;         /* of SluiceTestStub*, owned */
  SluiceTestItems   *expected;      /* owned, or NULL */
  SluiceTestOrder    order;
  SluiceTestCompare  compare;
  gint64             count;         /* -1: none */
  guint              count_line;
  GPtrArray         *asserts;       /* of SluiceTestAssert*, owned */
  gboolean           fails;
  char              *fail_module;
  char              *fail_message;
  guint              fail_line;
  guint              revision;
};

G_DEFINE_FINAL_TYPE (SluiceTestCase, sluice_test_case, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TARGET,
  PROP_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
items_free (SluiceTestItems *items)
{
  if (items == NULL)
    return;
  g_free (items->text);
  g_free (items->file);
  g_free (items);
}

static SluiceTestItems *
items_new (const char *text,
           const char *file,
           guint       line)
{
  SluiceTestItems *items = g_new0 (SluiceTestItems, 1);

  items->text = g_strdup (text);
  items->file = g_strdup (file);
  items->line = line;
  return items;
}

static void
param_free (SluiceTestParam *param)
{
  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

static void
assert_free (SluiceTestAssert *assertion)
{
  g_free (assertion->code);
  g_free (assertion);
}

static void
answer_free (SluiceStubAnswer *answer)
{
  g_free (answer->match);
  g_free (answer->text);
  g_free (answer);
}

SluiceTestStub *
sluice_test_stub_new (const char *module,
                      guint       line)
{
  SluiceTestStub *stub = g_new0 (SluiceTestStub, 1);

  stub->module = g_strdup (module);
  stub->line = line;
  stub->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) answer_free);
  return stub;
}

void
sluice_test_stub_free (SluiceTestStub *stub)
{
  if (stub == NULL)
    return;
  g_free (stub->module);
  g_free (stub->message);
  g_ptr_array_unref (stub->answers);
  g_free (stub);
}

void
sluice_test_stub_add_answer (SluiceTestStub *stub,
                             const char     *match,
                             const char     *text,
                             guint           line)
{
  SluiceStubAnswer *answer = g_new0 (SluiceStubAnswer, 1);

  answer->match = g_strdup (match);
  answer->text = g_strdup (text);
  answer->line = line;
  g_ptr_array_add (stub->answers, answer);
}

/* Every edit bumps the revision, so that a viewer (and the pipeline's
 * "changed") hears of it through one notify. */
static void
changed (SluiceTestCase *self)
{
  self->revision++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
}

static void
sluice_test_case_finalize (GObject *object)
{
  SluiceTestCase *self = SLUICE_TEST_CASE (object);

  g_free (self->name);
  g_free (self->target);
  g_ptr_array_unref (self->params);
  items_free (self->input);
  g_ptr_array_unref (self->stubs);
  items_free (self->expected);
  g_ptr_array_unref (self->asserts);
  g_free (self->fail_module);
  g_free (self->fail_message);

  G_OBJECT_CLASS (sluice_test_case_parent_class)->finalize (object);
}

static void
sluice_test_case_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SluiceTestCase *self = SLUICE_TEST_CASE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;
    case PROP_REVISION:
      g_value_set_uint (value, self->revision);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_test_case_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SluiceTestCase *self = SLUICE_TEST_CASE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      sluice_test_case_set_name (self, g_value_get_string (value));
      break;
    case PROP_TARGET:
      sluice_test_case_set_target (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_test_case_class_init (SluiceTestCaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_test_case_finalize;
  object_class->get_property = sluice_test_case_get_property;
  object_class->set_property = sluice_test_case_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET] =
    g_param_spec_string ("target", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVISION] =
    g_param_spec_uint ("revision", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_test_case_init (SluiceTestCase *self)
{
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  self->stubs = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_test_stub_free);
  self->asserts = g_ptr_array_new_with_free_func ((GDestroyNotify) assert_free);
  self->count = -1;
}

SluiceTestCase *
sluice_test_case_new (const char *name)
{
  return g_object_new (SLUICE_TYPE_TEST_CASE, "name", name, NULL);
}

const char *
sluice_test_case_get_name (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->name;
}

void
sluice_test_case_set_name (SluiceTestCase *self,
                           const char     *name)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  if (sluice_set_string (&self->name, name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
      changed (self);
    }
}

const char *
sluice_test_case_get_target (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->target;
}

void
sluice_test_case_set_target (SluiceTestCase *self,
                             const char     *target)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  if (sluice_set_string (&self->target, target))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
      changed (self);
    }
}

guint
sluice_test_case_get_line (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), 0);
  return self->line;
}

void
sluice_test_case_set_line (SluiceTestCase *self,
                           guint           line)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));
  self->line = line;
}

gint64
sluice_test_case_get_timeout_ms (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), 0);
  return self->timeout_ms;
}

void
sluice_test_case_set_timeout_ms (SluiceTestCase *self,
                                 gint64          timeout_ms)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  if (self->timeout_ms == timeout_ms)
    return;
  self->timeout_ms = timeout_ms;
  changed (self);
}

GPtrArray *
sluice_test_case_get_params (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->params;
}

void
sluice_test_case_add_param (SluiceTestCase *self,
                            const char     *name,
                            const char     *value)
{
  SluiceTestParam *param;

  g_return_if_fail (SLUICE_IS_TEST_CASE (self));
  g_return_if_fail (name != NULL);

  param = g_new0 (SluiceTestParam, 1);
  param->name = g_strdup (name);
  param->value = g_strdup (value != NULL ? value : "");
  g_ptr_array_add (self->params, param);
  changed (self);
}

const SluiceTestItems *
sluice_test_case_get_input (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->input;
}

void
sluice_test_case_set_input (SluiceTestCase *self,
                            const char     *text,
                            const char     *file,
                            guint           line)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  g_clear_pointer (&self->input, items_free);
  if (text != NULL || file != NULL)
    self->input = items_new (text, file, line);
  changed (self);
}

GPtrArray *
sluice_test_case_get_stubs (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->stubs;
}

void
sluice_test_case_add_stub (SluiceTestCase *self,
                           SluiceTestStub *stub)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));
  g_return_if_fail (stub != NULL);

  g_ptr_array_add (self->stubs, stub);
  changed (self);
}

SluiceTestStub *
sluice_test_case_find_stub (SluiceTestCase *self,
                            const char     *module_id)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);

  for (guint i = 0; i < self->stubs->len; i++)
    {
      SluiceTestStub *stub = g_ptr_array_index (self->stubs, i);

      if (g_strcmp0 (stub->module, module_id) == 0)
        return stub;
    }
  return NULL;
}

const SluiceTestItems *
sluice_test_case_get_expected (SluiceTestCase    *self,
                               SluiceTestOrder   *order,
                               SluiceTestCompare *compare)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);

  if (order != NULL)
    *order = self->order;
  if (compare != NULL)
    *compare = self->compare;
  return self->expected;
}

void
sluice_test_case_set_expected (SluiceTestCase    *self,
                               const char        *text,
                               const char        *file,
                               guint              line,
                               SluiceTestOrder    order,
                               SluiceTestCompare  compare)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  g_clear_pointer (&self->expected, items_free);
  if (text != NULL || file != NULL)
    self->expected = items_new (text, file, line);
  self->order = order;
  self->compare = compare;
  changed (self);
}

gint64
sluice_test_case_get_expected_count (SluiceTestCase *self,
                                     guint          *line)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), -1);

  if (line != NULL)
    *line = self->count_line;
  return self->count;
}

void
sluice_test_case_set_expected_count (SluiceTestCase *self,
                                     gint64          count,
                                     guint           line)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  self->count = count < 0 ? -1 : count;
  self->count_line = line;
  changed (self);
}

GPtrArray *
sluice_test_case_get_asserts (SluiceTestCase *self)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);
  return self->asserts;
}

void
sluice_test_case_add_assert (SluiceTestCase *self,
                             const char     *code,
                             guint           line)
{
  SluiceTestAssert *assertion;

  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  assertion = g_new0 (SluiceTestAssert, 1);
  assertion->code = g_strdup (code != NULL ? code : "");
  assertion->line = line;
  g_ptr_array_add (self->asserts, assertion);
  changed (self);
}

gboolean
sluice_test_case_get_expected_failure (SluiceTestCase  *self,
                                       const char     **module,
                                       const char     **message,
                                       guint           *line)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), FALSE);

  if (module != NULL)
    *module = self->fail_module;
  if (message != NULL)
    *message = self->fail_message;
  if (line != NULL)
    *line = self->fail_line;
  return self->fails;
}

void
sluice_test_case_set_expected_failure (SluiceTestCase *self,
                                       gboolean        expected,
                                       const char     *module,
                                       const char     *message,
                                       guint           line)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  self->fails = expected;
  sluice_set_string (&self->fail_module, expected ? module : NULL);
  sluice_set_string (&self->fail_message, expected ? message : NULL);
  self->fail_line = line;
  changed (self);
}

static const char * const fault_names[] = { "", "exit", "http", "timeout" };
static const char * const order_names[] = { "auto", "strict", "any" };

const char *
sluice_stub_fault_to_string (SluiceStubFault fault)
{
  g_return_val_if_fail (fault < G_N_ELEMENTS (fault_names), "");
  return fault_names[fault];
}

gboolean
sluice_stub_fault_from_string (const char      *text,
                               SluiceStubFault *fault)
{
  for (guint i = 1; i < G_N_ELEMENTS (fault_names); i++)
    if (g_strcmp0 (text, fault_names[i]) == 0)
      {
        *fault = i;
        return TRUE;
      }
  return FALSE;
}

const char *
sluice_test_order_to_string (SluiceTestOrder order)
{
  g_return_val_if_fail (order < G_N_ELEMENTS (order_names), "auto");
  return order_names[order];
}

gboolean
sluice_test_order_from_string (const char      *text,
                               SluiceTestOrder *order)
{
  for (guint i = 0; i < G_N_ELEMENTS (order_names); i++)
    if (g_strcmp0 (text, order_names[i]) == 0)
      {
        *order = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
sluice_test_parse_items (const char  *text,
                         guint        first_line,
                         GPtrArray   *items,
                         guint       *bad_line,
                         GError     **error)
{
  const char *p = text != NULL ? text : "";
  guint line = first_line;

  while (*p != '\0')
    {
      const char *end = strchr (p, '\n');
      gsize length = end != NULL ? (gsize) (end - p) : strlen (p);
      g_autofree char *chunk = g_strstrip (g_strndup (p, length));

      if (*chunk != '\0')
        {
          g_autoptr(GError) json_error = NULL;
          json_t *item = sluice_json_parse_item (chunk, strlen (chunk), &json_error);

          /* Read as the runner reads -i, so a case sees what a run would. */
          if (item == NULL || !json_is_object (item))
            {
              if (bad_line != NULL)
                *bad_line = line;
              if (item == NULL)
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "line %u: %s", line, json_error->message);
              else
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "line %u: an item must be a JSON object, not %s", line,
                             json_is_array (item) ? "an array" : "a scalar");
              json_decref (item);
              return FALSE;
            }
          g_ptr_array_add (items, item);
        }

      if (end == NULL)
        break;
      p = end + 1;
      line++;
    }

  return TRUE;
}

/* Copies and edits as a whole ---------------------------------------------------------------- */

SluiceTestStub *
sluice_test_stub_copy (const SluiceTestStub *stub)
{
  SluiceTestStub *copy;

  g_return_val_if_fail (stub != NULL, NULL);

  copy = sluice_test_stub_new (stub->module, stub->line);
  copy->real = stub->real;
  copy->fault = stub->fault;
  copy->status = stub->status;
  copy->times = stub->times;
  copy->message = g_strdup (stub->message);
  copy->after_ms = stub->after_ms;
  for (guint i = 0; i < stub->answers->len; i++)
    {
      SluiceStubAnswer *answer = g_ptr_array_index (stub->answers, i);

      sluice_test_stub_add_answer (copy, answer->match, answer->text, answer->line);
    }
  return copy;
}

static SluiceTestItems *
items_copy (const SluiceTestItems *items)
{
  return items != NULL ? items_new (items->text, items->file, items->line) : NULL;
}

/* Everything but the identity (the object, its comments): the case of an
 * undoable edit swaps these in and out. */
static void
assign_content (SluiceTestCase       *self,
                const SluiceTestCase *from)
{
  g_clear_pointer (&self->input, items_free);
  self->input = items_copy (from->input);
  g_clear_pointer (&self->expected, items_free);
  self->expected = items_copy (from->expected);
  self->order = from->order;
  self->compare = from->compare;
  self->count = from->count;
  self->count_line = from->count_line;
  self->line = from->line;
  self->timeout_ms = from->timeout_ms;
  self->fails = from->fails;
  sluice_set_string (&self->fail_module, from->fail_module);
  sluice_set_string (&self->fail_message, from->fail_message);
  self->fail_line = from->fail_line;

  g_ptr_array_set_size (self->params, 0);
  for (guint i = 0; i < from->params->len; i++)
    {
      SluiceTestParam *param = g_ptr_array_index (from->params, i);
      SluiceTestParam *copy = g_new0 (SluiceTestParam, 1);

      copy->name = g_strdup (param->name);
      copy->value = g_strdup (param->value);
      g_ptr_array_add (self->params, copy);
    }
  g_ptr_array_set_size (self->stubs, 0);
  for (guint i = 0; i < from->stubs->len; i++)
    g_ptr_array_add (self->stubs, sluice_test_stub_copy (g_ptr_array_index (from->stubs, i)));
  g_ptr_array_set_size (self->asserts, 0);
  for (guint i = 0; i < from->asserts->len; i++)
    {
      SluiceTestAssert *assertion = g_ptr_array_index (from->asserts, i);
      SluiceTestAssert *copy = g_new0 (SluiceTestAssert, 1);

      copy->code = g_strdup (assertion->code);
      copy->line = assertion->line;
      g_ptr_array_add (self->asserts, copy);
    }
}

SluiceTestCase *
sluice_test_case_copy (SluiceTestCase *self)
{
  SluiceTestCase *copy;

  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), NULL);

  copy = sluice_test_case_new (self->name);
  sluice_set_string (&copy->target, self->target);
  assign_content (copy, self);
  return copy;
}

void
sluice_test_case_assign (SluiceTestCase *self,
                         SluiceTestCase *from)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));
  g_return_if_fail (SLUICE_IS_TEST_CASE (from));

  if (self == from)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  sluice_test_case_set_name (self, from->name);
  sluice_test_case_set_target (self, from->target);
  assign_content (self, from);
  changed (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
sluice_test_case_remove_stub (SluiceTestCase *self,
                              guint           index)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));
  g_return_if_fail (index < self->stubs->len);

  g_ptr_array_remove_index (self->stubs, index);
  changed (self);
}

void
sluice_test_case_set_asserts (SluiceTestCase     *self,
                              const char * const *codes)
{
  g_return_if_fail (SLUICE_IS_TEST_CASE (self));

  g_ptr_array_set_size (self->asserts, 0);
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      SluiceTestAssert *assertion = g_new0 (SluiceTestAssert, 1);

      assertion->code = g_strdup (codes[i]);
      g_ptr_array_add (self->asserts, assertion);
    }
  changed (self);
}

/* Lines are where the parts are in the file: they say nothing the model
 * means, so taking them is no edit and notifies nobody. */
gboolean
sluice_test_case_take_lines (SluiceTestCase *self,
                             SluiceTestCase *from)
{
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (self), FALSE);
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (from), FALSE);

  if (self->stubs->len != from->stubs->len || self->asserts->len != from->asserts->len ||
      (self->input == NULL) != (from->input == NULL) || (self->expected == NULL) != (from->expected == NULL))
    return FALSE;
  for (guint i = 0; i < self->stubs->len; i++)
    if (((SluiceTestStub *) self->stubs->pdata[i])->answers->len !=
        ((SluiceTestStub *) from->stubs->pdata[i])->answers->len)
      return FALSE;

  self->line = from->line;
  self->count_line = from->count_line;
  self->fail_line = from->fail_line;
  if (self->input != NULL)
    self->input->line = from->input->line;
  if (self->expected != NULL)
    self->expected->line = from->expected->line;
  for (guint i = 0; i < self->asserts->len; i++)
    ((SluiceTestAssert *) self->asserts->pdata[i])->line = ((SluiceTestAssert *) from->asserts->pdata[i])->line;
  for (guint i = 0; i < self->stubs->len; i++)
    {
      SluiceTestStub *stub = self->stubs->pdata[i], *other = from->stubs->pdata[i];

      stub->line = other->line;
      for (guint j = 0; j < stub->answers->len; j++)
        ((SluiceStubAnswer *) stub->answers->pdata[j])->line = ((SluiceStubAnswer *) other->answers->pdata[j])->line;
    }
  return TRUE;
}
