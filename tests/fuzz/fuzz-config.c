/* fuzz-config.c: libFuzzer target for the configuration file (profile.ini, a GKeyFile with gz's
 * own line scan and value checks): any bytes load or fail with a GZ_CONFIG_ERROR, never a
 * crash, a leak or a hang; what loads answers every key. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gz-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static int fd = -1;
  static char path[64];
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = NULL;
  const char * const *keys;

  /* a file in memory, read through its /proc path as --config FILE would be */
  if (fd < 0)
    {
      fd = memfd_create ("fuzz-config.ini", MFD_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    }
  g_assert_cmpint (ftruncate (fd, 0), ==, 0);
  g_assert_cmpint (pwrite (fd, data, size, 0), ==, (ssize_t) size);

  config = gz_config_new (path, &error);
  if (config == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GZ_CONFIG_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  keys = gz_config_list_keys ();
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *source = gz_config_describe_source (config, keys[i]);

      g_assert_nonnull (source);
      g_assert_nonnull (gz_config_get_string (config, keys[i]));
    }
  return 0;
}
