/* ql-terminal-view.c: reads lines and writes answers on a terminal or pipe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal-view"

#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "ql-line-editor.h"
#include "ql-terminal-view.h"

#define STYLE_PROMPT "\033[1m"
#define STYLE_ERROR  "\033[1;31m"
#define STYLE_NOTICE "\033[33m"
#define STYLE_RESET  "\033[0m"

/* The longest line read, without its newline. Longer ones are refused
 * and skipped up to their newline: memory stays bounded whatever comes. */
#define MAX_LINE_LENGTH (64 * 1024)

/**
 * QlTerminalView:
 *
 * The terminal's view: it writes a prompt, reads one line at a time
 * without blocking the main loop, and writes answers, errors and notices.
 * It knows nothing of quotes or ledgers.
 *
 * On a terminal everything goes to the output stream, with colour when
 * allowed, and a #QlLineEditor reads the lines when the output is the
 * terminal too. Otherwise the input is a script: errors go to their own stream
 * so that scripts can tell them apart, and no notice or extra newline
 * makes a transcript depend on timing. Control characters and invalid
 * UTF-8 in what it prints are escaped, so text from files or other users
 * can never drive the terminal.
 */
struct _QlTerminalView
{
  GObject           parent_instance;

  /* Owned References */
  GBufferedInputStream *input;
  GOutputStream    *output;
  GOutputStream    *errors;
  GCancellable     *cancellable;
  QlLineEditor     *editor;
  char             *prompt;

  gboolean          interactive;
  gboolean          colour;
  gboolean          reading;
  /* In a line too long to read, skipping up to its newline. */
  gboolean          discarding;
  guint             scan_source;
};

G_DEFINE_FINAL_TYPE (QlTerminalView, ql_terminal_view, G_TYPE_OBJECT)

