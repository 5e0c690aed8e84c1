/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Checks of run reports with real tools: the JSON Schema in data/ (by
 * python3-jsonschema) and the HTML page in a real browser engine
 * (headless Chromium). A missing tool fails the test and says which
 * Debian package brings it. */

/* Validates the JSON report at @path against data/sluice-run-report.schema.json. */
void  report_assert_valid_json (const char *path);
/* Renders @html_path into @png_path at @width × @height, in the dark
 * colour scheme when @dark; asserts the PNG exists. */
void  report_screenshot        (const char *html_path,
                                const char *png_path,
                                gboolean    dark,
                                int         width,
                                int         height);
/* How many different colours the PNG holds (ImageMagick's %k). */
guint report_png_colours       (const char *png_path);
/* The share of the PNG's pixels that are exactly @colour ("#rrggbb"). */
double report_png_colour_share (const char *png_path,
                                const char *colour);
/* The mean brightness of the PNG, 0 (black) to 1 (white). */
double report_png_brightness   (const char *png_path);
