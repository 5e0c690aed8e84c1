/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-duration.h"
#include "sluice-execution.h"
#include "sluice-params.h"
#include "sluice-run-state.h"
#include "sluice-tool-params.h"

struct _SluiceToolParams
{
  const SluiceToolInfo *info;     /* borrowed from the step's class */
  char                 *module_id;
  SluiceStepContext    *context;  /* borrowed: its base directory is set after prepare */
  GHashTable           *values;   /* name → substituted value, owned */
};

const char *
sluice_tool_param_type_name (SluiceToolParamType type)
{
  switch (type)
    {
    case SLUICE_TOOL_PARAM_INT:      return "int";
    case SLUICE_TOOL_PARAM_FLOAT:    return "float";
    case SLUICE_TOOL_PARAM_BOOL:     return "bool";
    case SLUICE_TOOL_PARAM_DURATION: return "duration";
    case SLUICE_TOOL_PARAM_PATH:     return "path";
    case SLUICE_TOOL_PARAM_CHOICE:   return "choice";
    case SLUICE_TOOL_PARAM_SECRET:   return "secret";
    case SLUICE_TOOL_PARAM_TEXT:     return "text";
    case SLUICE_TOOL_PARAM_STRING:
    default:                         return "string";
    }
}

const SluiceToolParamInfo *
sluice_tool_info_find_param (const SluiceToolInfo *info,
                             const char           *name)
{
  for (guint i = 0; info->params != NULL && info->params[i].name != NULL; i++)
    if (g_str_equal (info->params[i].name, name))
      return &info->params[i];
  return NULL;
}

gboolean
sluice_tool_param_parse_bool (const char *value,
                              gboolean   *result)
{
  static const char * const yes[] = { "true", "yes", "on", "1" };
  static const char * const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (value, yes[i]) == 0)
        return *result = TRUE, TRUE;
      if (g_ascii_strcasecmp (value, no[i]) == 0)
        return *result = FALSE, TRUE;
    }
  return FALSE;
}

static gboolean
parse_int (const char *value,
           gint64     *result)
{
  return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, result, NULL);
}

static gboolean
parse_float (const char *value,
             double     *result)
{
  char *end = NULL;

  if (*value == '\0' || g_ascii_isspace (*value))
    return FALSE;
  errno = 0;
  *result = g_ascii_strtod (value, &end);
  return errno == 0 && *end == '\0';
}

char *
sluice_tool_param_check_value (const SluiceToolParamInfo *info,
                               const char                *value)
{
  gint64 i;
  double d;
  gboolean b;

  if (value == NULL)
    value = "";

  switch (info->type)
    {
    case SLUICE_TOOL_PARAM_INT:
      if (!parse_int (value, &i))
        return g_strdup_printf (_("`%s` is not a whole number: `%s`"), info->name, value);
      return NULL;

    case SLUICE_TOOL_PARAM_FLOAT:
      if (!parse_float (value, &d))
        return g_strdup_printf (_("`%s` is not a number: `%s`"), info->name, value);
      return NULL;

    case SLUICE_TOOL_PARAM_BOOL:
      if (!sluice_tool_param_parse_bool (value, &b))
        return g_strdup_printf (_("`%s` is not true or false: `%s`"), info->name, value);
      return NULL;

    case SLUICE_TOOL_PARAM_DURATION:
      if (!sluice_duration_parse (value, &i))
        return g_strdup_printf (_("`%s` is not a duration like 250ms, 30s or 5m: `%s`"), info->name, value);
      return NULL;

    case SLUICE_TOOL_PARAM_CHOICE:
      for (guint k = 0; info->choices != NULL && info->choices[k] != NULL; k++)
        if (g_str_equal (info->choices[k], value))
          return NULL;
      {
        g_autofree char *choices = info->choices != NULL ? g_strjoinv (", ", (char **) info->choices) : g_strdup ("");

        return g_strdup_printf (_("`%s` must be one of %s, not `%s`"), info->name, choices, value);
      }

    case SLUICE_TOOL_PARAM_PATH:
      if (*value == '\0')
        return g_strdup_printf (_("`%s` is an empty path"), info->name);
      return NULL;

    case SLUICE_TOOL_PARAM_STRING:
    case SLUICE_TOOL_PARAM_SECRET:
    case SLUICE_TOOL_PARAM_TEXT:
    default:
      return NULL;
    }
}

