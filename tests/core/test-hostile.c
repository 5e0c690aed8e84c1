/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sluice-core.h"

/* Hostile input (SPEC section 4): every file under tests/data/hostile/ is
 * refused quickly, with a problem naming the file, a line and the reason,
 * and nothing it references is ever read. When SLUICE_RUN names the
 * runner, `sluice-run --validate` is checked on each file too: exit
 * status 2 and the same message. */

#define SECRET "SLUICE-SECRET-do-not-leak-4b1d"

typedef struct
{
  const char *file;
  const char *message;   /* part of the first error's message */
  guint       line;      /* 0: any line */
} HostileCase;

static const HostileCase cases[] = {
  { "external-entity.xml", "DOCTYPE declarations are not allowed", 2 },
  { "billion-laughs.xml", "DOCTYPE declarations are not allowed", 2 },
  { "quadratic-blowup.xml", "DOCTYPE declarations are not allowed", 2 },
  { "doctype.xml", "DOCTYPE declarations are not allowed", 2 },
  { "network-dtd.xml", "DOCTYPE declarations are not allowed", 2 },
  { "parameter-entity.xml", "DOCTYPE declarations are not allowed", 2 },
  { "deep-nesting.xml", "elements are nested more than 256 levels deep", 5 },
  { "truncated.xml", "is the file truncated?", 0 },
  { "non-utf8.xml", "the file is not valid UTF-8 text", 3 },
  { "empty.xml", "the file is empty", 1 },
  { "xinclude.xml", "<pipeline> declares an XML namespace; pipeline files use none", 2 },
  { "newer-format.xml", "this file uses format 7; this version of Sluice reads format 1 — update Sluice", 2 },
};

static char *
hostile_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "hostile", file, NULL);
}

static void
assert_no_secret (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_test_message ("%s", text);
      g_assert_null (strstr (text, SECRET));
    }
}

/* Loads @path and checks it is refused with @message; returns seconds. */
static double
assert_refused (const char *path,
                const char *message,
                guint       line)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autofree char *text = NULL;
  SluiceProblem *problem;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  pipeline = sluice_load_file (path, problems);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  assert_no_secret (problems);
  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, >=, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (sluice_problem_get_severity (problem), ==, SLUICE_SEVERITY_ERROR);
  g_assert_cmpstr (sluice_problem_get_file (problem), ==, path);
  if (line > 0)
    g_assert_cmpuint (sluice_problem_get_line (problem), ==, line);
  else
    g_assert_cmpuint (sluice_problem_get_line (problem), >, 0);
  g_assert_nonnull (strstr (sluice_problem_get_message (problem), message));

  text = sluice_problem_to_string (problem);
  g_assert_true (g_str_has_prefix (text, path));
  g_assert_nonnull (strstr (text, ": error: "));

  return seconds;
}

static void
assert_runner_refuses (const char *path,
                       const char *message)
{
  const char *runner = g_getenv ("SLUICE_RUN");
  const char *argv[] = { runner, "--validate", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (runner == NULL)
    {
      g_test_message ("SLUICE_RUN is not set: not checking the runner");
      return;
    }

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("runner: %s%s", out, err);
  g_spawn_check_wait_status (status, &error);
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 2);
  g_assert_true (strstr (out, message) != NULL || strstr (err, message) != NULL);
  g_assert_true (strstr (out, path) != NULL || strstr (err, path) != NULL);
  g_assert_null (strstr (out, SECRET));
  g_assert_null (strstr (err, SECRET));
}

static void
test_case (gconstpointer data)
{
  const HostileCase *hostile = data;
  g_autofree char *path = hostile_path (hostile->file);
  double seconds = assert_refused (path, hostile->message, hostile->line);

  /* Entity bombs must fail before any expansion. */
  g_assert_cmpfloat (seconds, <, 1.0);
  assert_runner_refuses (path, hostile->message);
}

/* The entity points at a secret by absolute path, so that it would be
 * found if anything read it; the secret must not appear anywhere, the
 * saved output included (there is none: the load fails). */
