/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-json-alloc.h"
#include "sluice-json.h"

/* The per-thread cache of jansson's blocks: items made and freed on
 * threads in every pattern stay whole, memory stays bounded. */

static json_t *made_before_install;

/* Under AddressSanitizer the cache is not installed and freed memory
 * waits in ASan's quarantine (256 MB): memory bounds say nothing there,
 * the items are still checked. */
#if defined(__SANITIZE_ADDRESS__)
#define ASSERT_RSS_BELOW(rss, bound) ((void) (rss), (void) (bound))
#else
#define ASSERT_RSS_BELOW(rss, bound) g_assert_cmpuint ((rss), <, (bound))
#endif

static gsize
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static json_t *
make_item (guint i)
{
  json_t *item = json_object ();
  char name[32];

  g_snprintf (name, sizeof name, "item %u", i);
  json_object_set_new (item, "id", json_integer (i));
  json_object_set_new (item, "name", json_string (name));
  json_object_set_new (item, "price", json_real (i * 0.25));
  json_object_set_new (item, "long", json_string ("a string longer than the cached sizes, so that its block "
                                                  "goes to malloc and free as it is, past the classes of the cache; "
                                                  "a few more words to be sure of it, well past 256 bytes in all."));
  return item;
}

static void
check_item (json_t *item,
            guint   i)
{
  char name[32];

  g_snprintf (name, sizeof name, "item %u", i);
  g_assert_cmpint (json_integer_value (json_object_get (item, "id")), ==, i);
  g_assert_cmpstr (json_string_value (json_object_get (item, "name")), ==, name);
  g_assert_cmpfloat (json_real_value (json_object_get (item, "price")), ==, i * 0.25);
}

/* Made, checked and freed in waves, as the steps do; a dump freed with
 * free(), as jansson documents; an item made with plain malloc before
 * the cache was installed is freed through it. */
static void
test_waves (void)
{
  json_decref (g_steal_pointer (&made_before_install));

  for (guint wave = 0; wave < 20; wave++)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new ();

      for (guint i = 0; i < 5000; i++)
        g_ptr_array_add (items, make_item (wave * 5000 + i));
      for (guint i = 0; i < items->len; i++)
        {
          char *text = json_dumps (items->pdata[i], JSON_COMPACT);

          check_item (items->pdata[i], wave * 5000 + i);
          g_assert_nonnull (strstr (text, "\"id\":"));
          free (text);
          json_decref (items->pdata[i]);
        }
    }
}

typedef struct
{
  GAsyncQueue *queue;
  guint        count;
} Consumer;

static gpointer
consume (gpointer data)
{
  Consumer *consumer = data;

  for (guint i = 0; i < consumer->count; i++)
    {
      json_t *item = g_async_queue_pop (consumer->queue);

      check_item (item, i);
      json_decref (item);
    }
  return NULL;
}

/* Items made on one thread and freed on another: the freeing thread's
 * cache fills to its bound, the rest go to free(); memory does not grow
 * with the number of items. */
static void
test_made_here_freed_there (void)
{
  const guint count = 400000;
  Consumer consumer = { g_async_queue_new (), count };
  GThread *thread;
  gsize rss_after_first = 0;

  thread = g_thread_new ("consumer", consume, &consumer);
  for (guint i = 0; i < count; i++)
    {
      g_async_queue_push (consumer.queue, make_item (i));
      /* Not too far ahead of the consumer. */
      while (g_async_queue_length (consumer.queue) > 2000)
        g_thread_yield ();
      if (i == count / 4)
        rss_after_first = rss_kb ();
    }
  g_thread_join (thread);
  g_async_queue_unref (consumer.queue);
  /* 300,000 items of about 500 bytes came and went since: 150 MB if
   * they were kept. */
  ASSERT_RSS_BELOW (rss_kb (), rss_after_first + 40 * 1024);
}

static gpointer
churn (gpointer data)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);

  for (guint i = 0; i < 3000; i++)
    g_ptr_array_add (items, make_item (i));
  g_ptr_array_set_size (items, 0);
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (items, make_item (i));
  return NULL;
}

/* A thread's cache is given back when the thread ends: 300 threads that
 * each leave a full cache behind would hold ~300 MB. */
static void
test_thread_end_gives_back (void)
{
  gsize before;

  g_thread_join (g_thread_new ("warm", churn, NULL));
  before = rss_kb ();
  for (guint i = 0; i < 300; i++)
    g_thread_join (g_thread_new ("churn", churn, NULL));
  ASSERT_RSS_BELOW (rss_kb (), before + 60 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  made_before_install = make_item (7);
  sluice_json_alloc_install ();
  g_test_add_func ("/json-alloc/waves", test_waves);
  g_test_add_func ("/json-alloc/made-here-freed-there", test_made_here_freed_there);
  g_test_add_func ("/json-alloc/thread-end-gives-back", test_thread_end_gives_back);
  return g_test_run ();
}
