/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "sluice-controller.h"
#include "sluice-executor-gates.h"
#include "sluice-gate.h"
#include "sluice-report-private.h"

/* The stage comparison of a run report: one entry per controller with
 * its counters, duration and the gates in it; the metrics its gates
 * checked side by side across stages; how consistent those metrics stay
 * from stage to stage; and the warnings a reader should not miss. */

typedef struct
{
  SluiceExecutor *executor;
  json_t         *stages;       /* array, owned by the report */
  json_t         *stage;        /* the current one, borrowed */
  json_t         *warnings;     /* array, owned by the report */
} StageWalk;

static void
add_warning (json_t     *warnings,
             const char *kind,
             const char *key,
             const char *id,
             char       *message)   /* consumed */
{
  json_t *warning = json_pack ("{s:s, s:s}", "kind", kind, "message", message);

  if (key != NULL && id != NULL)
    json_object_set_new (warning, key, json_string (id));
  json_array_append_new (warnings, warning);
  g_free (message);
}

static json_t *
stage_new (SluiceExecutor   *executor,
           SluiceController *controller,
           guint             index)
{
  const char *id = sluice_node_get_id (SLUICE_NODE (controller));
  const char *name = sluice_node_get_name (SLUICE_NODE (controller));
  SluiceStageStats stats = { 0, 0, -1, 0, 0, 0 };
  json_t *stage;

  sluice_executor_get_stage_stats (executor, id, &stats);
  stage = json_pack ("{s:s, s:s, s:i, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:f, s:o, s:o}",
                     "id", id != NULL ? id : "",
                     "name", name != NULL && *name ? name : (id != NULL ? id : ""),
                     "index", (int) index,
                     "mode", sluice_mode_to_string (sluice_controller_get_mode (controller)),
                     "reached", stats.started_us >= 0,
                     "items_in", (json_int_t) stats.items_in,
                     "items_out", (json_int_t) stats.items_out,
                     "items_failed", (json_int_t) (stats.items_failed + stats.dropped),
                     "dropped", (json_int_t) 0,
                     "retries", (json_int_t) 0,
                     "duration_ms", stats.duration_us / 1000.0,
                     "gates", json_array (),
                     "never_ran", json_array ());
  if (stats.started_us >= 0)
    json_object_set_new (stage, "started_ms", json_real (stats.started_us / 1000.0));
  return stage;
}

static void
stage_add (json_t     *stage,
           const char *key,
           guint64     value)
{
  json_object_set_new (stage, key,
                       json_integer (json_integer_value (json_object_get (stage, key)) + (json_int_t) value));
}

static gboolean
walk_cb (SluiceNode *node,
         gpointer    user_data)
{
  StageWalk *walk = user_data;
  SluiceModuleStats stats;
  const char *id = sluice_node_get_id (node);

  if (SLUICE_IS_CONTROLLER (node))
    {
      walk->stage = stage_new (walk->executor, SLUICE_CONTROLLER (node), json_array_size (walk->stages));
      json_array_append_new (walk->stages, walk->stage);
      return TRUE;
    }
  if (!SLUICE_IS_MODULE (node) || walk->stage == NULL ||
      !sluice_executor_get_module_stats (walk->executor, id, &stats))
    return TRUE;

  stage_add (walk->stage, "dropped", stats.dropped);
  stage_add (walk->stage, "retries", stats.retries);
  if (stats.items_in == 0)
    json_array_append_new (json_object_get (walk->stage, "never_ran"), json_string (id));
  if (stats.retries > 0)
    add_warning (walk->warnings, "retries", "module", id,
                 g_strdup_printf ("module “%s” was retried %" G_GUINT64_FORMAT " time%s after failures",
                                  id, stats.retries, stats.retries == 1 ? "" : "s"));
  if (stats.dropped > 0)
    add_warning (walk->warnings, "dropped", "module", id,
                 g_strdup_printf ("module “%s” dropped %" G_GUINT64_FORMAT " item%s",
                                  id, stats.dropped, stats.dropped == 1 ? "" : "s"));

  if (SLUICE_IS_GATE (node))
    {
      json_t *gate = sluice_executor_dup_gate_results (walk->executor, id);
      const char *name = sluice_node_get_name (node);

      if (gate != NULL)
        {
          json_object_set_new (gate, "id", json_string (id));
          json_object_set_new (gate, "name", json_string (name != NULL && *name ? name : id));
          json_array_append_new (json_object_get (walk->stage, "gates"), gate);
        }
    }
  return TRUE;
}

/* Never-ran modules: one warning per stage that never started, one per
 * module in the stages that did. */
