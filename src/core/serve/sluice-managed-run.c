/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* O_CLOEXEC, truncate, realpath, flock */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libsoup/soup.h>

#include "sluice-journal.h"
#include "sluice-line-sink.h"
#include "sluice-loader.h"
#include "sluice-managed-run.h"
#include "sluice-problem.h"
#include "sluice-run-report.h"
#include "sluice-validator.h"

#define EVENTS_FILE "events.jsonl"
#define OUTPUT_FILE "output.jsonl"
#define REPORT_FILE "report.json"
/* The run's journal (sluice-journal.h), made when the run starts. */
#define JOURNAL_DIR "journal"
/* What the journal keeps of the pipeline: the bytes the run started with. */
#define JOURNAL_PIPELINE_COPY "pipeline.xml"
/* Events reach events.jsonl at least this often (and at every change of
 * state): a daemon killed in between loses at most that much history. */
#define EVENTS_FLUSH_MS 200

struct _SluiceManagedRun
{
  GObject          parent_instance;

  SluiceRunRecord *record;          /* owned */
  SluiceRun       *run;             /* owned; NULL once the run is over */
  SluiceJournal   *journal;         /* owned while the run runs */
  GBytes          *pipeline_bytes;  /* what the run was loaded from, for the journal */
  /* Of a resumed run: what earlier attempts took in and wrote, by its
   * journal's last commit (this attempt's executor counts from 0). */
  guint64          earlier_in;
  guint64          earlier_out;
  GPtrArray       *events;          /* char *: JSON lines without newline; NULL until loaded */
  FILE            *events_file;     /* appending while the run lives */
  GHashTable      *stages;          /* controller id → SluiceStageSpan */
  char            *failed_controller;
  char            *last_failed_controller;  /* of the last module-failed event */
  json_t          *report;          /* cached once the run is over */
  guint            flush_id;
};

G_DEFINE_FINAL_TYPE (SluiceManagedRun, sluice_managed_run, G_TYPE_OBJECT)
G_DEFINE_QUARK (sluice-run-manager-error-quark, sluice_run_manager_error)

