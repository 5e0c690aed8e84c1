/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-run-history.h"

#define JOURNAL_FILE    "journal.sqlite"
#define PIPELINE_COPY   "pipeline.xml"
/* The journal format this code reads (see sluice-journal-store.c). */
#define JOURNAL_FORMAT  "1"
/* A writer holds the file only for the moment of a commit: wait that
 * long, never more (a list must not hang on a stuck process). */
#define BUSY_TIMEOUT_MS 500
/* The pipeline's id is in its root element, near the start. */
#define ID_SCAN_BYTES   (64 * 1024)

G_DEFINE_BOXED_TYPE (SluicePastRun, sluice_past_run, sluice_past_run_ref, sluice_past_run_unref)

static void
replace_str (char       **slot,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

static void
stage_record_free (gpointer data)
{
  SluicePastStage *stage = data;

  g_free (stage->controller);
  g_free (stage);
}

static void
gate_record_free (gpointer data)
{
  SluicePastGate *gate = data;

  g_free (gate->gate);
  g_free (gate);
}

SluicePastRun *
sluice_past_run_ref (SluicePastRun *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  g_atomic_int_inc (&record->ref_count);
  return record;
}

void
sluice_past_run_unref (SluicePastRun *record)
{
  if (record == NULL || !g_atomic_int_dec_and_test (&record->ref_count))
    return;
  g_free (record->run_id);
  g_free (record->directory);
  g_free (record->journal_path);
  g_free (record->error);
  g_free (record->pipeline_path);
  g_free (record->pipeline_id);
  g_free (record->pipeline_sha256);
  g_free (record->origin);
  g_free (record->state);
  g_free (record->reason);
  g_free (record->stage_reached);
  g_free (record->failed_module);
  g_free (record->failed_check);
  g_ptr_array_unref (record->stages);
  g_ptr_array_unref (record->gates);
  g_free (record->server_url);
  g_clear_pointer (&record->server_events, g_ptr_array_unref);
  g_clear_pointer (&record->server_pipeline, g_bytes_unref);
  g_free (record);
}

SluicePastRun *
sluice_past_run_new_remote (const char *server_url,
                            const char *run_id)
{
  SluicePastRun *record = g_new0 (SluicePastRun, 1);

  g_return_val_if_fail (server_url != NULL && run_id != NULL, NULL);

  record->ref_count = 1;
  record->server_url = g_strdup (server_url);
  record->run_id = g_strdup (run_id);
  record->origin = g_strdup ("server");
  record->stages = g_ptr_array_new_with_free_func (stage_record_free);
  record->gates = g_ptr_array_new_with_free_func (gate_record_free);
  return record;
}

static SluicePastGate *
find_gate (SluicePastRun *record,
           const char    *id)
{
  SluicePastGate *gate;

  for (guint i = 0; i < record->gates->len; i++)
    if (g_str_equal (((SluicePastGate *) g_ptr_array_index (record->gates, i))->gate, id))
      return g_ptr_array_index (record->gates, i);
  gate = g_new0 (SluicePastGate, 1);
  gate->gate = g_strdup (id);
  g_ptr_array_add (record->gates, gate);
  return gate;
}

void
sluice_past_run_take_events (SluicePastRun *record,
                             GPtrArray     *events,
                             gboolean       truncated)
{
  g_return_if_fail (record != NULL && events != NULL);

  g_clear_pointer (&record->server_events, g_ptr_array_unref);
  record->server_events = events;
  record->server_events_truncated = truncated;
  record->n_events = events->len;
  record->item_events = FALSE;
  g_ptr_array_set_size (record->gates, 0);
  for (guint i = 0; i < events->len; i++)
    {
      json_t *event = g_ptr_array_index (events, i);
      const char *type = json_string_value (json_object_get (event, "event"));
      const char *module = json_string_value (json_object_get (event, "module"));

      if (type == NULL)
        continue;
      record->item_events |= g_str_equal (type, "module-started") || g_str_equal (type, "module-progress");
      if (module != NULL && g_str_equal (type, "gate-passed"))
        find_gate (record, module)->passed++;
      else if (module != NULL && g_str_equal (type, "gate-failed"))
        find_gate (record, module)->failed++;
      else if (module != NULL && g_str_equal (type, "run-state") &&
               g_strcmp0 (json_string_value (json_object_get (event, "state")), "failed") == 0)
        replace_str (&record->failed_module, module);
    }
}

gboolean
sluice_past_run_is_final (const SluicePastRun *record)
{
  return record->error == NULL &&
         (g_strcmp0 (record->state, "completed") == 0 || g_strcmp0 (record->state, "failed") == 0 ||
          g_strcmp0 (record->state, "cancelled") == 0);
}

gint64
sluice_past_run_get_duration (const SluicePastRun *record)
{
  if (record->started_us == 0 || record->ended_us < record->started_us)
    return 0;
  return record->ended_us - record->started_us;
}

const SluicePastStage *
sluice_past_run_find_stage (const SluicePastRun *record,
                              const char            *controller)
{
  for (guint i = 0; i < record->stages->len; i++)
    {
      const SluicePastStage *stage = g_ptr_array_index (record->stages, i);

      if (g_strcmp0 (stage->controller, controller) == 0)
        return stage;
    }
  return NULL;
}

/* The id attribute of the root element of a pipeline file, found
 * without parsing it (the copy was a valid pipeline when the run began;
 * a damaged copy simply has no id). */
static char *
scan_pipeline_id (const char *directory)
{
  g_autofree char *path = g_build_filename (directory, PIPELINE_COPY, NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autofree char *head = NULL;
  const char *root, *end, *id;

  if (file == NULL)
    return NULL;
  head = g_strndup (g_mapped_file_get_contents (file),
                    MIN (g_mapped_file_get_length (file), ID_SCAN_BYTES));
  if ((root = strstr (head, "<pipeline")) == NULL || (end = strchr (root, '>')) == NULL)
    return NULL;
  for (id = strstr (root, " id="); id != NULL && id < end; id = strstr (id + 1, " id="))
    {
      char quote = id[4];
      const char *close;

      if (quote != '"' && quote != '\'')
        continue;
      close = strchr (id + 5, quote);
      if (close == NULL || close > end)
        return NULL;
      return g_strndup (id + 5, close - (id + 5));
    }
  return NULL;
}

/* Reading one journal. */

typedef struct
{
  sqlite3         *db;
  SluicePastRun *record;
} Reader;

static gboolean
reader_fail (Reader      *reader,
             const char  *what)
{
  if (reader->record->error == NULL)
    reader->record->error = g_strdup_printf ("journal %s cannot be read: %s%s%s",
                                             reader->record->journal_path, what,
                                             reader->db != NULL ? ": " : "",
                                             reader->db != NULL ? sqlite3_errmsg (reader->db) : "");
  return FALSE;
}

static sqlite3_stmt *
prepare (Reader     *reader,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (reader->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      reader_fail (reader, "not a Sluice run journal");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL && g_utf8_validate (text, -1, NULL) ? g_strdup (text) : NULL;
}

static gboolean
finish (Reader       *reader,
        sqlite3_stmt *stmt,
        int           rc)
{
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || reader_fail (reader, "damaged");
}

static gboolean
read_meta (Reader *reader)
{
  SluicePastRun *record = reader->record;
  sqlite3_stmt *stmt = prepare (reader, "SELECT key, value FROM meta");
  g_autofree char *format = NULL;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (key, "journal-format") == 0)
        replace_str (&format, (const char *) sqlite3_column_text (stmt, 1));
      else if (g_strcmp0 (key, "pipeline-path") == 0)
        record->pipeline_path = column_dup (stmt, 1);
      else if (g_strcmp0 (key, "pipeline-sha256") == 0)
        record->pipeline_sha256 = column_dup (stmt, 1);
      else if (g_strcmp0 (key, "origin") == 0)
        record->origin = column_dup (stmt, 1);
      else if (g_strcmp0 (key, "created-us") == 0)
        record->created_us = sqlite3_column_int64 (stmt, 1);
    }
  if (!finish (reader, stmt, rc))
    return FALSE;
  if (format == NULL)
    return reader_fail (reader, "not a Sluice run journal (no format)");
  /* A newer format may mean anything: say so rather than guess. */
  if (!g_str_equal (format, JOURNAL_FORMAT))
    {
      record->error = g_strdup_printf ("journal %s has format %s; this version reads format %s",
                                       record->journal_path, format, JOURNAL_FORMAT);
      return FALSE;
    }
  if (record->origin == NULL)
    record->origin = g_strdup ("sluice-run");
  return TRUE;
}

static gboolean
read_states (Reader *reader)
{
  SluicePastRun *record = reader->record;
  sqlite3_stmt *stmt = prepare (reader, "SELECT time_us, state, reason FROM states ORDER BY id");
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 time_us = sqlite3_column_int64 (stmt, 0);

      g_free (record->state);
      record->state = column_dup (stmt, 1);
      g_free (record->reason);
      record->reason = column_dup (stmt, 2);
      if (g_strcmp0 (record->state, "running") == 0 && record->started_us == 0)
        record->started_us = time_us;
      if (sluice_past_run_is_final (record))
        record->ended_us = time_us;
    }
  if (!finish (reader, stmt, rc))
    return FALSE;
  if (record->state == NULL)
    return reader_fail (reader, "no state recorded");
  return TRUE;
}