static void
warn_never_ran (json_t *stages,
                json_t *warnings)
{
  size_t i, j;
  json_t *stage, *module;

  json_array_foreach (stages, i, stage)
    {
      json_t *never = json_object_get (stage, "never_ran");
      const char *id = json_string_value (json_object_get (stage, "id"));

      if (!json_is_true (json_object_get (stage, "reached")))
        {
          add_warning (warnings, "never-ran", "controller", id,
                       g_strdup_printf ("stage “%s” never ran (%zu module%s)",
                                        json_string_value (json_object_get (stage, "name")),
                                        json_array_size (never), json_array_size (never) == 1 ? "" : "s"));
          continue;
        }
      json_array_foreach (never, j, module)
        add_warning (warnings, "never-ran", "module", json_string_value (module),
                     g_strdup_printf ("module “%s” never ran", json_string_value (module)));
    }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* A stage much slower than the others: more than SLOW_FACTOR times the
 * median of the other stages that ran, and at least SLOW_MIN_MS. */
static void
warn_slow (json_t *stages,
           json_t *warnings)
{
  g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (double));
  size_t i;
  json_t *stage;

  json_array_foreach (stages, i, stage)
    {
      g_autoptr(GArray) others = g_array_new (FALSE, FALSE, sizeof (double));
      double duration = json_real_value (json_object_get (stage, "duration_ms"));
      double median;
      size_t j;
      json_t *other;

      if (!json_is_true (json_object_get (stage, "reached")))
        continue;
      json_array_foreach (stages, j, other)
        if (j != i && json_is_true (json_object_get (other, "reached")))
          {
            double d = json_real_value (json_object_get (other, "duration_ms"));
            g_array_append_val (others, d);
          }
      if (others->len == 0)
        continue;
      qsort (others->data, others->len, sizeof (double), compare_doubles);
      median = others->len % 2 ? g_array_index (others, double, others->len / 2)
                               : (g_array_index (others, double, others->len / 2 - 1) +
                                  g_array_index (others, double, others->len / 2)) / 2;
      if (duration >= SLUICE_REPORT_SLOW_MIN_MS && duration > SLUICE_REPORT_SLOW_FACTOR * median)
        add_warning (warnings, "slow-stage", "controller", json_string_value (json_object_get (stage, "id")),
                     g_strdup_printf ("stage “%s” took %.0f ms, %.1f× the median of the other stages (%.0f ms)",
                                      json_string_value (json_object_get (stage, "name")), duration,
                                      median > 0 ? duration / median : INFINITY, median));
    }
}

/* The scale a margin is compared with: the threshold, or the bound of a
 * range nearer to the value. 0 when that is 0: a share of nothing says
 * nothing, so only a margin of exactly 0 is near then. */
static double
margin_scale (json_t *check)
{
  json_t *threshold = json_object_get (check, "threshold");
  double value = json_number_value (json_object_get (check, "value"));
  double scale;

  if (threshold != NULL)
    scale = fabs (json_number_value (threshold));
  else
    {
      json_t *min = json_object_get (check, "min");
      json_t *max = json_object_get (check, "max");

      if (min != NULL && (max == NULL || fabs (value - json_number_value (min)) <= fabs (json_number_value (max) - value)))
        scale = fabs (json_number_value (min));
      else
        scale = max != NULL ? fabs (json_number_value (max)) : 0;
    }
  return scale;
}

static void
warn_near (json_t *stages,
           json_t *warnings,
           double  near)
{
  size_t i, j, k;
  json_t *stage, *gate, *check;

  json_array_foreach (stages, i, stage)
    json_array_foreach (json_object_get (stage, "gates"), j, gate)
      json_array_foreach (json_object_get (gate, "checks"), k, check)
        {
          json_t *margin = json_object_get (check, "margin");
          double scale;

          if (!json_is_true (json_object_get (check, "passed")) || !json_is_number (margin))
            continue;
          scale = margin_scale (check);
          json_object_set_new (check, "near", json_boolean (json_number_value (margin) <= near * scale));
          if (json_number_value (margin) > near * scale)
            continue;
          if (scale > 0)
            add_warning (warnings, "near-threshold", "module", json_string_value (json_object_get (gate, "id")),
                         g_strdup_printf ("gate “%s”: “%s” passed by only %g (%.1f%% of %g)",
                                          json_string_value (json_object_get (gate, "name")),
                                          json_string_value (json_object_get (check, "name")),
                                          json_number_value (margin),
                                          100 * json_number_value (margin) / scale, scale));
          else
            add_warning (warnings, "near-threshold", "module", json_string_value (json_object_get (gate, "id")),
                         g_strdup_printf ("gate “%s”: “%s” is exactly at its bound",
                                          json_string_value (json_object_get (gate, "name")),
                                          json_string_value (json_object_get (check, "name"))));
        }
}

static const char *
direction_of (const char *op)
{
  if (g_strcmp0 (op, ">=") == 0 || g_strcmp0 (op, ">") == 0)
    return "higher";
  if (g_strcmp0 (op, "<=") == 0 || g_strcmp0 (op, "<") == 0)
    return "lower";
  return "closer";
}

