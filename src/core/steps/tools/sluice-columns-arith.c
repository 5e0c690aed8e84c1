/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-columns-arith.h"

typedef struct
{
  char     *field;      /* item.NAME, or NULL for a number */
  gboolean  is_integer;
  gint64    integer;
  double    real;
} Operand;

typedef struct
{
  char    *name;        /* the computed field */
  Operand  left;
  Operand  right;
  char     op;          /* + - * */
} Expression;

struct _SluiceColumnsArith
{
  GArray *expressions;  /* Expression */
};

/* A number as Lua holds it. */
typedef struct
{
  gboolean is_integer;
  gint64   integer;
  double   real;
} Number;

static void
clear_expression (Expression *expression)
{
  g_free (expression->name);
  g_free (expression->left.field);
  g_free (expression->right.field);
}

static const char *
skip_spaces (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

/* `item.NAME` or digits[.digits]; NULL when it is neither. */
static const char *
parse_operand (const char *p,
               Operand    *operand)
{
  if (g_str_has_prefix (p, "item.") && (g_ascii_isalpha (p[5]) || p[5] == '_'))
    {
      const char *start = p + 5, *end = start;

      while (g_ascii_isalnum (*end) || *end == '_')
        end++;
      operand->field = g_strndup (start, end - start);
      return end;
    }
  if (g_ascii_isdigit (*p))
    {
      const char *end = p;
      g_autofree char *text = NULL;

      while (g_ascii_isdigit (*end))
        end++;
      if (*end == '.' && g_ascii_isdigit (end[1]))
        {
          for (end++; g_ascii_isdigit (*end); end++)
            ;
          text = g_strndup (p, end - p);
          operand->real = g_ascii_strtod (text, NULL);
          return end;
        }
      /* Longer integers are floats to Lua: left to it. */
      if (end - p > 18 || g_ascii_isalpha (*end) || *end == '.' || *end == '_')
        return NULL;
      text = g_strndup (p, end - p);
      operand->is_integer = TRUE;
      operand->integer = g_ascii_strtoll (text, NULL, 10);
      return end;
    }
  return NULL;
}

static gboolean
parse_expression (const char *text,
                  Expression *expression)
{
  const char *p = skip_spaces (text);

  p = parse_operand (p, &expression->left);
  if (p == NULL)
    return FALSE;
  p = skip_spaces (p);
  if (*p != '+' && *p != '-' && *p != '*')
    return FALSE;
  expression->op = *p;
  p = skip_spaces (p + 1);
  p = parse_operand (p, &expression->right);
  if (p == NULL)
    return FALSE;
  return *skip_spaces (p) == '\0';
}

static gboolean
reads (const Expression *expression,
       const char       *name)
{
  return g_strcmp0 (expression->left.field, name) == 0 || g_strcmp0 (expression->right.field, name) == 0;
}

SluiceColumnsArith *
sluice_columns_arith_new (char **names,
                          char **expressions)
{
  g_autoptr(GArray) parsed = g_array_new (FALSE, TRUE, sizeof (Expression));
  SluiceColumnsArith *self;

  g_array_set_clear_func (parsed, (GDestroyNotify) clear_expression);
  for (guint i = 0; names[i] != NULL && expressions[i] != NULL; i++)
    {
      Expression expression = { 0 };

      if (!parse_expression (expressions[i], &expression))
        {
          clear_expression (&expression);
          return NULL;
        }
      expression.name = g_strdup (names[i]);
      g_array_append_val (parsed, expression);
    }
  for (guint i = 0; i < parsed->len; i++)
    for (guint k = 0; k < parsed->len; k++)
      if (reads (&g_array_index (parsed, Expression, k), g_array_index (parsed, Expression, i).name))
        return NULL;

  self = g_new0 (SluiceColumnsArith, 1);
  self->expressions = g_steal_pointer (&parsed);
  return self;
}

void
sluice_columns_arith_free (SluiceColumnsArith *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->expressions);
  g_free (self);
}

static gboolean
operand_value (const Operand *operand,
               json_t        *item,
               Number        *number)
{
  json_t *value;

  if (operand->field == NULL)
    {
      number->is_integer = operand->is_integer;
      number->integer = operand->integer;
      number->real = operand->real;
      return TRUE;
    }
  value = json_object_get (item, operand->field);
  if (json_is_integer (value))
    {
      number->is_integer = TRUE;
      number->integer = json_integer_value (value);
      return TRUE;
    }
  if (json_is_real (value))
    {
      number->is_integer = FALSE;
      number->real = json_real_value (value);
      return TRUE;
    }
  return FALSE;
}

/* Lua 5.4: integers wrap around (done unsigned); otherwise both sides
 * are floats. NULL when the answer is no JSON number (Lua then says
 * why). */
static json_t *
evaluate (const Expression *expression,
          json_t           *item)
{
  Number a, b;
  double x, y, result;

  if (!operand_value (&expression->left, item, &a) || !operand_value (&expression->right, item, &b))
    return NULL;
  if (a.is_integer && b.is_integer)
    {
      guint64 u = (guint64) a.integer, v = (guint64) b.integer;

      switch (expression->op)
        {
        case '+': return json_integer ((json_int_t) (u + v));
        case '-': return json_integer ((json_int_t) (u - v));
        default:  return json_integer ((json_int_t) (u * v));
        }
    }
  x = a.is_integer ? (double) a.integer : a.real;
  y = b.is_integer ? (double) b.integer : b.real;
  switch (expression->op)
    {
    case '+': result = x + y; break;
    case '-': result = x - y; break;
    default:  result = x * y; break;
    }
  return isfinite (result) ? json_real (result) : NULL;
}

gboolean
sluice_columns_arith_apply (SluiceColumnsArith *self,
                            json_t             *item)
{
  json_t *results[8];
  guint n = self->expressions->len;

  if (n > G_N_ELEMENTS (results))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      results[i] = evaluate (&g_array_index (self->expressions, Expression, i), item);
      if (results[i] == NULL)
        {
          for (guint k = 0; k < i; k++)
            json_decref (results[k]);
          return FALSE;
        }
    }
  for (guint i = 0; i < n; i++)
    json_object_set_new (item, g_array_index (self->expressions, Expression, i).name, results[i]);
  return TRUE;
}
