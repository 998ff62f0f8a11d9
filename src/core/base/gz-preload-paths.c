/* gz-agent-paths.c: the agent's and the preload's library paths, the agent's sockets' directory,
 * and the preload check. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gz-agent-paths.h"

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

/* <dir of /proc/self/exe>/../@folder/@name, or NULL. */
static char *
build_tree_library (const char *folder,
                    const char *name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  path = g_build_filename (dir, "..", folder, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_canonicalize_filename (path, NULL);
}

/* $@variable, else the build tree's @folder/@name, else @installed. */
static char *
library_path (const char  *variable,
              const char  *folder,
              const char  *name,
              const char  *installed,
              const char  *what,
              GError     **error)
{
  const char *env = g_getenv (variable);
  char *built;

  if (env != NULL && *env != '\0')
    {
      if (!g_file_test (env, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "%s=%s: no such file", variable, env);
          return NULL;
        }
      return g_strdup (env);
    }
  built = build_tree_library (folder, name);
  if (built != NULL)
    return built;
  if (!g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the gz %s is not installed (%s is missing); set %s to the path of %s",
                   what, installed, variable, name);
      return NULL;
    }
  return g_strdup (installed);
}

char *
gz_agent_library_path (GError **error)
{
  return library_path ("GZ_AGENT_LIBRARY", "agent", "libgz-agent.so", GZ_AGENT_PATH, "agent",
                       error);
}

char *
gz_preload_library_path (GError **error)
{
  return library_path ("GZ_PRELOAD_LIBRARY", "preload", "libgz-preload.so", GZ_PRELOAD_PATH,
                       "preload library", error);
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
gz_agent_can_preload (const char  *executable_path,
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
                   "%s is setuid or setgid: the loader ignores LD_PRELOAD for it, so the gz "
                   "agent cannot profile it", executable_path);
      return FALSE;
    }
  ok = elf_has_interp (fd, executable_path, &has_interp, error);
  close (fd);
  if (!ok)
    return FALSE;
  if (!has_interp)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is statically linked: the gz agent needs a dynamically linked program "
                   "(LD_PRELOAD does not apply); rebuild it without -static", executable_path);
      return FALSE;
    }
  return TRUE;
}
