/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-run-compare.h"
#include "sluice-run-replay.h"

/* Lines compared by a longest common subsequence, after the common head
 * and tail are set aside (a change to a pipeline is usually a few lines
 * in one place). Beyond this many cells the table would cost too much:
 * the diff then says how many lines differ instead. */
#define MAX_DIFF_CELLS (4 * 1024 * 1024)
/* Events read to know a run's gate checks. */
#define MAX_COMPARE_EVENTS 500000

static void
append_line (GString    *out,
             guint      *n,
             guint       max_lines,
             char        mark,
             const char *line)
{
  (*n)++;
  if (*n <= max_lines)
    g_string_append_printf (out, "%c %s\n", mark, line);
}

char *
sluice_text_diff (const char *old_text,
                  const char *new_text,
                  guint       max_lines)
{
  g_auto (GStrv) a = g_strsplit (old_text != NULL ? old_text : "", "\n", -1);
  g_auto (GStrv) b = g_strsplit (new_text != NULL ? new_text : "", "\n", -1);
  guint na = g_strv_length (a), nb = g_strv_length (b);
  guint head = 0, tail = 0, n = 0;
  guint rows, cols;
  guint *table;
  GString *out = g_string_new (NULL);
  guint i, j;

  while (head < na && head < nb && g_str_equal (a[head], b[head]))
    head++;
  while (tail < na - head && tail < nb - head && g_str_equal (a[na - 1 - tail], b[nb - 1 - tail]))
    tail++;
  rows = na - head - tail;
  cols = nb - head - tail;
  if (rows == 0 && cols == 0)
    return g_string_free (out, FALSE);
  if ((guint64) (rows + 1) * (cols + 1) > MAX_DIFF_CELLS)
    {
      g_string_printf (out, "… %u lines differ (too many to compare line by line)\n", MAX (rows, cols));
      return g_string_free (out, FALSE);
    }

  /* table[i][j]: the longest common subsequence of a[head+i…] and b[head+j…]. */
  table = g_new0 (guint, (gsize) (rows + 1) * (cols + 1));
#define CELL(r, c) table[(gsize) (r) * (cols + 1) + (c)]
  for (i = rows; i-- > 0;)
    for (j = cols; j-- > 0;)
      CELL (i, j) = g_str_equal (a[head + i], b[head + j]) ? CELL (i + 1, j + 1) + 1
                                                           : MAX (CELL (i + 1, j), CELL (i, j + 1));
  if (head > 0)
    {
      if (head > 1)
        append_line (out, &n, max_lines, ' ', "…");
      append_line (out, &n, max_lines, ' ', a[head - 1]);
    }
  i = j = 0;
  while (i < rows || j < cols)
    {
      if (i < rows && j < cols && g_str_equal (a[head + i], b[head + j]))
        {
          /* Context: only right after or before a change. */
          gboolean near = (i > 0 && j > 0 && !g_str_equal (a[head + i - 1], b[head + j - 1])) ||
                          (i + 1 < rows && j + 1 < cols && !g_str_equal (a[head + i + 1], b[head + j + 1]));

          if (near)
            append_line (out, &n, max_lines, ' ', a[head + i]);
          i++, j++;
        }
      /* Removed lines before the lines that replace them. */
      else if (i < rows && (j == cols || CELL (i + 1, j) >= CELL (i, j + 1)))
        append_line (out, &n, max_lines, '-', a[head + i++]);
      else
        append_line (out, &n, max_lines, '+', b[head + j++]);
    }
#undef CELL
  g_free (table);
  if (tail > 0)
    append_line (out, &n, max_lines, ' ', a[na - tail]);
  if (n > max_lines)
    g_string_append_printf (out, "… and %u more lines\n", n - max_lines);
  return g_string_free (out, FALSE);
}

static json_t *
stage_side (const SluicePastRun *run,
            const char          *controller)
{
  const SluicePastStage *stage;

  if (run->error != NULL || (stage = sluice_past_run_find_stage (run, controller)) == NULL)
    return json_null ();
  return json_pack ("{s:b, s:I, s:I}", "reached", stage->items_in > 0,
                    "items_in", (json_int_t) stage->items_in, "items_out", (json_int_t) stage->items_out);
}

