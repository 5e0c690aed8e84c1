/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-app-generate.h"

#define MODULES_PER_PHASE 50
#define PHASES_PER_CONTROLLER 4

char *
sluice_test_generate_pipeline (guint n_modules)
{
  static const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };
  GString *xml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<pipeline format=\"1\" id=\"generated\" name=\"Generated pipeline\">\n");
  guint m = 0, c = 0;

  while (m < n_modules)
    {
      g_string_append_printf (xml, "  <controller id=\"c%u\" name=\"Stage %u\" mode=\"%s\"%s>\n",
                              c, c + 1, modes[c % 4], c % 4 ? " workers=\"4\"" : "");
      for (guint p = 0; p < PHASES_PER_CONTROLLER && m < n_modules; p++)
        {
          g_string_append_printf (xml, "    <phase id=\"c%u-p%u\" name=\"Phase %u\">\n", c, p, p + 1);
          for (guint i = 0; i < MODULES_PER_PHASE && m < n_modules; i++, m++)
            {
              if (m % 5 == 4)
                g_string_append_printf (xml,
                                        "      <condition id=\"m%u\" name=\"Gate %u\">\n"
                                        "        <when>item.value == nil or item.value &lt; %u</when>\n"
                                        "        <else><fail id=\"m%u-fail\">too large</fail></else>\n"
                                        "      </condition>\n", m, m, m * 10, m);
              else if (m % 7 == 6)
                g_string_append_printf (xml,
                                        "      <execution id=\"m%u\" name=\"Command %u\"><command>cat</command></execution>\n",
                                        m, m);
              else
                g_string_append_printf (xml,
                                        "      <execution id=\"m%u\" name=\"Step %u\"><lua>item.value = (item.value or 0) + %u</lua></execution>\n",
                                        m, m, m);
            }
          g_string_append (xml, "    </phase>\n");
        }
      g_string_append (xml, "  </controller>\n");
      c++;
    }
  g_string_append (xml, "</pipeline>\n");
  return g_string_free (xml, FALSE);
}
