/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <libsoup/soup.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "sluice-keep-alive.h"

/* The keep-alive workaround for libsoup < 3.3 (sluice-keep-alive.c)
 * against real clients on raw loopback sockets, with libsoup's server in
 * this process, so that the connections it keeps open can be counted
 * (this process's sockets, from /proc/self/fd).
 *
 * On libsoup ≥ 3.3 the workaround does nothing and these cases test
 * libsoup itself. */

typedef struct
{
  SoupServer *server;
  guint16     port;
  guint       sockets;     /* this process's sockets once listening */
  guint       answered;    /* requests answered */
  gboolean    async;       /* answer from the main loop, as serve does */
} Fixture;

/* Sockets open in this process. */
static guint
open_sockets (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }
  return n;
}

static gboolean
answer_later_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *answer = g_strdup_printf ("[%.*s]", (int) body->length, body->data != NULL ? body->data : "");

  fixture->answered++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, answer, strlen (answer));
  if (fixture->async)
    {
      soup_server_message_pause (msg);
      g_timeout_add (5, answer_later_cb, g_object_ref (msg));
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->async = GPOINTER_TO_INT (data);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handler_cb, fixture, NULL);
  sluice_keep_alive_install (fixture->server);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fixture->sockets = open_sockets ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
}

static int
connect_raw (Fixture *fixture)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (fixture->port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return fd;
}

static void
send_all (int         fd,
          const char *text)
{
  gsize length = strlen (text), sent = 0;

  while (sent < length)
    {
      gssize n = send (fd, text + sent, length - sent, MSG_NOSIGNAL);

      g_assert_cmpint (n, >, 0);
      sent += n;
    }
}

/* Closes @fd with a reset (SO_LINGER 0) rather than a FIN. */
static void
reset (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

/* Turns the main loop until @condition holds, or 30 s pass. */
static gboolean
wait_for (gboolean (*condition) (Fixture *fixture),
          Fixture   *fixture)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (fixture))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

/* Every connection closed: libsoup < 3.3 keeps a connection whose client
 * ended it between requests open for ever (CLOSE-WAIT). */
static gboolean
none_left_open (Fixture *fixture)
{
  return open_sockets () == fixture->sockets;
}

/* Reads from @fd while turning the main loop, until the peer's end of
 * stream (or a reset): everything it sent. */
static char *
read_to_end (Fixture *fixture,
             int      fd)
{
  GString *text = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char buffer[4096];
      gssize n;

      g_main_context_iteration (NULL, FALSE);
      if (poll (&pfd, 1, 1) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (text, FALSE);
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (haystack, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

static const char *FIRST = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
static const char *SECOND = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\n{\"b\":2}";
static const char *THIRD = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\n{\"c\":3}";

/* A client that sends one request, waits for its answer, then sends two
 * more at once (pipelined) and half-closes (shutdown SHUT_WR) before
 * their answers: both are answered, then the connection is closed. The second pair reaches libsoup in one
 * read, so the third request sits in libsoup's buffer while the end of
 * the stream is all the socket still has. */
static void
test_half_close_pipelined (Fixture       *fixture,
                           gconstpointer  data)
{
  for (guint round = 0; round < 20; round++)
    {
      int fd = connect_raw (fixture);
      g_autofree char *pair = g_strconcat (SECOND, THIRD, NULL);
      g_autofree char *answers = NULL;
      GString *first = g_string_new (NULL);

      send_all (fd, FIRST);
      /* Its whole answer, so that the connection waits for the next. */
      while (strstr (first->str, "[{\"a\":1}]") == NULL)
        {
          struct pollfd pfd = { .fd = fd, .events = POLLIN };
          char buffer[1024];
          gssize n;

          g_main_context_iteration (NULL, FALSE);
          if (poll (&pfd, 1, 1) <= 0)
            continue;
          n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
          g_assert_cmpint (n, >, 0);
          g_string_append_len (first, buffer, n);
        }
      g_string_free (first, TRUE);
      /* Let the connection settle in its wait for the next request. */
      for (guint i = 0; i < 10; i++)
        g_main_context_iteration (NULL, FALSE);

      send_all (fd, pair);
      shutdown (fd, SHUT_WR);
      answers = read_to_end (fixture, fd);
      close (fd);
      g_assert_cmpuint (count (answers, "HTTP/1.1 200"), ==, 2);
      g_assert_nonnull (strstr (answers, "[{\"b\":2}]"));
      g_assert_nonnull (strstr (answers, "[{\"c\":3}]"));
    }
  g_assert_true (wait_for (none_left_open, fixture));
}

/* Clients that go by a reset at every point of their first request:
 * right after connecting, in the middle of its headers, after the whole
 * request (before the answer), and after the answer. None is left
 * open, and the server still answers. */
static void
test_reset_in_first_request (Fixture       *fixture,
                             gconstpointer  data)
{
  for (guint round = 0; round < 20; round++)
    {
      int fd;

      fd = connect_raw (fixture);
      reset (fd);

      fd = connect_raw (fixture);
      send_all (fd, "POST / HTTP/1.1\r\nHost: 127.");
      for (guint i = 0; i < 5; i++)
        g_main_context_iteration (NULL, FALSE);
      reset (fd);

      /* The request and the reset arrive together: the reset is there
       * before the server accepted the connection. */
      fd = connect_raw (fixture);
      send_all (fd, FIRST);
      reset (fd);

      fd = connect_raw (fixture);
      send_all (fd, FIRST);
      for (guint i = 0; i < 5; i++)
        g_main_context_iteration (NULL, FALSE);
      reset (fd);
    }
  g_assert_true (wait_for (none_left_open, fixture));

  /* Still serving, and keeping a connection between requests. */
  {
    int fd = connect_raw (fixture);
    g_autofree char *both = g_strconcat (FIRST, SECOND, NULL);
    g_autofree char *answers = NULL;

    send_all (fd, both);
    shutdown (fd, SHUT_WR);
    answers = read_to_end (fixture, fd);
    close (fd);
    g_assert_cmpuint (count (answers, "HTTP/1.1 200"), ==, 2);
  }
  g_assert_true (wait_for (none_left_open, fixture));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sluice/keep-alive/half-close-pipelined", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_half_close_pipelined, fixture_tear_down);
  g_test_add ("/sluice/keep-alive/half-close-pipelined-async", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_half_close_pipelined, fixture_tear_down);
  g_test_add ("/sluice/keep-alive/reset-in-first-request", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_reset_in_first_request, fixture_tear_down);
  g_test_add ("/sluice/keep-alive/reset-in-first-request-async", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_reset_in_first_request, fixture_tear_down);
  return g_test_run ();
}
