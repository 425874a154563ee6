/* test-balance-chart.c: the balance chart and the monthly totals on the
 * Ledgers page, against the read models and against the events themselves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-balance-chart"

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-balance-chart.h"
#include "ql-dates.h"
#include "ql-ledger-events.h"
#include "ql-test-gtk.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"

static QlTestApp *test_app;
static GtkWidget *page;

static void
setup (void)
{
  test_app = ql_test_app_new (TRUE);
  page = ql_test_app_show_ledgers (test_app);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  page = NULL;
}

static QlBalanceChart *
chart (void)
{
  return QL_BALANCE_CHART (ql_test_find_widget (page, "balance_chart"));
}

static void
record (const char *name,
        const char *type,
        const char *amount,
        const char *date)
{
  QlChangeNote note = { date, NULL, NULL };
  g_autoptr(GError) error = NULL;

  ck_assert_msg (ql_test_drop_event (ql_ledger_book_record_change (test_app->ledger_book, name,
                                                                   type, amount, &note, &error)),
                 "%s", error != NULL ? error->message : "");
}

/* The chart's page beside the history, as its switcher shows it. */
static void
show_chart (void)
{
  gtk_stack_set_visible_child_name (GTK_STACK (ql_test_find_widget (page, "section_stack")),
                                    "chart");
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (ql_test_find_widget (page, "balance_chart")), 2000);
  QL_TEST_WAIT_FOR (gtk_widget_get_width (ql_test_find_widget (page, "balance_chart")) >= 160, 2000);
}

/* Cash: five dated changes over three months, one written out of order
 * and two on one day. */
static void
make_cash (void)
{
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash",
                                                              "EUR", NULL)));
  record ("Cash", QL_EVENT_DEPOSITED, "100", "2026-01-10");
  record ("Cash", QL_EVENT_DEPOSITED, "50", "2026-01-20");
  record ("Cash", QL_EVENT_WITHDRAWN, "30", "2026-02-03");
  record ("Cash", QL_EVENT_DEPOSITED, "7.25", "2026-01-15");
  record ("Cash", QL_EVENT_DEPOSITED, "12", "2026-03-01");
  record ("Cash", QL_EVENT_WITHDRAWN, "2", "2026-03-01");
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (50);
  show_chart ();
}

static guint32
julian (int year,
        int month,
        int day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return g_date_get_julian (&date);
}

static gint
compare_days (gconstpointer a,
              gconstpointer b)
{
  const QlDailyBalance *x = a, *y = b;

  return x->day < y->day ? -1 : x->day > y->day;
}

/* The ledger's days folded from its events, not from any read model. */
static GArray *
fold_events (const char *name)
{
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (test_app->ledger_book, name, NULL);
  g_autoptr(GHashTable) by_day = g_hash_table_new (NULL, NULL);
  GArray *days = g_array_new (FALSE, TRUE, sizeof (QlDailyBalance));
  gint64 balance = 0;

  ck_assert_ptr_nonnull (events);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 amount = ql_event_get_signed_amount (event);
      gpointer index;
      GDate date;

      if (amount == 0)
        continue;
      ql_event_get_date (event, &date);
      if (!g_hash_table_lookup_extended (by_day, GUINT_TO_POINTER (g_date_get_julian (&date)),
                                         NULL, &index))
        {
          QlDailyBalance day = { .day = g_date_get_julian (&date) };

          g_array_append_val (days, day);
          index = GUINT_TO_POINTER (days->len);
          g_hash_table_insert (by_day, GUINT_TO_POINTER (day.day), index);
        }
      g_array_index (days, QlDailyBalance, GPOINTER_TO_UINT (index) - 1).change += amount;
      g_array_index (days, QlDailyBalance, GPOINTER_TO_UINT (index) - 1).n_changes++;
    }
  g_array_sort (days, compare_days);
  for (guint i = 0; i < days->len; i++)
    {
      balance += g_array_index (days, QlDailyBalance, i).change;
      g_array_index (days, QlDailyBalance, i).balance = balance;
    }
  return days;
}

