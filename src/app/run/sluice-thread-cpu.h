/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPU time (user + system, µs) the process's other threads have used so
 * far: the whole process's less the calling thread's. On the window's
 * thread during a live run that is mostly the renderer's (software GL
 * draws on threads of its own, after the frame was painted), which a
 * frame's paint time alone does not show. */
gint64 sluice_thread_cpu_get_others_us (void);

G_END_DECLS
