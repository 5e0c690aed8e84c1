/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-stub-recorder.h"

struct _SluiceStubRecorder
{
  GObject               parent_instance;

  json_t               *items;   /* module id → array of items, owned */
  SluiceStubRecordFunc  func;
  gpointer              user_data;
};

G_DEFINE_FINAL_TYPE (SluiceStubRecorder, sluice_stub_recorder, G_TYPE_OBJECT)

static void
sluice_stub_recorder_finalize (GObject *object)
{
  SluiceStubRecorder *self = SLUICE_STUB_RECORDER (object);

  json_decref (self->items);

  G_OBJECT_CLASS (sluice_stub_recorder_parent_class)->finalize (object);
}

static void
sluice_stub_recorder_class_init (SluiceStubRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_stub_recorder_finalize;
}

static void
sluice_stub_recorder_init (SluiceStubRecorder *self)
{
  self->items = json_object ();
}

SluiceStubRecorder *
sluice_stub_recorder_new (void)
{
  return g_object_new (SLUICE_TYPE_STUB_RECORDER, NULL);
}

void
sluice_stub_recorder_set_func (SluiceStubRecorder   *self,
                               SluiceStubRecordFunc  func,
                               gpointer              user_data)
{
  g_return_if_fail (SLUICE_IS_STUB_RECORDER (self));

  self->func = func;
  self->user_data = user_data;
}

void
sluice_stub_recorder_add (SluiceStubRecorder *self,
                          const char         *module_id,
                          const char         *action,
                          json_t             *item)
{
  json_t *list;

  g_return_if_fail (SLUICE_IS_STUB_RECORDER (self));
  g_return_if_fail (module_id != NULL);

  list = json_object_get (self->items, module_id);
  if (list == NULL)
    {
      list = json_array ();
      json_object_set_new (self->items, module_id, list);
    }
  json_array_append (list, item);

  if (self->func != NULL)
    self->func (module_id, action, item, self->user_data);
}

void
sluice_stub_recorder_declare (SluiceStubRecorder *self,
                              const char         *module_id)
{
  g_return_if_fail (SLUICE_IS_STUB_RECORDER (self));
  g_return_if_fail (module_id != NULL);

  if (json_object_get (self->items, module_id) == NULL)
    json_object_set_new (self->items, module_id, json_array ());
}

json_t *
sluice_stub_recorder_get_items (SluiceStubRecorder *self)
{
  g_return_val_if_fail (SLUICE_IS_STUB_RECORDER (self), NULL);
  return self->items;
}

guint
sluice_stub_recorder_get_count (SluiceStubRecorder *self,
                                const char         *module_id)
{
  g_return_val_if_fail (SLUICE_IS_STUB_RECORDER (self), 0);
  return json_array_size (json_object_get (self->items, module_id));
}
