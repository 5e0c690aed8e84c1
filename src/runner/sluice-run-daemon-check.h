/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What `sluice-run daemon --check` looks at: the daemon's own options
 * (all borrowed; NULL = not given). */
typedef struct
{
  const char         *folder;
  const char         *state_dir;
  const char         *listen;
  const char         *token_file;
  const char         *max_body;
  const char         *tls_cert;
  const char         *tls_key;
  const char * const *roots;
  gboolean            quiet;
} SluiceDaemonCheck;

/* Prints each problem on standard error ("sluice-run daemon --check:
 * WHAT: WHY", broken pipeline files with FILE:LINE) and a summary on
 * standard output; returns 0 when the daemon can start with these
 * options and every pipeline file loads, 2 otherwise. Writes nothing. */
int sluice_run_daemon_check (const SluiceDaemonCheck *check);

G_END_DECLS
