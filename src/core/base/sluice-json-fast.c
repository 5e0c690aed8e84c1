/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "sluice-json-fast.h"

/* The fast path of sluice_json_parse_item(): a single-pass parser for the
 * lines items usually are (ASCII, simple escapes, numbers that fit), which
 * builds the same jansson values as json_loadb() without its stream and
 * lexer layers. It never decides a refusal: on anything it does not take
 * (invalid JSON, bytes ≥ 0x80, \u escapes, numbers out of range, nesting
 * past the limit, a top level that is not an object) it gives up, and the
 * caller parses the line with jansson, which reports the error as before.
 * So every line gets exactly the value or the error it got before; only
 * the common case is faster (fuzz-items checks both agree). */

/* A string with escapes is decoded into this, or given up on when longer. */
#define SCRATCH_SIZE 4096
/* Longest number text taken (a double never needs more). */
#define NUMBER_MAX 64

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
  char        scratch[SCRATCH_SIZE];
} Parser;

static json_t *parse_value (Parser *parser);

static inline void
skip_space (Parser *parser)
{
  while (parser->p < parser->end &&
         (*parser->p == ' ' || *parser->p == '\n' || *parser->p == '\t' || *parser->p == '\r'))
    parser->p++;
}

/* Reads the string whose opening quote is at parser->p. Sets @text and
 * @length (in the input, or in the scratch buffer when it had escapes);
 * FALSE to give up. */
