/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE   /* strptime */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-item-to-change.h"
#include "sluice-json.h"
#include "sluice-number-text.h"
#include "sluice-tool-convert.h"
#include "sluice-tool-params.h"

/* The type converter: sets fields of each item to the type asked for
 * (int, float, bool, string, timestamp). Strict mode fails the item
 * naming the field and the value; lenient mode sets the field to null
 * and logs it (the first few, then a count at the end of the stream). */

#define LENIENT_LOG_LIMIT 10

typedef enum
{
  TYPE_INT,
  TYPE_FLOAT,
  TYPE_BOOL,
  TYPE_STRING,
  TYPE_TIMESTAMP,
} FieldType;

static const char * const type_names[] = { "int", "float", "bool", "string", "timestamp", NULL };

typedef struct
{
  char      *name;
  FieldType  type;
  int        previous;   /* the last field before with this name, or -1 */
} Field;

typedef enum { OUTPUT_ISO, OUTPUT_EPOCH, OUTPUT_EPOCH_MS } TimestampOutput;

struct _SluiceToolConvert
{
  SluiceStep        parent_instance;
  SluiceToolParams *params;
  GArray           *fields;        /* Field */
  gboolean          lenient;
  gboolean          empty_is_null;
  const char       *time_format;   /* NULL = ISO 8601 and friends; in params */
  GTimeZone        *zone;          /* owned */
  gboolean          zone_is_utc;
  TimestampOutput   output;
  guint64           nulled;        /* lenient conversions so far (atomic: workers) */
};

G_DEFINE_FINAL_TYPE (SluiceToolConvert, sluice_tool_convert, SLUICE_TYPE_STEP)

static const char * const modes[] = { "strict", "lenient", NULL };
static const char * const outputs[] = { "iso8601", "epoch", "epoch-ms", NULL };

