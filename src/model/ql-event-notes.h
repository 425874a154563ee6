/* ql-event-notes.h: what is written on a ledger's changes, amendments applied
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _QlEventNotes QlEventNotes;

QlEventNotes *ql_event_notes_new        (GPtrArray    *events,
                                         gint64        recorded_until);
void          ql_event_notes_free       (QlEventNotes *notes);
gboolean      ql_event_notes_lookup     (QlEventNotes *notes,
                                         gint64        version,
                                         GDate        *out_date,
                                         const char  **out_payee,
                                         const char  **out_memo,
                                         gint64       *out_amended_by);
gint64        ql_event_notes_balance_on (QlEventNotes *notes,
                                         const GDate  *date);
gboolean      ql_event_notes_is_empty   (QlEventNotes *notes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlEventNotes, ql_event_notes_free)

G_END_DECLS
