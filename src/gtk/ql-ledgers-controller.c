/* ql-ledgers-controller.c: connects a QlLedgersPage to a QlLedgerBook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledgers-controller"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-ledger-events.h"
#include "ql-history-row.h"
#include "ql-ledger-history.h"
#include "ql-ledgers-controller.h"
#include "ql-locale-numbers.h"
#include "ql-projection-runner.h"

/**
 * QlLedgersController:
 *
 * The GTK front-end's thin layer between the Ledgers page and the ledger
 * book. The page's commands are the actions of a `ledgers` group the
 * controller inserts on it; update_actions() alone enables and disables
 * them. Commands go to the model as the user typed them, so that all
 * validation stays there; the model's errors come back to the page as
 * they are. When the book changes, by this window or by another process,
 * the page is shown the new state.
 */
struct _QlLedgersController
{
  GObject        parent_instance;

  /* Owned References */
  QlLedgerBook       *book;
  GListModel         *history;
  GCancellable       *import_cancellable;
  GCancellable       *export_cancellable;
  /* The file an export under way writes */
  char               *export_path;
  GSimpleActionGroup *actions;
  /* The read models the chart and the monthly totals read, kept up to
   * date with the book; NULL on a store that keeps none */
  QlProjectionRunner *runner;
  /* The ledger they were last read for */
  char               *chart_ledger;

  /* Borrowed References */
  QlLedgersPage      *page;
  QlLedger           *history_ledger;
  /* The events the history's rows are made from */
  QlLedgerHistory    *events;

  /* The compensation of the last undo, until it is reversed in turn */
  QlEvent            *last_undo;

  gboolean            read_only;
  gboolean            importing;
  gboolean            exporting;
};

G_DEFINE_FINAL_TYPE (QlLedgersController, ql_ledgers_controller, G_TYPE_OBJECT)

typedef QlEvent *(*ChangeFunc) (QlLedgerBook  *book,
                                const char    *name,
                                const char    *amount,
                                GError       **error);

