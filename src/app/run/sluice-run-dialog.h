/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-core.h"

G_BEGIN_DECLS

typedef enum
{
  SLUICE_RUN_INPUT_TRIGGER,   /* one {} item */
  SLUICE_RUN_INPUT_FILE,      /* a JSON-lines file */
  SLUICE_RUN_INPUT_TYPED,     /* items typed in the dialog, one a line */
} SluiceRunInput;

/* What a run gets: its input and its parameter values (the -D of
 * sluice-run). Remembered per pipeline file in
 * g_get_user_data_dir()/sluice/runs.ini. */
typedef struct
{
  SluiceRunInput  input;
  char           *input_path;
  char           *typed;
  GHashTable     *defines;    /* name → value, owned strings */
  /* F5 runs with this choice too; otherwise F5 is the plain run (one
   * empty item, the parameters' defaults). */
  gboolean        pinned;
} SluiceRunChoice;

SluiceRunChoice *sluice_run_choice_new          (void);
void             sluice_run_choice_free         (SluiceRunChoice *choice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRunChoice, sluice_run_choice_free)
/* The last choice for @file (NULL = untitled: the default choice). */
SluiceRunChoice *sluice_run_choice_load         (GFile           *file);
void             sluice_run_choice_save         (SluiceRunChoice *choice,
                                                 GFile           *file);
/* What F5 runs with for @file: the remembered choice if the user pinned
 * it, else the plain run. */
SluiceRunChoice *sluice_run_choice_load_for_run (GFile           *file);
/* In a few words, what a run with @choice gets ("data.jsonl · x=1"). */
char            *sluice_run_choice_describe     (SluiceRunChoice *choice);
/* NULL for the trigger; a stream of the file or the typed lines. */
GInputStream    *sluice_run_choice_open_input   (SluiceRunChoice *choice,
                                                 GError         **error);
/* The exact sluice-run command line for this choice, shell-quoted:
 * defines sorted by name, then the input, then the pipeline. */
char            *sluice_run_choice_command_line (SluiceRunChoice *choice,
                                                 const char      *pipeline_path);

typedef void (*SluiceRunDialogFunc) (SluiceRunChoice *choice,
                                     gpointer         user_data);

/* The run dialog: input, parameter values and the runner's command line
 * with a Copy button. Calls @func with the choice (already saved for
 * @file) when the user presses Run. Returns the dialog. */
GtkWidget       *sluice_run_dialog_present      (GtkWindow           *parent,
                                                 SluicePipeline      *pipeline,
                                                 GFile               *file,
                                                 SluiceRunDialogFunc  func,
                                                 gpointer             user_data);

G_END_DECLS
