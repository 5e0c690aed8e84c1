/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-canvas-run-colors.h"
#include "sluice-canvas-run-overlay.h"
#include "sluice-frame-pace.h"
#include "sluice-run-thread.h"
#include "sluice-thread-cpu.h"

/* Below this zoom the counters are left out: they would be unreadable. */
#define TEXT_MIN_ZOOM 0.4

struct _SluiceCanvasRunOverlay
{
  GtkWidget         parent_instance;

  SluiceCanvas     *canvas;        /* borrowed: the overlay lives in its parent */
  SluiceRunSession *session;       /* owned, may be NULL */
  gboolean          animating;     /* something moves: each update redraws */
  gint64            frame_time;    /* µs, drives the stripes and the flow */
  SluiceLayout     *edge_layout;   /* owned: the layout edge_sources is for */
  GArray           *edge_sources;  /* guint box index where each edge starts */
  double            max_frame_ms;
  guint             drawn_serial;
  GdkFrameClock    *clock;         /* borrowed, while connected */
  gint64            paint_started; /* monotonic µs of the frame being painted */
  gint64            paint_length;  /* how long the last paint took */
  gint64            paint_ended;
  gint64            frame_cost;    /* CPU µs of the last cycle that drew us, see after_paint_cb() */
  SluiceFramePace   pace;          /* what the next update waits for */
  gint64            cycle_cpu;     /* the process's CPU µs less the run's thread's at its end, or -1 */
  gboolean          drew;          /* the frame being painted snapshotted us */
  gint64            frame_max_us;  /* statistics of the frames drawn, */
  gint64            frame_sum_us;  /* for benchmarks */
  guint             frame_count;
  guint             stage_words_drawn; /* by the last frame, far out */
  GHashTable       *layouts;       /* owned: key (size + text) → PangoLayout drawn by this frame */
  GHashTable       *old_layouts;   /* owned: those of the frame before, not drawn again yet */
  guint             n_labels_drawn; /* for tests */
  guint             n_layouts_made;
};

G_DEFINE_FINAL_TYPE (SluiceCanvasRunOverlay, sluice_canvas_run_overlay, GTK_TYPE_WIDGET)

static void
state_color (SluiceLiveState  state,
             GdkRGBA         *color)
{
  static const char *specs[] = {
    [SLUICE_LIVE_IDLE] = "#9a9996",
    [SLUICE_LIVE_WAITING] = "#e5a50a",
    [SLUICE_LIVE_RUNNING] = "#3584e4",
    [SLUICE_LIVE_DONE] = "#26a269",
    [SLUICE_LIVE_FAILED] = "#e01b24",
    [SLUICE_LIVE_SKIPPED] = "#77767b",
    [SLUICE_LIVE_CANCELLED] = "#c64600",
    [SLUICE_LIVE_PAUSED] = "#e5a50a",
  };
  gdk_rgba_parse (color, specs[state]);
}

static void
outline (GtkSnapshot   *snapshot,
         double         x,
         double         y,
         double         w,
         double         h,
         double         radius,
         double         line,
         const GdkRGBA *color)
{
  GskRoundedRect rect;
  float widths[4] = { line, line, line, line };
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_append_border (snapshot, &rect, widths, colors);
}

static void
fill_round (GtkSnapshot   *snapshot,
            double         x,
            double         y,
            double         w,
            double         h,
            double         radius,
            const GdkRGBA *color)
{
  GskRoundedRect rect;

  if (radius <= 0)
    {
      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
      return;
    }
  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, &rect.bounds);
  gtk_snapshot_pop (snapshot);
}

/* The laid-out text of a label (@small: the counters' size, with
 * figures of one width), from the last frame's when it drew the same
 * text: shaping and measuring text is most of what a frame of the
 * overlay costs, and most labels ("done", "idle", the counters of a
 * module that finished) do not change from one frame to the next.
 * Kept for one frame after its last use, so the cache holds about what
 * is in view. Pango lays a cached layout out again by itself when the
 * widget's font changes (its context's serial). */
static PangoLayout *
label_layout (SluiceCanvasRunOverlay *self,
              const char             *text,
              gboolean                small)
{
  g_autofree char *key = g_strconcat (small ? "s" : "n", text, NULL);
  PangoLayout *layout = g_hash_table_lookup (self->layouts, key);
  gpointer old_key;

  self->n_labels_drawn++;
  if (layout != NULL)
    return layout;
  if (g_hash_table_steal_extended (self->old_layouts, key, &old_key, (gpointer *) &layout))
    g_free (old_key);
  else
    {
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      if (small)
        {
          PangoAttrList *attrs = pango_attr_list_new ();

          pango_attr_list_insert (attrs, pango_attr_scale_new (0.8));
          pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
          pango_layout_set_attributes (layout, attrs);
          pango_attr_list_unref (attrs);
        }
      self->n_layouts_made++;
    }
  g_hash_table_insert (self->layouts, g_steal_pointer (&key), layout);
  return layout;
}

/* The layouts the frame before used become the old ones. */
static void
age_layouts (SluiceCanvasRunOverlay *self)
{
  GHashTable *older = self->old_layouts;

  g_hash_table_remove_all (older);
  self->old_layouts = self->layouts;
  self->layouts = older;
}

