/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "sluice-json.h"
#include "sluice-tool-batch.h"
#include "sluice-tool-console.h"
#include "sluice-tool-params.h"
#include "sluice-text.h"

/* The console loader: items shown as a table (a batch at a time, columns
 * as wide as their widest value, cut at 40 characters) or as JSON lines,
 * on standard error (so they never mix with the run's own output) or
 * standard output; on a terminal, a progress line counts them. Items go
 * on unchanged, so it can sit anywhere to watch the flow. */

#define CELL_MAX 40

struct _SluiceToolConsole
{
  SluiceStep        parent_instance;
  SluiceToolParams *params;
  SluiceToolBatch  *batch;
  gboolean          table;
  int               fd;
  gboolean          progress;   /* a terminal, and asked for */
  guint64           shown;
};

G_DEFINE_FINAL_TYPE (SluiceToolConsole, sluice_tool_console, SLUICE_TYPE_STEP)

static const char * const formats[] = { "table", "json", NULL };
static const char * const streams[] = { "stderr", "stdout", NULL };

static const SluiceToolParamInfo console_params[] = {
  { "format", N_("table (aligned columns, a batch at a time) or json (one line an item)"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "table", formats },
  { "stream", N_("Where to write: stderr (beside the run's output) or stdout"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "stderr", streams },
  { "progress", N_("On a terminal, a line counting the items"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "pass", N_("Pass items on unchanged (false: the flow ends here)"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "batch-size", N_("Rows of a table"), FALSE,
    SLUICE_TOOL_PARAM_INT, "20", NULL },
  { "batch-interval", N_("Longest wait before a partial table is shown"), FALSE,
    SLUICE_TOOL_PARAM_DURATION, "500ms", NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo console_info = {
  "console",
  N_("Show on the Console"),
  N_("Shows items as a table or JSON on standard error or output, with a progress line on a terminal"),
  console_params,
  "<execution id=\"watch\">\n"
  "  <use tool=\"console\">\n"
  "    <param name=\"format\">table</param>\n"
  "  </use>\n"
  "</execution>",
};

/* A value as a cell: strings bare, the rest as JSON; one line, cut. */
static char *
cell_text (json_t *value)
{
  g_autofree char *text = NULL;
  GString *cell;
  glong length;

  if (value == NULL)
    return g_strdup ("");
  text = json_is_string (value) ? g_strdup (json_string_value (value))
                                : sluice_json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  cell = g_string_new (text != NULL ? text : "");
  g_string_replace (cell, "\n", "\\n", 0);
  g_string_replace (cell, "\t", " ", 0);
  length = g_utf8_strlen (cell->str, -1);
  if (length > CELL_MAX)
    {
      const char *end = g_utf8_offset_to_pointer (cell->str, CELL_MAX - 1);
      g_string_truncate (cell, end - cell->str);
      g_string_append (cell, "…");
    }
  return g_string_free (cell, FALSE);
}

static void
pad (GString    *out,
     const char *text,
     guint       width)
{
  g_string_append (out, text);
  for (glong n = g_utf8_strlen (text, -1); n < (glong) width; n++)
    g_string_append_c (out, ' ');
}

static void
format_table (GPtrArray *items,
              GString   *out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autofree guint *widths = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      const char *key;
      json_t *value;

      json_object_foreach ((json_t *) g_ptr_array_index (items, i), key, value)
        if (g_hash_table_add (seen, (gpointer) key))
          g_ptr_array_add (keys, (gpointer) key);
    }
  sluice_sort_strings (keys);
  widths = g_new0 (guint, keys->len + 1);
  for (guint k = 0; k < keys->len; k++)
    {
      widths[k] = MIN (g_utf8_strlen (g_ptr_array_index (keys, k), -1), CELL_MAX);
      for (guint i = 0; i < items->len; i++)
        {
          g_autofree char *cell = cell_text (json_object_get (g_ptr_array_index (items, i), g_ptr_array_index (keys, k)));
          widths[k] = MAX (widths[k], (guint) g_utf8_strlen (cell, -1));
        }
    }

  for (guint k = 0; k < keys->len; k++)
    {
      if (k > 0)
        g_string_append (out, "  ");
      pad (out, g_ptr_array_index (keys, k), widths[k]);
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < items->len; i++)
    {
      for (guint k = 0; k < keys->len; k++)
        {
          g_autofree char *cell = cell_text (json_object_get (g_ptr_array_index (items, i), g_ptr_array_index (keys, k)));

          if (k > 0)
            g_string_append (out, "  ");
          pad (out, cell, widths[k]);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static gboolean
write_out (int          fd,
           GString     *text,
           const char **error)
{
  const char *p = text->str;
  gsize left = text->len;

  while (left > 0)
    {
      ssize_t n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *error = g_strerror (errno);
          return FALSE;
        }
      p += n;
      left -= n;
    }
  return TRUE;
}

static void
write_cb (SluiceToolBatch *batch,
          GPtrArray       *items,
          gpointer         user_data)
{
  SluiceToolConsole *self = user_data;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *error = NULL;

  if (self->progress)
    g_string_append (out, "\r\033[K");
  if (self->table)
    format_table (items, out);
  else
    for (guint i = 0; i < items->len; i++)
      {
        sluice_json_write (out, g_ptr_array_index (items, i), JSON_COMPACT | JSON_SORT_KEYS, NULL);
        g_string_append_c (out, '\n');
      }
  self->shown += items->len;
  if (self->progress)
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%llu item", "%llu items", self->shown),
                            (unsigned long long) self->shown);

  if (write_out (self->fd, out, &error))
    sluice_tool_batch_write_done (batch, NULL);
  else
    {
      g_autofree char *message = g_strdup_printf ("cannot write to %s: %s", self->fd == 1 ? "stdout" : "stderr", error);
      sluice_tool_batch_write_done (batch, message);
    }
}

static gboolean
sluice_tool_console_prepare (SluiceStep         *step,
                             SluiceModule       *module,
                             SluiceStepContext  *context,
                             GError            **error)
{
  SluiceToolConsole *self = SLUICE_TOOL_CONSOLE (step);

  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;
  self->table = g_strcmp0 (sluice_tool_params_get (self->params, "format"), "table") == 0;
  self->fd = g_strcmp0 (sluice_tool_params_get (self->params, "stream"), "stdout") == 0 ? 1 : 2;
  self->progress = sluice_tool_params_get_bool (self->params, "progress") && isatty (self->fd);
  self->batch = sluice_tool_batch_new_for_params (step, self->params, write_cb, self, error);
  return self->batch != NULL;
}

static void
sluice_tool_console_process (SluiceStep     *step,
                             SluiceStepCall *call)
{
  sluice_tool_batch_process (SLUICE_TOOL_CONSOLE (step)->batch, call);
}

static void
sluice_tool_console_flush (SluiceStep     *step,
                           SluiceStepCall *call)
{
  sluice_tool_batch_flush (SLUICE_TOOL_CONSOLE (step)->batch, call);
}

static void
sluice_tool_console_cancel (SluiceStep     *step,
                            SluiceStepCall *call,
                            const char     *reason)
{
  sluice_tool_batch_cancel (SLUICE_TOOL_CONSOLE (step)->batch, call, reason);
}

static void
sluice_tool_console_finalize (GObject *object)
{
  SluiceToolConsole *self = SLUICE_TOOL_CONSOLE (object);

  if (self->progress && self->shown > 0)
    (void) !write (self->fd, "\n", 1);
  g_clear_pointer (&self->batch, sluice_tool_batch_free);
  g_clear_pointer (&self->params, sluice_tool_params_free);
  G_OBJECT_CLASS (sluice_tool_console_parent_class)->finalize (object);
}

static void
sluice_tool_console_class_init (SluiceToolConsoleClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_console_finalize;
  step_class->info = &console_info;
  step_class->prepare = sluice_tool_console_prepare;
  step_class->process = sluice_tool_console_process;
  step_class->flush = sluice_tool_console_flush;
  step_class->cancel = sluice_tool_console_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_console_init (SluiceToolConsole *self)
{
}
