/* ql-ledgers-page.c: ledgers, their changes, history and past states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledgers-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ql-accessible-names.h"
#include "ql-balance-chart.h"
#include "ql-change-form.h"
#include "ql-dates.h"
#include "ql-ledger-events.h"
#include "ql-ledger-history-view.h"
#include "ql-ledgers-page.h"
#include "ql-locale-numbers.h"
#include "ql-monthly-totals-grid.h"
#include "ql-new-ledger-popover.h"
#include "ql-tab-stop.h"

/**
 * QlLedgersPage:
 *
 * Lists ledgers and shows the selected one: its balance, its history and
 * its state at any past version. Every command is an action of the
 * `ledgers` group, which a controller inserts on the page and enables or
 * disables. The controller reads what the user typed through the page's
 * getters and answers with the ql_ledgers_page_show_*() calls; showing
 * asks nothing back. The page reads ledgers but never changes them.
 */
struct _QlLedgersPage
{
  GtkWidget             parent_instance;

  /* Template Widgets */
  AdwLeaflet           *leaflet;
  GtkWidget            *read_only_label;
  GtkWidget            *reconnecting_box;
  GtkSpinner           *reconnecting_spinner;
  GtkWidget            *reconnecting_label;
  GtkWidget            *import_button;
  GtkWidget            *export_button;
  GtkMenuButton        *new_ledger_button;
  QlNewLedgerPopover   *new_ledger_popover;
  GtkWidget            *change_box;
  GtkWidget            *import_box;
  GtkProgressBar       *import_progress;
  GtkLabel             *import_status_label;
  GtkListView          *ledger_list;
  GtkSearchEntry       *ledger_search_entry;
  GtkWidget            *ledger_scroller;
  GtkWidget            *no_ledgers_label;
  GtkStack             *detail_stack;
  GtkLabel             *name_label;
  GtkLabel             *kind_label;
  GtkLabel             *balance_label;
  GtkLabel             *damage_label;
  GtkEntry             *amount_entry;
  GtkButton            *plus_button;
  GtkButton            *minus_button;
  GtkLabel             *change_error_label;
  QlChangeForm         *change_form;
  GtkMenuButton        *transfer_button;
  GtkPopover           *transfer_popover;
  GtkEntry             *transfer_amount_entry;
  GtkDropDown          *transfer_target_dropdown;
  GtkStringList        *transfer_targets;
  QlChangeForm         *transfer_form;
  GtkLabel             *transfer_error_label;
  GtkMenuButton        *correct_button;
  GtkPopover           *correct_popover;
  GtkLabel             *correct_title_label;
  QlChangeForm         *correct_form;
  GtkLabel             *correct_error_label;
  GtkMenuButton        *balance_date_button;
  GtkPopover           *balance_date_popover;
  GtkCalendar          *balance_date_calendar;
  GtkWidget            *balance_date_box;
  GtkLabel             *balance_date_label;
  GtkScale             *version_scale;
  GtkAdjustment        *version_adjustment;
  GtkLabel             *past_state_label;
  GtkWidget            *time_travel_box;
  GtkLabel             *version_label;
  GtkStack             *section_stack;
  GtkLabel             *chart_error_label;
  QlBalanceChart       *balance_chart;
  QlMonthlyTotalsGrid  *monthly_totals;
  QlLedgerHistoryView  *ledger_history;
  GtkWidget            *history_search_button;
  GtkWidget            *history_order_button;

  /* Owned References */
  GtkFileChooserNative *import_chooser;
  GtkFileChooserNative *export_chooser;
  /* The ledger shown when the export chooser opened */
  char                 *export_ledger;
  GListModel           *ledgers;
  GtkSingleSelection   *ledger_selection;
  GtkFilterListModel   *ledger_filter;
  GtkStringFilter      *ledger_name_filter;
  gboolean              filtering;
  GListModel           *history;
  QlLedger             *shown;
  char                 *selected;
  /* The day the balance is asked for beside the slider, if any */
  GDate                 balance_date;
  /* The change the Correct form was filled from, and what it carried */
  gint64                correct_version;
  char                 *correct_day;
  char                 *correct_payee;
  char                 *correct_memo;

  /* Weak: the toast overlay owns it */
  AdwToast             *undo_toast;
};

G_DEFINE_FINAL_TYPE (QlLedgersPage, ql_ledgers_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_LEDGER,
  PROP_NEWEST_FIRST,
  PROP_CHART_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe_kind (QlLedger *ledger)
{
  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM)
    return g_strdup (_("Inventory item"));

  if (ql_ledger_get_currency (ledger) != NULL)
    /* Translators: %s is an ISO 4217 currency code such as EUR */
    return g_strdup_printf (_("Bank account in %s"), ql_ledger_get_currency (ledger));

  return g_strdup (_("Bank account"));
}

static gboolean
format_balance_cb (GBinding     *binding,
                   const GValue *from_value,
                   GValue       *to_value,
                   gpointer      user_data)
{
  g_autoptr(GObject) ledger = g_binding_dup_source (binding);

  if (ledger == NULL)
    return FALSE;

  g_value_take_string (to_value, ql_locale_numbers_format_balance (QL_LEDGER (ledger)));
  return TRUE;
}

static void
on_ledger_row_released_cb (GtkGestureClick *gesture,
                           int              n_press,
                           double           x,
                           double           y,
                           GtkListItem     *list_item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  /* One click opens a ledger, as it did when every ledger had its own row. */
  if (n_press == 1)
    gtk_widget_activate_action (row, "list.activate-item", "u",
                                gtk_list_item_get_position (list_item));
}

static void
on_ledger_row_setup_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *list_item,
                        QlLedgersPage            *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *balance = gtk_label_new (NULL);
  GtkWidget *damage;
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "title");
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "subtitle");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), subtitle);
  gtk_widget_add_css_class (balance, "numeric");
  gtk_widget_add_css_class (balance, "ledger-balance");
  gtk_box_append (GTK_BOX (row), text);
  damage = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  ql_accessible_names_set_label (damage, _("Damaged"));
  gtk_box_append (GTK_BOX (row), damage);
  gtk_box_append (GTK_BOX (row), balance);
  gtk_widget_add_css_class (row, "ledger-row");

  g_signal_connect (click, "released", G_CALLBACK (on_ledger_row_released_cb), list_item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (list_item, row);
}

static gboolean
is_damaged_cb (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_int64 (from) > 0);
  return TRUE;
}