/* A label in a pill; (x, y) is its top-right corner when @right. */
static void
pill (SluiceCanvasRunOverlay *self,
      GtkSnapshot            *snapshot,
      const char             *text,
      double                  x,
      double                  y,
      gboolean                right,
      const GdkRGBA          *bg,
      const GdkRGBA          *fg)
{
  PangoLayout *layout = label_layout (self, text, FALSE);
  int w, h;
  double px;

  pango_layout_get_pixel_size (layout, &w, &h);
  px = right ? x - w - 12 : x;
  fill_round (snapshot, px, y, w + 12, h + 2, (h + 2) / 2.0, bg);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (px + 6, y + 1));
  gtk_snapshot_append_layout (snapshot, layout, fg);
  gtk_snapshot_restore (snapshot);
}

/* A pill of small text whose top-right corner is (x, y): a gate's check
 * result, on the line of the check. */
static void
small_pill (SluiceCanvasRunOverlay *self,
            GtkSnapshot            *snapshot,
            const char             *text,
            double                  x,
            double                  y,
            const GdkRGBA          *bg,
            const GdkRGBA          *fg)
{
  PangoLayout *layout = label_layout (self, text, TRUE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  fill_round (snapshot, x - w - 10, y, w + 10, h + 1, (h + 1) / 2.0, bg);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - w - 5, y + 0.5));
  gtk_snapshot_append_layout (snapshot, layout, fg);
  gtk_snapshot_restore (snapshot);
}

/* Small counters in a framed box whose top-left corner is (x, y). */
static void
counters_at (SluiceCanvasRunOverlay *self,
             GtkSnapshot            *snapshot,
             const char             *text,
             double                  x,
             double                  y,
             const GdkRGBA          *frame)
{
  PangoLayout *layout = label_layout (self, text, TRUE);
  GdkRGBA chip, ink;
  int w, h;

  sluice_canvas_run_chip_colors (sluice_canvas_get_colors (self->canvas), &chip, &ink);
  pango_layout_get_pixel_size (layout, &w, &h);
  fill_round (snapshot, x, y, w + 10, h + 2, 4, &chip);
  outline (snapshot, x, y, w + 10, h + 2, 4, 1, frame);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 5, y + 1));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
}

static char *
format_count (guint64 n)
{
  if (n >= 10000000)
    return g_strdup_printf ("%.0fM", n / 1e6);
  if (n >= 100000)
    return g_strdup_printf ("%.0fk", n / 1e3);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

/* Moving diagonal stripes over a running card: one repeating gradient
 * (a single cheap node for any renderer, no rotated children), whose
 * phase comes from the frame clock, so they move only while the tick
 * callback runs. */
static void
stripes (SluiceCanvasRunOverlay *self,
         GtkSnapshot            *snapshot,
         const SluiceLayoutBox  *b,
         const GdkRGBA          *color)
{
  double period = 16, offset = fmod (self->frame_time / 40000.0, period);
  GdkRGBA clear = *color, tint = *color;
  GskColorStop stops[4];

  clear.alpha = 0;
  tint.alpha = 0.18;
  stops[0] = (GskColorStop) { 0.0, clear };
  stops[1] = (GskColorStop) { 0.5, clear };
  stops[2] = (GskColorStop) { 0.5, tint };
  stops[3] = (GskColorStop) { 1.0, tint };
  gtk_snapshot_append_repeating_linear_gradient (snapshot,
                                                 &GRAPHENE_RECT_INIT (b->x, b->y, b->width, b->height),
                                                 &GRAPHENE_POINT_INIT (b->x + offset, b->y),
                                                 &GRAPHENE_POINT_INIT (b->x + offset + period / G_SQRT2,
                                                                       b->y + period / G_SQRT2),
                                                 stops, G_N_ELEMENTS (stops));
}

/* The badge over a module: its state, but nothing over one that never
 * ran in a run that is over. */
static const char *
module_label (SluiceCanvasRunOverlay *self,
              const SluiceModuleLive *live)
{
  if (live->state == SLUICE_LIVE_IDLE && sluice_run_state_is_final (sluice_run_session_get_state (self->session)))
    return NULL;
  return sluice_live_state_to_string (live->state);
}

static void
draw_module (SluiceCanvasRunOverlay *self,
             GtkSnapshot            *snapshot,
             const SluiceLayoutBox  *b,
             const SluiceModuleLive *live,
             gboolean                with_text)
{
  GdkRGBA color, tint, fill, ink;
  const char *label;
  double line = 3;

  state_color (live->state, &color);
  tint = color;
  /* Far out, one flat rectangle a module: thousands of them are drawn. */
  if (!with_text)
    {
      if (live->state == SLUICE_LIVE_IDLE)
        return;
      tint.alpha = live->state == SLUICE_LIVE_SKIPPED ? 0.35 : 0.6;
      gtk_snapshot_append_color (snapshot, &tint, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, b->height));
      return;
    }
  switch (live->state)
    {
    case SLUICE_LIVE_IDLE:
    case SLUICE_LIVE_SKIPPED:
      /* Greyed out: nothing happened here. */
      tint.alpha = live->state == SLUICE_LIVE_SKIPPED ? 0.35 : 0.18;
      fill_round (snapshot, b->x, b->y, b->width, b->height, 8, &tint);
      line = 1.5;
      break;
    case SLUICE_LIVE_RUNNING:
      stripes (self, snapshot, b, &color);
      /* Pulse the border with the frame clock. */
      color.alpha = 0.65 + 0.35 * sin (self->frame_time / 150000.0);
      break;
    case SLUICE_LIVE_FAILED:
      tint.alpha = 0.22;
      fill_round (snapshot, b->x, b->y, b->width, b->height, 8, &tint);
      line = 4;
      break;
    case SLUICE_LIVE_WAITING:
    case SLUICE_LIVE_DONE:
    case SLUICE_LIVE_CANCELLED:
    default:
      tint.alpha = 0.10;
      fill_round (snapshot, b->x, b->y, b->width, b->height, 8, &tint);
      break;
    }
  if (live->state != SLUICE_LIVE_IDLE)
    outline (snapshot, b->x - 1, b->y - 1, b->width + 2, b->height + 2, 9, line, &color);

  if (!with_text)
    return;

  state_color (live->state, &color);
  sluice_canvas_run_badge_colors (live->state, &fill, &ink);
  label = module_label (self, live);
  if (label != NULL)
    pill (self, snapshot, label, b->x + b->width - 4, b->y - 10, TRUE, &fill, &ink);

  if (live->state == SLUICE_LIVE_IDLE)
    return;
  {
    g_autofree char *in = format_count (live->stats.items_in);
    g_autofree char *out = format_count (live->stats.items_out);
    GString *s = g_string_new (NULL);

    /* Translators: counters of a module in a run: items in → out. */
    g_string_printf (s, _("%s → %s"), in, out);
    if (live->stats.dropped > 0)
      g_string_append_printf (s, _(" · %" PRIu64 " dropped"), live->stats.dropped);
    if (live->stats.failed > 0)
      g_string_append_printf (s, _(" · %" PRIu64 " failed"), live->stats.failed);
    if (live->stats.superseded > 0)
      g_string_append_printf (s, _(" · %" PRIu64 " superseded"), live->stats.superseded);
    if (live->state == SLUICE_LIVE_RUNNING && live->rate >= 1)
      g_string_append_printf (s, _(" · %.0f/s"), live->rate);
    counters_at (self, snapshot, s->str, b->x + 6, b->y + b->height + 2, &color);
    g_string_free (s, TRUE);
  }
}

