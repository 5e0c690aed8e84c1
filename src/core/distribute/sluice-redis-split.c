/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-redis-split.h"

gboolean
sluice_redis_pipeline_has_distributed (SluicePipeline *pipeline)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);

      if (sluice_controller_get_distribute (controller) != NULL)
        return TRUE;
    }
  return FALSE;
}

char *
sluice_redis_controller_stream_id (SluicePipeline   *pipeline,
                                   SluiceController *controller)
{
  return g_strdup_printf ("%s/%s", sluice_node_get_id (SLUICE_NODE (pipeline)),
                          sluice_node_get_id (SLUICE_NODE (controller)));
}

void
sluice_redis_pipeline_keep_controllers (SluicePipeline *pipeline,
                                        guint           from,
                                        guint           to)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = n; i > 0; i--)
    if (i - 1 < from || i - 1 >= to)
      sluice_node_list_remove (controllers, i - 1);
}
