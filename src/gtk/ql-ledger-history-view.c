/* ql-ledger-history-view.c: a ledger's history, its search and its order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-history-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-accessible-names.h"
#include "ql-ledger-history-view.h"
#include "ql-locale-numbers.h"
#include "ql-reversed-list-model.h"
#include "ql-tab-stop.h"

/**
 * QlLedgerHistoryView:
 *
 * The History tab of the ledgers page: a ledger's events, one row each
 * (a list of #QlHistoryRow), oldest or newest first, the search bar that
 * narrows them, and the row of the version the page shows, selected and
 * in view. It tells what the user does through its signals and
 * properties and never searches itself: the page hands it the versions
 * a search found.
 */
struct _QlLedgerHistoryView
{
  GtkWidget             parent_instance;

  /* Template Widgets */
  GtkWidget            *history_box;
  GtkColumnView        *history_view;
  GtkColumnViewColumn  *version_column;
  GtkColumnViewColumn  *date_column;
  GtkColumnViewColumn  *time_column;
  GtkColumnViewColumn  *payee_column;
  GtkColumnViewColumn  *memo_column;
  GtkColumnViewColumn  *type_column;
  GtkColumnViewColumn  *amount_column;
  GtkColumnViewColumn  *balance_column;
  GtkSearchBar         *history_search_bar;
  GtkSearchEntry       *history_search_entry;
  GtkEntry             *history_min_entry;
  GtkEntry             *history_max_entry;
  GtkEntry             *history_from_entry;
  GtkEntry             *history_to_entry;
  GtkLabel             *history_search_error_label;
  GtkStack             *history_stack;

  /* Owned References */
  GtkFilterListModel   *history_filter;
  /* The filtered history, oldest or newest first */
  QlReversedListModel  *history_order;
  /* The versions the last search found, or NULL to show every row */
  GHashTable           *history_matches;
  GtkSingleSelection   *history_selection;
  guint                 history_target;
  /* Weak: the clock whose next frame scrolls the history, if one will */
  GdkFrameClock        *history_clock;
  /* The version the page shows, whose row is selected when it is listed */
  gint64                version;
};

G_DEFINE_FINAL_TYPE (QlLedgerHistoryView, ql_ledger_history_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_NEWEST_FIRST,
  PROP_SEARCH_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  VERSION_SELECTED,
  CORRECT_REQUESTED,
  SEARCH_CHANGED,
  ROWS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_error (GtkLabel   *label,
           const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

/* A right click on a row asks for the Correct form for its change. */
static void
on_cell_secondary_pressed_cb (GtkGestureClick *gesture,
                              int              n_press,
                              double           x,
                              double           y,
                              GtkListItem     *list_item)
{
  GtkWidget *label = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *view = gtk_widget_get_ancestor (label, QL_TYPE_LEDGER_HISTORY_VIEW);
  GObject *row = gtk_list_item_get_item (list_item);
  gint64 version = 0;

  if (view == NULL || row == NULL)
    return;

  g_object_get (row, "version", &version, NULL);
  g_signal_emit (view, signals[CORRECT_REQUESTED], 0, version);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gboolean numeric = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "numeric"));
  GtkGesture *secondary = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (secondary), GDK_BUTTON_SECONDARY);
  g_signal_connect (secondary, "pressed", G_CALLBACK (on_cell_secondary_pressed_cb), list_item);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (secondary));

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

/* The column's title, in the header row that GTK 4.8 offers no getter for. */
static GtkWidget *
find_column_title (GtkColumnViewColumn *column)
{
  GtkColumnView *view = gtk_column_view_column_get_column_view (column);
  g_autoptr(GtkColumnViewColumn) first = NULL;
  GListModel *columns;
  GtkWidget *header = NULL;
  GtkWidget *title;
  guint n;

  if (view == NULL)
    return NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL && header == NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!GTK_IS_LIST_VIEW (child))
      header = child;

  columns = gtk_column_view_get_columns (view);
  n = g_list_model_get_n_items (columns);
  title = header != NULL ? gtk_widget_get_first_child (header) : NULL;
  for (guint i = 0; i < n && title != NULL; i++, title = gtk_widget_get_next_sibling (title))
    {
      g_autoptr(GtkColumnViewColumn) other = g_list_model_get_item (columns, i);

      if (other == column)
        return title;
    }

  return NULL;
}

