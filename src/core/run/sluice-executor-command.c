/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sluice-executor-private.h"
#include "sluice-json.h"

/* Standard error is kept for the failure message, but only its end: a
 * command that writes 100 MB of it must not cost 100 MB. */
#define STDERR_TAIL (64 * 1024)
/* Standard output becomes items; beyond this it is a failure. */
#define MAX_STDOUT (256 * 1024 * 1024)
#define READ_CHUNK 65536

struct _Command
{
  SluiceExecutor *executor;     /* owned ref: it outlives its commands */
  Token          *token;        /* owned until done */
  GSubprocess    *process;
  GPid            pid;
  GCancellable   *cancellable;
  char           *line;         /* the item as one JSON line */
  GByteArray     *out;
  GByteArray     *err;          /* the tail of stderr */
  gboolean        err_truncated;
  guint           pending;      /* stdin, stdout, stderr, wait */
  gint64          started;
  gpointer        timer;
  char           *kill_reason;  /* set when we killed it */
};

static void command_step_done (Command *command);

Token *
sluice_command_get_token (Command *command)
{
  return command->token;
}

static void
child_setup_cb (gpointer user_data)
{
  /* Its own process group, so that a kill reaches whatever the shell
   * started too and no child outlives a cancelled run. */
  setpgid (0, 0);
}

static void
kill_group (Command *command)
{
  if (command->pid > 0)
    kill (-command->pid, SIGKILL);
}

void
sluice_command_kill (Command    *command,
                     const char *reason)
{
  if (command->kill_reason == NULL)
    command->kill_reason = g_strdup (reason);
  kill_group (command);
  if (command->process != NULL)
    g_subprocess_force_exit (command->process);
}

static void
timeout_cb (SluiceExecutor *self,
            gpointer        data)
{
  Command *command = data;
  ModuleInfo *info;
  g_autofree char *reason = NULL;

  command->timer = NULL;
  info = sluice_executor_get_module_info (self, program_step (command->token->job->prog,
                                                              command->token->pc)->mod);
  reason = g_strdup_printf ("timed out after %" G_GINT64_FORMAT " ms",
                            info->timeout_us / 1000);
  sluice_command_kill (command, reason);
}

static void
stdin_written_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Command *command = user_data;

  /* A command may well exit without reading its input (EPIPE): that is
   * not an error of ours; its exit status tells. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (source), NULL, NULL);
  command_step_done (command);
}

static void read_more (Command *command, GInputStream *stream, gboolean is_err);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Command *command = user_data;
  GInputStream *stream = G_INPUT_STREAM (source);
  gboolean is_err = stream == g_subprocess_get_stderr_pipe (command->process);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (stream, result, &error);
  gsize size;
  const guint8 *data;

  /* A read that fails is not the end of the output: what was lost would
   * otherwise pass for a shorter result. A cancelled read is ours. */
  if (bytes == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *reason = g_strdup_printf ("reading its %s failed: %s",
                                                 is_err ? "standard error" : "output",
                                                 error->message);
      sluice_command_kill (command, reason);
    }
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      command_step_done (command);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (is_err)
    {
      g_byte_array_append (command->err, data, size);
      if (command->err->len > 2 * STDERR_TAIL)
        {
          g_byte_array_remove_range (command->err, 0, command->err->len - STDERR_TAIL);
          command->err_truncated = TRUE;
        }
    }
  else
    {
      if (command->out->len + size > MAX_STDOUT)
        sluice_command_kill (command, "printed more than 256 MiB");
      else
        g_byte_array_append (command->out, data, size);
    }

  read_more (command, stream, is_err);
}

static void
read_more (Command      *command,
           GInputStream *stream,
           gboolean      is_err)
{
  g_input_stream_read_bytes_async (stream, READ_CHUNK, G_PRIORITY_DEFAULT_IDLE,
                                   command->cancellable, read_cb, command);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Command *command = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  /* Whatever it left running in its group goes with it; that also
   * closes pipes a background grandchild would keep open. */
  kill_group (command);
  command_step_done (command);
}

static char *
stderr_tail (Command *command)
{
  gsize start = 0;

  if (command->err->len == 0)
    return NULL;
  if (command->err->len > STDERR_TAIL)
    start = command->err->len - STDERR_TAIL;

  return g_strdup_printf ("%s%.*s",
                          command->err_truncated || start > 0 ? "…" : "",
                          (int) (command->err->len - start),
                          (const char *) command->err->data + start);
}

