/* ql-ledger-book.c: every ledger of one event store, and the commands on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ql-amount.h"
#include "ql-csv-reader-private.h"
#include "ql-event-private.h"
#include "ql-file-private.h"
#include "ql-ledger-book.h"
#include "ql-ledger-private.h"

/* How often a command reloads and tries again after another writer won. */
#define MAX_ATTEMPTS 10
/* Events are read in pages so that memory stays flat on long histories. */
#define PAGE_SIZE 256
#define DEFAULT_SNAPSHOT_INTERVAL 1000
/* A load that replays this many events leaves a snapshot of the head. */
#define HEAD_SNAPSHOT_AFTER 256

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
};

static void ql_ledger_book_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlLedgerBook, ql_ledger_book, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ql_ledger_book_initable_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_SNAPSHOT_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  REFRESH_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
event_get_record (QlEvent       *event,
                  QlEventRecord *record)
{
  record->position = ql_event_get_position (event);
  record->ledger = ql_event_get_ledger (event);
  record->version = ql_event_get_version (event);
  record->type = ql_event_get_event_type (event);
  record->timestamp = ql_event_get_timestamp (event);
  record->payload = ql_event_get_payload (event);
  record->reference = ql_event_get_reference (event);
}

static gboolean
collect_event_cb (const QlEventRecord *record,
                  gpointer             user_data)
{
  GPtrArray *events = user_data;

  g_ptr_array_add (events, ql_event_new_from_record (record));
  return TRUE;
}

/* Events are copied out of the scan before they are applied, so that
 * applying (which may save a snapshot) never writes during a read. */
static GPtrArray *
read_ledger_events (QlLedgerBook  *self,
                    const char    *name,
                    gint64         after_version,
                    gint64         up_to_version,
                    GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);

  if (!ql_event_store_read_ledger (self->store, name, after_version, up_to_version,
                                   collect_event_cb, events, error))
    return NULL;
  return g_steal_pointer (&events);
}

static GPtrArray *
read_log_events (QlLedgerBook  *self,
                 gint64         start,
                 gint64         limit,
                 GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);

  if (!ql_event_store_read_log (self->store, start, limit, collect_event_cb, events, error))
    return NULL;
  return g_steal_pointer (&events);
}

static int
compare_ledgers (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  QlLedger *ledger_a = (QlLedger *) a;
  QlLedger *ledger_b = (QlLedger *) b;
  int result = strcmp (_ql_ledger_get_sort_key (ledger_a), _ql_ledger_get_sort_key (ledger_b));

  if (result != 0)
    return result;
  return strcmp (ql_ledger_get_name (ledger_a), ql_ledger_get_name (ledger_b));
}

static int
compare_ledgers_indirect (gconstpointer a,
                          gconstpointer b,
                          gpointer      user_data)
{
  return compare_ledgers (*(QlLedger **) a, *(QlLedger **) b, user_data);
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
  g_list_store_insert_sorted (self->ledgers, ledger, compare_ledgers, NULL);
  self->changed_pending = TRUE;
}

typedef struct
{
  QlLedgerBook *self;
  QlLedger     *ledger;
  gboolean      live;
  guint64       n_applied;
  /* The states snapshots are due for, saved once the scan is over: a
   * ledger replayed whole, its snapshots gone, gets all of them back, and
   * time travel anywhere in it replays few events again. */
  GArray       *snapshots;
  /* Why the event at damaged_version could not be applied. */
  GError       *error;
  gint64        damaged_version;
} Replay;

static void
clear_snapshot (gpointer data)
{
  QlSnapshot *snapshot = data;

  g_free ((char *) snapshot->state);
}

static gboolean
replay_event_cb (const QlEventRecord *record,
                 gpointer             user_data)
{
  Replay *replay = user_data;
  gint64 version;

  if (replay->ledger == NULL)
    {
      replay->ledger = _ql_ledger_new_from_event (record, &replay->error);
      if (replay->ledger == NULL)
        {
          replay->damaged_version = record->version;
          return FALSE;
        }
    }
  else if (!_ql_ledger_apply_quietly (replay->ledger, record, &replay->error))
    {
      replay->damaged_version = record->version;
      return FALSE;
    }

  replay->n_applied++;
  version = ql_ledger_get_version (replay->ledger);
  if (replay->live && version % replay->self->snapshot_interval == 0)
    {
      QlSnapshot snapshot = { version, _ql_ledger_to_snapshot (replay->ledger) };

      if (replay->snapshots == NULL)
        {
          replay->snapshots = g_array_new (FALSE, FALSE, sizeof (QlSnapshot));
          g_array_set_clear_func (replay->snapshots, clear_snapshot);
        }
      g_array_append_val (replay->snapshots, snapshot);
    }
  return TRUE;
}

/* Snapshots are a cache: failing to write them loses nothing. */
static void
save_snapshots (QlLedgerBook *self,
                const char   *name,
                GArray       *snapshots)
{
  g_autoptr(GError) error = NULL;

  if (!ql_event_store_save_snapshots (self->store, name, (QlSnapshot *) snapshots->data,
                                      snapshots->len, &error))
    g_debug ("Could not save %u snapshots of “%s”: %s", snapshots->len, name, error->message);
}

static void
save_snapshot (QlLedgerBook *self,
               const char   *name,
               gint64        version,
               const char   *state)
{
  g_autoptr(GError) error = NULL;

  if (!ql_event_store_save_snapshot (self->store, name, version, state, &error))
    g_debug ("Could not save a snapshot of “%s” at version %" G_GINT64_FORMAT ": %s",
             name, version, error->message);
}

/* Replays @name's events after the state in @ledger (or from the start when
 * it points to %NULL) up to @up_to_version (0: all), in one scan of the
 * store that builds no object per event. A @live ledger is one the book
 * shows: its changes notify and its snapshots are kept. The events are
 * applied quietly and the ledger notifies once at the end; snapshots due
 * on the way are written after the scan, in one go, so that nothing
 * writes during a read. An event that cannot be applied stops the replay
 * and marks the ledger damaged, in the state before it: only failing to
 * read the store is an error. A damaged ledger is never replayed further,
 * since its events never change. */
