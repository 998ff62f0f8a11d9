/* test-profile-tree.c: the viewer's call tree on profiles built by hand with known values: totals
 * and self per node, merging, rows and lookups, per-function totals, the diff against a base,
 * callers and callees, the search share with recursion, and a large random profile whose tree
 * is built lazily checked against the samples. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "gz-profile-tree.h"

/* A location in a function per name in @names (innermost first, NULL-terminated: more than one
 * is an inlined call), in mapping @mapping_id (0: none): its id. With no names, no lines. */
static guint64
add_location (GzProfile          *profile,
              guint64             mapping_id,
              const char * const *names)
{
  GzLocation *location = gz_location_new ();

  location->id = profile->locations->len + 1;
  location->address = 0x1000 + location->id * 16;
  location->mapping_id = mapping_id;
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      GzFunction *function = gz_function_new ();
      GzLine line = { 0, };

      function->id = profile->functions->len + 1;
      function->name = g_strdup (names[i]);
      g_ptr_array_add (profile->functions, function);
      line.function_id = function->id;
      g_array_append_val (location->lines, line);
    }
  g_ptr_array_add (profile->locations, location);
  return location->id;
}

static guint64
add_function (GzProfile  *profile,
              const char *name)
{
  const char *names[] = { name, NULL };

  return add_location (profile, 0, names);
}

/* A sample of @value over the locations @ids (leaf first, 0-terminated). */
static void
add_sample (GzProfile     *profile,
            gint64         value,
            const guint64 *ids)
{
  GzSample *sample = gz_sample_new ();

  for (guint i = 0; ids[i] != 0; i++)
    g_array_append_val (sample->location_ids, ids[i]);
  g_array_append_val (sample->values, value);
  g_ptr_array_add (profile->samples, sample);
}

/* main→a 10, main→a→b 20, main→c 5, main→b 7, main→a→a→b 3: 45 in all. */
static GzProfile *
profile_new_known (void)
{
  GzProfile *profile = gz_profile_new ();
  guint64 main_, a, b, c;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  main_ = add_function (profile, "main");
  a = add_function (profile, "a");
  b = add_function (profile, "b");
  c = add_function (profile, "c");
  add_sample (profile, 10, (guint64[]) { a, main_, 0 });
  add_sample (profile, 20, (guint64[]) { b, a, main_, 0 });
  add_sample (profile, 5, (guint64[]) { c, main_, 0 });
  add_sample (profile, 7, (guint64[]) { b, main_, 0 });
  add_sample (profile, 3, (guint64[]) { b, a, a, main_, 0 });
  return profile;
}

/* The node at the path of names from the root (NULL-terminated), or GZ_PROFILE_TREE_NONE. */
static guint32
node_at (GzProfileTree      *tree,
         const char * const *path)
{
  guint32 node = 0;

  for (guint i = 0; path[i] != NULL; i++)
    {
      guint n;
      const guint32 *children = gz_profile_tree_get_children (tree, node, &n);
      guint32 next = GZ_PROFILE_TREE_NONE;

      for (guint c = 0; c < n; c++)
        if (g_strcmp0 (gz_profile_tree_get_name (tree,
                         gz_profile_tree_get_node (tree, children[c])->name), path[i]) == 0)
          next = children[c];
      if (next == GZ_PROFILE_TREE_NONE)
        return next;
      node = next;
    }
  return node;
}

#define NODE_AT(tree, ...) node_at ((tree), (const char * const[]) { __VA_ARGS__, NULL })

static void
assert_node (GzProfileTree *tree,
             guint32        node,
             gint64         self,
             gint64         total)
{
  const GzProfileTreeNode *n;

  g_assert_cmpuint (node, !=, GZ_PROFILE_TREE_NONE);
  n = gz_profile_tree_get_node (tree, node);
  g_assert_cmpint (n->self, ==, self);
  g_assert_cmpint (n->total, ==, total);
}

static const GzProfileTreeFunction *
find_function (GArray        *functions,
               GzProfileTree *tree,
               const char    *name)
{
  for (guint i = 0; i < functions->len; i++)
    {
      const GzProfileTreeFunction *f = &g_array_index (functions, GzProfileTreeFunction, i);

      if (g_strcmp0 (gz_profile_tree_get_name (tree, f->name), name) == 0)
        return f;
    }
  return NULL;
}

