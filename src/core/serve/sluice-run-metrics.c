/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-run-metrics.h"
#include "sluice-text.h"

/* Seconds: from a journal write of a tenth of a millisecond to an
 * hour-long stage. */
static const double buckets[] = {
  0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600
};
#define N_BUCKETS G_N_ELEMENTS (buckets)

typedef struct
{
  guint64 counts[N_BUCKETS];   /* not cumulative; summed when written */
  guint64 count;
  double  sum;
} Histogram;

typedef enum { COUNTER, GAUGE, HISTOGRAM } Kind;

typedef struct
{
  const char *name;
  Kind        kind;
  const char *help;
} Family;

/* In the order they are written. */
static const Family families[] = {
  { "sluice_runs", GAUGE, "Runs known to the daemon, by state." },
  { "sluice_runs_created_total", COUNTER, "Runs created since the daemon started." },
  { "sluice_runs_finished_total", COUNTER, "Runs that reached a final state, by pipeline and state." },
  { "sluice_run_duration_seconds", HISTOGRAM, "Wall time of finished runs, by pipeline." },
  { "sluice_queue_depth", GAUGE, "Items waiting at a controller's input, summed over live runs." },
  { "sluice_items_in_flight", GAUGE, "Items in a controller's modules now, summed over live runs." },
  { "sluice_stage_duration_seconds", HISTOGRAM, "Time from a stage's first item starting to its last finishing, per finished run." },
  { "sluice_stage_runs_entered_total", COUNTER, "Finished runs in which items reached the stage." },
  { "sluice_stage_runs_passed_total", COUNTER, "Finished runs that got past the stage (a later stage started or the run completed)." },
  { "sluice_stage_runs_failed_total", COUNTER, "Finished runs that failed in the stage." },
  { "sluice_stage_progression_ratio", GAUGE, "Passed over entered, per stage." },
  { "sluice_stage_failure_ratio", GAUGE, "Failed over entered, per stage." },
  { "sluice_module_items_in_total", COUNTER, "Items that entered a module." },
  { "sluice_module_items_out_total", COUNTER, "Items a module produced." },
  { "sluice_module_items_failed_total", COUNTER, "Failed attempts of a module, retries included." },
  { "sluice_module_items_dropped_total", COUNTER, "Items a module dropped." },
  { "sluice_module_duration_seconds", HISTOGRAM, "Time a module took per item." },
  { "sluice_journal_write_seconds", HISTOGRAM, "Time a run journal took to write one batch (output flushed, SQLite transaction committed)." },
  { "sluice_schedule_lag_seconds", HISTOGRAM, "How late a scheduled run started after its fire time, by pipeline (catch-up runs included)." },
  { "sluice_events_total", COUNTER, "Run events recorded." },
  { "sluice_event_stream_clients", GAUGE, "Clients following an event stream now." },
  { "sluice_http_requests_total", COUNTER, "HTTP answers of the run API, by status code." },
  { "sluice_process_start_time_seconds", GAUGE, "When the daemon started, seconds since the epoch." },
};

struct _SluiceRunMetrics
{
  /* family name → (labels text → double *) for counters and gauges,
   * (labels text → Histogram *) for histograms; folded values of runs
   * that are over, and counts of this process. */
  GHashTable *values;
  GHashTable *histograms;
  GHashTable *module_histograms;   /* "PIPELINE\x1fMODULE" → Histogram * (borrowed from histograms) */
  guint64     events;
  double      start_time;
  int         stream_clients;
};

