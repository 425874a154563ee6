/* ql-line-editor.c: line editing, history and completion on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-line-editor"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "ql-line-editor.h"

/* Lines kept in the history file. */
#define HISTORY_SIZE 1000

/**
 * QlLineEditor:
 *
 * Reads lines typed on the terminal with GNU Readline: arrow keys move
 * and edit, Up and Down walk the history, which is kept in a file
 * between runs, and Tab completes words a #QlLineEditorCompleteFunc
 * offers. It reads from the main loop through Readline's callback
 * interface, so other work goes on while a person types.
 *
 * Only a terminal gets one: piped input is read as it always was.
 */
struct _QlLineEditor
{
  GObject                   parent_instance;

  char                     *history_path;
  char                     *prompt;
  /* The line Readline gave back, handed on once Readline has returned. */
  char                     *line;
  /* What was typed while a notice is printed above it. */
  char                     *hidden_text;

  QlLineEditorCompleteFunc  complete;
  gpointer                  complete_data;
  GStrv                     candidates;
  guint                     next_candidate;

  guint                     input_source;
  guint                     signal_sources[4];
  int                       hidden_point;
  /* Someone else answers Ctrl+C for now: it does not end the program. */
  gboolean                  interrupt_held;
  gboolean                  installed;
  gboolean                  at_end;
};

G_DEFINE_FINAL_TYPE (QlLineEditor, ql_line_editor, G_TYPE_OBJECT)

enum {
  LINE_READ,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Readline is one per process and its callbacks carry no data: this is
 * the editor they belong to, set while one is asking. */
static QlLineEditor *asking_editor;

static void
line_cb (char *line)
{
  QlLineEditor *self = asking_editor;

  g_return_if_fail (self != NULL);

  if (line == NULL)
    self->at_end = TRUE;
  else
    self->line = g_strdup (line);
  free (line);

  /* No new prompt until asked again: the answer comes first. The
   * terminal stays in Readline's mode meanwhile: keys typed ahead, Ctrl+D
   * among them, wait for the next question as they are, never taken by
   * the terminal's own line editing in between. */
  rl_callback_handler_remove ();
  self->installed = FALSE;
  if (line != NULL)
    rl_prep_terminal (1);
}

static void
remember (QlLineEditor *self,
          const char   *line)
{
  HIST_ENTRY *last;

  if (*line == '\0')
    return;

  last = history_length > 0 ? history_get (history_base + history_length - 1) : NULL;
  if (last != NULL && g_str_equal (last->line, line))
    return;

  add_history (line);
  if (self->history_path == NULL)
    return;

  /* One line appended at a time: a run that is killed loses nothing. */
  if (!g_file_test (self->history_path, G_FILE_TEST_EXISTS))
    {
      if (write_history (self->history_path) != 0)
        g_debug ("Could not write %s", self->history_path);
    }
  else if (append_history (1, self->history_path) != 0)
    {
      g_debug ("Could not append to %s", self->history_path);
    }
}

static gboolean
input_ready_cb (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  QlLineEditor *self = user_data;
  g_autofree char *line = NULL;

  rl_callback_read_char ();

  if (self->at_end)
    {
      self->input_source = 0;
      asking_editor = NULL;
      g_signal_emit (self, signals[CLOSED], 0);
      return G_SOURCE_REMOVE;
    }

  if (self->line == NULL)
    return G_SOURCE_CONTINUE;

  line = g_steal_pointer (&self->line);
  self->input_source = 0;
  asking_editor = NULL;
  remember (self, line);
  g_signal_emit (self, signals[LINE_READ], 0, line);

  return G_SOURCE_REMOVE;
}

static char *
next_candidate (const char *text,
                int         state)
{
  QlLineEditor *self = asking_editor;
  gsize length = strlen (text);

  if (self == NULL || self->candidates == NULL)
    return NULL;

  /* Readline asks for the first match with @state 0, then for more. */
  if (state == 0)
    self->next_candidate = 0;

  while (self->candidates[self->next_candidate] != NULL)
    {
      const char *candidate = self->candidates[self->next_candidate++];

      /* A word in double quotes is found by its text too. */
      if (strncmp (candidate, text, length) == 0 ||
          (candidate[0] == '"' && strncmp (candidate + 1, text, length) == 0))
        return strdup (candidate);
    }

  return NULL;
}

/* Splits what is before the word being completed as the controller
 * splits lines: at spaces and tabs, double quotes grouping. */
static GStrv
words_before (const char *line,
              int         end)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);
  gboolean in_word = FALSE;
  gboolean quoted = FALSE;

  for (int i = 0; i < end; i++)
    {
      if (line[i] == '"')
        {
          quoted = !quoted;
          in_word = TRUE;
        }
      else if (!quoted && (line[i] == ' ' || line[i] == '\t'))
        {
          if (in_word)
            g_strv_builder_add (builder, word->str);
          g_string_truncate (word, 0);
          in_word = FALSE;
        }
      else
        {
          g_string_append_c (word, line[i]);
          in_word = TRUE;
        }
    }

  return g_strv_builder_end (builder);
}

