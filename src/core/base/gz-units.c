/* gz-units.c: bytes, durations and counts written for people, the same everywhere. */

#include "config.h"

#include <math.h>

#include "gz-units.h"

/* @value / @scale with three significant digits, then @suffix; the sign kept. */
static char *
scaled (double      value,
        double      scale,
        const char *suffix)
{
  double v = value / scale;
  double a = fabs (v);

  if (a >= 100 || a == 0)
    return g_strdup_printf ("%.0f %s", v, suffix);
  if (a >= 10)
    return g_strdup_printf ("%.1f %s", v, suffix);
  return g_strdup_printf ("%.3g %s", v, suffix);
}

char *
gz_units_format_bytes (double bytes)
{
  static const char * const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
  double a = fabs (bytes);
  double scale = 1024;

  if (!isfinite (bytes))
    return g_strdup ("-");
  if (a < 1024)
    return g_strdup_printf ("%.4g B", bytes);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++, scale *= 1024)
    if (a < scale * 1024 * 0.9995 || i + 1 == G_N_ELEMENTS (units))
      return scaled (bytes, scale, units[i]);
  g_assert_not_reached ();
}

char *
gz_units_format_nanoseconds (double nanoseconds)
{
  double a = fabs (nanoseconds);

  if (!isfinite (nanoseconds))
    return g_strdup ("-");
  if (a < 999.5)
    return scaled (nanoseconds, 1, "ns");
  if (a < 999.5e3)
    return scaled (nanoseconds, 1e3, "µs");
  if (a < 999.5e6)
    return scaled (nanoseconds, 1e6, "ms");
  if (a < 60e9)
    return scaled (nanoseconds, 1e9, "s");

  {
    const char *sign = nanoseconds < 0 ? "-" : "";
    gint64 seconds = (gint64) (a / 1e9);

    if (seconds < 3600)
      return g_strdup_printf ("%s%" G_GINT64_FORMAT " min %02d s", sign, seconds / 60,
                              (int) (seconds % 60));
    return g_strdup_printf ("%s%" G_GINT64_FORMAT " h %02d min", sign, seconds / 3600,
                            (int) (seconds / 60 % 60));
  }
}

char *
gz_units_format_count (double count)
{
  double a = fabs (count);

  if (!isfinite (count))
    return g_strdup ("-");
  if (a < 999.5)
    return g_strdup_printf ("%.3g", count);
  if (a < 999.5e3)
    return scaled (count, 1e3, "k");
  if (a < 999.5e6)
    return scaled (count, 1e6, "M");
  return scaled (count, 1e9, "G");
}

char *
gz_units_format_value (gint64      value,
                       const char *unit)
{
  if (g_strcmp0 (unit, "nanoseconds") == 0)
    return gz_units_format_nanoseconds ((double) value);
  if (g_strcmp0 (unit, "bytes") == 0)
    return gz_units_format_bytes ((double) value);
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}