/* A gate's result for its check @index: "✓ +0.81", "✗ −1.19" (the
 * margin), "✗ no value"; NULL when the gate has not seen an item. Taken
 * from the executor's record of the gate (the first item it stopped, or
 * the last one it saw). */
static char *
check_label (SluiceCanvasRunOverlay *self,
             SluiceNode             *gate,
             guint                   index,
             gboolean               *passed)
{
  json_t *results;
  json_t *check;
  char *label = NULL;

  results = sluice_run_session_dup_gate_results (self->session, sluice_node_get_id (gate));
  if (results == NULL)
    return NULL;
  check = json_array_get (json_object_get (results, "checks"), index);
  if (check != NULL && json_object_get (check, "passed") != NULL)
    {
      json_t *margin = json_object_get (check, "margin");

      *passed = json_is_true (json_object_get (check, "passed"));
      if (json_is_number (margin))
        label = g_strdup_printf ("%s %s%.3g", *passed ? "✓" : "✗",
                                 json_number_value (margin) < 0 ? "−" : "+", fabs (json_number_value (margin)));
      else
        /* TRANSLATORS: a gate's check that found no number in the item */
        label = g_strdup_printf ("✗ %s", _("no value"));
    }
  json_decref (results);
  return label;
}

char *
sluice_canvas_run_overlay_dup_check_label (SluiceCanvasRunOverlay *self,
                                           SluiceNode             *gate,
                                           guint                   index)
{
  gboolean passed;

  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), NULL);

  if (self->session == NULL || !SLUICE_IS_GATE (gate))
    return NULL;
  return check_label (self, gate, index, &passed);
}

static void
draw_gate_checks (SluiceCanvasRunOverlay *self,
                  GtkSnapshot            *snapshot,
                  const SluiceLayoutBox  *b)
{
  guint n = sluice_gate_get_n_checks (SLUICE_GATE (b->node));
  guint shown = n > SLUICE_LAYOUT_MAX_CHECK_LINES + 1 ? SLUICE_LAYOUT_MAX_CHECK_LINES : n;

  for (guint i = 0; i < shown; i++)
    {
      gboolean passed = FALSE;
      g_autofree char *label = check_label (self, b->node, i, &passed);
      GdkRGBA fill, ink;

      if (label == NULL)
        return;
      sluice_canvas_run_badge_colors (passed ? SLUICE_LIVE_DONE : SLUICE_LIVE_FAILED, &fill, &ink);
      small_pill (self, snapshot, label, b->x + b->width - 6,
                  b->y + SLUICE_LAYOUT_MODULE_HEIGHT - 5 + i * SLUICE_LAYOUT_CHECK_LINE, &fill, &ink);
    }
}

