/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-history-keeper.h"

#define JOURNAL_KEY "sluice-history-journal"

typedef struct
{
  char                  *state_dir;
  char                  *path;
  gboolean               file_is_current;
  GHashTable            *defines;
  SluiceHistoryWarnFunc  warn_func;
  gpointer               user_data;
} Keep;

static void
keep_free (gpointer data,
           GClosure *closure)
{
  Keep *keep = data;

  g_free (keep->state_dir);
  g_free (keep->path);
  g_clear_pointer (&keep->defines, g_hash_table_unref);
  g_free (keep);
}

static char *
pipeline_text (Keep            *keep,
               SluicePipeline  *pipeline,
               gsize           *length,
               GError         **error)
{
  char *text = NULL;

  if (keep->file_is_current && g_file_get_contents (keep->path, &text, length, NULL))
    return text;
  text = sluice_save_to_data (pipeline, length);
  if (text == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the pipeline cannot be saved"));
  return text;
}

static void
started_cb (SluiceRunSession *session,
            SluiceExecutor   *executor,
            Keep             *keep)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *default_dir = keep->state_dir == NULL ? sluice_run_id_default_state_dir () : NULL;
  g_autofree char *run_id = sluice_run_id_generate ();
  g_autofree char *directory = NULL;
  g_autofree char *text = NULL;
  g_autofree char *absolute = g_canonicalize_filename (keep->path, NULL);
  g_autoptr(SluiceJournal) journal = NULL;
  SluiceJournalRunInfo info = { 0 };
  gsize length = 0;

  directory = sluice_run_id_directory (keep->state_dir != NULL ? keep->state_dir : default_dir, run_id, &error);
  if (directory != NULL)
    text = pipeline_text (keep, sluice_run_session_get_pipeline (session), &length, &error);
  if (text != NULL)
    {
      info.pipeline_path = absolute;
      info.pipeline_text = text;
      info.pipeline_length = length;
      info.defines = keep->defines;
      journal = sluice_journal_create (directory, run_id, &info, &error);
    }
  if (journal == NULL || !sluice_journal_record (journal, executor, "designer", &error))
    {
      g_autofree char *message = g_strdup_printf (_("This run is not kept in the history: %s"), error->message);

      if (keep->warn_func != NULL)
        keep->warn_func (message, keep->user_data);
      return;
    }
  /* The run's, not the session's: the journal hears the executor on the
   * run's thread, and goes with the run, once that thread is over (a
   * window that closes lets go of its session at once, not of a run
   * still winding down; see sluice_run_thread_release). */
  g_object_set_data_full (G_OBJECT (executor), JOURNAL_KEY, g_steal_pointer (&journal), g_object_unref);
}

void
sluice_history_keep_run (SluiceRunSession      *session,
                         const char            *state_dir,
                         const char            *path,
                         gboolean               file_is_current,
                         GHashTable            *defines,
                         SluiceHistoryWarnFunc  warn_func,
                         gpointer               user_data)
{
  Keep *keep;

  g_return_if_fail (SLUICE_IS_RUN_SESSION (session));

  if (path == NULL)
    return;
  keep = g_new0 (Keep, 1);
  keep->state_dir = g_strdup (state_dir);
  keep->path = g_strdup (path);
  keep->file_is_current = file_is_current;
  keep->defines = defines != NULL ? g_hash_table_ref (defines) : NULL;
  keep->warn_func = warn_func;
  keep->user_data = user_data;
  g_signal_connect_data (session, "started", G_CALLBACK (started_cb), keep, keep_free, 0);
}

const char *
sluice_history_get_run_directory (SluiceRunSession *session)
{
  SluiceExecutor *executor = sluice_run_session_get_executor (session);
  SluiceJournal *journal = executor != NULL ? g_object_get_data (G_OBJECT (executor), JOURNAL_KEY) : NULL;

  return journal != NULL ? sluice_journal_get_directory (journal) : NULL;
}
