/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-run-manager.h"

G_BEGIN_DECLS

/* The body of POST /runs (see data/sluice-run-api.json) into @request,
 * whose strings point into @body (keep it alive while @request is used):
 *
 *   {"pipeline": "FILE" | {"path": "FILE"} | {"xml": "…"},
 *    "parameters": {NAME: string | number | boolean},
 *    "input": [items] | {"items": [items]} | {"path": "FILE"} | null,
 *    "start": true | false}
 *
 * Parameters are put in @parameters (name → text) as -D would give them.
 * FALSE with an INVALID error naming the field; unknown fields are
 * refused, so that a typo is not silently ignored. */
gboolean sluice_run_request_parse (json_t            *body,
                                   SluiceRunRequest  *request,
                                   GHashTable        *parameters,
                                   gboolean          *start,
                                   GError           **error);

/* The body of POST /pipelines/ID/runs: the same without "pipeline" (the
 * registered one runs); "start" is true unless given. @body may be NULL
 * (an empty body). */
gboolean sluice_run_request_parse_trigger (json_t            *body,
                                           SluiceRunRequest  *request,
                                           GHashTable        *parameters,
                                           gboolean          *start,
                                           GError           **error);

G_END_DECLS
