/* ql-balance-chart.c: a ledger's balance over time, day by day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-balance-chart"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ql-balance-chart.h"
#include "ql-locale-numbers.h"

/**
 * QlBalanceChart:
 *
 * Draws a balance as a step line: flat through each day, a step where the
 * day's changes moved it. It is handed the days of a daily read model and
 * knows nothing else. The line takes the CSS colour of the node
 * `balancechart`, so the colour scheme and skins restyle it; the axes
 * take the window's text colour. However many days there are, each pixel
 * column is drawn once, from the lowest to the highest balance it spans.
 * The days after the one time travel shows are dimmed.
 */

#define LINE_WIDTH 2.0
#define PAD 6.0
#define TICK_GAP 16.0
#define MIN_TICK_SPACING 36.0
#define DIM_ALPHA 0.3

typedef struct
{
  gint64   lo;
  gint64   hi;
  gint64   last;
  gboolean has;
} Column;

typedef struct
{
  double x;
  double y;
  double width;
  double height;
  double y_min;
  double y_max;
  gint64 step;
} Plot;

struct _QlBalanceChart
{
  GtkWidget  parent_instance;

  /* The days with changes, in order, and the balance before the first */
  GArray    *days;
  gint64     opening;
  guint      decimals;
  char      *currency;
  /* The last day time travel shows, or 0 for all of them */
  guint32    shown_until;

  /* Per pixel column, for the width it was made for */
  GArray    *columns;
  int        columns_width;
  gint64     min;
  gint64     max;

  gboolean   hovering;
  double     hover_x;
  guint32    hover_day;
  gint64     hover_balance;
  char      *hover_text;

  char      *summary;
};

G_DEFINE_FINAL_TYPE (QlBalanceChart, ql_balance_chart, GTK_TYPE_WIDGET)

static guint32
first_day (QlBalanceChart *self)
{
  return g_array_index (self->days, QlDailyBalance, 0).day;
}

/* The days drawn run from the first day's start to the last day's end. */
static guint32
span_days (QlBalanceChart *self)
{
  return g_array_index (self->days, QlDailyBalance, self->days->len - 1).day + 1 -
         first_day (self);
}

static double
x_of_day (QlBalanceChart *self,
          const Plot     *plot,
          double          day)
{
  return plot->x + (day - first_day (self)) * plot->width / span_days (self);
}

static double
y_of_balance (const Plot *plot,
              double      balance)
{
  return plot->y + plot->height - (balance - plot->y_min) * plot->height /
                                  (plot->y_max - plot->y_min);
}

static char *
format_balance (QlBalanceChart *self,
                gint64          minor)
{
  return ql_locale_numbers_format_units (minor, self->decimals, self->currency);
}

static gint64
unit_of (QlBalanceChart *self)
{
  gint64 unit = 1;

  for (guint i = 0; i < self->decimals && unit < G_MAXINT64 / 10; i++)
    unit *= 10;
  return unit;
}

/* A tick label: whole units when the ticks fall on them, as people
 * round an axis. */
static char *
format_tick (QlBalanceChart *self,
             gint64          value,
             gint64          step)
{
  gint64 unit = unit_of (self);

  if (step % unit == 0)
    return ql_locale_numbers_format_units (value / unit, 0, self->currency);
  return format_balance (self, value);
}

static char *
format_day (guint32 julian)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  return ql_locale_numbers_format_date (&date);
}

/* The balance at the end of @day: the last day with changes up to it. */
static gint64
balance_on (QlBalanceChart *self,
            guint32         day)
{
  guint lo = 0, hi = self->days->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->days, QlDailyBalance, mid).day <= day)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo == 0 ? self->opening : g_array_index (self->days, QlDailyBalance, lo - 1).balance;
}

/* One span per pixel column, in one pass over the days: a million days
 * cost as much as the pixels they fall on. */
