/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-comments.h"
#include "sluice-node-private.h"
#include "sluice-pipeline.h"

typedef struct
{
  char       *id;
  char       *name;
  guint       line;
  SluiceNode *parent;              /* borrowed: the parent owns us */
} SluiceNodePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SluiceNode, sluice_node, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
sluice_set_string (char      **member,
                   const char *value)
{
  if (g_strcmp0 (*member, value) == 0)
    return FALSE;

  g_free (*member);
  *member = g_strdup (value);
  return TRUE;
}

static void
sluice_node_finalize (GObject *object)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (SLUICE_NODE (object));

  g_free (priv->id);
  g_free (priv->name);

  G_OBJECT_CLASS (sluice_node_parent_class)->finalize (object);
}

static void
sluice_node_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SluiceNode *self = SLUICE_NODE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, sluice_node_get_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, sluice_node_get_name (self));
      break;
    case PROP_LINE:
      g_value_set_uint (value, sluice_node_get_line (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_node_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SluiceNode *self = SLUICE_NODE (object);

  switch (prop_id)
    {
    case PROP_ID:
      sluice_node_set_id (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      sluice_node_set_name (self, g_value_get_string (value));
      break;
    case PROP_LINE:
      sluice_node_set_line (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_node_class_init (SluiceNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_node_finalize;
  object_class->get_property = sluice_node_get_property;
  object_class->set_property = sluice_node_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_node_init (SluiceNode *self)
{
}

void
sluice_node_changed (SluiceNode *self)
{
  SluiceNode *root = self;

  while (sluice_node_get_parent (root) != NULL)
    root = sluice_node_get_parent (root);

  if (SLUICE_IS_PIPELINE (root))
    sluice_pipeline_emit_changed (SLUICE_PIPELINE (root));
}

const char *
sluice_node_get_id (SluiceNode *self)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return priv->id;
}

void
sluice_node_set_id (SluiceNode *self,
                    const char *id)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_NODE (self));

  if (sluice_set_string (&priv->id, id))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
      sluice_node_changed (self);
    }
}

const char *
sluice_node_get_name (SluiceNode *self)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return priv->name;
}

void
sluice_node_set_name (SluiceNode *self,
                      const char *name)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_NODE (self));

  if (sluice_set_string (&priv->name, name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
      sluice_node_changed (self);
    }
}

const char *
sluice_node_get_label (SluiceNode *self)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  if (priv->name != NULL && priv->name[0] != '\0')
    return priv->name;
  return priv->id != NULL ? priv->id : "";
}

guint
sluice_node_get_line (SluiceNode *self)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_NODE (self), 0);

  return priv->line;
}

/* The line is where the node was read from, not user data: changing it
 * does not mark the document modified. */
void
sluice_node_set_line (SluiceNode *self,
                      guint       line)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_NODE (self));

  if (priv->line != line)
    {
      priv->line = line;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINE]);
    }
}

SluiceNode *
sluice_node_get_parent (SluiceNode *self)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return priv->parent;
}

void
sluice_node_set_parent (SluiceNode *self,
                        SluiceNode *parent)
{
  SluiceNodePrivate *priv = sluice_node_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_NODE (self));
  g_return_if_fail (parent == NULL || SLUICE_IS_NODE (parent));

  priv->parent = parent;
}

const char *
sluice_node_get_element_name (SluiceNode *self)
{
  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return SLUICE_NODE_GET_CLASS (self)->element_name;
}

guint
sluice_node_get_child_lists (SluiceNode  *self,
                             GListModel **lists)
{
  SluiceNodeClass *klass;

  g_return_val_if_fail (SLUICE_IS_NODE (self), 0);
  g_return_val_if_fail (lists != NULL, 0);

  klass = SLUICE_NODE_GET_CLASS (self);
  if (klass->get_child_lists == NULL)
    return 0;
  return klass->get_child_lists (self, lists);
}

