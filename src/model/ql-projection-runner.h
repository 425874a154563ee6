/* ql-projection-runner.h: keeps projections up to date with the log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger-book.h"
#include "ql-projection.h"

G_BEGIN_DECLS

/**
 * QlProjectionState:
 * @QL_PROJECTION_STATE_NOT_BUILT: no read model yet
 * @QL_PROJECTION_STATE_BEHIND: events in the log are not counted yet
 * @QL_PROJECTION_STATE_CAUGHT_UP: every event is counted
 * @QL_PROJECTION_STATE_REBUILDING: a rebuild has started and not yet
 *   replaced the live read model
 *
 * Where a projection stands.
 */
typedef enum
{
  QL_PROJECTION_STATE_NOT_BUILT,
  QL_PROJECTION_STATE_BEHIND,
  QL_PROJECTION_STATE_CAUGHT_UP,
  QL_PROJECTION_STATE_REBUILDING,
} QlProjectionState;

/**
 * QlProjectionStatus:
 * @name: the projection's name
 * @version: the version of its live read model, 0 when there is none
 * @position: the position of the last event the live read model counts
 * @lag: how many positions the log's head is ahead of @position
 * @state: where it stands
 *
 * One line of ql_projection_runner_list_status().
 */
typedef struct
{
  const char        *name;
  gint64             version;
  gint64             position;
  gint64             lag;
  QlProjectionState  state;
} QlProjectionStatus;

#define QL_TYPE_PROJECTION_RUNNER (ql_projection_runner_get_type ())
G_DECLARE_FINAL_TYPE (QlProjectionRunner, ql_projection_runner, QL, PROJECTION_RUNNER, GObject)

QlProjectionRunner *ql_projection_runner_new            (QlEventStore        *store);
QlProjectionRunner *ql_projection_runner_new_default    (QlEventStore        *store);
void                ql_projection_runner_add            (QlProjectionRunner  *self,
                                                         QlProjection        *projection);
QlReadModelStore   *ql_projection_runner_get_read_store (QlProjectionRunner  *self);
void                ql_projection_runner_set_batch_size (QlProjectionRunner  *self,
                                                         guint                batch_size);
gboolean            ql_projection_runner_catch_up       (QlProjectionRunner  *self,
                                                         GError             **error);
gboolean            ql_projection_runner_rebuild        (QlProjectionRunner  *self,
                                                         const char          *name,
                                                         GError             **error);
void                ql_projection_runner_follow         (QlProjectionRunner  *self,
                                                         QlLedgerBook        *book);
GArray             *ql_projection_runner_list_status    (QlProjectionRunner  *self,
                                                         GError             **error);
const char         *ql_projection_state_get_label       (QlProjectionState    state);

G_END_DECLS
