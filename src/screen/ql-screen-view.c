/* ql-screen-view.c: the full-screen terminal view, drawn with ncurses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-screen-view"

#include "config.h"

#include <curses.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ql-screen-view.h"

/* An answer longer than this is not a name or an amount. */
#define ANSWER_MAX_BYTES 1024
/* How far one step of the mouse wheel scrolls. */
#define WHEEL_ROWS 3

typedef enum
{
  PAGE_QUOTES,
  PAGE_LEDGERS,
  N_PAGES
} Page;

enum
{
  PAIR_NORMAL = 1,
  PAIR_BAR,
  PAIR_SELECTED,
  PAIR_ERROR,
  PAIR_TITLE,
};

/**
 * QlScreenView:
 *
 * The full-screen terminal view: two pages (quotes and ledgers) drawn
 * with ncurses on the standard streams, a status line and a footer of
 * keys. It turns keys into #QlScreenView::action and
 * #QlScreenView::answered and shows what its controller gives it; it
 * knows neither the model nor the settings. Text from data is escaped
 * and aligned by its width on the terminal, so control characters are
 * never printed and wide characters keep columns straight.
 */
struct _QlScreenView
{
  GObject         parent_instance;

  gboolean        started;
  gboolean        colour;
  guint           input_source;
  guint           resize_source;

  Page            page;
  gboolean        help_shown;
  /* Where the last draw put things, for mouse clicks. */
  int             tab_ends[N_PAGES];
  int             list_end;
  QlScreenScheme  scheme;
  gboolean        has_skin;
  QlScreenColours skin;

  char           *quote_title;
  GStrv           quote_lines;
  /* The rows of the quote or the search's matches scrolled out above. */
  int             quote_scroll;
  GPtrArray      *ledgers;
  char           *ledgers_empty;
  guint           selected;
  char           *history_title;
  GPtrArray      *history;

  char           *status;
  gboolean        status_is_error;
  /* Non-NULL while a long task shows its progress on the status line. */
  char           *progress_label;
  double          progress;
  /* Non-NULL while the status line asks a question. */
  char           *question;
  GString        *answer;
};

G_DEFINE_FINAL_TYPE (QlScreenView, ql_screen_view, G_TYPE_OBJECT)

enum {
  ACTION,
  ANSWERED,
  SELECTED,
  RESIZED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void draw (QlScreenView *self);

/* How a character of data is shown: as itself, or escaped when it is a
 * control or format character the terminal would act on. */
static gboolean
must_escape (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
         type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
         type == G_UNICODE_UNASSIGNED || type == G_UNICODE_SURROGATE;
}

static int
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/* The text as it is drawn: escapes instead of control characters, and
 * U+FFFD for bytes that are not UTF-8. */
static char *
make_printable (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xFFFD);
          p++;
          continue;
        }
      if (must_escape (c))
        g_string_append_printf (out, c < 0x100 ? "\\x%02X" : "\\u%04X", c);
      else
        g_string_append_unichar (out, c);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

static int
text_width (const char *text)
{
  g_autofree char *shown = make_printable (text);
  int width = 0;

  for (const char *p = shown; *p != '\0'; p = g_utf8_next_char (p))
    width += char_width (g_utf8_get_char (p));

  return width;
}

/* Draws @text at @y, @x in at most @max_width columns, ending with "…"
 * where it had to be cut; returns the columns used. */
static int
put_text (int         y,
          int         x,
          const char *text,
          int         max_width)
{
  g_autofree char *shown = make_printable (text);
  gboolean cut = text_width (shown) > max_width && max_width > 0;
  int room = cut ? max_width - 1 : max_width;
  const char *p = shown;
  int used = 0;

  move (y, x);
  while (*p != '\0')
    {
      int width = char_width (g_utf8_get_char (p));
      const char *next = g_utf8_next_char (p);

      if (used + width > room)
        break;
      addnstr (p, (int) (next - p));
      used += width;
      p = next;
    }
  if (cut)
    {
      addstr ("…");
      used++;
    }

  return used;
}

static void
fill_line (int    y,
           chtype attributes)
{
  attrset (attributes);
  mvhline (y, 0, ' ', COLS);
}

/* The attributes of one kind of text: its colour pair, or without
 * colours the reverse and bold that every terminal has. */
static chtype
style (QlScreenView *self,
       int           pair)
{
  if (self->colour)
    return COLOR_PAIR (pair) | (pair == PAIR_TITLE || pair == PAIR_ERROR ? A_BOLD : A_NORMAL);

  switch (pair)
    {
    case PAIR_BAR:
    case PAIR_SELECTED:
      return A_REVERSE;
    case PAIR_ERROR:
    case PAIR_TITLE:
      return A_BOLD;
    default:
      return A_NORMAL;
    }
}

