/* ql-terminal-controller.c: turns terminal lines into model calls and answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal-controller"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ql-amount.h"
#include "ql-daily-balance-projection.h"
#include "ql-low-stock-projection.h"
#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-ledger-events.h"
#include "ql-monthly-totals-projection.h"
#include "ql-payments-projection.h"
#include "ql-projection-runner.h"
#include "ql-skin-catalogue.h"
#include "ql-terminal-assistant.h"
#include "ql-terminal-controller.h"
#include "ql-terminal-report.h"
#include "ql-terminal-table.h"

/* How often the ledgers are checked for changes by other programs. */
#define WATCH_INTERVAL_MS 500

/* The settings keys the window's style and the full-screen view follow. */
#define COLOR_SCHEME_KEY "color-scheme"
#define SKIN_KEY "skin"

/**
 * QlTerminalController:
 *
 * The terminal's controller, the chapter's thin one: it splits each line
 * the #QlTerminalView reads into words, hands a number to the
 * #QlQuoteBook and a command to the #QlLedgerBook, and tells the view
 * what to show. Every rule and every error message comes from the model;
 * the controller only knows the command names and their arguments.
 */
struct _QlTerminalController
{
  GObject         parent_instance;

  /* Owned References */
  QlTerminalView *view;
  QlQuoteBook    *quotes;
  QlLedgerBook   *ledgers;
  GSettings      *settings;
  /* The read models' runner, made on first use of a report. */
  QlProjectionRunner *runner;
  /* The process's local zone, made once: the times events show and the
   * recording times `at` reads are in it. */
  GTimeZone      *zone;

  /* While a line is handled, changes to the ledgers are the user's own. */
  gboolean        handling;
  /* Whether the command being run was given --json. */
  gboolean        json;
  /* The options with a value the command being run was given: option
   * (a literal of the command table) → its value. */
  GHashTable     *options;
  /* `ask`: the prompt waits while an answer streams. */
  QlTerminalAssistant *assistant;
  gboolean        answering;
};

G_DEFINE_FINAL_TYPE (QlTerminalController, ql_terminal_controller, G_TYPE_OBJECT)

G_DEFINE_QUARK (ql-terminal-error-quark, ql_terminal_error)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct _Command Command;

typedef gboolean (*CommandFunc) (QlTerminalController  *self,
                                 const Command         *command,
                                 char                 **args,
                                 GError               **error);

struct _Command
{
  const char  *name;
  const char  *arguments;
  const char  *description;
  guint        min_args;
  guint        max_args;
  gboolean     uses_ledgers;
  CommandFunc  run;
  /* For run_change only: the type of event it records, and what to say
   * when it is done, with the ledger's name, the amount and the new
   * balance as %1$s, %2$s and %3$s. */
  const char  *type;
  const char  *done;
  /* Whether the command takes --json, for scripts, anywhere after its name. */
  gboolean     json;
  /* The options with a value it takes, %NULL-terminated, or %NULL. */
  const char * const *options;
};

/* What people write on a change. */
static const char * const note_options[] = { "--date", "--payee", "--memo", NULL };
/* What a search of a ledger's history looks for. */
static const char * const filter_options[] = {
  "--search", "--min", "--max", "--from", "--to", NULL,
};

