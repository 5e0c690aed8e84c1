/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <lauxlib.h>
#include <lua.h>

#include "sluice-columns-arith.h"
#include "sluice-columns-compute.h"
#include "sluice-lua-field-scan.h"
#include "sluice-lua-runtime.h"
#include "sluice-text.h"

struct _SluiceColumnsCompute
{
  SluiceLuaCode      code;
  GPtrArray         *codes;      /* of &code, for the runtime */
  SluiceLuaRuntime  *runtime;
  GPtrArray         *reads;      /* field names the expressions read */
  char             **names;      /* computed field names, in order */
  SluiceStepContext *context;
  SluiceColumnsArith *arith;     /* NULL unless every expression is simple arithmetic */
  gint               cancel;     /* never set: calls run to their end or deadline */
};

static void
print_cb (const char *module_id,
          const char *text,
          gsize       length,
          gpointer    user_data)
{
  SluiceColumnsCompute *self = user_data;
  g_autofree char *line = g_strndup (text, length);

  sluice_step_context_log (self->context, module_id, line);
}

SluiceColumnsCompute *
sluice_columns_compute_new (const char         *module_id,
                            guint               line,
                            char              **names,
                            char              **expressions,
                            SluiceStepContext  *context,
                            guint64             memory_limit,
                            GError            **error)
{
  g_autoptr(SluiceColumnsCompute) self = g_new0 (SluiceColumnsCompute, 1);
  g_autoptr(GString) code = g_string_new (NULL);

  self->reads = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; expressions[i] != NULL; i++)
    {
      if (!sluice_lua_field_scan (expressions[i], self->reads))
        return NULL;
      /* One statement a line: errors name the expression's line. */
      g_string_append (code, "item[");
      sluice_append_lua_string (code, names[i]);
      g_string_append_printf (code, "] = (%s)\n", expressions[i]);
    }

  self->names = g_strdupv (names);
  self->arith = sluice_columns_arith_new (names, expressions);
  self->context = context;
  self->code.module_id = g_strdup (module_id);
  self->code.code = g_string_free (g_steal_pointer (&code), FALSE);
  self->code.code_line = line;
  self->codes = g_ptr_array_new ();
  g_ptr_array_add (self->codes, &self->code);
  self->runtime = sluice_lua_runtime_new (self->codes, context->params, &self->cancel);
  if (memory_limit > 0)
    sluice_lua_runtime_set_memory_limit (self->runtime, memory_limit);
  sluice_lua_runtime_set_print_func (self->runtime, print_cb, self);
  if (!sluice_lua_runtime_check (self->runtime, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
sluice_columns_compute_free (SluiceColumnsCompute *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->runtime, sluice_lua_runtime_free);
  g_clear_pointer (&self->arith, sluice_columns_arith_free);
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_clear_pointer (&self->reads, g_ptr_array_unref);
  g_strfreev (self->names);
  g_free (self->code.module_id);
  g_free (self->code.code);
  g_free (self);
}

/* One protected call a item: pushing the fields read, running the
 * chunk and reading the computed fields back may allocate, and so raise
 * when the memory limit is reached. */
typedef struct
{
  SluiceColumnsCompute *self;
  json_t               *item;
  gint64                deadline;
  GError               *error;
} ApplyArgs;

/* @value as Lua: scalars directly, the rest by the converter. */
static gboolean
push_value (lua_State  *L,
            json_t     *value,
            GError    **error)
{
  switch (json_typeof (value))
    {
    case JSON_INTEGER:
      lua_pushinteger (L, json_integer_value (value));
      return TRUE;
    case JSON_REAL:
      lua_pushnumber (L, json_real_value (value));
      return TRUE;
    case JSON_STRING:
      lua_pushlstring (L, json_string_value (value), json_string_length (value));
      return TRUE;
    case JSON_TRUE:
    case JSON_FALSE:
      lua_pushboolean (L, json_is_true (value));
      return TRUE;
    case JSON_NULL:
    case JSON_OBJECT:
    case JSON_ARRAY:
    default:
      return sluice_lua_push_json_checked (L, value, error);
    }
}

/* Leaves the computed values on the stack, in order; none (and
 * args->error set) when the chunk failed. */
static int
apply_cb (lua_State *L)
{
  ApplyArgs *args = lua_touserdata (L, 1);
  SluiceColumnsCompute *self = args->self;
  guint n_emitted = 0;
  guint n;

  lua_createtable (L, 0, self->reads->len);
  for (guint i = 0; i < self->reads->len; i++)
    {
      const char *name = g_ptr_array_index (self->reads, i);
      json_t *value = json_object_get (args->item, name);

      if (value == NULL)
        continue;
      if (!push_value (L, value, &args->error))
        return 0;
      lua_setfield (L, -2, name);
    }

  switch (sluice_lua_runtime_run (self->runtime, 0, args->deadline, &n_emitted, &args->error))
    {
    case SLUICE_LUA_PASS:
      break;
    case SLUICE_LUA_ERROR:
      return 0;
    case SLUICE_LUA_DROP:
    case SLUICE_LUA_EMITTED:
    default:
      /* The scan refuses emit and the chunk has no return. */
      g_set_error_literal (&args->error, G_IO_ERROR, G_IO_ERROR_FAILED, "a computed field did not give a value");
      return 0;
    }

  n = g_strv_length (self->names);
  luaL_checkstack (L, n, NULL);
  for (guint i = 0; i < n; i++)
    lua_getfield (L, -1 - (int) i, self->names[i]);
  return n;
}

/* The Lua value at @index as JSON: scalars directly, the rest (and
 * what cannot be represented, for its message) by the converter. */
static json_t *
to_json (lua_State  *L,
         int         index,
         GError    **error)
{
  switch (lua_type (L, index))
    {
    case LUA_TNUMBER:
      if (lua_isinteger (L, index))
        return json_integer (lua_tointeger (L, index));
      if (isfinite (lua_tonumber (L, index)))
        return json_real (lua_tonumber (L, index));
      break;
    case LUA_TBOOLEAN:
      return json_boolean (lua_toboolean (L, index));
    case LUA_TSTRING:
      {
        size_t length;
        const char *text = lua_tolstring (L, index, &length);

        if (g_utf8_validate_len (text, length, NULL))
          return json_stringn_nocheck (text, length);
      }
      break;
    default:
      break;
    }
  return sluice_lua_value_to_json (L, index, error);
}

gboolean
sluice_columns_compute_apply (SluiceColumnsCompute  *self,
                              json_t                *item,
                              gint64                 deadline,
                              GError               **error)
{
  lua_State *L = sluice_lua_runtime_get_state (self->runtime);
  int top = lua_gettop (L);
  ApplyArgs args = { self, item, deadline, NULL };
  int status;
  int n;

  /* `item.price * item.qty` costs a tenth in C of a call into Lua. */
  if (self->arith != NULL && sluice_columns_arith_apply (self->arith, item))
    return TRUE;
  lua_pushcfunction (L, apply_cb);
  lua_pushlightuserdata (L, &args);
  status = lua_pcall (L, 1, LUA_MULTRET, 0);
  if (status != LUA_OK)
    {
      g_clear_error (&args.error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                   status == LUA_ERRMEM ? "out of memory (the pipeline's lua-memory-limit)"
                   : lua_type (L, -1) == LUA_TSTRING ? lua_tostring (L, -1) : "error");
      lua_settop (L, top);
      return FALSE;
    }
  if (args.error != NULL)
    {
      g_propagate_error (error, args.error);
      lua_settop (L, top);
      return FALSE;
    }

  /* Every value first, then the fields: a value that cannot be JSON
   * fails the item with nothing changed. NULL: the field goes (nil). */
  n = lua_gettop (L) - top;
  {
    g_autofree json_t **values = g_new0 (json_t *, n);

    for (int i = 0; i < n; i++)
      {
        int index = top + 1 + i;

        if (lua_isnil (L, index))
          continue;
        values[i] = to_json (L, index, error);
        if (values[i] == NULL)
          {
            g_prefix_error (error, "the computed field “%s”: ", self->names[i]);
            for (int k = 0; k < i; k++)
              if (values[k] != NULL)
                json_decref (values[k]);
            lua_settop (L, top);
            return FALSE;
          }
      }
    for (int i = 0; i < n; i++)
      {
        if (values[i] == NULL)
          json_object_del (item, self->names[i]);
        else
          json_object_set_new (item, self->names[i], values[i]);
      }
  }
  lua_settop (L, top);
  return TRUE;
}
