/* ql-ledger-book.c: every ledger of one event store, and the commands on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-event-private.h"
#include "ql-ledger-book-private.h"
#include "ql-ledger-events-private.h"
#include "ql-ledger-import.h"
#include "ql-ledger-plans-private.h"
#include "ql-ledger-private.h"
#include "ql-ledger-replay-private.h"

/* Events are read in pages so that memory stays flat on long histories. */
#define PAGE_SIZE 256
#define DEFAULT_SNAPSHOT_INTERVAL 1000

/**
 * QlLedgerBook:
 *
 * All the ledgers of one #QlEventStore, and the commands that change them.
 *
 * The book keeps one #QlLedger per ledger in a #GListModel sorted by name,
 * and updates each in place, so views can bind to it. Every command first
 * catches up with the store, checks the ledger's rules against the current
 * state, then appends with optimistic concurrency: when another writer got
 * there first, the book reloads and tries again, so no update is lost or
 * applied twice. Events appended by other books or processes show up after
 * ql_ledger_book_refresh(), or by themselves with ql_ledger_book_watch().
 */
struct _QlLedgerBook
{
  GObject parent_instance;

  /* Owned References */
  QlEventStore *store;
  GListStore   *ledgers;
  GHashTable   *by_name;
  /* The normal form of a name another program stored in another form
   * (such as NFD) → its ledger, so that commands find it. */
  GHashTable   *by_key;
  GSource      *watch_source;

  /* The newest position of the notification log known to be applied. */
  gint64        log_position;
  guint         snapshot_interval;
  gboolean      changed_pending;
  /* Whether the watch's last look at the store worked */
  gboolean      reachable;
};

static void ql_ledger_book_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlLedgerBook, ql_ledger_book, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ql_ledger_book_initable_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_SNAPSHOT_INTERVAL,
  PROP_REACHABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  REFRESH_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
compare_ledgers_indirect (gconstpointer a,
                          gconstpointer b,
                          gpointer      user_data)
{
  return _ql_ledger_compare (*(QlLedger **) a, *(QlLedger **) b, user_data);
}

static void
index_ledger (QlLedgerBook *self,
              const char   *name,
              QlLedger     *ledger)
{
  g_autofree char *key = ql_ledger_normalize_name (name, NULL);

  g_hash_table_insert (self->by_name, g_strdup (name), g_object_ref (ledger));
  /* The first ledger stored under a form keeps it. */
  if (key != NULL && strcmp (key, name) != 0 && !g_hash_table_contains (self->by_key, key))
    g_hash_table_insert (self->by_key, g_steal_pointer (&key), g_object_ref (ledger));
}

/* The name the store keeps the ledger @key (a name in its normal form)
 * under: @key itself, or the form another program wrote it in. */
static const char *
resolve_name (QlLedgerBook *self,
              const char   *key)
{
  QlLedger *ledger;

  if (g_hash_table_contains (self->by_name, key))
    return key;
  ledger = g_hash_table_lookup (self->by_key, key);
  return ledger != NULL ? ql_ledger_get_name (ledger) : key;
}

/* Checks the name a command was given and returns the name its ledger is
 * stored under. */
static char *
command_name (QlLedgerBook  *self,
              const char    *name,
              GError       **error)
{
  g_autofree char *key = ql_ledger_normalize_name (name, error);

  if (key == NULL)
    return NULL;
  return g_strdup (resolve_name (self, key));
}

static void
add_ledger (QlLedgerBook *self,
            QlLedger     *ledger)
{
  g_assert (QL_IS_LEDGER_BOOK (self));
  g_assert (!g_hash_table_contains (self->by_name, ql_ledger_get_name (ledger)));

  index_ledger (self, ql_ledger_get_name (ledger), ledger);
  g_list_store_insert_sorted (self->ledgers, ledger, _ql_ledger_compare, NULL);
  self->changed_pending = TRUE;
}

static void
save_snapshot_if_due (QlLedgerBook *self,
                      QlLedger     *ledger)
{
  _ql_ledger_replay_save_snapshot_if_due (self->store, self->snapshot_interval, ledger);
}

/* Brings the book's ledger @name up to date with the store, adding it to
 * the book if another writer created it. @out_ledger is %NULL when no
 * ledger has that name. */
static gboolean
sync_ledger (QlLedgerBook  *self,
             const char    *name,
             QlLedger     **out_ledger,
             GError       **error)
{
  QlLedger *ledger = g_hash_table_lookup (self->by_name, name);
  g_autoptr(QlLedger) loaded = NULL;

  if (ledger != NULL)
    {
      gboolean changed;

      if (!_ql_ledger_replay_catch_up (self->store, self->snapshot_interval, ledger, &changed,
                                       error))
        return FALSE;
      if (changed)
        self->changed_pending = TRUE;
      *out_ledger = ledger;
      return TRUE;
    }

  if (!_ql_ledger_replay_load (self->store, self->snapshot_interval, name, 0, TRUE, &loaded,
                               error))
    return FALSE;
  if (loaded != NULL)
    add_ledger (self, loaded);
  *out_ledger = loaded;
  return TRUE;
}

