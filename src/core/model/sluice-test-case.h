/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* One test case of a pipeline file: a <case> inside <tests>. It says what
 * to feed the pipeline (or one controller or module of it), which steps
 * to replace by stubs, and what to expect of the run. The case keeps its
 * texts verbatim (JSON lines, Lua) with the line each starts at, so that
 * saving gives back what was loaded and problems name the line in the
 * file; sluice_test_parse_items() turns JSON lines into items. */

/* How expected items are compared with the outputs. */
typedef enum
{
  SLUICE_TEST_ORDER_AUTO,    /* strict unless a controller that runs is no-order or first-wins */
  SLUICE_TEST_ORDER_STRICT,  /* the same items in the same order */
  SLUICE_TEST_ORDER_ANY,     /* the same items as a multiset */
} SluiceTestOrder;

typedef enum
{
  SLUICE_TEST_COMPARE_EXACT,   /* each item equals its expected one */
  SLUICE_TEST_COMPARE_SUBSET,  /* each item has at least the expected fields, with those values */
} SluiceTestCompare;

/* What a stub does instead of the real step. */
typedef enum
{
  SLUICE_STUB_FAULT_NONE,     /* answer (canned answers, or pass the item on) */
  SLUICE_STUB_FAULT_EXIT,     /* as a command that exits with @status */
  SLUICE_STUB_FAULT_HTTP,     /* as a server that answers HTTP @status */
  SLUICE_STUB_FAULT_TIMEOUT,  /* never answers: the module's timeout (or @after) ends it */
} SluiceStubFault;

/* JSON lines and where they are: inline text, or a file relative to the
 * pipeline's. */
typedef struct
{
  char  *text;   /* verbatim, NULL when @file is used */
  char  *file;
  guint  line;   /* of the element; the text starts on it */
} SluiceTestItems;

typedef struct
{
  char  *match;  /* a JSON object whose fields the input must have, or NULL: any input */
  char  *text;   /* the outputs, JSON lines (none: the item is dropped) */
  guint  line;
} SluiceStubAnswer;

typedef struct
{
  char            *module;   /* the module id it replaces */
  guint            line;
  gboolean         real;     /* run the real step after all */
  SluiceStubFault  fault;
  guint            status;   /* exit status or HTTP status of the fault */
  guint            times;    /* the fault hits the first @times calls; 0 = every call */
  char            *message;  /* NULL: a message like the real step's */
  gint64           after_ms; /* TIMEOUT without a module timeout: fail after this; 0 = 30 s */
  GPtrArray       *answers;  /* of SluiceStubAnswer* */
} SluiceTestStub;

typedef struct
{
  char  *code;
  guint  line;
} SluiceTestAssert;

typedef struct
{
  char  *name;
  char  *value;
} SluiceTestParam;

#define SLUICE_TYPE_TEST_CASE (sluice_test_case_get_type ())
G_DECLARE_FINAL_TYPE (SluiceTestCase, sluice_test_case, SLUICE, TEST_CASE, GObject)

SluiceTestCase *sluice_test_case_new (const char *name);

const char     *sluice_test_case_get_name     (SluiceTestCase *self);
void            sluice_test_case_set_name     (SluiceTestCase *self,
                                               const char     *name);
/* A controller or module id, or NULL for the whole pipeline. */
const char     *sluice_test_case_get_target   (SluiceTestCase *self);
void            sluice_test_case_set_target   (SluiceTestCase *self,
                                               const char     *target);
guint           sluice_test_case_get_line     (SluiceTestCase *self);
void            sluice_test_case_set_line     (SluiceTestCase *self,
                                               guint           line);
/* Wall-clock limit of the case in ms; 0 = the default (60 s). */
gint64          sluice_test_case_get_timeout_ms (SluiceTestCase *self);
void            sluice_test_case_set_timeout_ms (SluiceTestCase *self,
                                                 gint64          timeout_ms);

/* Parameters (-D) of the case, in order: of SluiceTestParam*. Borrowed. */
GPtrArray      *sluice_test_case_get_params   (SluiceTestCase *self);
void            sluice_test_case_add_param    (SluiceTestCase *self,
                                               const char     *name,
                                               const char     *value);

