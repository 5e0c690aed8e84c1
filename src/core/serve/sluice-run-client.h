/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Why a call to a run API server failed. The messages name the server's
 * URL (unreachable, TLS) or the request (METHOD PATH: STATUS reason). */
#define SLUICE_RUN_CLIENT_ERROR (sluice_run_client_error_quark ())
typedef enum
{
  SLUICE_RUN_CLIENT_ERROR_INVALID,       /* not an http(s) URL */
  SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,   /* refused, no such host, dropped, timed out */
  SLUICE_RUN_CLIENT_ERROR_TLS,           /* the certificate is not trusted, … */
  SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED,  /* 401: the token is missing or wrong */
  SLUICE_RUN_CLIENT_ERROR_REFUSED,       /* another 4xx/5xx, with the server's reason */
  SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,  /* an answer that is not the run API's JSON */
} SluiceRunClientError;

GQuark sluice_run_client_error_quark (void);

#define SLUICE_TYPE_RUN_CLIENT (sluice_run_client_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunClient, sluice_run_client, SLUICE, RUN_CLIENT, GObject)

/* A client of `sluice-run daemon`'s run API (data/sluice-run-api.json),
 * shared by `sluice-run runs` and the designer's Server view. @url is the
 * server's base URL (a trailing slash is ignored); @token, may be NULL, is
 * sent as "Authorization: Bearer". NULL with @error when @url is not an
 * http:// or https:// URL. */
SluiceRunClient *sluice_run_client_new           (const char       *url,
                                                  const char       *token,
                                                  GError          **error);
/* Trust the authorities in @database for an https server (e.g. its
 * self-signed certificate). */
void             sluice_run_client_set_tls_database (SluiceRunClient *self,
                                                     GTlsDatabase    *database);
const char      *sluice_run_client_get_url       (SluiceRunClient  *self);
/* The session its requests go through (borrowed). */
SoupSession     *sluice_run_client_get_session   (SluiceRunClient  *self);
/* A request to @path (which starts with "/") with the token set. */
SoupMessage     *sluice_run_client_new_message   (SluiceRunClient  *self,
                                                  const char       *method,
                                                  const char       *path);

/* Sends @body (may be NULL) and returns the JSON answer of a 2xx (new
 * reference), or NULL with @error. Blocks: for command-line tools. */
json_t          *sluice_run_client_call          (SluiceRunClient  *self,
                                                  const char       *method,
                                                  const char       *path,
                                                  json_t           *body,
                                                  GCancellable     *cancellable,
                                                  GError          **error);
/* The same on the thread-default main context. */
void             sluice_run_client_call_async    (SluiceRunClient  *self,
                                                  const char       *method,
                                                  const char       *path,
                                                  json_t           *body,
                                                  GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
json_t          *sluice_run_client_call_finish   (SluiceRunClient  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);
/* The raw body of a 2xx GET (output lines, a pipeline file), or NULL
 * with @error. */
GBytes          *sluice_run_client_get_bytes     (SluiceRunClient  *self,
                                                  const char       *path,
                                                  GCancellable     *cancellable,
                                                  GError          **error);
void             sluice_run_client_get_bytes_async  (SluiceRunClient  *self,
                                                     const char       *path,
                                                     GCancellable     *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer          user_data);
GBytes          *sluice_run_client_get_bytes_finish (SluiceRunClient  *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

/* @id escaped for one path segment (a registry id's "/" becomes %2F). */
char            *sluice_run_client_escape_id     (const char       *id);

G_END_DECLS
