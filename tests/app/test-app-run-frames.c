/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* O_CLOEXEC */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice-canvas.h"
#include "sluice-canvas-run-overlay.h"
#include "sluice-picture-bin.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* What a frame of a live run costs the window (issue 9): while only the
 * run's counters change, a frame draws the overlay over the canvas's
 * kept picture (the scene is not drawn again), lays out only the labels
 * whose text changed, and the stages table changes the text of its
 * cells without making new ones. A software renderer renders every
 * node of the window on every frame, so this is what keeps the run's
 * frames cheap. Nothing here is timed: the test counts what was drawn,
 * through the widgets' test hooks, while a run fed by the test through a
 * FIFO goes for as long as the test wants. */

static SluiceApplication *app;
static char *tmp_dir;

/* Items go in through a FIFO that the test writes a few at a time, so
 * the run's counters change for as long as the test watches. */
typedef struct
{
  SluiceWindow *window;
  int           fd;        /* the FIFO's writing end; -1 once closed */
  guint         next_id;
  guint         feeder;
  /* Per frame, from the frame clock's after-paint. */
  guint         frames;            /* frames that drew the overlay with counters changed */
  guint64       last_in;           /* the counter module's items in, at the last frame */
  guint         last_labels_drawn;
} Feed;

static gboolean
feed_cb (gpointer data)
{
  Feed *feed = data;
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (s, "{\"id\": %u}\n", feed->next_id++);
  /* A few hundred bytes into a pipe the run drains: this does not block
   * for long, and if it must, the run is behind and catches up. */
  g_assert_cmpint (write (feed->fd, s->str, s->len), ==, (gssize) s->len);
  g_string_free (s, TRUE);
  return G_SOURCE_CONTINUE;
}

static guint64
module_items_in (SluiceWindow *window,
                 const char   *id)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);
  SluiceModuleLive live = { 0 };
  SluiceNode *node;

  if (session == NULL || !sluice_run_session_get_started (session))
    return 0;
  node = sluice_pipeline_find_node (sluice_run_session_get_pipeline (session), id);
  if (!sluice_run_session_get_module_live (session, node, &live))
    return 0;
  return live.stats.items_in;
}

/* A frame was painted: count it if it drew the overlay and the counters
 * it showed had changed since the last such frame. */
static void
after_paint_cb (GdkFrameClock *clock,
                Feed          *feed)
{
  guint drawn, made;
  guint64 in = module_items_in (feed->window, "count");

  sluice_canvas_run_overlay_get_label_counts (sluice_window_get_run_overlay (feed->window), &drawn, &made);
  if (drawn != feed->last_labels_drawn && in != feed->last_in)
    feed->frames++;
  if (g_getenv ("DEBUG_FRAMES"))
    g_printerr ("frame: drawn %u in %" PRIu64 " fed %u frames %u\n", drawn, in, feed->next_id, feed->frames);
  feed->last_labels_drawn = drawn;
  feed->last_in = in;
}

static gboolean
frames_at_least (gpointer data)
{
  Feed *feed = data;

  return feed->frames >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (feed->window), "want-frames"));
}

static void
wait_for_frames (Feed  *feed,
                 guint  n)
{
  g_object_set_data (G_OBJECT (feed->window), "want-frames", GUINT_TO_POINTER (feed->frames + n));
  g_assert_true (test_app_wait_for (frames_at_least, feed, 300000));
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static void
collect_labels (GtkWidget  *widget,
                GPtrArray  *labels)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (labels, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, labels);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many render nodes a tree holds. */
static guint
count_nodes (GskRenderNode *node)
{
  guint n = 1;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i));
      break;
    case GSK_TRANSFORM_NODE:
      n += count_nodes (gsk_transform_node_get_child (node));
      break;
    case GSK_CLIP_NODE:
      n += count_nodes (gsk_clip_node_get_child (node));
      break;
    case GSK_ROUNDED_CLIP_NODE:
      n += count_nodes (gsk_rounded_clip_node_get_child (node));
      break;
    case GSK_OPACITY_NODE:
      n += count_nodes (gsk_opacity_node_get_child (node));
      break;
    case GSK_REPEAT_NODE:
      n += count_nodes (gsk_repeat_node_get_child (node));
      break;
    default:
      break;
    }
  return n;
}

/* What the canvas gives the renderer now: the nodes of one snapshot. */
static guint
canvas_nodes (SluiceCanvas *canvas)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  GTK_WIDGET_GET_CLASS (canvas)->snapshot (GTK_WIDGET (canvas), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  return node != NULL ? count_nodes (node) : 0;
}

