/* ql-quote-book.c: a collection of quotes, looked up by index
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-quote-book"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ql-file.h"
#include "ql-model-resources.h"
#include "ql-quote-book.h"

#define DEFAULT_QUOTES_PATH "/io/github/quoteledger/QuoteLedger/model/default-quotes.txt"

/* strfile(8) index: a 24-byte big-endian header, then one 32-bit offset
 * per entry plus one for the end of the file. */
#define STRFILE_HEADER_SIZE 24

/* "\xef\xbf\xbd" is U+FFFD REPLACEMENT CHARACTER, shown for control
 * characters that carry no meaning in a quote. */
#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"

/**
 * QlQuoteBook:
 *
 * An immutable, ordered collection of quotes, indexed from 0. A
 * #GListModel of #QlQuote: the #QlQuote objects are made on demand, the
 * texts themselves live in one buffer, so a book of many thousand quotes
 * loads in a few milliseconds and costs little more than its text.
 *
 * Every text is valid UTF-8 and holds no control character other than
 * newline and tab: escape sequences are removed when the book is loaded,
 * so no view can ever print a raw control character from a quotes file.
 */
struct _QlQuoteBook
{
  GObject  parent_instance;

  /* Every quote's text, each followed by a NUL byte. */
  char    *texts;
  /* Where each quote starts in @texts, as gsize. */
  GArray  *offsets;
};

static void ql_quote_book_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlQuoteBook, ql_quote_book, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ql_quote_book_list_model_init))

G_DEFINE_QUARK (ql-quote-error-quark, ql_quote_error)

/* Quotes gathered while a book is loaded, from one or several files. */
typedef struct
{
  GString *texts;
  GArray  *offsets;
} Collector;

static void
collector_init (Collector *collector)
{
  collector->texts = g_string_new (NULL);
  collector->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
}