static gboolean
replay_events (QlLedgerBook  *self,
               const char    *name,
               QlLedger     **ledger,
               gint64         up_to_version,
               gboolean       live,
               guint64       *out_n_applied,
               GError       **error)
{
  Replay replay = { self, *ledger, live, 0, NULL, NULL, 0 };
  gint64 after = *ledger != NULL ? ql_ledger_get_version (*ledger) : 0;
  gint64 old_balance = *ledger != NULL ? ql_ledger_get_balance (*ledger) : 0;
  g_autoptr(GArray) snapshots = NULL;
  g_autoptr(GError) damage = NULL;
  gboolean ok;

  if (up_to_version > 0 && up_to_version <= after)
    return TRUE;
  if (*ledger != NULL && ql_ledger_get_damaged_version (*ledger) > 0)
    return TRUE;

  ok = ql_event_store_read_ledger (self->store, name, after, up_to_version,
                                   replay_event_cb, &replay, error);
  snapshots = g_steal_pointer (&replay.snapshots);
  damage = g_steal_pointer (&replay.error);

  if (*ledger != NULL)
    {
      if (replay.n_applied > 0)
        _ql_ledger_notify_changes (*ledger, old_balance, after);
    }
  else if (ok && replay.ledger == NULL && damage != NULL)
    *ledger = _ql_ledger_new_damaged (name, damage);
  else if (ok)
    *ledger = g_steal_pointer (&replay.ledger);
  else
    g_clear_object (&replay.ledger);

  if (ok && damage != NULL)
    {
      if (ql_ledger_get_damaged_version (*ledger) == 0)
        _ql_ledger_set_damage (*ledger, replay.damaged_version, damage);
      if (live)
        g_debug ("%s", damage->message);
    }

  if (live && (replay.n_applied > 0 || (ok && damage != NULL)))
    self->changed_pending = TRUE;
  if (snapshots != NULL)
    save_snapshots (self, name, snapshots);
  if (out_n_applied != NULL)
    *out_n_applied = replay.n_applied;

  return ok;
}

static void
save_snapshot_if_due (QlLedgerBook *self,
                      QlLedger     *ledger)
{
  g_autofree char *state = NULL;
  gint64 version = ql_ledger_get_version (ledger);

  if (version % self->snapshot_interval != 0)
    return;

  state = _ql_ledger_to_snapshot (ledger);
  save_snapshot (self, ql_ledger_get_name (ledger), version, state);
}

/* Loads a ledger from its newest usable snapshot at or below
 * @up_to_version (0: the newest), then replays the events after it. A
 * live load that had to replay a long tail leaves a snapshot of the head,
 * so that the next start does not replay it again. */
static gboolean
load_ledger (QlLedgerBook  *self,
             const char    *name,
             gint64         up_to_version,
             gboolean       live,
             QlLedger     **out_ledger,
             GError       **error)
{
  g_autoptr(QlLedger) ledger = NULL;
  g_autoptr(GError) snapshot_error = NULL;
  g_autofree char *state = NULL;
  gint64 snapshot_version = 0;
  guint64 n_applied = 0;

  if (!ql_event_store_load_snapshot (self->store, name, up_to_version,
                                     &snapshot_version, &state, &snapshot_error))
    g_debug ("Could not load a snapshot of “%s”: %s", name, snapshot_error->message);
  else if (state != NULL)
    {
      ledger = _ql_ledger_new_from_snapshot (name, snapshot_version, state, &snapshot_error);
      if (ledger == NULL)
        g_debug ("Ignoring a snapshot of “%s”: %s", name, snapshot_error->message);
    }

  /* A snapshot of the version wanted leaves nothing to replay. */
  if (ledger == NULL || up_to_version <= 0 ||
      ql_ledger_get_version (ledger) < up_to_version)
    {
      if (!replay_events (self, name, &ledger, up_to_version, live, &n_applied, error))
        return FALSE;
    }

  if (live && ledger != NULL && n_applied >= HEAD_SNAPSHOT_AFTER &&
      ql_ledger_get_version (ledger) % self->snapshot_interval != 0)
    {
      g_autofree char *head_state = _ql_ledger_to_snapshot (ledger);

      save_snapshot (self, name, ql_ledger_get_version (ledger), head_state);
    }

  *out_ledger = g_steal_pointer (&ledger);
  return TRUE;
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
      if (!replay_events (self, name, &ledger, 0, TRUE, NULL, error))
        return FALSE;
      *out_ledger = ledger;
      return TRUE;
    }

  if (!load_ledger (self, name, 0, TRUE, &loaded, error))
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

/* The payload of a change. Every command builds one, so the plain cases
 * are printed; a reference is text, which json-glib escapes. */
static char *
build_change_payload (gint64      amount,
                      gint64      reverses,
                      const char *reference)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (reference == NULL && reverses <= 0)
    return g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT "}", amount);
  if (reference == NULL)
    return g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT ",\"reverses\":%" G_GINT64_FORMAT "}",
                            amount, reverses);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, amount);
  if (reverses > 0)
    {
      json_builder_set_member_name (builder, "reverses");
      json_builder_add_int_value (builder, reverses);
    }
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, reference);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Appends one event at @expected_version + 1 and applies it to @ledger, or
 * creates the ledger when @ledger is %NULL. @reference (nullable) goes to
 * the store beside the payload, which carries it too. Returns %FALSE with @error
 * unset on a conflict, so that the caller reloads and tries again. */