/* The colour of xterm's 256 nearest to @rgb (0xRRGGBB): one of the
 * 6 x 6 x 6 cube or of the 24 greys; @fallback when @rgb is -1. */
static int
nearest_colour (gint32 rgb,
                int    fallback)
{
  static const int levels[] = { 0, 95, 135, 175, 215, 255 };
  int channels[3], cube[3], best_distance = G_MAXINT, grey_sum = 0;
  int best = fallback;

  if (rgb < 0)
    return fallback;

  for (int c = 0; c < 3; c++)
    {
      int best_level = 0;

      channels[c] = (rgb >> (16 - 8 * c)) & 0xff;
      grey_sum += channels[c];
      for (int l = 1; l < 6; l++)
        if (ABS (levels[l] - channels[c]) < ABS (levels[best_level] - channels[c]))
          best_level = l;
      cube[c] = best_level;
    }

  for (int candidate = 0; candidate < 2; candidate++)
    {
      int distance = 0;
      int index;

      for (int c = 0; c < 3; c++)
        {
          int value;

          if (candidate == 0)
            value = levels[cube[c]];
          else
            value = 8 + 10 * CLAMP ((grey_sum / 3 - 3) / 10, 0, 23);
          distance += (value - channels[c]) * (value - channels[c]);
        }
      index = candidate == 0 ? 16 + 36 * cube[0] + 6 * cube[1] + cube[2]
                             : 232 + CLAMP ((grey_sum / 3 - 3) / 10, 0, 23);
      if (distance < best_distance)
        {
          best_distance = distance;
          best = index;
        }
    }

  return best;
}

/* On a direct-colour terminal a colour's number is its 0xRRGGBB. */
static int
skin_colour (gint32   rgb,
             int      fallback,
             gboolean direct)
{
  if (rgb < 0)
    return fallback;
  return direct ? (int) rgb : nearest_colour (rgb, fallback);
}

/* Two palettes of the eight colours every colour terminal has, and the
 * terminal's own colours for the default scheme. */
static void
apply_scheme (QlScreenView *self)
{
  int fg, bg, bar_fg, bar_bg, selected_fg, selected_bg, error_fg;

  if (!self->colour)
    return;

  switch (self->scheme)
    {
    case QL_SCREEN_SCHEME_LIGHT:
      fg = COLOR_BLACK;
      bg = COLOR_WHITE;
      bar_fg = COLOR_WHITE;
      bar_bg = COLOR_BLUE;
      selected_fg = COLOR_WHITE;
      selected_bg = COLOR_BLUE;
      break;
    case QL_SCREEN_SCHEME_DARK:
      fg = COLOR_WHITE;
      bg = COLOR_BLACK;
      bar_fg = COLOR_BLACK;
      bar_bg = COLOR_CYAN;
      selected_fg = COLOR_BLACK;
      selected_bg = COLOR_YELLOW;
      break;
    case QL_SCREEN_SCHEME_DEFAULT:
    default:
      fg = -1;
      bg = -1;
      bar_fg = COLOR_BLACK;
      bar_bg = COLOR_GREEN;
      selected_fg = COLOR_BLACK;
      selected_bg = COLOR_GREEN;
      break;
    }

  error_fg = COLOR_RED;
  /* A skin's own colours need a terminal of 256 colours or of direct
   * colour; with eight the scheme's palette stays readable. */
  if (self->has_skin && COLORS >= 256)
    {
      gboolean direct = COLORS >= 0x1000000;

      fg = skin_colour (self->skin.fg, fg, direct);
      bg = skin_colour (self->skin.bg, bg, direct);
      bar_fg = skin_colour (self->skin.bar_fg, bar_fg, direct);
      bar_bg = skin_colour (self->skin.bar_bg, bar_bg, direct);
      selected_fg = skin_colour (self->skin.selected_fg, selected_fg, direct);
      selected_bg = skin_colour (self->skin.selected_bg, selected_bg, direct);
      error_fg = skin_colour (self->skin.error_fg, error_fg, direct);
    }

  init_extended_pair (PAIR_NORMAL, fg, bg);
  init_extended_pair (PAIR_BAR, bar_fg, bar_bg);
  init_extended_pair (PAIR_SELECTED, selected_fg, selected_bg);
  init_extended_pair (PAIR_ERROR, error_fg, bg);
  init_extended_pair (PAIR_TITLE, fg, bg);
  bkgdset (' ' | COLOR_PAIR (PAIR_NORMAL));
}

static const char *
page_title (Page page)
{
  return page == PAGE_QUOTES ? _("Quotes") : _("Ledgers");
}