/* A label value in the exposition format: \\, \" and \n escaped. */
static void
append_label (GString    *out,
              const char *name,
              const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append_printf (out, "%s=\"", name);
  for (const char *p = value != NULL ? value : ""; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
labels2 (const char *name1,
         const char *value1,
         const char *name2,
         const char *value2)
{
  GString *out = g_string_new (NULL);

  if (name1 != NULL)
    append_label (out, name1, value1);
  if (name2 != NULL)
    append_label (out, name2, value2);
  return g_string_free (out, FALSE);
}

static GHashTable *
table_of (GHashTable *tables,
          const char *family)
{
  GHashTable *table = g_hash_table_lookup (tables, family);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (tables, (char *) family, table);
    }
  return table;
}

static void
add_value (GHashTable *tables,
           const char *family,
           char       *labels,   /* taken */
           double      value)
{
  GHashTable *table = table_of (tables, family);
  double *slot = g_hash_table_lookup (table, labels);

  if (slot == NULL)
    {
      slot = g_new0 (double, 1);
      g_hash_table_insert (table, labels, slot);
    }
  else
    g_free (labels);
  *slot += value;
}

static Histogram *
histogram_of (SluiceRunMetrics *self,
              const char       *family,
              char             *labels)   /* taken */
{
  GHashTable *table = table_of (self->histograms, family);
  Histogram *h = g_hash_table_lookup (table, labels);

  if (h == NULL)
    {
      h = g_new0 (Histogram, 1);
      g_hash_table_insert (table, labels, h);
    }
  else
    g_free (labels);
  return h;
}

static void
histogram_add (Histogram *h,
               double     seconds)
{
  guint i;

  for (i = 0; i < N_BUCKETS && seconds > buckets[i]; i++)
    ;
  if (i < N_BUCKETS)
    h->counts[i]++;
  h->count++;
  h->sum += seconds;
}

static void
observe (SluiceRunMetrics *self,
         const char       *family,
         char             *labels,   /* taken */
         double            seconds)
{
  histogram_add (histogram_of (self, family, labels), seconds);
}

SluiceRunMetrics *
sluice_run_metrics_new (void)
{
  SluiceRunMetrics *self = g_new0 (SluiceRunMetrics, 1);

  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_hash_table_unref);
  self->histograms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_hash_table_unref);
  self->module_histograms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->start_time = g_get_real_time () / (double) G_USEC_PER_SEC;
  return self;
}

void
sluice_run_metrics_free (SluiceRunMetrics *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->module_histograms);
  g_hash_table_unref (self->values);
  g_hash_table_unref (self->histograms);
  g_free (self);
}

static const char *
pipeline_label (SluiceManagedRun *run)
{
  const SluiceRunRecord *record = sluice_managed_run_get_record (run);

  return record->pipeline_id != NULL ? record->pipeline_id : record->pipeline_path;
}

static void
executor_event_cb (SluiceManagedRun *run,
                   SluiceEvent      *event,
                   SluiceRunMetrics *self)
{
  /* Per item: no label text is built once the module is known. */
  self->events++;
  if (event->type == SLUICE_EVENT_MODULE_FINISHED)
    {
      char key[512];
      Histogram *h;

      if (g_snprintf (key, sizeof key, "%s\x1f%s", pipeline_label (run), event->module_id) >= (int) sizeof key)
        {
          observe (self, "sluice_module_duration_seconds",
                   labels2 ("pipeline", pipeline_label (run), "module", event->module_id), event->duration_ms / 1000.0);
          return;
        }
      h = g_hash_table_lookup (self->module_histograms, key);
      if (h == NULL)
        {
          h = histogram_of (self, "sluice_module_duration_seconds",
                            labels2 ("pipeline", pipeline_label (run), "module", event->module_id));
          g_hash_table_insert (self->module_histograms, g_strdup (key), h);
        }
      histogram_add (h, event->duration_ms / 1000.0);
    }
}

/* Counters of every module of a live or finishing run into @tables. */
static void
add_module_counters (GHashTable       *tables,
                     SluiceManagedRun *run)
{
  SluiceExecutor *executor = sluice_run_get_executor (sluice_managed_run_get_run (run));
  const char *pipeline = pipeline_label (run);

  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    {
      const char *module = sluice_executor_get_module_id (executor, i);
      SluiceModuleStats stats;

      sluice_executor_get_module_stats_at (executor, i, &stats);
      add_value (tables, "sluice_module_items_in_total", labels2 ("pipeline", pipeline, "module", module), stats.items_in);
      add_value (tables, "sluice_module_items_out_total", labels2 ("pipeline", pipeline, "module", module), stats.items_out);
      add_value (tables, "sluice_module_items_failed_total", labels2 ("pipeline", pipeline, "module", module), stats.failed);
      add_value (tables, "sluice_module_items_dropped_total", labels2 ("pipeline", pipeline, "module", module), stats.dropped);
    }
}

/* Stages in document order: entered, passed (a later one started, or
 * the run completed), failed in. */
