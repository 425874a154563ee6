/* test-quote-book.c: QlQuoteBook and QlQuote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-quote-book"

#include "config.h"

#include <check.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ql-quote-book.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

#define SYSTEM_FORTUNES "/usr/share/games/fortunes"

static const char * const seed_quotes[] = {
  "A man is not complete until he is married. Then he is finished.",
  "As I said before, I never repeat myself.",
  "Behind a successful man is an exhausted woman.",
  "Black holes really suck...",
  "Facts are stubborn things.",
};

/* A private directory that removes itself and what it holds. */
typedef struct
{
  char *path;
} TestDir;

static TestDir *
test_dir_new (void)
{
  g_autoptr(GError) error = NULL;
  TestDir *dir = g_new0 (TestDir, 1);

  dir->path = g_dir_make_tmp ("ql-quote-book-XXXXXX", &error);
  ck_assert_msg (dir->path != NULL, "%s", error != NULL ? error->message : "");

  return dir;
}

static void
test_dir_free (TestDir *dir)
{
  ql_test_remove_tree (dir->path);
  g_free (dir->path);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDir, test_dir_free)

static char *
test_dir_write (TestDir    *dir,
                const char *name,
                const char *contents,
                gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir->path, name, NULL);

  ck_assert_msg (g_file_set_contents (path, contents, length, &error), "%s",
                 error != NULL ? error->message : "");

  return path;
}

/* Writes the strfile(8) index of @text as strfile does: a version 2
 * big-endian header, then the offset of every entry and of the end. */
static char *
test_dir_write_strfile_index (TestDir    *dir,
                              const char *name,
                              const char *text)
{
  g_autoptr(GByteArray) index = g_byte_array_new ();
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 header[6] = { 0 };
  const char *p = text;
  guint32 offset = 0;

  g_array_append_val (offsets, offset);
  while ((p = strstr (p, "\n%\n")) != NULL)
    {
      p += 3;
      offset = (guint32) (p - text);
      g_array_append_val (offsets, offset);
    }

  header[0] = GUINT32_TO_BE (2);
  header[1] = GUINT32_TO_BE (offsets->len - 1);
  header[2] = GUINT32_TO_BE (100);
  header[3] = GUINT32_TO_BE (1);
  header[4] = 0;
  memcpy (&header[5], "%\0\0\0", 4);
  g_byte_array_append (index, (const guint8 *) header, sizeof header);

  for (guint i = 0; i < offsets->len; i++)
    {
      guint32 be = GUINT32_TO_BE (g_array_index (offsets, guint32, i));

      g_byte_array_append (index, (const guint8 *) &be, sizeof be);
    }

  return test_dir_write (dir, name, (const char *) index->data, index->len);
}

/* For files a test only needs to exist. */
static void
test_dir_put (TestDir    *dir,
              const char *name,
              const char *contents,
              gssize      length)
{
  g_free (test_dir_write (dir, name, contents, length));
}

static void
test_dir_put_strfile_index (TestDir    *dir,
                            const char *name,
                            const char *text)
{
  g_free (test_dir_write_strfile_index (dir, name, text));
}

static guint
n_quotes (QlQuoteBook *book)
{
  return g_list_model_get_n_items (G_LIST_MODEL (book));
}

static QlQuoteBook *
load_data (const char *data)
{
  g_autoptr(GError) error = NULL;
  QlQuoteBook *book = ql_quote_book_new_from_data (data, strlen (data), &error);

  ck_assert_msg (book != NULL, "%s", error != NULL ? error->message : "");

  return book;
}

static QlQuoteBook *
load_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  QlQuoteBook *book = ql_quote_book_new_from_file (path, &error);

  ck_assert_msg (book != NULL, "%s: %s", path, error != NULL ? error->message : "");

  return book;
}

/* Whether @text is UTF-8 without any control character but \n and \t. */
static gboolean
is_printable (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != '\n' && c != '\t' && (c < 0x20 || (c >= 0x7f && c < 0xa0)))
        return FALSE;
    }

  return TRUE;
}