/* Over each branch of a condition: which way it is and how many items
 * took it (flow dots alone would cover both). NULL before any item. */
static char *
branch_label (SluiceCanvasRunOverlay *self,
              SluiceCondition        *condition,
              gboolean                is_else)
{
  guint64 then_items, else_items;
  g_autofree char *count = NULL;

  if (!sluice_run_session_get_branch_counts (self->session, condition, &then_items, &else_items) ||
      then_items + else_items == 0)
    return NULL;
  count = format_count (is_else ? else_items : then_items);
  /* TRANSLATORS: over a condition's branch in a run: "true · 12 items" */
  return is_else ? g_strdup_printf (_("false · %s"), count) : g_strdup_printf (_("true · %s"), count);
}

char *
sluice_canvas_run_overlay_dup_branch_label (SluiceCanvasRunOverlay *self,
                                            SluiceNode             *condition,
                                            gboolean                is_else)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), NULL);

  if (self->session == NULL || !SLUICE_IS_CONDITION (condition))
    return NULL;
  return branch_label (self, SLUICE_CONDITION (condition), is_else);
}

/* The badge over a controller: its state, queue, items in flight. */
static char *
controller_label (const SluiceControllerLive *live,
                  SluiceController           *controller)
{
  GString *s = g_string_new (sluice_live_state_to_string (live->state));

  if (live->queue_depth > 0 || live->state == SLUICE_LIVE_RUNNING)
    g_string_append_printf (s, _(" · queue %d"), MAX (live->queue_depth, 0));
  if (live->in_flight > 0)
    g_string_append_printf (s, _(" · %d in flight"), live->in_flight);
  if (sluice_controller_get_mode (controller) == SLUICE_MODE_ORDER_BY_SEQUENCE && live->held_back > 0)
    g_string_append_printf (s, _(" · %d waiting for release"), live->held_back);
  if (sluice_controller_get_mode (controller) == SLUICE_MODE_FIRST_WINS && live->superseded > 0)
    g_string_append_printf (s, _(" · %" PRIu64 " superseded"), live->superseded);
  if (live->started != 0)
    g_string_append_printf (s, " · %.1f s",
                            ((live->finished ? live->finished : g_get_monotonic_time ()) - live->started) / 1e6);
  return g_string_free (s, FALSE);
}

/* A stage's state in words for the overview drawn far out: "running",
 * "done", or where it failed ("failed at gate-historical"). NULL for a
 * stage the run has not reached. */
static char *
stage_words (SluiceCanvasRunOverlay     *self,
             const SluiceControllerLive *live,
             SluiceNode                 *controller)
{
  const char *failed_id = sluice_run_session_get_failed_module (self->session);
  SluiceNode *failed = NULL;

  if (live->state == SLUICE_LIVE_IDLE)
    return NULL;
  if (failed_id != NULL)
    failed = sluice_pipeline_find_node (sluice_run_session_get_pipeline (self->session), failed_id);
  for (SluiceNode *n = failed; n != NULL; n = sluice_node_get_parent (n))
    if (n == controller)
      return g_strdup_printf (_("failed at %s"), sluice_node_get_label (failed));
  if (live->state == SLUICE_LIVE_FAILED && live->items_failed > 0)
    return g_strdup_printf (g_dngettext (NULL, "%" PRIu64 " item failed", "%" PRIu64 " items failed",
                                         live->items_failed), live->items_failed);
  return g_strdup (sluice_live_state_to_string (live->state));
}

/* Zoomed out past the scene's text, the canvas names each controller
 * with its mode in its top-left corner (widget coordinates), or along a
 * narrow column. The stage's state goes right under that name, in words
 * and in its colour, cut to the column; a narrow column has it along its
 * left edge, beside its name. */
static void
draw_stage_words (SluiceCanvasRunOverlay     *self,
                  GtkSnapshot                *snapshot,
                  const SluiceViewport       *vp,
                  const SluiceLayoutBox      *b,
                  const SluiceControllerLive *live)
{
  g_autofree char *words = stage_words (self, live, b->node);
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA color, ink;
  double x, y, w = b->width * vp->zoom, h = b->height * vp->zoom;
  gboolean vertical = sluice_overview_is_vertical (w, h);
  SluiceOverviewRect bounds;
  int tw, th;

  /* Too small for any words: known before laying them out. */
  if (words == NULL || (vertical ? (w < 40 || h < 60) : w < 40))
    return;
  sluice_viewport_to_widget (vp, b->x, b->y, &x, &y);
  sluice_canvas_run_badge_colors (live->state, &color, &ink);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), words);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, (int) (MIN ((vertical ? h - 8 : w - 16), 480) * PANGO_SCALE));
  /* Where a stage failed says the most: up to three lines of it. */
  if (!vertical)
    {
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (layout, -3);
    }
  pango_layout_get_pixel_size (layout, &tw, &th);
  /* Under the canvas's name, or beside it along a column: never over it. */
  if (!sluice_overview_words_rect (x, y, w, h, tw, th, (double) th / pango_layout_get_line_count (layout), &bounds))
    return;

  gtk_snapshot_save (snapshot);
  if (vertical)
    {
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bounds.x + bounds.width, bounds.y));
      gtk_snapshot_rotate (snapshot, 90);
    }
  else
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bounds.x, bounds.y));
  fill_round (snapshot, 0, 0, tw + 12, th + 2, MIN (th + 2, 20) / 2.0, &color);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (6, 1));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
  self->stage_words_drawn++;
}

