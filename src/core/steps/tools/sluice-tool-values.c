/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-execution.h"
#include "sluice-params.h"
#include "sluice-run-state.h"
#include "sluice-tool-values.h"

void
sluice_tool_values_init (SluiceToolValues     *values,
                         SluiceModule         *module,
                         SluiceStepContext    *context,
                         const SluiceToolInfo *info)
{
  values->module = module;
  values->context = context;
  values->info = info;
  values->id = sluice_node_get_id (SLUICE_NODE (module));
}

static const SluiceToolParamInfo *
find_info (SluiceToolValues *values,
           const char       *name)
{
  for (guint i = 0; values->info->params[i].name != NULL; i++)
    if (g_str_equal (values->info->params[i].name, name))
      return &values->info->params[i];
  g_assert_not_reached ();
}

static const char *
raw_value (SluiceToolValues *values,
           const char       *name)
{
  const char *raw = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (values->module), name);

  return raw != NULL ? raw : find_info (values, name)->default_value;
}

static char *
substitute (SluiceToolValues  *values,
            const char        *name,
            const char        *raw,
            GError           **error)
{
  g_autoptr(GError) local = NULL;
  char *value = sluice_params_substitute (raw, values->context->params, FALSE, &local);

  if (value == NULL)
    g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                 "module “%s”: parameter “%s” of tool “%s”: %s",
                 values->id, name, values->info->name, local->message);
  return value;
}

char *
sluice_tool_values_string (SluiceToolValues  *values,
                           const char        *name,
                           GError           **error)
{
  const char *raw = raw_value (values, name);

  if (raw == NULL)
    return NULL;
  return substitute (values, name, raw, error);
}

gboolean
sluice_tool_text_is_one_line (const char *text)
{
  return strpbrk (text, "\r\n") == NULL;
}

char *
sluice_tool_values_line (SluiceToolValues  *values,
                         const char        *name,
                         GError           **error)
{
  g_autofree char *value = sluice_tool_values_string (values, name, error);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (!sluice_tool_text_is_one_line (value))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: parameter “%s” of tool “%s” has a line break after substitution; refused",
                   values->id, name, values->info->name);
      return NULL;
    }
  return g_steal_pointer (&value);
}

GStrv
sluice_tool_values_lines (SluiceToolValues  *values,
                          const char        *name,
                          GError           **error)
{
  const char *raw = raw_value (values, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  if (raw == NULL)
    return g_strv_builder_end (builder);

  lines = g_strsplit (raw, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      line = substitute (values, name, lines[i], error);
      if (line == NULL)
        return NULL;
      if (!sluice_tool_text_is_one_line (line))
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: line %u of parameter “%s” of tool “%s” has a line break after substitution; refused",
                       values->id, i + 1, name, values->info->name);
          return NULL;
        }
      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

char *
sluice_tool_values_secret (SluiceToolValues  *values,
                           const char        *file_param,
                           const char        *env_param,
                           GError           **error)
{
  g_autofree char *file = sluice_tool_values_line (values, file_param, error);
  g_autofree char *env = NULL;
  g_autofree char *secret = NULL;

  if (file == NULL && error != NULL && *error != NULL)
    return NULL;
  env = sluice_tool_values_line (values, env_param, error);
  if (env == NULL && error != NULL && *error != NULL)
    return NULL;

  if (file != NULL && env != NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: tool “%s” takes “%s” or “%s”, not both",
                   values->id, values->info->name, file_param, env_param);
      return NULL;
    }

  if (file != NULL)
    {
      g_autofree char *path = g_path_is_absolute (file) || values->context->base_directory == NULL
                              ? g_strdup (file)
                              : g_build_filename (values->context->base_directory, file, NULL);
      g_autoptr(GError) local = NULL;

      if (!g_file_get_contents (path, &secret, NULL, &local))
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: cannot read the secret of tool “%s”: %s",
                       values->id, values->info->name, local->message);
          return NULL;
        }
      /* A file written by an editor or `echo` ends in a newline. */
      g_strchomp (secret);
      if (!sluice_tool_text_is_one_line (secret) || strlen (secret) == 0)
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: the secret in “%s” must be one non-empty line",
                       values->id, path);
          return NULL;
        }
    }
  else if (env != NULL)
    {
      const char *value = g_getenv (env);

      if (value == NULL || value[0] == '\0' || !sluice_tool_text_is_one_line (value))
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: the environment variable “%s” of tool “%s” is %s",
                       values->id, env, values->info->name,
                       value == NULL || value[0] == '\0' ? "not set" : "not one line");
          return NULL;
        }
      secret = g_strdup (value);
    }

  return g_steal_pointer (&secret);
}

char *
sluice_tool_redact (const char *text,
                    const char *secret)
{
  GString *out;
  const char *at;
  gsize length;

  if (text == NULL)
    return NULL;
  if (secret == NULL || secret[0] == '\0')
    return g_strdup (text);

  out = g_string_new (NULL);
  length = strlen (secret);
  while ((at = strstr (text, secret)) != NULL)
    {
      g_string_append_len (out, text, at - text);
      g_string_append (out, "***");
      text = at + length;
    }
  g_string_append (out, text);
  return g_string_free (out, FALSE);
}
