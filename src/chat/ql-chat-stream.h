/* ql-chat-stream.h: one chat request answered over HTTP as it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ql-chat.h"

G_BEGIN_DECLS

/**
 * QlChatStreamFormat:
 * @QL_CHAT_STREAM_LANARKY: server-sent events `completion`, `error`, `end`
 * @QL_CHAT_STREAM_OPENAI: OpenAI's `chat.completion.chunk` events
 * @QL_CHAT_STREAM_OPENAI_WHOLE: one OpenAI `chat.completion` object
 */
typedef enum
{
  QL_CHAT_STREAM_LANARKY,
  QL_CHAT_STREAM_OPENAI,
  QL_CHAT_STREAM_OPENAI_WHOLE,
} QlChatStreamFormat;

#define QL_TYPE_CHAT_STREAM (ql_chat_stream_get_type ())
G_DECLARE_FINAL_TYPE (QlChatStream, ql_chat_stream, QL, CHAT_STREAM, GObject)

QlChatStream *ql_chat_stream_new   (QlChat             *chat,
                                    SoupServerMessage  *message,
                                    QlChatStreamFormat  format,
                                    const char         *model);
void          ql_chat_stream_start (QlChatStream       *self);

G_END_DECLS
