/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sluice-canvas-private.h"
#include "sluice-core.h"

static void
rgba (GdkRGBA    *color,
      const char *spec)
{
  gdk_rgba_parse (color, spec);
}

#define ARROW_TEXTURE_SIZE 32

/* A filled triangle pointing down (or right), drawn once with cairo. */
static GdkTexture *
make_arrow_texture (const GdkRGBA *color,
                    gboolean       right)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ARROW_TEXTURE_SIZE, ARROW_TEXTURE_SIZE);
  cairo_t *cr = cairo_create (surface);
  const double s = ARROW_TEXTURE_SIZE;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;

  if (right)
    {
      cairo_move_to (cr, 0, 0);
      cairo_line_to (cr, s, s / 2);
      cairo_line_to (cr, 0, s);
    }
  else
    {
      cairo_move_to (cr, 0, 0);
      cairo_line_to (cr, s, 0);
      cairo_line_to (cr, s / 2, s);
    }
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                       cairo_image_surface_get_stride (surface) * ARROW_TEXTURE_SIZE);
  texture = gdk_memory_texture_new (ARROW_TEXTURE_SIZE, ARROW_TEXTURE_SIZE, GDK_MEMORY_DEFAULT, bytes,
                                    cairo_image_surface_get_stride (surface));
  cairo_surface_destroy (surface);
  return texture;
}

void
sluice_canvas_colors_init (SluiceCanvasColors *c,
                           gboolean            dark)
{
  if (dark)
    {
      rgba (&c->background, "#1e1e1e");
      rgba (&c->grid, "rgba(255,255,255,0.06)");
      rgba (&c->controller_fill, "#2a2a2e");
      rgba (&c->controller_border, "rgba(255,255,255,0.14)");
      rgba (&c->phase_fill, "#323236");
      rgba (&c->phase_border, "rgba(255,255,255,0.10)");
      rgba (&c->card, "#3d3d42");
      rgba (&c->card_border, "rgba(0,0,0,0.5)");
      rgba (&c->lane_fill, "rgba(255,255,255,0.04)");
      rgba (&c->text, "#ffffff");
      rgba (&c->dim_text, "rgba(255,255,255,0.6)");
      rgba (&c->edge, "rgba(255,255,255,0.45)");
      rgba (&c->accent, "#78aeed");
      rgba (&c->error, "#ff7b63");
      rgba (&c->warning, "#f8e45c");
    }
  else
    {
      rgba (&c->background, "#f6f5f4");
      rgba (&c->grid, "rgba(0,0,0,0.07)");
      rgba (&c->controller_fill, "#ffffff");
      rgba (&c->controller_border, "rgba(0,0,0,0.12)");
      rgba (&c->phase_fill, "#f3f2f1");
      rgba (&c->phase_border, "rgba(0,0,0,0.08)");
      rgba (&c->card, "#ffffff");
      rgba (&c->card_border, "rgba(0,0,0,0.16)");
      rgba (&c->lane_fill, "rgba(0,0,0,0.035)");
      rgba (&c->text, "rgba(0,0,0,0.85)");
      rgba (&c->dim_text, "rgba(0,0,0,0.55)");
      rgba (&c->edge, "rgba(0,0,0,0.38)");
      rgba (&c->accent, "#3584e4");
      rgba (&c->error, "#e01b24");
      rgba (&c->warning, "#e5a50a");
    }
  rgba (&c->on_badge, "#ffffff");
  /* The dark style's error (a light red) is 2.4:1 under white text. */
  rgba (&c->error_badge, "#c01c28");

  g_clear_object (&c->arrow_down);
  g_clear_object (&c->arrow_right);
  c->arrow_down = make_arrow_texture (&c->edge, FALSE);
  c->arrow_right = make_arrow_texture (&c->edge, TRUE);
}

void
sluice_canvas_colors_clear (SluiceCanvasColors *colors)
{
  g_clear_object (&colors->arrow_down);
  g_clear_object (&colors->arrow_right);
}

const char *
sluice_mode_symbol (SluiceMode mode)
{
  switch (mode)
    {
    case SLUICE_MODE_NOT_PARALLEL:      return "→";
    case SLUICE_MODE_NO_ORDER:          return "⇶";
    case SLUICE_MODE_ORDER_BY_SEQUENCE: return "⇉";
    case SLUICE_MODE_FIRST_WINS:        return "⚑";
    default:                            return "?";
    }
}

