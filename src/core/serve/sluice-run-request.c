/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-run-request.h"

static gboolean
parse_parameters (json_t      *json,
                  GHashTable  *parameters,
                  GError     **error)
{
  const char *name;
  json_t *value;

  if (json == NULL || json_is_null (json))
    return TRUE;
  if (!json_is_object (json))
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                   "parameters: expected an object of name: value");
      return FALSE;
    }
  json_object_foreach (json, name, value)
    {
      char *text;

      if (json_is_string (value))
        text = g_strdup (json_string_value (value));
      else if (json_is_integer (value))
        text = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
      else if (json_is_real (value))
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_real_value (value)));
        }
      else if (json_is_boolean (value))
        text = g_strdup (json_is_true (value) ? "true" : "false");
      else
        {
          g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                       "parameters.%s: expected a string, number or boolean", name);
          return FALSE;
        }
      g_hash_table_insert (parameters, g_strdup (name), text);
    }
  return TRUE;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID, message);
  return FALSE;
}

/* Refuses fields not in @known, so that a typo is not silently ignored. */
static gboolean
only_known (json_t              *body,
            const char * const  *known,
            const char          *list,
            GError             **error)
{
  const char *key;
  json_t *value;

  json_object_foreach (body, key, value)
    if (!g_strv_contains (known, key))
      {
        g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                     "%s: unknown field (known: %s)", key, list);
        return FALSE;
      }
  return TRUE;
}

/* parameters, input and start, shared by both bodies. */
static gboolean
parse_run_fields (json_t            *body,
                  SluiceRunRequest  *request,
                  GHashTable        *parameters,
                  gboolean           start_default,
                  gboolean          *start,
                  GError           **error)
{
  json_t *input, *value;

  if (!parse_parameters (json_object_get (body, "parameters"), parameters, error))
    return FALSE;
  request->parameters = parameters;

  input = json_object_get (body, "input");
  if (json_is_array (input))
    request->input_items = input;
  else if (json_is_object (input) && json_object_get (input, "items") != NULL)
    request->input_items = json_object_get (input, "items");
  else if (json_is_object (input) && json_is_string (json_object_get (input, "path")))
    request->input_path = json_string_value (json_object_get (input, "path"));
  else if (input != NULL && !json_is_null (input))
    return invalid (error, "input: expected null, an array of items, {\"items\": […]} or {\"path\": …}");

  value = json_object_get (body, "start");
  if (value != NULL && !json_is_boolean (value))
    return invalid (error, "start: expected true or false");
  *start = value != NULL ? json_is_true (value) : start_default;
  return TRUE;
}

gboolean
sluice_run_request_parse (json_t            *body,
                          SluiceRunRequest  *request,
                          GHashTable        *parameters,
                          gboolean          *start,
                          GError           **error)
{
  static const char *known[] = { "pipeline", "parameters", "input", "start", NULL };
  json_t *pipeline;

  if (!json_is_object (body))
    return invalid (error, "the body must be a JSON object with \"pipeline\"");
  if (!only_known (body, known, "pipeline, parameters, input, start", error))
    return FALSE;

  pipeline = json_object_get (body, "pipeline");
  if (json_is_string (pipeline))
    request->pipeline_path = json_string_value (pipeline);
  else if (json_is_object (pipeline) && json_is_string (json_object_get (pipeline, "path")))
    request->pipeline_path = json_string_value (json_object_get (pipeline, "path"));
  else if (json_is_object (pipeline) && json_is_string (json_object_get (pipeline, "xml")))
    request->pipeline_xml = json_string_value (json_object_get (pipeline, "xml"));
  else
    return invalid (error, "pipeline: expected a file path, {\"path\": …} or {\"xml\": …}");

  return parse_run_fields (body, request, parameters, FALSE, start, error);
}

gboolean
sluice_run_request_parse_trigger (json_t            *body,
                                  SluiceRunRequest  *request,
                                  GHashTable        *parameters,
                                  gboolean          *start,
                                  GError           **error)
{
  static const char *known[] = { "parameters", "input", "start", NULL };

  if (body == NULL)
    {
      *start = TRUE;
      return TRUE;
    }
  if (!json_is_object (body))
    return invalid (error, "the body must be a JSON object (parameters, input, start) or empty");
  if (!only_known (body, known, "parameters, input, start", error))
    return FALSE;
  return parse_run_fields (body, request, parameters, TRUE, start, error);
}
