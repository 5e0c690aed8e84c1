/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"

G_BEGIN_DECLS

/* The newest per-item records of a run (module-started and -finished,
 * sluice_executor_set_item_record_func()), kept in a fixed ring until a
 * viewer drains them once a frame. Pushing copies one record and never
 * allocates; when more come between two drains than the ring holds, the
 * oldest are overwritten and counted as lost, which is what a log that
 * keeps only the newest would have done with them anyway. */
typedef struct _SluiceItemRing SluiceItemRing;

typedef void (*SluiceItemRingFunc) (const SluiceItemRecord *record,
                                    gpointer                user_data);

SluiceItemRing *sluice_item_ring_new     (guint                   capacity);
void            sluice_item_ring_free    (SluiceItemRing         *self);
void            sluice_item_ring_push    (SluiceItemRing         *self,
                                          const SluiceItemRecord *record);
/* Pushes @n records at once, oldest first, as @n pushes would (a
 * producer that gathers records without the consumer's lock hands them
 * over in one go). */
void            sluice_item_ring_push_many (SluiceItemRing         *self,
                                            const SluiceItemRecord *records,
                                            guint                   n);
/* Records waiting. */
guint           sluice_item_ring_get_length (SluiceItemRing      *self);
/* Hands every waiting record to @func, oldest first, and empties the
 * ring; returns how many were overwritten since the last drain. */
guint64         sluice_item_ring_drain   (SluiceItemRing         *self,
                                          SluiceItemRingFunc      func,
                                          gpointer                user_data);

/* As sluice_item_ring_drain(), for the waiting records whose sequence
 * number is below @seq only (those that come before an event @seq): the
 * others stay. */
guint64         sluice_item_ring_drain_before (SluiceItemRing    *self,
                                               guint64            seq,
                                               SluiceItemRingFunc func,
                                               gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceItemRing, sluice_item_ring_free)

G_END_DECLS
