/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sluice-external.h"
#include "sluice-pipeline.h"
#include "sluice-run-state.h"
#include "sluice-service-client.h"
#include "sluice-service.h"
#include "sluice-step-external.h"

/* The external step (SPEC section 5). The work is the service client's
 * (src/core/net): picking the endpoint, the keep-alive connections, the
 * retries on other endpoints, reading the answer. This file ties it to
 * the step interface: one client call per item, cancelled when the
 * executor cancels the item (its time-out, or the end of the run). */

struct _SluiceStepExternal
{
  SluiceStep           parent_instance;

  SluiceServiceClient *client;   /* shared with other modules calling the service */
  SluiceServiceTally  *tally;    /* this module's calls, by endpoint */
};

G_DEFINE_FINAL_TYPE (SluiceStepExternal, sluice_step_external, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo no_params[] = {
  { NULL, NULL, FALSE },
};

static const SluiceToolInfo external_info = {
  "external",
  N_("External"),
  N_("Sends each item to an endpoint of a service and continues with the items it answers"),
  no_params,
};

static SluicePipeline *
find_pipeline (SluiceModule *module)
{
  SluiceNode *node = SLUICE_NODE (module);

  while (node != NULL && !SLUICE_IS_PIPELINE (node))
    node = sluice_node_get_parent (node);
  return node != NULL ? SLUICE_PIPELINE (node) : NULL;
}

static SluiceService *
find_service (SluiceModule *module)
{
  SluicePipeline *pipeline = find_pipeline (module);
  const char *name = sluice_external_get_service (SLUICE_EXTERNAL (module));

  if (pipeline == NULL || name == NULL)
    return NULL;
  return sluice_pipeline_find_service (pipeline, name);
}

/* The validator checks that the service is declared and its URLs are
 * URLs; what only calling it tells is checked here. */
static void
sluice_step_external_check (SluiceStepClass *klass,
                            SluiceModule    *module,
                            SluiceStepCheck *check)
{
  SluiceService *service = find_service (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  guint line = sluice_node_get_line (SLUICE_NODE (module));
  const char * const *endpoints;
  gboolean https = FALSE;

  if (service == NULL)
    return;

  endpoints = sluice_service_get_endpoints (service);
  for (guint i = 0; endpoints[i] != NULL; i++)
    if (g_ascii_strncasecmp (endpoints[i], "https:", 6) == 0)
      https = TRUE;
  if (g_ascii_strncasecmp (sluice_service_get_balancer (service) ?: "", "https:", 6) == 0)
    https = TRUE;
  if (https && !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: service `%s` has https:// URLs but this system has no TLS support (install glib-networking)"),
                              id, sluice_service_get_name (service));
}

static gboolean
sluice_step_external_prepare (SluiceStep         *step,
                              SluiceModule       *module,
                              SluiceStepContext  *context,
                              GError            **error)
{
  SluiceStepExternal *self = SLUICE_STEP_EXTERNAL (step);
  SluiceService *service = find_service (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  SluiceServiceConfig config = { 0 };
  g_autofree char *token = NULL;

  if (service == NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: service “%s” is not declared", id,
                   sluice_external_get_service (SLUICE_EXTERNAL (module)) ?: "");
      return FALSE;
    }

  config.name = sluice_service_get_name (service);
  if (!sluice_balance_from_string (sluice_service_get_balance (service), &config.balance))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: service “%s” has unknown balance “%s”", id, config.name,
                   sluice_service_get_balance (service));
      return FALSE;
    }
  config.endpoints = sluice_service_get_endpoints (service);
  config.balancer = sluice_service_get_balancer (service);
  config.pipeline = sluice_service_get_pipeline (service);
  if (sluice_service_get_token_file (service) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) local = NULL;

      path = g_path_is_absolute (sluice_service_get_token_file (service)) || context->base_directory == NULL
        ? g_strdup (sluice_service_get_token_file (service))
        : g_build_filename (context->base_directory, sluice_service_get_token_file (service), NULL);
      if (!g_file_get_contents (path, &token, NULL, &local))
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: service “%s”: cannot read its token file: %s", id, config.name,
                       local->message);
          return FALSE;
        }
      g_strstrip (token);
      if (*token == '\0' || strchr (token, '\n') != NULL)
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: service “%s”: the token file %s must hold one token on one line",
                       id, config.name, path);
          return FALSE;
        }
      config.token = token;
    }
  if (config.endpoints[0] == NULL && config.balancer == NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: service “%s” has no endpoints and no balancer", id, config.name);
      return FALSE;
    }

  g_clear_object (&self->client);
  self->client = sluice_service_client_get_shared (&config);
  sluice_service_tally_free (self->tally);
  self->tally = sluice_service_tally_new ();
  return TRUE;
}

static void
call_done_cb (json_t     *outputs,
              const char *error,
              gpointer    user_data)
{
  SluiceStepCall *call = user_data;
  size_t i;
  json_t *item;

  call->step_data = NULL;
  if (error != NULL)
    {
      sluice_step_call_fail (call, error, NULL);
      return;
    }

  json_array_foreach (outputs, i, item)
    sluice_step_call_emit (call, json_incref (item));
  sluice_step_call_finish (call);
}

static void
sluice_step_external_process (SluiceStep     *step,
                              SluiceStepCall *call)
{
  SluiceStepExternal *self = SLUICE_STEP_EXTERNAL (step);

  call->step_data = sluice_service_client_call (self->client, call->item, call->deadline,
                                                call_done_cb, call);
  sluice_service_call_set_tally (call->step_data, self->tally);
}

static void
sluice_step_external_cancel (SluiceStep     *step,
                             SluiceStepCall *call,
                             const char     *reason)
{
  /* The client answers at once, naming the endpoint it waited for. */
  if (call->step_data != NULL)
    sluice_service_call_cancel (call->step_data, reason);
}

SluiceServiceClient *
sluice_step_external_get_client (SluiceStepExternal *self)
{
  g_return_val_if_fail (SLUICE_IS_STEP_EXTERNAL (self), NULL);
  return self->client;
}

void
sluice_step_external_get_counts (SluiceStepExternal *self,
                                 const char         *url,
                                 guint64            *served,
                                 guint64            *failed)
{
  g_return_if_fail (SLUICE_IS_STEP_EXTERNAL (self));
  sluice_service_tally_get (self->tally, url, served, failed);
}

static void
sluice_step_external_finalize (GObject *object)
{
  sluice_service_tally_free (SLUICE_STEP_EXTERNAL (object)->tally);

  G_OBJECT_CLASS (sluice_step_external_parent_class)->finalize (object);
}

static void
sluice_step_external_dispose (GObject *object)
{
  SluiceStepExternal *self = SLUICE_STEP_EXTERNAL (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (sluice_step_external_parent_class)->dispose (object);
}

static void
sluice_step_external_class_init (SluiceStepExternalClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sluice_step_external_dispose;
  G_OBJECT_CLASS (klass)->finalize = sluice_step_external_finalize;
  step_class->info = &external_info;
  step_class->check = sluice_step_external_check;
  step_class->prepare = sluice_step_external_prepare;
  step_class->process = sluice_step_external_process;
  step_class->cancel = sluice_step_external_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_step_external_init (SluiceStepExternal *self)
{
}
