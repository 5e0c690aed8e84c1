/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "test-fifo-reader.h"

struct _TestFifoReader
{
  char    *path;
  gint64   delay_us;
  gint     opened;   /* atomic */
  GString *read;
  GThread *thread;
};

static gpointer
read_thread (gpointer data)
{
  TestFifoReader *self = data;
  char buffer[4096];
  gssize n;
  int fd;

  if (self->delay_us > 0)
    g_usleep (self->delay_us);
  /* Set before: the writer's open() returns only once this one is
   * called, and this thread may be scheduled late after it. */
  g_atomic_int_set (&self->opened, TRUE);
  fd = g_open (self->path, O_RDONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  while ((n = read (fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (self->read, buffer, n);
  close (fd);
  return NULL;
}

TestFifoReader *
test_fifo_reader_start (const char *path,
                        gint64      delay_us)
{
  TestFifoReader *self = g_new0 (TestFifoReader, 1);

  self->path = g_strdup (path);
  self->delay_us = delay_us;
  self->read = g_string_new (NULL);
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
  read = g_string_free (self->read, FALSE);
  g_free (self->path);
  g_free (self);
  return read;
}
