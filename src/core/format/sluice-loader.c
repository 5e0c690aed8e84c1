/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "sluice-loader.h"
#include "sluice-xml-private.h"

/* Pipeline files are untrusted. The defences, in the order they act:
 *
 *  1. the file is read by us with a size cap (SLUICE_MAX_FILE_SIZE), so a
 *     huge file is refused before any of it is parsed;
 *  2. libxml2 parses from memory with XML_PARSE_NONET | XML_PARSE_BIG_LINES
 *     only: no entity substitution, no DTD loading, no "huge" mode (which
 *     keeps libxml2's nesting limit of 256 levels);
 *  3. a SAX hook stops the parser at the first DOCTYPE, before its internal
 *     subset is read, so no entity is ever declared: billion laughs,
 *     quadratic blowup and external entities fail right there;
 *  4. the external entity loader loads nothing, as a last line;
 *  5. the format version, then friendly structural checks, then the
 *     RelaxNG schema, and only then is the model built. */

#define MAX_REPORTED_ERRORS 20

/* libxml2's nesting limit without XML_PARSE_HUGE. */
#define MAX_DEPTH 256

typedef struct
{
  SluiceLoadContext *ctx;
  gboolean           doctype;
  guint              reported;
} ParseState;

guint
sluice_xml_line (xmlNode *node)
{
  long line = xmlGetLineNo (node);

  return line > 0 ? (guint) line : 0;
}

char *
sluice_xml_get_attr (xmlNode    *node,
                     const char *name)
{
  xmlChar *raw = xmlGetNoNsProp (node, BAD_CAST name);
  char *ret;

  if (raw == NULL)
    return NULL;
  ret = g_strdup ((const char *) raw);
  xmlFree (raw);
  return ret;
}

void
sluice_load_context_error (SluiceLoadContext *ctx,
                           guint              line,
                           const char        *node_id,
                           const char        *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  ctx->n_errors++;
  g_ptr_array_add (ctx->problems,
                   sluice_problem_new_valist (SLUICE_SEVERITY_ERROR, ctx->file, line, node_id, format, args));
  va_end (args);
}

void
sluice_load_context_warning (SluiceLoadContext *ctx,
                             guint              line,
                             const char        *node_id,
                             const char        *format,
                             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (ctx->problems,
                   sluice_problem_new_valist (SLUICE_SEVERITY_WARNING, ctx->file, line, node_id, format, args));
  va_end (args);
}


/* libxml2's entity loader is one process-wide hook, and the designer's
 * other libraries (GtkSourceView reads its language files with libxml2)
 * need the normal one. So the hook refuses only while this thread is
 * loading a pipeline, and hands every other request to the loader that
 * was installed before. */
static xmlExternalEntityLoader previous_entity_loader;
static _Thread_local gboolean loading_pipeline;

static xmlParserInputPtr
pipeline_entity_loader (const char       *url,
                        const char       *id,
                        xmlParserCtxtPtr  ctxt)
{
  if (loading_pipeline)
    return NULL;
  return previous_entity_loader (url, id, ctxt);
}

static gpointer
init_libxml (gpointer data)
{
  xmlInitParser ();
  previous_entity_loader = xmlGetExternalEntityLoader ();
  xmlSetExternalEntityLoader (pipeline_entity_loader);
  return NULL;
}

/* libxml2's messages end in a newline and some carry advice that does not
 * apply to us; these make them read like the rest of our problems. */
typedef enum
{
  INPUT_MIDDLE,
  INPUT_AT_END,
  INPUT_AT_END_CONVERTED,  /* converted from a declared encoding */
} InputPosition;

