/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* SA_RESTART, siginfo_t with -std=c17 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "sluice-run-interrupt.h"

/* GLib's g_unix_signal sources are dispatched by the main loop, so a
 * main thread that runs Lua which never ends (not-parallel controllers,
 * and cheap Lua of the others, run there) never sees them. This handler
 * runs first, in the signal's context: it sets the executor's cancel
 * flag, which every Lua hook reads (the chunk stops within a few
 * thousand instructions, pcall, patterns and all), and hands the signal
 * on to GLib's handler, so that the sources fire as before once the main
 * loop runs again. A second signal ends the process at once, whatever
 * it is doing. */

static const int watched[] = { SIGINT, SIGTERM };
static struct sigaction glib_actions[G_N_ELEMENTS (watched)];
static SluiceExecutor *volatile target;
static volatile sig_atomic_t received;

static void
interrupt_handler (int        sig,
                   siginfo_t *info,
                   void      *context)
{
  int saved_errno = errno;

  if (received != 0)
    _exit (128 + sig);
  received = sig;
  if (target != NULL)
    sluice_executor_interrupt (target);

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      const struct sigaction *glib = &glib_actions[i];

      if (watched[i] != sig)
        continue;
      if (glib->sa_flags & SA_SIGINFO)
        glib->sa_sigaction (sig, info, context);
      else if (glib->sa_handler != SIG_DFL && glib->sa_handler != SIG_IGN)
        glib->sa_handler (sig);
    }
  errno = saved_errno;
}

void
sluice_run_interrupt_watch (SluiceExecutor *executor)
{
  struct sigaction action = { 0 };

  target = executor;
  received = 0;
  action.sa_sigaction = interrupt_handler;
  action.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
  sigemptyset (&action.sa_mask);
  /* Both blocked while either runs: the "second signal" test stays exact. */
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    sigaddset (&action.sa_mask, watched[i]);
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    sigaction (watched[i], &action, &glib_actions[i]);
}

void
sluice_run_interrupt_unwatch (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      struct sigaction current;

      /* Only where ours still is: on_signal may have reset the default. */
      sigaction (watched[i], NULL, &current);
      if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == interrupt_handler)
        sigaction (watched[i], &glib_actions[i], NULL);
    }
  target = NULL;
}

int
sluice_run_interrupt_signal (void)
{
  return received;
}
