/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-endpoint.h"

G_BEGIN_DECLS

/* The endpoints of one service and the policy that picks one for each
 * call: the look-aside balancer's choice, made by the caller itself. */

typedef enum
{
  SLUICE_BALANCE_LEAST_LOADED,  /* the lowest expected wait (sluice_endpoint_score) */
  SLUICE_BALANCE_ROUND_ROBIN,   /* the next available one in turn */
  SLUICE_BALANCE_RANDOM_TWO,    /* two at random, the better of them */
} SluiceBalance;

/* "least-loaded" (also NULL), "round-robin" or "random-two"; FALSE for
 * anything else. */
gboolean     sluice_balance_from_string (const char *str,
                                         SluiceBalance *balance);
const char  *sluice_balance_to_string   (SluiceBalance balance);

typedef enum
{
  SLUICE_PICK_OK,
  SLUICE_PICK_NONE_HEALTHY,  /* every endpoint not yet tried is down */
  SLUICE_PICK_ALL_BUSY,      /* some are up but at their limit: wait */
  SLUICE_PICK_ALL_TRIED,     /* every endpoint was tried for this call */
  SLUICE_PICK_EMPTY,         /* the service has no endpoints (yet) */
} SluicePickResult;

typedef struct _SluiceEndpointSet SluiceEndpointSet;

SluiceEndpointSet *sluice_endpoint_set_new      (SluiceBalance       balance);
void               sluice_endpoint_set_free     (SluiceEndpointSet  *self);
SluiceBalance      sluice_endpoint_set_get_balance (SluiceEndpointSet *self);
/* Sets the endpoints to @urls: those already there keep what was learnt
 * of them, the others are dropped (calls at them hold a reference). */
void               sluice_endpoint_set_update   (SluiceEndpointSet  *self,
                                                 const char * const *urls);
guint              sluice_endpoint_set_get_size (SluiceEndpointSet  *self);
/* Borrowed. */
SluiceEndpoint    *sluice_endpoint_set_get      (SluiceEndpointSet  *self,
                                                 guint               index);
/* Picks an endpoint for a call (borrowed, or NULL with the reason in
 * @result), never one of @tried. */
SluiceEndpoint    *sluice_endpoint_set_pick     (SluiceEndpointSet  *self,
                                                 gint64              now,
                                                 SluiceEndpoint * const *tried,
                                                 guint               n_tried,
                                                 SluicePickResult   *result);

G_END_DECLS
