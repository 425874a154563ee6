/* ql-quote.c: one quote and its index in a collection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-quote"

#include "config.h"

#include "ql-quote.h"

/**
 * QlQuote:
 *
 * One immutable quote: its text and its index in the #QlQuoteBook it came
 * from. Quote books make these on demand, so holding one costs nothing to
 * the book.
 */
struct _QlQuote
{
  GObject  parent_instance;

  guint    index;
  char    *text;
};

G_DEFINE_FINAL_TYPE (QlQuote, ql_quote, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ql_quote_finalize (GObject *object)
{
  QlQuote *self = (QlQuote *) object;

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (ql_quote_parent_class)->finalize (object);
}

static void
ql_quote_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  QlQuote *self = QL_QUOTE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_uint (value, self->index);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_quote_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  QlQuote *self = QL_QUOTE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      self->index = g_value_get_uint (value);
      break;

    case PROP_TEXT:
      g_free (self->text);
      self->text = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_quote_class_init (QlQuoteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_quote_finalize;
  object_class->get_property = ql_quote_get_property;
  object_class->set_property = ql_quote_set_property;

  /**
   * QlQuote:index:
   *
   * The position of the quote in its book, from 0.
   */
  properties[PROP_INDEX] =
    g_param_spec_uint ("index", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * QlQuote:text:
   *
   * The text of the quote: UTF-8, possibly several lines, free of
   * control characters other than newline and tab.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_quote_init (QlQuote *self)
{
}

/**
 * ql_quote_new:
 * @index: the position of the quote in its book
 * @text: the quote's text
 *
 * Creates a quote.
 *
 * Returns: (transfer full): a new #QlQuote
 */
QlQuote *
ql_quote_new (guint       index,
              const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (QL_TYPE_QUOTE,
                       "index", index,
                       "text", text,
                       NULL);
}

/**
 * ql_quote_get_index:
 * @self: a #QlQuote
 *
 * Returns: the position of the quote in its book, from 0
 */
guint
ql_quote_get_index (QlQuote *self)
{
  g_return_val_if_fail (QL_IS_QUOTE (self), 0);

  return self->index;
}

/**
 * ql_quote_get_text:
 * @self: a #QlQuote
 *
 * Returns: (transfer none): the text of the quote
 */
const char *
ql_quote_get_text (QlQuote *self)
{
  g_return_val_if_fail (QL_IS_QUOTE (self), NULL);

  return self->text;
}
