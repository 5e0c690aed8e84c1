/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-rate-limit.h"

void
sluice_rate_limit_init (SluiceRateLimit *limit,
                        double           rate)
{
  limit->rate = rate;
  limit->next_slot = 0;
}

gint64
sluice_rate_limit_take (SluiceRateLimit *limit,
                        gint64           now)
{
  gint64 slot;

  if (limit->rate <= 0)
    return now;

  slot = MAX (now, limit->next_slot);
  limit->next_slot = slot + (gint64) (G_USEC_PER_SEC / limit->rate);
  return slot;
}
