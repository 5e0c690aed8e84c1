/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-loader.h"
#include "sluice-run-report.h"
#include "sluice-run.h"
#include "sluice-validator.h"

struct _SluiceRun
{
  GObject         parent_instance;

  SluicePipeline *pipeline;   /* owned */
  SluiceExecutor *executor;   /* owned */
  char           *path;
  json_t         *history;    /* owned: the report's "history", or NULL */
};

G_DEFINE_FINAL_TYPE (SluiceRun, sluice_run, G_TYPE_OBJECT)

static void
sluice_run_finalize (GObject *object)
{
  SluiceRun *self = SLUICE_RUN (object);

  g_clear_object (&self->executor);
  g_clear_object (&self->pipeline);
  g_free (self->path);
  json_decref (self->history);

  G_OBJECT_CLASS (sluice_run_parent_class)->finalize (object);
}

static void
sluice_run_class_init (SluiceRunClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_run_finalize;
}

static void
sluice_run_init (SluiceRun *self)
{
}

SluiceRun *
sluice_run_new (SluicePipeline  *pipeline,
                const char      *path,
                GHashTable      *defines,
                GError         **error)
{
  g_autoptr(SluiceRun) self = NULL;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);

  self = g_object_new (SLUICE_TYPE_RUN, NULL);
  self->pipeline = g_object_ref (pipeline);
  self->path = g_strdup (path);
  self->executor = sluice_executor_new (pipeline, defines, error);
  if (self->executor == NULL)
    return NULL;

  if (path != NULL)
    {
      g_autofree char *directory = g_path_get_dirname (path);

      sluice_executor_set_base_directory (self->executor, directory);
    }

  return g_steal_pointer (&self);
}

SluiceRun *
sluice_run_new_for_file (const char *path,
                         GHashTable *defines,
                         GPtrArray  *problems)
{
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  SluiceRun *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  pipeline = sluice_load_file (path, problems);
  if (pipeline != NULL)
    sluice_validate_for_run (pipeline, path, defines, problems);
  else if (!sluice_problems_have_errors (problems))
    g_ptr_array_add (problems,
                     sluice_problem_new (SLUICE_SEVERITY_ERROR, path, 0, NULL,
                                         _("the file could not be loaded")));
  sluice_problems_sort (problems);

  if (pipeline == NULL || sluice_problems_have_errors (problems))
    return NULL;

  self = sluice_run_new (pipeline, path, defines, &error);
  if (self == NULL)
    g_ptr_array_add (problems,
                     sluice_problem_new (SLUICE_SEVERITY_ERROR, path, 0, NULL, error->message));
  return self;
}

SluicePipeline *
sluice_run_get_pipeline (SluiceRun *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN (self), NULL);

  return self->pipeline;
}

SluiceExecutor *
sluice_run_get_executor (SluiceRun *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN (self), NULL);

  return self->executor;
}

const char *
sluice_run_get_path (SluiceRun *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN (self), NULL);

  return self->path;
}

void
sluice_run_start (SluiceRun *self)
{
  g_return_if_fail (SLUICE_IS_RUN (self));

  sluice_executor_start (self->executor);
}

void
sluice_run_pause (SluiceRun *self)
{
  g_return_if_fail (SLUICE_IS_RUN (self));

  sluice_executor_pause (self->executor);
}

void
sluice_run_resume (SluiceRun *self)
{
  g_return_if_fail (SLUICE_IS_RUN (self));

  sluice_executor_resume (self->executor);
}

void
sluice_run_cancel (SluiceRun *self)
{
  g_return_if_fail (SLUICE_IS_RUN (self));

  sluice_executor_cancel (self->executor);
}

SluiceRunState
sluice_run_get_state (SluiceRun *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN (self), SLUICE_RUN_PENDING);

  return sluice_executor_get_state (self->executor);
}

json_t *
sluice_run_build_report (SluiceRun *self)
{
  json_t *report;

  g_return_val_if_fail (SLUICE_IS_RUN (self), NULL);

  report = sluice_run_report_build (self->executor, self->path);
  if (self->history != NULL)
    json_object_set (report, "history", self->history);
  return report;
}

void
sluice_run_set_history (SluiceRun *self,
                        json_t    *history)
{
  g_return_if_fail (SLUICE_IS_RUN (self));

  json_decref (self->history);
  self->history = history;
}

gboolean
sluice_run_write_report (SluiceRun   *self,
                         const char  *report_path,
                         GError     **error)
{
  json_t *report;
  gboolean ok;

  g_return_val_if_fail (SLUICE_IS_RUN (self), FALSE);
  g_return_val_if_fail (report_path != NULL, FALSE);

  report = sluice_run_build_report (self);
  ok = sluice_run_report_write (report, report_path, error);
  json_decref (report);
  return ok;
}
