/* ql-memory-event-store.c: an event store kept in memory only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-memory-event-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-memory-event-store.h"
#include "ql-read-model-store.h"

/**
 * QlMemoryEventStore:
 *
 * A #QlEventStore that lives as long as the object: for tests, demos and
 * `--db :memory:`. It keeps the same rules as the SQLite store, conflicts
 * and snapshots included, so code tested against it behaves the same on a
 * file.
 */

typedef struct
{
  gint64  position;
  gint64  version;
  gint64  timestamp;
  char   *type;
  char   *payload;
  char   *reference;
  /* Borrowed from the ledger entry, which outlives every event. */
  const char *ledger;
} StoredEvent;

typedef struct
{
  char      *name;
  /* Borrowed StoredEvents; version N is at index N - 1. */
  GPtrArray *events;
} LedgerEntry;

typedef struct
{
  gint64  version;
  char   *state;
} Snapshot;

struct _QlMemoryEventStore
{
  GObject     parent_instance;

  /* Owned StoredEvents; position N is at index N - 1. */
  GPtrArray  *log;
  /* Ledger name → LedgerEntry. */
  GHashTable *ledgers;
  /* Ledger name → GArray of Snapshot, sorted by version. */
  GHashTable *snapshots;
  /* Projection name → ReadModel. */
  GHashTable *read_models;
};

/* One table of a read model: key → gint64[2], in key order. */
typedef struct
{
  gboolean  found;
  gint64    version;
  gint64    position;
  GTree    *rows;
} ReadTable;

typedef struct
{
  ReadTable slots[2];
} ReadModel;

static void ql_memory_event_store_iface_init (QlEventStoreInterface *iface);
static void ql_memory_read_model_store_iface_init (QlReadModelStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlMemoryEventStore, ql_memory_event_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_EVENT_STORE,
                                                      ql_memory_event_store_iface_init)
                               G_IMPLEMENT_INTERFACE (QL_TYPE_READ_MODEL_STORE,
                                                      ql_memory_read_model_store_iface_init))

static void
stored_event_free (gpointer data)
{
  StoredEvent *event = data;

  g_free (event->type);
  g_free (event->payload);
  g_free (event->reference);
  g_free (event);
}

static void
ledger_entry_free (gpointer data)
{
  LedgerEntry *entry = data;

  g_ptr_array_unref (entry->events);
  g_free (entry->name);
  g_free (entry);
}

static void
clear_snapshot (gpointer data)
{
  Snapshot *snapshot = data;

  g_free (snapshot->state);
}

static void
fill_record (QlEventRecord     *record,
             const StoredEvent *event)
{
  record->position = event->position;
  record->ledger = event->ledger;
  record->version = event->version;
  record->type = event->type;
  record->timestamp = event->timestamp;
  record->payload = event->payload;
  record->reference = event->reference;
}

static gboolean ql_memory_event_store_save_snapshot (QlEventStore  *store,
                                                     const char    *ledger,
                                                     gint64         version,
                                                     const char    *state,
                                                     GError       **error);
static void append_checked (QlMemoryEventStore *self,
                            const char         *ledger,
                            gint64              expected_version,
                            const QlNewEvent   *events,
                            guint               n_events,
                            QlEventRecord      *out_appended,
                            gint64              timestamp);

static gboolean
ql_memory_event_store_append (QlEventStore      *store,
                              const char        *ledger,
                              gint64             expected_version,
                              const QlNewEvent  *events,
                              guint              n_events,
                              QlEventRecord     *out_appended,
                              GError           **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  LedgerEntry *entry = g_hash_table_lookup (self->ledgers, ledger);
  gint64 head_version = entry != NULL ? (gint64) entry->events->len : 0;

  if (head_version != expected_version)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
                   _("The ledger “%s” was changed by someone else; load it again and retry"),
                   ledger);
      return FALSE;
    }

  append_checked (self, ledger, expected_version, events, n_events, out_appended,
                  g_get_real_time ());
  return TRUE;
}

/* Appends events whose expected version was checked already, and
 * describes them in @out_appended unless it is %NULL. */
