/* test-accessible.c: what a screen reader hears, read from the
 * accessibility bus as a screen reader reads it
 *
 * GTK 4.8 has no call that reads back a widget's accessible name, so the
 * test asks AT-SPI: a thread walks the window's accessible tree over its
 * own connection to the accessibility bus while the main thread runs the
 * main loop that answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-accessible"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ql-ledger-events.h"
#include "ql-test-gtk.h"
#include "ql-test-model.h"

#define ATSPI_ACCESSIBLE "org.a11y.atspi.Accessible"
#define ATSPI_ROOT "/org/a11y/atspi/accessible/root"
#define CALL_TIMEOUT_MS 5000

static QlTestApp *test_app;

typedef struct
{
  GPtrArray *nodes;   /* "role\tname\tparent" of every accessible */
  char      *error;
  gboolean   done;
} Walk;

static void
setup (void)
{
  test_app = ql_test_app_new (FALSE);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
}

static GVariant *
call (GDBusConnection *bus,
      const char      *name,
      const char      *path,
      const char      *interface,
      const char      *method,
      GVariant        *parameters,
      const char      *reply_type,
      GError         **error)
{
  return g_dbus_connection_call_sync (bus, name, path, interface, method, parameters,
                                      G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE,
                                      CALL_TIMEOUT_MS, NULL, error);
}

static char *
accessible_name (GDBusConnection *bus,
                 const char      *name,
                 const char      *path,
                 GError         **error)
{
  g_autoptr(GVariant) reply = call (bus, name, path, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", ATSPI_ACCESSIBLE, "Name"), "(v)", error);
  g_autoptr(GVariant) value = NULL;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  return g_variant_dup_string (value, NULL);
}

static gboolean
walk_node (GDBusConnection *bus,
           const char      *name,
           const char      *path,
           const char      *parent,
           GPtrArray       *nodes,
           guint            depth,
           GError         **error)
{
  g_autofree char *self_entry = NULL;
  g_autoptr(GVariant) role = NULL;
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autofree char *label = NULL;
  const char *role_name;
  const char *child_name;
  const char *child_path;

  /* A bound on the depth, in case a tree ever loops. */
  if (depth > 64)
    return TRUE;

  role = call (bus, name, path, ATSPI_ACCESSIBLE, "GetRoleName", NULL, "(s)", error);
  label = role != NULL ? accessible_name (bus, name, path, error) : NULL;
  if (label == NULL)
    return FALSE;
  g_variant_get (role, "(&s)", &role_name);
  self_entry = g_strdup_printf ("%s “%s”", role_name, label);
  /* Screen readers pass over the spaces around a name. */
  g_strstrip (label);
  g_ptr_array_add (nodes, g_strdup_printf ("%s\t%s\t%s", role_name, label, parent));

  children = call (bus, name, path, ATSPI_ACCESSIBLE, "GetChildren", NULL, "(a(so))", error);
  if (children == NULL)
    return FALSE;
  g_variant_get (children, "(a(so))", &iter);
  while (g_variant_iter_loop (iter, "(&s&o)", &child_name, &child_path))
    if (!walk_node (bus, child_name, child_path, self_entry, nodes, depth + 1, error))
      return FALSE;

  return TRUE;
}

/* The registry lists every application on the bus; ours is the one whose
 * connection belongs to this process. */
static char *
find_own_application (GDBusConnection *bus,
                      GError         **error)
{
  g_autoptr(GVariant) apps = call (bus, "org.a11y.atspi.Registry", ATSPI_ROOT, ATSPI_ACCESSIBLE,
                                   "GetChildren", NULL, "(a(so))", error);
  g_autoptr(GVariantIter) iter = NULL;
  const char *name;
  const char *path;

  if (apps == NULL)
    return NULL;

  g_variant_get (apps, "(a(so))", &iter);
  while (g_variant_iter_loop (iter, "(&s&o)", &name, &path))
    {
      g_autoptr(GVariant) pid = call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                      g_variant_new ("(s)", name), "(u)", NULL);
      guint32 value = 0;

      if (pid == NULL)
        continue;
      g_variant_get (pid, "(u)", &value);
      if (value == (guint32) getpid ())
        return g_strdup (name);
    }

  return NULL;
}

