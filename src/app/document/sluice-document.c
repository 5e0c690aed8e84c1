/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sluice-commands.h"
#include "sluice-document.h"

/* The validator waits this long after the last edit. */
#define VALIDATE_DELAY_MS 300
/* Unsaved work is written to a draft this often, unless set. */
#define DEFAULT_DRAFT_INTERVAL_S 5

struct _SluiceDocument
{
  GObject             parent_instance;
  SluicePipeline     *pipeline;      /* owned */
  GFile              *file;          /* owned, may be NULL */
  SluiceCommandStack *history;       /* owned */
  SluiceViewState    *view;          /* owned */
  GListStore         *problems;      /* owned, of SluiceProblem */
  GPtrArray          *load_problems; /* owned: warnings of the last load */
  GFileMonitor       *monitor;       /* owned, may be NULL */
  guint64             mtime;         /* of the file when loaded or saved */
  char               *draft_path;    /* owned */
  guint               draft_interval;  /* seconds */
  guint               validate_source;
  guint               draft_source;
  gboolean            draft_dirty;
  gboolean            draft_writing;   /* a write is on a worker thread */
  GCancellable       *draft_cancellable; /* owned: cancelled by a discard */
  gboolean            storing_view;  /* writing <view> into the model */
};

enum {
  PROP_0,
  PROP_MODIFIED,
  PROP_FILE,
  N_PROPS
};

enum {
  VIEW_CHANGED,
  FILE_CHANGED_ON_DISK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceDocument, sluice_document, G_TYPE_OBJECT)

static void
sluice_document_dispose (GObject *object)
{
  SluiceDocument *self = SLUICE_DOCUMENT (object);

  g_clear_handle_id (&self->validate_source, g_source_remove);
  g_clear_handle_id (&self->draft_source, g_source_remove);
  g_clear_object (&self->draft_cancellable);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->file);
  g_clear_object (&self->history);
  g_clear_object (&self->problems);
  g_clear_pointer (&self->load_problems, g_ptr_array_unref);
  g_clear_pointer (&self->view, sluice_view_state_free);
  G_OBJECT_CLASS (sluice_document_parent_class)->dispose (object);
}

static void
sluice_document_finalize (GObject *object)
{
  g_free (SLUICE_DOCUMENT (object)->draft_path);
  G_OBJECT_CLASS (sluice_document_parent_class)->finalize (object);
}

static void
sluice_document_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SluiceDocument *self = SLUICE_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_MODIFIED:
      g_value_set_boolean (value, sluice_document_get_modified (self));
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_document_class_init (SluiceDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_document_dispose;
  object_class->finalize = sluice_document_finalize;
  object_class->get_property = sluice_document_get_property;

  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[VIEW_CHANGED] =
    g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FILE_CHANGED_ON_DISK] =
    g_signal_new ("file-changed-on-disk", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
history_modified_cb (SluiceDocument *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
sluice_document_init (SluiceDocument *self)
{
  self->history = sluice_command_stack_new ();
  self->draft_interval = DEFAULT_DRAFT_INTERVAL_S;
  self->view = sluice_view_state_new ();
  self->problems = g_list_store_new (SLUICE_TYPE_PROBLEM);
  self->load_problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect_object (self->history, "notify::modified",
                           G_CALLBACK (history_modified_cb), self, G_CONNECT_SWAPPED);
}

/* Validation --------------------------------------------------------------- */

void
sluice_document_validate_now (SluiceDocument *self)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = self->file ? g_file_get_path (self->file) : NULL;

  g_clear_handle_id (&self->validate_source, g_source_remove);
  for (guint i = 0; i < self->load_problems->len; i++)
    g_ptr_array_add (problems, g_object_ref (self->load_problems->pdata[i]));
  /* Test cases edited since the file was read get the lines a save will
   * give them, so that their problems name a line; an unedited file's
   * lines are the ones on disk. */
  if (sluice_command_stack_get_modified (self->history))
    sluice_test_lines_update (self->pipeline);
  sluice_validate (self->pipeline, path, problems);
  sluice_problems_sort (problems);
  g_list_store_splice (self->problems, 0, g_list_model_get_n_items (G_LIST_MODEL (self->problems)),
                       problems->pdata, problems->len);
}

static gboolean
validate_timeout_cb (gpointer data)
{
  SluiceDocument *self = data;

  self->validate_source = 0;
  sluice_document_validate_now (self);
  return G_SOURCE_REMOVE;
}

static void write_draft_async (SluiceDocument *self);

static gboolean
draft_timeout_cb (gpointer data)
{
  SluiceDocument *self = data;

  self->draft_source = 0;
  if (self->draft_writing)
    /* The disk is slow: try again after the one in flight. */
    self->draft_source = g_timeout_add_seconds (self->draft_interval, draft_timeout_cb, self);
  else if (sluice_document_get_modified (self) && self->draft_dirty)
    write_draft_async (self);
  return G_SOURCE_REMOVE;
}

static void
pipeline_changed_cb (SluiceDocument *self)
{
  if (self->storing_view)
    return;

  /* Line numbers of the file no longer hold once edited; the loader's
   * warnings stay until the next save. */
  g_clear_handle_id (&self->validate_source, g_source_remove);
  self->validate_source = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout_cb, self);
  self->draft_dirty = TRUE;
  if (self->draft_source == 0)
    self->draft_source = g_timeout_add_seconds (self->draft_interval, draft_timeout_cb, self);
}

