/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"

G_BEGIN_DECLS

/* <recommendation>: how a run report turns a run into a verdict.
 *
 *   <recommendation near="0.05">
 *     <rule verdict="reject" when="failed"/>
 *     <rule verdict="review" when="consistency-below" value="0.8"/>
 *     <rule verdict="deploy" when="completed"/>
 *   </recommendation>
 *
 * The first rule whose condition holds gives the verdict (deploy, review
 * or reject) and is quoted in the report as the reason. Conditions:
 * failed, completed, gate-failed, near-threshold, warnings,
 * consistency-below (with value) and always. A pipeline without the
 * element gets sluice_recommendation_new_default(). Texts are kept as
 * written; the validator judges them. */

typedef struct
{
  char  *verdict;
  char  *when;
  char  *value;   /* consistency-below: the score, 0…1 */
  guint  line;
} SluiceRecommendationRule;

#define SLUICE_TYPE_RECOMMENDATION (sluice_recommendation_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRecommendation, sluice_recommendation, SLUICE, RECOMMENDATION, GObject)

/* A check that passed with a margin up to this share of its threshold
 * is "near" (a warning, and the near-threshold condition). */
#define SLUICE_RECOMMENDATION_DEFAULT_NEAR 0.05

SluiceRecommendation *sluice_recommendation_new         (void);
/* reject when failed; reject when gate-failed; review when
 * consistency-below 0.7; review when near-threshold; deploy when completed. */
SluiceRecommendation *sluice_recommendation_new_default (void);

/* The "near" attribute as written, or NULL for the default. */
const char           *sluice_recommendation_get_near    (SluiceRecommendation *self);
void                  sluice_recommendation_set_near    (SluiceRecommendation *self,
                                                         const char           *near);
guint                 sluice_recommendation_get_line    (SluiceRecommendation *self);
void                  sluice_recommendation_set_line    (SluiceRecommendation *self,
                                                         guint                 line);
guint                 sluice_recommendation_get_n_rules (SluiceRecommendation *self);
const SluiceRecommendationRule *
                      sluice_recommendation_get_rule    (SluiceRecommendation *self,
                                                         guint                 index);
void                  sluice_recommendation_add_rule    (SluiceRecommendation *self,
                                                         const char           *verdict,
                                                         const char           *when,
                                                         const char           *value,
                                                         guint                 line);

/* Whether @when is one of the conditions above; @needs_value tells
 * whether it takes a value. */
gboolean              sluice_recommendation_condition_is_known (const char *when,
                                                                gboolean   *needs_value);

/* The pipeline's <recommendation>, or NULL when it has none (borrowed). */
SluiceRecommendation *sluice_recommendation_get_for     (SluicePipeline       *pipeline);
/* Gives @pipeline a <recommendation> (NULL removes it). */
void                  sluice_recommendation_set_for     (SluicePipeline       *pipeline,
                                                         SluiceRecommendation *recommendation);

G_END_DECLS
