/* ql-event-private.h: what the model alone does with an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event.h"

G_BEGIN_DECLS

void _ql_event_set_damage (QlEvent       *self,
                           const char    *damage);
void _ql_event_get_record (QlEvent       *self,
                           QlEventRecord *record);

G_END_DECLS
