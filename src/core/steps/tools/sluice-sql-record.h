/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* An item as the PostgreSQL loader keeps it until its batch is written:
 * its field names, and its values already as COPY text (escaped), in
 * one string. It is made on the run's thread when the item comes, so the
 * item is read and freed while it is still in the cache; a batch of
 * 10,000 JSON objects freed at once on that thread, cold, was a quarter
 * of a load's time. The worker thread that writes the batch reads the
 * records: it needs neither the items nor jansson's objects.
 *
 * The string (a JSON string made without a UTF-8 check, only ever read
 * by this file) holds the field count, the length of the names, the
 * names (each with its length) and then the values, each with its kind
 * and length. Names come first so that records of one shape are told
 * apart from the previous one with one memcmp. */

typedef enum
{
  SLUICE_SQL_KIND_NULL = 'N',
  SLUICE_SQL_KIND_INT  = 'I',
  SLUICE_SQL_KIND_REAL = 'R',
  SLUICE_SQL_KIND_BOOL = 'B',
  SLUICE_SQL_KIND_JSON = 'J',   /* an object or an array, as compact JSON */
  SLUICE_SQL_KIND_TEXT = 'S',
} SluiceSqlKind;

typedef struct
{
  guint32     n_fields;
  const char *names;        /* the names' block */
  guint32     names_length;
  const char *values;       /* the values' block */
} SluiceSqlRecord;

/* @scratch: a buffer of the caller's, reused from item to item. */
json_t      *sluice_sql_record_new        (json_t          *item,
                                           GString         *scratch);
void         sluice_sql_record_read       (json_t          *record,
                                           SluiceSqlRecord *out);
/* Steps @cursor (from record->names) over one name. */
const char  *sluice_sql_record_next_name  (const char     **cursor,
                                           guint32         *length);
/* Steps @cursor (from record->values) over one value: its COPY text
 * (not for NULL). */
const char  *sluice_sql_record_next_value (const char     **cursor,
                                           guint32         *length,
                                           SluiceSqlKind   *kind);
/* The union of the records' field names, sorted. */
char       **sluice_sql_record_names       (GPtrArray       *records);

/* Reads records column by column: for each record, the text and kind of
 * each of @columns (NULL kind where the record has no such field; fields
 * that are not columns are left out). Records of the shape of the one
 * before are mapped without a lookup. */
typedef struct _SluiceSqlCells SluiceSqlCells;

SluiceSqlCells *sluice_sql_cells_new    (char * const   *columns);
void            sluice_sql_cells_free   (SluiceSqlCells *cells);
/* @record must live until the next fill. */
void            sluice_sql_cells_fill   (SluiceSqlCells *cells,
                                         json_t         *record);
/* The column's text, or NULL for a missing field or a null. */
const char     *sluice_sql_cells_get    (SluiceSqlCells *cells,
                                         guint           column,
                                         guint32        *length,
                                         SluiceSqlKind  *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceSqlCells, sluice_sql_cells_free)

/* The PostgreSQL column type a created table gets for a value. */
const char  *sluice_sql_kind_postgres_type (SluiceSqlKind   kind);

G_END_DECLS