const char *
sluice_mode_label (SluiceMode mode)
{
  switch (mode)
    {
    case SLUICE_MODE_NOT_PARALLEL:      return _("One at a time");
    case SLUICE_MODE_NO_ORDER:          return _("Parallel, any order");
    case SLUICE_MODE_ORDER_BY_SEQUENCE: return _("Parallel, in order");
    case SLUICE_MODE_FIRST_WINS:        return _("Parallel, newest wins");
    default:                            return "?";
    }
}

void
sluice_mode_color (SluiceMode  mode,
                   GdkRGBA    *color)
{
  switch (mode)
    {
    case SLUICE_MODE_NOT_PARALLEL:      rgba (color, "#3584e4"); break;
    case SLUICE_MODE_NO_ORDER:          rgba (color, "#2ec27e"); break;
    case SLUICE_MODE_ORDER_BY_SEQUENCE: rgba (color, "#9141ac"); break;
    case SLUICE_MODE_FIRST_WINS:        rgba (color, "#e66100"); break;
    default:                            rgba (color, "#77767b"); break;
    }
}

void
sluice_mode_badge_color (SluiceMode  mode,
                         GdkRGBA    *color)
{
  switch (mode)
    {
    case SLUICE_MODE_NOT_PARALLEL:      rgba (color, "#1c71d8"); break;
    case SLUICE_MODE_NO_ORDER:          rgba (color, "#1a7f4f"); break;
    case SLUICE_MODE_ORDER_BY_SEQUENCE: rgba (color, "#9141ac"); break;
    case SLUICE_MODE_FIRST_WINS:        rgba (color, "#c64600"); break;
    default:                            rgba (color, "#5e5c64"); break;
    }
}

static void
module_accent (SluiceNode *node,
               GdkRGBA    *color)
{
  if (SLUICE_IS_EXECUTION (node))
    {
      switch (sluice_execution_get_body_kind (SLUICE_EXECUTION (node)))
        {
        case SLUICE_BODY_LUA:     rgba (color, "#3584e4"); return;
        case SLUICE_BODY_COMMAND: rgba (color, "#5e5c64"); return;
        case SLUICE_BODY_TOOL:    rgba (color, "#2190a4"); return;
        default:                  rgba (color, "#c01c28"); return;
        }
    }
  if (SLUICE_IS_CONDITION (node))
    rgba (color, "#e5a50a");
  else if (SLUICE_IS_COMBINATION (node))
    rgba (color, "#9141ac");
  else if (SLUICE_IS_EXTERNAL (node))
    rgba (color, "#26a269");
  else if (SLUICE_IS_FAIL (node))
    rgba (color, "#c01c28");
  else if (SLUICE_IS_GATE (node))
    rgba (color, "#e66100");
  else
    rgba (color, "#77767b");
}

/* The first line of @code with text in it. */
static char *
first_line (const char *code)
{
  const char *p = code ? code : "";

  while (*p != '\0')
    {
      gsize len = strcspn (p, "\n");
      g_autofree char *line = g_strstrip (g_strndup (p, len));

      if (*line != '\0')
        return g_steal_pointer (&line);
      p += len;
      if (*p == '\n')
        p++;
    }
  return g_strdup ("");
}

/* One line of text describing what a module does. */
static char *
module_summary (SluiceNode *node)
{
  if (SLUICE_IS_EXECUTION (node))
    {
      SluiceExecution *e = SLUICE_EXECUTION (node);
      const char *code = sluice_execution_get_code (e);
      g_autofree char *first = NULL;

      switch (sluice_execution_get_body_kind (e))
        {
        case SLUICE_BODY_LUA:
          first = first_line (code);
          return g_strdup_printf ("Lua · %s", first);
        case SLUICE_BODY_COMMAND:
          first = first_line (code);
          return g_strdup_printf ("$ %s", first);
        case SLUICE_BODY_TOOL:
          return g_strdup_printf (_("Tool · %s"), sluice_execution_get_tool (e));
        default:
          return g_strdup (_("No body"));
        }
    }
  if (SLUICE_IS_CONDITION (node))
    return g_strdup_printf (_("if %s"), sluice_condition_get_expression (SLUICE_CONDITION (node)));
  if (SLUICE_IS_COMBINATION (node))
    {
      guint n = g_list_model_get_n_items (sluice_combination_get_modules (SLUICE_COMBINATION (node)));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Group · %u module", "Group · %u modules", n), n);
    }
  if (SLUICE_IS_EXTERNAL (node))
    return g_strdup_printf (_("Calls %s"), sluice_external_get_service (SLUICE_EXTERNAL (node)));
  if (SLUICE_IS_FAIL (node))
    return g_strdup_printf (_("Fails: %s"), sluice_fail_get_reason (SLUICE_FAIL (node)));
  if (SLUICE_IS_GATE (node))
    {
      guint n = sluice_gate_get_n_checks (SLUICE_GATE (node));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Gate · %u check", "Gate · %u checks", n), n);
    }
  return g_strdup ("");
}