static gboolean
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
  QlEventRecord record = { 0, name, expected_version + 1, type, 0, payload, reference };

  *out_conflict = FALSE;

  if (!ql_event_store_append (self->store, name, expected_version, &event, 1, &local_error))
    {
      if (g_error_matches (local_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
        {
          *out_conflict = TRUE;
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The store accepted exactly this event at this version, so applying it
   * here gives the state the store has. */
  if (ledger == NULL)
    {
      g_autoptr(QlLedger) created = _ql_ledger_new_from_event (&record, error);

      if (created == NULL)
        return FALSE;
      add_ledger (self, created);
      save_snapshot_if_due (self, created);
    }
  else
    {
      if (!_ql_ledger_apply (ledger, &record, error))
        return FALSE;
      save_snapshot_if_due (self, ledger);
      self->changed_pending = TRUE;
    }

  emit_changed_if_pending (self);
  return TRUE;
}

static gboolean
create_ledger (QlLedgerBook  *self,
               const char    *name,
               const char    *type,
               const char    *payload,
               GError       **error)
{
  for (guint attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
    {
      QlLedger *existing = NULL;
      gboolean conflict;

      if (!sync_ledger (self, name, &existing, error))
        return FALSE;
      if (existing != NULL)
        {
          emit_changed_if_pending (self);
          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS,
                       _("A ledger named “%s” exists already"), name);
          return FALSE;
        }

      if (append_event (self, name, NULL, type, payload, NULL, &conflict, error))
        return TRUE;
      if (!conflict)
        return FALSE;
    }

  emit_changed_if_pending (self);
  set_busy_error (error, name);
  return FALSE;
}

/* What a command decided against a ledger's current state: the event to
 * append, with the reference it is found by, or the version of an event already in the ledger that answers
 * the command. */
typedef struct
{
  const char *type;
  char       *payload;
  const char *reference;
  gint64      answered_by;
} Plan;

typedef gboolean (*PlanFunc) (QlLedgerBook  *self,
                              QlLedger      *ledger,
                              gconstpointer  command,
                              Plan          *plan,
                              GError       **error);

/* Runs a command on an existing ledger with optimistic concurrency: the
 * plan is made against the ledger as the store has it, and made again
 * whenever another writer appended first, so every rule is checked
 * against the state the event lands on. The first plan uses the book's
 * copy without reading the store: when nobody else wrote, that copy is
 * the store's state, and when somebody did, the store refuses the append
 * as a conflict. A first plan that fails is made again on a fresh copy,
 * since another writer may have made the command possible. Returns the
 * version of the event that answers the command, or 0 with @error set. */
static gint64
run_command (QlLedgerBook  *self,
             const char    *key,
             PlanFunc       plan_func,
             gconstpointer  command,
             GError       **error)
{
  QlLedger *ledger = g_hash_table_lookup (self->by_name, key);

  for (guint attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) plan_error = NULL;
      gboolean use_copy = attempt == 0 && ledger != NULL;
      Plan plan = { NULL, NULL, NULL, 0 };
      gboolean conflict = FALSE;
      gboolean appended;

      if (!use_copy && !sync_existing_ledger (self, key, &ledger, error))
        {
          emit_changed_if_pending (self);
          return 0;
        }
      /* Its events never change, so neither does the damage. */
      if (!_ql_ledger_check_sound (ledger, error))
        {
          emit_changed_if_pending (self);
          return 0;
        }
      if (!plan_func (self, ledger, command, &plan, &plan_error))
        {
          g_free (plan.payload);
          if (use_copy)
            continue;
          emit_changed_if_pending (self);
          g_propagate_error (error, g_steal_pointer (&plan_error));
          return 0;
        }
      if (plan.answered_by > 0)
        {
          emit_changed_if_pending (self);
          return plan.answered_by;
        }

      appended = append_event (self, key, ledger, plan.type, plan.payload, plan.reference,
                               &conflict, error);
      g_free (plan.payload);
      if (appended)
        return ql_ledger_get_version (ledger);
      if (!conflict)
        {
          emit_changed_if_pending (self);
          return 0;
        }
    }

  emit_changed_if_pending (self);
  set_busy_error (error, key);
  return 0;
}

typedef struct
{
  const char *type;
  const char *amount;
} ChangeCommand;

static gboolean
plan_change (QlLedgerBook  *self,
             QlLedger      *ledger,
             gconstpointer  data,
             Plan          *plan,
             GError       **error)
{
  const ChangeCommand *command = data;
  gint64 amount;

  if (!_ql_ledger_check_kind (ledger, command->type, error) ||
      !ql_ledger_parse_amount (ledger, command->amount, &amount, error) ||
      !_ql_ledger_check_change (ledger, command->type, amount, error))
    return FALSE;

  plan->type = command->type;
  plan->payload = build_change_payload (amount, 0, NULL);
  return TRUE;
}

static gboolean
change_ledger (QlLedgerBook  *self,
               const char    *name,
               const char    *type,
               const char    *amount_text,
               GError       **error)
{
  g_autofree char *key = command_name (self, name, error);
  ChangeCommand command = { type, amount_text };

  return key != NULL &&
         ql_text_check (QL_TEXT_FIELD_AMOUNT, amount_text, -1, error) &&
         run_command (self, key, plan_change, &command, error) > 0;
}

typedef struct
{
  const char *type;
  gint64      amount;
  gint64      version;
} UndoTarget;

/* Walks the history backwards, page by page, to the newest change that no
 * compensating event reverses yet. The set of reversed versions only holds
 * what the walk has passed, so its size does not grow with history. */
static gboolean
find_undo_target (QlLedgerBook  *self,
                  QlLedger      *ledger,
                  UndoTarget    *target,
                  GPtrArray    **out_page,
                  GError       **error)
{
  const char *name = ql_ledger_get_name (ledger);
  g_autoptr(GHashTable) reversed = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, NULL);
  gint64 high = ql_ledger_get_version (ledger);

  while (high > 0)
    {
      gint64 low = MAX (0, high - PAGE_SIZE);
      g_autoptr(GPtrArray) events = read_ledger_events (self, name, low, high, error);

      if (events == NULL)
        return FALSE;

      for (guint i = events->len; i > 0; i--)
        {
          QlEvent *event = g_ptr_array_index (events, i - 1);
          QlEventRecord record;
          gint64 amount;
          gint64 reverses;

          event_get_record (event, &record);
          if (record.version == 1)
            break;

          if (!_ql_event_record_read_change (&record, &amount, &reverses, error))
            return FALSE;

          if (reverses > 0)
            g_hash_table_add (reversed, g_memdup2 (&reverses, sizeof reverses));
          else if (!g_hash_table_remove (reversed, &record.version))
            {
              target->type = ql_event_get_event_type (event);
              target->amount = amount;
              target->version = record.version;
              /* The page owns the type string the target points to. */
              *out_page = g_steal_pointer (&events);
              return TRUE;
            }
        }

      if (low == 0 || (events->len > 0 &&
                       ql_event_get_version (g_ptr_array_index (events, 0)) == 1))
        break;
      high = low;
    }

  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOTHING_TO_UNDO,
               _("Nothing to undo in “%s”: every change is already undone"), name);
  return FALSE;
}

static gboolean
plan_undo (QlLedgerBook  *self,
           QlLedger      *ledger,
           gconstpointer  data,
           Plan          *plan,
           GError       **error)
{
  g_autoptr(GPtrArray) page = NULL;
  UndoTarget target;
  const char *opposite;

  if (!find_undo_target (self, ledger, &target, &page, error))
    return FALSE;

  opposite = _ql_event_type_get_opposite (target.type);
  if (!_ql_ledger_check_change (ledger, opposite, target.amount, error))
    return FALSE;

  plan->type = opposite;
  plan->payload = build_change_payload (target.amount, target.version, NULL);
  return TRUE;
}

static QlEvent *
read_event (QlLedgerBook  *self,
            const char    *name,
            gint64         version,
            GError       **error)
{
  g_autoptr(GPtrArray) events = read_ledger_events (self, name, version - 1, version, error);

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

static gboolean
check_currency (QlLedger     *ledger,
                const char   *currency,
                GError      **error)
{
  const char *canonical = ql_currency_canonicalize (currency, NULL, error);
  const char *own = ql_ledger_get_currency (ledger);

  if (canonical == NULL)
    return FALSE;
  if (own == NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                   _("“%s” keeps plain units, not %s"), ql_ledger_get_name (ledger), canonical);
      return FALSE;
    }
  if (strcmp (canonical, own) != 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                   _("“%s” keeps its money in %s, not in %s"),
                   ql_ledger_get_name (ledger), own, canonical);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *amount;
  const char *currency;
  const char *reference;
} PaymentCommand;