static void
fold_stages (SluiceRunMetrics *self,
             SluiceManagedRun *run)
{
  SluicePipeline *pipeline = sluice_run_get_pipeline (sluice_managed_run_get_run (run));
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  guint n = g_list_model_get_n_items (controllers);
  const char *label = pipeline_label (run);
  const char *failed_in = sluice_managed_run_get_failed_controller (run);
  gboolean completed = sluice_managed_run_get_state (run) == SLUICE_RUN_COMPLETED;
  gboolean later_started = FALSE;

  /* Backwards, so that "a later stage started" is known. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(SluiceNode) controller = g_list_model_get_item (controllers, i);
      const char *id = sluice_node_get_id (controller);
      const SluiceStageSpan *span = sluice_managed_run_get_stage_span (run, id);

      if (span == NULL)
        continue;
      add_value (self->values, "sluice_stage_runs_entered_total", labels2 ("pipeline", label, "controller", id), 1);
      add_value (self->values, "sluice_stage_runs_passed_total", labels2 ("pipeline", label, "controller", id),
                 completed || later_started ? 1 : 0);
      add_value (self->values, "sluice_stage_runs_failed_total", labels2 ("pipeline", label, "controller", id),
                 g_strcmp0 (failed_in, id) == 0 ? 1 : 0);
      if (span->last_end >= span->first_start && span->first_start > 0)
        observe (self, "sluice_stage_duration_seconds", labels2 ("pipeline", label, "controller", id),
                 (span->last_end - span->first_start) / (double) G_USEC_PER_SEC);
      later_started = TRUE;
    }
}

static void
finished_cb (SluiceManagedRun *run,
             SluiceRunMetrics *self)
{
  SluiceExecutor *executor = sluice_run_get_executor (sluice_managed_run_get_run (run));
  const char *label = pipeline_label (run);

  add_value (self->values, "sluice_runs_finished_total",
             labels2 ("pipeline", label, "state", sluice_run_state_to_string (sluice_managed_run_get_state (run))), 1);
  observe (self, "sluice_run_duration_seconds", labels2 ("pipeline", label, NULL, NULL),
           sluice_executor_get_elapsed (executor) / (double) G_USEC_PER_SEC);
  add_module_counters (self->values, run);
  fold_stages (self, run);
}

static void
journal_committed_cb (SluiceManagedRun *run,
                      double            seconds,
                      SluiceRunMetrics *self)
{
  observe (self, "sluice_journal_write_seconds", g_strdup (""), seconds);
}

void
sluice_run_metrics_watch (SluiceRunMetrics *self,
                          SluiceManagedRun *run)
{
  g_signal_connect (run, "executor-event", G_CALLBACK (executor_event_cb), self);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), self);
  g_signal_connect (run, "journal-committed", G_CALLBACK (journal_committed_cb), self);
}

void
sluice_run_metrics_observe_schedule_lag (SluiceRunMetrics *self,
                                         const char       *pipeline,
                                         double            seconds)
{
  observe (self, "sluice_schedule_lag_seconds", labels2 ("pipeline", pipeline, NULL, NULL), MAX (seconds, 0));
}

void
sluice_run_metrics_count_created (SluiceRunMetrics *self)
{
  add_value (self->values, "sluice_runs_created_total", g_strdup (""), 1);
}

void
sluice_run_metrics_count_request (SluiceRunMetrics *self,
                                  guint             status)
{
  g_autofree char *code = g_strdup_printf ("%u", status);

  add_value (self->values, "sluice_http_requests_total", labels2 ("code", code, NULL, NULL), 1);
}

void
sluice_run_metrics_add_stream_clients (SluiceRunMetrics *self,
                                       int               delta)
{
  self->stream_clients += delta;
}

static void
write_number (GString *out,
              double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == (double) (gint64) value && value < 1e15 && value > -1e15)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) value);
  else
    g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (table != NULL)
    {
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (keys, key);
    }
  sluice_sort_strings (keys);
  return keys;
}

static void
write_sample (GString    *out,
              const char *name,
              const char *labels,
              const char *extra,
              double      value)
{
  g_string_append (out, name);
  if (*labels != '\0' || extra != NULL)
    {
      g_string_append_c (out, '{');
      g_string_append (out, labels);
      if (extra != NULL)
        g_string_append_printf (out, "%s%s", *labels != '\0' ? "," : "", extra);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ' ');
  write_number (out, value);
  g_string_append_c (out, '\n');
}

static void
write_histograms (GString    *out,
                  const char *name,
                  GHashTable *table)
{
  g_autoptr(GPtrArray) keys = sorted_keys (table);

  for (guint k = 0; k < keys->len; k++)
    {
      const char *labels = g_ptr_array_index (keys, k);
      Histogram *h = g_hash_table_lookup (table, labels);
      g_autofree char *bucket_name = g_strconcat (name, "_bucket", NULL);
      g_autofree char *sum_name = g_strconcat (name, "_sum", NULL);
      g_autofree char *count_name = g_strconcat (name, "_count", NULL);
      guint64 cumulative = 0;

      for (guint i = 0; i < N_BUCKETS; i++)
        {
          char bound[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *le = NULL;

          cumulative += h->counts[i];
          le = g_strdup_printf ("le=\"%s\"", g_ascii_formatd (bound, sizeof bound, "%g", buckets[i]));
          write_sample (out, bucket_name, labels, le, cumulative);
        }
      write_sample (out, bucket_name, labels, "le=\"+Inf\"", h->count);
      write_sample (out, sum_name, labels, NULL, h->sum);
      write_sample (out, count_name, labels, NULL, h->count);
    }
}

static void
write_values (GString    *out,
              const char *name,
              GHashTable *table)
{
  g_autoptr(GPtrArray) keys = sorted_keys (table);

  for (guint k = 0; k < keys->len; k++)
    write_sample (out, name, g_ptr_array_index (keys, k),
                  NULL, *(double *) g_hash_table_lookup (table, g_ptr_array_index (keys, k)));
}

/* Folded values plus what live runs add now, in a table of its own. */
static GHashTable *
current_values (SluiceRunMetrics *self,
                GPtrArray        *runs)
{
  GHashTable *now = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_hash_table_unref);
  GHashTableIter iter;
  gpointer family, table;

  g_hash_table_iter_init (&iter, self->values);
  while (g_hash_table_iter_next (&iter, &family, &table))
    {
      GHashTableIter inner;
      gpointer labels, value;

      g_hash_table_iter_init (&inner, table);
      while (g_hash_table_iter_next (&inner, &labels, &value))
        add_value (now, family, g_strdup (labels), *(double *) value);
    }

  for (SluiceRunState s = SLUICE_RUN_PENDING; s <= SLUICE_RUN_CANCELLED; s++)
    add_value (now, "sluice_runs", labels2 ("state", sluice_run_state_to_string (s), NULL, NULL), 0);
  for (guint i = 0; i < runs->len; i++)
    {
      SluiceManagedRun *run = g_ptr_array_index (runs, i);
      SluiceRun *live = sluice_managed_run_get_run (run);
      SluiceRunState state = sluice_managed_run_get_state (run);

      add_value (now, "sluice_runs", labels2 ("state", sluice_run_state_to_string (state), NULL, NULL), 1);
      if (live == NULL || sluice_run_state_is_final (state))
        continue;
      add_module_counters (now, run);
      {
        GListModel *controllers = sluice_pipeline_get_controllers (sluice_run_get_pipeline (live));
        SluiceExecutor *executor = sluice_run_get_executor (live);

        for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
          {
            g_autoptr(SluiceNode) controller = g_list_model_get_item (controllers, c);
            const char *id = sluice_node_get_id (controller);

            add_value (now, "sluice_queue_depth", labels2 ("pipeline", pipeline_label (run), "controller", id),
                       MAX (sluice_executor_get_queue_depth (executor, id), 0));
            add_value (now, "sluice_items_in_flight", labels2 ("pipeline", pipeline_label (run), "controller", id),
                       MAX (sluice_executor_get_in_flight (executor, id), 0));
          }
      }
    }

  /* Ratios of the stage counters. */
  {
    GHashTable *entered = g_hash_table_lookup (now, "sluice_stage_runs_entered_total");

    if (entered != NULL)
      {
        gpointer labels, value;

        g_hash_table_iter_init (&iter, entered);
        while (g_hash_table_iter_next (&iter, &labels, &value))
          {
            double n = *(double *) value;
            double *passed = g_hash_table_lookup (table_of (now, "sluice_stage_runs_passed_total"), labels);
            double *failed = g_hash_table_lookup (table_of (now, "sluice_stage_runs_failed_total"), labels);

            add_value (now, "sluice_stage_progression_ratio", g_strdup (labels), passed != NULL && n > 0 ? *passed / n : 0);
            add_value (now, "sluice_stage_failure_ratio", g_strdup (labels), failed != NULL && n > 0 ? *failed / n : 0);
          }
      }
  }
  add_value (now, "sluice_event_stream_clients", g_strdup (""), self->stream_clients);
  add_value (now, "sluice_events_total", g_strdup (""), self->events);
  add_value (now, "sluice_process_start_time_seconds", g_strdup (""), self->start_time);
  return now;
}

char *
sluice_run_metrics_render (SluiceRunMetrics *self,
                           GPtrArray        *runs)
{
  g_autoptr(GHashTable) now = current_values (self, runs);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      const Family *family = &families[i];
      static const char *kinds[] = { "counter", "gauge", "histogram" };

      g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n",
                              family->name, family->help, family->name, kinds[family->kind]);
      if (family->kind == HISTOGRAM)
        write_histograms (out, family->name, g_hash_table_lookup (self->histograms, family->name));
      else
        write_values (out, family->name, g_hash_table_lookup (now, family->name));
    }
  return g_string_free (out, FALSE);
}