/* The input items, or NULL: the run gets one {}. */
const SluiceTestItems *sluice_test_case_get_input (SluiceTestCase *self);
void            sluice_test_case_set_input    (SluiceTestCase *self,
                                               const char     *text,
                                               const char     *file,
                                               guint           line);

/* Of SluiceTestStub*. Borrowed; add with sluice_test_case_add_stub(). */
GPtrArray      *sluice_test_case_get_stubs    (SluiceTestCase *self);
/* Takes @stub. */
void            sluice_test_case_add_stub     (SluiceTestCase *self,
                                               SluiceTestStub *stub);
SluiceTestStub *sluice_test_case_find_stub    (SluiceTestCase *self,
                                               const char     *module_id);

/* Expected items, or NULL. */
const SluiceTestItems *sluice_test_case_get_expected (SluiceTestCase *self,
                                                      SluiceTestOrder *order,
                                                      SluiceTestCompare *compare);
void            sluice_test_case_set_expected (SluiceTestCase   *self,
                                               const char       *text,
                                               const char       *file,
                                               guint             line,
                                               SluiceTestOrder   order,
                                               SluiceTestCompare compare);

/* Expected number of outputs, -1 for none; @line may be NULL. */
gint64          sluice_test_case_get_expected_count (SluiceTestCase *self,
                                                     guint          *line);
void            sluice_test_case_set_expected_count (SluiceTestCase *self,
                                                     gint64          count,
                                                     guint           line);

/* Lua assertions over `outputs`: of SluiceTestAssert*. */
GPtrArray      *sluice_test_case_get_asserts  (SluiceTestCase *self);
void            sluice_test_case_add_assert   (SluiceTestCase *self,
                                               const char     *code,
                                               guint           line);

/* The run is expected to fail: TRUE with the module (NULL = any) and a
 * substring of its message (NULL = any). */
gboolean        sluice_test_case_get_expected_failure (SluiceTestCase *self,
                                                       const char    **module,
                                                       const char    **message,
                                                       guint          *line);
void            sluice_test_case_set_expected_failure (SluiceTestCase *self,
                                                       gboolean        expected,
                                                       const char     *module,
                                                       const char     *message,
                                                       guint           line);

SluiceTestStub *sluice_test_stub_new          (const char     *module,
                                               guint           line);
void            sluice_test_stub_free         (SluiceTestStub *stub);
void            sluice_test_stub_add_answer   (SluiceTestStub *stub,
                                               const char     *match,
                                               const char     *text,
                                               guint           line);

SluiceTestStub *sluice_test_stub_copy         (const SluiceTestStub *stub);

/* A deep copy, without comments: what an edit starts from. */
SluiceTestCase *sluice_test_case_copy         (SluiceTestCase *self);
/* Makes @self say what @from says (name, target, every part), as one
 * change: undoable edits of a case swap copies in and out with it. */
void            sluice_test_case_assign       (SluiceTestCase *self,
                                               SluiceTestCase *from);
void            sluice_test_case_remove_stub  (SluiceTestCase *self,
                                               guint           index);
/* Replaces the assertions (lines unknown until the file is saved). */
void            sluice_test_case_set_asserts  (SluiceTestCase     *self,
                                               const char * const *codes);
/* Takes the file lines of @from's parts (the same case as saved and
 * loaded again) without notifying: FALSE when the two differ in shape. */
gboolean        sluice_test_case_take_lines   (SluiceTestCase *self,
                                               SluiceTestCase *from);

const char     *sluice_stub_fault_to_string   (SluiceStubFault  fault);
gboolean        sluice_stub_fault_from_string (const char      *text,
                                               SluiceStubFault *fault);
const char     *sluice_test_order_to_string   (SluiceTestOrder  order);
gboolean        sluice_test_order_from_string (const char      *text,
                                               SluiceTestOrder *order);

/* Parses JSON lines (blank lines skipped): each line one JSON object.
 * @first_line is the file line of @text's first line. Appends json_t*
 * (owned) to @items; FALSE with @error naming the file line of the first
 * bad one ("line N: …") and @bad_line set. */
gboolean        sluice_test_parse_items       (const char  *text,
                                               guint        first_line,
                                               GPtrArray   *items,
                                               guint       *bad_line,
                                               GError     **error);

G_END_DECLS