static gboolean
plan_withdrawal_for_reference (QlLedgerBook  *self,
                               QlLedger      *ledger,
                               gconstpointer  data,
                               Plan          *plan,
                               GError       **error)
{
  const PaymentCommand *command = data;
  gint64 minor;

  if (!_ql_ledger_check_kind (ledger, QL_EVENT_WITHDRAWN, error) ||
      !ql_event_store_find_reference (self->store, ql_ledger_get_name (ledger),
                                      command->reference, &plan->answered_by, error))
    return FALSE;
  if (plan->answered_by > 0)
    return TRUE;

  if (!check_currency (ledger, command->currency, error) ||
      !ql_ledger_parse_amount (ledger, command->amount, &minor, error) ||
      !_ql_ledger_check_change (ledger, QL_EVENT_WITHDRAWN, minor, error))
    return FALSE;

  plan->type = QL_EVENT_WITHDRAWN;
  plan->payload = build_change_payload (minor, 0, command->reference);
  plan->reference = command->reference;
  return TRUE;
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

  event_get_record (event, &record);

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

  g_assert (QL_IS_LEDGER_BOOK (self));

  if (!ql_ledger_book_refresh (self, &error))
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
      if (!load_ledger (self, head->ledger, head->version, TRUE, &ledger, error))
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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_INVALID_NAME, %QL_LEDGER_ERROR_INVALID_CURRENCY or
 *   %QL_LEDGER_ERROR_EXISTS
 */
gboolean
ql_ledger_book_open_account (QlLedgerBook  *self,
                             const char    *name,
                             const char    *currency,
                             GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *key = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *trimmed = NULL;
  const char *code = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = command_name (self, name, error);
  if (key == NULL)
    return FALSE;
  if (currency != NULL && !ql_text_check (QL_TEXT_FIELD_CURRENCY, currency, -1, error))
    return FALSE;

  trimmed = g_strstrip (g_strdup (currency != NULL ? currency : ""));
  if (trimmed[0] != '\0')
    {
      code = ql_currency_canonicalize (trimmed, NULL, error);
      if (code == NULL)
        return FALSE;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "currency");
  if (code != NULL)
    json_builder_add_string_value (builder, code);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_INVALID_NAME, %QL_LEDGER_ERROR_INVALID_AMOUNT or
 *   %QL_LEDGER_ERROR_EXISTS
 */
gboolean
ql_ledger_book_create_item (QlLedgerBook  *self,
                            const char    *name,
                            const char    *quantity,
                            GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *key = NULL;
  g_autofree char *payload = NULL;
  gint64 opening;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (quantity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = command_name (self, name, error);
  if (key == NULL)
    return FALSE;
  if (!ql_text_check (QL_TEXT_FIELD_AMOUNT, quantity, -1, error) ||
      !ql_quantity_parse (quantity, TRUE, &opening, error))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "quantity");
  json_builder_add_int_value (builder, opening);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_NOT_FOUND, %QL_LEDGER_ERROR_WRONG_KIND or
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
gboolean
ql_ledger_book_deposit (QlLedgerBook  *self,
                        const char    *name,
                        const char    *amount,
                        GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS
 */
gboolean
ql_ledger_book_withdraw (QlLedgerBook  *self,
                         const char    *name,
                         const char    *amount,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_WRONG_KIND or %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
gboolean
ql_ledger_book_increase (QlLedgerBook  *self,
                         const char    *name,
                         const char    *quantity,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (quantity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

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
 * Returns: %TRUE on success, %FALSE with @error set, for instance to
 *   %QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY
 */
gboolean
ql_ledger_book_decrease (QlLedgerBook  *self,
                         const char    *name,
                         const char    *quantity,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (quantity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return change_ledger (self, name, QL_EVENT_QUANTITY_DECREASED, quantity, error);
}

/**
 * ql_ledger_book_withdraw_for_reference:
 * @self: a #QlLedgerBook
 * @name: an account's name
 * @amount: the amount as text, parsed with the account's decimals
 * @currency: the ISO 4217 code the amount is in; it must be the account's
 * @reference: a key that names this withdrawal, such as an order id
 * @error: return location for a #GError
 *
 * Appends `Withdrawn` `{"amount":…,"reference":…}` to an account, once per
 * @reference: when the account already has an event carrying @reference,
 * that event is returned and nothing is written, so a client may retry a
 * request safely.
 *
 * @reference must pass ql_text_check() as %QL_TEXT_FIELD_REFERENCE: at most
 * %QL_TEXT_REFERENCE_MAX_BYTES bytes of UTF-8 with no control or invisible
 * characters; @amount and @currency have their own byte limits. A text
 * that does not is refused before the store is read or written.
 *
 * Returns: (transfer full): the event that carries @reference, or %NULL
 *   with @error set, for instance to %QL_LEDGER_ERROR_INVALID_REFERENCE,
 *   %QL_LEDGER_ERROR_INVALID_CURRENCY or %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS
 */
QlEvent *
ql_ledger_book_withdraw_for_reference (QlLedgerBook  *self,
                                       const char    *name,
                                       const char    *amount,
                                       const char    *currency,
                                       const char    *reference,
                                       GError       **error)
{
  PaymentCommand command = { amount, currency, reference };
  g_autofree char *key = NULL;
  gint64 version;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (currency != NULL, NULL);
  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Every text is checked before the store is read or written, so a
   * refused payment leaves nothing behind. */
  key = command_name (self, name, error);
  if (key == NULL ||
      !ql_text_check (QL_TEXT_FIELD_AMOUNT, amount, -1, error) ||
      !ql_text_check (QL_TEXT_FIELD_CURRENCY, currency, -1, error) ||
      !ql_text_check (QL_TEXT_FIELD_REFERENCE, reference, -1, error))
    return NULL;

  version = run_command (self, key, plan_withdrawal_for_reference, &command, error);
  return version > 0 ? read_event (self, key, version, error) : NULL;
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
  gint64 version;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;

  version = run_command (self, key, plan_undo, NULL, error);
  return version > 0 ? read_event (self, key, version, error) : NULL;
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
  g_autoptr(GPtrArray) page = NULL;
  QlLedger *ledger;
  UndoTarget target;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  ledger = ql_ledger_book_lookup (self, name);
  return ledger != NULL && find_undo_target (self, ledger, &target, &page, NULL);
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
  g_autoptr(QlLedger) past = NULL;
  QlLedger *ledger;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = command_name (self, name, error);
  if (key == NULL)
    return NULL;

  if (!sync_existing_ledger (self, key, &ledger, error))
    {
      emit_changed_if_pending (self);
      return NULL;
    }
  emit_changed_if_pending (self);

  if (ql_ledger_get_damaged_version (ledger) > 0 &&
      version >= ql_ledger_get_damaged_version (ledger))
    {
      g_set_error_literal (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                           ql_ledger_get_damage (ledger));
      return NULL;
    }
  if (version < 1 || version > ql_ledger_get_version (ledger))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_VERSION,
                   _("“%s” has no version %" PRId64 ": its versions go from 1 to %" PRId64),
                   key, version, ql_ledger_get_version (ledger));
      return NULL;
    }

  if (!load_ledger (self, key, version, FALSE, &past, error))
    return NULL;
  if (past == NULL || ql_ledger_get_version (past) != version)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("Event %" PRId64 " of ledger “%s” is missing"), version, key);
      return NULL;
    }
  return g_steal_pointer (&past);
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

  events = read_ledger_events (self, key, 0, 0, error);
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

  events = read_log_events (self, start, limit, error);
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
      g_autoptr(GPtrArray) events = read_log_events (self, self->log_position + 1,
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
 * main context, so that the book follows other writers by itself. Failures
 * are reported with #QlLedgerBook::refresh-failed.
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

/* Importing a CSV file. */

/* Rows checked between two progress reports, and per main-loop turn of
 * an asynchronous import. */
#define IMPORT_ROWS_PER_STEP 50000

typedef enum
{
  ROW_OPEN,
  ROW_CREATE_ITEM,
  ROW_DEPOSIT,
  ROW_WITHDRAW,
  ROW_INCREASE,
  ROW_DECREASE,
} RowType;

static const struct
{
  const char *command;
  const char *event;
} row_types[] = {
  [ROW_OPEN] = { "open", QL_EVENT_ACCOUNT_OPENED },
  [ROW_CREATE_ITEM] = { "create-item", QL_EVENT_ITEM_CREATED },
  [ROW_DEPOSIT] = { "deposit", QL_EVENT_DEPOSITED },
  [ROW_WITHDRAW] = { "withdraw", QL_EVENT_WITHDRAWN },
  [ROW_INCREASE] = { "increase", QL_EVENT_QUANTITY_INCREASED },
  [ROW_DECREASE] = { "decrease", QL_EVENT_QUANTITY_DECREASED },
};

/* One ledger the file names, as the rows checked so far leave it. */
typedef struct
{
  char         *name;
  /* The book's ledger, or NULL when the file creates it. */
  QlLedger     *existing;
  QlLedgerKind  kind;
  const char   *currency;
  guint         decimals;
  gint64        balance;
  gint64        version;
  /* The index of the last row that changes it. */
  guint         last_row;
} ImportLedger;

typedef struct
{
  guint32 ledger;
  guint32 type;
  gint64  amount;
} ImportRow;

typedef struct
{
  QlLedgerBook         *book;
  GBytes               *contents;
  QlCsvReader           reader;
  gboolean              header_seen;
  /* A ledger field's text as written → index + 1 in ledgers. */
  GHashTable           *by_text;
  /* A normalised name (owned) → index + 1 in ledgers. */
  GHashTable           *by_name;
  GPtrArray            *ledgers;
  GArray               *rows;
  GCancellable         *cancellable;
  QlImportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;
} Import;

static void
import_ledger_free (gpointer data)
{
  ImportLedger *ledger = data;

  g_clear_object (&ledger->existing);
  g_free (ledger->name);
  g_free (ledger);
}

static void
import_free (Import *import)
{
  _ql_csv_reader_clear (&import->reader);
  g_clear_pointer (&import->contents, g_bytes_unref);
  g_clear_pointer (&import->by_text, g_hash_table_unref);
  g_clear_pointer (&import->by_name, g_hash_table_unref);
  g_clear_pointer (&import->ledgers, g_ptr_array_unref);
  g_clear_pointer (&import->rows, g_array_unref);
  g_clear_object (&import->cancellable);
  g_clear_object (&import->book);
  if (import->progress_data_free != NULL)
    import->progress_data_free (import->progress_data);
  g_free (import);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Import, import_free)

static Import *
import_new (QlLedgerBook         *book,
            GCancellable         *cancellable,
            QlImportProgressFunc  progress,
            gpointer              progress_data,
            GDestroyNotify        progress_data_free)
{
  Import *import = g_new0 (Import, 1);

  import->book = g_object_ref (book);
  import->by_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->ledgers = g_ptr_array_new_with_free_func (import_ledger_free);
  import->rows = g_array_new (FALSE, FALSE, sizeof (ImportRow));
  import->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  import->progress = progress;
  import->progress_data = progress_data;
  import->progress_data_free = progress_data_free;
  return import;
}

static void
import_set_contents (Import *import,
                     GBytes *contents)
{
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);

  import->contents = g_bytes_ref (contents);
  /* A byte order mark is not part of the first field. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  _ql_csv_reader_init (&import->reader, data, length);
}

static void
import_report (Import        *import,
               QlImportPhase  phase,
               guint64        done,
               guint64        total)
{
  if (import->progress != NULL)
    import->progress (phase, done, total, import->progress_data);
}

static void
prefix_line (GError  **error,
             guint64   line)
{
  g_prefix_error (error, _("Line %" PRIu64 ": "), line);
}

static const char *
field (Import *import,
       guint   index)
{
  return import->reader.fields[index]->str;
}

static gboolean
check_header (Import  *import,
              GError **error)
{
  static const char * const names[] = { "ledger", "type", "amount" };
  gboolean ok = import->reader.n_fields == G_N_ELEMENTS (names);

  for (guint i = 0; ok && i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (field (import, i)));

      ok = g_ascii_strcasecmp (name, names[i]) == 0;
    }
  if (ok)
    return TRUE;

  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
               _("Line %" PRIu64 ": the first line must be the header “ledger,type,amount”"),
               import->reader.line);
  return FALSE;
}

static gboolean
parse_row_type (const char *text,
                RowType    *out_type)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  for (guint i = 0; i < G_N_ELEMENTS (row_types); i++)
    {
      if (g_ascii_strcasecmp (trimmed, row_types[i].command) == 0)
        {
          *out_type = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Finds the ledger a row names, loading it from the book the first time.
 * Returns its index + 1, 0 when neither the book nor an earlier row has
 * it, or -1 with @error set. */
static gint64
find_import_ledger (Import      *import,
                    const char  *text,
                    GError     **error)
{
  gpointer found = g_hash_table_lookup (import->by_text, text);
  g_autofree char *name = NULL;
  QlLedger *ledger = NULL;
  ImportLedger *entry;

  if (found != NULL)
    return GPOINTER_TO_UINT (found);

  name = ql_ledger_normalize_name (text, error);
  if (name == NULL)
    return -1;

  found = g_hash_table_lookup (import->by_name, name);
  if (found != NULL)
    {
      g_hash_table_insert (import->by_text, g_strdup (text), found);
      return GPOINTER_TO_UINT (found);
    }

  if (!sync_ledger (import->book, resolve_name (import->book, name), &ledger, error))
    return -1;
  if (ledger == NULL)
    return 0;
  if (!_ql_ledger_check_sound (ledger, error))
    return -1;

  entry = g_new0 (ImportLedger, 1);
  /* Events go to the name the store keeps, which another program may have
   * written in another normal form. */
  entry->name = g_strdup (ql_ledger_get_name (ledger));
  entry->existing = g_object_ref (ledger);
  entry->kind = ql_ledger_get_kind (ledger);
  entry->currency = ql_ledger_get_currency (ledger);
  entry->decimals = ql_ledger_get_decimals (ledger);
  entry->balance = ql_ledger_get_balance (ledger);
  entry->version = ql_ledger_get_version (ledger);
  g_ptr_array_add (import->ledgers, entry);
  g_hash_table_insert (import->by_name, g_steal_pointer (&name),
                       GUINT_TO_POINTER (import->ledgers->len));
  g_hash_table_insert (import->by_text, g_strdup (text), GUINT_TO_POINTER (import->ledgers->len));

  return import->ledgers->len;
}

/* A ledger the file creates. */
static guint
add_import_ledger (Import       *import,
                   const char   *text,
                   QlLedgerKind  kind,
                   const char   *currency,
                   guint         decimals,
                   gint64        balance)
{
  ImportLedger *entry = g_new0 (ImportLedger, 1);

  entry->name = ql_ledger_normalize_name (text, NULL);
  g_assert (entry->name != NULL);
  entry->kind = kind;
  entry->currency = currency;
  entry->decimals = decimals;
  entry->balance = balance;
  entry->version = 1;
  g_ptr_array_add (import->ledgers, entry);
  g_hash_table_insert (import->by_name, g_strdup (entry->name),
                       GUINT_TO_POINTER (import->ledgers->len));
  g_hash_table_insert (import->by_text, g_strdup (text), GUINT_TO_POINTER (import->ledgers->len));

  return import->ledgers->len;
}

static QlLedger *
import_ledger_snapshot (ImportLedger *entry)
{
  return _ql_ledger_new_with_state (entry->name, entry->kind, entry->currency, entry->balance,
                                    entry->version);
}

/* Checks a change against the ledger as the rows so far left it, with the
 * checks and messages of the commands. */
static gboolean
check_import_change (ImportLedger  *entry,
                     RowType        type,
                     const char    *text,
                     gint64        *out_amount,
                     GError       **error)
{
  const char *event = row_types[type].event;
  QlLedgerKind kind = type == ROW_DEPOSIT || type == ROW_WITHDRAW ? QL_LEDGER_KIND_ACCOUNT
                                                                   : QL_LEDGER_KIND_ITEM;
  gboolean adds = type == ROW_DEPOSIT || type == ROW_INCREASE;
  gint64 amount;

  if (kind != entry->kind)
    {
      g_autoptr(QlLedger) ledger = import_ledger_snapshot (entry);

      return _ql_ledger_check_kind (ledger, event, error);
    }

  if (kind == QL_LEDGER_KIND_ITEM ? !ql_quantity_parse (text, FALSE, &amount, error)
                                  : !ql_amount_parse (text, entry->decimals, &amount, error))
    return FALSE;

  if (adds ? entry->balance > G_MAXINT64 - amount : amount > entry->balance)
    {
      g_autoptr(QlLedger) ledger = import_ledger_snapshot (entry);

      return _ql_ledger_check_change (ledger, event, amount, error);
    }

  entry->balance = adds ? entry->balance + amount : entry->balance - amount;
  entry->version++;
  *out_amount = amount;
  return TRUE;
}

static gboolean
check_import_row (Import  *import,
                  GError **error)
{
  const char *name = field (import, 0);
  ImportRow row = { 0 };
  RowType type;
  gint64 index;

  if (import->reader.n_fields != 3)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   ngettext ("expected 3 fields (ledger,type,amount), found %u",
                             "expected 3 fields (ledger,type,amount), found %u",
                             import->reader.n_fields),
                   import->reader.n_fields);
      return FALSE;
    }

  if (!parse_row_type (field (import, 1), &type))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   _("unknown type “%s”: use open, deposit, withdraw, create-item, increase or decrease"),
                   field (import, 1));
      return FALSE;
    }

  index = find_import_ledger (import, name, error);
  if (index < 0)
    return FALSE;
  if (!ql_text_check (type == ROW_OPEN ? QL_TEXT_FIELD_CURRENCY : QL_TEXT_FIELD_AMOUNT,
                      field (import, 2), -1, error))
    return FALSE;

  if (type == ROW_OPEN || type == ROW_CREATE_ITEM)
    {
      const char *currency = NULL;
      guint decimals = 0;
      gint64 quantity = 0;

      if (index > 0)
        {
          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS,
                       _("A ledger named “%s” exists already"),
                       ((ImportLedger *) g_ptr_array_index (import->ledgers, index - 1))->name);
          return FALSE;
        }

      if (type == ROW_OPEN)
        {
          g_autofree char *code = g_strstrip (g_strdup (field (import, 2)));

          if (code[0] != '\0')
            {
              currency = ql_currency_canonicalize (code, &decimals, error);
              if (currency == NULL)
                return FALSE;
            }
        }
      else if (!ql_quantity_parse (field (import, 2), TRUE, &quantity, error))
        return FALSE;

      index = add_import_ledger (import, name,
                                 type == ROW_OPEN ? QL_LEDGER_KIND_ACCOUNT : QL_LEDGER_KIND_ITEM,
                                 currency, decimals, quantity);
      row.amount = quantity;
    }
  else
    {
      if (index == 0)
        {
          g_autofree char *normalized = ql_ledger_normalize_name (name, NULL);

          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                       _("No ledger is named “%s”"), normalized);
          return FALSE;
        }
      if (!check_import_change (g_ptr_array_index (import->ledgers, index - 1), type,
                                field (import, 2), &row.amount, error))
        return FALSE;
    }

  row.ledger = index - 1;
  row.type = type;
  ((ImportLedger *) g_ptr_array_index (import->ledgers, index - 1))->last_row = import->rows->len;
  g_array_append_val (import->rows, row);
  return TRUE;
}

