/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-core.h"

G_BEGIN_DECLS

/* How much an event matters, for the log's filter. */
typedef enum
{
  SLUICE_RUN_LEVEL_DEBUG,    /* module-started */
  SLUICE_RUN_LEVEL_INFO,     /* module-finished, stage-transition, run-state */
  SLUICE_RUN_LEVEL_WARNING,  /* item-superseded, run cancelled */
  SLUICE_RUN_LEVEL_ERROR,    /* module-failed, run failed */
} SluiceRunLevel;

#define SLUICE_TYPE_RUN_LOG_ROW (sluice_run_log_row_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunLogRow, sluice_run_log_row, SLUICE, RUN_LOG_ROW, GObject)

const char     *sluice_run_log_row_get_text     (SluiceRunLogRow *self);
const char     *sluice_run_log_row_get_module   (SluiceRunLogRow *self);
SluiceRunLevel  sluice_run_log_row_get_level (SluiceRunLogRow *self);

#define SLUICE_TYPE_RUN_LOG (sluice_run_log_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunLog, sluice_run_log, SLUICE, RUN_LOG, GObject)

/* The events of a run, newest first, as a GListModel of SluiceRunLogRow
 * for a virtualised list. Events are kept as small fixed-size records
 * (ids interned), rows are made only for what the list shows, and
 * additions are announced by sluice_run_log_flush() (once a frame), not
 * one items-changed per event. */
SluiceRunLog *sluice_run_log_new           (void);
void          sluice_run_log_clear         (SluiceRunLog      *self);
void          sluice_run_log_append        (SluiceRunLog      *self,
                                            const SluiceEvent *event);
/* The same as appending the event @record stands for (of a run of
 * pipeline @pipeline_id), without building it. */
void          sluice_run_log_append_item   (SluiceRunLog           *self,
                                            const SluiceItemRecord *record,
                                            const char             *pipeline_id);
/* @n routine events were let go before they reached the log (a ring
 * that overflowed between two drains): counted as dropped. */
void          sluice_run_log_note_lost     (SluiceRunLog      *self,
                                            guint64            n);
/* Announces what was appended since the last flush. */
void          sluice_run_log_flush         (SluiceRunLog      *self);
/* NULL module = all; rows below @min_severity are hidden. */
void          sluice_run_log_set_filter    (SluiceRunLog      *self,
                                            const char        *module_id,
                                            SluiceRunLevel     min_severity);
/* Every event kept, filter or not. */
guint         sluice_run_log_get_n_events  (SluiceRunLog      *self);
/* At most @capacity routine events (debug and info, but run-state
 * changes) are kept, the newest; warnings, errors and run-state changes
 * are always kept. 0 keeps everything. */
void          sluice_run_log_set_capacity  (SluiceRunLog      *self,
                                            guint              capacity);
/* Routine events let go so far. */
guint64       sluice_run_log_get_n_dropped (SluiceRunLog      *self);
/* Event @index (0 = first) as JSON with "time" and "duration_ms" left
 * out, for comparing runs. */
/* The sequence number of the event at @index in its run (0 if unknown). */
guint64       sluice_run_log_get_seq       (SluiceRunLog      *self,
                                           guint              index);
char         *sluice_run_log_dup_json      (SluiceRunLog      *self,
                                            guint              index);
SluiceRunLevel sluice_event_get_run_level   (const SluiceEvent *event);

G_END_DECLS
