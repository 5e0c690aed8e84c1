/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_PARAMETER (sluice_parameter_get_type ())
G_DECLARE_FINAL_TYPE (SluiceParameter, sluice_parameter, SLUICE, PARAMETER, GObject)

/* A pipeline parameter: <parameter name="…" default="…"/>. Its value in a
 * run is the default unless the runner is given -D name=value. A parameter
 * without a default must be defined for a run. */
SluiceParameter *sluice_parameter_new               (const char      *name,
                                                     const char      *default_value);
const char      *sluice_parameter_get_name          (SluiceParameter *self);
void             sluice_parameter_set_name          (SluiceParameter *self,
                                                     const char      *name);
/* NULL when the file gives no default. */
const char      *sluice_parameter_get_default_value (SluiceParameter *self);
void             sluice_parameter_set_default_value (SluiceParameter *self,
                                                     const char      *default_value);
const char      *sluice_parameter_get_description   (SluiceParameter *self);
void             sluice_parameter_set_description   (SluiceParameter *self,
                                                     const char      *description);
guint            sluice_parameter_get_line          (SluiceParameter *self);
void             sluice_parameter_set_line          (SluiceParameter *self,
                                                     guint            line);

G_END_DECLS
