/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-cron.h"
#include "sluice-node-private.h"
#include "sluice-schedule.h"
#include "sluice-time-zone.h"

struct _SluiceSchedule
{
  GObject          parent_instance;

  char            *cron;
  char            *timezone;
  SluiceTimescope  timescope;
  SluiceCatchUp    catch_up;
  SluiceOverlap    overlap;
  guint            line;

  /* Compiled from cron and timezone on first use; owned, dropped when
   * either changes. */
  SluiceCron      *compiled;
  GTimeZone       *tz;
};

G_DEFINE_FINAL_TYPE (SluiceSchedule, sluice_schedule, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CRON,
  PROP_TIMEZONE,
  PROP_TIMESCOPE,
  PROP_CATCH_UP,
  PROP_OVERLAP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const catch_up_names[] = { "none", "last", "all" };
static const char * const overlap_names[] = { "skip", "queue", "allow" };
static const char * const param_names[] = { "window_start", "window_end", "timescope", NULL };

static gboolean
enum_from_string (const char * const *names,
                  guint               n,
                  const char         *text,
                  guint              *value)
{
  for (guint i = 0; text != NULL && i < n; i++)
    if (g_str_equal (text, names[i]))
      {
        *value = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
sluice_catch_up_from_string (const char    *text,
                             SluiceCatchUp *value)
{
  guint v;

  if (!enum_from_string (catch_up_names, G_N_ELEMENTS (catch_up_names), text, &v))
    return FALSE;
  *value = (SluiceCatchUp) v;
  return TRUE;
}

const char *
sluice_catch_up_to_string (SluiceCatchUp value)
{
  g_return_val_if_fail (value < G_N_ELEMENTS (catch_up_names), NULL);
  return catch_up_names[value];
}

gboolean
sluice_overlap_from_string (const char    *text,
                            SluiceOverlap *value)
{
  guint v;

  if (!enum_from_string (overlap_names, G_N_ELEMENTS (overlap_names), text, &v))
    return FALSE;
  *value = (SluiceOverlap) v;
  return TRUE;
}

const char *
sluice_overlap_to_string (SluiceOverlap value)
{
  g_return_val_if_fail (value < G_N_ELEMENTS (overlap_names), NULL);
  return overlap_names[value];
}

const char * const *
sluice_schedule_param_names (void)
{
  return param_names;
}

static void
drop_compiled (SluiceSchedule *self)
{
  g_clear_pointer (&self->compiled, sluice_cron_free);
  g_clear_pointer (&self->tz, g_time_zone_unref);
}

static void
sluice_schedule_finalize (GObject *object)
{
  SluiceSchedule *self = SLUICE_SCHEDULE (object);

  drop_compiled (self);
  g_free (self->cron);
  g_free (self->timezone);

  G_OBJECT_CLASS (sluice_schedule_parent_class)->finalize (object);
}

static void
sluice_schedule_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SluiceSchedule *self = SLUICE_SCHEDULE (object);

  switch (prop_id)
    {
    case PROP_CRON:
      g_value_set_string (value, self->cron);
      break;
    case PROP_TIMEZONE:
      g_value_set_string (value, self->timezone);
      break;
    case PROP_TIMESCOPE:
      g_value_set_uint (value, self->timescope);
      break;
    case PROP_CATCH_UP:
      g_value_set_uint (value, self->catch_up);
      break;
    case PROP_OVERLAP:
      g_value_set_uint (value, self->overlap);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_schedule_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SluiceSchedule *self = SLUICE_SCHEDULE (object);

  switch (prop_id)
    {
    case PROP_CRON:
      sluice_schedule_set_cron (self, g_value_get_string (value));
      break;
    case PROP_TIMEZONE:
      sluice_schedule_set_timezone (self, g_value_get_string (value));
      break;
    case PROP_TIMESCOPE:
      sluice_schedule_set_timescope (self, g_value_get_uint (value));
      break;
    case PROP_CATCH_UP:
      sluice_schedule_set_catch_up (self, g_value_get_uint (value));
      break;
    case PROP_OVERLAP:
      sluice_schedule_set_overlap (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_schedule_class_init (SluiceScheduleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_schedule_finalize;
  object_class->get_property = sluice_schedule_get_property;
  object_class->set_property = sluice_schedule_set_property;

  properties[PROP_CRON] =
    g_param_spec_string ("cron", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEZONE] =
    g_param_spec_string ("timezone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESCOPE] =
    g_param_spec_uint ("timescope", NULL, NULL, 0, SLUICE_TIMESCOPE_MONTHLY, SLUICE_TIMESCOPE_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATCH_UP] =
    g_param_spec_uint ("catch-up", NULL, NULL, 0, SLUICE_CATCH_UP_ALL, SLUICE_CATCH_UP_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAP] =
    g_param_spec_uint ("overlap", NULL, NULL, 0, SLUICE_OVERLAP_ALLOW, SLUICE_OVERLAP_SKIP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_schedule_init (SluiceSchedule *self)
{
}

SluiceSchedule *
sluice_schedule_new (const char *cron)
{
  return g_object_new (SLUICE_TYPE_SCHEDULE, "cron", cron, NULL);
}

const char *
sluice_schedule_get_cron (SluiceSchedule *self)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), NULL);
  return self->cron;
}

void
sluice_schedule_set_cron (SluiceSchedule *self,
                          const char     *cron)
{
  g_return_if_fail (SLUICE_IS_SCHEDULE (self));

  if (sluice_set_string (&self->cron, cron))
    {
      drop_compiled (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CRON]);
    }
}

const char *
sluice_schedule_get_timezone (SluiceSchedule *self)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), NULL);
  return self->timezone;
}

void
sluice_schedule_set_timezone (SluiceSchedule *self,
                              const char     *timezone)
{
  g_return_if_fail (SLUICE_IS_SCHEDULE (self));

  if (sluice_set_string (&self->timezone, timezone))
    {
      drop_compiled (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEZONE]);
    }
}

#define DEFINE_ENUM_ACCESSORS(Type, name, PROP)                               \
  Type                                                                        \
  sluice_schedule_get_##name (SluiceSchedule *self)                           \
  {                                                                           \
    g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), 0);                      \
    return self->name;                                                        \
  }                                                                           \
                                                                              \
  void                                                                        \
  sluice_schedule_set_##name (SluiceSchedule *self,                           \
                              Type            value)                          \
  {                                                                           \
    g_return_if_fail (SLUICE_IS_SCHEDULE (self));                             \
                                                                              \
    if (self->name == value)                                                  \
      return;                                                                 \
    self->name = value;                                                       \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);             \
  }