static void
draw_tabs (QlScreenView *self)
{
  int x = 0;

  fill_line (0, style (self, PAIR_BAR));
  for (Page page = 0; page < N_PAGES; page++)
    {
      g_autofree char *label = g_strdup_printf (" F%d %s ", page + 1, page_title (page));

      attrset (page == self->page ? style (self, PAIR_SELECTED) | A_BOLD
                                  : style (self, PAIR_BAR));
      x += put_text (0, x, label, COLS - x);
      self->tab_ends[page] = x;
      attrset (style (self, PAIR_BAR));
      x += put_text (0, x, " ", COLS - x);
    }
}

/* Wraps @line into rows of @width columns from row @y, drawing those
 * from @first_row to @last_row; returns the next free row. Rows above
 * @first_row are counted, not drawn, so that a list can scroll. */
static int
put_wrapped (int         y,
             int         x,
             const char *line,
             int         width,
             int         first_row,
             int         last_row)
{
  g_autofree char *shown = make_printable (line);
  const char *p = shown;

  if (*p == '\0')
    return y + 1;

  while (*p != '\0' && y <= last_row)
    {
      const char *start = p;
      int used = 0;

      while (*p != '\0')
        {
          int w = char_width (g_utf8_get_char (p));

          if (used + w > width && used > 0)
            break;
          used += w;
          p = g_utf8_next_char (p);
        }
      if (y >= first_row && y <= last_row)
        mvaddnstr (y, x, start, (int) (p - start));
      y++;
    }

  return y;
}

/* The rows the quote page has for its lines, below the title. */
static int
quote_rows (void)
{
  return MAX (LINES - 6, 1);
}

static void
draw_quotes (QlScreenView *self,
             int           last_row)
{
  int y = 2;
  int total = 0;
  int top;

  if (self->quote_title == NULL)
    {
      attrset (style (self, PAIR_NORMAL));
      put_wrapped (y, 2, _("Type a quote’s number, r for a random quote or / to search."),
                   COLS - 4, y, last_row);
      return;
    }

  attrset (style (self, PAIR_TITLE));
  put_text (y, 2, self->quote_title, COLS - 4);
  y += 2;
  attrset (style (self, PAIR_NORMAL));
  /* Measured first, so that scrolling stops at the last row. */
  for (guint i = 0; self->quote_lines != NULL && self->quote_lines[i] != NULL; i++)
    total = put_wrapped (total, 2, self->quote_lines[i], COLS - 4, G_MAXINT, G_MAXINT);
  top = y;
  self->quote_scroll = CLAMP (self->quote_scroll, 0, MAX (total - (last_row - top + 1), 0));
  y = top - self->quote_scroll;
  for (guint i = 0; self->quote_lines != NULL && self->quote_lines[i] != NULL; i++)
    y = put_wrapped (y, 2, self->quote_lines[i], COLS - 4, top, last_row);
}

/* The widest cell of each column, header included. */
static void
measure_columns (GPtrArray  *rows,
                 const char *const *header,
                 int        *widths,
                 guint       n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    widths[c] = header != NULL ? text_width (header[c]) : 0;
  for (guint r = 0; rows != NULL && r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns && row[c] != NULL; c++)
        widths[c] = MAX (widths[c], text_width (row[c]));
    }
}

/* One row of a table: each cell padded to its column's width, numbers
 * (columns in @right) aligned right. */
static void
put_row (int                 y,
         int                 x,
         const char *const  *cells,
         const int          *widths,
         guint               n_columns,
         guint               right,
         int                 max_width)
{
  int used = 0;

  for (guint c = 0; c < n_columns && cells[c] != NULL && used < max_width; c++)
    {
      int pad = widths[c] - text_width (cells[c]);

      if (c > 0)
        used += put_text (y, x + used, "  ", max_width - used);
      if ((right & (1u << c)) != 0 && pad > 0)
        used += MIN (pad, max_width - used);
      /* A cell wider than its column is cut, so the next columns stay. */
      used += put_text (y, x + used, cells[c], MIN (widths[c], max_width - used));
      if ((right & (1u << c)) == 0 && pad > 0 && c + 1 < n_columns)
        used += MIN (pad, max_width - used);
    }
}

/* Narrows column @shrink until the table fits in @max_width, down to a
 * few columns of it. */
static void
fit_columns (int   *widths,
             guint  n_columns,
             guint  shrink,
             int    max_width)
{
  int total = 2 * ((int) n_columns - 1);

  for (guint c = 0; c < n_columns; c++)
    total += widths[c];
  if (total > max_width)
    widths[shrink] = MAX (widths[shrink] - (total - max_width), 6);
}

/* As wide as the ledger list needs, and never more than half the screen. */
static int
list_width (const int *widths)
{
  return MAX (MIN (widths[0] + widths[1] + 5, COLS / 2), 12);
}