static char *
rewrite_parse_message (const xmlError *error,
                       InputPosition   position)
{
  g_autofree char *raw = g_strstrip (g_strdup (error->message ? error->message : ""));
  char *newline;

  if (error->code == XML_ERR_INVALID_ENCODING ||
      g_str_has_prefix (raw, "Input is not proper UTF-8"))
    {
      const char *bytes = strstr (raw, "Bytes:");

      return g_strdup_printf (_("the file is not valid UTF-8 text (%s)"),
                              bytes != NULL ? bytes : raw);
    }
  if (error->domain == XML_FROM_I18N)
    return g_strdup_printf (_("the text is not in the encoding the file declares (%s)"), raw);
  if (g_str_has_prefix (raw, "Excessive depth in document"))
    return g_strdup_printf (_("elements are nested more than %d levels deep"), MAX_DEPTH);
  if (error->code == XML_ERR_DOCUMENT_EMPTY)
    return g_strdup (_("the file has no XML content"));

  /* Keep only the first line of multi-line messages. */
  newline = strchr (raw, '\n');
  if (newline != NULL)
    *newline = '\0';

  /* A conversion stops at the first byte that is not in the declared
   * encoding, which looks like the end of the input. */
  if (position == INPUT_AT_END_CONVERTED)
    return g_strdup_printf (_("not well-formed XML: %s (is the text in the encoding the file declares?)"), raw);
  if (position == INPUT_AT_END || error->code == XML_ERR_TAG_NOT_FINISHED)
    return g_strdup_printf (_("not well-formed XML: %s (is the file truncated?)"), raw);

  return g_strdup_printf (_("not well-formed XML: %s"), raw);
}

static void
parse_error_cb (void        *user_data,
                xmlErrorPtr  error)
{
  xmlParserCtxtPtr ctxt = user_data;
  ParseState *state = ctxt->_private;
  g_autofree char *message = NULL;
  InputPosition position = INPUT_MIDDLE;
  guint line;

  /* The DOCTYPE refusal already explains why parsing stopped. */
  if (state->doctype || error->code == XML_ERR_USER_STOP)
    return;
  if (state->reported >= MAX_REPORTED_ERRORS)
    return;
  state->reported++;

  /* An error at the very end of the input means the document stopped
   * in the middle of something. */
  line = error->line > 0 ? (guint) error->line : 0;
  if (line == 0 && ctxt->input != NULL && ctxt->input->line > 0)
    line = (guint) ctxt->input->line;

  if (ctxt->input != NULL && ctxt->input->cur != NULL && ctxt->input->end != NULL &&
      ctxt->input->cur >= ctxt->input->end)
    position = (ctxt->input->buf != NULL && ctxt->input->buf->encoder != NULL)
               ? INPUT_AT_END_CONVERTED : INPUT_AT_END;
  message = rewrite_parse_message (error, position);
  if (error->level == XML_ERR_WARNING)
    sluice_load_context_warning (state->ctx, line, NULL, "%s", message);
  else
    sluice_load_context_error (state->ctx, line, NULL, "%s", message);
}

static void
silent_generic_error (void       *user_data,
                      const char *format,
                      ...)
{
}

static void
doctype_cb (void          *user_data,
            const xmlChar *name,
            const xmlChar *external_id,
            const xmlChar *system_id)
{
  xmlParserCtxtPtr ctxt = user_data;
  ParseState *state = ctxt->_private;

  if (state->doctype)
    return;

  sluice_load_context_error (state->ctx, xmlSAX2GetLineNumber (ctxt), NULL,
                             _("DOCTYPE declarations are not allowed in pipeline files "
                               "(they can define entities and load other files)"));
  state->doctype = TRUE;
  xmlStopParser (ctxt);
}

/* libxml2 gives an element the line where its start tag ends; problems
 * and the designer want the line where it starts, which differs when the
 * attributes span several lines. Attribute values cannot hold a raw '<',
 * so the tag starts at the last '<' before the parser's position. Text
 * bodies keep the end line: their text starts there (the code line). */
