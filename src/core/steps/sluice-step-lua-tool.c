/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sluice-execution.h"
#include "sluice-lua-check.h"
#include "sluice-params.h"
#include "sluice-run-state.h"
#include "sluice-step-lua-tool.h"
#include "sluice-step-registry.h"
#include "sluice-tool.h"

/* Each Lua tool is a GType of its own, made at run time, whose class
 * carries the tool's description (SluiceStepClass.info) and code: the
 * palette, the validator and the executor then treat it like a built-in
 * tool. Like every Lua body, its code runs in the executor's sandboxed
 * Lua states (get_lua); the module's parameters are put in front of it
 * as a table `args` on the chunk's first line, so that its own line
 * numbers stay those of the file. */

#define MAX_PARAMS 64

/* What the manifest says; lives as long as the process (a GType does). */
typedef struct
{
  char                *name;
  char                *title;
  char                *description;
  char                *path;
  char                *body;
  guint                body_line;  /* of the body's first line in the file */
  GArray              *param_array; /* of SluiceToolParamInfo, zero-terminated */
  SluiceToolParamInfo *params;      /* its data, once complete */
  SluiceToolInfo       info;
} LuaTool;

typedef struct
{
  SluiceStep  parent_instance;
  char       *code;   /* `local args = {…};` + the body */
  guint       line;
} SluiceStepLuaTool;

typedef SluiceStepClass SluiceStepLuaToolClass;

static gpointer parent_class;

/* The class's info is the LuaTool's own (class_init). */
static LuaTool *
tool_of (gpointer instance)
{
  const SluiceToolInfo *info = ((SluiceStepClass *) G_OBJECT_GET_CLASS (instance))->info;

  return (LuaTool *) ((char *) info - G_STRUCT_OFFSET (LuaTool, info));
}

/* Only for a tool that did not register: a registered one lives as long
 * as its type, i.e. the process. */
static void
lua_tool_free (LuaTool *tool)
{
  for (guint i = 0; tool->param_array != NULL && i < tool->param_array->len; i++)
    {
      SluiceToolParamInfo *param = &g_array_index (tool->param_array, SluiceToolParamInfo, i);

      g_free ((char *) param->name);
      g_free ((char *) param->description);
      g_free ((char *) param->default_value);
    }
  if (tool->param_array != NULL)
    g_array_unref (tool->param_array);
  g_free (tool->name);
  g_free (tool->title);
  g_free (tool->description);
  g_free (tool->path);
  g_free (tool->body);
  g_free (tool);
}

/* A Lua string literal for any bytes: every byte that is not a plain
 * letter or digit is a decimal escape, so no value can end the string
 * or the line. */
static void
append_lua_string (GString    *code,
                   const char *value)
{
  g_string_append_c (code, '"');
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    if (g_ascii_isalnum (*p) || *p == ' ' || *p == '_' || *p == '-' || *p == '.')
      g_string_append_c (code, *p);
    else
      g_string_append_printf (code, "\\%03u", *p);
  g_string_append_c (code, '"');
}

/* The value of @param for Lua, by its declared type. FALSE with @error
 * when it does not read as that type. */
static gboolean
append_arg (GString                   *code,
            const SluiceToolParamInfo *param,
            const char                *value,
            const char                *module_id,
            GError                   **error)
{
  char *end = NULL;

  switch (param->type)
    {
    case SLUICE_TOOL_PARAM_INT:
      g_ascii_strtoll (value, &end, 10);
      break;
    case SLUICE_TOOL_PARAM_FLOAT:
      g_ascii_strtod (value, &end);
      break;
    case SLUICE_TOOL_PARAM_BOOL:
      if (g_str_equal (value, "true") || g_str_equal (value, "false"))
        {
          g_string_append (code, value);
          return TRUE;
        }
      end = (char *) value;
      break;
    default:
      append_lua_string (code, value);
      return TRUE;
    }
  if (end == value || *end != '\0')
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: `%s` is not %s: “%s”", module_id, param->name,
                   param->type == SLUICE_TOOL_PARAM_BOOL ? "true or false" : "a number", value);
      return FALSE;
    }
  g_string_append (code, value);
  return TRUE;
}

