/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>
#include <glib.h>

G_BEGIN_DECLS

/* Computed fields of the simplest kind, `a OP b` with OP one of + - *
 * and each side `item.NAME` or a plain number (`item.price * item.qty`),
 * evaluated in C with Lua 5.4's arithmetic (integers wrap around, a
 * float on either side makes a float): the answer is the one the Lua
 * expression gives, without entering Lua. An item whose operands are
 * not both numbers (a string Lua would convert, a missing field Lua
 * would complain about) is left to Lua. */
typedef struct _SluiceColumnsArith SluiceColumnsArith;

/* NULL unless every expression is of that kind and none reads a field
 * another one computes. */
SluiceColumnsArith *sluice_columns_arith_new   (char               **names,
                                                char               **expressions);
void                sluice_columns_arith_free  (SluiceColumnsArith  *self);

/* Sets every computed field of @item (TRUE), or changes nothing (FALSE)
 * when Lua must decide. */
gboolean            sluice_columns_arith_apply (SluiceColumnsArith  *self,
                                                json_t              *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceColumnsArith, sluice_columns_arith_free)

G_END_DECLS
