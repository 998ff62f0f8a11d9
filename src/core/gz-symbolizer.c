/* gz-symbolizer.c: program counters of a live process to function, file:line, mapping and build
 * ID, with libdw's Dwfl over /proc/PID; results are cached per address. */

#include "config.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-symbolizer.h"

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

/* A module's function symbols sorted by address, one name per address: libdw's own address
 * lookup scans the whole symbol table each time. */
typedef struct
{
  guint64     address;
  guint64     size;
  const char *name; /* in the symbolizer's string chunk */
} Symbol;
G_STATIC_ASSERT (G_STRUCT_OFFSET (Symbol, address) == 0);

struct _GzSymbolizer
{
  pid_t         pid;
  Dwfl         *dwfl;
  GStringChunk *strings;  /* file names, function names, build IDs */
  GPtrArray    *mappings; /* GzSymbolMapping, by address */
  GHashTable   *cache;    /* &CacheEntry.pc -> CacheEntry */
  GHashTable   *symbols;  /* Dwfl_Module -> GArray of Symbol */
  GHashTable   *units;    /* a unit's DIE data -> GArray of FunctionRange */
};

static char *debuginfo_path = NULL;

static const Dwfl_Callbacks proc_callbacks = {
  .find_elf = dwfl_linux_proc_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
  .debuginfo_path = &debuginfo_path,
};

static void
clear_state (GzSymbolizer *self)
{
  g_clear_pointer (&self->dwfl, dwfl_end);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->symbols, g_hash_table_unref);
  g_clear_pointer (&self->units, g_hash_table_unref);
  g_clear_pointer (&self->mappings, g_ptr_array_unref);
  if (self->strings != NULL)
    {
      g_string_chunk_free (self->strings);
      self->strings = NULL;
    }
}

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

/* The executable segments of /proc/PID/maps, each with its file, offset and build ID. */
static gboolean
read_mappings (GzSymbolizer *self,
               GError      **error)
{
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", (int) self->pid);
  g_autofree char *exe_path = g_strdup_printf ("/proc/%d/exe", (int) self->pid);
  g_autofree char *contents = NULL;
  g_autofree char *exe_link = NULL;
  g_autofree char *exe = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (maps_path, &contents, NULL, &local_error))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Cannot read the mappings of process %d: %s (is it running, and yours?)",
                   (int) self->pid, local_error->message);
      return FALSE;
    }
  exe_link = g_file_read_link (exe_path, NULL);
  exe = exe_link != NULL ? strip_deleted (exe_link) : NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, offset;
      char perms[8];
      int path_start = 0;
      const char *path;
      g_autofree char *filename = NULL;
      GzSymbolMapping *mapping;

      if (sscanf (lines[i], "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset,
                  &path_start) < 4 || path_start == 0)
        continue;
      path = lines[i] + path_start;
      if (strchr (perms, 'x') == NULL || path[0] == '\0' || g_str_equal (path, "[vsyscall]"))
        continue;

      filename = strip_deleted (path);
      mapping = g_new0 (GzSymbolMapping, 1);
      mapping->memory_start = start;
      mapping->memory_limit = end;
      mapping->file_offset = offset;
      mapping->filename = g_string_chunk_insert_const (self->strings, filename);
      mapping->build_id = module_build_id (self, dwfl_addrmodule (self->dwfl, start));
      mapping->main_executable = exe != NULL && g_str_equal (filename, exe);
      g_ptr_array_add (self->mappings, mapping);
    }
  return TRUE;
}

static gboolean
load (GzSymbolizer *self,
      GError      **error)
{
  int ret;

  self->strings = g_string_chunk_new (4096);
  self->mappings = g_ptr_array_new_with_free_func (g_free);
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) cache_entry_free);
  self->symbols = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  self->units = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  self->dwfl = dwfl_begin (&proc_callbacks);
  if (self->dwfl == NULL)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Cannot start libdw: %s", dwfl_errmsg (-1));
      return FALSE;
    }

  dwfl_report_begin (self->dwfl);
  ret = dwfl_linux_proc_report (self->dwfl, self->pid);
  dwfl_report_end (self->dwfl, NULL, NULL);
  if (ret != 0)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "Cannot read the modules of process %d: %s", (int) self->pid,
                   ret > 0 ? g_strerror (ret) : dwfl_errmsg (-1));
      return FALSE;
    }

  return read_mappings (self, error);
}