static void
draw_ledgers (QlScreenView *self,
              int           last_row)
{
  const char *const list_header[] = { _("Ledger"), _("Balance"), NULL };
  const char *const history_header[] = { _("Version"), _("Date"), _("Event"), _("Change"),
                                         _("Balance"), _("Note"), NULL };
  /* Numbers to the right: version, change and balance. */
  const guint right = (1u << 0) | (1u << 3) | (1u << 4);
  int list_widths[2], history_widths[6];
  int width, right_x, y;

  measure_columns (self->ledgers, list_header, list_widths, 2);
  width = list_width (list_widths);
  self->list_end = width;
  right_x = width + 2;
  attrset (style (self, PAIR_TITLE));
  put_text (2, 1, _("Ledgers"), width - 1);
  if (self->ledgers == NULL || self->ledgers->len == 0)
    {
      attrset (style (self, PAIR_NORMAL));
      put_wrapped (4, 1, self->ledgers_empty != NULL ? self->ledgers_empty : "", COLS - 2,
                   4, last_row);
      return;
    }

  put_row (3, 1, list_header, list_widths, 2, 1u << 1, width - 2);
  for (guint i = 0; i < self->ledgers->len && 4 + (int) i <= last_row; i++)
    {
      chtype attributes = i == self->selected ? style (self, PAIR_SELECTED)
                                              : style (self, PAIR_NORMAL);

      attrset (attributes);
      mvhline (4 + (int) i, 1, ' ', width - 1);
      put_row (4 + (int) i, 1, (const char *const *) g_ptr_array_index (self->ledgers, i),
               list_widths, 2, 1u << 1, width - 2);
    }

  attrset (style (self, PAIR_NORMAL));
  mvvline (2, width, ACS_VLINE, last_row - 1);
  if (self->history_title == NULL)
    return;

  attrset (style (self, PAIR_TITLE));
  put_text (2, right_x, self->history_title, COLS - right_x - 1);
  attrset (style (self, PAIR_NORMAL));
  measure_columns (self->history, history_header, history_widths, 6);
  /* The note, last, takes what room is left; the event narrows first. */
  fit_columns (history_widths, 5, 2, COLS - right_x - 1);
  put_row (3, right_x, history_header, history_widths, 6, right, COLS - right_x - 1);
  y = 4;
  for (guint i = 0; self->history != NULL && i < self->history->len && y <= last_row; i++, y++)
    put_row (y, right_x, (const char *const *) g_ptr_array_index (self->history, i),
             history_widths, 6, right, COLS - right_x - 1);
}

static const char *
footer_keys (QlScreenView *self)
{
  if (self->question != NULL)
    return _("Enter confirm  Esc cancel");
  if (self->page == PAGE_QUOTES)
    return _("0-9 quote  r random  / search  t theme  Tab page  ? help  q quit");
  return _("Arrows select/time  d w + - change  u undo  i import  / filter  t theme  ? help  "
           "q quit");
}

static void
draw_help (QlScreenView *self)
{
  const char *lines[] = {
    _("Keys"),
    "",
    _("Tab, F1, F2    switch between the pages"),
    _("0-9            show the quote with that number"),
    _("r              show a random quote"),
    _("/              search the quotes, or filter the ledgers by name"),
    _("Up, Down       select a ledger"),
    _("Left, Right    step through the ledger's past versions"),
    _("PgUp, PgDn     scroll the history or the search's matches"),
    _("d, w           deposit into or withdraw from an account"),
    _("+, -           increase or decrease an item"),
    _("u              undo the ledger's last change"),
    _("i              import a CSV file of ledger commands"),
    _("t              switch between the light and dark scheme"),
    _("?              show or hide this help"),
    _("q              quit"),
  };
  int width = 0, height = G_N_ELEMENTS (lines) + 2, top, left;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    width = MAX (width, text_width (lines[i]));
  width = MIN (width + 4, COLS);
  top = MAX ((LINES - height) / 2, 0);
  left = MAX ((COLS - width) / 2, 0);

  attrset (style (self, PAIR_BAR));
  for (int y = 0; y < height && top + y < LINES; y++)
    mvhline (top + y, left, ' ', width);
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    put_text (top + 1 + (int) i, left + 2, lines[i], width - 4);
}

/* "Label [#####     ]  50%" across the status line. */
static void
draw_progress (QlScreenView *self,
               int           row)
{
  g_autofree char *percent = g_strdup_printf ("%3d%%", (int) (self->progress * 100));
  int x = 1 + put_text (row, 1, self->progress_label, COLS / 3) + 1;
  int bar = COLS - x - 2 - 6;
  int filled;

  if (bar < 4)
    return;
  filled = (int) (self->progress * bar);
  mvaddch (row, x, '[');
  attrset (style (self, PAIR_SELECTED));
  mvhline (row, x + 1, ' ', filled);
  attrset (style (self, PAIR_NORMAL));
  mvhline (row, x + 1 + filled, ACS_CKBOARD, bar - filled);
  mvaddch (row, x + 1 + bar, ']');
  put_text (row, x + 3 + bar, percent, 5);
}

