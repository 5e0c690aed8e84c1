/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "sluice-compression.h"

G_BEGIN_DECLS

/* Reads items from one file, a record at a time, in constant memory (one
 * buffer of the longest record): plain lines, JSON lines, a JSON array
 * of objects, or CSV; decompressed and converted to UTF-8 on the way.
 * Every message names the file and the line. */

typedef enum
{
  SLUICE_FILE_FORMAT_LINES,
  SLUICE_FILE_FORMAT_JSONL,
  SLUICE_FILE_FORMAT_JSON,
  SLUICE_FILE_FORMAT_CSV,
} SluiceFileFormat;

typedef struct
{
  SluiceFileFormat   format;
  SluiceCompression  compression;
  const char        *encoding;      /* NULL = UTF-8 */
  char               delimiter;     /* CSV */
  char               quote;         /* CSV; 0 = no quoting */
  gboolean           header;        /* CSV: the first record names the columns */
  char             **columns;       /* CSV: names instead of (or over) the header; NULL */
  gboolean           pad_ragged;    /* CSV: short rows get null, long rows column_N */
  const char        *line_field;    /* lines: the field for the text ("line") */
  gsize              max_record;    /* bytes: a longer record is an error */
} SluiceFileReaderOptions;

typedef enum
{
  SLUICE_FILE_READ_ITEM,
  SLUICE_FILE_READ_END,
  SLUICE_FILE_READ_BAD_RECORD,  /* this record is bad; the next can be read */
  SLUICE_FILE_READ_ERROR,       /* the file cannot be read further */
} SluiceFileReadStatus;

typedef struct _SluiceFileReader SluiceFileReader;

/* "auto" chooses by extension: .jsonl/.ndjson, .json, .csv/.tsv, else
 * lines (the compression's suffix is looked through). */
SluiceFileFormat      sluice_file_format_choose   (const char                    *name,
                                                   const char                    *path);

SluiceFileReader     *sluice_file_reader_open     (const char                    *path,
                                                   const SluiceFileReaderOptions *options,
                                                   GError                       **error);
SluiceFileReadStatus  sluice_file_reader_next     (SluiceFileReader              *reader,
                                                   json_t                       **item,
                                                   GError                       **error);
/* The line the last record started on (1 for the first). */
guint64               sluice_file_reader_get_line (SluiceFileReader              *reader);
void                  sluice_file_reader_free     (SluiceFileReader              *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceFileReader, sluice_file_reader_free)

G_END_DECLS
