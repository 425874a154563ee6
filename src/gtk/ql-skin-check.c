/* ql-skin-check.c: what a skin file must be before GTK parses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-skin-check"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ql-skin-check.h"

/* Copies @css without comments and with strings emptied, so that braces
 * and @ signs in them are not counted. */
static char *
strip_comments_and_strings (const char *css)
{
  GString *out = g_string_sized_new (strlen (css));

  for (const char *p = css; *p != '\0'; p++)
    {
      if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          if (end == NULL)
            break;
          p = end + 1;
          g_string_append_c (out, ' ');
        }
      else if (*p == '"' || *p == '\'')
        {
          char quote = *p;

          g_string_append_c (out, quote);
          for (p++; *p != '\0' && *p != quote; p++)
            if (*p == '\\' && p[1] != '\0')
              p++;
          if (*p == '\0')
            break;
          g_string_append_c (out, quote);
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/**
 * ql_skin_check_css:
 * @css: a skin's text
 * @error: return location for a #GError
 *
 * Checks that @css stays within what GTK parses quickly and safely: at
 * most %QL_SKIN_MAX_RULES blocks, %QL_SKIN_MAX_COLORS `@define-color`s,
 * and colours that refer to others at most %QL_SKIN_MAX_COLOR_DEPTH deep.
 * It does not check the CSS itself: GTK's parser does that afterwards.
 *
 * Returns: %TRUE if GTK may parse @css
 */
gboolean
ql_skin_check_css (const char  *css,
                   GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) depths = NULL;
  guint rules = 0;
  guint colors = 0;

  g_return_val_if_fail (css != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = strip_comments_and_strings (css);
  depths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* An import would read a file that was never checked. */
  if (strstr (text, "@import") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A skin cannot import other files"));
      return FALSE;
    }

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '{' && ++rules > QL_SKIN_MAX_RULES)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The skin has more than %d rules"), QL_SKIN_MAX_RULES);
        return FALSE;
      }

  for (const char *p = strstr (text, "@define-color"); p != NULL; p = strstr (p, "@define-color"))
    {
      const char *name_start;
      const char *end;
      g_autofree char *name = NULL;
      guint depth = 0;

      if (++colors > QL_SKIN_MAX_COLORS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The skin defines more than %d colours"), QL_SKIN_MAX_COLORS);
          return FALSE;
        }

      p += strlen ("@define-color");
      while (g_ascii_isspace (*p))
        p++;
      name_start = p;
      while (is_name_char (*p))
        p++;
      name = g_strndup (name_start, (gsize) (p - name_start));
      end = strchr (p, ';');
      if (end == NULL)
        end = p + strlen (p);

      /* A colour is one deeper than the deepest colour it names. */
      for (const char *q = p; q < end; q++)
        {
          if (*q == '@')
            {
              const char *ref_start = ++q;
              g_autofree char *ref = NULL;

              while (q < end && is_name_char (*q))
                q++;
              ref = g_strndup (ref_start, (gsize) (q - ref_start));
              depth = MAX (depth, GPOINTER_TO_UINT (g_hash_table_lookup (depths, ref)));
              q--;
            }
        }
      depth++;

      if (depth > QL_SKIN_MAX_COLOR_DEPTH)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The colour “%s” is built on other colours more than %d deep"),
                       name, QL_SKIN_MAX_COLOR_DEPTH);
          return FALSE;
        }
      g_hash_table_insert (depths, g_steal_pointer (&name), GUINT_TO_POINTER (depth));
      p = end;
    }

  return TRUE;
}