static void
on_ledger_row_bind_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *list_item,
                       QlLedgersPage            *self)
{
  QlLedger *ledger = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *text = gtk_widget_get_first_child (row);
  GtkWidget *balance = gtk_widget_get_last_child (row);
  GtkWidget *damage = gtk_widget_get_next_sibling (text);
  g_autofree char *kind = describe_kind (ledger);
  g_autofree char *row_name = NULL;
  GBinding *binding;

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (text)), ql_ledger_get_name (ledger));
  gtk_widget_set_tooltip_text (gtk_widget_get_first_child (text), ql_ledger_get_name (ledger));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (text)), kind);
  /* Translators: how a screen reader reads a row of the list: a
   * ledger's name, then its kind */
  row_name = g_strdup_printf (_("%s, %s"), ql_ledger_get_name (ledger), kind);
  ql_accessible_names_set_list_item (list_item, row_name);

  /* Rows follow their ledger, also when another process changes it. */
  binding = g_object_bind_property_full (ledger, "balance", balance, "label", G_BINDING_SYNC_CREATE,
                                         format_balance_cb, NULL, NULL, NULL);
  g_object_set_data (G_OBJECT (list_item), "balance-binding", binding);
  binding = g_object_bind_property_full (ledger, "damaged-version", damage, "visible",
                                         G_BINDING_SYNC_CREATE, is_damaged_cb, NULL, NULL, NULL);
  g_object_set_data (G_OBJECT (list_item), "damaged-binding", binding);
  binding = g_object_bind_property (ledger, "damage", damage, "tooltip-text",
                                    G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (list_item), "damage-binding", binding);
}

static void
on_ledger_row_unbind_cb (GtkSignalListItemFactory *factory,
                         GtkListItem              *list_item,
                         QlLedgersPage            *self)
{
  static const char * const names[] = { "balance-binding", "damaged-binding", "damage-binding" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GBinding *binding = g_object_steal_data (G_OBJECT (list_item), names[i]);

      if (binding != NULL)
        g_binding_unbind (binding);
    }
}

static void
set_error (GtkLabel   *label,
           const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
on_ledger_selection_notify_selected_cb (QlLedgersPage *self)
{
  QlLedger *ledger = gtk_single_selection_get_selected_item (self->ledger_selection);

  g_assert (QL_IS_LEDGERS_PAGE (self));

  if (ledger != NULL && g_strcmp0 (self->selected, ql_ledger_get_name (ledger)) == 0)
    return;

  /* A filter that hides the ledger shown does not take it off the page. */
  if (ledger == NULL && self->filtering)
    return;

  g_free (self->selected);
  self->selected = ledger != NULL ? g_strdup (ql_ledger_get_name (ledger)) : NULL;
  ql_ledgers_page_clear_errors (self);
  gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), "");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LEDGER]);
}

static void
on_ledger_list_activate_cb (QlLedgersPage *self,
                            guint          position)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  /* In a narrow window the list and the ledger take turns. */
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_ledger_selection_items_changed_cb (QlLedgersPage *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->ledger_selection)) == 0;

  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_set_visible (self->no_ledgers_label, empty);
  gtk_widget_set_visible (self->ledger_scroller, !empty);
}

static gboolean select_listed_ledger (QlLedgersPage *self,
                                      const char    *name);

static void
on_ledger_search_entry_search_changed_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  self->filtering = TRUE;
  gtk_string_filter_set_search (self->ledger_name_filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->ledger_search_entry)));
  self->filtering = FALSE;

  /* The ledger shown is selected again once the filter lets it through. */
  if (self->selected != NULL)
    select_listed_ledger (self, self->selected);
}

static void
on_ledger_search_entry_stop_search_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->ledger_search_entry), "");
}

static void
on_back_button_clicked_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Enter in the amount entry does what the button next to it does. */
static void
activate_button_action (QlLedgersPage *self,
                        GtkButton     *button)
{
  gtk_widget_activate_action (GTK_WIDGET (self),
                              gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), NULL);
}

static void
on_amount_entry_activate_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  activate_button_action (self, self->plus_button);
}

/* Ctrl+Z reaches the page only after the focused widget let it go. Text
 * fields undo typing themselves; one with nothing left to undo must not
 * pass the key on to the ledger, so no text-editing key writes an event. */
static gboolean
undo_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && GTK_IS_EDITABLE (focus))
    return FALSE;

  return gtk_widget_activate_action (widget, "ledgers.undo", NULL);
}

static void
on_undo_toast_button_clicked_cb (QlLedgersPage *self,
                                 AdwToast      *toast)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  /* The toast sits outside the page, where the page's actions are unknown. */
  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.reverse-undo", NULL);
}

static void
on_import_chooser_response_cb (QlLedgersPage        *self,
                               int                   response,
                               GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  g_assert (QL_IS_LEDGERS_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->import_chooser);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);
  g_clear_pointer (&self->export_ledger, g_free);

  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.import-file", "s", uri);
    }
}

/**
 * ql_ledgers_page_choose_import_file:
 * @self: a #QlLedgersPage
 *
 * Lets the user pick a CSV file or an hledger journal; the file picked goes to the
 * `ledgers.import-file` action as a URI.
 */
void
ql_ledgers_page_choose_import_file (QlLedgersPage *self)
{
  g_autoptr(GtkFileFilter) csv = NULL;
  g_autoptr(GtkFileFilter) journal = NULL;
  g_autoptr(GtkFileFilter) all = NULL;
  GtkNative *native;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (self->import_chooser != NULL)
    return;

  csv = gtk_file_filter_new ();
  journal = gtk_file_filter_new ();
  all = gtk_file_filter_new ();
  native = gtk_widget_get_native (GTK_WIDGET (self));

  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_set_name (journal, _("hledger journals"));
  /* The model reads a journal by these names, as hledger does. */
  gtk_file_filter_add_suffix (journal, "journal");
  gtk_file_filter_add_suffix (journal, "hledger");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  self->import_chooser = gtk_file_chooser_native_new (_("Import Ledgers"),
                                                      GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                                      GTK_FILE_CHOOSER_ACTION_OPEN,
                                                      _("_Import"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->import_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), journal);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), all);
  g_signal_connect_object (self->import_chooser, "response",
                           G_CALLBACK (on_import_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->import_chooser));
}

static void
on_export_chooser_response_cb (QlLedgersPage        *self,
                               int                   response,
                               GtkFileChooserNative *chooser)
{
  GtkFileChooser *file_chooser = GTK_FILE_CHOOSER (chooser);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GListModel) filters = NULL;
  g_autoptr(GtkFileFilter) journal = NULL;
  g_autofree char *ledger = g_steal_pointer (&self->export_ledger);
  const char *choice;

  g_assert (QL_IS_LEDGERS_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (file_chooser);
  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      /* The second filter is the journal's: a name without a suffix gets
       * the one of the filter picked. */
      filters = gtk_file_chooser_get_filters (file_chooser);
      journal = g_list_model_get_item (filters, 1);
      choice = ledger != NULL ? gtk_file_chooser_get_choice (file_chooser, "ledgers") : NULL;
      if (g_strcmp0 (choice, "shown") != 0)
        g_clear_pointer (&ledger, g_free);
      gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.export-file", "(ssms)", uri,
                                  gtk_file_chooser_get_filter (file_chooser) == journal
                                  ? "journal" : "csv",
                                  ledger);
    }
  g_clear_object (&self->export_chooser);
}

/**
 * ql_ledgers_page_choose_export_file:
 * @self: a #QlLedgersPage
 *
 * Lets the user name a CSV file or an hledger journal to export to and,
 * while a ledger is shown, whether it alone or every ledger goes there;
 * the choice goes to the `ledgers.export-file` action as the file's URI,
 * the format of the filter picked (`csv` or `journal`) and the ledger's
 * name, or nothing for every ledger.
 */