static void
test_tree_totals (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);

  g_assert_cmpstr (gz_profile_tree_get_unit (tree), ==, "nanoseconds");
  g_assert_cmpstr (gz_profile_tree_get_type_name (tree), ==, "cpu");
  g_assert_false (gz_profile_tree_has_base (tree));
  assert_node (tree, 0, 0, 45);
  g_assert_cmpstr (gz_profile_tree_get_name (tree, 0), ==, "");
  assert_node (tree, NODE_AT (tree, "main"), 0, 45);
  assert_node (tree, NODE_AT (tree, "main", "a"), 10, 33);
  assert_node (tree, NODE_AT (tree, "main", "a", "b"), 20, 20);
  assert_node (tree, NODE_AT (tree, "main", "a", "a"), 0, 3);
  assert_node (tree, NODE_AT (tree, "main", "a", "a", "b"), 3, 3);
  assert_node (tree, NODE_AT (tree, "main", "b"), 7, 7);
  assert_node (tree, NODE_AT (tree, "main", "c"), 5, 5);
  /* Merged by name: one node per distinct path, the root included. */
  g_assert_cmpuint (gz_profile_tree_get_n_nodes (tree), ==, 8);
  g_assert_cmpuint (gz_profile_tree_get_n_rows (tree), ==, 5);
  g_assert_cmpuint (NODE_AT (tree, "main", "d"), ==, GZ_PROFILE_TREE_NONE);
}

static void
test_tree_rows (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);
  guint n;
  const guint32 *row = gz_profile_tree_get_row (tree, 2, &n);

  /* Largest first, laid end to end from the parent's start. */
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (row[0], ==, NODE_AT (tree, "main", "a"));
  g_assert_cmpuint (row[1], ==, NODE_AT (tree, "main", "b"));
  g_assert_cmpuint (row[2], ==, NODE_AT (tree, "main", "c"));
  g_assert_cmpint (gz_profile_tree_get_node (tree, row[1])->offset, ==, 33);
  g_assert_cmpint (gz_profile_tree_get_node (tree, row[2])->offset, ==, 40);

  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 0), ==, row[0]);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 32), ==, row[0]);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 33), ==, row[1]);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 44), ==, row[2]);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 45), ==, GZ_PROFILE_TREE_NONE);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, -1), ==, GZ_PROFILE_TREE_NONE);
  /* Row 3 under a: b [0, 20), a [20, 23), then a's own 10 with no frame below. */
  g_assert_cmpuint (gz_profile_tree_find (tree, 3, 21), ==, NODE_AT (tree, "main", "a", "a"));
  g_assert_cmpuint (gz_profile_tree_find (tree, 3, 25), ==, GZ_PROFILE_TREE_NONE);
  g_assert_cmpuint (gz_profile_tree_find (tree, 9, 0), ==, GZ_PROFILE_TREE_NONE);
}

static void
test_tree_functions (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);
  g_autoptr(GArray) functions = gz_profile_tree_get_functions (tree);
  const GzProfileTreeFunction *f;

  g_assert_cmpuint (functions->len, ==, 4);
  f = find_function (functions, tree, "main");
  g_assert_cmpint (f->flat, ==, 0);
  g_assert_cmpint (f->cum, ==, 45);
  /* a calls itself: its cumulative value counts that stack once. */
  f = find_function (functions, tree, "a");
  g_assert_cmpint (f->flat, ==, 10);
  g_assert_cmpint (f->cum, ==, 33);
  f = find_function (functions, tree, "b");
  g_assert_cmpint (f->flat, ==, 30);
  g_assert_cmpint (f->cum, ==, 30);
  f = find_function (functions, tree, "c");
  g_assert_cmpint (f->flat, ==, 5);
  g_assert_cmpint (f->cum, ==, 5);
}