/* A screen reader reads a row of the history as one sentence; the row is
 * the widget around the cell around @label. */
static void
name_history_row (GtkWidget *label,
                  GObject   *item)
{
  GtkWidget *cell = gtk_widget_get_parent (label);
  GtkWidget *row = cell != NULL ? gtk_widget_get_parent (cell) : NULL;
  g_autofree char *time = NULL;
  g_autofree char *date = NULL;
  g_autofree char *event = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *number = NULL;
  g_autoptr(GString) text = NULL;
  gint64 version = 0;

  if (row == NULL)
    return;

  g_object_get (item, "version", &version, "time", &time, "date", &date, "event-type", &event,
                "amount", &amount, "balance", &balance, "payee", &payee, "memo", &memo, NULL);
  number = ql_locale_numbers_format_count ((guint64) MAX (version, 0));
  text = g_string_new (NULL);
  /* Translators: how a screen reader reads a row of the history: the
   * version, the day it happened, when it was recorded, the event, its
   * amount (possibly empty) and the balance after it */
  g_string_printf (text, _("Version %s, dated %s, recorded %s: %s %s, balance %s"), number,
                   date != NULL ? date : "", time, event, amount != NULL ? amount : "", balance);
  if (payee != NULL && *payee != '\0')
    /* Translators: added to a history row's name when it has a payee */
    g_string_append_printf (text, _(", payee %s"), payee);
  if (memo != NULL && *memo != '\0')
    /* Translators: added to a history row's name when it has a memo */
    g_string_append_printf (text, _(", memo %s"), memo);
  ql_accessible_names_set_label (row, text->str);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  const char *property = g_object_get_data (G_OBJECT (factory), "property");
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) text = G_VALUE_INIT;

  GtkWidget *label = gtk_list_item_get_child (list_item);

  g_value_init (&text, G_TYPE_STRING);
  g_object_get_property (gtk_list_item_get_item (list_item), property, &value);
  g_value_transform (&value, &text);
  gtk_label_set_text (GTK_LABEL (label), g_value_get_string (&text));

  if (g_str_equal (property, "event-type"))
    name_history_row (label, gtk_list_item_get_item (list_item));
}

static void
set_cell_factory (GtkColumnViewColumn *column,
                  const char          *property,
                  gboolean             numeric)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "property", (gpointer) property);
  g_object_set_data (G_OBJECT (factory), "numeric", GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), NULL);
  gtk_column_view_column_set_factory (column, factory);
}

/* GTK 4.8's column view has no call to scroll, and its list's
 * list.scroll-to-item takes the keyboard focus, away from the slider or
 * an open popover: the rows are all of one height, so the column view's
 * adjustment is moved instead, as little as brings @position in. */
static void
scroll_history_to_target (QlLedgerHistoryView *self)
{
  guint position = self->history_target;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->history_view));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->history_selection));
  double upper = gtk_adjustment_get_upper (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  double value = gtk_adjustment_get_value (adjustment);
  double header = 0;
  double row;
  double top;

  /* The column titles scroll with the rows, above them. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->history_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!GTK_IS_LIST_VIEW (child))
      header += gtk_widget_get_height (child);

  if (n == 0 || upper <= header)
    return;

  /* The first row brings the titles into sight with it. */
  row = (upper - header) / n;
  top = position == 0 ? 0 : header + row * position;
  if (top < value)
    gtk_adjustment_set_value (adjustment, top);
  else if (top + row > value + page)
    gtk_adjustment_set_value (adjustment, top + row - page);
}

