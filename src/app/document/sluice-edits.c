/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "sluice-commands.h"
#include "sluice-edits.h"

gboolean
sluice_node_is_inside (SluiceNode *node,
                       SluiceNode *ancestor)
{
  for (SluiceNode *n = node; n != NULL; n = sluice_node_get_parent (n))
    if (n == ancestor)
      return TRUE;
  return FALSE;
}

GType
sluice_edit_kind_type (const char *kind)
{
  if (g_str_has_prefix (kind, "controller:"))
    return SLUICE_TYPE_CONTROLLER;
  if (g_str_equal (kind, "phase"))
    return SLUICE_TYPE_PHASE;
  if (g_str_equal (kind, "lua") || g_str_equal (kind, "command") || g_str_has_prefix (kind, "tool:"))
    return SLUICE_TYPE_EXECUTION;
  if (g_str_equal (kind, "condition"))
    return SLUICE_TYPE_CONDITION;
  if (g_str_equal (kind, "gate"))
    return SLUICE_TYPE_GATE;
  if (g_str_equal (kind, "combination"))
    return SLUICE_TYPE_COMBINATION;
  if (g_str_equal (kind, "external"))
    return SLUICE_TYPE_EXTERNAL;
  if (g_str_equal (kind, "fail"))
    return SLUICE_TYPE_FAIL;
  return G_TYPE_INVALID;
}

SluiceNode *
sluice_edit_create_node (SluiceDocument *document,
                         const char     *kind)
{
  GType type = sluice_edit_kind_type (kind);
  g_autofree char *id = NULL;

  if (type == SLUICE_TYPE_CONTROLLER)
    {
      SluiceMode mode;
      SluiceController *controller;
      g_autoptr(SluicePhase) phase = NULL;
      g_autofree char *phase_id = NULL;

      if (!sluice_mode_from_string (kind + strlen ("controller:"), &mode))
        return NULL;
      id = sluice_document_unique_id (document, "controller");
      controller = sluice_controller_new (id, mode);
      /* A controller without a phase is a problem; start it with one. */
      phase_id = sluice_document_unique_id (document, "phase");
      phase = sluice_phase_new (phase_id);
      sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller), SLUICE_NODE (phase));
      return SLUICE_NODE (controller);
    }
  if (type == SLUICE_TYPE_PHASE)
    {
      id = sluice_document_unique_id (document, "phase");
      return SLUICE_NODE (sluice_phase_new (id));
    }
  if (type == SLUICE_TYPE_EXECUTION)
    {
      SluiceExecution *execution;

      id = sluice_document_unique_id (document, g_str_has_prefix (kind, "tool:") ? kind + 5 : kind);
      execution = sluice_execution_new (id);
      if (g_str_equal (kind, "lua"))
        sluice_execution_set_lua (execution, "-- change the item here\n");
      else if (g_str_equal (kind, "command"))
        sluice_execution_set_command (execution, "cat");
      else
        sluice_execution_set_tool (execution, kind + 5);
      return SLUICE_NODE (execution);
    }
  if (type == SLUICE_TYPE_GATE)
    {
      /* A gate with one check to edit: items whose score is at least 1
       * go on, the first that misses fails the run. */
      SluiceGate *gate;
      g_autoptr(SluiceGateCheck) check = sluice_gate_check_new (_("Score"), "item.score", ">=", "1");

      id = sluice_document_unique_id (document, "gate");
      gate = sluice_gate_new (id);
      sluice_node_set_name (SLUICE_NODE (gate), _("Gate"));
      sluice_gate_add_check (gate, check);
      return SLUICE_NODE (gate);
    }
  if (type == SLUICE_TYPE_CONDITION)
    {
      id = sluice_document_unique_id (document, "condition");
      return SLUICE_NODE (sluice_condition_new (id, "item.ok"));
    }
  if (type == SLUICE_TYPE_COMBINATION)
    {
      id = sluice_document_unique_id (document, "combination");
      return SLUICE_NODE (sluice_combination_new (id));
    }
  if (type == SLUICE_TYPE_EXTERNAL)
    {
      SluicePipeline *pipeline = sluice_document_get_pipeline (document);
      GListModel *services = G_LIST_MODEL (sluice_pipeline_get_services (pipeline));
      g_autoptr(SluiceService) first = g_list_model_get_n_items (services) ?
                                       g_list_model_get_item (services, 0) : NULL;

      id = sluice_document_unique_id (document, "external");
      return SLUICE_NODE (sluice_external_new (id, first ? sluice_service_get_name (first) : "service"));
    }
  if (type == SLUICE_TYPE_FAIL)
    {
      id = sluice_document_unique_id (document, "fail");
      return SLUICE_NODE (sluice_fail_new (id, _("stopped here")));
    }
  return NULL;
}

