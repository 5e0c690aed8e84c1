/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-fifo-reader.h"

struct _TestFifoReader
{
  char    *path;
  gint64   delay_us;
  gint     opened;   /* atomic */
  char    *read;
  GThread *thread;
};

static gpointer
read_thread (gpointer data)
{
  TestFifoReader *self = data;
  g_autoptr(GError) error = NULL;

  if (self->delay_us > 0)
    g_usleep (self->delay_us);
  /* Set before: the writer's open() returns only once this one is
   * called, and this thread may be scheduled late after it. A FIFO is
   * read to its end (the writer's close) like a file. */
  g_atomic_int_set (&self->opened, TRUE);
  g_file_get_contents (self->path, &self->read, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

TestFifoReader *
test_fifo_reader_start (const char *path,
                        gint64      delay_us)
{
  TestFifoReader *self = g_new0 (TestFifoReader, 1);

  self->path = g_strdup (path);
  self->delay_us = delay_us;
  self->thread = g_thread_new ("fifo-reader", read_thread, self);
  return self;
}

gboolean
test_fifo_reader_opened (TestFifoReader *self)
{
  return g_atomic_int_get (&self->opened);
}

char *
test_fifo_reader_finish (TestFifoReader *self)
{
  char *read;

  g_thread_join (self->thread);
  read = g_steal_pointer (&self->read);
  g_free (self->path);
  g_free (self);
  return read;
}