static char *
format_time (gint64 timestamp)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (timestamp / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
format_change (QlLedger *ledger,
               gint64    change)
{
  g_autofree char *magnitude = NULL;

  if (change == 0)
    return g_strdup ("");

  magnitude = ql_locale_numbers_format_amount (ledger, change < 0 ? -change : change);
  return g_strconcat (change < 0 ? "−" : "+", magnitude, NULL);
}

/* The event type in the user's language, naming the version an undo
 * reversed, so that history reads as it happened. */
static char *
describe_event (QlEvent *event)
{
  const char *label = ql_event_type_get_label (ql_event_get_event_type (event));
  gint64 reverses = ql_event_get_reverses (event);
  gint64 amends = ql_event_get_amends (event);
  g_autofree char *counterpart = ql_event_dup_counterpart (event);

  if (amends > 0)
    /* Translators: %d is the version of the change a correction amends */
    return g_strdup_printf (_("Correction of version %d"), (int) amends);

  if (counterpart != NULL && reverses <= 0)
    return g_strdup_printf (ql_event_get_signed_amount (event) < 0
                            /* Translators: %s is the ledger a transfer went to */
                            ? _("Transfer to %s")
                            /* Translators: %s is the ledger a transfer came from */
                            : _("Transfer from %s"),
                            counterpart);

  if (reverses <= 0)
    return g_strdup (label);

  /* Translators: %s is an event type such as Withdrawal, %d a ledger version */
  return g_strdup_printf (_("%s (undoes %d)"), label, (int) reverses);
}

/* Turns one event of @user_data, a #QlLedgerHistory, into the text of its
 * row. Called only for rows on screen, so long histories stay cheap. */
static gpointer
map_event_to_row (gpointer item,
                  gpointer user_data)
{
  g_autoptr(QlEvent) event = item;
  QlLedgerHistory *events = user_data;
  QlLedger *ledger = ql_ledger_history_get_ledger (events);
  g_autoptr(GError) error = NULL;
  g_autofree char *time = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *description = NULL;
  g_autofree char *running = NULL;
  g_autofree char *day = NULL;
  g_autofree char *date = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  QlHistoryRow *row;
  gint64 balance;
  GDate when;

  if (event == NULL)
    return ql_history_row_new (0, "", _("This event cannot be read"), "", "");

  time = format_time (ql_event_get_timestamp (event));
  amount = format_change (ledger, ql_event_get_signed_amount (event));
  description = describe_event (event);
  if (ql_event_get_version (event) >= 1 &&
      ql_ledger_history_get_balance (events, ql_event_get_version (event) - 1, &balance, &error))
    running = ql_locale_numbers_format_amount (ledger, balance);
  else
    {
      if (error != NULL)
        g_warning ("%s", error->message);
      running = g_strdup ("");
    }

  row = ql_history_row_new (ql_event_get_version (event), time, description, amount, running);

  /* A correction shows what it writes; one that leaves the day as it was
   * has no day to show. */
  g_date_clear (&when, 1);
  if (ql_event_get_date (event, &when) || ql_event_get_amends (event) == 0)
    {
      day = ql_date_format (&when);
      date = ql_locale_numbers_format_date (&when);
    }
  payee = ql_event_dup_payee (event);
  memo = ql_event_dup_memo (event);
  ql_history_row_set_note (row, day, date, payee, memo, ql_event_can_be_amended (event));
  return row;
}

/* The one place that decides which commands the page offers. The actions
 * live on the page, so whenever one runs the page is there, and a change,
 * undo or time travel runs only with a ledger selected. */
static void
update_actions (QlLedgersController *self)
{
  const char *name = self->page != NULL ? ql_ledgers_page_get_selected_ledger (self->page) : NULL;
  QlLedger *ledger = name != NULL ? ql_ledger_book_lookup (self->book, name) : NULL;
  gboolean writable = !self->read_only;
  gboolean changeable = writable && ledger != NULL && ql_ledger_get_damaged_version (ledger) == 0;
  gboolean account = ledger != NULL && ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ACCOUNT;
  const struct {
    const char *name;
    gboolean    enabled;
  } states[] = {
    { "open-account", writable },
    { "create-item", writable },
    { "deposit", changeable && account },
    { "withdraw", changeable && account },
    { "increase", changeable && !account },
    { "decrease", changeable && !account },
    { "undo", changeable && ql_ledger_book_can_undo (self->book, name) },
    { "reverse-undo", writable && self->last_undo != NULL },
    /* An import and an export share the progress bar. */
    { "import", writable && !self->importing && !self->exporting },
    { "import-file", writable && !self->importing && !self->exporting },
    { "export", !self->exporting && !self->importing },
    { "export-file", !self->exporting && !self->importing },
    { "show-version", ledger != NULL },
    { "show-balance-on", ledger != NULL },
    { "transfer", changeable },
    { "amend", changeable },
    { "search-history", ledger != NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), states[i].name);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), states[i].enabled);
    }
}

/* The day the change of an older version counts on, which the chart
 * is shown up to; 0 at the newest version, where all of it is shown. */
static guint32
version_day (QlLedgersController *self,
             const char          *name,
             gint64               version)
{
  QlLedger *ledger = name != NULL ? ql_ledger_book_lookup (self->book, name) : NULL;
  g_autoptr(QlEvent) event = NULL;
  GDate day;

  if (ledger == NULL || version >= ql_ledger_get_version (ledger) || version < 1 ||
      self->events == NULL || ledger != self->history_ledger)
    return 0;
  event = g_list_model_get_item (G_LIST_MODEL (self->events), (guint) version - 1);
  if (event == NULL)
    return 0;
  /* Opening a ledger counts on no day: all the chart shows came later. */
  if (ql_event_get_signed_amount (event) == 0 && ql_event_get_amends (event) == 0)
    return 1;
  g_date_clear (&day, 1);
  ql_event_get_date (event, &day);
  return g_date_valid (&day) ? g_date_get_julian (&day) : 0;
}

/* The shown ledger's days and months, as its read models hold them: the
 * page never asks the log. */
static void
show_read_models (QlLedgersController *self)
{
  const char *name = ql_ledgers_page_get_selected_ledger (self->page);
  QlReadModelStore *store;
  g_autoptr(GArray) days = NULL;
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(GError) error = NULL;
  gint64 opening = 0;

  if (self->runner == NULL || name == NULL || ql_ledger_book_lookup (self->book, name) == NULL)
    return;
  store = ql_projection_runner_get_read_store (self->runner);
  days = ql_daily_balance_read (store, name, NULL, NULL, &opening, &error);
  if (days != NULL)
    totals = ql_monthly_totals_read (store, name, &error);
  if (totals == NULL)
    {
      ql_ledgers_page_show_chart_error (self->page, error->message);
      return;
    }
  ql_ledgers_page_show_chart_error (self->page, NULL);
  ql_ledgers_page_show_balance_chart (self->page, (const QlDailyBalance *) (gpointer) days->data,
                                      days->len, opening);
  ql_ledgers_page_show_monthly_totals (self->page, totals);
}