static const SluiceToolParamInfo convert_params[] = {
  { "fields", N_("Fields and their types, as name:type separated by commas or new lines; types: int, float, bool, string, timestamp"), TRUE,
    SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "mode", N_("strict: a value that does not convert fails the item; lenient: it becomes null, with a log line"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "strict", modes },
  { "empty-is-null", N_("An empty string becomes null instead of failing to convert"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "timestamp-format", N_("How timestamps are written in the input (strptime: %Y-%m-%d %H:%M:%S); empty for ISO 8601"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "timezone", N_("The zone of timestamps that do not say theirs (an IANA name such as Europe/Paris, or UTC)"), FALSE,
    SLUICE_TOOL_PARAM_STRING, "UTC", NULL },
  { "timestamp-output", N_("Timestamps become ISO 8601 in UTC, or seconds or milliseconds since 1970"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "iso8601", outputs },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo convert_info = {
  "convert",
  N_("Convert Types"),
  N_("Converts fields to int, float, bool, string or timestamp; strict or lenient"),
  convert_params,
  "<execution id=\"types\">\n"
  "  <use tool=\"convert\">\n"
  "    <param name=\"fields\">id:int, price:float, paid:bool, sold_at:timestamp</param>\n"
  "    <param name=\"timestamp-format\">%d/%m/%Y %H:%M</param>\n"
  "    <param name=\"timezone\">Europe/Paris</param>\n"
  "  </use>\n"
  "</execution>",
};

/* "a:int, b:float" → fields; FALSE with a sentence in @why. */
static gboolean
parse_fields (const char  *text,
              GArray      *fields,
              char       **why)
{
  g_auto(GStrv) parts = g_regex_split_simple ("[,\\n]", text, 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *colon = strrchr (part, ':');
      Field field = { 0 };
      gboolean known = FALSE;

      if (*part == '\0')
        continue;
      if (colon == NULL || colon == part)
        {
          *why = g_strdup_printf (_("`%s` is not name:type"), part);
          return FALSE;
        }
      *colon = '\0';
      for (guint t = 0; type_names[t] != NULL && !known; t++)
        if (g_str_equal (g_strstrip (colon + 1), type_names[t]))
          {
            field.type = t;
            known = TRUE;
          }
      if (!known)
        {
          *why = g_strdup_printf (_("`%s` is not a type (int, float, bool, string, timestamp)"), g_strstrip (colon + 1));
          return FALSE;
        }
      field.name = g_strdup (g_strstrip (part));
      field.previous = -1;
      for (guint k = 0; k < fields->len; k++)
        if (g_str_equal (g_array_index (fields, Field, k).name, field.name))
          field.previous = k;
      g_array_append_val (fields, field);
    }

  if (fields->len == 0)
    {
      *why = g_strdup (_("no field to convert"));
      return FALSE;
    }
  return TRUE;
}

static void
clear_field (Field *field)
{
  g_free (field->name);
}

static void
sluice_tool_convert_check (SluiceStepClass *klass,
                           SluiceModule    *module,
                           SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  GPtrArray *params = sluice_execution_get_tool_params (execution);

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);
      g_autoptr(GArray) fields = NULL;
      g_autofree char *why = NULL;

      if (!g_str_equal (param->name, "fields") || param->value == NULL || strstr (param->value, "${") != NULL)
        continue;
      fields = g_array_new (FALSE, TRUE, sizeof (Field));
      g_array_set_clear_func (fields, (GDestroyNotify) clear_field);
      if (!parse_fields (param->value, fields, &why))
        sluice_step_check_report (check, SLUICE_SEVERITY_ERROR,
                                  param->line ? param->line : sluice_node_get_line (SLUICE_NODE (module)),
                                  _("module `%s`: tool `convert`: %s"),
                                  sluice_node_get_id (SLUICE_NODE (module)), why);
    }
}

static gboolean
sluice_tool_convert_prepare (SluiceStep         *step,
                             SluiceModule       *module,
                             SluiceStepContext  *context,
                             GError            **error)
{
  SluiceToolConvert *self = SLUICE_TOOL_CONVERT (step);
  g_autofree char *why = NULL;
  const char *zone, *output, *format;

  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;

  if (!parse_fields (sluice_tool_params_get (self->params, "fields"), self->fields, &why))
    {
      sluice_tool_params_set_error (self->params, error, "fields", "%s", why);
      return FALSE;
    }
  self->lenient = g_strcmp0 (sluice_tool_params_get (self->params, "mode"), "lenient") == 0;
  self->empty_is_null = sluice_tool_params_get_bool (self->params, "empty-is-null");
  format = sluice_tool_params_get (self->params, "timestamp-format");
  self->time_format = format != NULL && *format != '\0' ? format : NULL;
  output = sluice_tool_params_get (self->params, "timestamp-output");
  self->output = g_strcmp0 (output, "epoch") == 0 ? OUTPUT_EPOCH :
                 g_strcmp0 (output, "epoch-ms") == 0 ? OUTPUT_EPOCH_MS : OUTPUT_ISO;

  zone = sluice_tool_params_get (self->params, "timezone");
  self->zone = g_time_zone_new_identifier (zone);
  if (self->zone == NULL)
    {
      sluice_tool_params_set_error (self->params, error, "timezone", "unknown time zone “%s”", zone);
      return FALSE;
    }
  self->zone_is_utc = g_ascii_strcasecmp (zone, "UTC") == 0 || g_strcmp0 (zone, "Z") == 0;
  return TRUE;
}

/* ---- conversions: NULL on success, else why not */

static gboolean
string_to_int (const char *text,
               json_int_t *result)
{
  char *end;

  errno = 0;
  *result = strtoll (text, &end, 10);
  if (errno == 0 && end != text && *end == '\0' && !g_ascii_isspace (*text))
    return TRUE;

  /* "12.0" and "1e3" are whole numbers too. */
  {
    double d = g_ascii_strtod (text, &end);

    if (end != text && *end == '\0' && isfinite (d) && d == floor (d) && fabs (d) < 9.2e18)
      {
        *result = (json_int_t) d;
        return TRUE;
      }
  }
  return FALSE;
}

static json_t *
to_int (json_t *value)
{
  json_int_t i;

  if (json_is_integer (value))
    return json_incref (value);
  if (json_is_real (value))
    {
      double d = json_real_value (value);
      return d == floor (d) && fabs (d) < 9.2e18 ? json_integer ((json_int_t) d) : NULL;
    }
  if (json_is_boolean (value))
    return json_integer (json_is_true (value));
  if (json_is_string (value))
    {
      g_autofree char *text = NULL;
      gint64 plain;

      if (sluice_number_text_int (json_string_value (value), json_string_length (value), &plain))
        return json_integer (plain);
      text = g_strstrip (g_strdup (json_string_value (value)));
      return string_to_int (text, &i) ? json_integer (i) : NULL;
    }
  return NULL;
}

static json_t *
to_float (json_t *value)
{
  if (json_is_number (value))
    return json_real (json_number_value (value));
  if (json_is_string (value))
    {
      g_autofree char *text = NULL;
      char *end;
      double d;

      if (sluice_number_text_real (json_string_value (value), json_string_length (value), &d))
        return json_real (d);
      text = g_strstrip (g_strdup (json_string_value (value)));
      errno = 0;
      d = g_ascii_strtod (text, &end);
      /* JSON has no infinities and no NaN. */
      if (end != text && *end == '\0' && errno == 0 && isfinite (d))
        return json_real (d);
    }
  return NULL;
}

static json_t *
to_bool (json_t *value)
{
  gboolean b;

  if (json_is_boolean (value))
    return json_incref (value);
  if (json_is_integer (value) && (json_integer_value (value) == 0 || json_integer_value (value) == 1))
    return json_boolean (json_integer_value (value));
  if (json_is_string (value))
    {
      const char *plain = json_string_value (value);
      g_autofree char *text = NULL;

      /* Without spaces around it (the usual case), as it is. */
      if (plain[0] != '\0' && !g_ascii_isspace (plain[0]) &&
          !g_ascii_isspace (plain[json_string_length (value) - 1]))
        return sluice_tool_param_parse_bool (plain, &b) ? json_boolean (b) : NULL;
      text = g_strstrip (g_strdup (plain));
      if (sluice_tool_param_parse_bool (text, &b))
        return json_boolean (b);
    }
  return NULL;
}

static json_t *
to_string (json_t *value)
{
  if (json_is_string (value))
    return json_incref (value);
  if (json_is_boolean (value))
    return json_string (json_is_true (value) ? "true" : "false");
  if (json_is_integer (value))
    {
      char buffer[32];

      g_snprintf (buffer, sizeof buffer, "%" JSON_INTEGER_FORMAT, json_integer_value (value));
      return json_string (buffer);
    }
  if (json_is_real (value))
    {
      char buffer[SLUICE_JSON_REAL_BUF_SIZE];

      sluice_json_format_real (json_real_value (value), buffer);
      return json_string (buffer);
    }
  /* Objects and arrays become their JSON text. */
  {
    g_autofree char *text = sluice_json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS);
    return text != NULL ? json_string (text) : NULL;
  }
}

static GDateTime *
parse_time (SluiceToolConvert *self,
            const char        *text)
{
  struct tm tm = { 0 };
  const char *end;

  if (self->time_format == NULL)
    {
      g_autofree char *iso = g_strdup (text);
      GDateTime *time;

      /* "2024-01-05 10:00:00" is ISO 8601 to most people. */
      if (strlen (iso) > 10 && iso[10] == ' ')
        iso[10] = 'T';
      time = g_date_time_new_from_iso8601 (iso, self->zone);
      if (time == NULL && strlen (iso) == 10)
        {
          g_autofree char *midnight = g_strconcat (iso, "T00:00:00", NULL);
          time = g_date_time_new_from_iso8601 (midnight, self->zone);
        }
      return time;
    }

  tm.tm_mday = 1;
  end = strptime (text, self->time_format, &tm);
  if (end == NULL || *end != '\0')
    return NULL;
  return g_date_time_new (self->zone, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static gboolean
two_digits (const char *text,
            int         low,
            int         high,
            int        *result)
{
  if (!g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]))
    return FALSE;
  *result = (text[0] - '0') * 10 + (text[1] - '0');
  return *result >= low && *result <= high;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  int y = year - (month <= 2);
  int era = y / 400;
  int yoe = y - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return (gint64) era * 146097 + doe - 719468;
}

/* The common case without GDateTime: "YYYY-MM-DDTHH:MM:SS" (or a space
 * for the T), optionally with Z, in UTC, in ISO 8601 output: the text is
 * already what we would write. Anything else (other zones, fractions,
 * offsets, formats) returns NULL and takes the general way. */
static json_t *
utc_timestamp_fast (SluiceToolConvert *self,
                    json_t            *value)
{
  static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  const char *text;
  gsize length;
  int year, century, month, day, hour, minute, second;
  char out[21];

  if (!self->zone_is_utc || self->time_format != NULL || !json_is_string (value))
    return NULL;
  text = json_string_value (value);
  length = json_string_length (value);
  if ((length != 19 && !(length == 20 && text[19] == 'Z')) ||
      text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':' ||
      !two_digits (text, 10, 99, &century) || !two_digits (text + 2, 0, 99, &year) ||
      !two_digits (text + 5, 1, 12, &month) || !two_digits (text + 8, 1, 31, &day) ||
      !two_digits (text + 11, 0, 23, &hour) || !two_digits (text + 14, 0, 59, &minute) ||
      !two_digits (text + 17, 0, 59, &second))
    return NULL;
  year += century * 100;
  if (day > month_days[month - 1] ||
      (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))))
    return NULL;

  switch (self->output)
    {
    case OUTPUT_EPOCH:
    case OUTPUT_EPOCH_MS:
      {
        gint64 seconds = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second;

        return json_integer (self->output == OUTPUT_EPOCH ? seconds : seconds * 1000);
      }
    case OUTPUT_ISO:
    default:
      memcpy (out, text, 19);
      out[10] = 'T';
      out[19] = 'Z';
      out[20] = '\0';
      return json_stringn_nocheck (out, 20);
    }
}

