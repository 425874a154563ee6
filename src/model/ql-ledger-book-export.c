/* ql-ledger-book-export.c: QlLedgerBook's changes written out as CSV or
 * as an hledger journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-event-notes-private.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"

/* Events gone through between two looks at the cancellable and the
 * progress. */
#define CHANGES_PER_STEP 1024
/* Formatted text written to the file at a time. */
#define WRITE_CHUNK (64 * 1024)

typedef enum
{
  FORMAT_CSV,
  FORMAT_JOURNAL,
} Format;

/* One ledger as the export found it, copied on the caller's thread: the
 * book and its ledgers change there while the file is written. */
typedef struct
{
  char      *name;
  char      *currency;
  guint      decimals;
  gboolean   item;
  GPtrArray *events;
} ExportLedger;

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* An hledger account name ends at two spaces and splits at colons; a
 * description ends at a semicolon; a line break, which the model never
 * stores, would end the line. */
static char *
journal_text (const char *text,
              const char *breaks)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (strchr (breaks, *p) != NULL)
        g_string_append_c (out, '_');
      else if (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
        continue;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
append_change (GString            *out,
               Format              format,
               const ExportLedger *ledger,
               QlEvent            *event,
               const GDate        *day,
               const char         *payee,
               const char         *memo)
{
  g_autofree char *date = ql_date_format (day);
  g_autofree char *amount = ql_amount_format (ql_event_get_signed_amount (event),
                                              ledger->decimals);
  const char *currency = ledger->currency;
  gboolean item = ledger->item;

  if (format == FORMAT_CSV)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  ql_event_get_version (event));

      g_string_append_printf (out, "%s,", date);
      append_csv_field (out, ledger->name);
      g_string_append_printf (out, ",%s,%s,%s,", version, ql_event_get_event_type (event),
                              amount);
      append_csv_field (out, currency);
      g_string_append_c (out, ',');
      append_csv_field (out, payee);
      g_string_append_c (out, ',');
      append_csv_field (out, memo);
      g_string_append_c (out, '\n');
    }
  else
    {
      g_autofree char *account = journal_text (ledger->name, ":\t\r\n");
      g_autofree char *description = journal_text (payee != NULL ? payee
                                                   : ql_event_type_get_label (
                                                       ql_event_get_event_type (event)),
                                                   ";|\t\r\n");
      g_autofree char *note = journal_text (memo, ";\t\r\n");

      g_string_append_printf (out, "%s %s", date, description);
      if (note != NULL && *note != '\0')
        g_string_append_printf (out, " | %s", note);
      g_string_append_printf (out, "  ; version:%" G_GINT64_FORMAT "\n",
                              ql_event_get_version (event));
      g_string_append_printf (out, "    %s:%s  %s%s%s\n", item ? "inventory" : "assets", account,
                              amount, currency != NULL ? " " : "",
                              currency != NULL ? currency : (item ? " units" : ""));
      g_string_append_printf (out, "    equity:%s\n\n", account);
    }
}

/* What is to be exported, taken from the book on its thread, and how the
 * writing goes. Shared by the caller's thread and the writing thread:
 * the snapshot is only read once taken, the count of events written is
 * behind the mutex, and the progress function and what was last reported
 * belong to the caller's thread. */
typedef struct
{
  char                 *path;
  Format                format;
  GPtrArray            *ledgers;
  guint64               n_changes;
  GCancellable         *cancellable;

  GMainContext         *context;
  QlExportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;
  double                reported;

  /* Each event is read twice: for the notes, then to be written. */
  guint64               n_steps;
  GMutex                lock;
  guint64               done;
  guint                 percent;
  gboolean              pending;
} Export;

static void
export_ledger_free (gpointer data)
{
  ExportLedger *ledger = data;

  g_free (ledger->name);
  g_free (ledger->currency);
  g_ptr_array_unref (ledger->events);
  g_free (ledger);
}

static void
export_drop_progress (Export *export)
{
  if (export->progress_data_free != NULL)
    export->progress_data_free (export->progress_data);
  export->progress = NULL;
  export->progress_data = NULL;
  export->progress_data_free = NULL;
}

static void
export_clear (gpointer data)
{
  Export *export = data;

  export_drop_progress (export);
  g_free (export->path);
  g_clear_pointer (&export->ledgers, g_ptr_array_unref);
  g_clear_object (&export->cancellable);
  g_clear_pointer (&export->context, g_main_context_unref);
  g_mutex_clear (&export->lock);
}

