/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-run-serve.h"

int
sluice_run_schedule (int    argc,
                     char **argv)
{
  return 2;
}
