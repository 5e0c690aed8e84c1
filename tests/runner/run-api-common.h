/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The real `sluice-run daemon` for tests and benchmarks: started on
 * 127.0.0.1 with a free port and the given state directory, killed (and
 * waited for) when freed, and never outliving the test process. */
typedef struct
{
  GSubprocess *process;
  char        *url;        /* http://127.0.0.1:PORT (no trailing slash) */
  char        *state_dir;
} Daemon;

/* @extra: more arguments (NULL-terminated), may be NULL. */
Daemon  *daemon_start       (const char         *state_dir,
                             const char         *root,
                             const char * const *extra);
void     daemon_kill        (Daemon             *daemon);   /* SIGKILL, wait */
void     daemon_free        (Daemon             *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Daemon, daemon_free)

typedef struct
{
  guint   status;
  char   *body;
  json_t *json;    /* the body parsed, or NULL */
} Answer;

void    answer_clear        (Answer             *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

/* @path like "/runs"; @body may be NULL; @token may be NULL. */
Answer  api_call            (SoupSession        *session,
                             Daemon             *daemon,
                             const char         *method,
                             const char         *path,
                             const char         *body,
                             const char         *token);
/* POST /runs with @body; asserts 201 and returns the new run's id. */
char   *api_create          (SoupSession        *session,
                             Daemon             *daemon,
                             const char         *body,
                             const char         *token);
/* Polls GET /runs/ID until its state is final (or @seconds pass: fails). */
char   *api_wait_final      (SoupSession        *session,
                             Daemon             *daemon,
                             const char         *id,
                             const char         *token,
                             double              seconds);
/* Polls until the run's state is @state. */
void    api_wait_state      (SoupSession        *session,
                             Daemon             *daemon,
                             const char         *id,
                             const char         *state,
                             const char         *token,
                             double              seconds);

/* Reads Server-Sent Events of a run from Last-Event-ID @after: calls
 * @func with each (seq, data) until the stream ends or @func returns
 * FALSE (the connection is then dropped). Returns the last seq seen. */
typedef gboolean (*SseFunc) (guint64     seq,
                             const char *data,
                             gpointer    user_data);
guint64 api_follow_events   (SoupSession        *session,
                             Daemon             *daemon,
                             const char         *id,
                             guint64             after,
                             const char         *token,
                             SseFunc             func,
                             gpointer            user_data);

/* GET /metrics parsed by python3-prometheus-client's parser (fails the
 * test when it refuses it): a JSON array of {family, type, name, labels,
 * value}. */
json_t *api_scrape_metrics  (SoupSession        *session,
                             Daemon             *daemon);
/* The value of sample @name whose labels include @l1=@v1 (and @l2=@v2);
 * fails the test when there is none. */
double  api_metrics_sample  (json_t             *samples,
                             const char         *name,
                             const char         *l1,
                             const char         *v1,
                             const char         *l2,
                             const char         *v2);

/* Writes a file with @contents into @dir; returns its path. */
char   *write_file          (const char         *dir,
                             const char         *name,
                             const char         *contents);
/* rm -rf */
void    remove_tree         (const char         *path);
/* A JSON string literal of @text, for building request bodies. */
char   *json_quote          (const char         *text);

G_END_DECLS