static gboolean
sluice_step_lua_tool_prepare (SluiceStep         *step,
                              SluiceModule       *module,
                              SluiceStepContext  *context,
                              GError            **error)
{
  SluiceStepLuaTool *self = (SluiceStepLuaTool *) step;
  LuaTool *tool = tool_of (step);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  g_autoptr(GString) code = g_string_new ("local args <const> = {");

  for (guint i = 0; tool->params[i].name != NULL; i++)
    {
      const char *raw = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), tool->params[i].name);
      g_autofree char *value = NULL;

      if (raw == NULL)
        raw = tool->params[i].default_value;
      if (raw == NULL)
        continue;
      if ((value = sluice_params_substitute (raw, context->params, FALSE, error)) == NULL)
        return FALSE;
      g_string_append_printf (code, " [\"%s\"] = ", tool->params[i].name);
      if (!append_arg (code, &tool->params[i], value, id, error))
        return FALSE;
      g_string_append_c (code, ',');
    }
  /* No newline: the body keeps its line numbers. */
  g_string_append (code, " }; ");
  g_string_append (code, tool->body);
  g_free (self->code);
  self->code = g_string_free (g_steal_pointer (&code), FALSE);
  self->line = tool->body_line;
  return TRUE;
}

static const char *
sluice_step_lua_tool_get_lua (SluiceStep *step,
                              guint      *line)
{
  SluiceStepLuaTool *self = (SluiceStepLuaTool *) step;

  if (line != NULL)
    *line = self->line;
  return self->code != NULL ? self->code : "";
}

static void
sluice_step_lua_tool_finalize (GObject *object)
{
  g_free (((SluiceStepLuaTool *) object)->code);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
sluice_step_lua_tool_class_init (gpointer klass,
                                 gpointer class_data)
{
  SluiceStepClass *step_class = klass;
  LuaTool *tool = class_data;

  parent_class = g_type_class_peek_parent (klass);
  G_OBJECT_CLASS (klass)->finalize = sluice_step_lua_tool_finalize;
  step_class->info = &tool->info;
  step_class->prepare = sluice_step_lua_tool_prepare;
  step_class->get_lua = sluice_step_lua_tool_get_lua;
  /* Lua is sandboxed: nothing outside the run. */
  step_class->side_effects = FALSE;
}

/* ---- the manifest */

static gboolean
is_tool_name (const char *name,
              char        extra)
{
  if (name == NULL || !g_ascii_islower (name[0]) || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != extra)
      return FALSE;
  return TRUE;
}

static gboolean
parse_type (const char          *word,
            SluiceToolParamType *type)
{
  static const struct { const char *name; SluiceToolParamType type; } types[] = {
    { "string", SLUICE_TOOL_PARAM_STRING }, { "int", SLUICE_TOOL_PARAM_INT },
    { "float", SLUICE_TOOL_PARAM_FLOAT }, { "bool", SLUICE_TOOL_PARAM_BOOL },
    { "duration", SLUICE_TOOL_PARAM_DURATION }, { "path", SLUICE_TOOL_PARAM_PATH },
    { "text", SLUICE_TOOL_PARAM_TEXT }, { "secret", SLUICE_TOOL_PARAM_SECRET },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (word, types[i].name))
      {
        *type = types[i].type;
        return TRUE;
      }
  return FALSE;
}

/* `NAME TYPE required|optional|default=VALUE: DESCRIPTION` */
static gboolean
parse_param (const char          *text,
             SluiceToolParamInfo *param)
{
  const char *colon = strchr (text, ':');
  g_autofree char *head = colon ? g_strndup (text, colon - text) : NULL;
  g_auto(GStrv) words = head ? g_strsplit_set (g_strstrip (head), " \t", -1) : NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (parts, words[i]);
  if (parts->len != 3 || !is_tool_name (parts->pdata[0], '_') || !parse_type (parts->pdata[1], &param->type))
    return FALSE;
  if (g_str_equal (parts->pdata[2], "required"))
    param->required = TRUE;
  else if (g_str_has_prefix (parts->pdata[2], "default="))
    param->default_value = g_strdup ((char *) parts->pdata[2] + strlen ("default="));
  else if (!g_str_equal (parts->pdata[2], "optional"))
    return FALSE;
  param->name = g_strdup (parts->pdata[0]);
  param->description = g_strstrip (g_strdup (colon + 1));
  return TRUE;
}

static gboolean
manifest_error (GError     **error,
                const char  *path,
                guint        line,
                const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: %s", path, line, message);
  return FALSE;
}

/* Reads the `---` lines at the top of @source into @tool. */
static gboolean
parse_manifest (LuaTool     *tool,
                const char  *path,
                const char  *source,
                GError     **error)
{
  const char *p = source;
  guint line = 1;

  tool->param_array = g_array_new (TRUE, TRUE, sizeof (SluiceToolParamInfo));
  for (; g_str_has_prefix (p, "---"); line++)
    {
      const char *end = strchr (p, '\n');
      g_autofree char *text = g_strstrip (g_strndup (p + 3, end ? (gsize) (end - p - 3) : strlen (p + 3)));
      char *value = strchr (text, ':');

      p = end ? end + 1 : p + strlen (p);
      if (value == NULL)
        return manifest_error (error, path, line, _("a manifest line is “--- key: value”"));
      *value++ = '\0';
      value = g_strstrip (value);
      if (g_str_equal (text, "tool") && is_tool_name (value, '-'))
        tool->name = g_strdup (value);
      else if (g_str_equal (text, "title"))
        tool->title = g_strdup (value);
      else if (g_str_equal (text, "description"))
        tool->description = g_strdup (value);
      else if (g_str_equal (text, "param") && tool->param_array->len < MAX_PARAMS)
        {
          SluiceToolParamInfo param = { 0 };

          if (!parse_param (value, &param))
            {
              g_free ((char *) param.name);
              g_free ((char *) param.description);
              g_free ((char *) param.default_value);
              return manifest_error (error, path, line,
                                   _("a parameter is “param: NAME TYPE required|optional|default=VALUE: DESCRIPTION”"));
            }
          g_array_append_val (tool->param_array, param);
        }
      else if (g_str_equal (text, "tool"))
        return manifest_error (error, path, line, _("a tool's name has only lower-case letters, digits and hyphens"));
      else
        return manifest_error (error, path, line, _("unknown manifest key (tool, title, description, param)"));
    }
  if (tool->name == NULL)
    return manifest_error (error, path, 1, _("no “--- tool: NAME” line at the top"));
  tool->body = g_strdup (p);
  tool->body_line = line;
  tool->params = (SluiceToolParamInfo *) tool->param_array->data;
  return TRUE;
}

static gboolean
check_body (LuaTool     *tool,
            GError     **error)
{
  g_autoptr(SluiceLuaCheck) check = sluice_lua_check_new ();
  g_autofree char *message = NULL;
  guint line = 0;

  if (sluice_lua_check_chunk (check, tool->body, &line, &message))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: %s", tool->path,
               tool->body_line + (line > 0 ? line - 1 : 0), message);
  return FALSE;
}