guint
sluice_run_manager_error_status (const GError *error)
{
  if (error->domain != SLUICE_RUN_MANAGER_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  switch ((SluiceRunManagerError) error->code)
    {
    case SLUICE_RUN_MANAGER_ERROR_INVALID:   return SOUP_STATUS_BAD_REQUEST;
    case SLUICE_RUN_MANAGER_ERROR_FORBIDDEN: return SOUP_STATUS_FORBIDDEN;
    case SLUICE_RUN_MANAGER_ERROR_NOT_FOUND: return SOUP_STATUS_NOT_FOUND;
    case SLUICE_RUN_MANAGER_ERROR_CONFLICT:  return SOUP_STATUS_CONFLICT;
    case SLUICE_RUN_MANAGER_ERROR_PIPELINE:  return SOUP_STATUS_UNPROCESSABLE_ENTITY;
    case SLUICE_RUN_MANAGER_ERROR_IO:
    default:                                 return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

enum { EVENT, EXECUTOR_EVENT, FINISHED, JOURNAL_COMMITTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *action_names[] = { "start", "pause", "resume", "cancel" };

const char *
sluice_run_action_to_string (SluiceRunAction action)
{
  g_return_val_if_fail (action <= SLUICE_RUN_ACTION_CANCEL, NULL);
  return action_names[action];
}

gboolean
sluice_run_action_from_string (const char      *name,
                               SluiceRunAction *action)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (g_strcmp0 (name, action_names[i]) == 0)
      {
        *action = i;
        return TRUE;
      }
  return FALSE;
}

static char *
run_file (SluiceManagedRun *self,
          const char       *name)
{
  return g_build_filename (self->record->directory, name, NULL);
}

static void
save_record (SluiceManagedRun *self)
{
  g_autoptr(GError) error = NULL;

  /* The run goes on: a record that cannot be written is said, and the
   * next change of state tries again. */
  if (!sluice_run_record_save (self->record, &error))
    g_printerr ("sluice-run daemon: run %s: %s\n", self->record->id, error->message);
}

/* Reads events.jsonl once. A line cut short by a kill is dropped, and
 * cut off the file so that appending starts on a fresh line. */
static void
ensure_events (SluiceManagedRun *self)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  char *line, *end;

  if (self->events != NULL)
    return;
  self->events = g_ptr_array_new_with_free_func (g_free);
  path = run_file (self, EVENTS_FILE);
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;
  for (line = contents; (end = memchr (line, '\n', length - (line - contents))) != NULL; line = end + 1)
    g_ptr_array_add (self->events, g_strndup (line, end - line));
  if (line != contents + length)
    (void) truncate (path, line - contents);
}

static gboolean
flush_events_cb (gpointer user_data)
{
  SluiceManagedRun *self = user_data;

  if (self->events_file != NULL)
    fflush (self->events_file);
  return G_SOURCE_CONTINUE;
}

static void
open_events_file (SluiceManagedRun *self)
{
  g_autofree char *path = NULL;

  ensure_events (self);
  if (self->events_file != NULL)
    return;
  path = run_file (self, EVENTS_FILE);
  self->events_file = fopen (path, "ae");
  if (self->events_file == NULL)
    g_printerr ("sluice-run daemon: run %s: cannot write %s: %s\n", self->record->id, path, g_strerror (errno));
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (EVENTS_FLUSH_MS, flush_events_cb, self);
}

static void
close_events_file (SluiceManagedRun *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_pointer (&self->events_file, fclose);
}

static void
track_stage (SluiceManagedRun *self,
             SluiceEvent      *event)
{
  SluiceStageSpan *span;

  if (event->controller_id == NULL)
    return;
  if (event->type == SLUICE_EVENT_MODULE_FAILED)
    {
      g_free (self->last_failed_controller);
      self->last_failed_controller = g_strdup (event->controller_id);
    }
  /* A stage whose only item failed was entered all the same. */
  if (event->type != SLUICE_EVENT_MODULE_STARTED && event->type != SLUICE_EVENT_MODULE_FINISHED &&
      event->type != SLUICE_EVENT_MODULE_FAILED)
    return;
  span = g_hash_table_lookup (self->stages, event->controller_id);
  if (span == NULL)
    {
      span = g_new0 (SluiceStageSpan, 1);
      g_hash_table_insert (self->stages, g_strdup (event->controller_id), span);
    }
  if ((event->type == SLUICE_EVENT_MODULE_STARTED || event->type == SLUICE_EVENT_MODULE_FAILED) &&
      span->first_start == 0)
    span->first_start = event->time;
  if (event->type == SLUICE_EVENT_MODULE_FAILED && event->time > span->last_end)
    span->last_end = event->time;
  if (event->type == SLUICE_EVENT_MODULE_FINISHED)
    {
      span->last_end = event->time;
      /* Module events of a job are emitted when it is over: the start is
       * the end less the time it took. */
      if (span->first_start == 0 || event->time - (gint64) (event->duration_ms * 1000) < span->first_start)
        span->first_start = event->time - (gint64) (event->duration_ms * 1000);
    }
}

static void finish (SluiceManagedRun *self);

/* The report of this attempt with the counters of the whole run. */
static json_t *
build_report (SluiceManagedRun *self)
{
  json_t *report = sluice_run_build_report (self->run);
  const char *keys[] = { "items_in", "items_out" };
  guint64 earlier[] = { self->earlier_in, self->earlier_out };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      json_t *value = json_object_get (report, keys[i]);

      if (json_is_integer (value) && earlier[i] > 0)
        json_object_set_new (report, keys[i], json_integer (json_integer_value (value) + (json_int_t) earlier[i]));
    }
  return report;
}

static void
event_cb (SluiceExecutor   *executor,
          SluiceEvent      *event,
          SluiceManagedRun *self)
{
  SluiceEvent renumbered;
  char *json;
  guint64 seq;

  open_events_file (self);
  /* One numbering for the life of the run, across restarts: the
   * executor of each attempt counts from 1. */
  seq = self->events->len + 1;
  renumbered = *event;
  renumbered.seq = seq;
  json = sluice_event_to_json (&renumbered);
  g_ptr_array_add (self->events, json);
  if (self->events_file != NULL)
    {
      fputs (json, self->events_file);
      fputc ('\n', self->events_file);
      if (event->type == SLUICE_EVENT_RUN_STATE)
        fflush (self->events_file);
    }
  track_stage (self, event);
  g_signal_emit (self, signals[EXECUTOR_EVENT], 0, event);
  g_signal_emit (self, signals[EVENT], 0, seq, json);
  if (event->type == SLUICE_EVENT_RUN_STATE && sluice_run_state_is_final (event->state) &&
      self->record->state == event->state)
    finish (self);
}

static gboolean
release_run_cb (gpointer user_data)
{
  SluiceManagedRun *self = user_data;

  /* The journal first: it commits what is pending and lets go of its
   * lock while the executor it listens to is still whole. */
  g_clear_object (&self->journal);
  g_clear_pointer (&self->pipeline_bytes, g_bytes_unref);
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (sluice_run_get_executor (self->run), self);
      g_clear_object (&self->run);
    }
  /* A finished run's events are read back from events.jsonl when asked
   * for: a daemon with many past runs does not keep them all. */
  if (self->events != NULL && sluice_run_state_is_final (self->record->state))
    {
      self->record->n_events = self->events->len;
      g_clear_pointer (&self->events, g_ptr_array_unref);
    }
  return G_SOURCE_REMOVE;
}