static gboolean run_random      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_search      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_open        (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_create_item (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_change      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_threshold   (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_balance     (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_events      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_at          (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_undo        (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_transfer    (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_amend       (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_import      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_ledgers     (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_log         (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_projections (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_report      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_export      (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_theme       (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_skin        (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_ask         (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_help        (QlTerminalController *self, const Command *command, char **args, GError **error);
static gboolean run_quit        (QlTerminalController *self, const Command *command, char **args, GError **error);

#define UNLIMITED G_MAXUINT

/* Name, arguments, description, fewest and most arguments, whether the
 * ledgers are read, and what runs it; help lists them in this order. */
static const Command commands[] = {
  { "random", NULL,
    N_("show a random quote"),
    0, 0, FALSE, run_random },
  { "search", N_("PATTERN"),
    N_("show the quotes that match a regular expression"),
    1, UNLIMITED, FALSE, run_search },
  { "open", N_("ACCOUNT [CURRENCY]"),
    N_("open an account, in plain units or an ISO 4217 currency"),
    1, 2, TRUE, run_open },
  { "deposit", N_("ACCOUNT AMOUNT [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("put money into an account"),
    2, 2, TRUE, run_change, QL_EVENT_DEPOSITED,
    /* Translators: %1$s is the account, %2$s the amount, %3$s its balance. */
    N_("Deposited %2$s into %1$s. Balance: %3$s"), .options = note_options },
  { "withdraw", N_("ACCOUNT AMOUNT [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("take money out of an account; no overdraft"),
    2, 2, TRUE, run_change, QL_EVENT_WITHDRAWN,
    /* Translators: %1$s is the account, %2$s the amount, %3$s its balance. */
    N_("Withdrew %2$s from %1$s. Balance: %3$s"), .options = note_options },
  { "create-item", N_("ITEM QUANTITY"),
    N_("start an inventory item"),
    2, 2, TRUE, run_create_item },
  { "increase", N_("ITEM N [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("add to an item's quantity"),
    2, 2, TRUE, run_change, QL_EVENT_QUANTITY_INCREASED,
    /* Translators: %1$s is the item, %2$s the amount added, %3$s its quantity. */
    N_("Increased %1$s by %2$s. Quantity: %3$s"), .options = note_options },
  { "decrease", N_("ITEM N [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("take from an item's quantity; never below zero"),
    2, 2, TRUE, run_change, QL_EVENT_QUANTITY_DECREASED,
    /* Translators: %1$s is the item, %2$s the amount taken, %3$s its quantity. */
    N_("Decreased %1$s by %2$s. Quantity: %3$s"), .options = note_options },
  { "threshold", N_("ITEM QUANTITY"),
    N_("list an item as low on stock while its quantity is below QUANTITY; 0 for never"),
    2, 2, TRUE, run_threshold },
  { "transfer", N_("FROM TO AMOUNT [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("move an amount between two accounts of one currency, or two items, at once"),
    3, 3, TRUE, run_transfer, .options = note_options },
  { "balance", N_("LEDGER"),
    N_("show the balance or quantity now"),
    1, 1, TRUE, run_balance },
  { "events", N_("LEDGER [--json] [--search TEXT] [--min AMOUNT] [--max AMOUNT] [--from DATE] [--to DATE]"),
    N_("list the ledger's events in order, with the balance after each; the options find "
       "changes by payee or memo, amount and day"),
    1, 1, TRUE, run_events, .json = TRUE, .options = filter_options },
  { "at", N_("LEDGER VERSION|DATE [as-of RECORDED]"),
    N_("show the state at a version, or on a day as known now or as recorded by then"),
    2, 4, TRUE, run_at },
  { "undo", N_("LEDGER"),
    N_("reverse the last change with a compensating event"),
    1, 1, TRUE, run_undo },
  { "amend", N_("LEDGER VERSION [--date DATE] [--payee PAYEE] [--memo MEMO]"),
    N_("correct a change's date, payee or memo with an event that amends it"),
    2, 2, TRUE, run_amend, .options = note_options },
  { "import", N_("FILE"),
    N_("apply a CSV file of ledger commands, all or nothing"),
    1, 1, TRUE, run_import },
  { "ledgers", N_("[--json]"),
    N_("list every ledger with its balance or quantity"),
    0, 0, TRUE, run_ledgers, .json = TRUE },
  { "log", N_("[START [LIMIT]]"),
    N_("print the notification log, one JSON object per event"),
    0, 2, TRUE, run_log },
  { "projections", N_("[rebuild NAME] [--json]"),
    N_("show each read model's position, lag and state, or rebuild one"),
    0, 2, TRUE, run_projections, .json = TRUE },
  { "report", N_("monthly LEDGER | statement LEDGER FROM TO | payments ORDER | low-stock [--json]"),
    N_("totals by kind of change per month, the balance day by day, what an order paid, "
       "or the items below their threshold"),
    1, 4, TRUE, run_report, .json = TRUE },
  { "export", N_("FILE [LEDGER]"),
    N_("write one ledger's changes, or everyone's, to a .csv or .journal (hledger) file"),
    1, 2, TRUE, run_export },
  { "theme", N_("SCHEME"),
    N_("set the colour scheme the window shares: light, dark or default"),
    1, 1, FALSE, run_theme },
  { "skin", N_("NAME"),
    N_("set the skin the window shares: one it ships with, or one of yours"),
    1, 1, FALSE, run_skin },
  { "ask", N_("QUESTION"),
    N_("ask the assistant about the quotes and ledgers; Ctrl+C stops the answer"),
    1, UNLIMITED, TRUE, run_ask },
  { "help", NULL,
    N_("show this list"),
    0, 0, FALSE, run_help },
  { "quit", NULL,
    N_("leave; the end of the input leaves too"),
    0, 0, FALSE, run_quit },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_ascii_strcasecmp (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

static char *
format_usage (const Command *command)
{
  if (command->arguments == NULL)
    return g_strdup (command->name);

  return g_strdup_printf ("%s %s", command->name, _(command->arguments));
}

static void
ask (QlTerminalController *self)
{
  ql_terminal_view_ask (self->view, _("Which quote number would you like to see? "));
}

static void
show_quote (QlTerminalController *self,
            gint64                index)
{
  g_autofree char *answer = g_strdup_printf (_("And the quote is: \"%s\""),
                                             ql_quote_book_lookup (self->quotes, index));

  ql_terminal_view_show (self->view, answer);
}

/* Reads a whole number of at least @minimum, spaces around allowed. */
static gboolean
parse_number (const char *text,
              gint64      minimum,
              gint64     *out_value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (!g_ascii_isdigit (trimmed[0]) && !(trimmed[0] == '-' && g_ascii_isdigit (trimmed[1])))
    return FALSE;

  return g_ascii_string_to_signed (trimmed, 10, minimum, G_MAXINT64, out_value, NULL);
}

/* The ledger named @name, or the model's own error for a name that is
 * not valid or not in use. */
static QlLedger *
find_ledger (QlTerminalController  *self,
             const char            *name,
             GError               **error)
{
  g_autofree char *key = ql_ledger_normalize_name (name, error);
  QlLedger *ledger;

  if (key == NULL)
    return NULL;

  ledger = ql_ledger_book_lookup (self->ledgers, key);
  if (ledger == NULL)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                 _("No ledger is named “%s”"), key);

  return ledger;
}

static char *
format_state (QlLedger *ledger)
{
  g_autofree char *balance = ql_ledger_format_balance (ledger);

  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM)
    return g_strdup_printf (_("Quantity: %s"), balance);

  return g_strdup_printf (_("Balance: %s"), balance);
}

/* The line that says a ledger is damaged, or NULL for a sound one. */
static char *
format_damage (QlLedger *ledger)
{
  g_autofree char *version = NULL;

  if (ql_ledger_get_damaged_version (ledger) == 0)
    return NULL;

  version = g_strdup_printf ("%" G_GINT64_FORMAT, ql_ledger_get_damaged_version (ledger));
  /* Translators: a version number, then why that event is damaged. */
  return g_strdup_printf (_("Damaged at version %s, read-only: %s"), version,
                          ql_ledger_get_damage (ledger));
}

static void
show_damage (QlTerminalController *self,
             QlLedger             *ledger)
{
  g_autofree char *damage = format_damage (ledger);

  if (damage != NULL)
    ql_terminal_view_show (self->view, damage);
}

static char *
format_signed_amount (QlLedger *ledger,
                      gint64    minor)
{
  g_autofree char *amount = ql_ledger_format_amount (ledger, minor < 0 ? -minor : minor);

  return g_strconcat (minor < 0 ? "-" : "+", amount, NULL);
}

static void
append_note (GString    *note,
             const char *text)
{
  if (note->len > 0)
    g_string_append (note, "  ");
  g_string_append (note, text);
}

static void
append_version_note (GString    *note,
                     const char *format,
                     gint64      number)
{
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  g_autofree char *text = NULL;

  /* The formats are this file's literals, each taking one string. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  text = g_strdup_printf (format, version);
#pragma GCC diagnostic pop
  append_note (note, text);
}

/* The note after an event: its payee and memo as amended, what it undid
 * or amended, the threshold it set, and whether it is applied. An amendment shows what it
 * wrote, so that the correction can be read where it happened. */
static char *
format_event_note (QlLedger     *ledger,
                   QlEvent      *event,
                   QlEventNotes *notes)
{
  g_autoptr(GString) note = g_string_new (NULL);
  gint64 reversed = ql_event_get_reverses (event);
  gint64 amends = ql_event_get_amends (event);
  gint64 damaged = ql_ledger_get_damaged_version (ledger);
  g_autofree char *new_payee = amends > 0 ? ql_event_dup_payee (event) : NULL;
  g_autofree char *new_memo = amends > 0 ? ql_event_dup_memo (event) : NULL;
  g_autofree char *counterpart = ql_event_dup_counterpart (event);
  const char *payee = NULL;
  const char *memo = NULL;
  gint64 amended_by = 0;

  ql_event_notes_lookup (notes, ql_event_get_version (event), NULL, &payee, &memo, &amended_by);
  if (amends > 0)
    {
      payee = new_payee != NULL && *new_payee != '\0' ? new_payee : NULL;
      memo = new_memo != NULL && *new_memo != '\0' ? new_memo : NULL;
    }
  if (payee != NULL)
    append_note (note, payee);
  if (memo != NULL)
    {
      g_autofree char *quoted = g_strdup_printf (_("“%s”"), memo);

      append_note (note, quoted);
    }
  if (new_payee != NULL && *new_payee == '\0')
    append_note (note, _("(payee taken away)"));
  if (new_memo != NULL && *new_memo == '\0')
    append_note (note, _("(memo taken away)"));
  if (counterpart != NULL && reversed == 0)
    {
      g_autofree char *text = g_strdup_printf (ql_event_get_signed_amount (event) < 0
                                               ? _("(transfer to %s)") : _("(transfer from %s)"),
                                               counterpart);

      append_note (note, text);
    }
  if (reversed > 0)
    append_version_note (note, _("(undoes version %s)"), reversed);
  if (amends > 0)
    append_version_note (note, _("(amends version %s)"), amends);
  if (amended_by > 0)
    append_version_note (note, _("(amended by version %s)"), amended_by);
  if (g_strcmp0 (ql_event_get_event_type (event), QL_EVENT_THRESHOLD_SET) == 0)
    {
      if (ql_event_get_threshold (event) == 0)
        append_note (note, _("(no threshold)"));
      else
        append_version_note (note, _("(threshold %s)"), ql_event_get_threshold (event));
    }
  if (damaged > 0 && ql_event_get_version (event) >= damaged)
    append_note (note, ql_event_get_version (event) == damaged
                       ? _("(damaged)") : _("(not applied)"));

  return g_string_free (g_steal_pointer (&note), FALSE);
}

/* Local time, as the window shows it: people read their own clock. */
static char *
format_event_time (QlEvent   *event,
                   GTimeZone *zone)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ql_event_get_timestamp (event) /
                                                            G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, zone) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* The events with a running balance, in columns. */
/* Whether the row of @event is shown: every row when @shown is %NULL. */
static gboolean
is_shown (GHashTable *shown,
          QlEvent    *event)
{
  gint64 version = ql_event_get_version (event);

  return shown == NULL || g_hash_table_contains (shown, &version);
}

static char *
format_events (QlLedger   *ledger,
               GPtrArray  *events,
               GHashTable *shown,
               GTimeZone  *zone)
{
  static const QlTerminalAlign aligns[] = {
    QL_TERMINAL_ALIGN_END, QL_TERMINAL_ALIGN_START, QL_TERMINAL_ALIGN_START,
    QL_TERMINAL_ALIGN_START, QL_TERMINAL_ALIGN_END, QL_TERMINAL_ALIGN_END,
    QL_TERMINAL_ALIGN_START,
  };
  g_autoptr(QlTerminalTable) table = ql_terminal_table_new (G_N_ELEMENTS (aligns), aligns);
  g_autoptr(QlEventNotes) notes = ql_event_notes_new (events, G_MAXINT64);
  gboolean item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;
  gint64 damaged = ql_ledger_get_damaged_version (ledger);
  gint64 balance = 0;
  const char *header[] = {
    C_("events column", "Version"), C_("events column", "Time"),
    C_("events column", "Date"), C_("events column", "Event"), C_("events column", "Change"),
    item ? C_("events column", "Quantity") : C_("events column", "Balance"), "",
  };

  ql_terminal_table_add_row (table, header);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 change = ql_event_get_signed_amount (event);
      gboolean applied = damaged == 0 || ql_event_get_version (event) < damaged;
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  ql_event_get_version (event));
      g_autofree char *time = format_event_time (event, zone);
      g_autofree char *amount = change != 0 ? format_signed_amount (ledger, change) : NULL;
      g_autofree char *running = NULL;
      g_autofree char *note = format_event_note (ledger, event, notes);
      g_autofree char *day = NULL;
      const char *row[G_N_ELEMENTS (aligns)];
      GDate date;

      if (applied)
        {
          balance += change;
          running = ql_ledger_format_amount (ledger, balance);
        }
      if (!is_shown (shown, event))
        continue;
      /* An amendment without a new date has none to show. */
      if (ql_event_get_amends (event) == 0 || ql_event_get_date (event, &date))
        {
          if (ql_event_get_amends (event) == 0 &&
              !ql_event_notes_lookup (notes, ql_event_get_version (event), &date, NULL, NULL,
                                      NULL))
            ql_event_get_date (event, &date);
          day = ql_date_format (&date);
        }
      row[0] = version;
      row[1] = time;
      row[2] = day;
      row[3] = ql_event_type_get_label (ql_event_get_event_type (event));
      row[4] = amount;
      row[5] = running;
      row[6] = note;
      ql_terminal_table_add_row (table, row);
    }

  return ql_terminal_table_format (table);
}

static gboolean
run_random (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  gint64 index = ql_quote_book_pick_random (self->quotes, NULL);
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, index);
  g_autofree char *answer = g_strdup_printf (_("Quote %s: \"%s\""), number,
                                             ql_quote_book_lookup (self->quotes, index));

  ql_terminal_view_show (self->view, answer);
  return TRUE;
}

static gboolean
run_search (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  g_autofree char *pattern = g_strjoinv (" ", args);
  g_autoptr(GArray) matches = ql_quote_book_search (self->quotes, pattern, error);

  if (matches == NULL)
    return FALSE;

  if (matches->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("No quote matches “%s”."), pattern);

      ql_terminal_view_show (self->view, message);
      return TRUE;
    }

  for (guint i = 0; i < matches->len; i++)
    {
      gint64 index = g_array_index (matches, gint64, i);
      g_autofree char *line = g_strdup_printf ("%" G_GINT64_FORMAT ": %s", index,
                                               ql_quote_book_lookup (self->quotes, index));

      ql_terminal_view_show (self->view, line);
    }

  return TRUE;
}

static gboolean
run_open (QlTerminalController  *self,
          const Command         *command,
          char                 **args,
          GError               **error)
{
  g_autoptr(QlEvent) opened = ql_ledger_book_open_account (self->ledgers, args[0], args[1],
                                                           error);
  g_autofree char *message = NULL;
  QlLedger *ledger;
  const char *currency;

  if (opened == NULL)
    return FALSE;

  ledger = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (opened));
  g_assert (ledger != NULL);
  currency = ql_ledger_get_currency (ledger);

  if (currency != NULL && *currency != '\0')
    message = g_strdup_printf (_("Opened account %s in %s."),
                               ql_ledger_get_name (ledger), currency);
  else
    message = g_strdup_printf (_("Opened account %s."), ql_ledger_get_name (ledger));
  ql_terminal_view_show (self->view, message);

  return TRUE;
}

/* The date, payee and memo the line gave as options, each %NULL when
 * not given; the texts stay the options table's. */
static QlChangeNote
option_note (QlTerminalController *self)
{
  QlChangeNote note = {
    g_hash_table_lookup (self->options, "--date"),
    g_hash_table_lookup (self->options, "--payee"),
    g_hash_table_lookup (self->options, "--memo"),
  };

  return note;
}

static gboolean
run_change (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  QlChangeNote note = option_note (self);
  g_autoptr(QlEvent) changed = ql_ledger_book_record_change (self->ledgers, args[0],
                                                             command->type, args[1], &note,
                                                             error);
  g_autofree char *amount = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *message = NULL;
  QlLedger *ledger;

  if (changed == NULL)
    return FALSE;

  /* What the event moved, not the text again: the model parsed it once. */
  ledger = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (changed));
  g_assert (ledger != NULL);
  amount = ql_ledger_format_amount (ledger, ql_event_get_amount (changed));
  balance = ql_ledger_format_balance (ledger);
  /* The formats come from the command table above, each taking three strings. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  message = g_strdup_printf (_(command->done), ql_ledger_get_name (ledger), amount, balance);
#pragma GCC diagnostic pop
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_create_item (QlTerminalController  *self,
                 const Command         *command,
                 char                 **args,
                 GError               **error)
{
  g_autoptr(QlEvent) created = ql_ledger_book_create_item (self->ledgers, args[0], args[1],
                                                          error);
  QlLedger *ledger;
  g_autofree char *quantity = NULL;
  g_autofree char *message = NULL;

  if (created == NULL)
    return FALSE;

  ledger = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (created));
  g_assert (ledger != NULL);
  quantity = ql_ledger_format_balance (ledger);
  message = g_strdup_printf (_("Created item %s. Quantity: %s"),
                             ql_ledger_get_name (ledger), quantity);
  ql_terminal_view_show (self->view, message);

  return TRUE;
}

static gboolean
run_threshold (QlTerminalController  *self,
               const Command         *command,
               char                 **args,
               GError               **error)
{
  g_autoptr(QlEvent) set = ql_ledger_book_set_threshold (self->ledgers, args[0], args[1],
                                                         error);
  g_autofree char *threshold = NULL;
  g_autofree char *quantity = NULL;
  g_autofree char *message = NULL;
  QlLedger *item;

  if (set == NULL)
    return FALSE;

  item = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (set));
  g_assert (item != NULL);
  quantity = ql_ledger_format_balance (item);
  if (ql_event_get_threshold (set) == 0)
    /* Translators: %1$s is the item, %2$s its quantity. */
    message = g_strdup_printf (_("Removed the threshold of %1$s. Quantity: %2$s"),
                               ql_ledger_get_name (item), quantity);
  else
    {
      threshold = g_strdup_printf ("%" G_GINT64_FORMAT, ql_event_get_threshold (set));
      /* Translators: %1$s is the item, %2$s the threshold, %3$s its quantity. */
      message = g_strdup_printf (_("Set the threshold of %1$s to %2$s. Quantity: %3$s"),
                                 ql_ledger_get_name (item), threshold, quantity);
    }
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_balance (QlTerminalController  *self,
             const Command         *command,
             char                 **args,
             GError               **error)
{
  QlLedger *ledger = find_ledger (self, args[0], error);
  g_autofree char *state = NULL;

  if (ledger == NULL)
    return FALSE;

  state = format_state (ledger);
  ql_terminal_view_show (self->view, state);
  show_damage (self, ledger);
  return TRUE;
}

/* The log's JSON of each event, with the ledger's state after it. */
static gboolean
show_events_json (QlTerminalController  *self,
                  QlLedger              *ledger,
                  GPtrArray             *events,
                  GHashTable            *shown,
                  GError               **error)
{
  gint64 damaged = ql_ledger_get_damaged_version (ledger);
  gint64 balance = 0;

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      g_autofree char *log = ql_event_to_json (event);
      g_autoptr(JsonNode) node = json_from_string (log, error);
      g_autofree char *line = NULL;

      if (node == NULL)
        return FALSE;
      if (damaged == 0 || ql_event_get_version (event) < damaged)
        {
          balance += ql_event_get_signed_amount (event);
          json_object_set_int_member (json_node_get_object (node), "balance", balance);
        }
      if (!is_shown (shown, event))
        continue;
      line = json_to_string (node, FALSE);
      ql_terminal_view_show (self->view, line);
    }

  return TRUE;
}

static gboolean
run_events (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  QlEventFilter filter = {
    g_hash_table_lookup (self->options, "--search"),
    g_hash_table_lookup (self->options, "--min"),
    g_hash_table_lookup (self->options, "--max"),
    g_hash_table_lookup (self->options, "--from"),
    g_hash_table_lookup (self->options, "--to"),
  };
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (self->ledgers, args[0], error);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GHashTable) shown = NULL;
  g_autofree char *table = NULL;
  QlLedger *ledger;

  if (events == NULL)
    return FALSE;

  ledger = ql_ledger_book_lookup (self->ledgers, args[0]);
  g_assert (ledger != NULL);

  /* The balances come from the whole history; the search picks rows. */
  if (g_hash_table_size (self->options) > 0)
    {
      found = ql_ledger_book_find_events (self->ledgers, args[0], &filter, error);
      if (found == NULL)
        return FALSE;
      shown = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      for (guint i = 0; i < found->len; i++)
        {
          gint64 version = ql_event_get_version (g_ptr_array_index (found, i));

          g_hash_table_add (shown, g_memdup2 (&version, sizeof version));
        }
    }

  if (self->json)
    return show_events_json (self, ledger, events, shown, error);

  table = format_events (ledger, events, shown, self->zone);
  ql_terminal_view_show (self->view, table);
  show_damage (self, ledger);

  return TRUE;
}

/* `at LEDGER DATE [as-of RECORDED]`: the model's two kinds of time travel. */
static gboolean
show_balance_on (QlTerminalController  *self,
                 char                 **args,
                 GError               **error)
{
  gint64 recorded_until = G_MAXINT64;
  gint64 balance;
  g_autofree char *amount = NULL;
  g_autofree char *day = NULL;
  g_autofree char *message = NULL;
  QlLedger *ledger;
  GDate date;

  if (args[2] != NULL && (g_ascii_strcasecmp (args[2], "as-of") != 0 || args[3] == NULL))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("After the date comes “as-of RECORDED”, such as as-of 2026-07-01"));
      return FALSE;
    }
  if (!ql_date_parse (args[1], &date, error) ||
      (args[2] != NULL && !ql_recorded_time_parse (args[3], self->zone, &recorded_until, error)) ||
      !ql_ledger_book_balance_on (self->ledgers, args[0], &date, recorded_until, &balance, error))
    return FALSE;

  ledger = ql_ledger_book_lookup (self->ledgers, args[0]);
  g_assert (ledger != NULL);
  amount = ql_ledger_format_amount (ledger, balance);
  day = ql_date_format (&date);
  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM)
    /* Translators: a day, YYYY-MM-DD, then a quantity. */
    message = g_strdup_printf (_("Quantity on %s: %s"), day, amount);
  else
    /* Translators: a day, YYYY-MM-DD, then a balance. */
    message = g_strdup_printf (_("Balance on %s: %s"), day, amount);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_at (QlTerminalController  *self,
        const Command         *command,
        char                 **args,
        GError               **error)
{
  g_autoptr(QlLedger) past = NULL;
  g_autofree char *state = NULL;
  gint64 version = 0;

  if (strchr (args[1], '-') != NULL && args[1][0] != '-')
    return show_balance_on (self, args, error);
  if (args[2] != NULL)
    {
      g_autofree char *usage = format_usage (command);

      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Too many arguments. Usage: %s"), usage);
      return FALSE;
    }
  if (!parse_number (args[1], G_MININT64, &version))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Incorrect version '%s'"), args[1]);
      return FALSE;
    }

  past = ql_ledger_book_state_at (self->ledgers, args[0], version, error);
  if (past == NULL)
    return FALSE;

  state = format_state (past);
  ql_terminal_view_show (self->view, state);
  return TRUE;
}

static gboolean
run_transfer (QlTerminalController  *self,
              const Command         *command,
              char                 **args,
              GError               **error)
{
  QlChangeNote note = option_note (self);
  g_autoptr(QlEvent) moved = ql_ledger_book_transfer (self->ledgers, args[0], args[1], args[2],
                                                      &note, error);
  g_autofree char *counterpart = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *from_balance = NULL;
  g_autofree char *to_balance = NULL;
  g_autofree char *message = NULL;
  QlLedger *from;
  QlLedger *to;

  if (moved == NULL)
    return FALSE;

  from = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (moved));
  counterpart = ql_event_dup_counterpart (moved);
  to = ql_ledger_book_lookup (self->ledgers, counterpart);
  g_assert (from != NULL && to != NULL);
  amount = ql_ledger_format_amount (from, ql_event_get_amount (moved));
  from_balance = ql_ledger_format_balance (from);
  to_balance = ql_ledger_format_balance (to);
  /* Translators: the amount, the two ledgers, then each one's balance. */
  message = g_strdup_printf (_("Moved %1$s from %2$s to %3$s. %2$s: %4$s, %3$s: %5$s"), amount,
                             ql_ledger_get_name (from), ql_ledger_get_name (to), from_balance,
                             to_balance);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_amend (QlTerminalController  *self,
           const Command         *command,
           char                 **args,
           GError               **error)
{
  QlChangeNote note = option_note (self);
  g_autoptr(QlEvent) amendment = NULL;
  g_autofree char *amended = NULL;
  g_autofree char *version = NULL;
  g_autofree char *message = NULL;
  gint64 number = 0;

  if (!parse_number (args[1], G_MININT64, &number))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Incorrect version '%s'"), args[1]);
      return FALSE;
    }
  amendment = ql_ledger_book_amend (self->ledgers, args[0], number, &note, error);
  if (amendment == NULL)
    return FALSE;

  amended = g_strdup_printf ("%" G_GINT64_FORMAT, ql_event_get_amends (amendment));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, ql_event_get_version (amendment));
  /* Translators: the version amended, the ledger, the amendment's version. */
  message = g_strdup_printf (_("Amended version %1$s of %2$s with version %3$s."), amended,
                             ql_event_get_ledger (amendment), version);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_undo (QlTerminalController  *self,
          const Command         *command,
          char                 **args,
          GError               **error)
{
  g_autoptr(QlEvent) undo = ql_ledger_book_undo (self->ledgers, args[0], error);
  g_autofree char *version = NULL;
  g_autofree char *state = NULL;
  g_autofree char *message = NULL;
  QlLedger *ledger;

  if (undo == NULL)
    return FALSE;

  ledger = ql_ledger_book_lookup (self->ledgers, args[0]);
  g_assert (ledger != NULL);

  version = g_strdup_printf ("%" G_GINT64_FORMAT, ql_event_get_reverses (undo));
  state = format_state (ledger);
  /* Translators: the version undone, the ledger, the compensating event's
   * type, then "Balance: 100" or "Quantity: 12". */
  message = g_strdup_printf (_("Undid version %s of %s with %s. %s"), version,
                             ql_ledger_get_name (ledger),
                             ql_event_type_get_label (ql_event_get_event_type (undo)), state);
  ql_terminal_view_show (self->view, message);

  return TRUE;
}

static void
import_progress_cb (QlImportPhase phase,
                    guint64       done,
                    guint64       total,
                    gpointer      user_data)
{
  QlTerminalController *self = user_data;
  double fraction = total > 0 ? (double) done / (double) total : 1.0;

  g_assert (QL_IS_TERMINAL_CONTROLLER (self));

  /* Checking is the first half of the work, writing the second. */
  if (phase == QL_IMPORT_PHASE_CHECKING)
    ql_terminal_view_show_progress (self->view, _("Checking…"), fraction / 2);
  else
    ql_terminal_view_show_progress (self->view, _("Writing…"), 0.5 + fraction / 2);
}

static gboolean
run_import (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (args[0]);
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;
  guint64 n_events = 0;
  gboolean imported;

  imported = ql_ledger_book_import_csv (self->ledgers, file, NULL, import_progress_cb, self,
                                        &n_events, error);
  ql_terminal_view_show_progress (self->view, "", 1.0);
  if (!imported)
    return FALSE;

  count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_events);
  /* Translators: %1$s is a number of events, %2$s the file they came from. */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %1$s event from %2$s.",
                                          "Imported %1$s events from %2$s.",
                                          (gulong) MIN (n_events, G_MAXULONG)),
                             count, args[0]);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

/* A report as the command asked for it: a table, or JSON lines. A table
 * with no rows says @none instead, when given; JSON with none is silent. */
static void
show_report (QlTerminalController *self,
             QlTerminalReport     *report,
             const char           *none)
{
  g_autofree char *text = NULL;

  if (!self->json && none != NULL && ql_terminal_report_get_n_records (report) == 0)
    {
      ql_terminal_view_show (self->view, none);
      return;
    }
  text = ql_terminal_report_format (report, self->json);
  if (text != NULL)
    ql_terminal_view_show (self->view, text);
}

/* One JSON object on a line of its own, for scripts. */
static void
show_json_builder (QlTerminalController *self,
                   JsonBuilder          *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);
  g_autofree char *line = json_to_string (node, FALSE);

  ql_terminal_view_show (self->view, line);
}

static void
show_ledgers_json (QlTerminalController *self,
                   GListModel           *ledgers)
{
  for (guint i = 0; i < g_list_model_get_n_items (ledgers); i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      const char *currency = ql_ledger_get_currency (ledger);
      gboolean item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ledger");
      json_builder_add_string_value (builder, ql_ledger_get_name (ledger));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, item ? "item" : "account");
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, ql_ledger_get_version (ledger));
      json_builder_set_member_name (builder, item ? "quantity" : "balance");
      json_builder_add_int_value (builder, ql_ledger_get_balance (ledger));
      if (!item)
        {
          json_builder_set_member_name (builder, "currency");
          if (currency != NULL && *currency != '\0')
            json_builder_add_string_value (builder, currency);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "decimals");
          json_builder_add_int_value (builder, ql_ledger_get_decimals (ledger));
        }
      if (ql_ledger_get_damaged_version (ledger) > 0)
        {
          json_builder_set_member_name (builder, "damaged_version");
          json_builder_add_int_value (builder, ql_ledger_get_damaged_version (ledger));
        }
      json_builder_end_object (builder);
      show_json_builder (self, builder);
    }
}

static gboolean
run_ledgers (QlTerminalController  *self,
             const Command         *command,
             char                 **args,
             GError               **error)
{
  static const QlTerminalAlign aligns[] = {
    QL_TERMINAL_ALIGN_START, QL_TERMINAL_ALIGN_START, QL_TERMINAL_ALIGN_END,
    QL_TERMINAL_ALIGN_START,
  };
  GListModel *ledgers = ql_ledger_book_get_ledgers (self->ledgers);
  guint n_ledgers = g_list_model_get_n_items (ledgers);
  g_autoptr(QlTerminalTable) table = NULL;
  g_autofree char *text = NULL;
  const char *header[] = {
    C_("ledgers column", "Ledger"), C_("ledgers column", "Kind"),
    C_("ledgers column", "Balance"), "",
  };

  if (self->json)
    {
      show_ledgers_json (self, ledgers);
      return TRUE;
    }

  if (n_ledgers == 0)
    {
      ql_terminal_view_show (self->view, _("No ledgers yet."));
      return TRUE;
    }

  table = ql_terminal_table_new (G_N_ELEMENTS (aligns), aligns);
  ql_terminal_table_add_row (table, header);
  for (guint i = 0; i < n_ledgers; i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);
      g_autofree char *balance = ql_ledger_format_balance (ledger);
      g_autofree char *note = NULL;
      const char *row[G_N_ELEMENTS (aligns)];

      if (ql_ledger_get_damaged_version (ledger) > 0)
        {
          g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                      ql_ledger_get_damaged_version (ledger));

          /* Translators: a version number */
          note = g_strdup_printf (_("(damaged at version %s, read-only)"), version);
        }
      row[0] = ql_ledger_get_name (ledger);
      row[1] = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM
               ? C_("ledger kind", "item") : C_("ledger kind", "account");
      row[2] = balance;
      row[3] = note;
      ql_terminal_table_add_row (table, row);
    }

  text = ql_terminal_table_format (table);
  ql_terminal_view_show (self->view, text);
  return TRUE;
}

static gboolean
run_log (QlTerminalController  *self,
         const Command         *command,
         char                 **args,
         GError               **error)
{
  g_autoptr(GPtrArray) events = NULL;
  gint64 start = 1;
  gint64 limit = 0;

  if (args[0] != NULL && !parse_number (args[0], 1, &start))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Incorrect start '%s': positions start at 1"), args[0]);
      return FALSE;
    }
  if (args[0] != NULL && args[1] != NULL && !parse_number (args[1], 1, &limit))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Incorrect limit '%s': give a number above 0"), args[1]);
      return FALSE;
    }

  events = ql_ledger_book_read_log (self->ledgers, start, limit, error);
  if (events == NULL)
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *json = ql_event_to_json (g_ptr_array_index (events, i));

      ql_terminal_view_show (self->view, json);
    }

  return TRUE;
}