static gboolean
sync_existing_ledger (QlLedgerBook  *self,
                      const char    *name,
                      QlLedger     **out_ledger,
                      GError       **error)
{
  if (!sync_ledger (self, name, out_ledger, error))
    return FALSE;
  if (*out_ledger == NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                   _("No ledger is named “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static void
emit_changed_if_pending (QlLedgerBook *self)
{
  if (!self->changed_pending)
    return;
  self->changed_pending = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
set_busy_error (GError     **error,
                const char  *name)
{
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY,
               _("“%s” kept being changed by someone else, so nothing was written; try again"),
               name);
}

/* Appends one event at @expected_version + 1 and applies it to @ledger, or
 * creates the ledger when @ledger is %NULL. @reference (nullable) goes to
 * the store beside the payload, which carries it too. Returns the event
 * as stored, or %NULL: with @error unset on a conflict, so that the
 * caller reloads and tries again. */
static QlEvent *
append_event (QlLedgerBook  *self,
              const char    *name,
              QlLedger      *ledger,
              const char    *type,
              const char    *payload,
              const char    *reference,
              gboolean      *out_conflict,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  QlNewEvent event = { type, payload, reference };
  gint64 expected_version = ledger != NULL ? ql_ledger_get_version (ledger) : 0;
  QlEventRecord record;

  *out_conflict = FALSE;

  if (!ql_event_store_append (self->store, name, expected_version, &event, 1, &record,
                              &local_error))
    {
      if (g_error_matches (local_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
        {
          *out_conflict = TRUE;
          return NULL;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The store accepted exactly this event at this version, so applying it
   * here gives the state the store has. */
  if (ledger == NULL)
    {
      g_autoptr(QlLedger) created = _ql_ledger_new_from_event (&record, error);

      if (created == NULL)
        return NULL;
      add_ledger (self, created);
      save_snapshot_if_due (self, created);
    }
  else
    {
      if (!_ql_ledger_apply (ledger, &record, error))
        return NULL;
      save_snapshot_if_due (self, ledger);
      self->changed_pending = TRUE;
    }

  emit_changed_if_pending (self);
  return ql_event_new_from_record (&record);
}

static QlEvent *
create_ledger (QlLedgerBook  *self,
               const char    *name,
               const char    *type,
               const char    *payload,
               GError       **error)
{
  for (guint attempt = 0; attempt < QL_LEDGER_BOOK_MAX_ATTEMPTS; attempt++)
    {
      QlLedger *existing = NULL;
      QlEvent *created;
      gboolean conflict;

      if (!sync_ledger (self, name, &existing, error))
        return NULL;
      if (existing != NULL)
        {
          emit_changed_if_pending (self);
          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS,
                       _("A ledger named “%s” exists already"), name);
          return NULL;
        }

      created = append_event (self, name, NULL, type, payload, NULL, &conflict, error);
      if (created != NULL || !conflict)
        return created;
    }

  emit_changed_if_pending (self);
  set_busy_error (error, name);
  return NULL;
}

static QlEvent *
read_event (QlLedgerBook  *self,
            const char    *name,
            gint64         version,
            GError       **error)
{
  g_autoptr(GPtrArray) events = NULL;

  events = ql_event_store_collect_ledger (self->store, name, version - 1, version, error);
  if (events == NULL)
    return NULL;
  if (events->len != 1)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("Event %" PRId64 " of ledger “%s” is missing"), version, name);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (events, 0));
}

/* Runs a command on an existing ledger with optimistic concurrency: the
 * plan is made against the ledger as the store has it, and made again
 * whenever another writer appended first, so every rule is checked
 * against the state the event lands on. The first plan uses the book's
 * copy without reading the store: when nobody else wrote, that copy is
 * the store's state, and when somebody did, the store refuses the append
 * as a conflict. A first plan that fails is made again on a fresh copy,
 * since another writer may have made the command possible. Returns the
 * event that answers the command, as appended or as read back when it was
 * in the ledger already, or %NULL with @error set. */
static QlEvent *
run_command (QlLedgerBook  *self,
             const char    *key,
             QlPlanFunc     plan_func,
             gconstpointer  command,
             GError       **error)
{
  QlLedger *ledger = g_hash_table_lookup (self->by_name, key);

  for (guint attempt = 0; attempt < QL_LEDGER_BOOK_MAX_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) plan_error = NULL;
      gboolean use_copy = attempt == 0 && ledger != NULL;
      QlPlan plan = { NULL, NULL, NULL, 0 };
      gboolean conflict = FALSE;
      QlEvent *appended;

      if (!use_copy && !sync_existing_ledger (self, key, &ledger, error))
        {
          emit_changed_if_pending (self);
          return NULL;
        }
      /* Its events never change, so neither does the damage. */
      if (!_ql_ledger_check_sound (ledger, error))
        {
          emit_changed_if_pending (self);
          return NULL;
        }
      if (!plan_func (self->store, ledger, command, &plan, &plan_error))
        {
          g_free (plan.payload);
          if (use_copy)
            continue;
          emit_changed_if_pending (self);
          g_propagate_error (error, g_steal_pointer (&plan_error));
          return NULL;
        }
      if (plan.answered_by > 0)
        {
          emit_changed_if_pending (self);
          return read_event (self, key, plan.answered_by, error);
        }

      appended = append_event (self, key, ledger, plan.type, plan.payload, plan.reference,
                               &conflict, error);
      g_free (plan.payload);
      if (appended != NULL)
        return appended;
      if (!conflict)
        {
          emit_changed_if_pending (self);
          return NULL;
        }
    }

  emit_changed_if_pending (self);
  set_busy_error (error, key);
  return NULL;
}

/* Appends one leg to each of two ledgers in one transaction of the
 * store, checked against both heads, and catches both ledgers up. The
 * parts go in name order, so that every writer meets the heads in the
 * same order. @first_reference (nullable) goes to the store with
 * @first's leg. Returns @first's new event, or %NULL: with @out_conflict
 * set when another writer came first, so that the caller plans again. */
static QlEvent *
append_legs (QlLedgerBook         *self,
             QlLedger             *first,
             const QlTransferLeg  *first_leg,
             const char           *first_reference,
             QlLedger             *second,
             const QlTransferLeg  *second_leg,
             gboolean             *out_conflict,
             GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  QlNewEvent first_event = { first_leg->type, first_leg->payload, first_reference };
  QlNewEvent second_event = { second_leg->type, second_leg->payload, NULL };
  gint64 first_version = ql_ledger_get_version (first) + 1;
  QlLedgerAppend appends[2] = {
    { ql_ledger_get_name (first), ql_ledger_get_version (first), &first_event, 1, NULL },
    { ql_ledger_get_name (second), ql_ledger_get_version (second), &second_event, 1, NULL },
  };
  QlLedger *synced;

  *out_conflict = FALSE;
  if (strcmp (appends[0].ledger, appends[1].ledger) > 0)
    {
      QlLedgerAppend swap = appends[0];

      appends[0] = appends[1];
      appends[1] = swap;
    }
  if (!ql_event_store_append_batch (self->store, appends, G_N_ELEMENTS (appends), NULL, NULL,
                                    &local_error))
    {
      *out_conflict = g_error_matches (local_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT);
      if (!*out_conflict)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!sync_ledger (self, ql_ledger_get_name (first), &synced, error) ||
      !sync_ledger (self, ql_ledger_get_name (second), &synced, error))
    return NULL;
  self->changed_pending = TRUE;
  emit_changed_if_pending (self);
  return read_event (self, ql_ledger_get_name (first), first_version, error);
}

static QlEvent *
record_change (QlLedgerBook       *self,
               const char         *name,
               const char         *type,
               const char         *amount_text,
               const QlChangeNote *note,
               GError            **error)
{
  g_autofree char *key = command_name (self, name, error);
  QlChangeCommand command = {
    type, amount_text,
    note != NULL ? note->date : NULL,
    note != NULL ? note->payee : NULL,
    note != NULL ? note->memo : NULL,
  };

  if (key == NULL || !ql_text_check (QL_TEXT_FIELD_AMOUNT, amount_text, -1, error))
    return NULL;
  return run_command (self, key, _ql_plan_change, &command, error);
}

static QlEvent *
change_ledger (QlLedgerBook  *self,
               const char    *name,
               const char    *type,
               const char    *amount_text,
               GError       **error)
{
  return record_change (self, name, type, amount_text, NULL, error);
}

static gboolean
apply_log_event (QlLedgerBook  *self,
                 QlEvent       *event,
                 GError       **error)
{
  const char *name = ql_event_get_ledger (event);
  QlLedger *ledger = g_hash_table_lookup (self->by_name, name);
  gint64 version = ql_event_get_version (event);
  g_autoptr(GError) damage = NULL;
  QlEventRecord record;

  /* A damaged ledger stays as it was before the damage. */
  if (ledger != NULL && (version <= ql_ledger_get_version (ledger) ||
                         ql_ledger_get_damaged_version (ledger) > 0))
    return TRUE;

  _ql_event_get_record (event, &record);

  if (ledger != NULL && version == ql_ledger_get_version (ledger) + 1)
    {
      if (_ql_ledger_apply (ledger, &record, &damage))
        save_snapshot_if_due (self, ledger);
      else
        _ql_ledger_set_damage (ledger, version, damage);
      self->changed_pending = TRUE;
      return TRUE;
    }

  if (ledger == NULL && version == 1)
    {
      g_autoptr(QlLedger) created = _ql_ledger_new_from_event (&record, &damage);

      if (created == NULL)
        {
          created = _ql_ledger_new_damaged (name, damage);
          add_ledger (self, created);
          return TRUE;
        }
      add_ledger (self, created);
      save_snapshot_if_due (self, created);
      return TRUE;
    }

  /* A gap: catch the whole ledger up from its own stream instead. */
  return sync_ledger (self, name, &ledger, error);
}

static gboolean
watch_timeout_cb (gpointer user_data)
{
  /* A handler may drop the last other reference while the refresh runs. */
  g_autoptr(QlLedgerBook) self = g_object_ref (user_data);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert (QL_IS_LEDGER_BOOK (self));

  ok = ql_ledger_book_refresh (self, &error);
  if (self->reachable != ok)
    {
      self->reachable = ok;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHABLE]);
    }
  if (!ok)
    g_signal_emit (self, signals[REFRESH_FAILED], 0, error);

  return G_SOURCE_CONTINUE;
}

static gboolean
ql_ledger_book_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  QlLedgerBook *self = QL_LEDGER_BOOK (initable);
  g_autoptr(GPtrArray) heads = NULL;
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 head_position;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self->store), FALSE);

  /* Read the log head first: events appended while the ledgers load are
   * then read again by the next refresh and skipped as already applied. */
  head_position = ql_event_store_get_head_position (self->store, error);
  if (head_position < 0)
    return FALSE;

  heads = ql_event_store_list_ledgers (self->store, error);
  if (heads == NULL)
    return FALSE;

  for (guint i = 0; i < heads->len; i++)
    {
      QlLedgerHead *head = g_ptr_array_index (heads, i);
      g_autoptr(QlLedger) ledger = NULL;

      /* Up to the head's version: a snapshot of the head is then all
       * there is to read. Events appended since are caught up by the
       * next refresh. */
      if (!_ql_ledger_replay_load (self->store, self->snapshot_interval, head->ledger,
                                   head->version, TRUE, &ledger, error))
        return FALSE;
      if (ledger == NULL)
        continue;
      index_ledger (self, head->ledger, ledger);
      g_ptr_array_add (loaded, g_steal_pointer (&ledger));
    }

  g_ptr_array_sort_with_data (loaded, compare_ledgers_indirect, NULL);
  g_list_store_splice (self->ledgers, 0, 0, loaded->pdata, loaded->len);

  self->log_position = head_position;
  self->changed_pending = FALSE;
  return TRUE;
}