START_TEST (test_default_quotes)
{
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_default ();

  ck_assert_uint_eq (n_quotes (book), G_N_ELEMENTS (seed_quotes));
  for (guint i = 0; i < G_N_ELEMENTS (seed_quotes); i++)
    {
      ck_assert_str_eq (ql_quote_book_get_text (book, i), seed_quotes[i]);
      ck_assert_str_eq (ql_quote_book_lookup (book, i), seed_quotes[i]);
    }
}
END_TEST

START_TEST (test_list_model)
{
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_default ();
  GListModel *model = G_LIST_MODEL (book);

  ck_assert_uint_eq (g_list_model_get_item_type (model), QL_TYPE_QUOTE);
  for (guint i = 0; i < G_N_ELEMENTS (seed_quotes); i++)
    {
      g_autoptr(QlQuote) quote = g_list_model_get_item (model, i);
      g_autofree char *text = NULL;
      guint index = G_MAXUINT;

      ck_assert_ptr_nonnull (quote);
      ck_assert_uint_eq (ql_quote_get_index (quote), i);
      ck_assert_str_eq (ql_quote_get_text (quote), seed_quotes[i]);
      g_object_get (quote, "index", &index, "text", &text, NULL);
      ck_assert_uint_eq (index, i);
      ck_assert_str_eq (text, seed_quotes[i]);
    }
  ck_assert_ptr_null (g_list_model_get_item (model, 5));
  ck_assert_ptr_null (g_list_model_get_item (model, G_MAXUINT));
}
END_TEST

START_TEST (test_lookup_out_of_range)
{
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_default ();
  const gint64 outside[] = { 5, 6, 1000, G_MAXINT32, (gint64) G_MAXUINT32 + 3, G_MAXINT64,
                             -1, -5, G_MININT64 };

  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      ck_assert_str_eq (ql_quote_book_lookup (book, outside[i]), "Not found!");
      ck_assert_ptr_null (ql_quote_book_get_text (book, outside[i]));
    }
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), seed_quotes[0]);
  ck_assert_str_eq (ql_quote_book_lookup (book, 4), seed_quotes[4]);
}
END_TEST

START_TEST (test_parse_index_valid)
{
  const struct { const char *text; gint64 index; } cases[] = {
    { "3", 3 },
    { " 3 ", 3 },
    { "\t3\r\n", 3 },
    { "-1", -1 },
    { "0", 0 },
    { "-0", 0 },
    { "007", 7 },
    { "6", 6 },
    { "9223372036854775807", G_MAXINT64 },
    { "-9223372036854775808", G_MININT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 index = 12345;

      ck_assert_msg (ql_quote_book_parse_index (cases[i].text, &index, &error),
                     "“%s” refused", cases[i].text);
      ck_assert_ptr_null (error);
      ck_assert_int_eq (index, cases[i].index);
    }
}
END_TEST

START_TEST (test_parse_index_invalid)
{
  const char * const cases[] = {
    "abc", "", " ", "3.5", "1e3", "99999999999999999999", "9223372036854775808",
    "-9223372036854775809", "+3", "-", "--1", "3 4", "3a", "0x10", "1_000", "٣", " abc ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("Incorrect index '%s'", cases[i]);
      gint64 index = 12345;

      ck_assert_msg (!ql_quote_book_parse_index (cases[i], &index, &error),
                     "“%s” accepted", cases[i]);
      ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_INDEX));
      ck_assert_str_eq (error->message, expected);
      ck_assert_int_eq (index, 12345);
    }
}
END_TEST

START_TEST (test_parse_index_invalid_utf8)
{
  g_autoptr(GError) error = NULL;

  ck_assert (!ql_quote_book_parse_index ("\xff" "3", NULL, &error));
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_INDEX));
  ck_assert (g_utf8_validate (error->message, -1, NULL));
  ck_assert_str_eq (error->message, "Incorrect index '\xef\xbf\xbd" "3'");
}
END_TEST

