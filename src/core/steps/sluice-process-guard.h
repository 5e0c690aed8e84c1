/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a command starts never outlives its run.
 *
 * A process group is not enough: a command can leave it (setsid, a
 * daemon's double fork), and nothing of ours runs after a `kill -9` of
 * the runner. So every command gets an environment variable naming it
 * (SLUICE_GUARD=PID.RANDOM.N), which every process it starts inherits;
 * cancelling a command kills every process that carries its name, and a
 * small guardian process, forked once, waits for this process to end
 * (its pipe closes, whatever the cause) and then kills every process
 * that carries this process's names. A process that empties its
 * environment on purpose can still escape; nothing short of a cgroup
 * stops that. */

#define SLUICE_PROCESS_GUARD_VARIABLE "SLUICE_GUARD"

/* A new name for one command ("PID.RANDOM.N"); starts the guardian the
 * first time. */
char *sluice_process_guard_new_name (void);
/* Sends SIGKILL to every process whose environment holds @name (a
 * command's) or a name that starts with @name followed by "." (all of
 * this process's, with the prefix from sluice_process_guard_prefix()).
 * Returns how many it signalled. */
guint sluice_process_guard_kill     (const char *name);
const char *sluice_process_guard_prefix (void);

G_END_DECLS
