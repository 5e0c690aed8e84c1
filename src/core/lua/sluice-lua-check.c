/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "sluice-lua-check.h"

/* Lua prefixes syntax errors with "CHUNKNAME:LINE: "; a chunk name that
 * starts with "=" is used verbatim, which makes the prefix easy to strip. */
#define CHUNK_NAME "=sluice"
#define CHUNK_PREFIX "sluice:"

struct _SluiceLuaCheck
{
  lua_State *state;  /* owned */
};

SluiceLuaCheck *
sluice_lua_check_new (void)
{
  SluiceLuaCheck *self = g_new0 (SluiceLuaCheck, 1);

  /* No standard libraries are opened: nothing is ever run here. */
  self->state = luaL_newstate ();
  if (self->state == NULL)
    g_error ("Could not create a Lua state: out of memory");

  return self;
}

void
sluice_lua_check_free (SluiceLuaCheck *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->state, lua_close);
  g_free (self);
}

/* Splits "sluice:12: message" into 12 and "message". */
static void
split_message (const char  *raw,
               guint       *line,
               char       **message)
{
  const char *p = raw;

  *line = 0;

  if (raw != NULL && g_str_has_prefix (raw, CHUNK_PREFIX))
    {
      const char *digits = raw + strlen (CHUNK_PREFIX);
      char *end = NULL;
      guint64 n = g_ascii_strtoull (digits, &end, 10);

      if (end != digits && end[0] == ':' && n <= G_MAXUINT)
        {
          *line = (guint) n;
          p = end + 1;
          while (*p == ' ')
            p++;
        }
    }

  *message = g_strdup (p != NULL ? p : "unknown error");
}

static gboolean
compile (SluiceLuaCheck  *self,
         const char      *code,
         gsize            length,
         guint           *line,
         char           **message)
{
  int status;

  status = luaL_loadbufferx (self->state, code, length, CHUNK_NAME, "t");

  if (status == LUA_OK)
    {
      lua_settop (self->state, 0);
      *line = 0;
      *message = NULL;
      return TRUE;
    }

  split_message (lua_tostring (self->state, -1), line, message);
  lua_settop (self->state, 0);

  return FALSE;
}

gboolean
sluice_lua_check_chunk (SluiceLuaCheck  *self,
                        const char      *code,
                        guint           *line,
                        char           **message)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (code == NULL)
    code = "";

  return compile (self, code, strlen (code), line, message);
}

char *
sluice_lua_expression_source (const char *expression)
{
  g_return_val_if_fail (expression != NULL, NULL);

  return g_strconcat ("return (", expression, "\n)", NULL);
}

gboolean
sluice_lua_check_expression (SluiceLuaCheck  *self,
                             const char      *expression,
                             guint           *line,
                             char           **message)
{
  g_autofree char *source = NULL;
  guint n_lines = 1;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (expression == NULL)
    expression = "";

  /* Exactly what the executor compiles (sluice-executor-program.c), so
   * that what validates also runs. */
  source = sluice_lua_expression_source (expression);

  if (compile (self, source, strlen (source), line, message))
    return TRUE;

  /* Lua's message may be about the parentheses the user did not write
   * ("near ')'"); without them the same mistake reads naturally. */
  {
    g_autofree char *bare = g_strconcat ("return ", expression, NULL);
    g_autofree char *bare_message = NULL;
    guint bare_line = 0;

    if (!compile (self, bare, strlen (bare), &bare_line, &bare_message))
      {
        g_free (*message);
        *message = g_steal_pointer (&bare_message);
        *line = bare_line;
      }
  }

  /* Lua may point past the expression's last line; keep it inside. */
  for (const char *p = expression; *p != '\0'; p++)
    if (*p == '\n')
      n_lines++;
  if (*line > n_lines)
    *line = n_lines;

  return FALSE;
}

/* The length of a long bracket "[==[" at @p (its level + 2), or 0. */
static gsize
long_bracket_open (const char *p,
                   guint      *level)
{
  const char *q = p + 1;

  if (p[0] != '[')
    return 0;

  while (*q == '=')
    q++;
  if (*q != '[')
    return 0;

  *level = (guint) (q - p - 1);
  return (gsize) (q - p) + 1;
}