void
ql_ledgers_page_choose_export_file (QlLedgersPage *self)
{
  g_autoptr(GtkFileFilter) csv = NULL;
  g_autoptr(GtkFileFilter) journal = NULL;
  g_autofree char *suggested = NULL;
  const char *ledger;
  GtkNative *native;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (self->export_chooser != NULL)
    return;

  csv = gtk_file_filter_new ();
  journal = gtk_file_filter_new ();
  native = gtk_widget_get_native (GTK_WIDGET (self));
  ledger = ql_ledgers_page_get_selected_ledger (self);

  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_set_name (journal, _("hledger journals"));
  gtk_file_filter_add_suffix (journal, "journal");

  self->export_chooser = gtk_file_chooser_native_new (_("Export Ledgers"),
                                                      GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->export_chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->export_chooser), journal);
  if (ledger != NULL)
    {
      const char *ids[] = { "shown", "all", NULL };
      const char *labels[] = { _("This ledger"), _("Every ledger"), NULL };
      g_autofree char *base = g_strdup (ledger);

      self->export_ledger = g_strdup (ledger);
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->export_chooser), "ledgers",
                                   _("Export"), ids, labels);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->export_chooser), "ledgers", "shown");
      /* A name may hold a slash, which no file name can. */
      g_strdelimit (base, G_DIR_SEPARATOR_S, '-');
      suggested = g_strconcat (base, ".csv", NULL);
    }
  else
    /* Translators: the file name an export of every ledger suggests */
    suggested = g_strconcat (C_("file name", "ledgers"), ".csv", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), suggested);
  g_signal_connect_object (self->export_chooser, "response",
                           G_CALLBACK (on_export_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/* The slider and the history show the same version: its row is selected
 * and in view, and the label says when it was and whether it is now. */
static void
follow_version (QlLedgersPage *self)
{
  gint64 version = ql_ledgers_page_get_shown_version (self);
  gint64 newest = (gint64) gtk_adjustment_get_upper (self->version_adjustment);
  guint n = self->history != NULL ? g_list_model_get_n_items (self->history) : 0;
  g_autofree char *time = NULL;
  g_autofree char *number = ql_locale_numbers_format_count ((guint64) MAX (version, 0));
  g_autofree char *last = ql_locale_numbers_format_count ((guint64) MAX (newest, 0));
  g_autofree char *text = NULL;
  gboolean past = version < newest;
  gboolean correctable = FALSE;

  if (version >= 1 && (guint64) version <= n)
    {
      g_autoptr(GObject) row = g_list_model_get_item (self->history, (guint) version - 1);

      g_object_get (row, "time", &time, NULL);
    }
  ql_ledger_history_view_show_version (self->ledger_history, version);
  /* A change is corrected from its row: the one the slider is on. */
  if (version >= 1 && (guint64) version <= n)
    {
      g_autoptr(GObject) row = g_list_model_get_item (self->history, (guint) version - 1);

      g_object_get (row, "correctable", &correctable, NULL);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->correct_button),
                            correctable && gtk_widget_get_visible (self->change_box) &&
                            gtk_widget_get_sensitive (self->change_box));

  if (past)
    /* Translators: a version number, the newest version's number, and the
     * version's date and time */
    text = g_strdup_printf (_("Viewing the past: version %s of %s, %s"), number, last,
                            time != NULL ? time : "");
  else
    /* Translators: a version number and the version's date and time */
    text = g_strdup_printf (_("Now: version %s, %s"), number, time != NULL ? time : "");
  gtk_label_set_text (self->version_label, text);
  if (past)
    gtk_widget_add_css_class (GTK_WIDGET (self->version_label), "past");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->version_label), "past");
}

static void
on_version_scale_value_changed_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  follow_version (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.show-version", "x",
                              ql_ledgers_page_get_shown_version (self));
  if (g_date_valid (&self->balance_date))
    gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.show-balance-on", NULL);
}

static void
on_transfer_popover_show_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->transfer_amount_entry));
}

static void
on_transfer_activate_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.transfer", NULL);
}

/* The Correct form starts from what the change of the slider's row
 * carries, so that only what the user alters is corrected. */
static void
on_correct_popover_show_cb (QlLedgersPage *self)
{
  gint64 version = ql_ledgers_page_get_shown_version (self);
  guint n = self->history != NULL ? g_list_model_get_n_items (self->history) : 0;
  g_autoptr(GObject) row = NULL;
  g_autofree char *number = NULL;
  g_autofree char *title = NULL;
  GDate date;

  g_assert (QL_IS_LEDGERS_PAGE (self));

  g_clear_pointer (&self->correct_day, g_free);
  g_clear_pointer (&self->correct_payee, g_free);
  g_clear_pointer (&self->correct_memo, g_free);
  set_error (self->correct_error_label, NULL);
  self->correct_version = version >= 1 && (guint64) version <= n ? version : 0;
  if (self->correct_version == 0)
    return;

  row = g_list_model_get_item (self->history, (guint) version - 1);
  g_object_get (row, "day", &self->correct_day, "payee", &self->correct_payee,
                "memo", &self->correct_memo, NULL);
  g_date_clear (&date, 1);
  if (self->correct_day == NULL || !ql_date_parse (self->correct_day, &date, NULL))
    ql_date_set_today (&date);
  ql_change_form_fill (self->correct_form, &date, self->correct_payee, self->correct_memo);

  number = ql_locale_numbers_format_count ((guint64) version);
  /* Translators: %s is a version number */
  title = g_strdup_printf (_("Correct Version %s"), number);
  gtk_label_set_text (self->correct_title_label, title);
}

/* Moves the slider to @version and, when its change can be corrected,
 * opens the Correct form on it. */
static void
open_correct_form (QlLedgersPage *self,
                   gint64         version)
{
  gtk_adjustment_set_value (self->version_adjustment, (double) version);
  gtk_stack_set_visible_child_name (self->section_stack, "history");
  if (gtk_widget_is_sensitive (GTK_WIDGET (self->correct_button)))
    gtk_menu_button_popup (self->correct_button);
}

/* A row picked in the history moves the slider to its version. */
static void
on_ledger_history_version_selected_cb (QlLedgersPage *self,
                                       gint64         version)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_adjustment_set_value (self->version_adjustment, (double) version);
}

static void
on_ledger_history_correct_requested_cb (QlLedgersPage *self,
                                        gint64         version)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  open_correct_form (self, version);
}

static void
on_ledger_history_search_changed_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.search-history", NULL);
}

static void
on_ledger_history_rows_changed_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  follow_version (self);
}

/* Turned round, the history keeps the slider's row selected and in view. */
static void
on_ledger_history_notify_newest_first_cb (QlLedgersPage *self)
{
  follow_version (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEWEST_FIRST]);
}

static void
on_correct_activate_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.amend", NULL);
}

static void
on_balance_date_calendar_day_selected_cb (QlLedgersPage *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->balance_date_calendar);

  g_assert (QL_IS_LEDGERS_PAGE (self));

  g_date_set_dmy (&self->balance_date, (GDateDay) g_date_time_get_day_of_month (day),
                  (GDateMonth) g_date_time_get_month (day), (GDateYear) g_date_time_get_year (day));
  gtk_popover_popdown (self->balance_date_popover);
  gtk_widget_activate_action (GTK_WIDGET (self), "ledgers.show-balance-on", NULL);
}

