/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-http-fetch.h"
#include "sluice-json.h"
#include "sluice-net-answer.h"
#include "sluice-service-client.h"

/* Without a deadline, an attempt that gets no answer in this time fails
 * and the next endpoint is tried. */
#define ATTEMPT_TIMEOUT_US (30 * G_USEC_PER_SEC)
/* Once an endpoint takes batches, at most this many of our POSTs are at
 * it at once: new calls wait for one to be answered and go together (as
 * a group commit does). Under a light load a call goes at once; under a
 * heavy one batches grow, and the cost per item falls, instead of every
 * call being a POST of its own that the endpoint queues. Two: one is
 * answered while the next is on its way. */
#define REQUESTS_PER_BATCHING_ENDPOINT 2
/* How often an endpoint's /status and the balancer's list are read while
 * calls go. */
#define POLL_US (1 * G_USEC_PER_SEC)
#define STATUS_TIMEOUT_S 2
#define MAX_STATUS (1024 * 1024)

struct _SluiceServiceClient
{
  GObject            parent_instance;

  char              *name;
  char              *balancer;        /* URL, or NULL */
  char              *pipeline;
  char              *authorization;   /* "Bearer …", or NULL */
  SluiceEndpointSet *endpoints;
  SoupSession       *session;         /* for calls */
  SoupSession       *status_session;  /* polls and probes: never queued behind calls */
  GQueue             waiting;         /* SluiceServiceCall*, owned refs: no endpoint free yet */
  GQueue             fresh;           /* SluiceServiceCall*, owned refs: new calls to send in batches */
  guint              gather_id;       /* the idle that sends them */
  gboolean           batching;        /* an endpoint said it takes batches */
  GCancellable      *cancellable;     /* polls and probes; cancelled on dispose */
  gint64             balancer_at;     /* last time the balancer was asked */
  gboolean           balancer_pending;
  SoupMessage       *balancer_msg;    /* the request out, or NULL */
  gboolean           balancer_known;  /* it answered once */
  char              *balancer_error;
  GMainContext      *context;         /* thread-default where it was made: its timers and idles go there */
};

G_DEFINE_FINAL_TYPE (SluiceServiceClient, sluice_service_client, G_TYPE_OBJECT)

typedef struct _Attempt Attempt;
typedef struct _Batch Batch;

struct _SluiceServiceCall
{
  guint                 ref_count;
  SluiceServiceClient  *client;      /* owned */
  GBytes               *body;
  gint64                deadline;
  SluiceServiceCallFunc func;        /* NULL once it was called */
  gpointer              user_data;
  GPtrArray            *tried;       /* SluiceEndpoint*, owned refs */
  GString              *errors;      /* "URL: what went wrong; …" */
  Attempt              *attempt;     /* borrowed: the one in flight, or NULL */
  Batch                *batch;       /* borrowed: the batch it is in, or NULL */
  guint                 batch_index;
  GList                *fresh;       /* its link in client->fresh, or NULL */
  SluiceServiceTally   *tally;       /* borrowed, or NULL */
  GList                *waiting;     /* its link in client->waiting, or NULL */
  guint                 idle_id;     /* a failure being reported */
  char                 *idle_error;
};

struct _Attempt
{
  SluiceServiceCall *call;        /* owned ref */
  SluiceEndpoint    *endpoint;    /* owned ref */
  SoupMessage       *msg;
  GCancellable      *cancellable;
  gint64             started;
  guint              timeout_id;
  gboolean           ended;       /* the call is no longer waiting for it */
};

/* Calls that were ready at the same moment, sent to one endpoint in one
 * POST of a JSON array (when the endpoint says it takes batches). */
struct _Batch
{
  SluiceServiceClient *client;     /* owned */
  SluiceEndpoint      *endpoint;   /* owned */
  GPtrArray           *calls;      /* SluiceServiceCall*, owned refs; NULL once a call left */
  guint                live;       /* calls still waiting for it (counted in endpoint->in_flight) */
  SoupMessage         *msg;
  GCancellable        *cancellable;
  gint64               started;
  guint                timeout_id;
};

static void dispatch (SluiceServiceCall *call);

/* The client's idles and time-outs run on the context it was made in (a
 * designer run's own thread), never on the global default context, which
 * another thread iterates. @interval_ms 0 is an idle. */
static guint
client_add_source (SluiceServiceClient *self,
                   guint                interval_ms,
                   GSourceFunc          func,
                   gpointer             data)
{
  GSource *source = interval_ms > 0 ? g_timeout_source_new (interval_ms) : g_idle_source_new ();
  guint id;

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, self->context);
  g_source_unref (source);
  return id;
}

