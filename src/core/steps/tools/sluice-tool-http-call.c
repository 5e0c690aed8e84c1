/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sluice-http-fetch.h"
#include "sluice-http-link.h"
#include "sluice-http-retry.h"
#include "sluice-tool-http-private.h"
#include "sluice-tool-values.h"

/* One item through the http tool: request a page (after the module's
 * rate limit lets it go), retry what is transient, emit the page's
 * items, move on to the next page until there is none, a page repeats
 * (a cycle: failed) or max-pages is reached (logged). */

#define MAX_REDIRECTS 5
/* How much of an error answer a message quotes. */
#define QUOTE_BYTES 300

typedef struct
{
  SluiceToolHttp *self;          /* owned */
  SluiceStepCall *call;          /* NULL once answered (cancelled) */
  GCancellable   *cancellable;   /* owned: the request in flight */
  char           *url;           /* the page asked for now */
  gint64          page_number;
  guint           pages_done;
  guint           attempt;       /* retries of this page so far */
  guint           redirects;
  GHashTable     *seen;          /* URLs asked for: a repeat is a cycle */
  gpointer        wait;          /* a timer of the run: rate or backoff */
  gpointer        timeout;       /* a timer of the run: this request's */
  gboolean        timed_out;
  gboolean        fetching;      /* a request is in flight */
  SoupMessage    *msg;           /* owned: the request in flight */
} HttpCall;

static void send_request (gpointer data);

static void
http_call_free (HttpCall *hc)
{
  g_clear_object (&hc->cancellable);
  g_clear_object (&hc->msg);
  g_object_unref (hc->self);
  g_free (hc->url);
  g_hash_table_unref (hc->seen);
  g_free (hc);
}

static SluiceStepContext *
context_of (HttpCall *hc)
{
  return sluice_step_get_context (SLUICE_STEP (hc->self));
}

static void
log_line (HttpCall   *hc,
          const char *message)
{
  g_autofree char *safe = sluice_tool_redact (message, hc->self->secret);

  sluice_step_context_log (context_of (hc), sluice_step_get_id (SLUICE_STEP (hc->self)), safe);
}

static void
fail (HttpCall   *hc,
      const char *message)
{
  g_autofree char *safe = sluice_tool_redact (message, hc->self->secret);
  SluiceStepCall *call = hc->call;

  call->step_data = NULL;
  hc->call = NULL;
  sluice_step_call_fail (call, safe, NULL);
  http_call_free (hc);
}

static void
finish (HttpCall *hc)
{
  SluiceStepCall *call = hc->call;

  call->step_data = NULL;
  sluice_step_call_finish (call);
  http_call_free (hc);
}

static char *
page_url (HttpCall   *hc,
          const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, TRUE);

  return g_strdup_printf ("%s%c%s=%s", hc->self->url,
                          strchr (hc->self->url, '?') != NULL ? '&' : '?',
                          hc->self->page_param, escaped);
}

/* ---- waiting: the rate limit and the backoff share one timer slot */

static void
wait_until (HttpCall            *hc,
            gint64               when,
            SluiceStepTimerFunc  func)
{
  if (when <= g_get_monotonic_time ())
    {
      func (hc);
      return;
    }
  hc->wait = sluice_step_context_add_timer (context_of (hc), when, func, hc);
}

static void
rate_cb (gpointer data)
{
  HttpCall *hc = data;

  hc->wait = NULL;
  send_request (hc);
}

static void
go (HttpCall *hc)
{
  gint64 now = g_get_monotonic_time ();

  wait_until (hc, sluice_rate_limit_take (&hc->self->rate, now), rate_cb);
}

static void
retry_cb (gpointer data)
{
  HttpCall *hc = data;

  hc->wait = NULL;
  go (hc);
}

/* A transient failure: try again after a backoff, or after what the
 * server asked for (never longer than max-wait), or give up. */
