/* gz-preload-format.h: the one thing the preload library and the core's collector share: the
 * layout of the shared-memory ring (a memfd) that the preload writes its records into and the
 * collector reads. Plain C11, no GLib: it is compiled into both. No code. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

/* The ring: one memfd of GZ_RING_HEADER_SIZE + data_size bytes. Both sides map the header,
 * then the data twice in a row (header | data | data), so that a record that runs past the end
 * of the data is contiguous in memory: no record is ever split. data_size is a power of two and
 * a multiple of the page size.
 *
 * Many producers (the target's threads, and its signal handlers), one consumer (the collector):
 * - a producer reserves room by a compare-and-swap on head (head + size - tail <= data_size);
 *   with no room it adds to lost_records / lost_bytes and returns: the program never waits;
 * - it writes the record's body, then its first 8 bytes (size and type) with a release store:
 *   a record whose first word is 0 is still being written;
 * - the consumer reads records from tail while their first word is not 0, zeroes the bytes it
 *   read (so a later record's first word is 0 until written) and then advances tail (release).
 * Offsets are free-running byte counts: the position in the data is offset & (data_size - 1).
 * Every record's size is a multiple of 8. */

#define GZ_RING_MAGIC       UINT64_C (0x31474e495220675a) /* "Zg RING1", little-endian */
#define GZ_RING_VERSION     1
#define GZ_RING_HEADER_SIZE 4096

/* The environment variable that hands the ring to the preload: the number of an inherited
 * file descriptor of the memfd. The preload maps it, closes the fd and removes the variable. */
#define GZ_RING_ENV         "GZ_PRELOAD_RING"

/* The registers a record carries, in DWARF order for x86-64 (rax, rdx, rcx, rbx, rsi, rdi, rbp,
 * rsp, r8-r15, rip), as perf's samples and libdw's unwinder have them. A record taken outside a
 * signal handler fills the callee-saved ones (rbx, rbp, r12-r15), rsp and rip; the others are
 * 0. */
#define GZ_RING_N_REGS 17
#define GZ_RING_REG_SP 7
#define GZ_RING_REG_IP 16

/* What the launcher asks for (header.flags). */
enum
{
  GZ_RING_RECORD_MEMORY  = 1 << 0, /* sampled allocations and their frees */
  GZ_RING_RECORD_BLOCK   = 1 << 1, /* waits: condition variables, joins, contended mutexes */
  GZ_RING_RECORD_MUTEX   = 1 << 2, /* contended mutexes */
  GZ_RING_RECORD_THREADS = 1 << 3, /* thread creation */
  GZ_RING_RECORD_CPU     = 1 << 4, /* the fallback CPU ticks (on a real-time signal): only
                                    * when perf events are refused */
  GZ_RING_FOLLOW_FORK    = 1 << 8, /* fork children keep recording into the same ring */
};

typedef struct
{
  /* Written by the collector before the program starts; read-only for the preload. */
  uint64_t magic;
  uint32_t version;
  uint32_t header_size;    /* GZ_RING_HEADER_SIZE */
  uint64_t data_size;      /* bytes of the data area, a power of two */
  uint32_t flags;          /* GZ_RING_RECORD_* */
  uint32_t stack_bytes;    /* bytes of stack a record copies at most (a multiple of 8) */
  uint64_t memory_rate;    /* mean bytes between sampled allocations (Go's MemProfileRate) */
  uint64_t block_rate_ns;  /* Go's SetBlockProfileRate: waits this long are always recorded,
                            * shorter ones with probability delay / rate; 0 = off */
  uint32_t mutex_fraction; /* Go's SetMutexProfileFraction: 1 in N contentions; 0 = off */
  uint32_t cpu_hz;         /* ticks per CPU second for GZ_RING_RECORD_CPU */

  /* Written by the preload once it has mapped the ring. */
  int32_t  pid;            /* the process that attached (0: none yet) */
  uint32_t attached;       /* 1 once the recorders are live */
  uint64_t preload_start;  /* the preload library's mapping (text), so that the collector */
  uint64_t preload_end;    /*   drops the preload's own frames from every stack */
  uint64_t start_time_ns;  /* CLOCK_MONOTONIC when the preload attached */

  /* Producers and the consumer, each on its own cache line. */
  uint64_t head __attribute__ ((aligned (64))); /* bytes reserved by producers */
  uint64_t tail __attribute__ ((aligned (64))); /* bytes consumed by the collector */
  uint64_t lost_records __attribute__ ((aligned (64)));
  uint64_t lost_bytes;
  uint64_t exited;         /* 1 once the process ran its exit handlers (normal exit) */
  int64_t  exit_status;    /* the status passed to exit(), when exited */
} GzRingHeader;

_Static_assert (sizeof (GzRingHeader) <= GZ_RING_HEADER_SIZE, "the header fits its page");

typedef enum
{
  GZ_RECORD_ALLOC  = 1, /* GzRecordAlloc: a sampled allocation */
  GZ_RECORD_FREE   = 2, /* GzRecordFree: a sampled allocation was freed (or realloc'd away) */
  GZ_RECORD_BLOCK  = 3, /* GzRecordWait: a wait (cond, join, contended mutex) */
  GZ_RECORD_MUTEX  = 4, /* GzRecordWait: a contended mutex */
  GZ_RECORD_THREAD = 5, /* GzRecordThread: pthread_create */
  GZ_RECORD_CPU    = 6, /* GzRecordCpu: a CPU tick (fallback, on a real-time signal) */
  GZ_RECORD_FORK   = 7, /* GzRecordFork: with GZ_RING_FOLLOW_FORK, a child now writes too */
  GZ_RECORD_PAD    = 8, /* nothing: skip size bytes */
} GzRecordType;

/* Every record starts with this. size counts the whole record (a multiple of 8); size and type
 * form the first 8 bytes, stored last. */
typedef struct
{
  uint32_t size;
  uint32_t type;     /* GzRecordType */
  uint32_t pid;      /* the writing process (fork children with GZ_RING_FOLLOW_FORK) */
  uint32_t tid;      /* the writing thread */
  uint64_t time_ns;  /* CLOCK_MONOTONIC */
} GzRecordHeader;

/* The stack part of a record: where the unwind starts and the copy of the stack from
 * regs[GZ_RING_REG_SP] up (stack_size bytes, then padding to 8). */
typedef struct
{
  uint64_t regs[GZ_RING_N_REGS];
  uint32_t stack_size;
  uint32_t reserved;
  uint8_t  stack[];
} GzRecordStack;

typedef struct
{
  GzRecordHeader header;
  uint64_t       address;
  uint64_t       size;     /* bytes requested */
  GzRecordStack  stack;
} GzRecordAlloc;

typedef struct
{
  GzRecordHeader header;
  uint64_t       address;
} GzRecordFree;

typedef struct
{
  GzRecordHeader header;
  uint64_t       delay_ns;
  GzRecordStack  stack;
} GzRecordWait;

typedef struct
{
  GzRecordHeader header;
  GzRecordStack  stack;    /* the creating thread's */
} GzRecordThread;

typedef struct
{
  GzRecordHeader header;
  uint64_t       period_ns; /* CPU time this tick stands for */
  GzRecordStack  stack;
} GzRecordCpu;

typedef struct
{
  GzRecordHeader header;
  uint32_t       child_pid;
  uint32_t       reserved;
} GzRecordFork;
