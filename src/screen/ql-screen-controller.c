/* ql-screen-controller.c: between the full-screen view and the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-screen-controller"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-ledger-events.h"
#include "ql-ledger-history.h"
#include "ql-screen-controller.h"

/* How often the ledgers are checked for changes by other programs: well
 * within the second in which such a change should show. */
#define WATCH_INTERVAL_MS 300

/* The settings keys the window's style follows too. */
#define COLOR_SCHEME_KEY "color-scheme"
#define SKIN_KEY "skin"

typedef enum
{
  ASKED_NOTHING,
  ASKED_QUOTE,
  ASKED_SEARCH,
  ASKED_AMOUNT,
  ASKED_IMPORT,
  ASKED_FILTER,
} Asked;

/* The model's commands that change a ledger by an amount. */
typedef QlEvent *(*ChangeFunc) (QlLedgerBook  *book,
                                const char    *name,
                                const char    *amount,
                                GError       **error);

typedef struct
{
  const char *action;
  ChangeFunc  change;
  /* The question, with the ledger's name as %s. */
  const char *question;
  /* What to say when done, with the ledger's name, the amount and the
   * new state as %1$s, %2$s and %3$s: the line view's sentences. */
  const char *done;
} Change;

static const Change changes[] = {
  { "deposit", ql_ledger_book_deposit,
    N_("Amount to deposit into %s: "),
    N_("Deposited %2$s into %1$s. Balance: %3$s") },
  { "withdraw", ql_ledger_book_withdraw,
    N_("Amount to withdraw from %s: "),
    N_("Withdrew %2$s from %1$s. Balance: %3$s") },
  { "increase", ql_ledger_book_increase,
    N_("Quantity to add to %s: "),
    N_("Increased %1$s by %2$s. Quantity: %3$s") },
  { "decrease", ql_ledger_book_decrease,
    N_("Quantity to take from %s: "),
    N_("Decreased %1$s by %2$s. Quantity: %3$s") },
};

/**
 * QlScreenController:
 *
 * The full-screen view's controller: it turns the view's actions into
 * calls of the #QlQuoteBook and the #QlLedgerBook, shows their results
 * and their errors, follows the book for other programs' writes, and
 * keeps the view's colours on the colour scheme and the skin of the
 * shared settings, which the window follows too.
 */
struct _QlScreenController
{
  GObject          parent_instance;

  /* Owned References */
  QlScreenView    *view;
  QlQuoteBook     *quotes;
  QlLedgerBook    *ledgers;
  GSettings       *settings;
  QlLedgerHistory *history;
  /* What is written on the history's events, as amended, read again
   * when its ledger or version changes. */
  QlEventNotes    *notes;
  QlLedger        *notes_ledger;
  gint64           notes_version;

  Asked            asked;
  const Change    *change;
  char            *ledger_name;
  /* The version of the selected ledger shown, or 0 for its newest. */
  gint64           at_version;
  /* How many of the history's newest rows are scrolled out below. */
  guint            history_scroll;
  /* Non-NULL while a file is imported. */
  GCancellable    *importing;
  /* The ledgers the view lists, those whose name holds the filter. */
  char            *filter;
  GPtrArray       *listed;
};

G_DEFINE_FINAL_TYPE (QlScreenController, ql_screen_controller, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_signed_amount (QlLedger *ledger,
                      gint64    minor)
{
  g_autofree char *amount = ql_ledger_format_amount (ledger, minor < 0 ? -minor : minor);

  if (minor == 0)
    return g_strdup ("");
  return g_strconcat (minor < 0 ? "-" : "+", amount, NULL);
}

static char *
format_state (QlLedger *ledger)
{
  g_autofree char *balance = ql_ledger_format_balance (ledger);

  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM)
    return g_strdup_printf (_("Quantity: %s"), balance);

  return g_strdup_printf (_("Balance: %s"), balance);
}

/* Returns: (transfer full) (nullable): the ledger the view selected */
static QlLedger *
selected_ledger (QlScreenController *self)
{
  guint selected = ql_screen_view_get_selected (self->view);

  if (selected >= self->listed->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->listed, selected));
}

