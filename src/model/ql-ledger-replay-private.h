/* ql-ledger-replay-private.h: rebuilding ledgers from a store's snapshots and events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"
#include "ql-ledger.h"

G_BEGIN_DECLS

gboolean  _ql_ledger_replay_catch_up             (QlEventStore  *store,
                                                  guint          snapshot_interval,
                                                  QlLedger      *ledger,
                                                  gboolean      *out_changed,
                                                  GError       **error);
gboolean  _ql_ledger_replay_load                 (QlEventStore  *store,
                                                  guint          snapshot_interval,
                                                  const char    *name,
                                                  gint64         up_to_version,
                                                  gboolean       live,
                                                  QlLedger     **out_ledger,
                                                  GError       **error);
QlLedger *_ql_ledger_replay_state_at             (QlEventStore  *store,
                                                  guint          snapshot_interval,
                                                  QlLedger      *ledger,
                                                  gint64         version,
                                                  GError       **error);
void      _ql_ledger_replay_save_snapshot_if_due (QlEventStore  *store,
                                                  guint          snapshot_interval,
                                                  QlLedger      *ledger);

G_END_DECLS
