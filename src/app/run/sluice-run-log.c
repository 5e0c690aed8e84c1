/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sluice-run-log.h"

/* One event in 56 bytes: a 100,000-event run is 4 MB, and the rows the
 * list view shows are made on demand. Strings (ids, errors) are interned
 * in one table. */
typedef struct
{
  gint64  time;
  guint64 seq;     /* the event's sequence number in its run */
  guint64 item;
  float   duration_ms;
  guint32 outputs;      /* or attempt for module-failed */
  guint32 module;       /* string index, 0 = none */
  guint32 controller;
  guint32 extra;        /* error, or the target controller of a transition */
  guint32 stderr_tail;
  guint32 pipeline;
  guint32 from;         /* stage-transition */
  json_t *checks;       /* gate-passed and gate-failed: owned, else NULL */
  guint8  type;
  guint8  state;
  guint8  severity;
} Record;

struct _SluiceRunLogRow
{
  GObject        parent_instance;
  char          *text;
  char          *module;
  SluiceRunLevel severity;
};

G_DEFINE_FINAL_TYPE (SluiceRunLogRow, sluice_run_log_row, G_TYPE_OBJECT)

static void
sluice_run_log_row_finalize (GObject *object)
{
  SluiceRunLogRow *self = SLUICE_RUN_LOG_ROW (object);

  g_free (self->text);
  g_free (self->module);
  G_OBJECT_CLASS (sluice_run_log_row_parent_class)->finalize (object);
}

static void
sluice_run_log_row_class_init (SluiceRunLogRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_run_log_row_finalize;
}

static void
sluice_run_log_row_init (SluiceRunLogRow *self)
{
}

const char *
sluice_run_log_row_get_text (SluiceRunLogRow *self)
{
  return self->text;
}

const char *
sluice_run_log_row_get_module (SluiceRunLogRow *self)
{
  return self->module;
}

SluiceRunLevel
sluice_run_log_row_get_level (SluiceRunLogRow *self)
{
  return self->severity;
}

struct _SluiceRunLog
{
  GObject        parent_instance;
  GArray        *records;     /* of Record */
  GPtrArray     *strings;     /* interned, index 0 = NULL */
  GHashTable    *string_ids;  /* char* (borrowed from strings) → index */
  GArray        *visible;     /* guint32 record indexes matching the filter, oldest first */
  guint          announced;   /* visible rows the list model has told about */
  guint32        filter_module; /* 0 = all */
  char          *filter_module_id;
  SluiceRunLevel min_severity;
  guint          capacity;    /* routine records kept, 0 = all */
  guint          n_routine;   /* routine records in records */
  guint64        n_dropped;   /* routine records let go */
  GArray        *module_strings; /* guint32 string index of item records' modules, by module index; 0 = not yet */
  GArray        *controller_strings; /* the same for their controllers */
  const char    *item_pipeline;  /* the pipeline id item records were last appended with */
  guint32        item_pipeline_string;
};

/* Warnings, errors and run-state changes are kept whatever the
 * capacity: they are what a user looks for after a long run. */
static gboolean
is_routine (const Record *record)
{
  return record->severity < SLUICE_RUN_LEVEL_WARNING && record->type != SLUICE_EVENT_RUN_STATE;
}

static void list_model_iface_init (GListModelInterface *iface);

