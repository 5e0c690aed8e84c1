/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "report-tools.h"

static const char validate_script[] =
  "import json, sys\n"
  "try:\n"
  "    import jsonschema\n"
  "except ImportError:\n"
  "    sys.exit('python3-jsonschema is missing: install it (build-aux/install-deps.sh)')\n"
  "schema = json.load(open(sys.argv[1]))\n"
  "jsonschema.Draft7Validator.check_schema(schema)\n"
  "errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)\n"
  "for e in errors:\n"
  "    print('/'.join(str(p) for p in e.absolute_path) + ': ' + e.message)\n"
  "sys.exit(1 if errors else 0)\n";

/* Runs @argv; returns its exit status, standard output in @out. */
static int
spawn (const char * const *argv,
       char              **out,
       char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process =
    g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);

  if (process == NULL)
    g_error ("cannot run %s: %s", argv[0], error->message);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : 255;
}

void
report_assert_valid_json (const char *path)
{
  g_autofree char *schema = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data",
                                              "sluice-run-report.schema.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  const char *argv[] = { "python3", "-c", validate_script, schema, path, NULL };
  int status;

  if (python == NULL)
    g_error ("python3 is missing: it validates reports against their JSON Schema");
  status = spawn (argv, &out, &err);
  if (status != 0)
    g_error ("%s does not match %s:\n%s%s", path, schema, out, err);
}

void
report_screenshot (const char *html_path,
                   const char *png_path,
                   gboolean    dark,
                   int         width,
                   int         height)
{
  g_autofree char *chromium = g_find_program_in_path ("chromium");
  g_autofree char *profile = g_dir_make_tmp ("sluice-chromium-XXXXXX", NULL);
  g_autofree char *user_data = g_strdup_printf ("--user-data-dir=%s", profile);
  g_autofree char *screenshot = g_strdup_printf ("--screenshot=%s", png_path);
  g_autofree char *size = g_strdup_printf ("--window-size=%d,%d", width, height);
  g_autofree char *uri = g_filename_to_uri (html_path, NULL, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *remove = NULL;
  const char *argv[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--hide-scrollbars", user_data, screenshot, size,
                         dark ? "--force-dark-mode" : "--disable-extensions", uri, NULL };

  if (chromium == NULL)
    g_error ("chromium is missing: the HTML report is checked in a real browser engine "
             "(install chromium, build-aux/install-deps.sh)");
  g_unlink (png_path);
  spawn (argv, &out, &err);
  if (!g_file_test (png_path, G_FILE_TEST_EXISTS))
    g_error ("chromium wrote no screenshot of %s:\n%s", html_path, err);

  remove = g_strdup_printf ("rm -rf '%s'", profile);
  g_assert_cmpint (system (remove), ==, 0);
}

static char *
identify (const char *png_path,
          const char *format)
{
  const char *argv[] = { "identify", "-format", format, png_path, NULL };
  char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *program = g_find_program_in_path ("identify");

  if (program == NULL)
    g_error ("identify is missing: install imagemagick (build-aux/install-deps.sh)");
  if (spawn (argv, &out, &err) != 0)
    g_error ("identify %s: %s", png_path, err);
  return out;
}

guint
report_png_colours (const char *png_path)
{
  g_autofree char *out = identify (png_path, "%k");

  return (guint) g_ascii_strtoull (out, NULL, 10);
}

double
report_png_brightness (const char *png_path)
{
  g_autofree char *out = identify (png_path, "%[fx:mean]");

  return g_ascii_strtod (out, NULL);
}

double
report_png_colour_share (const char *png_path,
                         const char *colour)
{
  g_autofree char *program = g_find_program_in_path ("convert");
  const char *argv[] = { "convert", png_path, "-fill", "black", "+opaque", colour, "-fill", "white",
                         "-opaque", colour, "-format", "%[fx:mean]", "info:", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (program == NULL)
    g_error ("convert is missing: install imagemagick (build-aux/install-deps.sh)");
  if (spawn (argv, &out, &err) != 0)
    g_error ("convert %s: %s", png_path, err);
  return g_ascii_strtod (out, NULL);
}
