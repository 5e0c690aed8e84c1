/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-pipeline.h"

G_BEGIN_DECLS

/* Trust: before the first run of a file that came from disk, a person
 * sees what it runs and says yes; the answer is kept per content hash.
 * This is the part without a user interface, for the designer's dialog
 * and for what will need it next (serve, the registry, plug-ins). */

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
/* The same for a list sluice_trust_collect() made. */
char      *sluice_trust_hash_runnables (GPtrArray      *list);

/* The store of trusted hashes: a file "trusted" in
 * g_get_user_data_dir()/sluice/, one hash a line. */
gboolean   sluice_trust_is_trusted     (const char     *hash);
gboolean   sluice_trust_remember       (const char     *hash,
                                        GError        **error);

/* What a pipeline runs, summarised (for the trust dialog): the runnables of one kind
 * with the same text are one group, with how many there are and where.
 * A pipeline of thousands of modules is a handful of groups. */
typedef struct
{
  char      *kind;    /* "command", "endpoint", "tool", "external", "lua" */
  char      *text;
  guint      count;
  GPtrArray *places;  /* char*, in document order */
} SluiceTrustGroup;

void       sluice_trust_group_free        (SluiceTrustGroup *group);
/* @list: GPtrArray of SluiceRunnable. Groups, commands and endpoints
 * first, then tools, external services and Lua; within a kind the most
 * frequent first. Plain data: runs on any thread. */
GPtrArray *sluice_trust_summarise         (GPtrArray        *list);
/* Commands and endpoints: what reaches out of the process. */
gboolean   sluice_trust_kind_reaches_out  (const char       *kind);
/* Summarises @list on a worker thread and calls back on the main
 * context with the groups (owned by the callee). */
typedef void (*SluiceTrustSummaryFunc) (GPtrArray *groups,
                                        gpointer   user_data);
void       sluice_trust_summarise_async   (GPtrArray              *list,
                                           SluiceTrustSummaryFunc  func,
                                           gpointer                user_data);
G_END_DECLS