/* The last progress record of each controller, in the order they were
 * first written (the pipeline's). */
static gboolean
read_stages (Reader *reader)
{
  SluicePastRun *record = reader->record;
  sqlite3_stmt *stmt = prepare (reader,
                                "SELECT p.controller, p.items_in, p.items_out, p.time_us FROM progress p"
                                " JOIN (SELECT controller, min(id) AS first, max(id) AS last FROM progress"
                                "       GROUP BY controller) g ON p.id = g.last ORDER BY g.first");
  gint64 last_time = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SluicePastStage *stage = g_new0 (SluicePastStage, 1);

      stage->controller = column_dup (stmt, 0);
      stage->items_in = (guint64) MAX (sqlite3_column_int64 (stmt, 1), 0);
      stage->items_out = (guint64) MAX (sqlite3_column_int64 (stmt, 2), 0);
      last_time = MAX (last_time, sqlite3_column_int64 (stmt, 3));
      g_ptr_array_add (record->stages, stage);
      if (stage->items_in > 0 && stage->controller != NULL)
        replace_str (&record->stage_reached, stage->controller);
    }
  /* A run that never ended lasted until its last record. */
  if (record->ended_us == 0 && record->started_us != 0)
    record->ended_us = last_time;
  return finish (reader, stmt, rc);
}