static void
on_balance_date_clear_button_clicked_cb (QlLedgersPage *self)
{
  g_assert (QL_IS_LEDGERS_PAGE (self));

  g_date_clear (&self->balance_date, 1);
  gtk_widget_set_visible (self->balance_date_box, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->balance_date_button));
}

static void
ql_ledgers_page_dispose (GObject *object)
{
  QlLedgersPage *self = (QlLedgersPage *) object;

  /* The list empties itself as it goes: that is no selection by the user. */
  if (self->ledger_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->ledger_selection, self);
  if (self->ledger_history != NULL)
    g_signal_handlers_disconnect_by_data (self->ledger_history, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), QL_TYPE_LEDGERS_PAGE);
  g_clear_object (&self->ledger_selection);
  g_clear_object (&self->ledger_filter);
  g_clear_object (&self->ledger_name_filter);

  if (self->import_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));
  g_clear_object (&self->import_chooser);
  g_clear_object (&self->ledgers);
  g_clear_object (&self->history);
  g_clear_object (&self->shown);
  g_clear_weak_pointer (&self->undo_toast);

  G_OBJECT_CLASS (ql_ledgers_page_parent_class)->dispose (object);
}

static void
ql_ledgers_page_finalize (GObject *object)
{
  QlLedgersPage *self = (QlLedgersPage *) object;

  g_clear_pointer (&self->selected, g_free);
  g_clear_pointer (&self->correct_day, g_free);
  g_clear_pointer (&self->correct_payee, g_free);
  g_clear_pointer (&self->correct_memo, g_free);

  G_OBJECT_CLASS (ql_ledgers_page_parent_class)->finalize (object);
}

static void
ql_ledgers_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QlLedgersPage *self = QL_LEDGERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_LEDGER:
      g_value_set_string (value, self->selected);
      break;

    case PROP_NEWEST_FIRST:
      g_value_set_boolean (value, ql_ledgers_page_get_newest_first (self));
      break;

    case PROP_CHART_SHOWN:
      g_value_set_boolean (value, ql_ledgers_page_get_chart_shown (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledgers_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QlLedgersPage *self = QL_LEDGERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_NEWEST_FIRST:
      ql_ledgers_page_set_newest_first (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledgers_page_class_init (QlLedgersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_ledgers_page_dispose;
  object_class->finalize = ql_ledgers_page_finalize;
  object_class->get_property = ql_ledgers_page_get_property;
  object_class->set_property = ql_ledgers_page_set_property;

  /**
   * QlLedgersPage:selected-ledger: (nullable)
   *
   * The name of the ledger the user selected, which the page shows once
   * a controller hands it the ledger.
   */
  properties[PROP_SELECTED_LEDGER] =
    g_param_spec_string ("selected-ledger", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * QlLedgersPage:newest-first:
   *
   * Whether the history lists the newest change first, where it is in
   * sight without scrolling, rather than in the order it happened.
   */
  properties[PROP_NEWEST_FIRST] =
    g_param_spec_boolean ("newest-first", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * QlLedgersPage:chart-shown:
   *
   * Whether the Chart tab, rather than the history, is in front: what it
   * shows is only worth reading while it is.
   */
  properties[PROP_CHART_SHOWN] =
    g_param_spec_boolean ("chart-shown", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-ledgers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, history_order_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, import_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, new_ledger_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, new_ledger_popover);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, read_only_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, reconnecting_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, reconnecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, reconnecting_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, change_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, import_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, import_progress);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, import_status_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, ledger_list);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, ledger_search_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, ledger_scroller);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, no_ledgers_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, kind_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, damage_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, amount_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, plus_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, minus_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, change_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, version_scale);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, version_adjustment);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, past_state_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, time_travel_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, version_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, section_stack);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, chart_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_chart);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, monthly_totals);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, ledger_history);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, history_search_button);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_row_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_history_version_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_history_correct_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_history_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_history_rows_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ledger_history_notify_newest_first_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_version_scale_value_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, change_form);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_popover);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_amount_entry);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_targets);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_form);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, transfer_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, correct_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, correct_popover);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, correct_title_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, correct_form);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, correct_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_date_button);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_date_popover);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_date_calendar);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_date_box);
  gtk_widget_class_bind_template_child (widget_class, QlLedgersPage, balance_date_label);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_correct_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_correct_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_balance_date_calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_balance_date_clear_button_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ledgerspage");

  g_type_ensure (QL_TYPE_NEW_LEDGER_POPOVER);
  g_type_ensure (QL_TYPE_CHANGE_FORM);
  g_type_ensure (QL_TYPE_TAB_STOP);
  g_type_ensure (QL_TYPE_BALANCE_CHART);
  g_type_ensure (QL_TYPE_MONTHLY_TOTALS_GRID);
  g_type_ensure (QL_TYPE_LEDGER_HISTORY_VIEW);
}

static void
on_section_stack_notify_visible_child_cb (QlLedgersPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHART_SHOWN]);
}

static void
ql_ledgers_page_init (QlLedgersPage *self)
{
  GtkEventController *undo_shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->section_stack, "notify::visible-child",
                           G_CALLBACK (on_section_stack_notify_visible_child_cb), self,
                           G_CONNECT_SWAPPED);

  undo_shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (undo_shortcuts), GTK_SHORTCUT_SCOPE_LOCAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (undo_shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_z, GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (undo_shortcut_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), undo_shortcuts);

  /* Ledgers are filtered by name, as the user types it, in any case. */
  self->ledger_name_filter = gtk_string_filter_new (gtk_property_expression_new (QL_TYPE_LEDGER, NULL, "name"));
  gtk_string_filter_set_match_mode (self->ledger_name_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->ledger_name_filter, TRUE);
  self->ledger_filter = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->ledger_name_filter)));
  self->ledger_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->ledger_filter)));
  gtk_single_selection_set_autoselect (self->ledger_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->ledger_selection, TRUE);
  g_signal_connect_object (self->ledger_selection, "notify::selected",
                           G_CALLBACK (on_ledger_selection_notify_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ledger_selection, "items-changed",
                           G_CALLBACK (on_ledger_selection_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->ledger_list, GTK_SELECTION_MODEL (self->ledger_selection));

  g_object_bind_property (self->ledger_history, "newest-first", self->history_order_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  ql_accessible_names_set_mnemonic (self->plus_button);
  ql_accessible_names_set_mnemonic (self->minus_button);
  ql_accessible_names_set_menu_button (GTK_WIDGET (self->new_ledger_button), _("New Ledger"));
  ql_accessible_names_set_menu_button (GTK_WIDGET (self->transfer_button),
                                       _("Transfer to Another Ledger…"));
  ql_accessible_names_set_menu_button (GTK_WIDGET (self->correct_button),
                                       _("Correct the Selected Change…"));
  ql_accessible_names_set_menu_button (GTK_WIDGET (self->balance_date_button),
                                       _("Balance on a Day…"));
  g_date_clear (&self->balance_date, 1);

  gtk_stack_set_visible_child_name (self->detail_stack, "empty");
}

/**
 * ql_ledgers_page_set_ledgers:
 * @self: a #QlLedgersPage
 * @ledgers: (nullable): a list of #QlLedger
 *
 * Sets the ledgers the page lists; the list follows @ledgers as it changes.
 */
void
ql_ledgers_page_set_ledgers (QlLedgersPage *self,
                             GListModel    *ledgers)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (ledgers == NULL || G_IS_LIST_MODEL (ledgers));

  g_set_object (&self->ledgers, ledgers);
  gtk_filter_list_model_set_model (self->ledger_filter, ledgers);
  on_ledger_selection_items_changed_cb (self);
}

/**
 * ql_ledgers_page_get_selected_ledger:
 * @self: a #QlLedgersPage
 *
 * Returns: (nullable): the name of the selected ledger
 */
const char *
ql_ledgers_page_get_selected_ledger (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);

  return self->selected;
}