static void
on_history_frame_after_paint_cb (QlLedgerHistoryView *self,
                                 GdkFrameClock       *clock)
{
  g_signal_handlers_disconnect_by_func (clock, on_history_frame_after_paint_cb, self);
  g_clear_weak_pointer (&self->history_clock);
  scroll_history_to_target (self);
}

/* The rows' height is known only once they are laid out, after a row is
 * added; the list sets its adjustment with its own handler blocked, and
 * refuses a value while it has rows still to lay out. So the scrolling is
 * done once the next frame is painted, and again whenever the adjustment
 * learns new sizes. */
static void
scroll_history_after_frame (QlLedgerHistoryView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->history_view));

  /* Unrealized, the list has no frames: it is scrolled as it is shown. */
  if (self->history_clock != NULL || clock == NULL)
    return;

  g_set_weak_pointer (&self->history_clock, clock);
  g_signal_connect_object (clock, "after-paint",
                           G_CALLBACK (on_history_frame_after_paint_cb), self, G_CONNECT_SWAPPED);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_AFTER_PAINT);
}

static void
scroll_history_to (QlLedgerHistoryView *self,
                   guint                position)
{
  self->history_target = position;
  scroll_history_after_frame (self);
}

static void on_history_selection_notify_selected_cb (QlLedgerHistoryView *self);

/* Where @version's row is among the rows shown: the history holds version
 * v at position v - 1, a search shows only some of its rows. */
static guint
find_history_position (QlLedgerHistoryView *self,
                       gint64               version)
{
  GListModel *rows = G_LIST_MODEL (self->history_filter);
  guint n = g_list_model_get_n_items (rows);

  if (self->history_matches == NULL)
    return version >= 1 && (guint64) version <= n
           ? ql_reversed_list_model_get_position (self->history_order, (guint) version - 1)
           : GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) row = g_list_model_get_item (rows, i);
      gint64 row_version = 0;

      g_object_get (row, "version", &row_version, NULL);
      if (row_version == version)
        return ql_reversed_list_model_get_position (self->history_order, i);
    }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
history_row_matches_cb (gpointer item,
                        gpointer user_data)
{
  QlLedgerHistoryView *self = user_data;
  gint64 version = 0;

  g_object_get (item, "version", &version, NULL);
  return self->history_matches != NULL &&
         g_hash_table_contains (self->history_matches, &version);
}

/* A search that found nothing says so instead of showing an empty list. */
static void
on_history_items_changed_cb (QlLedgerHistoryView *self)
{
  gboolean none = self->history_matches != NULL &&
                  g_list_model_get_n_items (G_LIST_MODEL (self->history_filter)) == 0;

  gtk_stack_set_visible_child_name (self->history_stack, none ? "none" : "rows");
  g_signal_emit (self, signals[ROWS_CHANGED], 0);
}

static void
on_history_search_changed_cb (QlLedgerHistoryView *self)
{
  g_assert (QL_IS_LEDGER_HISTORY_VIEW (self));

  g_signal_emit (self, signals[SEARCH_CHANGED], 0);
}

static void
on_history_search_stop_cb (QlLedgerHistoryView *self)
{
  g_assert (QL_IS_LEDGER_HISTORY_VIEW (self));

  gtk_search_bar_set_search_mode (self->history_search_bar, FALSE);
}

/* A closed search bar forgets its search: the whole history is back. */
static void
on_history_search_bar_notify_search_mode_enabled_cb (QlLedgerHistoryView *self)
{
  GtkEditable *entries[] = {
    GTK_EDITABLE (self->history_search_entry), GTK_EDITABLE (self->history_min_entry),
    GTK_EDITABLE (self->history_max_entry), GTK_EDITABLE (self->history_from_entry),
    GTK_EDITABLE (self->history_to_entry),
  };

  g_assert (QL_IS_LEDGER_HISTORY_VIEW (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE]);
  if (gtk_search_bar_get_search_mode (self->history_search_bar))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->history_search_entry));
      return;
    }

  g_signal_handlers_block_by_func (self->history_search_entry, on_history_search_changed_cb, self);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    gtk_editable_set_text (entries[i], "");
  g_signal_handlers_unblock_by_func (self->history_search_entry, on_history_search_changed_cb, self);
  set_error (self->history_search_error_label, NULL);
  ql_ledger_history_view_show_matches (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->history_view));
}

