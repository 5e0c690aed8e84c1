/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sluice-json-alloc.h"
#include "sluice-loader.h"
#include "sluice-run-options.h"
#include "sluice-run-new.h"
#include "sluice-run-plugins.h"
#include "sluice-run-resume.h"
#include "sluice-run-serve.h"
#include "sluice-run-tools.h"
#include "sluice-run-test.h"
#include "sluice-run-validate.h"
#include "sluice-run-worker.h"
#include "sluice-validator.h"

/* sluice-run: the headless runner (SPEC sections 1 and 6). This file
 * parses the command line and validates; the run itself is
 * sluice_run_execute() in sluice-run-execute.c. */

typedef struct
{
  gboolean   validate;
  gboolean   list_tools;
  gboolean   version;
  gboolean   progress;
  gboolean   quiet;
  gboolean   journal;
  char      *state_dir;
  char      *run_id;
  gboolean   dry_run;
  char      *format;
  char      *input;
  char      *output;
  char      *events;
  char      *report;
  char      *distribute;
  char     **defines;
  char     **files;
} CommandLine;

static void
command_line_clear (CommandLine *cl)
{
  g_clear_pointer (&cl->format, g_free);
  g_clear_pointer (&cl->state_dir, g_free);
  g_clear_pointer (&cl->run_id, g_free);
  g_clear_pointer (&cl->input, g_free);
  g_clear_pointer (&cl->output, g_free);
  g_clear_pointer (&cl->events, g_free);
  g_clear_pointer (&cl->report, g_free);
  g_clear_pointer (&cl->distribute, g_free);
  g_clear_pointer (&cl->defines, g_strfreev);
  g_clear_pointer (&cl->files, g_strfreev);
}

static void
run_options_clear (SluiceRunOptions *options)
{
  g_clear_pointer (&options->pipeline_path, g_free);
  g_clear_pointer (&options->input_path, g_free);
  g_clear_pointer (&options->output_path, g_free);
  g_clear_pointer (&options->events_path, g_free);
  g_clear_pointer (&options->report_path, g_free);
  g_clear_pointer (&options->defines, g_hash_table_unref);
  g_clear_pointer (&options->state_dir, g_free);
  g_clear_pointer (&options->run_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SluiceRunOptions, run_options_clear)

/* Prints a usage error the way command-line tools do and returns the
 * status for it. */
static int usage_error (const char *format,
                        ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "sluice-run: %s\n", message);
  fprintf (stderr, _("Try “sluice-run --help” for more information.\n"));

  return SLUICE_EXIT_INVALID;
}