DEFINE_ENUM_ACCESSORS (SluiceTimescope, timescope, PROP_TIMESCOPE)
DEFINE_ENUM_ACCESSORS (SluiceCatchUp, catch_up, PROP_CATCH_UP)
DEFINE_ENUM_ACCESSORS (SluiceOverlap, overlap, PROP_OVERLAP)

guint
sluice_schedule_get_line (SluiceSchedule *self)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), 0);
  return self->line;
}

void
sluice_schedule_set_line (SluiceSchedule *self,
                          guint           line)
{
  g_return_if_fail (SLUICE_IS_SCHEDULE (self));
  self->line = line;
}

static gboolean
compile (SluiceSchedule  *self,
         GError         **error)
{
  g_autoptr(SluiceCron) cron = NULL;
  g_autoptr(GTimeZone) tz = NULL;

  if (self->compiled != NULL)
    return TRUE;

  cron = sluice_cron_parse (self->cron != NULL ? self->cron : "", error);
  if (cron == NULL)
    return FALSE;
  if (!sluice_cron_can_fire (cron))
    {
      g_set_error (error, SLUICE_CRON_ERROR, 0,
                   _("cron `%s` never fires: no month has that day"), self->cron);
      return FALSE;
    }
  tz = sluice_time_zone_load (self->timezone, error);
  if (tz == NULL)
    return FALSE;

  self->compiled = g_steal_pointer (&cron);
  self->tz = g_steal_pointer (&tz);
  return TRUE;
}

gboolean
sluice_schedule_check (SluiceSchedule  *self,
                       GError         **error)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), FALSE);
  return compile (self, error);
}

gboolean
sluice_schedule_next (SluiceSchedule *self,
                      gint64          after,
                      gint64         *next)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), FALSE);

  return compile (self, NULL) && sluice_cron_next (self->compiled, self->tz, after, next);
}

gboolean
sluice_schedule_previous (SluiceSchedule *self,
                          gint64          at,
                          gint64         *previous)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), FALSE);

  return compile (self, NULL) && sluice_cron_previous (self->compiled, self->tz, at, previous);
}

