/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-net-answer.h"

#define QUOTE_MAX 200

/* The start of a body as one line of valid UTF-8, for a message. */
static char *
quote_body (const char *body,
            gsize       length)
{
  g_autofree char *valid = g_utf8_make_valid (body, MIN (length, QUOTE_MAX));
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    g_string_append_c (out, *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
  g_strstrip (out->str);
  if (length > QUOTE_MAX)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

/* What the server said about a failure: {"error": "…"} as serve sends
 * it, else the text itself. */
static char *
server_message (const char *body,
                gsize       length)
{
  json_t *json = json_loadb (body, length, JSON_DECODE_ANY, NULL);
  char *message = NULL;

  if (json != NULL && json_is_object (json) && json_is_string (json_object_get (json, "error")))
    {
      const char *module = json_string_value (json_object_get (json, "module"));
      const char *error = json_string_value (json_object_get (json, "error"));

      message = module != NULL ? g_strdup_printf ("module `%s`: %s", module, error) : g_strdup (error);
    }
  json_decref (json);

  return message != NULL ? message : quote_body (body, length);
}

static gboolean
is_json_type (const char *content_type)
{
  /* No type at all is accepted: many small servers send none. */
  return content_type == NULL ||
         g_ascii_strcasecmp (content_type, "application/json") == 0 ||
         g_str_has_suffix (content_type, "+json");
}

SluiceAnswerKind
sluice_net_answer_read (guint        status,
                        const char  *reason,
                        const char  *content_type,
                        const char  *body,
                        gsize        length,
                        json_t     **outputs,
                        char       **message)
{
  json_error_t error;
  json_t *json;
  json_t *array;

  *outputs = NULL;
  *message = NULL;

  if (status >= 400)
    {
      g_autofree char *said = server_message (body, length);

      *message = g_strdup_printf ("answered %u %s%s%s", status, reason != NULL ? reason : "",
                                  *said != '\0' ? ": " : "", said);
      if (status < 500)
        return SLUICE_ANSWER_REJECTED;
      return status == 503 ? SLUICE_ANSWER_BUSY : SLUICE_ANSWER_BROKEN;
    }

  if (status < 200 || status >= 300)
    {
      *message = g_strdup_printf ("answered %u %s, not 200 with JSON", status, reason != NULL ? reason : "");
      return SLUICE_ANSWER_BROKEN;
    }

  if (!is_json_type (content_type))
    {
      g_autofree char *said = quote_body (body, length);

      *message = g_strdup_printf ("answered %u with %s, not JSON: %s", status, content_type, said);
      return SLUICE_ANSWER_BROKEN;
    }

  json = json_loadb (body, length, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
  if (json == NULL)
    {
      g_autofree char *said = quote_body (body, length);

      *message = length == 0
        ? g_strdup_printf ("answered %u with an empty body, not JSON", status)
        : g_strdup_printf ("answered %u with something that is not JSON (%s at byte %d): %s",
                           status, error.text, error.position, said);
      return SLUICE_ANSWER_BROKEN;
    }

  if (json_is_object (json))
    {
      array = json_array ();
      json_array_append_new (array, json);
    }
  else if (json_is_array (json))
    {
      size_t i;
      json_t *value;

      json_array_foreach (json, i, value)
        if (!json_is_object (value))
          {
            g_autofree char *said = json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
            g_autofree char *shown = quote_body (said, strlen (said));

            *message = g_strdup_printf ("answered %u with an array whose element %zu is not an object: %s",
                                        status, i, shown);
            json_decref (json);
            return SLUICE_ANSWER_BROKEN;
          }
      array = json;
    }
  else
    {
      g_autofree char *said = quote_body (body, length);

      *message = g_strdup_printf ("answered %u with JSON that is neither an object nor an array of objects: %s",
                                  status, said);
      json_decref (json);
      return SLUICE_ANSWER_BROKEN;
    }

  *outputs = array;
  return SLUICE_ANSWER_OK;
}

char *
sluice_net_answer_item_error (json_t *element)
{
  const char *error = json_string_value (json_object_get (element, "error"));
  const char *module = json_string_value (json_object_get (element, "module"));

  if (!json_is_object (element) || error == NULL)
    return NULL;
  return module != NULL ? g_strdup_printf ("module `%s`: %s", module, error) : g_strdup (error);
}

static gboolean
is_array_of_objects (json_t *value)
{
  size_t i;
  json_t *element;

  if (!json_is_array (value))
    return FALSE;
  json_array_foreach (value, i, element)
    if (!json_is_object (element))
      return FALSE;
  return TRUE;
}

SluiceAnswerKind
sluice_net_answer_read_batch (guint        status,
                              const char  *content_type,
                              const char  *body,
                              gsize        length,
                              guint        n,
                              json_t     **results,
                              char       **message)
{
  json_error_t error;
  json_t *json;
  size_t i;
  json_t *element;

  *results = NULL;
  *message = NULL;

  if (!is_json_type (content_type))
    {
      g_autofree char *said = quote_body (body, length);

      *message = g_strdup_printf ("answered a batch %u with %s, not JSON: %s", status, content_type, said);
      return SLUICE_ANSWER_BROKEN;
    }
  json = json_loadb (body, length, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
  if (json == NULL)
    {
      g_autofree char *said = quote_body (body, length);

      *message = g_strdup_printf ("answered a batch %u with something that is not JSON (%s at byte %d): %s",
                                  status, error.text, error.position, said);
      return SLUICE_ANSWER_BROKEN;
    }
  if (!json_is_array (json) || json_array_size (json) != n)
    {
      g_autofree char *said = quote_body (body, length);

      *message = g_strdup_printf ("answered a batch of %u items with %s, not an array of %u answers: %s", n,
                                  json_is_array (json) ? "an array of another length" : "something else", n, said);
      json_decref (json);
      return SLUICE_ANSWER_BROKEN;
    }
  json_array_foreach (json, i, element)
    {
      g_autofree char *item_error = sluice_net_answer_item_error (element);

      if (item_error == NULL && !is_array_of_objects (element))
        {
          g_autofree char *said = json_dumps (element, JSON_ENCODE_ANY | JSON_COMPACT);
          g_autofree char *shown = quote_body (said, strlen (said));

          *message = g_strdup_printf ("answered a batch with element %zu neither an array of objects nor an error: %s",
                                      i, shown);
          json_decref (json);
          return SLUICE_ANSWER_BROKEN;
        }
    }
  *results = json;
  return SLUICE_ANSWER_OK;
}