static gboolean
matches_filter (QlScreenController *self,
                QlLedger           *ledger)
{
  g_autofree char *name = NULL;

  if (self->filter == NULL)
    return TRUE;

  name = g_utf8_casefold (ql_ledger_get_name (ledger), -1);
  return strstr (name, self->filter) != NULL;
}

/* The notes of @ledger's events, or NULL when the store cannot be read. */
static QlEventNotes *
ledger_notes (QlScreenController *self,
              QlLedger           *ledger)
{
  g_autoptr(GPtrArray) events = NULL;

  if (self->notes != NULL && self->notes_ledger == ledger &&
      self->notes_version == ql_ledger_get_version (ledger))
    return self->notes;

  g_clear_pointer (&self->notes, ql_event_notes_free);
  g_set_object (&self->notes_ledger, ledger);
  self->notes_version = ql_ledger_get_version (ledger);
  events = ql_ledger_book_list_events (self->ledgers, ql_ledger_get_name (ledger), NULL);
  if (events != NULL)
    self->notes = ql_event_notes_new (events, G_MAXINT64);
  return self->notes;
}

/* The event's label; a leg of a transfer says which way it went. */
static char *
format_event_label (QlEvent *event)
{
  g_autofree char *counterpart = ql_event_dup_counterpart (event);
  const char *label = ql_event_type_get_label (ql_event_get_event_type (event));

  if (ql_event_get_reverses (event) > 0)
    {
      g_autofree char *reversed = g_strdup_printf ("%" PRId64, ql_event_get_reverses (event));
      g_autofree char *undoes = g_strdup_printf (_("(undoes version %s)"), reversed);

      return g_strdup_printf ("%s %s", label, undoes);
    }
  if (counterpart != NULL)
    return g_strdup_printf (ql_event_get_signed_amount (event) < 0 ? _("Transfer to %s")
                                                                    : _("Transfer from %s"),
                            counterpart);
  return g_strdup (label);
}

/* The payee and memo, as amended. */
static char *
format_event_note (QlEventNotes *notes,
                   QlEvent      *event)
{
  const char *payee = NULL;
  const char *memo = NULL;

  if (notes == NULL ||
      !ql_event_notes_lookup (notes, ql_event_get_version (event), NULL, &payee, &memo, NULL))
    return g_strdup ("");
  if (payee != NULL && memo != NULL)
    /* Translators: a change's payee, then its memo. */
    return g_strdup_printf (_("%s “%s”"), payee, memo);
  if (memo != NULL)
    return g_strdup_printf (_("“%s”"), memo);
  return g_strdup (payee != NULL ? payee : "");
}

/* The day the change happened, as amended. */
static char *
format_event_date (QlEventNotes *notes,
                   QlEvent      *event)
{
  GDate day;

  if (notes != NULL &&
      ql_event_notes_lookup (notes, ql_event_get_version (event), &day, NULL, NULL, NULL))
    return ql_date_format (&day);
  if (ql_event_get_date (event, &day))
    return ql_date_format (&day);
  return g_strdup ("");
}

static GStrv
history_row (QlScreenController *self,
             QlLedger           *ledger,
             guint               position)
{
  g_autoptr(QlEvent) event = g_list_model_get_item (G_LIST_MODEL (self->history), position);
  g_autoptr(GError) error = NULL;
  QlEventNotes *notes = ledger_notes (self, ledger);
  GStrv row = g_new0 (char *, 7);
  gint64 balance;

  if (event == NULL)
    {
      row[0] = g_strdup ("?");
      return row;
    }

  row[0] = g_strdup_printf ("%" PRId64, ql_event_get_version (event));
  row[1] = format_event_date (notes, event);
  row[2] = format_event_label (event);
  row[3] = format_signed_amount (ledger, ql_event_get_signed_amount (event));
  if (ql_ledger_history_get_balance (self->history, position, &balance, &error))
    row[4] = ql_ledger_format_amount (ledger, balance);
  else
    row[4] = g_strdup ("?");
  row[5] = format_event_note (notes, event);

  return row;
}

