/* ql-errors.h: the error domains of the model
 *
 * Each quark is defined beside the code that raises most of its errors:
 * ql-ledger.c, ql-event-store.c and ql-quote-book.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define QL_LEDGER_ERROR (ql_ledger_error_quark ())

/**
 * QlLedgerError:
 * @QL_LEDGER_ERROR_NOT_FOUND: no ledger has that name
 * @QL_LEDGER_ERROR_EXISTS: a ledger with that name exists already
 * @QL_LEDGER_ERROR_INVALID_NAME: the name is empty, too long or not text
 * @QL_LEDGER_ERROR_INVALID_AMOUNT: the amount or quantity is not a positive
 *   number representable in the ledger's units
 * @QL_LEDGER_ERROR_INVALID_CURRENCY: not an ISO 4217 currency code
 * @QL_LEDGER_ERROR_INSUFFICIENT_FUNDS: a withdrawal larger than the balance
 * @QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY: a decrease below zero
 * @QL_LEDGER_ERROR_WRONG_KIND: an account command on an item, or the reverse
 * @QL_LEDGER_ERROR_NOTHING_TO_UNDO: every change is already reversed
 * @QL_LEDGER_ERROR_INVALID_VERSION: no such version of the ledger
 * @QL_LEDGER_ERROR_BUSY: other writers kept winning; nothing was written
 * @QL_LEDGER_ERROR_INVALID_IMPORT: an imported file is not in the format
 *   ql_ledger_book_import_csv() reads
 * @QL_LEDGER_ERROR_INVALID_REFERENCE: a payment reference that is too long
 *   or not text (see ql_text_check())
 * @QL_LEDGER_ERROR_INVALID_DATE: a date that is not a calendar day written
 *   as YYYY-MM-DD, or a recording time that cannot be read
 * @QL_LEDGER_ERROR_INVALID_NOTE: a payee or memo that is too long or not
 *   text, or an amendment that changes nothing
 * @QL_LEDGER_ERROR_ORDER_TAKEN: an order id that already names another
 *   request's payment or transfer
 *
 * Errors of the %QL_LEDGER_ERROR domain. Messages are translated and fit
 * to show to a user as they are.
 */
typedef enum
{
  QL_LEDGER_ERROR_NOT_FOUND,
  QL_LEDGER_ERROR_EXISTS,
  QL_LEDGER_ERROR_INVALID_NAME,
  QL_LEDGER_ERROR_INVALID_AMOUNT,
  QL_LEDGER_ERROR_INVALID_CURRENCY,
  QL_LEDGER_ERROR_INSUFFICIENT_FUNDS,
  QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY,
  QL_LEDGER_ERROR_WRONG_KIND,
  QL_LEDGER_ERROR_NOTHING_TO_UNDO,
  QL_LEDGER_ERROR_INVALID_VERSION,
  QL_LEDGER_ERROR_BUSY,
  QL_LEDGER_ERROR_INVALID_IMPORT,
  QL_LEDGER_ERROR_INVALID_REFERENCE,
  QL_LEDGER_ERROR_INVALID_DATE,
  QL_LEDGER_ERROR_INVALID_NOTE,
  QL_LEDGER_ERROR_ORDER_TAKEN,
} QlLedgerError;

GQuark ql_ledger_error_quark (void);

#define QL_STORE_ERROR (ql_store_error_quark ())

/**
 * QlStoreError:
 * @QL_STORE_ERROR_FAILED: the store could not do what was asked
 * @QL_STORE_ERROR_CONFLICT: another writer appended to the ledger first;
 *   reload its state and try again
 * @QL_STORE_ERROR_CORRUPT: the file is damaged or not a Quote Ledger database
 * @QL_STORE_ERROR_TOO_NEW: the file was written by a newer version
 * @QL_STORE_ERROR_READ_ONLY: the store cannot be written
 * @QL_STORE_ERROR_FULL: the disk is full
 *
 * Errors of the %QL_STORE_ERROR domain.
 */
typedef enum
{
  QL_STORE_ERROR_FAILED,
  QL_STORE_ERROR_CONFLICT,
  QL_STORE_ERROR_CORRUPT,
  QL_STORE_ERROR_TOO_NEW,
  QL_STORE_ERROR_READ_ONLY,
  QL_STORE_ERROR_FULL,
} QlStoreError;

GQuark ql_store_error_quark (void);

#define QL_QUOTE_ERROR (ql_quote_error_quark ())

/**
 * QlQuoteError:
 * @QL_QUOTE_ERROR_INVALID_INDEX: the text is not a whole number
 * @QL_QUOTE_ERROR_INVALID_FILE: the file holds no quotes, or is not text
 * @QL_QUOTE_ERROR_INVALID_PATTERN: a search pattern that does not compile
 *
 * Errors of the %QL_QUOTE_ERROR domain.
 */
typedef enum
{
  QL_QUOTE_ERROR_INVALID_INDEX,
  QL_QUOTE_ERROR_INVALID_FILE,
  QL_QUOTE_ERROR_INVALID_PATTERN,
} QlQuoteError;

GQuark ql_quote_error_quark (void);

#define QL_CHAT_ERROR (ql_chat_error_quark ())

/**
 * QlChatError:
 * @QL_CHAT_ERROR_UNAVAILABLE: the language model service cannot be reached
 * @QL_CHAT_ERROR_UPSTREAM: the service answered with an error, before or
 *   during the reply
 * @QL_CHAT_ERROR_TIMEOUT: the service stopped sending for too long
 * @QL_CHAT_ERROR_PROTOCOL: the service's answer is not a chat completion
 * @QL_CHAT_ERROR_BUSY: the conversation is already waiting for a reply
 * @QL_CHAT_ERROR_TOO_MANY_LOOKUPS: the assistant kept calling tools
 *   without answering
 * @QL_CHAT_ERROR_INVALID_REQUEST: a request's messages cannot be used
 *
 * Errors of the %QL_CHAT_ERROR domain.
 */
typedef enum
{
  QL_CHAT_ERROR_UNAVAILABLE,
  QL_CHAT_ERROR_UPSTREAM,
  QL_CHAT_ERROR_TIMEOUT,
  QL_CHAT_ERROR_PROTOCOL,
  QL_CHAT_ERROR_BUSY,
  QL_CHAT_ERROR_TOO_MANY_LOOKUPS,
  QL_CHAT_ERROR_INVALID_REQUEST,
} QlChatError;

GQuark ql_chat_error_quark (void);

G_END_DECLS
