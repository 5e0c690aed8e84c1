/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text that people read in a terminal or an editor must show what it is.
 * An id with a newline could forge a whole "FILE:LINE: error:" line, and
 * "step" and "step" + U+200F would look the same while being two ids. */

/* The first character of @text that is a control character (C0, DEL,
 * C1), a bidirectional or other invisible format character (U+200E,
 * U+202E, U+2066, …), or 0 when there is none (or @text is not UTF-8). */
gunichar sluice_text_find_invisible        (const char *text);
/* @text with every such character (and invalid UTF-8) written as
 * \u{XXXX} or \xNN, so that a message always shows what it names. */
char    *sluice_text_escape_unprintable    (const char *text);

/* Sorts an array of C strings in byte order.  g_ptr_array_sort() hands
 * its comparator pointers to the elements, so g_strcmp0 cannot be passed
 * to it directly (it would order the strings by where they live). */
void     sluice_sort_strings               (GPtrArray  *strings);

/* Appends @text to @code as a Lua string literal that is only ever data
 * (quotes, backslashes and control characters as decimal escapes). */
void     sluice_append_lua_string          (GString    *code,
                                            const char *text);

/* "2026-11-27T19:31:22Z MESSAGE": a line of a long-running process's
 * log (the daemon's and the scheduler's), in UTC to the second. */
char    *sluice_stamped_line_valist        (const char *format,
                                            va_list     args) G_GNUC_PRINTF (1, 0);

G_END_DECLS
