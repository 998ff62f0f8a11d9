/* gz-preload-paths.c: the preload library's path and the check that a program can take it;
 * the folder of the sockets of the programs `gz-cli profile run` serves. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gz-preload-paths.h"

char *
gz_agent_dir (void)
{
  const char *env = g_getenv ("GZ_AGENT_DIR");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* g_get_user_runtime_dir () falls back to the cache dir itself; we want gz/agents under it. */
  if (runtime != NULL && *runtime != '\0')
    return g_build_filename (runtime, "gz", "agents", NULL);
  return g_build_filename (g_get_user_cache_dir (), "gz", "agents", NULL);
}

char *
gz_agent_socket_path (int pid)
{
  g_autofree char *dir = gz_agent_dir ();
  g_autofree char *name = g_strdup_printf ("%d.sock", pid);

  return g_build_filename (dir, name, NULL);
}

/* <dir of /proc/self/exe>/../preload/libgz-preload.so (the build tree), or NULL. */
static char *
build_tree_library (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  path = g_build_filename (dir, "..", "preload", "libgz-preload.so", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_canonicalize_filename (path, NULL);
}

char *
gz_preload_library_path (GError **error)
{
  const char *env = g_getenv ("GZ_PRELOAD_LIBRARY");
  char *built;

  if (env != NULL && *env != '\0')
    {
      if (!g_file_test (env, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "GZ_PRELOAD_LIBRARY=%s: no such file", env);
          return NULL;
        }
      return g_strdup (env);
    }
  built = build_tree_library ();
  if (built != NULL)
    return built;
  if (!g_file_test (GZ_PRELOAD_PATH, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the gz preload library is not installed (%s is missing); set "
                   "GZ_PRELOAD_LIBRARY to the path of libgz-preload.so", GZ_PRELOAD_PATH);
      return NULL;
    }
  return g_strdup (GZ_PRELOAD_PATH);
}

/* Reads @len bytes at @offset of @fd, or sets @error naming @path. */
static gboolean
read_at (int         fd,
         const char *path,
         void       *buf,
         size_t      len,
         off_t       offset,
         GError    **error)
{
  ssize_t n = pread (fd, buf, len, offset);

  if (n == (ssize_t) len)
    return TRUE;
  if (n < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                 g_strerror (errno));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "%s: not an ELF program (truncated)", path);
  return FALSE;
}

/* Whether the ELF file @fd has a PT_INTERP program header (it is dynamically linked). */
static gboolean
elf_has_interp (int          fd,
                const char  *path,
                gboolean    *has_interp,
                GError     **error)
{
  unsigned char ident[EI_NIDENT];

  if (!read_at (fd, path, ident, sizeof ident, 0, error))
    return FALSE;
  if (memcmp (ident, ELFMAG, SELFMAG) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s: not an ELF program (a script? give its interpreter)", path);
      return FALSE;
    }
  *has_interp = FALSE;
  if (ident[EI_CLASS] == ELFCLASS64)
    {
      Elf64_Ehdr eh;

      if (!read_at (fd, path, &eh, sizeof eh, 0, error))
        return FALSE;
      for (guint i = 0; i < eh.e_phnum; i++)
        {
          Elf64_Phdr ph;

          if (!read_at (fd, path, &ph, sizeof ph, eh.e_phoff + (off_t) i * eh.e_phentsize, error))
            return FALSE;
          if (ph.p_type == PT_INTERP)
            *has_interp = TRUE;
        }
    }
  else if (ident[EI_CLASS] == ELFCLASS32)
    {
      Elf32_Ehdr eh;

      if (!read_at (fd, path, &eh, sizeof eh, 0, error))
        return FALSE;
      for (guint i = 0; i < eh.e_phnum; i++)
        {
          Elf32_Phdr ph;

          if (!read_at (fd, path, &ph, sizeof ph, eh.e_phoff + (off_t) i * eh.e_phentsize, error))
            return FALSE;
          if (ph.p_type == PT_INTERP)
            *has_interp = TRUE;
        }
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s: unknown ELF class", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
gz_preload_check_program (const char  *executable_path,
                          GError     **error)
{
  struct stat st;
  gboolean has_interp = FALSE;
  int fd;
  gboolean ok;

  fd = open (executable_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", executable_path,
                   g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", executable_path,
                   g_strerror (saved));
      return FALSE;
    }
  if (st.st_mode & (S_ISUID | S_ISGID))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is setuid or setgid: the loader ignores LD_PRELOAD for it, so gz's "
                   "preload cannot record inside it", executable_path);
      return FALSE;
    }
  ok = elf_has_interp (fd, executable_path, &has_interp, error);
  close (fd);
  if (!ok)
    return FALSE;
  if (!has_interp)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is statically linked: gz's preload needs a dynamically linked program "
                   "(LD_PRELOAD does not apply); rebuild it without -static", executable_path);
      return FALSE;
    }
  return TRUE;
}