gboolean
sluice_node_get_container (SluiceNode  *node,
                           SluiceNode **owner,
                           GListModel **list,
                           guint       *position)
{
  GListModel *lists[SLUICE_NODE_MAX_CHILD_LISTS];
  SluiceNode *parent;
  guint n_lists;

  g_return_val_if_fail (SLUICE_IS_NODE (node), FALSE);

  parent = sluice_node_get_parent (node);
  if (parent == NULL)
    return FALSE;

  n_lists = sluice_node_get_child_lists (parent, lists);
  for (guint i = 0; i < n_lists; i++)
    {
      gint pos = sluice_node_list_find (lists[i], node);

      if (pos < 0)
        continue;
      if (owner != NULL)
        *owner = parent;
      if (list != NULL)
        *list = lists[i];
      if (position != NULL)
        *position = (guint) pos;
      return TRUE;
    }

  return FALSE;
}

/* Comments live in the model's one store (sluice-comments.h); a change
 * is an edit of the node like any other. */
const char * const *
sluice_node_get_comments (SluiceNode *self)
{
  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return sluice_comments_get (self, SLUICE_COMMENTS_BEFORE);
}

void
sluice_node_set_comments (SluiceNode         *self,
                          const char * const *comments)
{
  g_return_if_fail (SLUICE_IS_NODE (self));

  if (sluice_comments_set (self, SLUICE_COMMENTS_BEFORE, comments))
    sluice_node_changed (self);
}

const char * const *
sluice_node_get_trailing_comments (SluiceNode *self)
{
  g_return_val_if_fail (SLUICE_IS_NODE (self), NULL);

  return sluice_comments_get (self, SLUICE_COMMENTS_END);
}

void
sluice_node_set_trailing_comments (SluiceNode         *self,
                                   const char * const *comments)
{
  g_return_if_fail (SLUICE_IS_NODE (self));

  if (sluice_comments_set (self, SLUICE_COMMENTS_END, comments))
    sluice_node_changed (self);
}

/* Child lists */

GListStore *
sluice_node_list_new (GType child_type)
{
  g_return_val_if_fail (g_type_is_a (child_type, SLUICE_TYPE_NODE), NULL);

  return g_list_store_new (child_type);
}

void
sluice_node_list_insert (SluiceNode *owner,
                         GListModel *list,
                         guint       position,
                         SluiceNode *child)
{
  g_return_if_fail (SLUICE_IS_NODE (owner));
  g_return_if_fail (G_IS_LIST_STORE (list));
  g_return_if_fail (SLUICE_IS_NODE (child));
  g_return_if_fail (sluice_node_get_parent (child) == NULL);
  g_return_if_fail (position <= g_list_model_get_n_items (list));

  sluice_node_set_parent (child, owner);
  g_list_store_insert (G_LIST_STORE (list), position, child);
  sluice_node_changed (owner);
}

void
sluice_node_list_append (SluiceNode *owner,
                         GListModel *list,
                         SluiceNode *child)
{
  g_return_if_fail (G_IS_LIST_MODEL (list));

  sluice_node_list_insert (owner, list, g_list_model_get_n_items (list), child);
}

void
sluice_node_list_remove (GListModel *list,
                         guint       position)
{
  g_autoptr(SluiceNode) child = NULL;
  SluiceNode *owner;

  g_return_if_fail (G_IS_LIST_STORE (list));
  g_return_if_fail (position < g_list_model_get_n_items (list));

  child = g_list_model_get_item (list, position);
  owner = sluice_node_get_parent (child);
  sluice_node_set_parent (child, NULL);
  g_list_store_remove (G_LIST_STORE (list), position);
  if (owner != NULL)
    sluice_node_changed (owner);
}

gint
sluice_node_list_find (GListModel *list,
                       SluiceNode *child)
{
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (list), -1);

  n = g_list_model_get_n_items (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceNode) item = g_list_model_get_item (list, i);

      if (item == child)
        return (gint) i;
    }

  return -1;
}

void
sluice_node_list_clear_parents (GListModel *list)
{
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceNode) item = g_list_model_get_item (list, i);

      sluice_node_set_parent (item, NULL);
    }
}
