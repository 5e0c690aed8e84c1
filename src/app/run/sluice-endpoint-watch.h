/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"

G_BEGIN_DECLS

/* What the Services table shows of one endpoint, copied out of the
 * service client (whose SluiceEndpoint the run's thread changes while
 * the run goes), so that the window's thread can read it any time. */
typedef struct
{
  char    *service;
  char    *url;
  guint    in_flight;    /* our calls at it now */
  double   others;       /* calls at it from other clients, as it last said */
  double   latency_us;
  gboolean healthy;
  gint64   down_until;   /* monotonic µs */
  guint    failures;     /* in a row */
  guint64  served;       /* this run's calls it answered (its modules' counts) */
  guint64  failed;
  char    *last_error;
} SluiceEndpointCopy;

/* A GArray of SluiceEndpointCopy that frees their strings. */
GArray *sluice_endpoint_copies_new    (void);
/* Makes @dest a copy of @src. */
void    sluice_endpoint_copies_assign (GArray       *dest,
                                       const GArray *src);

/* The endpoints of the services an executor's external modules call, read
 * on the thread that runs it (or once it is over): the modules are found
 * once; a read costs a few comparisons per endpoint and allocates only
 * for what changed. */
typedef struct _SluiceEndpointWatch SluiceEndpointWatch;

SluiceEndpointWatch *sluice_endpoint_watch_new      (SluiceExecutor      *executor);
/* Whether the run has external modules at all. */
gboolean             sluice_endpoint_watch_is_empty (SluiceEndpointWatch *self);
/* Reads the endpoints again; TRUE when anything differs from the last
 * read. */
gboolean             sluice_endpoint_watch_read     (SluiceEndpointWatch *self);
/* What the last read found (SluiceEndpointCopy), in the modules' order. */
GArray              *sluice_endpoint_watch_get_rows (SluiceEndpointWatch *self);
void                 sluice_endpoint_watch_free     (SluiceEndpointWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceEndpointWatch, sluice_endpoint_watch_free)

G_END_DECLS
