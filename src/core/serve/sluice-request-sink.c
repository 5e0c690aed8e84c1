/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-request-sink.h"

struct _SluiceRequestSink
{
  GObject                 parent_instance;

  SluiceRequestOutputFunc output;
  SluiceRequestDoneFunc   done;
  gpointer                user_data;   /* borrowed: the server outlives its run */
};

static void sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceRequestSink, sluice_request_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK, sink_iface_init))

static gboolean
sluice_request_sink_write (SluiceItemSink  *sink,
                           json_t          *item,
                           gpointer         tag,
                           GError         **error)
{
  SluiceRequestSink *self = SLUICE_REQUEST_SINK (sink);

  self->output (tag, item, self->user_data);
  return TRUE;
}

static void
sluice_request_sink_done (SluiceItemSink *sink,
                          gpointer        tag,
                          const char     *error)
{
  SluiceRequestSink *self = SLUICE_REQUEST_SINK (sink);

  self->done (tag, error, self->user_data);
}

static void
sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sluice_request_sink_write;
  iface->done = sluice_request_sink_done;
}

static void
sluice_request_sink_class_init (SluiceRequestSinkClass *klass)
{
}

static void
sluice_request_sink_init (SluiceRequestSink *self)
{
}

SluiceRequestSink *
sluice_request_sink_new (SluiceRequestOutputFunc output,
                         SluiceRequestDoneFunc   done,
                         gpointer                user_data)
{
  SluiceRequestSink *self = g_object_new (SLUICE_TYPE_REQUEST_SINK, NULL);

  self->output = output;
  self->done = done;
  self->user_data = user_data;
  return self;
}
