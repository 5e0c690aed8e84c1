/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How a controller schedules items through its phases (SPEC section 2). */
typedef enum
{
  SLUICE_MODE_NOT_PARALLEL,
  SLUICE_MODE_NO_ORDER,
  SLUICE_MODE_ORDER_BY_SEQUENCE,
  SLUICE_MODE_FIRST_WINS,
} SluiceMode;

/* What a module does when it fails after its retries. */
typedef enum
{
  SLUICE_ON_ERROR_FAIL,
  SLUICE_ON_ERROR_DROP,
  SLUICE_ON_ERROR_CONTINUE,
} SluiceOnError;

/* The one body of an <execution>. NONE and MANY only exist in a model that
 * the validator will report; the saver writes what is there. */
typedef enum
{
  SLUICE_BODY_NONE,
  SLUICE_BODY_LUA,
  SLUICE_BODY_COMMAND,
  SLUICE_BODY_TOOL,
} SluiceBodyKind;

typedef enum
{
  SLUICE_SEVERITY_ERROR,
  SLUICE_SEVERITY_WARNING,
} SluiceSeverity;

GType sluice_mode_get_type (void);
GType sluice_on_error_get_type (void);
GType sluice_body_kind_get_type (void);
GType sluice_severity_get_type (void);
#define SLUICE_TYPE_MODE (sluice_mode_get_type ())
#define SLUICE_TYPE_ON_ERROR (sluice_on_error_get_type ())
#define SLUICE_TYPE_BODY_KIND (sluice_body_kind_get_type ())
#define SLUICE_TYPE_SEVERITY (sluice_severity_get_type ())

/* Conversions to and from the kebab-case names used in files and events.
 * The from_string functions return FALSE for an unknown name. */
const char *sluice_mode_to_string      (SluiceMode     mode);
gboolean    sluice_mode_from_string    (const char    *str,
                                        SluiceMode    *mode);
const char *sluice_on_error_to_string  (SluiceOnError  on_error);
gboolean    sluice_on_error_from_string(const char    *str,
                                        SluiceOnError *on_error);
const char *sluice_severity_to_string  (SluiceSeverity severity);

G_END_DECLS
