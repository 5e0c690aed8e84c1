/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-new.h"

/* `sluice-run new --template NAME FILE.xml`: starts a pipeline file from
 * a template, and `--list-templates` says which there are. Exit status:
 * 0 done, 1 the file could not be written, 2 a usage error (no or an
 * unknown template, the file exists). */

static void
print_templates (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) templates = sluice_templates_list (problems);

  for (guint i = 0; i < templates->len; i++)
    {
      SluiceTemplate *template = templates->pdata[i];

      printf ("%-14s %s\n", template->name, template->title);
      if (*template->description != '\0')
        printf ("%-14s %s\n", "", template->description);
      if (template->to_fill[0] != NULL)
        {
          g_autofree char *names = g_strjoinv (", ", template->to_fill);

          printf ("%-14s %s %s\n", "", _("To fill in:"), names);
        }
      if (!g_str_equal (template->origin, "built-in"))
        printf ("%-14s %s %s\n", "", _("From:"), template->origin);
    }
  /* Broken plug-in templates are reported, the rest still listed. */
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      fprintf (stderr, "sluice-run new: %s\n", line);
    }
}

/* Writes @xml to a new file @path: never over an existing one. */
static gboolean
write_new_file (const char  *path,
                GBytes      *xml,
                GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (xml, &length);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  gsize written = 0;

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  while (written < length)
    {
      gssize n = write (fd, data + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
          close (fd);
          g_unlink (path);
          return FALSE;
        }
      written += n;
    }
  if (close (fd) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

/* What to do next: the parameters the template leaves to the user. */
static void
print_next_steps (const char *template_name,
                  const char *path)
{
  g_autoptr(GPtrArray) templates = sluice_templates_list (NULL);
  g_autofree char *quoted = g_shell_quote (path);

  for (guint i = 0; i < templates->len; i++)
    {
      SluiceTemplate *template = templates->pdata[i];
      g_autoptr(GString) defines = g_string_new (NULL);

      if (!g_str_equal (template->name, template_name))
        continue;
      for (guint j = 0; template->to_fill[j] != NULL; j++)
        g_string_append_printf (defines, " -D %s=VALUE", template->to_fill[j]);
      printf (_("Created %s from the template “%s”. Edit it in the designer (sluice %s) or run it:\n"
                "  sluice-run %s%s\n"),
              path, template_name, quoted, quoted, defines->str);
    }
}

int
sluice_run_new_pipeline (int    argc,
                         char **argv)
{
  g_autofree char *template_name = NULL;
  gboolean list = FALSE;
  GOptionEntry entries[] = {
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_name, N_("Start from the template NAME"), N_("NAME") },
    { "list-templates", 'l', 0, G_OPTION_ARG_NONE, &list, N_("List the templates and what each needs"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE.xml — start a new pipeline from a template"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) xml = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sluice-run new: %s\n", error->message);
      return 2;
    }
  if (list)
    {
      print_templates ();
      return 0;
    }
  if (template_name == NULL || argc != 2)
    {
      fprintf (stderr, _("sluice-run new: usage: sluice-run new --template NAME FILE.xml (--list-templates lists them)\n"));
      return 2;
    }
  if ((xml = sluice_template_get_xml (template_name, &error)) == NULL)
    {
      fprintf (stderr, "sluice-run new: %s\n", error->message);
      return 2;
    }
  if (!write_new_file (argv[1], xml, &error))
    {
      fprintf (stderr, "sluice-run new: %s\n", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) ? 2 : 1;
    }
  print_next_steps (template_name, argv[1]);
  return 0;
}