static void
client_remove_source (SluiceServiceClient *self,
                      guint               *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (self->context, *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}
static void maintain (SluiceServiceClient *self, gint64 now);
static void request_ended (SluiceServiceClient *self, SluiceEndpoint *endpoint);

static SluiceServiceCall *
call_ref (SluiceServiceCall *call)
{
  call->ref_count++;
  return call;
}

static void
call_unref (SluiceServiceCall *call)
{
  if (--call->ref_count > 0)
    return;

  g_assert (call->attempt == NULL && call->waiting == NULL && call->idle_id == 0);
  g_assert (call->batch == NULL && call->fresh == NULL);
  g_bytes_unref (call->body);
  g_ptr_array_unref (call->tried);
  g_string_free (call->errors, TRUE);
  g_free (call->idle_error);
  g_object_unref (call->client);
  g_free (call);
}

/* ---- counts per caller */

struct _SluiceServiceTally
{
  GHashTable *counts;   /* URL → guint64[2]: served, failed */
};

SluiceServiceTally *
sluice_service_tally_new (void)
{
  SluiceServiceTally *tally = g_new0 (SluiceServiceTally, 1);

  tally->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return tally;
}

void
sluice_service_tally_free (SluiceServiceTally *tally)
{
  if (tally == NULL)
    return;
  g_hash_table_unref (tally->counts);
  g_free (tally);
}

void
sluice_service_tally_get (SluiceServiceTally *tally,
                          const char         *url,
                          guint64            *served,
                          guint64            *failed)
{
  guint64 *counts = tally != NULL ? g_hash_table_lookup (tally->counts, url) : NULL;

  *served = counts != NULL ? counts[0] : 0;
  *failed = counts != NULL ? counts[1] : 0;
}

void
sluice_service_call_set_tally (SluiceServiceCall  *call,
                               SluiceServiceTally *tally)
{
  g_return_if_fail (call != NULL);
  call->tally = tally;
}

static void
tally_count (SluiceServiceCall *call,
             SluiceEndpoint    *endpoint,
             gboolean           served)
{
  guint64 *counts;

  if (call->tally == NULL)
    return;
  counts = g_hash_table_lookup (call->tally->counts, endpoint->url);
  if (counts == NULL)
    {
      counts = g_new0 (guint64, 2);
      g_hash_table_insert (call->tally->counts, g_strdup (endpoint->url), counts);
    }
  counts[served ? 0 : 1]++;
}

/* ---- the shared clients */

/* key → SluiceServiceClient*, owned. Under the lock: the designer runs
 * each run on a thread of its own, with a context of its own. */
static GHashTable *shared;
G_LOCK_DEFINE_STATIC (shared);

static char *
config_key (const SluiceServiceConfig *config)
{
  GString *key = g_string_new (NULL);

  g_string_append_printf (key, "%p\n%s\n%d\n%s\n%s\n%s", (gpointer) g_main_context_get_thread_default (),
                          config->name, config->balance,
                          config->balancer ? config->balancer : "",
                          config->pipeline ? config->pipeline : "",
                          config->token ? config->token : "");
  for (guint i = 0; config->endpoints != NULL && config->endpoints[i] != NULL; i++)
    g_string_append_printf (key, "\n%s", config->endpoints[i]);
  return g_string_free (key, FALSE);
}

SluiceServiceClient *
sluice_service_client_get_shared (const SluiceServiceConfig *config)
{
  g_autofree char *key = config_key (config);
  SluiceServiceClient *client;

  /* Kept for the life of the process (or of its context, see
   * sluice_service_client_forget_context): a server that makes a run per
   * request keeps its connections and what it learnt of the endpoints. */
  G_LOCK (shared);
  if (shared == NULL)
    shared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  client = g_hash_table_lookup (shared, key);
  if (client == NULL)
    {
      client = sluice_service_client_new (config);
      g_hash_table_insert (shared, g_steal_pointer (&key), client);
    }
  g_object_ref (client);
  G_UNLOCK (shared);
  return client;
}

void
sluice_service_client_forget_context (GMainContext *context)
{
  g_autofree char *prefix = g_strdup_printf ("%p\n", (gpointer) context);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  G_LOCK (shared);
  if (shared != NULL)
    {
      g_hash_table_iter_init (&iter, shared);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_has_prefix (key, prefix))
          {
            g_ptr_array_add (gone, g_object_ref (value));
            g_hash_table_iter_remove (&iter);
          }
    }
  G_UNLOCK (shared);
}

/* ---- the client */

static void
sluice_service_client_dispose (GObject *object)
{
  SluiceServiceClient *self = SLUICE_SERVICE_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  g_assert (g_queue_is_empty (&self->waiting) && g_queue_is_empty (&self->fresh));
  client_remove_source (self, &self->gather_id);

  G_OBJECT_CLASS (sluice_service_client_parent_class)->dispose (object);
}

static void
sluice_service_client_finalize (GObject *object)
{
  SluiceServiceClient *self = SLUICE_SERVICE_CLIENT (object);

  g_free (self->name);
  g_free (self->balancer);
  g_free (self->pipeline);
  g_free (self->authorization);
  g_free (self->balancer_error);
  sluice_endpoint_set_free (self->endpoints);
  g_clear_object (&self->session);
  g_clear_object (&self->status_session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->balancer_msg);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sluice_service_client_parent_class)->finalize (object);
}

static void
sluice_service_client_class_init (SluiceServiceClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_service_client_dispose;
  object_class->finalize = sluice_service_client_finalize;
}

static void
sluice_service_client_init (SluiceServiceClient *self)
{
  g_queue_init (&self->waiting);
  g_queue_init (&self->fresh);
  self->cancellable = g_cancellable_new ();
}

/* What a session does for every message that calls never need: HTTP
 * authentication (a token goes in our own Authorization header; a 401 is
 * the endpoint's answer, not a challenge to take up) and compressed
 * answers (an item's answer is small, and on loopback or a LAN inflating
 * costs more than the bytes). Each feature connects its handlers to
 * every message, and adds headers, a cost per call for nothing. */
static void
strip_session (SoupSession *session)
{
  soup_session_remove_feature_by_type (session, SOUP_TYPE_AUTH_MANAGER);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
}