enum {
  LINE_READ,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Escapes @text for printing: C0 and C1 controls, DEL and bytes that are
 * not UTF-8 become visible escapes. With @keep_newlines, newlines and
 * tabs stay as they are. */
static char *
escape_text (const char *text,
             gboolean    keep_newlines)
{
  GString *escaped = g_string_sized_new (strlen (text));
  const char *p = text;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (escaped, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }

      if ((c == '\n' || c == '\t') && keep_newlines)
        g_string_append_c (escaped, (char) c);
      else if (c == '\n')
        g_string_append (escaped, "\\n");
      else if (c == '\t')
        g_string_append (escaped, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (escaped, "\\x%02x", c);
      else if (c >= 0x80 && c < 0xa0)
        g_string_append_printf (escaped, "\\u%04x", c);
      else
        g_string_append_len (escaped, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  return g_string_free (escaped, FALSE);
}

static void
write_text (GOutputStream *stream,
            const char    *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (stream, text, strlen (text), NULL, NULL, &error))
    g_debug ("Could not write: %s", error->message);
}

/* Writes @text, escaped, in @style when colour is on, then a newline. */
static void
write_line (QlTerminalView *self,
            GOutputStream  *stream,
            const char     *style,
            const char     *text,
            gboolean        keep_newlines)
{
  g_autofree char *escaped = escape_text (text, keep_newlines);
  g_autofree char *line = NULL;

  if (self->colour && style != NULL)
    line = g_strconcat (style, escaped, STYLE_RESET "\n", NULL);
  else
    line = g_strconcat (escaped, "\n", NULL);

  write_text (stream, line);
}

static void
write_prompt (QlTerminalView *self)
{
  g_autofree char *escaped = escape_text (self->prompt, FALSE);

  if (self->colour)
    {
      g_autofree char *styled = g_strconcat (STYLE_PROMPT, escaped, STYLE_RESET, NULL);

      write_text (self->output, styled);
    }
  else
    {
      write_text (self->output, escaped);
    }
}

/* Hands @length bytes of @data, a whole line, to the controller. A NUL
 * byte would cut the line short unseen: it becomes visible. */
static void
emit_line (QlTerminalView *self,
           const char     *data,
           gsize           length)
{
  GString *line = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\0')
        g_string_append (line, "\xef\xbf\xbd");
      else
        g_string_append_c (line, data[i]);
    }

  self->reading = FALSE;
  g_signal_emit (self, signals[LINE_READ], 0, line->str);
  g_string_free (line, TRUE);
}

static void fill_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
fill (QlTerminalView *self)
{
  g_buffered_input_stream_fill_async (self->input, -1, G_PRIORITY_DEFAULT, self->cancellable,
                                      fill_cb, g_object_ref (self));
}

/* Looks for a whole line in what was read; reads more when there is none.
 * With @at_end, what is left is the last line, without its newline. */
static void
scan (QlTerminalView *self,
      gboolean        at_end)
{
  gsize available = 0;
  const char *data = g_buffered_input_stream_peek_buffer (self->input, &available);
  const char *newline = memchr (data, '\n', available);

  if (newline != NULL)
    {
      gsize length = (gsize) (newline - data);
      g_autofree char *copy = self->discarding ? NULL : g_memdup2 (data, length);

      g_input_stream_skip (G_INPUT_STREAM (self->input), length + 1, NULL, NULL);
      if (self->discarding)
        {
          /* The rest of the refused line is gone: ask again. */
          self->discarding = FALSE;
          write_prompt (self);
          scan (self, at_end);
          return;
        }
      emit_line (self, copy, length);
      return;
    }

  if (available > MAX_LINE_LENGTH && !self->discarding)
    {
      g_autofree char *message = g_strdup_printf (_("The line is longer than %d bytes and was not read."),
                                                  MAX_LINE_LENGTH);

      self->discarding = TRUE;
      ql_terminal_view_show_error (self, message);
    }

  if (self->discarding)
    g_input_stream_skip (G_INPUT_STREAM (self->input), available, NULL, NULL);

  if (!at_end)
    {
      fill (self);
      return;
    }

  if (available > 0 && !self->discarding)
    {
      g_autofree char *copy = g_memdup2 (data, available);

      g_input_stream_skip (G_INPUT_STREAM (self->input), available, NULL, NULL);
      emit_line (self, copy, available);
      return;
    }

  self->reading = FALSE;
  /* Leave the shell's prompt on a line of its own. */
  if (self->interactive)
    write_text (self->output, "\n");
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
fill_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(QlTerminalView) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n_read;

  g_assert (QL_IS_TERMINAL_VIEW (self));

  n_read = g_buffered_input_stream_fill_finish (G_BUFFERED_INPUT_STREAM (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      self->reading = FALSE;
      ql_terminal_view_show_error (self, error->message);
      g_signal_emit (self, signals[CLOSED], 0);
      return;
    }

  scan (self, n_read == 0);
}

/* A line already read is handed over from the main loop, as one read
 * from the input is, never from inside ql_terminal_view_ask(). */
static gboolean
scan_idle_cb (gpointer user_data)
{
  QlTerminalView *self = user_data;

  self->scan_source = 0;
  scan (self, FALSE);

  return G_SOURCE_REMOVE;
}

static void
editor_line_read_cb (QlTerminalView *self,
                     const char     *line)
{
  gsize length = strlen (line);

  if (length > MAX_LINE_LENGTH)
    {
      g_autofree char *message = g_strdup_printf (_("The line is longer than %d bytes and was not read."),
                                                  MAX_LINE_LENGTH);

      ql_terminal_view_show_error (self, message);
      ql_line_editor_ask (self->editor, self->prompt);
      return;
    }

  emit_line (self, line, length);
}

static void
editor_closed_cb (QlTerminalView *self)
{
  self->reading = FALSE;
  /* Leave the shell's prompt on a line of its own. */
  write_text (self->output, "\n");
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
ql_terminal_view_dispose (GObject *object)
{
  QlTerminalView *self = (QlTerminalView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->scan_source, g_source_remove);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->errors);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->editor);

  G_OBJECT_CLASS (ql_terminal_view_parent_class)->dispose (object);
}

static void
ql_terminal_view_finalize (GObject *object)
{
  QlTerminalView *self = (QlTerminalView *) object;

  g_clear_pointer (&self->prompt, g_free);

  G_OBJECT_CLASS (ql_terminal_view_parent_class)->finalize (object);
}

static void
ql_terminal_view_class_init (QlTerminalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_terminal_view_dispose;
  object_class->finalize = ql_terminal_view_finalize;

  /**
   * QlTerminalView::line-read:
   * @self: a #QlTerminalView
   * @line: the line, without its newline; possibly not UTF-8
   *
   * Emitted when the user answered the prompt of ql_terminal_view_ask().
   */
  signals[LINE_READ] =
    g_signal_new ("line-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * QlTerminalView::closed:
   * @self: a #QlTerminalView
   *
   * Emitted at the end of the input: nothing more will be read.
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ql_terminal_view_init (QlTerminalView *self)
{
  self->cancellable = g_cancellable_new ();
  self->prompt = g_strdup ("");
}

/**
 * ql_terminal_view_new:
 * @input: where lines are read from
 * @output: where answers, and on a terminal errors too, are written
 * @errors: where errors are written when not @interactive
 * @interactive: whether a person types the input on a terminal
 * @colour: whether to write colour escape sequences
 *
 * Returns: (transfer full): a new #QlTerminalView
 */
QlTerminalView *
ql_terminal_view_new (GInputStream  *input,
                      GOutputStream *output,
                      GOutputStream *errors,
                      gboolean       interactive,
                      gboolean       colour)
{
  QlTerminalView *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (input), NULL);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), NULL);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (errors), NULL);

  self = g_object_new (QL_TYPE_TERMINAL_VIEW, NULL);
  /* One byte more than the longest line: a full buffer without a newline
   * is a line too long. */
  self->input = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (input, MAX_LINE_LENGTH + 1));
  self->output = g_object_ref (output);
  self->errors = g_object_ref (errors);
  self->interactive = interactive;
  self->colour = colour;

  return self;
}

