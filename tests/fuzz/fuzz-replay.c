/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>

#include "fuzz-loader.h"

/* Feeds every file of the corpus directories given on the command line to
 * the fuzz harness, so that the corpus (and every crash reproducer added
 * to it) is replayed by the normal test suite with any compiler. Prints
 * TAP, one test per file. */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
replay_file (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      g_assert_cmpuint (names->len, >, 0);

      for (guint j = 0; j < names->len; j++)
        {
          char *path = g_build_filename (argv[i], g_ptr_array_index (names, j), NULL);
          g_autofree char *test_path = g_strdup_printf ("/sluice/fuzz/replay/%s",
                                                        (char *) g_ptr_array_index (names, j));

          g_ptr_array_add (paths, path);
          g_test_add_data_func (test_path, path, replay_file);
        }
    }

  return g_test_run ();
}