static void on_runner_updated_cb       (QlLedgersController *self,
                                        QlProjectionRunner  *runner);
static void on_runner_update_failed_cb (QlLedgersController *self,
                                        const GError        *error,
                                        QlProjectionRunner  *runner);

/* The runner starts when the Chart tab is first shown, not before: a
 * window that never shows it counts nothing, and one opened on a large
 * log it has not counted yet paints its first frame without waiting for
 * that. It follows the book after the
 * controller's own handler, so the page has the new state when the read
 * models are read again. */
static void
ensure_runner (QlLedgersController *self)
{
  if (self->runner != NULL)
    return;
  self->runner = ql_projection_runner_new_default (ql_ledger_book_get_store (self->book));
  g_signal_connect_swapped (self->runner, "updated", G_CALLBACK (on_runner_updated_cb), self);
  g_signal_connect_swapped (self->runner, "update-failed",
                            G_CALLBACK (on_runner_update_failed_cb), self);
  ql_projection_runner_follow (self->runner, self->book);
}

/* A ledger shown afresh: its read models are brought up to the log
 * first, which costs little once they are. When that fails the page
 * shows what they held, this ledger's and not the last one's, and why
 * it may be behind. */
static void
show_read_models_caught_up (QlLedgersController *self)
{
  g_autoptr(GError) error = NULL;
  gboolean caught_up;

  ensure_runner (self);
  caught_up = ql_projection_runner_catch_up (self->runner, &error);
  show_read_models (self);
  if (!caught_up)
    ql_ledgers_page_show_chart_error (self->page, error->message);
}

static void
on_runner_updated_cb (QlLedgersController *self,
                      QlProjectionRunner  *runner)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page == NULL)
    return;
  if (ql_ledgers_page_get_chart_shown (self->page))
    show_read_models (self);
  else
    /* Read again when the tab is shown. */
    g_clear_pointer (&self->chart_ledger, g_free);
}

/* The Chart tab in front: the shown ledger's read models, counted up to
 * the log, unless they are shown already. */
static void
show_chart_if_shown (QlLedgersController *self)
{
  const char *name = ql_ledgers_page_get_selected_ledger (self->page);

  if (name == NULL || ql_ledger_book_lookup (self->book, name) == NULL ||
      !ql_ledgers_page_get_chart_shown (self->page) || g_strcmp0 (self->chart_ledger, name) == 0)
    return;
  g_free (self->chart_ledger);
  self->chart_ledger = g_strdup (name);
  show_read_models_caught_up (self);
}

static void
on_runner_update_failed_cb (QlLedgersController *self,
                            const GError        *error,
                            QlProjectionRunner  *runner)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL)
    ql_ledgers_page_show_chart_error (self->page, error->message);
}

static void
show_past_state (QlLedgersController *self,
                 const char          *name,
                 gint64               version)
{
  g_autoptr(QlLedger) past = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *balance = NULL;

  past = ql_ledger_book_state_at (self->book, name, version, &error);
  if (past == NULL)
    {
      ql_ledgers_page_show_change_error (self->page, error->message);
      return;
    }

  balance = ql_locale_numbers_format_balance (past);
  ql_ledgers_page_show_past_state (self->page, version, balance);
  ql_ledgers_page_show_chart_until (self->page, version, version_day (self, name, version));
}

static void search_history (QlLedgersController *self);

/* The ledgers a transfer from @ledger can go to, as the model says. */
static void
show_transfer_targets (QlLedgersController *self,
                       QlLedger            *ledger)
{
  GListModel *ledgers = ql_ledger_book_get_ledgers (self->book);
  guint n = g_list_model_get_n_items (ledgers);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QlLedger) other = g_list_model_get_item (ledgers, i);

      if (ql_ledger_can_transfer_to (ledger, other))
        g_ptr_array_add (names, g_strdup (ql_ledger_get_name (other)));
    }
  g_ptr_array_add (names, NULL);
  ql_ledgers_page_set_transfer_targets (self->page, (const char * const *) names->pdata);
}

/* The balance on the day picked beside the slider: as everything
 * recorded tells it now, or, with the slider on an older version, as
 * only what was recorded up to that version's moment told it. */
