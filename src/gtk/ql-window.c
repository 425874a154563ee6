/* ql-window.c: the main window, with a Quotes page and a Ledgers page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-accessible-names.h"
#include "ql-chat-controller.h"
#include "ql-ledgers-controller.h"
#include "ql-quotes-controller.h"
#include "ql-window.h"

struct _QlWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  QlQuotesPage         *quotes_page;
  QlLedgersPage        *ledgers_page;
  QlChatPage           *chat_page;
  GMenu                *skins_section;
  GtkWidget            *primary_menu_button;

  /* Owned References */
  GSettings            *settings;
  QlSkinManager        *skin_manager;
  QlQuotesController   *quotes_controller;
  QlLedgersController  *ledgers_controller;
  QlChatController     *chat_controller;
};

G_DEFINE_FINAL_TYPE (QlWindow, ql_window, ADW_TYPE_APPLICATION_WINDOW)

static void
fill_skins_menu (QlWindow *self)
{
  GListModel *skins = ql_skin_manager_get_skins (self->skin_manager);
  guint n = g_list_model_get_n_items (skins);

  g_assert (QL_IS_WINDOW (self));

  g_menu_remove_all (self->skins_section);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringObject) skin = g_list_model_get_item (skins, i);
      const char *id = gtk_string_object_get_string (skin);
      g_autofree char *title = ql_skin_manager_dup_title (self->skin_manager, id);
      g_autoptr(GMenuItem) item = g_menu_item_new (title, NULL);

      g_menu_item_set_action_and_target_value (item, "app.skin", g_variant_new_string (id));
      g_menu_append_item (self->skins_section, item);
    }
}

static void
on_skins_items_changed_cb (QlWindow   *self,
                           guint       position,
                           guint       removed,
                           guint       added,
                           GListModel *skins)
{
  g_assert (QL_IS_WINDOW (self));

  fill_skins_menu (self);
}

static void
restore_size (QlWindow *self)
{
  g_assert (QL_IS_WINDOW (self));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (QlWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width;
  int height;

  g_assert (QL_IS_WINDOW (self));

  /* A maximized window keeps the size it had before, to restore it later. */
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (maximized)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static void
ql_window_page_action_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  ql_window_show_page (QL_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

static gboolean
ledgers_page_in_front (QlWindow *self)
{
  return adw_view_stack_get_visible_child (self->stack) == GTK_WIDGET (self->ledgers_page);
}

/* Each page searches what it shows: quotes, or the list of ledgers. */
static void
ql_window_search_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  QlWindow *self = QL_WINDOW (user_data);

  if (ledgers_page_in_front (self))
    ql_ledgers_page_focus_search (self->ledgers_page);
  else
    ql_quotes_page_focus_search (self->quotes_page);
}

static void
ql_window_new_ledger_action_cb (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  QlWindow *self = QL_WINDOW (user_data);

  ql_window_show_page (self, "ledgers");
  ql_ledgers_page_start_new_ledger (self->ledgers_page);
}

static void
ql_window_import_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  QlWindow *self = QL_WINDOW (user_data);

  ql_window_show_page (self, "ledgers");
  gtk_widget_activate_action (GTK_WIDGET (self->ledgers_page), "ledgers.import", NULL);
}

static void
ql_window_export_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  QlWindow *self = QL_WINDOW (user_data);

  ql_window_show_page (self, "ledgers");
  gtk_widget_activate_action (GTK_WIDGET (self->ledgers_page), "ledgers.export", NULL);
}