static gboolean
colour_allowed (void)
{
  const char *no_colour = g_getenv ("NO_COLOR");
  const char *term = g_getenv ("TERM");

  /* https://no-color.org: any non-empty NO_COLOR turns colour off. */
  if (no_colour != NULL && *no_colour != '\0')
    return FALSE;

  return isatty (STDOUT_FILENO) && g_strcmp0 (term, "dumb") != 0;
}

/**
 * ql_terminal_view_new_for_stdio:
 *
 * Creates the view of the process's standard streams: interactive when
 * standard input is a terminal, with colour when standard output is a
 * terminal too and `NO_COLOR` is not set. A closed standard input reads
 * as an empty one.
 *
 * Returns: (transfer full): a new #QlTerminalView
 */
QlTerminalView *
ql_terminal_view_new_for_stdio (void)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(GOutputStream) errors = g_unix_output_stream_new (STDERR_FILENO, FALSE);
  gboolean interactive = isatty (STDIN_FILENO);
  QlTerminalView *self;

  /* A closed standard input is an empty one; polling it would never end. */
  if (fcntl (STDIN_FILENO, F_GETFD) == -1)
    input = g_memory_input_stream_new ();
  else
    input = g_unix_input_stream_new (STDIN_FILENO, FALSE);

  self = ql_terminal_view_new (input, output, errors, interactive,
                               interactive && colour_allowed ());

  /* Editing needs the terminal on both sides; pipes are read as ever. */
  if (interactive && isatty (STDOUT_FILENO))
    {
      g_autofree char *history = g_build_filename (g_get_user_state_dir (), "quote-ledger",
                                                   "history", NULL);

      self->editor = ql_line_editor_new (history);
      g_signal_connect_object (self->editor, "line-read", G_CALLBACK (editor_line_read_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->editor, "closed", G_CALLBACK (editor_closed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  return self;
}

/**
 * ql_terminal_view_set_complete_func:
 * @self: a #QlTerminalView
 * @func: what offers the words Tab completes
 * @user_data: data for @func
 *
 * Gives the words a person can complete with Tab, when the view edits
 * lines; without line editing there is nothing to complete.
 */
void
ql_terminal_view_set_complete_func (QlTerminalView           *self,
                                    QlLineEditorCompleteFunc  func,
                                    gpointer                  user_data)
{
  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));

  if (self->editor != NULL)
    ql_line_editor_set_complete_func (self->editor, func, user_data);
}

/**
 * ql_terminal_view_hold_interrupt:
 * @self: a #QlTerminalView
 * @held: whether the caller answers Ctrl+C for now
 *
 * While @held, Ctrl+C does not end the program through the line editor;
 * the caller watches SIGINT itself.
 */
void
ql_terminal_view_hold_interrupt (QlTerminalView *self,
                                 gboolean        held)
{
  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));

  if (self->editor != NULL)
    ql_line_editor_hold_interrupt (self->editor, held);
}

/**
 * ql_terminal_view_get_interactive:
 * @self: a #QlTerminalView
 *
 * Returns: whether a person types the input on a terminal
 */
gboolean
ql_terminal_view_get_interactive (QlTerminalView *self)
{
  g_return_val_if_fail (QL_IS_TERMINAL_VIEW (self), FALSE);

  return self->interactive;
}

/**
 * ql_terminal_view_ask:
 * @self: a #QlTerminalView
 * @prompt: what to ask, written without a newline
 *
 * Writes @prompt and reads one line in the background. The answer comes
 * with #QlTerminalView::line-read, or #QlTerminalView::closed at the end
 * of the input.
 */
