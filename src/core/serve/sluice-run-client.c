/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-run-client.h"

struct _SluiceRunClient
{
  GObject      parent_instance;

  SoupSession *session;  /* owned */
  char        *base;     /* the URL without a trailing slash */
  char        *token;    /* owned, may be NULL */
};

G_DEFINE_FINAL_TYPE (SluiceRunClient, sluice_run_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (sluice-run-client-error-quark, sluice_run_client_error)

/* What one request was, to name it in errors. */
typedef struct
{
  char        *method;
  char        *path;
  SoupMessage *msg;
} Call;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->path);
  g_clear_object (&call->msg);
  g_free (call);
}

SoupMessage *
sluice_run_client_new_message (SluiceRunClient *self,
                               const char      *method,
                               const char      *path)
{
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (self), NULL);
  url = g_strconcat (self->base, path, NULL);
  msg = soup_message_new (method, url);
  if (msg != NULL && self->token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  return msg;
}

static Call *
call_new (SluiceRunClient  *self,
          const char       *method,
          const char       *path,
          json_t           *body,
          GError          **error)
{
  Call *call = g_new0 (Call, 1);

  call->method = g_strdup (method);
  call->path = g_strdup (path);
  call->msg = sluice_run_client_new_message (self, method, path);
  if (call->msg == NULL)
    {
      g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_INVALID,
                   "%s%s is not a URL", self->base, path);
      call_free (call);
      return NULL;
    }
  if (body != NULL)
    {
      char *text = sluice_json_dumps (body, JSON_COMPACT);

      soup_message_set_request_body_from_bytes (call->msg, "application/json",
                                                g_bytes_new_take (g_strdup (text), strlen (text)));
      free (text);
    }
  return call;
}

/* A failure to get any answer: the connection or TLS. */
static void
transport_error (SluiceRunClient  *self,
                 const GError     *cause,
                 GError          **error)
{
  if (cause->domain == G_TLS_ERROR)
    g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_TLS,
                 "%s: TLS: %s", self->base, cause->message);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, cause->message);
  else
    g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,
                 "%s: %s", self->base, cause->message);
}

/* The daemon answers every error as JSON with "error": another server
 * (a web server on that port, a proxy's error page) does not. */
static void
status_error (SluiceRunClient  *self,
              Call             *call,
              GBytes           *bytes,
              GError          **error)
{
  guint status = soup_message_get_status (call->msg);
  json_t *answer = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0, NULL);
  const char *reason = json_string_value (json_object_get (answer, "error"));

  if (reason == NULL && status != SOUP_STATUS_UNAUTHORIZED)
    g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                 "%s does not answer like sluice-run daemon: %s %s: %u %s", self->base,
                 call->method, call->path, status, soup_message_get_reason_phrase (call->msg));
  else
    g_set_error (error, SLUICE_RUN_CLIENT_ERROR,
                 status == SOUP_STATUS_UNAUTHORIZED ? SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED
                                                    : SLUICE_RUN_CLIENT_ERROR_REFUSED,
                 "%s %s: %u %s", call->method, call->path, status,
                 reason != NULL ? reason : soup_message_get_reason_phrase (call->msg));
  json_decref (answer);
}

static json_t *
json_answer (SluiceRunClient  *self,
             Call             *call,
             GBytes           *bytes,
             GError          **error)
{
  guint status = soup_message_get_status (call->msg);
  json_t *answer;

  if (status < 200 || status >= 300)
    {
      status_error (self, call, bytes, error);
      return NULL;
    }
  answer = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), JSON_DECODE_ANY, NULL);
  if (answer == NULL)
    g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                 "%s does not answer like sluice-run daemon: %s %s: the answer is not JSON",
                 self->base, call->method, call->path);
  return answer;
}

static GBytes *
bytes_answer (SluiceRunClient  *self,
              Call             *call,
              GBytes           *bytes,
              GError          **error)
{
  guint status = soup_message_get_status (call->msg);

  if (status < 200 || status >= 300)
    {
      status_error (self, call, bytes, error);
      return NULL;
    }
  return g_bytes_ref (bytes);
}

