/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-step-lua.h"

/* The Lua step hands its chunk to the executor (get_lua), which compiles
 * it once per Lua state and runs consecutive Lua steps on an item without
 * converting it back to JSON in between. Compile errors are found by the
 * validator, which checks every Lua body and <when> with one compiler. */

struct _SluiceStepLua
{
  SluiceStep  parent_instance;

  char       *code;
  guint       line;  /* of the body in the file */
};

G_DEFINE_FINAL_TYPE (SluiceStepLua, sluice_step_lua, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo no_params[] = {
  { NULL, NULL, FALSE },
};

static const SluiceToolInfo lua_info = {
  "lua",
  N_("Lua"),
  N_("Changes, drops or multiplies each item with Lua code"),
  no_params,
};

static gboolean
sluice_step_lua_prepare (SluiceStep         *step,
                         SluiceModule       *module,
                         SluiceStepContext  *context,
                         GError            **error)
{
  SluiceStepLua *self = SLUICE_STEP_LUA (step);
  SluiceExecution *execution = SLUICE_EXECUTION (module);

  g_free (self->code);
  self->code = g_strdup (sluice_execution_get_code (execution));
  self->line = sluice_execution_get_code_line (execution);
  return TRUE;
}

static const char *
sluice_step_lua_get_lua (SluiceStep *step,
                         guint      *line)
{
  SluiceStepLua *self = SLUICE_STEP_LUA (step);

  if (line != NULL)
    *line = self->line;
  return self->code != NULL ? self->code : "";
}

static void
sluice_step_lua_finalize (GObject *object)
{
  g_free (SLUICE_STEP_LUA (object)->code);

  G_OBJECT_CLASS (sluice_step_lua_parent_class)->finalize (object);
}

static void
sluice_step_lua_class_init (SluiceStepLuaClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_step_lua_finalize;
  step_class->info = &lua_info;
  step_class->prepare = sluice_step_lua_prepare;
  step_class->get_lua = sluice_step_lua_get_lua;
}

static void
sluice_step_lua_init (SluiceStepLua *self)
{
}
