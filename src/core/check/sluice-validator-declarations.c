/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-parameter.h"
#include "sluice-service.h"
#include "sluice-validator-private.h"
#include "sluice-text.h"

/* The pipeline's declarations: parameters (names usable as ${name},
 * defaults, -D for a run) and services (names, balancing, endpoints). */

/* A name that ${…} can refer to (sluice-params.h). */
gboolean
_sluice_check_is_reference_name (const char *name)
{
  if (!(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;

  for (const char *p = name + 1; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-'))
      return FALSE;

  return TRUE;
}

void
_sluice_check_parameters (SluiceCheck *check)
{
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (check->pipeline));
  guint n = g_list_model_get_n_items (parameters);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);
      const char *name = sluice_parameter_get_name (parameter);
      guint line = sluice_parameter_get_line (parameter);
      SluiceParameter *first;

      if (_sluice_check_str_empty (name))
        {
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL, _("parameter without a name"));
          continue;
        }

      first = g_hash_table_lookup (seen, name);
      if (first != NULL)
        {
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                  _("parameter `%s` is declared twice (first at line %u)"),
                  name, sluice_parameter_get_line (first));
          continue;
        }
      g_hash_table_insert (seen, (gpointer) name, parameter);

      if (!_sluice_check_is_reference_name (name))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("parameter name `%s` cannot be referred to as ${…}: use letters, digits, `_`, `.` and `-`, starting with a letter or `_`"),
                name);

      if (sluice_parameter_get_default_value (parameter) != NULL)
        continue;

      if (check->defines == NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, line, NULL,
                _("parameter `%s` has no default: a run must give it with -D %s=VALUE"),
                name, name);
      else if (!g_hash_table_contains (check->defines, name))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("parameter `%s` has no default: give it with -D %s=VALUE"),
                name, name);
    }

  if (check->defines != NULL)
    {
      g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, check->defines);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (seen, key) &&
            /* A schedule's window can be given by hand. */
            !(sluice_pipeline_get_schedule (check->pipeline) != NULL &&
              g_strv_contains (sluice_schedule_param_names (), key)))
          g_ptr_array_add (unknown, key);

      /* Hash order is arbitrary; messages should not be. */
      sluice_sort_strings (unknown);
      for (guint i = 0; i < unknown->len; i++)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, 0, NULL,
                _("-D %s: the pipeline has no parameter `%s`"),
                (const char *) g_ptr_array_index (unknown, i),
                (const char *) g_ptr_array_index (unknown, i));
    }
}

static gboolean
is_http_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  return (g_ascii_strcasecmp (scheme, "http") == 0 ||
          g_ascii_strcasecmp (scheme, "https") == 0) &&
         !_sluice_check_str_empty (g_uri_get_host (uri));
}

void
_sluice_check_services (SluiceCheck *check)
{
  GListModel *services = G_LIST_MODEL (sluice_pipeline_get_services (check->pipeline));
  guint n = g_list_model_get_n_items (services);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceService) service = g_list_model_get_item (services, i);
      const char *name = sluice_service_get_name (service);
      const char *balance = sluice_service_get_balance (service);
      const char * const *endpoints = sluice_service_get_endpoints (service);
      const char *balancer = sluice_service_get_balancer (service);
      guint line = sluice_service_get_line (service);
      SluiceService *first;

      if (_sluice_check_str_empty (name))
        {
          _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL, _("service without a name"));
          continue;
        }

      first = g_hash_table_lookup (seen, name);
      if (first != NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("service `%s` is declared twice (first at line %u)"),
                name, sluice_service_get_line (first));
      else
        g_hash_table_insert (seen, (gpointer) name, service);

      if (balance != NULL &&
          !g_str_equal (balance, "least-loaded") &&
          !g_str_equal (balance, "round-robin") &&
          !g_str_equal (balance, "random-two"))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("service `%s` has unknown balance `%s` (use least-loaded, round-robin or random-two)"),
                name, balance);

      if (balancer != NULL && !is_http_url (balancer))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("balancer `%s` of service `%s` is not an http:// or https:// URL"),
                balancer, name);
      if (sluice_service_get_pipeline (service) != NULL && balancer == NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, line, NULL,
                _("service `%s` names a pipeline but no balancer to ask for it: the pipeline is ignored"),
                name);

      if ((endpoints == NULL || endpoints[0] == NULL) && balancer != NULL)
        ;   /* the balancer lists them */
      else if (endpoints == NULL || endpoints[0] == NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                _("service `%s` has no endpoints"), name);
      else
        for (guint j = 0; endpoints[j] != NULL; j++)
          {
            if (!is_http_url (endpoints[j]))
              _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                      _("endpoint `%s` of service `%s` is not an http:// or https:// URL"),
                      endpoints[j], name);
            else if (g_strv_contains ((const char * const *) endpoints + j + 1, endpoints[j]))
              _sluice_check_report (check, SLUICE_SEVERITY_WARNING, line, NULL,
                      _("endpoint `%s` of service `%s` is listed twice"),
                      endpoints[j], name);
          }
    }
}
