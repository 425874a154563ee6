/* ql-journal-reader.c: reads an hledger journal of simple transactions
 * into the rows an import checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-import"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-errors.h"
#include "ql-journal-reader-private.h"

/* Amounts are checked once all declarations are read: a journal may
 * declare an account's type after its first posting. */
typedef struct
{
  guint64     line;
  const char *account;
  /* As written, or NULL when left out. */
  const char *text;
  /* Once parsed: "" for plain units. */
  const char *commodity;
  guint       decimals;
  gint64      minor;
  gboolean    ledger;
} Posting;

typedef struct
{
  guint64     line;
  gsize       end;
  const char *date;
  const char *payee;
  GString    *memo;
  guint       first;
  guint       n_postings;
} Transaction;

typedef struct
{
  QlJournalReader *reader;
  const char      *data;
  gsize            length;
  gsize            offset;
  guint64          line;
  GString         *text;
  GArray          *postings;
  GArray          *transactions;
  /* A declared account (in strings) → its type letter, upper case. */
  GHashTable      *types;
  /* A ledger account → its first commodity, or "" once it has two. */
  GHashTable      *commodities;
} Parse;

G_GNUC_PRINTF (3, 4) static gboolean
fail (GError     **error,
      guint64      line,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
               _("Line %" PRIu64 ": %s"), line, message);
  return FALSE;
}

static void
prefix_line (GError  **error,
             guint64   line)
{
  g_prefix_error (error, _("Line %" PRIu64 ": "), line);
}

/**
 * _ql_journal_reader_init:
 * @reader: a reader to set up
 *
 * Sets up an empty reader.
 */
void
_ql_journal_reader_init (QlJournalReader *reader)
{
  memset (reader, 0, sizeof *reader);
  reader->strings = g_string_chunk_new (1 << 16);
  reader->rows = g_array_new (FALSE, FALSE, sizeof (QlJournalRow));
}

/**
 * _ql_journal_reader_clear:
 * @reader: a reader
 *
 * Frees what the reader holds.
 */
void
_ql_journal_reader_clear (QlJournalReader *reader)
{
  g_clear_pointer (&reader->strings, g_string_chunk_free);
  g_clear_pointer (&reader->rows, g_array_unref);
}

static const char *
keep (Parse      *parse,
      const char *text)
{
  return g_string_chunk_insert_const (parse->reader->strings, text);
}

/* The next line into parse->text, without its line break. Returns FALSE
 * at the end, or with @error set for a line no journal has. */
static gboolean
next_line (Parse    *parse,
           gboolean *out_end,
           GError  **error)
{
  const char *start = parse->data + parse->offset;
  const char *newline;
  gsize length;

  *out_end = parse->offset >= parse->length;
  if (*out_end)
    return TRUE;

  parse->line++;
  newline = memchr (start, '\n', parse->length - parse->offset);
  length = newline != NULL ? (gsize) (newline - start) : parse->length - parse->offset;
  parse->offset += length + (newline != NULL ? 1 : 0);
  if (length > 0 && start[length - 1] == '\r')
    length--;

  if (length > QL_JOURNAL_MAX_LINE_BYTES)
    return fail (error, parse->line, _("the line is longer than %u bytes"),
                 (guint) QL_JOURNAL_MAX_LINE_BYTES);
  if (memchr (start, '\0', length) != NULL)
    return fail (error, parse->line, _("the line holds a NUL byte"));
  if (!g_utf8_validate_len (start, length, NULL))
    return fail (error, parse->line, _("the line is not valid UTF-8"));

  g_string_truncate (parse->text, 0);
  g_string_append_len (parse->text, start, length);
  return TRUE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static const char *
skip_blanks (const char *p)
{
  while (is_blank (*p))
    p++;
  return p;
}

/* A comment that is only hledger tags, `name:value, name:value`, such
 * as the `version:3` the journal writer puts on each transaction. */
static gboolean
is_only_tags (const char *comment)
{
  g_auto(GStrv) parts = g_strsplit (comment, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));
      const char *colon = strchr (part, ':');

      if (colon == NULL || colon == part)
        return FALSE;
      for (const char *p = part; p < colon; p++)
        if (is_blank (*p))
          return FALSE;
    }
  return TRUE;
}