static GOptionContext *
make_context (CommandLine *cl)
{
  const GOptionEntry entries[] = {
    { "validate", 0, 0, G_OPTION_ARG_NONE, &cl->validate,
      N_("Check the pipeline files and print their problems; do not run"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &cl->format,
      N_("How --validate prints problems: text (the default) or json; --list-tools: text or markdown"), N_("FORMAT") },
    { "list-tools", 0, 0, G_OPTION_ARG_NONE, &cl->list_tools,
      N_("List every tool with its parameters and where it came from; do not run"), NULL },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &cl->input,
      N_("Read input items from FILE as JSON lines (- for standard input)"), N_("FILE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cl->output,
      N_("Write output items to FILE as JSON lines (default: standard output)"), N_("FILE") },
    { "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &cl->defines,
      N_("Set a pipeline parameter (may be repeated)"), N_("NAME=VALUE") },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &cl->events,
      N_("Write run events to FILE as JSON lines (- for standard error)"), N_("FILE") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &cl->report,
      N_("Write a run report to FILE (.html or .json)"), N_("FILE") },
    { "distribute", 0, 0, G_OPTION_ARG_STRING, &cl->distribute,
      N_("Run the items on workers through Redis (sluice-run worker) instead of here"), N_("URL") },
    { "journal", 0, 0, G_OPTION_ARG_NONE, &cl->journal,
      N_("Keep a journal of the run so that `sluice-run resume RUN-ID` can continue it after a crash"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &cl->state_dir,
      N_("Keep run directories in DIR (default: ~/.local/share/sluice/runs)"), N_("DIR") },
    { "run-id", 0, 0, G_OPTION_ARG_STRING, &cl->run_id,
      N_("Journal the run under this id instead of a new one (implies --journal)"), N_("RUN-ID") },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &cl->progress,
      N_("Show a progress line on standard error even when it is not a terminal"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cl->quiet,
      N_("Show no progress line and no warnings"), NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &cl->dry_run,
      N_("Run without side effects: commands, external calls and loaders are not run; "
         "what each would have done is printed on standard error"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &cl->version,
      N_("Print the version and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cl->files,
      NULL, N_("PIPELINE.xml…") },
    { NULL }
  };
  GOptionContext *context;

  context = g_option_context_new (_("— run or check Sluice pipelines"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Forms:\n"
      "  sluice-run [OPTION…] PIPELINE.xml       run a pipeline\n"
      "  sluice-run --validate FILE…             check pipeline files\n"
      "  sluice-run --list-tools                 list the tools and their parameters\n"
      "  sluice-run serve PIPELINE.xml [OPTION…] serve a pipeline over HTTP\n"
      "  sluice-run balance [OPTION…]            balance clients over served pipelines\n"
      "  sluice-run daemon [OPTION…]             host the run API (runs over HTTP)\n"
      "  sluice-run runs COMMAND [OPTION…]       list and steer the runs of a daemon\n"
      "  sluice-run registry DIR list|show ID|validate   a folder of pipelines\n"
      "  sluice-run schedule DIR --state-dir S   run a folder's scheduled pipelines\n"
      "  sluice-run worker --redis URL PIPELINE.xml…  process distributed items\n"
      "  sluice-run dlq list|replay --redis URL ID     the dead-letter stream\n"
      "  sluice-run resume RUN-ID [OPTION…]      continue a journaled run after a crash\n"
      "  sluice-run test FILE… [OPTION…]         run the test cases in pipeline files\n"
      "\n"
      "Exit status: 0 completed (or valid), 1 failed, 2 invalid pipeline or\n"
      "usage, 128+N cancelled by signal N (SIGINT and SIGTERM cancel gracefully).\n"));

  return context;
}

/* Turns -D NAME=VALUE arguments into a table; a usage error otherwise. */
static gboolean
parse_defines (char       **defines,
               GHashTable  *table,
               int         *status)
{
  for (guint i = 0; defines != NULL && defines[i] != NULL; i++)
    {
      const char *eq = strchr (defines[i], '=');

      if (eq == NULL || eq == defines[i])
        {
          *status = usage_error (_("-D expects NAME=VALUE, not “%s”"), defines[i]);
          return FALSE;
        }

      /* The last -D for a name wins, as with compilers. */
      g_hash_table_insert (table,
                           g_strndup (defines[i], eq - defines[i]),
                           g_strdup (eq + 1));
    }

  return TRUE;
}

static int
run_command_line (CommandLine *cl)
{
  g_auto(SluiceRunOptions) options = { 0 };
  SluiceProblemFormat format = SLUICE_PROBLEM_FORMAT_TEXT;
  guint n_files = cl->files != NULL ? g_strv_length (cl->files) : 0;
  int status = SLUICE_EXIT_INVALID;

  if (cl->version)
    {
      printf ("sluice-run %s\n", PACKAGE_VERSION);
      return SLUICE_EXIT_COMPLETED;
    }

  if (cl->list_tools)
    return sluice_run_list_tools (cl->format);

  if (cl->format != NULL)
    {
      if (g_str_equal (cl->format, "json"))
        format = SLUICE_PROBLEM_FORMAT_JSON;
      else if (!g_str_equal (cl->format, "text"))
        return usage_error (_("unknown --format “%s” (use text or json)"), cl->format);

      if (!cl->validate)
        return usage_error (_("--format only applies to --validate"));
    }

  if (cl->progress && cl->quiet)
    return usage_error (_("--progress and --quiet cannot be used together"));

  if (n_files == 0)
    return usage_error (cl->validate ? _("--validate needs at least one pipeline file")
                                     : _("no pipeline file given"));

  /* Tools from plug-ins are known before the files are checked. */
  sluice_run_load_plugins ((const char * const *) cl->files, cl->quiet);
  if (cl->validate)
    return sluice_run_validate ((const char * const *) cl->files, format);

  if (n_files > 1)
    return usage_error (_("one pipeline file at a time, not %u (use --validate to check several)"),
                        n_files);

  if (cl->report != NULL &&
      !g_str_has_suffix (cl->report, ".html") &&
      !g_str_has_suffix (cl->report, ".json"))
    return usage_error (_("--report needs a file name ending in .html or .json, not “%s”"),
                        cl->report);

  options.defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!parse_defines (cl->defines, options.defines, &status))
    return status;

  options.pipeline_path = g_strdup (cl->files[0]);
  options.input_path = g_strdup (cl->input);
  options.output_path = g_strdup (cl->output);
  options.events_path = g_strdup (cl->events);
  options.report_path = g_strdup (cl->report);
  options.progress = cl->progress;
  options.quiet = cl->quiet;
  options.journal = cl->journal || cl->run_id != NULL;
  options.state_dir = g_strdup (cl->state_dir);
  options.run_id = g_strdup (cl->run_id);
  if (cl->state_dir != NULL && !options.journal)
    return usage_error (_("--state-dir only applies to journaled runs (--journal)"));
  options.dry_run = cl->dry_run;

  if (cl->distribute != NULL)
    return sluice_run_distribute (&options, cl->distribute);
  return sluice_run_execute (&options);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandLine, command_line_clear)

int
main (int   argc,
      char *argv[])
{
  g_auto(CommandLine) cl = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;

  setlocale (LC_ALL, "");
  /* Items are data, not text for people: Lua's tostring() and number
   * parsing must not turn 0.5 into "0,5" under the user's locale. */
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("sluice-run");
  /* Before any item is made: jansson's small blocks are reused per
   * thread instead of going through malloc's arena each time. */
  sluice_json_alloc_install ();

  /* Subcommands have option tables of their own. */
  if (argc > 1 && g_str_equal (argv[1], "serve"))
    return sluice_run_serve (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "balance"))
    return sluice_run_balance (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "new"))
    return sluice_run_new_pipeline (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "daemon"))
    return sluice_run_daemon (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "runs"))
    return sluice_run_runs (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "registry"))
    return sluice_run_registry (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "schedule"))
    return sluice_run_schedule (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "worker"))
    return sluice_run_worker (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "dlq"))
    return sluice_run_dlq (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "resume"))
    return sluice_run_resume_command (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "test"))
    return sluice_run_test (argc - 1, argv + 1);

  context = make_context (&cl);
  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &args, &error))
    return usage_error ("%s", error->message);

  return run_command_line (&cl);
}