static const char *
module_icon (SluiceNode *node)
{
  if (SLUICE_IS_EXECUTION (node))
    {
      switch (sluice_execution_get_body_kind (SLUICE_EXECUTION (node)))
        {
        case SLUICE_BODY_LUA:     return "λ";
        case SLUICE_BODY_COMMAND: return "$";
        case SLUICE_BODY_TOOL:    return "⚙";
        default:                  return "?";
        }
    }
  if (SLUICE_IS_CONDITION (node))
    return "◆";
  if (SLUICE_IS_COMBINATION (node))
    return "▣";
  if (SLUICE_IS_EXTERNAL (node))
    return "⇄";
  if (SLUICE_IS_FAIL (node))
    return "✕";
  if (SLUICE_IS_GATE (node))
    return "≥";
  return "•";
}

/* Primitives ------------------------------------------------------------- */

void
sluice_canvas_append_line (GtkSnapshot   *snapshot,
                           double         x1,
                           double         y1,
                           double         x2,
                           double         y2,
                           double         width,
                           const GdkRGBA *color)
{
  double len, angle;

  /* Flow arrows are axis-aligned: plain colour rectangles, the cheapest
   * node there is. */
  if (fabs (x1 - x2) < 0.01)
    {
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT (x1 - width / 2, MIN (y1, y2), width, fabs (y2 - y1)));
      return;
    }
  if (fabs (y1 - y2) < 0.01)
    {
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT (MIN (x1, x2), y1 - width / 2, fabs (x2 - x1), width));
      return;
    }
  len = hypot (x2 - x1, y2 - y1);
  angle = atan2 (y2 - y1, x2 - x1) * 180 / G_PI;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x1, y1));
  gtk_snapshot_rotate (snapshot, angle);
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (0, -width / 2, len, width));
  gtk_snapshot_restore (snapshot);
}

void
sluice_canvas_append_arrow_head (GtkSnapshot              *snapshot,
                                 const SluiceCanvasColors *colors,
                                 double                    x,
                                 double                    y,
                                 double                    dx,
                                 double                    dy,
                                 double                    size)
{
  /* Tip at (x, y), pointing along (dx, dy). Flow goes down or right;
   * anything else turns the downward head. */
  if (fabs (dx) < 0.01 && dy > 0)
    gtk_snapshot_append_texture (snapshot, colors->arrow_down,
                                 &GRAPHENE_RECT_INIT (x - size, y - size * 1.4, 2 * size, size * 1.4));
  else if (fabs (dy) < 0.01 && dx > 0)
    gtk_snapshot_append_texture (snapshot, colors->arrow_right,
                                 &GRAPHENE_RECT_INIT (x - size * 1.4, y - size, size * 1.4, 2 * size));
  else
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
      gtk_snapshot_rotate (snapshot, atan2 (dy, dx) * 180 / G_PI - 90);
      gtk_snapshot_append_texture (snapshot, colors->arrow_down,
                                   &GRAPHENE_RECT_INIT (-size, -size * 1.4, 2 * size, size * 1.4));
      gtk_snapshot_restore (snapshot);
    }
}

static void
append_rounded (GtkSnapshot   *snapshot,
                double         x,
                double         y,
                double         width,
                double         height,
                double         radius,
                const GdkRGBA *fill,
                const GdkRGBA *border)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, width, height), radius);
  if (fill != NULL)
    {
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, fill, &rect.bounds);
      gtk_snapshot_pop (snapshot);
    }
  if (border != NULL)
    gtk_snapshot_append_border (snapshot, &rect,
                                (float[4]) { 1, 1, 1, 1 },
                                (GdkRGBA[4]) { *border, *border, *border, *border });
}

