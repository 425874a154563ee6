/* ql-reversed-list-model.c: a list shown in its own order or backwards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-reversed-list-model"

#include "config.h"

#include "ql-reversed-list-model.h"

/**
 * QlReversedListModel:
 *
 * Shows a list as it is or newest first. A sorter would have to read
 * every row of a long history to reverse it; this maps positions instead,
 * so it costs nothing whatever the length.
 */
struct _QlReversedListModel
{
  GObject     parent_instance;

  GListModel *model;
  gboolean    reversed;
};

static void ql_reversed_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlReversedListModel, ql_reversed_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ql_reversed_list_model_list_model_init))

enum {
  PROP_0,
  PROP_REVERSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ql_reversed_list_model_get_item_type (GListModel *list)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
ql_reversed_list_model_get_n_items (GListModel *list)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (list);

  return g_list_model_get_n_items (self->model);
}

static gpointer
ql_reversed_list_model_get_item (GListModel *list,
                                 guint       position)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (list);
  guint n = g_list_model_get_n_items (self->model);

  if (position >= n)
    return NULL;
  return g_list_model_get_item (self->model, ql_reversed_list_model_get_position (self, position));
}

static void
ql_reversed_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ql_reversed_list_model_get_item_type;
  iface->get_n_items = ql_reversed_list_model_get_n_items;
  iface->get_item = ql_reversed_list_model_get_item;
}

/* A change at @position of the list, seen backwards, starts where the
 * changed range ended: the list held @removed rows there before. */
static void
on_model_items_changed_cb (QlReversedListModel *self,
                           guint                position,
                           guint                removed,
                           guint                added,
                           GListModel          *model)
{
  guint before = g_list_model_get_n_items (model) - added + removed;

  if (self->reversed)
    position = before - position - removed;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
ql_reversed_list_model_dispose (GObject *object)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ql_reversed_list_model_parent_class)->dispose (object);
}

static void
ql_reversed_list_model_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_REVERSED:
      g_value_set_boolean (value, self->reversed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_reversed_list_model_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  QlReversedListModel *self = QL_REVERSED_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_REVERSED:
      ql_reversed_list_model_set_reversed (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_reversed_list_model_class_init (QlReversedListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_reversed_list_model_dispose;
  object_class->get_property = ql_reversed_list_model_get_property;
  object_class->set_property = ql_reversed_list_model_set_property;

  /**
   * QlReversedListModel:reversed:
   *
   * Whether the last item of the list comes first.
   */
  properties[PROP_REVERSED] =
    g_param_spec_boolean ("reversed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_reversed_list_model_init (QlReversedListModel *self)
{
}

/**
 * ql_reversed_list_model_new:
 * @model: the list to show
 *
 * Returns: (transfer full): @model in its own order until reversed
 */
QlReversedListModel *
ql_reversed_list_model_new (GListModel *model)
{
  QlReversedListModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (QL_TYPE_REVERSED_LIST_MODEL, NULL);
  self->model = g_object_ref (model);
  g_signal_connect_object (model, "items-changed",
                           G_CALLBACK (on_model_items_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

/**
 * ql_reversed_list_model_get_model:
 *
 * Returns: (transfer none): the list shown
 */
GListModel *
ql_reversed_list_model_get_model (QlReversedListModel *self)
{
  g_return_val_if_fail (QL_IS_REVERSED_LIST_MODEL (self), NULL);

  return self->model;
}

gboolean
ql_reversed_list_model_get_reversed (QlReversedListModel *self)
{
  g_return_val_if_fail (QL_IS_REVERSED_LIST_MODEL (self), FALSE);

  return self->reversed;
}

/**
 * ql_reversed_list_model_set_reversed:
 * @reversed: whether the last item comes first
 *
 * Turns the list round; every row moves, so it says all changed.
 */
void
ql_reversed_list_model_set_reversed (QlReversedListModel *self,
                                     gboolean             reversed)
{
  guint n;

  g_return_if_fail (QL_IS_REVERSED_LIST_MODEL (self));

  reversed = !!reversed;
  if (self->reversed == reversed)
    return;

  self->reversed = reversed;
  n = g_list_model_get_n_items (self->model);
  if (n > 1)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVERSED]);
}

/**
 * ql_reversed_list_model_get_position:
 * @position: a position in the list shown, or in the list underneath
 *
 * The same mapping works both ways: the position on the other side.
 *
 * Returns: where @position's item is on the other side, or
 *   %GTK_INVALID_LIST_POSITION's value for a position past the end
 */
guint
ql_reversed_list_model_get_position (QlReversedListModel *self,
                                     guint                position)
{
  guint n;

  g_return_val_if_fail (QL_IS_REVERSED_LIST_MODEL (self), G_MAXUINT);

  n = g_list_model_get_n_items (self->model);
  if (position >= n)
    return G_MAXUINT;
  return self->reversed ? n - 1 - position : position;
}