static void
record_clear (gpointer data)
{
  Record *record = data;

  g_clear_pointer (&record->checks, json_decref);
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceRunLog, sluice_run_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

SluiceRunLevel
sluice_event_get_run_level (const SluiceEvent *event)
{
  switch (event->type)
    {
    case SLUICE_EVENT_MODULE_STARTED:
      return SLUICE_RUN_LEVEL_DEBUG;
    case SLUICE_EVENT_MODULE_FAILED:
      return SLUICE_RUN_LEVEL_ERROR;
    case SLUICE_EVENT_ITEM_SUPERSEDED:
    case SLUICE_EVENT_GATE_FAILED:
      return SLUICE_RUN_LEVEL_WARNING;
    case SLUICE_EVENT_RUN_STATE:
      return event->state == SLUICE_RUN_FAILED ? SLUICE_RUN_LEVEL_ERROR :
             event->state == SLUICE_RUN_CANCELLED ? SLUICE_RUN_LEVEL_WARNING : SLUICE_RUN_LEVEL_INFO;
    case SLUICE_EVENT_MODULE_FINISHED:
    case SLUICE_EVENT_STAGE_TRANSITION:
    default:
      return SLUICE_RUN_LEVEL_INFO;
    }
}

static guint32
intern (SluiceRunLog *self,
        const char   *text)
{
  gpointer index;
  char *copy;

  if (text == NULL)
    return 0;
  if (g_hash_table_lookup_extended (self->string_ids, text, NULL, &index))
    return GPOINTER_TO_UINT (index);
  copy = g_strdup (text);
  g_ptr_array_add (self->strings, copy);
  g_hash_table_insert (self->string_ids, copy, GUINT_TO_POINTER (self->strings->len - 1));
  return self->strings->len - 1;
}

static const char *
string_at (SluiceRunLog *self,
           guint32       index)
{
  return g_ptr_array_index (self->strings, index);
}

static gboolean
matches (SluiceRunLog *self,
         const Record *record)
{
  return record->severity >= self->min_severity &&
         (self->filter_module == 0 || record->module == self->filter_module);
}

/* Keeps the newest @capacity routine records and every other one, and
 * tells the list only about what changed at its bottom (the oldest
 * rows): the rows on top, and a view following them, stay put. */
static void
drop_oldest (SluiceRunLog *self)
{
  guint to_drop = self->n_routine - self->capacity;
  guint n = self->records->len, kept = 0, dropped = 0;
  g_autofree guint32 *map = g_new (guint32, n);
  guint old_announced = self->announced, w = 0, dropped_announced = 0, newest_dropped = 0, first_changed;

  for (guint i = 0; i < n; i++)
    {
      Record *r = &g_array_index (self->records, Record, i);

      if (dropped < to_drop && is_routine (r))
        {
          map[i] = G_MAXUINT32;
          dropped++;
          g_clear_pointer (&r->checks, json_decref);
          continue;
        }
      map[i] = kept;
      if (kept != i)
        {
          g_array_index (self->records, Record, kept) = *r;
          r->checks = NULL;   /* moved: the array's clear func must not free it */
        }
      kept++;
    }
  g_array_set_size (self->records, kept);
  self->n_routine -= dropped;
  self->n_dropped += dropped;

  /* The visible rows keep their order (oldest first); the list shows the
   * first announced ones newest first. */
  for (guint i = 0; i < self->visible->len; i++)
    {
      guint32 index = g_array_index (self->visible, guint32, i);

      if (map[index] == G_MAXUINT32)
        {
          if (i < old_announced)
            {
              dropped_announced++;
              newest_dropped = i;
            }
          continue;
        }
      g_array_index (self->visible, guint32, w++) = map[index];
    }
  g_array_set_size (self->visible, w);
  self->announced = old_announced - dropped_announced;
  if (dropped_announced == 0)
    return;

  /* Rows newer than the newest dropped one (the top of the list) stay
   * where they are; only the bottom changes. */
  first_changed = old_announced - 1 - newest_dropped;
  g_list_model_items_changed (G_LIST_MODEL (self), first_changed, old_announced - first_changed,
                              self->announced - first_changed);
}

/* Records stand for ids by the executor's module index: each is interned
 * once, not looked up per record. */
static guint32
intern_by_index (SluiceRunLog *self,
                 GArray       *cache,
                 guint         index,
                 const char   *text)
{
  guint32 *slot;

  if (index >= cache->len)
    g_array_set_size (cache, index + 1);
  slot = &g_array_index (cache, guint32, index);
  if (*slot == 0)
    *slot = intern (self, text);
  return *slot;
}

static void
append_record (SluiceRunLog *self,
               const Record *record)
{
  guint32 index = self->records->len;

  g_array_append_val (self->records, *record);
  if (matches (self, record))
    g_array_append_val (self->visible, index);
  if (is_routine (record))
    self->n_routine++;
  /* Let the oldest routine records go in batches of a quarter of the
   * capacity, so that dropping costs little per event. */
  if (self->capacity > 0 && self->n_routine > self->capacity + MAX (self->capacity / 4, 1))
    drop_oldest (self);
}

void
sluice_run_log_append (SluiceRunLog      *self,
                       const SluiceEvent *event)
{
  Record record = { 0 };

  record.time = event->time;
  record.seq = event->seq;
  record.item = event->item;
  record.type = event->type;
  record.state = event->state;
  record.severity = sluice_event_get_run_level (event);
  record.duration_ms = event->duration_ms;
  record.outputs = event->type == SLUICE_EVENT_MODULE_FAILED ? event->attempt : event->outputs;
  record.module = intern (self, event->module_id);
  record.controller = intern (self, event->controller_id);
  record.from = intern (self, event->from_id);
  record.extra = intern (self, event->type == SLUICE_EVENT_STAGE_TRANSITION ? event->to_id :
                               event->type == SLUICE_EVENT_LOG ? event->message : event->error);
  record.stderr_tail = intern (self, event->stderr_tail);
  record.pipeline = intern (self, event->pipeline_id);
  record.checks = event->checks != NULL ? json_incref (event->checks) : NULL;
  append_record (self, &record);
}

void
sluice_run_log_append_item (SluiceRunLog           *self,
                            const SluiceItemRecord *item,
                            const char             *pipeline_id)
{
  Record record = { 0 };

  if (pipeline_id != self->item_pipeline || self->item_pipeline_string == 0)
    {
      self->item_pipeline = pipeline_id;
      self->item_pipeline_string = intern (self, pipeline_id);
    }
  record.time = item->time;
  record.seq = item->seq;
  record.item = item->item;
  record.type = item->type;
  record.severity = item->type == SLUICE_EVENT_MODULE_STARTED ? SLUICE_RUN_LEVEL_DEBUG : SLUICE_RUN_LEVEL_INFO;
  record.duration_ms = item->duration / 1000.0;
  record.outputs = item->outputs;
  record.module = intern_by_index (self, self->module_strings, item->module, item->module_id);
  record.controller = intern_by_index (self, self->controller_strings, item->module, item->controller_id);
  record.pipeline = self->item_pipeline_string;
  append_record (self, &record);
}

void
sluice_run_log_note_lost (SluiceRunLog *self,
                          guint64       n)
{
  self->n_dropped += n;
}

void
sluice_run_log_flush (SluiceRunLog *self)
{
  guint added = self->visible->len - self->announced;

  if (added == 0)
    return;
  self->announced = self->visible->len;
  /* Newest first: new rows go on top. */
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, added);
}

