/* gz-symbolizer.c: program counters of a live process to function, file:line, mapping and build
 * ID, with libdw's Dwfl over /proc/PID: the process' mappings and modules, kept up to date, and
 * the results cached per address across refreshes. What is read of each module (symbols, debug
 * information) and how an address is named in it: gz-symbolizer-module.c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gz-symbolizer.h"
#include "gz-symbolizer-debuginfod.h"
#include "gz-symbolizer-module.h"

G_DEFINE_QUARK (gz-symbolizer-error-quark, gz_symbolizer_error)

/* How often an address outside every known mapping may re-read the process' mappings. */
#define MAPS_RECHECK_USEC (100 * 1000)

typedef struct
{
  guint64        pc;
  gboolean       found;
  GzSymbol       symbol;
  GzInlineFrame *inlined;
} CacheEntry;

static void
cache_entry_free (CacheEntry *entry)
{
  g_free (entry->inlined);
  g_free (entry);
}

/* What identifies a mapping: the same key after a refresh keeps the same GzSymbolMapping. */
typedef struct
{
  GzSymbolMapping public;
  guint64         inode;
} Mapping;

struct _GzSymbolizer
{
  GMutex        lock;     /* everything below, and every libdw call on dwfl */
  pid_t         pid;
  gboolean      is_self;  /* the calling process: the loader counts dlopen and dlclose */
  Dwfl         *dwfl;
  GStringChunk *strings;  /* file names, function names, build IDs */
  GPtrArray    *mappings; /* Mapping, by address; never changed once published */
  GHashTable   *cache;    /* &CacheEntry.pc -> CacheEntry, for addresses in a mapping */
  GHashTable   *modules;  /* Dwfl_Module -> GzSymbolizerModule */
  /* Results handed out stay valid until free: what a refresh replaces is kept here. */
  GPtrArray    *all_mappings; /* every Mapping ever made; owns them */
  GPtrArray    *old_arrays;   /* mapping arrays replaced by a refresh */
  GPtrArray    *old_entries;  /* CacheEntry of mappings gone */
  guint64       dl_adds;      /* the loader's counters at the last refresh */
  guint64       dl_subs;
  char         *maps_text;    /* the executable lines of the maps at the last refresh */
  gint64        maps_checked; /* monotonic time of the last read of the maps */
  gboolean      debuginfod_bounded; /* dwfl's debuginfod client, if any, cannot stall */
};

static char *debuginfo_path = NULL;

/* Debug files: libdwfl's standard search, with its debuginfod lookups bounded. */
static const Dwfl_Callbacks proc_callbacks = {
  .find_elf = dwfl_linux_proc_find_elf,
  .find_debuginfo = gz_symbolizer_debuginfod_find_debuginfo,
  .debuginfo_path = &debuginfo_path,
};

static char *
strip_deleted (const char *path)
{
  if (g_str_has_suffix (path, " (deleted)"))
    return g_strndup (path, strlen (path) - strlen (" (deleted)"));
  return g_strdup (path);
}