static void
ensure_columns (QlBalanceChart *self,
                int             width)
{
  double scale;
  gint64 carry = self->opening;

  if (self->columns != NULL && self->columns_width == width)
    return;
  g_clear_pointer (&self->columns, g_array_unref);
  self->columns_width = width;
  self->columns = g_array_sized_new (FALSE, TRUE, sizeof (Column), (guint) width);
  g_array_set_size (self->columns, (guint) width);
  scale = (double) width / span_days (self);

  for (guint i = 0; i < self->days->len; i++)
    {
      const QlDailyBalance *day = &g_array_index (self->days, QlDailyBalance, i);
      int c = CLAMP ((int) ((day->day - first_day (self)) * scale), 0, width - 1);
      Column *column = &g_array_index (self->columns, Column, c);

      if (!column->has)
        {
          column->lo = column->hi = day->balance;
          column->has = TRUE;
        }
      column->lo = MIN (column->lo, day->balance);
      column->hi = MAX (column->hi, day->balance);
      column->last = day->balance;
    }

  /* Each column joins the balance it starts from: the line has no gaps. */
  for (int c = 0; c < width; c++)
    {
      Column *column = &g_array_index (self->columns, Column, c);

      if (column->has)
        {
          column->lo = MIN (column->lo, carry);
          column->hi = MAX (column->hi, carry);
          carry = column->last;
        }
      else
        column->lo = column->hi = column->last = carry;
    }
}

static gint64
nice_step (double range,
           int    n_ticks)
{
  double raw = range / MAX (n_ticks, 1);
  double magnitude, fraction, nice;

  if (raw < 1.0)
    return 1;
  magnitude = pow (10.0, floor (log10 (raw)));
  fraction = raw / magnitude;
  nice = fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0;
  return (gint64) MAX (nice * magnitude, 1.0);
}

static PangoLayout *
make_layout (QlBalanceChart *self,
             const char     *text,
             int            *out_width,
             int            *out_height)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  pango_layout_get_pixel_size (layout, out_width, out_height);
  return layout;
}

static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  double         x,
                  double         y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         width,
             double         height)
{
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT ((float) x, (float) y, (float) width,
                                                  (float) height));
}

/* The text colour of the window around, for the axes; a skin that names
 * none leaves them in the line's colour. */
static void
get_colors (QlBalanceChart *self,
            GdkRGBA        *line,
            GdkRGBA        *text,
            GdkRGBA        *card)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, line);
  if (!gtk_style_context_lookup_color (context, "window_fg_color", text))
    *text = *line;
  if (!gtk_style_context_lookup_color (context, "popover_bg_color", card) &&
      !gtk_style_context_lookup_color (context, "window_bg_color", card))
    *card = (GdkRGBA) { 1, 1, 1, 1 };
}

/* The plot's box and its value axis: nice ticks, and room on the left
 * for the widest of their labels. */
static void
lay_out_plot (QlBalanceChart *self,
              int             width,
              int             height,
              int             text_height,
              Plot           *plot)
{
  double plot_height = MAX (height - text_height - 2 * PAD - text_height / 2.0, 1.0);
  int n_ticks = CLAMP ((int) (plot_height / (text_height * 2.2)), 1, 6);
  gint64 min = self->min, max = self->max;
  int widest = 0;

  if (min == max)
    {
      min -= unit_of (self);
      max += unit_of (self);
    }
  plot->step = nice_step ((double) max - (double) min, n_ticks);
  plot->y_min = floor ((double) min / plot->step) * plot->step;
  plot->y_max = ceil ((double) max / plot->step) * plot->step;

  for (double v = plot->y_min; v <= plot->y_max + 0.5; v += plot->step)
    {
      g_autofree char *label = format_tick (self, (gint64) v, plot->step);
      g_autoptr(PangoLayout) layout = NULL;
      int w, h;

      layout = make_layout (self, label, &w, &h);
      widest = MAX (widest, w);
    }

  plot->x = widest + PAD * 2;
  plot->y = PAD + text_height / 2.0;
  plot->width = MAX (width - plot->x - PAD * 2, 1.0);
  plot->height = plot_height;
}