START_TEST (test_plain_file)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = test_dir_write (dir, "plain.txt",
                                          "First quote.\n"
                                          "\n"
                                          "   \n"
                                          "  Second quote, with spaces around.  \r\n"
                                          "Third: 100% true\n"
                                          "第四句。", -1);
  g_autoptr(QlQuoteBook) book = load_file (path);

  ck_assert_uint_eq (n_quotes (book), 4);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "First quote.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 1), "Second quote, with spaces around.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 2), "Third: 100% true");
  ck_assert_str_eq (ql_quote_book_lookup (book, 3), "第四句。");
  ck_assert_str_eq (ql_quote_book_lookup (book, 4), "Not found!");
}
END_TEST

START_TEST (test_fortune_file)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = test_dir_write (dir, "fortunes",
                                          "One line.\n"
                                          "%\n"
                                          "Two\n"
                                          "    lines, indented.\n"
                                          "\n"
                                          "%\n"
                                          "%\n"
                                          "\n"
                                          "After an empty entry.\n"
                                          "  -- Someone\n"
                                          "%\n"
                                          "100%\n"
                                          "%\n", -1);
  g_autoptr(QlQuoteBook) book = load_file (path);

  ck_assert_uint_eq (n_quotes (book), 4);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "One line.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 1), "Two\n    lines, indented.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 2), "After an empty entry.\n  -- Someone");
  ck_assert_str_eq (ql_quote_book_lookup (book, 3), "100%");
}
END_TEST

START_TEST (test_fortune_without_final_separator)
{
  g_autoptr(QlQuoteBook) book = load_data ("%\nfirst\n%\r\nsecond\r\nline two\r\n\r\n");
  g_autoptr(QlQuoteBook) no_newline = load_data ("a\n%\nb\n%");

  ck_assert_uint_eq (n_quotes (book), 2);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "first");
  ck_assert_str_eq (ql_quote_book_lookup (book, 1), "second\nline two");

  ck_assert_uint_eq (n_quotes (no_newline), 2);
  ck_assert_str_eq (ql_quote_book_lookup (no_newline, 0), "a");
  ck_assert_str_eq (ql_quote_book_lookup (no_newline, 1), "b");
}
END_TEST

START_TEST (test_directory)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  const char *animals = "Cats sleep.\n%\nDogs bark\nloudly.\n%\nFish swim.\n%\n";
  const char *birds = "Birds fly.\n%\n";
  g_autofree char *link = g_build_filename (dir->path, "animals.u8", NULL);
  g_autoptr(QlQuoteBook) book = NULL;

  test_dir_put (dir, "animals", animals, -1);
  test_dir_put_strfile_index (dir, "animals.dat", animals);
  test_dir_put (dir, "birds", birds, -1);
  test_dir_put_strfile_index (dir, "birds.dat", birds);
  test_dir_put (dir, "picture.png",
                "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  test_dir_put (dir, "latin1", "caf\xe9\n%\n", -1);
  test_dir_put (dir, "README", "Not a fortune file.\n", -1);
  test_dir_put (dir, ".hidden", "Hidden.\n%\n", -1);
  test_dir_put (dir, "birds~", "Old birds.\n%\n", -1);
  ck_assert_int_eq (symlink ("animals", link), 0);
  book = load_file (dir->path);

  ck_assert_uint_eq (n_quotes (book), 4);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "Cats sleep.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 1), "Dogs bark\nloudly.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 2), "Fish swim.");
  ck_assert_str_eq (ql_quote_book_lookup (book, 3), "Birds fly.");
  for (guint i = 0; i < n_quotes (book); i++)
    ck_assert (is_printable (ql_quote_book_lookup (book, i)));
}
END_TEST