SluiceServiceClient *
sluice_service_client_new (const SluiceServiceConfig *config)
{
  SluiceServiceClient *self;
  const char * const none[] = { NULL };
  g_autoptr(GProxyResolver) direct = NULL;

  g_return_val_if_fail (config != NULL && config->name != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_SERVICE_CLIENT, NULL);
  self->name = g_strdup (config->name);
  self->balancer = g_strdup (config->balancer);
  self->pipeline = g_strdup (config->pipeline != NULL ? config->pipeline : config->name);
  if (config->token != NULL)
    self->authorization = g_strconcat ("Bearer ", config->token, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->endpoints = sluice_endpoint_set_new (config->balance);
  sluice_endpoint_set_update (self->endpoints, config->endpoints != NULL ? config->endpoints : none);
  /* Keep-alive connections, as many per endpoint as calls may be at it.
   * Calls go straight to the endpoint, never through a proxy: the
   * caller chose the endpoint, and the system's proxy lookup (libproxy)
   * costs a thread hop per connection and can stall. */
  direct = g_simple_proxy_resolver_new (NULL, NULL);
  self->session = soup_session_new_with_options ("max-conns", 4096,
                                                 "max-conns-per-host", 64,
                                                 "proxy-resolver", direct,
                                                 "user-agent", "sluice/" PACKAGE_VERSION,
                                                 NULL);
  self->status_session = soup_session_new_with_options ("timeout", STATUS_TIMEOUT_S,
                                                        "proxy-resolver", direct,
                                                        "user-agent", "sluice/" PACKAGE_VERSION,
                                                        NULL);
  strip_session (self->session);
  strip_session (self->status_session);
  return self;
}

const char *
sluice_service_client_get_name (SluiceServiceClient *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE_CLIENT (self), NULL);
  return self->name;
}

SluiceEndpointSet *
sluice_service_client_get_endpoints (SluiceServiceClient *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE_CLIENT (self), NULL);
  return self->endpoints;
}

/* ---- ending calls */

static void
call_done (SluiceServiceCall *call,
           json_t            *outputs,
           const char        *error)
{
  SluiceServiceCallFunc func = g_steal_pointer (&call->func);

  g_assert (func != NULL);
  /* Counted already; the caller's tally may go now. */
  call->tally = NULL;
  func (outputs, error, call->user_data);
}

static gboolean
report_failure_cb (gpointer user_data)
{
  SluiceServiceCall *call = user_data;
  g_autofree char *error = g_steal_pointer (&call->idle_error);

  call->idle_id = 0;
  call_done (call, NULL, error);
  call_unref (call);
  return G_SOURCE_REMOVE;
}

/* Fails @call from the main loop, not from within the caller's own call
 * into us. */
static void
fail_later (SluiceServiceCall *call,
            char              *error)
{
  call->idle_error = error;
  call->idle_id = client_add_source (call->client, 0, report_failure_cb, call_ref (call));
}

static void
append_error (SluiceServiceCall *call,
              const char        *url,
              const char        *error)
{
  if (call->errors->len > 0)
    g_string_append (call->errors, "; ");
  g_string_append_printf (call->errors, "%s: %s", url, error);
}

/* Calls waiting for a free endpoint go now if one is. */
static void
kick_waiting (SluiceServiceClient *self)
{
  guint n = self->waiting.length;

  /* Each gets one chance per kick: one that must wait again goes to the
   * back, and the walk ends. */
  for (guint i = 0; i < n && !g_queue_is_empty (&self->waiting); i++)
    {
      SluiceServiceCall *call = g_queue_pop_head (&self->waiting);

      call->waiting = NULL;
      dispatch (call);
      /* A call that tried no endpoint yet was queued again: every
       * endpoint is at its limit, for the calls behind it too (a walk of
       * them all would cost a pick each, at every answer). */
      if (call->waiting != NULL && call->tried->len == 0)
        {
          call_unref (call);
          break;
        }
      call_unref (call);
    }
}

static void
end_attempt (Attempt *attempt)
{
  SluiceServiceCall *call = attempt->call;

  g_assert (!attempt->ended);
  attempt->ended = TRUE;
  attempt->endpoint->in_flight--;
  client_remove_source (call->client, &attempt->timeout_id);
  if (call->attempt == attempt)
    call->attempt = NULL;
}

static void
attempt_free (Attempt *attempt)
{
  call_unref (attempt->call);
  sluice_endpoint_unref (attempt->endpoint);
  g_object_unref (attempt->msg);
  g_object_unref (attempt->cancellable);
  g_free (attempt);
}

/* The attempt failed because of its endpoint: the next one is tried. */
static void
attempt_failed (Attempt    *attempt,
                const char *error,
                gboolean    busy,
                gint64      retry_after_us)
{
  SluiceServiceCall *call = attempt->call;
  SluiceServiceClient *self = call->client;
  gint64 now = g_get_monotonic_time ();

  end_attempt (attempt);
  if (busy)
    sluice_endpoint_busy (attempt->endpoint, now, retry_after_us);
  else
    sluice_endpoint_failed (attempt->endpoint, now, error);
  append_error (call, attempt->endpoint->url, error);
  tally_count (call, attempt->endpoint, FALSE);
  g_ptr_array_add (call->tried, sluice_endpoint_ref (attempt->endpoint));

  call_ref (call);
  dispatch (call);
  kick_waiting (self);
  call_unref (call);
}

static gint64
retry_after_us (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  guint64 seconds;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
    return seconds * G_USEC_PER_SEC;
  return 0;
}

static double
load_header (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg), SLUICE_LOAD_HEADER);
  char *end = NULL;
  double load;

  if (value == NULL)
    return -1;
  load = g_ascii_strtod (value, &end);
  return end != value && load >= 0 && load < 1e9 ? load : -1;
}