static void
test_external_entity_absolute (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-xxe-XXXXXX", &error);
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  g_autofree char *xml = NULL;

  g_assert_no_error (error);
  secret = g_build_filename (dir, "secret.txt", NULL);
  path = g_build_filename (dir, "xxe.xml", NULL);
  g_assert_true (g_file_set_contents (secret, SECRET "\n", -1, NULL));
  xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                         "<!DOCTYPE pipeline [ <!ENTITY xxe SYSTEM \"file://%s\"> ]>\n"
                         "<pipeline format=\"1\"><description>&xxe;</description></pipeline>\n",
                         secret);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));

  assert_refused (path, "DOCTYPE declarations are not allowed", 2);
  assert_runner_refuses (path, "DOCTYPE declarations are not allowed");

  g_unlink (secret);
  g_unlink (path);
  g_rmdir (dir);
}

/* Without a DOCTYPE an entity cannot be declared at all: a reference to
 * one is an error, and the saved output of what does load never holds a
 * file's content. */
static void
test_undeclared_entity (void)
{
  const char *xml = "<pipeline format=\"1\"><description>&secret;</description></pipeline>";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "undeclared.xml", problems);

  assert_no_secret (problems);
  g_assert_null (pipeline);
  g_assert_true (sluice_problems_have_errors (problems));
}

/* A 100 MB file is refused by its size, before it is read. */
static void
test_huge_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-huge-XXXXXX", &error);
  g_autofree char *path = NULL;
  FILE *file;
  gint64 start;
  double seconds;

  g_assert_no_error (error);
  path = g_build_filename (dir, "huge.xml", NULL);

  /* Sparse: a header, then a hole up to 100 MB. */
  file = g_fopen (path, "wb");
  g_assert_nonnull (file);
  fputs ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\">\n<description>", file);
  g_assert_cmpint (fseek (file, 100L * 1024 * 1024 - 1, SEEK_SET), ==, 0);
  fputc (' ', file);
  fclose (file);

  start = g_get_monotonic_time ();
  assert_refused (path, "the file is larger than 8 MB", 1);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_cmpfloat (seconds, <, 0.5);
  assert_runner_refuses (path, "the file is larger than 8 MB");

  g_unlink (path);
  g_rmdir (dir);
}

/* A device that never ends is read only up to the cap. */
static void
test_endless_device (void)
{
  if (!g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/zero");
      return;
    }
  assert_refused ("/dev/zero", "the file is larger than 8 MB", 1);
}

/* A huge buffer handed to sluice_load_data is refused the same way. */
static void
test_huge_data (void)
{
  gsize length = SLUICE_MAX_FILE_SIZE + 1;
  g_autofree char *data = g_malloc (length);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;

  memset (data, ' ', length);
  pipeline = sluice_load_data (data, length, "huge.xml", problems);
  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (strstr (sluice_problem_get_message (g_ptr_array_index (problems, 0)),
                            "larger than 8 MB"));
}

/* 200,000 attributes on one element took libxml2 minutes: refused at once. */
static void
test_attribute_flood (void)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"x\"\n");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  gint64 start;

  for (guint i = 0; i < 200000; i++)
    g_string_append_printf (xml, " a%u=\"1\"", i);
  g_string_append (xml, "/>\n");

  start = g_get_monotonic_time ();
  pipeline = sluice_load_data (xml->str, xml->len, "flood.xml", problems);
  g_assert_null (pipeline);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpuint (sluice_problem_get_line (g_ptr_array_index (problems, 0)), ==, 2);
  g_assert_nonnull (strstr (sluice_problem_get_message (g_ptr_array_index (problems, 0)),
                            "more than 256 attributes"));
  g_string_free (xml, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strndup (cases[i].file, strlen (cases[i].file) - 4);
      g_autofree char *test_path = g_strconcat ("/sluice/xml/hostile/", name, NULL);

      g_test_add_data_func (test_path, &cases[i], test_case);
    }
  g_test_add_func ("/sluice/xml/hostile/external-entity-absolute", test_external_entity_absolute);
  g_test_add_func ("/sluice/xml/hostile/undeclared-entity", test_undeclared_entity);
  g_test_add_func ("/sluice/xml/hostile/huge-file", test_huge_file);
  g_test_add_func ("/sluice/xml/hostile/huge-data", test_huge_data);
  g_test_add_func ("/sluice/xml/hostile/endless-device", test_endless_device);
  g_test_add_func ("/sluice/xml/hostile/attribute-flood", test_attribute_flood);

  return g_test_run ();
}
