/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The data preview of one module: its last items in and out, as compact
 * JSON texts, for a viewer that lets the user peek at a module's data.
 * Safe to record from any thread. */
typedef struct _SluicePreview SluicePreview;
/* The run-wide limit its modules' previews share (see sluice-preview.c). */
typedef struct _SluicePreviewBudget SluicePreviewBudget;

SluicePreviewBudget *sluice_preview_budget_new   (void);
SluicePreviewBudget *sluice_preview_budget_ref   (SluicePreviewBudget *budget);
void                 sluice_preview_budget_unref (SluicePreviewBudget *budget);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluicePreviewBudget, sluice_preview_budget_unref)

/* Takes a reference to @budget. */
SluicePreview *sluice_preview_new    (guint           depth,
                                      SluicePreviewBudget *budget);
void           sluice_preview_free   (SluicePreview  *preview);
/* Whether an item at @now should be recorded; FALSE when @preview is NULL. */
gboolean       sluice_preview_due    (SluicePreview  *preview,
                                      gboolean        outputs,
                                      gint64          now);
void           sluice_preview_record (SluicePreview  *preview,
                                      gboolean        outputs,
                                      json_t         *item,
                                      gint64          now);
/* Whether an input would be due at @now, without taking its turn (a run
 * that skips work for modules whose preview is not due asks first; their
 * outputs are sampled with their inputs); FALSE when @preview is NULL.
 * Unlocked: at worst one sample more or less. */
gboolean       sluice_preview_wanted (SluicePreview  *preview,
                                      gint64          now);
/* Records compact JSON text already written (@length bytes). */
void           sluice_preview_record_text (SluicePreview *preview,
                                      gboolean        outputs,
                                      const char     *text,
                                      gsize           length);
/* Records @n items when one is due. */
void           sluice_preview_record_items (SluicePreview *preview,
                                      gboolean        outputs,
                                      json_t        **items,
                                      guint           n);
/* Newest first, NULL-terminated. */
char         **sluice_preview_dup    (SluicePreview  *preview,
                                      gboolean        outputs);

G_END_DECLS