/**
 * ql_ledgers_page_get_new_ledger_name:
 * @self: a #QlLedgersPage
 *
 * Returns: the name typed into the New Ledger form
 */
const char *
ql_ledgers_page_get_new_ledger_name (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);

  return ql_new_ledger_popover_get_name (self->new_ledger_popover);
}

/**
 * ql_ledgers_page_get_new_ledger_detail:
 * @self: a #QlLedgersPage
 *
 * Returns: what the New Ledger form holds besides the name: a currency,
 *   possibly empty, for an account, the opening quantity for an item
 */
const char *
ql_ledgers_page_get_new_ledger_detail (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);

  return ql_new_ledger_popover_get_detail (self->new_ledger_popover);
}

/**
 * ql_ledgers_page_get_amount:
 * @self: a #QlLedgersPage
 *
 * Returns: the amount or quantity typed for a change of the ledger shown
 */
const char *
ql_ledgers_page_get_amount (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->amount_entry));
}

/**
 * ql_ledgers_page_get_shown_version:
 * @self: a #QlLedgersPage
 *
 * Returns: the version the time-travel control is on
 */
gint64
ql_ledgers_page_get_shown_version (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), 0);

  return (gint64) gtk_adjustment_get_value (self->version_adjustment);
}

static gboolean
select_listed_ledger (QlLedgersPage *self,
                      const char    *name)
{
  GListModel *listed = G_LIST_MODEL (self->ledger_filter);
  guint n = g_list_model_get_n_items (listed);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (listed, i);

      if (g_str_equal (ql_ledger_get_name (ledger), name))
        {
          gtk_single_selection_set_selected (self->ledger_selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->ledger_list), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ql_ledgers_page_select_ledger:
 * @self: a #QlLedgersPage
 * @name: the ledger to select
 *
 * Selects the ledger named @name, if the list holds it.
 */
void
ql_ledgers_page_select_ledger (QlLedgersPage *self,
                               const char    *name)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (name != NULL);

  /* A ledger asked for by name is shown even if the filter hid it. */
  if (!select_listed_ledger (self, name))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->ledger_search_entry), "");
      on_ledger_search_entry_search_changed_cb (self);
      select_listed_ledger (self, name);
    }
}

/**
 * ql_ledgers_page_show_ledger:
 * @self: a #QlLedgersPage
 * @ledger: (nullable): the ledger to show, or %NULL for none
 * @history: (nullable): its history, a list of #QlHistoryRow
 *
 * Shows a ledger as it is now. The time-travel control follows the newest
 * version unless the user moved it to an older one of the same ledger.
 */
void
ql_ledgers_page_show_ledger (QlLedgersPage *self,
                             QlLedger      *ledger,
                             GListModel    *history)
{
  g_autofree char *kind = NULL;
  g_autofree char *balance = NULL;
  gboolean item;
  gboolean same_ledger;
  gboolean at_newest;
  gboolean damaged;
  gint64 version;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (ledger == NULL || QL_IS_LEDGER (ledger));
  g_return_if_fail (history == NULL || G_IS_LIST_MODEL (history));

  same_ledger = self->shown != NULL && ledger != NULL &&
                g_str_equal (ql_ledger_get_name (self->shown), ql_ledger_get_name (ledger));
  if (!same_ledger)
    ql_ledger_history_view_reset_widths (self->ledger_history);
  at_newest = gtk_adjustment_get_value (self->version_adjustment) >=
              gtk_adjustment_get_upper (self->version_adjustment);
  g_set_object (&self->shown, ledger);

  /* The same history again has grown by itself: keep the rows and scrolling. */
  if (g_set_object (&self->history, history))
    {
      ql_ledger_history_view_set_history (self->ledger_history, history);
    }

  if (ledger == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "empty");
      return;
    }

  item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;
  kind = describe_kind (ledger);
  balance = ql_locale_numbers_format_balance (ledger);
  gtk_label_set_text (self->name_label, ql_ledger_get_name (ledger));
  /* A long name is cut: the tooltip has it whole. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), ql_ledger_get_name (ledger));
  gtk_label_set_text (self->kind_label, kind);
  gtk_label_set_text (self->balance_label, balance);
  gtk_button_set_label (self->plus_button, item ? _("_Increase") : _("_Deposit"));
  gtk_button_set_label (self->minus_button, item ? _("_Decrease") : _("_Withdraw"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->plus_button),
                                  item ? "ledgers.increase" : "ledgers.deposit");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->minus_button),
                                  item ? "ledgers.decrease" : "ledgers.withdraw");
  ql_accessible_names_set_mnemonic (self->plus_button);
  ql_accessible_names_set_mnemonic (self->minus_button);
  gtk_entry_set_placeholder_text (self->amount_entry, item ? _("Quantity") : _("Amount"));
  gtk_stack_set_visible_child_name (self->detail_stack, "ledger");

  /* A damaged ledger is shown as it was before the damage, read-only. */
  damaged = ql_ledger_get_damaged_version (ledger) > 0;
  if (damaged)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 ql_ledger_get_damaged_version (ledger));
      /* Translators: a version number, then why that event is damaged. */
      g_autofree char *damage = g_strdup_printf (_("Damaged at version %s, read-only: %s"),
                                                 number, ql_ledger_get_damage (ledger));

      gtk_label_set_text (self->damage_label, damage);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->damage_label), damaged);
  gtk_widget_set_sensitive (self->change_box, !damaged);

  version = ql_ledger_get_version (ledger);
  g_signal_handlers_block_by_func (self->version_scale, on_version_scale_value_changed_cb, self);
  gtk_adjustment_set_upper (self->version_adjustment, MAX (version, 1));
  if (!same_ledger || at_newest)
    gtk_adjustment_set_value (self->version_adjustment, version);
  g_signal_handlers_unblock_by_func (self->version_scale, on_version_scale_value_changed_cb, self);
  /* With one version there is no past to travel to. */
  gtk_widget_set_visible (self->time_travel_box, version > 1);
  follow_version (self);
}