static json_t *
to_timestamp (SluiceToolConvert *self,
              json_t            *value)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) utc = NULL;
  json_t *fast = utc_timestamp_fast (self, value);

  if (fast != NULL)
    return fast;
  if (json_is_number (value))
    {
      /* Seconds since 1970. */
      double seconds = json_number_value (value);
      time = g_date_time_new_from_unix_utc ((gint64) floor (seconds));
      if (time != NULL && seconds != floor (seconds))
        {
          GDateTime *exact = g_date_time_add (time, (GTimeSpan) ((seconds - floor (seconds)) * G_USEC_PER_SEC));
          g_date_time_unref (time);
          time = exact;
        }
    }
  else if (json_is_string (value))
    {
      g_autofree char *text = g_strstrip (g_strdup (json_string_value (value)));
      time = parse_time (self, text);
    }
  if (time == NULL)
    return NULL;

  switch (self->output)
    {
    case OUTPUT_EPOCH:
      return json_integer (g_date_time_to_unix (time));
    case OUTPUT_EPOCH_MS:
      return json_integer (g_date_time_to_unix (time) * 1000 + g_date_time_get_microsecond (time) / 1000);
    case OUTPUT_ISO:
    default:
      {
        g_autofree char *text = NULL;

        utc = g_date_time_to_utc (time);
        text = g_date_time_get_microsecond (utc) != 0 ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ")
                                                      : g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
        return json_string (text);
      }
    }
}