static gpointer
walk_thread (gpointer data)
{
  Walk *walk = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GDBusConnection) a11y = NULL;
  g_autoptr(GVariant) address = NULL;
  g_autofree char *app = NULL;
  const char *text;

  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (session != NULL)
    address = call (session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress",
                    NULL, "(s)", &error);
  if (address != NULL)
    {
      g_variant_get (address, "(&s)", &text);
      a11y = g_dbus_connection_new_for_address_sync (text,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
    }

  /* GTK registers with the registry shortly after it starts. */
  for (guint i = 0; a11y != NULL && app == NULL && error == NULL && i < 50; i++)
    {
      app = find_own_application (a11y, &error);
      if (app == NULL)
        g_usleep (100000);
    }

  if (app != NULL)
    walk_node (a11y, app, ATSPI_ROOT, "", walk->nodes, 0, &error);
  else if (error == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "the application is not on the accessibility bus");

  if (error != NULL)
    walk->error = g_strdup (error->message);
  g_atomic_int_set (&walk->done, TRUE);
  return NULL;
}

static GPtrArray *
read_accessible_tree (void)
{
  Walk walk = { g_ptr_array_new_with_free_func (g_free), NULL, FALSE };
  GThread *thread = g_thread_new ("accessible-walk", walk_thread, &walk);

  QL_TEST_WAIT_FOR (g_atomic_int_get (&walk.done), 30000);
  g_thread_join (thread);
  ck_assert_msg (walk.error == NULL, "%s", walk.error);

  return walk.nodes;
}

/* The roles a screen reader announces by name: each needs one. */
static gboolean
needs_name (const char *role)
{
  static const char * const roles[] = {
    "push button", "toggle button", "check box", "radio button", "combo box",
    "entry", "text", "password text", "slider", "spin button", "list item",
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (role, roles[i]))
      return TRUE;
  return FALSE;
}

/* Containers (“widget”, “group”, “panel”, “filler”), scroll bars and
 * libadwaita's own view switcher (“tab list”) are passed over; so are
 * labels, which a screen reader reads by their text. */
static gboolean
is_announced (const char *role)
{
  static const char * const roles[] = {
    "push button", "toggle button", "button", "check box", "radio button", "combo box",
    "entry", "text", "password text", "slider", "spin button", "list item", "list",
    "tree grid", "table", "row", "column header", "search box", "image", "menu item",
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (role, roles[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_type_name (const char *name)
{
  return (g_str_has_prefix (name, "Gtk") || g_str_has_prefix (name, "Adw") ||
          g_str_has_prefix (name, "Ql")) && strchr (name, ' ') == NULL;
}

/* A mnemonic's underscore is for the keyboard, never for the ear. */
static gboolean
has_mnemonic (const char *name)
{
  for (const char *p = strchr (name, '_'); p != NULL; p = strchr (p + 1, '_'))
    if (g_unichar_isalnum (g_utf8_get_char (p + 1)))
      return TRUE;
  return FALSE;
}

/* Every problem at once, so that one run tells them all. */
static void
check_tree (GPtrArray *nodes)
{
  g_autoptr(GString) problems = g_string_new (NULL);

  ck_assert_uint_gt (nodes->len, 20);

  for (guint i = 0; i < nodes->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (nodes, i), "\t", 3);
      const char *role = parts[0];
      const char *name = parts[1];

      /* An icon inside a named button is read as the button, and so is
       * one inside libadwaita's view switcher, which names its buttons by
       * the pages' titles. */
      if (!is_announced (role) ||
          (g_str_equal (role, "image") &&
           ((strstr (parts[2], "button “") != NULL && strstr (parts[2], "button “Gtk") == NULL) ||
            g_str_has_prefix (parts[2], "widget “Adw"))))
        continue;

      if (is_type_name (name) || has_mnemonic (name))
        g_string_append_printf (problems, "\n  a %s is called “%s”, in a %s", role, name, parts[2]);
      else if (needs_name (role) && *name == '\0')
        g_string_append_printf (problems, "\n  a %s has no name, in a %s", role, parts[2]);
    }

  if (problems->len > 0)
    g_printerr ("Accessible tree:%s\n", problems->str);
  ck_assert_msg (problems->len == 0, "the accessible tree has problems, listed above");
}

/* Whether an accessible whose role ends in @role (“button” matches a push
 * button and a toggle button too) is called @name. */
static gboolean
tree_has (GPtrArray  *nodes,
          const char *role,
          const char *name)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (nodes, i), "\t", 3);

      if (g_str_has_suffix (parts[0], role) && g_str_equal (parts[1], name))
        return TRUE;
    }
  return FALSE;
}

