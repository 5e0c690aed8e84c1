/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-core.h"

G_BEGIN_DECLS

/* Two runs side by side (see sluice_run_history_compare()): whether the
 * pipeline file changed between them (hashes and a short diff of the
 * saved copies), then per stage items in and out, then per gate each
 * check's value against its threshold, pass or fail and margin. */
GtkWidget *sluice_run_compare_window_new      (GtkWindow           *parent,
                                               SluicePipeline      *pipeline,
                                               const SluicePastRun *a,
                                               const SluicePastRun *b,
                                               json_t              *comparison);
/* Everything the window shows, as text (for tests). */
char      *sluice_run_compare_window_dup_text (GtkWidget           *window);

G_END_DECLS
