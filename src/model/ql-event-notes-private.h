/* ql-event-notes-private.h: notes built a step at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-notes.h"

G_BEGIN_DECLS

/* Called after every @n events read; returns FALSE to stop reading. */
typedef gboolean (*QlEventNotesStepFunc) (guint    n,
                                          gpointer user_data);

QlEventNotes *_ql_event_notes_new_in_steps (GPtrArray            *events,
                                            gint64                recorded_until,
                                            guint                 step,
                                            QlEventNotesStepFunc  func,
                                            gpointer              user_data);

G_END_DECLS
