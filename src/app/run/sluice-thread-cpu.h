/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPU time (user + system, µs) the whole process has used so far, every
 * thread's, those that ended included. Less the run's thread's, that is
 * what drawing a live run costs: the window's thread and the renderer's
 * (software GL draws on threads of its own). */
gint64 sluice_thread_cpu_get_process_us (void);

G_END_DECLS