static void
retry_or_fail (HttpCall   *hc,
               const char *reason,
               gint64      retry_after_us)
{
  SluiceToolHttp *self = hc->self;
  gint64 delay = sluice_http_retry_backoff (self->retry_delay_us, hc->attempt, self->max_wait_us);
  g_autofree char *what = NULL;

  if (hc->attempt >= self->retries)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %s: %s (gave up after %u attempt)",
                                                               "%s %s: %s (gave up after %u attempts)", hc->attempt + 1),
                                                  self->method, hc->url, reason, hc->attempt + 1);

      fail (hc, message);
      return;
    }

  if (retry_after_us >= 0)
    {
      delay = retry_after_us;
      if (delay > self->max_wait_us)
        {
          g_autofree char *message = g_strdup_printf ("%s %s: the server asks to wait %" G_GINT64_FORMAT " s; waiting max-wait, %" G_GINT64_FORMAT " ms",
                                                      self->method, hc->url, retry_after_us / G_USEC_PER_SEC,
                                                      self->max_wait_us / 1000);

          log_line (hc, message);
          delay = self->max_wait_us;
        }
    }

  if (hc->call->deadline != 0 && g_get_monotonic_time () + delay >= hc->call->deadline)
    {
      g_autofree char *message = g_strdup_printf ("%s %s: %s; a retry in %" G_GINT64_FORMAT " ms would end after the module's timeout",
                                                  self->method, hc->url, reason, delay / 1000);

      fail (hc, message);
      return;
    }

  what = g_strdup_printf ("%s %s: %s; retry %u of %" G_GINT64_FORMAT " in %" G_GINT64_FORMAT " ms",
                          self->method, hc->url, reason, hc->attempt + 1, self->retries, delay / 1000);
  log_line (hc, what);
  hc->attempt++;
  wait_until (hc, g_get_monotonic_time () + delay, retry_cb);
}

/* ---- one page's answer */

static gboolean
emit_items (HttpCall  *hc,
            json_t    *answer,
            gsize     *count,
            char     **error)
{
  json_t *selected = sluice_json_path_lookup (hc->self->items, answer, NULL);
  size_t i;
  json_t *value;

  *count = 0;
  if (selected == NULL || json_is_null (selected))
    return TRUE;
  if (json_is_object (selected))
    {
      sluice_step_call_emit (hc->call, json_incref (selected));
      *count = 1;
      return TRUE;
    }
  if (!json_is_array (selected))
    {
      *error = g_strdup_printf ("%s %s: “%s” in the answer is %s, not an array or object of items",
                                hc->self->method, hc->url, sluice_json_path_get_text (hc->self->items),
                                json_is_string (selected) ? "a string" : json_is_boolean (selected) ? "a boolean" : "a number");
      return FALSE;
    }

  json_array_foreach (selected, i, value)
    {
      /* Items are objects (SPEC 2): a bare value travels as {"value": …}. */
      if (json_is_object (value))
        sluice_step_call_emit (hc->call, json_incref (value));
      else
        sluice_step_call_emit (hc->call, json_pack ("{s:O}", "value", value));
    }
  *count = json_array_size (selected);
  return TRUE;
}

/* The next page's URL, NULL when there is none; FALSE with @error for
 * an answer that names a next page in a way we cannot follow. */
static gboolean
next_url (HttpCall     *hc,
          SoupMessage  *msg,
          json_t       *answer,
          gsize         count,
          char        **next,
          char        **error)
{
  SluiceToolHttp *self = hc->self;
  json_t *field;

  *next = NULL;
  switch (self->pages)
    {
    case HTTP_PAGES_NONE:
      return TRUE;

    case HTTP_PAGES_LINK:
      *next = sluice_http_link_find_next (soup_message_headers_get_list (soup_message_get_response_headers (msg), "Link"),
                                          hc->url);
      return TRUE;

    case HTTP_PAGES_NEXT:
    case HTTP_PAGES_CURSOR:
      field = sluice_json_path_lookup (self->next_field, answer, NULL);
      if (field == NULL || json_is_null (field) || (json_is_string (field) && json_string_length (field) == 0))
        return TRUE;
      if (self->pages == HTTP_PAGES_NEXT && json_is_string (field))
        *next = g_uri_resolve_relative (hc->url, json_string_value (field), G_URI_FLAGS_ENCODED, NULL);
      else if (self->pages == HTTP_PAGES_CURSOR && json_is_string (field))
        *next = page_url (hc, json_string_value (field));
      else if (self->pages == HTTP_PAGES_CURSOR && json_is_integer (field))
        {
          g_autofree char *text = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (field));

          *next = page_url (hc, text);
        }
      if (*next == NULL)
        {
          *error = g_strdup_printf ("%s %s: “%s” in the answer is not a %s",
                                    self->method, hc->url, sluice_json_path_get_text (self->next_field),
                                    self->pages == HTTP_PAGES_NEXT ? "URL" : "cursor (a string or an integer)");
          return FALSE;
        }
      return TRUE;

    case HTTP_PAGES_PAGE:
      if (count > 0)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, ++hc->page_number);

          *next = page_url (hc, text);
        }
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static void
handle_page (HttpCall    *hc,
             SoupMessage *msg,
             GBytes      *body)
{
  SluiceToolHttp *self = hc->self;
  json_error_t json_error;
  json_t *answer;
  g_autofree char *error = NULL;
  g_autofree char *next = NULL;
  gsize count = 0;

  answer = json_loadb (g_bytes_get_data (body, NULL), g_bytes_get_size (body), JSON_DECODE_ANY, &json_error);
  if (answer == NULL)
    {
      error = g_strdup_printf ("%s %s: the answer is not JSON (line %d, column %d: %s)",
                               self->method, hc->url, json_error.line, json_error.column, json_error.text);
      fail (hc, error);
      return;
    }

  if (!emit_items (hc, answer, &count, &error) ||
      !next_url (hc, msg, answer, count, &next, &error))
    {
      json_decref (answer);
      fail (hc, error);
      return;
    }
  json_decref (answer);

  hc->pages_done++;
  if (next == NULL)
    {
      finish (hc);
      return;
    }
  if (!sluice_http_link_same_origin (next, self->url))
    {
      error = g_strdup_printf ("%s %s: the next page %s is on another host; refused", self->method, hc->url, next);
      fail (hc, error);
      return;
    }
  if (g_hash_table_contains (hc->seen, next))
    {
      error = g_strdup_printf ("%s %s: the next page %s was already fetched (a pagination cycle)",
                               self->method, hc->url, next);
      fail (hc, error);
      return;
    }
  if (hc->pages_done >= self->max_pages)
    {
      error = g_strdup_printf ("%s %s: stopped after max-pages (%" G_GINT64_FORMAT ") pages; the server offers more",
                               self->method, hc->url, self->max_pages);
      log_line (hc, error);
      finish (hc);
      return;
    }

  g_free (hc->url);
  hc->url = g_steal_pointer (&next);
  hc->attempt = 0;
  hc->redirects = 0;
  go (hc);
}