/* A server's run: the events fetched, not a journal. */
static GPtrArray *
remote_events (const SluicePastRun  *record,
               guint                 max_events,
               gboolean             *truncated,
               GError              **error)
{
  GPtrArray *events;
  guint n;

  if (record->server_events == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "run %s of %s: its events were not fetched",
                   record->run_id, record->server_url);
      return NULL;
    }
  n = max_events > 0 ? MIN (max_events, record->server_events->len) : record->server_events->len;
  events = g_ptr_array_new_full (n, (GDestroyNotify) json_decref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (events, json_incref (g_ptr_array_index (record->server_events, i)));
  if (truncated != NULL)
    *truncated = record->server_events_truncated || n < record->server_events->len;
  return events;
}

static gboolean
has_module_samples (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  found = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'module_samples'",
                              -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
read_events_summary (Reader *reader)
{
  SluicePastRun *record = reader->record;
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (reader, "SELECT count(*), EXISTS (SELECT 1 FROM events WHERE event = 'module-started') FROM events");
  if (stmt == NULL)
    return FALSE;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      record->n_events = (guint64) sqlite3_column_int64 (stmt, 0);
      record->item_events = sqlite3_column_int (stmt, 1) != 0;
      rc = sqlite3_step (stmt);
    }
  if (!finish (reader, stmt, rc))
    return FALSE;
  /* Or the modules' samples of a run without per-item events. */
  if (!record->item_events && has_module_samples (reader->db))
    {
      stmt = prepare (reader, "SELECT EXISTS (SELECT 1 FROM module_samples)");
      if (stmt == NULL)
        return FALSE;
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          record->item_events = sqlite3_column_int (stmt, 0) != 0;
          rc = sqlite3_step (stmt);
        }
      if (!finish (reader, stmt, rc))
        return FALSE;
    }

  stmt = prepare (reader, "SELECT json_extract (json, '$.module'), event, count(*) FROM events"
                          " WHERE event IN ('gate-passed', 'gate-failed') GROUP BY 1, 2 ORDER BY min(seq)");
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *id = column_dup (stmt, 0);
      const char *event = (const char *) sqlite3_column_text (stmt, 1);
      guint64 count = (guint64) MAX (sqlite3_column_int64 (stmt, 2), 0);
      SluicePastGate *gate = NULL;

      if (id == NULL)
        continue;
      for (guint i = 0; i < record->gates->len && gate == NULL; i++)
        if (g_str_equal (((SluicePastGate *) g_ptr_array_index (record->gates, i))->gate, id))
          gate = g_ptr_array_index (record->gates, i);
      if (gate == NULL)
        {
          gate = g_new0 (SluicePastGate, 1);
          gate->gate = g_steal_pointer (&id);
          g_ptr_array_add (record->gates, gate);
        }
      if (g_strcmp0 (event, "gate-passed") == 0)
        gate->passed += count;
      else
        gate->failed += count;
    }
  if (!finish (reader, stmt, rc))
    return FALSE;

  /* A run recorded without gate events: its gates' last samples. */
  if (record->gates->len == 0 && has_module_samples (reader->db))
    {
      stmt = prepare (reader, "SELECT json_extract (j.value, '$.module'), json_extract (j.value, '$.items_out'),"
                              " json_extract (j.value, '$.failed') FROM module_samples s, json_each (s.json) j"
                              " WHERE json_valid (s.json) AND json_type (j.value, '$.checks') = 'array'"
                              " ORDER BY s.id");
      if (stmt == NULL)
        return FALSE;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autofree char *id = column_dup (stmt, 0);
          SluicePastGate *gate;

          if (id == NULL)
            continue;
          gate = find_gate (record, id);
          gate->passed = (guint64) MAX (sqlite3_column_int64 (stmt, 1), 0);
          gate->failed = (guint64) MAX (sqlite3_column_int64 (stmt, 2), 0);
        }
      if (!finish (reader, stmt, rc))
        return FALSE;
    }

  /* Where the run failed: its failed run-state event names the module. */
  stmt = prepare (reader, "SELECT json_extract (json, '$.module') FROM events WHERE event = 'run-state'"
                          " AND json_extract (json, '$.state') = 'failed' ORDER BY seq DESC LIMIT 1");
  if (stmt == NULL)
    return FALSE;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      record->failed_module = column_dup (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  return finish (reader, stmt, rc);
}