/* Checks up to @max_rows rows. Returns %TRUE with @out_done set once the
 * whole file is checked. */
static gboolean
import_check_rows (Import    *import,
                   guint      max_rows,
                   gboolean  *out_done,
                   GError   **error)
{
  *out_done = FALSE;

  for (guint i = 0; i < max_rows; i++)
    {
      gboolean end;

      if (!_ql_csv_reader_next (&import->reader, &end, error))
        return FALSE;
      if (end)
        {
          if (!import->header_seen)
            {
              g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                                   _("The file is empty: it needs the header “ledger,type,amount”"));
              return FALSE;
            }
          *out_done = TRUE;
          break;
        }

      /* An empty line holds no row. */
      if (import->reader.n_fields == 1 && field (import, 0)[0] == '\0')
        continue;

      if (!import->header_seen)
        {
          if (!check_header (import, error))
            return FALSE;
          import->header_seen = TRUE;
          continue;
        }

      if (!check_import_row (import, error))
        {
          prefix_line (error, import->reader.line);
          return FALSE;
        }
    }

  import_report (import, QL_IMPORT_PHASE_CHECKING, import->reader.offset, import->reader.length);
  return TRUE;
}

/* What printf's "%" G_GINT64_FORMAT writes for @value, without parsing
 * a format for each of a million rows. */