static void
show_balance_on (QlLedgersController *self)
{
  const char *name = ql_ledgers_page_get_selected_ledger (self->page);
  QlLedger *ledger = name != NULL ? ql_ledger_book_lookup (self->book, name) : NULL;
  gint64 version = ql_ledgers_page_get_shown_version (self->page);
  gint64 recorded_until = G_MAXINT64;
  g_autoptr(GError) error = NULL;
  g_autofree char *day = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *text = NULL;
  gboolean item;
  gint64 balance;
  GDate date;

  if (ledger == NULL || !ql_ledgers_page_get_balance_date (self->page, &date))
    {
      ql_ledgers_page_show_balance_on (self->page, NULL);
      return;
    }

  if (version < ql_ledger_get_version (ledger) && self->events != NULL && version >= 1)
    {
      g_autoptr(QlEvent) event = g_list_model_get_item (G_LIST_MODEL (self->events),
                                                        (guint) version - 1);

      if (event != NULL)
        recorded_until = ql_event_get_timestamp (event);
    }

  if (!ql_ledger_book_balance_on (self->book, name, &date, recorded_until, &balance, &error))
    {
      ql_ledgers_page_show_balance_on (self->page, NULL);
      ql_ledgers_page_show_change_error (self->page, error->message);
      return;
    }

  day = ql_locale_numbers_format_date (&date);
  amount = ql_locale_numbers_format_amount (ledger, balance);
  item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;
  if (recorded_until == G_MAXINT64)
    text = g_strdup_printf (item
                            /* Translators: a day, then a quantity */
                            ? _("Quantity on %s as known now: %s")
                            /* Translators: a day, then a balance */
                            : _("Balance on %s as known now: %s"),
                            day, amount);
  else
    {
      g_autofree char *number = ql_locale_numbers_format_count ((guint64) version);

      text = g_strdup_printf (item
                              /* Translators: a day, a version number, then a quantity */
                              ? _("Quantity on %s as known at version %s: %s")
                              /* Translators: a day, a version number, then a balance */
                              : _("Balance on %s as known at version %s: %s"),
                              day, number, amount);
    }
  ql_ledgers_page_show_balance_on (self->page, text);
}

static void
show_balance_on_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);
  show_balance_on (self);
}

static void
show_selected (QlLedgersController *self)
{
  const char *name = ql_ledgers_page_get_selected_ledger (self->page);
  QlLedger *ledger = name != NULL ? ql_ledger_book_lookup (self->book, name) : NULL;

  /* One history per ledger shown: it grows with the ledger by itself. */
  if (ledger == NULL)
    {
      g_clear_object (&self->history);
      self->events = NULL;
    }
  else if (self->history == NULL || self->history_ledger != ledger)
    {
      QlLedgerHistory *events = ql_ledger_history_new (self->book, ledger);

      g_clear_object (&self->history);
      self->events = events;
      self->history = G_LIST_MODEL (gtk_map_list_model_new (G_LIST_MODEL (events),
                                                            map_event_to_row, events, NULL));
    }
  self->history_ledger = ledger;

  ql_ledgers_page_show_ledger (self->page, ledger, self->history);
  if (ledger != NULL)
    show_transfer_targets (self, ledger);
  /* The same ledger again is read when the runner has counted the change. */
  show_chart_if_shown (self);
  /* A search stays on: it looks again in what the history now holds. */
  search_history (self);
  update_actions (self);
  if (ledger != NULL)
    show_past_state (self, name, ql_ledgers_page_get_shown_version (self->page));
  show_balance_on (self);
}

/* The history's search bar asks the book which changes match; the page
 * only shows the answer. */
static void
search_history (QlLedgersController *self)
{
  const char *name = ql_ledgers_page_get_selected_ledger (self->page);
  QlEventFilter filter;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GArray) versions = NULL;
  g_autoptr(GError) error = NULL;

  if (!ql_ledgers_page_get_history_filter (self->page, &filter) || name == NULL ||
      ql_ledger_book_lookup (self->book, name) == NULL)
    {
      ql_ledgers_page_show_history_matches (self->page, NULL);
      return;
    }

  found = ql_ledger_book_find_events (self->book, name, &filter, &error);
  if (found == NULL)
    {
      ql_ledgers_page_show_history_search_error (self->page, error->message);
      return;
    }

  versions = g_array_sized_new (FALSE, FALSE, sizeof (gint64), found->len);
  for (guint i = 0; i < found->len; i++)
    {
      gint64 version = ql_event_get_version (g_ptr_array_index (found, i));

      g_array_append_val (versions, version);
    }
  ql_ledgers_page_show_history_matches (self->page, versions);
}

