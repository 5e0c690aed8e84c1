/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-func-sink.h"
#include "sluice-item-text.h"

struct _SluiceFuncSink
{
  GObject           parent_instance;

  SluiceOutputFunc  func;
  gpointer          user_data;
  GDestroyNotify    destroy;
  char             *text;       /* reused for every item */
  gsize             text_size;
};

static void sluice_func_sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceFuncSink, sluice_func_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK,
                                                      sluice_func_sink_iface_init))

static gboolean
sluice_func_sink_write (SluiceItemSink  *sink,
                        json_t          *item,
                        gpointer         tag,
                        GError         **error)
{
  SluiceFuncSink *self = SLUICE_FUNC_SINK (sink);
  gsize length = sluice_item_to_text (item, &self->text, &self->text_size);

  if (length == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "an output item cannot be written as JSON");
      return FALSE;
    }
  self->func (self->text, length, self->user_data);
  return TRUE;
}

/* An output written as text straight from Lua (the same bytes as
 * sluice_item_to_text() gives): handed on as it is, with no JSON values
 * built and written again on the way (the designer's live run). */
static gboolean
sluice_func_sink_write_text (SluiceItemSink  *sink,
                             const char      *text,
                             gsize            length,
                             gpointer         tag,
                             GError         **error)
{
  SluiceFuncSink *self = SLUICE_FUNC_SINK (sink);

  self->func (text, length, self->user_data);
  return TRUE;
}

static void
sluice_func_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sluice_func_sink_write;
  iface->write_text = sluice_func_sink_write_text;
}

static void
sluice_func_sink_finalize (GObject *object)
{
  SluiceFuncSink *self = SLUICE_FUNC_SINK (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free (self->text);

  G_OBJECT_CLASS (sluice_func_sink_parent_class)->finalize (object);
}

static void
sluice_func_sink_class_init (SluiceFuncSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_func_sink_finalize;
}

static void
sluice_func_sink_init (SluiceFuncSink *self)
{
}

SluiceFuncSink *
sluice_func_sink_new (SluiceOutputFunc func,
                      gpointer         user_data,
                      GDestroyNotify   destroy)
{
  SluiceFuncSink *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_FUNC_SINK, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}
