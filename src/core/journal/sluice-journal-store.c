/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-journal-store.h"

/* The schema, version 1. Input items are kept in batches (one row per
 * commit) rather than one row each: a row per item would cost more than
 * the run itself for cheap pipelines. */
#define SCHEMA_VERSION "1"
/* Added within version 1 (readers take its absence as no samples): the
 * modules' counters every so often, for replaying a run recorded
 * without per-item events (sluice-journal-record.c). */
#define MODULE_SAMPLES_TABLE \
  "CREATE TABLE IF NOT EXISTS module_samples (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL," \
  "  after_seq INTEGER NOT NULL, json TEXT NOT NULL)"
static const char schema[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE states (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
  "  state TEXT NOT NULL, reason TEXT);"
  "CREATE TABLE inputs (first_seq INTEGER PRIMARY KEY, count INTEGER NOT NULL,"
  "  items BLOB NOT NULL);"
  "CREATE TABLE commits (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
  "  output_offset INTEGER NOT NULL, output_lines INTEGER NOT NULL,"
  "  input_records INTEGER NOT NULL, input_offset INTEGER NOT NULL,"
  "  input_lines INTEGER NOT NULL,"
  "  input_ended INTEGER NOT NULL, max_emitted INTEGER NOT NULL,"
  "  done_ranges TEXT NOT NULL);"
  "CREATE TABLE events (seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
  "  event TEXT NOT NULL, json TEXT NOT NULL);"
  "CREATE TABLE progress (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
  "  controller TEXT NOT NULL, queued INTEGER NOT NULL, in_flight INTEGER NOT NULL,"
  "  items_in INTEGER NOT NULL, items_out INTEGER NOT NULL);"
  MODULE_SAMPLES_TABLE ";"
  "INSERT INTO meta VALUES ('journal-format', '" SCHEMA_VERSION "');";

/* Items at controller boundaries (sluice-executor-boundary.h): kept apart
 * from the schema above so that a journal written before they existed
 * gets them when it is opened to resume. */
static const char boundary_schema[] =
  "CREATE TABLE IF NOT EXISTS entries (mark INTEGER PRIMARY KEY, origin INTEGER NOT NULL,"
  "  controller INTEGER NOT NULL, parent INTEGER NOT NULL, item TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS entries_origin ON entries (origin);"
  "CREATE TABLE IF NOT EXISTS passes (origin INTEGER NOT NULL, mark INTEGER NOT NULL,"
  "  controller INTEGER NOT NULL, sent_on INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS passes_origin ON passes (origin);";

enum
{
  STMT_SET_META,
  STMT_GET_META,
  STMT_ADD_STATE,
  STMT_GET_STATE,
  STMT_ADD_INPUTS,
  STMT_ADD_COMMIT,
  STMT_ADD_EVENT,
  STMT_ADD_PROGRESS,
  STMT_ADD_ENTRY,
  STMT_ADD_PASS,
  STMT_FORGET_ENTRIES,
  STMT_FORGET_PASSES,
  STMT_ADD_SAMPLE,    /* prepared on first use: older journals lack the table */
  N_STMTS
};

static const char *const stmt_sql[N_STMTS] = {
  "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
  "SELECT value FROM meta WHERE key = ?1",
  "INSERT INTO states (time_us, state, reason) VALUES (?1, ?2, ?3)",
  "SELECT state FROM states ORDER BY id DESC LIMIT 1",
  "INSERT INTO inputs (first_seq, count, items) VALUES (?1, ?2, ?3)",
  "INSERT INTO commits (time_us, output_offset, output_lines, input_records, input_offset,"
  " input_ended, max_emitted, done_ranges, input_lines) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  "INSERT OR REPLACE INTO events (seq, time_us, event, json) VALUES (?1, ?2, ?3, ?4)",
  "INSERT INTO progress (time_us, controller, queued, in_flight, items_in, items_out)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  "INSERT OR REPLACE INTO entries (mark, origin, controller, parent, item) VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO passes (origin, mark, controller, sent_on) VALUES (?1, ?2, ?3, ?4)",
  "DELETE FROM entries WHERE origin < ?1",
  "DELETE FROM passes WHERE origin < ?1",
  "INSERT INTO module_samples (time_us, after_seq, json) VALUES (?1, ?2, ?3)",
};

struct _SluiceJournalStore
{
  sqlite3      *db;
  char         *path;
  sqlite3_stmt *stmts[N_STMTS];
};

static gboolean
fail (SluiceJournalStore  *self,
      int                  rc,
      GError             **error)
{
  /* First: what the failed write or sync left in errno. */
  int saved_errno = errno;
  int code = rc == SQLITE_FULL ? G_IO_ERROR_NO_SPACE
           : rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? G_IO_ERROR_BUSY
           : rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? G_IO_ERROR_INVALID_DATA
           : G_IO_ERROR_FAILED;
  const char *message = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int system_errno = self->db != NULL ? sqlite3_system_errno (self->db) : 0;

  if (system_errno == 0 && (rc == SQLITE_IOERR || rc == SQLITE_FULL))
    system_errno = saved_errno;
  /* "disk I/O error" alone does not say that the disk is full. */
  if (system_errno == ENOSPC || system_errno == EFBIG || system_errno == EDQUOT)
    code = G_IO_ERROR_NO_SPACE;
  if (system_errno != 0 && rc != SQLITE_CONSTRAINT)
    g_set_error (error, G_IO_ERROR, code, "journal %s: %s (%s)", self->path, message, g_strerror (system_errno));
  else
    g_set_error (error, G_IO_ERROR, code, "journal %s: %s", self->path, message);
  return FALSE;
}

static gboolean
exec (SluiceJournalStore  *self,
      const char          *sql,
      GError             **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  return rc == SQLITE_OK ? TRUE : fail (self, rc, error);
}

/* Runs a prepared statement that returns no row, then resets it. */
static gboolean
step_done (SluiceJournalStore  *self,
           sqlite3_stmt        *stmt,
           GError             **error)
{
  int rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_DONE || fail (self, rc, error);

  /* After fail(): a reset may clobber what went wrong. */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

void
sluice_journal_store_free (SluiceJournalStore *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (self->stmts[i]);
  sqlite3_close (self->db);
  g_free (self->path);
  g_free (self);
}

static SluiceJournalStore *
open_db (const char  *path,
         int          flags,
         GError     **error)
{
  SluiceJournalStore *self = g_new0 (SluiceJournalStore, 1);
  int rc;

  self->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      fail (self, rc, error);
      sluice_journal_store_free (self);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 0);
  /* Another process may read the journal (a server showing the run):
   * wait for it a little instead of failing at once. */
  sqlite3_busy_timeout (self->db, 2000);
  return self;
}

/* WAL with synchronous=NORMAL: a commit survives the process being
 * killed at any point (it is in the WAL, which the next opener replays);
 * only a power cut may lose the last commits, never corrupt the file. */
static gboolean
configure (SluiceJournalStore  *self,
           GError             **error)
{
  if (!exec (self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", error) ||
      !exec (self, boundary_schema, error))
    return FALSE;
  for (guint i = 0; i < STMT_ADD_SAMPLE; i++)
    {
      int rc = sqlite3_prepare_v2 (self->db, stmt_sql[i], -1, &self->stmts[i], NULL);

      if (rc != SQLITE_OK)
        return fail (self, rc, error);
    }
  return TRUE;
}

SluiceJournalStore *
sluice_journal_store_create (const char  *path,
                             GError     **error)
{
  SluiceJournalStore *self;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "journal %s exists already", path);
      return NULL;
    }
  self = open_db (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (self == NULL)
    return NULL;
  if (!exec (self, "PRAGMA journal_mode=WAL;", error) ||
      !exec (self, "BEGIN", error) || !exec (self, schema, error) || !exec (self, "COMMIT", error) ||
      !configure (self, error))
    {
      sluice_journal_store_free (self);
      return NULL;
    }
  return self;
}

SluiceJournalStore *
sluice_journal_store_open (const char  *path,
                           GError     **error)
{
  SluiceJournalStore *self;
  g_autoptr(GError) local = NULL;
  g_autofree char *format = NULL;
  sqlite3_stmt *check = NULL;
  const char *verdict = NULL;
  int rc;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "journal %s: no such file", path);
      return NULL;
    }
  self = open_db (path, SQLITE_OPEN_READWRITE, error);
  if (self == NULL)
    return NULL;

  /* quick_check reads every page: a truncated or overwritten file is
   * found here, not half-way through a resume. */
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check", -1, &check, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (check)) == SQLITE_ROW)
    verdict = (const char *) sqlite3_column_text (check, 0);
  if (rc != SQLITE_ROW || g_strcmp0 (verdict, "ok") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "journal %s is damaged and cannot be used: %s", path,
                   verdict != NULL ? verdict : sqlite3_errmsg (self->db));
      sqlite3_finalize (check);
      sluice_journal_store_free (self);
      return NULL;
    }
  sqlite3_finalize (check);

  if (!configure (self, &local) ||
      (format = sluice_journal_store_get_meta (self, "journal-format", &local)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not a Sluice run journal%s%s", path,
                   local != NULL ? ": " : "", local != NULL ? local->message : "");
      sluice_journal_store_free (self);
      return NULL;
    }
  if (!g_str_equal (format, SCHEMA_VERSION))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "journal %s has format %s; this sluice-run reads format %s", path, format,
                   SCHEMA_VERSION);
      sluice_journal_store_free (self);
      return NULL;
    }
  return self;
}

