/* ql-skin-manager.h: CSS skins that recolor the window at runtime
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ql-skin-catalogue.h"

G_BEGIN_DECLS

#define QL_TYPE_SKIN_MANAGER (ql_skin_manager_get_type ())
G_DECLARE_FINAL_TYPE (QlSkinManager, ql_skin_manager, QL, SKIN_MANAGER, GObject)

QlSkinManager *ql_skin_manager_new        (GdkDisplay     *display,
                                           const char     *user_skins_dir);
GListModel    *ql_skin_manager_get_skins  (QlSkinManager  *self);
char          *ql_skin_manager_dup_title  (QlSkinManager  *self,
                                           const char     *skin);
const char    *ql_skin_manager_get_skin   (QlSkinManager  *self);
gboolean       ql_skin_manager_load       (QlSkinManager  *self,
                                           const char     *skin,
                                           GError        **error);
void           ql_skin_manager_set_dark   (QlSkinManager  *self,
                                           gboolean        dark);
void           ql_skin_manager_rescan     (QlSkinManager  *self);

G_END_DECLS
