/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The journal's SQLite file (WAL mode): what a run was asked to do
 * (meta), its state history, the input items it read, its commits
 * (output committed so far and the input items completed) and its
 * events. Writes happen between begin() and commit(), which the journal
 * calls once per batch. Errors name the file. Not thread-safe: the
 * journal uses it from the main context only. */

typedef struct _SluiceJournalStore SluiceJournalStore;

/* The last commit of a run, or zeros for a run that committed nothing. */
typedef struct
{
  guint64  output_offset;  /* bytes of the output file that hold committed items */
  guint64  output_lines;
  guint64  input_records;  /* input records taken from the input (items and rejected lines) */
  guint64  input_offset;   /* byte offset in the input file after them */
  guint64  input_lines;    /* lines of the input file before that offset */
  gboolean input_ended;    /* the input had no more */
  guint64  max_emitted;    /* the highest input sequence number with a committed output */
} SluiceJournalCommit;

/* Creates @path (which must not exist) with the schema. */
SluiceJournalStore *sluice_journal_store_create      (const char          *path,
                                                      GError             **error);
/* Opens an existing journal; refuses one that is damaged, truncated or
 * not a journal, saying so with its path. */
SluiceJournalStore *sluice_journal_store_open        (const char          *path,
                                                      GError             **error);
void                sluice_journal_store_free        (SluiceJournalStore  *self);
const char         *sluice_journal_store_get_path    (SluiceJournalStore  *self);

gboolean            sluice_journal_store_begin       (SluiceJournalStore  *self,
                                                      GError             **error);
gboolean            sluice_journal_store_commit      (SluiceJournalStore  *self,
                                                      GError             **error);
/* After a failed write: drops what the transaction held. */
void                sluice_journal_store_rollback    (SluiceJournalStore  *self);

gboolean            sluice_journal_store_set_meta    (SluiceJournalStore  *self,
                                                      const char          *key,
                                                      const char          *value,
                                                      GError             **error);
/* NULL (no error) when the key is not there. */
char               *sluice_journal_store_get_meta    (SluiceJournalStore  *self,
                                                      const char          *key,
                                                      GError             **error);
gboolean            sluice_journal_store_add_state   (SluiceJournalStore  *self,
                                                      const char          *state,
                                                      const char          *reason,
                                                      GError             **error);
/* The last state recorded, or NULL. */
char               *sluice_journal_store_get_state   (SluiceJournalStore  *self,
                                                      GError             **error);
/* @count input records, sequence numbers @first_seq…, as JSON lines
 * (an empty line for a record that was not an item). */
gboolean            sluice_journal_store_add_inputs  (SluiceJournalStore  *self,
                                                      guint64              first_seq,
                                                      guint                count,
                                                      const char          *lines,
                                                      gsize                length,
                                                      GError             **error);
/* @done_ranges: the input items completed by this commit, "1-5,7". */
gboolean            sluice_journal_store_add_commit  (SluiceJournalStore  *self,
                                                      const SluiceJournalCommit *commit,
                                                      const char          *done_ranges,
                                                      GError             **error);
gboolean            sluice_journal_store_add_event   (SluiceJournalStore  *self,
                                                      guint64              seq,
                                                      const char          *type,
                                                      const char          *json,
                                                      GError             **error);
guint64             sluice_journal_store_get_max_event_seq (SluiceJournalStore *self);
/* The modules' counters as of now, after event @after_seq: a JSON array
 * of "module-progress" objects (sluice-journal-record.c). */
gboolean            sluice_journal_store_add_sample  (SluiceJournalStore  *self,
                                                      guint64              after_seq,
                                                      const char          *json,
                                                      GError             **error);
/* Calls @func with each sample row's JSON text, oldest first (none for
 * a journal written before samples existed). */
gboolean            sluice_journal_store_foreach_sample (SluiceJournalStore *self,
                                                         void (*func) (const char *json,
                                                                       gpointer    user_data),
                                                         gpointer            user_data,
                                                         GError            **error);
/* Where a controller stands: items waiting at its input, in flight,
 * taken in by its first module and put out by its last. */
gboolean            sluice_journal_store_add_progress (SluiceJournalStore  *self,
                                                       const char          *controller,
                                                       gint                 queued,
                                                       gint                 in_flight,
                                                       guint64              items_in,
                                                       guint64              items_out,
                                                       GError             **error);

/* The last commit, and every completed input item in @done (a set of
 * sequence numbers as GUINT_TO_POINTER-sized keys; only those above
 * @low, everything up to and including *low is done). */
gboolean            sluice_journal_store_load_progress (SluiceJournalStore  *self,
                                                        SluiceJournalCommit *commit,
                                                        guint64             *low,
                                                        GHashTable          *done,
                                                        GError             **error);

/* Calls @func for each input record with a sequence number > @after, in
 * order; a record that was not an item has an empty line. Stops at the
 * first FALSE. */
typedef gboolean (*SluiceJournalInputFunc) (guint64      seq,
                                            const char  *line,
                                            gsize        length,
                                            gpointer     user_data,
                                            GError     **error);
gboolean            sluice_journal_store_foreach_input (SluiceJournalStore     *self,
                                                        guint64                 after,
                                                        SluiceJournalInputFunc  func,
                                                        gpointer                user_data,
                                                        GError                **error);

/* Items at controller boundaries (sluice-journal-boundary.c): an item of
 * input item @origin entered @controller with @mark, sent on by the item
 * @parent (0: the input item itself); the item @mark passed @controller,
 * sending on @sent_on items. */
gboolean            sluice_journal_store_add_entry   (SluiceJournalStore  *self,
                                                      guint64              mark,
                                                      guint64              origin,
                                                      guint                controller,
                                                      guint64              parent,
                                                      const char          *item,
                                                      gsize                length,
                                                      GError             **error);
gboolean            sluice_journal_store_add_pass    (SluiceJournalStore  *self,
                                                      guint64              origin,
                                                      guint64              mark,
                                                      guint                controller,
                                                      guint                sent_on,
                                                      GError             **error);
/* Drops what was kept of input items below @below (all complete). */
gboolean            sluice_journal_store_forget_boundaries (SluiceJournalStore *self,
                                                      guint64              below,
                                                      GError             **error);
guint64             sluice_journal_store_get_max_mark (SluiceJournalStore *self);
typedef void     (*SluiceJournalPassFunc)  (guint64      origin,
                                            guint64      mark,
                                            guint        controller,
                                            guint        sent_on,
                                            gpointer     user_data);
typedef gboolean (*SluiceJournalEntryFunc) (guint64      mark,
                                            guint64      origin,
                                            guint        controller,
                                            guint64      parent,
                                            const char  *item,
                                            gsize        length,
                                            gpointer     user_data,
                                            GError     **error);
/* Of input items above @after; entries in the order they entered. */
gboolean            sluice_journal_store_foreach_pass  (SluiceJournalStore     *self,
                                                        guint64                 after,
                                                        SluiceJournalPassFunc   func,
                                                        gpointer                user_data,
                                                        GError                **error);
gboolean            sluice_journal_store_foreach_entry (SluiceJournalStore     *self,
                                                        guint64                 after,
                                                        SluiceJournalEntryFunc  func,
                                                        gpointer                user_data,
                                                        GError                **error);

G_END_DECLS
