/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

G_BEGIN_DECLS

/* `sluice-run test FILE… [--case NAME] [--junit FILE]`: runs the test
 * cases of pipeline files, prints TAP on standard output, returns the
 * exit status (0 all passed, 1 a case failed, 2 invalid pipeline or
 * usage). */
int sluice_run_test (int    argc,
                     char **argv);

G_END_DECLS
