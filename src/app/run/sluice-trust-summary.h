/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the trust dialog lists, summarised: the runnables of one kind
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
/* Summarises @list on a worker thread and calls back on the main
 * context with the groups (owned by the callee). */
typedef void (*SluiceTrustSummaryFunc) (GPtrArray *groups,
                                        gpointer   user_data);
void       sluice_trust_summarise_async   (GPtrArray              *list,
                                           SluiceTrustSummaryFunc  func,
                                           gpointer                user_data);
/* A list of the kinds, each a row that expands to its groups (made when
 * expanded); commands and endpoints are expanded from the start. */
GtkWidget *sluice_trust_summary_view_new  (GPtrArray        *groups);

G_END_DECLS
