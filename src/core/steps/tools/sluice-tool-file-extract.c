/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glob.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-file-reader.h"
#include "sluice-tool-file-extract.h"
#include "sluice-tool-params.h"

/* The file extractor: each item that reaches it (the run's trigger, or
 * an item naming nothing in particular) becomes the records of the files
 * that `path` matches, streamed: a record is read only when the steps
 * after it have room (sluice_step_call_backlog), so a file of any size
 * runs in the memory of a few hundred items. */

/* Items waiting after this step before it reads more. Small, so that the
 * items a record makes are still in the CPU's cache when the steps after
 * it (which take them in turn, breadth first) get to them: 4,096 cost
 * twice the CPU time of 256 on the ETL benchmark (cache misses in
 * malloc and in every step); much smaller costs wall time (more turns
 * of the main loop, more waits). */
#define BACKLOG_LIMIT 256
/* Work per turn of the main loop. */
#define SLICE_US 3000
#define SLICE_CHECK 128
/* Bad records (skipped) said one by one before only counting. */
#define SKIP_LOG_LIMIT 10

struct _SluiceToolFileExtract
{
  SluiceStep               parent_instance;
  SluiceToolParams        *params;
  char                    *pattern;
  SluiceFileReaderOptions  options;
  char                    *format_name;
  char                    *compression_name;
  char                   **columns;
  char                    *encoding;
  char                    *line_field;
  const char              *file_field;     /* in params */
  const char              *number_field;   /* in params */
  gboolean                 skip_bad;
  gboolean                 allow_no_match;
};

G_DEFINE_FINAL_TYPE (SluiceToolFileExtract, sluice_tool_file_extract, SLUICE_TYPE_STEP)

static const char * const formats[] = { "auto", "jsonl", "json", "csv", "lines", NULL };
static const char * const ragged_choices[] = { "fail", "pad", NULL };
static const char * const bad_record_choices[] = { "fail", "skip", NULL };

