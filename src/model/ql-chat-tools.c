/* ql-chat-tools.c: the read-only lookups the assistant may call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-tools"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "ql-chat-tools.h"
#include "ql-ledger-events.h"

/* Enough for an answer, little enough for a small model's context. */
#define MAX_QUOTES 20
#define MAX_EVENTS 50

/**
 * QlChatTools:
 *
 * The tools a #QlChat offers the assistant, as OpenAI function
 * definitions, and their answers. Each one reads the quote book or the
 * ledger book through the same calls the views use; none of them writes
 * an event.
 */
struct _QlChatTools
{
  GObject       parent_instance;

  QlQuoteBook  *quotes;
  QlLedgerBook *ledgers;
};

G_DEFINE_FINAL_TYPE (QlChatTools, ql_chat_tools, G_TYPE_OBJECT)

static void
ql_chat_tools_finalize (GObject *object)
{
  QlChatTools *self = (QlChatTools *) object;

  g_clear_object (&self->quotes);
  g_clear_object (&self->ledgers);

  G_OBJECT_CLASS (ql_chat_tools_parent_class)->finalize (object);
}

static void
ql_chat_tools_class_init (QlChatToolsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_chat_tools_finalize;
}

static void
ql_chat_tools_init (QlChatTools *self)
{
}

/**
 * ql_chat_tools_new:
 * @quotes: (nullable): the quotes to search
 * @ledgers: (nullable): the ledgers to read
 *
 * Returns: (transfer full): the tools over what is given
 */
QlChatTools *
ql_chat_tools_new (QlQuoteBook  *quotes,
                   QlLedgerBook *ledgers)
{
  QlChatTools *self;

  g_return_val_if_fail (quotes == NULL || QL_IS_QUOTE_BOOK (quotes), NULL);
  g_return_val_if_fail (ledgers == NULL || QL_IS_LEDGER_BOOK (ledgers), NULL);

  self = g_object_new (QL_TYPE_CHAT_TOOLS, NULL);
  g_set_object (&self->quotes, quotes);
  g_set_object (&self->ledgers, ledgers);
  return self;
}

/* Parameter schemas are fixed JSON: written once, here. */
static const char quote_tools[] =
  "[{\"type\":\"function\",\"function\":{\"name\":\"search_quotes\","
  "\"description\":\"Find quotes whose text matches a pattern (a case-insensitive regular expression).\","
  "\"parameters\":{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"}},"
  "\"required\":[\"pattern\"]}}}]";

static const char ledger_tools[] =
  "[{\"type\":\"function\",\"function\":{\"name\":\"list_ledgers\","
  "\"description\":\"List every ledger (accounts and inventory items) with its balance and version.\","
  "\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
  "{\"type\":\"function\",\"function\":{\"name\":\"get_balance\","
  "\"description\":\"The current balance of an account, or quantity of an item.\","
  "\"parameters\":{\"type\":\"object\",\"properties\":{\"ledger\":{\"type\":\"string\"}},"
  "\"required\":[\"ledger\"]}}},"
  "{\"type\":\"function\",\"function\":{\"name\":\"get_history\","
  "\"description\":\"The events of a ledger, oldest first, with the balance after each.\","
  "\"parameters\":{\"type\":\"object\",\"properties\":{\"ledger\":{\"type\":\"string\"}},"
  "\"required\":[\"ledger\"]}}},"
  "{\"type\":\"function\",\"function\":{\"name\":\"get_state_at\","
  "\"description\":\"The balance of a ledger as it was at one version.\","
  "\"parameters\":{\"type\":\"object\",\"properties\":{\"ledger\":{\"type\":\"string\"},"
  "\"version\":{\"type\":\"integer\"}},\"required\":[\"ledger\",\"version\"]}}}]";

