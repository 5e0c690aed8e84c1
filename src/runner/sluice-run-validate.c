/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sluice-loader.h"
#include "sluice-run-options.h"
#include "sluice-run-validate.h"
#include "sluice-validator.h"

/* How problems name standard input ("-" on the command line). */
#define STDIN_NAME "<stdin>"

static void
print_json (FILE      *stream,
            GPtrArray *problems)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);
      const char *file = sluice_problem_get_file (problem);
      const char *node = sluice_problem_get_node_id (problem);
      guint line = sluice_problem_get_line (problem);

      json_builder_begin_object (builder);

      json_builder_set_member_name (builder, "file");
      if (file != NULL)
        json_builder_add_string_value (builder, file);
      else
        json_builder_add_null_value (builder);

      /* null, not 0, when the problem has no line: editors jump to it. */
      json_builder_set_member_name (builder, "line");
      if (line > 0)
        json_builder_add_int_value (builder, line);
      else
        json_builder_add_null_value (builder);

      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder,
                                     sluice_severity_to_string (sluice_problem_get_severity (problem)));

      json_builder_set_member_name (builder, "node");
      if (node != NULL)
        json_builder_add_string_value (builder, node);
      else
        json_builder_add_null_value (builder);

      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, sluice_problem_get_message (problem));

      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  fprintf (stream, "%s\n", text);
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
    {
      for (guint i = 0; i < problems->len; i++)
        {
          g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));

          fprintf (stream, "%s\n", line);
        }
    }

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
