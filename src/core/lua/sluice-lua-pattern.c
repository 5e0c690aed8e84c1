/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "sluice-lua-private.h"

/* string.find, match, gmatch and gsub with Lua 5.4's pattern language,
 * by a matcher that counts its steps.
 *
 * Lua's own matcher backtracks in C, where no hook fires: a pattern with
 * k variable-length quantifiers can take n^k steps on a subject of n
 * bytes (("a*"):rep(30) .. "c" against 30 a's takes forever), beyond
 * the reach of any timeout or cancel. This one checks for a timeout or
 * a cancel every STEPS_PER_CHECK steps (a step being one call of the
 * matcher or one character a quantifier or %b moves over), so the rule
 * is simply: pattern matching stops within a few milliseconds of the
 * deadline, like any other Lua code. Patterns mean what they mean in Lua
 * 5.4, including %b, %f and back-references; recursion is bounded as in
 * Lua ("pattern too complex"). */

#define STEPS_PER_CHECK 4096
#define MAX_RECURSION 200
#define MAX_CAPTURES 32

#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

#define SPECIALS "^$*+?.([%-"

typedef struct
{
  const char *src_init;
  const char *src_end;
  const char *p_end;
  lua_State  *L;
  guint       depth;   /* levels of recursion left */
  guint       steps;
  int         level;   /* number of captures */
  struct
  {
    const char *init;
    ptrdiff_t   len;
  } capture[MAX_CAPTURES];
} Match;

static inline void
step (Match *ms)
{
  if (G_UNLIKELY (++ms->steps % STEPS_PER_CHECK == 0))
    sluice_lua_check_stop (ms->L);
}

static const char *
class_end (Match      *ms,
           const char *p)
{
  char c = *p++;

  if (c == '%')
    {
      if (p >= ms->p_end)
        luaL_error (ms->L, "malformed pattern (ends with '%%')");
      return p + 1;
    }
  if (c == '[')
    {
      if (*p == '^')
        p++;
      /* The first character of a set may be ']' itself. */
      do
        {
          if (p >= ms->p_end)
            luaL_error (ms->L, "malformed pattern (missing ']')");
          c = *p++;
          if (c == '%' && p < ms->p_end)
            p++;
        }
      while (*p != ']');
      return p + 1;
    }
  return p;
}

static gboolean
match_class (int c,
             int cl)
{
  gboolean result;

  switch (tolower (cl))
    {
    case 'a': result = isalpha (c) != 0; break;
    case 'c': result = iscntrl (c) != 0; break;
    case 'd': result = isdigit (c) != 0; break;
    case 'g': result = isgraph (c) != 0; break;
    case 'l': result = islower (c) != 0; break;
    case 'p': result = ispunct (c) != 0; break;
    case 's': result = isspace (c) != 0; break;
    case 'u': result = isupper (c) != 0; break;
    case 'w': result = isalnum (c) != 0; break;
    case 'x': result = isxdigit (c) != 0; break;
    default: return cl == c;
    }
  return isupper (cl) ? !result : result;
}

/* @p is the '[' of a set, @end its ']'. */
static gboolean
match_set (int         c,
           const char *p,
           const char *end)
{
  gboolean in = TRUE;

  p++;
  if (*p == '^')
    {
      in = FALSE;
      p++;
    }
  while (p < end)
    {
      if (*p == '%')
        {
          p++;
          if (match_class (c, (unsigned char) *p))
            return in;
          p++;
        }
      else if (p[1] == '-' && p + 2 < end)
        {
          if ((unsigned char) p[0] <= c && c <= (unsigned char) p[2])
            return in;
          p += 3;
        }
      else
        {
          if ((unsigned char) *p == c)
            return in;
          p++;
        }
    }
  return !in;
}

/* Whether the character at @s matches the single-character class from
 * @p to @ep. */
