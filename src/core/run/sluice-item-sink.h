/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Where a run's output items go: a stream of JSON lines today, a callback
 * for the designer and the tests; later a journal, a Redis stream, an
 * HTTP response. A sink that cannot write fails the run: output is never
 * lost silently. Main context only. */

#define SLUICE_TYPE_ITEM_SINK (sluice_item_sink_get_type ())
G_DECLARE_INTERFACE (SluiceItemSink, sluice_item_sink, SLUICE, ITEM_SINK, GObject)

struct _SluiceItemSinkInterface
{
  GTypeInterface g_iface;

  /* One output item (borrowed), with the tag of the input item it came
   * from. FALSE with @error when it could not be taken. */
  gboolean (*write) (SluiceItemSink  *self,
                     json_t          *item,
                     gpointer         tag,
                     GError         **error);
  /* All work from the input item with @tag is over: every output it led
   * to was written, or @error (not NULL) says why it failed. Called for
   * every input item, also when the run stops early. Optional. */
  void     (*done)  (SluiceItemSink  *self,
                     gpointer         tag,
                     const char      *error);
  /* Pushes what is buffered on; called after each slice of the run's work
   * (every few ms) and at the end, so that outputs reach their reader
   * with a bounded delay. Optional. */
  gboolean (*flush) (SluiceItemSink  *self,
                     GError         **error);
  /* One output item already written as JSON text (@text, compact, keys
   * sorted, no newline; borrowed), as write() would write it: a sink of
   * JSON lines takes it as it is, and the executor then skips building
   * the item (sluice-lua-text.c). Optional: without it every output
   * comes through write(). */
  gboolean (*write_text) (SluiceItemSink  *self,
                          const char      *text,
                          gsize            length,
                          gpointer         tag,
                          GError         **error);
};

gboolean sluice_item_sink_write (SluiceItemSink  *self,
                                 json_t          *item,
                                 gpointer         tag,
                                 GError         **error);
void     sluice_item_sink_done  (SluiceItemSink  *self,
                                 gpointer         tag,
                                 const char      *error);
gboolean sluice_item_sink_flush (SluiceItemSink  *self,
                                 GError         **error);
gboolean sluice_item_sink_can_write_text (SluiceItemSink *self);
gboolean sluice_item_sink_write_text     (SluiceItemSink  *self,
                                          const char      *text,
                                          gsize            length,
                                          gpointer         tag,
                                          GError         **error);

G_END_DECLS