static void
set_pipeline (SluiceDocument *self,
              SluicePipeline *pipeline)
{
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  g_set_object (&self->pipeline, pipeline);
  g_signal_connect_object (pipeline, "changed", G_CALLBACK (pipeline_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_clear_pointer (&self->view, sluice_view_state_free);
  self->view = sluice_view_state_parse (sluice_pipeline_get_view_xml (pipeline));
  sluice_command_stack_clear (self->history);
  sluice_document_validate_now (self);
  g_signal_emit (self, signals[VIEW_CHANGED], 0);
}

SluiceDocument *
sluice_document_new (void)
{
  SluiceDocument *self = g_object_new (SLUICE_TYPE_DOCUMENT, NULL);
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();

  sluice_node_set_id (SLUICE_NODE (pipeline), "pipeline");
  set_pipeline (self, pipeline);
  return self;
}

SluiceDocument *
sluice_document_new_untitled (void)
{
  SluiceDocument *self = g_object_new (SLUICE_TYPE_DOCUMENT, NULL);
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceController) controller = sluice_controller_new ("main", SLUICE_MODE_NOT_PARALLEL);
  g_autoptr(SluicePhase) phase = sluice_phase_new ("phase-1");
  g_autoptr(SluiceExecution) module = sluice_execution_new ("module-1");

  sluice_node_set_id (SLUICE_NODE (pipeline), "pipeline");
  sluice_node_set_name (SLUICE_NODE (pipeline), _("New pipeline"));
  sluice_node_set_name (SLUICE_NODE (controller), _("Main"));
  sluice_execution_set_lua (module, "-- change the item here\n");
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (module));
  sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller), SLUICE_NODE (phase));
  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (controller));
  set_pipeline (self, pipeline);
  return self;
}

/* Files ------------------------------------------------------------------------ */

static guint64
query_mtime (GFile *file)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                                 G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (info == NULL)
    return 0;
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
         g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

static void
monitor_changed_cb (SluiceDocument    *self,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event)
{
  guint64 mtime;

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_RENAMED &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN)
    return;
  /* Our own atomic saves also land here: only a different time counts. */
  mtime = query_mtime (self->file);
  if (mtime != 0 && mtime != self->mtime)
    {
      self->mtime = mtime;
      g_signal_emit (self, signals[FILE_CHANGED_ON_DISK], 0);
    }
}

static void
set_file (SluiceDocument *self,
          GFile          *file)
{
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->draft_path, g_free);

  g_set_object (&self->file, file);
  if (file != NULL)
    {
      self->mtime = query_mtime (file);
      self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (self->monitor != NULL)
        g_signal_connect_object (self->monitor, "changed", G_CALLBACK (monitor_changed_cb),
                                 self, G_CONNECT_SWAPPED);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

static SluicePipeline *
load_pipeline (const char  *path,
               GPtrArray   *problems,
               GError     **error)
{
  g_autoptr(SluicePipeline) pipeline = sluice_load_file (path, problems);

  if (pipeline == NULL || sluice_problems_have_errors (problems))
    {
      g_autoptr(GString) message = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

          if (sluice_problem_get_severity (problems->pdata[i]) != SLUICE_SEVERITY_ERROR)
            continue;
          if (message->len > 0)
            g_string_append_c (message, '\n');
          g_string_append (message, line);
        }
      if (message->len == 0)
        g_string_append_printf (message, _("%s: could not be loaded"), path);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message->str);
      return NULL;
    }
  return g_steal_pointer (&pipeline);
}