void
sluice_canvas_append_outline (GtkSnapshot   *snapshot,
                              double         x,
                              double         y,
                              double         width,
                              double         height,
                              double         radius,
                              double         line,
                              const GdkRGBA *color)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x - line, y - line, width + 2 * line, height + 2 * line),
                                   radius + line);
  gtk_snapshot_append_border (snapshot, &rect,
                              (float[4]) { line, line, line, line },
                              (GdkRGBA[4]) { *color, *color, *color, *color });
}

typedef struct
{
  GtkSnapshot              *snapshot;
  PangoLayout              *layout;
  PangoFontDescription     *title_font;
  PangoFontDescription     *body_font;
  PangoFontDescription     *small_font;
  PangoFontDescription     *big_font;
  PangoFontDescription     *symbol_font;
  const SluiceCanvasColors *colors;
  SluiceLayout             *scene;
  gboolean                  with_text;
} Painter;

static void
paint_text (Painter                    *p,
            const PangoFontDescription *font,
            const char                 *text,
            double                      x,
            double                      y,
            double                      width,
            const GdkRGBA              *color)
{
  if (!p->with_text || text == NULL || width <= 4)
    return;
  pango_layout_set_font_description (p->layout, font);
  pango_layout_set_width (p->layout, (int) (width * PANGO_SCALE));
  pango_layout_set_text (p->layout, text, -1);
  gtk_snapshot_save (p->snapshot);
  gtk_snapshot_translate (p->snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (p->snapshot, p->layout, color);
  gtk_snapshot_restore (p->snapshot);
}

static double
text_width (Painter                    *p,
            const PangoFontDescription *font,
            const char                 *text)
{
  int w;

  pango_layout_set_font_description (p->layout, font);
  pango_layout_set_width (p->layout, -1);
  pango_layout_set_text (p->layout, text, -1);
  pango_layout_get_pixel_size (p->layout, &w, NULL);
  return w;
}

/* Nodes ---------------------------------------------------------------------- */

static void
paint_card (Painter               *p,
            const SluiceLayoutBox *b,
            double                 height)
{
  const SluiceCanvasColors *c = p->colors;
  g_autofree char *summary = module_summary (b->node);
  GdkRGBA accent;
  GskRoundedRect rect;

  module_accent (b->node, &accent);
  append_rounded (p->snapshot, b->x, b->y, b->width, height, 8, &c->card, &c->card_border);
  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, height), 8);
  gtk_snapshot_push_rounded_clip (p->snapshot, &rect);
  gtk_snapshot_append_color (p->snapshot, &accent, &GRAPHENE_RECT_INIT (b->x, b->y, 5, height));
  gtk_snapshot_pop (p->snapshot);

  paint_text (p, p->symbol_font, module_icon (b->node), b->x + 13, b->y + 10, 22, &accent);
  paint_text (p, p->title_font, sluice_node_get_label (b->node), b->x + 36, b->y + 9, b->width - 46, &c->text);
  paint_text (p, p->small_font, summary, b->x + 36, b->y + 31, b->width - 46, &c->dim_text);
}

/* A threshold with its ${name}s replaced by @values; as written when
 * one is unknown (the validator says so). */
static char *
resolve (const char *text,
         GHashTable *values)
{
  char *resolved;

  if (text == NULL)
    return NULL;
  if (values == NULL || strstr (text, "${") == NULL ||
      (resolved = sluice_params_substitute (text, values, FALSE, NULL)) == NULL)
    return g_strdup (text);
  return resolved;
}

/* "Sharpe ≥ 1.0": what a check asks, its thresholds resolved with
 * @values (name → value; NULL: as written, "Sharpe ≥ ${hist_min_sharpe}"). */
char *
sluice_canvas_check_summary (const SluiceGateCheck *check,
                             GHashTable            *values)
{
  g_autofree char *threshold = resolve (check->threshold, values);
  g_autofree char *min = resolve (check->min, values);
  g_autofree char *max = resolve (check->max, values);
  SluiceGateOp op;

  if (sluice_gate_op_from_string (check->op, &op) && op == SLUICE_GATE_OP_BETWEEN)
    return g_strdup_printf ("%s ∈ [%s, %s]", check->name ? check->name : "",
                            min ? min : "−∞", max ? max : "∞");
  return g_strdup_printf ("%s%s %s %s", check->name ? check->name : "",
                          check->relative_to != NULL ? (g_strcmp0 (check->relative, "rise") == 0 ? " rise" : " drop") : "",
                          sluice_gate_op_from_string (check->op, &op) ? sluice_gate_op_to_symbol (op) : (check->op ? check->op : "?"),
                          threshold ? threshold : "?");
}