static void
assert_chart_shows (const QlDailyBalance *expected,
                    guint                 n_expected,
                    gint64                expected_opening)
{
  const QlDailyBalance *shown;
  guint n_shown;
  gint64 opening;

  shown = ql_balance_chart_get_balances (chart (), &n_shown, &opening);
  ck_assert_uint_eq (n_shown, n_expected);
  ck_assert_int_eq (opening, expected_opening);
  for (guint i = 0; i < n_expected; i++)
    {
      ck_assert_uint_eq (shown[i].day, expected[i].day);
      ck_assert_int_eq (shown[i].balance, expected[i].balance);
      ck_assert_int_eq (shown[i].change, expected[i].change);
      ck_assert_int_eq (shown[i].n_changes, expected[i].n_changes);
    }
}

/* What the window's read store holds: on a file that can be written the
 * runner's read models are kept in the event store itself. */
static QlReadModelStore *
read_store (void)
{
  QlEventStore *store = ql_ledger_book_get_store (test_app->ledger_book);

  ck_assert (QL_IS_READ_MODEL_STORE (store));
  ck_assert (!ql_event_store_is_read_only (store));
  return QL_READ_MODEL_STORE (store);
}

static void
assert_chart_is_read_model (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) days = NULL;
  g_autoptr(GArray) folded = fold_events (name);
  gint64 opening = -1;

  days = ql_daily_balance_read (read_store (), name, NULL, NULL, &opening, &error);
  ck_assert_msg (days != NULL, "%s", error != NULL ? error->message : "");
  assert_chart_shows ((const QlDailyBalance *) (gpointer) days->data, days->len, opening);
  assert_chart_shows ((const QlDailyBalance *) (gpointer) folded->data, folded->len, 0);
}

START_TEST (test_chart_shows_the_daily_read_model)
{
  const QlDailyBalance *shown;
  guint n;

  make_cash ();
  assert_chart_is_read_model ("Cash");

  /* By hand: the out-of-order deposit counts on its own day. */
  shown = ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 5);
  ck_assert_uint_eq (shown[1].day, julian (2026, 1, 15));
  ck_assert_int_eq (shown[1].balance, 10725);
  ck_assert_uint_eq (shown[4].day, julian (2026, 3, 1));
  ck_assert_int_eq (shown[4].change, 1000);
  ck_assert_int_eq (shown[4].n_changes, 2);
  ck_assert_int_eq (shown[4].balance, 13725);
}
END_TEST

static gboolean
daily_model_built (void)
{
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  gint64 version, position;

  ck_assert_msg (ql_read_model_store_get_state (read_store (), "daily_balance", QL_READ_SLOT_LIVE,
                                                &found, &version, &position, &error),
                 "%s", error != NULL ? error->message : "");
  return found;
}

/* A window on the history counts nothing: the read models are built
 * when the Chart tab is first shown, so a large log never holds up the
 * first frame; once built they follow every change, and a change made
 * while the history is in front is on the chart when it comes back. */
START_TEST (test_read_models_wait_for_the_chart)
{
  GtkStack *sections = GTK_STACK (ql_test_find_widget (page, "section_stack"));
  guint n;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash",
                                                              "EUR", NULL)));
  record ("Cash", QL_EVENT_DEPOSITED, "100", "2026-01-10");
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (50);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (sections), "history");
  ck_assert (!ql_ledgers_page_get_chart_shown (QL_LEDGERS_PAGE (page)));
  ck_assert (!daily_model_built ());

  show_chart ();
  ck_assert (ql_ledgers_page_get_chart_shown (QL_LEDGERS_PAGE (page)));
  ck_assert (daily_model_built ());
  assert_chart_is_read_model ("Cash");

  gtk_stack_set_visible_child_name (sections, "history");
  record ("Cash", QL_EVENT_DEPOSITED, "5", "2026-01-11");
  ql_test_spin (20);
  show_chart ();
  ql_test_spin (20);
  assert_chart_is_read_model ("Cash");
  ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 2);
}
END_TEST

/* A deposit made in the window reaches the chart through the runner
 * that follows the book, and so does one another writer makes. */
