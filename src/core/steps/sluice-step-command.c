/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-json.h"
#include "sluice-process-guard.h"
#include "sluice-shell-spawn.h"
#include "sluice-command-line.h"
#include "sluice-run-state.h"
#include "sluice-step-command.h"

/* Standard error is kept for the failure message, but only its end: a
 * command that writes 100 MB of it must not cost 100 MB. */
#define STDERR_TAIL (64 * 1024)
/* Standard output becomes items as its lines arrive. The first ones are
 * held until the command ends, so that a command that fails has given
 * nothing (as a Lua step that fails); past either bound below, they
 * stream on at once (sluice_step_call_stream), and a failure after that
 * fails the item with what streamed before it gone on. */
#define HOLD_ITEMS 1024
#define HOLD_BYTES (4 * 1024 * 1024)
/* While this many streamed items wait after the step, it stops reading
 * (and the command blocks on its full pipe): back-pressure. */
#define BACKLOG_LIMIT 256
/* A line of output may be this long, as an input line. */
#define MAX_LINE (64 * 1024 * 1024)
/* Output discarded after a line that is not JSON before the command is
 * killed rather than waited for. */
#define MAX_AFTER_BAD_LINE (1024 * 1024)
#define READ_CHUNK 65536

/* The command step: each item runs the module's command line (its
 * ${name}s as references to environment variables holding the values,
 * see sluice-command-line.h) with /bin/sh in a process group of
 * its own, so that cancelling kills whatever it started. All its I/O is
 * asynchronous; standard output becomes the items. */

struct _SluiceStepCommand
{
  SluiceStep  parent_instance;

  char       *command_line;  /* parameters as references to @env */
  GStrv       env;           /* SLUICE_PARAM_N=value */
};

G_DEFINE_FINAL_TYPE (SluiceStepCommand, sluice_step_command, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo no_params[] = {
  { NULL, NULL, FALSE },
};

static const SluiceToolInfo command_info = {
  "command",
  N_("Command"),
  N_("Runs a shell command for each item: the item on its standard input, output items as JSON lines"),
  no_params,
};

/* One item going through the command. */
typedef struct
{
  SluiceStep     *step;         /* owned ref: it outlives its commands */
  SluiceStepCall *call;         /* borrowed until answered */
  SluiceShellChild child;       /* its pid and pipes */
  GPid            pid;          /* 0 once reaped */
  int             wait_status;
  guint           watch_id;
  GMainContext   *watch_context; /* where its child watch is; held by @children until reaped */
  GCancellable   *cancellable;
  char           *line;         /* the item as one JSON line */
  GByteArray     *out;          /* output not taken yet: the start of a line */
  gsize           scanned;      /* bytes of @out known to hold no newline */
  guint           line_no;      /* output lines taken */
  GPtrArray      *held;         /* json_t*, until the command ends or streaming starts */
  gsize           held_bytes;
  gboolean        streaming;
  char           *bad_line;     /* why the output cannot be taken, once known */
  gsize           after_bad;    /* bytes discarded since */
  gpointer        resume_timer; /* reading paused by back-pressure */
  guint           last_backlog;
  GByteArray     *err;          /* the tail of stderr */
  gboolean        err_truncated;
  guint           pending;      /* stdin, stdout, stderr, wait */
  char           *kill_reason;  /* set when we killed it */
  char           *guard_name;   /* what its processes carry (sluice-process-guard.h) */
} Command;

static void command_step_done (Command *command);

/* Commands whose process is not reaped yet, by the main context that
 * watches them (GMainContext*, held → count): a designer run's thread
 * waits for its own before it ends (sluice_step_command_wait_reaped),
 * since nothing iterates its context after. */
static GMutex      children_lock;
static GHashTable *children;

static void
children_add (GMainContext *context,
              gint          delta)
{
  gint n;

  g_mutex_lock (&children_lock);
  if (children == NULL)
    children = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) g_main_context_unref, NULL);
  n = GPOINTER_TO_INT (g_hash_table_lookup (children, context)) + delta;
  if (n > 0)
    /* A new ref each time: the table keeps the first and lets go of a
     * key it already has. */
    g_hash_table_insert (children, g_main_context_ref (context), GINT_TO_POINTER (n));
  else
    g_hash_table_remove (children, context);
  g_mutex_unlock (&children_lock);
}