static void
start_element_cb (void           *user_data,
                  const xmlChar  *localname,
                  const xmlChar  *prefix,
                  const xmlChar  *uri,
                  int             nb_namespaces,
                  const xmlChar **namespaces,
                  int             nb_attributes,
                  int             nb_defaulted,
                  const xmlChar **attributes)
{
  xmlParserCtxtPtr ctxt = user_data;
  xmlParserInputPtr input = ctxt->input;
  xmlNode *node;
  guint newlines = 0;

  xmlSAX2StartElementNs (user_data, localname, prefix, uri, nb_namespaces, namespaces,
                         nb_attributes, nb_defaulted, attributes);

  node = ctxt->node;
  if (node == NULL || input == NULL || input->cur == NULL || input->base == NULL ||
      node->line == 0 || node->line >= 65535 ||
      xmlStrEqual (localname, BAD_CAST "lua") || xmlStrEqual (localname, BAD_CAST "command") ||
      xmlStrEqual (localname, BAD_CAST "when"))
    return;

  for (const xmlChar *p = input->cur; ; p--)
    {
      if (*p == '<')
        {
          if (newlines < node->line)
            node->line -= newlines;
          return;
        }
      if (*p == '\n')
        newlines++;
      if (p == input->base)
        return;
    }
}

/* libxml2 checks an element's attributes against each other, which
 * takes minutes for an element with 200,000 of them: count them first, in
 * one pass over the bytes, and refuse such a file. Comments, CDATA and
 * processing instructions are skipped whole; quoted values may hold
 * anything but their own quote. Returns the line of the first element
 * with too many, or 0. */
static guint
find_attribute_flood (const char *data,
                      gsize       length)
{
  guint line = 1;
  gsize i = 0;

  while (i < length)
    {
      const char *end;
      guint attributes = 0;
      guint tag_line = line;
      char quote = 0;

      if (data[i] != '<')
        {
          line += data[i++] == '\n';
          continue;
        }

      if (i + 1 < length && (data[i + 1] == '!' || data[i + 1] == '?'))
        {
          const char *close = data[i + 1] == '?' ? "?>" :
                              (i + 3 < length && data[i + 2] == '-' && data[i + 3] == '-') ? "-->" :
                              (i + 2 < length && data[i + 2] == '[') ? "]]>" : ">";

          end = g_strstr_len (data + i, length - i, close);
          for (gsize j = i; j < (end ? (gsize) (end - data) : length); j++)
            line += data[j] == '\n';
          i = end != NULL ? (gsize) (end - data) + strlen (close) : length;
          continue;
        }

      for (i++; i < length && (quote != 0 || data[i] != '>'); i++)
        {
          if (data[i] == '\n')
            line++;
          else if (quote != 0 && data[i] == quote)
            quote = 0;
          else if (quote == 0 && (data[i] == '"' || data[i] == '\''))
            quote = data[i];
          else if (quote == 0 && data[i] == '=' && ++attributes > SLUICE_MAX_ATTRIBUTES)
            return tag_line;
        }
    }

  return 0;
}

static xmlDoc *
parse_document (SluiceLoadContext *ctx,
                const char        *data,
                gsize              length)
{
  ParseState state = { ctx, FALSE, 0 };
  xmlParserCtxtPtr ctxt;
  xmlDoc *doc;
  xmlStructuredErrorFunc old_structured;
  void *old_structured_data;
  xmlGenericErrorFunc old_generic;
  void *old_generic_data;
  guint flood_line;

  flood_line = find_attribute_flood (data, length);
  if (flood_line > 0)
    {
      sluice_load_context_error (ctx, flood_line, NULL,
                                 _("an element has more than %d attributes, the limit for pipeline files"),
                                 SLUICE_MAX_ATTRIBUTES);
      return NULL;
    }

  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      sluice_load_context_error (ctx, 0, NULL, _("out of memory while parsing"));
      return NULL;
    }

  ctxt->_private = &state;
  ctxt->sax->serror = parse_error_cb;
  ctxt->sax->internalSubset = doctype_cb;
  ctxt->sax->startElementNs = start_element_cb;

  /* Errors raised outside the parser context (encoding conversion, I/O)
   * go to libxml2's per-thread handlers: route them to us as well, and
   * keep libxml2's generic messages off stderr. */
  old_structured = xmlStructuredError;
  old_structured_data = xmlStructuredErrorContext;
  old_generic = xmlGenericError;
  old_generic_data = xmlGenericErrorContext;
  xmlSetStructuredErrorFunc (ctxt, parse_error_cb);
  xmlSetGenericErrorFunc (NULL, silent_generic_error);

  doc = xmlCtxtReadMemory (ctxt, data, (int) length, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_BIG_LINES);

  xmlSetStructuredErrorFunc (old_structured_data, old_structured);
  xmlSetGenericErrorFunc (old_generic_data, old_generic);

  if (doc != NULL && (state.doctype || !ctxt->wellFormed || ctx->n_errors > 0))
    g_clear_pointer (&doc, xmlFreeDoc);

  if (doc == NULL && ctx->n_errors == 0)
    sluice_load_context_error (ctx, MAX (ctxt->input ? ctxt->input->line : 0, 0), NULL,
                               _("not well-formed XML"));

  xmlFreeParserCtxt (ctxt);
  return doc;
}