START_TEST (test_directory_without_fortunes)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = NULL;
  g_autofree char *expected = g_strdup_printf ("“%s” holds no fortune files", dir->path);

  test_dir_put_strfile_index (dir, "animals.dat", "Cats.\n%\n");
  test_dir_put (dir, "README", "Not a fortune file.\n", -1);
  book = ql_quote_book_new_from_file (dir->path, &error);

  ck_assert_ptr_null (book);
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_str_eq (error->message, expected);
}
END_TEST

START_TEST (test_strfile_index_refused)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *dat = test_dir_write_strfile_index (dir, "animals.dat",
                                                       "Cats.\n%\nDogs.\n%\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_from_file (dat, &error);

  ck_assert_ptr_null (book);
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_msg (strstr (error->message, "strfile index") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, dat) != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_binary_refused)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = test_dir_write (dir, "data.bin", "text\0more\n", 10);
  g_autofree char *expected = g_strdup_printf ("“%s” is not a text file", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_from_file (path, &error);

  ck_assert_ptr_null (book);
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_str_eq (error->message, expected);
}
END_TEST

START_TEST (test_invalid_utf8_refused)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = test_dir_write (dir, "latin1.txt", "fine\ncaf\xe9\n", -1);
  g_autofree char *expected = g_strdup_printf ("“%s” is not UTF-8 text (line 2)", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_from_file (path, &error);

  ck_assert_ptr_null (book);
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_str_eq (error->message, expected);
}
END_TEST

START_TEST (test_empty_refused)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *empty = test_dir_write (dir, "empty", "", 0);
  g_autofree char *blank = test_dir_write (dir, "blank", "\n  \n\t\n", -1);
  g_autofree char *separators = test_dir_write (dir, "separators", "%\n%\n\n%\n", -1);
  g_autofree char *empty_message = g_strdup_printf ("“%s” is empty", empty);
  g_autofree char *blank_message = g_strdup_printf ("“%s” holds no quotes", blank);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) blank_error = NULL;
  g_autoptr(GError) separators_error = NULL;
  g_autoptr(GError) data_error = NULL;

  ck_assert_ptr_null (ql_quote_book_new_from_file (empty, &error));
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_str_eq (error->message, empty_message);

  ck_assert_ptr_null (ql_quote_book_new_from_file (blank, &blank_error));
  ck_assert (g_error_matches (blank_error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
  ck_assert_str_eq (blank_error->message, blank_message);

  ck_assert_ptr_null (ql_quote_book_new_from_file (separators, &separators_error));
  ck_assert (g_error_matches (separators_error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));

  ck_assert_ptr_null (ql_quote_book_new_from_data ("", 0, &data_error));
  ck_assert (g_error_matches (data_error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_FILE));
}
END_TEST

START_TEST (test_missing_file)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = g_build_filename (dir->path, "no-such-file", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_from_file (path, &error);

  ck_assert_ptr_null (book);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, path) != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_unreadable_file)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autofree char *path = test_dir_write (dir, "secret", "Hidden wisdom.\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlQuoteBook) book = NULL;

  ck_assert_int_eq (g_chmod (path, 0), 0);
  /* root reads any file: there the check is that loading still works. */
  book = ql_quote_book_new_from_file (path, &error);
  if (geteuid () == 0)
    {
      ck_assert_ptr_nonnull (book);
      ck_assert_str_eq (ql_quote_book_lookup (book, 0), "Hidden wisdom.");
    }
  else
    {
      ck_assert_ptr_null (book);
      ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED));
      ck_assert_msg (strstr (error->message, path) != NULL, "%s", error->message);
    }
}
END_TEST