/* From the recorded reason, "module “gate-historical”: 1 of 3 checks
 * failed: “Sharpe”: 1.8069, must be ≥ 3: missed by 1.1931": the module
 * (when no event named it) and the failed checks. */
static void
parse_reason (SluicePastRun *record)
{
  const char *reason = record->reason;
  const char *checks;

  if (reason == NULL || g_strcmp0 (record->state, "failed") != 0)
    return;
  if (record->failed_module == NULL && g_str_has_prefix (reason, "module “"))
    {
      const char *start = reason + strlen ("module “");
      const char *end = strstr (start, "”");

      if (end != NULL)
        record->failed_module = g_strndup (start, end - start);
    }
  if ((checks = strstr (reason, " failed: ")) != NULL && strstr (reason, "check") != NULL &&
      strstr (reason, "check") < checks)
    record->failed_check = g_strdup (checks + strlen (" failed: "));
}

void
sluice_past_run_set_outcome (SluicePastRun *record,
                             const char    *state,
                             const char    *reason)
{
  g_return_if_fail (record != NULL);

  replace_str (&record->state, state);
  replace_str (&record->reason, reason);
  g_clear_pointer (&record->failed_check, g_free);
  parse_reason (record);
}

static void
read_journal (SluicePastRun *record)
{
  g_autofree char *uri = NULL;
  Reader reader = { NULL, record };
  int rc;

  if (!g_file_test (record->journal_path, G_FILE_TEST_IS_REGULAR))
    {
      record->error = g_strdup_printf ("journal %s: no such file", record->journal_path);
      return;
    }
  rc = sqlite3_open_v2 (record->journal_path, &reader.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      reader_fail (&reader, "cannot open");
      sqlite3_close (reader.db);
      return;
    }
  sqlite3_busy_timeout (reader.db, BUSY_TIMEOUT_MS);
  /* One snapshot for every query: a run being written changes between them. */
  if (sqlite3_exec (reader.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
      read_meta (&reader) && read_states (&reader) && read_stages (&reader) && read_events_summary (&reader))
    parse_reason (record);
  sqlite3_exec (reader.db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (reader.db);
}

SluicePastRun *
sluice_past_run_read (const char *directory)
{
  SluicePastRun *record = g_new0 (SluicePastRun, 1);

  g_return_val_if_fail (directory != NULL, NULL);

  record->ref_count = 1;
  record->directory = g_strdup (directory);
  record->run_id = g_path_get_basename (directory);
  record->journal_path = g_build_filename (directory, JOURNAL_FILE, NULL);
  record->stages = g_ptr_array_new_with_free_func (stage_record_free);
  record->gates = g_ptr_array_new_with_free_func (gate_record_free);
  record->pipeline_id = scan_pipeline_id (directory);
  read_journal (record);
  /* An unreadable run is sorted by when its directory was made. */
  if (record->created_us == 0)
    {
      GStatBuf st;

      if (g_stat (directory, &st) == 0)
        record->created_us = (gint64) st.st_mtime * G_USEC_PER_SEC;
    }
  return record;
}

/* Opens the journal for one read. */
static sqlite3 *
open_read_only (const SluicePastRun  *record,
                GError                **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (record->journal_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "journal %s cannot be read: %s",
                   record->journal_path, db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}

/* A sample row: an array of "module-progress" objects. */
static gboolean
add_samples (GPtrArray *events,
             json_t    *samples)
{
  json_t *sample;
  size_t i;

  if (!json_is_array (samples))
    return FALSE;
  json_array_foreach (samples, i, sample)
    if (!json_is_object (sample))
      return FALSE;
  json_array_foreach (samples, i, sample)
    g_ptr_array_add (events, json_incref (sample));
  return TRUE;
}

GPtrArray *
sluice_past_run_load_events (const SluicePastRun  *record,
                               guint                   max_events,
                               gboolean               *truncated,
                               GError                **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (record != NULL, NULL);

  if (truncated != NULL)
    *truncated = FALSE;
  if (record->server_url != NULL)
    return remote_events (record, max_events, truncated, error);
  if ((db = open_read_only (record, error)) == NULL)
    return NULL;
  /* The modules' samples (a run without per-item events) go after the
   * event they were taken after, as "module-progress" events. */
  rc = sqlite3_prepare_v2 (db, has_module_samples (db) ?
                           "SELECT seq, 0, json FROM events UNION ALL"
                           " SELECT after_seq, id, json FROM module_samples ORDER BY 1, 2" :
                           "SELECT seq, 0, json FROM events ORDER BY seq", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  for (; rc == SQLITE_ROW; rc = sqlite3_step (stmt))
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 2);
      gboolean sample = sqlite3_column_int64 (stmt, 1) != 0;
      json_t *event;

      if (max_events > 0 && events->len >= max_events)
        {
          if (truncated != NULL)
            *truncated = TRUE;
          rc = SQLITE_DONE;
          break;
        }
      event = text != NULL ? json_loads (text, JSON_REJECT_DUPLICATES, NULL) : NULL;
      if (sample ? !add_samples (events, event) : !json_is_object (event))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       sample ? "journal %s is damaged: module sample %" G_GINT64_FORMAT " is not a JSON array of objects"
                       : "journal %s is damaged: event %" G_GINT64_FORMAT " is not a JSON object",
                       record->journal_path, (gint64) sqlite3_column_int64 (stmt, sample ? 1 : 0));
          json_decref (event);
          sqlite3_finalize (stmt);
          sqlite3_close (db);
          return NULL;
        }
      if (sample)
        json_decref (event);
      else
        g_ptr_array_add (events, event);
    }
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "journal %s cannot be read: %s",
                   record->journal_path, sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_steal_pointer (&events);
}

