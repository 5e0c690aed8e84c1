/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sluice-core.h"
#include "sluice-run-report-view.h"

struct _SluiceRunReportView
{
  GtkWidget  parent_instance;

  GtkWidget *scrolled;   /* borrowed child */
  GtkWidget *content;    /* borrowed: rebuilt for each report */
  json_t    *report;     /* owned, may be NULL */
};

G_DEFINE_FINAL_TYPE (SluiceRunReportView, sluice_run_report_view, GTK_TYPE_WIDGET)

static const char *
str (json_t     *object,
     const char *key)
{
  const char *value = json_string_value (json_object_get (object, key));

  return value != NULL ? value : "";
}

/* The warnings listed on the page; the saved report has them all. */
#define MAX_WARNINGS_SHOWN 100

static GtkWidget *
add_label (SluiceRunReportView *self,
           const char          *text,
           const char          *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (self->content), label);
  return label;
}

static void
add_heading (SluiceRunReportView *self,
             const char          *text)
{
  GtkWidget *label = add_label (self, text, "heading");

  gtk_widget_set_margin_top (label, 8);
}

static void
add_verdict (SluiceRunReportView *self,
             json_t              *report)
{
  json_t *recommendation = json_object_get (report, "recommendation");
  const char *verdict = str (recommendation, "verdict");
  g_autofree char *upper = g_ascii_strup (verdict, -1);
  g_autofree char *rule = g_strdup_printf (_("Rule: %s — %s"), str (recommendation, "rule"),
                                           str (recommendation, "reason"));
  GtkWidget *badge = add_label (self, upper, "title-2");

  gtk_widget_set_name (badge, "report-verdict");
  gtk_widget_add_css_class (badge, g_str_equal (verdict, "reject") ? "error" :
                                   g_str_equal (verdict, "review") ? "warning" : "success");
  add_label (self, str (json_object_get (report, "outcome"), "headline"), "heading");
  add_label (self, rule, "dim-label");
}

static void
add_failed_checks (SluiceRunReportView *self,
                   json_t              *report)
{
  json_t *failed = json_object_get (json_object_get (report, "outcome"), "failed_checks");
  size_t i;
  json_t *check;

  if (json_array_size (failed) == 0)
    return;
  add_heading (self, _("Failed checks"));
  json_array_foreach (failed, i, check)
    {
      g_autofree char *line = g_strdup_printf ("✗ %s — %s, %s", str (check, "text"),
                                               str (check, "stage_name"), str (check, "gate_name"));

      add_label (self, line, "error");
    }
}

static void
add_stages (SluiceRunReportView *self,
            json_t              *report)
{
  GtkWidget *grid = gtk_grid_new ();
  const char *headers[] = { N_("Stage"), N_("In"), N_("Out"), N_("Failed"), N_("Duration") };
  size_t i;
  json_t *stage;

  add_heading (self, _("Stages"));
  gtk_grid_set_column_spacing (GTK_GRID (grid), 16);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      GtkWidget *label = gtk_label_new (_(headers[c]));

      gtk_label_set_xalign (GTK_LABEL (label), c == 0 ? 0 : 1);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (GTK_GRID (grid), label, c, 0, 1, 1);
    }
  json_array_foreach (json_object_get (report, "stages"), i, stage)
    {
      gboolean reached = json_is_true (json_object_get (stage, "reached"));
      g_autofree char *in = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (json_object_get (stage, "items_in")));
      g_autofree char *out = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (json_object_get (stage, "items_out")));
      g_autofree char *failed = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (json_object_get (stage, "items_failed")));
      g_autofree char *duration = reached
        ? g_strdup_printf ("%.1f ms", json_number_value (json_object_get (stage, "duration_ms")))
        : g_strdup (_("never ran"));
      const char *cells[] = { str (stage, "name"), in, out, failed, duration };

      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          GtkWidget *label = gtk_label_new (cells[c]);

          gtk_label_set_xalign (GTK_LABEL (label), c == 0 ? 0 : 1);
          if (!reached)
            gtk_widget_add_css_class (label, "dim-label");
          gtk_grid_attach (GTK_GRID (grid), label, c, 1 + (int) i, 1, 1);
        }
    }
  gtk_box_append (GTK_BOX (self->content), grid);
}

