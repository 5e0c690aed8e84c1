/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Designer view data kept in the pipeline's <view> element:
 *   <view zoom="1" x="0" y="0">
 *     <pos id="controller-id" x="10" y="20"/>
 *     <collapsed id="combination-id"/>
 *   </view>
 * Positions are user-placed controller frames; they survive a re-layout
 * until the user asks for a fresh one. */
typedef struct
{
  double      zoom;
  double      x, y;          /* model point at the top-left of the view */
  GHashTable *positions;     /* owned: id → double[2] */
  GHashTable *collapsed;     /* owned: set of ids */
} SluiceViewState;

SluiceViewState *sluice_view_state_new        (void);
SluiceViewState *sluice_view_state_copy       (const SluiceViewState *state);
void             sluice_view_state_free       (SluiceViewState *state);
/* Parses a <view> element; a NULL, empty or unreadable element gives the
 * defaults (a view is never worth refusing a file over). */
SluiceViewState *sluice_view_state_parse      (const char            *view_xml);
char            *sluice_view_state_to_xml     (const SluiceViewState *state);
void             sluice_view_state_set_position (SluiceViewState *state,
                                                 const char      *id,
                                                 double           x,
                                                 double           y);
gboolean         sluice_view_state_get_position (const SluiceViewState *state,
                                                 const char            *id,
                                                 double                *x,
                                                 double                *y);
gboolean         sluice_view_state_equal      (const SluiceViewState *a,
                                               const SluiceViewState *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceViewState, sluice_view_state_free)

G_END_DECLS