gboolean
sluice_document_load (SluiceDocument  *self,
                      GFile           *file,
                      GError         **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(SluicePipeline) pipeline = NULL;

  g_return_val_if_fail (SLUICE_IS_DOCUMENT (self), FALSE);

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only local files can be opened"));
      return FALSE;
    }
  pipeline = load_pipeline (path, problems, error);
  if (pipeline == NULL)
    return FALSE;

  g_ptr_array_set_size (self->load_problems, 0);
  for (guint i = 0; i < problems->len; i++)
    g_ptr_array_add (self->load_problems, g_object_ref (problems->pdata[i]));
  set_file (self, file);
  set_pipeline (self, pipeline);
  sluice_command_stack_set_saved (self->history, TRUE);
  return TRUE;
}

gboolean
sluice_document_load_draft (SluiceDocument  *self,
                            const char      *draft_path,
                            GFile           *file,
                            GError         **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = load_pipeline (draft_path, problems, error);

  if (pipeline == NULL)
    return FALSE;
  set_file (self, file);
  set_pipeline (self, pipeline);
  /* The restored work is not in any file yet. */
  sluice_command_stack_set_saved (self->history, FALSE);
  self->draft_path = g_strdup (draft_path);
  return TRUE;
}

gboolean
sluice_document_load_template (SluiceDocument  *self,
                               const char      *name,
                               GError         **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) xml = sluice_template_get_xml (name, error);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autofree char *display_name = g_strdup_printf (_("template “%s”"), name);
  gsize length;
  const char *data;

  if (xml == NULL)
    return FALSE;
  data = g_bytes_get_data (xml, &length);
  pipeline = sluice_load_data (data, length, display_name, problems);
  if (pipeline == NULL || sluice_problems_have_errors (problems))
    {
      g_autofree char *first = problems->len > 0 ? sluice_problem_to_string (problems->pdata[0]) : NULL;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s: could not be loaded%s%s"),
                   display_name, first ? ": " : "", first ? first : "");
      return FALSE;
    }
  set_file (self, NULL);
  set_pipeline (self, pipeline);
  /* Not in any file yet: closing asks, saving asks where. */
  sluice_command_stack_set_saved (self->history, FALSE);
  return TRUE;
}

static void
store_view_in_pipeline (SluiceDocument *self)
{
  g_autofree char *xml = sluice_view_state_to_xml (self->view);

  if (g_strcmp0 (xml, sluice_pipeline_get_view_xml (self->pipeline)) != 0)
    {
      self->storing_view = TRUE;
      sluice_pipeline_set_view_xml (self->pipeline, xml);
      self->storing_view = FALSE;
    }
}

gboolean
sluice_document_is_storing_view (SluiceDocument *self)
{
  return self->storing_view;
}

gboolean
sluice_document_save (SluiceDocument  *self,
                      GFile           *file,
                      GError         **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (SLUICE_IS_DOCUMENT (self), FALSE);

  if (file == NULL)
    file = self->file;
  g_return_val_if_fail (file != NULL, FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only local files can be saved"));
      return FALSE;
    }

  store_view_in_pipeline (self);
  if (!sluice_save_file (self->pipeline, path, error))
    return FALSE;

  sluice_document_discard_draft (self);
  if (self->file == NULL || !g_file_equal (file, self->file))
    set_file (self, file);
  else
    self->mtime = query_mtime (file);
  /* Lines now refer to the saved file; re-check against it. */
  g_ptr_array_set_size (self->load_problems, 0);
  sluice_command_stack_set_saved (self->history, TRUE);
  sluice_document_validate_now (self);
  return TRUE;
}

/* Accessors ------------------------------------------------------------------ */

SluicePipeline *
sluice_document_get_pipeline (SluiceDocument *self)
{
  return self->pipeline;
}

GFile *
sluice_document_get_file (SluiceDocument *self)
{
  return self->file;
}

char *
sluice_document_dup_title (SluiceDocument *self)
{
  if (self->file != NULL)
    return g_file_get_basename (self->file);
  return g_strdup (_("Untitled Pipeline"));
}

SluiceCommandStack *
sluice_document_get_history (SluiceDocument *self)
{
  return self->history;
}

gboolean
sluice_document_get_modified (SluiceDocument *self)
{
  return sluice_command_stack_get_modified (self->history);
}

void
sluice_document_push (SluiceDocument *self,
                      SluiceCommand  *command)
{
  sluice_command_stack_push (self->history, command);
}