static SluiceNode *
last_item (GListModel *list)
{
  guint n = g_list_model_get_n_items (list);

  return n ? g_list_model_get_item (list, n - 1) : NULL;
}

gboolean
sluice_edit_insertion_point (SluiceDocument  *document,
                             SluiceNode      *anchor,
                             GType            type,
                             SluiceNode     **owner,
                             GListModel     **list,
                             guint           *position)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (document);
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);

  if (g_type_is_a (type, SLUICE_TYPE_CONTROLLER))
    {
      SluiceNode *c = anchor;

      while (c != NULL && !SLUICE_IS_CONTROLLER (c))
        c = sluice_node_get_parent (c);
      *owner = SLUICE_NODE (pipeline);
      *list = controllers;
      *position = c ? (guint) sluice_node_list_find (controllers, c) + 1 : g_list_model_get_n_items (controllers);
      return TRUE;
    }

  if (g_type_is_a (type, SLUICE_TYPE_PHASE))
    {
      g_autoptr(SluiceNode) last = NULL;
      SluiceNode *p = anchor;

      while (p != NULL && !SLUICE_IS_PHASE (p) && !SLUICE_IS_CONTROLLER (p))
        p = sluice_node_get_parent (p);
      if (p != NULL && SLUICE_IS_PHASE (p))
        return sluice_node_get_container (p, owner, list, position) && (++*position, TRUE);
      if (p == NULL)
        p = last = last_item (controllers);
      if (p == NULL)
        return FALSE;
      *owner = p;
      *list = sluice_controller_get_phases (SLUICE_CONTROLLER (p));
      *position = g_list_model_get_n_items (*list);
      return TRUE;
    }

  /* Modules: after a module, at the end of a phase or combination, or at
   * the end of the last phase. */
  if (anchor != NULL && SLUICE_IS_MODULE (anchor) && !SLUICE_IS_PIPELINE (anchor))
    {
      if (SLUICE_IS_COMBINATION (anchor))
        {
          *owner = anchor;
          *list = sluice_combination_get_modules (SLUICE_COMBINATION (anchor));
          *position = g_list_model_get_n_items (*list);
          return TRUE;
        }
      if (sluice_node_get_container (anchor, owner, list, position))
        {
          ++*position;
          return TRUE;
        }
    }
  if (anchor != NULL && SLUICE_IS_PHASE (anchor))
    {
      *owner = anchor;
      *list = sluice_phase_get_modules (SLUICE_PHASE (anchor));
      *position = g_list_model_get_n_items (*list);
      return TRUE;
    }
  {
    g_autoptr(SluiceNode) controller = NULL;
    g_autoptr(SluiceNode) phase = NULL;

    if (anchor != NULL && SLUICE_IS_CONTROLLER (anchor))
      controller = g_object_ref (anchor);
    else
      controller = last_item (controllers);
    if (controller == NULL)
      return FALSE;
    phase = last_item (sluice_controller_get_phases (SLUICE_CONTROLLER (controller)));
    if (phase == NULL)
      return FALSE;
    *owner = phase;
    *list = sluice_phase_get_modules (SLUICE_PHASE (phase));
    *position = g_list_model_get_n_items (*list);
    return TRUE;
  }
}

