/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-source.h"

G_BEGIN_DECLS

/* Items as JSON lines from a stream, read asynchronously. Blank lines are
 * skipped; a line that is not a JSON object is an error naming its line
 * number ("input line N: …"), and so is a line longer than
 * SLUICE_LINE_SOURCE_MAX_LINE bytes. */
#define SLUICE_LINE_SOURCE_MAX_LINE (64 * 1024 * 1024)

#define SLUICE_TYPE_LINE_SOURCE (sluice_line_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceLineSource, sluice_line_source, SLUICE, LINE_SOURCE, GObject)

SluiceLineSource *sluice_line_source_new          (GInputStream     *stream);
/* Reads and parses on a thread of its own, a few batches of lines ahead
 * of the run (the second core); the items, their order, the errors and
 * where they come, get_position() and get_line() stay the same, but
 * peek_last_line() is not available (a journal keeps the source
 * unthreaded). The thread starts at the first next(), after any
 * set_line(). Call before the first next(). */
void              sluice_line_source_set_threaded (SluiceLineSource *self);
/* Bytes of the stream taken as lines so far (blank ones included): where
 * the next line starts, relative to where the stream stood at first. A
 * journal resumes a file input there. */
guint64           sluice_line_source_get_position (SluiceLineSource *self);
/* Lines taken so far, counted from where it started; and where to count
 * from, for a stream that does not start at the first line (errors name
 * the line in the whole file). */
guint64           sluice_line_source_get_line     (SluiceLineSource *self);
void              sluice_line_source_set_line     (SluiceLineSource *self,
                                                   guint64           line);
/* The text of the line the last next() took (without its newline), as
 * it was read: valid only until the main loop runs again. A journal
 * keeps it instead of writing the item out again. */
const char       *sluice_line_source_peek_last_line (SluiceLineSource *self,
                                                     gsize            *length);

G_END_DECLS