START_TEST (test_chart_follows_live_changes)
{
  const QlDailyBalance *shown;
  GDate today;
  guint n;

  make_cash ();
  ql_test_set_text (page, "amount_entry", "20");
  ql_test_activate (page, "plus_button");
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 15725);

  g_date_clear (&today, 1);
  ql_date_set_today (&today);
  shown = ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 6);
  ck_assert_uint_eq (shown[5].day, g_date_get_julian (&today));
  ck_assert_int_eq (shown[5].balance, 15725);
  assert_chart_is_read_model ("Cash");

  /* A change the page did not make, recorded by the book. */
  record ("Cash", QL_EVENT_WITHDRAWN, "5", "2026-02-10");
  ql_test_spin (20);
  assert_chart_is_read_model ("Cash");
  shown = ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 7);
  ck_assert_int_eq (shown[6].balance, 15225);
}
END_TEST

/* The slider's older versions dim the chart after their change's day. */
START_TEST (test_chart_follows_time_travel)
{
  GtkRange *scale = GTK_RANGE (ql_test_find_widget (page, "version_scale"));

  make_cash ();
  ck_assert_uint_eq (ql_balance_chart_get_shown_until (chart ()), 0);

  /* Only the account was open: all of it lies ahead. */
  gtk_range_set_value (scale, 1);
  ql_test_spin (20);
  ck_assert_uint_gt (ql_balance_chart_get_shown_until (chart ()), 0);
  ck_assert_uint_lt (ql_balance_chart_get_shown_until (chart ()), julian (2026, 1, 10));

  gtk_range_set_value (scale, 3);
  ql_test_spin (20);
  ck_assert_uint_eq (ql_balance_chart_get_shown_until (chart ()), julian (2026, 1, 20));

  gtk_range_set_value (scale, 5);
  ql_test_spin (20);
  ck_assert_uint_eq (ql_balance_chart_get_shown_until (chart ()), julian (2026, 1, 15));

  gtk_range_set_value (scale, 7);
  ql_test_spin (20);
  ck_assert_uint_eq (ql_balance_chart_get_shown_until (chart ()), 0);
}
END_TEST

static GtkEventController *
motion_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        return controller;
    }
  ck_abort_msg ("nothing follows the pointer there");
  return NULL;
}

static char *
local_day (int year,
           int month,
           int day)
{
  g_autoptr(GDateTime) time = g_date_time_new_local (year, month, day, 12, 0, 0);

  return g_date_time_format (time, "%x");
}

START_TEST (test_hover_tells_day_and_balance)
{
  GtkEventController *motion;
  g_autofree char *february = local_day (2026, 2, 10);
  g_autofree char *expected = NULL;
  g_autofree char *march = local_day (2026, 3, 1);
  g_autofree char *last = NULL;
  double x, y;

  make_cash ();
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (chart ())), 2000);
  motion = motion_controller (GTK_WIDGET (chart ()));
  ck_assert_ptr_null (ql_balance_chart_get_hover_text (chart ()));

  /* A day without changes has the balance of the last day before it. */
  ck_assert (ql_balance_chart_get_point_at (chart (), julian (2026, 2, 10), &x, &y));
  g_signal_emit_by_name (motion, "motion", x, y);
  expected = g_strdup_printf ("%s: 127.25 EUR", february);
  ck_assert_str_eq (ql_balance_chart_get_hover_text (chart ()), expected);

  ck_assert (ql_balance_chart_get_point_at (chart (), julian (2026, 3, 1), &x, &y));
  g_signal_emit_by_name (motion, "motion", x, y);
  last = g_strdup_printf ("%s: 137.25 EUR", march);
  ck_assert_str_eq (ql_balance_chart_get_hover_text (chart ()), last);

  g_signal_emit_by_name (motion, "leave");
  ck_assert_ptr_null (ql_balance_chart_get_hover_text (chart ()));
}
END_TEST

START_TEST (test_summary_names_days_and_extremes)
{
  g_autofree char *first = local_day (2026, 1, 10);
  g_autofree char *last = local_day (2026, 3, 1);
  g_autofree char *expected = NULL;

  make_cash ();
  expected = g_strdup_printf ("Balance chart from %s to %s, lowest 0.00 EUR, highest 157.25 EUR",
                              first, last);
  ck_assert_str_eq (ql_balance_chart_get_summary (chart ()), expected);
}
END_TEST

/* The chart as the window's renderer paints it. */
static GdkTexture *
render_chart (void)
{
  GtkWidget *widget = GTK_WIDGET (chart ());
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gdk_paintable_get_intrinsic_width (paintable);
  int height = gdk_paintable_get_intrinsic_height (paintable);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  ck_assert_ptr_nonnull (node);
  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
}

