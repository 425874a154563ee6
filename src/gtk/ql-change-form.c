/* ql-change-form.c: what people write on a change: its day, payee and memo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-change-form"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-accessible-names.h"
#include "ql-change-form.h"
#include "ql-dates.h"
#include "ql-locale-numbers.h"

/**
 * QlChangeForm:
 *
 * The fields a change carries besides its amount: a button that shows
 * the day it happened and opens a calendar (today, in the user's time
 * zone, until another day is picked), an optional payee and an optional
 * memo. The page it sits on reads them through the getters; Enter in a
 * field emits #QlChangeForm::activate, for the page to do what its main
 * button does. Vertical, the fields are stacked; horizontal, they share
 * one row while each entry gets a readable width, and take two rows in a
 * narrow window.
 */
struct _QlChangeForm
{
  GtkWidget       parent_instance;

  /* Template Widgets */
  GtkMenuButton  *date_button;
  GtkPopover     *date_popover;
  GtkCalendar    *date_calendar;
  GtkEntry       *payee_entry;
  GtkEntry       *memo_entry;

  GtkOrientation  orientation;
  GDate           date;
  /* The day as the model reads it, YYYY-MM-DD */
  char           *date_text;
  gboolean        filling;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (QlChangeForm, ql_change_form, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_ORIENTABLE, NULL))

enum {
  PROP_0,
  PROP_ORIENTATION,
  N_PROPS
};

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define SPACING 6
/* The width below which an entry is too narrow to read what it holds */
#define ENTRY_COMFORT_WIDTH 140

static int
child_size (GtkWidget      *child,
            GtkOrientation  orientation,
            gboolean        natural)
{
  int minimum = 0;
  int nat = 0;

  gtk_widget_measure (child, orientation, -1, &minimum, &nat, NULL, NULL);
  return natural ? nat : minimum;
}

/* Whether the three fields share one row at @width. */
static gboolean
fits_one_row (QlChangeForm *self,
              int           width)
{
  int date = child_size (GTK_WIDGET (self->date_button), GTK_ORIENTATION_HORIZONTAL, TRUE);

  return width < 0 || width >= date + 2 * ENTRY_COMFORT_WIDTH + 2 * SPACING;
}

static void
ql_change_form_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  QlChangeForm *self = QL_CHANGE_FORM (widget);
  GtkWidget *date = GTK_WIDGET (self->date_button);
  GtkWidget *payee = GTK_WIDGET (self->payee_entry);
  GtkWidget *memo = GTK_WIDGET (self->memo_entry);
  GtkWidget *fields[] = { date, payee, memo };

  *minimum = *natural = 0;
  if (self->orientation == GTK_ORIENTATION_VERTICAL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          int child_min = child_size (fields[i], orientation, FALSE);
          int child_nat = child_size (fields[i], orientation, TRUE);

          if (orientation == GTK_ORIENTATION_VERTICAL)
            {
              *minimum += child_min + (i > 0 ? SPACING : 0);
              *natural += child_nat + (i > 0 ? SPACING : 0);
            }
          else
            {
              *minimum = MAX (*minimum, child_min);
              *natural = MAX (*natural, child_nat);
            }
        }
      return;
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* At the least, two rows: the day and the payee, then the memo. */
      *minimum = MAX (child_size (date, orientation, FALSE) + SPACING +
                      child_size (payee, orientation, FALSE),
                      child_size (memo, orientation, FALSE));
      *natural = child_size (date, orientation, TRUE) + 2 * SPACING +
                 MAX (child_size (payee, orientation, TRUE), ENTRY_COMFORT_WIDTH) +
                 MAX (child_size (memo, orientation, TRUE), ENTRY_COMFORT_WIDTH);
      *natural = MAX (*natural, *minimum);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    *minimum = MAX (*minimum, child_size (fields[i], orientation, FALSE));
  if (!fits_one_row (self, for_size))
    *minimum = MAX (child_size (date, orientation, FALSE), child_size (payee, orientation, FALSE)) +
               SPACING + child_size (memo, orientation, FALSE);
  *natural = *minimum;
}

static void
place (GtkWidget *child,
       int        x,
       int        y,
       int        width,
       int        height)
{
  gtk_widget_size_allocate (child, &(GtkAllocation) { x, y, MAX (width, 0), MAX (height, 0) }, -1);
}

