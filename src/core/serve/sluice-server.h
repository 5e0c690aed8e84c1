/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "sluice-pipeline.h"

G_BEGIN_DECLS

/* `sluice-run serve` (SPEC sections 1 and 5): a pipeline behind HTTP.
 *
 *   POST / or /items    one item (a JSON object) → 200 with the JSON array
 *                       of its outputs; 400 for a body that is not a JSON
 *                       object, 413 beyond the body limit, 401 without the
 *                       token, 422 with {"error", "module"} when a module
 *                       fails the item, 503 with Retry-After beyond the
 *                       queue or while draining. With batches on (config
 *                       batch > 0, "batch_max" in /status), a JSON array of
 *                       items → 200 with one element per item, in order:
 *                       the array of its outputs, or {"error", "module"}
 *   GET /status         health and load, as JSON
 *
 * One long-lived run serves every request: each request's item goes in
 * tagged with the request, its outputs and its end come back with the
 * tag, and items are isolated (a module failure fails that request
 * only). At most `capacity` items are in the run at once; up to `queue`
 * more requests wait (their connections paused); beyond that they are
 * refused at once, so memory stays bounded by (capacity + queue) × body
 * limit.
 * Every answer carries the load header (SLUICE_LOAD_HEADER) that callers
 * balance on. */

#define SLUICE_TYPE_SERVER (sluice_server_get_type ())
G_DECLARE_FINAL_TYPE (SluiceServer, sluice_server, SLUICE, SERVER, GObject)

typedef struct
{
  SluicePipeline *pipeline;        /* borrowed for the call; the server keeps a ref */
  GHashTable     *defines;         /* -D values, or NULL */
  const char     *path;            /* the pipeline's file: names it, commands run beside it; may be NULL */
  const char     *base_directory;  /* commands run here when @path is NULL */
  const char     *file_hash;       /* of the pipeline file, for /status */
  guint           capacity;        /* runs at once */
  guint           queue;           /* requests waiting beyond those */
  guint           batch;           /* most items in one POST of a JSON array; 0: one item per POST */
  gsize           max_body;        /* bytes */
  const char     *token;           /* bearer token for POST, or NULL */
  GTlsCertificate *tls;            /* serve https with it, or NULL */
} SluiceServerConfig;

/* NULL with @error when the pipeline cannot be run (a missing parameter). */
SluiceServer *sluice_server_new          (const SluiceServerConfig *config,
                                          GError                  **error);
/* Listens on @address ("HOST:PORT", an IP address or localhost; port 0
 * picks a free one). */
gboolean      sluice_server_listen       (SluiceServer  *self,
                                          const char    *address,
                                          GError       **error);
/* http://HOST:PORT/ of the first address listened on. */
const char   *sluice_server_get_url      (SluiceServer  *self);
/* Stops taking requests (503 from now on) and emits "drained" once the
 * requests in flight and queued are answered. */
void          sluice_server_drain        (SluiceServer  *self);
gboolean      sluice_server_is_draining  (SluiceServer  *self);
/* What GET /status answers (new reference). */
json_t       *sluice_server_build_status (SluiceServer  *self);
guint         sluice_server_get_in_flight (SluiceServer *self);
guint         sluice_server_get_queued   (SluiceServer  *self);

G_END_DECLS