START_TEST (test_escape_sequences_stripped)
{
  g_autoptr(QlQuoteBook) book =
    load_data ("\x1b[33m    -- Debian \x1b[32mred\x1b[m done\x1b[m\n"
               "%\n"
               "title\x1b]0;evil title\x07 after\n"
               "%\n"
               "st\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\ end\n"
               "%\n"
               "bell\x07 back\x08space nul? del\x7f tab\there\n"
               "%\n"
               "c1 csi \xc2\x9b" "31mred\xc2\x9b" "0m next\xc2\x85line\n"
               "%\n"
               "cursor\x1b[2J\x1b[H\x1b" "7saved\x1b" "8 \x1b(Bcharset\n"
               "%\n"
               "unterminated \x1b]0;title\n"
               "next line kept\n"
               "%\n"
               "lone escape at end \x1b\n"
               "%\n");

  ck_assert_uint_eq (n_quotes (book), 8);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "    -- Debian red done");
  ck_assert_str_eq (ql_quote_book_lookup (book, 1), "title after");
  ck_assert_str_eq (ql_quote_book_lookup (book, 2), "stlink end");
  ck_assert_str_eq (ql_quote_book_lookup (book, 3),
                    "bell\xef\xbf\xbd back\xef\xbf\xbdspace nul? del\xef\xbf\xbd tab\there");
  ck_assert_str_eq (ql_quote_book_lookup (book, 4), "c1 csi red next\xef\xbf\xbdline");
  ck_assert_str_eq (ql_quote_book_lookup (book, 5), "cursorsaved charset");
  ck_assert_str_eq (ql_quote_book_lookup (book, 6), "unterminated \nnext line kept");
  ck_assert_str_eq (ql_quote_book_lookup (book, 7), "lone escape at end");
  for (guint i = 0; i < n_quotes (book); i++)
    ck_assert (is_printable (ql_quote_book_lookup (book, i)));
}
END_TEST

START_TEST (test_byte_order_mark)
{
  g_autoptr(QlQuoteBook) book = load_data ("\xef\xbb\xbf" "First.\nSecond.\n");

  ck_assert_uint_eq (n_quotes (book), 2);
  ck_assert_str_eq (ql_quote_book_lookup (book, 0), "First.");
}
END_TEST

START_TEST (test_many_quotes_load_fast)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GString) fortune = g_string_new (NULL);
  g_autoptr(QlQuoteBook) plain_book = NULL;
  g_autoptr(QlQuoteBook) fortune_book = NULL;
  g_autoptr(QlQuote) last = NULL;

  for (guint i = 0; i < 20000; i++)
    {
      g_string_append_printf (plain, "Quote number %u, a little wisdom for the day.\n", i);
      g_string_append_printf (fortune, "Entry %u,\n  on two lines.\n%%\n", i);
    }

  plain_book = load_data (plain->str);
  fortune_book = load_data (fortune->str);

  ck_assert_uint_eq (n_quotes (plain_book), 20000);
  ck_assert_uint_eq (n_quotes (fortune_book), 20000);
  ck_assert_str_eq (ql_quote_book_lookup (plain_book, 9999),
                    "Quote number 9999, a little wisdom for the day.");
  ck_assert_str_eq (ql_quote_book_lookup (fortune_book, 19999), "Entry 19999,\n  on two lines.");
  last = g_list_model_get_item (G_LIST_MODEL (fortune_book), 19999);
  ck_assert_uint_eq (ql_quote_get_index (last), 19999);
}
END_TEST

