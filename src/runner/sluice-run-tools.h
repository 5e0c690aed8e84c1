/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* sluice-run --list-tools [--format text|markdown]: every tool, where it
 * came from, and its parameters (type, default, description), from the
 * same declarations the validator and the designer use. The README's
 * tool reference is the markdown form. */
int sluice_run_list_tools (const char *format);

G_END_DECLS
