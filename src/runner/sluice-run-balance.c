/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-serve.h"

/* `sluice-run balance`: the pipeline balancer (SluicePipelineBalancer)
 * until SIGTERM or SIGINT. It keeps nothing on disk: after a restart,
 * instances are known again at their next announcement. */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
sluice_run_balance (int    argc,
                    char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *expire = NULL;
  g_auto(GStrv) rest = NULL;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Listen on ADDR:PORT (default 127.0.0.1:8090; port 0 picks a free one)"), N_("ADDR:PORT") },
    { "expire", 0, 0, G_OPTION_ARG_STRING, &expire,
      N_("Forget an instance not heard from for this long (default 3s)"), N_("DURATION") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— the look-aside balancer for served pipelines"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluicePipelineBalancer) balancer = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gint64 expire_ms = 3000;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Instances announce themselves (sluice-run serve … --announce URL);\n"
      "clients ask GET /pick?pipeline=ID and call the instance it names.\n"
      "GET /instances lists them with their load.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sluice-run balance: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (rest != NULL && rest[0] != NULL)
    {
      fprintf (stderr, _("sluice-run balance: unexpected argument “%s”\n"), rest[0]);
      return SLUICE_EXIT_INVALID;
    }
  if (expire != NULL && (!sluice_duration_parse (expire, &expire_ms) || expire_ms <= 0))
    {
      fprintf (stderr, _("sluice-run balance: --expire expects a duration like 3s or 500ms, not “%s”\n"), expire);
      return SLUICE_EXIT_INVALID;
    }

  balancer = sluice_pipeline_balancer_new (expire_ms * 1000);
  if (!sluice_pipeline_balancer_listen (balancer, listen != NULL ? listen : "127.0.0.1:8090", &error))
    {
      fprintf (stderr, _("sluice-run balance: cannot listen on %s: %s\n"),
               listen != NULL ? listen : "127.0.0.1:8090", error->message);
      return SLUICE_EXIT_INVALID;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  printf ("listening on %s\n", sluice_pipeline_balancer_get_url (balancer));
  fflush (stdout);
  g_main_loop_run (loop);
  return SLUICE_EXIT_COMPLETED;
}
