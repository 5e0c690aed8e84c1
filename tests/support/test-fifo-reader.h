/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The reader of a FIFO a run writes to, on a thread of its own: it
 * opens the FIFO after a delay (until then the writer's open() blocks:
 * a write held in flight) and reads to the end (the writer's close).
 * For core, runner and designer tests alike: GLib only. */
typedef struct _TestFifoReader TestFifoReader;

TestFifoReader *test_fifo_reader_start  (const char     *path,
                                         gint64          delay_us);
/* Whether the reader is opening the FIFO, or has: a writer's open() can
 * return from then on. */
gboolean        test_fifo_reader_opened (TestFifoReader *self);
/* Waits for the end of what the writer wrote, and returns it (free with
 * g_free); @self goes. */
char           *test_fifo_reader_finish (TestFifoReader *self);

G_END_DECLS