static void
ql_ledger_book_initable_iface_init (GInitableIface *iface)
{
  iface->init = ql_ledger_book_initable_init;
}

static void
ql_ledger_book_dispose (GObject *object)
{
  QlLedgerBook *self = (QlLedgerBook *)object;

  if (self->watch_source != NULL)
    {
      g_source_destroy (self->watch_source);
      g_clear_pointer (&self->watch_source, g_source_unref);
    }
  g_clear_object (&self->ledgers);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ql_ledger_book_parent_class)->dispose (object);
}

static void
ql_ledger_book_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QlLedgerBook *self = QL_LEDGER_BOOK (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SNAPSHOT_INTERVAL:
      g_value_set_uint (value, self->snapshot_interval);
      break;

    case PROP_REACHABLE:
      g_value_set_boolean (value, self->reachable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_book_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  QlLedgerBook *self = QL_LEDGER_BOOK (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SNAPSHOT_INTERVAL:
      ql_ledger_book_set_snapshot_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_book_class_init (QlLedgerBookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_ledger_book_dispose;
  object_class->get_property = ql_ledger_book_get_property;
  object_class->set_property = ql_ledger_book_set_property;

  /**
   * QlLedgerBook:store:
   *
   * The event store the ledgers live in.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, QL_TYPE_EVENT_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * QlLedgerBook:snapshot-interval:
   *
   * A ledger's state is saved as a snapshot every this many events, so
   * that loading it replays at most this many events.
   */
  properties[PROP_SNAPSHOT_INTERVAL] =
    g_param_spec_uint ("snapshot-interval", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_SNAPSHOT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * QlLedgerBook:reachable:
   *
   * Whether the store answered the watch's last look for new events
   * (ql_ledger_book_watch()). It turns %FALSE when a look fails, such as
   * when the connection to a database server is lost, and %TRUE again
   * once a look works, with the book caught up by then; views say that
   * the ledgers are being reconnected meanwhile.
   */
  properties[PROP_REACHABLE] =
    g_param_spec_boolean ("reachable", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QlLedgerBook::changed:
   * @self: a #QlLedgerBook
   *
   * Emitted after new events were applied to the book's ledgers, by one of
   * its commands or by a refresh, so that views can read history again.
   * The ledgers' own properties have notified by then.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * QlLedgerBook::refresh-failed:
   * @self: a #QlLedgerBook
   * @error: why the store could not be read
   *
   * Emitted when a refresh started by ql_ledger_book_watch() fails. The
   * watch goes on and tries again at its next interval.
   */
  signals[REFRESH_FAILED] =
    g_signal_new ("refresh-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ql_ledger_book_init (QlLedgerBook *self)
{
  self->reachable = TRUE;
  self->ledgers = g_list_store_new (QL_TYPE_LEDGER);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->snapshot_interval = DEFAULT_SNAPSHOT_INTERVAL;
}

/**
 * ql_ledger_book_new:
 * @store: the event store to keep the ledgers in
 * @error: return location for a #GError
 *
 * Loads every ledger of @store, each from its newest snapshot and the
 * events after it.
 *
 * Returns: (transfer full): a new #QlLedgerBook, or %NULL with @error set
 *   when the store cannot be read or is damaged
 */
QlLedgerBook *
ql_ledger_book_new (QlEventStore  *store,
                    GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (QL_TYPE_LEDGER_BOOK, NULL, error, "store", store, NULL);
}

/**
 * ql_ledger_book_get_store:
 * @self: a #QlLedgerBook
 *
 * Returns: (transfer none): the book's event store
 */
QlEventStore *
ql_ledger_book_get_store (QlLedgerBook *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return self->store;
}

/**
 * ql_ledger_book_get_ledgers:
 * @self: a #QlLedgerBook
 *
 * The book's ledgers, sorted by name. Each ledger is one #QlLedger for the
 * life of the book and changes in place; the list only grows, emitting
 * #GListModel::items-changed when a ledger appears.
 *
 * Returns: (transfer none): a #GListModel of #QlLedger
 */
GListModel *
ql_ledger_book_get_ledgers (QlLedgerBook *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return G_LIST_MODEL (self->ledgers);
}

/**
 * ql_ledger_book_lookup:
 * @self: a #QlLedgerBook
 * @name: a ledger name, in any form ql_ledger_normalize_name() accepts
 *
 * Finds a ledger the book knows, without reading the store.
 *
 * Returns: (transfer none) (nullable): the ledger, or %NULL
 */
QlLedger *
ql_ledger_book_lookup (QlLedgerBook *self,
                       const char   *name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  key = ql_ledger_normalize_name (name, NULL);
  if (key == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_name, resolve_name (self, key));
}

/**
 * ql_ledger_book_open_account:
 * @self: a #QlLedgerBook
 * @name: the new account's name
 * @currency: (nullable): an ISO 4217 code in any case, or %NULL or an empty
 *   text for an account counted in plain units
 * @error: return location for a #GError
 *
 * Opens an account with a balance of zero by appending `AccountOpened`.
 *
 * Returns: (transfer full): the `AccountOpened` event as appended, with its
 *   position in the notification log and its version, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_INVALID_NAME,
 *   %QL_LEDGER_ERROR_INVALID_CURRENCY or %QL_LEDGER_ERROR_EXISTS
 */
QlEvent *
ql_ledger_book_open_account (QlLedgerBook  *self,
                             const char    *name,
                             const char    *currency,
                             GError       **error)
{
  g_autofree char *key = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *trimmed = NULL;
  const char *code = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;
  if (currency != NULL && !ql_text_check (QL_TEXT_FIELD_CURRENCY, currency, -1, error))
    return NULL;

  trimmed = g_strstrip (g_strdup (currency != NULL ? currency : ""));
  if (trimmed[0] != '\0')
    {
      code = ql_currency_canonicalize (trimmed, NULL, error);
      if (code == NULL)
        return NULL;
    }

  payload = _ql_account_opened_payload_write (code);

  return create_ledger (self, key, QL_EVENT_ACCOUNT_OPENED, payload, error);
}

/**
 * ql_ledger_book_create_item:
 * @self: a #QlLedgerBook
 * @name: the new item's name
 * @quantity: the opening quantity as the user typed it; `0` is allowed
 * @error: return location for a #GError
 *
 * Creates an inventory item by appending `ItemCreated`.
 *
 * Returns: (transfer full): the `ItemCreated` event as appended, with its
 *   position in the notification log and its version, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_INVALID_NAME,
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT or %QL_LEDGER_ERROR_EXISTS
 */
QlEvent *
ql_ledger_book_create_item (QlLedgerBook  *self,
                            const char    *name,
                            const char    *quantity,
                            GError       **error)
{
  g_autofree char *key = NULL;
  g_autofree char *payload = NULL;
  gint64 opening;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (quantity != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;
  if (!ql_text_check (QL_TEXT_FIELD_AMOUNT, quantity, -1, error) ||
      !ql_quantity_parse (quantity, TRUE, &opening, error))
    return NULL;

  payload = _ql_item_created_payload_write (key, opening);

  return create_ledger (self, key, QL_EVENT_ITEM_CREATED, payload, error);
}

/**
 * ql_ledger_book_deposit:
 * @self: a #QlLedgerBook
 * @name: an account's name
 * @amount: the amount as the user typed it, such as `99.99`
 * @error: return location for a #GError
 *
 * Appends `Deposited` to an account.
 *
 * Returns: (transfer full): the `Deposited` event as appended, with its
 *   position in the notification log and its version, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_NOT_FOUND,
 *   %QL_LEDGER_ERROR_WRONG_KIND or %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
QlEvent *
ql_ledger_book_deposit (QlLedgerBook  *self,
                        const char    *name,
                        const char    *amount,
                        GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return change_ledger (self, name, QL_EVENT_DEPOSITED, amount, error);
}

/**
 * ql_ledger_book_withdraw:
 * @self: a #QlLedgerBook
 * @name: an account's name
 * @amount: the amount as the user typed it
 * @error: return location for a #GError
 *
 * Appends `Withdrawn` to an account. The balance never goes below zero.
 *
 * Returns: (transfer full): the `Withdrawn` event as appended, with its
 *   position in the notification log and its version, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS
 */
QlEvent *
ql_ledger_book_withdraw (QlLedgerBook  *self,
                         const char    *name,
                         const char    *amount,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return change_ledger (self, name, QL_EVENT_WITHDRAWN, amount, error);
}

/**
 * ql_ledger_book_increase:
 * @self: a #QlLedgerBook
 * @name: an item's name
 * @quantity: how many to add, a whole number
 * @error: return location for a #GError
 *
 * Appends `QuantityIncreased` to an inventory item.
 *
 * Returns: (transfer full): the `QuantityIncreased` event as appended, with
 *   its position in the notification log and its version, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_WRONG_KIND or
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
QlEvent *
ql_ledger_book_increase (QlLedgerBook  *self,
                         const char    *name,
                         const char    *quantity,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (quantity != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return change_ledger (self, name, QL_EVENT_QUANTITY_INCREASED, quantity, error);
}

/**
 * ql_ledger_book_decrease:
 * @self: a #QlLedgerBook
 * @name: an item's name
 * @quantity: how many to remove, a whole number
 * @error: return location for a #GError
 *
 * Appends `QuantityDecreased` to an inventory item. The quantity never
 * goes below zero.
 *
 * Returns: (transfer full): the `QuantityDecreased` event as appended, with
 *   its position in the notification log and its version, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY
 */
QlEvent *
ql_ledger_book_decrease (QlLedgerBook  *self,
                         const char    *name,
                         const char    *quantity,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (quantity != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return change_ledger (self, name, QL_EVENT_QUANTITY_DECREASED, quantity, error);
}

/**
 * ql_ledger_book_record_change:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @type: %QL_EVENT_DEPOSITED or %QL_EVENT_WITHDRAWN for an account,
 *   %QL_EVENT_QUANTITY_INCREASED or %QL_EVENT_QUANTITY_DECREASED for an item
 * @amount: the amount or quantity as the user typed it
 * @note: (nullable): what is written on the change; %NULL for nothing
 * @error: return location for a #GError
 *
 * Appends a change as ql_ledger_book_deposit() and its siblings do, with
 * the day it happened (today in the user's time zone when @note has no
 * date), and a payee and a memo when @note has them. The balance rules
 * follow the order changes are recorded in, whatever their dates.
 *
 * Returns: (transfer full): the event as appended, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_INVALID_DATE,
 *   %QL_LEDGER_ERROR_INVALID_NOTE or one of ql_ledger_book_deposit()'s
 */
QlEvent *
ql_ledger_book_record_change (QlLedgerBook       *self,
                              const char         *name,
                              const char         *type,
                              const char         *amount,
                              const QlChangeNote *note,
                              GError            **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (_ql_change_type_find (type) != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return record_change (self, name, _ql_change_type_find (type)->type, amount, note, error);
}

/**
 * ql_ledger_book_amend:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @version: the version of the change to amend
 * @note: what to write on it instead: a member that is %NULL stays as it
 *   is, an empty payee or memo is taken away
 * @error: return location for a #GError
 *
 * Corrects the date, payee or memo of a change by appending
 * `ChangeAmended`, which names it: the change itself is never edited, and
 * the history shows both. The balance stays as it is; the balance on a
 * day may move, since the change may now count on another day.
 *
 * Returns: (transfer full): the `ChangeAmended` event, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_INVALID_VERSION when
 *   @version is not a change (an opening, an undo or an amendment)
 */
QlEvent *
ql_ledger_book_amend (QlLedgerBook       *self,
                      const char         *name,
                      gint64              version,
                      const QlChangeNote *note,
                      GError            **error)
{
  g_autofree char *key = NULL;
  QlAmendCommand command;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (note != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;
  command = (QlAmendCommand) { version, note->date, note->payee, note->memo };
  return run_command (self, key, _ql_plan_amend, &command, error);
}

/**
 * ql_ledger_book_set_threshold:
 * @self: a #QlLedgerBook
 * @name: an item's name
 * @quantity: the quantity below which the item runs low, as the user
 *   typed it: a whole number, 0 for none
 * @error: return location for a #GError
 *
 * Appends `ThresholdSet`, so the item is listed as low on stock while its
 * quantity is below @quantity. The quantity stays as it is, and undo
 * passes the threshold by: a new threshold replaces it.
 *
 * Returns: (transfer full): the `ThresholdSet` event, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_WRONG_KIND for an account
 *   or %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
QlEvent *
ql_ledger_book_set_threshold (QlLedgerBook  *self,
                              const char    *name,
                              const char    *quantity,
                              GError       **error)
{
  g_autofree char *key = NULL;
  QlThresholdCommand command;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (quantity != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;
  command = (QlThresholdCommand) { quantity };
  return run_command (self, key, _ql_plan_threshold, &command, error);
}

/**
 * ql_ledger_book_undo:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @error: return location for a #GError
 *
 * Undoes the ledger's newest change that is not undone yet, by appending a
 * compensating event that names it: undoing `Deposited` `{"amount":30}` at
 * version 4 appends `Withdrawn` `{"amount":30,"reverses":4}`, and
 * `QuantityIncreased` and `QuantityDecreased` reverse each other the same
 * way. History is never rewritten. Compensating events are never undone
 * themselves, so undoing again walks further back; the opening event
 * cannot be undone. An undo that would break a rule, such as taking back a
 * deposit that was spent since, fails with that rule's error.
 *
 * Returns: (transfer full): the compensating event, or %NULL with @error
 *   set, for instance to %QL_LEDGER_ERROR_NOTHING_TO_UNDO or
 *   %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS
 */
QlEvent *
ql_ledger_book_undo (QlLedgerBook  *self,
                     const char    *name,
                     GError       **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;

  for (guint attempt = 0; attempt < QL_LEDGER_BOOK_MAX_ATTEMPTS; attempt++)
    {
      g_autoptr(QlEvent) target = NULL;
      g_autofree char *other = NULL;
      QlTransferLeg leg = { NULL, NULL };
      QlTransferLeg other_leg = { NULL, NULL };
      QlLedger *ledger = NULL;
      QlLedger *counterpart = NULL;
      gboolean conflict;
      QlEvent *undone;

      if (!sync_existing_ledger (self, key, &ledger, error) ||
          !_ql_ledger_check_sound (ledger, error) ||
          !_ql_plan_find_undo (self->store, ledger, &target, error))
        {
          emit_changed_if_pending (self);
          return NULL;
        }
      other = ql_event_dup_counterpart (target);
      /* A change of its own: the one-ledger undo. */
      if (other == NULL)
        return run_command (self, key, _ql_plan_undo, NULL, error);

      if (!sync_existing_ledger (self, other, &counterpart, error) ||
          !_ql_ledger_check_sound (counterpart, error) ||
          !_ql_plan_undo_transfer (self->store, ledger, target, counterpart, &leg, &other_leg,
                                   error))
        {
          g_free (leg.payload);
          g_free (other_leg.payload);
          emit_changed_if_pending (self);
          return NULL;
        }
      undone = append_legs (self, ledger, &leg, NULL, counterpart, &other_leg, &conflict,
                            error);
      g_free (leg.payload);
      g_free (other_leg.payload);
      if (undone != NULL || !conflict)
        return undone;
    }

  emit_changed_if_pending (self);
  set_busy_error (error, key);
  return NULL;
}

/**
 * ql_ledger_book_transfer:
 * @self: a #QlLedgerBook
 * @from: the ledger the amount leaves
 * @to: the ledger it goes to
 * @amount: the amount or quantity as the user typed it
 * @note: (nullable): what is written on both legs
 * @error: return location for a #GError
 *
 * Moves an amount between two accounts of one currency, or two items, in
 * one commit: a withdrawal (or decrease) in @from and a deposit (or
 * increase) in @to, linked by one transfer id in their payloads. Either
 * both are stored or neither is; when either ledger changed since it was
 * read, the transfer is planned again on both. A transfer that would
 * overdraw @from is refused as a whole. ql_ledger_book_undo() on either
 * ledger reverses both legs.
 *
 * Returns: (transfer full): the leg appended to @from, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS,
 *   %QL_LEDGER_ERROR_INVALID_CURRENCY or %QL_LEDGER_ERROR_WRONG_KIND
 */
QlEvent *
ql_ledger_book_transfer (QlLedgerBook       *self,
                         const char         *from,
                         const char         *to,
                         const char         *amount,
                         const QlChangeNote *note,
                         GError            **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ql_ledger_book_transfer_for_reference (self, from, to, amount, NULL, NULL, note,
                                                 error);
}

/* ql_ledger_book_transfer(), once per @reference (nullable) on @from, and
 * in @currency (nullable) only: when @from has an event carrying
 * @reference already, that event is returned and nothing is written. */
QlEvent *
_ql_ledger_book_transfer_for_reference (QlLedgerBook       *self,
                                        const char         *from,
                                        const char         *to,
                                        const char         *amount,
                                        const char         *currency,
                                        const char         *reference,
                                        const QlChangeNote *note,
                                        GError            **error)
{
  g_autofree char *from_key = NULL;
  g_autofree char *to_key = NULL;
  g_autofree char *transfer = NULL;
  QlTransferCommand command = {
    amount,
    note != NULL ? note->date : NULL,
    note != NULL ? note->payee : NULL,
    note != NULL ? note->memo : NULL,
    currency,
    reference,
  };

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  from_key = command_name (self, from, error);
  if (from_key == NULL)
    return NULL;
  to_key = command_name (self, to, error);
  if (to_key == NULL || !ql_text_check (QL_TEXT_FIELD_AMOUNT, amount, -1, error) ||
      (currency != NULL && !ql_text_check (QL_TEXT_FIELD_CURRENCY, currency, -1, error)) ||
      (reference != NULL && !ql_text_check (QL_TEXT_FIELD_REFERENCE, reference, -1, error)))
    return NULL;
  transfer = g_uuid_string_random ();

  for (guint attempt = 0; attempt < QL_LEDGER_BOOK_MAX_ATTEMPTS; attempt++)
    {
      QlTransferLeg from_leg = { NULL, NULL };
      QlTransferLeg to_leg = { NULL, NULL };
      QlLedger *from_ledger = NULL;
      QlLedger *to_ledger = NULL;
      gint64 answered_by = 0;
      gboolean conflict;
      QlEvent *moved;

      if (!sync_existing_ledger (self, from_key, &from_ledger, error) ||
          !sync_existing_ledger (self, to_key, &to_ledger, error) ||
          !_ql_ledger_check_sound (from_ledger, error) ||
          !_ql_ledger_check_sound (to_ledger, error) ||
          (reference != NULL &&
           !ql_event_store_find_reference (self->store, ql_ledger_get_name (from_ledger),
                                           reference, &answered_by, error)))
        {
          emit_changed_if_pending (self);
          return NULL;
        }
      /* Checked on every attempt: a writer that won the race with the
       * same reference wrote the answer. */
      if (answered_by > 0)
        {
          emit_changed_if_pending (self);
          return read_event (self, ql_ledger_get_name (from_ledger), answered_by, error);
        }
      if (!_ql_plan_transfer (from_ledger, to_ledger, &command, transfer, &from_leg, &to_leg,
                              error))
        {
          g_free (from_leg.payload);
          g_free (to_leg.payload);
          emit_changed_if_pending (self);
          return NULL;
        }
      moved = append_legs (self, from_ledger, &from_leg, reference, to_ledger, &to_leg,
                           &conflict, error);
      g_free (from_leg.payload);
      g_free (to_leg.payload);
      if (moved != NULL || !conflict)
        return moved;
    }

  emit_changed_if_pending (self);
  set_busy_error (error, from_key);
  return NULL;
}

/**
 * ql_ledger_book_can_undo:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 *
 * Whether ql_ledger_book_undo() would find a change to reverse in the
 * ledger as the book last read it, so that views can offer undo only
 * when there is something to undo.
 *
 * Returns: %TRUE when the ledger has a change that no event reverses yet
 */
gboolean
ql_ledger_book_can_undo (QlLedgerBook *self,
                         const char   *name)
{
  QlLedger *ledger;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  ledger = ql_ledger_book_lookup (self, name);
  return ledger != NULL && _ql_plan_has_undo (self->store, ledger);
}

/**
 * ql_ledger_book_state_at:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @version: the version wanted, from 1 to the ledger's newest
 * @error: return location for a #GError
 *
 * Rebuilds a ledger as it was right after its event @version, from the
 * newest snapshot at or below @version and the events after it. The
 * result is a new object, independent of the book.
 *
 * Returns: (transfer full): the past state, or %NULL with @error set, for
 *   instance to %QL_LEDGER_ERROR_INVALID_VERSION
 */
QlLedger *
ql_ledger_book_state_at (QlLedgerBook  *self,
                         const char    *name,
                         gint64         version,
                         GError       **error)
{
  g_autofree char *key = NULL;
  QlLedger *ledger;
  gboolean synced;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;

  synced = sync_existing_ledger (self, key, &ledger, error);
  emit_changed_if_pending (self);
  if (!synced)
    return NULL;

  return _ql_ledger_replay_state_at (self->store, self->snapshot_interval, ledger, version, error);
}

/**
 * ql_ledger_book_list_events:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @error: return location for a #GError
 *
 * Reads every event of one ledger from the store, oldest first.
 *
 * Returns: (transfer full) (element-type QlEvent): the events, or %NULL with
 *   @error set, for instance to %QL_LEDGER_ERROR_NOT_FOUND
 */
GPtrArray *
ql_ledger_book_list_events (QlLedgerBook  *self,
                            const char    *name,
                            GError       **error)
{
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;

  events = ql_event_store_collect_ledger (self->store, key, 0, 0, error);
  if (events == NULL)
    return NULL;
  if (events->len == 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                   _("No ledger is named “%s”"), key);
      return NULL;
    }
  return g_steal_pointer (&events);
}

/**
 * ql_ledger_book_read_log:
 * @self: a #QlLedgerBook
 * @start: the first position to read, from 1
 * @limit: the most events to read; 0 or less for all
 * @error: return location for a #GError
 *
 * Reads one page of the notification log: the events of every ledger in
 * the order they were committed. Damage never stops the log: the event
 * that damaged a ledger the book knows is returned with
 * #QlEvent:damage set, and ql_event_to_json() marks it.
 *
 * Returns: (transfer full) (element-type QlEvent): the events, possibly
 *   none, or %NULL with @error set
 */
GPtrArray *
ql_ledger_book_read_log (QlLedgerBook  *self,
                         gint64         start,
                         gint64         limit,
                         GError       **error)
{
  g_autoptr(GPtrArray) events = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (start >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = ql_event_store_collect_log (self->store, start, limit, error);
  if (events == NULL)
    return NULL;

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      QlLedger *ledger = g_hash_table_lookup (self->by_name, ql_event_get_ledger (event));

      if (ledger != NULL && ql_ledger_get_damaged_version (ledger) == ql_event_get_version (event))
        _ql_event_set_damage (event, ql_ledger_get_damage (ledger));
    }
  return g_steal_pointer (&events);
}

/**
 * ql_ledger_book_refresh:
 * @self: a #QlLedgerBook
 * @error: return location for a #GError
 *
 * Catches up with events other books or processes appended to the store
 * since the book last looked, reading the notification log from there.
 * New ledgers appear in ql_ledger_book_get_ledgers() and changed ones
 * notify; #QlLedgerBook::changed is emitted when anything was applied.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_ledger_book_refresh (QlLedgerBook  *self,
                        GError       **error)
{
  gint64 head;
  gboolean ok = TRUE;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  head = ql_event_store_get_head_position (self->store, error);
  if (head < 0)
    return FALSE;

  while (ok && self->log_position < head)
    {
      g_autoptr(GPtrArray) events = ql_event_store_collect_log (self->store,
                                                                self->log_position + 1,
                                                                PAGE_SIZE, error);

      if (events == NULL)
        {
          ok = FALSE;
          break;
        }

      for (guint i = 0; i < events->len; i++)
        {
          QlEvent *event = g_ptr_array_index (events, i);

          if (!apply_log_event (self, event, error))
            {
              ok = FALSE;
              break;
            }
          self->log_position = ql_event_get_position (event);
        }

      if (events->len == 0)
        break;
    }

  emit_changed_if_pending (self);
  return ok;
}

/**
 * ql_ledger_book_watch:
 * @self: a #QlLedgerBook
 * @interval_ms: how often to look for new events, in milliseconds; 0 stops
 *   watching
 *
 * Calls ql_ledger_book_refresh() every @interval_ms from the thread-default
 * main context, so that the book follows other writers by itself. A store
 * that tells of appends (ql_event_store_create_append_source(), such as
 * PostgreSQL's) wakes the book as soon as another writer commits instead,
 * and nothing polls. Failures are reported with
 * #QlLedgerBook::refresh-failed.
 */
void
ql_ledger_book_watch (QlLedgerBook *self,
                      guint         interval_ms)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));

  if (self->watch_source != NULL)
    {
      g_source_destroy (self->watch_source);
      g_clear_pointer (&self->watch_source, g_source_unref);
    }

  if (interval_ms == 0)
    return;

  context = g_main_context_ref_thread_default ();
  self->watch_source = ql_event_store_create_append_source (self->store);
  if (self->watch_source == NULL)
    self->watch_source = g_timeout_source_new (interval_ms);
  g_source_set_callback (self->watch_source, watch_timeout_cb, self, NULL);
  g_source_set_static_name (self->watch_source, "[quote-ledger] ledger book watch");
  g_source_attach (self->watch_source, context);
}

/**
 * ql_ledger_book_get_snapshot_interval:
 * @self: a #QlLedgerBook
 *
 * Returns: every how many events a ledger's state is saved as a snapshot
 */
guint
ql_ledger_book_get_snapshot_interval (QlLedgerBook *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), 0);

  return self->snapshot_interval;
}

/**
 * ql_ledger_book_set_snapshot_interval:
 * @self: a #QlLedgerBook
 * @interval: every how many events to save a ledger's state, at least 1
 *
 * Sets #QlLedgerBook:snapshot-interval.
 */
void
ql_ledger_book_set_snapshot_interval (QlLedgerBook *self,
                                      guint         interval)
{
  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (interval >= 1);

  if (self->snapshot_interval == interval)
    return;
  self->snapshot_interval = interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_INTERVAL]);
}

/* What the model's other types need of the book. */

/* Brings the ledger stored under the normal form @key up to date, as a
 * command does before it checks. */
gboolean
_ql_ledger_book_sync_ledger (QlLedgerBook  *self,
                             const char    *key,
                             QlLedger     **out_ledger,
                             GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);

  return sync_ledger (self, resolve_name (self, key), out_ledger, error);
}

/* Adds a ledger the caller has just written the events of. */
void
_ql_ledger_book_add_ledger (QlLedgerBook *self,
                            QlLedger     *ledger)
{
  g_return_if_fail (QL_IS_LEDGER_BOOK (self));

  add_ledger (self, ledger);
}

/* Notes that a ledger of the book moved, for the next
 * _ql_ledger_book_emit_changed_if_pending(). */
void
_ql_ledger_book_mark_changed (QlLedgerBook *self)
{
  g_return_if_fail (QL_IS_LEDGER_BOOK (self));

  self->changed_pending = TRUE;
}

void
_ql_ledger_book_emit_changed_if_pending (QlLedgerBook *self)
{
  g_return_if_fail (QL_IS_LEDGER_BOOK (self));

  emit_changed_if_pending (self);
}

/* The ledger stored under @name, as the book last read it, or %NULL. */
QlLedger *
_ql_ledger_book_get_ledger (QlLedgerBook *self,
                            const char   *name)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return g_hash_table_lookup (self->by_name, name);
}

/* Checks the name a command was given and returns the name its ledger is
 * stored under. */
char *
_ql_ledger_book_command_name (QlLedgerBook  *self,
                              const char    *name,
                              GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return command_name (self, name, error);
}

/* As sync_ledger(), failing when no ledger has the name @name. */
gboolean
_ql_ledger_book_sync_existing_ledger (QlLedgerBook  *self,
                                      const char    *name,
                                      QlLedger     **out_ledger,
                                      GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);

  return sync_existing_ledger (self, name, out_ledger, error);
}

