/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ${name} references in command text and tool parameters (SPEC section 2).
 * Names are [A-Za-z_][A-Za-z0-9_.-]*; "$$" is a literal "$". */

#define SLUICE_PARAMS_ERROR (sluice_params_error_quark ())
GQuark   sluice_params_error_quark (void);

/* Calls @func for every reference in @text with the name and the byte
 * offset of its "$". Returns FALSE, setting @error, on a malformed
 * reference such as "${" without "}" or "${}". */
typedef void (*SluiceParamRefFunc) (const char *name,
                                    gsize       offset,
                                    gpointer    user_data);
gboolean sluice_params_scan       (const char         *text,
                                   SluiceParamRefFunc  func,
                                   gpointer            user_data,
                                   GError            **error);
/* The same, with @literal called for the text between references ("$$"
 * already turned into "$"), in order. */
typedef void (*SluiceParamTextFunc) (const char *text,
                                     gsize       length,
                                     gpointer    user_data);
gboolean sluice_params_scan_full  (const char          *text,
                                   SluiceParamRefFunc   func,
                                   SluiceParamTextFunc  literal,
                                   gpointer             user_data,
                                   GError             **error);
/* ${table:NAME} (see sluice-timescope.h) is a reference too, named
 * "table:NAME" in the callbacks. */
#define SLUICE_PARAMS_TABLE_PREFIX "table:"

/* The value of the reference @name in @values (a copy), computing
 * table names; NULL with @error when it has none. */
char    *sluice_params_lookup     (GHashTable         *values,
                                   const char         *name,
                                   GError            **error);
/* Replaces references with values from @values (name → value). With
 * @shell_quote each value is quoted with g_shell_quote() (only safe where
 * the reference stands outside any quotes: commands use
 * sluice_command_line_build() instead). Unknown names are an error. */
char    *sluice_params_substitute (const char         *text,
                                   GHashTable         *values,
                                   gboolean            shell_quote,
                                   GError            **error);

G_END_DECLS