void
sluice_edit_insert (SluiceDocument *document,
                    SluiceNode     *node,
                    SluiceNode     *owner,
                    GListModel     *list,
                    guint           position)
{
  SluiceCommand *command = sluice_insert_command_new (owner, list, position, node);

  sluice_command_set_description (command, _("Add"));
  sluice_document_push (document, command);
}

gboolean
sluice_edit_move (SluiceDocument *document,
                  SluiceNode     *node,
                  SluiceNode     *owner,
                  GListModel     *list,
                  guint           position)
{
  SluiceNode *old_owner;
  GListModel *old_list;
  guint old_position;
  SluiceCommand *group;

  if (!sluice_node_get_container (node, &old_owner, &old_list, &old_position))
    return FALSE;
  if (sluice_node_is_inside (owner, node))
    return FALSE;
  if (old_list == list)
    {
      /* Counted with the node still in the list. */
      if (position > old_position)
        position--;
      if (position == old_position)
        return FALSE;
    }

  group = sluice_group_command_new (_("Move"));
  sluice_group_command_add (group, sluice_remove_command_new (node));
  sluice_group_command_add (group, sluice_insert_command_new (owner, list, position, node));
  sluice_document_push (document, group);
  return TRUE;
}

gboolean
sluice_edit_move_by (SluiceDocument *document,
                     SluiceNode     *node,
                     int             delta)
{
  SluiceNode *owner;
  GListModel *list;
  guint position;
  gint target;

  if (!sluice_node_get_container (node, &owner, &list, &position))
    return FALSE;
  target = (gint) position + delta;
  if (target < 0 || target >= (gint) g_list_model_get_n_items (list))
    return FALSE;
  /* Positions count the node itself: moving down skips over it. */
  return sluice_edit_move (document, node, owner, list, delta > 0 ? target + 1 : target);
}

gboolean
sluice_edit_delete (SluiceDocument *document,
                    GPtrArray      *nodes)
{
  SluiceCommand *group = sluice_group_command_new (_("Delete"));

  for (guint i = 0; i < nodes->len; i++)
    {
      SluiceNode *node = nodes->pdata[i];
      gboolean covered = FALSE;

      if (sluice_node_get_parent (node) == NULL)
        continue;
      for (guint j = 0; j < nodes->len && !covered; j++)
        covered = j != i && nodes->pdata[j] != node && sluice_node_is_inside (node, nodes->pdata[j]);
      if (!covered)
        sluice_group_command_add (group, sluice_remove_command_new (node));
    }

  if (sluice_group_command_get_size (group) == 0)
    {
      g_object_unref (group);
      return FALSE;
    }
  sluice_document_push (document, group);
  return TRUE;
}

/* Clipboard -------------------------------------------------------------- */

typedef enum { LEVEL_MODULE, LEVEL_PHASE, LEVEL_CONTROLLER } Level;

static Level
node_level (SluiceNode *node)
{
  if (SLUICE_IS_CONTROLLER (node))
    return LEVEL_CONTROLLER;
  if (SLUICE_IS_PHASE (node))
    return LEVEL_PHASE;
  return LEVEL_MODULE;
}

static void
collect_elements (xmlNode    *node,
                  GHashTable *ids,
                  GPtrArray  *found)
{
  for (xmlNode *n = node; n != NULL; n = n->next)
    {
      xmlChar *id;

      if (n->type != XML_ELEMENT_NODE)
        continue;
      id = xmlGetProp (n, (const xmlChar *) "id");
      if (id != NULL && g_hash_table_contains (ids, id) &&
          !xmlStrEqual (n->name, (const xmlChar *) "pipeline"))
        {
          g_ptr_array_add (found, n);
          xmlFree (id);
          continue;  /* its children come with it */
        }
      if (id != NULL)
        xmlFree (id);
      collect_elements (n->children, ids, found);
    }
}