static void
append_checked (QlMemoryEventStore *self,
                const char         *ledger,
                gint64              expected_version,
                const QlNewEvent   *events,
                guint               n_events,
                QlEventRecord      *out_appended,
                gint64              timestamp)
{
  LedgerEntry *entry = g_hash_table_lookup (self->ledgers, ledger);

  if (entry == NULL)
    {
      entry = g_new0 (LedgerEntry, 1);
      entry->name = g_strdup (ledger);
      entry->events = g_ptr_array_new ();
      g_hash_table_insert (self->ledgers, entry->name, entry);
    }

  for (guint i = 0; i < n_events; i++)
    {
      StoredEvent *event = g_new0 (StoredEvent, 1);

      event->position = (gint64) self->log->len + 1;
      event->version = expected_version + i + 1;
      event->timestamp = timestamp;
      event->type = g_strdup (events[i].type);
      event->payload = g_strdup (events[i].payload);
      event->reference = g_strdup (events[i].reference);
      event->ledger = entry->name;

      g_ptr_array_add (self->log, event);
      g_ptr_array_add (entry->events, event);

      if (out_appended != NULL)
        {
          fill_record (&out_appended[i], event);
          out_appended[i].ledger = ledger;
          out_appended[i].type = events[i].type;
          out_appended[i].payload = events[i].payload;
          out_appended[i].reference = events[i].reference;
        }
    }
}

/* Events a batch counts between two calls to its progress function. */
#define PROGRESS_EVERY 4096

static gboolean
ql_memory_event_store_append_batch (QlEventStore          *store,
                                    const QlLedgerAppend  *appends,
                                    guint                  n_appends,
                                    QlBatchProgressFunc    progress,
                                    gpointer               user_data,
                                    GError               **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  /* Ledger name → the version it would have after the parts seen so far. */
  g_autoptr(GHashTable) versions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint64 n_counted = 0;
  gint64 timestamp;

  /* Check everything before writing anything: all or none. */
  for (guint i = 0; i < n_appends; i++)
    {
      const QlLedgerAppend *append = &appends[i];
      gint64 *version = g_hash_table_lookup (versions, append->ledger);

      if (version == NULL)
        {
          LedgerEntry *entry = g_hash_table_lookup (self->ledgers, append->ledger);

          version = g_new (gint64, 1);
          *version = entry != NULL ? (gint64) entry->events->len : 0;
          g_hash_table_insert (versions, (gpointer) append->ledger, version);
        }

      if (*version != append->expected_version)
        {
          g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
                       _("The ledger “%s” was changed by someone else; load it again and retry"),
                       append->ledger);
          return FALSE;
        }
      *version += append->n_events;

      for (guint j = 0; j < append->n_events; j++)
        {
          n_counted++;
          if (progress != NULL && n_counted % PROGRESS_EVERY == 0 &&
              !progress (n_counted, user_data))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The import was cancelled; nothing was written"));
              return FALSE;
            }
        }
    }

  /* One transaction, one time, as the other stores write a batch. */
  timestamp = g_get_real_time ();
  for (guint i = 0; i < n_appends; i++)
    {
      append_checked (self, appends[i].ledger, appends[i].expected_version,
                      appends[i].events, appends[i].n_events, NULL, timestamp);
      if (appends[i].snapshot != NULL)
        ql_memory_event_store_save_snapshot (store, appends[i].ledger,
                                             appends[i].expected_version + appends[i].n_events,
                                             appends[i].snapshot, NULL);
    }

  return TRUE;
}

static gboolean
ql_memory_event_store_read_ledger (QlEventStore  *store,
                                   const char    *ledger,
                                   gint64         after_version,
                                   gint64         up_to_version,
                                   QlEventFunc    func,
                                   gpointer       user_data,
                                   GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  LedgerEntry *entry = g_hash_table_lookup (self->ledgers, ledger);
  QlEventRecord record;

  if (entry == NULL)
    return TRUE;

  /* The length is read on every turn: @func may append to this ledger. */
  for (gint64 version = after_version + 1;
       version <= (gint64) entry->events->len && (up_to_version <= 0 || version <= up_to_version);
       version++)
    {
      fill_record (&record, g_ptr_array_index (entry->events, version - 1));
      if (!func (&record, user_data))
        break;
    }

  return TRUE;
}

static gboolean
ql_memory_event_store_read_log (QlEventStore  *store,
                                gint64         start,
                                gint64         limit,
                                QlEventFunc    func,
                                gpointer       user_data,
                                GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  QlEventRecord record;
  gint64 count = 0;

  for (gint64 position = start;
       position <= (gint64) self->log->len && (limit <= 0 || count < limit);
       position++, count++)
    {
      fill_record (&record, g_ptr_array_index (self->log, position - 1));
      if (!func (&record, user_data))
        break;
    }

  return TRUE;
}

static gint64
ql_memory_event_store_get_head_position (QlEventStore  *store,
                                         GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);

  return self->log->len;
}

static int
compare_heads (gconstpointer a,
               gconstpointer b)
{
  const QlLedgerHead *head_a = *(QlLedgerHead * const *) a;
  const QlLedgerHead *head_b = *(QlLedgerHead * const *) b;

  return strcmp (head_a->ledger, head_b->ledger);
}

