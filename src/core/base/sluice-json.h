/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <string.h>

G_BEGIN_DECLS

/* How deep an item may nest: objects and arrays inside each other, the
 * item itself being level 1. Every path of an item (parse, Lua in both
 * directions, writing) refuses anything deeper, so that nothing recurses
 * without bound (jansson's own json_decref and json_equal recurse). */
#define SLUICE_JSON_MAX_DEPTH 512

#define SLUICE_JSON_ERROR (sluice_json_error_quark ())

/* Why an item was refused. Each is a failure of that one item: the caller
 * fails the item (or the input line), never the process. */
typedef enum
{
  SLUICE_JSON_ERROR_SYNTAX,        /* not JSON; the message has the column */
  SLUICE_JSON_ERROR_NOT_OBJECT,    /* JSON, but not an object */
  SLUICE_JSON_ERROR_TOO_DEEP,      /* nested deeper than SLUICE_JSON_MAX_DEPTH */
  SLUICE_JSON_ERROR_NUMBER_RANGE,  /* an integer beyond int64 or a real beyond double (1e400) */
  SLUICE_JSON_ERROR_WRITE,         /* a value that cannot be written (too deep, a non-container at the top) */
} SluiceJsonError;

GQuark  sluice_json_error_quark (void);

/* The one way an item enters Sluice, from an input line or a command's
 * output. Returns a new JSON object, or NULL with @error in
 * SLUICE_JSON_ERROR saying why.
 *
 * Policies, the same everywhere:
 * - NUL in strings ("x\u0000y") is accepted and kept: Lua strings hold it
 *   and the writer writes it back as \u0000. NUL in a key is refused
 *   (SLUICE_JSON_ERROR_SYNTAX): jansson's parser cannot hold such a key;
 *   and so a key with NUL made in Lua fails its item when it is turned
 *   back into JSON, where it could not be read back.
 * - Integers beyond int64 and reals beyond the range of a double (1e400)
 *   are not kept (they cannot be represented without changing them): the
 *   item fails with SLUICE_JSON_ERROR_NUMBER_RANGE. Reals too small for a
 *   double (1e-400) read as 0.0, as strtod does.
 * - Nesting deeper than SLUICE_JSON_MAX_DEPTH fails with
 *   SLUICE_JSON_ERROR_TOO_DEEP before any value is built. */
json_t *sluice_json_parse_item  (const char *text,
                                 gsize       length,
                                 GError    **error);

/* Writes @value (a finite double) into @buffer in the shortest form that
 * reads back as exactly the same double: 0.07 stays 0.07, 0.1 + 0.2 is
 * 0.30000000000000004. Always marked as a real ("1.0", "1e300") so that it
 * does not read back as an integer. Locale-independent. Returns the
 * length. This is the only formatter of reals: items, the data preview and
 * reports all go through the writer below. */
#define SLUICE_JSON_REAL_BUF_SIZE 32
gsize   sluice_json_format_real (double      value,
                                 char        buffer[SLUICE_JSON_REAL_BUF_SIZE]);

/* Appends @json to @out, as json_dumps() would with @flags, except that
 * every real is written by sluice_json_format_real(). Linear in the size
 * of @json, iterative. Honours JSON_COMPACT, JSON_INDENT(n),
 * JSON_SORT_KEYS, JSON_ENCODE_ANY, JSON_ENSURE_ASCII and
 * JSON_ESCAPE_SLASH (JSON_REAL_PRECISION is ignored: reals are always
 * shortest). Returns FALSE with @error, and @out as it was, when @json is
 * deeper than SLUICE_JSON_MAX_DEPTH or is not a container and
 * JSON_ENCODE_ANY is not given. */
gboolean sluice_json_write      (GString    *out,
                                 json_t     *json,
                                 size_t      flags,
                                 GError    **error);

/* Two pieces of sluice_json_write() for writers of values that are not
 * jansson's (Lua tables: sluice-lua-text.c), so that every writer spells
 * a value the same way: a string (@s valid UTF-8; NUL is written as
 * \u0000) and an integer, as written with JSON_COMPACT. */
void    sluice_json_append_string  (GString    *out,
                                    const char *s,
                                    gsize       length);
void    sluice_json_append_integer (GString    *out,
                                    gint64      value);

/* g_string_append_len() without its general insertion (a third of the
 * writers' time went there): appends @n bytes of @s to @out. */
static inline void
sluice_json_append_raw (GString    *out,
                        const char *s,
                        gsize       n)
{
  if (G_UNLIKELY (out->len + n >= out->allocated_len))
    {
      gsize len = out->len;

      g_string_set_size (out, len + n);
      out->len = len;
    }
  memcpy (out->str + out->len, s, n);
  out->len += n;
  out->str[out->len] = '\0';
}

static inline void
sluice_json_append_byte (GString *out,
                         char     c)
{
  if (G_UNLIKELY (out->len + 1 >= out->allocated_len))
    {
      g_string_append_c (out, c);
      return;
    }
  out->str[out->len++] = c;
  out->str[out->len] = '\0';
}

/* A string with nothing to escape (no byte below 0x20, no '"' or '\\'),
 * as sluice_json_append_string() writes it: in quotes, with one check of
 * the room left instead of three. */
static inline void
sluice_json_append_plain_string (GString    *out,
                                 const char *s,
                                 gsize       n)
{
  char *at;

  if (G_UNLIKELY (out->len + n + 2 >= out->allocated_len))
    {
      gsize len = out->len;

      g_string_set_size (out, len + n + 2);
      out->len = len;
    }
  at = out->str + out->len;
  at[0] = '"';
  memcpy (at + 1, s, n);
  at[n + 1] = '"';
  out->len += n + 2;
  out->str[out->len] = '\0';
}

/* sluice_json_write() into a new string; free with free() (as json_dumps).
 * NULL when it cannot be written. */
char   *sluice_json_dumps       (json_t     *json,
                                 size_t      flags);

/* Like json_dumpb(): writes into @buffer if it is large enough and
 * returns the size needed (without a NUL), 0 when @json cannot be
 * written. */
gsize   sluice_json_dumpb       (json_t     *json,
                                 char       *buffer,
                                 gsize       size,
                                 size_t      flags);

/* Kept for callers of json_dumps()/json_dumpb(): @flags plus the
 * JSON_REAL_PRECISION with the fewest digits, from 15 to 17, that reads
 * back exactly for every real in @json (linear). Prefer
 * sluice_json_write(), which picks the shortest form for each real. */
size_t  sluice_json_dump_flags  (json_t     *json,
                                 size_t      flags);

G_END_DECLS