static void
search_history_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);
  search_history (self);
}

static void
on_book_changed_cb (QlLedgersController *self,
                    QlLedgerBook        *book)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL)
    show_selected (self);
}

static void
on_book_refresh_failed_cb (QlLedgersController *self,
                           const GError        *error,
                           QlLedgerBook        *book)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL)
    ql_ledgers_page_show_reconnecting (self->page, error->message);
}

/* The watch reached the store again, with the book caught up. */
static void
on_book_notify_reachable_cb (QlLedgersController *self,
                             GParamSpec          *pspec,
                             QlLedgerBook        *book)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL && ql_ledger_book_get_reachable (book))
    ql_ledgers_page_show_reconnecting (self->page, NULL);
}

static void
on_page_notify_selected_ledger_cb (QlLedgersController *self,
                                   GParamSpec          *pspec,
                                   QlLedgersPage       *page)
{
  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  show_selected (self);
}

static void
finish_create (QlLedgersController *self,
               const char          *name,
               gboolean             created,
               const GError        *error)
{
  QlLedger *ledger;

  if (!created)
    {
      ql_ledgers_page_show_create_error (self->page, error->message);
      return;
    }

  ql_ledgers_page_create_done (self->page);
  ledger = ql_ledger_book_lookup (self->book, name);
  if (ledger != NULL)
    ql_ledgers_page_select_ledger (self->page, ql_ledger_get_name (ledger));
}

static void
open_account_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) created = NULL;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  /* A copy: clearing the form once the ledger is made frees the text. */
  name = g_strdup (ql_ledgers_page_get_new_ledger_name (self->page));
  created = ql_ledger_book_open_account (self->book, name,
                                         ql_ledgers_page_get_new_ledger_detail (self->page),
                                         &error);
  finish_create (self, name, created != NULL, error);
}

static void
create_item_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *quantity = NULL;
  g_autoptr(QlEvent) created = NULL;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  /* A copy: clearing the form once the ledger is made frees the text. */
  name = g_strdup (ql_ledgers_page_get_new_ledger_name (self->page));
  quantity = ql_locale_numbers_read_amount (ql_ledgers_page_get_new_ledger_detail (self->page),
                                            &error);
  if (quantity != NULL)
    created = ql_ledger_book_create_item (self->book, name, quantity, &error);
  finish_create (self, name, created != NULL, error);
}

/* Changes the ledger shown by the amount typed, with the day, payee and
 * memo written beside it. */
static void
change (QlLedgersController *self,
        const char          *type)
{
  g_autofree char *name = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) changed = NULL;
  QlChangeNote note;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  /* Copies: the book shows the page its new state before the change returns. */
  name = g_strdup (ql_ledgers_page_get_selected_ledger (self->page));
  ql_ledgers_page_get_change_note (self->page, &note);
  note.date = date = g_strdup (note.date);
  note.payee = payee = g_strdup (note.payee);
  note.memo = memo = g_strdup (note.memo);
  amount = ql_locale_numbers_read_amount (ql_ledgers_page_get_amount (self->page), &error);
  if (amount != NULL &&
      (changed = ql_ledger_book_record_change (self->book, name, type, amount, &note, &error)) != NULL)
    ql_ledgers_page_change_done (self->page);
  else
    ql_ledgers_page_show_change_error (self->page, error->message);
}

static void
deposit_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  change (user_data, QL_EVENT_DEPOSITED);
}

static void
withdraw_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  change (user_data, QL_EVENT_WITHDRAWN);
}

static void
increase_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  change (user_data, QL_EVENT_QUANTITY_INCREASED);
}

static void
decrease_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  change (user_data, QL_EVENT_QUANTITY_DECREASED);
}

/* One transfer from the ledger shown to the one picked: the model writes
 * both legs or neither. */
