/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `sluice-run serve PIPELINE.xml …` and `sluice-run balance …`: @argv
 * starts with the subcommand's name. Return the exit status. */
int sluice_run_serve   (int    argc,
                        char **argv);
int sluice_run_balance (int    argc,
                        char **argv);
/* `sluice-run registry DIR …` and `sluice-run schedule DIR …`. */
int sluice_run_registry (int    argc,
                         char **argv);
int sluice_run_schedule (int    argc,
                         char **argv);

G_END_DECLS
