/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-journal.h"
#include "sluice-line-source.h"

G_BEGIN_DECLS

/* What the journal knows of one input item while it is not complete: the
 * tag it travels with through the executor. Linked into the journal's
 * list of live items so that the ones never completed (the run stopped)
 * are freed with the journal. */
typedef struct _SluiceJournalItem SluiceJournalItem;
struct _SluiceJournalItem
{
  guint64            seq;        /* 1 for the run's first input record */
  guint              lines;      /* output lines not committed yet */
  gboolean           done;       /* every output was produced */
  gboolean           abandoned;  /* the run stopped before it was done */
  gboolean           injected;   /* resumed: items of it went back into controllers */
  gboolean           complete;   /* recorded complete (it waits in the spare list) */
  SluiceJournalItem *prev;
  SluiceJournalItem *next;
};

typedef struct _SluiceJournalStage SluiceJournalStage;

/* An item that entered a controller after the first, until committed
 * (only those of input items still not complete then are written). The
 * item is held until it passes that controller: only one that has not
 * by the commit needs its text, which is made then. An output's text is
 * the sink's line, copied. */
typedef struct
{
  guint64            mark;
  guint64            origin;
  SluiceJournalItem *tag;     /* its input item's, while @origin is its seq */
  guint              controller;
  guint64            parent;
  json_t            *item;    /* a reference until it passed; NULL for outputs */
  gsize              offset;  /* an output's text in the journal's @entries_text */
  gsize              length;
} SluiceJournalEntryRecord;

typedef struct
{
  guint64            origin;
  SluiceJournalItem *tag;
  guint64            mark;
  guint              controller;
  guint              sent_on;
} SluiceJournalPassRecord;

typedef struct
{
  guint64  seq;
  char    *type;
  char    *json;
} SluiceJournalEvent;

typedef struct
{
  SluiceJournalItem *item;
  guint64            end;     /* position in the inner sink after the line */
} SluiceJournalLine;

struct _SluiceJournal
{
  GObject             parent_instance;

  char               *run_id;
  char               *directory;
  char               *path;          /* the SQLite file */
  int                 lock_fd;       /* flock held while open */
  SluiceJournalStore *store;         /* owned */
  char               *last_state;    /* as found when opened / last recorded */
  gboolean            resumed;       /* opened to resume, not created */
  SluiceJournalCommit commit;        /* the last commit (resume: as loaded) */
  guint64             n_replayed;
  guint64             low;           /* resume: every item up to this one is complete */
  GHashTable         *done_set;      /* resume: complete items above @low */

  SluiceExecutor     *executor;      /* borrowed: the executor outlives the journal's use */
  SluiceLineSink     *inner_sink;    /* owned */
  guint64             output_base;   /* file offset of the inner sink's position 0 */
  guint64             output_lines;
  gboolean            all_events;

  /* Input records. */
  guint64             n_records;     /* sequence number of the last record taken */
  guint64             input_base;    /* file offset where the inner source started */
  gboolean            input_ended;
  GString            *input_batch;   /* records since the last commit, as lines */
  guint64             input_batch_first;
  guint               input_batch_count;
  char               *item_text;     /* reused by sluice_item_to_text() */
  gsize               item_text_size;

  /* Output lines not committed, in file order, from @pending_head on. */
  GArray             *pending;       /* of SluiceJournalLine */
  guint               pending_head;
  GArray             *completed;     /* guint64 sequence numbers since the last commit */
  SluiceJournalItem  *live;          /* items not complete */
  SluiceJournalItem  *spare;         /* freed items kept for reuse (a list by @next) */
  GPtrArray          *events;        /* SluiceJournalEvent* since the last commit */
  GPtrArray          *states;        /* pairs of state, reason since the last commit */
  gboolean            first_wins;
  guint64             max_emitted;

  gint64              last_commit;   /* monotonic µs */
  guint               since_commit;  /* records, lines and events since */
  guint64             n_commits;     /* written by this process */
  GPtrArray          *stages;        /* SluiceJournalStage*, for progress records */
  gint64              last_snapshot; /* monotonic µs of the last progress record */
  GError             *error;         /* the first write error: the journal stops */
  GSource            *record_timer;  /* sluice_journal_record(): the commit timer, on its caller's
                                      * thread-default context (a designer run's own thread) */

  /* Module samples (sluice-journal-record.c), for a run whose per-item
   * events are not built. */
  gboolean            sample_modules;
  SluiceModuleStats  *sampled;       /* the counters last written, per module index */
  SluiceModuleStats  *current;       /* scratch: the counters now, per module index */
  SluiceModuleStats  *sample_base;   /* resumed: what the run had counted before, per module index */
  guint               n_sampled;
  const char        **sample_controllers; /* per module index: its controller's id (borrowed), or NULL */
  gboolean           *sample_gates;  /* per module index: a gate, whose checks go with its samples */

