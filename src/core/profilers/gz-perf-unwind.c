/* gz-perf-unwind.c: DWARF unwinding of another process's perf samples with libdw: one Dwfl of
 * the process's modules, with a thread state whose registers and stack are the sample's. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gz-perf-unwind.h"

struct _GzPerfUnwinder
{
  pid_t               pid;
  Dwfl               *dwfl;
  /* The architecture of the thread state: an x86-64 ELF header of ours, alive as long as the
   * Dwfl. Never NULL to dwfl_attach_state, which then borrows the backend of the first module
   * it can read, freed with that module when a refresh drops it (a dlclose): a crash later. */
  Elf64_Ehdr          arch_header;
  Elf                *arch_elf;
  int                 mem_fd;   /* /proc/PID/mem, or -1 when we may not read it */
  const GzPerfSample *sample;   /* the one being unwound */
  guint64            *pcs;
  guint               n_pcs;
  guint               max;
};

/* No separate debug files: the unwinder needs only .eh_frame (in every loaded module) and must
 * never wait on debuginfod; the symbolizer looks for debug information on its own. */
static int
find_no_debuginfo (Dwfl_Module *mod,
                   void       **userdata,
                   const char  *modname,
                   Dwarf_Addr   base,
                   const char  *file_name,
                   const char  *debuglink_file,
                   GElf_Word    debuglink_crc,
                   char       **debuginfo_file_name)
{
  return -1;
}

static const Dwfl_Callbacks proc_callbacks = {
  .find_elf = dwfl_linux_proc_find_elf,
  .find_debuginfo = find_no_debuginfo,
};

static pid_t
next_thread (Dwfl   *dwfl,
             void   *dwfl_arg,
             void  **thread_argp)
{
  return 0; /* threads are named by the samples, never listed */
}

static bool
get_thread (Dwfl   *dwfl,
            pid_t   tid,
            void   *dwfl_arg,
            void  **thread_argp)
{
  *thread_argp = dwfl_arg;
  return true;
}

/* A word of the process: from the sample's stack copy, else (code, data) from its memory. */
static bool
memory_read (Dwfl       *dwfl,
             Dwarf_Addr  addr,
             Dwarf_Word *result,
             void       *dwfl_arg)
{
  GzPerfUnwinder *self = dwfl_arg;
  const GzPerfSample *sample = self->sample;
  guint64 sp = sample->regs[GZ_PERF_REG_SP];

  if (addr >= sp && addr - sp + sizeof *result <= sample->stack_size)
    {
      memcpy (result, sample->stack + (addr - sp), sizeof *result);
      return true;
    }
  /* Beyond the copy (code, data, the outer frames of a deep stack, which outlive the sample
   * while their calls last): the process's memory as it is now. */
  if (self->mem_fd >= 0 &&
      pread (self->mem_fd, result, sizeof *result, (off_t) addr) == (ssize_t) sizeof *result)
    return true;
  return false;
}

static bool
set_initial_registers (Dwfl_Thread *thread,
                       void        *thread_arg)
{
  GzPerfUnwinder *self = thread_arg;
  Dwarf_Word regs[GZ_PERF_N_REGS];

  for (guint i = 0; i < GZ_PERF_N_REGS; i++)
    regs[i] = self->sample->regs[i];
  return dwfl_thread_state_registers (thread, 0, GZ_PERF_N_REGS, regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
  .next_thread = next_thread,
  .get_thread = get_thread,
  .memory_read = memory_read,
  .set_initial_registers = set_initial_registers,
};

/* The modules of the process's maps. A process that is exiting has its maps emptied, then
 * gone: the modules known so far stay then (libdwfl drops every module not reported again). */
static gboolean
report_modules (GzPerfUnwinder *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) self->pid);
  g_autofree char *maps = NULL;
  gsize length = 0;
  int ret;

  if (!g_file_get_contents (path, &maps, &length, NULL) || strstr (maps, " r-xp ") == NULL)
    return FALSE;
  dwfl_report_begin (self->dwfl);
  ret = dwfl_linux_proc_report (self->dwfl, self->pid);
  if (ret != 0)
    {
      /* Gone since we read its maps: report those again (without the vDSO). */
      FILE *file = fmemopen (maps, length, "r");

      if (file != NULL)
        {
          dwfl_linux_proc_maps_report (self->dwfl, file);
          fclose (file);
        }
    }
  dwfl_report_end (self->dwfl, NULL, NULL);
  return ret == 0;
}