static void
test_tree_inline_and_address (void)
{
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GzProfileTree) tree = NULL;
  GzMapping *mapping = gz_mapping_new ();
  guint64 outer, bare;
  guint32 leaf;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("alloc_space", "bytes"));
  mapping->id = 1;
  mapping->filename = g_strdup ("/usr/lib/libfoo.so.1");
  g_ptr_array_add (profile->mappings, mapping);
  outer = add_location (profile, 1, (const char * const[]) { "inlined", "outer", NULL });
  bare = add_location (profile, 0, NULL);
  add_sample (profile, 4096, (guint64[]) { bare, outer, 0 });

  tree = gz_profile_tree_new (profile, 0, NULL, 0);
  /* The inlined call is a frame under the function it was inlined into. */
  leaf = NODE_AT (tree, "outer", "inlined", "0x0000000000001020");
  assert_node (tree, leaf, 4096, 4096);
  g_assert_cmpstr (gz_profile_tree_get_library (tree, gz_profile_tree_lookup_name (tree, "outer")),
                   ==, "/usr/lib/libfoo.so.1");
  g_assert_null (gz_profile_tree_get_library (tree,
                   gz_profile_tree_lookup_name (tree, "0x0000000000001020")));
  g_assert_cmpuint (gz_profile_tree_lookup_name (tree, "missing"), ==, GZ_PROFILE_TREE_NONE);
}

/* The base: main→a 20, main→c 5, main→d 10: 35 in all. */
static GzProfile *
profile_new_base (void)
{
  GzProfile *profile = gz_profile_new ();
  guint64 main_, a, c, d;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  main_ = add_function (profile, "main");
  c = add_function (profile, "c");
  a = add_function (profile, "a");
  d = add_function (profile, "d");
  add_sample (profile, 20, (guint64[]) { a, main_, 0 });
  add_sample (profile, 5, (guint64[]) { c, main_, 0 });
  add_sample (profile, 10, (guint64[]) { d, main_, 0 });
  return profile;
}

static void
test_tree_diff (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfile) base = profile_new_base ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, base, 0);
  g_autoptr(GArray) functions = NULL;
  const GzProfileTreeNode *n;
  guint32 a = NODE_AT (tree, "main", "a");
  guint32 d = NODE_AT (tree, "main", "d");

  g_assert_true (gz_profile_tree_has_base (tree));
  n = gz_profile_tree_get_node (tree, 0);
  g_assert_cmpint (n->total, ==, 45);
  g_assert_cmpint (n->base_total, ==, 35);
  n = gz_profile_tree_get_node (tree, a);
  g_assert_cmpint (n->total, ==, 33);
  g_assert_cmpint (n->base_total, ==, 20);
  g_assert_cmpint (n->base_self, ==, 20);
  g_assert_cmpfloat (gz_profile_tree_node_delta (tree, a, FALSE), ==, 13.0);
  g_assert_cmpfloat_with_epsilon (gz_profile_tree_node_delta (tree, a, TRUE),
                                  33.0 - 20.0 * 45.0 / 35.0, 1e-9);
  /* A frame only the base has: there, with no width, and it shrank by all it had. */
  n = gz_profile_tree_get_node (tree, d);
  g_assert_cmpint (n->total, ==, 0);
  g_assert_cmpint (n->base_total, ==, 10);
  g_assert_cmpfloat (gz_profile_tree_node_delta (tree, d, FALSE), ==, -10.0);
  g_assert_cmpint (n->offset, ==, 45);
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 44), ==, NODE_AT (tree, "main", "c"));
  g_assert_cmpuint (gz_profile_tree_find (tree, 2, 45), ==, GZ_PROFILE_TREE_NONE);
  /* c had 5 and has 5: no change in absolute terms. */
  g_assert_cmpfloat (gz_profile_tree_node_delta (tree, NODE_AT (tree, "main", "c"), FALSE), ==,
                     0.0);

  functions = gz_profile_tree_get_functions (tree);
  g_assert_cmpint (find_function (functions, tree, "a")->base_cum, ==, 20);
  g_assert_cmpint (find_function (functions, tree, "d")->base_flat, ==, 10);
  g_assert_cmpint (find_function (functions, tree, "d")->cum, ==, 0);
  g_assert_cmpint (find_function (functions, tree, "b")->base_cum, ==, 0);
}