/* The runner of the store's read models, caught up: reports read what
 * the log holds now, as the views do. */
static QlProjectionRunner *
caught_up_runner (QlTerminalController  *self,
                  GError               **error)
{
  QlEventStore *store = ql_ledger_book_get_store (self->ledgers);

  if (self->runner == NULL)
    self->runner = ql_projection_runner_new_default (store);
  if (!ql_projection_runner_catch_up (self->runner, error))
    return NULL;
  return self->runner;
}

static gboolean
run_projections (QlTerminalController  *self,
                 const Command         *command,
                 char                 **args,
                 GError               **error)
{
  static const char * const states[] = {
    "not-built", "behind", "caught-up", "rebuilding",
  };
  const QlTerminalColumn columns[] = {
    { C_("projections column", "Projection"), "projection", QL_TERMINAL_ALIGN_START },
    { C_("projections column", "Version"), "version", QL_TERMINAL_ALIGN_END },
    { C_("projections column", "Position"), "position", QL_TERMINAL_ALIGN_END },
    { C_("projections column", "Lag"), "lag", QL_TERMINAL_ALIGN_END },
    { C_("projections column", "State"), "state", QL_TERMINAL_ALIGN_START },
  };
  QlEventStore *store = ql_ledger_book_get_store (self->ledgers);
  g_autoptr(QlTerminalReport) report = NULL;
  g_autoptr(GArray) list = NULL;
  guint n_args = g_strv_length (args);

  if (n_args == 1 || (n_args == 2 && g_strcmp0 (args[0], "rebuild") != 0))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Usage: %s %s"), command->name, _(command->arguments));
      return FALSE;
    }
  if (self->runner == NULL)
    self->runner = ql_projection_runner_new_default (store);
  if (n_args == 2)
    {
      g_autofree char *done = NULL;

      if (!ql_projection_runner_rebuild (self->runner, args[1], error))
        return FALSE;
      done = g_strdup_printf (_("Rebuilt %s."), args[1]);
      ql_terminal_view_show (self->view, done);
    }

  list = ql_projection_runner_list_status (self->runner, error);
  if (list == NULL)
    return FALSE;
  report = ql_terminal_report_new (columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < list->len; i++)
    {
      const QlProjectionStatus *status = &g_array_index (list, QlProjectionStatus, i);

      ql_terminal_report_add_string (report, status->name, NULL);
      ql_terminal_report_add_number (report, status->version, NULL);
      ql_terminal_report_add_number (report, status->position, NULL);
      ql_terminal_report_add_number (report, status->lag, NULL);
      ql_terminal_report_add_string (report, states[status->state],
                                     ql_projection_state_get_label (status->state));
    }
  show_report (self, report, NULL);
  return TRUE;
}