static GPtrArray *
ql_memory_event_store_list_ledgers (QlEventStore  *store,
                                    GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  g_autoptr(GPtrArray) heads = NULL;
  GHashTableIter iter;
  gpointer value;

  heads = g_ptr_array_new_full (g_hash_table_size (self->ledgers),
                                (GDestroyNotify) ql_ledger_head_free);

  g_hash_table_iter_init (&iter, self->ledgers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LedgerEntry *entry = value;
      QlLedgerHead *head = g_new0 (QlLedgerHead, 1);

      head->ledger = g_strdup (entry->name);
      head->version = entry->events->len;
      g_ptr_array_add (heads, head);
    }

  g_ptr_array_sort (heads, compare_heads);

  return g_steal_pointer (&heads);
}

static gboolean
ql_memory_event_store_save_snapshot (QlEventStore  *store,
                                     const char    *ledger,
                                     gint64         version,
                                     const char    *state,
                                     GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  GArray *snapshots = g_hash_table_lookup (self->snapshots, ledger);
  Snapshot snapshot = { version, g_strdup (state) };
  guint index = 0;

  if (snapshots == NULL)
    {
      snapshots = g_array_new (FALSE, FALSE, sizeof (Snapshot));
      g_array_set_clear_func (snapshots, clear_snapshot);
      g_hash_table_insert (self->snapshots, g_strdup (ledger), snapshots);
    }

  while (index < snapshots->len && g_array_index (snapshots, Snapshot, index).version < version)
    index++;

  if (index < snapshots->len && g_array_index (snapshots, Snapshot, index).version == version)
    {
      Snapshot *old = &g_array_index (snapshots, Snapshot, index);

      g_free (old->state);
      old->state = snapshot.state;
    }
  else
    {
      g_array_insert_val (snapshots, index, snapshot);
    }

  return TRUE;
}

static gboolean
ql_memory_event_store_load_snapshot (QlEventStore  *store,
                                     const char    *ledger,
                                     gint64         up_to_version,
                                     gint64        *out_version,
                                     char         **out_state,
                                     GError       **error)
{
  QlMemoryEventStore *self = QL_MEMORY_EVENT_STORE (store);
  GArray *snapshots = g_hash_table_lookup (self->snapshots, ledger);

  if (snapshots == NULL)
    return TRUE;

  for (guint i = snapshots->len; i > 0; i--)
    {
      const Snapshot *snapshot = &g_array_index (snapshots, Snapshot, i - 1);

      if (up_to_version <= 0 || snapshot->version <= up_to_version)
        {
          *out_version = snapshot->version;
          *out_state = g_strdup (snapshot->state);
          break;
        }
    }

  return TRUE;
}

static void
ql_memory_event_store_iface_init (QlEventStoreInterface *iface)
{
  iface->append = ql_memory_event_store_append;
  iface->append_batch = ql_memory_event_store_append_batch;
  iface->read_ledger = ql_memory_event_store_read_ledger;
  iface->read_log = ql_memory_event_store_read_log;
  iface->get_head_position = ql_memory_event_store_get_head_position;
  iface->list_ledgers = ql_memory_event_store_list_ledgers;
  iface->save_snapshot = ql_memory_event_store_save_snapshot;
  iface->load_snapshot = ql_memory_event_store_load_snapshot;
}

static void
read_table_clear (ReadTable *table)
{
  g_clear_pointer (&table->rows, g_tree_unref);
  table->found = FALSE;
  table->version = 0;
  table->position = 0;
}

static void
read_model_free (gpointer data)
{
  ReadModel *model = data;

  read_table_clear (&model->slots[QL_READ_SLOT_LIVE]);
  read_table_clear (&model->slots[QL_READ_SLOT_BUILDING]);
  g_free (model);
}

static ReadTable *
find_read_table (QlMemoryEventStore *self,
                 const char         *name,
                 QlReadSlot          slot,
                 gboolean            create)
{
  ReadModel *model = g_hash_table_lookup (self->read_models, name);

  if (model == NULL && !create)
    return NULL;
  if (model == NULL)
    {
      model = g_new0 (ReadModel, 1);
      g_hash_table_insert (self->read_models, g_strdup (name), model);
    }
  return &model->slots[slot];
}

static gboolean
memory_read_get_state (QlReadModelStore  *store,
                       const char        *name,
                       QlReadSlot         slot,
                       gboolean          *out_found,
                       gint64            *out_version,
                       gint64            *out_position,
                       GError           **error)
{
  ReadTable *table = find_read_table (QL_MEMORY_EVENT_STORE (store), name, slot, FALSE);

  *out_found = table != NULL && table->found;
  *out_version = *out_found ? table->version : 0;
  *out_position = *out_found ? table->position : 0;
  return TRUE;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return strcmp (a, b);
}