static void
draw_controller (SluiceCanvasRunOverlay     *self,
                 GtkSnapshot                *snapshot,
                 const SluiceLayoutBox      *b,
                 const SluiceControllerLive *live,
                 SluiceController           *controller,
                 gboolean                    with_text)
{
  GdkRGBA color, fill, ink;
  char *s;

  state_color (live->state, &color);
  if (live->state != SLUICE_LIVE_IDLE)
    outline (snapshot, b->x - 3, b->y - 3, b->width + 6, b->height + 6, 14,
             live->state == SLUICE_LIVE_RUNNING ? 3 : 2, &color);
  if (!with_text || live->state == SLUICE_LIVE_IDLE)
    return;

  s = controller_label (live, controller);
  sluice_canvas_run_badge_colors (live->state, &fill, &ink);
  pill (self, snapshot, s, b->x + 8, b->y - 26, FALSE, &fill, &ink);
  g_free (s);
}

static void
update_edge_sources (SluiceCanvasRunOverlay *self,
                     SluiceLayout           *layout)
{
  if (self->edge_layout == layout)
    return;
  g_clear_pointer (&self->edge_layout, sluice_layout_unref);
  self->edge_layout = sluice_layout_ref (layout);
  g_array_set_size (self->edge_sources, 0);
  for (guint i = 0; i < sluice_layout_get_n_edges (layout); i++)
    {
      const SluiceLayoutEdge *e = sluice_layout_get_edge (layout, i);
      /* An arrow starts on the bottom (or right) side of its source. */
      guint box = e->n_points > 0 ? sluice_layout_hit_test (layout, e->x[0], e->y[0] - 2) : SLUICE_BOX_NONE;

      if (box == SLUICE_BOX_NONE && e->n_points > 0)
        box = sluice_layout_hit_test (layout, e->x[0] - 2, e->y[0]);
      g_array_append_val (self->edge_sources, box);
    }
}

/* Dots moving along an arrow while items leave its source. */
static void
draw_flow (SluiceCanvasRunOverlay *self,
           GtkSnapshot            *snapshot,
           const SluiceLayoutEdge *e)
{
  GdkRGBA color;
  double total = 0, spacing = 18, phase = fmod (self->frame_time / 20000.0, spacing);

  state_color (SLUICE_LIVE_RUNNING, &color);
  for (guint i = 1; i < e->n_points; i++)
    total += hypot (e->x[i] - e->x[i - 1], e->y[i] - e->y[i - 1]);
  for (double d = phase; d < total; d += spacing)
    {
      double left = d;

      for (guint i = 1; i < e->n_points; i++)
        {
          double len = hypot (e->x[i] - e->x[i - 1], e->y[i] - e->y[i - 1]);

          if (left <= len && len > 0)
            {
              double x = e->x[i - 1] + (e->x[i] - e->x[i - 1]) * left / len;
              double y = e->y[i - 1] + (e->y[i] - e->y[i - 1]) * left / len;

              gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x - 3, y - 3, 6, 6));
              break;
            }
          left -= len;
        }
    }
}

