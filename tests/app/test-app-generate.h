/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A pipeline file with @n_modules modules spread over controllers of a
 * few phases (every fifth module a condition with a Lua gate, every
 * seventh a command), for screenshots and benchmarks. */
char *sluice_test_generate_pipeline (guint n_modules);

G_END_DECLS
