/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-journal-private.h"

/* The journal's item source: first the items of a resumed run that were
 * not complete (replayed from the journal, with their first sequence
 * numbers), then the inner source's items, each recorded before the
 * executor sees it. Every item travels tagged with its SluiceJournalItem. */

struct _SluiceJournalSource
{
  GObject           parent_instance;

  SluiceJournal    *journal;      /* owned */
  SluiceItemSource *inner;        /* owned; NULL when the input is all read */
  GPtrArray        *replay;       /* json_t*, owned */
  GArray           *replay_seqs;  /* guint64 */
  guint             replayed;     /* how many of @replay were handed out */
};

static void sluice_journal_source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceJournalSource, sluice_journal_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE,
                                                      sluice_journal_source_iface_init))

static guint64
inner_position (SluiceJournalSource *self)
{
  return SLUICE_IS_LINE_SOURCE (self->inner)
           ? sluice_line_source_get_position (SLUICE_LINE_SOURCE (self->inner)) : 0;
}

static const char *
inner_text (SluiceJournalSource *self,
            gsize               *length)
{
  *length = 0;
  return SLUICE_IS_LINE_SOURCE (self->inner)
           ? sluice_line_source_peek_last_line (SLUICE_LINE_SOURCE (self->inner), length) : NULL;
}

static guint64
inner_line (SluiceJournalSource *self)
{
  return SLUICE_IS_LINE_SOURCE (self->inner)
           ? sluice_line_source_get_line (SLUICE_LINE_SOURCE (self->inner)) : 0;
}

static SluiceSourceStatus
sluice_journal_source_next (SluiceItemSource  *source,
                            json_t           **item,
                            gpointer          *tag,
                            GError           **error)
{
  SluiceJournalSource *self = SLUICE_JOURNAL_SOURCE (source);
  SluiceSourceStatus status;
  gpointer inner_tag = NULL;
  const char *text;
  gsize length;
  guint64 seq;

  if (self->replayed < self->replay->len)
    {
      guint i = self->replayed++;

      *item = g_steal_pointer (&g_ptr_array_index (self->replay, i));
      *tag = _sluice_journal_item_new (self->journal, g_array_index (self->replay_seqs, guint64, i));
      return SLUICE_SOURCE_ITEM;
    }

  if (self->inner == NULL)
    {
      _sluice_journal_input_ended (self->journal);
      return SLUICE_SOURCE_END;
    }

  status = sluice_item_source_next (self->inner, item, &inner_tag, error);
  /* The inner source's own tags are not carried: a journaled run's input
   * is a stream of lines, which has none. */
  g_warn_if_fail (inner_tag == NULL);
  switch (status)
    {
    case SLUICE_SOURCE_ITEM:
      text = inner_text (self, &length);
      seq = _sluice_journal_record_input (self->journal, *item, text, length,
                                          inner_position (self), inner_line (self));
      *tag = _sluice_journal_item_new (self->journal, seq);
      break;

    case SLUICE_SOURCE_REJECTED:
      _sluice_journal_record_input (self->journal, NULL, NULL, 0, inner_position (self), inner_line (self));
      break;

    case SLUICE_SOURCE_END:
      _sluice_journal_input_ended (self->journal);
      break;

    case SLUICE_SOURCE_WAIT:
    case SLUICE_SOURCE_ERROR:
    default:
      break;
    }
  return status;
}

static void
sluice_journal_source_close (SluiceItemSource *source)
{
  SluiceJournalSource *self = SLUICE_JOURNAL_SOURCE (source);

  if (self->inner != NULL)
    sluice_item_source_close (self->inner);
}

static void
sluice_journal_source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_journal_source_next;
  iface->close = sluice_journal_source_close;
}

static void
sluice_journal_source_dispose (GObject *object)
{
  SluiceJournalSource *self = SLUICE_JOURNAL_SOURCE (object);

  if (self->inner != NULL)
    g_signal_handlers_disconnect_by_data (self->inner, self);
  g_clear_object (&self->inner);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (sluice_journal_source_parent_class)->dispose (object);
}

static void
sluice_journal_source_finalize (GObject *object)
{
  SluiceJournalSource *self = SLUICE_JOURNAL_SOURCE (object);

  g_ptr_array_unref (self->replay);
  g_array_unref (self->replay_seqs);

  G_OBJECT_CLASS (sluice_journal_source_parent_class)->finalize (object);
}

static void
sluice_journal_source_class_init (SluiceJournalSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_journal_source_dispose;
  object_class->finalize = sluice_journal_source_finalize;
}

static void
sluice_journal_source_init (SluiceJournalSource *self)
{
}

static void
inner_ready_cb (SluiceItemSource    *inner,
                SluiceJournalSource *self)
{
  sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

static void
free_item (gpointer item)
{
  if (item != NULL)
    json_decref (item);
}

SluiceJournalSource *
_sluice_journal_source_new (SluiceJournal    *journal,
                            SluiceItemSource *inner,
                            GPtrArray        *replay,
                            GArray           *replay_seqs)
{
  SluiceJournalSource *self = g_object_new (SLUICE_TYPE_JOURNAL_SOURCE, NULL);

  self->journal = g_object_ref (journal);
  self->replay = replay;
  g_ptr_array_set_free_func (replay, free_item);
  self->replay_seqs = replay_seqs;
  if (inner != NULL)
    {
      self->inner = g_object_ref (inner);
      g_signal_connect (inner, "ready", G_CALLBACK (inner_ready_cb), self);
    }
  return self;
}