static void
add_memo (GString    *memo,
          const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (*trimmed == '\0' || is_only_tags (trimmed))
    return;
  if (memo->len > 0)
    g_string_append (memo, "; ");
  g_string_append (memo, trimmed);
}

static gboolean
read_number (const char **p,
             guint        max_digits,
             guint       *out_value)
{
  guint n = 0;

  *out_value = 0;
  while (g_ascii_isdigit (**p) && n < max_digits)
    {
      *out_value = *out_value * 10 + (guint) (**p - '0');
      (*p)++;
      n++;
    }
  return n > 0 && !g_ascii_isdigit (**p);
}

/* `DATE [STATUS] [(CODE)] DESCRIPTION [; COMMENT]`. */
static gboolean
read_header (Parse        *parse,
             Transaction  *transaction,
             GError      **error)
{
  const char *p = parse->text->str;
  g_autofree char *date = NULL;
  g_autofree char *description = NULL;
  const char *comment;
  const char *bar;
  guint year, month, day;
  char separator;
  GDate checked;

  if (!read_number (&p, 4, &year) || (p - parse->text->str) != 4 ||
      (*p != '-' && *p != '/' && *p != '.'))
    return fail (error, parse->line, _("a transaction starts with its date, YYYY-MM-DD"));
  separator = *p++;
  if (!read_number (&p, 2, &month) || *p++ != separator || !read_number (&p, 2, &day))
    return fail (error, parse->line, _("a transaction starts with its date, YYYY-MM-DD"));
  if (*p == '=')
    return fail (error, parse->line, _("secondary dates are not supported"));
  if (*p != '\0' && !is_blank (*p))
    return fail (error, parse->line, _("a transaction starts with its date, YYYY-MM-DD"));

  date = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  if (!ql_date_parse (date, &checked, error))
    {
      prefix_line (error, parse->line);
      return FALSE;
    }
  transaction->date = keep (parse, date);

  p = skip_blanks (p);
  if (*p == '*' || *p == '!')
    p = skip_blanks (p + 1);
  if (*p == '(')
    {
      const char *close = strchr (p, ')');

      if (close == NULL)
        return fail (error, parse->line, _("the code in parentheses is not closed"));
      p = skip_blanks (close + 1);
    }

  comment = strchr (p, ';');
  description = comment != NULL ? g_strndup (p, (gsize) (comment - p)) : g_strdup (p);
  bar = strchr (description, '|');
  if (bar != NULL)
    {
      add_memo (transaction->memo, bar + 1);
      description[bar - description] = '\0';
    }
  g_strstrip (description);
  transaction->payee = *description != '\0' ? keep (parse, description) : NULL;
  if (comment != NULL)
    add_memo (transaction->memo, comment + 1);
  return TRUE;
}

