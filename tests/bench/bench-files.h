/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Removes @path and everything under it: a benchmark's temporary
 * directory (its inputs are megabytes; left behind, every invocation
 * added them to /tmp). */
void bench_remove_tree (const char *path);
