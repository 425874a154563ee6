/* ql-daily-balance-projection.c: each ledger's balance, day by day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <string.h>

#include "ql-daily-balance-projection.h"
#include "ql-dates.h"
#include "ql-projection-changes-private.h"

#define NAME "daily_balance"

struct _QlDailyBalanceProjection
{
  GObject parent_instance;
};

static void ql_daily_balance_projection_iface_init (QlProjectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlDailyBalanceProjection, ql_daily_balance_projection,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_PROJECTION,
                                                      ql_daily_balance_projection_iface_init))

/* Key: the ledger, U+001F, the day as YYYY-MM-DD, so a ledger's days
 * sort in order under its prefix. */
static void
count_change (const QlCountedChange *change,
              gpointer               user_data)
{
  QlReadDeltas *deltas = user_data;
  gsize len = strlen (change->ledger);
  char stack[256];
  g_autofree char *heap = NULL;
  char *key = len + 12 <= sizeof stack ? stack : (heap = g_malloc (len + 12));

  memcpy (key, change->ledger, len);
  key[len] = '\x1f';
  memcpy (key + len + 1, change->day, 11);
  ql_read_deltas_add (deltas, key, change->amount * change->count, change->count);
}

static gboolean
apply (QlProjection         *self,
       QlEventStore         *store,
       const QlEventRecord  *record,
       QlReadDeltas         *deltas,
       GError              **error)
{
  return _ql_projection_count_changes (store, record, count_change, deltas, error);
}

static void
ql_daily_balance_projection_iface_init (QlProjectionInterface *iface)
{
  iface->name = NAME;
  iface->version = 1;
  iface->apply = apply;
}

static void
ql_daily_balance_projection_class_init (QlDailyBalanceProjectionClass *klass)
{
}

static void
ql_daily_balance_projection_init (QlDailyBalanceProjection *self)
{
}

/**
 * ql_daily_balance_projection_new:
 *
 * The projection named `daily_balance`: per ledger and day, the sum of
 * the changes that count on that day (by their written date) and their
 * number.
 *
 * Returns: (transfer full): the projection
 */
QlProjection *
ql_daily_balance_projection_new (void)
{
  return g_object_new (QL_TYPE_DAILY_BALANCE_PROJECTION, NULL);
}

typedef struct
{
  gsize    prefix_len;
  guint32  from;
  guint32  to;
  gint64   balance;
  GArray  *days;
  GError  *error;
} ReadState;

static gboolean
read_day (const QlReadRow *row,
          gpointer         user_data)
{
  ReadState *state = user_data;
  QlDailyBalance day;
  GDate date;

  if (!ql_date_parse (row->key + state->prefix_len, &date, &state->error))
    return FALSE;
  day.day = g_date_get_julian (&date);
  if (day.day > state->to)
    return FALSE;
  state->balance += row->a;
  if (day.day < state->from || row->b == 0)
    return TRUE;
  day.change = row->a;
  day.balance = state->balance;
  day.n_changes = row->b;
  g_array_append_val (state->days, day);
  return TRUE;
}

/**
 * ql_daily_balance_read:
 * @store: the store that keeps the read model
 * @ledger: a ledger's name
 * @from: (nullable): the first day, %NULL for the first day with changes
 * @to: (nullable): the last day, %NULL for the last day with changes
 * @out_opening: (out) (optional): the balance before @from
 * @error: return location for a #GError
 *
 * Reads the live read model, as far as its position.
 *
 * Returns: (transfer full) (element-type QlDailyBalance): the days with
 *   changes from @from to @to, in order, or %NULL on error
 */
GArray *
ql_daily_balance_read (QlReadModelStore  *store,
                       const char        *ledger,
                       const GDate       *from,
                       const GDate       *to,
                       gint64            *out_opening,
                       GError           **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GArray) days = g_array_new (FALSE, FALSE, sizeof (QlDailyBalance));
  ReadState state = { 0 };

  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (store), NULL);
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  prefix = g_strconcat (ledger, "\x1f", NULL);
  state.prefix_len = strlen (prefix);
  state.from = from != NULL ? g_date_get_julian (from) : 0;
  state.to = to != NULL ? g_date_get_julian (to) : G_MAXUINT32;
  state.days = days;
  if (!ql_read_model_store_read_rows (store, NAME, prefix, read_day, &state, error))
    return NULL;
  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return NULL;
    }
  if (out_opening != NULL)
    *out_opening = days->len > 0 ? g_array_index (days, QlDailyBalance, 0).balance -
                                   g_array_index (days, QlDailyBalance, 0).change
                                 : state.balance;
  return g_steal_pointer (&days);
}