static gboolean
close_history_search_cb (GtkWidget *widget,
                         GVariant  *args,
                         gpointer   user_data)
{
  QlLedgerHistoryView *self =
    QL_LEDGER_HISTORY_VIEW (gtk_widget_get_ancestor (widget, QL_TYPE_LEDGER_HISTORY_VIEW));

  gtk_search_bar_set_search_mode (self->history_search_bar, FALSE);
  return TRUE;
}

/* Turned round, the history says so: the page keeps the slider's row in view. */
static void
on_history_order_notify_reversed_cb (QlLedgerHistoryView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEWEST_FIRST]);
}

static gboolean
correct_shortcut_cb (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  QlLedgerHistoryView *self =
    QL_LEDGER_HISTORY_VIEW (gtk_widget_get_ancestor (widget, QL_TYPE_LEDGER_HISTORY_VIEW));

  g_signal_emit (self, signals[CORRECT_REQUESTED], 0, self->version);
  return TRUE;
}

/* A row picked in the history tells its version, for the slider to move to. */
static void
on_history_selection_notify_selected_cb (QlLedgerHistoryView *self)
{
  GObject *row = gtk_single_selection_get_selected_item (self->history_selection);
  gint64 version = 0;

  g_assert (QL_IS_LEDGER_HISTORY_VIEW (self));

  if (row == NULL)
    return;

  g_object_get (row, "version", &version, NULL);
  g_signal_emit (self, signals[VERSION_SELECTED], 0, version);
}

/* The history's column titles, its row of them and its inner list. */
static void
name_history_columns (QlLedgerHistoryView *self)
{
  GtkColumnViewColumn *columns[] = {
    self->version_column, self->date_column, self->time_column, self->type_column,
    self->payee_column, self->memo_column, self->amount_column, self->balance_column,
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkWidget *title = find_column_title (columns[i]);

      if (title != NULL)
        ql_accessible_names_set_label (title, gtk_column_view_column_get_title (columns[i]));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->history_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ql_accessible_names_set_label (child, GTK_IS_LIST_VIEW (child) ? _("History") : _("Columns"));
}

static void
ql_ledger_history_view_dispose (GObject *object)
{
  QlLedgerHistoryView *self = (QlLedgerHistoryView *) object;

  /* The list empties itself as it goes: that is no selection by the user. */
  if (self->history_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->history_selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), QL_TYPE_LEDGER_HISTORY_VIEW);
  if (self->history_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->history_clock, on_history_frame_after_paint_cb, self);
  g_clear_weak_pointer (&self->history_clock);
  g_clear_object (&self->history_selection);
  g_clear_object (&self->history_order);
  g_clear_object (&self->history_filter);
  g_clear_pointer (&self->history_matches, g_hash_table_unref);

  G_OBJECT_CLASS (ql_ledger_history_view_parent_class)->dispose (object);
}

