/* ql-openai-backend.h: an OpenAI-compatible chat-completions service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-chat-backend.h"

G_BEGIN_DECLS

#define QL_OPENAI_DEFAULT_BASE_URL "http://127.0.0.1:8080/v1"
#define QL_OPENAI_DEFAULT_TIMEOUT 60

#define QL_TYPE_OPENAI_BACKEND (ql_openai_backend_get_type ())
G_DECLARE_FINAL_TYPE (QlOpenaiBackend, ql_openai_backend, QL, OPENAI_BACKEND, GObject)

QlOpenaiBackend *ql_openai_backend_new                  (const char  *base_url,
                                                         const char  *api_key,
                                                         const char  *model,
                                                         guint        timeout_seconds,
                                                         GError     **error);
QlOpenaiBackend *ql_openai_backend_new_from_environment (GError     **error);
const char      *ql_openai_backend_get_base_url         (QlOpenaiBackend *self);
const char      *ql_openai_backend_get_model            (QlOpenaiBackend *self);

G_END_DECLS