static void
draw (QlScreenView *self)
{
  int status_row = LINES - 2;

  if (!self->started)
    return;

  attrset (style (self, PAIR_NORMAL));
  erase ();
  draw_tabs (self);
  if (self->page == PAGE_QUOTES)
    draw_quotes (self, status_row - 1);
  else
    draw_ledgers (self, status_row - 1);

  fill_line (status_row, style (self, PAIR_NORMAL));
  curs_set (0);
  if (self->question != NULL)
    {
      int x = put_text (status_row, 1, self->question, COLS - 2);

      put_text (status_row, 1 + x, self->answer->str, COLS - 2 - x);
    }
  else if (self->progress_label != NULL)
    draw_progress (self, status_row);
  else if (self->status != NULL)
    {
      attrset (style (self, self->status_is_error ? PAIR_ERROR : PAIR_NORMAL));
      put_text (status_row, 1, self->status, COLS - 2);
    }

  fill_line (LINES - 1, style (self, PAIR_BAR));
  put_text (LINES - 1, 1, footer_keys (self), COLS - 2);

  if (self->help_shown)
    draw_help (self);

  /* The cursor last, where the answer goes on. */
  if (self->question != NULL)
    {
      int x = 1 + text_width (self->question) + text_width (self->answer->str);

      curs_set (1);
      move (status_row, MIN (x, COLS - 1));
    }
  refresh ();
}

static void
set_page (QlScreenView *self,
          Page          page)
{
  self->page = page;
  draw (self);
}

static void
emit_action (QlScreenView *self,
             const char   *name,
             const char   *argument)
{
  g_signal_emit (self, signals[ACTION], 0, name, argument);
}

static void
move_selection (QlScreenView *self,
                int           delta)
{
  gint64 n = self->ledgers != NULL ? self->ledgers->len : 0;
  gint64 target = (gint64) self->selected + delta;

  if (delta == 0 || target < 0 || target >= n)
    return;
  self->selected = (guint) target;
  g_signal_emit (self, signals[SELECTED], 0, self->selected);
  draw (self);
}

static void
answer_key (QlScreenView *self,
            int           kind,
            wint_t        key)
{
  if ((kind == OK && (key == '\n' || key == '\r')) || (kind == KEY_CODE_YES && key == KEY_ENTER))
    {
      g_autofree char *answer = g_string_free (g_steal_pointer (&self->answer), FALSE);

      g_clear_pointer (&self->question, g_free);
      g_signal_emit (self, signals[ANSWERED], 0, answer);
      draw (self);
      return;
    }
  if (kind == OK && key == 27)
    {
      g_clear_pointer (&self->question, g_free);
      g_string_free (g_steal_pointer (&self->answer), TRUE);
      draw (self);
      return;
    }
  if ((kind == KEY_CODE_YES && key == KEY_BACKSPACE) || (kind == OK && (key == 127 || key == 8)))
    {
      if (self->answer->len > 0)
        {
          const char *last = g_utf8_find_prev_char (self->answer->str,
                                                    self->answer->str + self->answer->len);

          g_string_truncate (self->answer, (gsize) (last - self->answer->str));
        }
      draw (self);
      return;
    }
  if (kind == OK && !must_escape ((gunichar) key) && g_unichar_validate ((gunichar) key) &&
      self->answer->len + 6 < ANSWER_MAX_BYTES)
    {
      g_string_append_unichar (self->answer, (gunichar) key);
      draw (self);
    }
}

/* Scrolls the page's list by @pages pages, or by @pages steps of the
 * mouse wheel: the quotes here, the history through the controller,
 * which holds only the events on screen. */
static void
scroll_list (QlScreenView *self,
             int           pages,
             gboolean      whole_pages)
{
  int rows;

  if (self->page == PAGE_QUOTES)
    {
      if (self->quote_lines == NULL)
        return;
      rows = whole_pages ? quote_rows () : WHEEL_ROWS;
      self->quote_scroll = MAX (self->quote_scroll + pages * rows, 0);
      draw (self);
    }
  else if (self->history != NULL)
    {
      g_autofree char *argument = NULL;

      rows = whole_pages ? (int) ql_screen_view_get_history_capacity (self) : WHEEL_ROWS;
      argument = g_strdup_printf ("%d", pages * rows);
      emit_action (self, "scroll-history", argument);
    }
}

/* A click on a tab opens its page; on a ledger, selects it. The wheel
 * scrolls. */