void
ql_terminal_view_ask (QlTerminalView *self,
                      const char     *prompt)
{
  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (prompt != NULL);
  g_return_if_fail (!self->reading);

  g_free (self->prompt);
  self->reading = TRUE;

  if (self->editor != NULL)
    {
      g_autofree char *escaped = escape_text (prompt, FALSE);

      /* Readline is told the style takes no room on the line. */
      if (self->colour)
        self->prompt = g_strconcat ("\001" STYLE_PROMPT "\002", escaped,
                                    "\001" STYLE_RESET "\002", NULL);
      else
        self->prompt = g_steal_pointer (&escaped);
      ql_line_editor_ask (self->editor, self->prompt);
      return;
    }

  self->prompt = g_strdup (prompt);
  write_prompt (self);
  self->scan_source = g_idle_add (scan_idle_cb, self);
}

/**
 * ql_terminal_view_show:
 * @self: a #QlTerminalView
 * @text: an answer, possibly of several lines
 *
 * Writes @text and a newline.
 */
void
ql_terminal_view_show (QlTerminalView *self,
                       const char     *text)
{
  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (text != NULL);

  write_line (self, self->output, NULL, text, TRUE);
}

/**
 * ql_terminal_view_show_partial:
 * @self: a #QlTerminalView
 * @text: a piece of an answer still arriving
 *
 * Writes @text as it is, without a newline, for answers that stream.
 */
void
ql_terminal_view_show_partial (QlTerminalView *self,
                               const char     *text)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (text != NULL);

  escaped = escape_text (text, TRUE);
  write_text (self->output, escaped);
}

/**
 * ql_terminal_view_show_error:
 * @self: a #QlTerminalView
 * @message: what went wrong
 *
 * Writes one line, `Error: ` and @message, to the error stream unless
 * the view is interactive.
 */
void
ql_terminal_view_show_error (QlTerminalView *self,
                             const char     *message)
{
  g_autofree char *line = NULL;

  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (message != NULL);

  line = g_strdup_printf (_("Error: %s"), message);
  write_line (self, self->interactive ? self->output : self->errors, STYLE_ERROR, line, FALSE);
}

/**
 * ql_terminal_view_show_notice:
 * @self: a #QlTerminalView
 * @text: news the user did not ask for
 *
 * Writes @text on a terminal, where a person may want to know, and asks
 * the pending question again. Without a terminal, notices would make the
 * output depend on timing, so they are dropped.
 */
void
ql_terminal_view_show_notice (QlTerminalView *self,
                              const char     *text)
{
  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (text != NULL);

  if (!self->interactive)
    return;

  if (self->editor != NULL)
    {
      ql_line_editor_hide_line (self->editor);
      write_line (self, self->output, STYLE_NOTICE, text, FALSE);
      ql_line_editor_show_line (self->editor);
      return;
    }

  if (self->reading)
    write_text (self->output, "\n");
  write_line (self, self->output, STYLE_NOTICE, text, FALSE);
  if (self->reading)
    write_prompt (self);
}

/**
 * ql_terminal_view_show_warning:
 * @self: a #QlTerminalView
 * @message: something the user must know before going on
 *
 * Writes one line, `Note: ` and @message, where errors go: unlike a
 * notice it does not depend on timing, so scripts see it too.
 */
void
ql_terminal_view_show_warning (QlTerminalView *self,
                               const char     *message)
{
  g_autofree char *line = NULL;

  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (message != NULL);

  line = g_strdup_printf (_("Note: %s"), message);
  write_line (self, self->interactive ? self->output : self->errors, STYLE_NOTICE, line, FALSE);
}

/**
 * ql_terminal_view_show_progress:
 * @self: a #QlTerminalView
 * @text: what is being done
 * @fraction: how much of it is done, from 0 to 1
 *
 * Shows how far long work has come, on one line that each call rewrites,
 * and clears that line at 1. Only a person at a terminal sees progress: in
 * a pipe it would be noise between answers.
 */
void
ql_terminal_view_show_progress (QlTerminalView *self,
                                const char     *text,
                                double          fraction)
{
  g_autofree char *escaped = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (QL_IS_TERMINAL_VIEW (self));
  g_return_if_fail (text != NULL);

  if (!self->interactive)
    return;

  if (fraction >= 1.0)
    {
      write_text (self->output, "\r\033[K");
      return;
    }

  escaped = escape_text (text, FALSE);
  line = g_strdup_printf ("\r\033[K%s %3d%%", escaped, (int) (CLAMP (fraction, 0.0, 1.0) * 100));
  write_text (self->output, line);
}
