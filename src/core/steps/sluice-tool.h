/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a tool parameter's value must be: the validator checks it, the
 * inspector picks its widget by it. */
typedef enum
{
  SLUICE_TOOL_PARAM_STRING = 0,
  SLUICE_TOOL_PARAM_INT,
  SLUICE_TOOL_PARAM_FLOAT,
  SLUICE_TOOL_PARAM_BOOL,
  SLUICE_TOOL_PARAM_DURATION,  /* SPEC durations: 250ms, 5s, 2m */
  SLUICE_TOOL_PARAM_PATH,      /* a file or folder, relative to the pipeline */
  SLUICE_TOOL_PARAM_CHOICE,    /* one of `choices` */
  SLUICE_TOOL_PARAM_SECRET,    /* never written to events, reports or logs */
  SLUICE_TOOL_PARAM_TEXT,      /* several lines (a query, a header list) */
} SluiceToolParamType;

/* Description of one parameter of a tool: declared once, used by the
 * validator, the inspector, --list-tools and the step itself. */
typedef struct
{
  const char          *name;
  const char          *description;
  gboolean             required;
  SluiceToolParamType  type;
  const char          *default_value;  /* NULL = none */
  const char * const  *choices;        /* for SLUICE_TOOL_PARAM_CHOICE, NULL-terminated */
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
  const char                *example;  /* a <use tool="…"> element, or NULL */
} SluiceToolInfo;

const SluiceToolInfo *sluice_tool_lookup (const char *name);
/* "built-in", or where a plug-in tool came from; NULL when unknown. */
const char *sluice_tool_get_origin (const char *name);
/* NULL-terminated array of every tool, sorted by name. */
const SluiceToolInfo * const *sluice_tool_list (void);

G_END_DECLS
