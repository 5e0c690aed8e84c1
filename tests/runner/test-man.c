/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

/* sluice-run(1) cannot drift from the option tables: every long option
 * that `sluice-run --help` and the subcommands' `--help` print must
 * be in the manual page. */

static char *
help_of (const char *subcommand)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (subcommand != NULL)
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                g_getenv ("SLUICE_RUN"), subcommand, "--help", NULL);
  else
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                g_getenv ("SLUICE_RUN"), "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_options_documented (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "sluice-run.1", NULL);
  g_autofree char *man = NULL;
  const char *subcommands[] = { NULL, "serve", "balance", "test", "new", "resume", "daemon", "runs", "registry", "schedule", "worker", "dlq" };
  guint checked = 0;

  g_assert_true (g_file_get_contents (path, &man, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      g_autofree char *help = help_of (subcommands[i]);
      g_autoptr(GRegex) regex = g_regex_new ("  (?:-\\w, )?--([a-z][a-z-]*)", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      g_regex_match (regex, help, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autoptr(GString) escaped = g_string_new ("\\-\\-");

          /* In roff, every - of an option is \-. */
          for (const char *p = name; *p != '\0'; p++)
            if (*p == '-')
              g_string_append (escaped, "\\-");
            else
              g_string_append_c (escaped, *p);
          if (!g_str_equal (name, "help") && !g_str_has_prefix (name, "help-"))
            {
              if (strstr (man, escaped->str) == NULL)
                g_error ("--%s of sluice-run %s is not in data/sluice-run.1", name,
                         subcommands[i] != NULL ? subcommands[i] : "");
              checked++;
            }
          g_match_info_next (match, NULL);
        }
    }
  g_test_message ("%u options checked", checked);
  g_assert_cmpuint (checked, >=, 20);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sluice/man/options-documented", test_options_documented);
  return g_test_run ();
}