json_t *
sluice_run_client_call (SluiceRunClient  *self,
                        const char       *method,
                        const char       *path,
                        json_t           *body,
                        GCancellable     *cancellable,
                        GError          **error)
{
  Call *call;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) cause = NULL;
  json_t *answer = NULL;

  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (self), NULL);
  if ((call = call_new (self, method, path, body, error)) == NULL)
    return NULL;
  bytes = soup_session_send_and_read (self->session, call->msg, cancellable, &cause);
  if (bytes == NULL)
    transport_error (self, cause, error);
  else
    answer = json_answer (self, call, bytes, error);
  call_free (call);
  return answer;
}

GBytes *
sluice_run_client_get_bytes (SluiceRunClient  *self,
                             const char       *path,
                             GCancellable     *cancellable,
                             GError          **error)
{
  Call *call;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) cause = NULL;
  GBytes *answer = NULL;

  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (self), NULL);
  if ((call = call_new (self, "GET", path, NULL, error)) == NULL)
    return NULL;
  bytes = soup_session_send_and_read (self->session, call->msg, cancellable, &cause);
  if (bytes == NULL)
    transport_error (self, cause, error);
  else
    answer = bytes_answer (self, call, bytes, error);
  call_free (call);
  return answer;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SluiceRunClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) cause = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &cause);

  if (bytes == NULL)
    {
      transport_error (self, cause, &error);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (g_task_get_source_tag (task) == sluice_run_client_call_async)
    {
      json_t *answer = json_answer (self, call, bytes, &error);

      if (answer == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, answer, (GDestroyNotify) json_decref);
    }
  else
    {
      GBytes *answer = bytes_answer (self, call, bytes, &error);

      if (answer == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, answer, (GDestroyNotify) g_bytes_unref);
    }
}

static void
send_async (SluiceRunClient     *self,
            gpointer             tag,
            const char          *method,
            const char          *path,
            json_t              *body,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  Call *call;

  g_task_set_source_tag (task, tag);
  if ((call = call_new (self, method, path, body, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  soup_session_send_and_read_async (self->session, call->msg, G_PRIORITY_DEFAULT, cancellable, sent_cb, task);
}

void
sluice_run_client_call_async (SluiceRunClient     *self,
                              const char          *method,
                              const char          *path,
                              json_t              *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SLUICE_IS_RUN_CLIENT (self));
  send_async (self, sluice_run_client_call_async, method, path, body, cancellable, callback, user_data);
}

json_t *
sluice_run_client_call_finish (SluiceRunClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
sluice_run_client_get_bytes_async (SluiceRunClient     *self,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SLUICE_IS_RUN_CLIENT (self));
  send_async (self, sluice_run_client_get_bytes_async, "GET", path, NULL, cancellable, callback, user_data);
}

GBytes *
sluice_run_client_get_bytes_finish (SluiceRunClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
sluice_run_client_escape_id (const char *id)
{
  return g_uri_escape_string (id, NULL, FALSE);
}

void
sluice_run_client_set_tls_database (SluiceRunClient *self,
                                    GTlsDatabase    *database)
{
  g_return_if_fail (SLUICE_IS_RUN_CLIENT (self));
  soup_session_set_tls_database (self->session, database);
}

const char *
sluice_run_client_get_url (SluiceRunClient *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (self), NULL);
  return self->base;
}

SoupSession *
sluice_run_client_get_session (SluiceRunClient *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_CLIENT (self), NULL);
  return self->session;
}

static void
sluice_run_client_finalize (GObject *object)
{
  SluiceRunClient *self = SLUICE_RUN_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base);
  g_free (self->token);
  G_OBJECT_CLASS (sluice_run_client_parent_class)->finalize (object);
}

static void
sluice_run_client_class_init (SluiceRunClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_run_client_finalize;
}

static void
sluice_run_client_init (SluiceRunClient *self)
{
  /* No time-out: an event stream stays open as long as its run goes;
   * a dead server shows as a dropped connection. */
  self->session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0, NULL);
}

SluiceRunClient *
sluice_run_client_new (const char  *url,
                       const char  *token,
                       GError     **error)
{
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;
  SluiceRunClient *self;

  g_return_val_if_fail (url != NULL, NULL);
  base = g_strstrip (g_strdup (url));
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_INVALID,
                   "“%s” is not an http:// or https:// URL", url);
      return NULL;
    }
  self = g_object_new (SLUICE_TYPE_RUN_CLIENT, NULL);
  self->base = g_steal_pointer (&base);
  self->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
  return self;
}