static void
refilter (SluiceRunLog *self)
{
  guint old = self->announced;

  g_array_set_size (self->visible, 0);
  for (guint32 i = 0; i < self->records->len; i++)
    if (matches (self, &g_array_index (self->records, Record, i)))
      g_array_append_val (self->visible, i);
  self->announced = self->visible->len;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->announced);
}

void
sluice_run_log_clear (SluiceRunLog *self)
{
  g_array_set_size (self->records, 0);
  self->n_routine = 0;
  self->n_dropped = 0;
  g_ptr_array_set_size (self->strings, 1);
  g_hash_table_remove_all (self->string_ids);
  g_array_set_size (self->module_strings, 0);
  g_array_set_size (self->controller_strings, 0);
  self->item_pipeline_string = 0;
  self->filter_module = self->filter_module_id ? intern (self, self->filter_module_id) : 0;
  refilter (self);
}

void
sluice_run_log_set_filter (SluiceRunLog   *self,
                           const char     *module_id,
                           SluiceRunLevel  min_severity)
{
  g_free (self->filter_module_id);
  self->filter_module_id = g_strdup (module_id);
  self->filter_module = module_id ? intern (self, module_id) : 0;
  self->min_severity = min_severity;
  refilter (self);
}

guint
sluice_run_log_get_n_events (SluiceRunLog *self)
{
  return self->records->len;
}

void
sluice_run_log_set_capacity (SluiceRunLog *self,
                             guint         capacity)
{
  g_return_if_fail (SLUICE_IS_RUN_LOG (self));

  self->capacity = capacity;
  if (capacity > 0 && self->n_routine > capacity)
    drop_oldest (self);
}

guint64
sluice_run_log_get_n_dropped (SluiceRunLog *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_LOG (self), 0);
  return self->n_dropped;
}

static SluiceEvent *
record_to_event (SluiceRunLog *self,
                 const Record *record)
{
  SluiceEvent *event = sluice_event_new (record->type);

  event->time = record->time;
  event->item = record->item;
  event->state = record->state;
  event->duration_ms = record->duration_ms;
  event->module_id = g_strdup (string_at (self, record->module));
  event->controller_id = g_strdup (string_at (self, record->controller));
  event->pipeline_id = g_strdup (string_at (self, record->pipeline));
  event->stderr_tail = g_strdup (string_at (self, record->stderr_tail));
  if (record->type == SLUICE_EVENT_LOG)
    event->message = g_strdup (string_at (self, record->extra));
  else if (record->type == SLUICE_EVENT_STAGE_TRANSITION)
    {
      event->from_id = g_strdup (string_at (self, record->from));
      event->to_id = g_strdup (string_at (self, record->extra));
    }
  else
    event->error = g_strdup (string_at (self, record->extra));
  if (record->type == SLUICE_EVENT_MODULE_FAILED)
    event->attempt = record->outputs;
  else
    event->outputs = record->outputs;
  if (record->checks != NULL)
    event->checks = json_incref (record->checks);
  return event;
}

char *
sluice_run_log_dup_json (SluiceRunLog *self,
                         guint         index)
{
  g_autoptr(SluiceEvent) event = NULL;
  g_autofree char *json = NULL;
  GRegex *regex;
  char *result;

  g_return_val_if_fail (index < self->records->len, NULL);
  event = record_to_event (self, &g_array_index (self->records, Record, index));
  json = sluice_event_to_json (event);
  regex = g_regex_new ("\"(time\":\"[^\"]*\"|duration_ms\":[-0-9.e+]*),?", 0, 0, NULL);
  result = g_regex_replace_literal (regex, json, -1, 0, "", 0, NULL);
  g_regex_unref (regex);
  return result;
}