/* The title of a past state, or NULL with the error on the status line. */
static char *
format_past_title (QlScreenController *self,
                   QlLedger           *ledger)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlLedger) past = ql_ledger_book_state_at (self->ledgers, ql_ledger_get_name (ledger),
                                                      self->at_version, &error);
  g_autofree char *state = NULL;
  g_autofree char *version = NULL;
  g_autofree char *newest = NULL;

  if (past == NULL)
    {
      ql_screen_view_show_error (self->view, error->message);
      self->at_version = 0;
      return NULL;
    }

  state = format_state (past);
  version = g_strdup_printf ("%" PRId64, self->at_version);
  newest = g_strdup_printf ("%" PRId64, ql_ledger_get_version (ledger));
  /* Translators: the ledger, "Balance: 100" or "Quantity: 12" as it was,
   * the version shown and the newest version. */
  return g_strdup_printf (_("%s  %s  (version %s of %s)"), ql_ledger_get_name (ledger), state,
                          version, newest);
}

/* The selected ledger's events, as many as fit, ending where the
 * history is scrolled to: the newest unless scrolled back. */
static void
show_history (QlScreenController *self)
{
  g_autoptr(QlLedger) ledger = selected_ledger (self);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *state = NULL;
  g_autofree char *title = NULL;
  guint n, capacity, first, last;

  if (ledger == NULL)
    {
      g_clear_object (&self->history);
      ql_screen_view_set_history (self->view, NULL, NULL);
      return;
    }

  if (self->history == NULL || ql_ledger_history_get_ledger (self->history) != ledger)
    {
      g_clear_object (&self->history);
      self->history = ql_ledger_history_new (self->ledgers, ledger);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->history));
  if (self->at_version > 0 && (guint64) self->at_version < n)
    n = (guint) self->at_version;
  else
    self->at_version = 0;
  capacity = ql_screen_view_get_history_capacity (self->view);
  self->history_scroll = MIN (self->history_scroll, n > capacity ? n - capacity : 0);
  last = n - self->history_scroll;
  first = last > capacity ? last - capacity : 0;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint position = first; position < last; position++)
    g_ptr_array_add (rows, history_row (self, ledger, position));

  if (self->at_version > 0)
    title = format_past_title (self, ledger);
  if (title == NULL)
    {
      state = format_state (ledger);
      title = g_strdup_printf ("%s  %s", ql_ledger_get_name (ledger), state);
    }
  ql_screen_view_set_history (self->view, title, rows);
}

/* Steps the shown version of the selected ledger back or on; past the
 * newest is the newest. */
static void
travel (QlScreenController *self,
        int                 step)
{
  g_autoptr(QlLedger) ledger = selected_ledger (self);
  gint64 newest;

  if (ledger == NULL)
    return;

  newest = ql_ledger_get_version (ledger);
  if (self->at_version == 0)
    self->at_version = newest;
  self->at_version = CLAMP (self->at_version + step, 1, newest);
  if (self->at_version == newest)
    self->at_version = 0;
  self->history_scroll = 0;
  show_history (self);
}

/* @rows is a signed count: back to older events below zero, on to newer
 * above; show_history() keeps the result within the history. */
static void
scroll_history (QlScreenController *self,
                const char         *rows)
{
  gint64 delta = 0;

  if (!g_ascii_string_to_signed (rows, 10, -G_MAXINT, G_MAXINT, &delta, NULL))
    g_assert_not_reached ();
  if (delta < 0)
    self->history_scroll += (guint) MIN (-delta, (gint64) (G_MAXUINT - self->history_scroll));
  else
    self->history_scroll -= (guint) MIN (delta, (gint64) self->history_scroll);
  show_history (self);
}

static void
show_ledgers (QlScreenController *self)
{
  GListModel *list = ql_ledger_book_get_ledgers (self->ledgers);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *empty = NULL;

  g_ptr_array_set_size (self->listed, 0);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (list, i);
      GStrv row;

      if (!matches_filter (self, ledger))
        continue;
      row = g_new0 (char *, 3);
      row[0] = g_strdup (ql_ledger_get_name (ledger));
      row[1] = ql_ledger_format_balance (ledger);
      g_ptr_array_add (rows, row);
      g_ptr_array_add (self->listed, g_steal_pointer (&ledger));
    }

  if (self->filter != NULL)
    empty = g_strdup_printf (_("No ledger’s name holds “%s”."), self->filter);
  else
    empty = g_strdup (_("No ledgers yet."));
  ql_screen_view_set_ledgers (self->view, rows, empty);
  show_history (self);
}

