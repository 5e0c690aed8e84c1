/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-controller.h"
#include "sluice-validator-private.h"

/* distribute="redis" on a controller: its items go to `sluice-run worker`
 * processes through the stream sluice:{PIPELINE/CONTROLLER}:items, so
 * the controller needs an id for workers and runs to meet at. */
void
_sluice_check_distribute (SluiceCheck      *check,
                          SluiceController *controller)
{
  if (sluice_controller_get_distribute (controller) == NULL)
    return;
  if (_sluice_check_str_empty (sluice_node_get_id (SLUICE_NODE (controller))))
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (controller)),
                          SLUICE_NODE (controller),
                          _("a controller with distribute=\"%s\" needs an id: workers find its items by it"),
                          sluice_controller_get_distribute (controller));
}