/* The values a run with no -D would use: the parameters' defaults. */
static GHashTable *
default_values (SluiceNode *node)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GListModel *list;

  while (node != NULL && !SLUICE_IS_PIPELINE (node))
    node = sluice_node_get_parent (node);
  if (node == NULL)
    return values;
  list = G_LIST_MODEL (sluice_pipeline_get_parameters (SLUICE_PIPELINE (node)));
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(SluiceParameter) param = g_list_model_get_item (list, i);

      if (sluice_parameter_get_name (param) != NULL && sluice_parameter_get_default_value (param) != NULL)
        g_hash_table_insert (values, g_strdup (sluice_parameter_get_name (param)),
                             g_strdup (sluice_parameter_get_default_value (param)));
    }
  return values;
}

char *
sluice_canvas_dup_check_line (SluiceGate *gate,
                              guint       index)
{
  g_autoptr(GHashTable) values = default_values (SLUICE_NODE (gate));

  return sluice_canvas_check_summary (sluice_gate_get_check (gate, index), values);
}

/* A gate's checks, one line each under its title; the run overlay
 * writes each one's result at the right end of its line. */
static void
paint_gate_checks (Painter               *p,
                   const SluiceLayoutBox *b)
{
  SluiceGate *gate = SLUICE_GATE (b->node);
  guint n = sluice_gate_get_n_checks (gate);
  guint shown = n > SLUICE_LAYOUT_MAX_CHECK_LINES + 1 ? SLUICE_LAYOUT_MAX_CHECK_LINES : n;

  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *text = sluice_canvas_dup_check_line (gate, i);

      paint_text (p, p->small_font, text, b->x + 14, b->y + SLUICE_LAYOUT_MODULE_HEIGHT - 6 + i * SLUICE_LAYOUT_CHECK_LINE,
                  b->width - 14 - SLUICE_CANVAS_CHECK_RESULT_WIDTH, &p->colors->text);
    }
  if (shown < n)
    {
      g_autofree char *more = g_strdup_printf (_("and %u more"), n - shown);

      paint_text (p, p->small_font, more, b->x + 14,
                  b->y + SLUICE_LAYOUT_MODULE_HEIGHT - 6 + shown * SLUICE_LAYOUT_CHECK_LINE,
                  b->width - 28, &p->colors->dim_text);
    }
}

static void
paint_module (Painter               *p,
              const SluiceLayoutBox *b)
{
  const SluiceCanvasColors *c = p->colors;

  if (SLUICE_IS_GATE (b->node))
    {
      paint_card (p, b, b->height);
      paint_gate_checks (p, b);
      return;
    }

  if (SLUICE_IS_CONDITION (b->node))
    {
      append_rounded (p->snapshot, b->x, b->y, b->width, b->height, 10, &c->lane_fill, NULL);
      paint_card (p, b, b->header);
    }
  else if (SLUICE_IS_COMBINATION (b->node) && !b->collapsed)
    {
      g_autofree char *title = g_strdup_printf ("▾ %s", sluice_node_get_label (b->node));
      GdkRGBA accent;

      module_accent (b->node, &accent);
      append_rounded (p->snapshot, b->x, b->y, b->width, b->height, 10, &c->lane_fill, &accent);
      paint_text (p, p->title_font, title, b->x + 12, b->y + 11, b->width - 24, &c->text);
    }
  else if (SLUICE_IS_COMBINATION (b->node))
    {
      /* Collapsed: a card on a small stack of cards. */
      append_rounded (p->snapshot, b->x + 8, b->y + 8, b->width, b->height, 8, &c->card, &c->card_border);
      append_rounded (p->snapshot, b->x + 4, b->y + 4, b->width, b->height, 8, &c->card, &c->card_border);
      paint_card (p, b, b->height);
    }
  else
    paint_card (p, b, b->height);
}

static void
paint_lane (Painter               *p,
            const SluiceLayoutBox *b)
{
  const SluiceCanvasColors *c = p->colors;

  append_rounded (p->snapshot, b->x, b->y, b->width, b->height, 8, &c->lane_fill, &c->phase_border);
  if (b->first_child == SLUICE_BOX_NONE)
    paint_text (p, p->small_font, _("passes on"), b->x + 12, b->y + b->height / 2 - 8, b->width - 24, &c->dim_text);
}