GHashTable *
sluice_past_run_load_defines (const SluicePastRun  *record,
                                GError                **error)
{
  GHashTable *defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  json_t *object = NULL;
  const char *name;
  json_t *value;

  /* A server's run: its parameters are the server's to say. */
  if (record->server_url != NULL)
    return defines;
  if ((db = open_read_only (record, error)) == NULL)
    {
      g_hash_table_unref (defines);
      return NULL;
    }
  if (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'defines'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    object = json_loads ((const char *) sqlite3_column_text (stmt, 0), 0, NULL);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  json_object_foreach (object, name, value)
    if (json_is_string (value))
      g_hash_table_insert (defines, g_strdup (name), g_strdup (json_string_value (value)));
  json_decref (object);
  return defines;
}

char *
sluice_past_run_load_pipeline_copy (const SluicePastRun  *record,
                                      gsize                  *length,
                                      GError                **error)
{
  g_autofree char *path = NULL;
  char *text = NULL;

  if (record->server_url != NULL)
    {
      if (record->server_pipeline == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "run %s of %s: its pipeline was not fetched",
                       record->run_id, record->server_url);
          return NULL;
        }
      if (length != NULL)
        *length = g_bytes_get_size (record->server_pipeline);
      return g_strndup (g_bytes_get_data (record->server_pipeline, NULL), g_bytes_get_size (record->server_pipeline));
    }
  path = g_build_filename (record->directory, PIPELINE_COPY, NULL);
  if (!g_file_get_contents (path, &text, length, error))
    return NULL;
  return text;
}

