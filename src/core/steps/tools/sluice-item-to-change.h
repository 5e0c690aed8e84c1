/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* The item a transformer (convert, columns) changes and emits: the
 * call's own item when nothing else holds it — its reference count is
 * 2, the executor's token's and the call's — else a copy (a shallow
 * one: the values are shared, so set fields, never change a value in
 * place). Anyone else holding the item (a fan-out's other branch, a
 * combination's input kept for its retry, the designer's preview, a
 * batch's trigger) holds a reference, so changing it in place is seen
 * by no one.
 *
 * The executor keeps the call's item for the module's retry and for
 * on-error="continue": a step may ask for it only once it knows it will
 * emit it (every check that can fail the item done). Returns a new
 * reference. */
json_t *sluice_item_to_change (SluiceStepCall *call);

G_END_DECLS
