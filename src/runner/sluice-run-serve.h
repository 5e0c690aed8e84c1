/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sluice-wall-clock.h"

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

/* Shared by serve and daemon: 16M, 512K, 100000 as a size in bytes; the
 * one-line token of --token-file; whether ADDR:PORT is a loopback one. */
gboolean  sluice_run_parse_size  (const char  *text,
                                  gsize       *size);
char     *sluice_run_read_token  (const char  *path,
                                  GError     **error);
gboolean  sluice_run_is_loopback (const char  *listen);

/* `sluice-run daemon …` (sluice-run-daemon.c) and `sluice-run runs …`,
 * its client (sluice-run-runs.c). */
int sluice_run_daemon  (int    argc,
                        char **argv);
int sluice_run_runs    (int    argc,
                        char **argv);

/* The scheduler's clock of `schedule` and `daemon`: the system clock, or
 * for tests only, with SLUICE_TEST_CLOCK="ISO-TIME xSPEED", a clock
 * starting at that time and running SPEED times faster than real time
 * (e.g. "2026-11-27T13:59:58Z x1"). */
SluiceWallClock *sluice_run_make_clock (GError **error);

G_END_DECLS