/* A day of a statement as its table and its JSON write it. */
static void
format_julian_day (guint32 day,
                   char    date[11])
{
  GDate when;

  g_date_clear (&when, 1);
  g_date_set_julian (&when, day);
  g_snprintf (date, 11, "%04u-%02u-%02u", (guint) g_date_get_year (&when),
              (guint) g_date_get_month (&when), (guint) g_date_get_day (&when));
}

static gboolean
report_monthly (QlTerminalController  *self,
                QlLedger              *ledger,
                GError               **error)
{
  const QlTerminalColumn columns[] = {
    { C_("report column", "Month"), "month", QL_TERMINAL_ALIGN_START },
    { C_("report column", "Kind"), "type", QL_TERMINAL_ALIGN_START },
    { C_("report column", "Count"), "count", QL_TERMINAL_ALIGN_END },
    { C_("report column", "Total"), "total", QL_TERMINAL_ALIGN_END },
  };
  QlProjectionRunner *runner = caught_up_runner (self, error);
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(QlTerminalReport) report = NULL;
  guint decimals = ql_ledger_get_decimals (ledger);

  if (runner == NULL)
    return FALSE;
  totals = ql_monthly_totals_read (ql_projection_runner_get_read_store (runner),
                                   ql_ledger_get_name (ledger), error);
  if (totals == NULL)
    return FALSE;

  report = ql_terminal_report_new (columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < totals->len; i++)
    {
      QlMonthlyTotal *total = g_ptr_array_index (totals, i);
      g_autofree char *month = g_strdup_printf ("%04u-%02u", total->year, total->month);
      g_autofree char *amount = ql_amount_format (total->total, decimals);

      ql_terminal_report_add_string (report, month, NULL);
      ql_terminal_report_add_string (report, total->type, ql_event_type_get_label (total->type));
      ql_terminal_report_add_number (report, total->count, NULL);
      ql_terminal_report_add_number (report, total->total, amount);
    }
  show_report (self, report, _("No changes yet."));
  return TRUE;
}