static void
paint_phase (Painter               *p,
             const SluiceLayoutBox *b)
{
  const SluiceCanvasColors *c = p->colors;

  append_rounded (p->snapshot, b->x, b->y, b->width, b->height, 10, &c->phase_fill, &c->phase_border);
  paint_text (p, p->small_font, _("PHASE"), b->x + 14, b->y + 6, b->width - 28, &c->dim_text);
  paint_text (p, p->title_font, sluice_node_get_label (b->node), b->x + 14, b->y + 19, b->width - 28, &c->text);
  if (b->first_child == SLUICE_BOX_NONE)
    paint_text (p, p->small_font, _("Drop modules here"), b->x + 14, b->y + b->header + 24, b->width - 28, &c->dim_text);
}

static void
paint_controller (Painter               *p,
                  const SluiceLayoutBox *b)
{
  const SluiceCanvasColors *c = p->colors;
  SluiceController *controller = SLUICE_CONTROLLER (b->node);
  SluiceMode mode = sluice_controller_get_mode (controller);
  g_autofree char *badge = g_strdup_printf ("%s  %s", sluice_mode_symbol (mode), sluice_mode_label (mode));
  GdkRGBA mode_color, badge_color;
  GskRoundedRect rect;
  double badge_w = 190, x;

  sluice_mode_color (mode, &mode_color);
  append_rounded (p->snapshot, b->x, b->y, b->width, b->height, 14, &c->controller_fill, &c->controller_border);
  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, b->height), 14);
  gtk_snapshot_push_rounded_clip (p->snapshot, &rect);
  gtk_snapshot_append_color (p->snapshot, &mode_color, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, 5));
  gtk_snapshot_pop (p->snapshot);

  paint_text (p, p->big_font, sluice_node_get_label (b->node), b->x + 18, b->y + 14, b->width - 36, &c->text);

  /* The mode badge: symbol and words, in the mode's colour. */
  if (p->with_text)
    badge_w = MIN (text_width (p, p->body_font, badge) + 20, b->width - 36);
  sluice_mode_badge_color (mode, &badge_color);
  append_rounded (p->snapshot, b->x + 18, b->y + 44, badge_w, 24, 12, &badge_color, NULL);
  paint_text (p, p->body_font, badge, b->x + 28, b->y + 47, badge_w - 16, &c->on_badge);

  x = b->x + 18 + badge_w + 10;
  if (sluice_controller_get_workers (controller) > 0 && mode != SLUICE_MODE_NOT_PARALLEL)
    {
      guint n = sluice_controller_get_workers (controller);
      g_autofree char *workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", n), n);

      paint_text (p, p->small_font, workers, x, b->y + 49, b->x + b->width - x - 12, &c->dim_text);
    }
}

static void
paint_edge (Painter                *p,
            const SluiceLayoutEdge *e)
{
  const SluiceCanvasColors *c = p->colors;
  guint n = e->n_points;
  double width = e->kind == SLUICE_EDGE_STAGE ? 2.5 : 1.5;

  for (guint i = 0; i + 1 < n; i++)
    sluice_canvas_append_line (p->snapshot, e->x[i], e->y[i], e->x[i + 1], e->y[i + 1], width, &c->edge);
  if (!p->with_text)
    return;
  if (e->arrow)
    sluice_canvas_append_arrow_head (p->snapshot, c, e->x[n - 1], e->y[n - 1],
                                     e->x[n - 1] - e->x[n - 2], e->y[n - 1] - e->y[n - 2],
                                     e->kind == SLUICE_EDGE_STAGE ? 8 : 5);
  if (e->kind == SLUICE_EDGE_TRUE || e->kind == SLUICE_EDGE_FALSE)
    paint_text (p, p->small_font, e->kind == SLUICE_EDGE_TRUE ? _("true") : _("false"),
                e->x[2] + 5, e->y[2] + 3, 60, &c->dim_text);
}