static void
test_tree_callers_callees (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);
  g_autoptr(GzProfileTree) callees = NULL;
  g_autoptr(GzProfileTree) callers = NULL;
  g_autoptr(GzProfileTree) b_callers = NULL;

  callees = gz_profile_tree_new_callees (tree, gz_profile_tree_lookup_name (tree, "a"));
  assert_node (callees, 0, 0, 33);
  assert_node (callees, NODE_AT (callees, "a"), 10, 33);
  assert_node (callees, NODE_AT (callees, "a", "b"), 20, 20);
  assert_node (callees, NODE_AT (callees, "a", "a", "b"), 3, 3);
  g_assert_cmpuint (NODE_AT (callees, "main"), ==, GZ_PROFILE_TREE_NONE);

  callers = gz_profile_tree_new_callers (tree, gz_profile_tree_lookup_name (tree, "a"));
  assert_node (callers, 0, 0, 33);
  assert_node (callers, NODE_AT (callers, "a"), 0, 33);
  assert_node (callers, NODE_AT (callers, "a", "main"), 33, 33);

  /* b is called by a (directly 20, and through a again 3) and by main (7). */
  b_callers = gz_profile_tree_new_callers (tree, gz_profile_tree_lookup_name (tree, "b"));
  assert_node (b_callers, NODE_AT (b_callers, "b"), 0, 30);
  assert_node (b_callers, NODE_AT (b_callers, "b", "a"), 0, 23);
  assert_node (b_callers, NODE_AT (b_callers, "b", "a", "main"), 20, 20);
  assert_node (b_callers, NODE_AT (b_callers, "b", "a", "a", "main"), 3, 3);
  assert_node (b_callers, NODE_AT (b_callers, "b", "main"), 7, 7);

  g_assert_null (gz_profile_tree_new_callers (tree, gz_profile_tree_lookup_name (tree, "")));
}

static gint64
search (GzProfileTree *tree,
        const char    *pattern,
        guint32        root,
        guint8        *matched)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);

  g_assert_nonnull (regex);
  return gz_profile_tree_search (tree, regex, root, matched);
}

static void
test_tree_search (void)
{
  g_autoptr(GzProfile) profile = profile_new_known ();
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);
  g_autofree guint8 *matched = g_new0 (guint8, gz_profile_tree_get_n_nodes (tree));
  guint count = 0;

  /* a under a is the same stacks: 33, not 36. */
  g_assert_cmpint (search (tree, "^a$", 0, matched), ==, 33);
  for (guint i = 0; i < gz_profile_tree_get_n_nodes (tree); i++)
    count += matched[i];
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (matched[NODE_AT (tree, "main", "a", "a")]);
  g_assert_cmpint (search (tree, "^b$", 0, NULL), ==, 30);
  g_assert_cmpint (search (tree, "^(a|b)$", 0, NULL), ==, 40);
  g_assert_cmpint (search (tree, "^[abc]$", 0, NULL), ==, 45);
  g_assert_cmpint (search (tree, "nothing", 0, NULL), ==, 0);
  /* Under a zoomed root only: b under main→a, and the root itself when it matches. */
  g_assert_cmpint (search (tree, "^b$", NODE_AT (tree, "main", "a"), matched), ==, 23);
  g_assert_false (matched[NODE_AT (tree, "main", "b")]);
  g_assert_cmpint (search (tree, "^a$", NODE_AT (tree, "main", "a"), NULL), ==, 33);
}

/* A profile of LAZY_SAMPLES random stacks (root first, over LAZY_FUNCTIONS functions): enough
 * samples that the tree is built lazily. @stacks holds each sample's function indexes after its
 * length, @values its value. */
#define LAZY_SAMPLES   30000
#define LAZY_FUNCTIONS 40

static GzProfile *
profile_new_random (GArray *stacks,
                    GArray *values)
{
  GzProfile *profile = gz_profile_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint64 locations[LAZY_FUNCTIONS];

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  for (guint f = 0; f < LAZY_FUNCTIONS; f++)
    {
      g_autofree char *name = g_strdup_printf ("f%u", f);

      locations[f] = add_function (profile, name);
    }
  for (guint s = 0; s < LAZY_SAMPLES; s++)
    {
      guint len = g_rand_int_range (rand, 1, 11);
      guint64 ids[12] = { 0 };
      gint64 value = g_rand_int_range (rand, 1, 1001);

      g_array_append_val (stacks, len);
      for (guint k = 0; k < len; k++)
        {
          /* Few distinct roots, more spread deeper: wide and narrow frames alike. */
          guint f = g_rand_int_range (rand, 0, MIN (LAZY_FUNCTIONS, 2 + k * 6));

          g_array_append_val (stacks, f);
          ids[len - 1 - k] = locations[f];
        }
      g_array_append_val (values, value);
      add_sample (profile, value, ids);
    }
  return profile;
}