/* Whether an accessible of @role has a name with @part in it. */
static gboolean
tree_has_part (GPtrArray  *nodes,
               const char *role,
               const char *part)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (nodes, i), "\t", 3);

      if (g_str_has_suffix (parts[0], role) && strstr (parts[1], part) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Every control of both pages has a name a person would say, and every
 * ledger in the list is read by its name and kind. */
START_TEST (test_every_control_named)
{
  GtkWidget *page = GTK_WIDGET (ql_window_get_ledgers_page (test_app->window));
  g_autoptr(GPtrArray) quotes = NULL;
  g_autoptr(GPtrArray) ledgers = NULL;
  g_autoptr(GPtrArray) searching = NULL;
  g_autoptr(GDateTime) june = NULL;
  g_autofree char *dated = NULL;
  g_autoptr(GPtrArray) charting = NULL;
  g_autofree char *day = NULL;
  g_autofree char *summary = NULL;

  quotes = read_accessible_tree ();
  check_tree (quotes);
  ck_assert (tree_has (quotes, "button", "Main Menu"));
  ck_assert (tree_has (quotes, "button", "Show"));
  ck_assert (tree_has (quotes, "button", "Random Quote"));

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash", "EUR", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_record_change (test_app->ledger_book, "Cash",
                                                               QL_EVENT_DEPOSITED, "5",
                                                               &(QlChangeNote) { "2026-06-30", "Bakery", "Bread" },
                                                               NULL)));
  ql_window_show_page (test_app->window, "ledgers");
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (100);

  ledgers = read_accessible_tree ();
  check_tree (ledgers);
  ck_assert (tree_has (ledgers, "button", "Deposit"));
  ck_assert (tree_has (ledgers, "button", "Withdraw"));
  ck_assert (tree_has (ledgers, "button", "New Ledger"));
  ck_assert (tree_has (ledgers, "button", "Undo the Last Change"));
  ck_assert (tree_has (ledgers, "list item", "Cash, Bank account in EUR"));
  ck_assert (tree_has (ledgers, "column header", "Balance"));
  ck_assert (tree_has (ledgers, "tree grid", "History"));
  ck_assert (tree_has (ledgers, "button", "Search the History"));
  ck_assert (tree_has (ledgers, "button", "Transfer to Another Ledger…"));
  ck_assert (tree_has (ledgers, "button", "Correct the Selected Change…"));
  ck_assert (tree_has (ledgers, "button", "Balance on a Day…"));
  ck_assert (tree_has (ledgers, "", "Payee"));
  ck_assert (tree_has (ledgers, "", "Memo"));
  ck_assert (tree_has (ledgers, "column header", "Date"));
  ck_assert (tree_has (ledgers, "column header", "Payee"));
  /* A row is read with its day, payee and memo. */
  june = g_date_time_new_local (2026, 6, 30, 12, 0, 0);
  dated = g_date_time_format (june, ", dated %x, recorded ");
  ck_assert (tree_has_part (ledgers, "row", dated));
  ck_assert (tree_has_part (ledgers, "row", ": Deposit +5.00 EUR, balance 5.00 EUR, payee Bakery, memo Bread"));

  /* The history's search bar, open, names its every entry. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ql_test_find_widget (page, "history_search_button")), TRUE);
  ql_test_spin (300);
  searching = read_accessible_tree ();
  check_tree (searching);
  ck_assert (tree_has (searching, "", "Search payee or memo"));
  ck_assert (tree_has (searching, "", "Smallest amount"));
  ck_assert (tree_has (searching, "", "Largest amount"));
  ck_assert (tree_has (searching, "", "First day"));
  ck_assert (tree_has (searching, "", "Last day"));

  /* The chart is read as an image that says what it shows. */
  gtk_stack_set_visible_child_name (GTK_STACK (ql_test_find_widget (page, "section_stack")), "chart");
  ql_test_spin (300);
  charting = read_accessible_tree ();
  check_tree (charting);
  day = g_date_time_format (june, "%x");
  summary = g_strdup_printf ("Balance chart from %s to %s, lowest 0.00 EUR, highest 5.00 EUR",
                             day, day);
  ck_assert (tree_has (charting, "image", summary));
  ck_assert (tree_has (charting, "", "Monthly Totals"));
}
END_TEST

static Suite *
accessible_suite (void)
{
  Suite *suite = suite_create ("Accessible tree");
  TCase *tcase = tcase_create ("every-control-named");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 90);
  tcase_add_test (tcase, test_every_control_named);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  /* This test reads what GTK puts on the accessibility bus. */
  g_setenv ("GTK_A11Y", "atspi", TRUE);

  return ql_test_run_suite (accessible_suite ());
}