/* Every checked metric, by check name, with its value in each stage. */
static json_t *
collect_metrics (json_t *stages)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  json_t *metrics = json_array ();
  size_t i, j, k;
  json_t *stage, *gate, *check;

  json_array_foreach (stages, i, stage)
    json_array_foreach (json_object_get (stage, "gates"), j, gate)
      json_array_foreach (json_object_get (gate, "checks"), k, check)
        {
          const char *name = json_string_value (json_object_get (check, "name"));
          gboolean relative = json_object_get (check, "relative_to") != NULL;
          json_t *metric = g_hash_table_lookup (by_name, name);
          json_t *entry;

          if (!json_is_number (json_object_get (check, "value")))
            continue;
          if (metric == NULL)
            {
              metric = json_pack ("{s:s, s:s, s:b, s:o}", "name", name,
                                  "better", direction_of (json_string_value (json_object_get (check, "op"))),
                                  "relative", relative, "stages", json_array ());
              json_array_append_new (metrics, metric);
              g_hash_table_insert (by_name, (gpointer) json_string_value (json_object_get (metric, "name")), metric);
            }
          entry = json_pack ("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
                             "stage", json_object_get (stage, "id"),
                             "stage_name", json_object_get (stage, "name"),
                             "gate", json_object_get (gate, "id"),
                             "op", json_object_get (check, "op"),
                             "value", json_object_get (check, "value"),
                             "passed", json_object_get (check, "passed"),
                             "margin", json_object_get (check, "margin") != NULL
                                         ? json_object_get (check, "margin") : json_null ());
          if (json_object_get (check, "threshold") != NULL)
            json_object_set (entry, "threshold", json_object_get (check, "threshold"));
          if (json_object_get (check, "min") != NULL)
            json_object_set (entry, "min", json_object_get (check, "min"));
          if (json_object_get (check, "max") != NULL)
            json_object_set (entry, "max", json_object_get (check, "max"));
          json_array_append_new (json_object_get (metric, "stages"), entry);
        }
  return metrics;
}

/* See the README ("Run reports"): for each metric checked in several
 * stages with a direction (higher or lower is better), each step from
 * one stage to the next has a degradation d = max(0, (a − b) / |a|) for
 * higher-is-better and max(0, (b − a) / |a|) for lower-is-better, capped
 * at 1; the score is 1 − mean(d), from 1 (nothing degrades) to 0. */
static json_t *
consistency (json_t *metrics)
{
  json_t *pairs = json_array ();
  double sum = 0;
  guint n = 0;
  size_t i, j;
  json_t *metric;
  json_t *result;

  json_array_foreach (metrics, i, metric)
    {
      const char *better = json_string_value (json_object_get (metric, "better"));
      json_t *entries = json_object_get (metric, "stages");

      if (json_is_true (json_object_get (metric, "relative")) || g_str_equal (better, "closer"))
        continue;
      for (j = 1; j < json_array_size (entries); j++)
        {
          json_t *from = json_array_get (entries, j - 1);
          json_t *to = json_array_get (entries, j);
          double a = json_number_value (json_object_get (from, "value"));
          double b = json_number_value (json_object_get (to, "value"));
          double change, degradation;

          if (a == 0 || json_equal (json_object_get (from, "stage"), json_object_get (to, "stage")))
            continue;
          change = (b - a) / fabs (a);
          degradation = CLAMP (g_str_equal (better, "higher") ? -change : change, 0, 1);
          sum += degradation;
          n++;
          json_array_append_new (pairs, json_pack ("{s:O, s:O, s:O, s:f, s:f}",
                                                   "metric", json_object_get (metric, "name"),
                                                   "from", json_object_get (from, "stage"),
                                                   "to", json_object_get (to, "stage"),
                                                   "change", change,
                                                   "degradation", degradation));
        }
    }

  result = json_pack ("{s:s, s:o}",
                      "formula", "1 - mean(d) over each metric checked in consecutive stages, "
                                 "d = max(0, (a - b) / |a|) when higher is better, "
                                 "max(0, (b - a) / |a|) when lower is better, capped at 1",
                      "pairs", pairs);
  json_object_set_new (result, "score", n > 0 ? json_real (1.0 - sum / n) : json_null ());
  return result;
}

void
_sluice_report_add_stages (json_t         *report,
                           SluiceExecutor *executor,
                           double          near)
{
  StageWalk walk = { executor, json_array (), NULL, json_array () };
  json_t *metrics;

  sluice_pipeline_foreach_node (sluice_executor_get_pipeline (executor), walk_cb, &walk);
  warn_near (walk.stages, walk.warnings, near);
  warn_never_ran (walk.stages, walk.warnings);
  warn_slow (walk.stages, walk.warnings);
  metrics = collect_metrics (walk.stages);

  json_object_set_new (report, "stages", walk.stages);
  json_object_set_new (report, "consistency", consistency (metrics));
  json_object_set_new (report, "metrics", metrics);
  json_object_set_new (report, "warnings", walk.warnings);
}
