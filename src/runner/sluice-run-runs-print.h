/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>
#include <glib.h>

G_BEGIN_DECLS

/* Output of `sluice-run runs`: JSON as the server answered it (--json),
 * the table of `list`, the fields of `show`, one line per event. */
void        sluice_runs_print_json  (json_t     *json);
void        sluice_runs_print_table (json_t     *runs);
void        sluice_runs_print_run   (json_t     *run);
/* @json_text: one event; as it is with @as_json, else a line for people. */
void        sluice_runs_print_event (const char *json_text,
                                     gboolean    as_json);
/* The string member @key of @object, or "-". */
const char *sluice_runs_text_of     (json_t     *object,
                                     const char *key);

G_END_DECLS
