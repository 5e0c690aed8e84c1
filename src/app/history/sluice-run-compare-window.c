/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "sluice-run-compare-window.h"

#define TEXT_KEY "sluice-compare-text"

typedef struct
{
  GtkGrid *grid;
  int      row;
  GString *text;   /* the same, for tests and for copying */
} Table;

static GtkWidget *
cell_label (const char *text,
            gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
table_row (Table      *table,
           gboolean    heading,
           const char *first,
           const char *second,
           const char *third)
{
  gtk_grid_attach (table->grid, cell_label (first, heading), 0, table->row, 1, 1);
  gtk_grid_attach (table->grid, cell_label (second, heading), 1, table->row, 1, 1);
  gtk_grid_attach (table->grid, cell_label (third, heading), 2, table->row, 1, 1);
  table->row++;
  g_string_append_printf (table->text, "%s | %s | %s\n", first, second, third);
}

static const char *
node_name (SluicePipeline *pipeline,
           const char     *id)
{
  SluiceNode *node = pipeline != NULL && id != NULL ? sluice_pipeline_find_node (pipeline, id) : NULL;

  return node != NULL && sluice_node_get_name (node) != NULL && *sluice_node_get_name (node) ? sluice_node_get_name (node) : id;
}

static char *
stage_cell (json_t *side)
{
  if (!json_is_object (side))
    return g_strdup ("—");
  if (!json_is_true (json_object_get (side, "reached")))
    return g_strdup (_("not reached"));
  /* TRANSLATORS: items into a stage → items out of it */
  return g_strdup_printf (_("%" PRId64 " in → %" PRId64 " out"),
                          (gint64) json_integer_value (json_object_get (side, "items_in")),
                          (gint64) json_integer_value (json_object_get (side, "items_out")));
}

static char *
number_text (json_t *number)
{
  return json_is_number (number) ? g_strdup_printf ("%.4g", json_number_value (number)) : g_strdup ("—");
}

/* "✗ 1.807 (>= 3) −1.193" */
static char *
check_cell (json_t *check)
{
  g_autofree char *value = NULL;
  g_autofree char *threshold = NULL;
  json_t *margin;
  const char *op;

  if (!json_is_object (check) || json_object_get (check, "passed") == NULL)
    return g_strdup ("—");
  value = json_is_number (json_object_get (check, "value")) ? number_text (json_object_get (check, "value"))
                                                            : g_strdup (_("no value"));
  threshold = number_text (json_object_get (check, "threshold"));
  op = json_string_value (json_object_get (check, "op"));
  margin = json_object_get (check, "margin");
  return g_strdup_printf ("%s %s (%s %s) %s%.4g", json_is_true (json_object_get (check, "passed")) ? "✓" : "✗",
                          value, op != NULL ? op : "", threshold,
                          json_is_number (margin) && json_number_value (margin) < 0 ? "−" : "+",
                          json_is_number (margin) ? fabs (json_number_value (margin)) : 0.0);
}

static GtkWidget *
section_title (GtkBox     *box,
               GString    *text,
               const char *title)
{
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-4");
  gtk_widget_set_margin_top (label, 12);
  gtk_box_append (box, label);
  g_string_append_printf (text, "\n%s\n", title);
  return label;
}

static GtkGrid *
new_grid (GtkBox *box)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_box_append (box, grid);
  return GTK_GRID (grid);
}

static void
add_pipeline_section (GtkBox  *box,
                      GString *text,
                      json_t  *pipeline)
{
  gboolean changed = json_is_true (json_object_get (pipeline, "changed"));
  const char *sha_a = json_string_value (json_object_get (pipeline, "a"));
  const char *sha_b = json_string_value (json_object_get (pipeline, "b"));
  const char *diff = json_string_value (json_object_get (pipeline, "diff"));
  g_autofree char *summary = NULL;
  GtkWidget *label;

  section_title (box, text, _("Pipeline file"));
  if (!changed)
    summary = g_strdup_printf (_("Unchanged between the two runs (SHA-256 %.12s…)"), sha_a != NULL ? sha_a : "?");
  else
    summary = g_strdup_printf (_("Changed between the two runs: SHA-256 %.12s… → %.12s…"),
                               sha_a != NULL ? sha_a : "?", sha_b != NULL ? sha_b : "?");
  label = cell_label (summary, FALSE);
  gtk_box_append (box, label);
  g_string_append_printf (text, "%s\n", summary);
  if (changed && diff != NULL)
    {
      label = cell_label (diff, FALSE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_box_append (box, label);
      g_string_append (text, diff);
    }
  else if (changed)
    {
      label = cell_label (_("The saved copies cannot be compared line by line."), FALSE);
      gtk_box_append (box, label);
    }
}

GtkWidget *
sluice_run_compare_window_new (GtkWindow           *parent,
                               SluicePipeline      *pipeline,
                               const SluicePastRun *a,
                               const SluicePastRun *b,
                               json_t              *comparison)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GString *text = g_string_new (NULL);
  g_autofree char *title = g_strdup_printf (_("Run %s compared with run %s"), a->run_id, b->run_id);
  g_autofree char *heading_a = g_strdup_printf (_("%s (%s)"), a->run_id, a->state);
  g_autofree char *heading_b = g_strdup_printf (_("%s (%s)"), b->run_id, b->state);
  Table table = { NULL, 0, text };
  size_t i, k;
  json_t *entry, *check;

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 600);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  g_string_append_printf (text, "%s\n", title);

  add_pipeline_section (GTK_BOX (box), text, json_object_get (comparison, "pipeline"));

  section_title (GTK_BOX (box), text, _("Stages"));
  table.grid = new_grid (GTK_BOX (box));
  table.row = 0;
  table_row (&table, TRUE, _("Stage"), heading_a, heading_b);
  json_array_foreach (json_object_get (comparison, "stages"), i, entry)
    {
      g_autofree char *left = stage_cell (json_object_get (entry, "a"));
      g_autofree char *right = stage_cell (json_object_get (entry, "b"));

      table_row (&table, FALSE, node_name (pipeline, json_string_value (json_object_get (entry, "stage"))), left, right);
    }

  if (json_array_size (json_object_get (comparison, "gates")) > 0)
    {
      section_title (GTK_BOX (box), text, _("Gate checks: value (threshold) and margin"));
      table.grid = new_grid (GTK_BOX (box));
      table.row = 0;
      table_row (&table, TRUE, _("Check"), heading_a, heading_b);
      json_array_foreach (json_object_get (comparison, "gates"), i, entry)
        json_array_foreach (json_object_get (entry, "checks"), k, check)
          {
            g_autofree char *name = g_strdup_printf ("%s: %s", node_name (pipeline, json_string_value (json_object_get (entry, "gate"))),
                                                     json_string_value (json_object_get (check, "name")));
            g_autofree char *left = check_cell (json_object_get (check, "a"));
            g_autofree char *right = check_cell (json_object_get (check, "b"));

            table_row (&table, FALSE, name, left, right);
          }
    }

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  g_object_set_data_full (G_OBJECT (window), TEXT_KEY, g_string_free (text, FALSE), g_free);
  return window;
}

char *
sluice_run_compare_window_dup_text (GtkWidget *window)
{
  return g_strdup (g_object_get_data (G_OBJECT (window), TEXT_KEY));
}
