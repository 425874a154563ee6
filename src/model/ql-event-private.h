/* ql-event-private.h: marking an event damaged, for the model only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event.h"

G_BEGIN_DECLS

void _ql_event_set_damage (QlEvent    *self,
                           const char *damage);

G_END_DECLS