/**
 * ql_ledgers_page_show_past_state:
 * @self: a #QlLedgersPage
 * @version: the version the state is from
 * @balance: the balance or quantity at @version, formatted
 *
 * Shows the state at the version the time-travel control is on, which
 * ql_ledgers_page_get_shown_version() tells.
 */
void
ql_ledgers_page_show_past_state (QlLedgersPage *self,
                                 gint64         version,
                                 const char    *balance)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (balance != NULL);

  /* An answer about a version the control has already left is stale. */
  if (version != (gint64) gtk_adjustment_get_value (self->version_adjustment))
    return;

  gtk_label_set_text (self->past_state_label, balance);
}

/**
 * ql_ledgers_page_clear_errors:
 * @self: a #QlLedgersPage
 *
 * Takes away what earlier actions said: an error or an import's result
 * belongs to the action that caused it, so the next action or another
 * ledger clears it. An import under way keeps its progress.
 */
void
ql_ledgers_page_clear_errors (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->amount_entry), "error");
  set_error (self->change_error_label, NULL);
  ql_ledger_history_view_show_search_error (self->ledger_history, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->transfer_amount_entry), "error");
  set_error (self->transfer_error_label, NULL);
  set_error (self->correct_error_label, NULL);
  ql_new_ledger_popover_clear_error (self->new_ledger_popover);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->import_progress)))
    {
      gtk_widget_set_visible (self->import_box, FALSE);
      gtk_label_set_text (self->import_status_label, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->import_status_label), "error");
    }
}

/**
 * ql_ledgers_page_show_change_error:
 * @self: a #QlLedgersPage
 * @message: why the change, undo or time travel failed
 *
 * Shows an error under the change controls.
 */
void
ql_ledgers_page_show_change_error (QlLedgersPage *self,
                                   const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_widget_add_css_class (GTK_WIDGET (self->amount_entry), "error");
  set_error (self->change_error_label, message);
}

/**
 * ql_ledgers_page_change_done:
 * @self: a #QlLedgersPage
 *
 * Clears the amount and any error after a change went through.
 */
void
ql_ledgers_page_change_done (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->amount_entry), "error");
  gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), "");
  set_error (self->change_error_label, NULL);
  ql_change_form_reset (self->change_form);
}

/**
 * ql_ledgers_page_show_create_error:
 * @self: a #QlLedgersPage
 * @message: why the ledger could not be created
 *
 * Shows an error under the New Ledger form, which keeps what was typed.
 */
void
ql_ledgers_page_show_create_error (QlLedgersPage *self,
                                   const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  ql_new_ledger_popover_show_error (self->new_ledger_popover, message);
}

/**
 * ql_ledgers_page_create_done:
 * @self: a #QlLedgersPage
 *
 * Clears and closes the New Ledger form after a ledger was created.
 */
void
ql_ledgers_page_create_done (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  ql_new_ledger_popover_done (self->new_ledger_popover);
}

/**
 * ql_ledgers_page_show_undone:
 * @self: a #QlLedgersPage
 * @what: the change that the undo reversed, such as “Deposited 50.00 EUR”
 *
 * Says in a toast what an undo reversed, with a button that activates
 * `ledgers.reverse-undo`. A newer undo's toast replaces the older one,
 * whose button would no longer mean what it says.
 */
void
ql_ledgers_page_show_undone (QlLedgersPage *self,
                             const char    *what)
{
  GtkWidget *overlay;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (what != NULL);

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return;

  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);

  /* Toast titles are markup; ledger names are not. */
  escaped = g_markup_escape_text (what, -1);
  /* Translators: %s is a change such as “Deposited 50.00 EUR” */
  title = g_strdup_printf (_("Reversed: %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Reverse Again"));
  adw_toast_set_timeout (toast, 10);
  g_signal_connect_object (toast, "button-clicked",
                           G_CALLBACK (on_undo_toast_button_clicked_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->undo_toast, toast);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/**
 * ql_ledgers_page_show_reconnecting:
 * @self: a #QlLedgersPage
 * @detail: (nullable): why the ledgers' store cannot be reached, or %NULL
 *   once it can be again
 *
 * Says, above the list, that the ledgers are being reconnected: what is
 * shown may be behind other writers' changes until then.
 */
void
ql_ledgers_page_show_reconnecting (QlLedgersPage *self,
                                   const char    *detail)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_set_visible (self->reconnecting_box, detail != NULL);
  gtk_spinner_set_spinning (self->reconnecting_spinner, detail != NULL);
  gtk_widget_set_tooltip_text (self->reconnecting_label, detail);
}

/**
 * ql_ledgers_page_set_read_only:
 * @self: a #QlLedgersPage
 * @read_only: whether the ledgers can only be shown
 *
 * Says up front that nothing can be changed, and offers no control that
 * would change anything; history and time travel stay.
 */
void
ql_ledgers_page_set_read_only (QlLedgersPage *self,
                               gboolean       read_only)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_set_visible (self->read_only_label, read_only);
  gtk_widget_set_visible (GTK_WIDGET (self->new_ledger_button), !read_only);
  gtk_widget_set_visible (self->import_button, !read_only);
  gtk_widget_set_visible (self->change_box, !read_only);
  gtk_widget_set_visible (GTK_WIDGET (self->correct_button), !read_only);
}

/**
 * ql_ledgers_page_show_import_progress:
 * @self: a #QlLedgersPage
 * @step: what the import is doing
 * @fraction: how much of it is done, from 0 to 1
 *
 * Shows an import under way.
 */
void
ql_ledgers_page_show_import_progress (QlLedgersPage *self,
                                      const char    *step,
                                      double         fraction)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (step != NULL);

  gtk_widget_set_visible (self->import_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->import_progress), TRUE);
  gtk_progress_bar_set_fraction (self->import_progress, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->import_progress, step);
  gtk_label_set_text (self->import_status_label, "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->import_status_label), "error");
}

/**
 * ql_ledgers_page_show_import_result:
 * @self: a #QlLedgersPage
 * @message: what the import did, or why it failed
 * @failed: whether it failed
 *
 * Shows how an import ended.
 */
void
ql_ledgers_page_show_import_result (QlLedgersPage *self,
                                    const char    *message,
                                    gboolean       failed)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_widget_set_visible (self->import_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->import_progress), FALSE);
  gtk_label_set_text (self->import_status_label, message);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->import_status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->import_status_label), "error");
}

/**
 * ql_ledgers_page_show_export_progress:
 * @self: a #QlLedgersPage
 * @fraction: how much of the export is written, from 0 to 1
 *
 * Shows an export under way where an import's progress shows.
 */
void
ql_ledgers_page_show_export_progress (QlLedgersPage *self,
                                      double         fraction)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  ql_ledgers_page_show_import_progress (self, _("Exporting…"), fraction);
}

/**
 * ql_ledgers_page_show_export_result:
 * @self: a #QlLedgersPage
 * @message: what the export wrote, or why it failed
 * @failed: whether it failed
 *
 * Says in a toast what an export wrote; a failure stays under the list,
 * where the progress was.
 */