static void
show_quote (QlScreenController *self,
            gint64              index)
{
  g_autofree char *number = g_strdup_printf ("%" PRId64, index);
  g_autofree char *title = g_strdup_printf (_("Quote %s"), number);
  const char *lines[] = { ql_quote_book_lookup (self->quotes, index), NULL };

  ql_screen_view_set_quote (self->view, title, (GStrv) lines);
}

static void
search_quotes (QlScreenController *self,
               const char         *pattern)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) matches = ql_quote_book_search (self->quotes, pattern, &error);
  g_autoptr(GStrvBuilder) lines = NULL;
  g_auto(GStrv) shown = NULL;
  g_autofree char *title = NULL;

  if (matches == NULL)
    {
      ql_screen_view_show_error (self->view, error->message);
      return;
    }

  if (matches->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("No quote matches “%s”."), pattern);

      ql_screen_view_show_status (self->view, message);
      return;
    }

  lines = g_strv_builder_new ();
  for (guint i = 0; i < matches->len; i++)
    {
      gint64 index = g_array_index (matches, gint64, i);
      g_autofree char *line = g_strdup_printf ("%" PRId64 ": %s", index,
                                               ql_quote_book_lookup (self->quotes, index));

      g_strv_builder_add (lines, line);
    }
  shown = g_strv_builder_end (lines);
  title = g_strdup_printf (_("Quotes that match “%s”"), pattern);
  ql_screen_view_set_quote (self->view, title, shown);
}

static void
run_change (QlScreenController *self,
            const char         *amount)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) changed = self->change->change (self->ledgers, self->ledger_name, amount,
                                                     &error);
  g_autofree char *shown = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *message = NULL;
  QlLedger *ledger;

  if (changed == NULL)
    {
      ql_screen_view_show_error (self->view, error->message);
      return;
    }

  ledger = ql_ledger_book_lookup (self->ledgers, ql_event_get_ledger (changed));
  g_assert (ledger != NULL);
  shown = ql_ledger_format_amount (ledger, ql_event_get_amount (changed));
  balance = ql_ledger_format_balance (ledger);
  /* The formats come from the table above, each taking three strings. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  message = g_strdup_printf (_(self->change->done), ql_ledger_get_name (ledger), shown, balance);
#pragma GCC diagnostic pop
  ql_screen_view_show_status (self->view, message);
}

static void
run_undo (QlScreenController *self)
{
  g_autoptr(QlLedger) ledger = selected_ledger (self);
  g_autoptr(QlEvent) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *state = NULL;
  g_autofree char *message = NULL;

  if (ledger == NULL)
    return;

  undo = ql_ledger_book_undo (self->ledgers, ql_ledger_get_name (ledger), &error);
  if (undo == NULL)
    {
      ql_screen_view_show_error (self->view, error->message);
      return;
    }

  version = g_strdup_printf ("%" PRId64, ql_event_get_reverses (undo));
  state = format_state (ledger);
  /* Translators: the version undone, the ledger, the compensating event's
   * type, then "Balance: 100" or "Quantity: 12". */
  message = g_strdup_printf (_("Undid version %s of %s with %s. %s"), version,
                             ql_ledger_get_name (ledger),
                             ql_event_type_get_label (ql_event_get_event_type (undo)), state);
  ql_screen_view_show_status (self->view, message);
}

static void
import_progress_cb (QlImportPhase phase,
                    guint64       done,
                    guint64       total,
                    gpointer      user_data)
{
  QlScreenController *self = user_data;
  double fraction = total > 0 ? (double) done / (double) total : 1.0;

  /* Checking is the first half of the work, writing the second. */
  if (phase == QL_IMPORT_PHASE_CHECKING)
    ql_screen_view_show_progress (self->view, _("Checking…"), fraction / 2);
  else
    ql_screen_view_show_progress (self->view, _("Writing…"), 0.5 + fraction / 2);
}