gboolean
sluice_schedule_window (SluiceSchedule *self,
                        gint64          fire,
                        gint64         *start,
                        gint64         *end)
{
  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), FALSE);

  if (!compile (self, NULL))
    return FALSE;

  if (self->timescope != SLUICE_TIMESCOPE_NONE)
    {
      sluice_timescope_window (self->timescope, self->tz, fire, start, end);
      return TRUE;
    }

  /* Without a timescope the window is the cron interval that just ended
   * (Airflow's data interval); the first ever has no fire time before it
   * within the search span and then starts where it ends. */
  *end = fire;
  if (!sluice_cron_previous (self->compiled, self->tz, fire - 1, start))
    *start = fire;
  return TRUE;
}

char *
sluice_schedule_format_time (SluiceSchedule *self,
                             gint64          instant)
{
  g_autoptr(GTimeZone) utc = NULL;

  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), NULL);

  if (compile (self, NULL))
    return sluice_timescope_format_time (self->tz, instant);
  utc = g_time_zone_new_utc ();
  return sluice_timescope_format_time (utc, instant);
}

GHashTable *
sluice_schedule_window_params (SluiceSchedule *self,
                               gint64          fire)
{
  GHashTable *params;
  const char *timescope;
  gint64 start, end;

  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), NULL);

  if (!sluice_schedule_window (self, fire, &start, &end))
    return NULL;

  timescope = sluice_timescope_to_string (self->timescope);
  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (params, g_strdup ("window_start"), sluice_timescope_format_time (self->tz, start));
  g_hash_table_insert (params, g_strdup ("window_end"), sluice_timescope_format_time (self->tz, end));
  g_hash_table_insert (params, g_strdup ("timescope"), g_strdup (timescope != NULL ? timescope : ""));
  return params;
}

gboolean
sluice_schedule_fill_params (SluiceSchedule  *self,
                             GHashTable      *defines,
                             gint64           now,
                             GHashTable      *params,
                             GError         **error)
{
  g_autoptr(GHashTable) window = NULL;
  const char *start = defines != NULL ? g_hash_table_lookup (defines, "window_start") : NULL;
  const char *end = defines != NULL ? g_hash_table_lookup (defines, "window_end") : NULL;
  gint64 fire;

  g_return_val_if_fail (SLUICE_IS_SCHEDULE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if ((start == NULL) != (end == NULL) &&
      !g_hash_table_contains (params, start == NULL ? "window_start" : "window_end"))
    {
      g_set_error (error, SLUICE_CRON_ERROR, 0,
                   _("give -D window_start and -D window_end together (or neither, for the window of the last fire time)"));
      return FALSE;
    }
  for (const char *given = start; given != NULL; given = given == start ? end : NULL)
    {
      g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (given, NULL);

      if (parsed == NULL)
        {
          g_set_error (error, SLUICE_CRON_ERROR, 0,
                       _("window “%s” is not an ISO 8601 time with an offset (like 2026-11-27T13:00:00+01:00)"),
                       given);
          return FALSE;
        }
    }
  if (!compile (self, error))
    return FALSE;

  if (start == NULL && sluice_schedule_previous (self, now, &fire))
    window = sluice_schedule_window_params (self, fire);
  else if (start == NULL)
    {
      /* Never fired yet within the search span: the window up to now. */
      window = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (window, g_strdup ("window_start"), sluice_timescope_format_time (self->tz, now));
      g_hash_table_insert (window, g_strdup ("window_end"), sluice_timescope_format_time (self->tz, now));
      g_hash_table_insert (window, g_strdup ("timescope"),
                           g_strdup (self->timescope != SLUICE_TIMESCOPE_NONE
                                     ? sluice_timescope_to_string (self->timescope) : ""));
    }

  for (guint i = 0; param_names[i] != NULL; i++)
    {
      const char *value = defines != NULL ? g_hash_table_lookup (defines, param_names[i]) : NULL;

      if (g_hash_table_contains (params, param_names[i]))
        continue;
      if (value == NULL && window != NULL)
        value = g_hash_table_lookup (window, param_names[i]);
      if (value == NULL && g_str_equal (param_names[i], "timescope"))
        value = self->timescope != SLUICE_TIMESCOPE_NONE ? sluice_timescope_to_string (self->timescope) : "";
      g_hash_table_insert (params, g_strdup (param_names[i]), g_strdup (value));
    }
  return TRUE;
}