/* The pictures the window's picture bins (around the palette and the
 * inspector) rendered so far, all together; @n_bins: how many bins. */
static guint
bin_pictures (GtkWidget *widget,
              guint     *n_bins)
{
  guint n = 0;

  if (SLUICE_IS_PICTURE_BIN (widget))
    {
      (*n_bins)++;
      n += sluice_picture_bin_get_n_pictures (SLUICE_PICTURE_BIN (widget));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += bin_pictures (child, n_bins);
  return n;
}

/* The texts of the labels in @labels, one string. */
static char *
labels_text (GPtrArray *labels)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < labels->len; i++)
    g_string_append_printf (s, "%s|", gtk_label_get_text (labels->pdata[i]));
  return g_string_free (s, FALSE);
}

static void
test_frames_draw_only_what_changed (void)
{
  /* One module counts every item; the branch of the condition is never
   * taken, so its eight modules keep their "idle" badges: most labels
   * of a frame do not change, like those of a big pipeline where a few
   * modules work at a time. */
  GString *xml = g_string_new ("<pipeline format='1' id='frames'>"
                               "<controller id='stage' mode='not-parallel'><phase id='p'>"
                               "<execution id='count'><lua>item.n = 1</lua></execution>"
                               "<condition id='never'><when>item.id &lt; 0</when><then>");
  g_autofree char *path = g_build_filename (tmp_dir, "frames.xml", NULL);
  g_autofree char *fifo = g_build_filename (tmp_dir, "items.fifo", NULL);
  g_autofree char *hash = NULL;
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(GPtrArray) cells_before = g_ptr_array_new ();
  g_autoptr(GPtrArray) cells_after = g_ptr_array_new ();
  g_autofree char *cells_text_before = NULL;
  g_autofree char *cells_text_after = NULL;
  SluiceCanvasRunOverlay *overlay;
  SluiceCanvas *canvas;
  GdkFrameClock *clock;
  GtkWidget *stages;
  Feed feed = { 0 };
  guint scene_draws, drawn0, made0, drawn1, made1, drawn2, made2, pictures, n_bins = 0;
  guint64 in, out;
  gint64 elapsed;

  for (guint i = 0; i < 8; i++)
    g_string_append_printf (xml, "<execution id='idle%u'><lua>item.x = %u</lua></execution>", i, i);
  g_string_append (xml, "</then></condition></phase></controller></pipeline>");
  g_assert_true (g_file_set_contents (path, xml->str, -1, NULL));
  g_string_free (xml, TRUE);
  feed.window = test_app_open_window (app, path);
  hash = sluice_trust_hash (sluice_document_get_pipeline (sluice_window_get_document (feed.window)));
  g_assert_true (sluice_trust_remember (hash, NULL));
  gtk_window_set_default_size (GTK_WINDOW (feed.window), 1280, 800);
  test_app_spin (200);
  canvas = sluice_window_get_canvas (feed.window);
  overlay = sluice_window_get_run_overlay (feed.window);

  /* Opened for writing and reading both, the FIFO does not block its
   * reader's open, and the run sees its end when the test closes it. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  feed.fd = open (fifo, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (feed.fd, >=, 0);
  choice->input = SLUICE_RUN_INPUT_FILE;
  choice->input_path = g_strdup (fifo);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (feed.window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &feed);
  sluice_window_run_with_choice (feed.window, choice);
  feed.feeder = g_timeout_add (20, feed_cb, &feed);

  /* The run's first frames: the canvas draws its scene into its kept
   * picture once. */
  wait_for_frames (&feed, 2);
  scene_draws = sluice_canvas_get_n_scene_draws (canvas);
  sluice_canvas_run_overlay_get_label_counts (overlay, &drawn0, &made0);
  pictures = bin_pictures (GTK_WIDGET (feed.window), &n_bins);
  stages = find_named (GTK_WIDGET (feed.window), "run-stages");
  g_assert_nonnull (stages);
  collect_labels (stages, cells_before);
  cells_text_before = labels_text (cells_before);

  /* Frames while the counters change. */
  wait_for_frames (&feed, 6);
  sluice_canvas_run_overlay_get_label_counts (overlay, &drawn1, &made1);
  g_test_message ("%u frames with new counters; scene drawn %u times before, %u after; labels drawn %u, laid out %u",
                  feed.frames, scene_draws, sluice_canvas_get_n_scene_draws (canvas), drawn1 - drawn0, made1 - made0);
  /* The scene was not drawn again: its picture was. */
  g_assert_cmpuint (sluice_canvas_get_n_scene_draws (canvas), ==, scene_draws);
  /* What the renderer gets from the canvas while the run goes: its
   * picture, one texture, not the scene's nodes (hundreds here). */
  {
    guint nodes = canvas_nodes (canvas);

    g_test_message ("the canvas gives the renderer %u nodes during the run", nodes);
    g_assert_cmpuint (nodes, <=, 2);
  }
  /* The palette and the inspector, locked during the run, are each one
   * picture, made when they were locked and not again. */
  {
    guint n = 0;

    g_test_message ("%u picture bins: %u pictures at the start, %u now", n_bins, pictures,
                    bin_pictures (GTK_WIDGET (feed.window), &n));
    g_assert_cmpuint (n_bins, ==, 2);
    g_assert_cmpuint (pictures, >=, 2);
    g_assert_cmpuint (bin_pictures (GTK_WIDGET (feed.window), &n), ==, pictures);
  }
  /* The counters' labels changed and were laid out again; the badges
   * ("idle", "running") were not: at most half of what was drawn. */
  g_assert_cmpuint (made1 - made0, >, 0);
  g_assert_cmpuint (2 * (made1 - made0), <, drawn1 - drawn0);

  /* The log's scrollbar stays: an overlay one would show itself and
   * fade out as rows come, a frame of the whole window each step of the
   * fade (bench-live-run painted 21 frames in a run, 10 without). */
  {
    GtkWidget *log = find_named (GTK_WIDGET (feed.window), "run-log");

    g_assert_true (GTK_IS_SCROLLED_WINDOW (log));
    g_assert_false (gtk_scrolled_window_get_overlay_scrolling (GTK_SCROLLED_WINDOW (log)));
  }

  /* The stages table: the same cells, showing new counts. */
  collect_labels (stages, cells_after);
  cells_text_after = labels_text (cells_after);
  g_test_message ("stage cells: %s → %s", cells_text_before, cells_text_after);
  g_assert_cmpuint (cells_after->len, ==, cells_before->len);
  for (guint i = 0; i < cells_before->len; i++)
    g_assert_true (cells_after->pdata[i] == cells_before->pdata[i]);
  g_assert_cmpstr (cells_text_after, !=, cells_text_before);

  /* The end of the input ends the run; every count is exact. */
  g_clear_handle_id (&feed.feeder, g_source_remove);
  g_assert_cmpint (close (feed.fd), ==, 0);
  feed.fd = -1;
  g_assert_true (test_app_wait_for (run_final, feed.window, 300000));
  test_app_spin (400);
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (feed.window)), ==,
                   SLUICE_RUN_COMPLETED);
  sluice_run_session_get_totals (sluice_window_get_run_session (feed.window), &in, &out, &elapsed);
  g_assert_cmpuint (in, ==, feed.next_id);
  g_assert_cmpuint (out, ==, feed.next_id);
  g_assert_cmpuint (module_items_in (feed.window, "count"), ==, feed.next_id);
  {
    g_autofree char *label = sluice_canvas_run_overlay_dup_label (overlay, sluice_pipeline_find_node (
      sluice_document_get_pipeline (sluice_window_get_document (feed.window)), "count"));

    g_assert_cmpstr (label, ==, "done");
  }

  /* Frames of a run that is over, nothing changing: nothing laid out. */
  sluice_canvas_run_overlay_get_label_counts (overlay, &drawn1, &made1);
  for (guint i = 0; i < 3; i++)
    {
      gtk_widget_queue_draw (GTK_WIDGET (overlay));
      test_app_spin (100);
    }
  sluice_canvas_run_overlay_get_label_counts (overlay, &drawn2, &made2);
  g_test_message ("after the run: labels drawn %u, laid out %u", drawn2 - drawn1, made2 - made1);
  g_assert_cmpuint (drawn2, >, drawn1);
  g_assert_cmpuint (made2, ==, made1);
  /* Once the run is over the canvas draws its scene as it is again. */
  g_assert_cmpuint (canvas_nodes (canvas), >, 20);

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, &feed);
  sluice_document_discard_draft (sluice_window_get_document (feed.window));
  gtk_window_destroy (GTK_WINDOW (feed.window));
  test_app_spin (20);
  g_unlink (fifo);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-run-frames");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-run-frames/draw-only-what-changed", test_frames_draw_only_what_changed);
  ret = g_test_run ();
  g_object_unref (app);
  g_rmdir (tmp_dir);
  return ret;
}