typedef struct
{
  QlScreenController *controller;
  char               *path;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_object_unref (data->controller);
  g_free (data->path);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportData, import_data_free)

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImportData) data = user_data;
  QlScreenController *self = data->controller;
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;
  guint64 n_events = 0;

  g_clear_object (&self->importing);
  if (!ql_ledger_book_import_csv_finish (QL_LEDGER_BOOK (source), result, &n_events, &error))
    {
      ql_screen_view_show_error (self->view, error->message);
      return;
    }

  count = g_strdup_printf ("%" PRIu64, n_events);
  /* Translators: %1$s is a number of events, %2$s the file they came from. */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %1$s event from %2$s.",
                                          "Imported %1$s events from %2$s.",
                                          (gulong) MIN (n_events, G_MAXULONG)),
                             count, data->path);
  ql_screen_view_show_status (self->view, message);
}

/* Imports in turns of the main loop: the screen and the watch go on.
 * The import holds the controller until it is over. */
static void
run_import (QlScreenController *self,
            const char         *path)
{
  g_autoptr(GFile) file = NULL;
  ImportData *data;

  if (self->importing != NULL)
    {
      ql_screen_view_show_error (self->view, _("A file is being imported already."));
      return;
    }

  file = g_file_new_for_commandline_arg (path);
  data = g_new0 (ImportData, 1);
  data->controller = g_object_ref (self);
  data->path = g_strdup (path);
  self->importing = g_cancellable_new ();
  ql_screen_view_show_progress (self->view, _("Checking…"), 0);
  ql_ledger_book_import_csv_async (self->ledgers, file, self->importing, import_progress_cb,
                                   g_object_ref (self), g_object_unref, import_done_cb, data);
}