/* Every made node: children largest first, laid side by side from the node's offset, and its
 * total its self plus theirs once it has children; the rows hold every node once. */
static void
assert_tree_consistent (GzProfileTree *tree)
{
  guint n_nodes = gz_profile_tree_get_n_nodes (tree);
  guint in_rows = 0;

  for (guint32 i = 0; i < n_nodes; i++)
    {
      const GzProfileTreeNode *node = gz_profile_tree_get_node (tree, i);
      guint n;
      const guint32 *children = gz_profile_tree_get_children (tree, i, &n);
      gint64 offset = node->offset;

      for (guint c = 0; c < n; c++)
        {
          const GzProfileTreeNode *child = gz_profile_tree_get_node (tree, children[c]);

          g_assert_cmpuint (child->parent, ==, i);
          g_assert_cmpuint (child->depth, ==, node->depth + 1);
          g_assert_cmpint (child->offset, ==, offset);
          if (c > 0)
            g_assert_cmpint (child->total, <=,
                             gz_profile_tree_get_node (tree, children[c - 1])->total);
          offset += child->total;
        }
      if (n > 0)
        g_assert_cmpint (offset + node->self, ==, node->offset + node->total);
    }
  for (guint d = 0; d < gz_profile_tree_get_n_rows (tree); d++)
    {
      guint n;
      const guint32 *row = gz_profile_tree_get_row (tree, d, &n);

      for (guint r = 0; r < n; r++)
        {
          const GzProfileTreeNode *node = gz_profile_tree_get_node (tree, row[r]);

          g_assert_cmpuint (node->depth, ==, d);
          if (r > 0)
            g_assert_cmpint (node->offset, >=,
                             gz_profile_tree_get_node (tree, row[r - 1])->offset);
          if (node->total > 0)
            g_assert_cmpuint (gz_profile_tree_find (tree, d, node->offset), ==, row[r]);
        }
      in_rows += n;
    }
  g_assert_cmpuint (in_rows, ==, n_nodes);
}