static gboolean
memory_read_commit (QlReadModelStore  *store,
                    const char        *name,
                    QlReadSlot         slot,
                    gint64             version,
                    gint64             expected_position,
                    gint64             position,
                    const QlReadRow   *rows,
                    guint              n_rows,
                    GError           **error)
{
  ReadTable *table = find_read_table (QL_MEMORY_EVENT_STORE (store), name, slot, TRUE);

  if ((table->found ? table->position : 0) != expected_position ||
      (table->found && table->version != version))
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
                   _("The projection “%s” was brought up to date by someone else"), name);
      return FALSE;
    }
  if (!table->found)
    {
      table->rows = g_tree_new_full (compare_keys, NULL, g_free, g_free);
      table->found = TRUE;
    }
  for (guint i = 0; i < n_rows; i++)
    {
      gint64 *values = g_tree_lookup (table->rows, rows[i].key);

      if (values == NULL)
        {
          values = g_new0 (gint64, 2);
          g_tree_insert (table->rows, g_strdup (rows[i].key), values);
        }
      values[0] += rows[i].a;
      values[1] += rows[i].b;
    }
  table->version = version;
  table->position = position;
  return TRUE;
}

static gboolean
memory_read_reset (QlReadModelStore  *store,
                   const char        *name,
                   QlReadSlot         slot,
                   GError           **error)
{
  ReadTable *table = find_read_table (QL_MEMORY_EVENT_STORE (store), name, slot, FALSE);

  if (table != NULL)
    read_table_clear (table);
  return TRUE;
}

static gboolean
memory_read_swap (QlReadModelStore  *store,
                  const char        *name,
                  GError           **error)
{
  ReadModel *model = g_hash_table_lookup (QL_MEMORY_EVENT_STORE (store)->read_models, name);

  if (model == NULL || !model->slots[QL_READ_SLOT_BUILDING].found)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("The projection “%s” has no rebuilt table to swap in"), name);
      return FALSE;
    }
  read_table_clear (&model->slots[QL_READ_SLOT_LIVE]);
  model->slots[QL_READ_SLOT_LIVE] = model->slots[QL_READ_SLOT_BUILDING];
  memset (&model->slots[QL_READ_SLOT_BUILDING], 0, sizeof (ReadTable));
  return TRUE;
}

static gboolean
memory_read_rows (QlReadModelStore  *store,
                  const char        *name,
                  const char        *prefix,
                  QlReadRowFunc      func,
                  gpointer           user_data,
                  GError           **error)
{
  ReadTable *table = find_read_table (QL_MEMORY_EVENT_STORE (store), name, QL_READ_SLOT_LIVE,
                                      FALSE);
  gsize prefix_len = strlen (prefix);
  GTreeNode *node;

  if (table == NULL || !table->found)
    return TRUE;
  for (node = g_tree_lower_bound (table->rows, prefix); node != NULL; node = g_tree_node_next (node))
    {
      const char *key = g_tree_node_key (node);
      const gint64 *values = g_tree_node_value (node);
      QlReadRow row = { key, values[0], values[1] };

      if (strncmp (key, prefix, prefix_len) != 0 || !func (&row, user_data))
        break;
    }
  return TRUE;
}

static void
ql_memory_read_model_store_iface_init (QlReadModelStoreInterface *iface)
{
  iface->get_state = memory_read_get_state;
  iface->commit = memory_read_commit;
  iface->reset = memory_read_reset;
  iface->swap = memory_read_swap;
  iface->read_rows = memory_read_rows;
}

static void
ql_memory_event_store_finalize (GObject *object)
{
  QlMemoryEventStore *self = (QlMemoryEventStore *)object;

  g_clear_pointer (&self->snapshots, g_hash_table_unref);
  g_clear_pointer (&self->read_models, g_hash_table_unref);
  /* Events borrow their ledger's name: drop them before the ledgers. */
  g_clear_pointer (&self->log, g_ptr_array_unref);
  g_clear_pointer (&self->ledgers, g_hash_table_unref);

  G_OBJECT_CLASS (ql_memory_event_store_parent_class)->finalize (object);
}

static void
ql_memory_event_store_class_init (QlMemoryEventStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_memory_event_store_finalize;
}

static void
ql_memory_event_store_init (QlMemoryEventStore *self)
{
  self->log = g_ptr_array_new_with_free_func (stored_event_free);
  self->ledgers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, ledger_entry_free);
  self->snapshots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_array_unref);
  self->read_models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, read_model_free);
}

/**
 * ql_memory_event_store_new:
 *
 * Creates an empty store that is lost with the object.
 *
 * Returns: (transfer full): a new #QlEventStore
 */
QlEventStore *
ql_memory_event_store_new (void)
{
  return g_object_new (QL_TYPE_MEMORY_EVENT_STORE, NULL);
}
