/* ql-tab-stop.c: a list that Tab enters once and leaves at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-tab-stop"

#include "config.h"

#include "ql-tab-stop.h"

/**
 * QlTabStop:
 *
 * Holds a list and makes it one stop of the Tab chain. GTK 4.8's list
 * views move the focus from row to row on Tab, so a long history would
 * take a key press per row to get past. Inside, the arrow keys still
 * move between rows; Tab and Shift+Tab leave the list.
 */
struct _QlTabStop
{
  GtkWidget  parent_instance;

  GtkWidget *child;
};

G_DEFINE_FINAL_TYPE (QlTabStop, ql_tab_stop, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHILD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
ql_tab_stop_focus (GtkWidget        *widget,
                   GtkDirectionType  direction)
{
  QlTabStop *self = QL_TAB_STOP (widget);
  gboolean tab = direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD;

  if (self->child == NULL)
    return FALSE;

  /* The focus is in the list already: Tab goes on to the next widget. */
  if (tab && gtk_widget_get_focus_child (widget) != NULL)
    return FALSE;

  /* Coming in, even backwards, the list's own focus row (its first row
   * at first) takes the focus, as it would coming in forwards. */
  return gtk_widget_child_focus (self->child, tab ? GTK_DIR_TAB_FORWARD : direction);
}

static void
ql_tab_stop_compute_expand (GtkWidget *widget,
                            gboolean  *hexpand,
                            gboolean  *vexpand)
{
  QlTabStop *self = QL_TAB_STOP (widget);

  *hexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_HORIZONTAL);
  *vexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_VERTICAL);
}

static void
ql_tab_stop_dispose (GObject *object)
{
  QlTabStop *self = QL_TAB_STOP (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (ql_tab_stop_parent_class)->dispose (object);
}

static void
ql_tab_stop_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  QlTabStop *self = QL_TAB_STOP (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_tab_stop_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  QlTabStop *self = QL_TAB_STOP (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      ql_tab_stop_set_child (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_tab_stop_class_init (QlTabStopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_tab_stop_dispose;
  object_class->get_property = ql_tab_stop_get_property;
  object_class->set_property = ql_tab_stop_set_property;
  widget_class->focus = ql_tab_stop_focus;
  widget_class->compute_expand = ql_tab_stop_compute_expand;

  /**
   * QlTabStop:child: (nullable)
   *
   * The list, usually in a scrolled window.
   */
  properties[PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tabstop");
}

static void
ql_tab_stop_init (QlTabStop *self)
{
}

/**
 * ql_tab_stop_get_child:
 * @self: a #QlTabStop
 *
 * Returns: (transfer none) (nullable): the list
 */
GtkWidget *
ql_tab_stop_get_child (QlTabStop *self)
{
  g_return_val_if_fail (QL_IS_TAB_STOP (self), NULL);

  return self->child;
}

/**
 * ql_tab_stop_set_child:
 * @self: a #QlTabStop
 * @child: (nullable): the list
 *
 * Sets the widget that Tab enters once.
 */
void
ql_tab_stop_set_child (QlTabStop *self,
                       GtkWidget *child)
{
  g_return_if_fail (QL_IS_TAB_STOP (self));
  g_return_if_fail (child == NULL || GTK_IS_WIDGET (child));

  if (self->child == child)
    return;

  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}