static gboolean
report_statement (QlTerminalController  *self,
                  QlLedger              *ledger,
                  const char            *from_text,
                  const char            *to_text,
                  GError               **error)
{
  const QlTerminalColumn columns[] = {
    { C_("report column", "Day"), "date", QL_TERMINAL_ALIGN_START },
    { C_("report column", "Changes"), "changes", QL_TERMINAL_ALIGN_END },
    { C_("report column", "Change"), "change", QL_TERMINAL_ALIGN_END },
    { C_("report column", "Balance"), "balance", QL_TERMINAL_ALIGN_END },
  };
  QlProjectionRunner *runner = NULL;
  g_autoptr(GArray) days = NULL;
  g_autoptr(QlTerminalReport) report = NULL;
  g_autofree char *opening_text = NULL;
  guint decimals = ql_ledger_get_decimals (ledger);
  gint64 opening = 0;
  GDate from, to;

  if (!ql_date_parse (from_text, &from, error) || !ql_date_parse (to_text, &to, error))
    return FALSE;
  runner = caught_up_runner (self, error);
  if (runner == NULL)
    return FALSE;
  days = ql_daily_balance_read (ql_projection_runner_get_read_store (runner),
                                ql_ledger_get_name (ledger), &from, &to, &opening, error);
  if (days == NULL)
    return FALSE;

  report = ql_terminal_report_new (columns, G_N_ELEMENTS (columns));
  /* The balance the statement opens with is a line of the table only:
   * the JSON lists the days that changed. */
  opening_text = ql_amount_format (opening, decimals);
  {
    const char *row[] = { from_text, "", "", opening_text };

    ql_terminal_report_add_text_row (report, row);
  }
  for (guint i = 0; i < days->len; i++)
    {
      const QlDailyBalance *day = &g_array_index (days, QlDailyBalance, i);
      g_autofree char *change = ql_amount_format (day->change, decimals);
      g_autofree char *balance = ql_amount_format (day->balance, decimals);
      char date[11];

      format_julian_day (day->day, date);
      ql_terminal_report_add_string (report, date, NULL);
      ql_terminal_report_add_number (report, day->n_changes, NULL);
      ql_terminal_report_add_number (report, day->change, change);
      ql_terminal_report_add_number (report, day->balance, balance);
    }
  show_report (self, report, NULL);
  return TRUE;
}

