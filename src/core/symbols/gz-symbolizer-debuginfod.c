/* gz-symbolizer-debuginfod.c: debug files of modules that have none on this machine, from
 * debuginfod through libdwfl's own client (libdebuginfod), without ever stalling a profile: the
 * network time of the whole process is bounded, a build ID is asked for once, and a server
 * that does not answer is not asked again until the window ends. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-symbolizer-debuginfod.h"

/* What libdwfl 0.188 loads for its client. */
#define DEBUGINFOD_SONAME "libdebuginfod.so.1"

/* One search in progress, as the client's progress callback sees it. The callback runs on the
 * thread that searches, inside dwfl_standard_find_debuginfo. */
typedef struct
{
  gint64   start;
  gint64   deadline;  /* the network is cut at this monotonic time */
  gboolean skip;      /* no network for this one: cut at the first call */
  gboolean network;   /* the client went past its cache */
  gboolean cancelled; /* cut by the callback */
} Lookup;

static __thread Lookup *current_lookup;

/* What the process knows of debuginfod; a child of fork() starts over with its own. */
typedef struct
{
  GMutex      lock;      /* held across a whole search: one lookup at a time */
  pid_t       pid;
  GHashTable *looked_up; /* build IDs (hex) that debuginfod was asked for without result */
  gint64      window_start;
  gint64      spent;     /* network time in the current window */
} Gate;

static GMutex gate_lock;
static Gate *gate;

static Gate *
gate_get (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&gate_lock);

  /* After fork() the parent's gate may be held by a thread the child does not have: it is
   * left as it is. */
  if (gate == NULL || gate->pid != getpid ())
    {
      gate = g_new0 (Gate, 1);
      g_mutex_init (&gate->lock);
      gate->pid = getpid ();
      gate->looked_up = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  return gate;
}

/* Called by libdebuginfod once a query has started, then after each network wait (a second at
 * most): non-zero cuts the query. A query outside a bounded search is cut at once. */
static int
progress (debuginfod_client *client,
          long               done,
          long               total)
{
  Lookup *lookup = current_lookup;

  if (lookup == NULL)
    return 1;
  lookup->network = TRUE;
  if (lookup->skip || g_get_monotonic_time () >= lookup->deadline)
    {
      lookup->cancelled = TRUE;
      return 1;
    }
  return 0;
}

/* debuginfod_set_progressfn from the libdebuginfod that libdwfl loaded, or NULL. */
static __typeof__ (debuginfod_set_progressfn) *
find_set_progressfn (void)
{
  static gsize found; /* the function, or 1 when there is none */

  if (g_once_init_enter (&found))
    {
      void *library = dlopen (DEBUGINFOD_SONAME, RTLD_LAZY | RTLD_NOLOAD);
      void *function = library != NULL ? dlsym (library, "debuginfod_set_progressfn") : NULL;

      if (function == NULL)
        g_debug ("debuginfod: no debuginfod_set_progressfn in %s", DEBUGINFOD_SONAME);
      g_once_init_leave (&found, function != NULL ? (gsize) function : 1);
    }
  return found != 1 ? (__typeof__ (debuginfod_set_progressfn) *) found : NULL;
}

gboolean
gz_symbolizer_debuginfod_bound (Dwfl *dwfl)
{
  __typeof__ (debuginfod_set_progressfn) *set_progressfn;
  const char *urls = g_getenv ("DEBUGINFOD_URLS");
  debuginfod_client *client;

  if (urls == NULL || urls[0] == '\0')
    return FALSE;
  /* libdwfl loads libdebuginfod for its client; its functions are taken from there, so that
   * programs that never need it do not load it (and libcurl) at start. */
  client = dwfl_get_debuginfod_client (dwfl);
  if (client == NULL)
    return TRUE; /* no libdebuginfod: no network */
  set_progressfn = find_set_progressfn ();
  if (set_progressfn == NULL)
    return FALSE;
  set_progressfn (client, progress);
  return TRUE;
}

static char *
hex_string (const guint8 *bits,
            gsize         len)
{
  GString *hex = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", bits[i]);
  return g_string_free (hex, FALSE);
}

/* The build ID in @path's .gnu_debugaltlink (a file name, NUL, the dwz file's build ID). */
static char *
altlink_build_id (const char *path)
{
  char *result = NULL;
  Elf *elf;
  Elf_Scn *section = NULL;
  size_t names;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
  if (elf != NULL && elf_getshdrstrndx (elf, &names) == 0)
    while (result == NULL && (section = elf_nextscn (elf, section)) != NULL)
      {
        GElf_Shdr header;
        const char *name;
        Elf_Data *data;
        gsize name_len;

        if (gelf_getshdr (section, &header) == NULL ||
            (name = elf_strptr (elf, names, header.sh_name)) == NULL ||
            !g_str_equal (name, ".gnu_debugaltlink") ||
            (data = elf_getdata (section, NULL)) == NULL || data->d_buf == NULL)
          continue;
        name_len = strnlen (data->d_buf, data->d_size);
        if (name_len + 1 < data->d_size)
          result = hex_string ((const guint8 *) data->d_buf + name_len + 1,
                               data->d_size - name_len - 1);
      }
  if (elf != NULL)
    elf_end (elf);
  close (fd);
  return result;
}