/* The run is over: report, record, then the SluiceRun is let go (from
 * an idle: we are inside its own signal). */
static void
finish (SluiceManagedRun *self)
{
  SluiceExecutor *executor = sluice_run_get_executor (self->run);
  g_autofree char *report_path = run_file (self, REPORT_FILE);
  g_autoptr(GError) error = NULL;

  if (sluice_executor_get_failed_module (executor) != NULL)
    self->failed_controller = g_strdup (self->last_failed_controller);
  /* The events after the final state's own commit. */
  if (self->journal != NULL && !sluice_journal_commit (self->journal, &error))
    {
      g_printerr ("sluice-run daemon: run %s: %s\n", self->record->id, error->message);
      g_clear_error (&error);
    }
  g_clear_pointer (&self->report, json_decref);
  self->report = build_report (self);
  if (!sluice_run_report_write (self->report, report_path, &error))
    g_printerr ("sluice-run daemon: run %s: %s\n", self->record->id, error->message);
  close_events_file (self);
  self->record->n_events = self->events->len;
  save_record (self);
  g_signal_emit (self, signals[FINISHED], 0);
  g_idle_add_full (G_PRIORITY_DEFAULT, release_run_cb, g_object_ref (self), g_object_unref);
}

static void
state_cb (GObject          *object,
          GParamSpec       *pspec,
          SluiceManagedRun *self)
{
  SluiceRunState state = sluice_executor_get_state (SLUICE_EXECUTOR (object));

  if (state == self->record->state || self->run == NULL)
    return;
  if (state == SLUICE_RUN_FAILED)
    {
      g_free (self->record->error);
      self->record->error = g_strdup (sluice_executor_get_error (SLUICE_EXECUTOR (object)));
    }
  sluice_run_record_set_state (self->record, state, NULL);
  /* The executor notifies before it emits the run-state event: the run
   * is finished once that last event is recorded too (event_cb). */
  if (!sluice_run_state_is_final (state))
    save_record (self);
}

static void
sluice_managed_run_dispose (GObject *object)
{
  SluiceManagedRun *self = SLUICE_MANAGED_RUN (object);

  release_run_cb (self);
  close_events_file (self);

  G_OBJECT_CLASS (sluice_managed_run_parent_class)->dispose (object);
}

static void
sluice_managed_run_finalize (GObject *object)
{
  SluiceManagedRun *self = SLUICE_MANAGED_RUN (object);

  sluice_run_record_free (self->record);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_hash_table_unref (self->stages);
  g_free (self->failed_controller);
  g_free (self->last_failed_controller);
  g_clear_pointer (&self->report, json_decref);

  G_OBJECT_CLASS (sluice_managed_run_parent_class)->finalize (object);
}