static Export *
export_ref (Export *export)
{
  return g_atomic_rc_box_acquire (export);
}

static void
export_unref (gpointer export)
{
  g_atomic_rc_box_release_full (export, export_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_unref)

static gboolean
add_ledger (Export        *export,
            QlLedgerBook  *book,
            QlLedger      *ledger,
            GError       **error)
{
  GPtrArray *events = ql_ledger_book_list_events (book, ql_ledger_get_name (ledger), error);
  const char *currency = ql_ledger_get_currency (ledger);
  ExportLedger *copy;

  if (events == NULL)
    return FALSE;
  copy = g_new0 (ExportLedger, 1);
  copy->name = g_strdup (ql_ledger_get_name (ledger));
  copy->currency = currency != NULL && *currency != '\0' ? g_strdup (currency) : NULL;
  copy->decimals = ql_ledger_get_decimals (ledger);
  copy->item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;
  copy->events = events;
  export->n_steps += 2 * (guint64) events->len;
  g_ptr_array_add (export->ledgers, copy);
  return TRUE;
}

/* Takes what is to be exported from @self: the format @path names and the
 * events of the ledger @name, or of every ledger. */
static Export *
export_new (QlLedgerBook  *self,
            const char    *path,
            const char    *name,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(Export) export = g_atomic_rc_box_new0 (Export);

  g_mutex_init (&export->lock);
  export->path = g_strdup (path);
  export->ledgers = g_ptr_array_new_with_free_func (export_ledger_free);
  export->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;

  if (g_str_has_suffix (path, ".csv"))
    export->format = FORMAT_CSV;
  else if (g_str_has_suffix (path, ".journal"))
    export->format = FORMAT_JOURNAL;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("“%s” names no format to export to: end it in .csv or .journal"), path);
      return NULL;
    }

  if (name != NULL)
    {
      QlLedger *ledger = ql_ledger_book_lookup (self, name);

      if (ledger == NULL)
        {
          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                       _("No ledger is named “%s”"), name);
          return NULL;
        }
      if (!add_ledger (export, self, ledger, error))
        return NULL;
    }
  else
    {
      GListModel *ledgers = ql_ledger_book_get_ledgers (self);

      for (guint i = 0; i < g_list_model_get_n_items (ledgers); i++)
        {
          g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);

          if (!add_ledger (export, self, ledger, error))
            return NULL;
        }
    }
  return g_steal_pointer (&export);
}

/* On the caller's thread: the newest count of the writing thread, if it
 * is further than what was reported. */
static gboolean
report_progress_cb (gpointer data)
{
  Export *export = data;
  guint64 done;
  double fraction;

  g_mutex_lock (&export->lock);
  done = export->done;
  export->pending = FALSE;
  g_mutex_unlock (&export->lock);

  fraction = export->n_steps > 0 ? (double) done / (double) export->n_steps : 1.0;
  /* 1.0 is reported once the file is in place. */
  if (export->progress != NULL && fraction > export->reported && fraction < 1.0)
    {
      export->reported = fraction;
      export->progress (fraction, export->progress_data);
    }
  return G_SOURCE_REMOVE;
}

/* On the writing thread: one report for each hundredth done at most, and
 * no new one while the last still waits for the caller's thread. */
static void
count_done (Export  *export,
            guint64  done)
{
  guint percent;
  gboolean schedule = FALSE;

  if (export->context == NULL || export->n_steps == 0)
    return;
  percent = (guint) (done * 100 / export->n_steps);
  g_mutex_lock (&export->lock);
  export->done = done;
  if (percent > export->percent && !export->pending)
    {
      export->percent = percent;
      export->pending = TRUE;
      schedule = TRUE;
    }
  g_mutex_unlock (&export->lock);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, report_progress_cb, export_ref (export), export_unref);
      g_source_set_static_name (source, "[ql] export progress");
      g_source_attach (source, export->context);
    }
}

