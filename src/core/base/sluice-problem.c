/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "sluice-problem.h"
#include "sluice-text.h"

struct _SluiceProblem
{
  GObject         parent_instance;

  SluiceSeverity  severity;
  char           *file;
  guint           line;
  char           *node_id;
  char           *message;
};

G_DEFINE_FINAL_TYPE (SluiceProblem, sluice_problem, G_TYPE_OBJECT)

static void
sluice_problem_finalize (GObject *object)
{
  SluiceProblem *self = SLUICE_PROBLEM (object);

  g_free (self->file);
  g_free (self->node_id);
  g_free (self->message);

  G_OBJECT_CLASS (sluice_problem_parent_class)->finalize (object);
}

static void
sluice_problem_class_init (SluiceProblemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_problem_finalize;
}

static void
sluice_problem_init (SluiceProblem *self)
{
}

SluiceProblem *
sluice_problem_new (SluiceSeverity  severity,
                    const char     *file,
                    guint           line,
                    const char     *node_id,
                    const char     *message)
{
  SluiceProblem *self;

  g_return_val_if_fail (message != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_PROBLEM, NULL);
  self->severity = severity;
  self->file = g_strdup (file);
  self->line = line;
  self->node_id = g_strdup (node_id);
  self->message = g_strdup (message);

  return self;
}

SluiceProblem *
sluice_problem_new_printf (SluiceSeverity  severity,
                           const char     *file,
                           guint           line,
                           const char     *node_id,
                           const char     *format,
                           ...)
{
  SluiceProblem *problem;
  va_list args;

  va_start (args, format);
  problem = sluice_problem_new_valist (severity, file, line, node_id, format, args);
  va_end (args);

  return problem;
}

SluiceProblem *
sluice_problem_new_valist (SluiceSeverity  severity,
                           const char     *file,
                           guint           line,
                           const char     *node_id,
                           const char     *format,
                           va_list         args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  return sluice_problem_new (severity, file, line, node_id, message);
}

gboolean
sluice_problems_have_errors (GPtrArray *problems)
{
  g_return_val_if_fail (problems != NULL, FALSE);

  for (guint i = 0; i < problems->len; i++)
    if (sluice_problem_get_severity (g_ptr_array_index (problems, i)) == SLUICE_SEVERITY_ERROR)
      return TRUE;
  return FALSE;
}

SluiceSeverity
sluice_problem_get_severity (SluiceProblem *self)
{
  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), SLUICE_SEVERITY_ERROR);
  return self->severity;
}

const char *
sluice_problem_get_file (SluiceProblem *self)
{
  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), NULL);
  return self->file;
}

guint
sluice_problem_get_line (SluiceProblem *self)
{
  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), 0);
  return self->line;
}

const char *
sluice_problem_get_node_id (SluiceProblem *self)
{
  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), NULL);
  return self->node_id;
}

const char *
sluice_problem_get_message (SluiceProblem *self)
{
  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), NULL);
  return self->message;
}

char *
sluice_problem_to_string (SluiceProblem *self)
{
  g_autofree char *file = NULL;
  g_autofree char *message = NULL;
  GString *str;

  g_return_val_if_fail (SLUICE_IS_PROBLEM (self), NULL);

  file = sluice_text_escape_unprintable (self->file != NULL ? self->file : "<pipeline>");
  message = sluice_text_escape_unprintable (self->message);

  /* One problem, one line: nothing in it may start another. */
  str = g_string_new (file);
  if (self->line > 0)
    g_string_append_printf (str, ":%u", self->line);
  g_string_append_printf (str, ": %s: %s",
                          sluice_severity_to_string (self->severity),
                          message);

  return g_string_free (str, FALSE);
}

typedef struct
{
  SluiceProblem *problem;
  guint          index;
} SortEntry;

static int
compare_entries (const void *a,
                 const void *b)
{
  const SortEntry *ea = a;
  const SortEntry *eb = b;
  SluiceProblem *pa = ea->problem;
  SluiceProblem *pb = eb->problem;
  int cmp;

  cmp = g_strcmp0 (sluice_problem_get_file (pa), sluice_problem_get_file (pb));
  if (cmp != 0)
    return cmp;

  if (sluice_problem_get_line (pa) != sluice_problem_get_line (pb))
    return sluice_problem_get_line (pa) < sluice_problem_get_line (pb) ? -1 : 1;

  if (sluice_problem_get_severity (pa) != sluice_problem_get_severity (pb))
    return sluice_problem_get_severity (pa) == SLUICE_SEVERITY_ERROR ? -1 : 1;

  /* Keep the order of finding otherwise, so that sorting is stable. */
  return ea->index < eb->index ? -1 : (ea->index > eb->index ? 1 : 0);
}

void
sluice_problems_sort (GPtrArray *problems)
{
  g_autofree SortEntry *entries = NULL;

  g_return_if_fail (problems != NULL);

  if (problems->len < 2)
    return;

  entries = g_new (SortEntry, problems->len);
  for (guint i = 0; i < problems->len; i++)
    entries[i] = (SortEntry) { g_ptr_array_index (problems, i), i };

  qsort (entries, problems->len, sizeof (SortEntry), compare_entries);

  /* The array owns the problems; only the pointers move. */
  for (guint i = 0; i < problems->len; i++)
    problems->pdata[i] = entries[i].problem;
}
