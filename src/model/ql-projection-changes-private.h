/* ql-projection-changes-private.h: the changes an event counts in read models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"

G_BEGIN_DECLS

/**
 * QlCountedChange:
 * @ledger: the ledger it changed
 * @type: the type of the change
 * @day: the day it counts on (an undo's is its change's), `YYYY-MM-DD`
 * @amount: its signed amount
 * @count: +1 to count it on @day, -1 to take it from @day, as when an
 *   amendment moves it to another day
 *
 * One change of a balance as the read models count it.
 */
typedef struct
{
  const char *ledger;
  const char *type;
  char        day[11];
  gint64      amount;
  int         count;
} QlCountedChange;

typedef void (*QlCountedChangeFunc) (const QlCountedChange *change,
                                     gpointer               user_data);

gboolean _ql_projection_count_changes (QlEventStore         *store,
                                       const QlEventRecord  *record,
                                       QlCountedChangeFunc   func,
                                       gpointer              user_data,
                                       GError              **error);

G_END_DECLS
