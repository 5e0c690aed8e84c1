/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sluice-execution.h"
#include "sluice-run-state.h"
#include "sluice-tool-http-private.h"
#include "sluice-tool-params.h"
#include "sluice-tool-values.h"

/* The http extractor: one trigger item becomes the items of one or more
 * pages of a JSON API. This file reads and checks the settings; the
 * requests of one item (rate, retries, pages) are in
 * sluice-tool-http-call.c.
 *
 * side_effects is TRUE for the whole class: a step's class declares it,
 * and the same tool sends POST, PUT and DELETE, which act on the world. A
 * dry run therefore records an http GET too instead of sending it; that
 * errs on the safe side. */

G_DEFINE_FINAL_TYPE (SluiceToolHttp, sluice_tool_http, SLUICE_TYPE_STEP)

static const char * const method_choices[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
static const char * const pages_choices[] = { "none", "link", "next", "cursor", "page", NULL };

static const SluiceToolParamInfo http_params[] = {
  { "url", N_("The URL (http or https); ${name}s are substituted"), TRUE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "method", N_("HTTP method"), FALSE, SLUICE_TOOL_PARAM_CHOICE, "GET", method_choices },
  { "headers", N_("Request headers, one “Name: value” a line"), FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "query", N_("Query parameters, one “name=value” a line (encoded for you)"), FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "body", N_("Request body; without it POST, PUT and PATCH send the item as JSON"), FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "items", N_("JSON path to the items in an answer, e.g. data.items; empty = the whole answer"), FALSE, SLUICE_TOOL_PARAM_STRING, "", NULL },
  { "paginate", N_("How to reach the next page: none, link (Link header), next (a URL field), cursor, page (number)"), FALSE, SLUICE_TOOL_PARAM_CHOICE, "none", pages_choices },
  { "next-field", N_("JSON path to the next URL (paginate=next) or the next cursor (paginate=cursor)"), FALSE, SLUICE_TOOL_PARAM_STRING, "next", NULL },
  { "page-param", N_("Query parameter carrying the cursor or the page number"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "first-page", N_("Number of the first page (paginate=page)"), FALSE, SLUICE_TOOL_PARAM_INT, "1", NULL },
  { "max-pages", N_("Stop after this many pages (a warning in the log)"), FALSE, SLUICE_TOOL_PARAM_INT, "1000", NULL },
  { "timeout", N_("Time-out of each request"), FALSE, SLUICE_TOOL_PARAM_DURATION, "30s", NULL },
  { "retries", N_("Retries of a request after a 429, a 5xx, a time-out or a lost connection"), FALSE, SLUICE_TOOL_PARAM_INT, "3", NULL },
  { "retry-delay", N_("First wait before a retry, doubled each time"), FALSE, SLUICE_TOOL_PARAM_DURATION, "500ms", NULL },
  { "max-wait", N_("Longest wait before a retry, also for a longer Retry-After"), FALSE, SLUICE_TOOL_PARAM_DURATION, "1m", NULL },
  { "rate", N_("Requests per second for all items of the module; 0 = no limit"), FALSE, SLUICE_TOOL_PARAM_FLOAT, "0", NULL },
  { "secret-header", N_("Header that carries the secret, e.g. Authorization"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "secret-file", N_("File holding the secret header's value"), FALSE, SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "secret-env", N_("Environment variable holding the secret header's value"), FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "max-bytes", N_("Largest answer read, in bytes"), FALSE, SLUICE_TOOL_PARAM_INT, "67108864", NULL },
  { "ca-file", N_("PEM file of the certificate authorities to trust instead of the system's"), FALSE, SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo http_info = {
  "http",
  N_("HTTP extractor"),
  N_("Calls a JSON API and emits the items of its answer, page after page, with retries and a rate limit"),
  http_params,
  "<execution id=\"orders\" timeout=\"5m\">\n"
  "  <use tool=\"http\">\n"
  "    <param name=\"url\">${api}/v1/orders</param>\n"
  "    <param name=\"query\">status=paid</param>\n"
  "    <param name=\"secret-header\">Authorization</param>\n"
  "    <param name=\"secret-env\">ORDERS_TOKEN</param>\n"
  "    <param name=\"items\">data.orders</param>\n"
  "    <param name=\"paginate\">link</param>\n"
  "    <param name=\"rate\">5</param>\n"
  "  </use>\n"
  "</execution>",
};

/* RFC 9110 token characters: what a header name may hold. */
static gboolean
is_header_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
has_reference (const char *text)
{
  return text != NULL && strstr (text, "${") != NULL;
}

static void
check_url (SluiceStepCheck *check,
           const char      *id,
           guint            line,
           const char      *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || has_reference (url))
    return;
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: `url` of tool `http` is not an http:// or https:// URL: `%s`"),
                              id, url);
}

static void
check_headers (SluiceStepCheck *check,
               const char      *id,
               guint            line,
               const char      *headers)
{
  g_auto(GStrv) lines = NULL;

  if (headers == NULL)
    return;
  lines = g_strsplit (headers, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *text = g_strstrip (lines[i]);
      char *colon = strchr (text, ':');
      g_autofree char *name = NULL;

      if (*text == '\0')
        continue;
      name = colon != NULL ? g_strstrip (g_strndup (text, colon - text)) : g_strdup (text);
      if (colon == NULL || (!has_reference (name) && !is_header_name (name)))
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line + i,
                                  _("module `%s`: `headers` of tool `http` wants “Name: value” lines, not `%s`"),
                                  id, text);
    }
}

static void
sluice_tool_http_check (SluiceStepClass *klass,
                        SluiceModule    *module,
                        SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  guint line = sluice_node_get_line (SLUICE_NODE (module));
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  gboolean secret_source = FALSE, secret_header = FALSE;

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);
      guint at = param->line ? param->line : line;

      if (g_str_equal (param->name, "url"))
        check_url (check, id, at, param->value);
      else if (g_str_equal (param->name, "headers"))
        check_headers (check, id, at, param->value);
      else if ((g_str_equal (param->name, "items") || g_str_equal (param->name, "next-field")) &&
               param->value != NULL && !has_reference (param->value))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(SluiceJsonPath) path = sluice_json_path_parse_document (param->value, &error);

          if (path == NULL)
            sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, at,
                                      _("module `%s`: `%s` of tool `http`: %s"), id, param->name, error->message);
        }
      else if (g_str_equal (param->name, "secret-file") || g_str_equal (param->name, "secret-env"))
        secret_source = TRUE;
      else if (g_str_equal (param->name, "secret-header"))
        secret_header = TRUE;
    }

  if (secret_source != secret_header)
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: tool `http` needs `secret-header` together with `secret-file` or `secret-env`"),
                              id);
}

