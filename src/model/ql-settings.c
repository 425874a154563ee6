/* ql-settings.c: the settings every front-end shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-settings"

#include "config.h"

#include "ql-settings.h"

/**
 * ql_settings_open:
 *
 * Opens the settings the colour scheme and the skin live in, which the
 * window and both terminal views observe, so that a change in one view
 * shows in the others. Unlike g_settings_new(), a missing schema is not
 * fatal: a terminal view then keeps the terminal's own colours.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when their
 *   schema is neither installed nor found through `GSETTINGS_SCHEMA_DIR`
 */
GSettings *
ql_settings_open (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}