/* An ELF header alone (no sections, no segments) says the machine and the word size: all
 * dwfl_attach_state needs to open the unwinder's own backend, closed with the Dwfl. */
static gboolean
attach_arch (GzPerfUnwinder *self)
{
  Elf64_Ehdr *header = &self->arch_header;

  if (elf_version (EV_CURRENT) == EV_NONE)
    return FALSE;
  memcpy (header->e_ident, ELFMAG, SELFMAG);
  header->e_ident[EI_CLASS] = ELFCLASS64;
  header->e_ident[EI_DATA] = ELFDATA2LSB;
  header->e_ident[EI_VERSION] = EV_CURRENT;
  header->e_ident[EI_OSABI] = ELFOSABI_SYSV;
  header->e_type = ET_CORE;
  header->e_machine = EM_X86_64;
  header->e_version = EV_CURRENT;
  header->e_ehsize = sizeof *header;
  self->arch_elf = elf_memory ((char *) header, sizeof *header);
  return self->arch_elf != NULL;
}

GzPerfUnwinder *
gz_perf_unwinder_new (pid_t    pid,
                      GError **error)
{
  g_autoptr(GzPerfUnwinder) self = g_new0 (GzPerfUnwinder, 1);
  g_autofree char *mem_path = g_strdup_printf ("/proc/%d/mem", (int) pid);

  self->pid = pid;
  self->mem_fd = open (mem_path, O_RDONLY | O_CLOEXEC);
  self->dwfl = dwfl_begin (&proc_callbacks);
  if (self->dwfl == NULL || !report_modules (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot read the modules of process %d (%s); is it still running?",
                   (int) pid, dwfl_errmsg (-1));
      return NULL;
    }
  if (!attach_arch (self) ||
      !dwfl_attach_state (self->dwfl, self->arch_elf, pid, &thread_callbacks, self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot unwind the stacks of process %d (%s)", (int) pid,
                   dwfl_errmsg (-1));
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
gz_perf_unwinder_free (GzPerfUnwinder *self)
{
  if (self == NULL)
    return;
  if (self->dwfl != NULL)
    dwfl_end (self->dwfl);
  /* After the Dwfl: its thread state's backend refers to it. */
  if (self->arch_elf != NULL)
    elf_end (self->arch_elf);
  if (self->mem_fd >= 0)
    close (self->mem_fd);
  g_free (self);
}

gboolean
gz_perf_unwinder_refresh (GzPerfUnwinder *self)
{
  return report_modules (self);
}

gboolean
gz_perf_unwinder_has_module (GzPerfUnwinder *self,
                             guint64         pc)
{
  return dwfl_addrmodule (self->dwfl, pc) != NULL;
}

static int
on_frame (Dwfl_Frame *state,
          void       *arg)
{
  GzPerfUnwinder *self = arg;
  Dwarf_Addr pc;

  if (!dwfl_frame_pc (state, &pc, NULL) || pc == 0)
    return DWARF_CB_ABORT;
  self->pcs[self->n_pcs++] = pc;
  return self->n_pcs < self->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

guint
gz_perf_unwinder_unwind (GzPerfUnwinder     *self,
                         const GzPerfSample *sample,
                         guint64            *pcs,
                         guint               max,
                         gboolean           *complete)
{
  int ret;

  *complete = FALSE;
  if (!sample->has_regs || max == 0)
    return 0;
  self->sample = sample;
  self->pcs = pcs;
  self->n_pcs = 0;
  self->max = max;
  ret = dwfl_getthread_frames (self->dwfl, (pid_t) sample->tid, on_frame, self);
  /* 0: the unwinder found the outermost frame (no CFI says where to return). */
  *complete = ret == 0;
  self->sample = NULL;
  return self->n_pcs;
}