/* How many of the texture's pixels are @color, to a rounding step. */
static guint
count_pixels (GdkTexture    *texture,
              const GdkRGBA *color)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  int want[3] = { (int) (color->red * 255 + 0.5), (int) (color->green * 255 + 0.5),
                  (int) (color->blue * 255 + 0.5) };
  guint n = 0;

  /* Premultiplied B, G, R, A on little-endian machines. */
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (int i = 0; i < width * height; i++)
    {
      const guchar *p = pixels + (gsize) i * 4;

      if (p[3] == 255 && ABS (p[2] - want[0]) <= 2 && ABS (p[1] - want[1]) <= 2 &&
          ABS (p[0] - want[2]) <= 2)
        n++;
    }
  return n;
}

static void
line_color (GdkRGBA *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (chart ())), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

START_TEST (test_dark_scheme_recolours_the_line)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autoptr(GdkTexture) light = NULL;
  g_autoptr(GdkTexture) dark = NULL;
  GdkRGBA light_line, dark_line;

  make_cash ();
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (chart ())), 2000);
  line_color (&light_line);
  light = render_chart ();
  /* The line is drawn, in its CSS colour: one pixel row of it at least. */
  ck_assert_uint_gt (count_pixels (light, &light_line), 100);

  g_action_group_activate_action (G_ACTION_GROUP (test_app->app), "color-scheme",
                                  g_variant_new_string ("dark"));
  QL_TEST_WAIT_FOR (adw_style_manager_get_dark (style_manager), 2000);
  ql_test_spin (50);
  line_color (&dark_line);
  ck_assert (!gdk_rgba_equal (&light_line, &dark_line));
  dark = render_chart ();
  ck_assert_uint_gt (count_pixels (dark, &dark_line), 100);
  ck_assert_uint_eq (count_pixels (dark, &light_line), 0);
}
END_TEST

/* A skin of the user's that names the chart's node draws the line in
 * its colour, at once. */
START_TEST (test_skin_restyles_the_line)
{
  g_autofree char *dir = g_build_filename (ql_test_user_data_dir (), "quote-ledger", "skins", NULL);
  g_autofree char *path = g_build_filename (dir, "chart-red.css", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  GdkRGBA red = { 0.8f, 0.0f, 0.0f, 1.0f };
  GdkRGBA shown;

  make_cash ();
  before = render_chart ();
  ck_assert_uint_eq (count_pixels (before, &red), 0);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0700), 0);
  ck_assert_msg (g_file_set_contents (path, "balancechart { color: #cc0000; }\n", -1, &error),
                 "%s", error != NULL ? error->message : "");
  g_action_group_activate_action (G_ACTION_GROUP (test_app->app), "skin",
                                  g_variant_new_string ("chart-red"));
  ql_test_spin (50);
  line_color (&shown);
  ck_assert (gdk_rgba_equal (&shown, &red));
  after = render_chart ();
  ck_assert_uint_gt (count_pixels (after, &red), 100);
}
END_TEST

static guint
count_color_nodes (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_COLOR_NODE:
      return 1;
    case GSK_CONTAINER_NODE:
      {
        guint n = 0;

        for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
          n += count_color_nodes (gsk_container_node_get_child (node, i));
        return n;
      }
    case GSK_TRANSFORM_NODE:
      return count_color_nodes (gsk_transform_node_get_child (node));
    case GSK_CLIP_NODE:
      return count_color_nodes (gsk_clip_node_get_child (node));
    case GSK_ROUNDED_CLIP_NODE:
      return count_color_nodes (gsk_rounded_clip_node_get_child (node));
    case GSK_OPACITY_NODE:
      return count_color_nodes (gsk_opacity_node_get_child (node));
    case GSK_DEBUG_NODE:
      return count_color_nodes (gsk_debug_node_get_child (node));
    default:
      return 0;
    }
}

/* 100,000 days are drawn as a few hundred rectangles, one run of pixel
 * columns each, and a day far above the others still reaches its
 * height: each column spans its lowest and highest balance. */
