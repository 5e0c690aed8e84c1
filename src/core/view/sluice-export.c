/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <string.h>

#include "sluice-combination.h"
#include "sluice-condition.h"
#include "sluice-controller.h"
#include "sluice-execution.h"
#include "sluice-export.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-gate.h"
#include "sluice-phase.h"

G_DEFINE_QUARK (sluice-export-error-quark, sluice_export_error)

/* DOT generation ------------------------------------------------------ */

typedef struct
{
  GString *out;
  /* Edges are written after every cluster, at the top of the graph: an
   * edge inside a cluster would pull both its ends into it (an edge
   * from one controller to the next would move the first controller's
   * last node into the next one's cluster). */
  GString *edges;
  guint    next_id;
} DotWriter;

/* Where the flow leaves a module, and the label of the edges from there
 * (a condition's branch that passes straight on), or NULL. */
typedef struct
{
  char *node;
  char *label;
} Exit;

static void
exit_free (gpointer data)
{
  Exit *exit = data;

  g_free (exit->node);
  g_free (exit->label);
  g_free (exit);
}

static GPtrArray *
exits_new (void)
{
  return g_ptr_array_new_with_free_func (exit_free);
}

static void
exits_add (GPtrArray  *exits,
           const char *node,
           const char *label)
{
  Exit *exit = g_new0 (Exit, 1);

  exit->node = g_strdup (node);
  exit->label = g_strdup (label);
  g_ptr_array_add (exits, exit);
}

static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
new_name (DotWriter *w)
{
  return g_strdup_printf ("n%u", w->next_id++);
}

static const char *
module_shape (SluiceNode *module)
{
  if (SLUICE_IS_CONDITION (module))
    return "shape=diamond";
  if (SLUICE_IS_EXTERNAL (module))
    return "shape=component";
  if (SLUICE_IS_FAIL (module))
    return "shape=octagon, color=\"#c01c28\", fontcolor=\"#c01c28\"";
  if (SLUICE_IS_GATE (module))
    return "shape=invhouse, color=\"#e66100\"";
  return "shape=box, style=rounded";
}

static void emit_chain (DotWriter  *w,
                        GListModel *list,
                        char      **entry,
                        GPtrArray  *exits);

static void
connect_exits (DotWriter  *w,
               GPtrArray  *exits,
               const char *to,
               const char *label)
{
  for (guint i = 0; i < exits->len; i++)
    {
      Exit *exit = exits->pdata[i];
      const char *text = label ? label : exit->label;

      g_string_append_printf (w->edges, "  %s -> %s", exit->node, to);
      if (text != NULL)
        {
          g_string_append (w->edges, " [label=");
          append_quoted (w->edges, text);
          g_string_append (w->edges, "]");
        }
      g_string_append (w->edges, ";\n");
    }
}

/* Emits one module; returns its entry node and appends its exits. */
static void
emit_module (DotWriter  *w,
             SluiceNode *module,
             char      **entry,
             GPtrArray  *exits)
{
  if (SLUICE_IS_COMBINATION (module))
    {
      GListModel *list = sluice_combination_get_modules (SLUICE_COMBINATION (module));

      g_string_append_printf (w->out, "  subgraph cluster_%u {\n  label=", w->next_id++);
      append_quoted (w->out, sluice_node_get_label (module));
      g_string_append (w->out, "; style=\"rounded,dashed\";\n");
      emit_chain (w, list, entry, exits);
      g_string_append (w->out, "  }\n");
      return;
    }

  *entry = new_name (w);
  g_string_append_printf (w->out, "  %s [%s, label=", *entry, module_shape (module));
  append_quoted (w->out, sluice_node_get_label (module));
  g_string_append (w->out, "];\n");

  if (SLUICE_IS_CONDITION (module))
    {
      SluiceCondition *cond = SLUICE_CONDITION (module);
      GListModel *branches[2] = { sluice_condition_get_then_modules (cond),
                                  sluice_condition_get_else_modules (cond) };
      const char *labels[2] = { "true", "false" };

      for (guint b = 0; b < 2; b++)
        {
          g_autofree char *branch_entry = NULL;
          g_autoptr(GPtrArray) single = exits_new ();

          /* An empty branch goes straight on: its edge out of the
           * condition carries its label. */
          if (g_list_model_get_n_items (branches[b]) == 0)
            {
              exits_add (exits, *entry, labels[b]);
              continue;
            }
          emit_chain (w, branches[b], &branch_entry, exits);
          exits_add (single, *entry, NULL);
          connect_exits (w, single, branch_entry, labels[b]);
        }
      return;
    }

  /* A <fail> ends the run: nothing flows on from it. */
  if (!SLUICE_IS_FAIL (module))
    exits_add (exits, *entry, NULL);
}

