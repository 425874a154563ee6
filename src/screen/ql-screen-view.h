/* ql-screen-view.h: the full-screen terminal view, drawn with ncurses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ql-screen-skin.h"

G_BEGIN_DECLS

typedef enum
{
  QL_SCREEN_SCHEME_DEFAULT,
  QL_SCREEN_SCHEME_LIGHT,
  QL_SCREEN_SCHEME_DARK,
} QlScreenScheme;

#define QL_TYPE_SCREEN_VIEW (ql_screen_view_get_type ())
G_DECLARE_FINAL_TYPE (QlScreenView, ql_screen_view, QL, SCREEN_VIEW, GObject)

QlScreenView *ql_screen_view_new                  (void);
void          ql_screen_view_start                (QlScreenView  *self);
void          ql_screen_view_stop                 (QlScreenView  *self);
void          ql_screen_view_set_scheme           (QlScreenView  *self,
                                                   QlScreenScheme scheme);
void          ql_screen_view_set_skin_colours     (QlScreenView          *self,
                                                   const QlScreenColours *colours);
void          ql_screen_view_set_quote            (QlScreenView  *self,
                                                   const char    *title,
                                                   GStrv          lines);
void          ql_screen_view_set_ledgers          (QlScreenView  *self,
                                                   GPtrArray     *rows,
                                                   const char    *empty);
guint         ql_screen_view_get_selected         (QlScreenView  *self);
void          ql_screen_view_set_history          (QlScreenView  *self,
                                                   const char    *title,
                                                   GPtrArray     *rows);
guint         ql_screen_view_get_history_capacity (QlScreenView  *self);
void          ql_screen_view_show_status          (QlScreenView  *self,
                                                   const char    *message);
void          ql_screen_view_show_error           (QlScreenView  *self,
                                                   const char    *message);
void          ql_screen_view_show_progress        (QlScreenView  *self,
                                                   const char    *label,
                                                   double         fraction);
void          ql_screen_view_ask                  (QlScreenView  *self,
                                                   const char    *question,
                                                   const char    *answer);

G_END_DECLS