static void
post_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Attempt *attempt = user_data;
  SluiceServiceCall *call = attempt->call;
  SluiceServiceClient *self = call->client;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = sluice_http_fetch_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *message = NULL;
  json_t *outputs = NULL;
  SluiceAnswerKind kind;
  gsize length = 0;
  const char *data;

  request_ended (self, attempt->endpoint);
  if (attempt->ended)
    {
      /* Cancelled or timed out: the call has gone on without it. */
      attempt_free (attempt);
      return;
    }

  if (body == NULL)
    {
      attempt_failed (attempt, error->message, FALSE, 0);
      attempt_free (attempt);
      return;
    }

  data = g_bytes_get_data (body, &length);
  kind = sluice_net_answer_read (soup_message_get_status (attempt->msg),
                                 soup_message_get_reason_phrase (attempt->msg),
                                 soup_message_headers_get_content_type (soup_message_get_response_headers (attempt->msg), NULL),
                                 data != NULL ? data : "", length, &outputs, &message);
  switch (kind)
    {
    case SLUICE_ANSWER_BUSY:
      attempt_failed (attempt, message, TRUE, retry_after_us (attempt->msg));
      break;

    case SLUICE_ANSWER_BROKEN:
      attempt_failed (attempt, message, FALSE, 0);
      break;

    case SLUICE_ANSWER_REJECTED:
    case SLUICE_ANSWER_OK:
    default:
      {
        g_autofree char *error_text = NULL;

        sluice_endpoint_succeeded (attempt->endpoint, g_get_monotonic_time () - attempt->started,
                                   load_header (attempt->msg));
        tally_count (call, attempt->endpoint, TRUE);
        end_attempt (attempt);
        if (kind == SLUICE_ANSWER_REJECTED)
          error_text = g_strdup_printf ("service `%s`: %s %s", self->name, attempt->endpoint->url, message);
        call_ref (call);
        call_done (call, outputs, error_text);
        json_decref (outputs);
        kick_waiting (self);
        call_unref (call);
      }
      break;
    }

  attempt_free (attempt);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  Attempt *attempt = user_data;
  g_autofree char *error = g_strdup_printf ("gave no answer within %" G_GINT64_FORMAT " ms",
                                            (g_get_monotonic_time () - attempt->started) / 1000);

  attempt->timeout_id = 0;
  g_cancellable_cancel (attempt->cancellable);
  attempt_failed (attempt, error, FALSE, 0);
  /* post_cb frees it when the cancelled request comes back. */
  return G_SOURCE_REMOVE;
}

static guint
untried_healthy (SluiceServiceCall *call,
                 SluiceEndpoint    *except,
                 gint64             now)
{
  SluiceEndpointSet *set = call->client->endpoints;
  guint n = 0;

  for (guint i = 0; i < sluice_endpoint_set_get_size (set); i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_get (set, i);

      if (endpoint != except && endpoint->healthy && now >= endpoint->down_until &&
          !g_ptr_array_find (call->tried, endpoint, NULL))
        n++;
    }
  return n;
}

/* A POST to @endpoint as every call sends it. */
static SoupMessage *
new_post (SluiceServiceClient *self,
          SluiceEndpoint      *endpoint,
          GBytes              *body)
{
  /* Parsed once per endpoint, not per call. */
  SoupMessage *msg = endpoint->uri != NULL ? soup_message_new_from_uri (SOUP_METHOD_POST, endpoint->uri)
                                           : soup_message_new (SOUP_METHOD_POST, endpoint->url);

  /* libsoup gives every POST a new connection of its own unless it is
   * marked safe to resend, and closes an idle one to make room when the
   * endpoint's connections are at their limit: a connect and a close per
   * call. A call is resent anyway (on another endpoint, or by the
   * module's retries) when its connection fails, so marking it costs no
   * guarantee we give. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  /* The caller chose this endpoint: a redirect elsewhere is not
   * followed (that would bypass the balancer) but fails the attempt,
   * naming the endpoint, like any answer that is not 200 with JSON. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept", "application/json");
  if (self->authorization != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", self->authorization);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  return msg;
}

static void
start_attempt (SluiceServiceCall *call,
               SluiceEndpoint    *endpoint,
               gint64             now)
{
  SluiceServiceClient *self = call->client;
  Attempt *attempt = g_new0 (Attempt, 1);
  gint64 budget = ATTEMPT_TIMEOUT_US;

  attempt->call = call_ref (call);
  attempt->endpoint = sluice_endpoint_ref (endpoint);
  attempt->msg = new_post (self, endpoint, call->body);
  attempt->cancellable = g_cancellable_new ();
  attempt->started = now;
  endpoint->in_flight++;
  endpoint->requests++;
  call->attempt = attempt;


  /* With a deadline, the executor stops the last attempt itself; an
   * earlier one leaves half of the time to the others. */
  if (call->deadline > 0)
    budget = untried_healthy (call, endpoint, now) > 0 ? MAX (call->deadline - now, 0) / 2 : 0;
  if (budget > 0)
    attempt->timeout_id = client_add_source (self, MAX (budget / 1000, 1), attempt_timeout_cb, attempt);

  sluice_http_fetch_async (self->session, attempt->msg, SLUICE_SERVICE_MAX_ANSWER,
                           attempt->cancellable, post_cb, attempt);
}

static char *
describe_down (SluiceServiceClient *self,
               SluiceServiceCall   *call)
{
  GString *text = g_string_new (call->errors->str);

  for (guint i = 0; i < sluice_endpoint_set_get_size (self->endpoints); i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_get (self->endpoints, i);

      if (g_ptr_array_find (call->tried, endpoint, NULL))
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, "%s is out of use (%s)", endpoint->url,
                              endpoint->last_error != NULL ? endpoint->last_error : "it answered 503: busy");
    }
  return g_string_free (text, FALSE);
}

