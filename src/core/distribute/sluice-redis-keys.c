/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-redis-keys.h"

char *
sluice_redis_items_key (const char *pipeline_id)
{
  return g_strdup_printf ("sluice:{%s}:items", pipeline_id);
}

char *
sluice_redis_results_key (const char *pipeline_id,
                          const char *run_id)
{
  return g_strdup_printf ("sluice:{%s}:results:%s", pipeline_id, run_id);
}

char *
sluice_redis_dead_key (const char *pipeline_id)
{
  return g_strdup_printf ("sluice:{%s}:dead", pipeline_id);
}