static gboolean
has_children (GMainContext *context)
{
  gboolean any;

  g_mutex_lock (&children_lock);
  any = children != NULL && g_hash_table_contains (children, context);
  g_mutex_unlock (&children_lock);
  return any;
}

static void
waited_enough_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

void
sluice_step_command_wait_reaped (GMainContext *context,
                                 guint         timeout_ms)
{
  gboolean waited_enough = FALSE;
  GSource *timer;

  if (context == NULL)
    context = g_main_context_default ();
  if (!has_children (context))
    return;
  timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timer, G_SOURCE_FUNC (waited_enough_cb), &waited_enough, NULL);
  g_source_attach (timer, context);
  /* A child's end wakes the context (its child watch). */
  while (has_children (context) && !waited_enough)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
}

static void
kill_group (Command *command)
{
  /* Its group outlives it while anything it started runs. */
  if (command->child.pid > 0)
    kill (-command->child.pid, SIGKILL);
}

static void read_more (Command *command, GInputStream *stream, gboolean is_err);

static void
command_kill (Command    *command,
              const char *reason)
{
  if (command->kill_reason == NULL)
    command->kill_reason = g_strdup (reason);
  kill_group (command);
  /* Reading paused for back-pressure goes on, discarding, to the end. */
  if (command->resume_timer != NULL)
    {
      sluice_step_context_remove_timer (sluice_step_get_context (command->step),
                                        command->resume_timer);
      command->resume_timer = NULL;
      read_more (command, command->child.stdout_pipe, FALSE);
    }
  /* What left the group (setsid, a daemon) still carries its name. */
  if (command->guard_name != NULL)
    sluice_process_guard_kill (command->guard_name);
  /* Not once reaped: the pid may be another process's by now. */
  if (command->pid > 0)
    kill (command->pid, SIGKILL);
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

/* One line of standard output (without its newline). */
static void
take_line (Command    *command,
           const char *p,
           gsize       length)
{
  g_autoptr(GError) error = NULL;
  const char *q = p;
  json_t *item;

  command->line_no++;
  if (command->bad_line != NULL)
    return;
  while (q < p + length && g_ascii_isspace (*q))
    q++;
  if (q == p + length)
    return;

  /* The same parser and policies as input lines (sluice-json.h). */
  item = sluice_json_parse_item (p, length, &error);
  if (item == NULL)
    {
      g_autofree char *shown = g_strndup (p, MIN (length, 80));
      g_autofree char *escaped = g_strescape (shown, NULL);

      if (g_error_matches (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NOT_OBJECT))
        command->bad_line = g_strdup_printf ("printed a JSON value that is not an object (output line %u): %s",
                                             command->line_no, escaped);
      else if (g_error_matches (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_SYNTAX))
        command->bad_line = g_strdup_printf ("printed a line that is not JSON (output line %u: %s): %s",
                                             command->line_no, error->message, escaped);
      else
        command->bad_line = g_strdup_printf ("printed an item that cannot be taken (output line %u: %s): %s",
                                             command->line_no, error->message, escaped);
      g_ptr_array_set_size (command->held, 0);
      return;
    }

  if (command->streaming)
    {
      sluice_step_call_stream (command->call, item);
      return;
    }
  g_ptr_array_add (command->held, item);
  command->held_bytes += length;
  if (command->held->len > HOLD_ITEMS || command->held_bytes > HOLD_BYTES)
    {
      /* Too many to hold: what was held goes on now, the rest as it comes. */
      command->streaming = TRUE;
      for (guint i = 0; i < command->held->len; i++)
        sluice_step_call_stream (command->call, json_incref (g_ptr_array_index (command->held, i)));
      g_ptr_array_set_size (command->held, 0);
    }
}

/* Takes the whole lines of what was read; at @eof, the rest too. */
static void
take_output (Command  *command,
             gboolean  eof)
{
  const char *data = (const char *) command->out->data;
  gsize start = 0;

  for (;;)
    {
      const char *nl = NULL;

      if (command->out->len > start + command->scanned)
        nl = memchr (data + start + command->scanned, '\n',
                     command->out->len - start - command->scanned);
      if (nl == NULL)
        break;
      take_line (command, data + start, nl - (data + start));
      start = nl - data + 1;
      command->scanned = 0;
      if (command->kill_reason != NULL)
        break;
    }
  if (start > 0)
    g_byte_array_remove_range (command->out, 0, start);
  command->scanned = command->out->len;

  if (eof && command->out->len > 0 && command->kill_reason == NULL)
    take_line (command, (const char *) command->out->data, command->out->len);
  if (eof)
    g_byte_array_set_size (command->out, 0);
  else if (command->out->len > MAX_LINE)
    {
      g_autofree char *reason = g_strdup_printf ("printed a line longer than %d MiB (output line %u)",
                                                 MAX_LINE / (1024 * 1024), command->line_no + 1);

      g_byte_array_set_size (command->out, 0);
      command->scanned = 0;
      command_kill (command, reason);
    }
}

static void
resume_cb (gpointer data)
{
  Command *command = data;
  guint backlog = sluice_step_call_backlog (command->call);

  command->resume_timer = NULL;
  if (backlog >= BACKLOG_LIMIT && command->kill_reason == NULL)
    {
      /* At once while the steps after it make progress, else after a
       * millisecond (they wait for something: a command, a server). */
      SluiceStepContext *context = sluice_step_get_context (command->step);

      command->resume_timer = sluice_step_context_add_timer (context,
                                                             sluice_step_context_now (context) +
                                                             (backlog < command->last_backlog ? 0 : 1000),
                                                             resume_cb, command);
      command->last_backlog = backlog;
      return;
    }
  read_more (command, command->child.stdout_pipe, FALSE);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Command *command = user_data;
  GInputStream *stream = G_INPUT_STREAM (source);
  gboolean is_err = stream == command->child.stderr_pipe;
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
      command_kill (command, reason);
    }
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (!is_err && command->kill_reason == NULL)
        take_output (command, TRUE);
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
  else if (command->kill_reason != NULL)
    ;  /* killed: what it still prints is dropped */
  else if (command->bad_line != NULL)
    {
      command->after_bad += size;
      if (command->after_bad > MAX_AFTER_BAD_LINE)
        command_kill (command, command->bad_line);
    }
  else
    {
      g_byte_array_append (command->out, data, size);
      take_output (command, FALSE);
      if (command->streaming && command->kill_reason == NULL &&
          sluice_step_call_backlog (command->call) >= BACKLOG_LIMIT)
        {
          /* Downstream is full: stop reading until it has room. */
          command->last_backlog = G_MAXUINT;
          resume_cb (command);
          if (command->resume_timer != NULL)
            return;
        }
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
exited_cb (GPid     pid,
           int      wait_status,
           gpointer user_data)
{
  Command *command = user_data;

  command->watch_id = 0;
  command->wait_status = wait_status;
  command->pid = 0;
  g_spawn_close_pid (pid);
  children_add (command->watch_context, -1);
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

static void
command_free (Command *command)
{
  g_clear_object (&command->child.stdin_pipe);
  g_clear_object (&command->child.stdout_pipe);
  g_clear_object (&command->child.stderr_pipe);
  g_clear_object (&command->cancellable);
  g_byte_array_unref (command->out);
  g_ptr_array_unref (command->held);
  g_free (command->bad_line);
  g_byte_array_unref (command->err);
  g_free (command->line);
  g_free (command->kill_reason);
  g_free (command->guard_name);
  g_object_unref (command->step);
  g_free (command);
}

static void
command_finish (Command *command)
{
  SluiceStepCall *call = command->call;
  g_autofree char *message = NULL;

  call->step_data = NULL;
  if (command->kill_reason != NULL)
    message = g_strdup (command->kill_reason);
  else if (WIFSIGNALED (command->wait_status))
    {
      int sig = WTERMSIG (command->wait_status);
      message = g_strdup_printf ("was killed by signal %d (%s)", sig, g_strsignal (sig));
    }
  else if (!WIFEXITED (command->wait_status) || WEXITSTATUS (command->wait_status) != 0)
    message = g_strdup_printf ("exited with status %d", WEXITSTATUS (command->wait_status));
  else if (command->bad_line != NULL)
    message = g_strdup (command->bad_line);

  if (message != NULL)
    {
      g_autofree char *tail = stderr_tail (command);

      sluice_step_call_fail (call, message, tail);
    }
  else
    {
      for (guint i = 0; i < command->held->len; i++)
        sluice_step_call_emit (call, json_incref (g_ptr_array_index (command->held, i)));
      sluice_step_call_finish (call);
    }

  command_free (command);
}

static void
command_step_done (Command *command)
{
  g_assert (command->pending > 0);
  if (--command->pending == 0)
    command_finish (command);
}

static void
sluice_step_command_process (SluiceStep     *step,
                             SluiceStepCall *call)
{
  SluiceStepCommand *self = SLUICE_STEP_COMMAND (step);
  SluiceStepContext *context = sluice_step_get_context (step);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  Command *command;
  size_t len;

  command = g_new0 (Command, 1);
  command->guard_name = sluice_process_guard_new_name ();
  command->step = g_object_ref (step);
  command->call = call;
  command->cancellable = g_cancellable_new ();
  command->out = g_byte_array_new ();
  command->held = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  command->err = g_byte_array_new ();

  /* The parameters' values, and the name every process it starts
   * carries (sluice-process-guard.h). */
  for (guint i = 0; self->env != NULL && self->env[i] != NULL; i++)
    g_ptr_array_add (env, g_strdup (self->env[i]));
  g_ptr_array_add (env, g_strdup_printf ("%s=%s", SLUICE_PROCESS_GUARD_VARIABLE, command->guard_name));
  g_ptr_array_add (env, NULL);

  if (!sluice_shell_spawn (self->command_line, context->base_directory,
                           (const char * const *) env->pdata, &command->child, &error))
    {
      g_autofree char *message = g_strdup_printf ("could not start: %s", error->message);

      command_free (command);
      sluice_step_call_fail (call, message, NULL);
      return;
    }
  call->step_data = command;
  command->pid = command->child.pid;

  command->line = sluice_json_dumps (call->item, JSON_COMPACT | JSON_SORT_KEYS);
  len = strlen (command->line);
  command->line = g_realloc (command->line, len + 2);
  command->line[len] = '\n';
  command->line[len + 1] = '\0';

  /* The stdin pipe does not block (sluice_shell_spawn): an item larger
   * than the pipe's buffer would otherwise stop this thread in write()
   * while the command waits for us to read what it printed. */
  command->pending = 4;
  g_output_stream_write_all_async (command->child.stdin_pipe, command->line, len + 1,
                                   G_PRIORITY_DEFAULT_IDLE,
                                   command->cancellable, stdin_written_cb, command);
  read_more (command, command->child.stdout_pipe, FALSE);
  read_more (command, command->child.stderr_pipe, TRUE);
  /* On the context the run uses (a test case runs on its own), as the
   * pipes' asynchronous reads and writes are. */
  {
    GSource *source = g_child_watch_source_new (command->pid);
    g_autoptr(GMainContext) watch_context = g_main_context_ref_thread_default ();

    g_source_set_callback (source, G_SOURCE_FUNC (exited_cb), command, NULL);
    command->watch_context = watch_context;
    children_add (watch_context, 1);
    command->watch_id = g_source_attach (source, watch_context);
    g_source_unref (source);
  }
}

static void
sluice_step_command_cancel (SluiceStep     *step,
                            SluiceStepCall *call,
                            const char     *reason)
{
  Command *command = call->step_data;

  /* It answers (failed, with @reason) once the process is gone. */
  if (command != NULL)
    command_kill (command, reason);
}

static gboolean
sluice_step_command_prepare (SluiceStep         *step,
                             SluiceModule       *module,
                             SluiceStepContext  *context,
                             GError            **error)
{
  SluiceStepCommand *self = SLUICE_STEP_COMMAND (step);

  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);

  g_free (self->command_line);
  self->command_line = sluice_command_line_build (sluice_execution_get_code (SLUICE_EXECUTION (module)),
                                                  context->params, env, error);
  if (self->command_line == NULL)
    {
      g_prefix_error (error, "module “%s”: ", sluice_node_get_id (SLUICE_NODE (module)));
      return FALSE;
    }
  g_ptr_array_add (env, NULL);
  g_strfreev (self->env);
  self->env = (GStrv) g_ptr_array_steal (env, NULL);
  return TRUE;
}

static void
sluice_step_command_finalize (GObject *object)
{
  g_free (SLUICE_STEP_COMMAND (object)->command_line);
  g_strfreev (SLUICE_STEP_COMMAND (object)->env);

  G_OBJECT_CLASS (sluice_step_command_parent_class)->finalize (object);
}

static void
sluice_step_command_class_init (SluiceStepCommandClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_step_command_finalize;
  step_class->info = &command_info;
  step_class->prepare = sluice_step_command_prepare;
  step_class->process = sluice_step_command_process;
  step_class->cancel = sluice_step_command_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_step_command_init (SluiceStepCommand *self)
{
}
