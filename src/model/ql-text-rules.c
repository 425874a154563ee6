/* ql-text-rules.c: what text may enter an event, checked in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-text-rules"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-ledger.h"
#include "ql-text-rules.h"

/* Every text a command takes passes here before anything is parsed,
 * normalised or written, so that each front-end gets the same rule and no
 * text that would break an event's JSON, or make a name look like another,
 * ever reaches the store. */

typedef enum
{
  PROBLEM_TOO_LONG,
  PROBLEM_INVALID,
  PROBLEM_CONTROL,
  PROBLEM_INVISIBLE,
} Problem;

static const struct
{
  gsize    max_bytes;
  gint     code;
  /* White space at either end is allowed where the parser trims it. */
  gboolean trimmed;
} field_rules[] = {
  [QL_TEXT_FIELD_NAME] = { QL_TEXT_NAME_MAX_BYTES, QL_LEDGER_ERROR_INVALID_NAME, TRUE },
  [QL_TEXT_FIELD_REFERENCE] = { QL_TEXT_REFERENCE_MAX_BYTES, QL_LEDGER_ERROR_INVALID_REFERENCE,
                                FALSE },
  [QL_TEXT_FIELD_CURRENCY] = { QL_TEXT_CURRENCY_MAX_BYTES, QL_LEDGER_ERROR_INVALID_CURRENCY,
                               TRUE },
  [QL_TEXT_FIELD_AMOUNT] = { QL_TEXT_AMOUNT_MAX_BYTES, QL_LEDGER_ERROR_INVALID_AMOUNT, TRUE },
  [QL_TEXT_FIELD_PAYEE] = { QL_TEXT_PAYEE_MAX_BYTES, QL_LEDGER_ERROR_INVALID_NOTE, TRUE },
  [QL_TEXT_FIELD_MEMO] = { QL_TEXT_MEMO_MAX_BYTES, QL_LEDGER_ERROR_INVALID_NOTE, TRUE },
  [QL_TEXT_FIELD_DATE] = { QL_TEXT_DATE_MAX_BYTES, QL_LEDGER_ERROR_INVALID_DATE, TRUE },
};