SluiceToolParams *
sluice_tool_params_new (SluiceStep         *step,
                        SluiceModule       *module,
                        SluiceStepContext  *context,
                        GError            **error)
{
  g_autoptr(SluiceToolParams) self = g_new0 (SluiceToolParams, 1);
  const SluiceToolInfo *info = sluice_step_get_info (step);
  SluiceExecution *execution = SLUICE_EXECUTION (module);

  self->info = info;
  self->module_id = g_strdup (sluice_node_get_id (SLUICE_NODE (module)));
  self->context = context;
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; info->params != NULL && info->params[i].name != NULL; i++)
    {
      const SluiceToolParamInfo *param = &info->params[i];
      const char *raw = sluice_execution_lookup_tool_param (execution, param->name);
      g_autoptr(GError) local = NULL;
      g_autofree char *value = NULL;
      g_autofree char *why = NULL;

      if (raw == NULL)
        raw = param->default_value;
      if (raw == NULL)
        {
          if (param->required)
            {
              sluice_tool_params_set_error (self, error, param->name, "is required");
              return NULL;
            }
          continue;
        }

      value = sluice_params_substitute (raw, context->params, FALSE, &local);
      if (value == NULL)
        {
          sluice_tool_params_set_error (self, error, param->name, "%s", local->message);
          return NULL;
        }
      why = sluice_tool_param_check_value (param, value);
      if (why != NULL)
        {
          /* A secret's value is never repeated. */
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”, tool “%s”: %s", self->module_id, info->name,
                       param->type == SLUICE_TOOL_PARAM_SECRET ? "bad secret" : why);
          return NULL;
        }
      g_hash_table_insert (self->values, (gpointer) param->name, g_steal_pointer (&value));
    }

  return g_steal_pointer (&self);
}

void
sluice_tool_params_free (SluiceToolParams *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self->module_id);
  g_free (self);
}

const char *
sluice_tool_params_get (SluiceToolParams *self,
                        const char       *name)
{
  return g_hash_table_lookup (self->values, name);
}

gboolean
sluice_tool_params_has (SluiceToolParams *self,
                        const char       *name)
{
  return g_hash_table_contains (self->values, name);
}

gint64
sluice_tool_params_get_int (SluiceToolParams *self,
                            const char       *name)
{
  const char *value = sluice_tool_params_get (self, name);
  gint64 result = 0;

  if (value != NULL)
    parse_int (value, &result);
  return result;
}

double
sluice_tool_params_get_float (SluiceToolParams *self,
                              const char       *name)
{
  const char *value = sluice_tool_params_get (self, name);
  double result = 0;

  if (value != NULL)
    parse_float (value, &result);
  return result;
}

gboolean
sluice_tool_params_get_bool (SluiceToolParams *self,
                             const char       *name)
{
  const char *value = sluice_tool_params_get (self, name);
  gboolean result = FALSE;

  if (value != NULL)
    sluice_tool_param_parse_bool (value, &result);
  return result;
}

gint64
sluice_tool_params_get_duration_us (SluiceToolParams *self,
                                    const char       *name)
{
  const char *value = sluice_tool_params_get (self, name);
  gint64 ms = 0;

  if (value != NULL)
    sluice_duration_parse (value, &ms);
  return ms * 1000;
}

char *
sluice_tool_params_get_path (SluiceToolParams *self,
                             const char       *name)
{
  const char *value = sluice_tool_params_get (self, name);

  if (value == NULL)
    return NULL;
  if (g_path_is_absolute (value) || self->context->base_directory == NULL)
    return g_strdup (value);
  return g_build_filename (self->context->base_directory, value, NULL);
}

const char *
sluice_tool_params_get_module_id (SluiceToolParams *self)
{
  return self->module_id;
}

void
sluice_tool_params_set_error (SluiceToolParams  *self,
                              GError           **error,
                              const char        *name,
                              const char        *format,
                              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
               "module “%s”, tool “%s”, parameter “%s”: %s",
               self->module_id, self->info->name, name, message);
}