/* Turns standard output into items; FALSE with @message on a bad line. */
static GPtrArray *
parse_outputs (Command  *command,
               char    **message)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  const char *p = (const char *) command->out->data;
  const char *end = p + command->out->len;
  guint line_no = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *q = p;
      json_error_t jerror;
      json_t *item;

      line_no++;
      while (q < line_end && g_ascii_isspace (*q))
        q++;
      if (q == line_end)
        {
          p = line_end + 1;
          continue;
        }

      item = json_loadb (p, line_end - p, JSON_DECODE_ANY, &jerror);
      if (item == NULL || !json_is_object (item))
        {
          g_autofree char *shown = g_strndup (p, MIN (line_end - p, 80));

          *message = item == NULL
            ? g_strdup_printf ("printed a line that is not JSON (output line %u: %s): %s",
                               line_no, jerror.text, shown)
            : g_strdup_printf ("printed a JSON value that is not an object (output line %u): %s",
                               line_no, shown);
          if (item != NULL)
            json_decref (item);
          g_ptr_array_unref (items);
          return NULL;
        }
      g_ptr_array_add (items, item);
      p = line_end + 1;
    }

  return items;
}

static void
command_finish (Command *command)
{
  SluiceExecutor *self = command->executor;
  Token *token = g_steal_pointer (&command->token);
  GPtrArray *outputs = NULL;
  g_autofree char *message = NULL;

  if (command->timer != NULL)
    sluice_executor_remove_timer (self, command->timer);

  if (command->kill_reason != NULL)
    message = g_strdup (command->kill_reason);
  else if (g_subprocess_get_if_signaled (command->process))
    {
      int sig = g_subprocess_get_term_sig (command->process);
      message = g_strdup_printf ("was killed by signal %d (%s)", sig, g_strsignal (sig));
    }
  else if (g_subprocess_get_exit_status (command->process) != 0)
    message = g_strdup_printf ("exited with status %d",
                               g_subprocess_get_exit_status (command->process));
  else
    outputs = parse_outputs (command, &message);

  if (message != NULL)
    {
      token->error = g_steal_pointer (&message);
      token->stderr_tail = stderr_tail (command);
    }

  sluice_executor_command_done (self, command, token, outputs, g_get_monotonic_time () - command->started);

  g_clear_object (&command->process);
  g_clear_object (&command->cancellable);
  g_byte_array_unref (command->out);
  g_byte_array_unref (command->err);
  g_free (command->line);
  g_free (command->kill_reason);
  g_object_unref (command->executor);
  g_free (command);
}

static void
command_step_done (Command *command)
{
  g_assert (command->pending > 0);
  if (--command->pending == 0)
    command_finish (command);
}

Command *
sluice_command_start (SluiceExecutor *self,
                      const char     *command_line,
                      const char     *directory,
                      Token          *token,
                      gint64          timeout_us)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Command *command = g_new0 (Command, 1);
  const char *pid_str;
  size_t len;

  command->executor = g_object_ref (self);
  command->token = token;
  command->cancellable = g_cancellable_new ();
  command->out = g_byte_array_new ();
  command->err = g_byte_array_new ();
  command->started = g_get_monotonic_time ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  if (directory != NULL)
    g_subprocess_launcher_set_cwd (launcher, directory);

  command->process = g_subprocess_launcher_spawn (launcher, &error,
                                                  "/bin/sh", "-c", command_line, NULL);
  if (command->process == NULL)
    {
      command->kill_reason = g_strdup_printf ("could not start: %s", error->message);
      command->pending = 1;
      command->process = NULL;
      /* Report asynchronously-ish but simply: finish right away. */
      token->error = g_steal_pointer (&command->kill_reason);
      command->token = NULL;
      sluice_executor_command_done (self, NULL, token, NULL, 0);
      g_object_unref (command->executor);
      g_clear_object (&command->cancellable);
      g_byte_array_unref (command->out);
      g_byte_array_unref (command->err);
      g_free (command);
      return NULL;
    }

  pid_str = g_subprocess_get_identifier (command->process);
  command->pid = pid_str != NULL ? (GPid) atoi (pid_str) : 0;

  command->line = sluice_json_dumps (token->item, JSON_COMPACT | JSON_SORT_KEYS);
  len = strlen (command->line);
  command->line = g_realloc (command->line, len + 2);
  command->line[len] = '\n';
  command->line[len + 1] = '\0';

  command->pending = 4;
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (command->process),
                                   command->line, len + 1, G_PRIORITY_DEFAULT_IDLE,
                                   command->cancellable, stdin_written_cb, command);
  read_more (command, g_subprocess_get_stdout_pipe (command->process), FALSE);
  read_more (command, g_subprocess_get_stderr_pipe (command->process), TRUE);
  g_subprocess_wait_async (command->process, NULL, wait_cb, command);

  if (timeout_us > 0)
    command->timer = sluice_executor_add_timer (self, g_get_monotonic_time () + timeout_us,
                                                timeout_cb, command);

  return command;
}
