/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <jansson.h>

#include "sluice-check-file.h"
#include "sluice-loader.h"
#include "sluice-run-options.h"
#include "sluice-run-validate.h"
#include "sluice-text.h"
#include "sluice-validator.h"

/* How many problems of one file --validate prints in text. */
#define MAX_SHOWN_PER_FILE 200
/* How problems name standard input ("-" on the command line). */
#define STDIN_NAME "<stdin>"

static json_t *
string_or_null (const char *text)
{
  return text != NULL ? json_string (text) : json_null ();
}

static void
print_json (FILE      *stream,
            GPtrArray *problems)
{
  json_t *array = json_array ();
  char *text;

  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);
      guint line = sluice_problem_get_line (problem);
      json_t *object = json_object ();

      json_object_set_new (object, "file", string_or_null (sluice_problem_get_file (problem)));
      /* null, not 0, when the problem has no line: editors jump to it. */
      json_object_set_new (object, "line", line > 0 ? json_integer (line) : json_null ());
      json_object_set_new (object, "severity",
                           json_string (sluice_severity_to_string (sluice_problem_get_severity (problem))));
      json_object_set_new (object, "node", string_or_null (sluice_problem_get_node_id (problem)));
      json_object_set_new (object, "message", json_string (sluice_problem_get_message (problem)));
      json_array_append_new (array, object);
    }

  text = json_dumps (array, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  fprintf (stream, "%s\n", text);
  free (text);
  json_decref (array);
}

/* Problems sorted by file; a file with thousands of them (a generated
 * pipeline gone wrong) shows its first ones and how many more there are,
 * instead of burying the terminal. */
static void
print_text (FILE      *stream,
            GPtrArray *problems)
{
  guint shown = 0, hidden = 0;

  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);
      SluiceProblem *next = i + 1 < problems->len ? g_ptr_array_index (problems, i + 1) : NULL;

      if (shown < MAX_SHOWN_PER_FILE)
        {
          g_autofree char *line = sluice_problem_to_string (problem);

          fprintf (stream, "%s\n", line);
          shown++;
        }
      else
        hidden++;

      if (next == NULL || g_strcmp0 (sluice_problem_get_file (next), sluice_problem_get_file (problem)) != 0)
        {
          if (hidden > 0)
            {
              g_autofree char *file = sluice_text_escape_unprintable (sluice_problem_get_file (problem));

              fprintf (stream, g_dngettext (GETTEXT_PACKAGE, "%s: … and %u more problem, not shown\n",
                                            "%s: … and %u more problems, not shown\n", hidden),
                       file != NULL ? file : STDIN_NAME, hidden);
            }
          shown = hidden = 0;
        }
    }
}

void
sluice_run_print_problems (FILE                *stream,
                           GPtrArray           *problems,
                           SluiceProblemFormat  format)
{
  if (format == SLUICE_PROBLEM_FORMAT_JSON)
    {
      print_json (stream, problems);
    }
  else
    print_text (stream, problems);

  fflush (stream);
}

/* Reads standard input, refusing more than the loader would accept
 * without reading all of it: editors pipe unsaved buffers this way. */
static gboolean
check_stdin (GPtrArray *problems)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  guint first = problems->len;
  guint8 buffer[65536];
  gssize n;

  while ((n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error)) > 0)
    {
      g_byte_array_append (data, buffer, (guint) n);
      if (data->len > SLUICE_MAX_FILE_SIZE)
        break;
    }

  if (n < 0)
    {
      g_ptr_array_add (problems,
                       sluice_problem_new_printf (SLUICE_SEVERITY_ERROR, STDIN_NAME, 0, NULL,
                                                  _("cannot read standard input: %s"),
                                                  error->message));
      return FALSE;
    }

  pipeline = sluice_load_data ((const char *) data->data, data->len, STDIN_NAME, problems);
  if (pipeline != NULL)
    sluice_validate (pipeline, STDIN_NAME, problems);

  for (guint i = first; i < problems->len; i++)
    if (sluice_problem_get_severity (g_ptr_array_index (problems, i)) == SLUICE_SEVERITY_ERROR)
      return FALSE;

  return pipeline != NULL;
}

int
sluice_run_validate (const char * const  *files,
                     SluiceProblemFormat  format)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean valid = TRUE;

  /* Files keep their command-line order; problems are sorted within each. */
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);

      gboolean ok;

      if (g_str_equal (files[i], "-"))
        ok = check_stdin (problems);
      else
        ok = sluice_check_file (files[i], problems);

      if (!ok)
        valid = FALSE;

      sluice_problems_sort (problems);
      for (guint j = 0; j < problems->len; j++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (problems, j)));
    }

  sluice_run_print_problems (stdout, all, format);

  return valid ? SLUICE_EXIT_COMPLETED : SLUICE_EXIT_INVALID;
}