void
ql_ledgers_page_show_export_result (QlLedgersPage *self,
                                    const char    *message,
                                    gboolean       failed)
{
  GtkWidget *overlay;
  g_autofree char *escaped = NULL;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  if (failed)
    {
      ql_ledgers_page_show_import_result (self, message, TRUE);
      return;
    }

  gtk_widget_set_visible (self->import_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->import_progress), FALSE);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return;
  /* Toast titles are markup; file names are not. */
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
}

/**
 * ql_ledgers_page_start_new_ledger:
 * @self: a #QlLedgersPage
 *
 * Opens the New Ledger form, unless the ledgers are read-only.
 */
void
ql_ledgers_page_start_new_ledger (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (!gtk_widget_get_visible (GTK_WIDGET (self->new_ledger_button)))
    return;

  /* In a narrow window the form pops up from the list's header. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  gtk_menu_button_popup (self->new_ledger_button);
}

/**
 * ql_ledgers_page_focus_first:
 * @self: a #QlLedgersPage
 *
 * Gives the keyboard focus to where work on the page starts: the list of
 * ledgers, or the New Ledger button while there is none.
 */
void
ql_ledgers_page_focus_first (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (gtk_widget_get_visible (self->ledger_scroller) &&
      gtk_widget_child_focus (GTK_WIDGET (self->ledger_list), GTK_DIR_TAB_FORWARD))
    return;

  if (gtk_widget_get_visible (GTK_WIDGET (self->new_ledger_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->new_ledger_button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->ledger_search_entry));
}

/**
 * ql_ledgers_page_focus_search:
 * @self: a #QlLedgersPage
 *
 * Moves the keyboard focus to the filter of the list of ledgers, or,
 * while the history has it, opens the search of the history.
 */
void
ql_ledgers_page_focus_search (QlLedgersPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (focus != NULL && self->shown != NULL &&
      (ql_ledger_history_view_holds_focus (self->ledger_history, focus) ||
       focus == self->history_search_button))
    {
      ql_ledger_history_view_start_search (self->ledger_history);
      return;
    }

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  gtk_widget_grab_focus (GTK_WIDGET (self->ledger_search_entry));
}

/**
 * ql_ledgers_page_focus_amount:
 * @self: a #QlLedgersPage
 *
 * Moves the keyboard focus to the amount entry of the ledger shown, if
 * one is shown and can be changed.
 *
 * Returns: whether the entry has the focus
 */
gboolean
ql_ledgers_page_focus_amount (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), FALSE);

  if (self->shown == NULL || !gtk_widget_is_sensitive (self->change_box) ||
      !gtk_widget_get_visible (self->change_box))
    return FALSE;

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  return gtk_widget_grab_focus (GTK_WIDGET (self->amount_entry));
}

static const char *
entry_text_or_null (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

/**
 * ql_ledgers_page_get_history_filter:
 * @self: a #QlLedgersPage
 * @filter: (out caller-allocates): what the history's search bar asks for
 *
 * Fills @filter from the search bar; an empty entry or a closed bar does
 * not restrict. The strings belong to the page's entries.
 *
 * Returns: whether the filter restricts anything
 */
gboolean
ql_ledgers_page_get_history_filter (QlLedgersPage *self,
                                    QlEventFilter *filter)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);

  return ql_ledger_history_view_get_filter (self->ledger_history, filter);
}

/**
 * ql_ledgers_page_show_history_matches:
 * @self: a #QlLedgersPage
 * @versions: (nullable) (element-type gint64): the versions a search
 *   found, possibly none, or %NULL to show the whole history
 *
 * Shows only the history's rows of @versions; the slider still shows
 * every version, and its row is selected when it is among them.
 */
void
ql_ledgers_page_show_history_matches (QlLedgersPage *self,
                                      GArray        *versions)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  ql_ledger_history_view_show_matches (self->ledger_history, versions);
}

/**
 * ql_ledgers_page_show_history_search_error:
 * @self: a #QlLedgersPage
 * @message: why the search could not be done
 *
 * Shows an error under the history's search bar; the rows stay as the
 * last search left them.
 */
void
ql_ledgers_page_show_history_search_error (QlLedgersPage *self,
                                           const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  ql_ledger_history_view_show_search_error (self->ledger_history, message);
}

/**
 * ql_ledgers_page_get_newest_first:
 * @self: a #QlLedgersPage
 *
 * Returns: whether the history lists the newest change first
 */
gboolean
ql_ledgers_page_get_newest_first (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), FALSE);

  return ql_ledger_history_view_get_newest_first (self->ledger_history);
}

/**
 * ql_ledgers_page_set_newest_first:
 * @self: a #QlLedgersPage
 * @newest_first: whether the history lists the newest change first
 */
void
ql_ledgers_page_set_newest_first (QlLedgersPage *self,
                                  gboolean       newest_first)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  ql_ledger_history_view_set_newest_first (self->ledger_history, newest_first);
}

/**
 * ql_ledgers_page_get_change_note:
 * @self: a #QlLedgersPage
 * @note: (out caller-allocates): what the entry form writes on a change
 *
 * Fills @note with the day picked and the payee and memo typed, %NULL
 * for an empty one. The strings belong to the page.
 */
void
ql_ledgers_page_get_change_note (QlLedgersPage *self,
                                 QlChangeNote  *note)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (note != NULL);

  note->date = ql_change_form_get_date (self->change_form);
  note->payee = entry_text_or_null (ql_change_form_get_payee (self->change_form));
  note->memo = entry_text_or_null (ql_change_form_get_memo (self->change_form));
}

/**
 * ql_ledgers_page_set_transfer_targets:
 * @self: a #QlLedgersPage
 * @names: (array zero-terminated=1): the ledgers the one shown can
 *   transfer to
 *
 * Lists the ledgers of the transfer form's choice, keeping the one picked
 * when it is still there.
 */
void
ql_ledgers_page_set_transfer_targets (QlLedgersPage      *self,
                                      const char * const *names)
{
  g_autofree char *picked = NULL;
  guint n;
  guint keep = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (names != NULL);

  picked = g_strdup (ql_ledgers_page_get_transfer_target (self));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->transfer_targets));
  gtk_string_list_splice (self->transfer_targets, 0, n, names);
  for (guint i = 0; names[i] != NULL && picked != NULL; i++)
    if (g_str_equal (names[i], picked))
      keep = i;
  gtk_drop_down_set_selected (self->transfer_target_dropdown, keep != GTK_INVALID_LIST_POSITION ? keep : 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->transfer_target_dropdown), names[0] != NULL);
}

/**
 * ql_ledgers_page_get_transfer_target:
 * @self: a #QlLedgersPage
 *
 * Returns: (nullable): the ledger picked in the transfer form, or %NULL
 *   when there is none to pick
 */
const char *
ql_ledgers_page_get_transfer_target (QlLedgersPage *self)
{
  GtkStringObject *item;

  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);

  item = gtk_drop_down_get_selected_item (self->transfer_target_dropdown);
  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

/**
 * ql_ledgers_page_get_transfer:
 * @self: a #QlLedgersPage
 * @note: (out caller-allocates): what the transfer form writes on both legs
 *
 * Fills @note as ql_ledgers_page_get_change_note() does, from the
 * transfer form.
 *
 * Returns: the amount typed in the transfer form
 */
