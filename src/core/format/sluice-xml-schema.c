/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libxml/parser.h>

#include "sluice-core-resources.h"
#include "sluice-xml-private.h"

#define SCHEMA_RESOURCE "/org/sluice/core/sluice-pipeline.rng"

/* Errors while compiling our own schema are a packaging bug: they go to
 * the log instead of a user's problem list. */
static void
schema_parser_error_cb (void        *user_data,
                        xmlErrorPtr  error)
{
  g_critical ("Cannot compile the pipeline schema: line %d: %s",
              error->line, error->message ? error->message : "?");
}

static gpointer
compile_schema (gpointer data)
{
  g_autoptr(GBytes) bytes = NULL;
  xmlRelaxNGParserCtxtPtr parser;
  xmlRelaxNGPtr schema;
  gsize size;
  const char *text;

  xmlInitParser ();

  /* Looked up on the resource itself rather than through the global
   * registry: in a static library the registering constructor may not be
   * linked in. */
  bytes = g_resource_lookup_data (sluice_core_get_resource (),
                                  SCHEMA_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE,
                                  NULL);
  g_assert (bytes != NULL);
  text = g_bytes_get_data (bytes, &size);

  parser = xmlRelaxNGNewMemParserCtxt (text, (int) size);
  xmlRelaxNGSetParserStructuredErrors (parser, schema_parser_error_cb, NULL);
  schema = xmlRelaxNGParse (parser);
  xmlRelaxNGFreeParserCtxt (parser);

  return schema;
}

xmlRelaxNGPtr
sluice_xml_schema_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, compile_schema, NULL);
}