char *
sluice_edit_copy_xml (SluiceDocument *document,
                      GPtrArray      *nodes)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (document);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autofree char *data = NULL;
  GString *out;
  Level level = LEVEL_MODULE;
  xmlDoc *doc;
  gsize length;

  if (nodes == NULL || nodes->len == 0)
    return NULL;

  /* Mixed selections copy their highest level only. */
  for (guint i = 0; i < nodes->len; i++)
    level = MAX (level, node_level (nodes->pdata[i]));
  for (guint i = 0; i < nodes->len; i++)
    if (node_level (nodes->pdata[i]) == level && sluice_node_get_id (nodes->pdata[i]) != NULL)
      g_hash_table_add (ids, (gpointer) sluice_node_get_id (nodes->pdata[i]));

  data = sluice_save_to_data (pipeline, &length);
  doc = xmlReadMemory (data, length, "pipeline.xml", NULL, XML_PARSE_NONET);
  if (doc == NULL)
    return NULL;
  collect_elements (xmlDocGetRootElement (doc), ids, found);

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pipeline format=\"1\" id=\"clipboard\">\n");
  if (level <= LEVEL_PHASE)
    g_string_append (out, "<controller id=\"clipboard-controller\" mode=\"not-parallel\">\n");
  if (level == LEVEL_MODULE)
    g_string_append (out, "<phase id=\"clipboard-phase\">\n");
  for (guint i = 0; i < found->len; i++)
    {
      xmlBuffer *buf = xmlBufferCreate ();

      xmlNodeDump (buf, doc, found->pdata[i], 0, 0);
      g_string_append_len (out, (const char *) xmlBufferContent (buf), xmlBufferLength (buf));
      g_string_append_c (out, '\n');
      xmlBufferFree (buf);
    }
  if (level == LEVEL_MODULE)
    g_string_append (out, "</phase>\n");
  if (level <= LEVEL_PHASE)
    g_string_append (out, "</controller>\n");
  g_string_append (out, "</pipeline>\n");
  xmlFreeDoc (doc);
  return g_string_free (out, FALSE);
}