/* The list. */

static gboolean
belongs_to (const SluicePastRun *record,
            const char            *pipeline_id,
            const char            *pipeline_path)
{
  if (record->error != NULL && record->pipeline_path == NULL)
    /* Nothing says whose it is, unless its copy does. */
    return record->pipeline_id == NULL || g_strcmp0 (record->pipeline_id, pipeline_id) == 0;
  if (pipeline_path != NULL && g_strcmp0 (record->pipeline_path, pipeline_path) == 0)
    return TRUE;
  /* The same pipeline from a file that was moved or renamed since. */
  return pipeline_id != NULL && g_strcmp0 (record->pipeline_id, pipeline_id) == 0 &&
         (record->pipeline_path == NULL || !g_file_test (record->pipeline_path, G_FILE_TEST_EXISTS));
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  const SluicePastRun *x = *(SluicePastRun * const *) a;
  const SluicePastRun *y = *(SluicePastRun * const *) b;

  if (x->created_us != y->created_us)
    return x->created_us > y->created_us ? -1 : 1;
  return -g_strcmp0 (x->run_id, y->run_id);
}

GPtrArray *
sluice_run_history_list (const char *state_dir,
                         const char *pipeline_id,
                         const char *pipeline_path)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);
  g_autofree char *default_dir = NULL;
  g_autofree char *canonical = pipeline_path != NULL ? g_canonicalize_filename (pipeline_path, NULL) : NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (state_dir == NULL)
    state_dir = default_dir = g_build_filename (g_get_user_data_dir (), "sluice", "runs", NULL);
  dir = g_dir_open (state_dir, 0, NULL);
  if (dir == NULL)
    return records;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *directory = NULL;
      SluicePastRun *record;

      /* ".ID.creating-…" is a run being created: not a run yet. */
      if (name[0] == '.')
        continue;
      directory = g_build_filename (state_dir, name, NULL);
      if (!g_file_test (directory, G_FILE_TEST_IS_DIR) || g_file_test (directory, G_FILE_TEST_IS_SYMLINK))
        continue;
      record = sluice_past_run_read (directory);
      if (belongs_to (record, pipeline_id, canonical))
        g_ptr_array_add (records, record);
      else
        sluice_past_run_unref (record);
    }
  g_ptr_array_sort (records, newest_first);
  return records;
}

/* Progression. */