static void
collector_clear (Collector *collector)
{
  if (collector->texts != NULL)
    g_string_free (collector->texts, TRUE);
  g_clear_pointer (&collector->offsets, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Collector, collector_clear)

static void
collector_add (Collector  *collector,
               const char *text,
               gsize       length)
{
  gsize offset = collector->texts->len;

  g_array_append_val (collector->offsets, offset);
  g_string_append_len (collector->texts, text, length);
  g_string_append_c (collector->texts, '\0');
}

static QlQuoteBook *
collector_finish (Collector *collector)
{
  QlQuoteBook *self = g_object_new (QL_TYPE_QUOTE_BOOK, NULL);

  g_free (self->texts);
  g_array_unref (self->offsets);
  self->texts = g_string_free (g_steal_pointer (&collector->texts), FALSE);
  self->offsets = g_steal_pointer (&collector->offsets);

  return self;
}

/* Skips a CSI sequence after its introducer: parameter bytes, then
 * intermediate bytes, then one final byte (ECMA-48 5.4). */
static const guchar *
skip_control_sequence (const guchar *p,
                       const guchar *end)
{
  while (p < end && *p >= 0x30 && *p <= 0x3f)
    p++;
  while (p < end && *p >= 0x20 && *p <= 0x2f)
    p++;
  if (p < end && *p >= 0x40 && *p <= 0x7e)
    p++;

  return p;
}

/* Skips the body of an OSC, DCS, SOS, PM or APC string up to its
 * terminator (BEL or ST). A string never runs past the end of its line,
 * so one unterminated sequence cannot swallow the rest of a file. */
static const guchar *
skip_control_string (const guchar *p,
                     const guchar *end)
{
  while (p < end && *p != '\n')
    {
      if (*p == 0x07)
        return p + 1;
      if (*p == 0x1b && p + 1 < end && p[1] == '\\')
        return p + 2;
      if (*p == 0xc2 && p + 1 < end && p[1] == 0x9c)
        return p + 2;
      p++;
    }

  return p;
}

/* Skips what follows an ESC byte. */
static const guchar *
skip_escape (const guchar *p,
             const guchar *end)
{
  if (p == end)
    return p;

  switch (*p)
    {
    case '[':
      return skip_control_sequence (p + 1, end);

    case ']':
    case 'P':
    case 'X':
    case '^':
    case '_':
      return skip_control_string (p + 1, end);

    default:
      break;
    }

  /* nF sequences: intermediate bytes, then a final byte. */
  while (p < end && *p >= 0x20 && *p <= 0x2f)
    p++;
  if (p < end && *p >= 0x30 && *p <= 0x7e)
    p++;

  return p;
}

/* Appends valid UTF-8 @text to @out without escape sequences, turning
 * CRLF into LF and any other C0/C1 control but newline and tab into
 * U+FFFD, so that the result is safe to print anywhere. */
static void
append_sanitized (GString    *out,
                  const char *text,
                  gsize       length)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + length;

  while (p < end)
    {
      const guchar *run = p;

      while (p < end && ((*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\t' ||
                         (*p >= 0x80 && !(*p == 0xc2 && p + 1 < end && p[1] < 0xa0))))
        p++;
      g_string_append_len (out, (const char *) run, p - run);

      if (p == end)
        break;

      if (*p == '\r' && p + 1 < end && p[1] == '\n')
        {
          p++;
        }
      else if (*p == 0x1b)
        {
          p = skip_escape (p + 1, end);
        }
      else if (*p == 0xc2)
        {
          guchar code = p[1];

          p += 2;
          if (code == 0x9b)
            p = skip_control_sequence (p, end);
          else if (code == 0x9d || code == 0x90 || code == 0x98 || code == 0x9e || code == 0x9f)
            p = skip_control_string (p, end);
          else
            g_string_append (out, REPLACEMENT_CHARACTER);
        }
      else
        {
          g_string_append (out, REPLACEMENT_CHARACTER);
          p++;
        }
    }
}

static gboolean
is_blank (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;

  return TRUE;
}

static gboolean
is_fortune_separator (const char *line,
                      gsize       length)
{
  return length == 1 && line[0] == '%';
}

/* Where the line that starts at @p ends: at its newline, or at @end. */
static const char *
find_line_end (const char *p,
               const char *end)
{
  const char *eol = memchr (p, '\n', end - p);

  return eol != NULL ? eol : end;
}

/* Whether a line holding only "%" separates entries somewhere in @text. */
static gboolean
has_fortune_separator (const char *text,
                       gsize       length)
{
  const char *end = text + length;

  for (const char *p = text; p < end; p = find_line_end (p, end) + 1)
    {
      if (is_fortune_separator (p, find_line_end (p, end) - p))
        return TRUE;
    }

  return FALSE;
}

/* Entries run up to a line holding only "%"; surrounding blank lines and
 * trailing spaces are not part of an entry, and empty entries count for
 * nothing, as in strfile(8). */
static void
collect_fortune_entries (Collector  *collector,
                         const char *text,
                         gsize       length)
{
  const char *p = text;
  const char *end = text + length;
  const char *entry = text;

  for (;;)
    {
      const char *line_end = find_line_end (p, end);
      const char *eol = line_end < end ? line_end : NULL;
      gboolean separator = is_fortune_separator (p, line_end - p);

      if (separator || eol == NULL)
        {
          const char *entry_end = separator ? p : line_end;

          while (entry < entry_end && *entry == '\n')
            entry++;
          while (entry_end > entry && g_ascii_isspace (entry_end[-1]))
            entry_end--;
          if (!is_blank (entry, entry_end - entry))
            collector_add (collector, entry, entry_end - entry);
          entry = eol != NULL ? eol + 1 : end;
        }

      if (eol == NULL)
        break;
      p = eol + 1;
    }
}

/* One quote per line; blank lines and surrounding spaces do not count. */
static void
collect_lines (Collector  *collector,
               const char *text,
               gsize       length)
{
  const char *end = text + length;
  const char *next;

  for (const char *p = text; p < end; p = next + 1)
    {
      const char *start = p;
      const char *line_end = next = find_line_end (p, end);

      while (start < line_end && g_ascii_isspace (*start))
        start++;
      while (line_end > start && g_ascii_isspace (line_end[-1]))
        line_end--;
      if (start < line_end)
        collector_add (collector, start, line_end - start);
    }
}

static gboolean
is_strfile_index (const guchar *data,
                  gsize         length)
{
  guint32 version;
  guint32 n_entries;

  if (length < STRFILE_HEADER_SIZE)
    return FALSE;

  memcpy (&version, data, sizeof version);
  memcpy (&n_entries, data + 4, sizeof n_entries);
  version = GUINT32_FROM_BE (version);
  n_entries = GUINT32_FROM_BE (n_entries);

  return (version == 1 || version == 2) &&
         length == STRFILE_HEADER_SIZE + ((gsize) n_entries + 1) * 4;
}

/* An optional minus sign and at least one digit, nothing else: no plus
 * sign, decimal point, exponent or digit separator. */
static gboolean
is_whole_number (const char *text)
{
  const char *digits = text[0] == '-' ? text + 1 : text;

  if (*digits == '\0')
    return FALSE;
  for (const char *p = digits; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

static guint
count_lines (const char *text,
             const char *position)
{
  guint line = 1;

  for (const char *p = text; p < position; p++)
    if (*p == '\n')
      line++;

  return line;
}

/* Checks that @data is UTF-8 text and adds its quotes to @collector.
 * @name is shown in errors. With @fortune_only, text without any "%"
 * separator is refused, as in a directory of fortune files. */
static gboolean
collect_quotes (Collector   *collector,
                const char  *name,
                const char  *data,
                gsize        length,
                gboolean     fortune_only,
                GError     **error)
{
  g_autoptr(GString) clean = NULL;
  g_autofree char *converted = NULL;
  const char *invalid = NULL;
  gsize n_before = collector->offsets->len;

  if (length == 0)
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                   _("“%s” is empty"), name);
      return FALSE;
    }

  if (is_strfile_index ((const guchar *) data, length))
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                   _("“%s” is a strfile index (.dat), not a quotes file; "
                     "use the text file beside it"), name);
      return FALSE;
    }

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                   _("“%s” is not a text file"), name);
      return FALSE;
    }

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      const char *charset = NULL;

      /* Older collections may still be in the user's legacy encoding. */
      if (!g_get_charset (&charset))
        converted = g_convert (data, length, "UTF-8", charset, NULL, &length, NULL);

      if (converted == NULL)
        {
          g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                       _("“%s” is not UTF-8 text (line %u)"),
                       name, count_lines (data, invalid));
          return FALSE;
        }
      data = converted;
    }

  /* A byte order mark is not part of the first quote. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  clean = g_string_sized_new (length + 1);
  append_sanitized (clean, data, length);

  if (has_fortune_separator (clean->str, clean->len))
    collect_fortune_entries (collector, clean->str, clean->len);
  else if (!fortune_only)
    collect_lines (collector, clean->str, clean->len);

  if (collector->offsets->len == n_before)
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                   fortune_only ? _("“%s” is not a fortune file") : _("“%s” holds no quotes"),
                   name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
collect_file (Collector  *collector,
              GFile      *file,
              gboolean    fortune_only,
              GError    **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *name = NULL;
  const char *data;
  gsize length = 0;

  contents = ql_file_load_bounded (file, QL_QUOTES_MAX_SIZE, NULL, error);
  if (contents == NULL)
    return FALSE;

  name = g_file_get_parse_name (file);
  data = g_bytes_get_data (contents, &length);

  return collect_quotes (collector, name, data, length, fortune_only, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  GFileInfo *info_a = *(GFileInfo * const *) a;
  GFileInfo *info_b = *(GFileInfo * const *) b;

  return strcmp (g_file_info_get_name (info_a), g_file_info_get_name (info_b));
}

/* Every fortune file of a directory, in name order, like fortune(6) with
 * a directory argument: strfile indexes, hidden and backup files, binary
 * and non-text files are skipped, and a file reached twice through
 * symbolic links (Debian's "name.u8") is read once. */
