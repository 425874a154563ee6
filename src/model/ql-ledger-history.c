/* ql-ledger-history.c: one ledger's events as a list that reads the store lazily
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-history"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "ql-ledger-history.h"

/**
 * QlLedgerHistory:
 *
 * The events of one ledger as a #GListModel of #QlEvent, oldest first:
 * item N is the event of version N + 1, and the number of items is the
 * ledger's #QlLedger:version.
 *
 * Nothing is read until an item is asked for; then the page of
 * %QL_LEDGER_HISTORY_PAGE_SIZE events around it is read from the store
 * and kept, with at most %QL_LEDGER_HISTORY_MAX_PAGES pages kept at once,
 * so a view scrolling through a million events holds a few hundred. The
 * list follows its ledger: when the ledger's version grows, the new events
 * are added at the end with #GListModel::items-changed.
 *
 * ql_ledger_history_get_balance() gives the balance after each event. A
 * page computes its balances once, from the ledger's state at the page's
 * start (rebuilt from the nearest snapshot) and the events in it.
 */

typedef struct
{
  /* The index of the page: it holds items from index * PAGE_SIZE. */
  guint      index;
  /* QlEvents, in version order. */
  GPtrArray *events;
  /* The balance after each event, computed on first use. */
  gint64    *balances;
  /* When it was last used, to drop the least recent first. */
  guint64    last_used;
} Page;

struct _QlLedgerHistory
{
  GObject       parent_instance;

  QlLedgerBook *book;
  QlLedger     *ledger;
  guint         n_items;
  Page         *pages[QL_LEDGER_HISTORY_MAX_PAGES];
  guint64       clock;
};

static void ql_ledger_history_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlLedgerHistory, ql_ledger_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ql_ledger_history_list_model_iface_init))

enum {
  PROP_0,
  PROP_LEDGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->events);
  g_free (page->balances);
  g_free (page);
}

static void
drop_page (QlLedgerHistory *self,
           guint            slot)
{
  g_clear_pointer (&self->pages[slot], page_free);
}

static gboolean
collect_event_cb (const QlEventRecord *record,
                  gpointer             user_data)
{
  g_ptr_array_add (user_data, ql_event_new_from_record (record));
  return TRUE;
}

/* The page holding item @position, read from the store when it is not
 * kept, dropping the least recently used page to make room. */
static Page *
get_page (QlLedgerHistory  *self,
          guint             position,
          GError          **error)
{
  guint index = position / QL_LEDGER_HISTORY_PAGE_SIZE;
  gint64 first_version = (gint64) index * QL_LEDGER_HISTORY_PAGE_SIZE;
  g_autoptr(GPtrArray) events = NULL;
  guint free_slot = 0;
  Page *page;

  for (guint i = 0; i < QL_LEDGER_HISTORY_MAX_PAGES; i++)
    {
      page = self->pages[i];
      if (page != NULL && page->index == index)
        {
          page->last_used = ++self->clock;
          return page;
        }
      if (page == NULL ||
          (self->pages[free_slot] != NULL && page->last_used < self->pages[free_slot]->last_used))
        free_slot = i;
    }

  events = g_ptr_array_new_full (QL_LEDGER_HISTORY_PAGE_SIZE, g_object_unref);
  if (!ql_event_store_read_ledger (ql_ledger_book_get_store (self->book),
                                   ql_ledger_get_name (self->ledger), first_version,
                                   first_version + QL_LEDGER_HISTORY_PAGE_SIZE,
                                   collect_event_cb, events, error))
    return NULL;

  drop_page (self, free_slot);
  page = g_new0 (Page, 1);
  page->index = index;
  page->events = g_steal_pointer (&events);
  page->last_used = ++self->clock;
  self->pages[free_slot] = page;

  return page;
}

static GType
ql_ledger_history_get_item_type (GListModel *model)
{
  return QL_TYPE_EVENT;
}

static guint
ql_ledger_history_get_n_items (GListModel *model)
{
  return QL_LEDGER_HISTORY (model)->n_items;
}

static gpointer
ql_ledger_history_get_item (GListModel *model,
                            guint       position)
{
  QlLedgerHistory *self = QL_LEDGER_HISTORY (model);
  g_autoptr(GError) error = NULL;
  Page *page;
  guint offset = position % QL_LEDGER_HISTORY_PAGE_SIZE;

  if (position >= self->n_items)
    return NULL;

  page = get_page (self, position, &error);
  if (page == NULL)
    {
      g_warning ("Could not read event %u of “%s”: %s", position + 1,
                 ql_ledger_get_name (self->ledger), error->message);
      return NULL;
    }
  if (offset >= page->events->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (page->events, offset));
}

static void
ql_ledger_history_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ql_ledger_history_get_item_type;
  iface->get_n_items = ql_ledger_history_get_n_items;
  iface->get_item = ql_ledger_history_get_item;
}

static void
ledger_version_changed_cb (QlLedgerHistory *self,
                           GParamSpec      *pspec,
                           QlLedger        *ledger)
{
  guint old_n_items = self->n_items;
  guint new_n_items = (guint) MIN (ql_ledger_get_version (ledger), G_MAXUINT);

  if (new_n_items == old_n_items)
    return;

  /* A kept page that ended at the old end may miss the new events. */
  for (guint i = 0; i < QL_LEDGER_HISTORY_MAX_PAGES; i++)
    {
      Page *page = self->pages[i];

      if (page != NULL && page->events->len < QL_LEDGER_HISTORY_PAGE_SIZE)
        drop_page (self, i);
    }

  self->n_items = new_n_items;
  if (new_n_items > old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n_items, 0, new_n_items - old_n_items);
  else
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, new_n_items);
}

