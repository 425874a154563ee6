/* ql-dates.h: the dates people write on a change, and recording times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ql_date_parse               (const char   *text,
                                      GDate        *out_date,
                                      GError      **error);
char    *ql_date_format              (const GDate  *date);
void     ql_date_set_today           (GDate        *date);
void     ql_date_set_from_timestamp  (GDate        *date,
                                      gint64        timestamp);
gboolean ql_recorded_time_parse      (const char   *text,
                                      GTimeZone    *zone,
                                      gint64       *out_timestamp,
                                      GError      **error);

G_END_DECLS
