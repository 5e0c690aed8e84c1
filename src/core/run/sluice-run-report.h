/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* The run report: the pipeline (@path, or its id when it has no file),
 * its final or current state, items in and out, elapsed time, the error
 * and the failing module, and per module its state and counters. */
json_t   *sluice_run_report_build (SluiceExecutor  *executor,
                                   const char      *path);
/* As JSON (REPORT.json) or as one self-contained HTML page (REPORT.html),
 * written atomically; FALSE with @error naming the file. */
gboolean  sluice_run_report_write (json_t          *report,
                                   const char      *report_path,
                                   GError         **error);

G_END_DECLS
