/* ql-monthly-totals-grid.c: a ledger's totals by month and kind of change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-monthly-totals-grid"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-ledger-events.h"
#include "ql-locale-numbers.h"
#include "ql-monthly-totals-grid.h"

/**
 * QlMonthlyTotalsGrid:
 *
 * The Chart tab's table of a ledger's monthly read model: a month per
 * row, newest first, a kind of change per column, and a note below when
 * there is nothing to show or more months than fit.
 */
struct _QlMonthlyTotalsGrid
{
  GtkWidget  parent_instance;

  /* Template Widgets */
  GtkWidget *monthly_box;
  GtkGrid   *monthly_grid;
  GtkLabel  *monthly_note_label;
};

G_DEFINE_FINAL_TYPE (QlMonthlyTotalsGrid, ql_monthly_totals_grid, GTK_TYPE_WIDGET)

#define MAX_MONTHS 12

static GtkWidget *
monthly_cell (const char *text,
              float       xalign,
              const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

static char *
format_month (guint year,
              guint month)
{
  g_autoptr(GDateTime) time = g_date_time_new_local ((int) year, (int) month, 1, 12, 0, 0);

  /* Translators: a month in the monthly totals, as g_date_time_format()
   * writes it: “%b %Y” is “Mar 2026” */
  return time != NULL ? g_date_time_format (time, _("%b %Y")) : g_strdup_printf ("%04u-%02u", year, month);
}

static void
ql_monthly_totals_grid_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), QL_TYPE_MONTHLY_TOTALS_GRID);

  G_OBJECT_CLASS (ql_monthly_totals_grid_parent_class)->dispose (object);
}

static void
ql_monthly_totals_grid_class_init (QlMonthlyTotalsGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_monthly_totals_grid_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-monthly-totals-grid.ui");
  gtk_widget_class_bind_template_child (widget_class, QlMonthlyTotalsGrid, monthly_box);
  gtk_widget_class_bind_template_child (widget_class, QlMonthlyTotalsGrid, monthly_grid);
  gtk_widget_class_bind_template_child (widget_class, QlMonthlyTotalsGrid, monthly_note_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "monthlytotalsgrid");
}

static void
ql_monthly_totals_grid_init (QlMonthlyTotalsGrid *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ql_monthly_totals_grid_set_totals:
 * @self: a #QlMonthlyTotalsGrid
 * @totals: (element-type QlMonthlyTotal) (nullable): a ledger's lines by
 *   month, then type, as its monthly read model holds them, or %NULL to
 *   empty the grid
 * @decimals: the ledger's decimals
 * @currency: (nullable): the ledger's currency
 *
 * Shows a month per row, newest first, and what each kind of change
 * moved in it; the last twelve months with changes at most.
 */
void
ql_monthly_totals_grid_set_totals (QlMonthlyTotalsGrid *self,
                                   GPtrArray           *totals,
                                   guint                decimals,
                                   const char          *currency)
{
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  GtkWidget *child;
  guint row = 0;
  guint n_months = 0;

  g_return_if_fail (QL_IS_MONTHLY_TOTALS_GRID (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->monthly_grid))) != NULL)
    gtk_grid_remove (self->monthly_grid, child);
  if (totals == NULL)
    return;

  for (guint i = 0; i < totals->len; i++)
    {
      QlMonthlyTotal *total = g_ptr_array_index (totals, i);
      guint found;

      if (!g_ptr_array_find_with_equal_func (types, total->type, g_str_equal, &found))
        g_ptr_array_add (types, total->type);
      if (i == 0 || total->year != ((QlMonthlyTotal *) g_ptr_array_index (totals, i - 1))->year ||
          total->month != ((QlMonthlyTotal *) g_ptr_array_index (totals, i - 1))->month)
        n_months++;
    }

  gtk_grid_attach (self->monthly_grid, monthly_cell (_("Month"), 0, "heading"), 0, 0, 1, 1);
  for (guint t = 0; t < types->len; t++)
    gtk_grid_attach (self->monthly_grid,
                     monthly_cell (ql_event_type_get_label (g_ptr_array_index (types, t)), 1,
                                   "heading"),
                     (int) t + 1, 0, 1, 1);

  /* Newest first: the lines are read oldest first. */
  for (guint i = totals->len; i > 0 && row < MAX_MONTHS;)
    {
      QlMonthlyTotal *first = g_ptr_array_index (totals, i - 1);
      g_autofree char *month = format_month (first->year, first->month);

      row++;
      gtk_grid_attach (self->monthly_grid, monthly_cell (month, 0, NULL), 0, (int) row, 1, 1);
      for (; i > 0; i--)
        {
          QlMonthlyTotal *total = g_ptr_array_index (totals, i - 1);
          g_autofree char *amount = NULL;
          g_autofree char *count = NULL;
          g_autofree char *tooltip = NULL;
          GtkWidget *cell;
          guint column;

          if (total->year != first->year || total->month != first->month)
            break;
          g_ptr_array_find_with_equal_func (types, total->type, g_str_equal, &column);
          amount = ql_locale_numbers_format_units (total->total, decimals, currency);
          count = ql_locale_numbers_format_count ((guint64) total->count);
          cell = monthly_cell (amount, 1, "numeric");
          /* Translators: how many changes a monthly total adds up */
          tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s change", "%s changes",
                                                  (gulong) total->count),
                                     count);
          gtk_widget_set_tooltip_text (cell, tooltip);
          gtk_grid_attach (self->monthly_grid, cell, (int) column + 1, (int) row, 1, 1);
        }
    }

  if (n_months > MAX_MONTHS)
    {
      g_autofree char *shown = ql_locale_numbers_format_count (MAX_MONTHS);
      g_autofree char *all = ql_locale_numbers_format_count (n_months);
      /* Translators: the months shown, then how many months have changes */
      g_autofree char *note = g_strdup_printf (_("The last %s of %s months"), shown, all);

      gtk_label_set_text (self->monthly_note_label, note);
    }
  else if (n_months == 0)
    gtk_label_set_text (self->monthly_note_label, _("No changes yet"));
  gtk_widget_set_visible (GTK_WIDGET (self->monthly_note_label),
                          n_months > MAX_MONTHS || n_months == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->monthly_grid), n_months > 0);
}