static void
sluice_managed_run_class_init (SluiceManagedRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_managed_run_dispose;
  object_class->finalize = sluice_managed_run_finalize;

  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                 G_TYPE_UINT64, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[EXECUTOR_EVENT] = g_signal_new ("executor-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          SLUICE_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[JOURNAL_COMMITTED] = g_signal_new ("journal-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sluice_managed_run_init (SluiceManagedRun *self)
{
  self->stages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* The parameters as -D values. */
static GHashTable *
defines_of (const SluiceRunRecord *record)
{
  GHashTable *defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name;
  json_t *value;

  json_object_foreach (record->parameters, name, value)
    g_hash_table_insert (defines, g_strdup (name), g_strdup (json_string_value (value)));
  return defines;
}

static char *
journal_directory (SluiceManagedRun *self)
{
  return run_file (self, JOURNAL_DIR);
}

/* The file the run is loaded from: once the run has a journal, the copy
 * of the bytes it started with (a file changed since must not change a
 * run that goes on after a crash); before that, its pipeline file. */
static char *
pipeline_source (SluiceManagedRun *self)
{
  g_autofree char *journal = journal_directory (self);
  g_autofree char *copy = g_build_filename (journal, JOURNAL_PIPELINE_COPY, NULL);

  if (g_file_test (copy, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&copy);
  return g_strdup (self->record->pipeline_path);
}

static gboolean
pipeline_refused (SluiceManagedRun  *self,
                  GPtrArray         *problems,
                  GError           **error)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "the pipeline %s cannot run:",
                          self->record->registry_file != NULL ? self->record->registry_file : self->record->pipeline_path);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));

      if (sluice_problem_get_severity (g_ptr_array_index (problems, i)) == SLUICE_SEVERITY_ERROR)
        g_string_append_printf (text, "\n%s", line);
    }
  g_set_error_literal (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_PIPELINE, text->str);
  g_string_free (text, TRUE);
  return FALSE;
}

/* Loads and validates the pipeline from the bytes read once — the bytes
 * validated are the bytes journaled — named after the file the user
 * knows, with commands running beside it. */
static gboolean
prepare (SluiceManagedRun  *self,
         GError           **error)
{
  g_autoptr(GHashTable) defines = defines_of (self->record);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *source = pipeline_source (self);
  const char *name = self->record->registry_file != NULL ? self->record->registry_file : self->record->pipeline_path;
  SluiceExecutor *executor;
  char *text = NULL;
  gsize length = 0;

  g_assert (self->run == NULL);
  if (!g_file_get_contents (source, &text, &length, &local))
    {
      g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, name, 0, NULL, local->message));
      return pipeline_refused (self, problems, error);
    }
  self->pipeline_bytes = g_bytes_new_take (text, length);
  pipeline = sluice_load_data (text, length, name, problems);
  if (pipeline != NULL)
    sluice_validate_for_run (pipeline, name, defines, problems);
  sluice_problems_sort (problems);
  if (pipeline == NULL || sluice_problems_have_errors (problems))
    return pipeline_refused (self, problems, error);
  self->run = sluice_run_new (pipeline, name, defines, &local);
  if (self->run == NULL)
    {
      g_ptr_array_add (problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, name, 0, NULL, local->message));
      return pipeline_refused (self, problems, error);
    }
  if (self->record->pipeline_hash == NULL)
    self->record->pipeline_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
  g_free (self->record->pipeline_id);
  self->record->pipeline_id = g_strdup (sluice_node_get_id (SLUICE_NODE (pipeline)));
  executor = sluice_run_get_executor (self->run);
  g_signal_connect (executor, "event", G_CALLBACK (event_cb), self);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), self);
  return TRUE;
}