static void
ql_ledger_history_dispose (GObject *object)
{
  QlLedgerHistory *self = (QlLedgerHistory *)object;

  for (guint i = 0; i < QL_LEDGER_HISTORY_MAX_PAGES; i++)
    drop_page (self, i);
  if (self->ledger != NULL)
    g_signal_handlers_disconnect_by_data (self->ledger, self);
  g_clear_object (&self->ledger);
  g_clear_object (&self->book);

  G_OBJECT_CLASS (ql_ledger_history_parent_class)->dispose (object);
}

static void
ql_ledger_history_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  QlLedgerHistory *self = QL_LEDGER_HISTORY (object);

  switch (prop_id)
    {
    case PROP_LEDGER:
      g_value_set_object (value, self->ledger);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_history_class_init (QlLedgerHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_ledger_history_dispose;
  object_class->get_property = ql_ledger_history_get_property;

  /**
   * QlLedgerHistory:ledger:
   *
   * The ledger whose events the list holds.
   */
  properties[PROP_LEDGER] =
    g_param_spec_object ("ledger", NULL, NULL, QL_TYPE_LEDGER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_ledger_history_init (QlLedgerHistory *self)
{
}

/**
 * ql_ledger_history_new:
 * @book: the book that holds @ledger
 * @ledger: one of @book's ledgers
 *
 * Makes a list of @ledger's events that reads them from @book's store
 * only as they are asked for.
 *
 * Returns: (transfer full): a new #QlLedgerHistory
 */
QlLedgerHistory *
ql_ledger_history_new (QlLedgerBook *book,
                       QlLedger     *ledger)
{
  QlLedgerHistory *self;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (book), NULL);
  g_return_val_if_fail (QL_IS_LEDGER (ledger), NULL);

  self = g_object_new (QL_TYPE_LEDGER_HISTORY, NULL);
  self->book = g_object_ref (book);
  self->ledger = g_object_ref (ledger);
  self->n_items = (guint) MIN (ql_ledger_get_version (ledger), G_MAXUINT);
  g_signal_connect_object (ledger, "notify::version",
                           G_CALLBACK (ledger_version_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * ql_ledger_history_get_ledger:
 * @self: a #QlLedgerHistory
 *
 * Returns: (transfer none): the ledger whose events the list holds
 */
QlLedger *
ql_ledger_history_get_ledger (QlLedgerHistory *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_HISTORY (self), NULL);

  return self->ledger;
}

/**
 * ql_ledger_history_get_balance:
 * @self: a #QlLedgerHistory
 * @position: an item's position
 * @out_balance: (out): the balance (or quantity) right after that event
 * @error: return location for a #GError
 *
 * The running balance: the ledger's balance just after the event at
 * @position, in minor units. The first call on a page rebuilds the
 * ledger's state at the page's start from the nearest snapshot; the other
 * rows of the page then cost nothing.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_ledger_history_get_balance (QlLedgerHistory  *self,
                               guint             position,
                               gint64           *out_balance,
                               GError          **error)
{
  Page *page;
  guint offset = position % QL_LEDGER_HISTORY_PAGE_SIZE;

  g_return_val_if_fail (QL_IS_LEDGER_HISTORY (self), FALSE);
  g_return_val_if_fail (position < self->n_items, FALSE);
  g_return_val_if_fail (out_balance != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  page = get_page (self, position, error);
  if (page == NULL)
    return FALSE;

  if (page->balances == NULL)
    {
      gint64 start_version = (gint64) page->index * QL_LEDGER_HISTORY_PAGE_SIZE;
      g_autofree gint64 *balances = g_new (gint64, page->events->len);
      gint64 balance = 0;

      if (start_version > 0)
        {
          g_autoptr(QlLedger) start = ql_ledger_book_state_at (self->book,
                                                               ql_ledger_get_name (self->ledger),
                                                               start_version, error);

          if (start == NULL)
            return FALSE;
          balance = ql_ledger_get_balance (start);
        }

      for (guint i = 0; i < page->events->len; i++)
        {
          balance += ql_event_get_signed_amount (g_ptr_array_index (page->events, i));
          balances[i] = balance;
        }
      page->balances = g_steal_pointer (&balances);
    }

  if (offset >= page->events->len)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("Event %" PRId64 " of ledger “%s” is missing"),
                   (gint64) position + 1, ql_ledger_get_name (self->ledger));
      return FALSE;
    }

  *out_balance = page->balances[offset];
  return TRUE;
}

/**
 * ql_ledger_history_get_n_cached:
 * @self: a #QlLedgerHistory
 *
 * How many events the list keeps in memory now; never more than
 * %QL_LEDGER_HISTORY_PAGE_SIZE × %QL_LEDGER_HISTORY_MAX_PAGES.
 *
 * Returns: the number of events kept
 */
guint
ql_ledger_history_get_n_cached (QlLedgerHistory *self)
{
  guint n = 0;

  g_return_val_if_fail (QL_IS_LEDGER_HISTORY (self), 0);

  for (guint i = 0; i < QL_LEDGER_HISTORY_MAX_PAGES; i++)
    {
      if (self->pages[i] != NULL)
        n += self->pages[i]->events->len;
    }
  return n;
}