static void
sluice_canvas_run_overlay_snapshot (GtkWidget   *widget,
                                    GtkSnapshot *snapshot)
{
  SluiceCanvasRunOverlay *self = SLUICE_CANVAS_RUN_OVERLAY (widget);
  const SluiceViewport *vp;
  SluiceLayout *layout;
  gboolean with_text;
  double vx, vy, vw, vh;
  gint64 t0 = g_get_monotonic_time ();

  if (self->session == NULL || !sluice_run_session_get_started (self->session) ||
      (layout = sluice_canvas_get_layout (self->canvas)) == NULL)
    return;

  vp = sluice_canvas_get_viewport (self->canvas);
  with_text = vp->zoom >= TEXT_MIN_ZOOM;
  age_layouts (self);
  /* The stripes and the flow move with the time of the frame. */
  self->frame_time = gtk_widget_get_frame_clock (widget) != NULL
                     ? gdk_frame_clock_get_frame_time (gtk_widget_get_frame_clock (widget))
                     : g_get_monotonic_time ();
  sluice_viewport_visible (vp, gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                           &vx, &vy, &vw, &vh);
  update_edge_sources (self, layout);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_scale (snapshot, vp->zoom, vp->zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-vp->x, -vp->y));

  for (guint i = 0; i < sluice_layout_get_n_edges (layout); i++)
    {
      const SluiceLayoutEdge *e = sluice_layout_get_edge (layout, i);
      guint source = g_array_index (self->edge_sources, guint, i);
      SluiceModuleLive live;
      const SluiceLayoutBox *sb;

      if (source == SLUICE_BOX_NONE || e->n_points < 2 ||
          !sluice_rect_intersects (MIN (e->x[0], e->x[e->n_points - 1]) - 4, MIN (e->y[0], e->y[e->n_points - 1]) - 4,
                                   fabs (e->x[e->n_points - 1] - e->x[0]) + 8, fabs (e->y[e->n_points - 1] - e->y[0]) + 8,
                                   vx, vy, vw, vh))
        continue;
      sb = sluice_layout_get_box (layout, source);
      if (with_text && sluice_run_session_get_module_live (self->session, sb->node, &live) && live.moving &&
          live.stats.items_out > 0)
        draw_flow (self, snapshot, e);
    }

  for (guint i = 0; i < sluice_layout_get_n_boxes (layout); i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);

      if (!sluice_rect_intersects (b->x - 4, b->y - 30, b->width + 8, b->height + 54, vx, vy, vw, vh))
        continue;
      if (b->kind == SLUICE_BOX_MODULE)
        {
          SluiceModuleLive live;

          if (sluice_run_session_get_module_live (self->session, b->node, &live))
            draw_module (self, snapshot, b, &live, with_text);
          if (with_text && SLUICE_IS_GATE (b->node))
            draw_gate_checks (self, snapshot, b);
        }
      else if (b->kind == SLUICE_BOX_CONTROLLER)
        {
          SluiceControllerLive live;

          if (sluice_run_session_get_controller_live (self->session, b->node, &live))
            draw_controller (self, snapshot, b, &live, SLUICE_CONTROLLER (b->node), with_text);
        }
      else if (b->kind == SLUICE_BOX_LANE && with_text)
        {
          g_autofree char *label = branch_label (self, SLUICE_CONDITION (b->node), b->is_else);

          if (label != NULL)
            {
              GdkRGBA fill, ink;

              sluice_canvas_run_badge_colors (b->is_else ? SLUICE_LIVE_FAILED : SLUICE_LIVE_DONE, &fill, &ink);
              pill (self, snapshot, label, b->x + 4, b->y - 8, FALSE, &fill, &ink);
            }
        }
    }
  gtk_snapshot_restore (snapshot);

  /* Far out, the modules' colours cover the canvas's names of the
   * stages: they are drawn again, on top. */
  if (!with_text)
    sluice_canvas_snapshot_overview (self->canvas, snapshot);
  self->stage_words_drawn = 0;
  for (guint i = 0; !with_text && i < sluice_layout_get_n_boxes (layout); i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);
      SluiceControllerLive live;

      if (b->kind == SLUICE_BOX_CONTROLLER &&
          sluice_rect_intersects (b->x, b->y, b->width, b->height, vx, vy, vw, vh) &&
          sluice_run_session_get_controller_live (self->session, b->node, &live))
        draw_stage_words (self, snapshot, vp, b, &live);
    }

  self->max_frame_ms = MAX (self->max_frame_ms, (g_get_monotonic_time () - t0) / 1000.0);
  self->drew = TRUE;
}

static void
paint_cb (GdkFrameClock          *clock,
          SluiceCanvasRunOverlay *self)
{
  self->paint_started = g_get_monotonic_time ();
}

/* What drawing costs the machine, in CPU time: everything the process
 * used besides the runs' own threads and their Lua workers (which run
 * anyway, drawing or not; this window's run, and another window's)
 * from the end of the last frame that drew us to the end of this one.
 * That is the window's thread's updates, layout, snapshots and paint,
 * and the threads of a software renderer (llvmpipe rasterises on
 * threads of its own, also after the paint returned), whatever phase of
 * the frame clock they fell in. Measured over the paint alone, drawing
 * took 2.4 s of CPU in a 3.7 s run while paced as a tenth of one
 * processor. CPU, not wall time: on a busy machine a frame waits for
 * the processor, which costs the run nothing. */
static gint64
cycle_cost (SluiceCanvasRunOverlay *self)
{
  gint64 not_run = sluice_thread_cpu_get_process_us () - sluice_run_thread_get_all_cpu_time ();
  gint64 cost = self->cycle_cpu >= 0 ? MAX (not_run - self->cycle_cpu, 0) : -1;

  self->cycle_cpu = not_run;
  return cost;
}

static void
after_paint_cb (GdkFrameClock          *clock,
                SluiceCanvasRunOverlay *self)
{
  gint64 cost;

  /* Frames that did not draw the overlay set no pace (what they cost
   * counts in the next cycle that does). */
  if (!self->drew || self->paint_started == 0)
    {
      self->drew = FALSE;
      self->paint_started = 0;
      return;
    }
  self->drew = FALSE;
  self->paint_ended = g_get_monotonic_time ();
  self->paint_length = self->paint_ended - self->paint_started;
  self->frame_max_us = MAX (self->frame_max_us, self->paint_length);
  self->frame_sum_us += self->paint_length;
  self->frame_count++;
  self->paint_started = 0;

  cost = cycle_cost (self);
  if (cost < 0 || self->session == NULL)
    return;
  self->frame_cost = cost;
  /* Drawing takes about a tenth of a processor. A fast renderer
   * animates at the display's rate; a software one (Xvfb, llvmpipe)
   * draws a frame a second or so instead of slowing the run. The
   * session keeps the pace between 16 ms and 1 s. */
  sluice_run_session_set_update_interval (self->session, sluice_frame_pace_next (&self->pace, cost));
}

