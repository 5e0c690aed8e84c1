/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The executor's queues (the ready tokens, each controller's input and
 * origins) take and give back a link for every item that passes: with
 * GQueue's own calls that is a slice allocation and a free each, ~300
 * instructions an item for three queues. These keep the links a queue
 * gave back on a free list of the run's thread, so that a steady stream
 * of items allocates none. Links come from g_list_alloc() and may still
 * be taken off with g_queue_pop_head() or g_queue_clear() elsewhere. The
 * list keeps at most SLUICE_SPARE_LINKS_MAX links: a burst (a fan-out of
 * thousands) does not stay allocated after it. Run's thread only. Under
 * AddressSanitizer none are kept: a use after free is still found. */

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_SPARE_LINKS_MAX 0
#else
#define SLUICE_SPARE_LINKS_MAX 4096
#endif

typedef struct
{
  GList *head;
  guint  length;
} SluiceSpareLinks;

static inline void
sluice_spare_links_push (SluiceSpareLinks *spare,
                         GQueue           *queue,
                         gpointer          data)
{
  GList *link = spare->head;

  if (link != NULL)
    {
      spare->head = link->next;
      spare->length--;
    }
  else
    link = g_list_alloc ();

  link->data = data;
  link->next = NULL;
  link->prev = queue->tail;
  if (queue->tail != NULL)
    queue->tail->next = link;
  else
    queue->head = link;
  queue->tail = link;
  queue->length++;
}

static inline gpointer
sluice_spare_links_pop (SluiceSpareLinks *spare,
                        GQueue           *queue)
{
  GList *link = queue->head;
  gpointer data;

  if (link == NULL)
    return NULL;

  queue->head = link->next;
  if (queue->head != NULL)
    queue->head->prev = NULL;
  else
    queue->tail = NULL;
  queue->length--;

  data = link->data;
  if (spare->length < SLUICE_SPARE_LINKS_MAX)
    {
      link->prev = NULL;
      link->next = spare->head;
      spare->head = link;
      spare->length++;
    }
  else
    g_list_free_1 (link);
  return data;
}

static inline void
sluice_spare_links_clear (SluiceSpareLinks *spare)
{
  g_list_free (spare->head);
  spare->head = NULL;
  spare->length = 0;
}

G_END_DECLS