/* Runs a command on the existing ledger @key with optimistic concurrency,
 * as every single-ledger command of the book runs. */
QlEvent *
_ql_ledger_book_run_command (QlLedgerBook  *self,
                             const char    *key,
                             QlPlanFunc     plan_func,
                             gconstpointer  command,
                             GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return run_command (self, key, plan_func, command, error);
}

/* The event at @version of the ledger @name, read from the store. */
QlEvent *
_ql_ledger_book_read_event (QlLedgerBook  *self,
                            const char    *name,
                            gint64         version,
                            GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);

  return read_event (self, name, version, error);
}

void
_ql_ledger_book_set_busy_error (GError     **error,
                                const char  *name)
{
  set_busy_error (error, name);
}

void
_ql_ledger_book_save_snapshot_if_due (QlLedgerBook *self,
                                      QlLedger     *ledger)
{
  g_return_if_fail (QL_IS_LEDGER_BOOK (self));

  save_snapshot_if_due (self, ledger);
}

/**
 * ql_ledger_book_import_csv:
 * @self: a #QlLedgerBook
 * @file: a CSV file, or an hledger journal when its name ends in
 *   `.journal` or `.hledger`
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @progress: (nullable) (scope call): called with the progress of each
 *   step, or %NULL
 * @progress_data: data for @progress
 * @out_n_events: (out) (optional): how many events were written
 * @error: return location for a #GError
 *
 * Imports ledger commands from a CSV file, or the changes of an hledger
 * journal, all or nothing.
 *
 * The file's format, how its rows are checked and how they are written
 * are described at #QlLedgerImport, which does the work.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_ledger_book_import_csv (QlLedgerBook          *self,
                           GFile                 *file,
                           GCancellable          *cancellable,
                           QlImportProgressFunc   progress,
                           gpointer               progress_data,
                           guint64               *out_n_events,
                           GError               **error)
{
  g_autoptr(QlLedgerImport) import = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  import = ql_ledger_import_new (self, cancellable, progress, progress_data, NULL);
  return ql_ledger_import_run (import, file, out_n_events, error);
}

/**
 * ql_ledger_book_import_csv_async:
 * @self: a #QlLedgerBook
 * @file: a CSV file in the format ql_ledger_book_import_csv() reads
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @progress: (nullable) (scope notified): called with the progress of each
 *   step, or %NULL
 * @progress_data: data for @progress
 * @progress_data_free: (nullable): frees @progress_data once the import is
 *   over
 * @callback: called when the import is over
 * @user_data: data for @callback
 *
 * Imports a CSV file as ql_ledger_book_import_csv() does, from the
 * thread-default main context, without blocking it for long: the file is
 * read asynchronously and checked a few thousand rows per main-loop turn,
 * with @progress called after each. The write, one transaction, runs in
 * one turn at the end, reporting its progress too. Everything runs on the
 * calling thread, so the book stays usable from it meanwhile; a command
 * that changes one of the file's ledgers before the write makes the
 * import fail with %QL_STORE_ERROR_CONFLICT, writing nothing.
 *
 * Finish with ql_ledger_book_import_csv_finish().
 */
