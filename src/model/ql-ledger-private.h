/* ql-ledger-private.h: building ledger state from events, for the model only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger.h"

G_BEGIN_DECLS

QlLedger     *_ql_ledger_new_from_event  (const QlEventRecord  *record,
                                          GError              **error);
gboolean      _ql_ledger_apply           (QlLedger             *self,
                                          const QlEventRecord  *record,
                                          GError              **error);
gboolean      _ql_ledger_apply_quietly   (QlLedger             *self,
                                          const QlEventRecord  *record,
                                          GError              **error);
void          _ql_ledger_notify_changes  (QlLedger             *self,
                                          gint64                old_balance,
                                          gint64                old_version);
QlLedger     *_ql_ledger_new_with_state  (const char           *name,
                                          QlLedgerKind          kind,
                                          const char           *currency,
                                          gint64                balance,
                                          gint64                version);
void          _ql_ledger_set_state       (QlLedger             *self,
                                          gint64                balance,
                                          gint64                version);
char         *_ql_ledger_format_snapshot (QlLedgerKind          kind,
                                          const char           *currency,
                                          gint64                balance);
QlLedger     *_ql_ledger_copy            (QlLedger             *self);
void          _ql_ledger_set_damage      (QlLedger             *self,
                                          gint64                version,
                                          const GError         *reason);
QlLedger     *_ql_ledger_new_damaged     (const char           *name,
                                          const GError         *reason);
gboolean      _ql_ledger_check_sound     (QlLedger             *self,
                                          GError              **error);
char         *_ql_ledger_to_snapshot     (QlLedger             *self);
QlLedger     *_ql_ledger_new_from_snapshot (const char         *name,
                                            gint64              version,
                                            const char         *state,
                                            GError            **error);
int           _ql_ledger_compare         (gconstpointer         a,
                                          gconstpointer         b,
                                          gpointer              user_data);
gboolean      _ql_ledger_check_kind      (QlLedger             *self,
                                          const char           *type,
                                          GError              **error);
gboolean      _ql_ledger_check_change    (QlLedger             *self,
                                          const char           *type,
                                          gint64                amount,
                                          GError              **error);
gboolean      _ql_ledger_apply_command_quietly (QlLedger          *self,
                                                const char        *type,
                                                const char        *text,
                                                gint64            *out_amount,
                                                GError           **error);

G_END_DECLS