static void
transfer_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) moved = NULL;
  QlChangeNote note;
  const char *typed;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  from = g_strdup (ql_ledgers_page_get_selected_ledger (self->page));
  to = g_strdup (ql_ledgers_page_get_transfer_target (self->page));
  if (to == NULL)
    {
      ql_ledgers_page_show_transfer_error (self->page,
                                           _("No other ledger counts the same thing: a transfer "
                                             "needs an account in the same currency, or another "
                                             "item."));
      return;
    }

  typed = ql_ledgers_page_get_transfer (self->page, &note);
  note.date = date = g_strdup (note.date);
  note.payee = payee = g_strdup (note.payee);
  note.memo = memo = g_strdup (note.memo);
  amount = ql_locale_numbers_read_amount (typed, &error);
  if (amount != NULL &&
      (moved = ql_ledger_book_transfer (self->book, from, to, amount, &note, &error)) != NULL)
    ql_ledgers_page_transfer_done (self->page);
  else
    ql_ledgers_page_show_transfer_error (self->page, error->message);
}

/* A correction of the change the Correct form was opened on: a new event
 * that amends it, never an edit. */
static void
amend_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autofree char *name = NULL;
  g_autofree char *date = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) amendment = NULL;
  QlChangeNote note;
  gint64 version;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  name = g_strdup (ql_ledgers_page_get_selected_ledger (self->page));
  version = ql_ledgers_page_get_correction (self->page, &note);
  note.date = date = g_strdup (note.date);
  note.payee = payee = g_strdup (note.payee);
  note.memo = memo = g_strdup (note.memo);
  if ((amendment = ql_ledger_book_amend (self->book, name, version, &note, &error)) != NULL)
    ql_ledgers_page_correct_done (self->page);
  else
    ql_ledgers_page_show_correct_error (self->page, error->message);
}

/* The change that @compensation reversed, as the history names it:
 * “Deposited 50.00 EUR”. */
static char *
describe_undone (QlLedgersController *self,
                 QlEvent             *compensation)
{
  QlLedger *ledger = ql_ledger_book_lookup (self->book, ql_event_get_ledger (compensation));
  gint64 change = -ql_event_get_signed_amount (compensation);
  g_autofree char *amount = NULL;
  const char *type;

  if (ledger == NULL)
    return NULL;

  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ACCOUNT)
    type = change > 0 ? QL_EVENT_DEPOSITED : QL_EVENT_WITHDRAWN;
  else
    type = change > 0 ? QL_EVENT_QUANTITY_INCREASED : QL_EVENT_QUANTITY_DECREASED;
  amount = ql_locale_numbers_format_amount (ledger, change < 0 ? -change : change);

  /* Translators: an event type such as Deposit, then an amount */
  return g_strdup_printf (_("%s %s"), ql_event_type_get_label (type), amount);
}

static void
undo_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autoptr(QlEvent) compensation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *what = NULL;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  name = g_strdup (ql_ledgers_page_get_selected_ledger (self->page));
  compensation = ql_ledger_book_undo (self->book, name, &error);
  if (compensation == NULL)
    {
      ql_ledgers_page_show_change_error (self->page, error->message);
      return;
    }

  ql_ledgers_page_change_done (self->page);
  g_set_object (&self->last_undo, compensation);
  update_actions (self);
  what = describe_undone (self, compensation);
  if (what != NULL)
    ql_ledgers_page_show_undone (self->page, what);
}

/* Reverses the last undo by making its change again: the undo stays in
 * the history, as every change does. */
static void
reverse_undo_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autoptr(QlEvent) compensation = g_steal_pointer (&self->last_undo);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) redone = NULL;
  g_autofree char *amount = NULL;
  QlLedger *ledger;
  ChangeFunc func;
  gint64 change;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  update_actions (self);
  ledger = ql_ledger_book_lookup (self->book, ql_event_get_ledger (compensation));
  if (ledger == NULL)
    return;

  change = -ql_event_get_signed_amount (compensation);
  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ACCOUNT)
    func = change > 0 ? ql_ledger_book_deposit : ql_ledger_book_withdraw;
  else
    func = change > 0 ? ql_ledger_book_increase : ql_ledger_book_decrease;
  amount = ql_amount_format (change < 0 ? -change : change, ql_ledger_get_decimals (ledger));

  if ((redone = func (self->book, ql_ledger_get_name (ledger), amount, &error)) == NULL)
    ql_ledgers_page_show_change_error (self->page, error->message);
}

static void
show_version_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  show_past_state (self, ql_ledgers_page_get_selected_ledger (self->page),
                   g_variant_get_int64 (parameter));
}