static void
draw_value_axis (QlBalanceChart *self,
                 GtkSnapshot    *snapshot,
                 const Plot     *plot,
                 const GdkRGBA  *text)
{
  GdkRGBA grid = *text;

  grid.alpha *= 0.15f;
  for (double v = plot->y_min; v <= plot->y_max + 0.5; v += plot->step)
    {
      g_autofree char *label = format_tick (self, (gint64) v, plot->step);
      g_autoptr(PangoLayout) layout = NULL;
      double y = round (y_of_balance (plot, v));
      int w, h;

      layout = make_layout (self, label, &w, &h);
      append_rect (snapshot, &grid, plot->x, y, plot->width, 1);
      append_layout_at (snapshot, layout, plot->x - PAD - w, y - h / 2.0, text);
    }
}

typedef enum
{
  TICK_DAYS,
  TICK_MONTHS,
  TICK_YEARS,
} TickUnit;

/* The first tick day at or after @day for a tick every @every @unit. */
static gboolean
next_tick (guint32   day,
           TickUnit  unit,
           guint     every,
           GDate    *out)
{
  g_date_clear (out, 1);
  if (!g_date_valid_julian (day))
    return FALSE;
  g_date_set_julian (out, day);
  switch (unit)
    {
    case TICK_DAYS:
      if (every == 7)
        while (g_date_get_weekday (out) != G_DATE_MONDAY)
          g_date_add_days (out, 1);
      else
        while (g_date_get_julian (out) % every != 0)
          g_date_add_days (out, 1);
      return TRUE;

    case TICK_MONTHS:
      if (g_date_get_day (out) != 1)
        {
          g_date_set_day (out, 1);
          g_date_add_months (out, 1);
        }
      while ((g_date_get_month (out) - 1) % every != 0)
        g_date_add_months (out, 1);
      return TRUE;

    case TICK_YEARS:
    default:
      if (g_date_get_day (out) != 1 || g_date_get_month (out) != G_DATE_JANUARY)
        {
          g_date_set_dmy (out, 1, G_DATE_JANUARY, g_date_get_year (out));
          g_date_add_years (out, 1);
        }
      while (g_date_get_year (out) % every != 0)
        g_date_add_years (out, 1);
      return TRUE;
    }
}

static void
advance_tick (GDate    *date,
              TickUnit  unit,
              guint     every)
{
  if (unit == TICK_DAYS)
    g_date_add_days (date, every);
  else if (unit == TICK_MONTHS)
    g_date_add_months (date, every);
  else
    g_date_add_years (date, every);
}

static char *
format_tick_day (const GDate *date,
                 TickUnit     unit)
{
  g_autoptr(GDateTime) time = NULL;

  if (unit == TICK_DAYS)
    return ql_locale_numbers_format_date (date);
  time = g_date_time_new_local (g_date_get_year (date), g_date_get_month (date),
                                g_date_get_day (date), 12, 0, 0);
  if (time == NULL)
    return g_strdup ("");
  /* Translators: a month on the chart's time axis, as g_date_time_format()
   * writes it: “%b %Y” is “Mar 2026” */
  return g_date_time_format (time, unit == TICK_MONTHS ? _("%b %Y") : "%Y");
}

