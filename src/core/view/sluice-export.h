/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-pipeline.h"

G_BEGIN_DECLS

#define SLUICE_EXPORT_ERROR (sluice_export_error_quark ())
typedef enum
{
  SLUICE_EXPORT_ERROR_FORMAT,
  SLUICE_EXPORT_ERROR_GRAPHVIZ,
} SluiceExportError;
GQuark  sluice_export_error_quark (void);

/* The pipeline as a Graphviz digraph: controllers and phases as
 * cluster_ subgraphs in chain order, modules as nodes (conditions as
 * diamonds with their branches, combinations as nested clusters), arrows
 * for the flow. Pure: no graphviz call is made. */
char   *sluice_export_dot           (SluicePipeline *pipeline);

/* Lays out @dot with dot(1)'s algorithm and renders it in @format ("svg",
 * "png", "dot" for laid-out DOT, ...). Graphviz is not thread-safe, so all
 * calls run on one dedicated thread; its messages are captured into
 * @error instead of reaching stderr. Blocks until done. */
GBytes *sluice_export_render        (const char     *dot,
                                     const char     *format,
                                     GError        **error);
void    sluice_export_render_async  (const char          *dot,
                                     const char          *format,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GBytes *sluice_export_render_finish (GAsyncResult        *result,
                                     GError             **error);

/* Writes pipeline exports: the format is taken from @path's extension
 * (.dot, .gv, .svg, .png). Blocking; the designer calls it from a thread
 * or uses the _async variant above and writes the bytes itself. */
gboolean sluice_export_file         (SluicePipeline *pipeline,
                                     const char     *path,
                                     GError        **error);

G_END_DECLS