static void
import_progress_cb (QlImportPhase phase,
                    guint64       done,
                    guint64       total,
                    gpointer      user_data)
{
  QlLedgersController *self = user_data;
  const char *step = phase == QL_IMPORT_PHASE_WRITING ? _("Writing events…")
                                                      : _("Checking the file…");

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL)
    ql_ledgers_page_show_import_progress (self->page, step,
                                          total > 0 ? (double) done / (double) total : 0.0);
}

static void
import_done_cb (GObject      *book,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QlLedgersController) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;
  guint64 n_events = 0;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  self->importing = FALSE;
  update_actions (self);
  if (!ql_ledger_book_import_csv_finish (QL_LEDGER_BOOK (book), result, &n_events, &error))
    {
      if (self->page != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ql_ledgers_page_show_import_result (self->page, error->message, TRUE);
      return;
    }

  count = ql_locale_numbers_format_count (n_events);
  /* Translators: a count, grouped as the locale writes numbers */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %s event",
                                          "Imported %s events", (gulong) n_events),
                             count);
  if (self->page != NULL)
    ql_ledgers_page_show_import_result (self->page, message, FALSE);
}

static void
import_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_choose_import_file (self->page);
}

static void
import_file_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_clear_errors (self->page);

  /* No other import can start meanwhile. */
  self->importing = TRUE;
  update_actions (self);
  ql_ledgers_page_show_import_progress (self->page, _("Checking the file…"), 0.0);
  ql_ledger_book_import_csv_async (self->book, file, self->import_cancellable,
                                   import_progress_cb, g_object_ref (self), g_object_unref,
                                   import_done_cb, g_object_ref (self));
}

static void
export_progress_cb (double   fraction,
                    gpointer user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  if (self->page != NULL)
    ql_ledgers_page_show_export_progress (self->page, fraction);
}

static void
export_done_cb (GObject      *book,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QlLedgersController) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->export_path);
  g_autofree char *count = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  guint64 n_changes = 0;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  self->exporting = FALSE;
  update_actions (self);
  if (!ql_ledger_book_export_finish (QL_LEDGER_BOOK (book), result, &n_changes, &error))
    {
      if (self->page != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ql_ledgers_page_show_export_result (self->page, error->message, TRUE);
      return;
    }

  count = ql_locale_numbers_format_count (n_changes);
  name = g_filename_display_basename (path);
  /* Translators: the first %s is a count, grouped as the locale writes
   * numbers, the second a file's name */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s change to %s",
                                          "Exported %s changes to %s", (gulong) n_changes),
                             count, name);
  if (self->page != NULL)
    ql_ledgers_page_show_export_result (self->page, message, FALSE);
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  QlLedgersController *self = user_data;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  ql_ledgers_page_choose_export_file (self->page);
}

/* The file the page chose, in the format its filter named when the name
 * gives none, as the model tells formats by the name. */
static char *
export_path_for (GFile       *file,
                 const char  *format,
                 GError     **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *suffixed = NULL;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Cannot export to “%s”: only files on this computer can be written"), uri);
      return NULL;
    }
  if (g_str_has_suffix (path, ".csv") || g_str_has_suffix (path, ".journal"))
    return g_steal_pointer (&path);

  suffixed = g_strconcat (path, g_str_equal (format, "journal") ? ".journal" : ".csv", NULL);
  /* The file chooser asked before replacing the name the user gave, not
   * this one. */
  if (g_file_test (suffixed, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shown = g_filename_display_name (suffixed);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” already exists: choose it by its whole name to replace it"), shown);
      return NULL;
    }
  return g_steal_pointer (&suffixed);
}

static void
export_file_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  QlLedgersController *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  const char *uri, *format, *name;

  g_assert (QL_IS_LEDGERS_CONTROLLER (self));

  g_variant_get (parameter, "(&s&sm&s)", &uri, &format, &name);
  ql_ledgers_page_clear_errors (self->page);
  file = g_file_new_for_uri (uri);
  g_free (self->export_path);
  self->export_path = export_path_for (file, format, &error);
  if (self->export_path == NULL)
    {
      ql_ledgers_page_show_export_result (self->page, error->message, TRUE);
      return;
    }

  /* One export at a time. */
  self->exporting = TRUE;
  update_actions (self);
  ql_ledgers_page_show_export_progress (self->page, 0.0);
  ql_ledger_book_export_async (self->book, self->export_path, name, self->export_cancellable,
                               export_progress_cb, g_object_ref (self), g_object_unref,
                               export_done_cb, g_object_ref (self));
}