static void
watch_frame_clock (SluiceCanvasRunOverlay *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == self->clock)
    return;
  if (self->clock != NULL)
    {
      /* By function: GTK's own tick handlers on the clock have us as data. */
      g_signal_handlers_disconnect_by_func (self->clock, paint_cb, self);
      g_signal_handlers_disconnect_by_func (self->clock, after_paint_cb, self);
    }
  self->clock = clock;
  if (clock != NULL)
    {
      g_signal_connect (clock, "before-paint", G_CALLBACK (paint_cb), self);
      g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
    }
}

/* While the run goes the scene under the overlay stands still: the
 * canvas keeps its picture, and a frame of the run renders only what
 * the overlay draws over it. */
static void
keep_canvas_picture (SluiceCanvasRunOverlay *self)
{
  if (self->canvas != NULL)
    sluice_canvas_set_keep_picture (self->canvas, self->session != NULL &&
                                    !sluice_run_state_is_final (sluice_run_session_get_state (self->session)));
}

/* Each update of the session (paced by what frames cost, see
 * after_paint_cb) is one frame: the overlay draws in the same frame as
 * the run panel and the log take their new values, never in frames of
 * its own. While something moves, every update redraws (the stripes and
 * the flow move on); once nothing moves, only a change does. */
static void
updated_cb (SluiceCanvasRunOverlay *self)
{
  watch_frame_clock (self);
  keep_canvas_picture (self);
  self->animating = sluice_run_session_get_moving (self->session);
  if (self->animating || self->drawn_serial != sluice_run_session_get_serial (self->session))
    {
      self->drawn_serial = sluice_run_session_get_serial (self->session);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

gboolean
sluice_canvas_run_overlay_get_ticking (SluiceCanvasRunOverlay *self)
{
  return self->animating;
}

char *
sluice_canvas_run_overlay_dup_stage_words (SluiceCanvasRunOverlay *self,
                                           SluiceNode             *controller)
{
  SluiceControllerLive live;

  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), NULL);

  if (self->session == NULL || !sluice_run_session_get_controller_live (self->session, controller, &live))
    return NULL;
  return stage_words (self, &live, controller);
}

guint
sluice_canvas_run_overlay_get_stage_words_drawn (SluiceCanvasRunOverlay *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), 0);
  return self->stage_words_drawn;
}

char *
sluice_canvas_run_overlay_dup_label (SluiceCanvasRunOverlay *self,
                                     SluiceNode             *node)
{
  SluiceModuleLive module;
  SluiceControllerLive controller;

  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), NULL);

  if (self->session == NULL)
    return NULL;
  if (sluice_run_session_get_module_live (self->session, node, &module))
    return g_strdup (module_label (self, &module));
  if (sluice_run_session_get_controller_live (self->session, node, &controller))
    return controller.state == SLUICE_LIVE_IDLE ? NULL : controller_label (&controller, SLUICE_CONTROLLER (node));
  return NULL;
}

