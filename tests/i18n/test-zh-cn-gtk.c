/* test-zh-cn-gtk.c: the real window under zh_CN.UTF-8 shows Chinese
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-zh-cn-gtk"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "ql-test-gtk.h"

static QlTestApp *test_app;

static void
setup (void)
{
  test_app = ql_test_app_new (FALSE);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
}

static const char *
button_label (GtkWidget  *root,
              const char *id)
{
  return gtk_button_get_label (GTK_BUTTON (ql_test_find_widget (root, id)));
}

static char *
history_cell (GtkWidget  *page,
              guint       row,
              const char *property)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), row);
  char *text = NULL;

  ck_assert_ptr_nonnull (item);
  g_object_get (item, property, &text, NULL);
  return text;
}

START_TEST (test_window_and_pages)
{
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (ql_window_get_quotes_page (test_app->window)),
                                              ADW_TYPE_VIEW_STACK);
  g_autoptr(GtkSelectionModel) pages = NULL;
  const char * const titles[] = { "名言(_Q)", "账本(_L)", "聊天(_C)" };

  ck_assert_ptr_nonnull (stack);
  pages = adw_view_stack_get_pages (ADW_VIEW_STACK (stack));
  ck_assert_str_eq (gtk_window_get_title (GTK_WINDOW (test_app->window)), "名言账本");
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (pages)), G_N_ELEMENTS (titles));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      ck_assert_str_eq (adw_view_stack_page_get_title (page), titles[i]);
      ck_assert (adw_view_stack_page_get_use_underline (page));
    }
  ck_assert_str_eq (gtk_widget_get_tooltip_text (ql_test_find_widget (GTK_WIDGET (test_app->window),
                                                                      "primary_menu_button")),
                    "主菜单");
}
END_TEST

START_TEST (test_quotes_page)
{
  GtkWidget *page = GTK_WIDGET (ql_window_get_quotes_page (test_app->window));

  ck_assert_str_eq (gtk_entry_get_placeholder_text (GTK_ENTRY (ql_test_find_widget (page, "index_entry"))),
                    "名言编号");
  ck_assert_str_eq (button_label (page, "show_button"), "显示(_S)");
  ck_assert_str_eq (gtk_widget_get_tooltip_text (ql_test_find_widget (page, "random_button")),
                    "随机名言");

  ql_test_set_text (page, "index_entry", "3");
  ql_test_activate (page, "index_entry");
  ck_assert_str_eq (ql_test_label_text (page, "caption_label"), "名言是：");
  ql_test_set_text (page, "index_entry", "6");
  ql_test_activate (page, "index_entry");
  ck_assert_str_eq (ql_test_label_text (page, "error_label"), "没有第 6 条名言：请选择 0 到 4");

  ql_test_set_text (page, "index_entry", "abc");
  ql_test_activate (page, "index_entry");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "error_label")));
  ck_assert_str_eq (ql_test_label_text (page, "error_label"), "编号“abc”不正确");
}
END_TEST

START_TEST (test_ledgers_page)
{
  GtkWidget *page = GTK_WIDGET (ql_window_get_ledgers_page (test_app->window));
  GtkWidget *kind_row = ql_test_find_widget (page, "kind_row");
  GListModel *kinds = adw_combo_row_get_model (ADW_COMBO_ROW (kind_row));
  gboolean has_event_column = FALSE;
  gboolean has_payee_column = FALSE;
  GtkWidget *payee;
  g_autofree char *transferred = NULL;
  g_autoptr(QlEvent) other = NULL;
  g_autoptr(QlEvent) moved = NULL;
  GListModel *columns;
  g_autofree char *opened = NULL;
  g_autofree char *deposited = NULL;
  g_autofree char *undone = NULL;

  ql_window_show_page (test_app->window, "ledgers");
  ql_test_spin (20);
  ql_test_open_popover (ql_test_find_widget (page, "new_ledger_button"));

  ck_assert_str_eq (button_label (page, "create_button"), "创建(_R)");
  ck_assert_str_eq (gtk_string_list_get_string (GTK_STRING_LIST (kinds), 0), "银行账户");
  ck_assert_str_eq (gtk_string_list_get_string (GTK_STRING_LIST (kinds), 1), "库存物品");
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ql_test_find_widget (page, "name_row"))),
                    "名称");

  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 0);
  ql_test_set_text (page, "name_row", "储蓄");
  ql_test_activate (page, "create_button");
  ck_assert_str_eq (ql_test_label_text (page, "name_label"), "储蓄");
  ck_assert_str_eq (button_label (page, "plus_button"), "存入(_D)");
  ck_assert_str_eq (button_label (page, "minus_button"), "取出(_W)");
  ck_assert_str_eq (gtk_entry_get_placeholder_text (GTK_ENTRY (ql_test_find_widget (page, "amount_entry"))),
                    "金额");

  ql_test_set_text (page, "amount_entry", "100");
  ql_test_activate (page, "plus_button");
  ql_test_set_text (page, "amount_entry", "30");
  ql_test_activate (page, "minus_button");
  ql_test_activate (page, "undo_button");
  QL_TEST_WAIT_FOR (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "储蓄")) == 4,
                    2000);
  ql_test_spin (20);

  /* The history shows event types by their Chinese labels. */
  opened = history_cell (page, 0, "event-type");
  deposited = history_cell (page, 1, "event-type");
  undone = history_cell (page, 3, "event-type");
  ck_assert_str_eq (opened, "开户");
  ck_assert_str_eq (deposited, "存入");
  ck_assert_str_eq (undone, "存入（撤销版本 3）");

  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view")));
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), "事件") == 0)
        has_event_column = TRUE;
      if (g_strcmp0 (gtk_column_view_column_get_title (column), "收付款人") == 0)
        has_payee_column = TRUE;
    }
  ck_assert_msg (has_event_column, "no history column is titled 事件");
  ck_assert_msg (has_payee_column, "no history column is titled 收付款人");

  /* The change form, the transfer and the correction speak Chinese too. */
  payee = ql_test_find_widget (ql_test_find_widget (page, "change_form"), "payee_entry");
  ck_assert_str_eq (gtk_entry_get_placeholder_text (GTK_ENTRY (payee)), "收付款人（可选）");
  ck_assert_str_eq (button_label (page, "transfer_confirm_button"), "转账(_T)");
  ck_assert_str_eq (button_label (page, "correct_apply_button"), "记录更正(_R)");
  other = ql_ledger_book_open_account (test_app->ledger_book, "活期", NULL, NULL);
  moved = ql_ledger_book_transfer (test_app->ledger_book, "储蓄", "活期", "10", NULL, NULL);
  ck_assert_ptr_nonnull (moved);
  ql_test_spin (20);
  transferred = history_cell (page, 4, "event-type");
  ck_assert_str_eq (transferred, "转账到 活期");

  /* An item's buttons change with it. */
  ql_test_open_popover (ql_test_find_widget (page, "new_ledger_button"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 1);
  ql_test_set_text (page, "name_row", "笔记本电脑");
  ql_test_set_text (page, "detail_row", "10");
  ql_test_activate (page, "create_button");
  ck_assert_str_eq (button_label (page, "plus_button"), "增加(_I)");
  ck_assert_str_eq (button_label (page, "minus_button"), "减少(_D)");
}
END_TEST

static Suite *
zh_cn_suite (void)
{
  Suite *suite = suite_create ("QlWindow in Chinese");
  TCase *tcase;

  tcase = tcase_create ("window-and-pages");
  tcase_set_timeout (tcase, 60);
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_window_and_pages);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("quotes-page");
  tcase_set_timeout (tcase, 60);
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_quotes_page);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("ledgers-page");
  tcase_set_timeout (tcase, 60);
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_ledgers_page);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  /* Chinese from the start: GTK sets the locale from the environment when
   * it starts, and the templates take the program's text domain. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LC_ALL", "zh_CN.UTF-8", TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("The zh_CN.UTF-8 locale is missing (tools/install-deps makes it)\n");
      return EXIT_FAILURE;
    }
  bindtextdomain (GETTEXT_PACKAGE, QL_TEST_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return ql_test_run_suite (zh_cn_suite ());
}
