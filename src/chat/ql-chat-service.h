/* ql-chat-service.h: the chat service front-end, run from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ql_chat_service_main (const char *db_location,
                          const char *quotes_path,
                          const char *address);

G_END_DECLS
