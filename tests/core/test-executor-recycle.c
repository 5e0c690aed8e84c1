/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-queue.h"
#include "sluice-free-list.h"
#include "test-executor-common.h"

/* The executor keeps the links of its queues and its job and origin
 * blocks for reuse (sluice-executor-queue.h, sluice-free-list.h): a queue
 * stays a GQueue whoever takes a link off, the kept ones stay bounded,
 * and runs that go beyond the bounds (a fan-out of thousands, 3,000
 * items queued at once) lose, reorder or leak nothing. */

static void
check_queue (GQueue  *queue,
             guint    first,
             guint    n)
{
  guint i = first;

  g_assert_cmpuint (g_queue_get_length (queue), ==, n);
  g_assert_true (n == 0 ? queue->head == NULL && queue->tail == NULL
                        : queue->head->prev == NULL && queue->tail->next == NULL);
  for (GList *l = queue->head; l != NULL; l = l->next, i++)
    {
      g_assert_cmpuint (GPOINTER_TO_UINT (l->data), ==, i);
      g_assert_true (l->next == NULL || l->next->prev == l);
    }
  g_assert_cmpuint (i, ==, first + n);
}

static void
test_spare_links (void)
{
  SluiceSpareLinks spare = { NULL, 0 };
  GQueue a = G_QUEUE_INIT, b = G_QUEUE_INIT;
  guint next_a = 1, next_b = 1, head_a = 1, head_b = 1;

  g_assert_null (sluice_spare_links_pop (&spare, &a));
  for (guint round = 0; round < 4; round++)
    {
      /* More than the list keeps, in two queues at once. */
      for (guint i = 0; i < SLUICE_SPARE_LINKS_MAX + 500; i++)
        {
          sluice_spare_links_push (&spare, &a, GUINT_TO_POINTER (next_a++));
          if (i % 3 == 0)
            sluice_spare_links_push (&spare, &b, GUINT_TO_POINTER (next_b++));
        }
      check_queue (&a, head_a, next_a - head_a);
      check_queue (&b, head_b, next_b - head_b);
      /* Taken off both ways: GQueue's own calls free the link. */
      while (!g_queue_is_empty (&a))
        {
          gpointer data = head_a % 2 ? sluice_spare_links_pop (&spare, &a) : g_queue_pop_head (&a);

          g_assert_cmpuint (GPOINTER_TO_UINT (data), ==, head_a);
          head_a++;
          g_assert_cmpuint (spare.length, <=, SLUICE_SPARE_LINKS_MAX);
        }
      check_queue (&a, head_a, 0);
      for (guint i = 0; i < 100 && !g_queue_is_empty (&b); i++)
        g_assert_cmpuint (GPOINTER_TO_UINT (sluice_spare_links_pop (&spare, &b)), ==, head_b++);
      check_queue (&b, head_b, next_b - head_b);
    }
  g_queue_clear (&b);
  sluice_spare_links_clear (&spare);
  g_assert_null (spare.head);
  g_assert_cmpuint (spare.length, ==, 0);
}

static void
test_free_list (void)
{
  SluiceFreeList list = { NULL, 0 };
  g_autoptr(GPtrArray) blocks = g_ptr_array_new ();

  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < SLUICE_FREE_LIST_MAX + 300; i++)
        {
          guint64 *block = sluice_free_list_take (&list, 4 * sizeof (guint64));

          /* The whole block is the caller's. */
          for (guint k = 0; k < 4; k++)
            block[k] = i * 4 + k;
          g_ptr_array_add (blocks, block);
        }
      for (guint i = 0; i < blocks->len; i++)
        {
          guint64 *block = g_ptr_array_index (blocks, i);

          g_assert_cmpuint (block[3], ==, i * 4 + 3);
          sluice_free_list_give (&list, block);
          g_assert_cmpuint (list.length, <=, SLUICE_FREE_LIST_MAX);
        }
      g_assert_cmpuint (list.length, ==, MIN (blocks->len, SLUICE_FREE_LIST_MAX));
      g_ptr_array_set_size (blocks, 0);
    }
  sluice_free_list_clear (&list);
  g_assert_null (list.head);
  g_assert_cmpuint (list.length, ==, 0);
}

/* 3,000 items through two controllers, each fanned out to 3 and back
 * to one, then 5,000 children of one item: every output, in order. */
static void
test_beyond_bounds (void)
{
  g_autofree char *input = test_items (3000);
  TestRun *run = test_run_body ("<controller id=\"a\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"fan\"><lua>for k = 1, 3 do emit ({id = item.id, k = k}) end</lua></execution>"
                                "<execution id=\"back\"><lua>if item.k ~= 2 then return false end</lua></execution>"
                                "</phase></controller>"
                                "<controller id=\"b\" mode=\"not-parallel\"><phase id=\"q\">"
                                "<execution id=\"many\"><lua>if item.id == 7 then for k = 1, 5000 do emit ({id = 7, k = k}) end "
                                "return false end item.value = item.id + 1</lua></execution>"
                                "</phase></controller>",
                                input);
  guint i = 0;

  g_assert_cmpuint (run->outputs->len, ==, 2999 + 5000);
  for (guint id = 0; id < 3000; id++)
    {
      if (id == 7)
        {
          for (guint k = 1; k <= 5000; k++, i++)
            {
              g_assert_cmpint (test_output_int (run, i, "id"), ==, 7);
              g_assert_cmpint (test_output_int (run, i, "k"), ==, k);
            }
          continue;
        }
      g_assert_cmpint (test_output_int (run, i, "id"), ==, id);
      g_assert_cmpint (test_output_int (run, i, "value"), ==, id + 1);
      i++;
    }
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/executor-recycle/spare-links", test_spare_links);
  g_test_add_func ("/executor-recycle/free-list", test_free_list);
  g_test_add_func ("/executor-recycle/beyond-bounds", test_beyond_bounds);
  return g_test_run ();
}
