/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sluice-managed-run.h"

G_BEGIN_DECLS

/* One client following a run's events as Server-Sent Events: the events
 * after @after (its Last-Event-ID) from the run's history, then each new
 * one as it is recorded, each as "id: SEQ\ndata: JSON\n\n" with the
 * event's seq as id, so that a client reconnecting with Last-Event-ID
 * misses nothing and gets nothing twice. The stream ends once the run is
 * over and every event was sent.
 *
 * The stream answers @msg itself; @closed is called (once) when the
 * message is finished — sent to its end or the client gone — and the
 * owner then frees the stream. */
typedef struct _SluiceEventStream SluiceEventStream;

typedef void (*SluiceEventStreamClosed) (SluiceEventStream *stream,
                                         gpointer           user_data);

SluiceEventStream *sluice_event_stream_new   (SoupServerMessage       *msg,
                                              SluiceManagedRun        *run,
                                              guint64                  after,
                                              SluiceEventStreamClosed  closed,
                                              gpointer                 user_data);
/* A comment line: keeps proxies from timing the stream out and finds
 * clients that went away while the run was quiet. */
void               sluice_event_stream_ping  (SluiceEventStream       *stream);
void               sluice_event_stream_free  (SluiceEventStream       *stream);

G_END_DECLS
