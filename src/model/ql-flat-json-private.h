/* ql-flat-json-private.h: an exact reader for the flat JSON objects the model writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  QL_FLAT_INTEGER,
  QL_FLAT_STRING,
  QL_FLAT_NULL,
} QlFlatKind;

typedef struct
{
  const char *key;
  gsize       key_len;
  QlFlatKind  kind;
  gint64      integer;
  /* Not NUL-terminated: the text between the quotes, without escapes. */
  const char *string;
  gsize       string_len;
} QlFlatMember;

#define QL_FLAT_MAX_MEMBERS 8

typedef struct
{
  QlFlatMember members[QL_FLAT_MAX_MEMBERS];
  guint        n_members;
} QlFlatObject;

gboolean            _ql_flat_object_parse (const char         *text,
                                           QlFlatObject       *object);
const QlFlatMember *_ql_flat_object_get   (const QlFlatObject *object,
                                           const char         *key);

G_END_DECLS
