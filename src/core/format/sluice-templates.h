/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Templates: pipeline files to start a new pipeline from ("New from
 * template" in the designer, `sluice-run new --template NAME FILE`).
 *
 * The built-in ones (data/templates/) are compiled into the program;
 * more come from the `sluice/templates` folder (files NAME.xml) under the user's data folder
 * and each folder of XDG_DATA_DIRS, so that plug-ins can add theirs. A
 * template's name is its file name without `.xml`: lower-case letters,
 * digits and hyphens. The first template of a name wins (built-in, then
 * the user's, then the system's); a later one of the same name, one that
 * does not load or a file with another name is reported and skipped. */

typedef struct
{
  char  *name;         /* "etl" */
  char  *title;        /* the pipeline's name="…" */
  char  *description;  /* its <description>, or "" */
  char  *origin;       /* "built-in", or the file's path */
  GStrv  to_fill;      /* the parameters without a default: what the user must give */
} SluiceTemplate;

void              sluice_template_free      (SluiceTemplate *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceTemplate, sluice_template_free)

/* Every template, sorted by name (a GPtrArray of SluiceTemplate*). Broken
 * or shadowed ones are appended to @problems (SluiceProblem, naming the
 * file) when it is not NULL. */
GPtrArray        *sluice_templates_list     (GPtrArray      *problems);

/* The file content of the template @name, or NULL with @error
 * (G_IO_ERROR_NOT_FOUND, or G_IO_ERROR_INVALID_ARGUMENT for a name that
 * is not a template name). */
GBytes           *sluice_template_get_xml   (const char     *name,
                                             GError        **error);

G_END_DECLS