static gboolean
parse_string (Parser      *parser,
              const char **text,
              gsize       *length)
{
  const char *start = ++parser->p;
  const char *p = start;
  gsize n = 0;

  /* The common case: no escape at all. */
  while (p < parser->end)
    {
      unsigned char c = *p;

      if (c == '"')
        {
          *text = start;
          *length = p - start;
          parser->p = p + 1;
          return TRUE;
        }
      if (c == '\\')
        break;
      if (c < 0x20 || c >= 0x80)
        return FALSE;
      p++;
    }
  if (p >= parser->end)
    return FALSE;

  /* Escapes: decode into the scratch buffer. */
  n = p - start;
  if (n >= SCRATCH_SIZE)
    return FALSE;
  memcpy (parser->scratch, start, n);
  while (p < parser->end)
    {
      unsigned char c = *p;

      if (n >= SCRATCH_SIZE)
        return FALSE;
      if (c == '"')
        {
          *text = parser->scratch;
          *length = n;
          parser->p = p + 1;
          return TRUE;
        }
      if (c < 0x20 || c >= 0x80)
        return FALSE;
      if (c != '\\')
        {
          parser->scratch[n++] = c;
          p++;
          continue;
        }
      if (p + 1 >= parser->end)
        return FALSE;
      switch (p[1])
        {
        case '"': parser->scratch[n++] = '"'; break;
        case '\\': parser->scratch[n++] = '\\'; break;
        case '/': parser->scratch[n++] = '/'; break;
        case 'b': parser->scratch[n++] = '\b'; break;
        case 'f': parser->scratch[n++] = '\f'; break;
        case 'n': parser->scratch[n++] = '\n'; break;
        case 'r': parser->scratch[n++] = '\r'; break;
        case 't': parser->scratch[n++] = '\t'; break;
        default:
          return FALSE;  /* \u (surrogates, NUL) and invalid escapes: jansson's */
        }
      p += 2;
    }
  return FALSE;
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* A number, as JSON's grammar has it; integers as jansson makes them
 * (int64, else its overflow error: given up), reals by strtod. */
static json_t *
parse_number (Parser *parser)
{
  const char *start = parser->p;
  const char *p = start;
  const char *end = parser->end;
  gboolean negative = FALSE, real = FALSE;
  guint64 magnitude = 0;

  if (p < end && *p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (p >= end || !is_digit (*p))
    return NULL;
  if (*p == '0')
    p++;
  else
    while (p < end && is_digit (*p))
      {
        guint digit = *p - '0';

        if (magnitude > (G_MAXUINT64 - digit) / 10)
          return NULL;
        magnitude = magnitude * 10 + digit;
        p++;
      }
  if (p < end && *p == '.')
    {
      real = TRUE;
      p++;
      if (p >= end || !is_digit (*p))
        return NULL;
      while (p < end && is_digit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      real = TRUE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !is_digit (*p))
        return NULL;
      while (p < end && is_digit (*p))
        p++;
    }
  parser->p = p;

  if (!real)
    {
      if (negative ? magnitude > (guint64) G_MAXINT64 + 1 : magnitude > G_MAXINT64)
        return NULL;
      return json_integer (negative ? (json_int_t) (0 - magnitude) : (json_int_t) magnitude);
    }

  {
    char text[NUMBER_MAX + 1];
    gsize length = p - start;
    double value;

    if (length > NUMBER_MAX)
      return NULL;
    memcpy (text, start, length);
    text[length] = '\0';
    errno = 0;
    value = g_ascii_strtod (text, NULL);
    if (errno == ERANGE && isinf (value))
      return NULL;
    return json_real (value);
  }
}

static gboolean
take_word (Parser     *parser,
           const char *word,
           gsize       length)
{
  if ((gsize) (parser->end - parser->p) < length || memcmp (parser->p, word, length) != 0)
    return FALSE;
  parser->p += length;
  return TRUE;
}

static json_t *
parse_object (Parser *parser)
{
  json_t *object = json_object ();

  parser->p++;
  skip_space (parser);
  if (parser->p < parser->end && *parser->p == '}')
    {
      parser->p++;
      return object;
    }

  for (;;)
    {
      const char *key;
      gsize key_length;
      char key_copy[256];
      json_t *value;

      if (parser->p >= parser->end || *parser->p != '"' ||
          !parse_string (parser, &key, &key_length) || key_length >= sizeof key_copy)
        break;
      /* The key may sit in the scratch buffer, which the value reuses. */
      if (key == parser->scratch)
        {
          memcpy (key_copy, key, key_length);
          key = key_copy;
        }
      skip_space (parser);
      if (parser->p >= parser->end || *parser->p != ':')
        break;
      parser->p++;
      skip_space (parser);
      value = parse_value (parser);
      if (value == NULL)
        break;
      /* As jansson's parser: a repeated key keeps the last value. */
      if (json_object_setn_new_nocheck (object, key, key_length, value) != 0)
        break;
      skip_space (parser);
      if (parser->p >= parser->end)
        break;
      if (*parser->p == '}')
        {
          parser->p++;
          return object;
        }
      if (*parser->p != ',')
        break;
      parser->p++;
      skip_space (parser);
    }

  json_decref (object);
  return NULL;
}

static json_t *
parse_array (Parser *parser)
{
  json_t *array = json_array ();

  parser->p++;
  skip_space (parser);
  if (parser->p < parser->end && *parser->p == ']')
    {
      parser->p++;
      return array;
    }

  for (;;)
    {
      json_t *value = parse_value (parser);

      if (value == NULL || json_array_append_new (array, value) != 0)
        break;
      skip_space (parser);
      if (parser->p >= parser->end)
        break;
      if (*parser->p == ']')
        {
          parser->p++;
          return array;
        }
      if (*parser->p != ',')
        break;
      parser->p++;
      skip_space (parser);
    }

  json_decref (array);
  return NULL;
}

static json_t *
parse_value (Parser *parser)
{
  json_t *value;

  if (parser->p >= parser->end)
    return NULL;

  switch (*parser->p)
    {
    case '{':
    case '[':
      /* Deep nesting: jansson's path reports it (and recursion stays
       * bounded here). */
      if (parser->depth >= SLUICE_JSON_MAX_DEPTH)
        return NULL;
      parser->depth++;
      value = *parser->p == '{' ? parse_object (parser) : parse_array (parser);
      parser->depth--;
      return value;

    case '"':
      {
        const char *text;
        gsize length;

        if (!parse_string (parser, &text, &length))
          return NULL;
        return json_stringn_nocheck (text, length);
      }

    case 't':
      return take_word (parser, "true", 4) ? json_true () : NULL;
    case 'f':
      return take_word (parser, "false", 5) ? json_false () : NULL;
    case 'n':
      return take_word (parser, "null", 4) ? json_null () : NULL;

    default:
      return parse_number (parser);
    }
}

json_t *
_sluice_json_parse_fast (const char *text,
                         gsize       length)
{
  Parser parser;
  json_t *value;

  parser.p = text;
  parser.end = text + length;
  parser.depth = 0;

  skip_space (&parser);
  if (parser.p >= parser.end || *parser.p != '{')
    return NULL;
  value = parse_value (&parser);
  if (value == NULL)
    return NULL;
  skip_space (&parser);
  if (parser.p != parser.end)
    {
      json_decref (value);
      return NULL;
    }
  return value;
}