GzSymbolizer *
gz_symbolizer_new (pid_t    pid,
                   GError **error)
{
  g_autoptr(GzSymbolizer) self = g_new0 (GzSymbolizer, 1);

  self->pid = pid > 0 ? pid : getpid ();
  if (!load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
gz_symbolizer_free (GzSymbolizer *self)
{
  if (self == NULL)
    return;
  clear_state (self);
  g_free (self);
}

gboolean
gz_symbolizer_refresh (GzSymbolizer *self,
                       GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  clear_state (self);
  return load (self, error);
}

const GPtrArray *
gz_symbolizer_get_mappings (GzSymbolizer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

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

/* Of two names for one address (aliases such as write, __write and __libc_write), the one
 * people call: fewer leading underscores, then global over weak, then shorter. */
static gboolean
better_name (const char *a,
             int         a_bind,
             const char *b,
             int         b_bind)
{
  gsize ua = strspn (a, "_");
  gsize ub = strspn (b, "_");

  if (ua != ub)
    return ua < ub;
  if (a_bind != b_bind)
    return a_bind == STB_GLOBAL || (a_bind == STB_WEAK && b_bind == STB_LOCAL);
  return strlen (a) < strlen (b);
}

/* Symbol and FunctionRange both start with their address: one comparison and one search
 * serve both tables. */
static int
compare_addresses (gconstpointer a,
                   gconstpointer b)
{
  guint64 aa = *(const guint64 *) a;
  guint64 ab = *(const guint64 *) b;

  return aa < ab ? -1 : aa > ab;
}

/* How many elements of sorted @array start at or below @address. */
static guint
count_at_or_below (GArray  *array,
                   guint64  address)
{
  guint size = g_array_get_element_size (array);
  guint lo = 0;
  guint hi = array->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (*(const guint64 *) (gconstpointer) (array->data + (gsize) mid * size) <= address)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static GArray *
module_symbols (GzSymbolizer *self,
                Dwfl_Module  *module)
{
  GArray *symbols = g_hash_table_lookup (self->symbols, module);
  g_autoptr(GArray) binds = NULL;
  int n;

  if (symbols != NULL)
    return symbols;

  symbols = g_array_new (FALSE, FALSE, sizeof (Symbol));
  binds = g_array_new (FALSE, FALSE, sizeof (int));
  n = dwfl_module_getsymtab (module);
  for (int i = 1; i < n; i++)
    {
      GElf_Sym sym;
      GElf_Addr addr;
      GElf_Word shndx;
      const char *name = dwfl_module_getsym_info (module, i, &sym, &addr, &shndx, NULL, NULL);
      int type = GELF_ST_TYPE (sym.st_info);
      g_autofree char *clean = NULL;
      Symbol symbol;
      int bind;

      if (name == NULL || name[0] == '\0' || shndx == SHN_UNDEF ||
          (type != STT_FUNC && type != STT_GNU_IFUNC))
        continue;
      /* Versioned names (memcpy@@GLIBC_2.14): the version is not part of the name. */
      clean = g_strndup (name, strcspn (name, "@"));
      symbol.address = addr;
      symbol.size = sym.st_size;
      symbol.name = g_string_chunk_insert_const (self->strings, clean);
      bind = GELF_ST_BIND (sym.st_info);
      g_array_append_val (symbols, symbol);
      g_array_append_val (binds, bind);
    }

  /* Sort with the binding alongside, then keep one symbol per address. */
  {
    g_autoptr(GArray) order = g_array_sized_new (FALSE, FALSE, sizeof (Symbol), symbols->len);
    g_autoptr(GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (Symbol), symbols->len);
    int last_bind = STB_LOCAL;

    /* Stash the index in size's place while sorting: the binding is looked up by index. */
    for (guint i = 0; i < symbols->len; i++)
      {
        Symbol entry = g_array_index (symbols, Symbol, i);

        entry.size = i;
        g_array_append_val (order, entry);
      }
    g_array_sort (order, compare_addresses);
    for (guint i = 0; i < order->len; i++)
      {
        guint index = g_array_index (order, Symbol, i).size;
        Symbol symbol = g_array_index (symbols, Symbol, index);
        int bind = g_array_index (binds, int, index);
        Symbol *last = out->len > 0 ? &g_array_index (out, Symbol, out->len - 1) : NULL;

        if (last != NULL && last->address == symbol.address)
          {
            if (better_name (symbol.name, bind, last->name, last_bind))
              {
                last->name = symbol.name;
                last_bind = bind;
              }
            last->size = MAX (last->size, symbol.size);
            continue;
          }
        g_array_append_val (out, symbol);
        last_bind = bind;
      }
    g_array_unref (symbols);
    symbols = g_steal_pointer (&out);
  }

  g_hash_table_insert (self->symbols, module, symbols);
  return symbols;
}

static const Symbol *
find_symbol (GArray *symbols,
             guint64 pc)
{
  guint lo = count_at_or_below (symbols, pc);
  const Symbol *symbol;

  if (lo == 0)
    return NULL;
  symbol = &g_array_index (symbols, Symbol, lo - 1);
  if (symbol->size > 0 && pc >= symbol->address + symbol->size)
    return NULL;
  return symbol;
}

/* A compilation unit's functions by address, so that finding the one holding an address does
 * not walk every DIE of the unit (dwarf_getscopes does, for each address). */
typedef struct
{
  Dwarf_Addr low;
  Dwarf_Addr high;
  Dwarf_Die  die;
} FunctionRange;
G_STATIC_ASSERT (G_STRUCT_OFFSET (FunctionRange, low) == 0);

static void
collect_functions (GArray    *ranges,
                   Dwarf_Die *parent)
{
  Dwarf_Die child;

  if (dwarf_child (parent, &child) != 0)
    return;
  do
    {
      int tag = dwarf_tag (&child);

      if (tag == DW_TAG_subprogram)
        {
          Dwarf_Addr base, low, high;
          ptrdiff_t offset = 0;

          while ((offset = dwarf_ranges (&child, offset, &base, &low, &high)) > 0)
            {
              FunctionRange range = { low, high, child };

              g_array_append_val (ranges, range);
            }
        }
      else if (tag == DW_TAG_namespace)
        collect_functions (ranges, &child);
    }
  while (dwarf_siblingof (&child, &child) == 0);
}

static GArray *
unit_functions (GzSymbolizer *self,
                Dwarf_Die    *cudie)
{
  GArray *ranges = g_hash_table_lookup (self->units, cudie->addr);

  if (ranges == NULL)
    {
      ranges = g_array_new (FALSE, FALSE, sizeof (FunctionRange));
      collect_functions (ranges, cudie);
      g_array_sort (ranges, compare_addresses);
      g_hash_table_insert (self->units, cudie->addr, ranges);
    }
  return ranges;
}

static Dwarf_Die *
find_function_die (GArray    *ranges,
                   Dwarf_Addr addr)
{
  guint lo = count_at_or_below (ranges, addr);

  /* Ranges do not overlap in practice; look back a little in case they do. */
  for (guint i = lo; i > 0 && i + 4 > lo; i--)
    {
      FunctionRange *range = &g_array_index (ranges, FunctionRange, i - 1);

      if (addr >= range->low && addr < range->high)
        return &range->die;
    }
  return NULL;
}

static const char *
die_name (GzSymbolizer *self,
          Dwarf_Die    *die)
{
  Dwarf_Attribute attr;
  const char *name;

  /* An inlined instance names its function through DW_AT_abstract_origin. */
  if (dwarf_attr_integrate (die, DW_AT_name, &attr) == NULL ||
      (name = dwarf_formstring (&attr)) == NULL)
    return NULL;
  return g_string_chunk_insert_const (self->strings, name);
}

/* The functions inlined at @pc, innermost first, from the DWARF scopes that hold it. On
 * return *file and *line are the call site in the symbol table's function. */
static void
resolve_inlined (GzSymbolizer *self,
                 Dwfl_Module  *module,
                 CacheEntry   *entry,
                 const char  **file,
                 int          *line)
{
  g_autoptr(GArray) chain = NULL;
  g_autoptr(GArray) frames = NULL;
  Dwarf_Die *cudie;
  Dwarf_Die *function;
  Dwarf_Die scope;
  Dwarf_Files *files = NULL;
  Dwarf_Addr bias = 0;
  Dwarf_Addr addr;
  size_t n_files = 0;

  cudie = dwfl_module_addrdie (module, entry->pc, &bias);
  if (cudie == NULL)
    return;
  addr = entry->pc - bias;
  function = find_function_die (unit_functions (self, cudie), addr);
  if (function == NULL)
    return;

  /* Down from the function through the scopes that hold the address, keeping the inlined
   * calls (outermost first). */
  chain = g_array_new (FALSE, FALSE, sizeof (Dwarf_Die));
  scope = *function;
  for (;;)
    {
      Dwarf_Die child;
      gboolean found = FALSE;

      if (dwarf_child (&scope, &child) != 0)
        break;
      do
        {
          int tag = dwarf_tag (&child);

          if ((tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
              dwarf_haspc (&child, addr) == 1)
            {
              if (tag == DW_TAG_inlined_subroutine)
                g_array_append_val (chain, child);
              scope = child;
              found = TRUE;
              break;
            }
        }
      while (dwarf_siblingof (&child, &child) == 0);
      if (!found)
        break;
    }
  if (chain->len == 0)
    return;

  if (dwarf_getsrcfiles (cudie, &files, &n_files) != 0)
    files = NULL;

  frames = g_array_new (FALSE, FALSE, sizeof (GzInlineFrame));
  for (guint i = chain->len; i > 0; i--)
    {
      Dwarf_Die *die = &g_array_index (chain, Dwarf_Die, i - 1);
      GzInlineFrame frame = { 0, };
      Dwarf_Attribute attr;
      Dwarf_Word value;
      int decl_line = 0;

      frame.function = die_name (self, die);
      frame.file = *file;
      frame.line = *line;
      if (dwarf_decl_line (die, &decl_line) == 0)
        frame.start_line = decl_line;
      if (frame.function != NULL)
        g_array_append_val (frames, frame);

      /* The next frame out is at this one's call site. */
      *line = 0;
      if (dwarf_attr (die, DW_AT_call_line, &attr) != NULL && dwarf_formudata (&attr, &value) == 0)
        *line = value;
      if (files != NULL && dwarf_attr (die, DW_AT_call_file, &attr) != NULL &&
          dwarf_formudata (&attr, &value) == 0 && value < n_files)
        {
          const char *call_file = dwarf_filesrc (files, value, NULL, NULL);

          *file = call_file ? g_string_chunk_insert_const (self->strings, call_file) : NULL;
        }
    }

  if (frames->len > 0)
    {
      entry->symbol.n_inlined = frames->len;
      entry->inlined = (GzInlineFrame *) (gpointer) g_array_free (g_steal_pointer (&frames), FALSE);
      entry->symbol.inlined = entry->inlined;
    }
}

static void
resolve (GzSymbolizer *self,
         CacheEntry   *entry)
{
  Dwfl_Module *module;
  const Symbol *symbol;
  Dwfl_Line *line;

  entry->symbol.mapping = find_mapping (self, entry->pc);
  module = dwfl_addrmodule (self->dwfl, entry->pc);
  if (module == NULL)
    return;

  symbol = find_symbol (module_symbols (self, module), entry->pc);
  if (symbol == NULL)
    return;
  entry->found = TRUE;
  entry->symbol.function = symbol->name;

  line = dwfl_module_getsrc (module, entry->pc);
  if (line != NULL)
    {
      int lineno = 0;
      const char *file = dwfl_lineinfo (line, NULL, &lineno, NULL, NULL, NULL);
      Dwfl_Line *first;

      if (file != NULL)
        file = g_string_chunk_insert_const (self->strings, file);
      resolve_inlined (self, module, entry, &file, &lineno);
      entry->symbol.file = file;
      entry->symbol.line = lineno;

      /* The function's first line: the line of its entry address. */
      first = dwfl_module_getsrc (module, symbol->address);
      if (first != NULL && dwfl_lineinfo (first, NULL, &lineno, NULL, NULL, NULL) != NULL)
        entry->symbol.start_line = lineno;
    }
}

gboolean
gz_symbolizer_lookup (GzSymbolizer *self,
                      guint64       pc,
                      GzSymbol     *out)
{
  CacheEntry *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  entry = g_hash_table_lookup (self->cache, &pc);
  if (entry == NULL)
    {
      entry = g_new0 (CacheEntry, 1);
      entry->pc = pc;
      resolve (self, entry);
      g_hash_table_insert (self->cache, &entry->pc, entry);
    }

  *out = entry->symbol;
  return entry->found;
}
