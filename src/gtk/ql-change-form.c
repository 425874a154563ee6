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
 * button does. Its children line up along #GtkOrientable:orientation.
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
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (object));

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_enum (value, gtk_orientable_get_orientation (GTK_ORIENTABLE (layout)));
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
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (object));

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      if (gtk_orientable_get_orientation (GTK_ORIENTABLE (layout)) != (GtkOrientation) g_value_get_enum (value))
        {
          gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), g_value_get_enum (value));
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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "changeform");
}

static void
ql_change_form_init (QlChangeForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);

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