/* Skips to just after the "]==]" that closes a long bracket of @level. */
static const char *
skip_long_bracket (const char *p,
                   guint       level,
                   guint      *line)
{
  for (; *p != '\0'; p++)
    {
      if (*p == '\n')
        (*line)++;
      else if (*p == ']')
        {
          guint n = 0;

          while (p[1 + n] == '=')
            n++;
          if (n == level && p[1 + n] == ']')
            return p + n + 2;
        }
    }

  return p;
}

static gboolean
is_word_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static gboolean
name_in (const char          *name,
         gsize                length,
         const char * const  *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strlen (names[i]) == length && strncmp (names[i], name, length) == 0)
      return TRUE;

  return FALSE;
}

void
sluice_lua_check_globals (const char          *code,
                          const char * const  *names,
                          SluiceLuaGlobalFunc  func,
                          gpointer             user_data)
{
  g_autoptr(GHashTable) locals = NULL;
  g_autoptr(GHashTable) reported = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GArray) found_lines = NULL;
  const char *p = code;
  guint line = 1;
  gboolean after_member = FALSE;  /* the last token was "." or ":" */
  gboolean in_local = FALSE;      /* inside "local a, b" */

  g_return_if_fail (names != NULL);
  g_return_if_fail (func != NULL);

  if (code == NULL)
    return;

  locals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  found = g_ptr_array_new_with_free_func (g_free);
  found_lines = g_array_new (FALSE, FALSE, sizeof (guint));

  while (*p != '\0')
    {
      guint level = 0;
      gsize open;

      if (*p == '\n')
        {
          line++;
          p++;
        }
      else if (g_ascii_isspace (*p))
        p++;
      else if (p[0] == '-' && p[1] == '-')
        {
          p += 2;
          if ((open = long_bracket_open (p, &level)) > 0)
            p = skip_long_bracket (p + open, level, &line);
          else
            while (*p != '\0' && *p != '\n')
              p++;
        }
      else if ((open = long_bracket_open (p, &level)) > 0)
        {
          p = skip_long_bracket (p + open, level, &line);
          after_member = in_local = FALSE;
        }
      else if (*p == '"' || *p == '\'')
        {
          char quote = *p++;

          while (*p != '\0' && *p != quote && *p != '\n')
            {
              if (*p == '\\' && p[1] != '\0')
                {
                  if (p[1] == '\n')
                    line++;
                  p++;
                }
              p++;
            }
          if (*p == quote)
            p++;
          after_member = in_local = FALSE;
        }
      else if (g_ascii_isdigit (*p))
        {
          while (is_word_char (*p) || *p == '.' ||
                 ((*p == '+' || *p == '-') && strchr ("eEpP", p[-1]) != NULL))
            p++;
          after_member = in_local = FALSE;
        }
      else if (is_word_start (*p))
        {
          const char *start = p;
          gsize length;
          const char *next;

          while (is_word_char (*p))
            p++;
          length = (gsize) (p - start);

          next = p;
          while (*next == ' ' || *next == '\t')
            next++;

          if (length == 5 && strncmp (start, "local", 5) == 0)
            in_local = TRUE;
          else if (in_local)
            {
              g_hash_table_add (locals, g_strndup (start, length));
              /* "local a, b" goes on after a comma; "local function f" too. */
              in_local = *next == ',' ||
                         (length == 8 && strncmp (start, "function", 8) == 0);
            }
          else if (!after_member &&
                   !(next[0] == '=' && next[1] != '=') &&
                   name_in (start, length, names))
            {
              g_ptr_array_add (found, g_strndup (start, length));
              g_array_append_val (found_lines, line);
            }

          after_member = FALSE;
        }
      else
        {
          /* "." and ":" make the next name a field; "..", "..." and "::"
           * do not. */
          if ((p[0] == '.' || p[0] == ':') && p[1] != p[0])
            after_member = TRUE;
          else
            {
              after_member = FALSE;
              if (p[1] == p[0] && (p[0] == '.' || p[0] == ':'))
                p++;
            }
          if (*p != ',')
            in_local = FALSE;
          p++;
        }
    }

  /* Reported after the scan, so that a `local io` later in the chunk
   * also counts (it is rare enough that scoping does not matter). */
  reported = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < found->len; i++)
    {
      const char *name = g_ptr_array_index (found, i);

      if (g_hash_table_contains (locals, name) || g_hash_table_contains (reported, name))
        continue;

      g_hash_table_add (reported, (gpointer) name);
      func (name, g_array_index (found_lines, guint, i), user_data);
    }
}