static gboolean
single_match (Match      *ms,
              const char *s,
              const char *p,
              const char *ep)
{
  int c;

  if (s >= ms->src_end)
    return FALSE;
  c = (unsigned char) *s;
  switch (*p)
    {
    case '.':
      return TRUE;
    case '%':
      return match_class (c, (unsigned char) p[1]);
    case '[':
      return match_set (c, p, ep - 1);
    default:
      return (unsigned char) *p == c;
    }
}

static const char *do_match (Match *ms, const char *s, const char *p);

static const char *
match_balance (Match      *ms,
               const char *s,
               const char *p)
{
  int open, close, count = 1;

  if (p + 1 >= ms->p_end)
    luaL_error (ms->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= ms->src_end || *s != *p)
    return NULL;
  open = *p;
  close = p[1];
  while (++s < ms->src_end)
    {
      step (ms);
      if (*s == close)
        {
          if (--count == 0)
            return s + 1;
        }
      else if (*s == open)
        count++;
    }
  return NULL;
}

static const char *
max_expand (Match      *ms,
            const char *s,
            const char *p,
            const char *ep)
{
  ptrdiff_t i = 0;

  while (single_match (ms, s + i, p, ep))
    {
      step (ms);
      i++;
    }
  /* Try the longest run first, then shorter ones. */
  for (; i >= 0; i--)
    {
      const char *result = do_match (ms, s + i, ep + 1);

      if (result != NULL)
        return result;
    }
  return NULL;
}

static const char *
min_expand (Match      *ms,
            const char *s,
            const char *p,
            const char *ep)
{
  for (;;)
    {
      const char *result = do_match (ms, s, ep + 1);

      if (result != NULL)
        return result;
      if (!single_match (ms, s, p, ep))
        return NULL;
      s++;
    }
}

static const char *
start_capture (Match      *ms,
               const char *s,
               const char *p,
               ptrdiff_t   what)
{
  const char *result;

  if (ms->level >= MAX_CAPTURES)
    luaL_error (ms->L, "too many captures");
  ms->capture[ms->level].init = s;
  ms->capture[ms->level].len = what;
  ms->level++;
  result = do_match (ms, s, p);
  if (result == NULL)
    ms->level--;
  return result;
}

static const char *
end_capture (Match      *ms,
             const char *s,
             const char *p)
{
  const char *result;
  int l = -1;

  for (int i = ms->level - 1; i >= 0; i--)
    if (ms->capture[i].len == CAP_UNFINISHED)
      {
        l = i;
        break;
      }
  if (l < 0)
    luaL_error (ms->L, "invalid pattern capture");

  ms->capture[l].len = s - ms->capture[l].init;
  result = do_match (ms, s, p);
  if (result == NULL)
    ms->capture[l].len = CAP_UNFINISHED;
  return result;
}

static const char *
match_capture (Match      *ms,
               const char *s,
               int         c)
{
  int l = c - '1';
  ptrdiff_t len;

  if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
    luaL_error (ms->L, "invalid capture index %%%d", l + 1);
  len = ms->capture[l].len;
  if (len >= 0 && ms->src_end - s >= len &&
      memcmp (ms->capture[l].init, s, len) == 0)
    return s + len;
  return NULL;
}