START_TEST (test_many_days_drawn_by_pixel_column)
{
  GtkWidget *widget;
  g_autoptr(GArray) days = g_array_new (FALSE, FALSE, sizeof (QlDailyBalance));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  graphene_rect_t bounds;
  GtkSnapshot *snapshot;
  guint32 first = julian (1760, 1, 1);
  guint32 spike = first + 61234;
  GdkRGBA line;
  gint64 balance = 0;
  double x, y;
  int width, height, stride;
  gboolean reached = FALSE;

  make_cash ();
  widget = GTK_WIDGET (chart ());
  for (guint i = 0; i < 100000; i++)
    {
      QlDailyBalance day = { first + i, 0, 0, 1 };

      day.change = first + i == spike ? 50000000 : (i % 3 == 0 ? -40 : 25);
      balance += day.change;
      day.balance = balance;
      if (first + i == spike + 1)
        {
          day.change -= 50000000;
          day.balance = balance -= 50000000;
        }
      g_array_append_val (days, day);
    }
  ql_balance_chart_set_balances (chart (), (const QlDailyBalance *) (gpointer) days->data,
                                 days->len, 0, 2, "EUR");
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);

  /* Drawn now, not from the node of the frame before. */
  snapshot = gtk_snapshot_new ();
  gtk_widget_snapshot_child (gtk_widget_get_parent (widget), widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  ck_assert_ptr_nonnull (node);
  ck_assert_uint_lt (count_color_nodes (node), (guint) width + 100);
  g_clear_pointer (&node, gsk_render_node_unref);
  ql_test_spin (50);
  texture = render_chart ();
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  stride = width * 4;
  pixels = g_malloc ((gsize) stride * height);
  gdk_texture_download (texture, pixels, (gsize) stride);
  line_color (&line);
  /* The texture starts at the card's border, the chart's drawing inside
   * its padding. */
  ck_assert (ql_balance_chart_get_point_at (chart (), spike, &x, &y));
  ck_assert (gtk_widget_compute_bounds (widget, widget, &bounds));
  x -= bounds.origin.x;
  y -= bounds.origin.y;
  for (int row = MAX ((int) y - 1, 0); row <= MIN ((int) y + 2, height - 1); row++)
    {
      const guchar *p = pixels + (gsize) row * stride + (gsize) x * 4;

      reached |= ABS (p[2] - (int) (line.red * 255 + 0.5)) <= 8 &&
                 ABS (p[1] - (int) (line.green * 255 + 0.5)) <= 8 &&
                 ABS (p[0] - (int) (line.blue * 255 + 0.5)) <= 8;
    }
  ck_assert_msg (reached, "the highest day is not drawn at (%g, %g)", x, y);
}
END_TEST

static char *
grid_text (guint column,
           guint row)
{
  GtkWidget *grid = ql_test_find_widget (page, "monthly_grid");
  GtkWidget *cell = gtk_grid_get_child_at (GTK_GRID (grid), (int) column, (int) row);

  return cell != NULL ? g_strdup (gtk_label_get_text (GTK_LABEL (cell))) : NULL;
}

static char *
month_text (guint year,
            guint month)
{
  g_autoptr(GDateTime) time = g_date_time_new_local ((int) year, (int) month, 1, 12, 0, 0);

  return g_date_time_format (time, "%b %Y");
}

/* Every line of the monthly read model is in the grid, in its month's
 * row (newest first) and its kind's column. */
static void
assert_grid_is_read_model (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) totals = ql_monthly_totals_read (read_store (), name, &error);
  guint n_cells = 0;

  ck_assert_msg (totals != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_uint_gt (totals->len, 0);
  for (guint i = 0; i < totals->len; i++)
    {
      QlMonthlyTotal *total = g_ptr_array_index (totals, i);
      QlMonthlyTotal *newest = g_ptr_array_index (totals, totals->len - 1);
      guint row = (newest->year * 12 + newest->month) - (total->year * 12 + total->month) + 1;
      g_autofree char *month = month_text (total->year, total->month);
      g_autofree char *shown_month = grid_text (0, row);
      g_autofree char *amount = ql_amount_format (total->total, 2);
      g_autofree char *expected = g_strconcat (amount, " EUR", NULL);
      gboolean found = FALSE;

      ck_assert_str_eq (shown_month, month);
      for (guint column = 1; !found; column++)
        {
          g_autofree char *heading = grid_text (column, 0);
          g_autofree char *cell = NULL;

          ck_assert_msg (heading != NULL, "no column for %s", total->type);
          if (!g_str_equal (heading, ql_event_type_get_label (total->type)))
            continue;
          cell = grid_text (column, row);
          ck_assert_str_eq (cell, expected);
          found = TRUE;
          n_cells++;
        }
    }
  ck_assert_uint_eq (n_cells, totals->len);
}

