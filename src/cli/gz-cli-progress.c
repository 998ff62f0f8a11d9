/* gz-cli-progress.c: the progress of a running session on the terminal. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "gz-cli.h"

#define BAR_WIDTH 30
/* Without a terminal, a plain line this often (in seconds) instead of a redrawn bar. */
#define PLAIN_INTERVAL_S 5

static gboolean bar_drawn;
static gint64 last_plain_second = -1;

void
gz_cli_progress_update (GzSession *session)
{
  gint64 elapsed = gz_session_get_elapsed (session);
  gint64 duration = gz_session_get_duration (session);
  g_autofree char *elapsed_text = NULL;
  g_autofree char *duration_text = NULL;

  if (!gz_cli_is_tty ())
    {
      gint64 second = elapsed / G_GINT64_CONSTANT (1000000000);

      if (second == 0 || second == last_plain_second || second % PLAIN_INTERVAL_S != 0)
        return;
      last_plain_second = second;
      elapsed_text = gz_cli_format_elapsed (elapsed);
      if (duration > 0)
        {
          duration_text = gz_cli_format_elapsed (duration);
          printf ("%s: %s / %s\n", gz_session_get_id (session), elapsed_text, duration_text);
        }
      else
        printf ("%s: %s elapsed\n", gz_session_get_id (session), elapsed_text);
      fflush (stdout);
      return;
    }

  elapsed_text = g_strdup_printf ("%.1fs", elapsed / 1e9);
  if (duration > 0)
    {
      double fraction = CLAMP ((double) elapsed / (double) duration, 0.0, 1.0);
      int filled = (int) (fraction * BAR_WIDTH);
      char bar[BAR_WIDTH + 1];

      for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
      bar[BAR_WIDTH] = '\0';
      duration_text = g_strdup_printf ("%.1fs", duration / 1e9);
      printf ("\r\033[K[%s] %s / %s", bar, elapsed_text, duration_text);
    }
  else
    {
      /* The escape sequence clears the line: it stays out of the translation. */
      printf ("\r\033[K");
      printf (_("profiling… %s elapsed (Ctrl-C to stop)"), elapsed_text);
    }
  fflush (stdout);
  bar_drawn = TRUE;
}

void
gz_cli_progress_end (void)
{
  if (bar_drawn)
    {
      printf ("\r\033[K");
      fflush (stdout);
      bar_drawn = FALSE;
    }
}