static void
ql_ledgers_controller_dispose (GObject *object)
{
  QlLedgersController *self = (QlLedgersController *) object;

  if (self->page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->page, self);
      gtk_widget_insert_action_group (GTK_WIDGET (self->page), "ledgers", NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->page), (gpointer *) &self->page);
      self->page = NULL;
    }

  g_cancellable_cancel (self->import_cancellable);
  g_cancellable_cancel (self->export_cancellable);
  if (self->runner != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->runner, self);
      ql_projection_runner_follow (self->runner, NULL);
      g_clear_object (&self->runner);
    }
  if (self->book != NULL)
    g_signal_handlers_disconnect_by_data (self->book, self);
  g_clear_object (&self->history);
  g_clear_object (&self->book);
  g_clear_object (&self->last_undo);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (ql_ledgers_controller_parent_class)->dispose (object);
}

static void
ql_ledgers_controller_finalize (GObject *object)
{
  QlLedgersController *self = (QlLedgersController *) object;

  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->export_cancellable);
  g_free (self->export_path);
  g_clear_pointer (&self->chart_ledger, g_free);

  G_OBJECT_CLASS (ql_ledgers_controller_parent_class)->finalize (object);
}

static void
ql_ledgers_controller_class_init (QlLedgersControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_ledgers_controller_dispose;
  object_class->finalize = ql_ledgers_controller_finalize;
}

static void
ql_ledgers_controller_init (QlLedgersController *self)
{
  self->import_cancellable = g_cancellable_new ();
  self->export_cancellable = g_cancellable_new ();
}

/**
 * ql_ledgers_controller_new:
 * @book: the ledgers to show and change
 * @page: the page to serve; the controller holds no reference to it
 *
 * Returns: (transfer full): a controller that serves @page until either
 *   goes away
 */
QlLedgersController *
ql_ledgers_controller_new (QlLedgerBook  *book,
                           QlLedgersPage *page)
{
  QlLedgersController *self;
  GListModel *ledgers;
  static const GActionEntry page_actions[] = {
    { "open-account", open_account_activated },
    { "create-item", create_item_activated },
    { "deposit", deposit_activated },
    { "withdraw", withdraw_activated },
    { "increase", increase_activated },
    { "decrease", decrease_activated },
    { "undo", undo_activated },
    { "reverse-undo", reverse_undo_activated },
    { "import", import_activated },
    { "import-file", import_file_activated, "s" },
    { "export", export_activated },
    { "export-file", export_file_activated, "(ssms)" },
    { "show-version", show_version_activated, "x" },
    { "search-history", search_history_activated },
    { "show-balance-on", show_balance_on_activated },
    { "transfer", transfer_activated },
    { "amend", amend_activated },
  };

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (book), NULL);
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (page), NULL);

  self = g_object_new (QL_TYPE_LEDGERS_CONTROLLER, NULL);
  self->book = g_object_ref (book);
  self->page = page;
  self->read_only = ql_event_store_is_read_only (ql_ledger_book_get_store (book));
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &self->page);

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), page_actions,
                                   G_N_ELEMENTS (page_actions), self);
  update_actions (self);
  gtk_widget_insert_action_group (GTK_WIDGET (page), "ledgers", G_ACTION_GROUP (self->actions));

  g_signal_connect_swapped (page, "notify::selected-ledger",
                            G_CALLBACK (on_page_notify_selected_ledger_cb), self);
  g_signal_connect_swapped (page, "notify::chart-shown", G_CALLBACK (show_chart_if_shown), self);
  g_signal_connect_swapped (book, "changed", G_CALLBACK (on_book_changed_cb), self);
  g_signal_connect_swapped (book, "refresh-failed", G_CALLBACK (on_book_refresh_failed_cb), self);
  g_signal_connect_swapped (book, "notify::reachable", G_CALLBACK (on_book_notify_reachable_cb), self);

  ql_ledgers_page_set_read_only (page, self->read_only);
  ledgers = ql_ledger_book_get_ledgers (book);
  ql_ledgers_page_set_ledgers (page, ledgers);
  if (g_list_model_get_n_items (ledgers) > 0)
    {
      g_autoptr(QlLedger) first = g_list_model_get_item (ledgers, 0);

      ql_ledgers_page_select_ledger (page, ql_ledger_get_name (first));
    }

  return self;
}
