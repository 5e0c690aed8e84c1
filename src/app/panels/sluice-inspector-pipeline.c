/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include "sluice-commands.h"
#include "sluice-inspector-private.h"

/* The pipeline's own settings: parameters and services, added,
 * edited and removed in place. */

static void
remove_item_cb (GtkButton       *button,
                SluiceInspector *self)
{
  GListStore *store = g_object_get_data (G_OBJECT (button), "store");
  GObject *item = g_object_get_data (G_OBJECT (button), "item");

  sluice_document_push (self->document, sluice_store_remove_command_new (store, item));
}

static void
endpoints_changed_cb (GtkEditable     *row,
                      SluiceInspector *self)
{
  g_auto(GStrv) urls = g_strsplit_set (gtk_editable_get_text (row), " ,\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) clean = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  for (guint i = 0; urls[i] != NULL; i++)
    if (*urls[i] != '\0')
      g_strv_builder_add (builder, urls[i]);
  clean = g_strv_builder_end (builder);
  g_value_init (&value, G_TYPE_STRV);
  g_value_set_boxed (&value, clean);
  _sluice_inspector_push (self, sluice_set_property_command_new (_sluice_inspector_row_target (GTK_WIDGET (row)), "endpoints", &value));
}

static void
balance_changed_cb (AdwComboRow     *row,
                    GParamSpec      *pspec,
                    SluiceInspector *self)
{
  _sluice_inspector_push (self, sluice_set_string_command_new (_sluice_inspector_row_target (GTK_WIDGET (row)), "balance",
                                             adw_combo_row_get_selected (row) == 1 ? "round-robin" : NULL));
}

static GtkWidget *
add_expander (AdwPreferencesGroup *group,
              const char          *title,
              GListStore          *store,
              GObject             *item,
              SluiceInspector     *self)
{
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  g_object_set_data_full (G_OBJECT (remove), "store", g_object_ref (store), g_object_unref);
  g_object_set_data_full (G_OBJECT (remove), "item", g_object_ref (item), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_item_cb), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), remove);
  adw_preferences_group_add (group, expander);
  return expander;
}

static GtkWidget *
expander_entry (SluiceInspector *self,
                GtkWidget       *expander,
                GObject         *target,
                const char      *property,
                const char      *title,
                const char      *key)
{
  GtkWidget *row = _sluice_inspector_new_string_row (self, target, property, title, key);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  return row;
}

static void
add_parameter_cb (GtkButton       *button,
                  SluiceInspector *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);
  GListStore *store = sluice_pipeline_get_parameters (pipeline);
  g_autofree char *name = g_strdup ("parameter");
  g_autoptr(SluiceParameter) parameter = NULL;

  for (guint i = 2; sluice_pipeline_find_parameter (pipeline, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("parameter%u", i);
    }
  parameter = sluice_parameter_new (name, "");
  /* The button goes with the _sluice_inspector_rebuild: focus the new name rather than
   * letting focus fall on the first field (the pipeline's id). */
  g_free (self->focus_key);
  self->focus_key = g_strdup_printf ("parameter:%s:name", name);
  sluice_document_push (self->document,
                        sluice_store_insert_command_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)),
                                                         G_OBJECT (parameter)));
}

static void
add_service_cb (GtkButton       *button,
                SluiceInspector *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);
  GListStore *store = sluice_pipeline_get_services (pipeline);
  g_autofree char *name = g_strdup ("service");
  g_autoptr(SluiceService) service = NULL;
  const char *urls[] = { "http://127.0.0.1:8080/", NULL };

  for (guint i = 2; sluice_pipeline_find_service (pipeline, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("service%u", i);
    }
  service = sluice_service_new (name);
  sluice_service_set_endpoints (service, urls);
  g_free (self->focus_key);
  self->focus_key = g_strdup_printf ("service:%s:name", name);
  sluice_document_push (self->document,
                        sluice_store_insert_command_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)),
                                                         G_OBJECT (service)));
}

static GtkWidget *
add_button (const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

void
_sluice_inspector_build_pipeline (SluiceInspector *self,
                                  SluicePipeline  *pipeline)
{
  AdwPreferencesGroup *group = _sluice_inspector_add_group (self, _("Pipeline"));
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline));
  GListModel *services = G_LIST_MODEL (sluice_pipeline_get_services (pipeline));
  GtkWidget *button;

  _sluice_inspector_add_string_row (self, group, G_OBJECT (pipeline), "id", _("Id"), "id");
  _sluice_inspector_add_string_row (self, group, G_OBJECT (pipeline), "name", _("Name"), "name");
  _sluice_inspector_add_string_row (self, group, G_OBJECT (pipeline), "description", _("Description"), "description");

  group = _sluice_inspector_add_group (self, _("Parameters"));
  adw_preferences_group_set_description (group, _("Used as ${name} in commands and as params.name in Lua"));
  button = add_button (_("Add a parameter"));
  g_signal_connect (button, "clicked", G_CALLBACK (add_parameter_cb), self);
  adw_preferences_group_set_header_suffix (group, button);
  g_hash_table_replace (self->rows, g_strdup ("add-parameter"), button);
  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) p = g_list_model_get_item (parameters, i);
      GtkWidget *expander = add_expander (group, sluice_parameter_get_name (p),
                                          G_LIST_STORE (parameters), G_OBJECT (p), self);
      g_autofree char *key = g_strdup_printf ("parameter:%s:name", sluice_parameter_get_name (p));

      expander_entry (self, expander, G_OBJECT (p), "name", _("Name"), key);
      expander_entry (self, expander, G_OBJECT (p), "default-value", _("Default"), NULL);
      expander_entry (self, expander, G_OBJECT (p), "description", _("Description"), NULL);
    }

  group = _sluice_inspector_add_group (self, _("Services"));
  adw_preferences_group_set_description (group, _("Servers that external modules call"));
  button = add_button (_("Add a service"));
  g_signal_connect (button, "clicked", G_CALLBACK (add_service_cb), self);
  adw_preferences_group_set_header_suffix (group, button);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(SluiceService) s = g_list_model_get_item (services, i);
      GtkWidget *expander = add_expander (group, sluice_service_get_name (s),
                                          G_LIST_STORE (services), G_OBJECT (s), self);
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *balance = adw_combo_row_new ();
      const char *balances[] = { "least-loaded", "round-robin", NULL };
      g_autoptr(GtkStringList) model = gtk_string_list_new (balances);
      g_autofree char *urls = g_strjoinv (" ", (char **) sluice_service_get_endpoints (s));

      g_autofree char *key = g_strdup_printf ("service:%s:name", sluice_service_get_name (s));

      expander_entry (self, expander, G_OBJECT (s), "name", _("Name"), key);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (balance), _("Balance"));
      adw_combo_row_set_model (ADW_COMBO_ROW (balance), G_LIST_MODEL (model));
      adw_combo_row_set_selected (ADW_COMBO_ROW (balance),
                                  g_strcmp0 (sluice_service_get_balance (s), "round-robin") == 0);
      _sluice_inspector_bind_row (self, balance, G_OBJECT (s), "balance", NULL);
      g_signal_connect (balance, "notify::selected", G_CALLBACK (balance_changed_cb), self);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), balance);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Endpoints (separated by spaces)"));
      gtk_editable_set_text (GTK_EDITABLE (row), urls);
      _sluice_inspector_bind_row (self, row, G_OBJECT (s), "endpoints", NULL);
      g_signal_connect (row, "changed", G_CALLBACK (endpoints_changed_cb), self);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
    }
}