static void
ql_ledger_history_view_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  QlLedgerHistoryView *self = QL_LEDGER_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_NEWEST_FIRST:
      g_value_set_boolean (value, ql_ledger_history_view_get_newest_first (self));
      break;

    case PROP_SEARCH_MODE:
      g_value_set_boolean (value, gtk_search_bar_get_search_mode (self->history_search_bar));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_history_view_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  QlLedgerHistoryView *self = QL_LEDGER_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_NEWEST_FIRST:
      ql_ledger_history_view_set_newest_first (self, g_value_get_boolean (value));
      break;

    case PROP_SEARCH_MODE:
      gtk_search_bar_set_search_mode (self->history_search_bar, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_history_view_class_init (QlLedgerHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_ledger_history_view_dispose;
  object_class->get_property = ql_ledger_history_view_get_property;
  object_class->set_property = ql_ledger_history_view_set_property;

  /**
   * QlLedgerHistoryView:newest-first:
   *
   * Whether the history lists the newest change first, where it is in
   * sight without scrolling, rather than in the order it happened.
   */
  properties[PROP_NEWEST_FIRST] =
    g_param_spec_boolean ("newest-first", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * QlLedgerHistoryView:search-mode:
   *
   * Whether the search bar is open; closed, it forgets its search.
   */
  properties[PROP_SEARCH_MODE] =
    g_param_spec_boolean ("search-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QlLedgerHistoryView::version-selected:
   * @self: the view
   * @version: the version of the row
   *
   * The user picked the row of @version.
   */
  signals[VERSION_SELECTED] = g_signal_new ("version-selected", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * QlLedgerHistoryView::correct-requested:
   * @self: the view
   * @version: the version whose change is to be corrected
   *
   * The user asked to correct a change: a right click on its row, or the
   * context-menu keys on the row of the version shown.
   */
  signals[CORRECT_REQUESTED] = g_signal_new ("correct-requested", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * QlLedgerHistoryView::search-changed:
   * @self: the view
   *
   * What the search bar asks for changed, or Enter was pressed in it:
   * ql_ledger_history_view_get_filter() tells what to search.
   */
  signals[SEARCH_CHANGED] = g_signal_new ("search-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  /**
   * QlLedgerHistoryView::rows-changed:
   * @self: the view
   *
   * The rows shown changed (the history grew, a search narrowed it, it
   * turned round), after the column view has seen them: the page shows
   * its version again with ql_ledger_history_view_show_version().
   */
  signals[ROWS_CHANGED] = g_signal_new ("rows-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-ledger-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_view);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_search_bar);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_search_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_min_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_max_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_from_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_to_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_search_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, history_stack);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, version_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, date_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, time_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, type_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, payee_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, memo_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, amount_column);
  gtk_widget_class_bind_template_child (widget_class, QlLedgerHistoryView, balance_column);
  gtk_widget_class_bind_template_callback (widget_class, on_history_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_history_search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_history_search_bar_notify_search_mode_enabled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ledgerhistoryview");

  g_type_ensure (QL_TYPE_TAB_STOP);
}

static void
ql_ledger_history_view_init (QlLedgerHistoryView *self)
{
  GtkEventController *search_shortcuts;
  GtkEventController *correct_shortcuts;
  GtkShortcutTrigger *correct_trigger;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Escape in any of the search bar's entries closes it. */
  search_shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (search_shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_callback_action_new (close_history_search_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->history_search_bar), search_shortcuts);
  gtk_search_bar_connect_entry (self->history_search_bar, GTK_EDITABLE (self->history_search_entry));

  /* The context-menu keys on the history correct the change of its row. */
  correct_trigger = gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                 gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK));
  correct_shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (correct_shortcuts),
                                        gtk_shortcut_new (correct_trigger,
                                                          gtk_callback_action_new (correct_shortcut_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->history_view), correct_shortcuts);

  self->history_filter = gtk_filter_list_model_new (NULL, NULL);
  self->history_order = ql_reversed_list_model_new (G_LIST_MODEL (self->history_filter));
  self->history_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->history_order)));
  gtk_single_selection_set_autoselect (self->history_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->history_selection, TRUE);
  g_signal_connect_object (self->history_selection, "notify::selected",
                           G_CALLBACK (on_history_selection_notify_selected_cb), self,
                           G_CONNECT_SWAPPED);
  /* Rows the history gains after the page showed its ledger, such as the
   * one a deposit adds, are selected and scrolled to as they come: after
   * the history view has seen them. */
  g_signal_connect_object (self->history_selection, "items-changed",
                           G_CALLBACK (on_history_items_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  gtk_column_view_set_model (self->history_view, GTK_SELECTION_MODEL (self->history_selection));
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->history_view)),
                           "changed", G_CALLBACK (scroll_history_after_frame), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_order, "notify::reversed",
                           G_CALLBACK (on_history_order_notify_reversed_cb), self, G_CONNECT_SWAPPED);

  name_history_columns (self);

  set_cell_factory (self->version_column, "version", TRUE);
  set_cell_factory (self->date_column, "date", FALSE);
  set_cell_factory (self->time_column, "time", FALSE);
  set_cell_factory (self->type_column, "event-type", FALSE);
  set_cell_factory (self->payee_column, "payee", FALSE);
  set_cell_factory (self->memo_column, "memo", FALSE);
  set_cell_factory (self->amount_column, "amount", TRUE);
  set_cell_factory (self->balance_column, "balance", TRUE);
}

/**
 * ql_ledger_history_view_set_history:
 * @self: a #QlLedgerHistoryView
 * @history: (nullable): a ledger's history, a list of #QlHistoryRow
 *
 * Shows the rows of @history, which hold version v at position v - 1.
 */
void
ql_ledger_history_view_set_history (QlLedgerHistoryView *self,
                                    GListModel          *history)
{
  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));
  g_return_if_fail (history == NULL || G_IS_LIST_MODEL (history));

  gtk_filter_list_model_set_model (self->history_filter, history);
}