static void
append_definitions (JsonArray  *into,
                    const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  JsonArray *array;

  g_assert (node != NULL && JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    json_array_add_element (into, json_node_copy (json_array_get_element (array, i)));
}

/**
 * ql_chat_tools_get_definitions:
 * @self: a #QlChatTools
 *
 * Returns: (transfer full): the tools, as the `tools` member of an OpenAI
 *   chat request takes them
 */
JsonArray *
ql_chat_tools_get_definitions (QlChatTools *self)
{
  JsonArray *tools;

  g_return_val_if_fail (QL_IS_CHAT_TOOLS (self), NULL);

  tools = json_array_new ();
  if (self->quotes != NULL)
    append_definitions (tools, quote_tools);
  if (self->ledgers != NULL)
    append_definitions (tools, ledger_tools);
  return tools;
}

static const char *
kind_name (QlLedger *ledger)
{
  return ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM ? "item" : "account";
}

static void
add_ledger_state (JsonBuilder *builder,
                  QlLedger    *ledger)
{
  g_autofree char *balance = ql_ledger_format_balance (ledger);

  json_builder_set_member_name (builder, "ledger");
  json_builder_add_string_value (builder, ql_ledger_get_name (ledger));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_name (ledger));
  json_builder_set_member_name (builder, ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM
                                         ? "quantity" : "balance");
  json_builder_add_string_value (builder, balance);
  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ACCOUNT)
    {
      json_builder_set_member_name (builder, "currency");
      json_builder_add_string_value (builder, ql_ledger_get_currency (ledger));
    }
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, ql_ledger_get_version (ledger));
  if (ql_ledger_get_damage (ledger) != NULL)
    {
      json_builder_set_member_name (builder, "damaged");
      json_builder_add_string_value (builder, ql_ledger_get_damage (ledger));
    }
}

static gboolean
search_quotes (QlChatTools  *self,
               JsonBuilder  *builder,
               const char   *pattern,
               GError      **error)
{
  g_autoptr(GArray) matches = ql_quote_book_search (self->quotes, pattern, error);

  if (matches == NULL)
    return FALSE;
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, matches->len);
  json_builder_set_member_name (builder, "quotes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < matches->len && i < MAX_QUOTES; i++)
    {
      gint64 index = g_array_index (matches, gint64, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, index);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, ql_quote_book_get_text (self->quotes, index));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
}

static void
list_ledgers (QlChatTools *self,
              JsonBuilder *builder)
{
  GListModel *ledgers = ql_ledger_book_get_ledgers (self->ledgers);

  json_builder_set_member_name (builder, "ledgers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (ledgers); i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);

      json_builder_begin_object (builder);
      add_ledger_state (builder, ledger);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static QlLedger *
find_ledger (QlChatTools  *self,
             const char   *name,
             GError      **error)
{
  g_autofree char *normalized = ql_ledger_normalize_name (name, error);
  QlLedger *ledger;

  if (normalized == NULL)
    return NULL;
  ledger = ql_ledger_book_lookup (self->ledgers, normalized);
  if (ledger == NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                   _("No ledger is called “%s”"), normalized);
      return NULL;
    }
  return g_object_ref (ledger);
}

static gboolean
get_history (QlChatTools  *self,
             JsonBuilder  *builder,
             QlLedger     *ledger,
             GError      **error)
{
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (self->ledgers,
                                                            ql_ledger_get_name (ledger), error);
  gint64 balance = 0;
  guint first;

  if (events == NULL)
    return FALSE;
  first = events->len > MAX_EVENTS ? events->len - MAX_EVENTS : 0;
  json_builder_set_member_name (builder, "ledger");
  json_builder_add_string_value (builder, ql_ledger_get_name (ledger));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, events->len);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 change = ql_event_get_signed_amount (event);
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *amount = NULL;
      g_autofree char *after = NULL;
      g_autofree char *time = NULL;

      balance += change;
      if (i < first)
        continue;
      amount = ql_ledger_format_amount (ledger, change < 0 ? -change : change);
      after = ql_ledger_format_amount (ledger, balance);
      when = g_date_time_new_from_unix_utc (ql_event_get_timestamp (event) / G_USEC_PER_SEC);
      time = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, ql_event_get_version (event));
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder,
                                     ql_event_type_get_label (ql_event_get_event_type (event)));
      json_builder_set_member_name (builder, "change");
      json_builder_add_string_value (builder, change < 0 ? "-" : "+");
      json_builder_set_member_name (builder, "amount");
      json_builder_add_string_value (builder, amount);
      json_builder_set_member_name (builder, "balance_after");
      json_builder_add_string_value (builder, after);
      if (time != NULL)
        {
          json_builder_set_member_name (builder, "time");
          json_builder_add_string_value (builder, time);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
}

static gboolean
get_state_at (QlChatTools  *self,
              JsonBuilder  *builder,
              QlLedger     *ledger,
              gint64        version,
              GError      **error)
{
  g_autoptr(QlLedger) past = ql_ledger_book_state_at (self->ledgers, ql_ledger_get_name (ledger),
                                                      version, error);

  if (past == NULL)
    return FALSE;
  add_ledger_state (builder, past);
  return TRUE;
}