/* `[STATUS] ACCOUNT  [AMOUNT]  [; COMMENT]`, its leading blanks gone. */
static gboolean
read_posting (Parse        *parse,
              Transaction  *transaction,
              const char   *p,
              GError      **error)
{
  Posting posting = { parse->line, NULL, NULL, NULL, 0, 0, FALSE };
  const char *end;
  g_autofree char *account = NULL;
  g_autofree char *amount = NULL;
  char *comment;

  if (transaction->n_postings >= QL_JOURNAL_MAX_POSTINGS)
    return fail (error, parse->line, _("a transaction may have at most %u postings"),
                 (guint) QL_JOURNAL_MAX_POSTINGS);
  if ((*p == '*' || *p == '!') && is_blank (p[1]))
    p = skip_blanks (p + 1);
  if (*p == '(' || *p == '[')
    return fail (error, parse->line, _("virtual postings, in parentheses or brackets, are not "
                                       "supported"));

  for (end = p; *end != '\0' && *end != '\t' && !(end[0] == ' ' && end[1] == ' '); end++)
    ;
  account = g_strstrip (g_strndup (p, (gsize) (end - p)));
  if (*account == '\0')
    return fail (error, parse->line, _("a posting starts with its account"));

  amount = g_strdup (end);
  comment = strchr (amount, ';');
  if (comment != NULL)
    *comment = '\0';
  g_strstrip (amount);
  if (strchr (amount, '@') != NULL)
    return fail (error, parse->line, _("prices (@ or @@) are not supported"));
  if (strchr (amount, '=') != NULL)
    return fail (error, parse->line, _("balance assertions (=) are not supported"));

  posting.account = keep (parse, account);
  posting.text = *amount != '\0' ? keep (parse, amount) : NULL;
  if (transaction->n_postings == 0)
    transaction->first = parse->postings->len;
  g_array_append_val (parse->postings, posting);
  transaction->n_postings++;
  transaction->end = parse->offset;
  return TRUE;
}

/* `account NAME  ; type: A`: the type, when the comment gives one. */
static void
declare_account (Parse      *parse,
                 const char *p)
{
  const char *end;
  g_autofree char *account = NULL;
  const char *type;
  char letter = '\0';

  for (end = p; *end != '\0' && *end != '\t' && *end != ';' && !(end[0] == ' ' && end[1] == ' ');
       end++)
    ;
  account = g_strstrip (g_strndup (p, (gsize) (end - p)));
  type = strstr (end, "type:");
  if (type != NULL)
    letter = g_ascii_toupper (*skip_blanks (type + strlen ("type:")));
  if (*account != '\0' && letter != '\0')
    g_hash_table_insert (parse->types, (char *) keep (parse, account), GINT_TO_POINTER (letter));
}

static void
end_transaction (Parse        *parse,
                 Transaction **transaction)
{
  if (*transaction == NULL)
    return;
  g_array_append_val (parse->transactions, **transaction);
  g_free (*transaction);
  *transaction = NULL;
}

static gboolean
read_lines (Parse   *parse,
            GError **error)
{
  g_autofree Transaction *transaction = NULL;
  gboolean in_comment = FALSE;
  gboolean in_directive = FALSE;

  for (;;)
    {
      const char *line;
      const char *word_end;
      g_autofree char *word = NULL;
      gboolean end;

      if (!next_line (parse, &end, error))
        {
          if (transaction != NULL)
            g_string_free (transaction->memo, TRUE);
          return FALSE;
        }
      if (end)
        break;
      line = parse->text->str;

      if (in_comment)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (line));

          in_comment = g_strcmp0 (trimmed, "end comment") != 0;
          continue;
        }
      if (*skip_blanks (line) == '\0')
        {
          end_transaction (parse, &transaction);
          in_directive = FALSE;
          continue;
        }
      if (is_blank (*line))
        {
          const char *p = skip_blanks (line);

          if (transaction != NULL && *p == ';')
            {
              /* A comment before the postings belongs to the transaction,
               * one after a posting to that posting. */
              if (transaction->n_postings == 0)
                add_memo (transaction->memo, p + 1);
              continue;
            }
          if (transaction != NULL)
            {
              if (!read_posting (parse, transaction, p, error))
                {
                  g_string_free (transaction->memo, TRUE);
                  return FALSE;
                }
              continue;
            }
          if (in_directive)
            continue;
          return fail (error, parse->line, _("an indented line outside a transaction"));
        }

      end_transaction (parse, &transaction);
      in_directive = FALSE;
      if (*line == ';' || *line == '#' || *line == '*')
        continue;
      if (g_ascii_isdigit (*line))
        {
          transaction = g_new0 (Transaction, 1);
          transaction->line = parse->line;
          transaction->end = parse->offset;
          transaction->memo = g_string_new (NULL);
          if (!read_header (parse, transaction, error))
            {
              g_string_free (transaction->memo, TRUE);
              return FALSE;
            }
          continue;
        }
      if (*line == '~')
        return fail (error, parse->line, _("periodic transactions (~) are not supported"));
      if (*line == '=')
        return fail (error, parse->line, _("auto postings (=) are not supported"));

      for (word_end = line; *word_end != '\0' && !is_blank (*word_end); word_end++)
        ;
      word = g_strndup (line, (gsize) (word_end - line));
      if (g_strcmp0 (word, "include") == 0)
        return fail (error, parse->line, _("include is not supported: import each file"));
      if (g_strcmp0 (word, "comment") == 0)
        in_comment = TRUE;
      else if (g_strcmp0 (word, "account") == 0)
        {
          declare_account (parse, skip_blanks (word_end));
          in_directive = TRUE;
        }
      else if (g_strcmp0 (word, "commodity") == 0 || g_strcmp0 (word, "payee") == 0 ||
               g_strcmp0 (word, "tag") == 0)
        in_directive = TRUE;
      else
        return fail (error, parse->line, _("the directive “%s” is not supported"), word);
    }

  end_transaction (parse, &transaction);
  return TRUE;
}