static const char *
module_build_id (GzSymbolizer *self,
                 Dwfl_Module  *module)
{
  const unsigned char *bits = NULL;
  GElf_Addr vaddr;
  int len;
  g_autoptr(GString) hex = NULL;

  if (module == NULL)
    return NULL;
  /* The build ID is read with the module's ELF file. */
  len = dwfl_module_build_id (module, &bits, &vaddr);
  if (len <= 0)
    {
      GElf_Addr bias;

      if (dwfl_module_getelf (module, &bias) == NULL)
        return NULL;
      len = dwfl_module_build_id (module, &bits, &vaddr);
    }
  if (len <= 0)
    return NULL;
  hex = g_string_sized_new (len * 2);
  for (int i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", bits[i]);
  return g_string_chunk_insert_const (self->strings, hex->str);
}

static int
read_dl_counters (struct dl_phdr_info *info,
                  size_t               size,
                  void                *data)
{
  guint64 *counters = data;

  if (size < G_STRUCT_OFFSET (struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
    return -1;
  counters[0] = info->dlpi_adds;
  counters[1] = info->dlpi_subs;
  return 1; /* the first object is enough */
}

/* Whether the loader mapped or unmapped a library since the last refresh. */
static gboolean
dl_counters_changed (GzSymbolizer *self)
{
  guint64 counters[2] = { self->dl_adds, self->dl_subs };

  if (dl_iterate_phdr (read_dl_counters, counters) != 1)
    return FALSE;
  return counters[0] != self->dl_adds || counters[1] != self->dl_subs;
}

static gboolean
read_maps (GzSymbolizer *self,
           char        **contents,
           GError      **error)
{
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", (int) self->pid);
  g_autoptr(GError) local_error = NULL;

  self->maps_checked = g_get_monotonic_time ();
  if (!g_file_get_contents (maps_path, contents, NULL, &local_error))
    {
      g_set_error (error, GZ_SYMBOLIZER_ERROR, GZ_SYMBOLIZER_ERROR_FAILED,
                   "Cannot read the mappings of process %d: %s (is it running, and yours?)",
                   (int) self->pid, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_key (const Mapping *a,
          const Mapping *b)
{
  return a->public.memory_start == b->public.memory_start &&
         a->public.memory_limit == b->public.memory_limit &&
         a->public.file_offset == b->public.file_offset && a->inode == b->inode &&
         g_str_equal (a->public.filename, b->public.filename);
}

/* The mapping of the current array equal to @key, or NULL. */
static Mapping *
find_same_mapping (GzSymbolizer  *self,
                   const Mapping *key)
{
  guint lo = 0;
  guint hi = self->mappings != NULL ? self->mappings->len : 0;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Mapping *mapping = g_ptr_array_index (self->mappings, mid);

      if (mapping->public.memory_start < key->public.memory_start)
        lo = mid + 1;
      else if (mapping->public.memory_start > key->public.memory_start)
        hi = mid;
      else
        return same_key (mapping, key) ? mapping : NULL;
    }
  return NULL;
}

/* A maps line of executable code from a file: its fields, or FALSE. */
static gboolean
parse_line (const char          *line,
            unsigned long long  *start,
            unsigned long long  *end,
            unsigned long long  *offset,
            unsigned long long  *inode,
            const char         **path)
{
  char perms[8];
  int path_start = 0;

  if (sscanf (line, "%llx-%llx %7s %llx %*s %llu %n", start, end, perms, offset, inode,
              &path_start) < 5 || path_start == 0)
    return FALSE;
  *path = line + path_start;
  return strchr (perms, 'x') != NULL && (*path)[0] != '\0' && !g_str_equal (*path, "[vsyscall]");
}

/* The lines of the maps @contents that parse_mappings() uses: when they are the same, so are
 * the mappings (data mappings come and go with malloc and do not matter). */
static char *
executable_lines (const char *contents)
{
  GString *text = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, offset, inode;
      const char *path;

      if (parse_line (lines[i], &start, &end, &offset, &inode, &path))
        {
          g_string_append (text, lines[i]);
          g_string_append_c (text, '\n');
        }
    }
  return g_string_free (text, FALSE);
}

/* The executable segments of @exec_lines, each with its file, offset and build ID; mappings
 * equal to current ones are the same objects. After the modules were reported to libdw. */
static GPtrArray *
parse_mappings (GzSymbolizer *self,
                const char   *exec_lines)
{
  g_autofree char *exe_path = g_strdup_printf ("/proc/%d/exe", (int) self->pid);
  g_autofree char *exe_link = g_file_read_link (exe_path, NULL);
  g_autofree char *exe = exe_link != NULL ? strip_deleted (exe_link) : NULL;
  GPtrArray *mappings = g_ptr_array_new ();
  g_auto(GStrv) lines = g_strsplit (exec_lines, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, offset, inode;
      const char *path;
      g_autofree char *filename = NULL;
      Mapping key = { { 0, }, 0 };
      Mapping *mapping;

      if (!parse_line (lines[i], &start, &end, &offset, &inode, &path))
        continue;
      filename = strip_deleted (path);
      key.public.memory_start = start;
      key.public.memory_limit = end;
      key.public.file_offset = offset;
      key.public.filename = filename;
      key.inode = inode;
      mapping = find_same_mapping (self, &key);
      if (mapping == NULL)
        {
          mapping = g_new0 (Mapping, 1);
          mapping->public = key.public;
          mapping->public.filename = g_string_chunk_insert_const (self->strings, filename);
          mapping->public.build_id = module_build_id (self, dwfl_addrmodule (self->dwfl, start));
          mapping->public.main_executable = exe != NULL && g_str_equal (filename, exe);
          mapping->inode = inode;
          g_ptr_array_add (self->all_mappings, mapping);
        }
      g_ptr_array_add (mappings, mapping);
    }
  return mappings;
}

static int
module_removed (Dwfl_Module *module,
                void        *userdata,
                const char  *name,
                Dwarf_Addr   base,
                void        *arg)
{
  GzSymbolizer *self = arg;

  g_hash_table_remove (self->modules, module);
  return DWARF_CB_OK;
}

/* Publishes @mappings; results of mappings that are gone move out of the cache but stay
 * valid. */
static void
publish_mappings (GzSymbolizer *self,
                  GPtrArray    *mappings)
{
  g_autoptr(GHashTable) current = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  CacheEntry *entry;

  for (guint i = 0; i < mappings->len; i++)
    g_hash_table_add (current, g_ptr_array_index (mappings, i));
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (!g_hash_table_contains (current, entry->symbol.mapping))
      {
        g_hash_table_iter_steal (&iter);
        g_ptr_array_add (self->old_entries, entry);
      }
  if (self->mappings != NULL)
    g_ptr_array_add (self->old_arrays, self->mappings);
  self->mappings = mappings;
}

/* One object of the loader's list: the span of its loaded segments. */
typedef struct
{
  guint64 start;
  guint64 end;
} LoadedObject;

/* Room for the loader's objects, filled under the loader's lock without allocating: malloc
 * there may unwind (a sanitizer's or an allocator's sampling stack trace, with libunwind, whose
 * own lock another thread may hold while it waits for the loader's). */
typedef struct
{
  LoadedObject *objects;
  guint         capacity;
  guint         len;
  guint         seen;
} LoadedObjects;

static int
count_loaded_object (struct dl_phdr_info *info,
                     size_t               size,
                     void                *data)
{
  (*(guint *) data)++;
  return 0;
}

static int
collect_loaded_object (struct dl_phdr_info *info,
                       size_t               size,
                       void                *data)
{
  LoadedObjects *objects = data;
  guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  LoadedObject object = { G_MAXUINT64, 0 };

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
      guint64 start = info->dlpi_addr + phdr->p_vaddr;

      if (phdr->p_type != PT_LOAD || phdr->p_memsz == 0)
        continue;
      object.start = MIN (object.start, start & ~(page - 1));
      object.end = MAX (object.end, (start + phdr->p_memsz + page - 1) & ~(page - 1));
    }
  objects->seen++;
  if (object.start < object.end && objects->len < objects->capacity)
    objects->objects[objects->len++] = object;
  return 0;
}

/* The calling process' modules, from the loader's list rather than from the maps: libelf
 * maps the files it reads, and libdw's maps reader takes such a mapping of a library's file
 * next to the library for part of it (a wrong start, so every address of it unnamed). The
 * name is the file of the maps that holds the start (as libdw names it); "[vdso: PID]" for
 * the vDSO, which libdw reads from memory. */
static void
report_loaded_objects (GzSymbolizer *self,
                       const char   *maps)
{
  g_autofree LoadedObject *room = NULL;
  LoadedObjects objects = { 0 };
  g_auto(GStrv) lines = g_strsplit (maps, "\n", -1);

  /* Collected first: libdw must not run under the loader's lock (it may dlopen). Counted, then
   * collected into room for them and a few more; again if more were loaded meanwhile. */
  do
    {
      guint count = 0;

      dl_iterate_phdr (count_loaded_object, &count);
      g_free (room);
      room = g_new (LoadedObject, count + 16);
      objects = (LoadedObjects) { room, count + 16, 0, 0 };
      dl_iterate_phdr (collect_loaded_object, &objects);
    }
  while (objects.seen > objects.capacity);
  for (guint i = 0; i < objects.len; i++)
    {
      const LoadedObject *object = &objects.objects[i];
      g_autofree char *name = NULL;

      for (guint j = 0; lines[j] != NULL && name == NULL; j++)
        {
          unsigned long long start, end;
          int path_start = 0;

          if (sscanf (lines[j], "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &path_start) < 2 ||
              path_start == 0 || object->start < start || object->start >= end)
            continue;
          if (lines[j][path_start] == '/')
            name = g_strdup (lines[j] + path_start);
          else if (g_str_equal (lines[j] + path_start, "[vdso]"))
            name = g_strdup_printf ("[vdso: %d]", (int) self->pid);
        }
      if (name != NULL)
        dwfl_report_module (self->dwfl, name, object->start, object->end);
    }
}

/* Reports the process' modules to libdw (modules still there keep their ELF, symbols and
 * debug information) and reads its mappings, when its executable mappings changed. Lock
 * held. */
static gboolean
update (GzSymbolizer *self,
        GError      **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *exec_lines = NULL;
  guint64 counters[2] = { 0, 0 };
  int ret = 0;

  /* The counters first: a library loaded while we read counts as a change next time. */
  if (self->is_self && dl_iterate_phdr (read_dl_counters, counters) == 1)
    {
      self->dl_adds = counters[0];
      self->dl_subs = counters[1];
    }

  if (!read_maps (self, &contents, error))
    return FALSE;
  exec_lines = executable_lines (contents);
  if (self->maps_text != NULL && g_str_equal (exec_lines, self->maps_text))
    return TRUE;
  /* A process that is exiting has its maps emptied before they go: what is known stays. */
  if (*exec_lines == '\0')
    {
      g_set_error (error, GZ_SYMBOLIZER_ERROR, GZ_SYMBOLIZER_ERROR_FAILED,
                   "Process %d has no code mapped (is it exiting?)", (int) self->pid);
      return FALSE;
    }

  dwfl_report_begin (self->dwfl);
  if (self->is_self)
    report_loaded_objects (self, contents);
  else
    {
      ret = dwfl_linux_proc_report (self->dwfl, self->pid);
      /* Gone since we read its maps: report those again, or libdwfl drops every module. */
      if (ret != 0)
        {
          FILE *file = fmemopen (contents, strlen (contents), "r");

          if (file != NULL)
            {
              dwfl_linux_proc_maps_report (self->dwfl, file);
              fclose (file);
            }
        }
    }
  dwfl_report_end (self->dwfl, module_removed, self);
  if (ret != 0)
    {
      g_set_error (error, GZ_SYMBOLIZER_ERROR, GZ_SYMBOLIZER_ERROR_FAILED,
                   "Cannot read the modules of process %d: %s", (int) self->pid,
                   ret > 0 ? g_strerror (ret) : dwfl_errmsg (-1));
      return FALSE;
    }

  publish_mappings (self, parse_mappings (self, exec_lines));
  g_free (self->maps_text);
  self->maps_text = g_steal_pointer (&exec_lines);
  return TRUE;
}

GzSymbolizer *
gz_symbolizer_new (pid_t    pid,
                   GError **error)
{
  g_autoptr(GzSymbolizer) self = g_new0 (GzSymbolizer, 1);

  g_mutex_init (&self->lock);
  self->pid = pid > 0 ? pid : getpid ();
  self->is_self = self->pid == getpid ();
  self->strings = g_string_chunk_new (4096);
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) cache_entry_free);
  self->modules = g_hash_table_new_full (NULL, NULL, NULL,
                                         (GDestroyNotify) gz_symbolizer_module_free);
  self->all_mappings = g_ptr_array_new_with_free_func (g_free);
  self->old_arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->old_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cache_entry_free);
  self->dwfl = dwfl_begin (&proc_callbacks);
  if (self->dwfl == NULL)
    {
      g_set_error (error, GZ_SYMBOLIZER_ERROR, GZ_SYMBOLIZER_ERROR_FAILED,
                   "Cannot start libdw: %s", dwfl_errmsg (-1));
      return NULL;
    }
  if (!update (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
gz_symbolizer_free (GzSymbolizer *self)
{
  if (self == NULL)
    return;
  /* The cache and the module states hold pointers into libdw's data: they go first. */
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->modules, g_hash_table_unref);
  g_clear_pointer (&self->dwfl, dwfl_end);
  g_clear_pointer (&self->mappings, g_ptr_array_unref);
  g_clear_pointer (&self->old_arrays, g_ptr_array_unref);
  g_clear_pointer (&self->old_entries, g_ptr_array_unref);
  g_clear_pointer (&self->all_mappings, g_ptr_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_free (self->maps_text);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static GMutex default_lock;
static GzSymbolizer *default_symbolizer;

GzSymbolizer *
gz_symbolizer_get_default (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&default_lock);

  /* A child of fork() has the parent's symbolizer: its pid is wrong, and its lock may have
   * been held by a thread that the child does not have. Leave it and start over. */
  if (default_symbolizer != NULL && default_symbolizer->pid != getpid ())
    default_symbolizer = NULL;
  if (default_symbolizer == NULL)
    default_symbolizer = gz_symbolizer_new (0, error);
  return default_symbolizer;
}

gboolean
gz_symbolizer_refresh (GzSymbolizer *self,
                       GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return update (self, error);
}

const GPtrArray *
gz_symbolizer_get_mappings (GzSymbolizer *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return self->mappings;
}

static const GzSymbolMapping *
find_mapping (GzSymbolizer *self,
              guint64       pc)
{
  guint lo = 0;
  guint hi = self->mappings->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const GzSymbolMapping *mapping = g_ptr_array_index (self->mappings, mid);

      if (pc < mapping->memory_start)
        hi = mid;
      else if (pc >= mapping->memory_limit)
        lo = mid + 1;
      else
        return mapping;
    }
  return NULL;
}

/* Names entry->pc with what is known of its module (read when first needed). */
static void
resolve (GzSymbolizer *self,
         CacheEntry   *entry)
{
  Dwfl_Module *module = dwfl_addrmodule (self->dwfl, entry->pc);
  GzSymbolizerModule *state;

  if (module == NULL)
    return;
  state = g_hash_table_lookup (self->modules, module);
  if (state == NULL)
    {
      /* Reading a module may look for its debug file: debuginfod is bounded first. */
      if (!self->debuginfod_bounded)
        self->debuginfod_bounded = gz_symbolizer_debuginfod_bound (self->dwfl);
      state = gz_symbolizer_module_new (module, self->strings);
      g_hash_table_insert (self->modules, module, state);
    }
  entry->found = gz_symbolizer_module_resolve (state, entry->pc, &entry->symbol, &entry->inlined);
}

/* Refreshes when the process may have mapped code since: for the calling process, when the
 * loader's counters moved (cheap enough for every lookup); for any process, when @pc is in no
 * known mapping, at most every MAPS_RECHECK_USEC. A failed refresh keeps what is known. */
static void
refresh_if_changed (GzSymbolizer *self,
                    guint64       pc)
{
  gboolean stale = self->is_self && dl_counters_changed (self);

  if (!stale && find_mapping (self, pc) == NULL &&
      g_get_monotonic_time () - self->maps_checked >= MAPS_RECHECK_USEC)
    stale = TRUE;
  if (stale)
    update (self, NULL);
}

gboolean
gz_symbolizer_lookup (GzSymbolizer *self,
                      guint64       pc,
                      GzSymbol      *out)
{
  g_autoptr(GMutexLocker) locker = NULL;
  const GzSymbolMapping *mapping;
  CacheEntry *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  refresh_if_changed (self, pc);
  entry = g_hash_table_lookup (self->cache, &pc);
  if (entry == NULL)
    {
      /* Outside every mapping nothing is known, and nothing is kept: a library may be
       * mapped there later. */
      mapping = find_mapping (self, pc);
      if (mapping == NULL)
        {
          memset (out, 0, sizeof *out);
          return FALSE;
        }
      entry = g_new0 (CacheEntry, 1);
      entry->pc = pc;
      entry->symbol.mapping = mapping;
      resolve (self, entry);
      g_hash_table_insert (self->cache, &entry->pc, entry);
    }

  *out = entry->symbol;
  return entry->found;
}
