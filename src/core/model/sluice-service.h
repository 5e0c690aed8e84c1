/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_SERVICE (sluice_service_get_type ())
G_DECLARE_FINAL_TYPE (SluiceService, sluice_service, SLUICE, SERVICE, GObject)

/* A named group of endpoints that <external> modules call (SPEC section 5):
 * <service name="…" balance="…"><endpoint url="…"/>…</service>. */
SluiceService      *sluice_service_new           (const char         *name);
const char         *sluice_service_get_name      (SluiceService      *self);
void                sluice_service_set_name      (SluiceService      *self,
                                                  const char         *name);
/* "least-loaded" (the default, NULL), "round-robin" or "random-two". */
const char         *sluice_service_get_balance   (SluiceService      *self);
void                sluice_service_set_balance   (SluiceService      *self,
                                                  const char         *balance);
/* NULL-terminated list of endpoint URLs, never NULL. */
const char * const *sluice_service_get_endpoints (SluiceService      *self);
void                sluice_service_set_endpoints (SluiceService      *self,
                                                  const char * const *urls);
/* A pipeline balancer (`sluice-run balance`) to ask for the endpoints
 * instead of, or before, the listed ones; NULL for none. */
const char         *sluice_service_get_balancer  (SluiceService      *self);
void                sluice_service_set_balancer  (SluiceService      *self,
                                                  const char         *url);
/* The pipeline id to ask the balancer for; NULL = the service's name. */
const char         *sluice_service_get_pipeline  (SluiceService      *self);
void                sluice_service_set_pipeline  (SluiceService      *self,
                                                  const char         *pipeline);
/* A file holding the bearer token to send with each call (relative to
 * the pipeline's directory), or NULL. */
const char         *sluice_service_get_token_file (SluiceService *self);
void                sluice_service_set_token_file (SluiceService *self,
                                                   const char    *path);
guint               sluice_service_get_line      (SluiceService      *self);
void                sluice_service_set_line      (SluiceService      *self,
                                                  guint               line);

G_END_DECLS