static void
click (QlScreenView *self)
{
  MEVENT event;

  if (getmouse (&event) != OK)
    return;
  if ((event.bstate & BUTTON4_PRESSED) != 0)
    {
      scroll_list (self, -1, FALSE);
      return;
    }
  if ((event.bstate & BUTTON5_PRESSED) != 0)
    {
      scroll_list (self, 1, FALSE);
      return;
    }
  if ((event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) == 0)
    return;

  if (event.y == 0)
    {
      for (Page page = 0; page < N_PAGES; page++)
        if (event.x < self->tab_ends[page])
          {
            set_page (self, page);
            return;
          }
      return;
    }

  if (self->page == PAGE_LEDGERS && self->ledgers != NULL && event.y >= 4 &&
      event.x < self->list_end && (guint) (event.y - 4) < self->ledgers->len)
    move_selection (self, event.y - 4 - (int) self->selected);
}

static void
page_key (QlScreenView *self,
          int           kind,
          wint_t        key)
{
  if (kind == KEY_CODE_YES)
    {
      if (key == KEY_BTAB)
        set_page (self, (self->page + N_PAGES - 1) % N_PAGES);
      else if (key == KEY_MOUSE)
        click (self);
      else if (key == KEY_F (1))
        set_page (self, PAGE_QUOTES);
      else if (key == KEY_F (2))
        set_page (self, PAGE_LEDGERS);
      else if (key == KEY_UP && self->page == PAGE_LEDGERS)
        move_selection (self, -1);
      else if (key == KEY_DOWN && self->page == PAGE_LEDGERS)
        move_selection (self, 1);
      else if (key == KEY_LEFT && self->page == PAGE_LEDGERS)
        emit_action (self, "earlier", NULL);
      else if (key == KEY_RIGHT && self->page == PAGE_LEDGERS)
        emit_action (self, "later", NULL);
      else if (key == KEY_PPAGE)
        scroll_list (self, -1, TRUE);
      else if (key == KEY_NPAGE)
        scroll_list (self, 1, TRUE);
      return;
    }

  switch (key)
    {
    case 'q':
      emit_action (self, "quit", NULL);
      return;
    case '\t':
      set_page (self, (self->page + 1) % N_PAGES);
      return;
    case '?':
      self->help_shown = TRUE;
      draw (self);
      return;
    case 't':
      emit_action (self, "toggle-scheme", NULL);
      return;
    default:
      break;
    }

  if (self->page == PAGE_QUOTES)
    {
      if (key >= '0' && key <= '9')
        {
          char digit[2] = { (char) key, '\0' };

          emit_action (self, "quote", digit);
        }
      else if (key == 'r')
        emit_action (self, "random", NULL);
      else if (key == '/')
        emit_action (self, "search", NULL);
      return;
    }

  switch (key)
    {
    case 'k':
      move_selection (self, -1);
      break;
    case 'j':
      move_selection (self, 1);
      break;
    case 'd':
      emit_action (self, "deposit", NULL);
      break;
    case 'w':
      emit_action (self, "withdraw", NULL);
      break;
    case '+':
      emit_action (self, "increase", NULL);
      break;
    case '-':
      emit_action (self, "decrease", NULL);
      break;
    case 'u':
      emit_action (self, "undo", NULL);
      break;
    case 'i':
      emit_action (self, "import", NULL);
      break;
    case '/':
      emit_action (self, "filter", NULL);
      break;
    default:
      break;
    }
}

static void
redraw_resized (QlScreenView *self)
{
  g_signal_emit (self, signals[RESIZED], 0);
  draw (self);
}

