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
  source = g_strconcat ("return (", expression, ")", NULL);

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