START_TEST (test_monthly_totals_show_the_read_model)
{
  g_autofree char *march_deposits = NULL;
  g_autofree char *january_withdrawals = NULL;

  make_cash ();
  assert_grid_is_read_model ("Cash");

  /* By hand: March first, its deposits; no withdrawal in January. */
  march_deposits = grid_text (1, 1);
  ck_assert_str_eq (march_deposits, "12.00 EUR");
  january_withdrawals = grid_text (2, 3);
  ck_assert_ptr_null (january_withdrawals);

  record ("Cash", QL_EVENT_WITHDRAWN, "1", "2026-01-31");
  ql_test_spin (20);
  assert_grid_is_read_model ("Cash");
  january_withdrawals = grid_text (2, 3);
  ck_assert_str_eq (january_withdrawals, "1.00 EUR");
}
END_TEST

/* Another program took the read models' table away: the next change
 * cannot be counted, and the page says so beside the chart, which keeps
 * what it had, while changes still go through. */
START_TEST (test_update_failure_shown_inline)
{
  g_autofree char *db_path = ql_test_app_db_path (test_app);
  GtkWidget *error_label = ql_test_find_widget (page, "chart_error_label");
  sqlite3 *db = NULL;
  guint n;

  make_cash ();
  ck_assert (!gtk_widget_get_visible (error_label));
  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "DROP TABLE read_model_rows", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  record ("Cash", QL_EVENT_DEPOSITED, "1", "2026-03-02");
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 13825);
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_str_ne (ql_test_label_text (page, "chart_error_label"), "");
  ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 5);
}
END_TEST

/* On PostgreSQL the read models live in the database beside the events:
 * the chart shows them and follows a change made in the window. */
START_TEST (test_chart_on_postgresql)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *cluster = ql_test_postgres_start (&error);
  g_autofree char *conninfo = NULL;
  guint n;

  ck_assert_msg (cluster != NULL, "%s", error != NULL ? error->message : "");
  conninfo = ql_test_postgres_database ("chart-on-postgresql");
  test_app = ql_test_app_new_on (conninfo);
  page = ql_test_app_show_ledgers (test_app);
  make_cash ();
  assert_chart_is_read_model ("Cash");
  assert_grid_is_read_model ("Cash");

  ql_test_set_text (page, "amount_entry", "5");
  ql_test_activate (page, "plus_button");
  ql_test_spin (20);
  assert_chart_is_read_model ("Cash");
  ql_balance_chart_get_balances (chart (), &n, NULL);
  ck_assert_uint_eq (n, 6);
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "chart_error_label")));

  g_clear_pointer (&test_app, ql_test_app_free);
  ql_test_postgres_stop (cluster);
}
END_TEST

static Suite *
chart_suite (void)
{
  Suite *suite = suite_create ("Balance chart");
  TCase *tcase = tcase_create ("chart");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_chart_shows_the_daily_read_model);
  tcase_add_test (tcase, test_read_models_wait_for_the_chart);
  tcase_add_test (tcase, test_chart_follows_live_changes);
  tcase_add_test (tcase, test_chart_follows_time_travel);
  tcase_add_test (tcase, test_hover_tells_day_and_balance);
  tcase_add_test (tcase, test_summary_names_days_and_extremes);
  tcase_add_test (tcase, test_dark_scheme_recolours_the_line);
  tcase_add_test (tcase, test_skin_restyles_the_line);
  tcase_add_test (tcase, test_many_days_drawn_by_pixel_column);
  tcase_add_test (tcase, test_monthly_totals_show_the_read_model);
  tcase_add_test (tcase, test_update_failure_shown_inline);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("postgresql");
  tcase_set_timeout (tcase, 90);
  tcase_add_test (tcase, test_chart_on_postgresql);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (chart_suite ());
}