static void
append_decimal (GString *out,
                gint64   value)
{
  char digits[24];
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;
  guint n = 0;

  do
    {
      digits[n++] = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude > 0);

  if (value < 0)
    g_string_append_c (out, '-');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

static const char *
build_import_payload (GStringChunk *chunk,
                      ImportLedger *entry,
                      ImportRow    *row,
                      GString      *scratch)
{
  g_string_truncate (scratch, 0);

  switch ((RowType) row->type)
    {
    case ROW_OPEN:
      if (entry->currency != NULL)
        g_string_append_printf (scratch, "{\"currency\":\"%s\"}", entry->currency);
      else
        g_string_append (scratch, "{\"currency\":null}");
      break;

    case ROW_CREATE_ITEM:
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *text = NULL;

        /* The payload the create-item command writes, name escaped. */
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "name");
        json_builder_add_string_value (builder, entry->name);
        json_builder_set_member_name (builder, "quantity");
        json_builder_add_int_value (builder, row->amount);
        json_builder_end_object (builder);
        root = json_builder_get_root (builder);
        text = json_to_string (root, FALSE);
        g_string_append (scratch, text);
      }
      break;

    case ROW_DEPOSIT:
    case ROW_WITHDRAW:
    case ROW_INCREASE:
    case ROW_DECREASE:
    default:
      g_string_append (scratch, "{\"amount\":");
      append_decimal (scratch, row->amount);
      g_string_append_c (scratch, '}');
      break;
    }

  return g_string_chunk_insert_len (chunk, scratch->str, scratch->len);
}