/* Far out: flat shapes, no text, no borders, no arrow heads. */
static void
paint_coarse (Painter               *p,
              const SluiceLayoutBox *b)
{
  const SluiceCanvasColors *c = p->colors;
  GdkRGBA accent;
  graphene_rect_t r = GRAPHENE_RECT_INIT (b->x, b->y, b->width, b->height);

  switch (b->kind)
    {
    case SLUICE_BOX_CONTROLLER:
      sluice_mode_color (sluice_controller_get_mode (SLUICE_CONTROLLER (b->node)), &accent);
      gtk_snapshot_append_color (p->snapshot, &c->controller_border,
                                 &GRAPHENE_RECT_INIT (b->x - 2, b->y - 2, b->width + 4, b->height + 4));
      gtk_snapshot_append_color (p->snapshot, &c->controller_fill, &r);
      gtk_snapshot_append_color (p->snapshot, &accent, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, 24));
      break;
    case SLUICE_BOX_PHASE:
      gtk_snapshot_append_color (p->snapshot, &c->phase_fill, &r);
      break;
    case SLUICE_BOX_LANE:
      gtk_snapshot_append_color (p->snapshot, &c->lane_fill, &r);
      break;
    case SLUICE_BOX_MODULE:
    default:
      module_accent (b->node, &accent);
      if (b->header < b->height)
        {
          /* Conditions and open combinations: a tinted area, a solid head. */
          GdkRGBA tint = accent;

          tint.alpha = 0.12;
          gtk_snapshot_append_color (p->snapshot, &tint, &r);
          gtk_snapshot_append_color (p->snapshot, &accent, &GRAPHENE_RECT_INIT (b->x, b->y, b->width, MIN (b->header, 40)));
        }
      else
        {
          gtk_snapshot_append_color (p->snapshot, &c->card_border,
                                     &GRAPHENE_RECT_INIT (b->x - 2, b->y - 2, b->width + 4, b->height + 4));
          gtk_snapshot_append_color (p->snapshot, &c->card, &r);
          gtk_snapshot_append_color (p->snapshot, &accent, &GRAPHENE_RECT_INIT (b->x, b->y, 12, b->height));
        }
      break;
    }
}