SluiceManagedRun *
sluice_managed_run_new (SluiceRunRecord  *record,
                        GError          **error)
{
  g_autoptr(SluiceManagedRun) self = g_object_new (SLUICE_TYPE_MANAGED_RUN, NULL);

  g_return_val_if_fail (record != NULL, NULL);

  self->record = record;
  if (!sluice_run_state_is_final (record->state) && !prepare (self, error))
    {
      self->record = NULL;   /* the caller keeps it on failure */
      return NULL;
    }
  return g_steal_pointer (&self);
}

SluiceManagedRun *
sluice_managed_run_new_failed (SluiceRunRecord *record,
                               const char      *why)
{
  SluiceManagedRun *self = g_object_new (SLUICE_TYPE_MANAGED_RUN, NULL);

  self->record = record;
  g_free (record->error);
  record->error = g_strdup (why);
  sluice_run_record_set_state (record, SLUICE_RUN_FAILED, why);
  save_record (self);
  return self;
}

static gboolean
io_failure (SluiceManagedRun  *self,
            GError           **error,
            GError            *cause)
{
  g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_IO,
               "run %s: %s", self->record->id, cause->message);
  g_error_free (cause);
  return FALSE;
}

static void
journal_committed_cb (SluiceJournal    *journal,
                      double            seconds,
                      SluiceManagedRun *self)
{
  g_signal_emit (self, signals[JOURNAL_COMMITTED], 0, seconds);
}

/* Removes the journal of a run that never ran. */
static void
discard_journal (SluiceManagedRun *self,
                 const char       *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  g_clear_object (&self->journal);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (directory, name, NULL);

      g_unlink (file);
    }
  g_rmdir (directory);
}

/* A new journal, holding the bytes the run was loaded from. */
static SluiceJournal *
create_journal (SluiceManagedRun  *self,
                const char        *directory,
                const char        *output_path,
                GError           **error)
{
  g_autoptr(GHashTable) defines = defines_of (self->record);
  SluiceJournalRunInfo info = { 0 };
  gsize length;

  info.pipeline_path = self->record->registry_file != NULL ? self->record->registry_file : self->record->pipeline_path;
  info.pipeline_text = g_bytes_get_data (self->pipeline_bytes, &length);
  info.pipeline_length = length;
  info.defines = defines;
  info.input_path = self->record->input_path;
  info.output_path = output_path;
  return sluice_journal_create (directory, self->record->id, &info, error);
}

/* Wires input and output through the run's journal and starts the
 * executor: a new run from the beginning of its input into an empty
 * output; a resumed one (@resume, its journal open) from where its last
 * commit left off, with its output cut back to that commit. */
