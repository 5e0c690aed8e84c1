/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sluice-loader.h"
#include "sluice-pipeline.h"
#include "sluice-templates.h"

#define RESOURCE_FOLDER "/org/sluice/core/templates/"
/* Far above any real pipeline; a bigger file is not a template. */
#define MAX_TEMPLATE_SIZE (4 * 1024 * 1024)

void
sluice_template_free (SluiceTemplate *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->title);
  g_free (self->description);
  g_free (self->origin);
  g_strfreev (self->to_fill);
  g_free (self);
}

/* Lower-case letters, digits and hyphens: safe in a path and on a
 * command line, and the same on every file system. */
static gboolean
is_template_name (const char *name)
{
  if (name == NULL || *name == '\0' || *name == '-' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* The folders beyond the built-in templates, in the order they count. */
static GPtrArray *
template_folders (void)
{
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  const char * const *system = g_get_system_data_dirs ();

  g_ptr_array_add (folders, g_build_filename (g_get_user_data_dir (), "sluice", "templates", NULL));
  for (guint i = 0; system[i] != NULL; i++)
    g_ptr_array_add (folders, g_build_filename (system[i], "sluice", "templates", NULL));
  return folders;
}

/* Reads a template file: a regular file (never a FIFO, which would
 * block) of sane size. The error does not name @path: callers do. */
static GBytes *
read_template_file (const char  *path,
                    GError     **error)
{
  GStatBuf st;
  char *contents;
  gsize length;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, _("not a regular file"));
      return NULL;
    }
  if (st.st_size > MAX_TEMPLATE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("larger than %d bytes"), MAX_TEMPLATE_SIZE);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  return g_bytes_new_take (contents, length);
}

static GStrv
parameters_to_fill (SluicePipeline *pipeline)
{
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline));
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);

      if (sluice_parameter_get_default_value (parameter) == NULL)
        g_strv_builder_add (names, sluice_parameter_get_name (parameter));
    }
  return g_strv_builder_end (names);
}

/* A template from its content, or NULL with what is wrong in @problems. */
static SluiceTemplate *
template_new (const char *name,
              GBytes     *xml,
              const char *origin,
              GPtrArray  *problems)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  SluiceTemplate *self;
  gsize length;
  const char *data = g_bytes_get_data (xml, &length);

  pipeline = sluice_load_data (data, length, origin, found);
  if (pipeline == NULL || sluice_problems_have_errors (found))
    {
      for (guint i = 0; problems != NULL && i < found->len; i++)
        g_ptr_array_add (problems, g_object_ref (found->pdata[i]));
      return NULL;
    }
  self = g_new0 (SluiceTemplate, 1);
  self->name = g_strdup (name);
  self->title = g_strdup (sluice_node_get_label (SLUICE_NODE (pipeline)));
  self->description = g_strdup (sluice_pipeline_get_description (pipeline) ? sluice_pipeline_get_description (pipeline) : "");
  self->origin = g_strdup (origin);
  self->to_fill = parameters_to_fill (pipeline);
  return self;
}

static void
report (GPtrArray  *problems,
        const char *file,
        const char *format,
        ...) G_GNUC_PRINTF (3, 4);

static void
report (GPtrArray  *problems,
        const char *file,
        const char *format,
        ...)
{
  va_list args;

  if (problems == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (problems, sluice_problem_new_valist (SLUICE_SEVERITY_WARNING, file, 0, NULL, format, args));
  va_end (args);
}

/* Adds @candidate unless its name is taken (then reported). */
static void
add_template (GHashTable     *by_name,
              SluiceTemplate *candidate,
              GPtrArray      *problems)
{
  SluiceTemplate *first = g_hash_table_lookup (by_name, candidate->name);

  if (first != NULL)
    {
      report (problems, candidate->origin, _("template “%s” skipped: %s has that name already"),
              candidate->name, first->origin);
      sluice_template_free (candidate);
      return;
    }
  g_hash_table_insert (by_name, candidate->name, candidate);
}

static void
add_built_in (GHashTable *by_name,
              GPtrArray  *problems)
{
  g_auto(GStrv) files = g_resources_enumerate_children (RESOURCE_FOLDER, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (RESOURCE_FOLDER, files[i], NULL);
      g_autofree char *name = g_strndup (files[i], strlen (files[i]) - strlen (".xml"));
      g_autoptr(GBytes) xml = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      SluiceTemplate *template;

      if (!g_str_has_suffix (files[i], ".xml") || xml == NULL)
        continue;
      template = template_new (name, xml, "built-in", problems);
      if (template != NULL)
        add_template (by_name, template, problems);
    }
}

static void
add_folder (GHashTable *by_name,
            const char *folder,
            GPtrArray  *problems)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *file;

  /* A folder that is not there is the normal case. */
  while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, file, NULL);
      g_autofree char *name = NULL;
      g_autoptr(GBytes) xml = NULL;
      g_autoptr(GError) error = NULL;
      SluiceTemplate *template;

      if (!g_str_has_suffix (file, ".xml"))
        continue;
      name = g_strndup (file, strlen (file) - strlen (".xml"));
      if (!is_template_name (name))
        {
          report (problems, path, _("skipped: a template's name has only lower-case letters, digits and hyphens"));
          continue;
        }
      if ((xml = read_template_file (path, &error)) == NULL)
        {
          report (problems, path, _("skipped: %s"), error->message);
          continue;
        }
      template = template_new (name, xml, path, problems);
      if (template != NULL)
        add_template (by_name, template, problems);
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 ((*(SluiceTemplate **) a)->name, (*(SluiceTemplate **) b)->name);
}

GPtrArray *
sluice_templates_list (GPtrArray *problems)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) folders = template_folders ();
  GPtrArray *templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_template_free);
  GHashTableIter iter;
  gpointer value;

  add_built_in (by_name, problems);
  for (guint i = 0; i < folders->len; i++)
    add_folder (by_name, folders->pdata[i], problems);
  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (templates, value);
  g_ptr_array_sort (templates, compare_names);
  return templates;
}

GBytes *
sluice_template_get_xml (const char  *name,
                         GError     **error)
{
  g_autofree char *resource = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  GBytes *xml;

  if (!is_template_name (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a template name (lower-case letters, digits and hyphens)"), name);
      return NULL;
    }
  resource = g_strconcat (RESOURCE_FOLDER, name, ".xml", NULL);
  if ((xml = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL)) != NULL)
    return xml;
  folders = template_folders ();
  for (guint i = 0; i < folders->len; i++)
    {
      g_autofree char *file = g_strconcat (name, ".xml", NULL);
      g_autofree char *path = g_build_filename (folders->pdata[i], file, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          xml = read_template_file (path, error);
          if (xml == NULL)
            g_prefix_error (error, "%s: ", path);
          return xml;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("no template “%s” (sluice-run new --list-templates lists them)"), name);
  return NULL;
}