static gboolean
report_payments (QlTerminalController  *self,
                 const char            *order,
                 GError               **error)
{
  const QlTerminalColumn columns[] = {
    { C_("report column", "Ledger"), "ledger", QL_TERMINAL_ALIGN_START },
    { C_("report column", "Count"), "count", QL_TERMINAL_ALIGN_END },
    { C_("report column", "Amount"), "amount", QL_TERMINAL_ALIGN_END },
  };
  QlProjectionRunner *runner = caught_up_runner (self, error);
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(QlTerminalReport) report = NULL;
  g_autofree char *none = NULL;

  if (runner == NULL)
    return FALSE;
  totals = ql_payments_read (ql_projection_runner_get_read_store (runner), order, error);
  if (totals == NULL)
    return FALSE;

  report = ql_terminal_report_new (columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < totals->len; i++)
    {
      QlPaymentTotal *total = g_ptr_array_index (totals, i);
      QlLedger *ledger = ql_ledger_book_lookup (self->ledgers, total->ledger);
      g_autofree char *amount = ql_amount_format (total->amount, ledger != NULL
                                                  ? ql_ledger_get_decimals (ledger) : 0);

      ql_terminal_report_add_string (report, total->ledger, NULL);
      ql_terminal_report_add_number (report, total->count, NULL);
      ql_terminal_report_add_number (report, total->amount, amount);
    }
  none = g_strdup_printf (_("No payment for “%s” stands."), order);
  show_report (self, report, none);
  return TRUE;
}

static gboolean
report_low_stock (QlTerminalController  *self,
                  GError               **error)
{
  const QlTerminalColumn columns[] = {
    { C_("report column", "Item"), "item", QL_TERMINAL_ALIGN_START },
    { C_("report column", "Quantity"), "quantity", QL_TERMINAL_ALIGN_END },
    { C_("report column", "Threshold"), "threshold", QL_TERMINAL_ALIGN_END },
  };
  QlProjectionRunner *runner = caught_up_runner (self, error);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(QlTerminalReport) report = NULL;

  if (runner == NULL)
    return FALSE;
  items = ql_low_stock_read (ql_projection_runner_get_read_store (runner), error);
  if (items == NULL)
    return FALSE;

  report = ql_terminal_report_new (columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < items->len; i++)
    {
      QlLowStockItem *item = g_ptr_array_index (items, i);

      ql_terminal_report_add_string (report, item->item, NULL);
      ql_terminal_report_add_number (report, item->quantity, NULL);
      ql_terminal_report_add_number (report, item->threshold, NULL);
    }
  show_report (self, report, _("No item is below its threshold."));
  return TRUE;
}

static gboolean
run_report (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  guint n_args = g_strv_length (args);
  QlLedger *ledger;

  if (!((n_args == 2 && g_str_equal (args[0], "monthly")) ||
        (n_args == 4 && g_str_equal (args[0], "statement")) ||
        (n_args == 2 && g_str_equal (args[0], "payments")) ||
        (n_args == 1 && g_str_equal (args[0], "low-stock"))))
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Usage: %s %s"), command->name, _(command->arguments));
      return FALSE;
    }
  if (n_args == 1)
    return report_low_stock (self, error);
  if (g_str_equal (args[0], "payments"))
    return report_payments (self, args[1], error);
  ledger = find_ledger (self, args[1], error);
  if (ledger == NULL)
    return FALSE;
  if (n_args == 2)
    return report_monthly (self, ledger, error);
  return report_statement (self, ledger, args[2], args[3], error);
}

static gboolean
run_export (QlTerminalController  *self,
            const Command         *command,
            char                 **args,
            GError               **error)
{
  QlLedger *ledger = NULL;
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;
  guint64 n_changes = 0;

  if (args[1] != NULL && (ledger = find_ledger (self, args[1], error)) == NULL)
    return FALSE;
  if (!ql_ledger_book_export (self->ledgers, args[0],
                              ledger != NULL ? ql_ledger_get_name (ledger) : NULL, &n_changes,
                              error))
    return FALSE;

  count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_changes);
  /* Translators: %1$s is a number of changes, %2$s the file written. */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %1$s change to %2$s.",
                                          "Exported %1$s changes to %2$s.",
                                          (gulong) MIN (n_changes, G_MAXULONG)),
                             count, args[0]);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

/* The values of the color-scheme key, in the order the error names them. */
static const char * const color_schemes[] = { "light", "dark", "default" };

/* Writes the shared key: an open window and full-screen view follow it. */
static gboolean
run_theme (QlTerminalController  *self,
           const Command         *command,
           char                 **args,
           GError               **error)
{
  const char *scheme = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_ascii_strcasecmp (args[0], color_schemes[i]) == 0)
      scheme = color_schemes[i];

  if (scheme == NULL)
    {
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Unknown colour scheme “%s”: give light, dark or default"), args[0]);
      return FALSE;
    }
  if (self->settings == NULL)
    {
      g_set_error_literal (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_NO_SETTINGS,
                           _("The colour scheme cannot be changed: the settings schema "
                             "is not installed."));
      return FALSE;
    }

  g_settings_set_string (self->settings, COLOR_SCHEME_KEY, scheme);
  /* A script's last line may be this one: the write must not wait. */
  g_settings_sync ();

  message = g_strdup_printf (_("Colour scheme: %s"), scheme);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

/* Writes the shared key, for a skin the window can load: the window and
 * the full-screen view follow it. */
static gboolean
run_skin (QlTerminalController  *self,
          const Command         *command,
          char                 **args,
          GError               **error)
{
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new_for_user ();
  g_autofree char *message = NULL;

  if (!ql_skin_catalogue_has_skin (catalogue, args[0]))
    {
      g_auto(GStrv) skins = ql_skin_catalogue_list (catalogue);
      g_autofree char *names = g_strjoinv (", ", skins);

      /* Translators: a skin's name, then the names of the skins there are */
      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   _("Unknown skin “%s”: give one of %s"), args[0], names);
      return FALSE;
    }
  if (self->settings == NULL)
    {
      g_set_error_literal (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_NO_SETTINGS,
                           _("The skin cannot be changed: the settings schema is not "
                             "installed."));
      return FALSE;
    }

  g_settings_set_string (self->settings, SKIN_KEY, args[0]);
  g_settings_sync ();

  message = g_strdup_printf (_("Skin: %s"), args[0]);
  ql_terminal_view_show (self->view, message);
  return TRUE;
}