static gboolean
start_executor (SluiceManagedRun  *self,
                gboolean           resume,
                GError           **error)
{
  SluiceExecutor *executor = sluice_run_get_executor (self->run);
  g_autofree char *output_path = run_file (self, OUTPUT_FILE);
  g_autofree char *directory = journal_directory (self);
  const SluiceJournalCommit *commit = NULL;
  g_autoptr(SluiceItemSource) input = NULL;
  g_autoptr(SluiceLineSink) sink = NULL;
  GError *local = NULL;
  int fd;

  if (!resume)
    {
      /* Left by a start that failed half-way (the run is still pending):
       * it holds nothing of the run. */
      discard_journal (self, directory);
      self->journal = create_journal (self, directory, output_path, &local);
      if (self->journal == NULL)
        return io_failure (self, error, local);
    }
  else
    {
      commit = sluice_journal_get_last_commit (self->journal);
      self->earlier_out = commit->output_lines;
    }

  input = sluice_journal_open_input (commit, self->record->input_path, &local);
  if (local == NULL)
    {
      if (resume)
        fd = sluice_journal_reopen_output (self->journal, output_path, &local);
      else if ((fd = open (output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        local = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "cannot write %s: %s",
                             output_path, g_strerror (errno));
    }
  if (local == NULL)
    {
      g_signal_connect_object (self->journal, "committed", G_CALLBACK (journal_committed_cb), self, 0);
      sink = sluice_line_sink_new (fd, TRUE);
      /* Every event, not only the run's own: the API streams them and
       * the metrics count them. */
      if (sluice_journal_attach (self->journal, executor, input, sink, TRUE, &local) && resume)
        {
          guint64 replayed = sluice_journal_get_n_replayed (self->journal);

          /* Items taken before the crash and complete (replayed ones are
           * counted again as they come in). */
          self->earlier_in = commit->input_records > replayed ? commit->input_records - replayed : 0;
        }
    }
  if (local != NULL)
    {
      if (!resume)
        discard_journal (self, directory);
      g_clear_object (&self->journal);
      return io_failure (self, error, local);
    }
  open_events_file (self);
  self->record->attempts++;
  /* Saved by state_cb as the run goes pending → running (a restart,
   * already "running" in its record, saves itself). */
  sluice_run_start (self->run);
  return TRUE;
}

static gboolean
conflict (GError         **error,
          SluiceManagedRun *self,
          const char      *why)
{
  g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_CONFLICT,
               "run %s is %s: %s", self->record->id,
               sluice_run_state_to_string (self->record->state), why);
  return FALSE;
}

gboolean
sluice_managed_run_apply (SluiceManagedRun  *self,
                          SluiceRunAction    action,
                          gboolean          *changed,
                          GError           **error)
{
  SluiceRunState state;

  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), FALSE);

  state = self->record->state;
  *changed = FALSE;
  switch (action)
    {
    case SLUICE_RUN_ACTION_START:
      if (state == SLUICE_RUN_RUNNING || state == SLUICE_RUN_PAUSED)
        return TRUE;
      if (state != SLUICE_RUN_PENDING)
        return conflict (error, self, "a finished run cannot be started again (create a new run)");
      *changed = TRUE;
      return start_executor (self, FALSE, error);

    case SLUICE_RUN_ACTION_PAUSE:
      if (state == SLUICE_RUN_PAUSED)
        return TRUE;
      if (state == SLUICE_RUN_PENDING)
        return conflict (error, self, "only a running run can be paused (start it first)");
      if (state != SLUICE_RUN_RUNNING)
        return conflict (error, self, "a finished run cannot be paused");
      *changed = TRUE;
      sluice_run_pause (self->run);
      return TRUE;

    case SLUICE_RUN_ACTION_RESUME:
      if (state == SLUICE_RUN_RUNNING)
        return TRUE;
      if (state == SLUICE_RUN_PENDING)
        return conflict (error, self, "only a paused run can be resumed (start a pending run)");
      if (state != SLUICE_RUN_PAUSED)
        return conflict (error, self, "a finished run cannot be resumed");
      *changed = TRUE;
      sluice_run_resume (self->run);
      return TRUE;

    case SLUICE_RUN_ACTION_CANCEL:
      if (state == SLUICE_RUN_CANCELLED)
        return TRUE;
      if (sluice_run_state_is_final (state))
        return conflict (error, self, "a finished run cannot be cancelled");
      *changed = TRUE;
      sluice_run_cancel (self->run);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

/* The journal says the run ended, though its record does not: the
 * daemon died in between. The record follows the journal. */
static void
settle_from_journal (SluiceManagedRun *self,
                     SluiceRunState    state)
{
  sluice_run_record_set_state (self->record, state,
                               "the daemon stopped as the run ended: its journal recorded the end");
  save_record (self);
  release_run_cb (self);
}

gboolean
sluice_managed_run_restart (SluiceManagedRun  *self,
                            GError           **error)
{
  g_autofree char *directory = NULL;
  g_autofree char *journal_file = NULL;
  SluiceRunState was, journaled;
  GError *local = NULL;
  gboolean resume;

  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), FALSE);
  g_return_val_if_fail (self->run != NULL, FALSE);

  was = self->record->state;
  if (was != SLUICE_RUN_RUNNING && was != SLUICE_RUN_PAUSED)
    return TRUE;
  directory = journal_directory (self);
  journal_file = g_build_filename (directory, "journal.sqlite", NULL);
  resume = g_file_test (journal_file, G_FILE_TEST_EXISTS);
  if (resume)
    {
      self->journal = sluice_journal_open (directory, &local);
      if (self->journal == NULL)
        return io_failure (self, error, local);
      if (sluice_run_state_from_string (sluice_journal_get_last_state (self->journal), &journaled) &&
          sluice_run_state_is_final (journaled))
        {
          settle_from_journal (self, journaled);
          return TRUE;
        }
    }
  sluice_run_record_set_state (self->record, was,
                               resume ? "resumed from its journal: the daemon stopped while the run was not over"
                                      : "restarted from the beginning: the daemon stopped while the run was not over");
  /* The executor begins pending → running; the record already says so. */
  self->record->state = SLUICE_RUN_RUNNING;
  if (!start_executor (self, resume, error))
    return FALSE;
  save_record (self);
  if (was == SLUICE_RUN_PAUSED)
    sluice_run_pause (self->run);   /* before its first slice: nothing starts */
  return TRUE;
}