/* Days, months or years, whichever leaves room between labels. */
static void
draw_time_axis (QlBalanceChart *self,
                GtkSnapshot    *snapshot,
                const Plot     *plot,
                int             height,
                const GdkRGBA  *text)
{
  static const struct {
    TickUnit unit;
    guint    every;
    double   days;
  } steps[] = {
    { TICK_DAYS, 1, 1 }, { TICK_DAYS, 2, 2 }, { TICK_DAYS, 7, 7 }, { TICK_DAYS, 14, 14 },
    { TICK_MONTHS, 1, 30.4 }, { TICK_MONTHS, 2, 60.9 }, { TICK_MONTHS, 3, 91.3 },
    { TICK_MONTHS, 6, 182.6 }, { TICK_YEARS, 1, 365.2 }, { TICK_YEARS, 2, 730.5 },
    { TICK_YEARS, 5, 1826 }, { TICK_YEARS, 10, 3652 }, { TICK_YEARS, 20, 7305 },
    { TICK_YEARS, 50, 18262 }, { TICK_YEARS, 100, 36524 }, { TICK_YEARS, 200, 73048 },
    { TICK_YEARS, 500, 182621 }, { TICK_YEARS, 1000, 365242 },
  };
  double px_per_day = plot->width / span_days (self);
  guint32 last = first_day (self) + span_days (self);
  double previous_end = -G_MAXDOUBLE;
  GdkRGBA tick_color = *text;
  gsize s;
  GDate date;

  tick_color.alpha *= 0.4f;
  /* The widest label a step would write, measured on a sample day. */
  for (s = 0; s < G_N_ELEMENTS (steps) - 1; s++)
    {
      g_autofree char *sample = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      GDate day;
      int w, h;

      g_date_clear (&day, 1);
      g_date_set_dmy (&day, 28, G_DATE_DECEMBER, 2026);
      sample = format_tick_day (&day, steps[s].unit);
      layout = make_layout (self, sample, &w, &h);
      if (steps[s].days * px_per_day >= MAX (w + TICK_GAP, MIN_TICK_SPACING))
        break;
    }

  if (!next_tick (first_day (self), steps[s].unit, steps[s].every, &date))
    return;
  while (g_date_valid (&date) && g_date_get_julian (&date) <= last)
    {
      double x = round (x_of_day (self, plot, g_date_get_julian (&date)));
      g_autofree char *label = format_tick_day (&date, steps[s].unit);
      g_autoptr(PangoLayout) layout = NULL;
      double left;
      int w, h;

      layout = make_layout (self, label, &w, &h);
      left = CLAMP (x - w / 2.0, 0, gtk_widget_get_width (GTK_WIDGET (self)) - w);
      append_rect (snapshot, &tick_color, x, plot->y + plot->height, 1, PAD / 2);
      if (left >= previous_end + TICK_GAP / 2)
        {
          append_layout_at (snapshot, layout, left, height - PAD - h, text);
          previous_end = left + w;
        }
      advance_tick (&date, steps[s].unit, steps[s].every);
    }
}

/* The line, one rectangle per run of columns that span the same
 * balances; those after the shown day are dimmed. */
static void
draw_line (QlBalanceChart *self,
           GtkSnapshot    *snapshot,
           const Plot     *plot,
           const GdkRGBA  *line)
{
  int width = (int) plot->width;
  double cut = self->shown_until == 0 ? G_MAXDOUBLE
                                      : x_of_day (self, plot, (double) self->shown_until + 1) - plot->x;
  GdkRGBA dim = *line;
  int c = 0;

  dim.alpha *= DIM_ALPHA;
  ensure_columns (self, width);
  while (c < width)
    {
      const Column *column = &g_array_index (self->columns, Column, c);
      gboolean dimmed = c >= cut;
      double top = y_of_balance (plot, (double) column->hi) - LINE_WIDTH / 2;
      double bottom = y_of_balance (plot, (double) column->lo) + LINE_WIDTH / 2;
      int run = 1;

      while (c + run < width && (c + run >= cut) == dimmed &&
             g_array_index (self->columns, Column, c + run).lo == column->lo &&
             g_array_index (self->columns, Column, c + run).hi == column->hi)
        run++;
      /* A step is as thick as a flat stretch. */
      append_rect (snapshot, dimmed ? &dim : line, plot->x + c, top,
                   run + (column->lo != column->hi ? LINE_WIDTH - 1 : 0), bottom - top);
      c += run;
    }

  if (cut > 0 && cut < width)
    {
      GdkRGBA marker = *line;

      marker.alpha *= 0.6f;
      append_rect (snapshot, &marker, plot->x + round (cut), plot->y, 1, plot->height);
    }
}

