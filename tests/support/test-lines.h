/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Counting the lines a run wrote (JSON lines, an output, a log), for
 * core, runner and designer tests alike: GLib only. */

/* The newlines in @text (a last line without one is not counted). */
guint test_count_lines      (const char *text);
/* The same of the file at @path; 0 when it cannot be read (it does not
 * exist yet: a run about to write it). */
guint test_count_file_lines (const char *path);

G_END_DECLS