static void
dispatch (SluiceServiceCall *call)
{
  SluiceServiceClient *self = call->client;
  gint64 now = g_get_monotonic_time ();
  SluicePickResult result;
  SluiceEndpoint *endpoint;

  g_assert (call->attempt == NULL && call->waiting == NULL);

  maintain (self, now);
  endpoint = sluice_endpoint_set_pick (self->endpoints, now,
                                       (SluiceEndpoint * const *) call->tried->pdata, call->tried->len,
                                       &result);
  switch (result)
    {
    case SLUICE_PICK_OK:
      start_attempt (call, endpoint, now);
      return;

    case SLUICE_PICK_ALL_BUSY:
      g_queue_push_tail (&self->waiting, call_ref (call));
      call->waiting = self->waiting.tail;
      return;

    case SLUICE_PICK_EMPTY:
      if (self->balancer != NULL && self->balancer_pending)
        {
          g_queue_push_tail (&self->waiting, call_ref (call));
          call->waiting = self->waiting.tail;
          return;
        }
      if (self->balancer != NULL)
        fail_later (call, g_strdup_printf ("service `%s`: the balancer %s lists no instance of pipeline `%s`%s%s",
                                           self->name, self->balancer, self->pipeline,
                                           self->balancer_error != NULL ? ": " : "",
                                           self->balancer_error != NULL ? self->balancer_error : ""));
      else
        fail_later (call, g_strdup_printf ("service `%s` has no endpoints", self->name));
      return;

    case SLUICE_PICK_ALL_TRIED:
      fail_later (call, g_strdup_printf ("service `%s`: every endpoint failed: %s",
                                         self->name, call->errors->str));
      return;

    case SLUICE_PICK_NONE_HEALTHY:
    default:
      {
        g_autofree char *down = describe_down (self, call);

        fail_later (call, g_strdup_printf ("service `%s` has no healthy endpoint: %s", self->name, down));
      }
      return;
    }
}

/* ---- batches: calls ready at the same moment, in one POST */

/* Answers of a batch may be this many times larger than one call's. */
#define BATCH_ANSWER_FACTOR 16

static SluiceServiceCall *
pop_fresh (SluiceServiceClient *self)
{
  SluiceServiceCall *call = g_queue_pop_head (&self->fresh);

  call->fresh = NULL;
  return call;
}

/* @call leaves @batch (answered, failed over or cancelled): it no longer
 * counts at the endpoint. Drops the batch's reference to it. */
static void
batch_release (Batch             *batch,
               SluiceServiceCall *call)
{
  g_assert (call->batch == batch);
  g_ptr_array_index (batch->calls, call->batch_index) = NULL;
  call->batch = NULL;
  batch->live--;
  batch->endpoint->in_flight--;
  call_unref (call);
}

static void
batch_free (Batch *batch)
{
  g_assert (batch->live == 0);
  client_remove_source (batch->client, &batch->timeout_id);
  g_ptr_array_unref (batch->calls);
  g_object_unref (batch->msg);
  g_object_unref (batch->cancellable);
  sluice_endpoint_unref (batch->endpoint);
  g_object_unref (batch->client);
  g_free (batch);
}

/* The endpoint failed the whole batch: each call goes on alone, to
 * another endpoint, as one call would. */
static void
batch_failed (Batch      *batch,
              const char *error,
              gboolean    busy,
              gint64      retry_after)
{
  SluiceServiceClient *self = batch->client;
  gint64 now = g_get_monotonic_time ();

  if (busy)
    sluice_endpoint_busy (batch->endpoint, now, retry_after);
  else
    sluice_endpoint_failed (batch->endpoint, now, error);
  for (guint i = 0; i < batch->calls->len; i++)
    {
      SluiceServiceCall *call = g_ptr_array_index (batch->calls, i);

      if (call == NULL)
        continue;
      call_ref (call);
      append_error (call, batch->endpoint->url, error);
      tally_count (call, batch->endpoint, FALSE);
      g_ptr_array_add (call->tried, sluice_endpoint_ref (batch->endpoint));
      batch_release (batch, call);
      dispatch (call);
      call_unref (call);
    }
  kick_waiting (self);
}

/* It does not take our batches (any more): each call is sent alone,
 * and so are the next ones. */
static void
batch_refused (Batch *batch)
{
  batch->endpoint->batch_max = 0;
  for (guint i = 0; i < batch->calls->len; i++)
    {
      SluiceServiceCall *call = g_ptr_array_index (batch->calls, i);

      if (call == NULL)
        continue;
      call_ref (call);
      batch_release (batch, call);
      dispatch (call);
      call_unref (call);
    }
}

/* Every call of the batch ends with @error (a 4xx for all of them). */
static void
batch_rejected (Batch      *batch,
                const char *message)
{
  g_autofree char *error = g_strdup_printf ("service `%s`: %s %s", batch->client->name,
                                            batch->endpoint->url, message);

  for (guint i = 0; i < batch->calls->len; i++)
    {
      SluiceServiceCall *call = g_ptr_array_index (batch->calls, i);

      if (call == NULL)
        continue;
      call_ref (call);
      tally_count (call, batch->endpoint, TRUE);
      batch_release (batch, call);
      call_done (call, NULL, error);
      call_unref (call);
    }
}

static void
batch_answered (Batch  *batch,
                json_t *results)
{
  SluiceServiceClient *self = batch->client;

  for (guint i = 0; i < batch->calls->len; i++)
    {
      SluiceServiceCall *call = g_ptr_array_index (batch->calls, i);
      json_t *element = json_array_get (results, i);
      g_autofree char *item_error = NULL;
      g_autofree char *error = NULL;

      if (call == NULL)
        continue;
      item_error = sluice_net_answer_item_error (element);
      if (item_error != NULL)
        error = g_strdup_printf ("service `%s`: %s answered for the item: %s", self->name,
                                 batch->endpoint->url, item_error);
      call_ref (call);
      tally_count (call, batch->endpoint, TRUE);
      batch_release (batch, call);
      call_done (call, error == NULL ? element : NULL, error);
      call_unref (call);
    }
}

