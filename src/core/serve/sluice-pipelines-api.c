/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sluice-pipelines-api.h"
#include "sluice-run-request.h"

void
sluice_pipelines_answer_clear (SluicePipelinesAnswer *answer)
{
  g_clear_pointer (&answer->json, json_decref);
  g_clear_pointer (&answer->bytes, g_bytes_unref);
  g_clear_pointer (&answer->location, g_free);
}

static void
answer_error (SluicePipelinesAnswer *answer,
              guint                  status,
              const char            *message)
{
  answer->status = status;
  answer->json = json_pack ("{s:s, s:i}", "error", message, "status", (int) status);
}

static void
answer_gerror (SluicePipelinesAnswer *answer,
               const GError          *error)
{
  answer_error (answer, sluice_run_manager_error_status (error), error->message);
}

static void
answer_json (SluicePipelinesAnswer *answer,
             guint                  status,
             json_t                *json)   /* taken */
{
  answer->status = status;
  answer->json = json;
}

/* Only @allowed here; HEAD goes with GET. */
static gboolean
method_is (SluicePipelinesAnswer *answer,
           const char            *method,
           const char            *allowed,
           const char            *path)
{
  g_autofree char *text = NULL;

  if (g_str_equal (method, allowed) || (g_str_equal (allowed, "GET") && g_str_equal (method, "HEAD")))
    return TRUE;
  text = g_strdup_printf ("%s %s: method not allowed (use %s)", method, path, allowed);
  answer_error (answer, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
  answer->allow = allowed;
  return FALSE;
}

static json_t *
parse_json_body (GBytes                 *body,
                 const char             *what,
                 SluicePipelinesAnswer  *answer,
                 gboolean               *ok)
{
  json_error_t jerror;
  json_t *json;

  *ok = TRUE;
  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  json = json_loadb (g_bytes_get_data (body, NULL), g_bytes_get_size (body), JSON_REJECT_DUPLICATES, &jerror);
  if (json == NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s: the body is not JSON: %s (line %d, column %d)",
                                               what, jerror.text, jerror.line, jerror.column);

      answer_error (answer, SOUP_STATUS_BAD_REQUEST, text);
      *ok = FALSE;
    }
  return json;
}

static void
trigger (SluiceRegistryRuns    *runs,
         const char            *id,
         GBytes                *body,
         SluicePipelinesAnswer *answer)
{
  g_autoptr(GHashTable) parameters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("POST /pipelines/%s/runs", id);
  SluiceRunRequest request = { 0 };
  SluiceManagedRun *run;
  gboolean start = TRUE, ok;
  json_t *json = parse_json_body (body, what, answer, &ok);

  if (!ok)
    return;
  if (!sluice_run_request_parse_trigger (json, &request, parameters, &start, &error) ||
      (run = sluice_registry_runs_trigger (runs, id, &request, start, &error)) == NULL)
    answer_gerror (answer, error);
  else
    {
      answer->location = g_strdup_printf ("/runs/%s", sluice_managed_run_get_id (run));
      answer_json (answer, SOUP_STATUS_CREATED, sluice_managed_run_to_json (run));
    }
  if (json != NULL)
    json_decref (json);
}

static void
put_pipeline (SluiceRegistryRuns    *runs,
              const char            *id,
              GBytes                *body,
              SluicePipelinesAnswer *answer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *file = g_strconcat (id, ".xml", NULL);
  gboolean created = FALSE;
  SluiceRegistryEntry *entry;

  entry = sluice_registry_runs_register (runs, id, body, &created, &problems, &error);
  if (entry == NULL)
    {
      answer_gerror (answer, error);
      if (problems != NULL)
        {
          json_t *list = json_array ();

          for (guint i = 0; i < problems->len; i++)
            json_array_append_new (list, sluice_registry_runs_problem_json (g_ptr_array_index (problems, i), file));
          json_object_set_new (answer->json, "problems", list);
        }
      return;
    }
  if (created)
    answer->location = g_strdup_printf ("/pipelines/%s", id);
  answer_json (answer, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK,
               sluice_registry_runs_get_json (runs, id, NULL));
}

