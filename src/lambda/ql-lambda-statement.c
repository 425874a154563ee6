/* ql-lambda-statement.c: a ledger's statement between two versions, as a PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-lambda"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib/gi18n.h>

#include "ql-lambda-controller.h"
#include "ql-lambda-statement.h"
#include "ql-ledger-events.h"

/* A4 in points, and its margins. */
#define PAGE_WIDTH  595.0
#define PAGE_HEIGHT 842.0
#define MARGIN      56.0
#define LINE        16.0
#define FONT_SIZE   10.0

/* The left edges of the table's columns. */
static const double columns[] = { MARGIN, MARGIN + 60, MARGIN + 250, MARGIN + 370 };

static cairo_status_t
append (void                *closure,
        const unsigned char *data,
        unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef struct
{
  cairo_t *cr;
  double   y;
} Page;

static void
show (Page       *page,
      double      x,
      const char *text)
{
  cairo_move_to (page->cr, x, page->y);
  cairo_show_text (page->cr, text);
}

/* Moves to the next line, on a new page past the bottom margin. */
static void
next_line (Page *page)
{
  page->y += LINE;
  if (page->y > PAGE_HEIGHT - MARGIN)
    {
      cairo_show_page (page->cr);
      page->y = MARGIN;
    }
}

static void
show_row (Page       *page,
          const char *version,
          const char *change,
          const char *amount,
          const char *balance)
{
  show (page, columns[0], version);
  show (page, columns[1], change);
  show (page, columns[2], amount);
  show (page, columns[3], balance);
  next_line (page);
}

/**
 * ql_lambda_statement_render:
 * @opening: the ledger as it was at the statement's first version
 * @closing: the ledger as it was at the statement's last version
 * @changes: (element-type QlEvent): the ledger's events after @opening's
 *   version up to @closing's, in order
 * @error: return location for a #GError
 *
 * Draws the statement on A4 pages with cairo's PDF surface: the opening
 * balance, one line per change with the balance after it, and the
 * closing balance.
 *
 * Returns: (transfer full): the PDF document, or %NULL with @error set
 */
GBytes *
ql_lambda_statement_render (QlLedger   *opening,
                            QlLedger   *closing,
                            GPtrArray  *changes,
                            GError    **error)
{
  g_autoptr(GByteArray) pdf = g_byte_array_new ();
  g_autofree char *title = NULL;
  g_autofree char *range = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *opening_text = NULL;
  g_autofree char *closing_text = NULL;
  g_autofree char *opening_balance = ql_ledger_format_balance (opening);
  g_autofree char *closing_balance = ql_ledger_format_balance (closing);
  cairo_surface_t *surface;
  cairo_status_t status;
  Page page = { NULL, MARGIN };
  gint64 running = ql_ledger_get_balance (opening);

  g_return_val_if_fail (QL_IS_LEDGER (opening) && QL_IS_LEDGER (closing), NULL);
  g_return_val_if_fail (changes != NULL, NULL);

  surface = cairo_pdf_surface_create_for_stream (append, pdf, PAGE_WIDTH, PAGE_HEIGHT);
  page.cr = cairo_create (surface);
  cairo_select_font_face (page.cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  cairo_set_font_size (page.cr, 16);
  /* TRANSLATORS: the title of a ledger's PDF statement */
  title = g_strdup_printf (_("Statement of %s"), ql_ledger_get_name (opening));
  show (&page, MARGIN, title);
  page.y += 2 * LINE;

  cairo_set_font_size (page.cr, FONT_SIZE);
  from_text = g_strdup_printf ("%" G_GINT64_FORMAT, ql_ledger_get_version (opening));
  to_text = g_strdup_printf ("%" G_GINT64_FORMAT, ql_ledger_get_version (closing));
  range = g_strdup_printf (_("Versions %s to %s"), from_text, to_text);
  show (&page, MARGIN, range);
  next_line (&page);
  opening_text = g_strdup_printf (_("Opening balance: %s"), opening_balance);
  show (&page, MARGIN, opening_text);
  next_line (&page);
  next_line (&page);

  show_row (&page, _("Version"), _("Change"), _("Amount"), _("Balance"));
  for (guint i = 0; i < changes->len; i++)
    {
      QlEvent *change = g_ptr_array_index (changes, i);
      gint64 amount = ql_event_get_signed_amount (change);
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  ql_event_get_version (change));
      g_autofree char *amount_text = NULL;
      g_autofree char *balance_text = NULL;

      running += amount;
      amount_text = ql_ledger_format_amount (closing, amount);
      balance_text = ql_ledger_format_amount (closing, running);
      show_row (&page, version, ql_event_type_get_label (ql_event_get_event_type (change)),
                amount_text, balance_text);
    }

  next_line (&page);
  closing_text = g_strdup_printf (_("Closing balance: %s"), closing_balance);
  show (&page, MARGIN, closing_text);

  cairo_destroy (page.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INTERNAL,
                   _("The statement could not be drawn: %s"), cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&pdf));
}