static void
draw_hover (QlBalanceChart *self,
            GtkSnapshot    *snapshot,
            const Plot     *plot,
            const GdkRGBA  *line,
            const GdkRGBA  *text,
            const GdkRGBA  *card)
{
  double x = CLAMP (self->hover_x, plot->x, plot->x + plot->width);
  double y = y_of_balance (plot, (double) self->hover_balance);
  g_autoptr(PangoLayout) layout = NULL;
  GskRoundedRect dot, box;
  GdkRGBA rule = *text;
  const float border_width[4] = { 1, 1, 1, 1 };
  GdkRGBA border[4];
  double left, top;
  int w, h;

  rule.alpha *= 0.3f;
  append_rect (snapshot, &rule, round (x), plot->y, 1, plot->height);

  /* A ring, so the marker stands out from the line it sits on. */
  gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT ((float) x - 6, (float) y - 6, 12, 12), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &dot);
  append_rect (snapshot, line, x - 6, y - 6, 12, 12);
  gtk_snapshot_pop (snapshot);
  gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT ((float) x - 3, (float) y - 3, 6, 6), 3);
  gtk_snapshot_push_rounded_clip (snapshot, &dot);
  append_rect (snapshot, card, x - 3, y - 3, 6, 6);
  gtk_snapshot_pop (snapshot);

  /* At the top of the plot, or at its bottom when the marker is up
   * there, and over the plot only: the axes and the marker stay in sight. */
  layout = make_layout (self, self->hover_text, &w, &h);
  left = MAX (CLAMP (x - (w + 2 * PAD) / 2, plot->x, plot->x + plot->width - w - 2 * PAD), 0);
  top = plot->y;
  if (y < top + h + 2 * PAD + 12)
    top = MAX (plot->y + plot->height - h - 2 * PAD, 0);
  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT ((float) left, (float) top,
                                                              (float) (w + 2 * PAD),
                                                              (float) (h + 2 * PAD)), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &box);
  append_rect (snapshot, card, left, top, w + 2 * PAD, h + 2 * PAD);
  gtk_snapshot_pop (snapshot);
  for (guint i = 0; i < 4; i++)
    border[i] = rule;
  gtk_snapshot_append_border (snapshot, &box, border_width, border);
  append_layout_at (snapshot, layout, left + PAD, top + PAD, text);
}

static gboolean
get_plot (QlBalanceChart *self,
          Plot           *plot,
          int            *out_text_height)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (self->days->len == 0)
    return FALSE;
  layout = make_layout (self, "0", &w, &h);
  lay_out_plot (self, gtk_widget_get_width (GTK_WIDGET (self)),
                gtk_widget_get_height (GTK_WIDGET (self)), h, plot);
  if (out_text_height != NULL)
    *out_text_height = h;
  return TRUE;
}

static void
ql_balance_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  QlBalanceChart *self = QL_BALANCE_CHART (widget);
  GdkRGBA line, text, card;
  Plot plot;

  get_colors (self, &line, &text, &card);
  if (!get_plot (self, &plot, NULL))
    {
      g_autoptr(PangoLayout) layout = NULL;
      GdkRGBA dim = text;
      int w, h;

      dim.alpha *= 0.55f;
      layout = make_layout (self, _("No changes to draw yet"), &w, &h);
      append_layout_at (snapshot, layout, (gtk_widget_get_width (widget) - w) / 2.0,
                        (gtk_widget_get_height (widget) - h) / 2.0, &dim);
      return;
    }

  draw_value_axis (self, snapshot, &plot, &text);
  draw_time_axis (self, snapshot, &plot, gtk_widget_get_height (widget), &text);
  draw_line (self, snapshot, &plot, &line);
  if (self->hovering && self->hover_text != NULL)
    draw_hover (self, snapshot, &plot, &line, &text, &card);
}

static void
ql_balance_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* As narrow as it can be: the monthly totals beside it get their
       * width first, and the chart takes the rest. */
      *minimum = 160;
      *natural = 160;
    }
  else
    {
      *minimum = 120;
      *natural = 180;
    }
}

static void
ql_balance_chart_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  QlBalanceChart *self = QL_BALANCE_CHART (widget);

  /* The columns are made again for the new width when next drawn. */
  g_clear_pointer (&self->columns, g_array_unref);
}