/**
 * ql_ledger_history_view_reset_widths:
 * @self: a #QlLedgerHistoryView
 *
 * Lets the columns of numbers fit another ledger's numbers again.
 */
void
ql_ledger_history_view_reset_widths (QlLedgerHistoryView *self)
{
  GtkColumnViewColumn *numbers[] = { self->version_column, self->amount_column, self->balance_column };

  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    gtk_column_view_column_set_fixed_width (numbers[i], -1);
}

/**
 * ql_ledger_history_view_show_version:
 * @self: a #QlLedgerHistoryView
 * @version: the version the page shows
 *
 * Selects the row of @version and scrolls it into view, when the history
 * has it and a search has not hidden it; the user's selection of a row
 * is what emits #QlLedgerHistoryView::version-selected, not this.
 */
void
ql_ledger_history_view_show_version (QlLedgerHistoryView *self,
                                     gint64               version)
{
  GListModel *history;
  guint n;
  guint position;

  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  self->version = version;
  history = gtk_filter_list_model_get_model (self->history_filter);
  n = history != NULL ? g_list_model_get_n_items (history) : 0;
  if (version < 1 || (guint64) version > n)
    return;

  position = find_history_position (self, version);
  g_signal_handlers_block_by_func (self->history_selection,
                                   on_history_selection_notify_selected_cb, self);
  gtk_single_selection_set_selected (self->history_selection, position);
  g_signal_handlers_unblock_by_func (self->history_selection,
                                     on_history_selection_notify_selected_cb, self);
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_history_to (self, position);
}

/**
 * ql_ledger_history_view_holds_focus:
 * @self: a #QlLedgerHistoryView
 * @focus: the widget with the keyboard focus
 *
 * Returns: whether @focus is in the rows or in the search bar
 */
gboolean
ql_ledger_history_view_holds_focus (QlLedgerHistoryView *self,
                                    GtkWidget           *focus)
{
  g_return_val_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self), FALSE);
  g_return_val_if_fail (GTK_IS_WIDGET (focus), FALSE);

  return gtk_widget_is_ancestor (focus, GTK_WIDGET (self->history_view)) ||
         focus == GTK_WIDGET (self->history_view) ||
         gtk_widget_is_ancestor (focus, GTK_WIDGET (self->history_search_bar));
}

/**
 * ql_ledger_history_view_start_search:
 * @self: a #QlLedgerHistoryView
 *
 * Opens the search bar and moves the keyboard focus to its entry.
 */