static const char *
string_argument (JsonObject *arguments,
                 const char *name)
{
  JsonNode *node = arguments != NULL ? json_object_get_member (arguments, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
int_argument (JsonObject *arguments,
              const char *name,
              gint64     *out_value)
{
  JsonNode *node = arguments != NULL ? json_object_get_member (arguments, name) : NULL;
  const char *text;
  char *end;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out_value = json_node_get_int (node);
      return TRUE;
    }
  /* Small models often quote numbers. */
  text = json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
  if (text == NULL || *text == '\0')
    return FALSE;
  *out_value = g_ascii_strtoll (text, &end, 10);
  return *end == '\0';
}

static gboolean
run_tool (QlChatTools  *self,
          JsonBuilder  *builder,
          const char   *name,
          JsonObject   *arguments,
          char        **out_summary,
          GError      **error)
{
  const char *text = NULL;
  gint64 version = 0;
  g_autoptr(QlLedger) ledger = NULL;

  if (g_str_equal (name, "search_quotes") && self->quotes != NULL)
    {
      text = string_argument (arguments, "pattern");
      *out_summary = g_strdup_printf (_("Searched the quotes for “%s”"), text != NULL ? text : "");
      if (text == NULL)
        goto missing;
      return search_quotes (self, builder, text, error);
    }
  if (self->ledgers == NULL)
    goto unknown;
  if (g_str_equal (name, "list_ledgers"))
    {
      *out_summary = g_strdup (_("Listed the ledgers"));
      list_ledgers (self, builder);
      return TRUE;
    }

  text = string_argument (arguments, "ledger");
  if (g_str_equal (name, "get_balance"))
    *out_summary = g_strdup_printf (_("Looked up the balance of “%s”"), text != NULL ? text : "");
  else if (g_str_equal (name, "get_history"))
    *out_summary = g_strdup_printf (_("Read the history of “%s”"), text != NULL ? text : "");
  else if (g_str_equal (name, "get_state_at"))
    {
      if (!int_argument (arguments, "version", &version))
        text = NULL;
      *out_summary = g_strdup_printf (_("Looked up “%s” at version %" PRId64),
                                      text != NULL ? text : "", version);
    }
  else
    goto unknown;
  if (text == NULL)
    goto missing;

  ledger = find_ledger (self, text, error);
  if (ledger == NULL)
    return FALSE;
  if (g_str_equal (name, "get_balance"))
    {
      add_ledger_state (builder, ledger);
      return TRUE;
    }
  if (g_str_equal (name, "get_history"))
    return get_history (self, builder, ledger, error);
  return get_state_at (self, builder, ledger, version, error);

missing:
  g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
               _("The lookup “%s” lacks an argument"), name);
  return FALSE;
unknown:
  *out_summary = g_strdup_printf (_("Asked for an unknown lookup “%s”"), name);
  g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
               _("There is no lookup called “%s”"), name);
  return FALSE;
}

/**
 * ql_chat_tools_call:
 * @self: a #QlChatTools
 * @name: the function the assistant called
 * @arguments: (nullable): its arguments, a JSON object as text
 * @out_summary: (out) (transfer full): what was looked up, translated, for
 *   views
 *
 * Runs one lookup. A failure (an unknown ledger, a bad pattern) is an
 * answer too: it comes back as `{"error": "…"}` for the assistant to read.
 *
 * Returns: (transfer full): the answer, a JSON object as text
 */
char *
ql_chat_tools_call (QlChatTools  *self,
                    const char   *name,
                    const char   *arguments,
                    char        **out_summary)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  JsonObject *object = NULL;

  g_return_val_if_fail (QL_IS_CHAT_TOOLS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (out_summary != NULL, NULL);

  if (arguments != NULL && *arguments != '\0')
    parsed = json_from_string (arguments, NULL);
  if (parsed != NULL && JSON_NODE_HOLDS_OBJECT (parsed))
    object = json_node_get_object (parsed);

  json_builder_begin_object (builder);
  if (!run_tool (self, builder, name, object, &summary, &error))
    {
      json_builder_reset (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error->message);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  *out_summary = g_steal_pointer (&summary);
  return json_to_string (root, FALSE);
}