static void
ql_change_form_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  QlChangeForm *self = QL_CHANGE_FORM (widget);
  GtkWidget *date = GTK_WIDGET (self->date_button);
  GtkWidget *payee = GTK_WIDGET (self->payee_entry);
  GtkWidget *memo = GTK_WIDGET (self->memo_entry);
  int date_width = MIN (child_size (date, GTK_ORIENTATION_HORIZONTAL, TRUE), width);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int first;

  if (self->orientation == GTK_ORIENTATION_VERTICAL)
    {
      GtkWidget *fields[] = { date, payee, memo };
      int y = 0;

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          int row = child_size (fields[i], GTK_ORIENTATION_VERTICAL, FALSE);

          place (fields[i], 0, y, width, row);
          y += row + SPACING;
        }
      return;
    }

  if (fits_one_row (self, width))
    {
      int rest = width - date_width - 2 * SPACING;
      int payee_width = rest / 2;
      int memo_width = rest - payee_width;

      place (date, rtl ? width - date_width : 0, 0, date_width, height);
      place (payee, rtl ? memo_width + SPACING : date_width + SPACING, 0, payee_width, height);
      place (memo, rtl ? 0 : width - memo_width, 0, memo_width, height);
      return;
    }

  /* Two rows: the day and the payee, then the memo the whole width. */
  first = MAX (child_size (date, GTK_ORIENTATION_VERTICAL, FALSE),
               child_size (payee, GTK_ORIENTATION_VERTICAL, FALSE));
  place (date, rtl ? width - date_width : 0, 0, date_width, first);
  place (payee, rtl ? 0 : date_width + SPACING, 0, width - date_width - SPACING, first);
  place (memo, 0, first + SPACING, width, height - first - SPACING);
}

static GtkSizeRequestMode
ql_change_form_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
show_date (QlChangeForm *self)
{
  g_autofree char *shown = ql_locale_numbers_format_date (&self->date);
  g_autofree char *name = NULL;
  g_autoptr(GDateTime) day = g_date_time_new_local (g_date_get_year (&self->date),
                                                    g_date_get_month (&self->date),
                                                    g_date_get_day (&self->date), 12, 0, 0);

  g_free (self->date_text);
  self->date_text = ql_date_format (&self->date);
  gtk_menu_button_set_label (self->date_button, shown);
  /* Translators: how a screen reader names the date button; %s is a day */
  name = g_strdup_printf (_("Date: %s"), shown);
  ql_accessible_names_set_menu_button (GTK_WIDGET (self->date_button), name);

  if (day != NULL)
    {
      self->filling = TRUE;
      gtk_calendar_select_day (self->date_calendar, day);
      self->filling = FALSE;
    }
}

static void
on_date_calendar_day_selected_cb (QlChangeForm *self)
{
  g_autoptr(GDateTime) day = NULL;

  g_assert (QL_IS_CHANGE_FORM (self));

  if (self->filling)
    return;

  day = gtk_calendar_get_date (self->date_calendar);
  g_date_set_dmy (&self->date, (GDateDay) g_date_time_get_day_of_month (day),
                  (GDateMonth) g_date_time_get_month (day), (GDateYear) g_date_time_get_year (day));
  show_date (self);
  gtk_popover_popdown (self->date_popover);
}

static void
on_today_button_clicked_cb (QlChangeForm *self)
{
  g_assert (QL_IS_CHANGE_FORM (self));

  ql_date_set_today (&self->date);
  show_date (self);
  gtk_popover_popdown (self->date_popover);
}

static void
on_entry_activate_cb (QlChangeForm *self)
{
  g_assert (QL_IS_CHANGE_FORM (self));

  g_signal_emit (self, signals[ACTIVATE], 0);
}

static void
ql_change_form_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), QL_TYPE_CHANGE_FORM);

  G_OBJECT_CLASS (ql_change_form_parent_class)->dispose (object);
}

static void
ql_change_form_finalize (GObject *object)
{
  QlChangeForm *self = (QlChangeForm *) object;

  g_clear_pointer (&self->date_text, g_free);

  G_OBJECT_CLASS (ql_change_form_parent_class)->finalize (object);
}

