/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-executor.h"
#include "sluice-data-table.h"
#include "sluice-run-services.h"
#include "sluice-endpoint-watch.h"

struct _SluiceEndpointRow
{
  GObject  parent_instance;
  char    *service;
  char    *url;
  char    *health;
  guint    in_flight;
  double   load;
  double   latency_ms;
  guint64  served;
  guint64  failed;
  char    *last_error;
};

enum
{
  PROP_0,
  PROP_SERVICE,
  PROP_URL,
  PROP_HEALTH,
  PROP_IN_FLIGHT,
  PROP_LOAD,
  PROP_LATENCY_MS,
  PROP_SERVED,
  PROP_FAILED,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SluiceEndpointRow, sluice_endpoint_row, G_TYPE_OBJECT)

static void
sluice_endpoint_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SluiceEndpointRow *self = SLUICE_ENDPOINT_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVICE: g_value_set_string (value, self->service); break;
    case PROP_URL: g_value_set_string (value, self->url); break;
    case PROP_HEALTH: g_value_set_string (value, self->health); break;
    case PROP_IN_FLIGHT: g_value_set_uint (value, self->in_flight); break;
    case PROP_LOAD: g_value_set_double (value, self->load); break;
    case PROP_LATENCY_MS: g_value_set_double (value, self->latency_ms); break;
    case PROP_SERVED: g_value_set_uint64 (value, self->served); break;
    case PROP_FAILED: g_value_set_uint64 (value, self->failed); break;
    case PROP_LAST_ERROR: g_value_set_string (value, self->last_error); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_endpoint_row_finalize (GObject *object)
{
  SluiceEndpointRow *self = SLUICE_ENDPOINT_ROW (object);

  g_free (self->service);
  g_free (self->url);
  g_free (self->health);
  g_free (self->last_error);
  G_OBJECT_CLASS (sluice_endpoint_row_parent_class)->finalize (object);
}

