/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-controller.h"
#include "sluice-node-private.h"
#include "sluice-pipeline.h"

struct _SluicePipeline
{
  SluiceNode  parent_instance;

  guint       format;
  guint64     lua_memory_limit;
  char       *description;
  GListStore *controllers;   /* of SluiceController, owned */
  GListStore *parameters;    /* of SluiceParameter, owned */
  GListStore *services;      /* of SluiceService, owned */
  SluiceSchedule *schedule;  /* owned, may be NULL */
  GListStore *tests;         /* of SluiceTestCase, owned */
  char       *view_xml;
};

G_DEFINE_FINAL_TYPE (SluicePipeline, sluice_pipeline, SLUICE_TYPE_NODE)

enum {
  PROP_0,
  PROP_FORMAT,
  PROP_DESCRIPTION,
  PROP_VIEW_XML,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static guint
sluice_pipeline_get_child_lists (SluiceNode  *node,
                                 GListModel **lists)
{
  lists[0] = G_LIST_MODEL (SLUICE_PIPELINE (node)->controllers);
  return 1;
}

static void
sluice_pipeline_dispose (GObject *object)
{
  SluicePipeline *self = SLUICE_PIPELINE (object);

  if (self->controllers != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->controllers));
  g_clear_object (&self->controllers);
  g_clear_object (&self->parameters);
  g_clear_object (&self->services);
  g_clear_object (&self->schedule);
  g_clear_object (&self->tests);

  G_OBJECT_CLASS (sluice_pipeline_parent_class)->dispose (object);
}

static void
sluice_pipeline_finalize (GObject *object)
{
  SluicePipeline *self = SLUICE_PIPELINE (object);

  g_free (self->description);
  g_free (self->view_xml);

  G_OBJECT_CLASS (sluice_pipeline_parent_class)->finalize (object);
}

static void
sluice_pipeline_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SluicePipeline *self = SLUICE_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_uint (value, self->format);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_VIEW_XML:
      g_value_set_string (value, self->view_xml);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_pipeline_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SluicePipeline *self = SLUICE_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      sluice_pipeline_set_format (self, g_value_get_uint (value));
      break;
    case PROP_DESCRIPTION:
      sluice_pipeline_set_description (self, g_value_get_string (value));
      break;
    case PROP_VIEW_XML:
      sluice_pipeline_set_view_xml (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_pipeline_class_init (SluicePipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceNodeClass *node_class = SLUICE_NODE_CLASS (klass);

  object_class->dispose = sluice_pipeline_dispose;
  object_class->finalize = sluice_pipeline_finalize;
  object_class->get_property = sluice_pipeline_get_property;
  object_class->set_property = sluice_pipeline_set_property;

  node_class->element_name = "pipeline";
  node_class->get_child_lists = sluice_pipeline_get_child_lists;

  properties[PROP_FORMAT] =
    g_param_spec_uint ("format", NULL, NULL, 0, G_MAXUINT, SLUICE_FORMAT_VERSION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_XML] =
    g_param_spec_string ("view-xml", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SluicePipeline::changed:
   *
   * Something in the pipeline's tree changed: a property of any node, a
   * child list, a parameter or a service. Emitted after the change.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
item_notify_cb (SluicePipeline *self)
{
  sluice_pipeline_emit_changed (self);
}

/* Parameters and services are not nodes, so the pipeline watches them to
 * report their edits through "changed" too. */
static void
plain_items_changed_cb (SluicePipeline *self,
                        guint           position,
                        guint           removed,
                        guint           added,
                        GListModel     *list)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (list, i);

      g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb),
                               self, G_CONNECT_SWAPPED);
    }

  sluice_pipeline_emit_changed (self);
}

static void
sluice_pipeline_init (SluicePipeline *self)
{
  self->format = SLUICE_FORMAT_VERSION;
  self->controllers = sluice_node_list_new (SLUICE_TYPE_CONTROLLER);
  self->parameters = g_list_store_new (SLUICE_TYPE_PARAMETER);
  self->services = g_list_store_new (SLUICE_TYPE_SERVICE);
  self->tests = g_list_store_new (SLUICE_TYPE_TEST_CASE);

  g_signal_connect_object (self->parameters, "items-changed",
                           G_CALLBACK (plain_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->services, "items-changed",
                           G_CALLBACK (plain_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tests, "items-changed",
                           G_CALLBACK (plain_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

SluicePipeline *
sluice_pipeline_new (void)
{
  return g_object_new (SLUICE_TYPE_PIPELINE, NULL);
}

guint
sluice_pipeline_get_format (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), 0);
  return self->format;
}

void
sluice_pipeline_set_format (SluicePipeline *self,
                            guint           format)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));

  if (self->format == format)
    return;

  self->format = format;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMAT]);
  sluice_pipeline_emit_changed (self);
}

guint64
sluice_pipeline_get_lua_memory_limit (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), 0);
  return self->lua_memory_limit;
}