static void
one_pipeline (SluiceRegistryRuns    *runs,
              const char            *method,
              const char            *id,
              GBytes                *body,
              SluicePipelinesAnswer *answer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/pipelines/%s", id);
  json_t *json;

  if (g_str_equal (method, "PUT"))
    put_pipeline (runs, id, body, answer);
  else if (g_str_equal (method, "DELETE"))
    {
      if (sluice_registry_runs_unregister (runs, id, &error))
        answer_json (answer, SOUP_STATUS_OK, json_pack ("{s:s, s:b}", "id", id, "removed", TRUE));
      else
        answer_gerror (answer, error);
    }
  else if (g_str_equal (method, "GET") || g_str_equal (method, "HEAD"))
    {
      if ((json = sluice_registry_runs_get_json (runs, id, &error)) != NULL)
        answer_json (answer, SOUP_STATUS_OK, json);
      else
        answer_gerror (answer, error);
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("%s %s: method not allowed (use GET, PUT or DELETE)", method, path);

      answer_error (answer, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
      answer->allow = "GET, PUT, DELETE";
    }
}

static void
versions (SluiceRegistryRuns    *runs,
          const char            *id,
          const char            *version,
          SluicePipelinesAnswer *answer)
{
  g_autoptr(GError) error = NULL;
  guint64 n;
  json_t *json;

  if (version == NULL)
    {
      if ((json = sluice_registry_runs_versions_json (runs, id, &error)) != NULL)
        answer_json (answer, SOUP_STATUS_OK, json);
      else
        answer_gerror (answer, error);
      return;
    }
  if (!g_ascii_string_to_unsigned (version, 10, 1, G_MAXUINT32, &n, NULL))
    {
      g_autofree char *text = g_strdup_printf ("pipeline %s: “%s” is not a version number (1, 2, …)", id, version);

      answer_error (answer, SOUP_STATUS_NOT_FOUND, text);
      return;
    }
  answer->bytes = sluice_registry_runs_get_version (runs, id, n, &error);
  if (answer->bytes == NULL)
    answer_gerror (answer, error);
  else
    {
      answer->status = SOUP_STATUS_OK;
      answer->content_type = "application/xml";
    }
}

/* "ID/versions/N" → version "N"; NULL when @rest does not end so. */
static char *
split_version (const char *rest,
               char      **id)
{
  const char *slash = strrchr (rest, '/');
  const char *before;

  if (slash == NULL || slash[1] == '\0' || strspn (slash + 1, "0123456789") != strlen (slash + 1))
    return NULL;
  before = slash - strlen ("/versions");
  if (before <= rest || !g_str_has_prefix (before, "/versions/"))
    return NULL;
  *id = g_strndup (rest, before - rest);
  return g_strdup (slash + 1);
}

void
sluice_pipelines_api_answer (SluiceRegistryRuns    *runs,
                             const char            *method,
                             const char            *rest,
                             GBytes                *body,
                             SluicePipelinesAnswer *answer)
{
  gboolean get = g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *pipeline = NULL;
  gsize length;

  if (runs == NULL)
    {
      answer_error (answer, SOUP_STATUS_NOT_FOUND,
                    "this daemon has no folder of pipelines (start it as `sluice-run daemon DIR`)");
      return;
    }
  length = strlen (rest);
  while (length > 0 && rest[length - 1] == '/')   /* a trailing slash */
    length--;
  if (length == 0)
    {
      if (method_is (answer, method, "GET", "/pipelines"))
        answer_json (answer, SOUP_STATUS_OK, sluice_registry_runs_list_json (runs));
      return;
    }
  id = g_strndup (rest, length);
  if (!g_utf8_validate (id, -1, NULL))
    {
      answer_error (answer, SOUP_STATUS_BAD_REQUEST, "pipeline id: not UTF-8");
      return;
    }

  if (g_str_has_suffix (id, "/runs") && strlen (id) > strlen ("/runs") && !get &&
      !g_str_equal (method, "PUT") && !g_str_equal (method, "DELETE"))
    {
      g_autofree char *path = NULL;

      id[strlen (id) - strlen ("/runs")] = '\0';
      path = g_strdup_printf ("/pipelines/%s/runs", id);
      if (method_is (answer, method, "POST", path))
        trigger (runs, id, body, answer);
      return;
    }
  if (get && g_str_has_suffix (id, "/versions") && strlen (id) > strlen ("/versions"))
    {
      id[strlen (id) - strlen ("/versions")] = '\0';
      versions (runs, id, NULL, answer);
      return;
    }
  if (get && (version = split_version (id, &pipeline)) != NULL)
    {
      versions (runs, pipeline, version, answer);
      return;
    }
  one_pipeline (runs, method, id, body, answer);
}
