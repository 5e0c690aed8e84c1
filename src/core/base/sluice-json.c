/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-json-fast.h"

#define SHORTEST_PRECISION 15
#define EXACT_PRECISION 17

G_DEFINE_QUARK (sluice-json-error-quark, sluice_json_error)

/* Finds the first byte at which @text opens a container deeper than
 * SLUICE_JSON_MAX_DEPTH, looking only at brackets outside strings. It runs
 * before jansson builds anything, so that a line of a million '[' costs a
 * scan, not a million nodes that json_decref would then free recursively. */
static gboolean
depth_within_limit (const char *text,
                    gsize       length,
                    gsize      *where)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > SLUICE_JSON_MAX_DEPTH)
            {
              *where = i;
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }

  return TRUE;
}

static const char *
type_name (json_t *json)
{
  switch (json_typeof (json))
    {
    case JSON_ARRAY:
      return "an array";
    case JSON_STRING:
      return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
      return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "a boolean";
    case JSON_NULL:
      return "null";
    case JSON_OBJECT:
    default:
      return "an object";
    }
}

json_t *
sluice_json_parse_item (const char  *text,
                        gsize        length,
                        GError     **error)
{
  json_error_t jerror;
  json_t *json;
  gsize where = 0;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  /* Most lines take the fast path; it gives up on anything else, and
   * jansson then decides with the messages below. */
  json = _sluice_json_parse_fast (text, length);
  if (json != NULL)
    return json;

  if (!depth_within_limit (text, length, &where))
    {
      g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_TOO_DEEP,
                   "nested deeper than %d levels (at byte %" G_GSIZE_FORMAT ")",
                   SLUICE_JSON_MAX_DEPTH, where + 1);
      return NULL;
    }

  json = json_loadb (text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerror);
  if (json == NULL)
    {
      /* jansson quotes the bad token, which may hold any byte. */
      g_autofree char *text_escaped = g_strescape (jerror.text, NULL);

      if (json_error_code (&jerror) == json_error_numeric_overflow)
        g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NUMBER_RANGE,
                     "number out of range at column %d: %s (integers must fit "
                     "in 64 bits, reals in a double)",
                     jerror.column, text_escaped);
      else
        g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_SYNTAX,
                     "not JSON at column %d: %s", jerror.column, text_escaped);
      return NULL;
    }

  if (!json_is_object (json))
    {
      g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NOT_OBJECT,
                   "not a JSON object but %s", type_name (json));
      json_decref (json);
      return NULL;
    }

  return json;
}

/* The common case without printf: a value that is a decimal of at most
 * 15 significant digits and 6 decimals, between 1e-4 and 1e15 (where
 * %g writes no exponent). Such a decimal that reads back as the value
 * is exactly what %.15g writes (see below), so the output is the same;
 * anything else returns 0 and takes the general way. */