  /* Controller boundaries (sluice-journal-boundary.c). */
  GArray             *entries;       /* SluiceJournalEntryRecord since the last commit */
  GString            *entries_text;
  GArray             *passes;        /* SluiceJournalPassRecord since the last commit */
  guint64             n_marks;
  guint64             batch_marks;   /* n_marks at the last commit: @entries hold the marks after it */
  guint               n_controllers; /* ≥ 2 when boundaries are kept */
  guint               output_entry;  /* 1 + index in @entries of an output waiting for its text */
  guint64             boundary_rows; /* written since complete items' were dropped */
  GHashTable         *resumed_origins; /* resume: input items resumed from their items */
  guint64             n_resumed_items;
  guint64             n_rewritten;   /* resume: outputs written again, not made again */
  GHashTable         *resume_tags;   /* resume: input item seq → SluiceJournalItem* */
  GPtrArray          *resume_outputs;/* resume: pairs of SluiceJournalItem*, json_t* */
  guint64             first_wins_cutoff; /* resume: older input items lost (first-wins) */
};

/* sluice-journal-source.c: the item source wrapper. */
#define SLUICE_TYPE_JOURNAL_SOURCE (sluice_journal_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceJournalSource, sluice_journal_source, SLUICE, JOURNAL_SOURCE, GObject)

/* @replay: json_t* in sequence order, with @replay_seqs their sequence
 * numbers (both owned by the source from now on). */
SluiceJournalSource *_sluice_journal_source_new   (SluiceJournal    *journal,
                                                   SluiceItemSource *inner,
                                                   GPtrArray        *replay,
                                                   GArray           *replay_seqs);

/* sluice-journal-sink.c: the line sink wrapper. */
#define SLUICE_TYPE_JOURNAL_SINK (sluice_journal_sink_get_type ())
G_DECLARE_FINAL_TYPE (SluiceJournalSink, sluice_journal_sink, SLUICE, JOURNAL_SINK, GObject)

SluiceJournalSink   *_sluice_journal_sink_new     (SluiceJournal    *journal,
                                                   SluiceLineSink   *inner);

/* sluice-journal-progress.c: what the wrappers tell the journal. */
SluiceJournalItem   *_sluice_journal_item_new     (SluiceJournal    *self,
                                                   guint64           seq);
/* A record taken from the input: @item is NULL for one that was not an
 * item (rejected). Returns the sequence number it gets. */
/* @text: the item as read (one line), or NULL to write @item out. */
guint64              _sluice_journal_record_input (SluiceJournal    *self,
                                                   json_t           *item,
                                                   const char       *text,
                                                   gsize             length,
                                                   guint64           input_position,
                                                   guint64           input_line);
void                 _sluice_journal_input_ended  (SluiceJournal    *self);
/* An output line of @item ends at @position of the inner sink. */
void                 _sluice_journal_output_line  (SluiceJournal     *self,
                                                   SluiceJournalItem *item,
                                                   guint64            position);
void                 _sluice_journal_item_done    (SluiceJournal     *self,
                                                   SluiceJournalItem *item,
                                                   const char        *error);
/* After each slice of the run: commits when enough is pending. */
gboolean             _sluice_journal_maybe_commit (SluiceJournal    *self,
                                                   GError          **error);
/* sluice-journal-stages.c: per-controller progress records. */
GPtrArray           *_sluice_journal_stages_new     (SluicePipeline *pipeline);
gboolean             _sluice_journal_stages_write   (SluiceJournal  *self,
                                                     gboolean        force,
                                                     GError        **error);

/* sluice-journal-record.c: the modules' counters as of the commit,
 * written in its transaction (every commit: a resume goes on from both). */
gboolean             _sluice_journal_samples_write  (SluiceJournal  *self,
                                                     GError        **error);
void                 _sluice_journal_samples_clear  (SluiceJournal  *self);

/* sluice-journal-boundary.c: items at controller boundaries. attach()
 * listens there and, resuming, puts the items back where they were. */
void                 _sluice_journal_boundary_init   (SluiceJournal  *self);
void                 _sluice_journal_boundary_clear  (SluiceJournal  *self);
gboolean             _sluice_journal_boundary_attach (SluiceJournal  *self,
                                                      SluiceExecutor *executor,
                                                      GError        **error);
gboolean             _sluice_journal_boundary_write  (SluiceJournal  *self,
                                                      GError        **error);
void                 _sluice_journal_boundary_written (SluiceJournal *self);
/* The sink wrote the line of the output entered last. */
void                 _sluice_journal_boundary_output (SluiceJournal *self,
                                                      const char    *text,
                                                      gsize          length);
gboolean             _sluice_journal_boundary_rewrite (SluiceJournal  *self,
                                                       SluiceItemSink *sink,
                                                       GError        **error);

/* sluice-journal-attach.c: the executor's listeners. */
void                 _sluice_journal_state_cb       (SluiceExecutor *executor,
                                                     GParamSpec     *pspec,
                                                     SluiceJournal  *self);
void                 _sluice_journal_event_cb       (SluiceExecutor *executor,
                                                     SluiceEvent    *event,
                                                     SluiceJournal  *self);

void                 _sluice_journal_progress_init  (SluiceJournal  *self);
void                 _sluice_journal_progress_clear (SluiceJournal  *self);
void                 _sluice_journal_add_event      (SluiceJournal  *self,
                                                     guint64         seq,
                                                     const char     *type,
                                                     char           *json);
void                 _sluice_journal_add_state      (SluiceJournal  *self,
                                                     const char     *state,
                                                     const char     *reason);

/* A batch was written: "committed" with the seconds it took. */
void                 _sluice_journal_emit_committed (SluiceJournal  *self,
                                                     double          seconds);

/* Stops the commit timer of sluice_journal_record(), from any thread. */
void _sluice_journal_stop_timer (SluiceJournal *self);

G_END_DECLS