static void
sluice_endpoint_row_class_init (SluiceEndpointRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = sluice_endpoint_row_get_property;
  object_class->finalize = sluice_endpoint_row_finalize;
  properties[PROP_SERVICE] = g_param_spec_string ("service", NULL, NULL, NULL, flags);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  properties[PROP_HEALTH] = g_param_spec_string ("health", NULL, NULL, NULL, flags);
  properties[PROP_IN_FLIGHT] = g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LOAD] = g_param_spec_double ("load", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_LATENCY_MS] = g_param_spec_double ("latency-ms", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SERVED] = g_param_spec_uint64 ("served", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_FAILED] = g_param_spec_uint64 ("failed", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_endpoint_row_init (SluiceEndpointRow *self)
{
}

const char *
sluice_endpoint_row_get_url (SluiceEndpointRow *self)
{
  g_return_val_if_fail (SLUICE_IS_ENDPOINT_ROW (self), NULL);
  return self->url;
}

const char *
sluice_endpoint_row_get_health (SluiceEndpointRow *self)
{
  g_return_val_if_fail (SLUICE_IS_ENDPOINT_ROW (self), NULL);
  return self->health;
}

guint64
sluice_endpoint_row_get_served (SluiceEndpointRow *self)
{
  g_return_val_if_fail (SLUICE_IS_ENDPOINT_ROW (self), 0);
  return self->served;
}

/* The row ------------------------------------------------------------------------------------ */

/* In words: down after failures until a probe brings it back; busy when
 * it asked for a pause (503 with Retry-After) without failing. */
static const char *
health_of (const SluiceEndpointCopy *endpoint,
           gint64                    now)
{
  if (!endpoint->healthy || (now < endpoint->down_until && endpoint->failures > 0))
    return _("down");
  if (now < endpoint->down_until)
    return _("busy");
  return _("up");
}

/* @endpoint's counts are this run's calls served and failed there (the
 * client's are of every run in the process). */
static SluiceEndpointRow *
endpoint_row_new (const SluiceEndpointCopy *endpoint,
                  gint64                    now)
{
  SluiceEndpointRow *row = g_object_new (SLUICE_TYPE_ENDPOINT_ROW, NULL);

  row->service = g_strdup (endpoint->service);
  row->url = g_strdup (endpoint->url);
  row->health = g_strdup (health_of (endpoint, now));
  row->in_flight = endpoint->in_flight;
  row->load = endpoint->others;
  row->latency_ms = endpoint->latency_us / 1000.0;
  row->served = endpoint->served;
  row->failed = endpoint->failed;
  row->last_error = g_strdup (endpoint->last_error);
  return row;
}

/* The table ---------------------------------------------------------------------------------- */

static char *
cell_text (SluiceEndpointRow *row,
           const char        *property)
{
  g_autofree char *text = NULL;

  if (g_str_equal (property, "in-flight"))
    return g_strdup_printf ("%u", row->in_flight);
  if (g_str_equal (property, "load"))
    return g_strdup_printf ("%.0f", row->load);
  if (g_str_equal (property, "latency-ms"))
    return g_strdup_printf (_("%.1f ms"), row->latency_ms);
  if (g_str_equal (property, "served"))
    return g_strdup_printf ("%" G_GUINT64_FORMAT, row->served);
  if (g_str_equal (property, "failed"))
    return g_strdup_printf ("%" G_GUINT64_FORMAT, row->failed);
  g_object_get (row, property, &text, NULL);
  return g_steal_pointer (&text);
}

static void
format_cell (GtkLabel   *label,
             gpointer    data,
             const char *property)
{
  SluiceEndpointRow *row = data;
  GtkWidget *widget = GTK_WIDGET (label);
  g_autofree char *text = cell_text (row, property);

  gtk_label_set_text (label, text ? text : "");
  /* URLs differ at their end (the port, the path). */
  gtk_label_set_ellipsize (label, g_str_equal (property, "url") ? PANGO_ELLIPSIZE_START : PANGO_ELLIPSIZE_END);
  /* The whole error, which the column cuts. */
  gtk_widget_set_tooltip_text (widget, g_str_equal (property, "last-error") ? text : NULL);
  if (g_str_equal (property, "health"))
    {
      gtk_widget_remove_css_class (widget, "error");
      gtk_widget_remove_css_class (widget, "warning");
      gtk_widget_remove_css_class (widget, "success");
      gtk_widget_add_css_class (widget, g_strcmp0 (row->health, _("up")) == 0 ? "success" :
                                        g_strcmp0 (row->health, _("busy")) == 0 ? "warning" : "error");
    }
}

/* What a user looks for first on the left: which endpoint, is it up, how
 * much it did. */
static const SluiceDataTableColumn endpoint_columns[] = {
  { N_("Endpoint"),   "url",        FALSE, TRUE },
  { N_("Health"),     "health",     FALSE, FALSE },
  { N_("Served"),     "served",     TRUE,  FALSE },
  { N_("Failed"),     "failed",     TRUE,  FALSE },
  { N_("Latency"),    "latency-ms", TRUE,  FALSE },
  { N_("Ours"),       "in-flight",  TRUE,  FALSE },
  { N_("Load"),       "load",       TRUE,  FALSE },
  { N_("Service"),    "service",    FALSE, FALSE },
  { N_("Last error"), "last-error", FALSE, TRUE },
};

GtkWidget *
sluice_run_services_view_new (GListStore *store)
{
  return sluice_data_table_new (store, SLUICE_TYPE_ENDPOINT_ROW, "run-services",
                                endpoint_columns, G_N_ELEMENTS (endpoint_columns), format_cell);
}

/* The rows ----------------------------------------------------------------------------------- */

void
sluice_run_services_update (GListStore       *store,
                            SluiceRunSession *session)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  /* While the run goes, what its thread copied at its last publish. */
  g_autoptr(GArray) endpoints = session != NULL ? sluice_run_session_dup_endpoints (session) : NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (G_IS_LIST_STORE (store));

  for (guint i = 0; endpoints != NULL && i < endpoints->len; i++)
    g_ptr_array_add (rows, endpoint_row_new (&g_array_index (endpoints, SluiceEndpointCopy, i), now));
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata, rows->len);
}
