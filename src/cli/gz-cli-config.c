/* gz-cli-config.c: `gz-cli profile config`: each option's effective value and its source. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "gz-cli.h"

int
gz_cli_config (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  const char * const *keys;
  int status = GZ_CLI_EXIT_OK;
  int key_width = 3, value_width = 5;

  context = g_option_context_new (N_("- print the effective configuration"));
  g_option_context_set_summary (context, N_("Each option's value and where it came from: a flag, "
                                            "an environment variable, the file, or the default."));
  g_option_context_set_main_group (context, gz_cli_config_flags_group (flags, NULL));
  if (!gz_cli_parse (context, "config", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;

  keys = gz_config_list_keys ();
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = gz_config_get_string (config, keys[i]);

      key_width = MAX (key_width, (int) strlen (keys[i]));
      value_width = MAX (value_width, (int) g_utf8_strlen (value != NULL ? value : "", -1));
    }

  printf ("%-*s  %-*s  %s\n", key_width, "KEY", value_width, "VALUE", "SOURCE");
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = gz_config_get_string (config, keys[i]);
      g_autofree char *source = gz_config_describe_source (config, keys[i]);

      printf ("%-*s  %-*s  %s\n", key_width, keys[i], value_width, value != NULL ? value : "",
              source);
    }
  if (gz_config_get_path (config) != NULL)
    printf (_("\nFile: %s\n"), gz_config_get_path (config));
  return GZ_CLI_EXIT_OK;
}
