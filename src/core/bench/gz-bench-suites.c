/* gz-bench-suites.c: the built-in benchmarks: allocation, thread creation, a thread pool, a
 * bounded queue, json-glib both ways, string building, and an empty operation. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <json-glib/json-glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gz-bench-suites.h"

G_DEFINE_QUARK (gz-bench-error-quark, gz_bench_error)

#define NOINLINE __attribute__ ((noinline, noipa))

/* Results go here so the compiler cannot drop the work that made them. */
static volatile guint64 sink;

/* --- memory-allocation: 1 KiB through the process allocator, filled with i % 256, freed. */

static NOINLINE void
memory_allocation_run (gpointer state,
                       guint64  first,
                       guint64  n)
{
  for (guint64 i = first; i < first + n; i++)
    {
      unsigned char *volatile block = malloc (1024);

      memset (block, (int) (i % 256), 1024);
      free (block);
    }
}

/* --- goroutine-creation: a C program's unit is the thread: create one that signals it ran,
 * join it. */

static void *
thread_body (void *data)
{
  g_atomic_int_set ((int *) data, 1);
  return NULL;
}

static NOINLINE void
thread_creation_run (gpointer state,
                     guint64  first,
                     guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    {
      int ran = 0;
      pthread_t thread;

      if (pthread_create (&thread, NULL, thread_body, &ran) != 0)
        g_error ("goroutine-creation: pthread_create failed; raise the thread limit (ulimit -u)");
      pthread_join (thread, NULL);
      if (!g_atomic_int_get (&ran))
        g_error ("goroutine-creation: the thread did not run");
    }
}

/* --- task-spawn: the same through a GLib thread pool: push a task, wait until it has run. */

typedef struct
{
  GThreadPool *pool;
  GMutex       lock;
  GCond        cond;
  guint64      done;
} TaskSpawn;

static void
task_body (gpointer data,
           gpointer user_data)
{
  TaskSpawn *ts = user_data;

  g_mutex_lock (&ts->lock);
  ts->done++;
  g_cond_signal (&ts->cond);
  g_mutex_unlock (&ts->lock);
}

static gpointer
task_spawn_new (guint    worker,
                guint    concurrency,
                GError **error)
{
  TaskSpawn *ts = g_new0 (TaskSpawn, 1);

  g_mutex_init (&ts->lock);
  g_cond_init (&ts->cond);
  ts->pool = g_thread_pool_new (task_body, ts, 1, FALSE, error);
  if (ts->pool == NULL)
    {
      g_free (ts);
      return NULL;
    }
  return ts;
}

static NOINLINE void
task_spawn_run (gpointer state,
                guint64  first,
                guint64  n)
{
  TaskSpawn *ts = state;

  for (guint64 i = 0; i < n; i++)
    {
      guint64 target;

      g_mutex_lock (&ts->lock);
      target = ts->done + 1;
      g_mutex_unlock (&ts->lock);
      g_thread_pool_push (ts->pool, GUINT_TO_POINTER (1), NULL);
      g_mutex_lock (&ts->lock);
      while (ts->done < target)
        g_cond_wait (&ts->cond, &ts->lock);
      g_mutex_unlock (&ts->lock);
    }
}

static void
task_spawn_free (gpointer state)
{
  TaskSpawn *ts = state;

  g_thread_pool_free (ts->pool, FALSE, TRUE);
  g_mutex_clear (&ts->lock);
  g_cond_clear (&ts->cond);
  g_free (ts);
}

/* --- channel-operations: a bounded queue of capacity 1. Alone, a worker sends and receives
 * itself; with --concurrency N each of the N workers is a producer paired with a consumer. */

#define CHANNEL_CLOSE G_MAXUINT64

typedef struct
{
  GMutex   lock;
  GCond    not_full;
  GCond    not_empty;
  gboolean full;
  guint64  value;
  GThread *consumer; /* NULL when the worker receives itself */
  guint64  received;
} Channel;

static void
channel_send (Channel *ch,
              guint64  value)
{
  g_mutex_lock (&ch->lock);
  while (ch->full)
    g_cond_wait (&ch->not_full, &ch->lock);
  ch->value = value;
  ch->full = TRUE;
  g_cond_signal (&ch->not_empty);
  g_mutex_unlock (&ch->lock);
}