static void
handle_redirect (HttpCall    *hc,
                 SoupMessage *msg)
{
  SluiceToolHttp *self = hc->self;
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  g_autofree char *target = location != NULL ? g_uri_resolve_relative (hc->url, location, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autofree char *error = NULL;

  if (target == NULL)
    error = g_strdup_printf ("%s %s: HTTP %u without a usable Location", self->method, hc->url, soup_message_get_status (msg));
  else if (!sluice_http_link_same_origin (target, self->url))
    error = g_strdup_printf ("%s %s: redirected to %s, another host; refused", self->method, hc->url, target);
  else if (++hc->redirects > MAX_REDIRECTS)
    error = g_strdup_printf ("%s %s: more than %d redirects", self->method, hc->url, MAX_REDIRECTS);

  if (error != NULL)
    {
      fail (hc, error);
      return;
    }
  g_free (hc->url);
  hc->url = g_steal_pointer (&target);
  go (hc);
}

/* The start of an error answer, for the message. The secret is blanked
 * out before cutting, so that half of it cannot slip through. */
static char *
quote_body (GBytes     *body,
            const char *secret)
{
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  g_autofree char *valid = NULL;
  g_autofree char *text = NULL;
  const char *end;

  if (size == 0)
    return g_strdup ("");
  valid = g_utf8_make_valid (data, size);
  text = sluice_tool_redact (valid, secret);
  end = strlen (text) > QUOTE_BYTES ? g_utf8_find_prev_char (text, text + QUOTE_BYTES + 1) : NULL;
  if (end != NULL)
    text[end - text] = '\0';
  g_strdelimit (text, "\r\n", ' ');
  return g_strdup_printf (": %s%s", g_strstrip (text), end != NULL ? "…" : "");
}

static gboolean
error_is_transient (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return FALSE;
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE) &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) &&
         !g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  HttpCall *hc = data;
  SoupMessage *msg = g_steal_pointer (&hc->msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = sluice_http_fetch_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *reason = NULL;
  guint status;

  hc->fetching = FALSE;
  if (hc->timeout != NULL)
    sluice_step_context_remove_timer (context_of (hc), hc->timeout);
  hc->timeout = NULL;

  if (hc->call == NULL)
    {
      /* Cancelled: the call was answered then. */
      g_object_unref (msg);
      http_call_free (hc);
      return;
    }

  status = soup_message_get_status (msg);
  if (body == NULL)
    {
      g_autofree char *duration = NULL;

      if (hc->timed_out)
        reason = g_strdup_printf ("no answer within %" G_GINT64_FORMAT " ms", hc->self->timeout_us / 1000);
      else
        reason = g_strdup (error->message);
      if (!hc->timed_out && !error_is_transient (error))
        {
          g_autofree char *message = g_strdup_printf ("%s %s: %s", hc->self->method, hc->url, reason);

          fail (hc, message);
        }
      else
        retry_or_fail (hc, reason, -1);
    }
  else if (SOUP_STATUS_IS_SUCCESSFUL (status))
    handle_page (hc, msg, body);
  else if (SOUP_STATUS_IS_REDIRECTION (status))
    handle_redirect (hc, msg);
  else
    {
      g_autofree char *quoted = quote_body (body, hc->self->secret);

      reason = g_strdup_printf ("HTTP %u %s%s", status, soup_message_get_reason_phrase (msg) ?: "", quoted);
      if (sluice_http_retry_status_is_transient (status))
        {
          const char *after = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");

          retry_or_fail (hc, reason, sluice_http_retry_after_parse (after, g_get_real_time ()));
        }
      else
        {
          g_autofree char *message = g_strdup_printf ("%s %s: %s", hc->self->method, hc->url, reason);

          fail (hc, message);
        }
    }
  g_object_unref (msg);
}