void
ql_ledger_book_import_csv_async (QlLedgerBook          *self,
                                 GFile                 *file,
                                 GCancellable          *cancellable,
                                 QlImportProgressFunc   progress,
                                 gpointer               progress_data,
                                 GDestroyNotify         progress_data_free,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_autoptr(QlLedgerImport) import = NULL;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  import = ql_ledger_import_new (self, cancellable, progress, progress_data, progress_data_free);
  ql_ledger_import_run_async (import, file, callback, user_data);
}

/**
 * ql_ledger_book_import_csv_finish:
 * @self: a #QlLedgerBook
 * @result: the result given to the callback
 * @out_n_events: (out) (optional): how many events were written
 * @error: return location for a #GError
 *
 * Finishes ql_ledger_book_import_csv_async().
 *
 * Returns: %TRUE when the whole file was imported, %FALSE with @error set
 *   when nothing was
 */
gboolean
ql_ledger_book_import_csv_finish (QlLedgerBook  *self,
                                  GAsyncResult  *result,
                                  guint64       *out_n_events,
                                  GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return ql_ledger_import_run_finish (result, out_n_events, error);
}

/**
 * ql_ledger_book_get_reachable:
 * @self: a #QlLedgerBook
 *
 * Returns: whether the store answered the watch's last look for new
 *   events; see #QlLedgerBook:reachable
 */
gboolean
ql_ledger_book_get_reachable (QlLedgerBook *self)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);

  return self->reachable;
}
