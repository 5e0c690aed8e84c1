/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-client.h"
#include "sluice-run-history.h"

G_BEGIN_DECLS

/* A pipeline's runs on a sluice-run daemon, for the designer's Runs page
 * beside its journaled ones, read through the shared run client
 * (read-only: GET /runs, /runs/ID/events, /runs/ID/pipeline).
 *
 * The server is not trusted: every answer is read up to a size limit, a
 * run id must be one the daemon makes (never "../x": it goes into a
 * path), a run of another pipeline is left out, and anything that is not
 * the run API's JSON is an error naming the URL it came from. A run
 * whose id is not valid is listed as unreadable (@error set), so that
 * the user sees that the server said something wrong. */

/* Answers larger than these are refused (the events of two million
 * module calls are ~400 MB: such a run is replayed from its journal). */
#define SLUICE_SERVER_RUNS_MAX_LIST_BYTES   (8 * 1024 * 1024)
#define SLUICE_SERVER_RUNS_MAX_EVENT_BYTES  (64 * 1024 * 1024)
#define SLUICE_SERVER_RUNS_MAX_PIPELINE_BYTES (16 * 1024 * 1024)
/* The newest runs asked for. */
#define SLUICE_SERVER_RUNS_LIMIT 200

/* The runs of the pipeline with id @pipeline_id, newest first, as
 * SluicePastRun records with server_url set; @file_sha256 (may be NULL)
 * is the open file's hash: file_matches says whether a run ran the
 * same bytes. */
void       sluice_server_runs_list_async   (SluiceRunClient     *client,
                                            const char          *pipeline_id,
                                            const char          *file_sha256,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *sluice_server_runs_list_finish  (SluiceRunClient     *client,
                                            GAsyncResult        *result,
                                            GError             **error);
/* The same from an answer already read: @url names the server. */
GPtrArray *sluice_server_runs_from_json    (const char          *url,
                                            json_t              *answer,
                                            const char          *pipeline_id,
                                            const char          *file_sha256,
                                            GError             **error);

/* Fetches @run's pipeline and events (at most @max_events are kept; the
 * record says when there were more) into the record. */
void       sluice_server_runs_fetch_async  (SluiceRunClient     *client,
                                            SluicePastRun       *run,
                                            guint                max_events,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean   sluice_server_runs_fetch_finish (SluiceRunClient     *client,
                                            GAsyncResult        *result,
                                            GError             **error);
/* An events answer: a JSON array of objects. @where names it (URL and
 * path) in the error. */
GPtrArray *sluice_server_runs_parse_events (const char          *where,
                                            const char          *data,
                                            gsize                length,
                                            guint                max_events,
                                            gboolean            *truncated,
                                            GError             **error);

G_END_DECLS
