/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-endpoint-set.h"

/* Small on purpose: services have a handful of endpoints, and a linear
 * scan over a few structs is faster than anything cleverer. */

struct _SluiceEndpointSet
{
  GPtrArray     *endpoints;   /* SluiceEndpoint*, owned refs */
  SluiceBalance  balance;
  guint          next;        /* round-robin position */
  guint64        rng;         /* xorshift state: g_random takes a lock */
};

static const char * const balance_names[] = {
  "least-loaded",
  "round-robin",
  "random-two",
};

gboolean
sluice_balance_from_string (const char    *str,
                            SluiceBalance *balance)
{
  if (str == NULL)
    {
      *balance = SLUICE_BALANCE_LEAST_LOADED;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (balance_names); i++)
    if (g_str_equal (str, balance_names[i]))
      {
        *balance = i;
        return TRUE;
      }
  return FALSE;
}

const char *
sluice_balance_to_string (SluiceBalance balance)
{
  g_return_val_if_fail (balance < G_N_ELEMENTS (balance_names), NULL);
  return balance_names[balance];
}

SluiceEndpointSet *
sluice_endpoint_set_new (SluiceBalance balance)
{
  SluiceEndpointSet *self = g_new0 (SluiceEndpointSet, 1);

  self->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_endpoint_unref);
  self->balance = balance;
  self->rng = g_random_int () | ((guint64) g_random_int () << 32) | 1;

  return self;
}

void
sluice_endpoint_set_free (SluiceEndpointSet *self)
{
  g_ptr_array_unref (self->endpoints);
  g_free (self);
}

SluiceBalance
sluice_endpoint_set_get_balance (SluiceEndpointSet *self)
{
  return self->balance;
}

void
sluice_endpoint_set_update (SluiceEndpointSet  *self,
                            const char * const *urls)
{
  GPtrArray *endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_endpoint_unref);

  for (guint i = 0; urls[i] != NULL; i++)
    {
      SluiceEndpoint *found = NULL;

      for (guint j = 0; j < endpoints->len && found == NULL; j++)
        if (g_str_equal (((SluiceEndpoint *) g_ptr_array_index (endpoints, j))->url, urls[i]))
          found = g_ptr_array_index (endpoints, j);
      if (found != NULL)
        continue;   /* listed twice */

      for (guint j = 0; j < self->endpoints->len && found == NULL; j++)
        if (g_str_equal (((SluiceEndpoint *) g_ptr_array_index (self->endpoints, j))->url, urls[i]))
          found = sluice_endpoint_ref (g_ptr_array_index (self->endpoints, j));

      g_ptr_array_add (endpoints, found != NULL ? found : sluice_endpoint_new (urls[i]));
    }

  g_ptr_array_unref (self->endpoints);
  self->endpoints = endpoints;
  if (self->next >= endpoints->len)
    self->next = 0;
}

guint
sluice_endpoint_set_get_size (SluiceEndpointSet *self)
{
  return self->endpoints->len;
}

SluiceEndpoint *
sluice_endpoint_set_get (SluiceEndpointSet *self,
                         guint              index)
{
  g_return_val_if_fail (index < self->endpoints->len, NULL);
  return g_ptr_array_index (self->endpoints, index);
}

static inline guint64
next_random (SluiceEndpointSet *self)
{
  guint64 x = self->rng;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return self->rng = x;
}

static inline gboolean
was_tried (SluiceEndpoint         *endpoint,
           SluiceEndpoint * const *tried,
           guint                   n_tried)
{
  for (guint i = 0; i < n_tried; i++)
    if (tried[i] == endpoint)
      return TRUE;
  return FALSE;
}

/* Least-loaded in one pass, with no list of candidates: it is the
 * default, and the choice is made for every call. */