static void
ask_change (QlScreenController *self,
            const Change       *change)
{
  g_autoptr(QlLedger) ledger = selected_ledger (self);
  g_autofree char *question = NULL;

  if (ledger == NULL)
    {
      ql_screen_view_show_error (self->view, _("There is no ledger to change yet."));
      return;
    }

  g_free (self->ledger_name);
  self->ledger_name = g_strdup (ql_ledger_get_name (ledger));
  self->change = change;
  self->asked = ASKED_AMOUNT;
  /* The questions come from the table above, each taking the name. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  question = g_strdup_printf (_(change->question), self->ledger_name);
#pragma GCC diagnostic pop
  ql_screen_view_ask (self->view, question, NULL);
}

static QlScreenScheme
scheme_from_string (const char *value)
{
  if (g_strcmp0 (value, "light") == 0)
    return QL_SCREEN_SCHEME_LIGHT;
  if (g_strcmp0 (value, "dark") == 0)
    return QL_SCREEN_SCHEME_DARK;
  return QL_SCREEN_SCHEME_DEFAULT;
}

/* Writes the shared key; the view follows it from changed::, as the
 * window does. */
static void
toggle_scheme (QlScreenController *self)
{
  g_autofree char *value = NULL;

  if (self->settings == NULL)
    {
      ql_screen_view_show_error (self->view,
                                 _("The colour scheme cannot be changed: the settings schema "
                                   "is not installed."));
      return;
    }

  value = g_settings_get_string (self->settings, COLOR_SCHEME_KEY);
  g_settings_set_string (self->settings, COLOR_SCHEME_KEY,
                         g_strcmp0 (value, "dark") == 0 ? "light" : "dark");
}

/* The scheme, and the skin in its light or dark variant. */
static void
style_changed_cb (GSettings          *settings,
                  const char         *key,
                  QlScreenController *self)
{
  g_autofree char *value = g_settings_get_string (settings, COLOR_SCHEME_KEY);
  g_autofree char *skin = g_settings_get_string (settings, SKIN_KEY);
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new_for_user ();
  g_autoptr(GError) error = NULL;
  QlScreenScheme scheme = scheme_from_string (value);
  QlScreenColours colours;
  gboolean has_colours;

  has_colours = ql_screen_skin_read (catalogue, skin, scheme == QL_SCREEN_SCHEME_DARK, &colours,
                                     &error);
  if (error != NULL)
    ql_screen_view_show_error (self->view, error->message);
  ql_screen_view_set_scheme (self->view, scheme);
  ql_screen_view_set_skin_colours (self->view, has_colours ? &colours : NULL);
}

static void
action_cb (QlScreenView       *view,
           const char         *name,
           const char         *argument,
           QlScreenController *self)
{
  if (g_str_equal (name, "quit"))
    {
      g_signal_emit (self, signals[FINISHED], 0);
      return;
    }
  if (g_str_equal (name, "toggle-scheme"))
    {
      toggle_scheme (self);
      return;
    }
  if (g_str_equal (name, "random"))
    {
      show_quote (self, ql_quote_book_pick_random (self->quotes, NULL));
      return;
    }
  if (g_str_equal (name, "quote"))
    {
      self->asked = ASKED_QUOTE;
      ql_screen_view_ask (self->view, _("Which quote number would you like to see? "), argument);
      return;
    }
  if (g_str_equal (name, "search"))
    {
      self->asked = ASKED_SEARCH;
      ql_screen_view_ask (self->view, _("Search the quotes for: "), NULL);
      return;
    }
  if (g_str_equal (name, "undo"))
    {
      self->at_version = 0;
      run_undo (self);
      show_history (self);
      return;
    }
  if (g_str_equal (name, "filter"))
    {
      self->asked = ASKED_FILTER;
      ql_screen_view_ask (self->view, _("Show the ledgers whose name holds: "), NULL);
      return;
    }
  if (g_str_equal (name, "import"))
    {
      self->asked = ASKED_IMPORT;
      ql_screen_view_ask (self->view, _("CSV file to import: "), NULL);
      return;
    }
  if (g_str_equal (name, "earlier") || g_str_equal (name, "later"))
    {
      travel (self, g_str_equal (name, "earlier") ? -1 : 1);
      return;
    }
  if (g_str_equal (name, "scroll-history"))
    {
      scroll_history (self, argument);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    if (g_str_equal (name, changes[i].action))
      {
        ask_change (self, &changes[i]);
        return;
      }
}

/* An empty filter shows every ledger again. */
static void
set_filter (QlScreenController *self,
            const char         *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->filter, g_free);
  if (*trimmed != '\0')
    self->filter = g_utf8_casefold (trimmed, -1);
  self->at_version = 0;
  show_ledgers (self);
}

static void
answered_cb (QlScreenView       *view,
             const char         *answer,
             QlScreenController *self)
{
  g_autoptr(GError) error = NULL;
  Asked asked = self->asked;
  gint64 index;

  self->asked = ASKED_NOTHING;
  switch (asked)
    {
    case ASKED_QUOTE:
      if (ql_quote_book_parse_index (answer, &index, &error))
        show_quote (self, index);
      else
        ql_screen_view_show_error (self->view, error->message);
      break;
    case ASKED_SEARCH:
      search_quotes (self, answer);
      break;
    case ASKED_AMOUNT:
      self->at_version = 0;
      run_change (self, answer);
      show_history (self);
      break;
    case ASKED_IMPORT:
      run_import (self, answer);
      break;
    case ASKED_FILTER:
      set_filter (self, answer);
      break;
    case ASKED_NOTHING:
    default:
      break;
    }
}

static void
selected_cb (QlScreenView       *view,
             guint               index,
             QlScreenController *self)
{
  self->at_version = 0;
  self->history_scroll = 0;
  show_history (self);
}

static void
resized_cb (QlScreenView       *view,
            QlScreenController *self)
{
  show_history (self);
}

static void
book_changed_cb (QlLedgerBook       *book,
                 QlScreenController *self)
{
  /* A new event: the newest row comes back into view. */
  self->history_scroll = 0;
  show_ledgers (self);
}

static void
ledgers_changed_cb (GListModel         *list,
                    guint               position,
                    guint               removed,
                    guint               added,
                    QlScreenController *self)
{
  show_ledgers (self);
}

static void
refresh_failed_cb (QlLedgerBook       *book,
                   GError             *error,
                   QlScreenController *self)
{
  g_autofree char *message = g_strdup_printf (_("The ledgers could not be read: %s"),
                                              error->message);

  ql_screen_view_show_error (self->view, message);
}

static void
ql_screen_controller_dispose (GObject *object)
{
  QlScreenController *self = QL_SCREEN_CONTROLLER (object);

  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (self->view, self);
  if (self->ledgers != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ledgers, self);
      g_signal_handlers_disconnect_by_data (ql_ledger_book_get_ledgers (self->ledgers), self);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->importing);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_clear_object (&self->history);
  g_clear_pointer (&self->notes, ql_event_notes_free);
  g_clear_object (&self->notes_ledger);
  g_clear_object (&self->view);
  g_clear_object (&self->quotes);
  g_clear_object (&self->ledgers);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ql_screen_controller_parent_class)->dispose (object);
}