/* Each message is a literal, so that its format is checked. */
static void
set_error (QlTextField   field,
           Problem       problem,
           gunichar      c,
           GError      **error)
{
  gint code = field_rules[field].code;
  guint max = field_rules[field].max_bytes;

  switch (field)
    {
    case QL_TEXT_FIELD_NAME:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A ledger name can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code, _("A ledger name must be valid text"));
      else if (problem == PROBLEM_CONTROL)
        g_set_error_literal (error, QL_LEDGER_ERROR, code,
                             _("A ledger name cannot hold control characters such as tabs or line breaks"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A ledger name cannot hold invisible or unassigned characters such as U+%04X"),
                     c);
      break;

    case QL_TEXT_FIELD_REFERENCE:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A payment reference can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code,
                             _("A payment reference must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A payment reference cannot hold control or invisible characters such as U+%04X"),
                     c);
      break;

    case QL_TEXT_FIELD_CURRENCY:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A currency code can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code,
                             _("A currency code must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A currency code cannot hold control or invisible characters such as U+%04X"),
                     c);
      break;

    case QL_TEXT_FIELD_AMOUNT:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("An amount can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code,
                             _("An amount must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("An amount cannot hold control or invisible characters such as U+%04X"),
                     c);
      break;

    case QL_TEXT_FIELD_PAYEE:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code, _("A payee can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code, _("A payee must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A payee cannot hold control or invisible characters such as U+%04X"), c);
      break;

    case QL_TEXT_FIELD_MEMO:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code, _("A memo can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code, _("A memo must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A memo cannot hold control or invisible characters such as U+%04X"), c);
      break;

    case QL_TEXT_FIELD_DATE:
      if (problem == PROBLEM_TOO_LONG)
        g_set_error (error, QL_LEDGER_ERROR, code, _("A date can have at most %u bytes"), max);
      else if (problem == PROBLEM_INVALID)
        g_set_error_literal (error, QL_LEDGER_ERROR, code, _("A date must be valid UTF-8 text"));
      else
        g_set_error (error, QL_LEDGER_ERROR, code,
                     _("A date cannot hold control or invisible characters such as U+%04X"), c);
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * ql_text_field_get_max_bytes:
 * @field: a kind of text
 *
 * Returns: the most bytes a text of @field can have
 */
gsize
ql_text_field_get_max_bytes (QlTextField field)
{
  g_return_val_if_fail (field < G_N_ELEMENTS (field_rules), 0);

  return field_rules[field].max_bytes;
}

static gboolean
is_noncharacter (gunichar c)
{
  return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

static gboolean
is_control (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  /* Line and paragraph separators break a line as control characters do. */
  return type == G_UNICODE_CONTROL ||
         type == G_UNICODE_LINE_SEPARATOR ||
         type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/**
 * ql_text_is_forbidden_char:
 * @c: a Unicode character
 *
 * Tells whether @c may never appear in text the model stores: control
 * characters (Unicode category Cc, NUL included), format characters (Cf,
 * such as U+200B ZERO WIDTH SPACE and U+202E RIGHT-TO-LEFT OVERRIDE), line
 * and paragraph separators (Zl, Zp), unassigned code points (Cn) and
 * noncharacters. Each of them is invisible or changes how the text around
 * it shows, so two texts that look the same could differ.
 *
 * Returns: %TRUE if @c is refused
 */
gboolean
ql_text_is_forbidden_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return is_control (c) ||
         type == G_UNICODE_FORMAT ||
         type == G_UNICODE_UNASSIGNED ||
         type == G_UNICODE_SURROGATE ||
         is_noncharacter (c);
}

static gboolean
is_trimmed_space (gunichar c)
{
  return g_unichar_isspace (c);
}

/**
 * ql_text_check:
 * @field: what the text is
 * @text: the text, as the user or a client gave it
 * @length: its length in bytes, or -1 when it ends at a NUL byte; a NUL
 *   byte within @length is refused
 * @error: return location for a #GError
 *
 * Checks a text before a command uses it: first that it has at most
 * ql_text_field_get_max_bytes() bytes (so a long text costs no more than
 * that to refuse), then that it is valid UTF-8 and holds no character
 * ql_text_is_forbidden_char() refuses. For a name, a currency and an
 * amount, white space at either end is allowed, since they are trimmed;
 * a reference is taken exactly as it is.
 *
 * Returns: %TRUE if the text may be used, %FALSE with @error set to the
 *   %QL_LEDGER_ERROR code of @field: %QL_LEDGER_ERROR_INVALID_NAME,
 *   %QL_LEDGER_ERROR_INVALID_REFERENCE, %QL_LEDGER_ERROR_INVALID_CURRENCY,
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT, %QL_LEDGER_ERROR_INVALID_NOTE (payee,
 *   memo) or %QL_LEDGER_ERROR_INVALID_DATE
 */
gboolean
ql_text_check (QlTextField   field,
               const char   *text,
               gssize        length,
               GError      **error)
{
  gboolean trimmed;
  const char *start;
  const char *end;
  gsize n_bytes;

  g_return_val_if_fail (field < G_N_ELEMENTS (field_rules), FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = field_rules[field].trimmed;

  /* The length first: nothing below reads past the limit. */
  n_bytes = length < 0 ? strnlen (text, field_rules[field].max_bytes + 1) : (gsize) length;
  if (n_bytes > field_rules[field].max_bytes)
    {
      set_error (field, PROBLEM_TOO_LONG, 0, error);
      return FALSE;
    }

  if (n_bytes > 0 && memchr (text, '\0', n_bytes) != NULL)
    {
      set_error (field, PROBLEM_CONTROL, 0, error);
      return FALSE;
    }

  if (!g_utf8_validate_len (text, n_bytes, NULL))
    {
      set_error (field, PROBLEM_INVALID, 0, error);
      return FALSE;
    }

  start = text;
  end = text + n_bytes;
  if (trimmed)
    {
      while (start < end && is_trimmed_space (g_utf8_get_char (start)))
        start = g_utf8_next_char (start);
      while (end > start)
        {
          const char *prev = g_utf8_prev_char (end);

          if (!is_trimmed_space (g_utf8_get_char (prev)))
            break;
          end = prev;
        }
    }

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!ql_text_is_forbidden_char (c))
        continue;
      set_error (field, is_control (c) ? PROBLEM_CONTROL : PROBLEM_INVISIBLE, c, error);
      return FALSE;
    }

  return TRUE;
}