static void
ql_window_enter_amount_action_cb (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  QlWindow *self = QL_WINDOW (user_data);

  ql_window_show_page (self, "ledgers");
  if (!ql_ledgers_page_focus_amount (self->ledgers_page))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

/* In the window's action map rather than installed on the class, so that
 * they are exported on the session bus with the application's. */
static const GActionEntry window_actions[] = {
  { "page", ql_window_page_action_cb, "s" },
  { "search", ql_window_search_action_cb },
  { "new-ledger", ql_window_new_ledger_action_cb },
  { "import", ql_window_import_action_cb },
  { "export", ql_window_export_action_cb },
  { "enter-amount", ql_window_enter_amount_action_cb },
};

/* A page brought to the front takes the keyboard where its work starts. */
static void
focus_page (QlWindow *self)
{
  g_assert (QL_IS_WINDOW (self));

  if (ledgers_page_in_front (self))
    ql_ledgers_page_focus_first (self->ledgers_page);
  else
    ql_quotes_page_focus_first (self->quotes_page);
}

static gboolean
ql_window_close_request (GtkWindow *window)
{
  save_size (QL_WINDOW (window));

  return GTK_WINDOW_CLASS (ql_window_parent_class)->close_request (window);
}

/* GtkWindow:application is set only after construction, so the window
 * meets its application here. */
static void
attach_to_application (QlWindow      *self,
                       QlApplication *app)
{
  g_assert (QL_IS_WINDOW (self));
  g_assert (QL_IS_APPLICATION (app));

  self->settings = g_object_ref (ql_application_get_settings (app));
  self->skin_manager = g_object_ref (ql_application_get_skin_manager (app));

  self->quotes_controller = ql_quotes_controller_new (ql_application_get_quote_book (app),
                                                      self->quotes_page);
  self->ledgers_controller = ql_ledgers_controller_new (ql_application_get_ledger_book (app),
                                                        self->ledgers_page);
  self->chat_controller = ql_chat_controller_new (NULL, ql_application_get_quote_book (app),
                                                  ql_application_get_ledger_book (app),
                                                  self->chat_page);

  fill_skins_menu (self);
  g_signal_connect_object (ql_skin_manager_get_skins (self->skin_manager), "items-changed",
                           G_CALLBACK (on_skins_items_changed_cb), self, G_CONNECT_SWAPPED);

  restore_size (self);
  g_settings_bind (self->settings, "history-newest-first",
                   self->ledgers_page, "newest-first", G_SETTINGS_BIND_DEFAULT);
}

static void
ql_window_dispose (GObject *object)
{
  QlWindow *self = (QlWindow *) object;

  g_clear_object (&self->quotes_controller);
  g_clear_object (&self->ledgers_controller);
  g_clear_object (&self->chat_controller);
  g_clear_object (&self->skin_manager);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), QL_TYPE_WINDOW);

  G_OBJECT_CLASS (ql_window_parent_class)->dispose (object);
}

static void
ql_window_class_init (QlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ql_window_dispose;

  window_class->close_request = ql_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-window.ui");
  gtk_widget_class_bind_template_child (widget_class, QlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, quotes_page);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, ledgers_page);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, skins_section);
  gtk_widget_class_bind_template_child (widget_class, QlWindow, primary_menu_button);

  g_type_ensure (QL_TYPE_QUOTES_PAGE);
  g_type_ensure (QL_TYPE_LEDGERS_PAGE);
  g_type_ensure (QL_TYPE_CHAT_PAGE);
}

static void
ql_window_init (QlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ql_accessible_names_set_menu_button (self->primary_menu_button, _("Main Menu"));

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);

  g_signal_connect_object (self->stack, "notify::visible-child",
                           G_CALLBACK (focus_page), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (focus_page), NULL);
}

/**
 * ql_window_new:
 * @application: the application that owns the model
 *
 * Returns: (transfer full): a new main window of @application
 */
QlWindow *
ql_window_new (QlApplication *application)
{
  QlWindow *self;

  g_return_val_if_fail (QL_IS_APPLICATION (application), NULL);

  self = g_object_new (QL_TYPE_WINDOW, "application", application, NULL);
  attach_to_application (self, application);

  return self;
}

/**
 * ql_window_get_quotes_page:
 * @self: a #QlWindow
 *
 * Returns: (transfer none): the Quotes page
 */
QlQuotesPage *
ql_window_get_quotes_page (QlWindow *self)
{
  g_return_val_if_fail (QL_IS_WINDOW (self), NULL);

  return self->quotes_page;
}

/**
 * ql_window_get_ledgers_page:
 * @self: a #QlWindow
 *
 * Returns: (transfer none): the Ledgers page
 */
QlLedgersPage *
ql_window_get_ledgers_page (QlWindow *self)
{
  g_return_val_if_fail (QL_IS_WINDOW (self), NULL);

  return self->ledgers_page;
}

/**
 * ql_window_show_page:
 * @self: a #QlWindow
 * @name: "quotes" or "ledgers"
 *
 * Brings a page to the front.
 */
void
ql_window_show_page (QlWindow   *self,
                     const char *name)
{
  g_return_if_fail (QL_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

/**
 * ql_window_show_toast:
 * @self: a #QlWindow
 * @message: plain text to show
 *
 * Shows @message briefly over the window.
 */
void
ql_window_show_toast (QlWindow   *self,
                      const char *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (QL_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  /* Toast titles are markup. */
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}