void
ql_ledger_history_view_start_search (QlLedgerHistoryView *self)
{
  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  gtk_search_bar_set_search_mode (self->history_search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->history_search_entry));
}

static const char *
entry_text (GtkEditable *entry)
{
  const char *text = gtk_editable_get_text (entry);

  return text[0] != '\0' ? text : NULL;
}

/**
 * ql_ledger_history_view_get_filter:
 * @self: a #QlLedgerHistoryView
 * @filter: (out caller-allocates): what the history's search bar asks for
 *
 * Fills @filter from the search bar; an empty entry or a closed bar does
 * not restrict. The strings belong to the view's entries.
 *
 * Returns: whether the filter restricts anything
 */
gboolean
ql_ledger_history_view_get_filter (QlLedgerHistoryView *self,
                                   QlEventFilter       *filter)
{
  g_return_val_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);

  *filter = (QlEventFilter) { NULL, };
  if (!gtk_search_bar_get_search_mode (self->history_search_bar))
    return FALSE;

  filter->text = entry_text (GTK_EDITABLE (self->history_search_entry));
  filter->min_amount = entry_text (GTK_EDITABLE (self->history_min_entry));
  filter->max_amount = entry_text (GTK_EDITABLE (self->history_max_entry));
  filter->from_date = entry_text (GTK_EDITABLE (self->history_from_entry));
  filter->to_date = entry_text (GTK_EDITABLE (self->history_to_entry));
  return filter->text != NULL || filter->min_amount != NULL || filter->max_amount != NULL ||
         filter->from_date != NULL || filter->to_date != NULL;
}

/**
 * ql_ledger_history_view_show_matches:
 * @self: a #QlLedgerHistoryView
 * @versions: (nullable) (element-type gint64): the versions a search
 *   found, possibly none, or %NULL to show the whole history
 *
 * Shows only the history's rows of @versions; the slider still shows
 * every version, and its row is selected when it is among them.
 */
void
ql_ledger_history_view_show_matches (QlLedgerHistoryView *self,
                                     GArray              *versions)
{
  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  set_error (self->history_search_error_label, NULL);
  g_clear_pointer (&self->history_matches, g_hash_table_unref);
  if (versions == NULL)
    {
      gtk_filter_list_model_set_filter (self->history_filter, NULL);
      return;
    }

  self->history_matches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < versions->len; i++)
    {
      gint64 *version = g_new (gint64, 1);

      *version = g_array_index (versions, gint64, i);
      g_hash_table_add (self->history_matches, version);
    }
  gtk_filter_list_model_set_filter (self->history_filter,
                                    GTK_FILTER (gtk_custom_filter_new (history_row_matches_cb, self, NULL)));
}

/**
 * ql_ledger_history_view_show_search_error:
 * @self: a #QlLedgerHistoryView
 * @message: (nullable): why the search could not be done, or %NULL
 *
 * Shows an error under the history's search bar; the rows stay as the
 * last search left them.
 */
void
ql_ledger_history_view_show_search_error (QlLedgerHistoryView *self,
                                          const char          *message)
{
  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  set_error (self->history_search_error_label, message);
}

/**
 * ql_ledger_history_view_get_newest_first:
 * @self: a #QlLedgerHistoryView
 *
 * Returns: whether the history lists the newest change first
 */
gboolean
ql_ledger_history_view_get_newest_first (QlLedgerHistoryView *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self), FALSE);

  return ql_reversed_list_model_get_reversed (self->history_order);
}

/**
 * ql_ledger_history_view_set_newest_first:
 * @self: a #QlLedgerHistoryView
 * @newest_first: whether the history lists the newest change first
 */
void
ql_ledger_history_view_set_newest_first (QlLedgerHistoryView *self,
                                         gboolean             newest_first)
{
  g_return_if_fail (QL_IS_LEDGER_HISTORY_VIEW (self));

  ql_reversed_list_model_set_reversed (self->history_order, newest_first);
}