static gboolean
collect_directory (Collector  *collector,
                   GFile      *directory,
                   GError    **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *directory_name = g_file_get_parse_name (directory);

  enumerator = g_file_enumerate_children (directory,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN ","
                                          G_FILE_ATTRIBUTE_STANDARD_IS_BACKUP ","
                                          G_FILE_ATTRIBUTE_ID_FILE,
                                          G_FILE_QUERY_INFO_NONE,
                                          NULL, error);
  if (enumerator == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, NULL, error))
        return FALSE;
      if (info == NULL)
        break;

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          !g_file_info_get_is_hidden (info) &&
          !g_file_info_get_is_backup (info) &&
          !g_str_has_suffix (g_file_info_get_name (info), ".dat"))
        g_ptr_array_add (infos, g_object_ref (info));
    }

  g_ptr_array_sort (infos, compare_names);

  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *info = g_ptr_array_index (infos, i);
      const char *id = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_ID_FILE);
      g_autoptr(GFile) child = NULL;
      g_autoptr(GError) local_error = NULL;

      if (id != NULL && !g_hash_table_add (seen, (gpointer) id))
        continue;

      child = g_file_get_child (directory, g_file_info_get_name (info));
      if (!collect_file (collector, child, TRUE, &local_error))
        g_debug ("Skipping %s: %s", g_file_info_get_name (info), local_error->message);
    }

  if (collector->offsets->len == 0)
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE,
                   _("“%s” holds no fortune files"), directory_name);
      return FALSE;
    }

  return TRUE;
}