static char **
attempted_completion (const char *text,
                      int         start,
                      int         end)
{
  QlLineEditor *self = asking_editor;
  g_auto(GStrv) words = NULL;

  /* Never file names: a word the program does not know is not completed. */
  rl_attempted_completion_over = 1;
  if (self == NULL || self->complete == NULL)
    return NULL;

  words = words_before (rl_line_buffer, start);
  g_clear_pointer (&self->candidates, g_strfreev);
  self->candidates = self->complete ((const char * const *) words, g_strv_length (words),
                                     self->complete_data);

  return rl_completion_matches (text, next_candidate);
}

/* A signal that ends the program leaves the terminal as it found it. */
static gboolean
stop_signal_cb (gpointer user_data)
{
  int signum = GPOINTER_TO_INT (user_data);

  rl_callback_handler_remove ();
  rl_deprep_terminal ();
  signal (signum, SIG_DFL);
  raise (signum);

  return G_SOURCE_REMOVE;
}

/* Ctrl+C ends the program as SIGINT does, unless it is held. */
static gboolean
interrupt_cb (gpointer user_data)
{
  QlLineEditor *self = user_data;

  if (self->interrupt_held)
    return G_SOURCE_CONTINUE;

  return stop_signal_cb (GINT_TO_POINTER (SIGINT));
}

static gboolean
resized_cb (gpointer user_data)
{
  rl_resize_terminal ();

  return G_SOURCE_CONTINUE;
}

static void
ql_line_editor_dispose (GObject *object)
{
  QlLineEditor *self = (QlLineEditor *) object;

  if (self->installed)
    rl_callback_handler_remove ();
  self->installed = FALSE;
  /* The terminal as it was before, whether a line was being read or not. */
  rl_deprep_terminal ();
  if (asking_editor == self)
    asking_editor = NULL;
  g_clear_handle_id (&self->input_source, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);

  G_OBJECT_CLASS (ql_line_editor_parent_class)->dispose (object);
}

static void
ql_line_editor_finalize (GObject *object)
{
  QlLineEditor *self = (QlLineEditor *) object;

  if (self->history_path != NULL)
    history_truncate_file (self->history_path, HISTORY_SIZE);
  clear_history ();

  g_clear_pointer (&self->history_path, g_free);
  g_clear_pointer (&self->prompt, g_free);
  g_clear_pointer (&self->line, g_free);
  g_clear_pointer (&self->hidden_text, free);
  g_clear_pointer (&self->candidates, g_strfreev);

  G_OBJECT_CLASS (ql_line_editor_parent_class)->finalize (object);
}