static GType
register_type (LuaTool *tool)
{
  g_autofree char *type_name = g_strdup_printf ("SluiceLuaTool_%s", tool->name);
  const GTypeInfo info = {
    .class_size = sizeof (SluiceStepLuaToolClass),
    .class_init = sluice_step_lua_tool_class_init,
    .class_data = tool,
    .instance_size = sizeof (SluiceStepLuaTool),
  };

  return g_type_register_static (SLUICE_TYPE_STEP, type_name, &info, 0);
}

gboolean
sluice_step_lua_tool_register (const char  *path,
                               const char  *source,
                               GError     **error)
{
  LuaTool *tool = g_new0 (LuaTool, 1);
  g_autofree char *type_name = NULL;
  GType type;

  tool->path = g_strdup (path);
  if (!parse_manifest (tool, path, source, error) || !check_body (tool, error))
    {
      lua_tool_free (tool);
      return FALSE;
    }
  type_name = g_strdup_printf ("SluiceLuaTool_%s", tool->name);
  if (sluice_step_registry_lookup (tool->name) != G_TYPE_INVALID || g_type_from_name (type_name) != 0)
    {
      const char *origin = sluice_tool_get_origin (tool->name);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s: a tool named “%s” is already there (%s)"),
                   path, tool->name, origin ? origin : _("another Lua tool"));
      lua_tool_free (tool);
      return FALSE;
    }
  tool->info.name = tool->name;
  tool->info.title = tool->title ? tool->title : tool->name;
  tool->info.description = tool->description ? tool->description : "";
  tool->info.params = tool->params;
  type = register_type (tool);
  return sluice_step_registry_register (tool->name, type, SLUICE_STEP_TOOL);
}
