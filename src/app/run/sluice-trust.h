/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-core.h"

G_BEGIN_DECLS

/* What a pipeline will run, for the trust check: every command, Lua body
 * (executions and conditions), tool use and external endpoint, in
 * document order. Each entry is a kind ("command", "lua", "tool",
 * "endpoint"), a place (the module id or service name) and the text. */
typedef struct
{
  char *kind;
  char *place;
  char *text;
} SluiceRunnable;

void       sluice_runnable_free        (SluiceRunnable *runnable);
/* GPtrArray of SluiceRunnable. */
GPtrArray *sluice_trust_collect        (SluicePipeline *pipeline);
/* SHA-256 (hex) of the canonical runnable content: the collected entries
 * in a length-prefixed form, so that no two different lists give the same
 * text. Positions, names and comments do not count: moving a module does
 * not need trust again, changing what it runs does. */
char      *sluice_trust_hash           (SluicePipeline *pipeline);

/* The store of trusted hashes: a file "trusted" in
 * g_get_user_data_dir()/sluice/, one hash a line. */
gboolean   sluice_trust_is_trusted     (const char     *hash);
gboolean   sluice_trust_remember       (const char     *hash,
                                        GError        **error);

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
