/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-journal-private.h"

/* The journal's item sink: outputs go on to the inner line sink (the
 * output file), and the journal learns where each line ends and which
 * input item it came from; done items and every slice's flush drive the
 * journal's commits. */

struct _SluiceJournalSink
{
  GObject         parent_instance;

  SluiceJournal  *journal;  /* owned */
  SluiceLineSink *inner;    /* owned */
};

static void sluice_journal_sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceJournalSink, sluice_journal_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK,
                                                      sluice_journal_sink_iface_init))

static gboolean
sluice_journal_sink_write (SluiceItemSink  *sink,
                           json_t          *item,
                           gpointer         tag,
                           GError         **error)
{
  SluiceJournalSink *self = SLUICE_JOURNAL_SINK (sink);

  if (!sluice_item_sink_write (SLUICE_ITEM_SINK (self->inner), item, NULL, error))
    return FALSE;
  if (tag != NULL)
    _sluice_journal_output_line (self->journal, tag, sluice_line_sink_get_position (self->inner));
  if (self->journal->output_entry != 0)
    {
      gsize length;
      const char *text = sluice_line_sink_peek_last_line (self->inner, &length);

      _sluice_journal_boundary_output (self->journal, text, length);
    }
  return TRUE;
}

static void
sluice_journal_sink_done (SluiceItemSink *sink,
                          gpointer        tag,
                          const char     *error)
{
  SluiceJournalSink *self = SLUICE_JOURNAL_SINK (sink);

  if (tag != NULL)
    _sluice_journal_item_done (self->journal, tag, error);
}

static gboolean
sluice_journal_sink_flush (SluiceItemSink  *sink,
                           GError         **error)
{
  SluiceJournalSink *self = SLUICE_JOURNAL_SINK (sink);

  return _sluice_journal_maybe_commit (self->journal, error);
}

static void
sluice_journal_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sluice_journal_sink_write;
  iface->done = sluice_journal_sink_done;
  iface->flush = sluice_journal_sink_flush;
}

static void
sluice_journal_sink_dispose (GObject *object)
{
  SluiceJournalSink *self = SLUICE_JOURNAL_SINK (object);

  g_clear_object (&self->inner);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (sluice_journal_sink_parent_class)->dispose (object);
}

static void
sluice_journal_sink_class_init (SluiceJournalSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sluice_journal_sink_dispose;
}

static void
sluice_journal_sink_init (SluiceJournalSink *self)
{
}

SluiceJournalSink *
_sluice_journal_sink_new (SluiceJournal  *journal,
                          SluiceLineSink *inner)
{
  SluiceJournalSink *self = g_object_new (SLUICE_TYPE_JOURNAL_SINK, NULL);

  self->journal = g_object_ref (journal);
  self->inner = g_object_ref (inner);
  return self;
}