START_TEST (test_pick_random_uniform)
{
  g_autoptr(QlQuoteBook) book = load_data ("a\n%\nb\n%\nc\n%\nd\n%\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  guint counts[4] = { 0 };
  const guint draws = 40000;

  for (guint i = 0; i < draws; i++)
    {
      gint64 index = ql_quote_book_pick_random (book, rand);

      ck_assert_int_ge (index, 0);
      ck_assert_int_lt (index, 4);
      counts[index]++;
    }
  /* Each quote expects 10,000 draws; 600 is over six standard deviations. */
  for (guint i = 0; i < 4; i++)
    ck_assert_msg (counts[i] > 9400 && counts[i] < 10600, "quote %u drawn %u times", i, counts[i]);

  for (guint i = 0; i < 100; i++)
    {
      gint64 index = ql_quote_book_pick_random (book, NULL);

      ck_assert (index >= 0 && index < 4);
    }
}
END_TEST

START_TEST (test_pick_random_weighted_by_file)
{
  g_autoptr(TestDir) dir = test_dir_new ();
  g_autoptr(QlQuoteBook) book = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint from_big = 0;

  test_dir_put (dir, "big", "b1\n%\nb2\n%\nb3\n%\n", -1);
  test_dir_put (dir, "small", "s1\n%\n", -1);
  book = load_file (dir->path);

  ck_assert_uint_eq (n_quotes (book), 4);
  for (guint i = 0; i < 40000; i++)
    if (g_str_has_prefix (ql_quote_book_lookup (book, ql_quote_book_pick_random (book, rand)), "b"))
      from_big++;
  /* Three entries out of four: three quarters of the draws. */
  ck_assert_msg (from_big > 29400 && from_big < 30600, "%u draws from the big file", from_big);
}
END_TEST

static void
assert_matches (GArray       *matches,
                const gint64 *expected,
                guint         n_expected)
{
  ck_assert_ptr_nonnull (matches);
  ck_assert_uint_eq (matches->len, n_expected);
  for (guint i = 0; i < n_expected; i++)
    ck_assert_int_eq (g_array_index (matches, gint64, i), expected[i]);
}

START_TEST (test_search)
{
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_default ();
  g_autoptr(GArray) black = ql_quote_book_search (book, "^Black", NULL);
  g_autoptr(GArray) man = ql_quote_book_search (book, "\\bman\\b", NULL);
  g_autoptr(GArray) none = ql_quote_book_search (book, "zebra", NULL);
  g_autoptr(GArray) all = ql_quote_book_search (book, "", NULL);
  g_autoptr(GArray) case_sensitive = ql_quote_book_search (book, "black", NULL);
  const gint64 black_expected[] = { 3 };
  const gint64 man_expected[] = { 0, 2 };
  const gint64 all_expected[] = { 0, 1, 2, 3, 4 };

  assert_matches (black, black_expected, G_N_ELEMENTS (black_expected));
  assert_matches (man, man_expected, G_N_ELEMENTS (man_expected));
  assert_matches (none, NULL, 0);
  assert_matches (all, all_expected, G_N_ELEMENTS (all_expected));
  assert_matches (case_sensitive, NULL, 0);
}
END_TEST

START_TEST (test_search_multiline)
{
  g_autoptr(QlQuoteBook) book = load_data ("one\n  -- Author\n%\ntwo\n%\n");
  g_autoptr(GArray) author = ql_quote_book_search (book, "^  -- Au", NULL);
  const gint64 expected[] = { 0 };

  assert_matches (author, expected, G_N_ELEMENTS (expected));
}
END_TEST

START_TEST (test_search_bad_pattern)
{
  g_autoptr(QlQuoteBook) book = ql_quote_book_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) utf8_error = NULL;

  ck_assert_ptr_null (ql_quote_book_search (book, "(unclosed", &error));
  ck_assert (g_error_matches (error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_PATTERN));
  ck_assert (g_str_has_prefix (error->message, "Incorrect search pattern: "));

  ck_assert_ptr_null (ql_quote_book_search (book, "\xff", &utf8_error));
  ck_assert (g_error_matches (utf8_error, QL_QUOTE_ERROR, QL_QUOTE_ERROR_INVALID_PATTERN));
}
END_TEST

/* Reads the number of entries from a real strfile index. */
static guint32
strfile_count (const char *dat_path)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  guint32 count;

  ck_assert (g_file_get_contents (dat_path, &data, &length, NULL));
  ck_assert_uint_ge (length, 24);
  memcpy (&count, data + 4, sizeof count);

  return GUINT32_FROM_BE (count);
}

/* Debian's fortunes-min and fortunes-zh, installed by tools/install-deps:
 * every file gives exactly the entries its strfile index counts. */