const char *
sluice_journal_store_get_path (SluiceJournalStore *self)
{
  return self->path;
}

gboolean
sluice_journal_store_begin (SluiceJournalStore  *self,
                            GError             **error)
{
  return exec (self, "BEGIN", error);
}

gboolean
sluice_journal_store_commit (SluiceJournalStore  *self,
                             GError             **error)
{
  return exec (self, "COMMIT", error);
}

void
sluice_journal_store_rollback (SluiceJournalStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
sluice_journal_store_set_meta (SluiceJournalStore  *self,
                               const char          *key,
                               const char          *value,
                               GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_SET_META];

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

/* The single text column of the statement's first row, or NULL. */
static char *
step_text (SluiceJournalStore  *self,
           sqlite3_stmt        *stmt,
           GError             **error)
{
  char *value = NULL;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    fail (self, rc, error);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return value;
}

char *
sluice_journal_store_get_meta (SluiceJournalStore  *self,
                               const char          *key,
                               GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_GET_META];

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  return step_text (self, stmt, error);
}

gboolean
sluice_journal_store_add_state (SluiceJournalStore  *self,
                                const char          *state,
                                const char          *reason,
                                GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_STATE];

  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_text (stmt, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

char *
sluice_journal_store_get_state (SluiceJournalStore  *self,
                                GError             **error)
{
  return step_text (self, self->stmts[STMT_GET_STATE], error);
}

gboolean
sluice_journal_store_add_inputs (SluiceJournalStore  *self,
                                 guint64              first_seq,
                                 guint                count,
                                 const char          *lines,
                                 gsize                length,
                                 GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_INPUTS];

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) first_seq);
  sqlite3_bind_int64 (stmt, 2, count);
  sqlite3_bind_blob64 (stmt, 3, lines, length, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_add_commit (SluiceJournalStore        *self,
                                 const SluiceJournalCommit *commit,
                                 const char                *done_ranges,
                                 GError                   **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_COMMIT];

  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) commit->output_offset);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) commit->output_lines);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) commit->input_records);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) commit->input_offset);
  sqlite3_bind_int (stmt, 6, commit->input_ended ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) commit->max_emitted);
  sqlite3_bind_text (stmt, 8, done_ranges, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, (sqlite3_int64) commit->input_lines);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_add_event (SluiceJournalStore  *self,
                                guint64              seq,
                                const char          *type,
                                const char          *json,
                                GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_EVENT];

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) seq);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, json, -1, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_add_progress (SluiceJournalStore  *self,
                                   const char          *controller,
                                   gint                 queued,
                                   gint                 in_flight,
                                   guint64              items_in,
                                   guint64              items_out,
                                   GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_PROGRESS];

  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_text (stmt, 2, controller, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, queued);
  sqlite3_bind_int (stmt, 4, in_flight);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) items_in);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) items_out);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_add_sample (SluiceJournalStore  *self,
                                 guint64              after_seq,
                                 const char          *json,
                                 GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_SAMPLE];

  if (stmt == NULL)
    {
      int rc;

      /* A resumed run of a journal written before samples existed. */
      if (!exec (self, MODULE_SAMPLES_TABLE, error))
        return FALSE;
      rc = sqlite3_prepare_v2 (self->db, stmt_sql[STMT_ADD_SAMPLE], -1, &self->stmts[STMT_ADD_SAMPLE], NULL);
      if (rc != SQLITE_OK)
        return fail (self, rc, error);
      stmt = self->stmts[STMT_ADD_SAMPLE];
    }
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) after_seq);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_foreach_sample (SluiceJournalStore *self,
                                     void (*func) (const char *json,
                                                   gpointer    user_data),
                                     gpointer            user_data,
                                     GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT json FROM module_samples ORDER BY id", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      /* No such table: a journal from before samples. */
      return TRUE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 0), user_data);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || fail (self, rc, error);
}