static char *
describe (SluiceRunLog *self,
          const Record *r)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (r->time / G_USEC_PER_SEC);
  g_autofree char *clock = time ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("");
  const char *module = string_at (self, r->module);
  const char *extra = string_at (self, r->extra);
  g_autofree char *what = NULL;

  switch ((SluiceEventType) r->type)
    {
    case SLUICE_EVENT_RUN_STATE:
      what = extra ? g_strdup_printf (_("Run %s: %s"), sluice_run_state_to_string (r->state), extra)
                   : g_strdup_printf (_("Run %s"), sluice_run_state_to_string (r->state));
      break;
    case SLUICE_EVENT_MODULE_STARTED:
      what = g_strdup_printf (_("%s started item %" PRIu64), module, r->item);
      break;
    case SLUICE_EVENT_MODULE_FINISHED:
      what = g_strdup_printf (_("%s finished item %" PRIu64 " in %.1f ms: %u out"),
                              module, r->item, r->duration_ms, r->outputs);
      break;
    case SLUICE_EVENT_MODULE_FAILED:
      what = g_strdup_printf (_("%s failed on item %" PRIu64 " (attempt %u): %s"),
                              module, r->item, r->outputs, extra ? extra : "");
      break;
    case SLUICE_EVENT_ITEM_SUPERSEDED:
      what = g_strdup_printf (_("Item %" PRIu64 " of %s superseded"), r->item,
                              string_at (self, r->controller) ?: "");
      break;
    case SLUICE_EVENT_LOG:
      /* TRANSLATORS: what a module's Lua printed */
      what = g_strdup_printf (_("%s printed: %s"), module ? module : "", extra ? extra : "");
      break;
    case SLUICE_EVENT_GATE_PASSED:
      /* TRANSLATORS: a gate let an item through: "gate-x passed item 3: 2 checks" */
      what = g_strdup_printf (_("%s passed item %" PRIu64 ": %zu checks"), module ? module : "", r->item,
                              json_array_size (r->checks));
      break;
    case SLUICE_EVENT_GATE_FAILED:
      what = g_strdup_printf (_("%s stopped item %" PRIu64 ": %s"), module ? module : "", r->item, extra ? extra : "");
      break;
    case SLUICE_EVENT_STAGE_TRANSITION:
    default:
      what = g_strdup_printf (_("Stage %s → %s"), string_at (self, r->from) ?: "", extra ? extra : "");
      break;
    }
  return g_strdup_printf ("%s  %s", clock, what);
}

static GType
get_item_type (GListModel *model)
{
  return SLUICE_TYPE_RUN_LOG_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return SLUICE_RUN_LOG (model)->announced;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SluiceRunLog *self = SLUICE_RUN_LOG (model);
  SluiceRunLogRow *row;
  const Record *record;

  if (position >= self->announced)
    return NULL;
  record = &g_array_index (self->records, Record,
                           g_array_index (self->visible, guint32, self->announced - 1 - position));
  row = g_object_new (SLUICE_TYPE_RUN_LOG_ROW, NULL);
  row->text = describe (self, record);
  row->module = g_strdup (string_at (self, record->module));
  row->severity = record->severity;
  return row;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
sluice_run_log_finalize (GObject *object)
{
  SluiceRunLog *self = SLUICE_RUN_LOG (object);

  g_array_unref (self->records);
  g_array_unref (self->visible);
  g_hash_table_unref (self->string_ids);
  g_array_unref (self->module_strings);
  g_array_unref (self->controller_strings);
  g_ptr_array_unref (self->strings);
  g_free (self->filter_module_id);
  G_OBJECT_CLASS (sluice_run_log_parent_class)->finalize (object);
}

static void
sluice_run_log_class_init (SluiceRunLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_run_log_finalize;
}

static void
sluice_run_log_init (SluiceRunLog *self)
{
  self->records = g_array_new (FALSE, FALSE, sizeof (Record));
  g_array_set_clear_func (self->records, record_clear);
  self->visible = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->strings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->strings, NULL);
  self->string_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->module_strings = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->controller_strings = g_array_new (FALSE, TRUE, sizeof (guint32));
}

SluiceRunLog *
sluice_run_log_new (void)
{
  return g_object_new (SLUICE_TYPE_RUN_LOG, NULL);
}

guint64
sluice_run_log_get_seq (SluiceRunLog *self,
                        guint         index)
{
  g_return_val_if_fail (SLUICE_IS_RUN_LOG (self), 0);
  g_return_val_if_fail (index < self->records->len, 0);
  return g_array_index (self->records, Record, index).seq;
}
