/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of sluice-run (SPEC section 6). Cancelled by signal N
 * exits with 128 + N. */
#define SLUICE_EXIT_COMPLETED 0
#define SLUICE_EXIT_FAILED    1
#define SLUICE_EXIT_INVALID   2

/* The parsed command line of sluice-run, shared by the option parser
 * (sluice-run.c) and the run mode (sluice-run-execute.c). */
typedef struct
{
  char       *pipeline_path;  /* the PIPELINE.xml to run */
  char       *input_path;     /* -i; NULL = one {} trigger item, "-" = stdin */
  char       *output_path;    /* -o; NULL or "-" = stdout */
  char       *events_path;    /* --events; NULL = none, "-" = stderr */
  char       *report_path;    /* --report; .html or .json */
  GHashTable *defines;        /* -D name=value, owned strings */
  gboolean    progress;       /* --progress: force the progress line */
  gboolean    quiet;          /* --quiet: no progress line, even on a tty */
  gboolean    journal;        /* --journal (or --run-id): a durable run */
  char       *state_dir;      /* --state-dir: where run directories are; NULL = the default */
  char       *run_id;         /* --run-id; NULL = a new one */
  struct _SluiceJournal *resume; /* `resume`: the journal of the run to continue (owned) */
  gboolean    dry_run;        /* --dry-run: side effects recorded on stderr, not done */
} SluiceRunOptions;

/* Runs the pipeline as the options say; returns the exit status. */
int sluice_run_execute (const SluiceRunOptions *options);

G_END_DECLS