const char *
ql_ledgers_page_get_transfer (QlLedgersPage *self,
                              QlChangeNote  *note)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), NULL);
  g_return_val_if_fail (note != NULL, NULL);

  note->date = ql_change_form_get_date (self->transfer_form);
  note->payee = entry_text_or_null (ql_change_form_get_payee (self->transfer_form));
  note->memo = entry_text_or_null (ql_change_form_get_memo (self->transfer_form));
  return gtk_editable_get_text (GTK_EDITABLE (self->transfer_amount_entry));
}

/**
 * ql_ledgers_page_show_transfer_error:
 * @self: a #QlLedgersPage
 * @message: why the transfer was refused
 *
 * Shows the error on the transfer form, which keeps what was typed.
 */
void
ql_ledgers_page_show_transfer_error (QlLedgersPage *self,
                                     const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_widget_add_css_class (GTK_WIDGET (self->transfer_amount_entry), "error");
  set_error (self->transfer_error_label, message);
}

/**
 * ql_ledgers_page_transfer_done:
 * @self: a #QlLedgersPage
 *
 * Clears and closes the transfer form after a transfer went through.
 */
void
ql_ledgers_page_transfer_done (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->transfer_amount_entry), "error");
  gtk_editable_set_text (GTK_EDITABLE (self->transfer_amount_entry), "");
  set_error (self->transfer_error_label, NULL);
  ql_change_form_reset (self->transfer_form);
  gtk_popover_popdown (self->transfer_popover);
}

/* What the user altered in the Correct form: %NULL for what stays. */
static const char *
altered (const char *typed,
         const char *before)
{
  return g_strcmp0 (typed, before != NULL ? before : "") != 0 ? typed : NULL;
}

/**
 * ql_ledgers_page_get_correction:
 * @self: a #QlLedgersPage
 * @note: (out caller-allocates): what the Correct form changes: a member
 *   the user left as it was is %NULL, an emptied payee or memo is ""
 *
 * Returns: the version of the change the form corrects, or 0 when it
 *   was opened on none
 */
gint64
ql_ledgers_page_get_correction (QlLedgersPage *self,
                                QlChangeNote  *note)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), 0);
  g_return_val_if_fail (note != NULL, 0);

  note->date = altered (ql_change_form_get_date (self->correct_form), self->correct_day);
  note->payee = altered (ql_change_form_get_payee (self->correct_form), self->correct_payee);
  note->memo = altered (ql_change_form_get_memo (self->correct_form), self->correct_memo);
  return self->correct_version;
}

/**
 * ql_ledgers_page_show_correct_error:
 * @self: a #QlLedgersPage
 * @message: why the correction was refused
 *
 * Shows the error on the Correct form, which stays open.
 */
void
ql_ledgers_page_show_correct_error (QlLedgersPage *self,
                                    const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (message != NULL);

  set_error (self->correct_error_label, message);
}

/**
 * ql_ledgers_page_correct_done:
 * @self: a #QlLedgersPage
 *
 * Closes the Correct form after the amendment was recorded.
 */
void
ql_ledgers_page_correct_done (QlLedgersPage *self)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  set_error (self->correct_error_label, NULL);
  gtk_popover_popdown (self->correct_popover);
}

/**
 * ql_ledgers_page_get_balance_date:
 * @self: a #QlLedgersPage
 * @date: (out caller-allocates): the day picked beside the slider
 *
 * Returns: whether a day is picked; with none, the page shows no balance
 *   on a day
 */
gboolean
ql_ledgers_page_get_balance_date (QlLedgersPage *self,
                                  GDate         *date)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), FALSE);
  g_return_val_if_fail (date != NULL, FALSE);

  *date = self->balance_date;
  return g_date_valid (&self->balance_date);
}

/**
 * ql_ledgers_page_show_balance_on:
 * @self: a #QlLedgersPage
 * @text: (nullable): the balance on the day picked, said in full, or
 *   %NULL to show none
 *
 * Shows the answer about the day picked beside the slider, with a button
 * back to today.
 */
void
ql_ledgers_page_show_balance_on (QlLedgersPage *self,
                                 const char    *text)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  gtk_label_set_text (self->balance_date_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->balance_date_box, text != NULL);
}

/**
 * ql_ledgers_page_get_chart_shown:
 * @self: a #QlLedgersPage
 *
 * Returns: whether the Chart tab is in front of the history
 */
gboolean
ql_ledgers_page_get_chart_shown (QlLedgersPage *self)
{
  g_return_val_if_fail (QL_IS_LEDGERS_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->section_stack), "chart") == 0;
}

/**
 * ql_ledgers_page_show_balance_chart:
 * @self: a #QlLedgersPage
 * @days: (array length=n_days) (nullable): the shown ledger's days with
 *   changes, in order, as its daily read model holds them
 * @n_days: how many
 * @opening: the balance before the first of them
 *
 * Draws the shown ledger's balance over time, in its decimals and
 * currency.
 */
void
ql_ledgers_page_show_balance_chart (QlLedgersPage        *self,
                                    const QlDailyBalance *days,
                                    guint                 n_days,
                                    gint64                opening)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (days != NULL || n_days == 0);

  if (self->shown == NULL)
    return;
  ql_balance_chart_set_balances (self->balance_chart, days, n_days, opening,
                                 ql_ledger_get_decimals (self->shown),
                                 ql_ledger_get_currency (self->shown));
}

/**
 * ql_ledgers_page_show_chart_until:
 * @self: a #QlLedgersPage
 * @version: the version time travel is on
 * @day: the Julian day of that version's change, or 0 at the newest
 *   version
 *
 * Dims the chart after the day of the state time travel shows.
 */
void
ql_ledgers_page_show_chart_until (QlLedgersPage *self,
                                  gint64         version,
                                  guint32        day)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  if (version != (gint64) gtk_adjustment_get_value (self->version_adjustment))
    return;
  ql_balance_chart_set_shown_until (self->balance_chart, day);
}

/**
 * ql_ledgers_page_show_monthly_totals:
 * @self: a #QlLedgersPage
 * @totals: (element-type QlMonthlyTotal): the shown ledger's lines by
 *   month, then type, as its monthly read model holds them
 *
 * Shows a month per row, newest first, and what each kind of change
 * moved in it; the last twelve months with changes at most.
 */
void
ql_ledgers_page_show_monthly_totals (QlLedgersPage *self,
                                     GPtrArray     *totals)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));
  g_return_if_fail (totals != NULL);

  ql_monthly_totals_grid_set_totals (self->monthly_totals, self->shown != NULL ? totals : NULL,
                                     self->shown != NULL ? ql_ledger_get_decimals (self->shown) : 0,
                                     self->shown != NULL ? ql_ledger_get_currency (self->shown) : NULL);
}

/**
 * ql_ledgers_page_show_chart_error:
 * @self: a #QlLedgersPage
 * @message: (nullable): why the chart and the monthly totals could not
 *   be brought up to date, or %NULL once they are again
 */
void
ql_ledgers_page_show_chart_error (QlLedgersPage *self,
                                  const char    *message)
{
  g_return_if_fail (QL_IS_LEDGERS_PAGE (self));

  set_error (self->chart_error_label, message);
}