static GType
ql_quote_book_get_item_type (GListModel *model)
{
  return QL_TYPE_QUOTE;
}

static guint
ql_quote_book_get_n_items (GListModel *model)
{
  QlQuoteBook *self = QL_QUOTE_BOOK (model);

  return self->offsets->len;
}

static gpointer
ql_quote_book_get_item (GListModel *model,
                        guint       position)
{
  QlQuoteBook *self = QL_QUOTE_BOOK (model);
  const char *text = ql_quote_book_get_text (self, position);

  if (text == NULL)
    return NULL;

  return ql_quote_new (position, text);
}

static void
ql_quote_book_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ql_quote_book_get_item_type;
  iface->get_n_items = ql_quote_book_get_n_items;
  iface->get_item = ql_quote_book_get_item;
}

static void
ql_quote_book_finalize (GObject *object)
{
  QlQuoteBook *self = (QlQuoteBook *) object;

  g_clear_pointer (&self->texts, g_free);
  g_clear_pointer (&self->offsets, g_array_unref);

  G_OBJECT_CLASS (ql_quote_book_parent_class)->finalize (object);
}

static void
ql_quote_book_class_init (QlQuoteBookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_quote_book_finalize;
}

static void
ql_quote_book_init (QlQuoteBook *self)
{
  self->texts = g_strdup ("");
  self->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
}

/**
 * ql_quote_book_new_default:
 *
 * Creates the book of the five quotes the program ships with, indices 0
 * to 4.
 *
 * Returns: (transfer full): a new #QlQuoteBook
 */
QlQuoteBook *
ql_quote_book_new_default (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  QlQuoteBook *self;
  gsize length = 0;
  const char *data;

  /* Naming the resource keeps its object file in a static link. */
  bytes = g_resource_lookup_data (ql_model_get_resource (), DEFAULT_QUOTES_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);

  data = g_bytes_get_data (bytes, &length);
  self = ql_quote_book_new_from_data (data, length, &error);
  g_assert_no_error (error);

  return self;
}

/**
 * ql_quote_book_new_from_data:
 * @data: (array length=length): the text of a quotes file
 * @length: the length of @data in bytes
 * @error: return location for a #GError
 *
 * Reads quotes from text in fortune format (entries separated by lines
 * holding only `%`) or, failing that, one quote per line with blank lines
 * skipped. Escape sequences are removed and other control characters
 * replaced; text in the locale's legacy encoding is converted.
 *
 * Returns: (transfer full): a new #QlQuoteBook, or %NULL with
 *   %QL_QUOTE_ERROR_INVALID_FILE if @data is empty, binary, not text or
 *   holds no quote
 */
QlQuoteBook *
ql_quote_book_new_from_data (const char  *data,
                             gsize        length,
                             GError     **error)
{
  g_auto(Collector) collector = { NULL, NULL };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  collector_init (&collector);
  if (!collect_quotes (&collector, _("quotes"), data, length, FALSE, error))
    return NULL;

  return collector_finish (&collector);
}

/**
 * ql_quote_book_new_from_file:
 * @path: a quotes file, or a directory of fortune files
 * @error: return location for a #GError
 *
 * Reads quotes from a file, as ql_quote_book_new_from_data() does. Only
 * a regular file of up to 64 MiB is read: a FIFO or a device such as
 * `/dev/zero` fails at once with a #GIOError naming it. A
 * directory gives every fortune file in it, in name order, skipping
 * strfile `.dat` indexes and anything that is not a fortune text file, so
 * that picking at random weighs each file by its number of entries as
 * fortune(6) does.
 *
 * Returns: (transfer full): a new #QlQuoteBook, or %NULL with a #GIOError
 *   naming @path when it cannot be read, or %QL_QUOTE_ERROR_INVALID_FILE
 *   when it holds no quotes (a `.dat` index given directly included)
 */
QlQuoteBook *
ql_quote_book_new_from_file (const char  *path,
                             GError     **error)
{
  g_auto(Collector) collector = { NULL, NULL };
  g_autoptr(GFile) file = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_commandline_arg (path);
  collector_init (&collector);

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    ok = collect_directory (&collector, file, error);
  else
    ok = collect_file (&collector, file, FALSE, error);

  if (!ok)
    return NULL;

  return collector_finish (&collector);
}

/**
 * ql_quote_book_parse_index:
 * @text: what the user typed
 * @out_index: (out): return location for the index
 * @error: return location for a #GError
 *
 * Reads a quote index: a whole number, optionally negative, with
 * surrounding spaces ignored. The number need not be in the book:
 * ql_quote_book_lookup() answers for any index.
 *
 * Returns: %TRUE on success; %FALSE with %QL_QUOTE_ERROR_INVALID_INDEX
 *   naming @text as typed, when it is not a whole number or does not fit
 *   in 64 bits
 */
