/* gz-ring.c: the collector's side of the preload's shared-memory ring: made here (a memfd,
 * mapped header | data | data), handed to a program, drained here. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-ring.h"

#define DEFAULT_DATA_SIZE   (8 * 1024 * 1024)
#define DEFAULT_STACK_BYTES 8192
#define MAX_STACK_BYTES     65536
#define MIN_DATA_SIZE       4096
#define MAX_DATA_SIZE       (G_GUINT64_CONSTANT (1) << 32)

struct _GzRing
{
  int           fd;
  guint8       *area;      /* header | data | data */
  gsize         area_size;
  GzRingHeader *header;
  guint8       *data;
  guint64       data_size; /* as mapped: the header is the program's to write over too */
};

static guint64
round_up_to_power_of_two (guint64 value)
{
  guint64 result = MIN_DATA_SIZE;

  while (result < value && result < MAX_DATA_SIZE)
    result <<= 1;

  return result;
}

/* Maps @fd of GZ_RING_HEADER_SIZE + @data_size bytes as header | data | data. */
static gboolean
map_ring (GzRing   *self,
          guint64   data_size,
          GError  **error)
{
  gsize size = GZ_RING_HEADER_SIZE + 2 * data_size;
  guint8 *area;

  area = mmap (NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (area == MAP_FAILED)
    goto failed;
  if (mmap (area, GZ_RING_HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
            self->fd, 0) == MAP_FAILED ||
      mmap (area + GZ_RING_HEADER_SIZE, data_size, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_FIXED, self->fd, GZ_RING_HEADER_SIZE) == MAP_FAILED ||
      mmap (area + GZ_RING_HEADER_SIZE + data_size, data_size, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_FIXED, self->fd, GZ_RING_HEADER_SIZE) == MAP_FAILED)
    {
      int saved_errno = errno;

      munmap (area, size);
      errno = saved_errno;
      goto failed;
    }

  self->area = area;
  self->area_size = size;
  self->header = (GzRingHeader *) area;
  self->data = area + GZ_RING_HEADER_SIZE;
  self->data_size = data_size;
  return TRUE;

failed:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               "Could not map the ring of %" G_GUINT64_FORMAT " bytes: %s (check the memory "
               "limits, ulimit -v)", data_size, g_strerror (errno));
  return FALSE;
}

GzRing *
gz_ring_new (const GzRingOptions  *options,
             GError              **error)
{
  g_autoptr(GzRing) self = g_new0 (GzRing, 1);
  guint64 data_size;
  guint32 stack_bytes;
  GzRingHeader *header;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data_size = round_up_to_power_of_two (options->data_size != 0 ? options->data_size
                                                                : DEFAULT_DATA_SIZE);
  stack_bytes = options->stack_bytes != 0 ? options->stack_bytes : DEFAULT_STACK_BYTES;
  stack_bytes = MIN (stack_bytes, MAX_STACK_BYTES) & ~7u;

  self->fd = -1;
  self->fd = memfd_create ("gz-ring", MFD_CLOEXEC);
  if (self->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not make the ring's shared memory (memfd_create): %s",
                   g_strerror (saved_errno));
      return NULL;
    }
  if (ftruncate (self->fd, (off_t) (GZ_RING_HEADER_SIZE + data_size)) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not size the ring's shared memory to %" G_GUINT64_FORMAT " bytes: %s "
                   "(is /dev/shm full?)", GZ_RING_HEADER_SIZE + data_size,
                   g_strerror (saved_errno));
      return NULL;
    }
  /* The pages now, here: the program then only maps them (gz-preload.c populates its view),
   * rather than allocating and clearing each on its first record. Only an optimisation. */
  if (fallocate (self->fd, 0, 0, (off_t) (GZ_RING_HEADER_SIZE + data_size)) != 0)
    g_debug ("fallocate of the ring: %s", g_strerror (errno));
  if (!map_ring (self, data_size, error))
    return NULL;

  header = self->header;
  header->magic = GZ_RING_MAGIC;
  header->version = GZ_RING_VERSION;
  header->header_size = GZ_RING_HEADER_SIZE;
  header->data_size = data_size;
  header->flags = options->flags;
  header->stack_bytes = stack_bytes;
  header->memory_rate = options->memory_rate;
  header->block_rate_ns = options->block_rate_ns;
  header->mutex_fraction = options->mutex_fraction;
  header->cpu_hz = options->cpu_hz;

  return g_steal_pointer (&self);
}

GzRing *
gz_ring_new_from_fd (int      fd,
                     GError **error)
{
  g_autoptr(GzRing) self = g_new0 (GzRing, 1);
  GzRingHeader *peek;
  struct stat st;
  guint64 data_size;
  gboolean valid;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->fd = fd;
  if (fstat (fd, &st) != 0 || st.st_size < GZ_RING_HEADER_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The file handed over is not a gz ring (too small): is the program's "
                   "preload library from the same gz version?");
      return NULL;
    }
  peek = mmap (NULL, GZ_RING_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  if (peek == MAP_FAILED)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not map the ring's header: %s", g_strerror (saved_errno));
      return NULL;
    }
  data_size = peek->data_size;
  valid = peek->magic == GZ_RING_MAGIC && peek->version == GZ_RING_VERSION &&
          peek->header_size == GZ_RING_HEADER_SIZE && data_size >= MIN_DATA_SIZE &&
          data_size <= MAX_DATA_SIZE && (data_size & (data_size - 1)) == 0 &&
          (guint64) st.st_size == GZ_RING_HEADER_SIZE + data_size;
  munmap (peek, GZ_RING_HEADER_SIZE);
  if (!valid)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The file handed over is not a gz ring of version %d: is the program's "
                   "preload library from the same gz version?", GZ_RING_VERSION);
      return NULL;
    }
  if (!map_ring (self, data_size, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
gz_ring_free (GzRing *self)
{
  if (self == NULL)
    return;
  if (self->area != NULL)
    munmap (self->area, self->area_size);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self);
}

int
gz_ring_get_fd (GzRing *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->fd;
}

const GzRingHeader *
gz_ring_get_header (GzRing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->header;
}

guint
gz_ring_drain (GzRing     *self,
               GzRingFunc  func,
               gpointer    user_data)
{
  GzRingHeader *header;
  guint64 mask;
  guint64 tail;
  guint n_records = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  header = self->header;
  mask = self->data_size - 1;
  tail = __atomic_load_n (&header->tail, __ATOMIC_RELAXED);
  for (;;)
    {
      guint8 *record = self->data + (tail & mask);
      guint64 first = __atomic_load_n ((guint64 *) record, __ATOMIC_ACQUIRE);
      guint32 size = (guint32) first;
      guint32 type = (guint32) (first >> 32);

      if (first == 0)
        break;
      /* A size no producer writes: the ring is damaged (a program writing over it); stop
       * rather than read past the records. */
      if (size < 8 || size % 8 != 0 || size > self->data_size)
        {
          g_warning ("The ring's record at %" G_GUINT64_FORMAT " has a size of %u bytes: "
                     "reading stopped", tail, size);
          break;
        }
      if (type != GZ_RECORD_PAD && size >= sizeof (GzRecordHeader))
        {
          func ((const GzRecordHeader *) record, user_data);
          n_records++;
        }
      /* Zero before the room goes back: a producer's next record there reads as unwritten
       * until its first word is stored. */
      memset (record, 0, size);
      tail += size;
      __atomic_store_n (&header->tail, tail, __ATOMIC_RELEASE);
    }

  return n_records;
}

guint64
gz_ring_get_lost (GzRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return __atomic_load_n (&self->header->lost_records, __ATOMIC_RELAXED);
}
