/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"
#include "sluice-step.h"

G_BEGIN_DECLS

/* What a remote tool (http, clickhouse) reads of its module in prepare()
 * beyond the typed values of sluice-tool-params.h: text that goes into
 * a request line or a header, substituted line by line and refused when
 * a ${name} brings a line break (CR or LF would otherwise add a header
 * of the caller's choosing), and secrets, which no message may show.
 * Errors name the module and the parameter. */

typedef struct
{
  SluiceModule         *module;    /* borrowed */
  SluiceStepContext    *context;   /* borrowed */
  const SluiceToolInfo *info;      /* borrowed */
  const char           *id;        /* the module's */
} SluiceToolValues;

void     sluice_tool_values_init     (SluiceToolValues   *values,
                                      SluiceModule       *module,
                                      SluiceStepContext  *context,
                                      const SluiceToolInfo *info);

/* The substituted value, the default when the parameter is absent, or
 * NULL (error unset) when it has neither. NULL with @error on a bad
 * ${name}. */
char    *sluice_tool_values_string   (SluiceToolValues   *values,
                                      const char         *name,
                                      GError            **error);
/* The same for one line of text: refuses CR, LF and NUL. */
char    *sluice_tool_values_line     (SluiceToolValues   *values,
                                      const char         *name,
                                      GError            **error);
/* A parameter of several lines, each substituted on its own (so a value
 * can never start a line), blank lines dropped. Never NULL without
 * @error; empty when absent. */
GStrv    sluice_tool_values_lines    (SluiceToolValues   *values,
                                      const char         *name,
                                      GError            **error);
/* A secret from `FILE_PARAM` (a file, relative to the pipeline's folder,
 * its trailing newline dropped) or `ENV_PARAM` (an environment
 * variable); NULL without @error when neither is given. Errors name the
 * file or the variable, never the value. */
char    *sluice_tool_values_secret   (SluiceToolValues   *values,
                                      const char         *file_param,
                                      const char         *env_param,
                                      GError            **error);

/* TRUE when @text has no CR, LF or NUL (a header value, a URL). */
gboolean sluice_tool_text_is_one_line (const char        *text);
/* @text with every occurrence of @secret replaced by "***"; a copy of
 * @text when @secret is NULL or empty. For messages that quote what a
 * server answered, which might echo what it was sent. */
char    *sluice_tool_redact          (const char         *text,
                                      const char         *secret);

G_END_DECLS