void
sluice_pipeline_set_lua_memory_limit (SluicePipeline *self,
                                      guint64         bytes)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));

  if (self->lua_memory_limit == bytes)
    return;
  self->lua_memory_limit = bytes;
  sluice_pipeline_emit_changed (self);
}

const char *
sluice_pipeline_get_description (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->description;
}

void
sluice_pipeline_set_description (SluicePipeline *self,
                                 const char     *description)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));

  if (sluice_set_string (&self->description, description))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
      sluice_pipeline_emit_changed (self);
    }
}

GListModel *
sluice_pipeline_get_controllers (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return G_LIST_MODEL (self->controllers);
}

GListStore *
sluice_pipeline_get_parameters (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->parameters;
}

GListStore *
sluice_pipeline_get_services (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->services;
}

SluiceParameter *
sluice_pipeline_find_parameter (SluicePipeline *self,
                                const char     *name)
{
  guint n;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->parameters));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceParameter) param =
        g_list_model_get_item (G_LIST_MODEL (self->parameters), i);

      if (g_strcmp0 (sluice_parameter_get_name (param), name) == 0)
        return param;   /* the store keeps it alive */
    }

  return NULL;
}

SluiceService *
sluice_pipeline_find_service (SluicePipeline *self,
                              const char     *name)
{
  guint n;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->services));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceService) service =
        g_list_model_get_item (G_LIST_MODEL (self->services), i);

      if (g_strcmp0 (sluice_service_get_name (service), name) == 0)
        return service;   /* the store keeps it alive */
    }

  return NULL;
}

SluiceSchedule *
sluice_pipeline_get_schedule (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->schedule;
}

void
sluice_pipeline_set_schedule (SluicePipeline *self,
                              SluiceSchedule *schedule)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));
  g_return_if_fail (schedule == NULL || SLUICE_IS_SCHEDULE (schedule));

  if (self->schedule == schedule)
    return;
  if (self->schedule != NULL)
    g_signal_handlers_disconnect_by_func (self->schedule, item_notify_cb, self);
  g_set_object (&self->schedule, schedule);
  if (schedule != NULL)
    g_signal_connect_object (schedule, "notify", G_CALLBACK (item_notify_cb),
                             self, G_CONNECT_SWAPPED);
  sluice_pipeline_emit_changed (self);
}

GListStore *
sluice_pipeline_get_tests (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->tests;
}

SluiceTestCase *
sluice_pipeline_find_test (SluicePipeline *self,
                           const char     *name)
{
  guint n;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tests));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (G_LIST_MODEL (self->tests), i);

      if (g_strcmp0 (sluice_test_case_get_name (test), name) == 0)
        return test;
    }
  return NULL;
}

const char *
sluice_pipeline_get_view_xml (SluicePipeline *self)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  return self->view_xml;
}

void
sluice_pipeline_set_view_xml (SluicePipeline *self,
                              const char     *view_xml)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));

  if (sluice_set_string (&self->view_xml, view_xml))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_XML]);
      sluice_pipeline_emit_changed (self);
    }
}

/* Depth first, document order. Returns FALSE when @func stopped it. */
static gboolean
foreach_in_lists (SluiceNode     *node,
                  SluiceNodeFunc  func,
                  gpointer        user_data)
{
  GListModel *lists[SLUICE_NODE_MAX_CHILD_LISTS];
  guint n_lists = sluice_node_get_child_lists (node, lists);

  for (guint l = 0; l < n_lists; l++)
    {
      guint n = g_list_model_get_n_items (lists[l]);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SluiceNode) child = g_list_model_get_item (lists[l], i);

          if (!func (child, user_data))
            return FALSE;
          if (!foreach_in_lists (child, func, user_data))
            return FALSE;
        }
    }

  return TRUE;
}

void
sluice_pipeline_foreach_node (SluicePipeline *self,
                              SluiceNodeFunc  func,
                              gpointer        user_data)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));
  g_return_if_fail (func != NULL);

  foreach_in_lists (SLUICE_NODE (self), func, user_data);
}

typedef struct
{
  const char *id;
  SluiceNode *found;
} FindById;

static gboolean
find_by_id_cb (SluiceNode *node,
               gpointer    user_data)
{
  FindById *find = user_data;

  if (g_strcmp0 (sluice_node_get_id (node), find->id) == 0)
    {
      find->found = node;
      return FALSE;
    }
  return TRUE;
}

SluiceNode *
sluice_pipeline_find_node (SluicePipeline *self,
                           const char     *id)
{
  FindById find = { id, NULL };

  g_return_val_if_fail (SLUICE_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  sluice_pipeline_foreach_node (self, find_by_id_cb, &find);
  return find.found;
}

void
sluice_pipeline_emit_changed (SluicePipeline *self)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (self));

  g_signal_emit (self, signals[CHANGED], 0);
}
