/* gz-cli-common.c: error lines, option parsing, the configuration flags and the Ctrl-C
 * handling every command shares. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "gz-cli.h"

struct _GzCliConfigFlags
{
  char      *config_path;
  GPtrArray *keys;   /* in command-line order */
  GPtrArray *values;
  GPtrArray *help;   /* descriptions the option entries point to */
  GArray    *entries;
};

int
gz_cli_fail (int         status,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the message carried. */
  g_strdelimit (message, "\n", ' ');
  fflush (stdout);
  fprintf (stderr, "gz-cli: %s\n", message);
  return status;
}

gboolean
gz_cli_parse (GOptionContext *context,
              const char     *command,
              int            *argc,
              char         ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("gz-cli profile %s", command);
  gboolean parsed;

  /* --help's usage line names the subcommand; its texts are marked N_() where they are written. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_set_prgname (prgname);
  parsed = g_option_context_parse (context, argc, argv, &error);
  g_set_prgname ("gz-cli");
  if (!parsed)
    {
      char *message = error->message;

      if (message[0] != '\0')
        message[0] = g_ascii_tolower (message[0]);
      gz_cli_fail (GZ_CLI_EXIT_USAGE, _("%s; see gz-cli profile %s --help"), message, command);
      return FALSE;
    }
  if (*argc > 1)
    {
      gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unexpected argument \"%s\"; see gz-cli profile %s --help"),
                   (*argv)[1], command);
      return FALSE;
    }
  return TRUE;
}

GzCliConfigFlags *
gz_cli_config_flags_new (void)
{
  GzCliConfigFlags *flags = g_new0 (GzCliConfigFlags, 1);

  flags->keys = g_ptr_array_new_with_free_func (g_free);
  flags->values = g_ptr_array_new_with_free_func (g_free);
  flags->help = g_ptr_array_new_with_free_func (g_free);
  flags->entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  return flags;
}

void
gz_cli_config_flags_free (GzCliConfigFlags *flags)
{
  if (flags == NULL)
    return;
  g_free (flags->config_path);
  g_ptr_array_unref (flags->keys);
  g_ptr_array_unref (flags->values);
  g_ptr_array_unref (flags->help);
  g_array_unref (flags->entries);
  g_free (flags);
}

static gboolean
on_config_flag (const char *option_name,
                const char *value,
                gpointer    data,
                GError    **error)
{
  GzCliConfigFlags *flags = data;

  if (g_str_equal (option_name, "--config"))
    {
      g_free (flags->config_path);
      flags->config_path = g_strdup (value);
      return TRUE;
    }
  g_ptr_array_add (flags->keys, g_strdup (option_name + 2));
  g_ptr_array_add (flags->values, g_strdup (value));
  return TRUE;
}

GOptionGroup *
gz_cli_config_flags_group (GzCliConfigFlags   *flags,
                           const char * const *only)
{
  const char * const *keys = gz_config_list_keys ();
  GOptionGroup *group;
  GOptionEntry config_entry = {
    "config", 'c', 0, G_OPTION_ARG_CALLBACK, on_config_flag,
    N_("Read options from FILE instead of $XDG_CONFIG_HOME/gz/profile.ini"), "FILE"
  };

  g_array_set_size (flags->entries, 0);
  g_array_append_val (flags->entries, config_entry);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *env = NULL;
      GOptionEntry entry = { keys[i], 0, 0, G_OPTION_ARG_CALLBACK, on_config_flag, NULL, "VALUE" };
      char *help;

      if (only != NULL && !g_strv_contains (only, keys[i]))
        continue;
      env = gz_config_env_name (keys[i]);
      /* Translators: an option's description, then the environment variable that also sets it. */
      help = g_strdup_printf (_("%s (also %s)"), gz_config_get_key_help (keys[i]), env);
      help[0] = g_ascii_toupper (help[0]);
      g_ptr_array_add (flags->help, help);
      entry.description = help;
      if (g_str_equal (keys[i], "duration"))
        entry.arg_description = "DURATION";
      else if (g_str_has_suffix (keys[i], "-dir") || g_str_has_suffix (keys[i], "-file"))
        entry.arg_description = "PATH";
      g_array_append_val (flags->entries, entry);
    }

  group = g_option_group_new ("config", N_("Configuration options (flag > env > file > default):"),
                              N_("Show the configuration options"), flags, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, (GOptionEntry *) flags->entries->data);
  return group;
}

const char *
gz_cli_config_flags_lookup (GzCliConfigFlags *flags,
                            const char       *key)
{
  const char *value = NULL;

  /* The last one given wins, as the flags are applied in order. */
  for (guint i = 0; i < flags->keys->len; i++)
    if (g_str_equal (g_ptr_array_index (flags->keys, i), key))
      value = g_ptr_array_index (flags->values, i);
  return value;
}

GzConfig *
gz_cli_load_config (GzCliConfigFlags *flags,
                    int              *status)
{
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = gz_config_new (flags != NULL ? flags->config_path : NULL, &error);
  if (config == NULL)
    {
      *status = gz_cli_fail (GZ_CLI_EXIT_USAGE, "%s", error->message);
      return NULL;
    }
  for (guint i = 0; flags != NULL && i < flags->keys->len; i++)
    {
      if (!gz_config_set_flag (config, g_ptr_array_index (flags->keys, i),
                               g_ptr_array_index (flags->values, i), &error))
        {
          *status = gz_cli_fail (GZ_CLI_EXIT_USAGE, "%s", error->message);
          return NULL;
        }
    }
  return g_steal_pointer (&config);
}

static gboolean
on_interrupt (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_CONTINUE;
}

void
gz_cli_interrupt_arm (GzCliInterrupt *self,
                      GCancellable   *cancellable)
{
  self->sigint = g_unix_signal_add (SIGINT, on_interrupt, cancellable);
  self->sigterm = g_unix_signal_add (SIGTERM, on_interrupt, cancellable);
}

void
gz_cli_interrupt_disarm (GzCliInterrupt *self)
{
  g_clear_handle_id (&self->sigint, g_source_remove);
  g_clear_handle_id (&self->sigterm, g_source_remove);
}