gboolean
sluice_document_undo (SluiceDocument *self)
{
  return sluice_command_stack_undo (self->history);
}

gboolean
sluice_document_redo (SluiceDocument *self)
{
  return sluice_command_stack_redo (self->history);
}

const SluiceViewState *
sluice_document_get_view_state (SluiceDocument *self)
{
  return self->view;
}

void
sluice_document_set_view_state (SluiceDocument        *self,
                                const SluiceViewState *state)
{
  if (state == self->view)
    return;
  sluice_view_state_free (self->view);
  self->view = sluice_view_state_copy (state);
  g_signal_emit (self, signals[VIEW_CHANGED], 0);
}

static void
apply_view_state (gpointer target,
                  gpointer data)
{
  SluiceDocument *self = target;
  const SluiceViewState *state = data;
  g_autoptr(SluiceViewState) copy = sluice_view_state_copy (state);

  /* Keep where the user is looking; only the layout data is undone. */
  copy->zoom = self->view->zoom;
  copy->x = self->view->x;
  copy->y = self->view->y;
  sluice_document_set_view_state (self, copy);
  /* A view change is an edit of the file too. */
  self->draft_dirty = TRUE;
}

void
sluice_document_push_view_state (SluiceDocument        *self,
                                 const SluiceViewState *state,
                                 const char            *description)
{
  SluiceCommand *command = sluice_state_command_new (self, apply_view_state,
                                                     sluice_view_state_copy (self->view),
                                                     sluice_view_state_copy (state),
                                                     (GDestroyNotify) sluice_view_state_free);

  sluice_command_set_description (command, description);
  sluice_document_push (self, command);
}

void
sluice_document_set_viewport (SluiceDocument *self,
                              double          zoom,
                              double          x,
                              double          y)
{
  self->view->zoom = zoom;
  self->view->x = x;
  self->view->y = y;
}

gboolean
sluice_document_has_stored_view (SluiceDocument *self)
{
  return sluice_pipeline_get_view_xml (self->pipeline) != NULL;
}

typedef struct
{
  const char *id;
  guint       line;
  SluiceNode *by_line;
  SluiceNode *last;
} ProblemNode;

static gboolean
problem_node_cb (SluiceNode *node,
                 gpointer    user_data)
{
  ProblemNode *data = user_data;

  if (g_strcmp0 (sluice_node_get_id (node), data->id) != 0)
    return TRUE;
  if (data->line > 0 && sluice_node_get_line (node) == data->line && data->by_line == NULL)
    data->by_line = node;
  data->last = node;
  return TRUE;
}

SluiceNode *
sluice_document_find_problem_node (SluiceDocument *self,
                                   SluiceProblem  *problem)
{
  ProblemNode data = { sluice_problem_get_node_id (problem), sluice_problem_get_line (problem), NULL, NULL };

  g_return_val_if_fail (SLUICE_IS_DOCUMENT (self), NULL);

  if (data.id == NULL)
    return NULL;
  /* Ids are meant to be unique; when they are not, the validator reports
   * the later definition (at its line when it has one). */
  sluice_pipeline_foreach_node (self->pipeline, problem_node_cb, &data);
  return data.by_line ? data.by_line : data.last;
}

GListModel *
sluice_document_get_problems (SluiceDocument *self)
{
  return G_LIST_MODEL (self->problems);
}

char *
sluice_document_unique_id (SluiceDocument *self,
                           const char     *prefix)
{
  if (sluice_pipeline_find_node (self->pipeline, prefix) == NULL)
    return g_strdup (prefix);
  for (guint i = 2; ; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", prefix, i);

      if (sluice_pipeline_find_node (self->pipeline, id) == NULL)
        return g_steal_pointer (&id);
    }
}

/* Drafts ---------------------------------------------------------------------- */

void
sluice_document_set_draft_interval (SluiceDocument *self,
                                    guint           seconds)
{
  self->draft_interval = CLAMP (seconds, 1, 600);
  if (self->draft_source != 0)
    {
      g_source_remove (self->draft_source);
      self->draft_source = g_timeout_add_seconds (self->draft_interval, draft_timeout_cb, self);
    }
}

char *
sluice_drafts_dir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "sluice", "drafts", NULL);

  g_mkdir_with_parents (dir, 0700);
  return dir;
}