static gsize
format_short_decimal (double value,
                      char   buffer[SLUICE_JSON_REAL_BUF_SIZE])
{
  static const double scales[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
  double magnitude = fabs (value);
  char digits[24];
  int n = 0;
  gsize length = 0;

  if (!(magnitude >= 1e-4 && magnitude < 1e15))
    return 0;
  for (guint decimals = 0; decimals < G_N_ELEMENTS (scales); decimals++)
    {
      double scaled = magnitude * scales[decimals];
      guint64 whole, whole_kept;

      if (scaled >= 1e15 || scaled != floor (scaled))
        continue;
      whole = (guint64) scaled;
      /* 0.5449 * 1e4 rounds below 5449, * 1e6 to 544900: no trailing zeros. */
      while (decimals > 0 && whole % 10 == 0)
        {
          whole /= 10;
          decimals--;
        }
      whole_kept = whole;
      do
        {
          digits[n++] = '0' + whole % 10;
          whole /= 10;
        }
      while (whole > 0 || n <= (int) decimals);
      if (value < 0)
        buffer[length++] = '-';
      for (int i = n - 1; i >= 0; i--)
        {
          buffer[length++] = digits[i];
          if (i == (int) decimals && decimals > 0)
            buffer[length++] = '.';
        }
      if (decimals == 0)
        {
          buffer[length++] = '.';
          buffer[length++] = '0';
        }
      buffer[length] = '\0';
      /* The scaling rounds: keep it only when it reads back exactly.
       * Reading it back is whole / 10^decimals correctly rounded, which
       * is what one IEEE division of these two exact doubles gives
       * (whole < 1e15 < 2^53), without strtod. */
      return (double) whole_kept / scales[decimals] == magnitude ? length : 0;
    }
  return 0;
}

gsize
sluice_json_format_real (double value,
                         char   buffer[SLUICE_JSON_REAL_BUF_SIZE])
{
  static const char * const formats[] = {
    "%.1g", "%.2g", "%.3g", "%.4g", "%.5g", "%.6g", "%.7g", "%.8g", "%.9g",
    "%.10g", "%.11g", "%.12g", "%.13g", "%.14g", "%.15g", "%.16g", "%.17g",
  };
  char *exponent;
  gsize length;
  int precision = SHORTEST_PRECISION;

  /* A double has almost 16 digits of precision, so a decimal of at most
   * 15 digits that reads back as the value is the nearest 15-digit one:
   * %.15g (which drops trailing zeros) is the shortest form of every
   * value that has one of at most 15 digits; only the others need 16 or
   * 17. Subnormal values have fewer digits of precision (5e-324 would
   * come out as 4.94065645841247e-324): search those from 1 up. */
  length = format_short_decimal (value, buffer);
  if (length > 0)
    return length;
  if (value != 0.0 && fabs (value) < DBL_MIN)
    precision = 1;
  for (; precision <= EXACT_PRECISION; precision++)
    {
      g_ascii_formatd (buffer, SLUICE_JSON_REAL_BUF_SIZE, formats[precision - 1], value);
      if (precision == EXACT_PRECISION || g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  length = strlen (buffer);

  /* As jansson writes reals: "1e+22" is "1e22", "1e-07" is "1e-7". */
  exponent = strchr (buffer, 'e');
  if (exponent != NULL)
    {
      char *digits = exponent + 1;
      char *end;

      if (*digits == '+')
        memmove (digits, digits + 1, strlen (digits));
      else if (*digits == '-')
        digits++;
      for (end = digits; *end == '0' && end[1] != '\0'; end++)
        ;
      if (end != digits)
        memmove (digits, end, strlen (end) + 1);
      length = strlen (buffer);
    }
  else if (strchr (buffer, '.') == NULL && isfinite (value))
    {
      /* Otherwise it would read back as an integer. */
      buffer[length++] = '.';
      buffer[length++] = '0';
      buffer[length] = '\0';
    }

  return length;
}

/* "00" to "99": two digits a division. */
static const char digit_pairs[201] =
  "00010203040506070809" "10111213141516171819" "20212223242526272829"
  "30313233343536373839" "40414243444546474849" "50515253545556575859"
  "60616263646566676869" "70717273747576777879" "80818283848586878889"
  "90919293949596979899";

static void
write_integer (GString     *out,
               json_int_t   value)
{
  char digits[24];
  int i = sizeof digits;
  /* Through unsigned arithmetic: -INT64_MIN does not exist. */
  guint64 magnitude = value < 0 ? 0 - (guint64) value : (guint64) value;

  while (magnitude >= 100)
    {
      guint pair = (guint) (magnitude % 100) * 2;

      magnitude /= 100;
      digits[--i] = digit_pairs[pair + 1];
      digits[--i] = digit_pairs[pair];
    }
  if (magnitude >= 10)
    {
      digits[--i] = digit_pairs[magnitude * 2 + 1];
      digits[--i] = digit_pairs[magnitude * 2];
    }
  else
    digits[--i] = '0' + magnitude;
  if (value < 0)
    digits[--i] = '-';
  sluice_json_append_raw (out, digits + i, sizeof digits - i);
}

static void
write_string (GString    *out,
              const char *s,
              gsize       length,
              size_t      flags)
{
  static const char hex[] = "0123456789ABCDEF";
  gsize start = 0;

  /* Most strings need no escape at all: one copy. */
  if (!(flags & (JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH)))
    {
      gsize i = 0;

      for (; i < length; i++)
        {
          unsigned char c = s[i];

          if (c < 0x20 || c == '"' || c == '\\')
            break;
        }
      if (i == length)
        {
          sluice_json_append_plain_string (out, s, length);
          return;
        }
    }

  sluice_json_append_byte (out, '"');
  for (gsize i = 0; i < length; i++)
    {
      unsigned char c = s[i];
      char escape[16];
      gsize escape_length = 2;

      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 &&
          (c != '/' || !(flags & JSON_ESCAPE_SLASH)))
        continue;
      if (c >= 0x80 && !(flags & JSON_ENSURE_ASCII))
        continue;

      sluice_json_append_raw (out, s + start, i - start);
      escape[0] = '\\';
      switch (c)
        {
        case '"': escape[1] = '"'; break;
        case '\\': escape[1] = '\\'; break;
        case '/': escape[1] = '/'; break;
        case '\b': escape[1] = 'b'; break;
        case '\f': escape[1] = 'f'; break;
        case '\n': escape[1] = 'n'; break;
        case '\r': escape[1] = 'r'; break;
        case '\t': escape[1] = 't'; break;
        default:
          {
            gunichar u = c;

            if (c >= 0x80)
              {
                /* Strings in jansson values are valid UTF-8. */
                u = g_utf8_get_char_validated (s + i, length - i);
                if (u == (gunichar) -1 || u == (gunichar) -2)
                  u = 0xFFFD;
                else
                  i += g_utf8_skip[c] - 1;
              }
            if (u >= 0x10000)
              {
                gunichar high = 0xD800 + ((u - 0x10000) >> 10);
                gunichar low = 0xDC00 + ((u - 0x10000) & 0x3FF);

                g_snprintf (escape, sizeof escape, "\\u%04X\\u%04X", high, low);
                escape_length = 12;
              }
            else
              {
                escape[1] = 'u';
                escape[2] = hex[(u >> 12) & 0xF];
                escape[3] = hex[(u >> 8) & 0xF];
                escape[4] = hex[(u >> 4) & 0xF];
                escape[5] = hex[u & 0xF];
                escape_length = 6;
              }
          }
          break;
        }
      sluice_json_append_raw (out, escape, escape_length);
      start = i + 1;
    }
  sluice_json_append_raw (out, s + start, length - start);
  sluice_json_append_byte (out, '"');
}

void
sluice_json_append_string (GString    *out,
                           const char *s,
                           gsize       length)
{
  write_string (out, s, length, JSON_COMPACT);
}

void
sluice_json_append_integer (GString *out,
                            gint64   value)
{
  write_integer (out, value);
}

static void
write_indent (GString *out,
              size_t   flags,
              guint    level,
              gboolean space)
{
  guint width = flags & 0x1F;

  if (width > 0)
    {
      sluice_json_append_byte (out, '\n');
      for (guint i = 0; i < width * level; i++)
        sluice_json_append_byte (out, ' ');
    }
  else if (space && !(flags & JSON_COMPACT))
    sluice_json_append_byte (out, ' ');
}

typedef struct
{
  const char *key;
  gsize       length;
  json_t     *value;
} Member;

static int
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const Member *ma = a, *mb = b;
  int cmp = memcmp (ma->key, mb->key, MIN (ma->length, mb->length));

  if (cmp != 0)
    return cmp;
  return ma->length < mb->length ? -1 : ma->length > mb->length;
}

/* qsort costs ~1,400 instructions for an item of 7 fields (merge sort
 * through a function pointer); insertion sort a fifth of that. */
static void
sort_members (Member *data,
              gsize   n)
{
  if (n > 16)
    {
      qsort (data, n, sizeof (Member), compare_members);
      return;
    }
  for (gsize i = 1; i < n; i++)
    {
      Member m = data[i];
      gsize j = i;

      while (j > 0 && compare_members (&data[j - 1], &m) > 0)
        {
          data[j] = data[j - 1];
          j--;
        }
      data[j] = m;
    }
}

/* An open container of the writer's explicit stack. */
typedef struct
{
  json_t   *container;
  void     *iter;       /* next member of an unsorted object */
  gsize     index;      /* next element of an array, or member of sorted ones */
  gsize     start;      /* of this object's members in the sorted scratch */
  gsize     n;          /* number of sorted members */
  gboolean  first;
} Frame;

/* The sorted members of the open objects, one run per frame: on the C
 * stack for the usual item, on the heap beyond. */
#define INLINE_MEMBERS 64

typedef struct
{
  Member *data;
  gsize   len;
  gsize   size;
  Member  inline_data[INLINE_MEMBERS];
} Members;

static void
members_append (Members *members,
                Member  *m)
{
  if (members->len == members->size)
    {
      gsize size = members->size * 2;

      if (members->data == members->inline_data)
        {
          members->data = g_new (Member, size);
          memcpy (members->data, members->inline_data, sizeof members->inline_data);
        }
      else
        members->data = g_renew (Member, members->data, size);
      members->size = size;
    }
  members->data[members->len++] = *m;
}

/* Gives the next child of @frame (and its key, for objects); FALSE when
 * the container is done. */
static gboolean
next_child (Frame       *frame,
            Members     *members,
            const char **key,
            gsize       *key_length,
            json_t     **child)
{
  if (json_is_array (frame->container))
    {
      if (frame->index >= json_array_size (frame->container))
        return FALSE;
      *key = NULL;
      *child = json_array_get (frame->container, frame->index++);
      return TRUE;
    }

  if (members != NULL && frame->n > 0)
    {
      Member *m;

      if (frame->index >= frame->n)
        return FALSE;
      m = &members->data[frame->start + frame->index++];
      *key = m->key;
      *key_length = m->length;
      *child = m->value;
      return TRUE;
    }

  if (frame->iter == NULL)
    return FALSE;
  *key = json_object_iter_key (frame->iter);
  *key_length = json_object_iter_key_len (frame->iter);
  *child = json_object_iter_value (frame->iter);
  frame->iter = json_object_iter_next (frame->container, frame->iter);
  return TRUE;
}

gboolean
sluice_json_write (GString  *out,
                   json_t   *json,
                   size_t    flags,
                   GError  **error)
{
  /* The stack lives on the C stack: 512 frames are a few kB, and the
   * writer never recurses. */
  Frame frames[SLUICE_JSON_MAX_DEPTH];
  Members members_storage;
  Members *members = &members_storage;
  gsize initial_length;
  guint depth = 0;
  json_t *value = json;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!(flags & JSON_ENCODE_ANY) && !json_is_object (json) && !json_is_array (json))
    {
      g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_WRITE,
                   "only an object or an array can be written, not %s", type_name (json));
      return FALSE;
    }

  initial_length = out->len;
  members->data = members->inline_data;
  members->len = 0;
  members->size = INLINE_MEMBERS;

  for (;;)
    {
      switch (json_typeof (value))
        {
        case JSON_OBJECT:
        case JSON_ARRAY:
          {
            Frame *frame;

            if (depth == SLUICE_JSON_MAX_DEPTH)
              {
                g_string_truncate (out, initial_length);
                if (members->data != members->inline_data)
                  g_free (members->data);
                g_set_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_WRITE,
                             "nested deeper than %d levels", SLUICE_JSON_MAX_DEPTH);
                return FALSE;
              }
            frame = &frames[depth++];
            frame->container = value;
            frame->iter = NULL;
            frame->index = 0;
            frame->n = 0;
            frame->first = TRUE;
            if (json_is_array (value))
              sluice_json_append_byte (out, '[');
            else
              {
                sluice_json_append_byte (out, '{');
                if ((flags & JSON_SORT_KEYS) && json_object_size (value) > 1)
                  {
                    frame->start = members->len;
                    for (void *iter = json_object_iter (value); iter != NULL;
                         iter = json_object_iter_next (value, iter))
                      {
                        Member m = { json_object_iter_key (iter),
                                     json_object_iter_key_len (iter),
                                     json_object_iter_value (iter) };

                        members_append (members, &m);
                      }
                    frame->n = members->len - frame->start;
                    sort_members (&members->data[frame->start], frame->n);
                  }
                else
                  frame->iter = json_object_iter (value);
              }
          }
          break;

        case JSON_STRING:
          write_string (out, json_string_value (value), json_string_length (value), flags);
          break;

        case JSON_INTEGER:
          write_integer (out, json_integer_value (value));
          break;

        case JSON_REAL:
          {
            char buffer[SLUICE_JSON_REAL_BUF_SIZE];
            gsize length;

            /* jansson refuses to make a non-finite real. */
            length = sluice_json_format_real (json_real_value (value), buffer);
            sluice_json_append_raw (out, buffer, length);
          }
          break;

        case JSON_TRUE:
          sluice_json_append_raw (out, "true", 4);
          break;

        case JSON_FALSE:
          sluice_json_append_raw (out, "false", 5);
          break;

        case JSON_NULL:
        default:
          sluice_json_append_raw (out, "null", 4);
          break;
        }

      /* The next value: the next child of the innermost open container,
       * closing the containers that are done. */
      value = NULL;
      while (depth > 0)
        {
          Frame *frame = &frames[depth - 1];
          const char *key = NULL;
          gsize key_length = 0;
          json_t *child = NULL;

          if (next_child (frame, members, &key, &key_length, &child))
            {
              if (!frame->first)
                sluice_json_append_byte (out, ',');
              write_indent (out, flags, depth, !frame->first);
              frame->first = FALSE;
              if (key != NULL)
                {
                  write_string (out, key, key_length, flags);
                  if (flags & JSON_COMPACT)
                    sluice_json_append_byte (out, ':');
                  else
                    sluice_json_append_raw (out, ": ", 2);
                }
              value = child;
              break;
            }

          if (!frame->first)
            write_indent (out, flags, depth - 1, FALSE);
          sluice_json_append_byte (out, json_is_array (frame->container) ? ']' : '}');
          if (frame->n > 0)
            members->len = frame->start;
          depth--;
        }

      if (value == NULL)
        {
          if (members->data != members->inline_data)
            g_free (members->data);
          return TRUE;
        }
    }
}