/* The build ID a search is for: the module's, or the dwz file's when libdwfl asks for the
 * alternate file of a debug file (it passes the alt link's name and a CRC of 0). */
static char *
search_build_id (Dwfl_Module *module,
                 const char  *file_name,
                 const char  *debuglink_file,
                 GElf_Word    debuglink_crc)
{
  const unsigned char *bits = NULL;
  GElf_Addr vaddr;
  int len;

  if (debuglink_file != NULL && debuglink_crc == 0 && file_name != NULL)
    {
      char *alt = altlink_build_id (file_name);

      if (alt != NULL)
        return alt;
    }
  len = dwfl_module_build_id (module, &bits, &vaddr);
  return len > 0 ? hex_string (bits, len) : NULL;
}

/* libdebuginfod's cache directory, found as libdebuginfod 0.188 finds it. */
static char *
cache_directory (void)
{
  const char *variable = g_getenv ("DEBUGINFOD_CACHE_PATH");
  const char *home = g_getenv ("HOME");
  const char *xdg = g_getenv ("XDG_CACHE_HOME");
  g_autofree char *legacy = NULL;

  if (variable != NULL && variable[0] != '\0')
    return g_strdup (variable);
  legacy = g_build_filename (home != NULL ? home : "/", ".debuginfod_client_cache", NULL);
  if (g_file_test (legacy, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&legacy);
  if (xdg != NULL && xdg[0] != '\0')
    return g_build_filename (xdg, "debuginfod_client", NULL);
  return g_build_filename (home != NULL ? home : "/", ".cache", "debuginfod_client", NULL);
}

/* libdebuginfod 0.188 records a cut query as "no such file" (an empty file in its cache, kept
 * 10 minutes and read by every elfutils tool of the user). A cut is no answer: that record,
 * made since @since (wall clock, microseconds), goes. */
static void
forget_cut_lookup (const char *build_id,
                   gint64      since)
{
  g_autofree char *directory = cache_directory ();
  g_autofree char *path = g_build_filename (directory, build_id, "debuginfo", NULL);
  struct stat st;

  if (stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0 &&
      st.st_mtime + 1 >= since / G_USEC_PER_SEC)
    unlink (path);
}

/* After a search that went to the network: its time counts, and a failure is remembered and
 * said once, at debug level. Gate locked. */
static void
note_lookup (Gate         *self,
             const Lookup *lookup,
             const char   *build_id,
             const char   *modname,
             int           fd,
             gint64        wall_start)
{
  gint64 elapsed = g_get_monotonic_time () - lookup->start;

  self->spent += elapsed;
  if (lookup->cancelled && build_id != NULL)
    forget_cut_lookup (build_id, wall_start);
  if (lookup->skip || fd >= 0)
    return;
  if (build_id != NULL)
    g_hash_table_add (self->looked_up, g_strdup (build_id));
  if (lookup->cancelled)
    {
      self->spent = MAX (self->spent, GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC);
      g_debug ("debuginfod: no answer for %s (build ID %s) within %" G_GINT64_FORMAT " ms; "
               "no more lookups for %" G_GINT64_FORMAT " s", modname,
               build_id != NULL ? build_id : "none", elapsed / 1000,
               (self->window_start + GZ_SYMBOLIZER_DEBUGINFOD_WINDOW_USEC -
                g_get_monotonic_time ()) / G_USEC_PER_SEC);
    }
  else
    g_debug ("debuginfod: no debug file for %s (build ID %s)", modname,
             build_id != NULL ? build_id : "none");
}

int
gz_symbolizer_debuginfod_find_debuginfo (Dwfl_Module  *module,
                                         void        **userdata,
                                         const char   *modname,
                                         Dwarf_Addr    base,
                                         const char   *file_name,
                                         const char   *debuglink_file,
                                         GElf_Word     debuglink_crc,
                                         char        **debuginfo_file_name)
{
  const char *urls = g_getenv ("DEBUGINFOD_URLS");
  Gate *self;
  g_autofree char *build_id = NULL;
  Lookup lookup = { 0, };
  gint64 wall_start;
  int fd;

  /* Without servers libdebuginfod answers at once, before its cache or the network. */
  if (urls == NULL || urls[0] == '\0')
    return dwfl_standard_find_debuginfo (module, userdata, modname, base, file_name,
                                         debuglink_file, debuglink_crc, debuginfo_file_name);

  self = gate_get ();
  g_mutex_lock (&self->lock);
  lookup.start = g_get_monotonic_time ();
  if (self->window_start == 0 ||
      lookup.start - self->window_start >= GZ_SYMBOLIZER_DEBUGINFOD_WINDOW_USEC)
    {
      self->window_start = lookup.start;
      self->spent = 0;
    }
  build_id = search_build_id (module, file_name, debuglink_file, debuglink_crc);
  lookup.skip = self->spent >= GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC ||
                (build_id != NULL && g_hash_table_contains (self->looked_up, build_id));
  lookup.deadline = lookup.start + GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC - self->spent;
  wall_start = g_get_real_time ();

  current_lookup = &lookup;
  fd = dwfl_standard_find_debuginfo (module, userdata, modname, base, file_name, debuglink_file,
                                     debuglink_crc, debuginfo_file_name);
  current_lookup = NULL;

  if (lookup.network)
    note_lookup (self, &lookup, build_id, modname, fd, wall_start);
  g_mutex_unlock (&self->lock);
  return fd;
}