static void
ql_balance_chart_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  QlBalanceChart *self = QL_BALANCE_CHART (widget);

  GTK_WIDGET_CLASS (ql_balance_chart_parent_class)->css_changed (widget, change);
  /* A new font moves the axes: the plot is narrower or wider. */
  g_clear_pointer (&self->columns, g_array_unref);
  gtk_widget_queue_draw (widget);
}

static void
update_hover (QlBalanceChart *self,
              double          x)
{
  g_autofree char *date = NULL;
  g_autofree char *balance = NULL;
  Plot plot;
  double day;

  if (!get_plot (self, &plot, NULL))
    {
      self->hovering = FALSE;
      return;
    }
  day = first_day (self) + (CLAMP (x, plot.x, plot.x + plot.width - 0.5) - plot.x) *
                           span_days (self) / plot.width;
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_day = (guint32) floor (day);
  self->hover_balance = balance_on (self, self->hover_day);
  date = format_day (self->hover_day);
  balance = format_balance (self, self->hover_balance);
  g_free (self->hover_text);
  /* Translators: a day, then the balance at its end, under the pointer */
  self->hover_text = g_strdup_printf (_("%s: %s"), date, balance);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion_cb (GtkEventControllerMotion *motion,
              double                    x,
              double                    y,
              QlBalanceChart           *self)
{
  update_hover (self, x);
}

static void
on_leave_cb (GtkEventControllerMotion *motion,
             QlBalanceChart           *self)
{
  self->hovering = FALSE;
  g_clear_pointer (&self->hover_text, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ql_balance_chart_finalize (GObject *object)
{
  QlBalanceChart *self = QL_BALANCE_CHART (object);

  g_clear_pointer (&self->days, g_array_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->hover_text, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (ql_balance_chart_parent_class)->finalize (object);
}

static void
ql_balance_chart_class_init (QlBalanceChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ql_balance_chart_finalize;
  widget_class->snapshot = ql_balance_chart_snapshot;
  widget_class->measure = ql_balance_chart_measure;
  widget_class->size_allocate = ql_balance_chart_size_allocate;
  widget_class->css_changed = ql_balance_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "balancechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
update_summary (QlBalanceChart *self)
{
  g_free (self->summary);
  if (self->days->len == 0)
    self->summary = g_strdup (_("Balance chart: no changes yet"));
  else
    {
      g_autofree char *first = format_day (first_day (self));
      g_autofree char *last = format_day (g_array_index (self->days, QlDailyBalance,
                                                         self->days->len - 1).day);
      g_autofree char *lowest = format_balance (self, self->min);
      g_autofree char *highest = format_balance (self, self->max);

      /* Translators: the first and last day, then the lowest and highest balance */
      self->summary = g_strdup_printf (_("Balance chart from %s to %s, lowest %s, highest %s"),
                                       first, last, lowest, highest);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->summary, -1);
}

static void
ql_balance_chart_init (QlBalanceChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->days = g_array_new (FALSE, FALSE, sizeof (QlDailyBalance));
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  update_summary (self);
}

/**
 * ql_balance_chart_new:
 *
 * Returns: (transfer floating): an empty chart
 */
GtkWidget *
ql_balance_chart_new (void)
{
  return g_object_new (QL_TYPE_BALANCE_CHART, NULL);
}

/**
 * ql_balance_chart_set_balances:
 * @self: a chart
 * @days: (array length=n_days) (nullable): the days with changes, in
 *   order, as ql_daily_balance_read() gives them; copied
 * @n_days: how many
 * @opening: the balance before the first day
 * @decimals: how many digits of a balance are decimals
 * @currency: (nullable): the ledger's currency code, %NULL for a quantity
 *
 * Draws these balances instead of the ones before.
 */
void
ql_balance_chart_set_balances (QlBalanceChart       *self,
                               const QlDailyBalance *days,
                               guint                 n_days,
                               gint64                opening,
                               guint                 decimals,
                               const char           *currency)
{
  g_return_if_fail (QL_IS_BALANCE_CHART (self));
  g_return_if_fail (days != NULL || n_days == 0);

  g_array_set_size (self->days, 0);
  if (n_days > 0)
    g_array_append_vals (self->days, days, n_days);
  self->opening = opening;
  self->decimals = decimals;
  g_free (self->currency);
  self->currency = g_strdup (currency);
  self->min = self->max = opening;
  for (guint i = 0; i < n_days; i++)
    {
      self->min = MIN (self->min, days[i].balance);
      self->max = MAX (self->max, days[i].balance);
    }
  g_clear_pointer (&self->columns, g_array_unref);
  update_summary (self);
  if (self->hovering)
    update_hover (self, self->hover_x);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * ql_balance_chart_get_balances:
 * @self: a chart
 * @out_n_days: (out): how many days it draws
 * @out_opening: (out) (optional): the balance before the first
 *
 * Returns: (array length=out_n_days) (transfer none): the days it draws
 */
const QlDailyBalance *
ql_balance_chart_get_balances (QlBalanceChart *self,
                               guint          *out_n_days,
                               gint64         *out_opening)
{
  g_return_val_if_fail (QL_IS_BALANCE_CHART (self), NULL);
  g_return_val_if_fail (out_n_days != NULL, NULL);

  *out_n_days = self->days->len;
  if (out_opening != NULL)
    *out_opening = self->opening;
  return (const QlDailyBalance *) (gpointer) self->days->data;
}

/**
 * ql_balance_chart_set_shown_until:
 * @self: a chart
 * @day: the last day of the state shown, a Julian day, or 0 for now
 *
 * Dims what comes after @day, as the version time travel shows left it.
 */
void
ql_balance_chart_set_shown_until (QlBalanceChart *self,
                                  guint32         day)
{
  g_return_if_fail (QL_IS_BALANCE_CHART (self));

  if (self->shown_until == day)
    return;
  self->shown_until = day;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * ql_balance_chart_get_shown_until:
 * @self: a chart
 *
 * Returns: the last day drawn undimmed, or 0 when all are
 */
guint32
ql_balance_chart_get_shown_until (QlBalanceChart *self)
{
  g_return_val_if_fail (QL_IS_BALANCE_CHART (self), 0);

  return self->shown_until;
}

/**
 * ql_balance_chart_get_hover_text:
 * @self: a chart
 *
 * Returns: (nullable): the day and balance under the pointer, as the
 *   chart writes them beside its marker, or %NULL when it is elsewhere
 */
const char *
ql_balance_chart_get_hover_text (QlBalanceChart *self)
{
  g_return_val_if_fail (QL_IS_BALANCE_CHART (self), NULL);

  return self->hovering ? self->hover_text : NULL;
}

/**
 * ql_balance_chart_get_summary:
 * @self: a chart
 *
 * Returns: what the chart's accessible label says: its first and last
 *   day, its lowest and highest balance
 */
const char *
ql_balance_chart_get_summary (QlBalanceChart *self)
{
  g_return_val_if_fail (QL_IS_BALANCE_CHART (self), NULL);

  return self->summary;
}

/**
 * ql_balance_chart_get_point_at:
 * @self: a chart
 * @day: a Julian day
 * @out_x: (out): where the middle of @day is across the chart
 * @out_y: (out): where the balance at its end is down the chart
 *
 * Returns: %FALSE when there is nothing drawn
 */
gboolean
ql_balance_chart_get_point_at (QlBalanceChart *self,
                               guint32         day,
                               double         *out_x,
                               double         *out_y)
{
  Plot plot;

  g_return_val_if_fail (QL_IS_BALANCE_CHART (self), FALSE);
  g_return_val_if_fail (out_x != NULL && out_y != NULL, FALSE);

  if (!get_plot (self, &plot, NULL))
    return FALSE;
  *out_x = x_of_day (self, &plot, day + 0.5);
  *out_y = y_of_balance (&plot, (double) balance_on (self, day));
  return TRUE;
}
