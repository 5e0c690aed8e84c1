/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-node-private.h"
#include "sluice-recommendation.h"

struct _SluiceRecommendation
{
  GObject    parent_instance;

  char      *near;
  guint      line;
  GPtrArray *rules;   /* of SluiceRecommendationRule*, owned */
};

G_DEFINE_FINAL_TYPE (SluiceRecommendation, sluice_recommendation, G_TYPE_OBJECT)

/* The pipeline keeps its recommendation as object data: the element is
 * the report's business, not the pipeline's, and this keeps the
 * pipeline's own type unchanged. */
#define PIPELINE_KEY "sluice-recommendation"

static void
rule_free (SluiceRecommendationRule *rule)
{
  g_free (rule->verdict);
  g_free (rule->when);
  g_free (rule->value);
  g_free (rule);
}

static void
sluice_recommendation_finalize (GObject *object)
{
  SluiceRecommendation *self = SLUICE_RECOMMENDATION (object);

  g_free (self->near);
  g_ptr_array_unref (self->rules);

  G_OBJECT_CLASS (sluice_recommendation_parent_class)->finalize (object);
}

static void
sluice_recommendation_class_init (SluiceRecommendationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_recommendation_finalize;
}

static void
sluice_recommendation_init (SluiceRecommendation *self)
{
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
}

SluiceRecommendation *
sluice_recommendation_new (void)
{
  return g_object_new (SLUICE_TYPE_RECOMMENDATION, NULL);
}

SluiceRecommendation *
sluice_recommendation_new_default (void)
{
  SluiceRecommendation *self = sluice_recommendation_new ();

  sluice_recommendation_add_rule (self, "reject", "failed", NULL, 0);
  sluice_recommendation_add_rule (self, "reject", "gate-failed", NULL, 0);
  sluice_recommendation_add_rule (self, "review", "consistency-below", "0.7", 0);
  sluice_recommendation_add_rule (self, "review", "near-threshold", NULL, 0);
  sluice_recommendation_add_rule (self, "deploy", "completed", NULL, 0);
  return self;
}

const char *
sluice_recommendation_get_near (SluiceRecommendation *self)
{
  g_return_val_if_fail (SLUICE_IS_RECOMMENDATION (self), NULL);
  return self->near;
}

void
sluice_recommendation_set_near (SluiceRecommendation *self,
                                const char           *near)
{
  g_return_if_fail (SLUICE_IS_RECOMMENDATION (self));
  sluice_set_string (&self->near, near);
}

guint
sluice_recommendation_get_line (SluiceRecommendation *self)
{
  g_return_val_if_fail (SLUICE_IS_RECOMMENDATION (self), 0);
  return self->line;
}

void
sluice_recommendation_set_line (SluiceRecommendation *self,
                                guint                 line)
{
  g_return_if_fail (SLUICE_IS_RECOMMENDATION (self));
  self->line = line;
}

guint
sluice_recommendation_get_n_rules (SluiceRecommendation *self)
{
  g_return_val_if_fail (SLUICE_IS_RECOMMENDATION (self), 0);
  return self->rules->len;
}

const SluiceRecommendationRule *
sluice_recommendation_get_rule (SluiceRecommendation *self,
                                guint                 index)
{
  g_return_val_if_fail (SLUICE_IS_RECOMMENDATION (self), NULL);
  g_return_val_if_fail (index < self->rules->len, NULL);
  return g_ptr_array_index (self->rules, index);
}

void
sluice_recommendation_add_rule (SluiceRecommendation *self,
                                const char           *verdict,
                                const char           *when,
                                const char           *value,
                                guint                 line)
{
  SluiceRecommendationRule *rule = g_new0 (SluiceRecommendationRule, 1);

  g_return_if_fail (SLUICE_IS_RECOMMENDATION (self));

  rule->verdict = g_strdup (verdict);
  rule->when = g_strdup (when);
  rule->value = g_strdup (value);
  rule->line = line;
  g_ptr_array_add (self->rules, rule);
}

SluiceRecommendation *
sluice_recommendation_get_for (SluicePipeline *pipeline)
{
  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  return g_object_get_data (G_OBJECT (pipeline), PIPELINE_KEY);
}

void
sluice_recommendation_set_for (SluicePipeline       *pipeline,
                               SluiceRecommendation *recommendation)
{
  g_return_if_fail (SLUICE_IS_PIPELINE (pipeline));

  g_object_set_data_full (G_OBJECT (pipeline), PIPELINE_KEY,
                          recommendation != NULL ? g_object_ref (recommendation) : NULL,
                          g_object_unref);
  sluice_pipeline_emit_changed (pipeline);
}

gboolean
sluice_recommendation_condition_is_known (const char *when,
                                          gboolean   *needs_value)
{
  static const char * const plain[] = {
    "failed", "completed", "gate-failed", "near-threshold", "warnings", "always",
  };

  if (when == NULL)
    return FALSE;
  if (needs_value != NULL)
    *needs_value = g_str_equal (when, "consistency-below");
  if (g_str_equal (when, "consistency-below"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    if (g_str_equal (when, plain[i]))
      return TRUE;
  return FALSE;
}