static const SluiceToolParamInfo file_extract_params[] = {
  { "path", N_("File or glob pattern (*, ?, [abc]); relative paths are relative to the pipeline's folder"), TRUE,
    SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "format", N_("jsonl (one object a line), json (an array of objects), csv, lines; auto chooses by extension"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "auto", formats },
  { "compression", N_("gzip, zstd, xz or none; auto chooses by extension (.gz, .zst, .xz)"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "auto", sluice_compression_names },
  { "encoding", N_("The file's character set (e.g. ISO-8859-1, UTF-16); items are UTF-8"), FALSE,
    SLUICE_TOOL_PARAM_STRING, "UTF-8", NULL },
  { "delimiter", N_("CSV: the field separator, one character, or tab"), FALSE,
    SLUICE_TOOL_PARAM_STRING, ",", NULL },
  { "quote", N_("CSV: the quote character; empty for none"), FALSE,
    SLUICE_TOOL_PARAM_STRING, "\"", NULL },
  { "header", N_("CSV: the first record names the columns"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "columns", N_("CSV: column names, comma-separated (over the header, or for a file without one)"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "ragged", N_("CSV: a record with more or fewer fields than columns fails, or is padded with null (extra fields become column_N)"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "fail", ragged_choices },
  { "on-bad-record", N_("A record that cannot be read (bad JSON, bad UTF-8, ragged) fails the module, or is skipped with a log line"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "fail", bad_record_choices },
  { "line-field", N_("lines: the field that holds each line"), FALSE,
    SLUICE_TOOL_PARAM_STRING, "line", NULL },
  { "file-field", N_("A field to set to the file each record came from"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "line-number-field", N_("A field to set to the line each record starts on"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "allow-no-match", N_("A glob that matches no file gives no items instead of failing"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  { "max-record", N_("Longest record in bytes; a longer one fails (a guard against a file that is not what it seems)"), FALSE,
    SLUICE_TOOL_PARAM_INT, "268435456", NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo file_extract_info = {
  "file-extract",
  N_("Read Files"),
  N_("Turns each item into the records of files: JSON lines, a JSON array, CSV or lines; gzip, zstd or xz; any encoding; streamed in constant memory"),
  file_extract_params,
  "<execution id=\"read\">\n"
  "  <use tool=\"file-extract\">\n"
  "    <param name=\"path\">data/orders-*.csv.gz</param>\n"
  "    <param name=\"delimiter\">;</param>\n"
  "    <param name=\"encoding\">ISO-8859-1</param>\n"
  "  </use>\n"
  "</execution>",
};

/* The work on one item. */
typedef struct
{
  SluiceToolFileExtract *self;
  SluiceStepCall        *call;
  char                 **files;
  guint                  next_file;
  SluiceFileReader      *reader;
  const char            *path;     /* of @reader, in @files */
  gpointer               timer;
  guint64                skipped;
  guint                  last_backlog;
  guint                  idle_waits;   /* waits in a row without progress after it */
} Extraction;

/* "tab" and "\t" are a tab; anything else must be one byte. */
static gboolean
parse_char (const char *text,
            gboolean    may_be_empty,
            char       *result)
{
  if (text == NULL || *text == '\0')
    {
      *result = 0;
      return may_be_empty;
    }
  if (g_str_equal (text, "tab") || g_str_equal (text, "\\t"))
    {
      *result = '\t';
      return TRUE;
    }
  if (strlen (text) != 1 || text[0] == '\n' || text[0] == '\r')
    return FALSE;
  *result = text[0];
  return TRUE;
}

static void
sluice_tool_file_extract_check (SluiceStepClass *klass,
                                SluiceModule    *module,
                                SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);
      guint line = param->line ? param->line : sluice_node_get_line (SLUICE_NODE (module));
      char c;

      if (param->value != NULL && strstr (param->value, "${") != NULL)
        continue;
      if (g_str_equal (param->name, "delimiter") && !parse_char (param->value, FALSE, &c))
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                                  _("module `%s`: the delimiter must be one character or `tab`, not `%s`"),
                                  id, param->value ? param->value : "");
      else if (g_str_equal (param->name, "quote") && !parse_char (param->value, TRUE, &c))
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                                  _("module `%s`: the quote must be one character or empty, not `%s`"),
                                  id, param->value);
    }
}

static gboolean
sluice_tool_file_extract_prepare (SluiceStep         *step,
                                  SluiceModule       *module,
                                  SluiceStepContext  *context,
                                  GError            **error)
{
  SluiceToolFileExtract *self = SLUICE_TOOL_FILE_EXTRACT (step);
  const char *columns;
  gint64 max_record;

  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;

  self->format_name = g_strdup (sluice_tool_params_get (self->params, "format"));
  self->compression_name = g_strdup (sluice_tool_params_get (self->params, "compression"));
  self->encoding = g_strdup (sluice_tool_params_get (self->params, "encoding"));
  self->line_field = g_strdup (sluice_tool_params_get (self->params, "line-field"));
  self->file_field = sluice_tool_params_get (self->params, "file-field");
  self->number_field = sluice_tool_params_get (self->params, "line-number-field");
  self->skip_bad = g_strcmp0 (sluice_tool_params_get (self->params, "on-bad-record"), "skip") == 0;
  self->allow_no_match = sluice_tool_params_get_bool (self->params, "allow-no-match");

  if (!parse_char (sluice_tool_params_get (self->params, "delimiter"), FALSE, &self->options.delimiter))
    {
      sluice_tool_params_set_error (self->params, error, "delimiter", "must be one character or tab");
      return FALSE;
    }
  if (!parse_char (sluice_tool_params_get (self->params, "quote"), TRUE, &self->options.quote))
    {
      sluice_tool_params_set_error (self->params, error, "quote", "must be one character or empty");
      return FALSE;
    }
  max_record = sluice_tool_params_get_int (self->params, "max-record");
  if (max_record < 1)
    {
      sluice_tool_params_set_error (self->params, error, "max-record", "must be at least 1");
      return FALSE;
    }

  columns = sluice_tool_params_get (self->params, "columns");
  if (columns != NULL && *columns != '\0')
    {
      self->columns = g_strsplit (columns, ",", -1);
      for (guint i = 0; self->columns[i] != NULL; i++)
        g_strstrip (self->columns[i]);
    }

  self->options.header = sluice_tool_params_get_bool (self->params, "header");
  self->options.columns = self->columns;
  self->options.pad_ragged = g_strcmp0 (sluice_tool_params_get (self->params, "ragged"), "pad") == 0;
  self->options.encoding = self->encoding;
  self->options.line_field = self->line_field;
  self->options.max_record = max_record;
  return TRUE;
}

static gboolean
has_glob_chars (const char *pattern)
{
  return strpbrk (pattern, "*?[") != NULL;
}

/* The files @pattern names, sorted; NULL with @error when none. */
static char **
expand (SluiceToolFileExtract  *self,
        GError                **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  glob_t found = { 0 };
  int status;

  if (!has_glob_chars (self->pattern))
    {
      g_strv_builder_add (builder, self->pattern);
      return g_strv_builder_end (builder);
    }

  status = glob (self->pattern, GLOB_ERR, NULL, &found);
  if (status == 0)
    {
      for (gsize i = 0; i < found.gl_pathc; i++)
        if (!g_file_test (found.gl_pathv[i], G_FILE_TEST_IS_DIR))
          g_strv_builder_add (builder, found.gl_pathv[i]);
    }
  globfree (&found);
  if (status != 0 && status != GLOB_NOMATCH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot list the files it matches", self->pattern);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static void
extraction_free (Extraction *extraction)
{
  if (extraction->timer != NULL)
    sluice_step_context_remove_timer (sluice_step_get_context (SLUICE_STEP (extraction->self)), extraction->timer);
  g_clear_pointer (&extraction->reader, sluice_file_reader_free);
  g_strfreev (extraction->files);
  g_free (extraction);
}

static void
extraction_end (Extraction *extraction,
                const char *error)
{
  SluiceStepCall *call = extraction->call;
  SluiceStepContext *context = sluice_step_get_context (SLUICE_STEP (extraction->self));

  if (extraction->skipped > 0)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "skipped %llu bad record",
                                                               "skipped %llu bad records", extraction->skipped),
                                                  (unsigned long long) extraction->skipped);

      sluice_step_context_log (context, sluice_step_get_id (SLUICE_STEP (extraction->self)), message);
    }
  call->step_data = NULL;
  extraction_free (extraction);
  if (error != NULL)
    sluice_step_call_fail (call, error, NULL);
  else
    sluice_step_call_finish (call);
}

static void read_some_cb (gpointer data);

static void
again (Extraction *extraction,
       gint64      delay_us)
{
  extraction->timer = sluice_step_context_add_timer (sluice_step_get_context (SLUICE_STEP (extraction->self)),
                                                     g_get_monotonic_time () + delay_us,
                                                     read_some_cb, extraction);
}

static void
decorate (Extraction *extraction,
          json_t     *item)
{
  SluiceToolFileExtract *self = extraction->self;

  if (self->file_field != NULL)
    json_object_set_new (item, self->file_field, json_string (extraction->path));
  if (self->number_field != NULL)
    json_object_set_new (item, self->number_field,
                         json_integer ((json_int_t) sluice_file_reader_get_line (extraction->reader)));
}

/* One record, or the move to the next file. FALSE when the work ended. */
static gboolean
read_one (Extraction *extraction)
{
  SluiceToolFileExtract *self = extraction->self;
  g_autoptr(GError) error = NULL;
  json_t *item = NULL;

  if (extraction->reader == NULL)
    {
      SluiceFileReaderOptions options = self->options;

      if (extraction->files[extraction->next_file] == NULL)
        {
          extraction_end (extraction, NULL);
          return FALSE;
        }
      extraction->path = extraction->files[extraction->next_file++];
      options.format = sluice_file_format_choose (self->format_name, extraction->path);
      options.compression = sluice_compression_choose (self->compression_name, extraction->path);
      extraction->reader = sluice_file_reader_open (extraction->path, &options, &error);
      if (extraction->reader == NULL)
        {
          extraction_end (extraction, error->message);
          return FALSE;
        }
    }

  switch (sluice_file_reader_next (extraction->reader, &item, &error))
    {
    case SLUICE_FILE_READ_ITEM:
      decorate (extraction, item);
      sluice_step_call_stream (extraction->call, item);
      return TRUE;

    case SLUICE_FILE_READ_END:
      g_clear_pointer (&extraction->reader, sluice_file_reader_free);
      return TRUE;

    case SLUICE_FILE_READ_BAD_RECORD:
      if (self->skip_bad)
        {
          if (++extraction->skipped <= SKIP_LOG_LIMIT)
            sluice_step_context_log (sluice_step_get_context (SLUICE_STEP (self)),
                                     sluice_step_get_id (SLUICE_STEP (self)), error->message);
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    case SLUICE_FILE_READ_ERROR:
    default:
      extraction_end (extraction, error->message);
      return FALSE;
    }
}

static void
read_some_cb (gpointer data)
{
  Extraction *extraction = data;
  gint64 start = g_get_monotonic_time ();

  extraction->timer = NULL;
  for (guint count = 1; ; count++)
    {
      guint backlog = sluice_step_call_backlog (extraction->call);

      if (backlog >= BACKLOG_LIMIT)
        {
          /* The steps after it are behind: let them catch up, at once
           * while they make progress, else after 1, 2, 4, then 8 ms
           * (they wait for something: a loader's write, a server's
           * commit). Polling every millisecond through a 16 ms fsync
           * cost more CPU than the rows did. Right after reading, always
           * at once: the executor takes the items in the same turn of
           * the main loop, and a 1 ms wait every 256 items was most of
           * the wall time of a load into a database. */
          if (count > 1 || backlog < extraction->last_backlog)
            {
              extraction->idle_waits = 0;
              again (extraction, 0);
            }
          else
            again (extraction, (gint64) 1000 << MIN (extraction->idle_waits++, 3));
          extraction->last_backlog = backlog;
          return;
        }
      extraction->idle_waits = 0;
      extraction->last_backlog = backlog;
      if (!read_one (extraction))
        return;
      if (count % SLICE_CHECK == 0 && g_get_monotonic_time () - start > SLICE_US)
        {
          again (extraction, 0);
          return;
        }
    }
}

static void
sluice_tool_file_extract_process (SluiceStep     *step,
                                  SluiceStepCall *call)
{
  SluiceToolFileExtract *self = SLUICE_TOOL_FILE_EXTRACT (step);
  g_autoptr(GError) error = NULL;
  Extraction *extraction;
  char **files;

  if (self->pattern == NULL)
    self->pattern = sluice_tool_params_get_path (self->params, "path");
  files = expand (self, &error);

  if (files == NULL)
    {
      sluice_step_call_fail (call, error->message, NULL);
      return;
    }
  if (files[0] == NULL && !self->allow_no_match)
    {
      g_autofree char *message = g_strdup_printf ("no file matches %s (set allow-no-match if that can be right)",
                                                  self->pattern);

      g_strfreev (files);
      sluice_step_call_fail (call, message, NULL);
      return;
    }

  extraction = g_new0 (Extraction, 1);
  extraction->self = self;
  extraction->call = call;
  extraction->files = files;
  call->step_data = extraction;
  again (extraction, 0);
}

static void
sluice_tool_file_extract_cancel (SluiceStep     *step,
                                 SluiceStepCall *call,
                                 const char     *reason)
{
  Extraction *extraction = call->step_data;

  if (extraction == NULL)
    return;
  call->step_data = NULL;
  extraction_free (extraction);
  sluice_step_call_fail (call, reason, NULL);
}

static void
sluice_tool_file_extract_finalize (GObject *object)
{
  SluiceToolFileExtract *self = SLUICE_TOOL_FILE_EXTRACT (object);

  g_clear_pointer (&self->params, sluice_tool_params_free);
  g_free (self->pattern);
  g_free (self->format_name);
  g_free (self->compression_name);
  g_free (self->encoding);
  g_free (self->line_field);
  g_strfreev (self->columns);
  G_OBJECT_CLASS (sluice_tool_file_extract_parent_class)->finalize (object);
}

static void
sluice_tool_file_extract_class_init (SluiceToolFileExtractClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_file_extract_finalize;
  step_class->info = &file_extract_info;
  step_class->check = sluice_tool_file_extract_check;
  step_class->prepare = sluice_tool_file_extract_prepare;
  step_class->process = sluice_tool_file_extract_process;
  step_class->cancel = sluice_tool_file_extract_cancel;
}

static void
sluice_tool_file_extract_init (SluiceToolFileExtract *self)
{
}
