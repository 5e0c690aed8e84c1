/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Description of one parameter of a built-in tool. */
typedef struct
{
  const char *name;
  const char *description;
  gboolean    required;
} SluiceToolParamInfo;

/* The registry of built-in tools that <use tool="…"> may name. This is
 * what the validator checks names against and what the designer's palette
 * lists; the executor maps names to implementations. */
typedef struct
{
  const char                *name;
  const char                *title;
  const char                *description;
  const SluiceToolParamInfo *params;   /* terminated by a NULL name */
} SluiceToolInfo;

const SluiceToolInfo *sluice_tool_lookup (const char *name);
/* NULL-terminated array of every tool, sorted by name. */
const SluiceToolInfo * const *sluice_tool_list (void);

G_END_DECLS