static gboolean
set_write_error (GError     **error,
                 const char  *path,
                 int          saved_errno)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           GString     *out,
           const char  *path,
           GError     **error)
{
  gsize written = 0;

  while (written < out->len)
    {
      gssize n = write (fd, out->str + written, out->len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_write_error (error, path, errno);
      written += (gsize) n;
    }
  g_string_truncate (out, 0);
  return TRUE;
}

typedef struct
{
  Export  *export;
  guint64 *done;
} Step;

static gboolean
notes_step_cb (guint    n,
               gpointer user_data)
{
  Step *step = user_data;

  *step->done += n;
  count_done (step->export, *step->done);
  return !g_cancellable_is_cancelled (step->export->cancellable);
}

/* Formats every change of the snapshot into @fd, a chunk at a time. Each
 * ledger's notes are read first, which takes about as long. */
static gboolean
write_changes (Export  *export,
               int      fd,
               GError **error)
{
  g_autoptr(GString) out = g_string_sized_new (WRITE_CHUNK + 4096);
  guint64 done = 0;
  Step step = { export, &done };

  if (export->format == FORMAT_CSV)
    g_string_append (out, "date,ledger,version,type,amount,currency,payee,memo\n");
  for (guint l = 0; l < export->ledgers->len; l++)
    {
      ExportLedger *ledger = g_ptr_array_index (export->ledgers, l);
      g_autoptr(QlEventNotes) notes = NULL;
      guint64 first = done;

      notes = _ql_event_notes_new_in_steps (ledger->events, G_MAXINT64, CHANGES_PER_STEP,
                                            notes_step_cb, &step);
      if (notes == NULL)
        {
          /* Only a cancellation stops the notes. */
          g_cancellable_set_error_if_cancelled (export->cancellable, error);
          return FALSE;
        }
      done = first + ledger->events->len;
      for (guint i = 0; i < ledger->events->len; i++)
        {
          QlEvent *event = g_ptr_array_index (ledger->events, i);
          const char *payee = NULL, *memo = NULL;
          GDate day;

          if (ql_event_get_amends (event) == 0 && ql_event_get_signed_amount (event) != 0 &&
              ql_event_notes_lookup (notes, ql_event_get_version (event), &day, &payee, &memo,
                                     NULL))
            {
              append_change (out, export->format, ledger, event, &day, payee, memo);
              export->n_changes++;
            }
          if (out->len >= WRITE_CHUNK && !write_all (fd, out, export->path, error))
            return FALSE;
          if (++done % CHANGES_PER_STEP == 0)
            {
              if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
                return FALSE;
              count_done (export, done);
            }
        }
    }
  if (!write_all (fd, out, export->path, error))
    return FALSE;
  count_done (export, done);
  return TRUE;
}

/* Writes the snapshot to a new file beside the target, then renames it
 * over the target: a failure or a cancellation leaves the old file as it
 * was and takes the new one away. */
static gboolean
export_write (Export  *export,
              GError **error)
{
  g_autofree char *dir = g_path_get_dirname (export->path);
  g_autofree char *base = g_path_get_basename (export->path);
  g_autofree char *hidden = g_strconcat (".", base, ".XXXXXX", NULL);
  g_autofree char *temp = g_build_filename (dir, hidden, NULL);
  gboolean ok;
  int fd;

  if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;

  /* 0666 less the umask, as g_file_set_contents() creates files. */
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    return set_write_error (error, export->path, errno);

  ok = write_changes (export, fd, error);
  if (ok && g_fsync (fd) != 0)
    ok = set_write_error (error, export->path, errno);
  if (close (fd) != 0 && ok)
    ok = set_write_error (error, export->path, errno);
  /* The last look: once renamed, the export has happened. */
  if (ok && g_cancellable_set_error_if_cancelled (export->cancellable, error))
    ok = FALSE;
  if (ok && g_rename (temp, export->path) != 0)
    ok = set_write_error (error, export->path, errno);
  if (!ok)
    g_unlink (temp);
  return ok;
}

/**
 * ql_ledger_book_export:
 * @self: a book
 * @path: the file to write: CSV when it ends in `.csv`, an hledger
 *   journal when it ends in `.journal`
 * @name: (nullable): one ledger's name, or %NULL for every ledger
 * @out_n_changes: (out) (optional): how many changes were written
 * @error: return location for a #GError
 *
 * Writes each change as it counts now (amendments and undos applied) on
 * its written date. The CSV has the columns date, ledger, version, type,
 * amount, currency, payee and memo. The journal has one transaction a
 * change: the ledger under `assets:` (an item under `inventory:`) against
 * `equity:` with the same name; colons and double spaces in names, which
 * hledger reads as structure, become `_` and one space. The file is
 * replaced atomically: the changes are written to a new file in the same
 * folder, which is renamed over @path once complete, so a failure leaves
 * the old file as it was. ql_ledger_book_export_async() writes the same
 * file on another thread.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_ledger_book_export (QlLedgerBook  *self,
                       const char    *path,
                       const char    *name,
                       guint64       *out_n_changes,
                       GError       **error)
{
  g_autoptr(Export) export = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  export = export_new (self, path, name, NULL, error);
  if (export == NULL || !export_write (export, error))
    return FALSE;
  if (out_n_changes != NULL)
    *out_n_changes = export->n_changes;
  return TRUE;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (export_write (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Back on the caller's thread: the last report comes before the result. */
static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      export_drop_progress (export);
      g_task_return_error (task, error);
      return;
    }
  if (export->progress != NULL && export->reported < 1.0)
    {
      export->reported = 1.0;
      export->progress (1.0, export->progress_data);
    }
  export_drop_progress (export);
  g_task_return_boolean (task, TRUE);
}

