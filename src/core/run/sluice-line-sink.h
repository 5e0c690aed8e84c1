/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-sink.h"

G_BEGIN_DECLS

/* Output items as JSON lines on a file descriptor. Lines are gathered in
 * a buffer and written whole when it fills and whenever the run flushes
 * (after each few-ms slice of work and at the end), so a reader sees
 * outputs as they are produced and a killed run leaves whole lines only.
 * A failed write is an error of the run; a reader that went away (EPIPE)
 * is G_IO_ERROR_BROKEN_PIPE, which a filter in a pipe treats as the end. */
#define SLUICE_TYPE_LINE_SINK (sluice_line_sink_get_type ())
G_DECLARE_FINAL_TYPE (SluiceLineSink, sluice_line_sink, SLUICE, LINE_SINK, GObject)

/* @close_fd: close @fd when the sink is finalised. */
SluiceLineSink *sluice_line_sink_new (int      fd,
                                      gboolean close_fd);
/* Turns items into text and writes them on a thread of its own, in
 * batches, so that a run's own thread spends no time on it (the second
 * core). Outputs keep their order; flush() returns once everything
 * written before it is out, so the delay stays bounded and a killed run
 * still leaves whole lines; a failed write fails a later write() or the
 * flush. get_position() is then only updated by flushes: a journal, which
 * needs it after each item, keeps the sink unthreaded. Call once, before
 * the first write. */
void            sluice_line_sink_set_threaded    (SluiceLineSink *self);
/* Whether writing failed because the reader went away (EPIPE). */
gboolean        sluice_line_sink_get_reader_gone (SluiceLineSink *self);
/* Bytes taken so far (whole lines, newline included), written or still
 * buffered: after a flush, where the file descriptor stands relative to
 * where it started. A journal commits output up to such a position. */
guint64         sluice_line_sink_get_position    (SluiceLineSink *self);
/* The text of the last line taken, without its newline (borrowed: valid
 * until the next write). A journal keeps it without writing it again. */
const char     *sluice_line_sink_peek_last_line  (SluiceLineSink *self,
                                                  gsize          *length);

G_END_DECLS
