/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A shell command started for a step (sluice-shell-spawn.c). */
typedef struct
{
  GPid           pid;          /* also its process group: kill (-pid, …) */
  GOutputStream *stdin_pipe;   /* owned, non-blocking */
  GInputStream  *stdout_pipe;  /* owned */
  GInputStream  *stderr_pipe;  /* owned */
} SluiceShellChild;

/* Starts `/bin/sh -c @command_line` in @cwd (NULL: ours) with our
 * environment plus @env ("NAME=VALUE", NULL-terminated, may be NULL), in a
 * process group of its own, its standard streams on pipes. The caller
 * reaps @child->pid (g_child_watch_add) and unrefs the streams. */
gboolean sluice_shell_spawn (const char          *command_line,
                             const char          *cwd,
                             const char * const  *env,
                             SluiceShellChild    *child,
                             GError             **error);

G_END_DECLS
