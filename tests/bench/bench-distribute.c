/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Distributed runs on Redis (issue 15): W1-style items (ten Lua modules,
 * item.value + 1 each) through a real redis-server with 1, 2 and 4
 * `sluice-run worker` processes, against the same pipeline in-process.
 * Prints items/s, the CPU each item cost (our processes and Redis), the
 * added latency per item (one item in flight at a time), the overhead
 * ratio and the machine's load average (shared machines skew wall time;
 * CPU per item does not depend on it).
 *
 * Run: meson compile -C BUILD bench-distribute sluice-run &&
 *      SLUICE_RUN=BUILD/src/runner/sluice-run BUILD/tests/bench-distribute [ITEMS] */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "test-redis.h"

static char *tmpdir;
static const char *sluice_run;

static char *
write_file (const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  if (!g_file_set_contents (path, text, -1, NULL))
    g_error ("cannot write %s", path);
  return g_steal_pointer (&path);
}

static char *
w1_pipeline (const char *id,
             const char *mode)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("%s.xml", id);

  g_string_append_printf (xml, "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"%s\">\n"
                          "<controller id=\"c\" mode=\"%s\"%s><phase id=\"p\">\n",
                          id, mode, g_str_equal (mode, "no-order") ? " workers=\"1\"" : "");
  for (int i = 0; i < 10; i++)
    g_string_append_printf (xml, "<execution id=\"m%d\"><lua>item.value = item.value + 1</lua></execution>\n", i);
  g_string_append (xml, "</phase></controller>\n</pipeline>\n");
  return write_file (name, xml->str);
}

static double
children_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double
redis_cpu (SluiceTestRedis *redis)
{
  redisReply *reply = sluice_test_redis_command (redis, "INFO cpu");
  double user = 0, sys = 0;
  const char *p;

  if ((p = strstr (reply->str, "used_cpu_user:")) != NULL)
    user = g_ascii_strtod (p + strlen ("used_cpu_user:"), NULL);
  if ((p = strstr (reply->str, "used_cpu_sys:")) != NULL)
    sys = g_ascii_strtod (p + strlen ("used_cpu_sys:"), NULL);
  freeReplyObject (reply);
  return user + sys;
}

static GSubprocess *
spawn (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) sluice_run);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (process == NULL)
    g_error ("%s", error->message);
  return process;
}

/* Runs sluice-run to the end; its wall time in s. */
static double
timed_run (const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  gint64 start = g_get_monotonic_time ();

  process = spawn (args);
  if (!g_subprocess_wait_check (process, NULL, NULL))
    g_error ("sluice-run %s failed", args[0]);
  return (g_get_monotonic_time () - start) / 1e6;
}

typedef struct
{
  double wall;
  double cpu_ours;   /* producer and workers, s */
  double cpu_redis;  /* s */
} Figures;

static Figures
distributed (SluiceTestRedis *redis,
             const char      *pipeline,
             const char      *input,
             guint            workers)
{
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *output = g_build_filename (tmpdir, "out.jsonl", NULL);
  Figures figures;
  double cpu0, redis0;

  freeReplyObject (sluice_test_redis_command (redis, "FLUSHALL"));
  cpu0 = children_cpu ();
  redis0 = redis_cpu (redis);
  for (guint i = 0; i < workers; i++)
    g_ptr_array_add (procs, spawn ((const char *[]) { "worker", "-q", "--redis", sluice_test_redis_get_url (redis),
                                                      pipeline, NULL }));
  g_usleep (300 * 1000);
  figures.wall = timed_run ((const char *[]) { "-q", "--distribute", sluice_test_redis_get_url (redis),
                                               pipeline, "-i", input, "-o", output, NULL });
  for (guint i = 0; i < procs->len; i++)
    {
      g_subprocess_send_signal (g_ptr_array_index (procs, i), SIGTERM);
      g_subprocess_wait (g_ptr_array_index (procs, i), NULL, NULL);
    }
  figures.cpu_ours = children_cpu () - cpu0;
  figures.cpu_redis = redis_cpu (redis) - redis0;
  return figures;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 200000;
  guint n_latency = 2000;
  g_autoptr(SluiceTestRedis) redis = NULL;
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *pipeline = NULL, *serial = NULL, *input = NULL, *few = NULL, *output = NULL;
  g_autofree char *loadavg = NULL;
  double in_wall, in_cpu, cpu0, serial_in, serial_dist;
  Figures two = { 0 };

  g_test_init (&argc, &argv, NULL);
  sluice_run = g_getenv ("SLUICE_RUN");
  if (sluice_run == NULL)
    g_error ("set SLUICE_RUN to the sluice-run to measure");
  tmpdir = g_dir_make_tmp ("sluice-bench-distribute-XXXXXX", NULL);
  redis = sluice_test_redis_start (FALSE);
  if (redis == NULL)
    return 1;

  pipeline = w1_pipeline ("bench-w1", "no-order");
  serial = w1_pipeline ("bench-w1-serial", "not-parallel");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (items, "{\"value\":%u}\n", i);
  input = write_file ("in.jsonl", items->str);
  g_string_truncate (items, 0);
  for (guint i = 0; i < n_latency; i++)
    g_string_append_printf (items, "{\"value\":%u}\n", i);
  few = write_file ("few.jsonl", items->str);
  output = g_build_filename (tmpdir, "in-process.jsonl", NULL);

  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  printf ("distributed W1 (10 Lua modules), %u items; load average at start: %.14s\n", n, loadavg ? loadavg : "?");

  cpu0 = children_cpu ();
  in_wall = timed_run ((const char *[]) { "-q", pipeline, "-i", input, "-o", output, NULL });
  in_cpu = children_cpu () - cpu0;
  printf ("in-process   %8.0f items/s  CPU %5.1f µs/item\n", n / in_wall, in_cpu * 1e6 / n);

  for (guint workers = 1; workers <= 4; workers *= 2)
    {
      Figures f = distributed (redis, pipeline, input, workers);

      if (workers == 2)
        two = f;
      printf ("%u worker%s    %8.0f items/s  CPU %5.1f µs/item (sluice %5.1f + redis %5.1f)  wall %.2fx in-process\n",
              workers, workers > 1 ? "s" : " ", n / f.wall, (f.cpu_ours + f.cpu_redis) * 1e6 / n,
              f.cpu_ours * 1e6 / n, f.cpu_redis * 1e6 / n, f.wall / in_wall);
    }

  /* One item in flight at a time (not-parallel): what Redis adds to each. */
  serial_in = timed_run ((const char *[]) { "-q", serial, "-i", few, "-o", output, NULL });
  {
    Figures f = distributed (redis, serial, few, 1);

    serial_dist = f.wall;
  }
  printf ("latency      not-parallel, %u items: in-process %.0f µs/item, through Redis %.0f µs/item: +%.0f µs/item\n",
          n_latency, serial_in * 1e6 / n_latency, serial_dist * 1e6 / n_latency,
          (serial_dist - serial_in) * 1e6 / n_latency);
  printf ("target       ≥ 50000 items/s with 2 workers: %s (%.0f)\n",
          n / two.wall >= 50000 ? "met" : "NOT met", n / two.wall);
  g_free (loadavg);
  loadavg = NULL;
  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  printf ("load average at end: %.14s\n", loadavg ? loadavg : "?");

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (tmpdir);
  }
  return 0;
}