static void
ql_screen_controller_finalize (GObject *object)
{
  QlScreenController *self = QL_SCREEN_CONTROLLER (object);

  g_free (self->ledger_name);
  g_free (self->filter);

  G_OBJECT_CLASS (ql_screen_controller_parent_class)->finalize (object);
}

static void
ql_screen_controller_class_init (QlScreenControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_screen_controller_dispose;
  object_class->finalize = ql_screen_controller_finalize;

  /**
   * QlScreenController::finished:
   * @self: a #QlScreenController
   *
   * Emitted when the user quits.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ql_screen_controller_init (QlScreenController *self)
{
  self->listed = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * ql_screen_controller_new:
 * @view: the view to drive
 * @quotes: the quotes to show
 * @ledgers: the ledgers to show and change
 * @settings: (nullable): the application's settings, or %NULL when their
 *   schema is not installed: the scheme then stays the terminal's own
 *
 * Returns: (transfer full): a new #QlScreenController
 */
QlScreenController *
ql_screen_controller_new (QlScreenView *view,
                          QlQuoteBook  *quotes,
                          QlLedgerBook *ledgers,
                          GSettings    *settings)
{
  QlScreenController *self;

  g_return_val_if_fail (QL_IS_SCREEN_VIEW (view), NULL);
  g_return_val_if_fail (QL_IS_QUOTE_BOOK (quotes), NULL);
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (ledgers), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (QL_TYPE_SCREEN_CONTROLLER, NULL);
  self->view = g_object_ref (view);
  self->quotes = g_object_ref (quotes);
  self->ledgers = g_object_ref (ledgers);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  return self;
}

/**
 * ql_screen_controller_start:
 * @self: a #QlScreenController
 *
 * Starts the view, shows the ledgers and follows the book and the
 * settings from now on.
 */
void
ql_screen_controller_start (QlScreenController *self)
{
  g_return_if_fail (QL_IS_SCREEN_CONTROLLER (self));

  g_signal_connect (self->view, "action", G_CALLBACK (action_cb), self);
  g_signal_connect (self->view, "answered", G_CALLBACK (answered_cb), self);
  g_signal_connect (self->view, "selected", G_CALLBACK (selected_cb), self);
  g_signal_connect (self->view, "resized", G_CALLBACK (resized_cb), self);
  g_signal_connect (self->ledgers, "changed", G_CALLBACK (book_changed_cb), self);
  g_signal_connect (self->ledgers, "refresh-failed", G_CALLBACK (refresh_failed_cb), self);
  g_signal_connect (ql_ledger_book_get_ledgers (self->ledgers), "items-changed",
                    G_CALLBACK (ledgers_changed_cb), self);

  /* The scheme first, so that the first screen has its colours. */
  if (self->settings != NULL)
    {
      g_signal_connect (self->settings, "changed::" COLOR_SCHEME_KEY,
                        G_CALLBACK (style_changed_cb), self);
      g_signal_connect (self->settings, "changed::" SKIN_KEY,
                        G_CALLBACK (style_changed_cb), self);
      style_changed_cb (self->settings, COLOR_SCHEME_KEY, self);
    }
  ql_screen_view_start (self->view);
  show_ledgers (self);
  ql_ledger_book_watch (self->ledgers, WATCH_INTERVAL_MS);
}
