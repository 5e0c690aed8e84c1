/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-preview.h"
#include "sluice-json.h"

/* The data preview: the last items that went into and came out of each
 * module, as compact JSON, for a viewer that lets the user peek at a
 * module's data. It is off unless sluice_executor_set_preview() asked
 * for it. Serialising every item would make a fast module several times
 * slower, so what is kept is limited three ways:
 *
 *  - the first `depth` items of each direction of each module are always
 *    kept: a module that saw that few keeps every one (a test made from
 *    the run relies on it), and every module that saw an item has one;
 *  - beyond them, each direction of each module keeps PREVIEW_RATE items
 *    a second, after a burst of 16 (or the depth);
 *  - and the whole run keeps RUN_RATE such items a second in all, a
 *    budget its modules share: with five thousand modules the sum of
 *    their own rates would otherwise make sampling cost more than the
 *    pipeline's own work (it was a third of a designer's run).
 *
 * A faster module so keeps recent samples, which is all a human can
 * read anyway.
 *
 * A designer's run asks a thousand modules a million times whether an
 * item is due: each rate is a theoretical arrival time (the "generic
 * cell rate algorithm", a token bucket kept as one number) read and
 * advanced with atomics, and the texts are kept in a ring of buffers
 * that are reused, so that neither asking nor recording allocates or
 * takes a lock but to store a text. Workers record concurrently, hence
 * that lock. */

#define PREVIEW_RATE        20
#define PREVIEW_BURST(depth) MAX ((depth), 16)
#define RUN_RATE            1000
#define RUN_BURST           1000

/* A rate as a theoretical arrival time (atomic), and how far ahead of
 * now an arrival may be: (burst − 1) intervals. */
typedef struct
{
  gint64 arrival;
  gint64 interval;
  gint64 slack;
} Rate;

typedef struct
{
  char  *text;      /* malloc()ed, or NULL */
  gsize  length;
  gsize  size;      /* allocated */
} Slot;

typedef struct
{
  Slot  *slots;     /* depth of them */
  guint  head;      /* the oldest */
  guint  length;
} Texts;

/* The run's budget, shared by its modules' previews (refcounted). */
struct _SluicePreviewBudget
{
  Rate rate;
};

struct _SluicePreview
{
  GMutex               lock;
  guint                depth;
  SluicePreviewBudget *budget;   /* a reference */
  guint                kept[2];  /* atomic: inputs, outputs kept so far, up to @depth */
  Rate                 rate[2];  /* inputs, outputs */
  Texts                texts[2]; /* under @lock */
};

static void
rate_init (Rate  *rate,
           guint  per_second,
           guint  burst)
{
  rate->arrival = 0;
  rate->interval = G_USEC_PER_SEC / per_second;
  rate->slack = (gint64) (burst - 1) * rate->interval;
}

SluicePreviewBudget *
sluice_preview_budget_new (void)
{
  SluicePreviewBudget *budget = g_atomic_rc_box_new0 (SluicePreviewBudget);

  rate_init (&budget->rate, RUN_RATE, RUN_BURST);
  return budget;
}

SluicePreviewBudget *
sluice_preview_budget_ref (SluicePreviewBudget *budget)
{
  return g_atomic_rc_box_acquire (budget);
}

void
sluice_preview_budget_unref (SluicePreviewBudget *budget)
{
  g_atomic_rc_box_release (budget);
}

SluicePreview *
sluice_preview_new (guint                depth,
                    SluicePreviewBudget *budget)
{
  SluicePreview *preview = g_new0 (SluicePreview, 1);

  g_mutex_init (&preview->lock);
  preview->depth = depth;
  preview->budget = sluice_preview_budget_ref (budget);
  for (guint i = 0; i < 2; i++)
    {
      rate_init (&preview->rate[i], PREVIEW_RATE, PREVIEW_BURST (depth));
      preview->texts[i].slots = g_new0 (Slot, MAX (depth, 1));
    }
  return preview;
}

