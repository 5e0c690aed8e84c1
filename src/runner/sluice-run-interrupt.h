/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"

G_BEGIN_DECLS

/* SIGINT and SIGTERM reach a run even while its main thread is busy
 * (Lua that never ends runs there too): call after g_unix_signal_add()
 * for both, which keeps working as before. */
void sluice_run_interrupt_watch   (SluiceExecutor *executor);
/* Puts GLib's handlers back; call before the executor goes. */
void sluice_run_interrupt_unwatch (void);
/* The first of SIGINT or SIGTERM received while watching, or 0. */
int  sluice_run_interrupt_signal  (void);

G_END_DECLS
