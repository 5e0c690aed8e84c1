/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-item-ring.h"

#include <string.h>

struct _SluiceItemRing
{
  SluiceItemRecord *records;   /* capacity slots */
  guint             capacity;
  guint             head;      /* the oldest waiting record */
  guint             length;    /* waiting records */
  guint64           lost;      /* overwritten since the last drain */
};

SluiceItemRing *
sluice_item_ring_new (guint capacity)
{
  SluiceItemRing *self = g_new0 (SluiceItemRing, 1);

  self->capacity = MAX (capacity, 1);
  self->records = g_new (SluiceItemRecord, self->capacity);
  return self;
}

void
sluice_item_ring_free (SluiceItemRing *self)
{
  if (self == NULL)
    return;
  g_free (self->records);
  g_free (self);
}

void
sluice_item_ring_push (SluiceItemRing         *self,
                       const SluiceItemRecord *record)
{
  guint slot;

  if (self->length == self->capacity)
    {
      /* Full: the oldest goes. */
      self->head = self->head + 1 == self->capacity ? 0 : self->head + 1;
      self->length--;
      self->lost++;
    }
  slot = self->head + self->length;
  if (slot >= self->capacity)
    slot -= self->capacity;
  self->records[slot] = *record;
  self->length++;
}

guint
sluice_item_ring_get_length (SluiceItemRing *self)
{
  return self->length;
}

guint64
sluice_item_ring_drain (SluiceItemRing     *self,
                        SluiceItemRingFunc  func,
                        gpointer            user_data)
{
  guint64 lost = self->lost;

  for (guint i = 0; i < self->length; i++)
    {
      guint slot = self->head + i;

      if (slot >= self->capacity)
        slot -= self->capacity;
      func (&self->records[slot], user_data);
    }
  self->head = 0;
  self->length = 0;
  self->lost = 0;
  return lost;
}

guint64
sluice_item_ring_drain_before (SluiceItemRing     *self,
                               guint64             seq,
                               SluiceItemRingFunc  func,
                               gpointer            user_data)
{
  guint64 lost = self->lost;

  while (self->length > 0 && self->records[self->head].seq < seq)
    {
      func (&self->records[self->head], user_data);
      self->head = self->head + 1 == self->capacity ? 0 : self->head + 1;
      self->length--;
    }
  if (self->length == 0)
    self->head = 0;
  self->lost = 0;
  return lost;
}

void
sluice_item_ring_push_many (SluiceItemRing         *self,
                            const SluiceItemRecord *records,
                            guint                   n)
{
  guint tail;

  /* More than the ring holds: only the newest of them stay. */
  if (n > self->capacity)
    {
      self->lost += n - self->capacity;
      records += n - self->capacity;
      n = self->capacity;
    }
  /* Room for them: the oldest waiting ones go. */
  if (self->length + n > self->capacity)
    {
      guint drop = self->length + n - self->capacity;

      self->head = (self->head + drop) % self->capacity;
      self->length -= drop;
      self->lost += drop;
    }
  /* Copied in at most two runs, around the end of the array. */
  tail = (self->head + self->length) % self->capacity;
  while (n > 0)
    {
      guint run = MIN (n, self->capacity - tail);

      memcpy (&self->records[tail], records, run * sizeof *records);
      self->length += run;
      records += run;
      n -= run;
      tail = 0;
    }
}