void
sluice_canvas_run_overlay_set_session (SluiceCanvasRunOverlay *self,
                                       SluiceRunSession       *session)
{
  g_return_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  self->animating = FALSE;
  self->frame_cost = 0;
  sluice_frame_pace_reset (&self->pace);
  self->cycle_cpu = -1;
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_swapped (session, "updated", G_CALLBACK (updated_cb), self);
  keep_canvas_picture (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

char *
sluice_canvas_run_overlay_dup_tooltip (SluiceCanvasRunOverlay *self,
                                       double                  x,
                                       double                  y)
{
  SluiceLayout *layout;
  SluiceModuleLive live;
  const SluiceLayoutBox *b;
  double mx, my;
  guint box;

  if (self->session == NULL || (layout = sluice_canvas_get_layout (self->canvas)) == NULL)
    return NULL;
  sluice_viewport_to_model (sluice_canvas_get_viewport (self->canvas), x, y, &mx, &my);
  box = sluice_layout_hit_test (layout, mx, my);
  if (box == SLUICE_BOX_NONE)
    return NULL;
  b = sluice_layout_get_box (layout, box);
  if (!sluice_run_session_get_module_live (self->session, b->node, &live))
    return NULL;
  if (live.state == SLUICE_LIVE_FAILED &&
      g_strcmp0 (sluice_run_session_get_failed_module (self->session), sluice_node_get_id (b->node)) == 0)
    return g_strdup (sluice_run_session_get_error (self->session));
  return g_strdup_printf (_("%s: %s — in %" PRIu64 ", out %" PRIu64 ", dropped %"
                            PRIu64 ", failed %" PRIu64 ", superseded %" PRIu64
                            ", %.1f ms in the module"),
                          sluice_node_get_label (b->node), sluice_live_state_to_string (live.state),
                          live.stats.items_in, live.stats.items_out, live.stats.dropped, live.stats.failed,
                          live.stats.superseded, live.stats.time_us / 1000.0);
}

static gboolean
query_tooltip_cb (GtkWidget              *canvas,
                  int                     x,
                  int                     y,
                  gboolean                keyboard,
                  GtkTooltip             *tooltip,
                  SluiceCanvasRunOverlay *self)
{
  g_autofree char *text = sluice_canvas_run_overlay_dup_tooltip (self, x, y);
  GdkRectangle area;

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  /* Moving off the node hides it, so that the next one follows. */
  if (sluice_canvas_get_tip_area (SLUICE_CANVAS (canvas), x, y, &area))
    gtk_tooltip_set_tip_area (tooltip, &area);
  return TRUE;
}

static void
unwatch_frame_clock (SluiceCanvasRunOverlay *self)
{
  if (self->clock != NULL)
    {
      /* By function: GTK's own tick handlers on the clock have us as data. */
      g_signal_handlers_disconnect_by_func (self->clock, paint_cb, self);
      g_signal_handlers_disconnect_by_func (self->clock, after_paint_cb, self);
      self->clock = NULL;
    }
}

static void
sluice_canvas_run_overlay_unrealize (GtkWidget *widget)
{
  unwatch_frame_clock (SLUICE_CANVAS_RUN_OVERLAY (widget));
  GTK_WIDGET_CLASS (sluice_canvas_run_overlay_parent_class)->unrealize (widget);
}

static void
sluice_canvas_run_overlay_dispose (GObject *object)
{
  SluiceCanvasRunOverlay *self = SLUICE_CANVAS_RUN_OVERLAY (object);

  sluice_canvas_run_overlay_set_session (self, NULL);
  unwatch_frame_clock (self);
  if (self->canvas != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->canvas, self);
      g_object_remove_weak_pointer (G_OBJECT (self->canvas), (gpointer *) &self->canvas);
      self->canvas = NULL;
    }
  g_clear_pointer (&self->edge_layout, sluice_layout_unref);
  G_OBJECT_CLASS (sluice_canvas_run_overlay_parent_class)->dispose (object);
}

static void
sluice_canvas_run_overlay_finalize (GObject *object)
{
  SluiceCanvasRunOverlay *self = SLUICE_CANVAS_RUN_OVERLAY (object);

  g_array_unref (self->edge_sources);
  g_hash_table_unref (self->layouts);
  g_hash_table_unref (self->old_layouts);
  G_OBJECT_CLASS (sluice_canvas_run_overlay_parent_class)->finalize (object);
}

static void
sluice_canvas_run_overlay_class_init (SluiceCanvasRunOverlayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sluice_canvas_run_overlay_dispose;
  object_class->finalize = sluice_canvas_run_overlay_finalize;
  widget_class->snapshot = sluice_canvas_run_overlay_snapshot;
  widget_class->unrealize = sluice_canvas_run_overlay_unrealize;
}

static void
sluice_canvas_run_overlay_init (SluiceCanvasRunOverlay *self)
{
  self->edge_sources = g_array_new (FALSE, FALSE, sizeof (guint));
  self->cycle_cpu = -1;
  self->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->old_layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
  /* Outlines, badges and counters of nodes at the canvas's edge would
   * otherwise be drawn over the panes around it. */
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
sluice_canvas_run_overlay_new (SluiceCanvas *canvas)
{
  SluiceCanvasRunOverlay *self = g_object_new (SLUICE_TYPE_CANVAS_RUN_OVERLAY, NULL);

  self->canvas = canvas;
  g_object_add_weak_pointer (G_OBJECT (canvas), (gpointer *) &self->canvas);
  g_signal_connect_swapped (canvas, "viewport-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (canvas), TRUE);
  g_signal_connect (canvas, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  return GTK_WIDGET (self);
}

void
sluice_canvas_run_overlay_take_frame_stats (SluiceCanvasRunOverlay *self,
                                            double                 *avg_ms,
                                            double                 *max_ms,
                                            guint                  *count)
{
  *avg_ms = self->frame_count ? self->frame_sum_us / 1000.0 / self->frame_count : 0;
  *max_ms = self->frame_max_us / 1000.0;
  *count = self->frame_count;
  self->frame_sum_us = self->frame_max_us = 0;
  self->frame_count = 0;
}

/* The longest snapshot since the last call, in ms (for benchmarks). */
double
sluice_canvas_run_overlay_take_max_frame_ms (SluiceCanvasRunOverlay *self)
{
  double max = self->max_frame_ms;

  self->max_frame_ms = 0;
  return max;
}

gint64
sluice_canvas_run_overlay_get_frame_cost (SluiceCanvasRunOverlay *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self), 0);
  return self->frame_cost;
}

void
sluice_canvas_run_overlay_get_label_counts (SluiceCanvasRunOverlay *self,
                                            guint                  *drawn,
                                            guint                  *made)
{
  g_return_if_fail (SLUICE_IS_CANVAS_RUN_OVERLAY (self));
  *drawn = self->n_labels_drawn;
  *made = self->n_layouts_made;
}