static gboolean tool_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
tool_error (GError     **error,
            const char  *format,
            ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
read_url (SluiceToolHttp    *self,
          SluiceToolValues  *values,
          GError           **error)
{
  g_autofree char *url = sluice_tool_values_line (values, "url", error);
  g_auto(GStrv) query = NULL;
  g_autoptr(GUri) uri = NULL;
  GString *full;

  if (url == NULL)
    return error != NULL && *error != NULL ? FALSE
           : tool_error (error, "module “%s”: tool “http” needs “%s”", values->id, "url");
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
       g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
    return tool_error (error, "module “%s”: “url” of tool “http” is not an http:// or https:// URL: “%s”", values->id, url);

  query = sluice_tool_values_lines (values, "query", error);
  if (query == NULL)
    return FALSE;

  full = g_string_new (url);
  for (guint i = 0; query[i] != NULL; i++)
    {
      char *equals = strchr (query[i], '=');
      g_autofree char *name = g_strndup (query[i], equals != NULL ? (gsize) (equals - query[i]) : strlen (query[i]));

      g_strstrip (name);
      g_string_append_c (full, strchr (full->str, '?') != NULL ? '&' : '?');
      g_string_append_uri_escaped (full, name, NULL, TRUE);
      if (equals != NULL)
        {
          g_string_append_c (full, '=');
          g_string_append_uri_escaped (full, g_strstrip (equals + 1), NULL, TRUE);
        }
    }
  self->url = g_string_free (full, FALSE);
  return TRUE;
}

static gboolean
read_headers (SluiceToolHttp    *self,
              SluiceToolValues  *values,
              GError           **error)
{
  g_auto(GStrv) lines = sluice_tool_values_lines (values, "headers", error);

  if (lines == NULL)
    return FALSE;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL)
        return tool_error (error, "module “%s”: “headers” of tool “http” wants “Name: value” lines, not “%s”", values->id, lines[i]);
      name = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      if (!is_header_name (name))
        return tool_error (error, "module “%s”: “%s” is not a header name", values->id, name);
      g_ptr_array_add (self->header_names, g_steal_pointer (&name));
      g_ptr_array_add (self->header_values, g_strstrip (g_strdup (colon + 1)));
    }
  return TRUE;
}

