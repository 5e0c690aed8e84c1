/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-registry-runs.h"

G_BEGIN_DECLS

/* The /pipelines routes of the run API (data/sluice-run-api.json), apart
 * from HTTP: what to answer to one request. The run API routes requests
 * here and writes the answers, with its own plumbing (token, body limit,
 * metrics).
 *
 *   GET    /pipelines                      every pipeline of the folder
 *   GET    /pipelines/ID                   one
 *   PUT    /pipelines/ID                   register (the body is the XML)
 *   DELETE /pipelines/ID                   unregister
 *   GET    /pipelines/ID/versions          the versions kept
 *   GET    /pipelines/ID/versions/N        the file of version N
 *   POST   /pipelines/ID/runs              trigger a run now
 */
typedef struct
{
  guint       status;
  json_t     *json;          /* owned; the body when not NULL */
  GBytes     *bytes;         /* owned; otherwise this body… */
  const char *content_type;  /* …of this type */
  char       *location;      /* Location header, or NULL */
  const char *allow;         /* Allow header (405), or NULL */
} SluicePipelinesAnswer;

void sluice_pipelines_answer_clear (SluicePipelinesAnswer *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SluicePipelinesAnswer, sluice_pipelines_answer_clear)

/* @rest: the decoded path after "/pipelines/" ("" for the list). A
 * pipeline id may hold "/" ("etl/hourly", sent as is or as %2F), so the
 * route is read from the end: POST …/runs triggers, GET …/versions and
 * GET …/versions/N list and fetch versions (ids whose last part is
 * "runs" or "versions" cannot be registered); anything else is the id
 * itself. @body: the request body (may be empty). */
void sluice_pipelines_api_answer (SluiceRegistryRuns    *runs,
                                  const char            *method,
                                  const char            *rest,
                                  GBytes                *body,
                                  SluicePipelinesAnswer *answer);

G_END_DECLS
