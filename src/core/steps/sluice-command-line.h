/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A command's text with its ${name} references made safe for /bin/sh.
 *
 * Values never enter the script: each reference becomes a reference to an
 * environment variable (SLUICE_PARAM_0, …) that holds the value, written
 * for the quoting context it stands in — "${SLUICE_PARAM_0}" outside
 * quotes, ${SLUICE_PARAM_0} inside double quotes, and '"${SLUICE_PARAM_0}"'
 * (closing and reopening the quotes) inside single quotes. The shell
 * expands a variable's value as data, never as syntax, so no value can
 * become shell code whatever it holds ($(…), backticks, quotes, ;,
 * newlines); where the context is misjudged (inside a command
 * substitution inside quotes), the worst outcome is word splitting of the
 * value, never its execution.
 *
 * @env receives "SLUICE_PARAM_N=value" strings (owned) for the child's
 * environment. NULL with @error for a malformed or unknown reference. */
char *sluice_command_line_build (const char  *text,
                                 GHashTable  *values,
                                 GPtrArray   *env,
                                 GError     **error);

G_END_DECLS