static gboolean
check_format (SluiceLoadContext *ctx,
              xmlNode           *root)
{
  g_autofree char *text = NULL;
  xmlChar *raw;
  guint64 format;
  guint line = (guint) MAX (xmlGetLineNo (root), 0);

  if (!xmlStrEqual (root->name, BAD_CAST "pipeline"))
    return TRUE;  /* the structural checks say what is wrong */

  raw = xmlGetNoNsProp (root, BAD_CAST "format");
  if (raw == NULL)
    {
      sluice_load_context_error (ctx, line, NULL,
                                 _("<pipeline> needs a format attribute (format=\"%d\")"),
                                 SLUICE_FORMAT_VERSION);
      return FALSE;
    }
  text = g_strdup ((const char *) raw);
  xmlFree (raw);

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &format, NULL) ||
      !g_ascii_isdigit (text[0]))
    {
      sluice_load_context_error (ctx, line, NULL,
                                 _("format `%s` is not a format version (use format=\"%d\")"),
                                 text, SLUICE_FORMAT_VERSION);
      return FALSE;
    }

  if (format > SLUICE_FORMAT_VERSION)
    {
      sluice_load_context_error (ctx, line, NULL,
                                 _("this file uses format %s; this version of Sluice reads "
                                   "format %d — update Sluice"),
                                 text, SLUICE_FORMAT_VERSION);
      return FALSE;
    }

  return TRUE;
}

static void
schema_error_cb (void        *user_data,
                 xmlErrorPtr  error)
{
  ParseState *state = user_data;
  g_autofree char *raw = g_strstrip (g_strdup (error->message ? error->message : ""));
  guint line = error->line > 0 ? (guint) error->line : 0;

  if (state->reported >= MAX_REPORTED_ERRORS)
    return;
  state->reported++;

  if (line == 0 && error->node != NULL)
    line = (guint) MAX (xmlGetLineNo (error->node), 0);

  sluice_load_context_error (state->ctx, line, NULL,
                             _("does not match the pipeline schema: %s"), raw);
}

static gboolean
check_schema (SluiceLoadContext *ctx,
              xmlDoc            *doc)
{
  ParseState state = { ctx, FALSE, 0 };
  xmlRelaxNGPtr schema = sluice_xml_schema_get ();
  xmlRelaxNGValidCtxtPtr valid;
  int ret;

  if (schema == NULL)
    {
      sluice_load_context_error (ctx, 0, NULL,
                                 _("internal error: the pipeline schema cannot be compiled"));
      return FALSE;
    }

  valid = xmlRelaxNGNewValidCtxt (schema);
  xmlRelaxNGSetValidStructuredErrors (valid, schema_error_cb, &state);
  ret = xmlRelaxNGValidateDoc (valid, doc);
  xmlRelaxNGFreeValidCtxt (valid);

  if (ret != 0 && state.reported == 0)
    sluice_load_context_error (ctx, 0, NULL, _("does not match the pipeline schema"));

  return ret == 0;
}

static gboolean
is_blank_data (const char *data,
               gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  return TRUE;
}

static SluicePipeline *load_document (SluiceLoadContext *ctx,
                                      const char        *data,
                                      gsize              length);