static gboolean
input_ready_cb (int           fd,
                GIOCondition  condition,
                gpointer      user_data)
{
  g_autoptr(QlScreenView) self = g_object_ref (user_data);
  wint_t key;
  int kind;

  if ((condition & (G_IO_HUP | G_IO_ERR)) != 0)
    {
      self->input_source = 0;
      emit_action (self, "quit", NULL);
      return G_SOURCE_REMOVE;
    }

  /* Every key that arrived, then back to the main loop. */
  while (self->started && (kind = get_wch (&key)) != ERR)
    {
      /* resizeterm() queued it: the screen has its new size already. */
      if (kind == KEY_CODE_YES && key == KEY_RESIZE)
        redraw_resized (self);
      else if (self->question != NULL)
        answer_key (self, kind, key);
      else if (self->help_shown)
        {
          self->help_shown = FALSE;
          draw (self);
        }
      else
        page_key (self, kind, key);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
window_changed_cb (gpointer user_data)
{
  QlScreenView *self = user_data;
  struct winsize size;

  if (!self->started)
    return G_SOURCE_CONTINUE;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
    resizeterm (size.ws_row, size.ws_col);
  redraw_resized (self);
  return G_SOURCE_CONTINUE;
}

static void
ql_screen_view_dispose (GObject *object)
{
  QlScreenView *self = QL_SCREEN_VIEW (object);

  ql_screen_view_stop (self);
  g_clear_handle_id (&self->resize_source, g_source_remove);

  G_OBJECT_CLASS (ql_screen_view_parent_class)->dispose (object);
}

static void
ql_screen_view_finalize (GObject *object)
{
  QlScreenView *self = QL_SCREEN_VIEW (object);

  g_free (self->quote_title);
  g_strfreev (self->quote_lines);
  g_clear_pointer (&self->ledgers, g_ptr_array_unref);
  g_free (self->ledgers_empty);
  g_free (self->history_title);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_free (self->status);
  g_free (self->progress_label);
  g_free (self->question);
  if (self->answer != NULL)
    g_string_free (self->answer, TRUE);

  G_OBJECT_CLASS (ql_screen_view_parent_class)->finalize (object);
}

static void
ql_screen_view_class_init (QlScreenViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_screen_view_dispose;
  object_class->finalize = ql_screen_view_finalize;

  /**
   * QlScreenView::action:
   * @self: a #QlScreenView
   * @name: what the user asked for: "quit", "toggle-scheme", "quote",
   *   "random", "search", "deposit", "withdraw", "increase", "decrease",
   *   "undo", "import", "filter", "earlier" and "later" for the selected
   *   ledger's versions, or "scroll-history"
   * @argument: (nullable): the first digit for "quote"; for
   *   "scroll-history", how many rows to scroll, below zero towards older
   *   events; else %NULL
   */
  signals[ACTION] =
    g_signal_new ("action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * QlScreenView::answered:
   * @self: a #QlScreenView
   * @answer: what was typed after the question of ql_screen_view_ask()
   *
   * Not emitted when the question is cancelled with Escape.
   */
  signals[ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * QlScreenView::selected:
   * @self: a #QlScreenView
   * @index: the row of the ledger list now selected
   */
  signals[SELECTED] =
    g_signal_new ("selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * QlScreenView::resized:
   * @self: a #QlScreenView
   *
   * Emitted when the terminal changed its size, so that the history can
   * be read again for the rows that now fit.
   */
  signals[RESIZED] =
    g_signal_new ("resized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ql_screen_view_init (QlScreenView *self)
{
  self->page = PAGE_LEDGERS;
}

QlScreenView *
ql_screen_view_new (void)
{
  return g_object_new (QL_TYPE_SCREEN_VIEW, NULL);
}

/**
 * ql_screen_view_start:
 * @self: a #QlScreenView
 *
 * Takes over the terminal and watches its input from the main loop.
 */
void
ql_screen_view_start (QlScreenView *self)
{
  const char *no_colour = g_getenv ("NO_COLOR");

  g_return_if_fail (QL_IS_SCREEN_VIEW (self));
  g_return_if_fail (!self->started);

  /* Before initscr(): ncurses then leaves SIGWINCH to the main loop. */
  if (self->resize_source == 0)
    self->resize_source = g_unix_signal_add (SIGWINCH, window_changed_cb, self);

  initscr ();
  cbreak ();
  noecho ();
  nonl ();
  keypad (stdscr, TRUE);
  nodelay (stdscr, TRUE);
  set_escdelay (25);
  /* Clicks as they are pressed, and the wheel, where the terminal
   * reports them. */
  mousemask (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
  mouseinterval (0);
  self->colour = (no_colour == NULL || *no_colour == '\0') && has_colors ();
  if (self->colour)
    {
      start_color ();
      use_default_colors ();
    }
  self->started = TRUE;
  apply_scheme (self);
  self->input_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      input_ready_cb, self);
  draw (self);
}

/**
 * ql_screen_view_stop:
 * @self: a #QlScreenView
 *
 * Gives the terminal back as it was. Does nothing when not started.
 */
void
ql_screen_view_stop (QlScreenView *self)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  if (!self->started)
    return;
  g_clear_handle_id (&self->input_source, g_source_remove);
  endwin ();
  self->started = FALSE;
}

void
ql_screen_view_set_scheme (QlScreenView   *self,
                           QlScreenScheme  scheme)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  self->scheme = scheme;
  if (self->started)
    {
      apply_scheme (self);
      clearok (stdscr, TRUE);
      draw (self);
    }
}

/**
 * ql_screen_view_set_skin_colours:
 * @self: a #QlScreenView
 * @colours: (nullable): the skin's colours, or %NULL for the scheme's
 *   palette alone
 *
 * Colours the view like the window's skin, on terminals with 256
 * colours; where the skin names no colour the scheme's stays.
 */
void
ql_screen_view_set_skin_colours (QlScreenView          *self,
                                 const QlScreenColours *colours)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  self->has_skin = colours != NULL;
  if (colours != NULL)
    self->skin = *colours;
  if (self->started)
    {
      apply_scheme (self);
      clearok (stdscr, TRUE);
      draw (self);
    }
}

/**
 * ql_screen_view_set_quote:
 * @self: a #QlScreenView
 * @title: what the lines are, such as "Quote 3"
 * @lines: (array zero-terminated=1): the quote, or the search's matches
 */
void
ql_screen_view_set_quote (QlScreenView *self,
                          const char   *title,
                          GStrv         lines)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  g_free (self->quote_title);
  self->quote_title = g_strdup (title);
  g_strfreev (self->quote_lines);
  self->quote_lines = g_strdupv (lines);
  self->quote_scroll = 0;
  self->page = PAGE_QUOTES;
  draw (self);
}

/**
 * ql_screen_view_set_ledgers:
 * @self: a #QlScreenView
 * @rows: (element-type GStrv): a name and a balance for each ledger
 * @empty: what the list says when @rows is empty
 *
 * Keeps the selected row where it was, or on the last row when the
 * list got shorter.
 */
void
ql_screen_view_set_ledgers (QlScreenView *self,
                            GPtrArray    *rows,
                            const char   *empty)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));
  g_return_if_fail (rows != NULL);
  g_return_if_fail (empty != NULL);

  g_free (self->ledgers_empty);
  self->ledgers_empty = g_strdup (empty);
  g_clear_pointer (&self->ledgers, g_ptr_array_unref);
  self->ledgers = g_ptr_array_ref (rows);
  if (self->selected >= rows->len)
    self->selected = rows->len > 0 ? rows->len - 1 : 0;
  draw (self);
}

