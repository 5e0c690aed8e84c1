/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-live-pipeline.h"

char *
bench_live_pipeline_generate (void)
{
  GString *s = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<pipeline format=\"1\" id=\"live\" name=\"Live-run benchmark\">\n");

  for (guint c = 0; c < N_CONTROLLERS; c++)
    {
      g_string_append_printf (s, "  <controller id=\"c%u\" mode=\"%s\"%s>\n    <phase id=\"p%u\">\n"
                                 "      <condition id=\"when%u\"><when>item.id %% 500 == %u</when><then>\n",
                              c, c % 2 ? "no-order" : "not-parallel", c % 2 ? " workers=\"2\"" : "", c, c, c * 7);
      for (guint m = 0; m < N_BRANCH; m++)
        g_string_append_printf (s, "        <execution id=\"m%u-%u\"><lua>item.v = (item.v or 0) + %u</lua></execution>\n",
                                c, m, m % 3);
      g_string_append (s, "      </then></condition>\n    </phase>\n  </controller>\n");
    }
  g_string_append (s, "</pipeline>\n");
  return g_string_free (s, FALSE);
}