typedef struct
{
  Import  *import;
  guint64  total;
} WriteProgress;

static gboolean
write_progress_cb (guint64  n_written,
                   gpointer user_data)
{
  WriteProgress *write = user_data;

  import_report (write->import, QL_IMPORT_PHASE_WRITING, n_written, write->total);
  return !g_cancellable_is_cancelled (write->import->cancellable);
}

/* The rows' indexes grouped by ledger, ledgers in the order the file
 * first names them, each ledger's rows in file order. */
static guint *
order_rows_by_ledger (Import *import)
{
  guint n_rows = import->rows->len;
  guint *order = g_new (guint, n_rows);
  g_autofree guint *next = g_new0 (guint, import->ledgers->len + 1);

  for (guint i = 0; i < n_rows; i++)
    next[g_array_index (import->rows, ImportRow, i).ledger + 1]++;
  for (guint l = 1; l <= import->ledgers->len; l++)
    next[l] += next[l - 1];
  for (guint i = 0; i < n_rows; i++)
    order[next[g_array_index (import->rows, ImportRow, i).ledger]++] = i;

  return order;
}

/* Writes every checked row in one batch, with a snapshot wherever one is
 * due and at each ledger's last row; then moves the book's ledgers to the
 * states the checks computed. The batch is one transaction, so its events
 * appear together, and nothing orders the events of different ledgers
 * inside it: they are written ledger by ledger, each ledger's in file
 * order, which lets each ledger's index entries go in one after another. */
static gboolean
import_write (Import  *import,
              GError **error)
{
  QlLedgerBook *self = import->book;
  guint n_rows = import->rows->len;
  g_autofree QlNewEvent *events = NULL;
  g_autoptr(GArray) appends = NULL;
  g_autoptr(GString) scratch = g_string_new (NULL);
  GStringChunk *chunk = NULL;
  /* Each ledger's version as the rows written so far leave it. */
  g_autofree gint64 *versions = NULL;
  g_autofree gint64 *balances = NULL;
  g_autofree guint *order = NULL;
  WriteProgress progress = { import, n_rows };
  gboolean ok;

  if (n_rows == 0)
    {
      import_report (import, QL_IMPORT_PHASE_WRITING, 0, 0);
      return TRUE;
    }

  events = g_new (QlNewEvent, n_rows);
  appends = g_array_sized_new (FALSE, FALSE, sizeof (QlLedgerAppend), n_rows);
  chunk = g_string_chunk_new (1 << 20);
  versions = g_new0 (gint64, import->ledgers->len);
  balances = g_new0 (gint64, import->ledgers->len);

  for (guint i = 0; i < import->ledgers->len; i++)
    {
      ImportLedger *entry = g_ptr_array_index (import->ledgers, i);

      if (entry->existing != NULL)
        {
          versions[i] = ql_ledger_get_version (entry->existing);
          balances[i] = ql_ledger_get_balance (entry->existing);
        }
    }

  order = order_rows_by_ledger (import);
  for (guint k = 0; k < n_rows; k++)
    {
      guint i = order[k];
      ImportRow *row = &g_array_index (import->rows, ImportRow, i);
      ImportLedger *entry = g_ptr_array_index (import->ledgers, row->ledger);
      QlLedgerAppend *last = appends->len > 0
                             ? &g_array_index (appends, QlLedgerAppend, appends->len - 1)
                             : NULL;
      gint64 version;

      events[k].type = row_types[row->type].event;
      events[k].payload = build_import_payload (chunk, entry, row, scratch);
      events[k].reference = NULL;

      /* Consecutive rows of one ledger share a part, up to a snapshot. */
      if (last != NULL && last->ledger == entry->name && last->snapshot == NULL)
        last->n_events++;
      else
        {
          QlLedgerAppend append = { entry->name, versions[row->ledger], &events[k], 1, NULL };

          g_array_append_val (appends, append);
          last = &g_array_index (appends, QlLedgerAppend, appends->len - 1);
        }

      switch ((RowType) row->type)
        {
        case ROW_OPEN:
          balances[row->ledger] = 0;
          break;
        case ROW_CREATE_ITEM:
          balances[row->ledger] = row->amount;
          break;
        case ROW_DEPOSIT:
        case ROW_INCREASE:
          balances[row->ledger] += row->amount;
          break;
        case ROW_WITHDRAW:
        case ROW_DECREASE:
        default:
          balances[row->ledger] -= row->amount;
          break;
        }
      version = ++versions[row->ledger];

      if (version % self->snapshot_interval == 0 || entry->last_row == i)
        {
          g_autofree char *state = _ql_ledger_format_snapshot (entry->kind, entry->currency,
                                                               balances[row->ledger]);

          last->snapshot = g_string_chunk_insert (chunk, state);
        }
    }

  ok = ql_event_store_append_batch (self->store, (QlLedgerAppend *) appends->data, appends->len,
                                    write_progress_cb, &progress, error);
  g_string_chunk_free (chunk);
  if (!ok)
    return FALSE;

  /* The store holds exactly the checked events: the computed states are
   * the replayed ones. */
  for (guint i = 0; i < import->ledgers->len; i++)
    {
      ImportLedger *entry = g_ptr_array_index (import->ledgers, i);

      if (entry->existing != NULL)
        {
          if (ql_ledger_get_version (entry->existing) != entry->version)
            {
              _ql_ledger_set_state (entry->existing, entry->balance, entry->version);
              self->changed_pending = TRUE;
            }
        }
      else
        {
          g_autoptr(QlLedger) created = import_ledger_snapshot (entry);

          add_ledger (self, created);
        }
    }

  import_report (import, QL_IMPORT_PHASE_WRITING, n_rows, n_rows);
  emit_changed_if_pending (self);
  return TRUE;
}