char *
sluice_json_dumps (json_t *json,
                   size_t  flags)
{
  g_autoptr(GString) out = NULL;
  char *result;

  g_return_val_if_fail (json != NULL, NULL);

  out = g_string_sized_new (128);
  if (!sluice_json_write (out, json, flags, NULL))
    return NULL;

  /* Callers free with free(), as they would json_dumps()'s result. */
  result = malloc (out->len + 1);
  if (result != NULL)
    memcpy (result, out->str, out->len + 1);
  return result;
}

gsize
sluice_json_dumpb (json_t *json,
                   char   *buffer,
                   gsize   size,
                   size_t  flags)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (json != NULL, 0);

  out = g_string_sized_new (MAX (size, 64));
  if (!sluice_json_write (out, json, flags, NULL))
    return 0;
  if (out->len <= size)
    memcpy (buffer, out->str, out->len);
  return out->len;
}

static int
precision_for_real (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = SHORTEST_PRECISION; precision < EXACT_PRECISION; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return precision;
    }

  return EXACT_PRECISION;
}

/* Each value is visited once (the old recursion evaluated itself twice
 * per level, so its time doubled with every level of nesting), and no
 * deeper than the writer goes. */
static int
precision_needed (json_t *json,
                  guint   depth,
                  int     needed)
{
  const char *key;
  json_t *child;
  size_t index;

  if (depth > SLUICE_JSON_MAX_DEPTH && (json_is_object (json) || json_is_array (json)))
    return EXACT_PRECISION;

  switch (json_typeof (json))
    {
    case JSON_REAL:
      return MAX (needed, precision_for_real (json_real_value (json)));
    case JSON_OBJECT:
      json_object_foreach (json, key, child)
        {
          needed = precision_needed (child, depth + 1, needed);
          if (needed == EXACT_PRECISION)
            break;
        }
      return needed;
    case JSON_ARRAY:
      json_array_foreach (json, index, child)
        {
          needed = precision_needed (child, depth + 1, needed);
          if (needed == EXACT_PRECISION)
            break;
        }
      return needed;
    default:
      return needed;
    }
}

size_t
sluice_json_dump_flags (json_t *json,
                        size_t  flags)
{
  g_return_val_if_fail (json != NULL, flags);

  return flags | JSON_REAL_PRECISION (precision_needed (json, 1, SHORTEST_PRECISION));
}
