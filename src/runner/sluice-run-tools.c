/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "sluice-run-options.h"
#include "sluice-run-tools.h"
#include "sluice-tool-params.h"
#include "sluice-tool.h"

static char *
type_text (const SluiceToolParamInfo *param)
{
  if (param->type == SLUICE_TOOL_PARAM_CHOICE && param->choices != NULL)
    {
      g_autofree char *choices = g_strjoinv ("|", (char **) param->choices);

      return g_strdup_printf ("choice: %s", choices);
    }
  return g_strdup (sluice_tool_param_type_name (param->type));
}

static void
print_text (const SluiceToolInfo *tool)
{
  printf ("%s — %s (%s)\n", tool->name, _(tool->title), sluice_tool_get_origin (tool->name));
  printf ("  %s\n", _(tool->description));
  for (guint i = 0; tool->params != NULL && tool->params[i].name != NULL; i++)
    {
      const SluiceToolParamInfo *param = &tool->params[i];
      g_autofree char *type = type_text (param);

      printf ("  %-16s %-10s %s%s", param->name, type, _(param->description),
              param->required ? _(" (required)") : "");
      if (param->default_value != NULL)
        printf (_(" [default: %s]"), param->default_value);
      printf ("\n");
    }
  printf ("\n");
}

/* Markdown table cells: no bars or new lines. */
static char *
cell (const char *text)
{
  g_autoptr(GString) out = g_string_new (text);

  g_string_replace (out, "|", "\\|", 0);
  g_string_replace (out, "\n", " ", 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
print_markdown (const SluiceToolInfo *tool)
{
  printf ("### `%s` — %s\n\n%s (%s)\n\n", tool->name, tool->title, tool->description,
          sluice_tool_get_origin (tool->name));
  printf ("| parameter | type | default | description |\n| --- | --- | --- | --- |\n");
  for (guint i = 0; tool->params != NULL && tool->params[i].name != NULL; i++)
    {
      const SluiceToolParamInfo *param = &tool->params[i];
      g_autofree char *type = type_text (param);
      g_autofree char *type_cell = cell (type);
      g_autofree char *description = cell (param->description);
      g_autofree char *default_cell = param->default_value != NULL ? cell (param->default_value) : NULL;

      printf ("| `%s` | %s | %s%s%s | %s%s |\n", param->name, type_cell,
              default_cell != NULL ? "`" : "", default_cell != NULL ? default_cell : (param->required ? "required" : ""),
              default_cell != NULL ? "`" : "",
              description, param->required && default_cell != NULL ? " (required)" : "");
    }
  if (tool->example != NULL)
    printf ("\n```xml\n%s\n```\n", tool->example);
  printf ("\n");
}

int
sluice_run_list_tools (const char *format)
{
  const SluiceToolInfo * const *tools = sluice_tool_list ();
  gboolean markdown = format != NULL && g_str_equal (format, "markdown");

  if (format != NULL && !markdown && !g_str_equal (format, "text"))
    {
      fprintf (stderr, _("sluice-run: --list-tools prints text or markdown, not “%s”\n"), format);
      return SLUICE_EXIT_INVALID;
    }

  for (guint i = 0; tools[i] != NULL; i++)
    {
      if (markdown)
        print_markdown (tools[i]);
      else
        print_text (tools[i]);
    }

  return SLUICE_EXIT_COMPLETED;
}
