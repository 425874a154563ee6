/* ql-history-row.c: one line of a ledger's history, ready to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-history-row"

#include "config.h"

#include "ql-history-row.h"

/**
 * QlHistoryRow:
 *
 * What the history table shows for one event: text the controller has
 * already formatted, so the view only lays it out.
 */
struct _QlHistoryRow
{
  GObject  parent_instance;

  gint64   version;
  char    *time;
  char    *event_type;
  char    *amount;
  char    *balance;
  char    *day;
  char    *date;
  char    *payee;
  char    *memo;
  gboolean correctable;
};

G_DEFINE_FINAL_TYPE (QlHistoryRow, ql_history_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VERSION,
  PROP_TIME,
  PROP_EVENT_TYPE,
  PROP_AMOUNT,
  PROP_BALANCE,
  PROP_DAY,
  PROP_DATE,
  PROP_PAYEE,
  PROP_MEMO,
  PROP_CORRECTABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ql_history_row_finalize (GObject *object)
{
  QlHistoryRow *self = (QlHistoryRow *) object;

  g_clear_pointer (&self->time, g_free);
  g_clear_pointer (&self->event_type, g_free);
  g_clear_pointer (&self->amount, g_free);
  g_clear_pointer (&self->balance, g_free);
  g_clear_pointer (&self->day, g_free);
  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->payee, g_free);
  g_clear_pointer (&self->memo, g_free);

  G_OBJECT_CLASS (ql_history_row_parent_class)->finalize (object);
}

static void
ql_history_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QlHistoryRow *self = QL_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_TIME:
      g_value_set_string (value, self->time);
      break;

    case PROP_EVENT_TYPE:
      g_value_set_string (value, self->event_type);
      break;

    case PROP_AMOUNT:
      g_value_set_string (value, self->amount);
      break;

    case PROP_BALANCE:
      g_value_set_string (value, self->balance);
      break;

    case PROP_DAY:
      g_value_set_string (value, self->day);
      break;

    case PROP_DATE:
      g_value_set_string (value, self->date);
      break;

    case PROP_PAYEE:
      g_value_set_string (value, self->payee);
      break;

    case PROP_MEMO:
      g_value_set_string (value, self->memo);
      break;

    case PROP_CORRECTABLE:
      g_value_set_boolean (value, self->correctable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_history_row_class_init (QlHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ql_history_row_finalize;
  object_class->get_property = ql_history_row_get_property;

  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL,
                                                 0, G_MAXINT64, 0, flags);
  properties[PROP_TIME] = g_param_spec_string ("time", NULL, NULL, NULL, flags);
  properties[PROP_EVENT_TYPE] = g_param_spec_string ("event-type", NULL, NULL, NULL, flags);
  properties[PROP_AMOUNT] = g_param_spec_string ("amount", NULL, NULL, NULL, flags);
  properties[PROP_BALANCE] = g_param_spec_string ("balance", NULL, NULL, NULL, flags);
  properties[PROP_DAY] = g_param_spec_string ("day", NULL, NULL, NULL, flags);
  properties[PROP_DATE] = g_param_spec_string ("date", NULL, NULL, NULL, flags);
  properties[PROP_PAYEE] = g_param_spec_string ("payee", NULL, NULL, NULL, flags);
  properties[PROP_MEMO] = g_param_spec_string ("memo", NULL, NULL, NULL, flags);
  properties[PROP_CORRECTABLE] = g_param_spec_boolean ("correctable", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_history_row_init (QlHistoryRow *self)
{
}

/**
 * ql_history_row_new:
 * @version: the ledger version the event created
 * @time: when it happened, formatted
 * @event_type: the event's type name
 * @amount: the change it made, formatted with its sign
 * @balance: the balance right after it, formatted
 *
 * Returns: (transfer full): a new #QlHistoryRow
 */
QlHistoryRow *
ql_history_row_new (gint64      version,
                    const char *time,
                    const char *event_type,
                    const char *amount,
                    const char *balance)
{
  QlHistoryRow *self = g_object_new (QL_TYPE_HISTORY_ROW, NULL);

  self->version = version;
  self->time = g_strdup (time);
  self->event_type = g_strdup (event_type);
  self->amount = g_strdup (amount);
  self->balance = g_strdup (balance);
  self->date = g_strdup ("");
  self->payee = g_strdup ("");
  self->memo = g_strdup ("");

  return self;
}

/**
 * ql_history_row_set_note:
 * @self: a #QlHistoryRow
 * @day: the day the change happened, `YYYY-MM-DD`
 * @date: the same day as the locale writes it
 * @payee: (nullable): its payee
 * @memo: (nullable): its memo
 * @correctable: whether its date, payee and memo can be corrected
 *
 * What is written on the change besides its amount.
 */
void
ql_history_row_set_note (QlHistoryRow *self,
                         const char   *day,
                         const char   *date,
                         const char   *payee,
                         const char   *memo,
                         gboolean      correctable)
{
  g_return_if_fail (QL_IS_HISTORY_ROW (self));

  g_free (self->day);
  self->day = g_strdup (day);
  g_free (self->date);
  self->date = g_strdup (date != NULL ? date : "");
  g_free (self->payee);
  self->payee = g_strdup (payee != NULL ? payee : "");
  g_free (self->memo);
  self->memo = g_strdup (memo != NULL ? memo : "");
  self->correctable = correctable;
}