static void
add_consistency_and_warnings (SluiceRunReportView *self,
                              json_t              *report)
{
  json_t *score = json_object_get (json_object_get (report, "consistency"), "score");
  json_t *warnings = json_object_get (report, "warnings");
  g_autofree char *line = json_is_number (score)
    ? g_strdup_printf (_("Consistency across stages: %.2f"), json_number_value (score))
    : g_strdup (_("Consistency across stages: no metric is checked in two stages"));
  size_t i;
  json_t *warning;

  add_label (self, line, NULL);
  if (json_array_size (warnings) == 0)
    return;
  add_heading (self, _("Warnings"));
  json_array_foreach (warnings, i, warning)
    {
      g_autofree char *text = NULL;

      /* A run of five thousand modules of which one item ran few warns
       * of each module that never ran: a label each would take the
       * window's thread a second to make and another to destroy. */
      if (i == MAX_WARNINGS_SHOWN)
        {
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… and %zu more warning: save the report to read it",
                                               "… and %zu more warnings: save the report to read them all",
                                               json_array_size (warnings) - i),
                                  json_array_size (warnings) - i);
          add_label (self, text, "dim-label");
          break;
        }
      text = g_strdup_printf ("⚠ %s", str (warning, "message"));
      add_label (self, text, "warning");
    }
}

static void
save_response_cb (GtkNativeDialog     *dialog,
                  int                  response,
                  SluiceRunReportView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !sluice_run_report_view_save (self, path, &error))
        g_warning ("%s", error->message);
    }
  g_object_unref (dialog);
}

static void
save_clicked_cb (GtkButton           *button,
                 SluiceRunReportView *self)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Save Run Report"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "report.html");
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
sluice_run_report_view_set_report (SluiceRunReportView *self,
                                   json_t              *report)
{
  GtkWidget *child;

  g_return_if_fail (SLUICE_IS_RUN_REPORT_VIEW (self));

  g_clear_pointer (&self->report, json_decref);
  if (report != NULL)
    self->report = json_incref (report);
  while ((child = gtk_widget_get_first_child (self->content)) != NULL)
    gtk_box_remove (GTK_BOX (self->content), child);

  if (report == NULL)
    {
      add_label (self, _("The report appears when a run is over."), "dim-label");
      return;
    }
  add_verdict (self, report);
  add_failed_checks (self, report);
  add_stages (self, report);
  add_consistency_and_warnings (self, report);
  {
    GtkWidget *save = gtk_button_new_with_mnemonic (_("_Save Report…"));

    gtk_widget_set_halign (save, GTK_ALIGN_START);
    gtk_widget_set_margin_top (save, 8);
    gtk_widget_set_tooltip_text (save, _("As one HTML page, or JSON (by the file's name)"));
    g_signal_connect (save, "clicked", G_CALLBACK (save_clicked_cb), self);
    gtk_box_append (GTK_BOX (self->content), save);
  }
}

const char *
sluice_run_report_view_get_verdict (SluiceRunReportView *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_REPORT_VIEW (self), NULL);

  if (self->report == NULL)
    return NULL;
  return json_string_value (json_object_get (json_object_get (self->report, "recommendation"), "verdict"));
}

static void
collect_text (GtkWidget *widget,
              GString   *s)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (s, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_text (c, s);
}

char *
sluice_run_report_view_dup_text (SluiceRunReportView *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (SLUICE_IS_RUN_REPORT_VIEW (self), NULL);

  collect_text (self->content, s);
  return g_string_free (s, FALSE);
}

gboolean
sluice_run_report_view_save (SluiceRunReportView  *self,
                             const char           *path,
                             GError              **error)
{
  g_return_val_if_fail (SLUICE_IS_RUN_REPORT_VIEW (self), FALSE);

  if (self->report == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no report yet: run the pipeline first"));
      return FALSE;
    }
  return sluice_run_report_write (self->report, path, error);
}

static void
sluice_run_report_view_dispose (GObject *object)
{
  SluiceRunReportView *self = SLUICE_RUN_REPORT_VIEW (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_pointer (&self->report, json_decref);
  G_OBJECT_CLASS (sluice_run_report_view_parent_class)->dispose (object);
}

static void
sluice_run_report_view_class_init (SluiceRunReportViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sluice_run_report_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
sluice_run_report_view_init (SluiceRunReportView *self)
{
  self->scrolled = gtk_scrolled_window_new ();
  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (self->content, 12);
  gtk_widget_set_margin_end (self->content, 12);
  gtk_widget_set_margin_top (self->content, 8);
  gtk_widget_set_margin_bottom (self->content, 8);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), self->content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  sluice_run_report_view_set_report (self, NULL);
}

GtkWidget *
sluice_run_report_view_new (void)
{
  return g_object_new (SLUICE_TYPE_RUN_REPORT_VIEW, NULL);
}
