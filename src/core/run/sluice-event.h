/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <jansson.h>

#include "sluice-run-state.h"

G_BEGIN_DECLS

/* The run events of SPEC section 6. One stream, emitted by the executor's
 * "event" signal; the runner's --events and the designer consume it. */
typedef enum
{
  SLUICE_EVENT_RUN_STATE,
  SLUICE_EVENT_MODULE_STARTED,
  SLUICE_EVENT_MODULE_FINISHED,
  SLUICE_EVENT_MODULE_FAILED,
  SLUICE_EVENT_ITEM_SUPERSEDED,
  SLUICE_EVENT_STAGE_TRANSITION,
  SLUICE_EVENT_LOG,               /* a line for the run's log, e.g. Lua's print */
  SLUICE_EVENT_GATE_PASSED,       /* a <gate> let an item through; with its checks */
  SLUICE_EVENT_GATE_FAILED,       /* a <gate> stopped an item; with its checks and why */
} SluiceEventType;

/* Immutable once emitted; fields not concerned by the type are NULL/0.
 * Strings are owned by the event. */
typedef struct
{
  SluiceEventType  type;
  guint64          seq;            /* 1, 2, … within the run: duplicates are recognisable */
  gint64           time;           /* wall-clock µs since the epoch */
  char            *pipeline_id;
  char            *controller_id;
  char            *module_id;
  guint64          item;           /* sequence number of the input item in its controller, 0 = none */
  guint64          input;          /* the run's input item it descends from (1, 2, …), 0 = none */
  guint            child;          /* which item under that input: 0 is the input item itself */
  guint            parent;         /* the item it was emitted from (child > 0) */
  SluiceRunState   state;          /* run-state */
  double           duration_ms;    /* module-finished */
  guint            outputs;        /* module-finished */
  guint            attempt;        /* module-failed: 1 for the first try */
  char            *error;          /* module-failed, run-state failed */
  char            *stderr_tail;    /* module-failed of a command, may be NULL */
  char            *from_id;        /* stage-transition: controller ids */
  char            *to_id;
  char            *message;        /* log */
  json_t          *checks;         /* gate-passed, gate-failed: array of check results, owned */
  /*< private >*/
  gint             ref_count;
} SluiceEvent;

#define SLUICE_TYPE_EVENT (sluice_event_get_type ())
GType        sluice_event_get_type   (void);

SluiceEvent *sluice_event_new        (SluiceEventType  type);
SluiceEvent *sluice_event_ref        (SluiceEvent     *event);
void         sluice_event_unref      (SluiceEvent     *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceEvent, sluice_event_unref)

const char  *sluice_event_type_to_string (SluiceEventType type);
/* One JSON object on one line, without the newline: "event", "seq", "time" (ISO
 * 8601 UTC with milliseconds), the ids concerned and the type's fields. */
char        *sluice_event_to_json    (const SluiceEvent *event);
/* The inverse (sluice-event-parse.c): NULL with @error for text that is
 * not such an object, an unknown event or run state. */
SluiceEvent *sluice_event_new_from_json (const char     *text,
                                         GError        **error);

G_END_DECLS
