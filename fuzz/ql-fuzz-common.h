/* ql-fuzz-common.h: the checks the fuzz targets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

void ql_fuzz_check_import       (const uint8_t *data,
                                 size_t         size,
                                 const char    *file_template);
void ql_fuzz_check_showable_text (const char    *text,
                                 gssize         length);

G_END_DECLS
