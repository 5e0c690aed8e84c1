/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sluice-canvas-private.h"
#include "sluice-core.h"
#include "sluice-palette.h"

struct _SluicePalette
{
  GtkBox       parent_instance;
  GtkWidget   *search;   /* borrowed child */
  GtkListBox  *list;     /* borrowed child */
  char        *needle;   /* owned, casefolded */
  guint        n_entries;
};

G_DEFINE_FINAL_TYPE (SluicePalette, sluice_palette, GTK_TYPE_BOX)

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkWidget     *row)
{
  return gdk_content_provider_new_typed (G_TYPE_STRING, g_object_get_data (G_OBJECT (row), "kind"));
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GtkWidget     *row)
{
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, 16, 16);
}

static void
add_entry (SluicePalette *self,
           const char    *section,
           const char    *kind,
           const char    *symbol,
           const char    *title,
           const char    *subtitle,
           const char    *color,
           const char    *keywords)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *badge = gtk_label_new (symbol);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *sub = gtk_label_new (subtitle);
  GtkDragSource *drag = gtk_drag_source_new ();
  g_autofree char *css_class = g_strdup_printf ("palette-%s", color);
  /* Words a newcomer may search with, beside what the entry says. */
  g_autofree char *search = g_strdup_printf ("%s %s %s %s %s", title, subtitle, kind, section, keywords ? keywords : "");

  gtk_widget_add_css_class (badge, "palette-badge");
  gtk_widget_add_css_class (badge, css_class);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_box_append (GTK_BOX (texts), label);
  gtk_box_append (GTK_BOX (texts), sub);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, _("Drag onto the canvas, or double-click to add after the selection"));

  g_object_set_data_full (G_OBJECT (row), "kind", g_strdup (kind), g_free);
  g_object_set_data_full (G_OBJECT (row), "section", g_strdup (section), g_free);
  g_object_set_data_full (G_OBJECT (row), "search", g_utf8_casefold (search, -1), g_free);
  g_object_set_data_full (G_OBJECT (row), "title", g_utf8_casefold (title, -1), g_free);
  g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (self->n_entries++));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.insert");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", kind);

  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (drag_prepare_cb), row);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (drag));
  gtk_list_box_append (self->list, row);
}

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  SluicePalette *self = user_data;
  const char *search = g_object_get_data (G_OBJECT (row), "search");

  return self->needle == NULL || *self->needle == '\0' || strstr (search, self->needle) != NULL;
}

static gboolean
searching (SluicePalette *self)
{
  return self->needle != NULL && *self->needle != '\0';
}

/* While searching, entries whose title starts with what was typed come
 * first ("lua" puts Lua above Condition, whose subtitle says Lua). */
static int
sort_func (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       user_data)
{
  SluicePalette *self = user_data;
  guint ia = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (a), "index"));
  guint ib = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (b), "index"));

  if (searching (self))
    {
      gboolean pa = g_str_has_prefix (g_object_get_data (G_OBJECT (a), "title"), self->needle);
      gboolean pb = g_str_has_prefix (g_object_get_data (G_OBJECT (b), "title"), self->needle);

      if (pa != pb)
        return pa ? -1 : 1;
    }
  return ia < ib ? -1 : ia > ib;
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  SluicePalette *self = user_data;
  const char *section = g_object_get_data (G_OBJECT (row), "section");
  const char *prev = before ? g_object_get_data (G_OBJECT (before), "section") : NULL;

  /* Sorted by match, the sections would repeat: none while searching. */
  if (!searching (self) && g_strcmp0 (section, prev) != 0)
    {
      GtkWidget *label = gtk_label_new (section);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (label, "palette-section");
      gtk_list_box_row_set_header (row, label);
    }
  else
    gtk_list_box_row_set_header (row, NULL);
}

void
sluice_palette_set_search (SluicePalette *self,
                           const char    *text)
{
  /* Called by scripts and tests as well: the field says what the list
   * is filtered by. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search)), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search), text ? text : "");
  g_free (self->needle);
  self->needle = g_utf8_casefold (text ? text : "", -1);
  gtk_list_box_invalidate_filter (self->list);
  gtk_list_box_invalidate_sort (self->list);
  gtk_list_box_invalidate_headers (self->list);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   SluicePalette  *self)
{
  sluice_palette_set_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

guint
sluice_palette_count_visible (SluicePalette *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && filter_func (GTK_LIST_BOX_ROW (child), self))
      n++;
  return n;
}

GtkWidget *
sluice_palette_get_first_visible (SluicePalette *self)
{
  g_return_val_if_fail (SLUICE_IS_PALETTE (self), NULL);

  /* In the order shown (sorted), not the order added. */
  for (int i = 0; gtk_list_box_get_row_at_index (self->list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);

      if (filter_func (row, self))
        return GTK_WIDGET (row);
    }
  return NULL;
}

