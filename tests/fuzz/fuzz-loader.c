/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-core.h"
#include "fuzz-loader.h"

/* libFuzzer entry point for the loader and the validator. Besides "no
 * crash, no leak, no undefined behaviour", it checks the saver's promise:
 * whatever loads saves to a file that loads again, and saving that gives
 * the same bytes (the canonical form is a fixed point). */

static void
check_round_trip (SluicePipeline *pipeline)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) again = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  gsize length = 0;

  saved = sluice_save_to_data (pipeline, &length);
  again = sluice_load_data (saved, length, "saved.xml", problems);
  if (again == NULL)
    {
      for (guint i = 0; i < problems->len; i++)
        {
          g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
          g_printerr ("%s\n", text);
        }
      g_printerr ("saved output does not load:\n%s\n", saved);
      abort ();
    }

  saved_again = sluice_save_to_data (again, NULL);
  if (strcmp (saved, saved_again) != 0)
    {
      g_printerr ("saving is not a fixed point:\n%s\n---\n%s\n", saved, saved_again);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;

  pipeline = sluice_load_data ((const char *) data, size, "fuzz.xml", problems);
  if (pipeline == NULL)
    {
      if (!sluice_problems_have_errors (problems))
        {
          g_printerr ("load failed without an error problem\n");
          abort ();
        }
      return 0;
    }

  sluice_validate (pipeline, "fuzz.xml", problems);
  check_round_trip (pipeline);
  return 0;
}