guint64
sluice_journal_store_get_max_event_seq (SluiceJournalStore *self)
{
  sqlite3_stmt *stmt = NULL;
  guint64 seq = 0;

  if (sqlite3_prepare_v2 (self->db, "SELECT max(seq) FROM events", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    seq = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return seq;
}

typedef struct
{
  guint64 first;
  guint64 last;
} Range;

static int
range_compare (gconstpointer a,
               gconstpointer b)
{
  const Range *ra = a, *rb = b;

  return ra->first < rb->first ? -1 : ra->first > rb->first;
}

/* "1-5,7" → ranges; FALSE when the text is not that. */
static gboolean
parse_ranges (const char *text,
              GArray     *ranges)
{
  const char *p = text;

  while (*p != '\0')
    {
      char *end;
      Range range;

      range.first = g_ascii_strtoull (p, &end, 10);
      if (end == p)
        return FALSE;
      range.last = range.first;
      if (*end == '-')
        {
          p = end + 1;
          range.last = g_ascii_strtoull (p, &end, 10);
          if (end == p || range.last < range.first)
            return FALSE;
        }
      if (range.first == 0)
        return FALSE;
      g_array_append_val (ranges, range);
      if (*end == ',')
        end++;
      else if (*end != '\0')
        return FALSE;
      p = end;
    }
  return TRUE;
}

gboolean
sluice_journal_store_load_progress (SluiceJournalStore  *self,
                                    SluiceJournalCommit *commit,
                                    guint64             *low,
                                    GHashTable          *done,
                                    GError             **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  sqlite3_stmt *stmt = NULL;
  int rc;

  memset (commit, 0, sizeof *commit);
  *low = 0;
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT output_offset, output_lines, input_records, input_offset,"
                           " input_ended, max_emitted, done_ranges, input_lines FROM commits ORDER BY id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return fail (self, rc, error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 6);

      commit->output_offset = sqlite3_column_int64 (stmt, 0);
      commit->output_lines = sqlite3_column_int64 (stmt, 1);
      commit->input_records = sqlite3_column_int64 (stmt, 2);
      commit->input_offset = sqlite3_column_int64 (stmt, 3);
      commit->input_ended = sqlite3_column_int (stmt, 4) != 0;
      commit->input_lines = sqlite3_column_int64 (stmt, 7);
      commit->max_emitted = MAX (commit->max_emitted, (guint64) sqlite3_column_int64 (stmt, 5));
      if (text == NULL || !parse_ranges (text, ranges))
        {
          sqlite3_finalize (stmt);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "journal %s is damaged: a commit lists “%.40s” as its items",
                       self->path, text != NULL ? text : "(null)");
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return fail (self, rc, error);

  /* Everything up to the first gap is "low"; only the rest is a set. */
  g_array_sort (ranges, range_compare);
  for (guint i = 0; i < ranges->len; i++)
    {
      Range *range = &g_array_index (ranges, Range, i);

      if (range->first <= *low + 1)
        {
          *low = MAX (*low, range->last);
          continue;
        }
      for (guint64 seq = range->first; seq <= range->last; seq++)
        g_hash_table_add (done, GSIZE_TO_POINTER (seq));
    }
  /* Members of the set at or below the final low are covered. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, done);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (GPOINTER_TO_SIZE (key) <= *low)
        g_hash_table_iter_remove (&iter);
  }
  return TRUE;
}

gboolean
sluice_journal_store_foreach_input (SluiceJournalStore      *self,
                                    guint64                  after,
                                    SluiceJournalInputFunc   func,
                                    gpointer                 user_data,
                                    GError                 **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT first_seq, count, items FROM inputs"
                           " WHERE first_seq + count > ?1 ORDER BY first_seq", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return fail (self, rc, error);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) after);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint64 seq = sqlite3_column_int64 (stmt, 0);
      guint64 count = sqlite3_column_int64 (stmt, 1);
      const char *data = sqlite3_column_blob (stmt, 2);
      gsize length = sqlite3_column_bytes (stmt, 2);
      const char *end = data + length;

      for (guint64 i = 0; i < count; i++, seq++)
        {
          const char *nl = data != NULL ? memchr (data, '\n', end - data) : NULL;

          if (nl == NULL)
            {
              sqlite3_finalize (stmt);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "journal %s is damaged: input item %" G_GUINT64_FORMAT " is missing",
                           self->path, seq);
              return FALSE;
            }
          if (seq > after && !func (seq, data, nl - data, user_data, error))
            {
              sqlite3_finalize (stmt);
              return FALSE;
            }
          data = nl + 1;
        }
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : fail (self, rc, error);
}

gboolean
sluice_journal_store_add_entry (SluiceJournalStore  *self,
                                guint64              mark,
                                guint64              origin,
                                guint                controller,
                                guint64              parent,
                                const char          *item,
                                gsize                length,
                                GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_ENTRY];

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) mark);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) origin);
  sqlite3_bind_int (stmt, 3, controller);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) parent);
  sqlite3_bind_text64 (stmt, 5, item, length, SQLITE_STATIC, SQLITE_UTF8);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_add_pass (SluiceJournalStore  *self,
                               guint64              origin,
                               guint64              mark,
                               guint                controller,
                               guint                sent_on,
                               GError             **error)
{
  sqlite3_stmt *stmt = self->stmts[STMT_ADD_PASS];

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) origin);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) mark);
  sqlite3_bind_int (stmt, 3, controller);
  sqlite3_bind_int (stmt, 4, sent_on);
  return step_done (self, stmt, error);
}

gboolean
sluice_journal_store_forget_boundaries (SluiceJournalStore  *self,
                                        guint64              below,
                                        GError             **error)
{
  sqlite3_bind_int64 (self->stmts[STMT_FORGET_ENTRIES], 1, (sqlite3_int64) below);
  sqlite3_bind_int64 (self->stmts[STMT_FORGET_PASSES], 1, (sqlite3_int64) below);
  return step_done (self, self->stmts[STMT_FORGET_ENTRIES], error) &&
         step_done (self, self->stmts[STMT_FORGET_PASSES], error);
}

guint64
sluice_journal_store_get_max_mark (SluiceJournalStore *self)
{
  sqlite3_stmt *stmt = NULL;
  guint64 mark = 0;

  if (sqlite3_prepare_v2 (self->db, "SELECT max(mark) FROM entries", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    mark = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return mark;
}

gboolean
sluice_journal_store_foreach_pass (SluiceJournalStore     *self,
                                   guint64                 after,
                                   SluiceJournalPassFunc   func,
                                   gpointer                user_data,
                                   GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT origin, mark, controller, sent_on FROM passes WHERE origin > ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return fail (self, rc, error);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) after);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((guint64) sqlite3_column_int64 (stmt, 0), (guint64) sqlite3_column_int64 (stmt, 1),
          (guint) sqlite3_column_int (stmt, 2), (guint) sqlite3_column_int (stmt, 3), user_data);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : fail (self, rc, error);
}

gboolean
sluice_journal_store_foreach_entry (SluiceJournalStore     *self,
                                    guint64                 after,
                                    SluiceJournalEntryFunc  func,
                                    gpointer                user_data,
                                    GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT mark, origin, controller, parent, item FROM entries"
                           " WHERE origin > ?1 ORDER BY mark", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return fail (self, rc, error);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) after);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *item = (const char *) sqlite3_column_text (stmt, 4);

      if (!func ((guint64) sqlite3_column_int64 (stmt, 0), (guint64) sqlite3_column_int64 (stmt, 1),
                 (guint) sqlite3_column_int (stmt, 2), (guint64) sqlite3_column_int64 (stmt, 3),
                 item != NULL ? item : "", sqlite3_column_bytes (stmt, 4), user_data, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : fail (self, rc, error);
}
