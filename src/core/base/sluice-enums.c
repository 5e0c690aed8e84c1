/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-enums.h"

G_DEFINE_ENUM_TYPE (SluiceMode, sluice_mode,
  G_DEFINE_ENUM_VALUE (SLUICE_MODE_NOT_PARALLEL, "not-parallel"),
  G_DEFINE_ENUM_VALUE (SLUICE_MODE_NO_ORDER, "no-order"),
  G_DEFINE_ENUM_VALUE (SLUICE_MODE_ORDER_BY_SEQUENCE, "order-by-sequence"),
  G_DEFINE_ENUM_VALUE (SLUICE_MODE_FIRST_WINS, "first-wins"))

G_DEFINE_ENUM_TYPE (SluiceOnError, sluice_on_error,
  G_DEFINE_ENUM_VALUE (SLUICE_ON_ERROR_FAIL, "fail"),
  G_DEFINE_ENUM_VALUE (SLUICE_ON_ERROR_DROP, "drop"),
  G_DEFINE_ENUM_VALUE (SLUICE_ON_ERROR_CONTINUE, "continue"))

G_DEFINE_ENUM_TYPE (SluiceBodyKind, sluice_body_kind,
  G_DEFINE_ENUM_VALUE (SLUICE_BODY_NONE, "none"),
  G_DEFINE_ENUM_VALUE (SLUICE_BODY_LUA, "lua"),
  G_DEFINE_ENUM_VALUE (SLUICE_BODY_COMMAND, "command"),
  G_DEFINE_ENUM_VALUE (SLUICE_BODY_TOOL, "tool"))

G_DEFINE_ENUM_TYPE (SluiceSeverity, sluice_severity,
  G_DEFINE_ENUM_VALUE (SLUICE_SEVERITY_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (SLUICE_SEVERITY_WARNING, "warning"))

/* The file names of the enums are their GEnumValue nicks, so that the
 * file format, events and property bindings share one spelling. */
static const char *
enum_to_nick (GType type,
              int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);
  const char *nick = ev != NULL ? ev->value_nick : NULL;

  /* Enum classes of static types are never finalised, so the nick stays
   * valid after the unref. */
  g_type_class_unref (klass);
  return nick;
}

static gboolean
enum_from_nick (GType       type,
                const char *nick,
                int        *value)
{
  GEnumClass *klass;
  GEnumValue *ev;

  if (nick == NULL)
    return FALSE;

  klass = g_type_class_ref (type);
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev != NULL)
    *value = ev->value;
  g_type_class_unref (klass);

  return ev != NULL;
}

const char *
sluice_mode_to_string (SluiceMode mode)
{
  return enum_to_nick (SLUICE_TYPE_MODE, mode);
}

gboolean
sluice_mode_from_string (const char *str,
                         SluiceMode *mode)
{
  int value;

  if (!enum_from_nick (SLUICE_TYPE_MODE, str, &value))
    return FALSE;
  *mode = value;
  return TRUE;
}

const char *
sluice_on_error_to_string (SluiceOnError on_error)
{
  return enum_to_nick (SLUICE_TYPE_ON_ERROR, on_error);
}

gboolean
sluice_on_error_from_string (const char    *str,
                             SluiceOnError *on_error)
{
  int value;

  if (!enum_from_nick (SLUICE_TYPE_ON_ERROR, str, &value))
    return FALSE;
  *on_error = value;
  return TRUE;
}

const char *
sluice_severity_to_string (SluiceSeverity severity)
{
  return enum_to_nick (SLUICE_TYPE_SEVERITY, severity);
}
