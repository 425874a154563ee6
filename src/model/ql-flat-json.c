/* ql-flat-json.c: an exact reader for the flat JSON objects the model writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-flat-json"

#include "config.h"

#include <string.h>

#include "ql-flat-json-private.h"

/* Replaying a ledger reads one payload per event, and a general JSON
 * parser costs more than everything else in a replay together. The model
 * writes small flat objects such as {"amount":150} or
 * {"currency":"USD"}, so this reader takes exactly those: one object of
 * at most QL_FLAT_MAX_MEMBERS distinct members whose values are integers
 * that fit a gint64, strings without escapes, or null. It refuses
 * anything else (nesting, fractions, exponents, escapes, true/false,
 * duplicate keys, invalid UTF-8, trailing text) by returning FALSE, and
 * the caller then falls back to json-glib, so the result never differs
 * from what json-glib would give. */

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* A string without escapes or control characters, in valid UTF-8. */
static const char *
read_string (const char  *p,
             const char **out_start,
             gsize       *out_len)
{
  const char *start;
  gboolean ascii = TRUE;

  if (*p != '"')
    return NULL;
  start = ++p;
  for (;; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"')
        break;
      if (c < 0x20 || c == '\\')
        return NULL;
      if (c >= 0x80)
        ascii = FALSE;
    }
  if (!ascii && !g_utf8_validate_len (start, p - start, NULL))
    return NULL;
  *out_start = start;
  *out_len = p - start;
  return p + 1;
}

/* A JSON integer that fits a gint64: -?(0|[1-9][0-9]*), no fraction. */
static const char *
read_integer (const char *p,
              gint64     *out_value)
{
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  guint64 limit;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (!g_ascii_isdigit (*p))
    return NULL;
  if (*p == '0' && g_ascii_isdigit (p[1]))
    return NULL;

  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  for (; g_ascii_isdigit (*p); p++)
    {
      guint digit = *p - '0';

      if (magnitude > (limit - digit) / 10)
        return NULL;
      magnitude = magnitude * 10 + digit;
    }
  if (*p == '.' || *p == 'e' || *p == 'E')
    return NULL;

  *out_value = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
  return p;
}

/**
 * _ql_flat_object_parse:
 * @text: JSON text
 * @object: (out caller-allocates): the members found
 *
 * Reads @text when it is a flat object this reader takes exactly; the
 * members point into @text.
 *
 * Returns: %TRUE when @object holds the members of @text, %FALSE when
 *   @text must go to a full JSON parser instead
 */
gboolean
_ql_flat_object_parse (const char   *text,
                       QlFlatObject *object)
{
  const char *p;

  g_assert (object != NULL);

  object->n_members = 0;
  if (text == NULL)
    return FALSE;

  p = skip_space (text);
  if (*p++ != '{')
    return FALSE;
  p = skip_space (p);

  if (*p == '}')
    return *skip_space (p + 1) == '\0';

  for (;;)
    {
      QlFlatMember *member;

      if (object->n_members == QL_FLAT_MAX_MEMBERS)
        return FALSE;
      member = &object->members[object->n_members];

      p = read_string (p, &member->key, &member->key_len);
      if (p == NULL)
        return FALSE;
      p = skip_space (p);
      if (*p++ != ':')
        return FALSE;
      p = skip_space (p);

      if (*p == '"')
        {
          member->kind = QL_FLAT_STRING;
          p = read_string (p, &member->string, &member->string_len);
        }
      else if (strncmp (p, "null", 4) == 0)
        {
          member->kind = QL_FLAT_NULL;
          p += 4;
        }
      else
        {
          member->kind = QL_FLAT_INTEGER;
          p = read_integer (p, &member->integer);
        }
      if (p == NULL)
        return FALSE;

      /* Which of two equal keys wins is up to the full parser. */
      for (guint i = 0; i < object->n_members; i++)
        {
          if (object->members[i].key_len == member->key_len &&
              memcmp (object->members[i].key, member->key, member->key_len) == 0)
            return FALSE;
        }
      object->n_members++;

      p = skip_space (p);
      if (*p == '}')
        return *skip_space (p + 1) == '\0';
      if (*p++ != ',')
        return FALSE;
      p = skip_space (p);
    }
}

/**
 * _ql_flat_object_get:
 * @object: members read by _ql_flat_object_parse()
 * @key: a member name
 *
 * Returns: (nullable): the member named @key, or %NULL
 */
const QlFlatMember *
_ql_flat_object_get (const QlFlatObject *object,
                     const char         *key)
{
  gsize key_len = strlen (key);

  for (guint i = 0; i < object->n_members; i++)
    {
      const QlFlatMember *member = &object->members[i];

      if (member->key_len == key_len && memcmp (member->key, key, key_len) == 0)
        return member;
    }
  return NULL;
}