gboolean
ql_quote_book_parse_index (const char  *text,
                           gint64      *out_index,
                           GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *shown = NULL;
  gint64 value = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = g_strstrip (g_strdup (text));
  if (is_whole_number (trimmed))
    {
      char *end = NULL;

      errno = 0;
      value = g_ascii_strtoll (trimmed, &end, 10);
      if (errno == 0 && *end == '\0')
        {
          if (out_index != NULL)
            *out_index = value;
          return TRUE;
        }
    }

  /* The message quotes the text as typed; GError messages are UTF-8. */
  shown = g_utf8_make_valid (text, -1);
  g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_INDEX,
               _("Incorrect index '%s'"), shown);
  return FALSE;
}

/**
 * ql_quote_book_get_text:
 * @self: a #QlQuoteBook
 * @index: a quote index
 *
 * Returns: (transfer none) (nullable): the text of the quote at @index,
 *   or %NULL when there is none
 */
const char *
ql_quote_book_get_text (QlQuoteBook *self,
                        gint64       index)
{
  g_return_val_if_fail (QL_IS_QUOTE_BOOK (self), NULL);

  if (index < 0 || index >= (gint64) self->offsets->len)
    return NULL;

  return self->texts + g_array_index (self->offsets, gsize, index);
}

/**
 * ql_quote_book_lookup:
 * @self: a #QlQuoteBook
 * @index: a quote index, possibly out of range or negative
 *
 * Looks a quote up as the seed's quote printer does.
 *
 * Returns: (transfer none): the text of the quote at @index, or the
 *   translated “Not found!” when there is none
 */
const char *
ql_quote_book_lookup (QlQuoteBook *self,
                      gint64       index)
{
  const char *text;

  g_return_val_if_fail (QL_IS_QUOTE_BOOK (self), NULL);

  text = ql_quote_book_get_text (self, index);

  return text != NULL ? text : _("Not found!");
}

/**
 * ql_quote_book_pick_random:
 * @self: a #QlQuoteBook
 * @rand: (nullable): the generator to draw from, or %NULL for GLib's
 *
 * Picks an index with every quote equally likely, so that quotes from a
 * directory of fortune files are weighted by each file's number of
 * entries, as fortune(6) does.
 *
 * Returns: an index from 0 to the number of quotes minus one, or -1 for
 *   a book without quotes
 */
gint64
ql_quote_book_pick_random (QlQuoteBook *self,
                           GRand       *rand)
{
  gint32 n_quotes;

  g_return_val_if_fail (QL_IS_QUOTE_BOOK (self), -1);
  g_return_val_if_fail (self->offsets->len > 0, -1);

  n_quotes = (gint32) MIN (self->offsets->len, (guint) G_MAXINT32);
  if (rand != NULL)
    return g_rand_int_range (rand, 0, n_quotes);

  return g_random_int_range (0, n_quotes);
}

/**
 * ql_quote_book_search:
 * @self: a #QlQuoteBook
 * @pattern: a Perl-compatible regular expression
 * @error: return location for a #GError
 *
 * Finds the quotes that @pattern matches anywhere in their text, as
 * `fortune -m` does.
 *
 * Returns: (transfer full) (element-type gint64): the indices of the
 *   matching quotes in increasing order, possibly none; %NULL with
 *   %QL_QUOTE_ERROR_INVALID_PATTERN when @pattern does not compile
 */
GArray *
ql_quote_book_search (QlQuoteBook  *self,
                      const char   *pattern,
                      GError      **error)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) matches = NULL;

  g_return_val_if_fail (QL_IS_QUOTE_BOOK (self), NULL);
  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (pattern, -1, NULL))
    {
      g_set_error_literal (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_PATTERN,
                           _("The search pattern is not UTF-8 text"));
      return NULL;
    }

  regex = g_regex_new (pattern, G_REGEX_MULTILINE | G_REGEX_OPTIMIZE, 0, &local_error);
  if (regex == NULL)
    {
      g_set_error (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_PATTERN,
                   _("Incorrect search pattern: %s"), local_error->message);
      return NULL;
    }

  matches = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < self->offsets->len; i++)
    {
      gint64 index = i;

      if (g_regex_match (regex, ql_quote_book_get_text (self, index), 0, NULL))
        g_array_append_val (matches, index);
    }

  return g_steal_pointer (&matches);
}
