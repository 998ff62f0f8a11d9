/* gz-symbolizer-module.c: what the symbolizer reads of one module (an ELF file of the process)
 * and how it names an address in it: the symbol table sorted by address (libdw's own lookup
 * scans the whole table each time), each compilation unit's functions by address, and the
 * functions inlined at an address from the DWARF scopes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <dwarf.h>
#include <string.h>

#include "gz-symbolizer-module.h"

/* A function symbol; one per address. */
typedef struct
{
  guint64     address;
  guint64     size;
  const char *name; /* in the symbolizer's string chunk */
} Symbol;
G_STATIC_ASSERT (G_STRUCT_OFFSET (Symbol, address) == 0);

struct _GzSymbolizerModule
{
  Dwfl_Module  *module;
  GStringChunk *strings; /* the symbolizer's: names live as long as it */
  GArray       *symbols; /* Symbol, by address; NULL until needed */
  GHashTable   *units;   /* a unit's DIE data -> GArray of FunctionRange */
};

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

/* Marks a label (STT_NOTYPE) beside a symbol's binding while sorting. */
#define LABEL_FLAG 0x100

/* The module's function symbols by address, read at the first call. */
static GArray *
module_symbols (GzSymbolizerModule *self)
{
  Dwfl_Module *module = self->module;
  GArray *symbols = self->symbols;
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
      Elf *elf = NULL;
      const char *name = dwfl_module_getsym_info (module, i, &sym, &addr, &shndx, &elf, NULL);
      int type = GELF_ST_TYPE (sym.st_info);
      g_autofree char *clean = NULL;
      Symbol symbol;
      int bind;

      if (name == NULL || name[0] == '\0' || shndx == SHN_UNDEF)
        continue;
      if (type == STT_NOTYPE)
        {
          /* Labels of assembly code (ld.so's _dl_start_user, the caller of every library
           * constructor) are NOTYPE: kept when in code, and where no function covers them. */
          GElf_Shdr shdr;
          Elf_Scn *section = elf != NULL && shndx < SHN_LORESERVE ? elf_getscn (elf, shndx) : NULL;

          if (section == NULL || gelf_getshdr (section, &shdr) == NULL ||
              !(shdr.sh_flags & SHF_EXECINSTR) || name[0] == '$' || name[0] == '.')
            continue;
        }
      else if (type != STT_FUNC && type != STT_GNU_IFUNC)
        continue;
      /* Versioned names (memcpy@@GLIBC_2.14): the version is not part of the name. */
      clean = g_strndup (name, strcspn (name, "@"));
      symbol.address = addr;
      symbol.size = sym.st_size;
      symbol.name = g_string_chunk_insert_const (self->strings, clean);
      /* The binding, and whether this is a label, side by side. */
      bind = GELF_ST_BIND (sym.st_info) | (type == STT_NOTYPE ? LABEL_FLAG : 0);
      g_array_append_val (symbols, symbol);
      g_array_append_val (binds, bind);
    }

  /* Sort with the binding alongside, then keep one symbol per address. */
  {
    g_autoptr(GArray) order = g_array_sized_new (FALSE, FALSE, sizeof (Symbol), symbols->len);
    g_autoptr(GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (Symbol), symbols->len);
    int last_bind = STB_LOCAL;
    guint64 covered = 0; /* the end of the functions so far */

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
        gboolean label = (bind & LABEL_FLAG) != 0;
        Symbol *last = out->len > 0 ? &g_array_index (out, Symbol, out->len - 1) : NULL;

        if (last != NULL && last->address == symbol.address)
          {
            gboolean last_label = (last_bind & LABEL_FLAG) != 0;

            /* A function's name over a label's, then the name people call. */
            if (label == last_label ? better_name (symbol.name, bind & ~LABEL_FLAG, last->name,
                                                   last_bind & ~LABEL_FLAG)
                                    : last_label)
              {
                last->name = symbol.name;
                last_bind = bind;
              }
            last->size = MAX (last->size, symbol.size);
          }
        else if (label && symbol.address < covered)
          continue; /* inside a function: the function names it */
        else
          {
            g_array_append_val (out, symbol);
            last_bind = bind;
          }
        if (!label)
          covered = MAX (covered, symbol.address + symbol.size);
      }
    g_array_unref (symbols);
    symbols = g_steal_pointer (&out);
  }

  self->symbols = symbols;
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
unit_functions (GzSymbolizerModule *self,
                Dwarf_Die          *cudie)
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
die_name (GzSymbolizerModule *self,
          Dwarf_Die          *die)
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
resolve_inlined (GzSymbolizerModule  *self,
                 guint64              pc,
                 GzSymbol            *symbol,
                 GzInlineFrame      **inlined,
                 const char         **file,
                 int                 *line)
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

  cudie = dwfl_module_addrdie (self->module, pc, &bias);
  if (cudie == NULL)
    return;
  addr = pc - bias;
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
      symbol->n_inlined = frames->len;
      *inlined = (GzInlineFrame *) (gpointer) g_array_free (g_steal_pointer (&frames), FALSE);
      symbol->inlined = *inlined;
    }
}

GzSymbolizerModule *
gz_symbolizer_module_new (Dwfl_Module  *module,
                          GStringChunk *strings)
{
  GzSymbolizerModule *self = g_new0 (GzSymbolizerModule, 1);

  self->module = module;
  self->strings = strings;
  self->units = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  return self;
}

void
gz_symbolizer_module_free (GzSymbolizerModule *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->symbols, g_array_unref);
  g_clear_pointer (&self->units, g_hash_table_unref);
  g_free (self);
}

gboolean
gz_symbolizer_module_resolve (GzSymbolizerModule  *self,
                              guint64              pc,
                              GzSymbol            *symbol,
                              GzInlineFrame      **inlined)
{
  Dwfl_Module *module = self->module;
  const Symbol *found;
  Dwfl_Line *line;

  found = find_symbol (module_symbols (self), pc);
  if (found == NULL)
    return FALSE;
  symbol->function = found->name;

  line = dwfl_module_getsrc (module, pc);
  if (line != NULL)
    {
      int lineno = 0;
      const char *file = dwfl_lineinfo (line, NULL, &lineno, NULL, NULL, NULL);
      Dwfl_Line *first;

      if (file != NULL)
        file = g_string_chunk_insert_const (self->strings, file);
      resolve_inlined (self, pc, symbol, inlined, &file, &lineno);
      symbol->file = file;
      symbol->line = lineno;

      /* The function's first line: the line of its entry address. */
      first = dwfl_module_getsrc (module, found->address);
      if (first != NULL && dwfl_lineinfo (first, NULL, &lineno, NULL, NULL, NULL) != NULL)
        symbol->start_line = lineno;
    }
  return TRUE;
}