static gboolean
read_secret (SluiceToolHttp    *self,
             SluiceToolValues  *values,
             GError           **error)
{
  g_autoptr(GError) local = NULL;

  self->secret_header = sluice_tool_values_line (values, "secret-header", &local);
  if (local == NULL)
    self->secret = sluice_tool_values_secret (values, "secret-file", "secret-env", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if ((self->secret_header == NULL) != (self->secret == NULL))
    return tool_error (error, "module “%s”: tool “http” needs “secret-header” together with %s", values->id,
                       "“secret-file” or “secret-env”");
  if (self->secret_header != NULL && !is_header_name (self->secret_header))
    return tool_error (error, "module “%s”: “%s” is not a header name", values->id, self->secret_header);
  return TRUE;
}

static gboolean
read_paths (SluiceToolHttp    *self,
            SluiceToolValues  *values,
            GError           **error)
{
  g_autofree char *items = sluice_tool_values_line (values, "items", error);
  g_autofree char *next = NULL;
  g_autoptr(GError) local = NULL;

  if (items == NULL)
    return FALSE;
  next = sluice_tool_values_line (values, "next-field", error);
  if (next == NULL)
    return FALSE;

  self->items = sluice_json_path_parse_document (items, &local);
  if (self->items != NULL)
    self->next_field = sluice_json_path_parse_document (next, &local);
  if (local != NULL)
    return tool_error (error, "module “%s”: tool “http”: %s", values->id, local->message);
  return TRUE;
}

static guint
choice_index (const char * const *choices,
              const char         *value)
{
  for (guint i = 0; choices[i] != NULL; i++)
    if (g_ascii_strcasecmp (choices[i], value) == 0)
      return i;
  /* The parameter's type check let only a choice through. */
  g_assert_not_reached ();
}

static gboolean
read_paging (SluiceToolHttp    *self,
             SluiceToolParams  *params,
             SluiceToolValues  *values,
             GError           **error)
{
  g_autoptr(GError) local = NULL;

  self->pages = choice_index (pages_choices, sluice_tool_params_get (params, "paginate"));
  self->page_param = sluice_tool_values_line (values, "page-param", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (self->page_param == NULL)
    self->page_param = g_strdup (self->pages == HTTP_PAGES_CURSOR ? "cursor" : "page");

  self->first_page = sluice_tool_params_get_int (params, "first-page");
  self->max_pages = sluice_tool_params_get_int (params, "max-pages");
  if (self->max_pages < 1)
    {
      sluice_tool_params_set_error (params, error, "max-pages", "must be at least 1");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_limits (SluiceToolHttp    *self,
             SluiceToolParams  *params,
             GError           **error)
{
  double rate = sluice_tool_params_get_float (params, "rate");

  self->timeout_us = sluice_tool_params_get_duration_us (params, "timeout");
  self->retries = sluice_tool_params_get_int (params, "retries");
  self->retry_delay_us = sluice_tool_params_get_duration_us (params, "retry-delay");
  self->max_wait_us = sluice_tool_params_get_duration_us (params, "max-wait");
  self->max_bytes = sluice_tool_params_get_int (params, "max-bytes");

  if (self->timeout_us <= 0)
    sluice_tool_params_set_error (params, error, "timeout", "must be longer than 0");
  else if (self->retries < 0 || self->retries > 100)
    sluice_tool_params_set_error (params, error, "retries", "must be from 0 to 100");
  else if (self->max_bytes < 1)
    sluice_tool_params_set_error (params, error, "max-bytes", "must be at least 1");
  else if (!(rate >= 0))
    sluice_tool_params_set_error (params, error, "rate", "must be 0 (no limit) or more");
  else
    {
      sluice_rate_limit_init (&self->rate, rate);
      return TRUE;
    }
  return FALSE;
}

static gboolean
make_session (SluiceToolHttp    *self,
              SluiceToolValues  *values,
              GError           **error)
{
  g_autofree char *ca_file = NULL;
  g_autoptr(GError) local = NULL;

  /* Redirects are ours to follow (same origin only), and TLS checks stay
   * on: no accept-certificate handler is ever connected. */
  self->session = soup_session_new_with_options ("user-agent", "sluice/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 16,
                                                 NULL);
  ca_file = sluice_tool_values_line (values, "ca-file", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (ca_file != NULL)
    {
      g_autofree char *path = g_path_is_absolute (ca_file) || values->context->base_directory == NULL
                              ? g_strdup (ca_file)
                              : g_build_filename (values->context->base_directory, ca_file, NULL);
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (path, &local);

      if (database == NULL)
        return tool_error (error, "module “%s”: “ca-file” of tool “http”: %s", values->id, local->message);
      soup_session_set_tls_database (self->session, database);
    }
  return TRUE;
}

static gboolean
sluice_tool_http_prepare (SluiceStep         *step,
                          SluiceModule       *module,
                          SluiceStepContext  *context,
                          GError            **error)
{
  SluiceToolHttp *self = SLUICE_TOOL_HTTP (step);
  g_autoptr(SluiceToolParams) params = sluice_tool_params_new (step, module, context, error);
  SluiceToolValues values;

  /* Typed values come from the shared reader; what goes into a request
   * line or a header is read line by line here (sluice-tool-values.h). */
  if (params == NULL)
    return FALSE;
  sluice_tool_values_init (&values, module, context, &http_info);
  self->method = g_strdup (method_choices[choice_index (method_choices, sluice_tool_params_get (params, "method"))]);
  self->body = sluice_tool_values_string (&values, "body", error);
  if (self->body == NULL && error != NULL && *error != NULL)
    return FALSE;

  return read_url (self, &values, error) &&
         read_headers (self, &values, error) &&
         read_secret (self, &values, error) &&
         read_paths (self, &values, error) &&
         read_paging (self, params, &values, error) &&
         read_limits (self, params, error) &&
         make_session (self, &values, error);
}

static void
sluice_tool_http_process (SluiceStep     *step,
                          SluiceStepCall *call)
{
  _sluice_tool_http_call_start (SLUICE_TOOL_HTTP (step), call);
}

static void
sluice_tool_http_cancel (SluiceStep     *step,
                         SluiceStepCall *call,
                         const char     *reason)
{
  _sluice_tool_http_call_cancel (SLUICE_TOOL_HTTP (step), call, reason);
}

static void
sluice_tool_http_finalize (GObject *object)
{
  SluiceToolHttp *self = SLUICE_TOOL_HTTP (object);

  g_clear_object (&self->session);
  g_free (self->method);
  g_free (self->url);
  g_ptr_array_unref (self->header_names);
  g_ptr_array_unref (self->header_values);
  g_free (self->body);
  g_clear_pointer (&self->items, sluice_json_path_free);
  g_clear_pointer (&self->next_field, sluice_json_path_free);
  g_free (self->page_param);
  g_free (self->secret_header);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);

  G_OBJECT_CLASS (sluice_tool_http_parent_class)->finalize (object);
}

static void
sluice_tool_http_class_init (SluiceToolHttpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  object_class->finalize = sluice_tool_http_finalize;
  step_class->info = &http_info;
  step_class->check = sluice_tool_http_check;
  step_class->prepare = sluice_tool_http_prepare;
  step_class->process = sluice_tool_http_process;
  step_class->cancel = sluice_tool_http_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_http_init (SluiceToolHttp *self)
{
  self->header_names = g_ptr_array_new_with_free_func (g_free);
  self->header_values = g_ptr_array_new_with_free_func (g_free);
}
