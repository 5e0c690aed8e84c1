/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-civil-time.h"
#include "sluice-cron.h"

G_DEFINE_QUARK (sluice-cron-error-quark, sluice_cron_error)

/* How far the next or previous fire time is looked for: Feb 29 comes at
 * least every eight years (2096 → 2104). */
#define SEARCH_YEARS 9

/* Daylight-saving shifts are at most a few hours: wall-clock times this
 * far around the answer are compared, so that a repeated hour is seen. */
#define DST_MARGIN (3 * 3600)

typedef enum
{
  FIELD_MINUTE,
  FIELD_HOUR,
  FIELD_DAY_OF_MONTH,
  FIELD_MONTH,
  FIELD_DAY_OF_WEEK,
  N_FIELDS
} Field;

typedef struct
{
  const char *name;
  int         min;
  int         max;
  const char *names[12];   /* for month and day of week */
} FieldInfo;

static const FieldInfo fields[N_FIELDS] = {
  { N_("minute"), 0, 59, { NULL } },
  { N_("hour"), 0, 23, { NULL } },
  { N_("day-of-month"), 1, 31, { NULL } },
  { N_("month"), 1, 12,
    { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" } },
  /* 7 is Sunday too; stored as 0. */
  { N_("day-of-week"), 0, 7, { "sun", "mon", "tue", "wed", "thu", "fri", "sat" } },
};

struct _SluiceCron
{
  guint64  bits[N_FIELDS];   /* bit n set: value n matches */
  gboolean day_of_month_star;
  gboolean day_of_week_star;
};

static const struct
{
  const char *macro;
  const char *expansion;
} macros[] = {
  { "@yearly", "0 0 1 1 *" },
  { "@annually", "0 0 1 1 *" },
  { "@monthly", "0 0 1 * *" },
  { "@weekly", "0 0 * * 0" },
  { "@daily", "0 0 * * *" },
  { "@midnight", "0 0 * * *" },
  { "@hourly", "0 * * * *" },
};

typedef struct
{
  Field       field;
  const char *text;     /* the whole field, for messages */
  GError    **error;
} FieldParse;

static gboolean field_error (FieldParse *parse,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
field_error (FieldParse *parse,
             const char *format,
             ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (parse->error, SLUICE_CRON_ERROR, 0, _("%s field `%s`: %s"),
               _(fields[parse->field].name), parse->text, detail);
  return FALSE;
}

/* A character for a message: a whole UTF-8 character, or its byte. */
static char *
describe_char (const char *p)
{
  gunichar c = g_utf8_get_char_validated (p, -1);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("\\x%02X", (guchar) *p);
  if (g_unichar_isprint (c))
    return g_strdup_printf ("“%.*s”", (int) (g_utf8_next_char (p) - p), p);
  return g_strdup_printf ("U+%04X", c);
}

/* A number or, for months and weekdays, a name. Advances *p. */
static gboolean
parse_value (FieldParse  *parse,
             const char **p,
             int         *value)
{
  const FieldInfo *info = &fields[parse->field];
  const char *start = *p;

  if (g_ascii_isdigit (**p))
    {
      gint64 number = 0;

      while (g_ascii_isdigit (**p))
        {
          /* Stop growing long before overflow; the range check says why. */
          if (number < 1000000)
            number = number * 10 + (**p - '0');
          (*p)++;
        }
      if (number < info->min || number > info->max)
        return field_error (parse, _("%.*s is out of range (%d–%d)"),
                            (int) (*p - start), start, info->min, info->max);
      *value = (int) number;
      return TRUE;
    }

  if (g_ascii_isalpha (**p))
    {
      while (g_ascii_isalpha (**p))
        (*p)++;
      for (guint i = 0; i < G_N_ELEMENTS (info->names) && info->names[i] != NULL; i++)
        if (*p - start == 3 && g_ascii_strncasecmp (start, info->names[i], 3) == 0)
          {
            *value = info->min + (int) i;
            if (parse->field == FIELD_DAY_OF_WEEK)
              *value = (int) i;
            return TRUE;
          }
      if (info->names[0] == NULL)
        return field_error (parse, _("`%.*s` is not a number"), (int) (*p - start), start);
      return field_error (parse, _("`%.*s` is not a %s name (use %s–%s)"),
                          (int) (*p - start), start,
                          parse->field == FIELD_MONTH ? _("month") : _("weekday"),
                          info->names[0],
                          info->names[parse->field == FIELD_MONTH ? 11 : 6]);
    }

  if (**p == '\0' || **p == ',' || **p == '/' || **p == '-')
    {
      if (**p == '-' && *p == start && g_ascii_isdigit ((*p)[1]))
        return field_error (parse, _("negative values are not allowed"));
      return field_error (parse, _("a value is missing"));
    }

  {
    g_autofree char *what = describe_char (*p);
    return field_error (parse, _("unexpected character %s"), what);
  }
}

static gboolean
parse_step (FieldParse  *parse,
            const char **p,
            int         *step)
{
  const FieldInfo *info = &fields[parse->field];
  const char *start = *p;
  gint64 number = 0;

  if (!g_ascii_isdigit (**p))
    {
      if (**p == '-')
        return field_error (parse, _("a step must be at least 1"));
      return field_error (parse, _("`/` must be followed by a step (a number)"));
    }
  while (g_ascii_isdigit (**p))
    {
      if (number < 1000000)
        number = number * 10 + (**p - '0');
      (*p)++;
    }
  if (number < 1)
    return field_error (parse, _("a step must be at least 1"));
  if (number > info->max)
    return field_error (parse, _("step %.*s is larger than the field's range (%d–%d)"),
                        (int) (*p - start), start, info->min, info->max);
  *step = (int) number;
  return TRUE;
}

/* One list element: `*`, `N`, `N-M`, each with an optional `/STEP`. */
static gboolean
parse_element (FieldParse  *parse,
               const char **p,
               guint64     *bits)
{
  const FieldInfo *info = &fields[parse->field];
  int low = info->min;
  int high = info->max;
  int step = 1;
  gboolean single = FALSE;

  if (**p == '*')
    (*p)++;
  else
    {
      if (!parse_value (parse, p, &low))
        return FALSE;
      if (**p == '-')
        {
          (*p)++;
          if (!parse_value (parse, p, &high))
            return FALSE;
          if (high < low)
            return field_error (parse, _("the range %d-%d goes backwards"), low, high);
        }
      else
        single = TRUE;
    }

  if (**p == '/')
    {
      (*p)++;
      if (!parse_step (parse, p, &step))
        return FALSE;
      single = FALSE;   /* `N/STEP` runs from N to the maximum */
    }
  else if (single)
    high = low;

  if (**p != '\0' && **p != ',')
    {
      g_autofree char *what = describe_char (*p);
      return field_error (parse, _("unexpected character %s"), what);
    }

  for (int v = low; v <= high; v += step)
    *bits |= G_GUINT64_CONSTANT (1) << (parse->field == FIELD_DAY_OF_WEEK && v == 7 ? 0 : v);
  return TRUE;
}

static gboolean
parse_field (Field        field,
             const char  *text,
             guint64     *bits,
             GError     **error)
{
  FieldParse parse = { field, text, error };
  const char *p = text;

  *bits = 0;
  for (;;)
    {
      if (*p == ',' || *p == '\0')
        return field_error (&parse, _("a list element is empty"));
      if (!parse_element (&parse, &p, bits))
        return FALSE;
      if (*p == '\0')
        return TRUE;
      p++;   /* the comma */
    }
}

static const char *
expand_macro (const char  *text,
              GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (macros); i++)
    if (g_ascii_strcasecmp (text, macros[i].macro) == 0)
      return macros[i].expansion;

  g_set_error (error, SLUICE_CRON_ERROR, 0,
               _("unknown cron macro `%s` (use @yearly, @monthly, @weekly, @daily or @hourly)"),
               text);
  return NULL;
}

SluiceCron *
sluice_cron_parse (const char  *text,
                   GError     **error)
{
  g_autofree char *stripped = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autofree SluiceCron *cron = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > SLUICE_CRON_MAX_LENGTH)
    {
      g_set_error (error, SLUICE_CRON_ERROR, 0,
                   _("the cron expression is longer than %d characters"), SLUICE_CRON_MAX_LENGTH);
      return NULL;
    }

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      g_set_error (error, SLUICE_CRON_ERROR, 0, _("the cron expression is empty"));
      return NULL;
    }
  if (*stripped == '@')
    {
      const char *expansion = expand_macro (stripped, error);

      return expansion != NULL ? sluice_cron_parse (expansion, error) : NULL;
    }

  /* Fields are separated by spaces or tabs, any number of them. */
  g_strdelimit (stripped, "\t", ' ');
  parts = g_strsplit (stripped, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (words, parts[i]);

  if (words->len != N_FIELDS)
    {
      g_set_error (error, SLUICE_CRON_ERROR, 0,
                   _("a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
                     "this one has %u"), words->len);
      return NULL;
    }

  cron = g_new0 (SluiceCron, 1);
  for (guint i = 0; i < N_FIELDS; i++)
    if (!parse_field ((Field) i, g_ptr_array_index (words, i), &cron->bits[i], error))
      return NULL;

  cron->day_of_month_star = *(const char *) g_ptr_array_index (words, FIELD_DAY_OF_MONTH) == '*';
  cron->day_of_week_star = *(const char *) g_ptr_array_index (words, FIELD_DAY_OF_WEEK) == '*';

  return g_steal_pointer (&cron);
}

SluiceCron *
sluice_cron_copy (const SluiceCron *cron)
{
  g_return_val_if_fail (cron != NULL, NULL);
  return g_memdup2 (cron, sizeof *cron);
}

void
sluice_cron_free (SluiceCron *cron)
{
  g_free (cron);
}

static gboolean
has_bit (guint64 bits,
         int     n)
{
  return (bits >> n) & 1;
}

gboolean
sluice_cron_is_interval (const SluiceCron *cron)
{
  g_return_val_if_fail (cron != NULL, FALSE);
  return cron->bits[FIELD_HOUR] == (G_GUINT64_CONSTANT (1) << 24) - 1;
}

gboolean
sluice_cron_can_fire (const SluiceCron *cron)
{
  g_return_val_if_fail (cron != NULL, FALSE);

  /* With day of week restricting too (or alone), some day always comes. */
  if (!cron->day_of_week_star || cron->day_of_month_star)
    return TRUE;

  for (int month = 1; month <= 12; month++)
    {
      /* A leap year gives February its longest length. */
      int longest = sluice_civil_days_in_month (2000, month);

      if (!has_bit (cron->bits[FIELD_MONTH], month))
        continue;
      for (int day = 1; day <= longest; day++)
        if (has_bit (cron->bits[FIELD_DAY_OF_MONTH], day))
          return TRUE;
    }
  return FALSE;
}

static gboolean
day_matches (const SluiceCron *cron,
             int               day,
             int               weekday)
{
  gboolean by_month = has_bit (cron->bits[FIELD_DAY_OF_MONTH], day);
  gboolean by_week = has_bit (cron->bits[FIELD_DAY_OF_WEEK], weekday);

  if (cron->day_of_month_star || cron->day_of_week_star)
    return by_month && by_week;
  return by_month || by_week;
}

gboolean
sluice_cron_matches (const SluiceCron *cron,
                     int               month,
                     int               day,
                     int               weekday,
                     int               hour,
                     int               minute)
{
  g_return_val_if_fail (cron != NULL, FALSE);

  return has_bit (cron->bits[FIELD_MONTH], month) &&
         day_matches (cron, day, weekday) &&
         has_bit (cron->bits[FIELD_HOUR], hour) &&
         has_bit (cron->bits[FIELD_MINUTE], minute);
}

/* The first matching wall-clock minute at or after @civil (rounded up to
 * a whole minute), before the year @until. */
static gboolean
next_civil_match (const SluiceCron *cron,
                  gint64            civil,
                  int               until,
                  gint64           *match)
{
  SluiceCivil c;

  civil = (civil + 59) / 60 * 60 - (civil < 0 && civil % 60 != 0 ? 60 : 0);
  sluice_civil_split (civil, &c);

  while (c.year < until)
    {
      if (!has_bit (cron->bits[FIELD_MONTH], c.month))
        {
          civil = c.month == 12 ? sluice_civil_join (c.year + 1, 1, 1, 0, 0, 0)
                                : sluice_civil_join (c.year, c.month + 1, 1, 0, 0, 0);
        }
      else if (!day_matches (cron, c.day, c.weekday))
        civil = sluice_civil_join (c.year, c.month, c.day, 0, 0, 0) + 86400;
      else if (!has_bit (cron->bits[FIELD_HOUR], c.hour))
        civil = sluice_civil_join (c.year, c.month, c.day, c.hour, 0, 0) + 3600;
      else if (!has_bit (cron->bits[FIELD_MINUTE], c.minute))
        civil += 60;
      else
        {
          *match = civil;
          return TRUE;
        }
      sluice_civil_split (civil, &c);
    }
  return FALSE;
}

/* The instants at which the matching wall-clock time @civil fires, per
 * the daylight-saving rules in the header. */
static guint
fire_instants (const SluiceCron *cron,
               GTimeZone        *tz,
               gint64            civil,
               gint64            instants[2])
{
  guint n = sluice_civil_to_instants (tz, civil, instants);
  gboolean interval = sluice_cron_is_interval (cron);

  if (n == 0 && !interval)
    {
      instants[0] = sluice_civil_gap_end (tz, civil);
      return 1;
    }
  if (n == 2 && !interval)
    return 1;
  return n;
}

gboolean
sluice_cron_next (const SluiceCron *cron,
                  GTimeZone        *tz,
                  gint64            after,
                  gint64           *next)
{
  gint64 civil_after;
  gint64 civil;
  gint64 best = G_MAXINT64;
  gint64 best_civil = 0;
  SluiceCivil start;

  g_return_val_if_fail (cron != NULL, FALSE);
  g_return_val_if_fail (tz != NULL, FALSE);
  g_return_val_if_fail (next != NULL, FALSE);

  civil_after = sluice_civil_from_instant (tz, after);
  sluice_civil_split (civil_after, &start);

  /* Most of the time no offset change is near: the wall clock and real
   * time then map one to one, and the first match is the answer. */
  {
    int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, after - DST_MARGIN);
    gint64 match;

    if (interval >= 0 &&
        next_civil_match (cron, civil_after + 1, start.year + SEARCH_YEARS, &match))
      {
        gint64 instant = match - g_time_zone_get_offset (tz, interval);

        if (g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant + DST_MARGIN) == interval)
          {
            *next = instant;
            return TRUE;
          }
      }
  }

  /* Near a change, wall-clock times before @after's own can still come
   * after it when the clock goes back: start a margin earlier, and keep
   * looking a margin past the first answer, keeping the earliest instant. */
  civil = civil_after - DST_MARGIN;

  for (;;)
    {
      gint64 match;
      gint64 instants[2];
      guint n;

      if (!next_civil_match (cron, civil, start.year + SEARCH_YEARS, &match))
        break;
      if (best != G_MAXINT64 && match > best_civil + DST_MARGIN)
        break;

      n = fire_instants (cron, tz, match, instants);
      for (guint i = 0; i < n; i++)
        if (instants[i] > after && instants[i] < best)
          {
            best = instants[i];
            best_civil = sluice_civil_from_instant (tz, best);
          }
      civil = match + 60;
    }

  if (best == G_MAXINT64)
    return FALSE;
  *next = best;
  return TRUE;
}

gboolean
sluice_cron_previous (const SluiceCron *cron,
                      GTimeZone        *tz,
                      gint64            at,
                      gint64           *previous)
{
  /* Widening windows: dense schedules are found in the first, sparse
   * ones take few steps in the wide ones. */
  static const gint64 spans[] = {
    3600, 86400, 32 * 86400, 367 * 86400, SEARCH_YEARS * G_GINT64_CONSTANT (366) * 86400,
  };

  g_return_val_if_fail (cron != NULL, FALSE);
  g_return_val_if_fail (tz != NULL, FALSE);
  g_return_val_if_fail (previous != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    {
      gint64 t = at - spans[i] - 1;
      gint64 last = G_MININT64;
      gint64 fire;

      while (sluice_cron_next (cron, tz, t, &fire) && fire <= at)
        {
          last = fire;
          t = fire;
        }
      if (last != G_MININT64)
        {
          *previous = last;
          return TRUE;
        }
    }
  return FALSE;
}