/* An account is a ledger when it, or the nearest parent declared, has
 * the type Asset or Cash; undeclared, when it is under `assets`. */
static gboolean
is_ledger_account (Parse      *parse,
                   const char *account)
{
  g_autofree char *name = g_strdup (account);
  const char *colon;

  for (;;)
    {
      gpointer type = g_hash_table_lookup (parse->types, name);
      char *last;

      if (type != NULL)
        return GPOINTER_TO_INT (type) == 'A' || GPOINTER_TO_INT (type) == 'C';
      last = strrchr (name, ':');
      if (last == NULL)
        break;
      *last = '\0';
    }

  colon = strchr (account, ':');
  {
    gsize length = colon != NULL ? (gsize) (colon - account) : strlen (account);

    return (length == 6 && g_ascii_strncasecmp (account, "assets", 6) == 0) ||
           (length == 5 && g_ascii_strncasecmp (account, "asset", 5) == 0);
  }
}

static gboolean
is_commodity_char (char c)
{
  return c != '\0' && !g_ascii_isdigit (c) && !is_blank (c) && c != '-' && c != '+' &&
         c != '.' && c != ',' && c != '"';
}

/* A commodity, quoted or not; NULL when there is none at @p. */
static char *
read_commodity (const char **p)
{
  const char *start = *p;

  if (**p == '"')
    {
      const char *close = strchr (start + 1, '"');

      if (close == NULL)
        return NULL;
      *p = close + 1;
      return g_strndup (start + 1, (gsize) (close - start - 1));
    }
  while (is_commodity_char (**p))
    (*p)++;
  return *p > start ? g_strndup (start, (gsize) (*p - start)) : NULL;
}

/* `-12.50 USD`, `USD -12.50`, `-USD 12.50` or `7`: a signed amount in
 * minor units of its commodity, by ql_amount_parse()'s rules. */