SluicePipeline *
sluice_load_data (const char  *data,
                  gsize        length,
                  const char  *display_name,
                  GPtrArray   *problems)
{
  static GOnce libxml_once = G_ONCE_INIT;
  SluiceLoadContext ctx = { display_name, problems, 0 };
  SluicePipeline *pipeline;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  g_once (&libxml_once, init_libxml, NULL);

  if (length > SLUICE_MAX_FILE_SIZE)
    {
      sluice_load_context_error (&ctx, 1, NULL,
                                 _("the file is larger than %d MB, the limit for pipeline files"),
                                 SLUICE_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }
  if (is_blank_data (data, length))
    {
      sluice_load_context_error (&ctx, 1, NULL, _("the file is empty"));
      return NULL;
    }

  loading_pipeline = TRUE;
  pipeline = load_document (&ctx, data, length);
  loading_pipeline = FALSE;

  if (ctx.n_errors > 0)
    g_clear_object (&pipeline);
  return pipeline;
}

/* Parses, checks and builds; runs with the entity loader refusing. */
static SluicePipeline *
load_document (SluiceLoadContext *ctx,
               const char        *data,
               gsize              length)
{
  SluicePipeline *pipeline = NULL;
  xmlDoc *doc;
  xmlNode *root;

  doc = parse_document (ctx, data, length);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  if (root == NULL)
    sluice_load_context_error (ctx, 1, NULL, _("the file has no root element"));
  else if (check_format (ctx, root))
    {
      sluice_xml_check_document (ctx, root);
      if (ctx->n_errors == 0 && check_schema (ctx, doc))
        pipeline = sluice_loader_build (ctx, doc);
    }

  xmlFreeDoc (doc);
  return pipeline;
}

/* Reads at most SLUICE_MAX_FILE_SIZE + 1 bytes, so that a file that grows
 * while read, or a device, cannot make us read without end. */
static char *
read_capped (SluiceLoadContext *ctx,
             const char        *path,
             gsize             *length)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize filled = 0;
  gsize allocated;
  int fd;

  /* Opening a FIFO without a writer would wait for one forever; opened
   * without waiting, it reads as empty. Reads block again afterwards. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      sluice_load_context_error (ctx, 0, NULL, _("cannot open the file: %s"),
                                 g_strerror (saved_errno));
      return NULL;
    }
  g_unix_set_fd_nonblocking (fd, FALSE, NULL);

  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      sluice_load_context_error (ctx, 0, NULL, _("is a directory, not a pipeline file"));
      close (fd);
      return NULL;
    }
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > SLUICE_MAX_FILE_SIZE)
    {
      sluice_load_context_error (ctx, 1, NULL,
                                 _("the file is larger than %d MB, the limit for pipeline files"),
                                 SLUICE_MAX_FILE_SIZE / (1024 * 1024));
      close (fd);
      return NULL;
    }

  /* Sized from fstat for regular files; grown for pipes and devices,
   * never beyond the cap plus one byte (which tells "too large"). */
  allocated = (fstat (fd, &st) == 0 && S_ISREG (st.st_mode)) ? (gsize) st.st_size + 1 : 65536;
  allocated = MIN (allocated, SLUICE_MAX_FILE_SIZE + 1);
  buffer = g_malloc (allocated + 1);
  while (filled <= SLUICE_MAX_FILE_SIZE)
    {
      gssize n;

      if (filled == allocated)
        {
          allocated = MIN (allocated * 2, SLUICE_MAX_FILE_SIZE + 1);
          buffer = g_realloc (buffer, allocated + 1);
        }
      n = read (fd, buffer + filled, allocated - filled);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          sluice_load_context_error (ctx, 0, NULL, _("cannot read the file: %s"),
                                     g_strerror (saved_errno));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      filled += (gsize) n;
    }
  close (fd);

  if (filled > SLUICE_MAX_FILE_SIZE)
    {
      sluice_load_context_error (ctx, 1, NULL,
                                 _("the file is larger than %d MB, the limit for pipeline files"),
                                 SLUICE_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }

  buffer[filled] = '\0';
  *length = filled;
  return g_steal_pointer (&buffer);
}

SluicePipeline *
sluice_load_file (const char  *path,
                  GPtrArray   *problems)
{
  SluiceLoadContext ctx = { path, problems, 0 };
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  data = read_capped (&ctx, path, &length);
  if (data == NULL)
    return NULL;

  return sluice_load_data (data, length, path, problems);
}