/* Emits a chain of modules; an empty chain is one invisible point. */
static void
emit_chain (DotWriter  *w,
            GListModel *list,
            char      **entry,
            GPtrArray  *exits)
{
  g_autoptr(GPtrArray) prev = exits_new ();
  guint n = g_list_model_get_n_items (list);

  *entry = NULL;
  if (n == 0)
    {
      *entry = new_name (w);
      g_string_append_printf (w->out, "  %s [shape=point, style=invis];\n", *entry);
      exits_add (exits, *entry, NULL);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceNode) module = g_list_model_get_item (list, i);
      g_autoptr(GPtrArray) next = exits_new ();
      char *module_entry = NULL;

      emit_module (w, module, &module_entry, next);
      connect_exits (w, prev, module_entry, NULL);
      if (i == 0)
        *entry = module_entry;
      else
        g_free (module_entry);
      g_ptr_array_unref (prev);
      prev = g_steal_pointer (&next);
    }

  for (guint i = 0; i < prev->len; i++)
    {
      Exit *exit = prev->pdata[i];

      exits_add (exits, exit->node, exit->label);
    }
}

static const char *
mode_label (SluiceMode mode)
{
  return sluice_mode_to_string (mode);
}

char *
sluice_export_dot (SluicePipeline *pipeline)
{
  DotWriter w = { g_string_new (NULL), g_string_new (NULL), 0 };
  GListModel *controllers;
  g_autoptr(GPtrArray) prev = exits_new ();
  guint n;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);

  g_string_append (w.out, "digraph ");
  append_quoted (w.out, sluice_node_get_id (SLUICE_NODE (pipeline)));
  g_string_append (w.out, " {\n  compound=true; rankdir=TB; newrank=true;\n"
                          "  fontname=\"Cantarell,sans\"; label=");
  append_quoted (w.out, sluice_node_get_label (SLUICE_NODE (pipeline)));
  g_string_append (w.out, ";\n  node [fontname=\"Cantarell,sans\", fontsize=11];\n"
                          "  edge [fontname=\"Cantarell,sans\", fontsize=9];\n");

  controllers = sluice_pipeline_get_controllers (pipeline);
  n = g_list_model_get_n_items (controllers);
  for (guint c = 0; c < n; c++)
    {
      g_autoptr(SluiceController) ctrl = g_list_model_get_item (controllers, c);
      GListModel *phases = sluice_controller_get_phases (ctrl);
      guint n_phases = g_list_model_get_n_items (phases);
      g_autofree char *label = g_strdup_printf ("%s\n[%s]",
                                                sluice_node_get_label (SLUICE_NODE (ctrl)),
                                                mode_label (sluice_controller_get_mode (ctrl)));

      g_string_append_printf (w.out, "  subgraph cluster_c%u {\n  label=", c);
      append_quoted (w.out, label);
      g_string_append (w.out, "; style=rounded; color=\"#3584e4\";\n");

      if (n_phases == 0)
        {
          g_autofree char *point = new_name (&w);

          g_string_append_printf (w.out, "  %s [shape=point, style=invis];\n", point);
          connect_exits (&w, prev, point, NULL);
          g_ptr_array_set_size (prev, 0);
          exits_add (prev, point, NULL);
        }

      for (guint p = 0; p < n_phases; p++)
        {
          g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, p);
          g_autoptr(GPtrArray) exits = exits_new ();
          g_autofree char *entry = NULL;

          g_string_append_printf (w.out, "  subgraph cluster_c%u_p%u {\n  label=", c, p);
          append_quoted (w.out, sluice_node_get_label (SLUICE_NODE (phase)));
          g_string_append (w.out, "; style=\"rounded,filled\"; fillcolor=\"#f6f5f4\"; color=\"#c0bfbc\";\n");
          emit_chain (&w, sluice_phase_get_modules (phase), &entry, exits);
          g_string_append (w.out, "  }\n");
          connect_exits (&w, prev, entry, NULL);
          g_ptr_array_unref (prev);
          prev = g_steal_pointer (&exits);
        }
      g_string_append (w.out, "  }\n");
    }
  g_string_append_len (w.out, w.edges->str, w.edges->len);
  g_string_free (w.edges, TRUE);
  g_string_append (w.out, "}\n");

  return g_string_free (w.out, FALSE);
}

/* The graphviz thread ---------------------------------------------------- */

typedef struct
{
  char     *dot;
  char     *format;
  GBytes   *result;
  GError   *error;
  /* Exactly one of these is set. */
  GTask    *task;
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
} RenderJob;