static gboolean
parse_amount (Posting  *posting,
              GError  **error)
{
  const char *p = posting->text;
  g_autofree char *commodity = NULL;
  g_autofree char *number = NULL;
  const char *start;
  const char *canonical = "";
  gboolean negative = FALSE;
  gboolean signed_first = *p == '-' || *p == '+';
  gboolean zero = TRUE;

  if (signed_first)
    {
      negative = *p == '-';
      p = skip_blanks (p + 1);
    }
  commodity = read_commodity (&p);
  p = skip_blanks (p);
  if (commodity != NULL && (*p == '-' || *p == '+'))
    {
      if (signed_first)
        return fail (error, posting->line, _("the amount “%s” has two signs"), posting->text);
      negative = *p == '-';
      p = skip_blanks (p + 1);
    }
  start = p;
  while (g_ascii_isdigit (*p) || *p == '.' || *p == ',')
    p++;
  number = g_strndup (start, (gsize) (p - start));
  p = skip_blanks (p);
  if (commodity == NULL && *p != '\0')
    {
      commodity = read_commodity (&p);
      p = skip_blanks (p);
    }
  if (*number == '\0' || *p != '\0')
    return fail (error, posting->line, _("cannot read the amount “%s”"), posting->text);

  posting->decimals = 0;
  if (commodity != NULL)
    {
      canonical = ql_currency_canonicalize (commodity, &posting->decimals, error);
      if (canonical == NULL)
        {
          prefix_line (error, posting->line);
          return FALSE;
        }
    }
  posting->commodity = canonical;

  for (const char *q = number; *q != '\0'; q++)
    zero = zero && (*q == '0' || *q == '.');
  if (zero && strchr (number, ',') == NULL && g_ascii_isdigit (number[strlen (number) - 1]))
    {
      posting->minor = 0;
      return TRUE;
    }
  if (!ql_amount_parse (number, posting->decimals, &posting->minor, error))
    {
      prefix_line (error, posting->line);
      return FALSE;
    }
  if (negative)
    posting->minor = -posting->minor;
  return TRUE;
}

/* Checks the amounts of a transaction that posts to a ledger: each read,
 * at most one left out, every commodity adding up to zero. */
static gboolean
balance_transaction (Parse        *parse,
                     Transaction  *transaction,
                     GError      **error)
{
  g_autoptr(GArray) commodities = g_array_new (FALSE, FALSE, sizeof (const char *));
  g_autoptr(GArray) sums = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) decimals = g_array_new (FALSE, FALSE, sizeof (guint));
  Posting *elided = NULL;

  for (guint i = 0; i < transaction->n_postings; i++)
    {
      Posting *posting = &g_array_index (parse->postings, Posting, transaction->first + i);
      guint c;

      if (posting->text == NULL)
        {
          if (elided != NULL)
            return fail (error, posting->line,
                         _("only one posting of a transaction may leave its amount out"));
          elided = posting;
          continue;
        }
      if (!parse_amount (posting, error))
        return FALSE;
      for (c = 0; c < commodities->len; c++)
        if (g_array_index (commodities, const char *, c) == posting->commodity)
          break;
      if (c == commodities->len)
        {
          gint64 zero = 0;

          g_array_append_val (commodities, posting->commodity);
          g_array_append_val (sums, zero);
          g_array_append_val (decimals, posting->decimals);
        }
      if (__builtin_add_overflow (g_array_index (sums, gint64, c), posting->minor,
                                  &g_array_index (sums, gint64, c)))
        return fail (error, posting->line, _("the amounts of the transaction are too large to "
                                             "add up"));
    }

  if (elided != NULL)
    {
      if (commodities->len != 1)
        return fail (error, elided->line,
                     _("an amount left out can be worked out for one commodity only"));
      elided->commodity = g_array_index (commodities, const char *, 0);
      if (g_array_index (sums, gint64, 0) == G_MININT64)
        return fail (error, elided->line, _("the amounts of the transaction are too large to "
                                            "add up"));
      elided->minor = -g_array_index (sums, gint64, 0);
      elided->decimals = g_array_index (decimals, guint, 0);
      return TRUE;
    }

  for (guint c = 0; c < commodities->len; c++)
    {
      const char *commodity = g_array_index (commodities, const char *, c);
      gint64 sum = g_array_index (sums, gint64, c);
      g_autofree char *shown = NULL;

      if (sum == 0)
        continue;
      shown = ql_amount_format (sum, g_array_index (decimals, guint, c));
      return fail (error, transaction->line,
                   _("the transaction's postings in %s add up to %s, not to zero"),
                   *commodity != '\0' ? commodity : _("plain units"), shown);
    }
  return TRUE;
}