static guint64
channel_receive (Channel *ch)
{
  guint64 value;

  g_mutex_lock (&ch->lock);
  while (!ch->full)
    g_cond_wait (&ch->not_empty, &ch->lock);
  value = ch->value;
  ch->full = FALSE;
  g_cond_signal (&ch->not_full);
  g_mutex_unlock (&ch->lock);
  return value;
}

static gpointer
channel_consumer (gpointer data)
{
  Channel *ch = data;

  while (channel_receive (ch) != CHANNEL_CLOSE)
    ch->received++;
  return NULL;
}

static gpointer
channel_new (guint    worker,
             guint    concurrency,
             GError **error)
{
  Channel *ch = g_new0 (Channel, 1);

  g_mutex_init (&ch->lock);
  g_cond_init (&ch->not_full);
  g_cond_init (&ch->not_empty);
  if (concurrency > 1)
    {
      ch->consumer = g_thread_try_new ("gz-bench-consumer", channel_consumer, ch, error);
      if (ch->consumer == NULL)
        {
          g_free (ch);
          return NULL;
        }
    }
  return ch;
}

static NOINLINE void
channel_run (gpointer state,
             guint64  first,
             guint64  n)
{
  Channel *ch = state;

  for (guint64 i = first; i < first + n; i++)
    {
      channel_send (ch, i);
      if (ch->consumer == NULL)
        sink = channel_receive (ch);
    }
}

static void
channel_free (gpointer state)
{
  Channel *ch = state;

  if (ch->consumer != NULL)
    {
      channel_send (ch, CHANNEL_CLOSE);
      g_thread_join (ch->consumer);
    }
  g_mutex_clear (&ch->lock);
  g_cond_clear (&ch->not_full);
  g_cond_clear (&ch->not_empty);
  g_free (ch);
}

/* --- json-marshal / json-unmarshal: {"name":"test","version":"1.0.0","items":[1,2,3,4,5]} */

typedef struct
{
  char   *name;
  char   *version;
  gint64  items[5];
} Document;

static const Document document = { (char *) "test", (char *) "1.0.0", { 1, 2, 3, 4, 5 } };
static const char document_json[] = "{\"name\":\"test\",\"version\":\"1.0.0\",\"items\":[1,2,3,4,5]}";

typedef struct
{
  JsonBuilder   *builder;
  JsonGenerator *generator;
  JsonParser    *parser;
} JsonState;

static gpointer
json_state_new (guint    worker,
                guint    concurrency,
                GError **error)
{
  JsonState *js = g_new0 (JsonState, 1);

  js->builder = json_builder_new ();
  js->generator = json_generator_new ();
  js->parser = json_parser_new_immutable ();
  return js;
}

static void
json_state_free (gpointer state)
{
  JsonState *js = state;

  g_object_unref (js->builder);
  g_object_unref (js->generator);
  g_object_unref (js->parser);
  g_free (js);
}

static NOINLINE void
json_marshal_run (gpointer state,
                  guint64  first,
                  guint64  n)
{
  JsonState *js = state;

  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      gsize length;

      json_builder_reset (js->builder);
      json_builder_begin_object (js->builder);
      json_builder_set_member_name (js->builder, "name");
      json_builder_add_string_value (js->builder, document.name);
      json_builder_set_member_name (js->builder, "version");
      json_builder_add_string_value (js->builder, document.version);
      json_builder_set_member_name (js->builder, "items");
      json_builder_begin_array (js->builder);
      for (guint j = 0; j < G_N_ELEMENTS (document.items); j++)
        json_builder_add_int_value (js->builder, document.items[j]);
      json_builder_end_array (js->builder);
      json_builder_end_object (js->builder);
      root = json_builder_get_root (js->builder);
      json_generator_set_root (js->generator, root);
      text = json_generator_to_data (js->generator, &length);
      sink = length;
    }
}