START_TEST (test_system_fortunes)
{
  const char * const min_files[] = { "fortunes", "literature", "riddles" };
  const char * const zh_files[] = { "chinese", "song100", "tang300" };
  g_autoptr(QlQuoteBook) all = NULL;
  guint total = 0;
  guint min_total = 0;

  ck_assert_msg (g_file_test (SYSTEM_FORTUNES, G_FILE_TEST_IS_DIR),
                 "%s is missing: run tools/install-deps", SYSTEM_FORTUNES);

  for (guint i = 0; i < G_N_ELEMENTS (min_files); i++)
    {
      g_autofree char *path = g_build_filename (SYSTEM_FORTUNES, min_files[i], NULL);
      g_autofree char *dat = g_strconcat (path, ".dat", NULL);
      g_autoptr(QlQuoteBook) book = load_file (path);

      ck_assert_uint_eq (n_quotes (book), strfile_count (dat));
      min_total += n_quotes (book);
    }
  ck_assert_uint_eq (min_total, 821);
  total += min_total;

  for (guint i = 0; i < G_N_ELEMENTS (zh_files); i++)
    {
      g_autofree char *path = g_build_filename (SYSTEM_FORTUNES, zh_files[i], NULL);
      g_autofree char *dat = g_strconcat (path, ".dat", NULL);
      g_autoptr(QlQuoteBook) book = load_file (path);
      gboolean has_chinese = FALSE;

      ck_assert_uint_eq (n_quotes (book), strfile_count (dat));
      for (guint j = 0; j < n_quotes (book); j++)
        {
          const char *text = ql_quote_book_lookup (book, j);

          ck_assert_msg (is_printable (text), "%s entry %u: %s", zh_files[i], j, text);
          for (const char *p = text; *p != '\0' && !has_chinese; p = g_utf8_next_char (p))
            has_chinese = g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN;
        }
      ck_assert (has_chinese);
      total += n_quotes (book);
    }
  ck_assert_uint_gt (total - min_total, 5000);

  /* The directory: every file once, although each has a .u8 link and a .dat. */
  all = load_file (SYSTEM_FORTUNES);
  ck_assert_uint_eq (n_quotes (all), total);
}
END_TEST

static Suite *
quote_book_suite (void)
{
  Suite *suite = suite_create ("QlQuoteBook");
  const struct { const char *name; const TTest *test; } cases[] = {
    { "default quotes", test_default_quotes },
    { "list model", test_list_model },
    { "lookup out of range", test_lookup_out_of_range },
    { "parse index", test_parse_index_valid },
    { "parse index errors", test_parse_index_invalid },
    { "parse index invalid UTF-8", test_parse_index_invalid_utf8 },
    { "plain file", test_plain_file },
    { "fortune file", test_fortune_file },
    { "fortune without final separator", test_fortune_without_final_separator },
    { "directory", test_directory },
    { "directory without fortunes", test_directory_without_fortunes },
    { "strfile index refused", test_strfile_index_refused },
    { "binary refused", test_binary_refused },
    { "invalid UTF-8 refused", test_invalid_utf8_refused },
    { "empty refused", test_empty_refused },
    { "missing file", test_missing_file },
    { "unreadable file", test_unreadable_file },
    { "escape sequences stripped", test_escape_sequences_stripped },
    { "byte order mark", test_byte_order_mark },
    { "many quotes load fast", test_many_quotes_load_fast },
    { "pick random uniform", test_pick_random_uniform },
    { "pick random weighted by file", test_pick_random_weighted_by_file },
    { "search", test_search },
    { "search multiline", test_search_multiline },
    { "search bad pattern", test_search_bad_pattern },
    { "system fortunes", test_system_fortunes },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_test (tcase, cases[i].test);
      tcase_set_timeout (tcase, 60);
      suite_add_tcase (suite, tcase);
    }

  return suite;
}

int
main (void)
{
  return ql_test_run (quote_book_suite (), NULL);
}