static const char *
do_match (Match      *ms,
          const char *s,
          const char *p)
{
  const char *ep;

  if (ms->depth-- == 0)
    luaL_error (ms->L, "pattern too complex");
  step (ms);

  while (p != ms->p_end && s != NULL)
    {
      switch (*p)
        {
        case '(':
          if (p + 1 < ms->p_end && p[1] == ')')
            s = start_capture (ms, s, p + 2, CAP_POSITION);
          else
            s = start_capture (ms, s, p + 1, CAP_UNFINISHED);
          goto done;

        case ')':
          s = end_capture (ms, s, p + 1);
          goto done;

        case '$':
          if (p + 1 == ms->p_end)
            {
              if (s != ms->src_end)
                s = NULL;
              goto done;
            }
          break;

        case '%':
          if (p + 1 < ms->p_end && p[1] == 'b')
            {
              s = match_balance (ms, s, p + 2);
              p += 4;
              continue;
            }
          if (p + 1 < ms->p_end && p[1] == 'f')
            {
              int previous, current;

              p += 2;
              if (p >= ms->p_end || *p != '[')
                luaL_error (ms->L, "missing '[' after '%%f' in pattern");
              ep = class_end (ms, p);
              previous = s == ms->src_init ? '\0' : (unsigned char) s[-1];
              /* Lua strings end with a NUL, which is the "character"
               * after the last one. */
              current = (unsigned char) *s;
              if (!match_set (previous, p, ep - 1) && match_set (current, p, ep - 1))
                {
                  p = ep;
                  continue;
                }
              s = NULL;
              goto done;
            }
          if (p + 1 < ms->p_end && isdigit ((unsigned char) p[1]))
            {
              s = match_capture (ms, s, (unsigned char) p[1]);
              p += 2;
              continue;
            }
          break;

        default:
          break;
        }

      /* A single-character class, perhaps with a quantifier. */
      ep = class_end (ms, p);
      if (!single_match (ms, s, p, ep))
        {
          if (ep < ms->p_end && (*ep == '*' || *ep == '?' || *ep == '-'))
            {
              p = ep + 1;  /* zero repetitions are fine */
              continue;
            }
          s = NULL;
          goto done;
        }

      switch (ep < ms->p_end ? *ep : '\0')
        {
        case '?':
          {
            const char *result = do_match (ms, s + 1, ep + 1);

            if (result != NULL)
              {
                s = result;
                goto done;
              }
            p = ep + 1;
          }
          continue;
        case '+':
          s = max_expand (ms, s + 1, p, ep);
          goto done;
        case '*':
          s = max_expand (ms, s, p, ep);
          goto done;
        case '-':
          s = min_expand (ms, s, p, ep);
          goto done;
        default:
          s++;
          p = ep;
          continue;
        }
    }

done:
  ms->depth++;
  return s;
}

static void
prepare (Match      *ms,
         lua_State  *L,
         const char *s,
         size_t      ls,
         const char *p,
         size_t      lp)
{
  ms->L = L;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
  ms->steps = 0;
}

static void
reprepare (Match *ms)
{
  ms->level = 0;
  ms->depth = MAX_RECURSION;
}

static void
push_capture (Match      *ms,
              int         i,
              const char *s,
              const char *e)
{
  if (i >= ms->level)
    {
      if (i != 0)
        luaL_error (ms->L, "invalid capture index %%%d", i + 1);
      lua_pushlstring (ms->L, s, e - s);  /* the whole match */
      return;
    }
  if (ms->capture[i].len == CAP_UNFINISHED)
    luaL_error (ms->L, "unfinished capture");
  if (ms->capture[i].len == CAP_POSITION)
    lua_pushinteger (ms->L, ms->capture[i].init - ms->src_init + 1);
  else
    lua_pushlstring (ms->L, ms->capture[i].init, ms->capture[i].len);
}

static int
push_captures (Match      *ms,
               const char *s,
               const char *e)
{
  int n = ms->level == 0 && s != NULL ? 1 : ms->level;

  luaL_checkstack (ms->L, n, "too many captures");
  for (int i = 0; i < n; i++)
    push_capture (ms, i, s, e);
  return n;
}

/* A position argument, 1-based, negative from the end, as a 0-based
 * offset (possibly beyond the end). */
static size_t
start_offset (lua_Integer pos,
              size_t      length)
{
  if (pos > 0)
    return (size_t) pos - 1;
  if (pos == 0 || pos < -(lua_Integer) length)
    return 0;
  return length + (size_t) pos;
}