static void
test_tree_lazy (void)
{
  g_autoptr(GArray) stacks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GzProfile) profile = profile_new_random (stacks, values);
  g_autoptr(GzProfileTree) tree = gz_profile_tree_new (profile, 0, NULL, 0);
  g_autoptr(GzProfileTree) callers = NULL;
  g_autoptr(GArray) functions = NULL;
  g_autofree guint8 *matched = NULL;
  gint64 flat[LAZY_FUNCTIONS] = { 0 }, cum[LAZY_FUNCTIONS] = { 0 };
  gint64 total = 0, with_f1 = 0, min_total;
  guint32 f1 = gz_profile_tree_lookup_name (tree, "f1");
  guint made, n_matched = 0;

  /* Brute force from the samples. */
  for (guint i = 0, s = 0; s < LAZY_SAMPLES; s++)
    {
      guint len = g_array_index (stacks, guint, i);
      const guint *stack = &g_array_index (stacks, guint, i + 1);
      gint64 value = g_array_index (values, gint64, s);
      gboolean seen[LAZY_FUNCTIONS] = { FALSE };

      total += value;
      flat[stack[len - 1]] += value;
      for (guint k = 0; k < len; k++)
        if (!seen[stack[k]])
          {
            seen[stack[k]] = TRUE;
            cum[stack[k]] += value;
          }
      with_f1 += seen[1] ? value : 0;
      i += len + 1;
    }

  /* Lazy: exact totals, per-function values, search and callers before any expansion. */
  made = gz_profile_tree_get_n_nodes (tree);
  assert_node (tree, 0, 0, total);
  g_assert_cmpuint (gz_profile_tree_get_n_rows (tree), ==, 11);
  assert_tree_consistent (tree);
  functions = gz_profile_tree_get_functions (tree);
  g_assert_cmpuint (functions->len, ==, LAZY_FUNCTIONS);
  for (guint f = 0; f < LAZY_FUNCTIONS; f++)
    {
      g_autofree char *name = g_strdup_printf ("f%u", f);
      const GzProfileTreeFunction *fn = find_function (functions, tree, name);

      g_assert_nonnull (fn);
      g_assert_cmpint (fn->flat, ==, flat[f]);
      g_assert_cmpint (fn->cum, ==, cum[f]);
    }
  g_assert_cmpint (search (tree, "^f1$", 0, NULL), ==, with_f1);
  callers = gz_profile_tree_new_callers (tree, f1);
  assert_node (callers, 0, 0, with_f1);

  /* Expanding for a view: every frame of at least min_total has its children. */
  min_total = total / 1000;
  gz_profile_tree_expand (tree, 0, min_total);
  assert_tree_consistent (tree);
  for (guint32 i = 0; i < gz_profile_tree_get_n_nodes (tree); i++)
    {
      const GzProfileTreeNode *node = gz_profile_tree_get_node (tree, i);

      if (node->total >= min_total && node->self < node->total)
        g_assert_cmpuint (node->n_children, >, 0);
    }

  /* Whole: more nodes, the same totals; expanding again adds nothing. */
  g_assert_true (gz_profile_tree_expand (tree, 0, 1));
  g_assert_false (gz_profile_tree_expand (tree, 0, 1));
  g_assert_cmpuint (gz_profile_tree_get_n_nodes (tree), >, made);
  assert_tree_consistent (tree);
  assert_node (tree, 0, 0, total);
  for (guint32 i = 1; i < gz_profile_tree_get_n_nodes (tree); i++)
    {
      const GzProfileTreeNode *node = gz_profile_tree_get_node (tree, i);

      if (node->self < node->total)
        g_assert_cmpuint (node->n_children, >, 0);
    }
  /* A few paths against the samples that start with them. */
  for (guint i = 0, s = 0; s < 50; s++)
    {
      guint len = g_array_index (stacks, guint, i);
      const guint *stack = &g_array_index (stacks, guint, i + 1);
      guint32 node = 0;
      gint64 prefix_total = 0;

      for (guint k = 0; k < len; k++)
        {
          g_autofree char *name = g_strdup_printf ("f%u", stack[k]);
          guint n;
          const guint32 *children = gz_profile_tree_get_children (tree, node, &n);
          guint32 next = GZ_PROFILE_TREE_NONE;

          for (guint c = 0; c < n; c++)
            if (g_str_equal (gz_profile_tree_get_name (tree,
                               gz_profile_tree_get_node (tree, children[c])->name), name))
              next = children[c];
          g_assert_cmpuint (next, !=, GZ_PROFILE_TREE_NONE);
          node = next;
        }
      for (guint j = 0, t = 0; t < LAZY_SAMPLES; t++)
        {
          guint other = g_array_index (stacks, guint, j);

          if (other >= len && memcmp (&g_array_index (stacks, guint, j + 1), stack,
                                      len * sizeof (guint)) == 0)
            prefix_total += g_array_index (values, gint64, t);
          j += other + 1;
        }
      g_assert_cmpint (gz_profile_tree_get_node (tree, node)->total, ==, prefix_total);
      i += len + 1;
    }
  /* The search marks every made frame named f1. */
  matched = g_new0 (guint8, gz_profile_tree_get_n_nodes (tree));
  g_assert_cmpint (search (tree, "^f1$", 0, matched), ==, with_f1);
  for (guint32 i = 0; i < gz_profile_tree_get_n_nodes (tree); i++)
    {
      g_assert_cmpuint (matched[i], ==, gz_profile_tree_get_node (tree, i)->name == f1);
      n_matched += matched[i];
    }
  g_assert_cmpuint (n_matched, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/profile-tree/totals", test_tree_totals);
  g_test_add_func ("/profile-tree/rows", test_tree_rows);
  g_test_add_func ("/profile-tree/functions", test_tree_functions);
  g_test_add_func ("/profile-tree/inline-and-address", test_tree_inline_and_address);
  g_test_add_func ("/profile-tree/diff", test_tree_diff);
  g_test_add_func ("/profile-tree/callers-callees", test_tree_callers_callees);
  g_test_add_func ("/profile-tree/search", test_tree_search);
  g_test_add_func ("/profile-tree/lazy", test_tree_lazy);

  return g_test_run ();
}