static gboolean
run_help (QlTerminalController  *self,
          const Command         *command,
          char                 **args,
          GError               **error)
{
  g_autoptr(GPtrArray) usages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) help = g_string_new (_("Commands:"));
  const char *number = _("NUMBER");
  glong width = ql_terminal_text_width (number);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      char *usage = format_usage (&commands[i]);

      width = MAX (width, ql_terminal_text_width (usage));
      g_ptr_array_add (usages, usage);
    }

  g_string_append_printf (help, "\n  %s%*s  %s", number,
                          (int) (width - ql_terminal_text_width (number)), "",
                          _("show the quote with that number"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *usage = g_ptr_array_index (usages, i);

      g_string_append_printf (help, "\n  %s%*s  %s", usage,
                              (int) (width - ql_terminal_text_width (usage)), "",
                              _(commands[i].description));
    }
  g_string_append_c (help, '\n');
  g_string_append (help, _("Names with spaces go in double quotes: open \"Joint savings\" EUR"));

  ql_terminal_view_show (self->view, help->str);
  return TRUE;
}

static gboolean
run_quit (QlTerminalController  *self,
          const Command         *command,
          char                 **args,
          GError               **error)
{
  g_signal_emit (self, signals[FINISHED], 0);
  return TRUE;
}

/* Splits @line into words at spaces and tabs. Double quotes group words
 * with spaces into one and are removed: `open "Joint savings" EUR` gives
 * `open`, `Joint savings`, `EUR`; `""` is an empty word. */
static GStrv
split_words (const char  *line,
             GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);
  gboolean in_word = FALSE;
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '"')
        {
          quoted = !quoted;
          in_word = TRUE;
        }
      else if (!quoted && (*p == ' ' || *p == '\t' || *p == '\r'))
        {
          if (in_word)
            {
              g_strv_builder_add (builder, word->str);
              g_string_truncate (word, 0);
              in_word = FALSE;
            }
        }
      else
        {
          g_string_append_c (word, *p);
          in_word = TRUE;
        }
    }

  if (quoted)
    {
      g_set_error_literal (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_SYNTAX,
                           _("A double quote is not closed"));
      return NULL;
    }

  if (in_word)
    g_strv_builder_add (builder, word->str);

  return g_strv_builder_end (builder);
}

/* How many letters must change to turn @a into @b: insertions,
 * deletions, substitutions and swaps of neighbours, ignoring case. Both
 * are short: a word the user typed, and a command name. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  g_autofree guint *d = g_new0 (guint, (la + 1) * (lb + 1));

#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
        guint best = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

        best = MIN (best, D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 &&
            g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2]) &&
            g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  return D (la, lb);
#undef D
}

/* The command @word is a typo of, or NULL. Only a word of letters can
 * be one, and only a near one counts: “abc” is a bad index, not “at”. */
static const Command *
find_near_command (const char *word)
{
  const Command *nearest = NULL;
  guint nearest_distance = G_MAXUINT;
  gsize length = strlen (word);

  if (length == 0 || length > 32)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalpha (word[i]) && word[i] != '-')
      return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      guint distance = edit_distance (word, commands[i].name);

      if (distance < nearest_distance)
        {
          nearest = &commands[i];
          nearest_distance = distance;
        }
    }

  if (nearest_distance > 2 || nearest_distance * 2 >= length)
    return NULL;
  return nearest;
}

/* After the error for a word that is no command, names the command it
 * is probably a typo of. */
static void
show_command_hint (QlTerminalController *self,
                   const char           *word)
{
  const Command *near = find_near_command (word);
  g_autofree char *usage = NULL;
  g_autofree char *hint = NULL;

  if (near == NULL)
    return;

  usage = format_usage (near);
  /* Translators: a command's usage, such as “balance LEDGER” */
  hint = g_strdup_printf (_("Did you mean “%s”?"), usage);
  ql_terminal_view_show_warning (self->view, hint);
}

/* Shows the error of a line that is neither a number nor a command, as
 * the seed's quote printer does. */
static void
show_index_error (QlTerminalController *self,
                  const char           *line)
{
  g_autoptr(GError) error = NULL;

  ql_quote_book_parse_index (line, NULL, &error);
  g_assert (error != NULL);
  ql_terminal_view_show_error (self->view, error->message);
}

static gboolean
looks_like_number (const char *word)
{
  return g_ascii_isdigit (word[0]) || word[0] == '-' || word[0] == '+';
}

/* Takes the options @command has, with their values, out of @words; a
 * value may be empty (`--memo ""`). */
static gboolean
take_options (QlTerminalController  *self,
              const Command         *command,
              char                 **words,
              GError               **error)
{
  guint kept = 1;

  g_hash_table_remove_all (self->options);
  if (command->options == NULL)
    return TRUE;

  for (guint i = 1; words[i] != NULL; i++)
    {
      const char *option = NULL;

      for (guint j = 0; command->options[j] != NULL; j++)
        if (g_str_equal (words[i], command->options[j]))
          option = command->options[j];
      if (option == NULL)
        {
          words[kept++] = words[i];
          continue;
        }
      if (words[i + 1] == NULL)
        {
          g_autofree char *usage = format_usage (command);

          /* @words ends where the options began, as on success. */
          g_free (words[i]);
          words[kept] = NULL;
          g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                       _("%s needs a value. Usage: %s"), option, usage);
          return FALSE;
        }
      g_hash_table_replace (self->options, (gpointer) option, g_steal_pointer (&words[i + 1]));
      g_free (words[i]);
      i++;
    }
  words[kept] = NULL;
  return TRUE;
}

static gboolean
run_command (QlTerminalController  *self,
             const Command         *command,
             char                 **words,
             GError               **error)
{
  guint n_args;

  /* --json is a switch, not an argument: it is taken out before counting. */
  self->json = FALSE;
  if (command->json)
    {
      guint kept = 1;

      for (guint i = 1; words[i] != NULL; i++)
        {
          if (g_str_equal (words[i], "--json"))
            {
              self->json = TRUE;
              g_free (words[i]);
            }
          else
            words[kept++] = words[i];
        }
      words[kept] = NULL;
    }
  if (!take_options (self, command, words, error))
    return FALSE;
  n_args = g_strv_length (words) - 1;

  if (n_args < command->min_args || n_args > command->max_args)
    {
      g_autofree char *usage = format_usage (command);

      g_set_error (error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_USAGE,
                   n_args < command->min_args ? _("Missing argument. Usage: %s")
                                              : _("Too many arguments. Usage: %s"),
                   usage);
      return FALSE;
    }

  /* Catch up with other programs first, so that answers are current. */
  if (command->uses_ledgers && !ql_ledger_book_refresh (self->ledgers, error))
    return FALSE;

  return command->run (self, command, words + 1, error);
}

static void
answered_cb (QlTerminalController *self,
             QlTerminalAssistant  *assistant)
{
  self->answering = FALSE;
  ask (self);
}

static gboolean
run_ask (QlTerminalController  *self,
         const Command         *command,
         char                 **args,
         GError               **error)
{
  g_autofree char *question = g_strjoinv (" ", args);

  if (self->assistant == NULL)
    {
      self->assistant = ql_terminal_assistant_new (self->view, self->quotes, self->ledgers);
      g_signal_connect_object (self->assistant, "answered", G_CALLBACK (answered_cb), self,
                               G_CONNECT_SWAPPED);
    }
  if (!ql_terminal_assistant_ask (self->assistant, question, error))
    return FALSE;
  self->answering = TRUE;
  return TRUE;
}

static void
line_read_cb (QlTerminalController *self,
              const char           *line,
              QlTerminalView       *view)
{
  g_assert (QL_IS_TERMINAL_CONTROLLER (self));

  ql_terminal_controller_handle_line (self, line);
}

static void
view_closed_cb (QlTerminalController *self,
                QlTerminalView       *view)
{
  g_assert (QL_IS_TERMINAL_CONTROLLER (self));

  g_signal_emit (self, signals[FINISHED], 0);
}

