/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "sluice-journal-private.h"

/* The input of a journaled run, new or resumed: shared by `sluice-run
 * --journal`, `sluice-run resume` and the daemon, so that all three go on
 * from the same place after a crash. */

static SluiceItemSource *
trigger_source (void)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("{}\n", 3, NULL);

  return SLUICE_ITEM_SOURCE (sluice_line_source_new (stream));
}

SluiceItemSource *
sluice_journal_open_input (const SluiceJournalCommit  *commit,
                           const char                 *path,
                           GError                    **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  SluiceLineSource *source;

  if (commit != NULL && commit->input_ended)
    return NULL;
  /* No input: one {} item, once — a resumed run that took it already has
   * it among its recorded items. */
  if (path == NULL)
    return commit == NULL || commit->input_records == 0 ? trigger_source () : NULL;
  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      return SLUICE_ITEM_SOURCE (sluice_line_source_new (in));
    }

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  if (commit != NULL && commit->input_offset > 0)
    {
      g_autoptr(GFileInfo) info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                                  NULL, error);

      if (info == NULL)
        return NULL;
      if ((guint64) g_file_info_get_size (info) < commit->input_offset)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s is shorter than the %" G_GUINT64_FORMAT " bytes the run had read of it: it was changed since",
                       path, commit->input_offset);
          return NULL;
        }
      if (!g_seekable_seek (G_SEEKABLE (stream), commit->input_offset, G_SEEK_SET, NULL, error))
        return NULL;
    }
  source = sluice_line_source_new (G_INPUT_STREAM (stream));
  /* Errors name the line in the whole file, not from the offset. */
  if (commit != NULL)
    sluice_line_source_set_line (source, commit->input_lines);
  return SLUICE_ITEM_SOURCE (source);
}