static void
sluice_palette_finalize (GObject *object)
{
  g_free (SLUICE_PALETTE (object)->needle);
  G_OBJECT_CLASS (sluice_palette_parent_class)->finalize (object);
}

static void
sluice_palette_class_init (SluicePaletteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_palette_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "sluicepalette");
}

static void
populate (SluicePalette *self)
{
  const SluiceToolInfo * const *tools = sluice_tool_list ();
  const char *controllers = _("Controllers");
  const char *structure = _("Structure");
  const char *modules = _("Modules");
  const char *tools_section = _("Tools");
  static const struct { SluiceMode mode; const char *kind; const char *color; } modes[] = {
    { SLUICE_MODE_NOT_PARALLEL, "controller:not-parallel", "blue" },
    { SLUICE_MODE_NO_ORDER, "controller:no-order", "green" },
    { SLUICE_MODE_ORDER_BY_SEQUENCE, "controller:order-by-sequence", "purple" },
    { SLUICE_MODE_FIRST_WINS, "controller:first-wins", "orange" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    add_entry (self, controllers, modes[i].kind, sluice_mode_symbol (modes[i].mode),
               sluice_mode_label (modes[i].mode), sluice_mode_to_string (modes[i].mode), modes[i].color,
               /* TRANSLATORS: search words for the controllers, separated by spaces */
               _("stage controller workers parallel"));
  add_entry (self, structure, "phase", "▤", _("Phase"), _("A step every item passes"), "gray",
             /* TRANSLATORS: search words, separated by spaces */
             _("step stage"));
  add_entry (self, structure, "combination", "▣", _("Combination"), _("Modules run as one unit"), "purple",
             /* TRANSLATORS: search words, separated by spaces */
             _("group unit"));
  add_entry (self, structure, "condition", "◆", _("Condition"), _("Branch on a Lua expression"), "yellow",
             /* TRANSLATORS: search words, separated by spaces */
             _("if branch when else"));
  add_entry (self, structure, "gate", "≥", _("Gate"), _("Check thresholds; stop items that miss"), "red",
             /* TRANSLATORS: search words, separated by spaces */
             _("threshold check assert guard validate minimum maximum limit condition fail"));
  add_entry (self, modules, "lua", "λ", _("Lua"), _("Change items with Lua"), "blue",
             /* TRANSLATORS: search words, separated by spaces */
             _("script code transform map"));
  add_entry (self, modules, "command", "$", _("Command"), _("Run a shell command"), "dark",
             /* TRANSLATORS: search words, separated by spaces */
             _("shell program process"));
  add_entry (self, modules, "external", "⇄", _("External"), _("Call another server"), "green",
             /* TRANSLATORS: search words, separated by spaces */
             _("http service remote api"));
  add_entry (self, modules, "fail", "✕", _("Fail"), _("Stop the run with a reason"), "red",
             /* TRANSLATORS: search words, separated by spaces */
             _("stop abort error"));
  for (guint i = 0; tools != NULL && tools[i] != NULL; i++)
    {
      g_autofree char *kind = g_strdup_printf ("tool:%s", tools[i]->name);

      add_entry (self, tools_section, kind, "⚙", tools[i]->title ? tools[i]->title : tools[i]->name,
                 tools[i]->description ? tools[i]->description : tools[i]->name, "teal", tools[i]->name);
    }
}

static void
sluice_palette_init (SluicePalette *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->search = gtk_search_entry_new ();
  g_object_set (self->search, "placeholder-text", _("Search the palette"), NULL);
  gtk_widget_set_margin_start (self->search, 8);
  gtk_widget_set_margin_end (self->search, 8);
  gtk_widget_set_margin_top (self->search, 8);
  gtk_widget_set_margin_bottom (self->search, 8);
  g_signal_connect (self->search, "search-changed", G_CALLBACK (search_changed_cb), self);
  gtk_box_append (GTK_BOX (self), self->search);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (self->list, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);
  gtk_list_box_set_header_func (self->list, header_func, self, NULL);
  gtk_list_box_set_sort_func (self->list, sort_func, self, NULL);
  {
    GtkWidget *placeholder = gtk_label_new (_("No results\nTry “gate”, “lua” or “command”"));

    gtk_widget_set_name (placeholder, "palette-no-results");
    gtk_label_set_justify (GTK_LABEL (placeholder), GTK_JUSTIFY_CENTER);
    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_widget_set_margin_top (placeholder, 24);
    gtk_widget_set_margin_bottom (placeholder, 24);
    gtk_list_box_set_placeholder (self->list, placeholder);
  }
  /* Rows are actionable: activating one (double-click, Enter) runs
   * win.insert with its kind. */
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);
  populate (self);
}

GtkWidget *
sluice_palette_new (void)
{
  return g_object_new (SLUICE_TYPE_PALETTE, NULL);
}