guint
ql_screen_view_get_selected (QlScreenView *self)
{
  g_return_val_if_fail (QL_IS_SCREEN_VIEW (self), 0);

  return self->selected;
}

/**
 * ql_screen_view_set_history:
 * @self: a #QlScreenView
 * @title: (nullable): the ledger's name and state, or %NULL for none
 * @rows: (nullable) (element-type GStrv): version, date (the day the
 *   change happened), event, change, balance and note (payee and memo)
 *   of the last events, oldest first
 */
void
ql_screen_view_set_history (QlScreenView *self,
                            const char   *title,
                            GPtrArray    *rows)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  g_free (self->history_title);
  self->history_title = g_strdup (title);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  if (rows != NULL)
    self->history = g_ptr_array_ref (rows);
  draw (self);
}

/**
 * ql_screen_view_get_history_capacity:
 * @self: a #QlScreenView
 *
 * Returns: how many events of the history fit on the screen
 */
guint
ql_screen_view_get_history_capacity (QlScreenView *self)
{
  g_return_val_if_fail (QL_IS_SCREEN_VIEW (self), 0);

  /* Tabs, a blank row, the title and the header above; status and
   * footer below. */
  return self->started && LINES > 7 ? (guint) (LINES - 7) : 1;
}

static void
set_status (QlScreenView *self,
            const char   *message,
            gboolean      is_error)
{
  g_free (self->status);
  self->status = g_strdup (message);
  self->status_is_error = is_error;
  g_clear_pointer (&self->progress_label, g_free);
  draw (self);
}

void
ql_screen_view_show_status (QlScreenView *self,
                            const char   *message)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  set_status (self, message, FALSE);
}

void
ql_screen_view_show_error (QlScreenView *self,
                           const char   *message)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));

  set_status (self, message, TRUE);
}

/**
 * ql_screen_view_show_progress:
 * @self: a #QlScreenView
 * @label: what is being done
 * @fraction: how much of it is done, from 0 to 1
 *
 * Shows a progress bar on the status line, until the next status.
 */
void
ql_screen_view_show_progress (QlScreenView *self,
                              const char   *label,
                              double        fraction)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));
  g_return_if_fail (label != NULL);

  g_free (self->progress_label);
  self->progress_label = g_strdup (label);
  self->progress = CLAMP (fraction, 0.0, 1.0);
  draw (self);
}

/**
 * ql_screen_view_ask:
 * @self: a #QlScreenView
 * @question: what the status line asks
 * @answer: (nullable): the start of the answer, already typed
 *
 * Reads an answer on the status line; #QlScreenView::answered gives it.
 */
void
ql_screen_view_ask (QlScreenView *self,
                    const char   *question,
                    const char   *answer)
{
  g_return_if_fail (QL_IS_SCREEN_VIEW (self));
  g_return_if_fail (question != NULL);

  g_free (self->question);
  self->question = g_strdup (question);
  if (self->answer != NULL)
    g_string_free (self->answer, TRUE);
  self->answer = g_string_new (answer);
  g_clear_pointer (&self->status, g_free);
  draw (self);
}