static void
timeout_cb (gpointer data)
{
  HttpCall *hc = data;

  hc->timeout = NULL;
  hc->timed_out = TRUE;
  g_cancellable_cancel (hc->cancellable);
}

static GBytes *
request_body (HttpCall *hc)
{
  SluiceToolHttp *self = hc->self;
  char *text;

  if (self->body != NULL)
    return g_bytes_new (self->body, strlen (self->body));
  if (g_str_equal (self->method, "GET") || g_str_equal (self->method, "DELETE"))
    return NULL;
  text = json_dumps (hc->call->item, JSON_COMPACT);
  return g_bytes_new_take (text, strlen (text));
}

static void
send_request (gpointer data)
{
  HttpCall *hc = data;
  SluiceToolHttp *self = hc->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (hc->url, G_URI_FLAGS_ENCODED, &error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;
  gboolean typed = FALSE;

  if (uri == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s %s: not a URL: %s", self->method, hc->url, error->message);

      fail (hc, message);
      return;
    }

  g_hash_table_add (hc->seen, g_strdup (hc->url));
  msg = soup_message_new_from_uri (self->method, uri);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  for (guint i = 0; i < self->header_names->len; i++)
    {
      const char *name = g_ptr_array_index (self->header_names, i);

      soup_message_headers_append (headers, name, g_ptr_array_index (self->header_values, i));
      typed |= g_ascii_strcasecmp (name, "Content-Type") == 0;
    }
  if (self->secret_header != NULL)
    soup_message_headers_replace (headers, self->secret_header, self->secret);

  body = request_body (hc);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, typed ? NULL : "application/json", body);

  g_clear_object (&hc->cancellable);
  hc->cancellable = g_cancellable_new ();
  hc->timed_out = FALSE;
  hc->timeout = sluice_step_context_add_timer (context_of (hc), g_get_monotonic_time () + self->timeout_us,
                                               timeout_cb, hc);
  hc->fetching = TRUE;
  g_set_object (&hc->msg, msg);
  sluice_http_fetch_async (self->session, msg, self->max_bytes, hc->cancellable, fetched_cb, hc);
}

void
_sluice_tool_http_call_start (SluiceToolHttp *self,
                              SluiceStepCall *call)
{
  HttpCall *hc = g_new0 (HttpCall, 1);

  hc->self = g_object_ref (self);
  hc->call = call;
  hc->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  hc->page_number = self->first_page;
  if (self->pages == HTTP_PAGES_PAGE)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, hc->page_number);

      hc->url = page_url (hc, text);
    }
  else
    hc->url = g_strdup (self->url);
  call->step_data = hc;
  go (hc);
}

void
_sluice_tool_http_call_cancel (SluiceToolHttp *self,
                               SluiceStepCall *call,
                               const char     *reason)
{
  HttpCall *hc = call->step_data;

  if (hc == NULL)
    return;

  if (hc->wait != NULL)
    sluice_step_context_remove_timer (context_of (hc), hc->wait);
  if (hc->timeout != NULL)
    sluice_step_context_remove_timer (context_of (hc), hc->timeout);
  hc->wait = hc->timeout = NULL;
  call->step_data = NULL;
  hc->call = NULL;
  sluice_step_call_fail (call, reason, NULL);
  /* A request in flight still calls back: it frees the call then. */
  if (hc->fetching)
    g_cancellable_cancel (hc->cancellable);
  else
    http_call_free (hc);
}