static gboolean
import_cancelled (Import  *import,
                  GError **error)
{
  if (!g_cancellable_is_cancelled (import->cancellable))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _("The import was cancelled; nothing was written"));
  return TRUE;
}

/**
 * ql_ledger_book_import_csv:
 * @self: a #QlLedgerBook
 * @file: a CSV file
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @progress: (nullable) (scope call): called with the progress of each
 *   step, or %NULL
 * @progress_data: data for @progress
 * @out_n_events: (out) (optional): how many events were written
 * @error: return location for a #GError
 *
 * Imports ledger commands from a CSV file, all or nothing.
 *
 * Only a regular file of up to 512 MiB is read: a FIFO, a device or a
 * larger file fails at once with a #GIOError naming it.
 *
 * The file is text in UTF-8 (a leading byte order mark is skipped), read
 * as RFC 4180 says: fields separated by commas, records by CRLF or LF, and
 * a field that holds commas, quotes or line breaks enclosed in double
 * quotes, a quote inside it written twice (`"Item 4, boxed"`,
 * `"The ""big"" one"`). Empty lines are skipped. The first record is the
 * header `ledger,type,amount` (any case). Every other record has those
 * three fields:
 *
 * - `ledger`: the ledger's name, as the commands take it;
 * - `type`: one of the commands `open`, `deposit`, `withdraw`,
 *   `create-item`, `increase` or `decrease`;
 * - `amount`: what the command takes: the amount of a deposit or
 *   withdrawal in the account's currency (`99.99`), a whole quantity for
 *   `increase`, `decrease` and `create-item` (whose opening quantity may
 *   be 0), and for `open` the account's ISO 4217 currency code, or an
 *   empty field for plain units.
 *
 * For example:
 * |[
 * ledger,type,amount
 * Current account,open,USD
 * Current account,deposit,100.00
 * "Laptop, 15 inch",create-item,10
 * "Laptop, 15 inch",decrease,3
 * Current account,withdraw,30
 * ]|
 *
 * The import first reads the whole file and checks every row against the
 * rules and the ledgers' current state, as the rows before it leave them
 * (a row may use a ledger an earlier row opened), exactly as the commands
 * would. The first row that fails stops the import with that rule's error
 * (such as %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS), or with
 * %QL_LEDGER_ERROR_INVALID_IMPORT for a malformed file, its message
 * starting with the line, as in `Line 7: Cannot withdraw …`; nothing is
 * written then. Only a file that passes is written, in one transaction
 * through ql_event_store_append_batch(): every event or none. The
 * events of one ledger keep the file's order; those of different ledgers
 * are written ledger by ledger, in the order the file first names the
 * ledgers, so they are in that order in the notification log. When
 * another writer changed one of the file's ledgers meanwhile the whole
 * import fails with %QL_STORE_ERROR_CONFLICT and writes nothing;
 * importing again checks against the new state. Snapshots are
 * cached as the commands would leave them, and of each ledger's final
 * state, so loading the imported ledgers replays nothing.
 *
 * Cancelling @cancellable before the write commits fails with
 * %G_IO_ERROR_CANCELLED and writes nothing. The book's ledgers and
 * #QlLedgerBook::changed follow as for any command.
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
  g_autoptr(Import) import = NULL;
  g_autoptr(GBytes) contents = NULL;
  gboolean done = FALSE;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  import = import_new (self, cancellable, progress, progress_data, NULL);
  contents = _ql_file_load_bounded (file, QL_IMPORT_MAX_SIZE, cancellable, error);
  if (contents == NULL)
    return FALSE;
  import_set_contents (import, contents);

  while (!done)
    {
      if (import_cancelled (import, error) ||
          !import_check_rows (import, IMPORT_ROWS_PER_STEP, &done, error))
        {
          emit_changed_if_pending (self);
          return FALSE;
        }
    }

  if (import_cancelled (import, error) || !import_write (import, error))
    {
      emit_changed_if_pending (self);
      return FALSE;
    }

  if (out_n_events != NULL)
    *out_n_events = import->rows->len;
  return TRUE;
}

static gboolean
import_step_cb (gpointer user_data)
{
  GTask *task = user_data;
  Import *import = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean done = FALSE;

  if (import_cancelled (import, &error) ||
      !import_check_rows (import, IMPORT_ROWS_PER_STEP, &done, &error))
    {
      emit_changed_if_pending (import->book);
      g_task_return_error (task, error);
      return G_SOURCE_REMOVE;
    }
  if (!done)
    return G_SOURCE_CONTINUE;

  if (import_cancelled (import, &error) || !import_write (import, &error))
    {
      emit_changed_if_pending (import->book);
      g_task_return_error (task, error);
      return G_SOURCE_REMOVE;
    }

  g_task_return_int (task, import->rows->len);
  return G_SOURCE_REMOVE;
}

static void
import_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Import *import = g_task_get_task_data (task);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GSource) source = NULL;
  GError *error = NULL;

  contents = _ql_file_load_bounded_finish (G_FILE (object), result, &error);
  if (contents == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  import_set_contents (import, contents);

  /* Checking runs a step per main-loop turn, so a window stays live and
   * can show the progress. */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[quote-ledger] import");
  g_task_attach_source (task, source, import_step_cb);
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
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ql_ledger_book_import_csv_async);
  g_task_set_task_data (task, import_new (self, cancellable, progress, progress_data,
                                          progress_data_free),
                        (GDestroyNotify) import_free);
  _ql_file_load_bounded_async (file, QL_IMPORT_MAX_SIZE, cancellable, import_loaded_cb,
                               g_steal_pointer (&task));
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
  gssize n_events;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_events = g_task_propagate_int (G_TASK (result), error);
  if (n_events < 0)
    return FALSE;
  if (out_n_events != NULL)
    *out_n_events = n_events;
  return TRUE;
}