/* The ledger an account's postings in @commodity go to: the account
 * without its `assets:`, and the commodity after it when the account
 * has more than one. */
static char *
ledger_name (Parse         *parse,
             const Posting *posting)
{
  const char *name = posting->account;
  const char *colon = strchr (name, ':');
  const char *first = g_hash_table_lookup (parse->commodities, posting->account);

  if (colon != NULL && colon[1] != '\0' &&
      ((colon - name == 6 && g_ascii_strncasecmp (name, "assets", 6) == 0) ||
       (colon - name == 5 && g_ascii_strncasecmp (name, "asset", 5) == 0)))
    name = colon + 1;
  if (first != NULL && *first == '\0' && *posting->commodity != '\0')
    return g_strdup_printf ("%s %s", name, posting->commodity);
  return g_strdup (name);
}

static void
add_row (Parse             *parse,
         const Transaction *transaction,
         const Posting     *posting,
         const char        *type,
         const char        *ledger,
         const char        *amount,
         const char        *to,
         gboolean           noted,
         const char        *payee,
         const char        *memo)
{
  QlJournalRow row = {
    .line = posting->line,
    .end = transaction->end,
    .type = type,
    .ledger = keep (parse, ledger),
    .amount = keep (parse, amount),
    .to = to != NULL ? keep (parse, to) : NULL,
    .date = noted ? transaction->date : NULL,
    .payee = noted && payee != NULL ? keep (parse, payee) : NULL,
    .memo = noted && memo != NULL && *memo != '\0' ? keep (parse, memo) : NULL,
  };

  g_array_append_val (parse->reader->rows, row);
}

/* An `open` before a ledger's first change. */
static void
open_ledger (Parse             *parse,
             GHashTable        *opened,
             const Transaction *transaction,
             const Posting     *posting,
             const char        *ledger)
{
  if (g_hash_table_contains (opened, ledger))
    return;
  g_hash_table_add (opened, g_strdup (ledger));
  add_row (parse, transaction, posting, "open", ledger, posting->commodity, NULL, FALSE, NULL,
           NULL);
}

static void
emit_transaction (Parse       *parse,
                  GHashTable  *opened,
                  Transaction *transaction)
{
  g_autoptr(GString) others = NULL;
  const char *payee = transaction->payee;
  const char *memo = transaction->memo->str;
  Posting *postings;

  /* A transaction without postings changes nothing. */
  if (transaction->n_postings == 0)
    return;
  postings = &g_array_index (parse->postings, Posting, transaction->first);
  others = g_string_new (NULL);

  for (guint i = 0; i < transaction->n_postings; i++)
    if (!postings[i].ledger)
      {
        if (payee == NULL)
          payee = postings[i].account;
        if (others->len + strlen (postings[i].account) + 2 > 1024)
          continue;
        if (others->len > 0)
          g_string_append (others, ", ");
        g_string_append (others, postings[i].account);
      }
  /* The other accounts say what a change was for, when nothing else does. */
  if (*memo == '\0')
    memo = others->str;

  if (transaction->n_postings == 2 && postings[0].ledger && postings[1].ledger &&
      postings[0].commodity == postings[1].commodity && postings[0].minor != 0)
    {
      g_autofree char *first = ledger_name (parse, &postings[0]);
      g_autofree char *second = ledger_name (parse, &postings[1]);

      if (g_strcmp0 (first, second) != 0)
        {
          gboolean forward = postings[0].minor < 0;
          const Posting *from = forward ? &postings[0] : &postings[1];
          g_autofree char *amount = ql_amount_format (-from->minor, from->decimals);

          open_ledger (parse, opened, transaction, &postings[0], first);
          open_ledger (parse, opened, transaction, &postings[1], second);
          add_row (parse, transaction, from, "transfer", forward ? first : second, amount,
                   forward ? second : first, TRUE, payee, memo);
          return;
        }
    }

  for (guint i = 0; i < transaction->n_postings; i++)
    {
      Posting *posting = &postings[i];
      g_autofree char *ledger = NULL;
      g_autofree char *amount = NULL;

      if (!posting->ledger || posting->minor == 0)
        continue;
      ledger = ledger_name (parse, posting);
      /* Checked when the transaction was balanced: never G_MININT64. */
      amount = ql_amount_format (posting->minor < 0 ? -posting->minor : posting->minor,
                                 posting->decimals);
      open_ledger (parse, opened, transaction, posting, ledger);
      add_row (parse, transaction, posting, posting->minor < 0 ? "withdraw" : "deposit",
               ledger, amount, NULL, TRUE, payee, memo);
    }
}

