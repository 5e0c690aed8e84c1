/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-number-text.h"

/* 10^0 … 10^22: every one is an exact double. */
static const double powers_of_ten[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

gboolean
sluice_number_text_int (const char *text,
                        gsize       length,
                        gint64     *result)
{
  gboolean negative = FALSE;
  guint64 value = 0;
  gsize i = 0;

  if (length > 0 && (text[0] == '-' || text[0] == '+'))
    {
      negative = text[0] == '-';
      i = 1;
    }
  if (i == length || length - i > 18)
    return FALSE;
  for (; i < length; i++)
    {
      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      value = value * 10 + (guint64) (text[i] - '0');
    }
  *result = negative ? -(gint64) value : (gint64) value;
  return TRUE;
}

gboolean
sluice_number_text_real (const char *text,
                         gsize       length,
                         double      *result)
{
  gboolean negative = FALSE, point = FALSE;
  guint64 mantissa = 0;
  guint digits = 0, significant = 0, decimals = 0;
  gsize i = 0;
  double value;

  if (length > 0 && (text[0] == '-' || text[0] == '+'))
    {
      negative = text[0] == '-';
      i = 1;
    }
  for (; i < length; i++)
    {
      char c = text[i];

      if (c == '.' && !point)
        {
          point = TRUE;
          continue;
        }
      if (c < '0' || c > '9')
        return FALSE;
      digits++;
      if (significant > 0 || c != '0')
        significant++;
      if (significant > 15)
        return FALSE;
      mantissa = mantissa * 10 + (guint64) (c - '0');
      if (point)
        decimals++;
    }
  if (digits == 0 || decimals >= G_N_ELEMENTS (powers_of_ten))
    return FALSE;
  value = (double) mantissa / powers_of_ten[decimals];
  *result = negative ? -value : value;
  return TRUE;
}