/* Which level the fragment's top elements are, or -1. */
static int
fragment_level (const char *text,
                gboolean   *is_pipeline)
{
  g_autofree char *wrapped = NULL;
  const char *body = text;
  xmlDoc *doc;
  int level = -1;

  *is_pipeline = FALSE;
  while (g_ascii_isspace (*body))
    body++;
  if (g_str_has_prefix (body, "<?xml"))
    {
      const char *end = strstr (body, "?>");
      body = end ? end + 2 : body;
    }
  wrapped = g_strconcat ("<fragment>", body, "</fragment>", NULL);
  /* No entities, no network, no DTD: the loader checks the real thing. */
  doc = xmlReadMemory (wrapped, strlen (wrapped), "clipboard", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return -1;
  for (xmlNode *n = xmlDocGetRootElement (doc)->children; n != NULL; n = n->next)
    {
      if (n->type != XML_ELEMENT_NODE)
        continue;
      if (xmlStrEqual (n->name, (const xmlChar *) "pipeline"))
        *is_pipeline = TRUE, level = LEVEL_CONTROLLER;
      else if (xmlStrEqual (n->name, (const xmlChar *) "controller"))
        level = LEVEL_CONTROLLER;
      else if (xmlStrEqual (n->name, (const xmlChar *) "phase"))
        level = LEVEL_PHASE;
      else
        level = LEVEL_MODULE;
      break;
    }
  xmlFreeDoc (doc);
  return level;
}

typedef struct
{
  SluiceDocument *document;
  GHashTable     *taken;   /* ids used by this paste */
} RenameData;

static gboolean
rename_cb (SluiceNode *node,
           gpointer    user_data)
{
  RenameData *data = user_data;
  const char *id = sluice_node_get_id (node);
  g_autofree char *fresh = NULL;
  g_autofree char *base = NULL;
  char *dash;

  if (id == NULL)
    return TRUE;
  if (sluice_pipeline_find_node (sluice_document_get_pipeline (data->document), id) == NULL &&
      !g_hash_table_contains (data->taken, id))
    {
      g_hash_table_add (data->taken, g_strdup (id));
      return TRUE;
    }
  /* "step-2" copied becomes "step-3", not "step-2-2". */
  base = g_strdup (id);
  dash = strrchr (base, '-');
  if (dash != NULL && dash[1] != '\0' && dash != base && strspn (dash + 1, "0123456789") == strlen (dash + 1))
    *dash = '\0';
  for (guint i = 2; ; i++)
    {
      g_free (fresh);
      fresh = g_strdup_printf ("%s-%u", base, i);
      if (sluice_pipeline_find_node (sluice_document_get_pipeline (data->document), fresh) == NULL &&
          !g_hash_table_contains (data->taken, fresh))
        break;
    }
  g_hash_table_add (data->taken, g_strdup (fresh));
  sluice_node_set_id (node, fresh);
  return TRUE;
}

GPtrArray *
sluice_edit_paste_xml (SluiceDocument  *document,
                       const char      *text,
                       SluiceNode      *anchor,
                       GError         **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pasted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) scratch = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *full = NULL;
  RenameData rename = { document, taken };
  gboolean is_pipeline;
  GListModel *source = NULL;
  SluiceNode *owner;
  GListModel *list;
  guint position;
  SluiceCommand *group;
  GType type;
  int level;

  level = fragment_level (text, &is_pipeline);
  if (level < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The clipboard does not hold pipeline XML"));
      return NULL;
    }

  if (is_pipeline)
    full = g_strdup (text);
  else
    {
      const char *body = strstr (text, "?>") ? strstr (text, "?>") + 2 : text;

      full = g_strconcat ("<pipeline format=\"1\" id=\"clipboard\">",
                          level <= LEVEL_PHASE ? "<controller id=\"clipboard-controller\">" : "",
                          level == LEVEL_MODULE ? "<phase id=\"clipboard-phase\">" : "",
                          body,
                          level == LEVEL_MODULE ? "</phase>" : "",
                          level <= LEVEL_PHASE ? "</controller>" : "",
                          "</pipeline>", NULL);
    }

  scratch = sluice_load_data (full, strlen (full), _("clipboard"), problems);
  if (scratch == NULL || sluice_problems_have_errors (problems))
    {
      for (guint i = 0; i < problems->len; i++)
        if (sluice_problem_get_severity (problems->pdata[i]) == SLUICE_SEVERITY_ERROR)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("Cannot paste: %s"), sluice_problem_get_message (problems->pdata[i]));
            return NULL;
          }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Cannot paste this XML"));
      return NULL;
    }

  /* Find the list of the top-level pasted nodes. */
  source = sluice_pipeline_get_controllers (scratch);
  if (level <= LEVEL_PHASE)
    {
      g_autoptr(SluiceController) c = g_list_model_get_item (source, 0);

      if (c == NULL)
        goto empty;
      source = sluice_controller_get_phases (c);
      if (level == LEVEL_MODULE)
        {
          g_autoptr(SluicePhase) p = g_list_model_get_item (source, 0);

          if (p == NULL)
            goto empty;
          source = sluice_phase_get_modules (p);
        }
    }
  if (g_list_model_get_n_items (source) == 0)
    goto empty;

  /* Rename the pasted nodes and everything inside them. */
  for (guint i = 0; i < g_list_model_get_n_items (source); i++)
    g_ptr_array_add (pasted, g_list_model_get_item (source, i));
  sluice_pipeline_foreach_node (scratch, rename_cb, &rename);

  type = G_OBJECT_TYPE (pasted->pdata[0]);
  if (!sluice_edit_insertion_point (document, anchor, type, &owner, &list, &position))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no phase to paste modules into"));
      return NULL;
    }

  /* Detach from the scratch pipeline, then insert as one step. */
  while (g_list_model_get_n_items (source) > 0)
    sluice_node_list_remove (source, 0);
  group = sluice_group_command_new (_("Paste"));
  for (guint i = 0; i < pasted->len; i++)
    sluice_group_command_add (group, sluice_insert_command_new (owner, list, position + i, pasted->pdata[i]));
  sluice_document_push (document, group);
  return g_steal_pointer (&pasted);

empty:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("There is nothing to paste"));
  return NULL;
}