static NOINLINE void
json_unmarshal_run (gpointer state,
                    guint64  first,
                    guint64  n)
{
  JsonState *js = state;

  for (guint64 i = 0; i < n; i++)
    {
      Document doc = { 0 };
      JsonObject *object;
      JsonArray *items;

      if (!json_parser_load_from_data (js->parser, document_json, sizeof document_json - 1, NULL))
        g_error ("json-unmarshal: the document did not parse");
      object = json_node_get_object (json_parser_get_root (js->parser));
      doc.name = g_strdup (json_object_get_string_member (object, "name"));
      doc.version = g_strdup (json_object_get_string_member (object, "version"));
      items = json_object_get_array_member (object, "items");
      for (guint j = 0; j < G_N_ELEMENTS (doc.items) && j < json_array_get_length (items); j++)
        doc.items[j] = json_array_get_int_element (items, j);
      sink = doc.items[4] + strlen (doc.name) + strlen (doc.version);
      g_free (doc.name);
      g_free (doc.version);
    }
}

/* --- string-operations: "test0test1…test99" built piece by piece, then taken. */

static NOINLINE void
string_operations_run (gpointer state,
                       guint64  first,
                       guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    {
      GString *s = g_string_new (NULL);
      char *text;

      for (guint j = 0; j < 100; j++)
        {
          char digits[4];
          guint len = 0;

          g_string_append_len (s, "test", 4);
          if (j >= 10)
            digits[len++] = (char) ('0' + j / 10);
          digits[len++] = (char) ('0' + j % 10);
          g_string_append_len (s, digits, len);
        }
      text = g_string_free (s, FALSE);
      sink = (guint64) text[0];
      g_free (text);
    }
}

/* --- noop: nothing, to show what the harness itself costs. */

static NOINLINE void
noop_run (gpointer state,
          guint64  first,
          guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    __asm__ __volatile__ ("" ::: "memory");
}

static const GzBenchSuite suites[] = {
  { "memory-allocation", "malloc 1 KiB, fill it with i % 256, free it",
    NULL, memory_allocation_run, NULL },
  { "goroutine-creation", "create a thread that signals it ran and join it (a C program's "
    "goroutine is a thread; alias thread-creation)",
    NULL, thread_creation_run, NULL },
  { "task-spawn", "run a task on a GLib thread pool and wait for it",
    task_spawn_new, task_spawn_run, task_spawn_free },
  { "channel-operations", "send a value through a bounded queue of capacity 1 and receive it "
    "(--concurrency N: N producer/consumer pairs)",
    channel_new, channel_run, channel_free },
  { "json-marshal", "serialize {\"name\",\"version\",\"items\":[1..5]} with json-glib",
    json_state_new, json_marshal_run, json_state_free },
  { "json-unmarshal", "parse that document with json-glib into a C struct",
    json_state_new, json_unmarshal_run, json_state_free },
  { "string-operations", "build \"test0test1…test99\" in a GString, then take it",
    NULL, string_operations_run, NULL },
  { "noop", "an empty operation: the harness's own cost per operation",
    NULL, noop_run, NULL },
};

static const struct { const char *alias; const char *name; } aliases[] = {
  { "thread-creation", "goroutine-creation" },
};

const GzBenchSuite * const *
gz_bench_suites_list (void)
{
  static const GzBenchSuite *list[G_N_ELEMENTS (suites) + 1];
  static gsize filled;

  if (g_once_init_enter (&filled))
    {
      for (guint i = 0; i < G_N_ELEMENTS (suites); i++)
        list[i] = &suites[i];
      list[G_N_ELEMENTS (suites)] = NULL;
      g_once_init_leave (&filled, 1);
    }
  return list;
}

char *
gz_bench_suites_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (suites); i++)
    {
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, suites[i].name);
      for (guint j = 0; j < G_N_ELEMENTS (aliases); j++)
        if (g_str_equal (aliases[j].name, suites[i].name))
          g_string_append_printf (names, " (%s)", aliases[j].alias);
    }
  g_string_append (names, ", all");
  return g_string_free (names, FALSE);
}

const GzBenchSuite *
gz_bench_suites_lookup (const char *name,
                        GError    **error)
{
  g_autofree char *names = NULL;

  for (guint j = 0; j < G_N_ELEMENTS (aliases); j++)
    if (g_str_equal (name, aliases[j].alias))
      name = aliases[j].name;
  for (guint i = 0; i < G_N_ELEMENTS (suites); i++)
    if (g_str_equal (name, suites[i].name))
      return &suites[i];

  names = gz_bench_suites_names ();
  g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_UNKNOWN, "unknown benchmark: %s; use one "
               "of: %s", name, names);
  return NULL;
}