static json_t *
convert_value (SluiceToolConvert *self,
               FieldType          type,
               json_t            *value)
{
  switch (type)
    {
    case TYPE_INT:       return to_int (value);
    case TYPE_FLOAT:     return to_float (value);
    case TYPE_BOOL:      return to_bool (value);
    case TYPE_STRING:    return to_string (value);
    case TYPE_TIMESTAMP: return to_timestamp (self, value);
    default:             return NULL;
    }
}

/* A value for messages: short, and its JSON form. */
static char *
show_value (json_t *value)
{
  g_autofree char *text = sluice_json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);

  if (text == NULL)
    return g_strdup ("?");
  if (strlen (text) > 80)
    return g_strdup_printf ("%.77s…", text);
  return g_steal_pointer (&text);
}

/* What @field's value becomes: NULL when it stays as it is (missing or
 * null), else a new reference; FALSE (strict mode) with @message. */
static gboolean
convert_field (SluiceToolConvert  *self,
               const Field        *field,
               json_t             *value,
               json_t            **result,
               char              **message)
{
  g_autofree char *shown = NULL;

  *result = NULL;
  /* Missing and null stay so: there is nothing to convert. */
  if (value == NULL || json_is_null (value))
    return TRUE;
  if (self->empty_is_null && field->type != TYPE_STRING &&
      json_is_string (value) && json_string_length (value) == 0)
    {
      *result = json_null ();
      return TRUE;
    }
  *result = convert_value (self, field->type, value);
  if (*result != NULL)
    return TRUE;

  shown = show_value (value);
  *message = g_strdup_printf ("field “%s”: cannot convert %s to %s", field->name, shown, type_names[field->type]);
  if (!self->lenient)
    return FALSE;
  if (__atomic_add_fetch (&self->nulled, 1, __ATOMIC_RELAXED) <= LENIENT_LOG_LIMIT)
    {
      g_autofree char *line = g_strdup_printf ("%s; set to null", *message);
      sluice_step_context_log (sluice_step_get_context (SLUICE_STEP (self)), sluice_step_get_id (SLUICE_STEP (self)), line);
    }
  g_clear_pointer (message, g_free);
  *result = json_null ();
  return TRUE;
}

