/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-core.h"

G_BEGIN_DECLS

/* A list of the kinds, each a row that expands to its groups (made when
 * expanded); commands and endpoints are expanded from the start. */
GtkWidget *sluice_trust_summary_view_new  (GPtrArray        *groups);

typedef void (*SluiceTrustFunc) (gboolean trusted,
                                 gpointer user_data);

/* Calls @func with TRUE at once when the pipeline is trusted (or runs
 * nothing); otherwise shows a dialog over @parent summarising everything
 * it runs (the summary is made on a worker thread) and calls @func with
 * the answer (remembering the hash on yes). */
void       sluice_trust_check          (GtkWindow      *parent,
                                        SluicePipeline *pipeline,
                                        const char     *file_name,
                                        SluiceTrustFunc func,
                                        gpointer        user_data);
/* Whether a check over @parent waits for the user (or for its list). */
gboolean   sluice_trust_get_pending    (GtkWindow      *parent);
/* The dialog sluice_trust_check shows right now, or NULL (for tests). */
GtkWidget *sluice_trust_get_dialog     (GtkWindow      *parent);

G_END_DECLS
