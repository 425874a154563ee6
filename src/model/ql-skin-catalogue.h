/* ql-skin-catalogue.h: the skins there are, and the CSS text of each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The skin that adds nothing to libadwaita's own look. */
#define QL_SKIN_DEFAULT "adwaita"

/* A skin is a few dozen lines of CSS; the cap keeps a huge file out. */
#define QL_SKIN_MAX_SIZE (256 * 1024)

#define QL_TYPE_SKIN_CATALOGUE (ql_skin_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (QlSkinCatalogue, ql_skin_catalogue, QL, SKIN_CATALOGUE, GObject)

QlSkinCatalogue *ql_skin_catalogue_new                  (const char       *user_skins_dir);
QlSkinCatalogue *ql_skin_catalogue_new_for_user         (void);
const char      *ql_skin_catalogue_get_user_skins_dir   (QlSkinCatalogue  *self);
GStrv            ql_skin_catalogue_list                 (QlSkinCatalogue  *self);
gboolean         ql_skin_catalogue_has_skin             (QlSkinCatalogue  *self,
                                                         const char       *skin);
gboolean         ql_skin_catalogue_is_builtin           (QlSkinCatalogue  *self,
                                                         const char       *skin);
char            *ql_skin_catalogue_dup_title            (QlSkinCatalogue  *self,
                                                         const char       *skin);
char            *ql_skin_catalogue_load_css             (QlSkinCatalogue  *self,
                                                         const char       *skin,
                                                         gboolean          dark,
                                                         char            **out_path,
                                                         GError          **error);
GHashTable      *ql_skin_catalogue_parse_colours        (const char       *css);
char            *ql_skin_catalogue_read_file            (const char       *path,
                                                         GError          **error);

G_END_DECLS