json_t *
sluice_run_history_progression (GPtrArray          *records,
                                const char * const *controllers)
{
  json_t *result = json_object ();
  json_t *stages = json_array ();
  json_t *gates = json_array ();
  g_autoptr(GHashTable) gate_index = g_hash_table_new (g_str_hash, g_str_equal);
  guint runs = 0;

  for (guint i = 0; i < records->len; i++)
    if (((SluicePastRun *) g_ptr_array_index (records, i))->error == NULL)
      runs++;
  json_object_set_new (result, "runs", json_integer (runs));

  for (guint c = 0; controllers != NULL && controllers[c] != NULL; c++)
    {
      guint reached = 0, passed = 0;
      json_t *stage = json_object ();

      for (guint i = 0; i < records->len; i++)
        {
          const SluicePastRun *record = g_ptr_array_index (records, i);
          const SluicePastStage *found;

          if (record->error != NULL || (found = sluice_past_run_find_stage (record, controllers[c])) == NULL ||
              found->items_in == 0)
            continue;
          reached++;
          /* A stage whose module failed the run was not passed, whatever
           * went out of it before. */
          if (found->items_out > 0 && !(g_strcmp0 (record->stage_reached, controllers[c]) == 0 &&
                                         g_strcmp0 (record->state, "failed") == 0))
            passed++;
        }
      json_object_set_new (stage, "stage", json_string (controllers[c]));
      json_object_set_new (stage, "reached", json_integer (reached));
      json_object_set_new (stage, "passed", json_integer (passed));
      json_object_set_new (stage, "rate", reached > 0 ? json_real ((double) passed / reached) : json_null ());
      json_array_append_new (stages, stage);
    }

  /* Per gate: a run passed it when it let an item through and stopped
   * none. */
  for (guint i = 0; i < records->len; i++)
    {
      const SluicePastRun *record = g_ptr_array_index (records, i);

      for (guint g = 0; record->error == NULL && g < record->gates->len; g++)
        {
          const SluicePastGate *gate = g_ptr_array_index (record->gates, g);
          json_t *entry = g_hash_table_lookup (gate_index, gate->gate);

          if (entry == NULL)
            {
              entry = json_object ();
              json_object_set_new (entry, "gate", json_string (gate->gate));
              json_object_set_new (entry, "runs", json_integer (0));
              json_object_set_new (entry, "passed", json_integer (0));
              json_object_set_new (entry, "failed", json_integer (0));
              json_array_append_new (gates, entry);
              g_hash_table_insert (gate_index, (gpointer) json_string_value (json_object_get (entry, "gate")), entry);
            }
          json_object_set_new (entry, "runs", json_integer (json_integer_value (json_object_get (entry, "runs")) + 1));
          if (gate->failed > 0)
            json_object_set_new (entry, "failed", json_integer (json_integer_value (json_object_get (entry, "failed")) + 1));
          else if (gate->passed > 0)
            json_object_set_new (entry, "passed", json_integer (json_integer_value (json_object_get (entry, "passed")) + 1));
        }
    }
  for (guint g = 0; g < json_array_size (gates); g++)
    {
      json_t *entry = json_array_get (gates, g);
      json_int_t n = json_integer_value (json_object_get (entry, "runs"));

      json_object_set_new (entry, "rate", n > 0 ? json_real ((double) json_integer_value (json_object_get (entry, "passed")) / n)
                                                : json_null ());
    }
  json_object_set_new (result, "stages", stages);
  json_object_set_new (result, "gates", gates);
  return result;
}

json_t *
sluice_run_history_report (const char     *state_dir,
                           SluicePipeline *pipeline,
                           const char     *path)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  guint n = g_list_model_get_n_items (controllers);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) runs = sluice_run_history_list (state_dir, sluice_node_get_id (SLUICE_NODE (pipeline)), path);
  json_t *progression;
  json_t *stage;
  guint unreadable = 0;
  size_t i;

  for (guint c = 0; c < n; c++)
    {
      g_autoptr(SluiceNode) node = g_list_model_get_item (controllers, c);

      g_ptr_array_add (ids, g_strdup (sluice_node_get_id (node)));
    }
  g_ptr_array_add (ids, NULL);
  for (guint r = 0; r < runs->len; r++)
    unreadable += ((SluicePastRun *) g_ptr_array_index (runs, r))->error != NULL;

  progression = sluice_run_history_progression (runs, (const char * const *) ids->pdata);
  json_object_set_new (progression, "unreadable", json_integer (unreadable));
  json_array_foreach (json_object_get (progression, "stages"), i, stage)
    {
      SluiceNode *node = sluice_pipeline_find_node (pipeline, json_string_value (json_object_get (stage, "stage")));
      const char *name = node != NULL ? sluice_node_get_name (node) : NULL;

      json_object_set_new (stage, "stage_name", json_string (name != NULL && *name ? name : json_string_value (json_object_get (stage, "stage"))));
    }
  json_array_foreach (json_object_get (progression, "gates"), i, stage)
    {
      SluiceNode *node = sluice_pipeline_find_node (pipeline, json_string_value (json_object_get (stage, "gate")));
      const char *name = node != NULL ? sluice_node_get_name (node) : NULL;

      json_object_set_new (stage, "gate_name", json_string (name != NULL && *name ? name : json_string_value (json_object_get (stage, "gate"))));
    }
  return progression;
}