/* gate id → its {"checks": […]} at the end of the run. */
static GHashTable *
gate_results (const SluicePastRun *run)
{
  GHashTable *results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_decref);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(SluiceRunReplay) replay = NULL;

  if (run->error != NULL || run->gates->len == 0 ||
      (events = sluice_past_run_load_events (run, MAX_COMPARE_EVENTS, NULL, NULL)) == NULL)
    return results;
  replay = sluice_run_replay_new (events);
  sluice_run_replay_seek (replay, G_MAXUINT);
  for (guint i = 0; i < run->gates->len; i++)
    {
      const SluicePastGate *gate = g_ptr_array_index (run->gates, i);
      json_t *found = sluice_run_replay_dup_gate_results (replay, gate->gate);

      if (found != NULL)
        g_hash_table_insert (results, g_strdup (gate->gate), found);
    }
  return results;
}

static json_t *
check_side (json_t     *checks,
            const char *name)
{
  size_t i;
  json_t *check;

  json_array_foreach (checks, i, check)
    if (g_strcmp0 (json_string_value (json_object_get (check, "name")), name) == 0)
      return json_deep_copy (check);
  return json_null ();
}

static void
add_check_names (json_t     *names,
                 json_t     *checks)
{
  size_t i, k;
  json_t *check, *known;

  json_array_foreach (checks, i, check)
    {
      json_t *name = json_object_get (check, "name");
      gboolean seen = FALSE;

      if (!json_is_string (name))
        continue;
      json_array_foreach (names, k, known)
        seen |= json_equal (known, name);
      if (!seen)
        json_array_append (names, name);
    }
}

static json_t *
compare_gates (const SluicePastRun *a,
               const SluicePastRun *b)
{
  g_autoptr(GHashTable) ra = gate_results (a);
  g_autoptr(GHashTable) rb = gate_results (b);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  json_t *gates = json_array ();

  for (guint i = 0; i < a->gates->len; i++)
    g_ptr_array_add (ids, ((SluicePastGate *) g_ptr_array_index (a->gates, i))->gate);
  for (guint i = 0; i < b->gates->len; i++)
    if (!g_ptr_array_find_with_equal_func (ids, ((SluicePastGate *) g_ptr_array_index (b->gates, i))->gate,
                                           g_str_equal, NULL))
      g_ptr_array_add (ids, ((SluicePastGate *) g_ptr_array_index (b->gates, i))->gate);

  for (guint i = 0; i < ids->len; i++)
    {
      json_t *ca = json_object_get (g_hash_table_lookup (ra, ids->pdata[i]), "checks");
      json_t *cb = json_object_get (g_hash_table_lookup (rb, ids->pdata[i]), "checks");
      json_t *names = json_array ();
      json_t *checks = json_array ();
      size_t k;
      json_t *name;

      add_check_names (names, ca);
      add_check_names (names, cb);
      json_array_foreach (names, k, name)
        json_array_append_new (checks, json_pack ("{s:O, s:o, s:o}", "name", name,
                                                  "a", check_side (ca, json_string_value (name)),
                                                  "b", check_side (cb, json_string_value (name))));
      json_decref (names);
      json_array_append_new (gates, json_pack ("{s:s, s:o}", "gate", (const char *) ids->pdata[i], "checks", checks));
    }
  return gates;
}

static json_t *
compare_pipeline (const SluicePastRun *a,
                  const SluicePastRun *b)
{
  gboolean changed = g_strcmp0 (a->pipeline_sha256, b->pipeline_sha256) != 0;
  json_t *pipeline = json_pack ("{s:b, s:s?, s:s?}", "changed", changed,
                                "a", a->pipeline_sha256, "b", b->pipeline_sha256);

  if (changed)
    {
      g_autofree char *old_text = sluice_past_run_load_pipeline_copy (a, NULL, NULL);
      g_autofree char *new_text = sluice_past_run_load_pipeline_copy (b, NULL, NULL);
      g_autofree char *diff = NULL;

      if (old_text != NULL && new_text != NULL &&
          g_utf8_validate (old_text, -1, NULL) && g_utf8_validate (new_text, -1, NULL))
        diff = sluice_text_diff (old_text, new_text, 40);
      json_object_set_new (pipeline, "diff", diff != NULL ? json_string (diff) : json_null ());
    }
  return pipeline;
}

json_t *
sluice_run_history_compare (const SluicePastRun *a,
                            const SluicePastRun *b,
                            const char * const  *controllers)
{
  json_t *stages = json_array ();

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  for (guint i = 0; controllers != NULL && controllers[i] != NULL; i++)
    json_array_append_new (stages, json_pack ("{s:s, s:o, s:o}", "stage", controllers[i],
                                              "a", stage_side (a, controllers[i]),
                                              "b", stage_side (b, controllers[i])));
  return json_pack ("{s:s, s:s, s:o, s:o, s:o}", "a", a->run_id, "b", b->run_id,
                    "pipeline", compare_pipeline (a, b), "stages", stages, "gates", compare_gates (a, b));
}