static void
ledgers_changed_cb (QlTerminalController *self,
                    QlLedgerBook         *ledgers)
{
  g_assert (QL_IS_TERMINAL_CONTROLLER (self));

  if (!self->handling)
    ql_terminal_view_show_notice (self->view, _("Another program changed the ledgers."));
}

static void
ledgers_refresh_failed_cb (QlTerminalController *self,
                           const GError         *error,
                           QlLedgerBook         *ledgers)
{
  g_autofree char *notice = NULL;

  g_assert (QL_IS_TERMINAL_CONTROLLER (self));

  notice = g_strdup_printf (_("The ledgers could not be read: %s"), error->message);
  ql_terminal_view_show_notice (self->view, notice);
}

static void
ql_terminal_controller_dispose (GObject *object)
{
  QlTerminalController *self = (QlTerminalController *) object;

  g_clear_object (&self->runner);
  if (self->ledgers != NULL)
    ql_ledger_book_watch (self->ledgers, 0);
  g_clear_object (&self->view);
  g_clear_object (&self->quotes);
  g_clear_object (&self->ledgers);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->assistant);

  G_OBJECT_CLASS (ql_terminal_controller_parent_class)->dispose (object);
}

static void
ql_terminal_controller_class_init (QlTerminalControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_terminal_controller_dispose;

  /**
   * QlTerminalController::finished:
   * @self: a #QlTerminalController
   *
   * Emitted when the user quit or the input ended.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ql_terminal_controller_init (QlTerminalController *self)
{
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->zone = g_time_zone_new_local ();
}

/* A ledger's name as a word of a line: in double quotes when it has
 * spaces, as split_words() reads them. */
static char *
name_as_word (const char *name)
{
  if (strpbrk (name, " \t\r") != NULL)
    return g_strdup_printf ("\"%s\"", name);

  return g_strdup (name);
}

static void
add_ledger_words (QlTerminalController *self,
                  GStrvBuilder         *builder,
                  gboolean              items_only)
{
  GListModel *ledgers = ql_ledger_book_get_ledgers (self->ledgers);
  guint n = g_list_model_get_n_items (ledgers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);
      g_autofree char *word = NULL;

      if (items_only && ql_ledger_get_kind (ledger) != QL_LEDGER_KIND_ITEM)
        continue;
      word = name_as_word (ql_ledger_get_name (ledger));
      g_strv_builder_add (builder, word);
    }
}

/* A report's kind, then the ledger of a monthly report or a statement. */
static GStrv
complete_report (QlTerminalController *self,
                 const char * const   *words,
                 guint                 word_index)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (word_index == 1)
    {
      const char *kinds[] = { "monthly", "statement", "payments", "low-stock", NULL };

      g_strv_builder_addv (builder, kinds);
    }
  else if (word_index == 2 && (g_str_equal (words[1], "monthly") ||
                               g_str_equal (words[1], "statement")))
    add_ledger_words (self, builder, FALSE);
  return g_strv_builder_end (builder);
}

/* What Tab may complete at @word_index: a command name first, then a
 * ledger's name where a command takes one (both of a transfer's, an
 * item's for a threshold), a report's kind, a skin or a colour scheme. */
static GStrv
complete_words (const char * const *words,
                guint               word_index,
                gpointer            user_data)
{
  QlTerminalController *self = user_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const Command *command;

  if (word_index == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        g_strv_builder_add (builder, commands[i].name);
      return g_strv_builder_end (builder);
    }

  command = find_command (words[0]);
  if (command != NULL && command->run == run_report)
    return complete_report (self, words, word_index);
  if (command == NULL || word_index > 2 || (word_index == 2 && command->run != run_transfer))
    return g_strv_builder_end (builder);

  if (command->run == run_threshold)
    add_ledger_words (self, builder, TRUE);
  else if (command->run == run_change || command->run == run_balance ||
           command->run == run_events || command->run == run_at || command->run == run_undo ||
           command->run == run_amend || command->run == run_transfer)
    add_ledger_words (self, builder, FALSE);
  else if (command->run == run_skin)
    {
      g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new_for_user ();
      g_auto(GStrv) skins = ql_skin_catalogue_list (catalogue);

      g_strv_builder_addv (builder, (const char **) skins);
    }
  else if (command->run == run_theme)
    {
      const char *schemes[] = { "light", "dark", "default", NULL };

      g_strv_builder_addv (builder, schemes);
    }

  return g_strv_builder_end (builder);
}

/**
 * ql_terminal_controller_new:
 * @view: the view to read from and show on
 * @quotes: the quotes to look up
 * @ledgers: the ledgers to run commands on
 * @settings: (nullable): the application's settings, or %NULL when their
 *   schema is not installed
 *
 * Returns: (transfer full): a new #QlTerminalController
 */
QlTerminalController *
ql_terminal_controller_new (QlTerminalView *view,
                            QlQuoteBook    *quotes,
                            QlLedgerBook   *ledgers,
                            GSettings      *settings)
{
  QlTerminalController *self;

  g_return_val_if_fail (QL_IS_TERMINAL_VIEW (view), NULL);
  g_return_val_if_fail (QL_IS_QUOTE_BOOK (quotes), NULL);
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (ledgers), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (QL_TYPE_TERMINAL_CONTROLLER, NULL);
  self->view = g_object_ref (view);
  self->quotes = g_object_ref (quotes);
  self->ledgers = g_object_ref (ledgers);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  ql_terminal_view_set_complete_func (view, complete_words, self);
  g_signal_connect_object (view, "line-read", G_CALLBACK (line_read_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (view, "closed", G_CALLBACK (view_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ledgers, "changed", G_CALLBACK (ledgers_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ledgers, "refresh-failed", G_CALLBACK (ledgers_refresh_failed_cb),
                           self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * ql_terminal_controller_start:
 * @self: a #QlTerminalController
 *
 * Asks the first question and, on a terminal, starts watching the
 * ledgers for changes by other programs. Answers come from the main loop.
 */
void
ql_terminal_controller_start (QlTerminalController *self)
{
  g_return_if_fail (QL_IS_TERMINAL_CONTROLLER (self));

  if (ql_terminal_view_get_interactive (self->view))
    ql_ledger_book_watch (self->ledgers, WATCH_INTERVAL_MS);
  ask (self);
}

/**
 * ql_terminal_controller_handle_line:
 * @self: a #QlTerminalController
 * @line: what the user typed, without the newline
 *
 * Shows the quote for a number, runs a command, or shows one error; then
 * asks again unless the user quit.
 */
void
ql_terminal_controller_handle_line (QlTerminalController *self,
                                    const char           *line)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) error = NULL;
  const Command *command = NULL;
  gint64 index = 0;
  gboolean quit = FALSE;

  g_return_if_fail (QL_IS_TERMINAL_CONTROLLER (self));
  g_return_if_fail (line != NULL);

  self->handling = TRUE;
  words = split_words (line, &error);

  if (ql_quote_book_parse_index (line, &index, NULL))
    {
      show_quote (self, index);
    }
  else if (words == NULL)
    {
      /* An unclosed quote matters to a command; anything else is a bad
       * index, as in the seed. */
      const char *start = line + strspn (line, " \t");
      g_autofree char *first = g_strndup (start, strcspn (start, " \t\r"));

      if (find_command (first) != NULL)
        ql_terminal_view_show_error (self->view, error->message);
      else
        show_index_error (self, line);
    }
  else if (words[0] != NULL && (command = find_command (words[0])) != NULL)
    {
      if (run_command (self, command, words, &error))
        quit = command->run == run_quit;
      else
        ql_terminal_view_show_error (self->view, error->message);
    }
  else if (words[0] != NULL && words[1] != NULL && !looks_like_number (words[0]))
    {
      g_set_error (&error, QL_TERMINAL_ERROR, QL_TERMINAL_ERROR_UNKNOWN_COMMAND,
                   _("Unknown command “%s”; type “help” to see the commands"), words[0]);
      ql_terminal_view_show_error (self->view, error->message);
      show_command_hint (self, words[0]);
    }
  else
    {
      show_index_error (self, line);
      /* The seed's error stays as it was; the hint comes after it. */
      if (words != NULL && words[0] != NULL && words[1] == NULL)
        show_command_hint (self, words[0]);
    }

  self->handling = FALSE;

  /* A quit that failed, such as `quit now`, leaves the prompt standing. */
  if (!quit && !self->answering)
    ask (self);
}