static gboolean
has_specials (const char *p,
              size_t      lp)
{
  for (size_t i = 0; i < lp; i++)
    if (p[i] != '\0' && strchr (SPECIALS, p[i]) != NULL)
      return TRUE;
  return FALSE;
}

static const char *
find_plain (const char *s,
            size_t      ls,
            const char *p,
            size_t      lp)
{
  const char *end = s + ls;

  if (lp == 0)
    return s;
  while (lp <= (size_t) (end - s))
    {
      const char *first = memchr (s, *p, end - s - lp + 1);

      if (first == NULL)
        return NULL;
      if (memcmp (first + 1, p + 1, lp - 1) == 0)
        return first;
      s = first + 1;
    }
  return NULL;
}

static int
find_aux (lua_State *L,
          gboolean   find)
{
  size_t ls, lp;
  const char *s = luaL_checklstring (L, 1, &ls);
  const char *p = luaL_checklstring (L, 2, &lp);
  size_t init = start_offset (luaL_optinteger (L, 3, 1), ls);
  gboolean anchor;
  const char *s1;
  Match ms;

  if (init > ls)
    {
      luaL_pushfail (L);
      return 1;
    }

  if (find && (lua_toboolean (L, 4) || !has_specials (p, lp)))
    {
      const char *found = find_plain (s + init, ls - init, p, lp);

      if (found != NULL)
        {
          lua_pushinteger (L, found - s + 1);
          lua_pushinteger (L, found - s + lp);
          return 2;
        }
      luaL_pushfail (L);
      return 1;
    }

  anchor = lp > 0 && *p == '^';
  if (anchor)
    {
      p++;
      lp--;
    }
  prepare (&ms, L, s, ls, p, lp);
  s1 = s + init;
  do
    {
      const char *e;

      reprepare (&ms);
      e = do_match (&ms, s1, p);
      if (e != NULL)
        {
          if (find)
            {
              lua_pushinteger (L, s1 - s + 1);
              lua_pushinteger (L, e - s);
              return push_captures (&ms, NULL, NULL) + 2;
            }
          return push_captures (&ms, s1, e);
        }
    }
  while (s1++ < ms.src_end && !anchor);

  luaL_pushfail (L);
  return 1;
}

static int
find_cb (lua_State *L)
{
  return find_aux (L, TRUE);
}

static int
match_cb (lua_State *L)
{
  return find_aux (L, FALSE);
}

typedef struct
{
  const char *src;
  const char *p;
  const char *last_match;
  Match       ms;
} GMatch;

static int
gmatch_next_cb (lua_State *L)
{
  GMatch *gm = lua_touserdata (L, lua_upvalueindex (3));

  /* The iterator may be called from another coroutine than the one that
   * made it. */
  gm->ms.L = L;
  for (const char *src = gm->src; src <= gm->ms.src_end; src++)
    {
      const char *e;

      reprepare (&gm->ms);
      e = do_match (&gm->ms, src, gm->p);
      if (e != NULL && e != gm->last_match)
        {
          gm->src = gm->last_match = e;
          return push_captures (&gm->ms, src, e);
        }
    }
  return 0;
}

static int
gmatch_cb (lua_State *L)
{
  size_t ls, lp;
  const char *s = luaL_checklstring (L, 1, &ls);
  const char *p = luaL_checklstring (L, 2, &lp);
  size_t init = start_offset (luaL_optinteger (L, 3, 1), ls);
  GMatch *gm;

  lua_settop (L, 2);
  gm = lua_newuserdatauv (L, sizeof (GMatch), 0);
  if (init > ls)
    init = ls + 1;  /* no match at all */
  prepare (&gm->ms, L, s, ls, p, lp);
  gm->src = s + init;
  gm->p = p;
  gm->last_match = NULL;
  /* The subject and the pattern stay alive as upvalues. */
  lua_pushcclosure (L, gmatch_next_cb, 3);
  return 1;
}

