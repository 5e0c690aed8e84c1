/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */
#include "config.h"

#include <sys/resource.h>

#include "sluice-thread-cpu.h"

static gint64
cpu_us (int who)
{
  struct rusage usage;

  if (getrusage (who, &usage) != 0)
    return 0;
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

gint64
sluice_thread_cpu_get_others_us (void)
{
  gint64 self = cpu_us (RUSAGE_THREAD);

  return MAX (cpu_us (RUSAGE_SELF) - self, 0);
}