static SluiceEndpoint *
pick_least_loaded (SluiceEndpointSet      *self,
                   gint64                  now,
                   SluiceEndpoint * const *tried,
                   guint                   n_tried,
                   SluicePickResult       *result)
{
  SluiceEndpoint **all = (SluiceEndpoint **) self->endpoints->pdata;
  guint n = self->endpoints->len;
  gboolean untried = FALSE, healthy = FALSE;
  SluiceEndpoint *best = NULL;
  double best_score = G_MAXDOUBLE;
  /* Ties go round in turn, so that equal endpoints share the work
   * instead of the first one getting all of it. */
  guint i = self->next++ % n;

  for (guint k = 0; k < n; k++, i = i + 1 < n ? i + 1 : 0)
    {
      SluiceEndpoint *endpoint = all[i];
      double score;

      if (n_tried > 0 && was_tried (endpoint, tried, n_tried))
        continue;
      untried = TRUE;
      if (!endpoint->healthy || now < endpoint->down_until)
        continue;
      healthy = TRUE;
      if (sluice_endpoint_is_full (endpoint))
        continue;
      score = sluice_endpoint_score (endpoint);
      if (score < best_score)
        {
          best_score = score;
          best = endpoint;
        }
    }

  *result = best != NULL ? SLUICE_PICK_OK
          : !untried ? SLUICE_PICK_ALL_TRIED : !healthy ? SLUICE_PICK_NONE_HEALTHY : SLUICE_PICK_ALL_BUSY;
  return best;
}

SluiceEndpoint *
sluice_endpoint_set_pick (SluiceEndpointSet      *self,
                          gint64                  now,
                          SluiceEndpoint * const *tried,
                          guint                   n_tried,
                          SluicePickResult       *result)
{
  SluiceEndpoint **all = (SluiceEndpoint **) self->endpoints->pdata;
  guint n = self->endpoints->len;
  SluiceEndpoint *candidates[64];
  guint n_candidates = 0;
  gboolean untried = FALSE, healthy = FALSE;
  SluiceEndpoint *best = NULL;

  if (n == 0)
    {
      *result = SLUICE_PICK_EMPTY;
      return NULL;
    }
  if (self->balance == SLUICE_BALANCE_LEAST_LOADED)
    return pick_least_loaded (self, now, tried, n_tried, result);

  for (guint i = 0; i < n && n_candidates < G_N_ELEMENTS (candidates); i++)
    {
      /* Round-robin walks from where it stopped last time. */
      SluiceEndpoint *endpoint = all[self->balance == SLUICE_BALANCE_ROUND_ROBIN ? (self->next + i) % n : i];

      if (was_tried (endpoint, tried, n_tried))
        continue;
      untried = TRUE;
      if (!endpoint->healthy || now < endpoint->down_until)
        continue;
      healthy = TRUE;
      if (sluice_endpoint_is_full (endpoint))
        continue;
      candidates[n_candidates++] = endpoint;
      if (self->balance == SLUICE_BALANCE_ROUND_ROBIN)
        {
          self->next = (self->next + i + 1) % n;
          break;
        }
    }

  if (n_candidates == 0)
    {
      *result = !untried ? SLUICE_PICK_ALL_TRIED : !healthy ? SLUICE_PICK_NONE_HEALTHY : SLUICE_PICK_ALL_BUSY;
      return NULL;
    }

  switch (self->balance)
    {
    case SLUICE_BALANCE_ROUND_ROBIN:
      best = candidates[0];
      break;

    case SLUICE_BALANCE_RANDOM_TWO:
      {
        guint64 r = next_random (self);
        SluiceEndpoint *a = candidates[r % n_candidates];
        SluiceEndpoint *b;

        if (n_candidates == 1)
          {
            best = a;
            break;
          }
        /* A second one, never the first. */
        b = candidates[((r % n_candidates) + 1 + (r >> 32) % (n_candidates - 1)) % n_candidates];
        best = sluice_endpoint_score (b) < sluice_endpoint_score (a) ? b : a;
      }
      break;

    case SLUICE_BALANCE_LEAST_LOADED:   /* pick_least_loaded () */
    default:
      g_assert_not_reached ();
    }

  *result = SLUICE_PICK_OK;
  return best;
}
