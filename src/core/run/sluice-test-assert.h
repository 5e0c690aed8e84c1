/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The longest a test case's Lua assertion may run (wall clock). */
#define SLUICE_TEST_ASSERT_TIME_LIMIT_US (3 * G_USEC_PER_SEC)

/* Evaluates a <assert> of a test case in the sandboxed Lua runtime of
 * runs, with the globals `outputs` (the list of output items),
 * `recorded` (module id → list of the items its stub was sent),
 * `failure` (nil, or { module =, message = }) and `params`. @code is an
 * expression that must be true, or else a chunk that must not raise an
 * error nor return false. @line is the line of @code in the file.
 * Returns TRUE when it holds; otherwise FALSE with @message (why: false,
 * the error with its file line, the time or memory limit). */
gboolean sluice_test_assert (const char  *code,
                             guint        line,
                             json_t      *outputs,
                             json_t      *recorded,
                             json_t      *failure,
                             GHashTable  *params,
                             char       **message);

G_END_DECLS
