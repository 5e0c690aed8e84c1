/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-app-common.h"

#include "sluice-trust-dialog.h"
#include "sluice-window-run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

char *
test_app_setup_environment (const char *name)
{
  g_autofree char *template = g_strdup_printf ("sluice-%s-XXXXXX", name);
  char *tmp_dir = g_dir_make_tmp (template, NULL);
  g_autofree char *data_home = g_build_filename (tmp_dir, "data", NULL);

  g_assert_nonnull (tmp_dir);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("SLUICE_NO_DRAFT_CHECK", "1", TRUE);

  return tmp_dir;
}

SluiceApplication *
test_app_new (void)
{
  SluiceApplication *app;

  /* A designer test without a display would test nothing: that is a
   * failure, never a skip (CI and the README run these under xvfb). */
  if (!gtk_init_check ())
    {
      g_printerr ("%s: no display to open windows on; run the designer's tests "
                  "under one, e.g. xvfb-run -a dbus-run-session -- meson test -C _build\n",
                  g_get_prgname ());
      exit (1);
    }
  adw_init ();

  app = sluice_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  return app;
}

void
test_app_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

gboolean
test_app_wait_for (gboolean (*cond) (gpointer),
                   gpointer   data,
                   guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return TRUE;
}

char *
test_app_example_path (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

SluiceWindow *
test_app_open_window (SluiceApplication *app,
                      const char        *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SluiceWindow *window = sluice_window_new (app);

  g_assert_true (sluice_window_load (window, file));
  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (50);
  return window;
}

void
test_app_trust (SluiceWindow *window)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (sluice_window_get_document (window));
  g_autofree char *hash = sluice_trust_hash (pipeline);

  g_assert_true (sluice_trust_remember (hash, NULL));
}

SluiceWindow *
test_app_open_trusted (SluiceApplication *app,
                       const char        *dir,
                       const char        *name,
                       const char        *xml)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  SluiceWindow *window;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  window = test_app_open_window (app, path);
  test_app_trust (window);
  return window;
}

void
test_app_run_ids (SluiceWindow *window,
                  guint         n)
{
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GString *items = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_string_free (items, FALSE);
  sluice_window_run_with_choice (window, choice);
}

typedef struct
{
  SluiceWindow *window;
  const char   *path;
  gboolean      saved;
} Screenshot;

/* Right after a frame is painted, the window's render node is current:
 * render that into a texture. */
static void
screenshot_after_paint_cb (GdkFrameClock *clock,
                           Screenshot    *shot)
{
  GtkWidget *widget = GTK_WIDGET (shot->window);
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (shot->saved)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (shot->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  shot->saved = gdk_texture_save_to_png (texture, shot->path);
}

static gboolean
screenshot_saved (gpointer data)
{
  return ((Screenshot *) data)->saved;
}

void
test_app_save_screenshot (SluiceWindow *window,
                          const char   *fallback_dir,
                          const char   *name)
{
  const char *dir = g_getenv ("SLUICE_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : fallback_dir, name, NULL);
  Screenshot shot = { window, path, FALSE };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (screenshot_after_paint_cb), &shot);

  gtk_widget_queue_draw (GTK_WIDGET (window));
  /* Generous: under ASan with several suites at once a frame can take seconds. */
  g_assert_true (test_app_wait_for (screenshot_saved, &shot, 30000));
  g_signal_handler_disconnect (clock, id);
  g_test_message ("screenshot: %s", path);
}

static GtkWidget *
find_breadth_first (GtkWidget  *root,
                    GType       type,
                    const char *css_class)
{
  GQueue queue = G_QUEUE_INIT;
  GtkWidget *found = NULL;

  g_queue_push_tail (&queue, root);
  while (!g_queue_is_empty (&queue) && found == NULL)
    {
      GtkWidget *w = g_queue_pop_head (&queue);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && (css_class == NULL || gtk_widget_has_css_class (w, css_class)))
        found = w;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
        g_queue_push_tail (&queue, c);
    }
  g_queue_clear (&queue);
  return found;
}

GtkWidget *
test_app_find_widget (GtkWidget *root,
                      GType      type)
{
  return find_breadth_first (root, type, NULL);
}

GtkWidget *
test_app_find_with_class (GtkWidget  *root,
                          const char *css_class)
{
  return find_breadth_first (root, GTK_TYPE_WIDGET, css_class);
}

GdkTexture *
test_app_render (SluiceWindow *window)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  test_app_spin (50);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

gboolean
test_app_textures_differ (GdkTexture            *a,
                          GdkTexture            *b,
                          const graphene_rect_t *rect)
{
  int width = gdk_texture_get_width (a), height = gdk_texture_get_height (a);
  gsize stride = width * 4;
  g_autofree guchar *pa = g_malloc (stride * height);
  g_autofree guchar *pb = g_malloc (stride * height);
  int x0 = MAX (0, (int) rect->origin.x), y0 = MAX (0, (int) rect->origin.y);
  int x1 = MIN (width, (int) (rect->origin.x + rect->size.width));
  int y1 = MIN (height, (int) (rect->origin.y + rect->size.height));

  g_assert_cmpint (gdk_texture_get_width (b), ==, width);
  g_assert_cmpint (gdk_texture_get_height (b), ==, height);
  g_assert_cmpint (x1 - x0, >, 0);
  g_assert_cmpint (y1 - y0, >, 0);
  gdk_texture_download (a, pa, stride);
  gdk_texture_download (b, pb, stride);
  for (int y = y0; y < y1; y++)
    if (memcmp (pa + y * stride + x0 * 4, pb + y * stride + x0 * 4, (x1 - x0) * 4) != 0)
      return TRUE;
  return FALSE;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

char *
test_app_start_serve (const char   *pipeline,
                      GSubprocess **process)
{
  const char *argv[] = { g_getenv ("SLUICE_RUN"), "serve", pipeline, "--listen", "127.0.0.1:0", "--quiet", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  if (g_getenv ("SLUICE_RUN") == NULL || !g_file_test (g_getenv ("SLUICE_RUN"), G_FILE_TEST_IS_EXECUTABLE))
    g_error ("SLUICE_RUN does not name the sluice-run to serve with");
  /* It never outlives a test that aborts. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  *process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  return g_strdup (line + strlen ("listening on "));
}

guint
test_app_count_run_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "sluice-live-run"))
        n++;
    }
  return n;
}

/* Whether @pid runs this very program (the process guard's guardian,
 * forked and never exec'd). */
static gboolean
is_this_program (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "exe", NULL);
  g_autofree char *exe = g_file_read_link (path, NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && self != NULL && g_str_equal (exe, self);
}

guint
test_app_count_children (GPid except)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *close_paren;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]) || atoi (name) == except ||
          !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      close_paren = strrchr (stat, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid ())
        continue;
      /* The guardian sleeps in read() for as long as we live. */
      if (state != 'Z' && is_this_program (name))
        continue;
      g_test_message ("child %s: %s", name, stat);
      n++;
    }
  return n;
}

gboolean
test_app_no_children (gpointer except)
{
  return test_app_count_children (GPOINTER_TO_INT (except)) == 0;
}

AdwMessageDialog *
test_app_find_message_dialog (SluiceWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }
  return NULL;
}

gboolean
test_app_message_dialog_shown (gpointer window)
{
  return test_app_find_message_dialog (window) != NULL;
}