/* Only touched on the graphviz thread. */
static GString *gv_messages;
static GVC_t *gv_context;

static int
capture_error_cb (char *message)
{
  g_string_append (gv_messages, message);
  return 0;
}

static void
render_job_run (RenderJob *job)
{
  Agraph_t *graph;
  char *data = NULL;
  unsigned int length = 0;

  if (gv_context == NULL)
    {
      gv_messages = g_string_new (NULL);
      agseterrf (capture_error_cb);
      agseterr (AGWARN);
      gv_context = gvContext ();
    }
  g_string_truncate (gv_messages, 0);

  graph = agmemread (job->dot);
  if (graph == NULL)
    {
      g_set_error (&job->error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_GRAPHVIZ,
                   "Graphviz could not read the graph: %s",
                   gv_messages->len ? g_strchomp (gv_messages->str) : "syntax error");
      return;
    }

  if (gvLayout (gv_context, graph, "dot") != 0)
    {
      g_set_error (&job->error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_GRAPHVIZ,
                   "Graphviz could not lay out the graph: %s", g_strchomp (gv_messages->str));
      agclose (graph);
      return;
    }

  if (gvRenderData (gv_context, graph, job->format, &data, &length) != 0 || data == NULL)
    g_set_error (&job->error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_FORMAT,
                 "Graphviz could not render “%s”: %s", job->format,
                 gv_messages->len ? g_strchomp (gv_messages->str) : "unknown format");
  else
    job->result = g_bytes_new (data, length);

  if (data != NULL)
    gvFreeRenderData (data);
  gvFreeLayout (gv_context, graph);
  agclose (graph);
}

static void
render_job_free (RenderJob *job)
{
  g_free (job->dot);
  g_free (job->format);
  g_clear_pointer (&job->result, g_bytes_unref);
  g_clear_error (&job->error);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

static void
graphviz_thread_func (gpointer data,
                      gpointer user_data)
{
  RenderJob *job = data;

  if (job->task != NULL && g_task_return_error_if_cancelled (job->task))
    {
      g_clear_object (&job->task);
      render_job_free (job);
      return;
    }

  render_job_run (job);

  if (job->task != NULL)
    {
      GTask *task = g_steal_pointer (&job->task);

      if (job->error != NULL)
        g_task_return_error (task, g_steal_pointer (&job->error));
      else
        g_task_return_pointer (task, g_steal_pointer (&job->result),
                               (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      render_job_free (job);
      return;
    }

  g_mutex_lock (&job->mutex);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

static GThreadPool *
get_graphviz_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      /* Exclusive with one thread: every graphviz call happens on the same
       * thread, one at a time, for the life of the program. */
      GThreadPool *p = g_thread_pool_new (graphviz_thread_func, NULL, 1, TRUE, NULL);
      g_once_init_leave (&pool, p);
    }
  return pool;
}

static RenderJob *
render_job_new (const char *dot,
                const char *format)
{
  RenderJob *job = g_new0 (RenderJob, 1);

  job->dot = g_strdup (dot);
  job->format = g_strdup (format);
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  return job;
}

GBytes *
sluice_export_render (const char  *dot,
                      const char  *format,
                      GError     **error)
{
  RenderJob *job;
  GBytes *result;

  g_return_val_if_fail (dot != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  job = render_job_new (dot, format);
  g_thread_pool_push (get_graphviz_pool (), job, NULL);

  g_mutex_lock (&job->mutex);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);

  result = g_steal_pointer (&job->result);
  if (job->error != NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));
  render_job_free (job);
  return result;
}

void
sluice_export_render_async (const char          *dot,
                            const char          *format,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  RenderJob *job = render_job_new (dot, format);

  job->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, sluice_export_render_async);
  g_thread_pool_push (get_graphviz_pool (), job, NULL);
}

GBytes *
sluice_export_render_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sluice_export_file (SluicePipeline *pipeline,
                    const char     *path,
                    GError        **error)
{
  g_autofree char *dot = sluice_export_dot (pipeline);
  g_autoptr(GBytes) bytes = NULL;
  const char *format;

  if (g_str_has_suffix (path, ".dot") || g_str_has_suffix (path, ".gv"))
    return g_file_set_contents (path, dot, -1, error);
  else if (g_str_has_suffix (path, ".svg"))
    format = "svg";
  else if (g_str_has_suffix (path, ".png"))
    format = "png";
  else
    {
      g_set_error (error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_FORMAT,
                   "%s: unknown export format (use .dot, .svg or .png)", path);
      return FALSE;
    }

  bytes = sluice_export_render (dot, format, error);
  if (bytes == NULL)
    return FALSE;
  return g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                              g_bytes_get_size (bytes), error);
}