/* Every field is converted first, then set: a value that fails (strict)
 * fails the item before anything changed, so the item itself can be
 * changed and emitted when no one else holds it (no copy). */
static void
sluice_tool_convert_process (SluiceStep     *step,
                             SluiceStepCall *call)
{
  SluiceToolConvert *self = SLUICE_TOOL_CONVERT (step);
  guint n = self->fields->len;
  json_t *on_stack[16];
  void *places_on_stack[16];
  json_t **results = n <= G_N_ELEMENTS (on_stack) ? on_stack : g_new (json_t *, n);
  void **places = n <= G_N_ELEMENTS (places_on_stack) ? places_on_stack : g_new (void *, n);
  json_t *item;

  for (guint i = 0; i < n; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);
      g_autofree char *message = NULL;
      int previous = field->previous;
      json_t *value;

      /* A field named twice converts what the conversion before gave. */
      while (previous >= 0 && results[previous] == NULL)
        previous = g_array_index (self->fields, Field, previous).previous;
      /* Where the field is in the item: found once, set there. */
      places[i] = json_object_iter_at (call->item, field->name);
      value = previous >= 0 ? results[previous] : json_object_iter_value (places[i]);
      if (!convert_field (self, field, value, &results[i], &message))
        {
          for (guint k = 0; k < i; k++)
            if (results[k] != NULL)
              json_decref (results[k]);
          if (results != on_stack)
            g_free (results);
          if (places != places_on_stack)
            g_free (places);
          sluice_step_call_fail (call, message, NULL);
          return;
        }
    }

  /* The places are the call's item's: a copy is set by name. */
  item = sluice_item_to_change (call);
  for (guint i = 0; i < n; i++)
    {
      if (results[i] == NULL)
        continue;
      if (item == call->item)
        json_object_iter_set_new (item, places[i], results[i]);
      else
        json_object_set_new_nocheck (item, g_array_index (self->fields, Field, i).name, results[i]);
    }
  if (results != on_stack)
    g_free (results);
  if (places != places_on_stack)
    g_free (places);

  sluice_step_call_emit (call, item);
  sluice_step_call_finish (call);
}

/* The count of values set to null, once the stream is through. */
static void
sluice_tool_convert_flush (SluiceStep     *step,
                           SluiceStepCall *call)
{
  SluiceToolConvert *self = SLUICE_TOOL_CONVERT (step);

  if (self->nulled > 0)
    {
      g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%llu value did not convert and was set to null",
                                                            "%llu values did not convert and were set to null",
                                                            self->nulled),
                                               (unsigned long long) self->nulled);
      sluice_step_context_log (sluice_step_get_context (step), sluice_step_get_id (step), line);
    }
  sluice_step_call_finish (call);
}

static void
sluice_tool_convert_finalize (GObject *object)
{
  SluiceToolConvert *self = SLUICE_TOOL_CONVERT (object);

  g_clear_pointer (&self->params, sluice_tool_params_free);
  g_array_unref (self->fields);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  G_OBJECT_CLASS (sluice_tool_convert_parent_class)->finalize (object);
}

static void
sluice_tool_convert_class_init (SluiceToolConvertClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_convert_finalize;
  step_class->info = &convert_info;
  step_class->check = sluice_tool_convert_check;
  step_class->prepare = sluice_tool_convert_prepare;
  step_class->process = sluice_tool_convert_process;
  step_class->flush = sluice_tool_convert_flush;
}

static void
sluice_tool_convert_init (SluiceToolConvert *self)
{
  self->fields = g_array_new (FALSE, TRUE, sizeof (Field));
  g_array_set_clear_func (self->fields, (GDestroyNotify) clear_field);
}