static void
batch_post_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Batch *batch = user_data;
  SluiceServiceClient *self = batch->client;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = sluice_http_fetch_finish (SOUP_SESSION (source), result, &error);
  guint status = soup_message_get_status (batch->msg);
  const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (batch->msg), NULL);
  g_autofree char *message = NULL;
  json_t *results = NULL;
  SluiceAnswerKind kind;
  const char *data;
  gsize length = 0;

  client_remove_source (batch->client, &batch->timeout_id);
  request_ended (self, batch->endpoint);
  /* Every call left it already: cancelled, or failed over at its
   * time-out. */
  if (batch->live == 0)
    {
      batch_free (batch);
      return;
    }

  g_object_ref (self);
  if (body == NULL)
    batch_failed (batch, error->message, FALSE, 0);
  else
    {
      data = g_bytes_get_data (body, &length);
      if (status >= 200 && status < 300)
        kind = sluice_net_answer_read_batch (status, type, data != NULL ? data : "", length,
                                             batch->calls->len, &results, &message);
      else
        kind = sluice_net_answer_read (status, soup_message_get_reason_phrase (batch->msg), type,
                                       data != NULL ? data : "", length, &results, &message);
      switch (kind)
        {
        case SLUICE_ANSWER_BUSY:
          batch_failed (batch, message, TRUE, retry_after_us (batch->msg));
          break;

        case SLUICE_ANSWER_BROKEN:
          batch_failed (batch, message, FALSE, 0);
          break;

        case SLUICE_ANSWER_REJECTED:
          /* A server that took batches and now says the body is wrong
           * (another program on the port, a smaller limit): alone, then. */
          if (status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
            batch_refused (batch);
          else
            batch_rejected (batch, message);
          break;

        case SLUICE_ANSWER_OK:
        default:
          sluice_endpoint_succeeded (batch->endpoint, g_get_monotonic_time () - batch->started,
                                     load_header (batch->msg));
          batch->endpoint->served += batch->live - 1;
          batch_answered (batch, results);
          break;
        }
    }
  json_decref (results);
  kick_waiting (self);
  batch_free (batch);
  g_object_unref (self);
}

static gboolean
batch_timeout_cb (gpointer user_data)
{
  Batch *batch = user_data;
  g_autofree char *error = g_strdup_printf ("gave no answer within %" G_GINT64_FORMAT " ms",
                                            (g_get_monotonic_time () - batch->started) / 1000);

  batch->timeout_id = 0;
  batch_failed (batch, error, FALSE, 0);
  /* batch_post_cb frees it when the cancelled request comes back. */
  g_cancellable_cancel (batch->cancellable);
  return G_SOURCE_REMOVE;
}

static guint
healthy_besides (SluiceServiceClient *self,
                 SluiceEndpoint      *except,
                 gint64               now)
{
  guint n = 0;

  for (guint i = 0; i < sluice_endpoint_set_get_size (self->endpoints); i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_get (self->endpoints, i);

      if (endpoint != except && endpoint->healthy && now >= endpoint->down_until)
        n++;
    }
  return n;
}

static void
start_batch (SluiceServiceClient *self,
             SluiceEndpoint      *endpoint,
             guint                size,
             gint64               now)
{
  Batch *batch = g_new0 (Batch, 1);
  GString *body = g_string_new ("[");
  g_autoptr(GBytes) bytes = NULL;
  gint64 deadline = 0, budget = ATTEMPT_TIMEOUT_US;

  batch->client = g_object_ref (self);
  batch->endpoint = sluice_endpoint_ref (endpoint);
  batch->calls = g_ptr_array_sized_new (size);
  batch->cancellable = g_cancellable_new ();
  batch->started = now;
  while (batch->calls->len < size && !g_queue_is_empty (&self->fresh))
    {
      SluiceServiceCall *call = pop_fresh (self);   /* its reference is the batch's now */

      call->batch = batch;
      call->batch_index = batch->calls->len;
      g_ptr_array_add (batch->calls, call);
      if (call->batch_index > 0)
        g_string_append_c (body, ',');
      g_string_append_len (body, g_bytes_get_data (call->body, NULL), g_bytes_get_size (call->body));
      if (call->deadline > 0 && (deadline == 0 || call->deadline < deadline))
        deadline = call->deadline;
    }
  g_string_append_c (body, ']');
  batch->live = batch->calls->len;
  endpoint->in_flight += batch->live;
  endpoint->requests++;
  bytes = g_string_free_to_bytes (body);
  batch->msg = new_post (self, endpoint, bytes);

  /* As for one call: the executor stops each call at its own deadline;
   * when another endpoint could still take them, half of the time left. */
  if (deadline > 0)
    budget = healthy_besides (self, endpoint, now) > 0 ? MAX (deadline - now, 0) / 2 : 0;
  if (budget > 0)
    batch->timeout_id = client_add_source (self, MAX (budget / 1000, 1), batch_timeout_cb, batch);
  sluice_http_fetch_async (self->session, batch->msg,
                           (gsize) SLUICE_SERVICE_MAX_ANSWER * MIN (size, BATCH_ANSWER_FACTOR),
                           batch->cancellable, batch_post_cb, batch);
}

/* How many fresh calls go in one batch: spread over the endpoints that
 * can take them, two batches each at least, so that one is answered
 * while the next is on its way. */
static guint
batch_chunk (SluiceServiceClient *self,
             gint64               now)
{
  guint healthy = MAX (healthy_besides (self, NULL, now), 1);

  return MAX ((self->fresh.length + 2 * healthy - 1) / (2 * healthy), 1);
}

static gboolean gather_cb (gpointer user_data);

static void
schedule_gather (SluiceServiceClient *self)
{
  if (self->gather_id == 0 && !g_queue_is_empty (&self->fresh))
    self->gather_id = client_add_source (self, 0, gather_cb, self);
}

/* One of our POSTs to @endpoint was answered (or given up): calls held
 * for a free slot there may go. */
static void
request_ended (SluiceServiceClient *self,
               SluiceEndpoint      *endpoint)
{
  g_assert (endpoint->requests > 0);
  endpoint->requests--;
  if (self->batching && endpoint->batch_max > 1)
    schedule_gather (self);
}

