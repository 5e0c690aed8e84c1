/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libxml/tree.h>
#include <libxml/relaxng.h>

#include "sluice-pipeline.h"
#include "sluice-problem.h"

G_BEGIN_DECLS

/* Shared by the loader's stages (private to the file-format code). */
typedef struct
{
  const char *file;      /* display name used in problems; borrowed */
  GPtrArray  *problems;  /* of SluiceProblem; borrowed */
  guint       n_errors;
} SluiceLoadContext;

void          sluice_load_context_error   (SluiceLoadContext *ctx,
                                           guint              line,
                                           const char        *node_id,
                                           const char        *format,
                                           ...) G_GNUC_PRINTF (4, 5);
void          sluice_load_context_warning (SluiceLoadContext *ctx,
                                           guint              line,
                                           const char        *node_id,
                                           const char        *format,
                                           ...) G_GNUC_PRINTF (4, 5);

/* An element's line in its file, 0 when libxml2 does not know it. */
guint         sluice_xml_line             (xmlNode           *node);
/* An attribute's value (a copy for g_free), or NULL when it is absent. */
char         *sluice_xml_get_attr         (xmlNode           *node,
                                           const char        *name);

/* The compiled RelaxNG schema of the format, built once from the
 * GResource; shared between threads (validation contexts are per call). */
xmlRelaxNGPtr sluice_xml_schema_get       (void);

/* Friendly structural checks run before the schema, so that common
 * mistakes get a message a user understands rather than a raw schema
 * error. Appends errors to @ctx. */
void          sluice_xml_check_document   (SluiceLoadContext *ctx,
                                           xmlNode           *root);

/* Builds the model from a document that passed the checks and the
 * schema. Problems it still finds (e.g. a tool param given twice) go to
 * @ctx. */
SluicePipeline *sluice_loader_build (SluiceLoadContext *ctx,
                                     xmlDoc            *doc);

/* <tests> (sluice-loader-tests.c): builds the cases of @element into
 * @pipeline; returns the comments after the last case. */
GStrv         sluice_loader_build_tests   (SluiceLoadContext *ctx,
                                           xmlNode           *element,
                                           SluicePipeline    *pipeline);

/* The saver's writing helpers, for the parts written by files of their
 * own (sluice-saver-tests.c). */
void          sluice_xml_write_indent     (GString            *out,
                                           guint               depth);
void          sluice_xml_write_escaped    (GString            *out,
                                           const char         *raw,
                                           gboolean            attribute);
void          sluice_xml_write_attr       (GString            *out,
                                           const char         *name,
                                           const char         *value);
void          sluice_xml_write_comments   (GString            *out,
                                           guint               depth,
                                           const char * const *comments);
/* Writes <tests> of @pipeline, if it has cases (sluice-saver-tests.c). */
void          sluice_saver_write_tests    (GString            *out,
                                           guint               depth,
                                           SluicePipeline     *pipeline);

/* Places (sluice-comments.h) of the comments around child elements that
 * are not model objects: "before:NAME" and "in:NAME". */
#define SLUICE_XML_BEFORE_KEY_PREFIX "before:"
#define SLUICE_XML_TRAILING_KEY_PREFIX "in:"

G_END_DECLS
