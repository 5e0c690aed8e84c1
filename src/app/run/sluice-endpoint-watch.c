/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-endpoint-watch.h"
#include "sluice-step-external.h"

struct _SluiceEndpointWatch
{
  GPtrArray *steps;   /* SluiceStepExternal*, borrowed from the executor's modules */
  GArray    *rows;    /* SluiceEndpointCopy */
};

static void
endpoint_copy_clear (gpointer data)
{
  SluiceEndpointCopy *copy = data;

  g_free (copy->service);
  g_free (copy->url);
  g_free (copy->last_error);
}

GArray *
sluice_endpoint_copies_new (void)
{
  GArray *copies = g_array_new (FALSE, TRUE, sizeof (SluiceEndpointCopy));

  g_array_set_clear_func (copies, endpoint_copy_clear);
  return copies;
}

void
sluice_endpoint_copies_assign (GArray       *dest,
                               const GArray *src)
{
  g_array_set_size (dest, 0);
  for (guint i = 0; i < src->len; i++)
    {
      SluiceEndpointCopy copy = g_array_index (src, SluiceEndpointCopy, i);

      copy.service = g_strdup (copy.service);
      copy.url = g_strdup (copy.url);
      copy.last_error = g_strdup (copy.last_error);
      g_array_append_val (dest, copy);
    }
}

SluiceEndpointWatch *
sluice_endpoint_watch_new (SluiceExecutor *executor)
{
  SluiceEndpointWatch *self = g_new0 (SluiceEndpointWatch, 1);

  self->steps = g_ptr_array_new ();
  self->rows = sluice_endpoint_copies_new ();
  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    {
      SluiceStep *step = sluice_executor_get_module_step (executor, i);

      if (SLUICE_IS_STEP_EXTERNAL (step))
        g_ptr_array_add (self->steps, step);
    }
  return self;
}

gboolean
sluice_endpoint_watch_is_empty (SluiceEndpointWatch *self)
{
  return self->steps->len == 0;
}

/* Puts a string into a copy's field unless it holds it already. */
static gboolean
update_string (char       **field,
               const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Row @n from @endpoint of @client, with the calls of the modules that
 * share @client (from @first on) this run made there. */
static gboolean
update_row (SluiceEndpointWatch  *self,
            guint                 n,
            SluiceServiceClient  *client,
            guint                 first,
            const SluiceEndpoint *endpoint)
{
  SluiceEndpointCopy now = { 0 };
  SluiceEndpointCopy *row;
  gboolean changed = FALSE;

  for (guint j = first; j < self->steps->len; j++)
    {
      SluiceStepExternal *step = g_ptr_array_index (self->steps, j);
      guint64 served, failed;

      if (sluice_step_external_get_client (step) != client)
        continue;
      sluice_step_external_get_counts (step, endpoint->url, &served, &failed);
      now.served += served;
      now.failed += failed;
    }
  if (n >= self->rows->len)
    {
      g_array_set_size (self->rows, n + 1);
      changed = TRUE;
    }
  row = &g_array_index (self->rows, SluiceEndpointCopy, n);
  changed |= update_string (&row->service, sluice_service_client_get_name (client));
  changed |= update_string (&row->url, endpoint->url);
  changed |= update_string (&row->last_error, endpoint->last_error);
  changed |= row->in_flight != endpoint->in_flight || row->others != endpoint->others ||
             row->latency_us != endpoint->latency_us || row->healthy != endpoint->healthy ||
             row->down_until != endpoint->down_until || row->failures != endpoint->failures ||
             row->served != now.served || row->failed != now.failed;
  row->in_flight = endpoint->in_flight;
  row->others = endpoint->others;
  row->latency_us = endpoint->latency_us;
  row->healthy = endpoint->healthy;
  row->down_until = endpoint->down_until;
  row->failures = endpoint->failures;
  row->served = now.served;
  row->failed = now.failed;
  return changed;
}

/* Whether a module before @index calls the same client (its rows are
 * there already). */
static gboolean
client_seen (SluiceEndpointWatch *self,
             guint                index,
             SluiceServiceClient *client)
{
  for (guint k = 0; k < index; k++)
    if (sluice_step_external_get_client (g_ptr_array_index (self->steps, k)) == client)
      return TRUE;
  return FALSE;
}

gboolean
sluice_endpoint_watch_read (SluiceEndpointWatch *self)
{
  gboolean changed = FALSE;
  guint n = 0;

  for (guint i = 0; i < self->steps->len; i++)
    {
      /* A client is there once the module is prepared. */
      SluiceServiceClient *client = sluice_step_external_get_client (g_ptr_array_index (self->steps, i));
      SluiceEndpointSet *endpoints;

      if (client == NULL || client_seen (self, i, client))
        continue;
      endpoints = sluice_service_client_get_endpoints (client);
      for (guint e = 0; e < sluice_endpoint_set_get_size (endpoints); e++)
        changed |= update_row (self, n++, client, i, sluice_endpoint_set_get (endpoints, e));
    }
  if (n < self->rows->len)
    {
      g_array_set_size (self->rows, n);
      changed = TRUE;
    }
  return changed;
}

GArray *
sluice_endpoint_watch_get_rows (SluiceEndpointWatch *self)
{
  return self->rows;
}

void
sluice_endpoint_watch_free (SluiceEndpointWatch *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->steps);
  g_array_unref (self->rows);
  g_free (self);
}