static void
ql_change_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QlChangeForm *self = QL_CHANGE_FORM (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_enum (value, self->orientation);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_change_form_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  QlChangeForm *self = QL_CHANGE_FORM (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      if (self->orientation != (GtkOrientation) g_value_get_enum (value))
        {
          self->orientation = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_change_form_class_init (QlChangeFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_change_form_dispose;
  object_class->finalize = ql_change_form_finalize;
  object_class->get_property = ql_change_form_get_property;
  object_class->set_property = ql_change_form_set_property;
  widget_class->measure = ql_change_form_measure;
  widget_class->size_allocate = ql_change_form_size_allocate;
  widget_class->get_request_mode = ql_change_form_get_request_mode;

  g_object_class_override_property (object_class, PROP_ORIENTATION, "orientation");

  /**
   * QlChangeForm::activate:
   *
   * Enter was pressed in the payee or the memo.
   */
  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-change-form.ui");
  gtk_widget_class_bind_template_child (widget_class, QlChangeForm, date_button);
  gtk_widget_class_bind_template_child (widget_class, QlChangeForm, date_popover);
  gtk_widget_class_bind_template_child (widget_class, QlChangeForm, date_calendar);
  gtk_widget_class_bind_template_child (widget_class, QlChangeForm, payee_entry);
  gtk_widget_class_bind_template_child (widget_class, QlChangeForm, memo_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_date_calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_today_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate_cb);

  gtk_widget_class_set_css_name (widget_class, "changeform");
}

static void
ql_change_form_init (QlChangeForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->orientation = GTK_ORIENTATION_HORIZONTAL;

  g_date_clear (&self->date, 1);
  ql_date_set_today (&self->date);
  show_date (self);
}

/**
 * ql_change_form_get_date:
 * @self: a #QlChangeForm
 *
 * Returns: the day picked, `YYYY-MM-DD`: today unless the user picked
 *   another
 */
const char *
ql_change_form_get_date (QlChangeForm *self)
{
  g_return_val_if_fail (QL_IS_CHANGE_FORM (self), NULL);

  return self->date_text;
}

/**
 * ql_change_form_get_payee:
 * @self: a #QlChangeForm
 *
 * Returns: the payee typed, possibly empty
 */
const char *
ql_change_form_get_payee (QlChangeForm *self)
{
  g_return_val_if_fail (QL_IS_CHANGE_FORM (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->payee_entry));
}

/**
 * ql_change_form_get_memo:
 * @self: a #QlChangeForm
 *
 * Returns: the memo typed, possibly empty
 */
const char *
ql_change_form_get_memo (QlChangeForm *self)
{
  g_return_val_if_fail (QL_IS_CHANGE_FORM (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->memo_entry));
}

/**
 * ql_change_form_set_date:
 * @self: a #QlChangeForm
 * @date: a valid day
 *
 * Picks @date, as a click in the calendar would.
 */
void
ql_change_form_set_date (QlChangeForm *self,
                         const GDate  *date)
{
  g_return_if_fail (QL_IS_CHANGE_FORM (self));
  g_return_if_fail (date != NULL && g_date_valid (date));

  self->date = *date;
  show_date (self);
}

/**
 * ql_change_form_fill:
 * @self: a #QlChangeForm
 * @date: a valid day
 * @payee: (nullable): the payee to show
 * @memo: (nullable): the memo to show
 *
 * Shows what a change already carries, for the user to correct.
 */
void
ql_change_form_fill (QlChangeForm *self,
                     const GDate  *date,
                     const char   *payee,
                     const char   *memo)
{
  g_return_if_fail (QL_IS_CHANGE_FORM (self));

  ql_change_form_set_date (self, date);
  gtk_editable_set_text (GTK_EDITABLE (self->payee_entry), payee != NULL ? payee : "");
  gtk_editable_set_text (GTK_EDITABLE (self->memo_entry), memo != NULL ? memo : "");
}

/**
 * ql_change_form_reset:
 * @self: a #QlChangeForm
 *
 * Back to today, no payee and no memo: after a change went through.
 */
void
ql_change_form_reset (QlChangeForm *self)
{
  GDate today;

  g_return_if_fail (QL_IS_CHANGE_FORM (self));

  g_date_clear (&today, 1);
  ql_date_set_today (&today);
  ql_change_form_fill (self, &today, NULL, NULL);
}