static void
ql_line_editor_class_init (QlLineEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_line_editor_dispose;
  object_class->finalize = ql_line_editor_finalize;

  /**
   * QlLineEditor::line-read:
   * @self: a #QlLineEditor
   * @line: the line typed, without its newline
   *
   * Emitted when the user answered the prompt of ql_line_editor_ask().
   */
  signals[LINE_READ] =
    g_signal_new ("line-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * QlLineEditor::closed:
   * @self: a #QlLineEditor
   *
   * Emitted when the user ended the input (Ctrl+D on an empty line).
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ql_line_editor_init (QlLineEditor *self)
{
}

/**
 * ql_line_editor_new:
 * @history_path: (nullable): the file the history is kept in, or %NULL to
 *   keep none between runs
 *
 * Sets Readline up for the process's terminal and reads the history.
 *
 * Returns: (transfer full): a new #QlLineEditor
 */
QlLineEditor *
ql_line_editor_new (const char *history_path)
{
  static const int stop_signals[] = { SIGTERM, SIGHUP };
  QlLineEditor *self = g_object_new (QL_TYPE_LINE_EDITOR, NULL);

  rl_readline_name = "quote-ledger";
  rl_attempted_completion_function = attempted_completion;
  rl_completer_word_break_characters = (char *) " \t";
  /* A paste of several lines runs them one by one, as typed. */
  rl_variable_bind ("enable-bracketed-paste", "off");
  /* Nothing is written to the terminal that the user did not ask for. */
  rl_variable_bind ("enable-meta-key", "off");
  using_history ();
  stifle_history (HISTORY_SIZE);

  if (history_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (history_path);
      int error;

      self->history_path = g_strdup (history_path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        g_debug ("Could not create %s: %s", dir, g_strerror (errno));
      error = read_history (history_path);
      if (error != 0 && error != ENOENT)
        g_debug ("Could not read %s: %s", history_path, g_strerror (error));
    }

  for (guint i = 0; i < G_N_ELEMENTS (stop_signals); i++)
    self->signal_sources[i] = g_unix_signal_add (stop_signals[i], stop_signal_cb,
                                                 GINT_TO_POINTER (stop_signals[i]));
  self->signal_sources[G_N_ELEMENTS (stop_signals)] = g_unix_signal_add (SIGINT, interrupt_cb,
                                                                         self);
  self->signal_sources[G_N_ELEMENTS (stop_signals) + 1] = g_unix_signal_add (SIGWINCH,
                                                                             resized_cb, NULL);

  return self;
}

/**
 * ql_line_editor_hold_interrupt:
 * @self: a #QlLineEditor
 * @held: whether Ctrl+C is answered elsewhere
 *
 * While @held, Ctrl+C (SIGINT) is left to whoever asked, such as an
 * answer that it stops, instead of ending the program.
 */
void
ql_line_editor_hold_interrupt (QlLineEditor *self,
                               gboolean      held)
{
  g_return_if_fail (QL_IS_LINE_EDITOR (self));

  self->interrupt_held = held;
}

/**
 * ql_line_editor_set_complete_func:
 * @self: a #QlLineEditor
 * @func: (nullable): what offers the words Tab completes
 * @user_data: data for @func
 */
void
ql_line_editor_set_complete_func (QlLineEditor             *self,
                                  QlLineEditorCompleteFunc  func,
                                  gpointer                  user_data)
{
  g_return_if_fail (QL_IS_LINE_EDITOR (self));

  self->complete = func;
  self->complete_data = user_data;
}

/**
 * ql_line_editor_ask:
 * @self: a #QlLineEditor
 * @prompt: what to ask; bytes between `\001` and `\002` are taken as
 *   taking no room on the screen, as Readline does
 *
 * Shows @prompt and reads one line from the main loop. The answer comes
 * with #QlLineEditor::line-read, or #QlLineEditor::closed.
 */
void
ql_line_editor_ask (QlLineEditor *self,
                    const char   *prompt)
{
  g_return_if_fail (QL_IS_LINE_EDITOR (self));
  g_return_if_fail (prompt != NULL);
  g_return_if_fail (asking_editor == NULL);

  g_free (self->prompt);
  self->prompt = g_strdup (prompt);
  asking_editor = self;
  self->installed = TRUE;
  rl_callback_handler_install (self->prompt, line_cb);
  self->input_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      input_ready_cb, self);
}

/**
 * ql_line_editor_hide_line:
 * @self: a #QlLineEditor
 *
 * Takes the prompt and what was typed off the screen, so that something
 * can be printed in their place; ql_line_editor_show_line() brings them
 * back below it.
 */
void
ql_line_editor_hide_line (QlLineEditor *self)
{
  g_return_if_fail (QL_IS_LINE_EDITOR (self));

  if (!self->installed || self->hidden_text != NULL)
    return;

  self->hidden_text = rl_copy_text (0, rl_end);
  self->hidden_point = rl_point;
  rl_set_prompt ("");
  rl_replace_line ("", 0);
  rl_redisplay ();
}

/**
 * ql_line_editor_show_line:
 * @self: a #QlLineEditor
 *
 * Shows the prompt and what was typed again, after
 * ql_line_editor_hide_line().
 */
void
ql_line_editor_show_line (QlLineEditor *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (QL_IS_LINE_EDITOR (self));

  if (!self->installed || self->hidden_text == NULL)
    return;

  /* Readline's own copy is free()d, not g_free()d. */
  text = g_strdup (self->hidden_text);
  free (g_steal_pointer (&self->hidden_text));
  rl_set_prompt (self->prompt);
  rl_replace_line (text, 0);
  rl_point = self->hidden_point;
  rl_on_new_line ();
  rl_redisplay ();
}