/**
 * ql_ledger_book_export_async:
 * @self: a book
 * @path: the file to write, as ql_ledger_book_export() takes it
 * @name: (nullable): one ledger's name, or %NULL for every ledger
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @progress: (nullable) (scope notified): called with how much of the
 *   export is done, or %NULL
 * @progress_data: data for @progress
 * @progress_data_free: (nullable): frees @progress_data once the export
 *   is over
 * @callback: called when the export is over
 * @user_data: data for @callback
 *
 * Writes the same file as ql_ledger_book_export(), without blocking the
 * thread-default main context for the writing. The ledgers' events are
 * read from the store at once, on the calling thread, since neither the
 * book nor its store may be used from another; they are a snapshot:
 * commands that run while the file is written are not in it. The
 * formatting and the writing run on a thread of their own, and stream to
 * the file rather than build it in memory.
 *
 * @progress is called on the thread-default main context, with a
 * fraction that only grows, at most once for each hundredth of the work,
 * and last with 1.0 once the file is in place, before @callback. The work
 * is each event read twice: once for the notes that amendments leave on
 * the changes, once to be written.
 * Cancelling @cancellable before then fails the export with
 * %G_IO_ERROR_CANCELLED and leaves the file as it was, with no new file
 * beside it.
 *
 * Finish with ql_ledger_book_export_finish().
 */
void
ql_ledger_book_export_async (QlLedgerBook         *self,
                             const char           *path,
                             const char           *name,
                             GCancellable         *cancellable,
                             QlExportProgressFunc  progress,
                             gpointer              progress_data,
                             GDestroyNotify        progress_data_free,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) writing = NULL;
  g_autoptr(Export) export = NULL;
  GError *error = NULL;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ql_ledger_book_export_async);
  /* A file renamed into place is exported, whenever the cancel came. */
  g_task_set_check_cancellable (task, FALSE);

  export = export_new (self, path, name, cancellable, &error);
  if (export == NULL)
    {
      if (progress_data_free != NULL)
        progress_data_free (progress_data);
      g_task_return_error (task, error);
      return;
    }
  export->context = g_main_context_ref_thread_default ();
  export->progress = progress;
  export->progress_data = progress_data;
  export->progress_data_free = progress_data_free;
  g_task_set_task_data (task, export_ref (export), export_unref);

  /* The writing thread's own task, without the cancellable, so that its
   * result is what happened to the file. */
  writing = g_task_new (self, NULL, export_written_cb, g_steal_pointer (&task));
  g_task_set_task_data (writing, g_steal_pointer (&export), export_unref);
  g_task_run_in_thread (writing, export_thread);
}

/**
 * ql_ledger_book_export_finish:
 * @self: a book
 * @result: the result given to the callback
 * @out_n_changes: (out) (optional): how many changes were written
 * @error: return location for a #GError
 *
 * Finishes ql_ledger_book_export_async().
 *
 * Returns: %TRUE when the file was written, %FALSE with @error set when
 *   it was left as it was
 */
gboolean
ql_ledger_book_export_finish (QlLedgerBook  *self,
                              GAsyncResult  *result,
                              guint64       *out_n_changes,
                              GError       **error)
{
  Export *export;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ql_ledger_book_export_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  export = g_task_get_task_data (G_TASK (result));
  if (out_n_changes != NULL)
    *out_n_changes = export->n_changes;
  return TRUE;
}
