/* test-monthly-totals-grid.c: the monthly totals grid on its own, given
 * the lines of a monthly read model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-monthly-totals-grid"

#include "config.h"

#include <gtk/gtk.h>

#include "ql-amount.h"
#include "ql-ledger-events.h"
#include "ql-monthly-totals-grid.h"
#include "ql-test-gtk.h"

static GtkWidget *grid;

static void
setup (void)
{
  gtk_init ();
  grid = g_object_ref_sink (g_object_new (QL_TYPE_MONTHLY_TOTALS_GRID, NULL));
}

static void
teardown (void)
{
  g_clear_object (&grid);
}

static char *
cell_text (guint column,
           guint row)
{
  GtkWidget *cells = ql_test_find_widget (grid, "monthly_grid");
  GtkWidget *cell = gtk_grid_get_child_at (GTK_GRID (cells), (int) column, (int) row);

  return cell != NULL ? g_strdup (gtk_label_get_text (GTK_LABEL (cell))) : NULL;
}

static char *
month_text (guint year,
            guint month)
{
  g_autoptr(GDateTime) time = g_date_time_new_local ((int) year, (int) month, 1, 12, 0, 0);

  return g_date_time_format (time, "%b %Y");
}

static char *
euros (gint64 total)
{
  g_autofree char *amount = ql_amount_format (total, 2);

  return g_strconcat (amount, " EUR", NULL);
}

/* The column whose heading is @type's label, or 0. */
static guint
type_column (const char *type)
{
  for (guint column = 1;; column++)
    {
      g_autofree char *heading = cell_text (column, 0);

      if (heading == NULL)
        return 0;
      if (g_str_equal (heading, ql_event_type_get_label (type)))
        return column;
    }
}

static GtkWidget *
note (void)
{
  return ql_test_find_widget (grid, "monthly_note_label");
}

START_TEST (test_cells_are_the_totals_newest_month_first)
{
  /* As the read model holds them: by month, then type, oldest first. */
  QlMonthlyTotal lines[] = {
    { 2026, 1, (char *) QL_EVENT_DEPOSITED, 15725, 3 },
    { 2026, 1, (char *) QL_EVENT_WITHDRAWN, 3000, 1 },
    { 2026, 3, (char *) QL_EVENT_DEPOSITED, 1200, 1 },
  };
  g_autoptr(GPtrArray) totals = g_ptr_array_new ();
  guint deposits;
  guint withdrawals;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_ptr_array_add (totals, &lines[i]);
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), totals, 2, "EUR");

  deposits = type_column (QL_EVENT_DEPOSITED);
  withdrawals = type_column (QL_EVENT_WITHDRAWN);
  ck_assert_uint_ne (deposits, 0);
  ck_assert_uint_ne (withdrawals, 0);
  ck_assert_uint_ne (deposits, withdrawals);

  /* A row per month with changes, newest first; February had none. */
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      guint row = lines[i].month == 3 ? 1 : 2;
      guint column = g_str_equal (lines[i].type, QL_EVENT_DEPOSITED) ? deposits : withdrawals;
      g_autofree char *month = month_text (lines[i].year, lines[i].month);
      g_autofree char *shown_month = cell_text (0, row);
      g_autofree char *expected = euros (lines[i].total);
      g_autofree char *shown = cell_text (column, row);

      ck_assert_str_eq (shown_month, month);
      ck_assert_str_eq (shown, expected);
    }
  ck_assert_ptr_null (cell_text (0, 3));
  /* No withdrawal in March: its cell stays empty. */
  ck_assert_ptr_null (cell_text (withdrawals, 1));
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (grid, "monthly_grid")));
  ck_assert (!gtk_widget_get_visible (note ()));
}
END_TEST

START_TEST (test_only_the_last_twelve_months)
{
  QlMonthlyTotal lines[14];
  g_autoptr(GPtrArray) totals = g_ptr_array_new ();

  /* Fourteen months, from November 2024 to December 2025. */
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      guint months = 2024 * 12 + 10 + i;

      lines[i] = (QlMonthlyTotal) { months / 12, months % 12 + 1, (char *) QL_EVENT_DEPOSITED,
                                    (gint64) (i + 1) * 100, 1 };
      g_ptr_array_add (totals, &lines[i]);
    }
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), totals, 2, "EUR");

  for (guint row = 1; row <= 12; row++)
    {
      QlMonthlyTotal *line = &lines[G_N_ELEMENTS (lines) - row];
      g_autofree char *month = month_text (line->year, line->month);
      g_autofree char *shown_month = cell_text (0, row);
      g_autofree char *expected = euros (line->total);
      g_autofree char *shown = cell_text (1, row);

      ck_assert_str_eq (shown_month, month);
      ck_assert_str_eq (shown, expected);
    }
  ck_assert_ptr_null (cell_text (0, 13));
  ck_assert (gtk_widget_get_visible (note ()));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (note ())), "The last 12 of 14 months");
}
END_TEST

START_TEST (test_no_totals_says_so)
{
  QlMonthlyTotal line = { 2026, 1, (char *) QL_EVENT_DEPOSITED, 100, 1 };
  g_autoptr(GPtrArray) totals = g_ptr_array_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_ptr_array_add (totals, &line);
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), totals, 2, "EUR");
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), none, 2, "EUR");

  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (grid, "monthly_grid")));
  ck_assert (gtk_widget_get_visible (note ()));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (note ())), "No changes yet");

  /* No ledger: the grid is emptied, the rest left as it was. */
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), totals, 2, "EUR");
  ql_monthly_totals_grid_set_totals (QL_MONTHLY_TOTALS_GRID (grid), NULL, 0, NULL);
  ck_assert_ptr_null (gtk_widget_get_first_child (ql_test_find_widget (grid, "monthly_grid")));
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("Monthly totals grid");
  TCase *tcase = tcase_create ("grid");

  /* A window in an ASan build: far slower than Check's 4 s default. */
  tcase_set_timeout (tcase, 60);
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_cells_are_the_totals_newest_month_first);
  tcase_add_test (tcase, test_only_the_last_twelve_months);
  tcase_add_test (tcase, test_no_totals_says_so);
  suite_add_tcase (suite, tcase);

  return ql_test_run_suite (suite);
}