static gboolean
check_transactions (Parse   *parse,
                    GError **error)
{
  g_autoptr(GHashTable) opened = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint t = 0; t < parse->transactions->len; t++)
    {
      Transaction *transaction = &g_array_index (parse->transactions, Transaction, t);
      gboolean any = FALSE;

      for (guint i = 0; i < transaction->n_postings; i++)
        {
          Posting *posting = &g_array_index (parse->postings, Posting, transaction->first + i);

          posting->ledger = is_ledger_account (parse, posting->account);
          any = any || posting->ledger;
        }
      parse->reader->n_transactions++;
      if (!any)
        {
          parse->reader->n_skipped++;
          continue;
        }
      if (!balance_transaction (parse, transaction, error))
        return FALSE;

      for (guint i = 0; i < transaction->n_postings; i++)
        {
          Posting *posting = &g_array_index (parse->postings, Posting, transaction->first + i);
          const char *first;

          if (!posting->ledger)
            continue;
          first = g_hash_table_lookup (parse->commodities, posting->account);
          if (first == NULL)
            g_hash_table_insert (parse->commodities, (char *) posting->account,
                                 (char *) posting->commodity);
          else if (first != posting->commodity)
            g_hash_table_insert (parse->commodities, (char *) posting->account, (char *) "");
        }
    }

  for (guint t = 0; t < parse->transactions->len; t++)
    emit_transaction (parse, opened, &g_array_index (parse->transactions, Transaction, t));
  return TRUE;
}

static void
transaction_clear (gpointer data)
{
  Transaction *transaction = data;

  g_string_free (transaction->memo, TRUE);
}

/**
 * _ql_journal_reader_read:
 * @reader: a reader that has read nothing yet
 * @data: the journal, UTF-8 without a byte order mark
 * @length: its length in bytes
 * @error: return location for a #GError
 *
 * Reads a journal of simple transactions, as `hledger print` writes them,
 * into @reader's rows: for each transaction that posts to a ledger (an
 * account under `assets`, or declared with `type: A` or `type: C`) an
 * `open` before each ledger's first change, then a `transfer` when the
 * transaction moves one commodity between two ledgers alone, else a
 * `deposit` or `withdraw` for each of its ledger postings. Errors are
 * %QL_LEDGER_ERROR_INVALID_IMPORT, or an amount's or a date's own,
 * their message starting with the line.
 *
 * Returns: %TRUE when every line was read
 */
gboolean
_ql_journal_reader_read (QlJournalReader  *reader,
                         const char       *data,
                         gsize             length,
                         GError          **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) postings = g_array_new (FALSE, FALSE, sizeof (Posting));
  g_autoptr(GArray) transactions = g_array_new (FALSE, FALSE, sizeof (Transaction));
  g_autoptr(GHashTable) types = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) commodities = g_hash_table_new (g_str_hash, g_str_equal);
  Parse parse = { reader, data, length, 0, 0, text, postings, transactions, types, commodities };

  g_return_val_if_fail (reader->rows->len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_array_set_clear_func (transactions, transaction_clear);
  return read_lines (&parse, error) && check_transactions (&parse, error);
}
