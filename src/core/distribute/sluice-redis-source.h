/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <hiredis/async.h>

G_BEGIN_DECLS

/* Runs a hiredis async context on a GLib main context.
 *
 * hiredis 0.14 ships <hiredis/adapters/glib.h>, but its dispatch calls
 * redisAsyncHandleRead() right after redisAsyncHandleWrite() on the same
 * context, and a failed write (or a failed connect, which hiredis notices
 * on the first write event) frees that context: a use after free. It
 * also never watches G_IO_ERR/G_IO_HUP, so a connection reset seen only
 * as an error condition is never dispatched. This adapter stops after
 * the context is gone and treats ERR/HUP as readable, so hiredis reads,
 * sees the error and disconnects cleanly. */
GSource *sluice_redis_source_new (redisAsyncContext *context);

G_END_DECLS
