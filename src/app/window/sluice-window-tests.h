/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-window.h"

G_BEGIN_DECLS

/* The window's side of test cases: the Tests panel's selected case goes
 * to the inspector (with its last result), failed cases are marked on
 * the canvas after each run of the tests, and win.add-test-from-run
 * turns the last run into a new case (sluice-test-from-run.h): of the
 * selected module if one is selected, else of the whole pipeline. */
void sluice_window_tests_init (SluiceWindow *self);

G_END_DECLS