/* Batching endpoints with all their POST slots taken: the calls wait for
 * one (request_ended) rather than go to them now. */
static void
full_endpoints (SluiceServiceClient *self,
                GPtrArray           *full)
{
  g_ptr_array_set_size (full, 0);
  for (guint i = 0; i < sluice_endpoint_set_get_size (self->endpoints); i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_get (self->endpoints, i);

      if (endpoint->batch_max > 1 && endpoint->requests >= REQUESTS_PER_BATCHING_ENDPOINT)
        g_ptr_array_add (full, endpoint);
    }
}

/* Sends the calls made since the last turn of the main loop, or since
 * a POST slot of a batching endpoint became free. */
static gboolean
gather_cb (gpointer user_data)
{
  SluiceServiceClient *self = g_object_ref (user_data);
  gint64 now = g_get_monotonic_time ();
  guint chunk = batch_chunk (self, now);
  g_autoptr(GPtrArray) full = g_ptr_array_new ();

  self->gather_id = 0;
  while (!g_queue_is_empty (&self->fresh))
    {
      SluicePickResult result;
      SluiceEndpoint *endpoint;
      guint size = 1;

      maintain (self, now);
      full_endpoints (self, full);
      endpoint = sluice_endpoint_set_pick (self->endpoints, now, (SluiceEndpoint * const *) full->pdata, full->len,
                                           &result);
      /* Every endpoint that could take them has its POSTs out: wait for
       * an answer, and send what gathered by then together. */
      if (result != SLUICE_PICK_OK && full->len > 0)
        break;
      if (result == SLUICE_PICK_OK && endpoint->batch_max > 1)
        size = MIN (MIN (chunk, endpoint->batch_max), MIN (endpoint->limit - endpoint->in_flight, self->fresh.length));
      if (size > 1)
        start_batch (self, endpoint, size, now);
      else
        {
          /* Alone: sent, queued or failed as any call. */
          SluiceServiceCall *call = pop_fresh (self);

          dispatch (call);
          call_unref (call);
        }
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

SluiceServiceCall *
sluice_service_client_call (SluiceServiceClient   *self,
                            json_t                *item,
                            gint64                 deadline,
                            SluiceServiceCallFunc  func,
                            gpointer               user_data)
{
  SluiceServiceCall *call;
  char *text;

  g_return_val_if_fail (SLUICE_IS_SERVICE_CLIENT (self), NULL);
  g_return_val_if_fail (item != NULL && func != NULL, NULL);

  call = g_new0 (SluiceServiceCall, 1);
  call->ref_count = 1;
  call->client = g_object_ref (self);
  text = sluice_json_dumps (item, JSON_COMPACT);
  call->body = g_bytes_new_with_free_func (text, strlen (text), free, text);
  call->deadline = deadline;
  call->func = func;
  call->user_data = user_data;
  call->tried = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_endpoint_unref);
  call->errors = g_string_new (NULL);

  /* Once an endpoint said it takes batches, calls wait for the end of
   * this turn of the main loop: those made in the same turn (by the
   * executor's other workers) go together. */
  if (self->batching)
    {
      g_queue_push_tail (&self->fresh, call_ref (call));
      call->fresh = self->fresh.tail;
      schedule_gather (self);
    }
  else
    dispatch (call);
  /* Whoever holds it now (an attempt, the queue, the idle) keeps it; the
   * reference the caller sees is ours until the end. */
  call_unref (call);
  return call;
}

void
sluice_service_call_cancel (SluiceServiceCall *call,
                            const char        *reason)
{
  g_autofree char *error = NULL;

  g_return_if_fail (call != NULL && call->func != NULL);

  call_ref (call);
  if (call->attempt != NULL)
    {
      Attempt *attempt = call->attempt;

      error = g_strdup_printf ("service `%s`: %s waiting for %s", call->client->name, reason,
                               attempt->endpoint->url);
      end_attempt (attempt);
      g_cancellable_cancel (attempt->cancellable);
    }
  else if (call->batch != NULL)
    {
      Batch *batch = call->batch;

      error = g_strdup_printf ("service `%s`: %s waiting for %s", call->client->name, reason,
                               batch->endpoint->url);
      batch_release (batch, call);
      /* The others still wait for its answer. */
      if (batch->live == 0)
        g_cancellable_cancel (batch->cancellable);
    }
  else if (call->fresh != NULL)
    {
      error = g_strdup_printf ("service `%s`: %s before it was sent", call->client->name, reason);
      g_queue_delete_link (&call->client->fresh, g_steal_pointer (&call->fresh));
      call_unref (call);
    }
  else if (call->waiting != NULL)
    {
      error = g_strdup_printf ("service `%s`: %s waiting for a free endpoint (all at their limit)",
                               call->client->name, reason);
      g_queue_delete_link (&call->client->waiting, g_steal_pointer (&call->waiting));
      call_unref (call);
    }
  else
    {
      error = call->idle_error != NULL
        ? g_strdup_printf ("%s (%s)", call->idle_error, reason)
        : g_strdup_printf ("service `%s`: %s", call->client->name, reason);
      if (call->idle_id != 0)
        {
          client_remove_source (call->client, &call->idle_id);
          call_unref (call);
        }
    }

  call_done (call, NULL, error);
  kick_waiting (call->client);
  call_unref (call);
}

/* ---- learning load and health: GET /status */

typedef struct
{
  SluiceServiceClient *client;    /* owned */
  SluiceEndpoint      *endpoint;  /* owned */
  SoupMessage         *msg;       /* owned */
} StatusRequest;

static void
status_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  StatusRequest *request = user_data;
  SluiceEndpoint *endpoint = request->endpoint;
  SoupMessage *msg = request->msg;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = sluice_http_fetch_finish (SOUP_SESSION (source), result, &error);
  gint64 now = g_get_monotonic_time ();
  guint status = soup_message_get_status (msg);

  endpoint->probing = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (body == NULL || status >= 500)
    {
      g_autofree char *text = body == NULL ? g_strdup (error->message)
                                           : g_strdup_printf ("GET /status answered %u", status);

      sluice_endpoint_failed (endpoint, now, text);
    }
  else
    {
      /* Any answer is a sign of life; a sluice server says more. */
      json_t *json = json_loadb (g_bytes_get_data (body, NULL), g_bytes_get_size (body), 0, NULL);
      double load = -1;
      gboolean draining = FALSE;
      json_int_t batch_max = 0;

      if (status == 200 && json_is_object (json))
        {
          json_t *in_flight = json_object_get (json, "in_flight");
          json_t *queued = json_object_get (json, "queue_depth");

          if (json_is_number (in_flight))
            load = json_number_value (in_flight) + (json_is_number (queued) ? json_number_value (queued) : 0);
          draining = json_is_true (json_object_get (json, "draining"));
          batch_max = json_integer_value (json_object_get (json, "batch_max"));
        }
      json_decref (json);
      sluice_endpoint_status (endpoint, now, load, draining);
      endpoint->batch_max = (guint) CLAMP (batch_max, 0, 1024);
      if (endpoint->batch_max > 1)
        request->client->batching = TRUE;
      kick_waiting (request->client);
    }

  g_object_unref (request->client);
  g_object_unref (request->msg);
  sluice_endpoint_unref (request->endpoint);
  g_free (request);
}

