/* fuzz-terminal.c: the terminal front-end fed hostile lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is what a user or a script types: the view reads it line by
 * line, the controller runs each line on the default quotes and a ledger
 * book in memory. Nothing the answers hold may drive a terminal: every
 * control character but newline is escaped.
 */
#define G_LOG_DOMAIN "fuzz-terminal"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ql-fuzz-common.h"
#include "ql-memory-event-store.h"
#include "ql-terminal-controller.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
finished_cb (QlTerminalController *controller,
             gboolean             *finished)
{
  *finished = TRUE;
}

/* Answers keep their newlines and tabs; anything else below U+0020, DEL
 * and the C1 controls must have been escaped, and invalid UTF-8 too. */
static void
check_output (GMemoryOutputStream *stream)
{
  const char *text = g_memory_output_stream_get_data (stream);
  gsize length = g_memory_output_stream_get_data_size (stream);

  if (length == 0)
    return;
  ql_fuzz_check_showable_text (text, (gssize) length);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) errors = g_memory_output_stream_new_resizable ();
  g_autoptr(QlTerminalView) view = NULL;
  g_autoptr(QlQuoteBook) quotes = ql_quote_book_new_default ();
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) ledgers = ql_ledger_book_new (store, NULL);
  g_autoptr(QlTerminalController) controller = NULL;
  gboolean finished = FALSE;

  /* Thousands of lines add nothing that a few hundred do not. */
  if (size > 16384)
    return 0;

  input = g_memory_input_stream_new_from_data (g_memdup2 (data, size), size, g_free);
  view = ql_terminal_view_new (input, output, errors, FALSE, FALSE);
  /* No settings: lines such as `theme dark` must not change the user's. */
  controller = ql_terminal_controller_new (view, quotes, ledgers, NULL);
  g_signal_connect (controller, "finished", G_CALLBACK (finished_cb), &finished);

  ql_terminal_controller_start (controller);
  while (!finished)
    g_main_context_iteration (NULL, TRUE);

  check_output (G_MEMORY_OUTPUT_STREAM (output));
  check_output (G_MEMORY_OUTPUT_STREAM (errors));

  return 0;
}