const char *
sluice_document_get_draft_path (SluiceDocument *self)
{
  if (self->draft_path == NULL)
    {
      g_autofree char *dir = sluice_drafts_dir ();
      g_autofree char *key = NULL;

      if (self->file != NULL)
        {
          g_autofree char *uri = g_file_get_uri (self->file);
          key = g_compute_checksum_for_string (G_CHECKSUM_SHA1, uri, -1);
        }
      else
        key = g_strdup_printf ("untitled-%d-%p", getpid (), (gpointer) self);
      self->draft_path = g_strdup_printf ("%s/%s.xml", dir, key);
    }
  return self->draft_path;
}

/* Drafts are serialised on the main thread (the model lives there) and
 * written, with an fsync when they replace an older draft, on a worker
 * thread, so that autosaving never stalls the window on a slow disk. */
typedef struct
{
  char    *path;      /* the draft */
  GBytes  *data;      /* the pipeline, serialised */
  char    *source;    /* URI of the file it belongs to, "" when untitled */
  GWeakRef document;
} DraftWrite;

static void
draft_write_free (DraftWrite *write)
{
  g_free (write->path);
  g_bytes_unref (write->data);
  g_free (write->source);
  g_weak_ref_clear (&write->document);
  g_free (write);
}

static DraftWrite *
draft_write_new (SluiceDocument *self)
{
  DraftWrite *write = g_new0 (DraftWrite, 1);
  char *data;
  gsize length;

  store_view_in_pipeline (self);
  data = sluice_save_to_data (self->pipeline, &length);
  write->path = g_strdup (sluice_document_get_draft_path (self));
  write->data = g_bytes_new_take (data, length);
  write->source = self->file ? g_file_get_uri (self->file) : g_strdup ("");
  g_weak_ref_init (&write->document, self);

  return write;
}

/* Next to the draft, the file it belongs to. */
static char *
draft_source_path (const char *draft_path)
{
  return g_strconcat (draft_path, ".source", NULL);
}

static gboolean
draft_write_files (DraftWrite  *write,
                   GError     **error)
{
  g_autofree char *source_path = draft_source_path (write->path);
  gsize length;
  const char *data = g_bytes_get_data (write->data, &length);

  return g_file_set_contents_full (write->path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
         g_file_set_contents_full (source_path, write->source, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
draft_write_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (draft_write_files (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
draft_written_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DraftWrite *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(SluiceDocument) self = g_weak_ref_get (&write->document);
  gboolean discarded = g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));
  g_autoptr(GError) error = NULL;

  if (self != NULL)
    self->draft_writing = FALSE;

  if (discarded)
    {
      /* Saved or thrown away while this was being written: the draft
       * must not come back. */
      g_autofree char *source_path = draft_source_path (write->path);

      g_unlink (write->path);
      g_unlink (source_path);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Could not write a draft: %s", error->message);
      if (self != NULL)
        self->draft_dirty = TRUE;
    }
}

static void
write_draft_async (SluiceDocument *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->draft_cancellable == NULL)
    self->draft_cancellable = g_cancellable_new ();

  /* Not the document as source object: a closed window's document must
   * not live on until the disk answers. */
  task = g_task_new (NULL, self->draft_cancellable, draft_written_cb, NULL);
  g_task_set_source_tag (task, write_draft_async);
  g_task_set_task_data (task, draft_write_new (self), (GDestroyNotify) draft_write_free);
  self->draft_dirty = FALSE;
  self->draft_writing = TRUE;
  g_task_run_in_thread (task, draft_write_thread);
}

gboolean
sluice_document_write_draft (SluiceDocument  *self,
                             GError         **error)
{
  DraftWrite *write;
  gboolean ok;

  if (!self->draft_dirty && g_file_test (sluice_document_get_draft_path (self), G_FILE_TEST_EXISTS))
    return TRUE;

  write = draft_write_new (self);
  ok = draft_write_files (write, error);
  draft_write_free (write);
  if (ok)
    self->draft_dirty = FALSE;
  return ok;
}

void
sluice_document_discard_draft (SluiceDocument *self)
{
  g_autofree char *source_path = NULL;

  /* A draft being written now is removed when the write ends. */
  if (self->draft_cancellable != NULL)
    {
      g_cancellable_cancel (self->draft_cancellable);
      g_clear_object (&self->draft_cancellable);
    }
  if (self->draft_path == NULL)
    return;
  source_path = draft_source_path (self->draft_path);
  g_unlink (self->draft_path);
  g_unlink (source_path);
  g_clear_pointer (&self->draft_path, g_free);
}
