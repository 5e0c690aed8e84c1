/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-tool.h"

static const SluiceToolParamInfo delay_params[] = {
  { "duration", N_("Fixed pause, e.g. 250ms or 2s"), FALSE },
  { "min", N_("Shortest pause of a random range"), FALSE },
  { "max", N_("Longest pause of a random range"), FALSE },
  { NULL, NULL, FALSE },
};

static const SluiceToolInfo delay_tool = {
  "delay",
  N_("Delay"),
  N_("Pauses each item without blocking others: a fixed duration, or a random one between min and max"),
  delay_params,
};

static const SluiceToolInfo * const all_tools[] = {
  &delay_tool,
  NULL,
};

const SluiceToolInfo *
sluice_tool_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; all_tools[i] != NULL; i++)
    if (g_str_equal (all_tools[i]->name, name))
      return all_tools[i];

  return NULL;
}

const SluiceToolInfo * const *
sluice_tool_list (void)
{
  return all_tools;
}
