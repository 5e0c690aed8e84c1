/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "sluice-command-line.h"
#include "test-executor-common.h"

/* SPEC section 7: a ${name} value never becomes shell syntax, in any
 * quoting context. Each hostile value is used in each context by a real
 * /bin/sh; none may create the marker file, and where the context keeps
 * a word whole the command must see the value exactly. */

static const char *hostile[] = {
  "$(touch PWNED)",
  "`touch PWNED`",
  "; touch PWNED",
  "'; touch PWNED; '",
  "\"; touch PWNED; \"",
  "\ntouch PWNED\n",
  "$(touch PWNED)'\"\\",
  "x' || touch PWNED || '",
  "* ?",
  "$HOME ${HOME} $$",
};

typedef struct
{
  const char *command;  /* "V" stands for ${v} */
  gboolean    exact;    /* the value must arrive as one exact word */
} Context;

static const Context contexts[] = {
  { "printf '%s' \"V\" > seen", TRUE },
  { "printf '%s' 'V' > seen", TRUE },
  { "printf '%s' V > seen", TRUE },
  { "printf '%s' \"<V>\" > seen", FALSE },
  { "printf '%s' '<V>' > seen", FALSE },
  { "printf '%s' x\\V > seen", FALSE },
  { "printf '%s' \"$(echo V)\" > seen", FALSE },
  { "printf '%s' `echo V` > seen", FALSE },
  { "printf '%s' \"$(echo \"V\")\" > seen", FALSE },
  { "cat > seen <<END\nV\nEND", FALSE },
  { "# V\nprintf x > seen", FALSE },
};

static char *
command_for (const Context *context)
{
  g_autoptr(GString) text = g_string_new (context->command);

  g_string_replace (text, "V", "${v}", 0);
  /* Read the item, print one: the module must complete. */
  g_string_append (text, "\ncat > /dev/null; echo '{}'");
  return g_markup_escape_text (text->str, -1);
}

static void
test_every_context (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (contexts); c++)
    for (guint h = 0; h < G_N_ELEMENTS (hostile); h++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp ("sluice-params-XXXXXX", &error);
        g_autofree char *marker = g_build_filename (dir, "PWNED", NULL);
        g_autofree char *seen_path = g_build_filename (dir, "seen", NULL);
        g_autofree char *command = command_for (&contexts[c]);
        g_autofree char *body = g_strdup_printf ("<parameters><parameter name=\"v\" default=\"\"/></parameters>"
                                                 "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                                 "<execution id=\"cmd\"><command>%s</command></execution>"
                                                 "</phase></controller>", command);
        g_autofree char *define = g_strconcat ("v=", hostile[h], NULL);
        const char *defines[] = { define, NULL };
        g_autoptr(SluicePipeline) pipeline = test_load_body (body);
        TestRun *run = test_run_new (pipeline, NULL, defines, FALSE);
        g_autofree char *seen = NULL;

        g_assert_no_error (error);
        sluice_executor_set_base_directory (run->executor, dir);
        g_test_message ("context %u, value %u", c, h);
        g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
        g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
        if (contexts[c].exact)
          {
            g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
            g_assert_cmpstr (seen, ==, hostile[h]);
          }
        test_run_free (run);
        g_unlink (seen_path);
        g_rmdir (dir);
      }
}

/* The script never holds a value, only references to the environment. */
static void
test_values_stay_out_of_the_script (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_hash_table_insert (values, "a", "$(rm -rf /)");
  g_hash_table_insert (values, "b", "two");
  line = sluice_command_line_build ("x ${a} \"${b}\" '${a}' $$HOME", values, env, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==,
                   "x \"${SLUICE_PARAM_0}\" \"${SLUICE_PARAM_1}\" ''\"${SLUICE_PARAM_0}\"'' $HOME");
  g_assert_cmpuint (env->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (env, 0), ==, "SLUICE_PARAM_0=$(rm -rf /)");
  g_assert_cmpstr (g_ptr_array_index (env, 1), ==, "SLUICE_PARAM_1=two");

  g_clear_pointer (&line, g_free);
  line = sluice_command_line_build ("echo ${nope}", values, env, &error);
  g_assert_null (line);
  g_assert_error (error, SLUICE_PARAMS_ERROR, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/command/params/every-context", test_every_context);
  g_test_add_func ("/sluice/command/params/values-stay-out", test_values_stay_out_of_the_script);

  return g_test_run ();
}