static char *
resolve_url (const char *base,
             const char *path)
{
  return g_uri_resolve_relative (base, path, G_URI_FLAGS_NONE, NULL);
}

static void
poll_status (SluiceServiceClient *self,
             SluiceEndpoint      *endpoint)
{
  g_autofree char *url = resolve_url (endpoint->url, "status");
  g_autoptr(SoupMessage) msg = url != NULL ? soup_message_new (SOUP_METHOD_GET, url) : NULL;
  StatusRequest *request;

  if (msg == NULL)
    return;

  request = g_new0 (StatusRequest, 1);
  request->client = g_object_ref (self);
  request->endpoint = sluice_endpoint_ref (endpoint);
  request->msg = g_object_ref (msg);
  endpoint->probing = TRUE;
  sluice_http_fetch_async (self->status_session, msg, MAX_STATUS, self->cancellable, status_cb, request);
}

/* ---- the pipeline balancer's list */

static void
instances_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SluiceServiceClient *self = user_data;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&self->balancer_msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = sluice_http_fetch_finish (SOUP_SESSION (source), result, &error);
  json_t *json = NULL;
  json_error_t jerror;

  self->balancer_pending = FALSE;
  g_clear_pointer (&self->balancer_error, g_free);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  if (body == NULL)
    self->balancer_error = g_strdup (error->message);
  else if (soup_message_get_status (msg) != 200)
    self->balancer_error = g_strdup_printf ("it answered %u %s", soup_message_get_status (msg),
                                            soup_message_get_reason_phrase (msg));
  else if ((json = json_loadb (g_bytes_get_data (body, NULL), g_bytes_get_size (body), 0, &jerror)) == NULL ||
           !json_is_array (json_object_get (json, "instances")))
    self->balancer_error = g_strdup ("its /instances answer is not {\"instances\": [...]}");
  else
    {
      g_autoptr(GPtrArray) urls = g_ptr_array_new ();
      json_t *instances = json_object_get (json, "instances");
      json_t *instance;
      size_t i;

      json_array_foreach (instances, i, instance)
        {
          const char *url = json_string_value (json_object_get (instance, "url"));

          if (url != NULL && !json_is_false (json_object_get (instance, "healthy")))
            g_ptr_array_add (urls, (gpointer) url);
        }
      g_ptr_array_add (urls, NULL);
      /* An empty list is news too: every instance went away. */
      sluice_endpoint_set_update (self->endpoints, (const char * const *) urls->pdata);
      self->balancer_known = TRUE;
    }

  if (self->balancer_error != NULL)
    g_debug ("service %s: balancer %s: %s (keeping the last instances it listed)",
             self->name, self->balancer, self->balancer_error);

  json_decref (json);
  /* Calls that waited for the list go, or fail saying why. */
  kick_waiting (self);
  g_object_unref (self);
}

static void
ask_balancer (SluiceServiceClient *self,
              gint64               now)
{
  g_autofree char *escaped = g_uri_escape_string (self->pipeline, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("instances?pipeline=%s", escaped);
  g_autofree char *url = resolve_url (self->balancer, path);
  g_autoptr(SoupMessage) msg = url != NULL ? soup_message_new (SOUP_METHOD_GET, url) : NULL;

  self->balancer_at = now;
  if (msg == NULL)
    {
      g_free (self->balancer_error);
      self->balancer_error = g_strdup ("its URL is not valid");
      return;
    }
  self->balancer_pending = TRUE;
  self->balancer_msg = g_object_ref (msg);
  sluice_http_fetch_async (self->status_session, msg, MAX_STATUS, self->cancellable,
                           instances_cb, g_object_ref (self));
}

/* Look-aside upkeep, done as calls go instead of on timers: an idle
 * client costs nothing. */
static void
maintain (SluiceServiceClient *self,
          gint64               now)
{
  if (self->balancer != NULL && !self->balancer_pending &&
      (!self->balancer_known || now - self->balancer_at >= POLL_US) &&
      (self->balancer_at == 0 || now - self->balancer_at >= POLL_US / 4))
    ask_balancer (self, now);

  for (guint i = 0; i < sluice_endpoint_set_get_size (self->endpoints); i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_get (self->endpoints, i);

      if (sluice_endpoint_wants_status (endpoint, now, POLL_US))
        poll_status (self, endpoint);
    }
}