void
sluice_managed_run_fail (SluiceManagedRun *self,
                         const char       *why)
{
  g_return_if_fail (SLUICE_IS_MANAGED_RUN (self));

  g_free (self->record->error);
  self->record->error = g_strdup (why);
  sluice_run_record_set_state (self->record, SLUICE_RUN_FAILED, why);
  save_record (self);
  release_run_cb (self);
}

const SluiceRunRecord *
sluice_managed_run_get_record (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return self->record;
}

const char *
sluice_managed_run_get_id (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return self->record->id;
}

SluiceRunState
sluice_managed_run_get_state (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), SLUICE_RUN_PENDING);
  return self->record->state;
}

SluiceRun *
sluice_managed_run_get_run (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return self->run;
}

json_t *
sluice_managed_run_dup_report (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);

  if (self->run != NULL && self->report == NULL)
    return build_report (self);
  if (self->report == NULL)
    {
      g_autofree char *path = run_file (self, REPORT_FILE);

      self->report = json_load_file (path, 0, NULL);
    }
  return self->report != NULL ? json_incref (self->report) : NULL;
}

json_t *
sluice_managed_run_to_json (SluiceManagedRun *self)
{
  json_t *json = sluice_run_record_to_json (self->record);
  json_t *report = sluice_managed_run_dup_report (self);
  const char *stage = NULL;

  if (report != NULL)
    {
      const char *keys[] = { "items_in", "items_out", "items_rejected", "elapsed_ms", "failed_module" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        if (json_object_get (report, keys[i]) != NULL)
          json_object_set (json, keys[i], json_object_get (report, keys[i]));
      json_decref (report);
    }
  if (self->run != NULL)
    stage = sluice_executor_get_current_controller (sluice_run_get_executor (self->run));
  json_object_set_new (json, "current_stage", stage != NULL ? json_string (stage) : json_null ());
  json_object_set_new (json, "events", json_integer ((json_int_t) sluice_managed_run_get_n_events (self)));
  return json;
}

char *
sluice_managed_run_get_output_path (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return run_file (self, OUTPUT_FILE);
}

guint64
sluice_managed_run_get_n_events (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), 0);

  /* Listing finished runs must not read their events back. */
  if (self->events == NULL && sluice_run_state_is_final (self->record->state) && self->record->n_events > 0)
    return self->record->n_events;
  ensure_events (self);
  return self->events->len;
}

guint64
sluice_managed_run_count_events (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), 0);

  ensure_events (self);
  /* A file cut short by a kill holds fewer than the record counted. */
  if (sluice_run_state_is_final (self->record->state))
    self->record->n_events = self->events->len;
  return self->events->len;
}

const char *
sluice_managed_run_get_event (SluiceManagedRun *self,
                              guint64           seq)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  ensure_events (self);
  if (seq == 0 || seq > self->events->len)
    return NULL;
  return g_ptr_array_index (self->events, seq - 1);
}

const SluiceStageSpan *
sluice_managed_run_get_stage_span (SluiceManagedRun *self,
                                   const char       *controller_id)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return g_hash_table_lookup (self->stages, controller_id);
}

const char *
sluice_managed_run_get_failed_controller (SluiceManagedRun *self)
{
  g_return_val_if_fail (SLUICE_IS_MANAGED_RUN (self), NULL);
  return self->failed_controller;
}