void
sluice_preview_free (SluicePreview *preview)
{
  if (preview == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    {
      for (guint s = 0; s < MAX (preview->depth, 1); s++)
        free (preview->texts[i].slots[s].text);
      g_free (preview->texts[i].slots);
    }
  sluice_preview_budget_unref (preview->budget);
  g_mutex_clear (&preview->lock);
  g_free (preview);
}

/* An item arriving at @now conforms when the next theoretical arrival is
 * at most the burst's slack ahead of it. */
static inline gboolean
rate_conforms (Rate   *rate,
               gint64  now)
{
  return __atomic_load_n (&rate->arrival, __ATOMIC_RELAXED) - now <= rate->slack;
}

/* Takes the turn of an item at @now, when it conforms. */
static gboolean
rate_take (Rate   *rate,
           gint64  now)
{
  gint64 seen = __atomic_load_n (&rate->arrival, __ATOMIC_RELAXED);

  do
    {
      if (seen - now > rate->slack)
        return FALSE;
    }
  while (!__atomic_compare_exchange_n (&rate->arrival, &seen, MAX (seen, now) + rate->interval,
                                       TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return TRUE;
}

/* Counts one more of the first @depth items of a direction, while there
 * are fewer. */
static gboolean
take_first (guint *kept,
            guint  depth)
{
  guint seen = __atomic_load_n (kept, __ATOMIC_RELAXED);

  do
    {
      if (seen >= depth)
        return FALSE;
    }
  while (!__atomic_compare_exchange_n (kept, &seen, seen + 1, TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return TRUE;
}

gboolean
sluice_preview_due (SluicePreview *preview,
                    gboolean       outputs,
                    gint64         now)
{
  guint dir = outputs != 0;

  if (preview == NULL)
    return FALSE;
  if (take_first (&preview->kept[dir], preview->depth))
    return TRUE;
  /* The module's own turn first, so that a module that has none spends
   * nothing of the run's budget. (Racing another worker, a turn of the
   * budget may be spent for nothing: one sample less.) */
  return rate_conforms (&preview->rate[dir], now) &&
         rate_take (&preview->budget->rate, now) &&
         rate_take (&preview->rate[dir], now);
}

gboolean
sluice_preview_wanted (SluicePreview *preview,
                       gint64         now)
{
  if (preview == NULL)
    return FALSE;
  /* By its inputs alone: an output is sampled when its item's input
   * was (the run then gives it a turn of its own), so that a module that
   * drops every item is not wanted for ever for outputs it never makes. */
  if (__atomic_load_n (&preview->kept[0], __ATOMIC_RELAXED) < preview->depth)
    return TRUE;
  return rate_conforms (&preview->budget->rate, now) && rate_conforms (&preview->rate[0], now);
}

/* The slot the next text goes to: a free one, or the oldest's. */
static Slot *
next_slot (SluicePreview *preview,
           Texts         *texts)
{
  guint index = texts->head + texts->length;

  if (texts->length == preview->depth)
    {
      index = texts->head;
      texts->head = texts->head + 1 == preview->depth ? 0 : texts->head + 1;
    }
  else
    texts->length++;
  if (index >= preview->depth)
    index -= preview->depth;
  return &texts->slots[index];
}

/* Takes @text (allocated with malloc()) in place of the oldest. */
static void
keep_text (SluicePreview *preview,
           gboolean       outputs,
           char          *text)
{
  Slot *slot;
  char *old;

  if (preview->depth == 0)
    {
      free (text);
      return;
    }
  g_mutex_lock (&preview->lock);
  slot = next_slot (preview, &preview->texts[outputs != 0]);
  old = slot->text;
  slot->text = text;
  slot->length = slot->size = strlen (text);
  g_mutex_unlock (&preview->lock);
  free (old);
}

void
sluice_preview_record (SluicePreview *preview,
                       gboolean       outputs,
                       json_t        *item,
                       gint64         now)
{
  char *text;

  if (preview == NULL || item == NULL)
    return;
  text = sluice_json_dumps (item, JSON_COMPACT);
  if (text != NULL)
    keep_text (preview, outputs, text);
}

void
sluice_preview_record_text (SluicePreview *preview,
                            gboolean       outputs,
                            const char    *text,
                            gsize          length)
{
  Slot *slot;

  if (preview == NULL || preview->depth == 0)
    return;
  g_mutex_lock (&preview->lock);
  slot = next_slot (preview, &preview->texts[outputs != 0]);
  /* The oldest's buffer is reused when it is large enough (mostly: the
   * items of one module look alike); malloc(), as sluice_json_dumps()
   * gives. */
  if (slot->text == NULL || slot->size < length)
    {
      char *bigger = realloc (slot->text, length + 1);

      if (bigger == NULL)
        {
          /* Out of memory: this sample is not kept (the slot is empty). */
          free (slot->text);
          slot->text = NULL;
          slot->length = slot->size = 0;
          g_mutex_unlock (&preview->lock);
          return;
        }
      slot->text = bigger;
      slot->size = length;
    }
  memcpy (slot->text, text, length);
  slot->text[length] = '\0';
  slot->length = length;
  g_mutex_unlock (&preview->lock);
}

char **
sluice_preview_dup (SluicePreview *preview,
                    gboolean       outputs)
{
  GPtrArray *array = g_ptr_array_new ();

  if (preview != NULL && preview->depth > 0)
    {
      Texts *texts = &preview->texts[outputs != 0];

      g_mutex_lock (&preview->lock);
      for (guint i = texts->length; i > 0; i--)
        {
          guint index = texts->head + i - 1;
          Slot *slot;

          if (index >= preview->depth)
            index -= preview->depth;
          slot = &texts->slots[index];
          /* A slot emptied by a failed allocation is no item. */
          if (slot->text != NULL)
            g_ptr_array_add (array, g_strndup (slot->text, slot->length));
        }
      g_mutex_unlock (&preview->lock);
    }
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

void
sluice_preview_record_items (SluicePreview  *preview,
                             gboolean        outputs,
                             json_t        **items,
                             guint           n)
{
  gint64 now = g_get_monotonic_time ();

  if (!sluice_preview_due (preview, outputs, now))
    return;
  for (guint i = 0; i < n; i++)
    sluice_preview_record (preview, outputs, items[i], now);
}