static void
painter_init (Painter                  *p,
              GtkWidget                *widget,
              GtkSnapshot              *snapshot,
              const SluiceCanvasColors *colors,
              SluiceLayout             *layout,
              gboolean                  with_text)
{
  p->snapshot = snapshot;
  p->colors = colors;
  p->scene = layout;
  p->with_text = with_text;
  p->layout = gtk_widget_create_pango_layout (widget, NULL);
  pango_layout_set_ellipsize (p->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (p->layout, TRUE);
  p->title_font = pango_font_description_from_string ("Cantarell Bold 10.5");
  p->body_font = pango_font_description_from_string ("Cantarell Bold 9.5");
  p->small_font = pango_font_description_from_string ("Cantarell 8.5");
  p->big_font = pango_font_description_from_string ("Cantarell Bold 13");
  p->symbol_font = pango_font_description_from_string ("DejaVu Sans Bold 12");
}

static void
painter_clear (Painter *p)
{
  g_clear_object (&p->layout);
  pango_font_description_free (p->title_font);
  pango_font_description_free (p->body_font);
  pango_font_description_free (p->small_font);
  pango_font_description_free (p->big_font);
  pango_font_description_free (p->symbol_font);
}

/* Tiles are keyed by controller (column) and band of height (row). */
typedef struct
{
  SluiceCanvasTile tile;
  guint            column;
  gint             row;
} KeyedTile;

static void
tile_free (gpointer data)
{
  SluiceCanvasTile *tile = data;

  g_array_unref (tile->boxes);
  g_array_unref (tile->edges);
  g_clear_pointer (&tile->node, gsk_render_node_unref);
  g_free (tile);
}

static void
tile_grow (SluiceCanvasTile *tile,
           double            x,
           double            y,
           double            width,
           double            height)
{
  double x2, y2;

  if (tile->boxes->len + tile->edges->len == 0)
    {
      tile->x = x;
      tile->y = y;
      tile->width = width;
      tile->height = height;
      return;
    }
  x2 = MAX (tile->x + tile->width, x + width);
  y2 = MAX (tile->y + tile->height, y + height);
  tile->x = MIN (tile->x, x);
  tile->y = MIN (tile->y, y);
  tile->width = x2 - tile->x;
  tile->height = y2 - tile->y;
}

static KeyedTile *
tile_for (GHashTable *tiles,
          GPtrArray  *all,
          guint       column,
          gint        row)
{
  gint64 key = ((gint64) column << 32) | (guint32) row;
  KeyedTile *tile = g_hash_table_lookup (tiles, &key);

  if (tile == NULL)
    {
      gint64 *k = g_new (gint64, 1);

      *k = key;
      tile = g_new0 (KeyedTile, 1);
      tile->column = column;
      tile->row = row;
      tile->tile.boxes = g_array_new (FALSE, FALSE, sizeof (guint));
      tile->tile.edges = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (tiles, k, tile);
      g_ptr_array_add (all, tile);
    }
  return tile;
}

static int
compare_tiles (gconstpointer a,
               gconstpointer b)
{
  const KeyedTile *ta = *(const KeyedTile **) a, *tb = *(const KeyedTile **) b;

  if (ta->column != tb->column)
    return ta->column < tb->column ? -1 : 1;
  return ta->row < tb->row ? -1 : ta->row > tb->row;
}

static gint
band_of (double y,
         double top)
{
  return (gint) floor ((y - top) / SLUICE_CANVAS_TILE_HEIGHT);
}

GPtrArray *
sluice_canvas_split_tiles (SluiceLayout *layout)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) controllers = g_array_new (FALSE, FALSE, sizeof (guint));
  GPtrArray *tiles = g_ptr_array_new_with_free_func (tile_free);
  guint n = sluice_layout_get_n_boxes (layout);
  guint column = 0;
  double top = 0;

  /* Boxes: into the band of their top edge, in document order, so that a
   * parent (in an earlier or the same band) is drawn before its children. */
  for (guint i = 0; i < n; i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);
      KeyedTile *tile;

      if (b->kind == SLUICE_BOX_CONTROLLER)
        {
          column = controllers->len;
          top = b->y;
          g_array_append_val (controllers, i);
        }
      tile = tile_for (index, tiles, column, band_of (b->y, top));
      tile_grow (&tile->tile, b->x, b->y, b->width, b->height);
      g_array_append_val (tile->tile.boxes, i);
    }

  /* Arrows: with the controller and band where they start. */
  for (guint e = 0; e < sluice_layout_get_n_edges (layout); e++)
    {
      const SluiceLayoutEdge *edge = sluice_layout_get_edge (layout, e);
      double x1 = edge->x[0], y1 = edge->y[0], x2 = x1, y2 = y1;
      KeyedTile *tile;
      guint c = 0;

      for (guint k = 0; k < controllers->len; k++)
        {
          const SluiceLayoutBox *b = sluice_layout_get_box (layout, g_array_index (controllers, guint, k));

          if (edge->x[0] >= b->x && edge->x[0] <= b->x + b->width &&
              edge->y[0] >= b->y && edge->y[0] <= b->y + b->height)
            {
              c = k;
              break;
            }
        }
      for (guint k = 1; k < edge->n_points; k++)
        {
          x1 = MIN (x1, edge->x[k]);
          y1 = MIN (y1, edge->y[k]);
          x2 = MAX (x2, edge->x[k]);
          y2 = MAX (y2, edge->y[k]);
        }
      tile = tile_for (index, tiles, c,
                       band_of (edge->y[0], controllers->len ?
                                sluice_layout_get_box (layout, g_array_index (controllers, guint, c))->y : 0));
      /* Room for the arrow head and a branch label. */
      tile_grow (&tile->tile, x1 - 12, y1 - 12, x2 - x1 + 60, y2 - y1 + 24);
      g_array_append_val (tile->tile.edges, e);
    }

  g_ptr_array_sort (tiles, compare_tiles);
  return tiles;
}

GskRenderNode *
sluice_canvas_build_tile (GtkWidget                *widget,
                          const SluiceCanvasColors *colors,
                          SluiceLayout             *layout,
                          const SluiceCanvasTile   *tile,
                          gboolean                  with_text)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  Painter p;

  painter_init (&p, widget, snapshot, colors, layout, with_text);
  for (guint i = 0; i < tile->boxes->len; i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, g_array_index (tile->boxes, guint, i));

      if (!with_text)
        {
          paint_coarse (&p, b);
          continue;
        }
      switch (b->kind)
        {
        case SLUICE_BOX_CONTROLLER:
          paint_controller (&p, b);
          break;
        case SLUICE_BOX_PHASE:
          paint_phase (&p, b);
          break;
        case SLUICE_BOX_LANE:
          paint_lane (&p, b);
          break;
        case SLUICE_BOX_MODULE:
        default:
          paint_module (&p, b);
          break;
        }
    }
  for (guint i = 0; i < tile->edges->len; i++)
    paint_edge (&p, sluice_layout_get_edge (layout, g_array_index (tile->edges, guint, i)));

  painter_clear (&p);
  /* Never NULL: NULL means "not built yet". */
  return gtk_snapshot_free_to_node (snapshot) ?: gsk_container_node_new (NULL, 0);
}