static void
add_string (Match       *ms,
            luaL_Buffer *b,
            const char  *s,
            const char  *e)
{
  lua_State *L = ms->L;
  size_t l;
  const char *news = lua_tolstring (L, 3, &l);
  const char *p;

  while ((p = memchr (news, '%', l)) != NULL)
    {
      luaL_addlstring (b, news, p - news);
      p++;
      if (*p == '%')
        luaL_addchar (b, *p);
      else if (*p == '0')
        luaL_addlstring (b, s, e - s);
      else if (isdigit ((unsigned char) *p))
        {
          push_capture (ms, *p - '1', s, e);
          luaL_tolstring (L, -1, NULL);
          lua_remove (L, -2);
          luaL_addvalue (b);
        }
      else
        luaL_error (L, "invalid use of '%%' in replacement string");
      l -= p + 1 - news;
      news = p + 1;
    }
  luaL_addlstring (b, news, l);
}

/* Adds the replacement of the match from @s to @e; FALSE when the match
 * is kept as it was. */
static gboolean
add_value (Match       *ms,
           luaL_Buffer *b,
           const char  *s,
           const char  *e,
           int          type)
{
  lua_State *L = ms->L;

  switch (type)
    {
    case LUA_TFUNCTION:
      {
        int n;

        lua_pushvalue (L, 3);
        n = push_captures (ms, s, e);
        lua_call (L, n, 1);
      }
      break;
    case LUA_TTABLE:
      push_capture (ms, 0, s, e);
      lua_gettable (L, 3);
      break;
    default:
      add_string (ms, b, s, e);
      return TRUE;
    }

  if (!lua_toboolean (L, -1))
    {
      lua_pop (L, 1);
      luaL_addlstring (b, s, e - s);
      return FALSE;
    }
  if (!lua_isstring (L, -1))
    return luaL_error (L, "invalid replacement value (a %s)", luaL_typename (L, -1));
  luaL_addvalue (b);
  return TRUE;
}

static int
gsub_cb (lua_State *L)
{
  size_t srcl, lp;
  const char *src = luaL_checklstring (L, 1, &srcl);
  const char *p = luaL_checklstring (L, 2, &lp);
  const char *last_match = NULL;
  int type = lua_type (L, 3);
  lua_Integer max_n = luaL_optinteger (L, 4, srcl + 1);
  gboolean anchor, changed = FALSE;
  lua_Integer n = 0;
  luaL_Buffer b;
  Match ms;

  luaL_argexpected (L, type == LUA_TNUMBER || type == LUA_TSTRING ||
                       type == LUA_TFUNCTION || type == LUA_TTABLE,
                    3, "string/function/table");
  luaL_buffinit (L, &b);
  anchor = lp > 0 && *p == '^';
  if (anchor)
    {
      p++;
      lp--;
    }
  prepare (&ms, L, src, srcl, p, lp);
  while (n < max_n)
    {
      const char *e;

      reprepare (&ms);
      step (&ms);
      e = do_match (&ms, src, p);
      if (e != NULL && e != last_match)
        {
          n++;
          changed = add_value (&ms, &b, src, e, type) || changed;
          src = last_match = e;
        }
      else if (src < ms.src_end)
        luaL_addchar (&b, *src++);
      else
        break;
      if (anchor)
        break;
    }

  if (!changed)
    lua_pushvalue (L, 1);
  else
    {
      luaL_addlstring (&b, src, ms.src_end - src);
      luaL_pushresult (&b);
    }
  lua_pushinteger (L, n);
  return 2;
}

void
sluice_lua_pattern_install (lua_State *L)
{
  static const luaL_Reg functions[] = {
    { "find", find_cb },
    { "match", match_cb },
    { "gmatch", gmatch_cb },
    { "gsub", gsub_cb },
    { NULL, NULL },
  };

  luaL_setfuncs (L, functions, 0);
}
