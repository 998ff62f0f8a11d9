/* gz-profile-tree.c: the call tree of one sample type, its callers and callees views, per
 * function totals and the search behind the viewer's flame graph. The tree is built lazily: every
 * sample keeps its stack as function ids (root to leaf) and every node is a contiguous range of
 * the samples sorted by stack, so a node's children are made only when it is expanded; per
 * function totals, callers, callees and search shares come from the samples, so they are exact
 * whatever has been expanded. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gz-profile-tree.h"

/* The part of a node that only the tree needs: its samples order[lo..hi) and their weight. */
typedef struct
{
  guint32  lo;
  guint32  hi;
  gint64   weight;   /* the sum of |value| + |base value|: what decides expansion */
  gboolean expanded; /* the children exist */
} NodeRange;

struct _GzProfileTree
{
  gatomicrefcount ref_count;

  char      *type;
  char      *unit;
  gboolean   has_base;

  /* Shared by a tree and the callers/callees trees made from it: read-only once built. */
  GPtrArray  *names;     /* char * */
  GPtrArray  *libraries; /* char * or NULL, one per name */
  GHashTable *name_ids;  /* name -> index + 1 */

  /* The samples with a stack: sample s is ids[starts[s]..starts[s + 1]), root first.
   * Read-only once built (the worker jobs read them while the window expands nodes). */
  GArray     *ids;         /* guint32 */
  GArray     *starts;      /* guint, n_samples + 1 */
  GArray     *values;      /* gint64 */
  GArray     *base_values; /* gint64 */
  guint       n_samples;

  /* Changed by expansion (the main thread only, once the tree is shown). */
  guint32    *order;       /* sample indexes, each expanded node's children ranges grouped */
  GArray     *nodes;       /* GzProfileTreeNode */
  GArray     *ranges;      /* NodeRange, one per node */
  GArray     *children;    /* guint32: an expanded node's children are one run, largest first */
  guint32    *rows;        /* node indexes by depth, each row in offset order */
  guint      *row_offsets; /* n_rows + 1 */
  guint       n_rows;
};

G_DEFINE_BOXED_TYPE (GzProfileTree, gz_profile_tree, gz_profile_tree_ref, gz_profile_tree_unref)

#define NODE(self, i)  (&g_array_index ((self)->nodes, GzProfileTreeNode, (i)))
#define RANGE(self, i) (&g_array_index ((self)->ranges, NodeRange, (i)))
#define SAMPLE_LEN(self, s) \
  (g_array_index ((self)->starts, guint, (s) + 1) - g_array_index ((self)->starts, guint, (s)))
#define SAMPLE_IDS(self, s) \
  (&g_array_index ((self)->ids, guint32, g_array_index ((self)->starts, guint, (s))))
#define VALUE(self, s)      g_array_index ((self)->values, gint64, (s))
#define BASE_VALUE(self, s) g_array_index ((self)->base_values, gint64, (s))

/* Below this many samples a new tree is expanded whole; above, down to 1/EAGER_FRACTION of the
 * root's weight (a 20th of a pixel at 1000 pixels): what a first drawing can show. */
#define EAGER_SAMPLES  20000
#define EAGER_FRACTION 20000

static GzProfileTree *
tree_new_empty (GzProfileTree *names_from)
{
  GzProfileTree *self = g_new0 (GzProfileTree, 1);
  GzProfileTreeNode root = { 0 };
  NodeRange range = { 0 };
  guint zero = 0;

  g_atomic_ref_count_init (&self->ref_count);
  if (names_from != NULL)
    {
      self->names = g_ptr_array_ref (names_from->names);
      self->libraries = g_ptr_array_ref (names_from->libraries);
      self->name_ids = g_hash_table_ref (names_from->name_ids);
      self->type = g_strdup (names_from->type);
      self->unit = g_strdup (names_from->unit);
      self->has_base = names_from->has_base;
    }
  else
    {
      self->names = g_ptr_array_new_with_free_func (g_free);
      self->libraries = g_ptr_array_new_with_free_func (g_free);
      self->name_ids = g_hash_table_new (g_str_hash, g_str_equal);
      g_ptr_array_add (self->names, g_strdup (""));
      g_ptr_array_add (self->libraries, NULL);
      g_hash_table_insert (self->name_ids, self->names->pdata[0], GUINT_TO_POINTER (1));
    }
  self->ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (self->starts, zero);
  self->values = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->base_values = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->nodes = g_array_sized_new (FALSE, TRUE, sizeof (GzProfileTreeNode), 1024);
  self->ranges = g_array_sized_new (FALSE, TRUE, sizeof (NodeRange), 1024);
  self->children = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1024);
  root.parent = GZ_PROFILE_TREE_NONE;
  g_array_append_val (self->nodes, root);
  g_array_append_val (self->ranges, range);
  return self;
}

/* Makes ids[first..) a sample (root first; none: the root's own value). */
static void
tree_end_sample (GzProfileTree *self,
                 guint          first,
                 gint64         value,
                 gint64         base_value)
{
  guint end = self->ids->len;

  if (end == first)
    {
      NODE (self, 0)->self += value;
      NODE (self, 0)->base_self += base_value;
      return;
    }
  g_array_append_val (self->starts, end);
  g_array_append_val (self->values, value);
  g_array_append_val (self->base_values, base_value);
  self->n_samples++;
}

static guint32
tree_intern (GzProfileTree *self,
             const char    *name,
             const char    *library)
{
  gpointer id = g_hash_table_lookup (self->name_ids, name);
  char *copy;

  if (id != NULL)
    return GPOINTER_TO_UINT (id) - 1;

  copy = g_strdup (name);
  g_ptr_array_add (self->names, copy);
  g_ptr_array_add (self->libraries, g_strdup (library));
  g_hash_table_insert (self->name_ids, copy, GUINT_TO_POINTER (self->names->len));
  return self->names->len - 1;
}

/* The frame names of every location, outermost first: location i's are
 * names[starts[i]..starts[i + 1]). */
typedef struct
{
  GArray *names;  /* guint32 */
  GArray *starts; /* guint */
} LocationNames;

static void
location_names_init (LocationNames *ln,
                     GzProfileTree *self,
                     GzProfile     *profile)
{
  ln->names = g_array_new (FALSE, FALSE, sizeof (guint32));
  ln->starts = g_array_sized_new (FALSE, FALSE, sizeof (guint), profile->locations->len + 1);

  for (guint i = 0; i < profile->locations->len; i++)
    {
      GzLocation *location = g_ptr_array_index (profile->locations, i);
      GzMapping *mapping = gz_profile_get_mapping (profile, location->mapping_id);
      const char *library = mapping != NULL ? mapping->filename : NULL;
      guint start = ln->names->len;

      g_array_append_val (ln->starts, start);
      for (guint j = location->lines->len; j > 0; j--)
        {
          GzLine *line = &g_array_index (location->lines, GzLine, j - 1);
          GzFunction *function = gz_profile_get_function (profile, line->function_id);
          guint32 name;

          if (function == NULL || function->name == NULL || function->name[0] == '\0')
            continue;
          name = tree_intern (self, function->name, library);
          g_array_append_val (ln->names, name);
        }
      if (ln->names->len == start)
        {
          g_autofree char *address = g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x",
                                                      location->address);
          guint32 name = tree_intern (self, address, library);

          g_array_append_val (ln->names, name);
        }
    }
  g_array_append_val (ln->starts, ln->names->len);
}

static void
location_names_clear (LocationNames *ln)
{
  g_array_unref (ln->names);
  g_array_unref (ln->starts);
}

/* Room for @profile's samples, the ids guessed from the first ones' depth, so that the arrays
 * do not copy themselves over and over while they grow to tens of megabytes. */
static void
tree_reserve (GzProfileTree *self,
              GzProfile     *profile)
{
  guint n = profile->samples->len;
  guint probe = MIN (n, 1024);
  guint64 frames = 0;
  guint len;

  for (guint s = 0; s < probe; s++)
    frames += ((GzSample *) g_ptr_array_index (profile->samples, s))->location_ids->len;
  len = self->ids->len;
  g_array_set_size (self->ids, len + (probe > 0 ? frames * n / probe + frames / probe * 4 : 0));
  g_array_set_size (self->ids, len);
  len = self->values->len;
  g_array_set_size (self->values, len + n);
  g_array_set_size (self->values, len);
  g_array_set_size (self->base_values, len + n);
  g_array_set_size (self->base_values, len);
  len = self->starts->len;
  g_array_set_size (self->starts, len + n);
  g_array_set_size (self->starts, len);
}

static void
tree_add_profile (GzProfileTree *self,
                  GzProfile     *profile,
                  guint          index,
                  gboolean       base)
{
  LocationNames ln;
  const guint *starts;
  const guint32 *names;
  guint max_names = 0;

  location_names_init (&ln, self, profile);
  starts = (const guint *) (gpointer) ln.starts->data;
  names = (const guint32 *) (gpointer) ln.names->data;
  for (guint i = 0; i < profile->locations->len; i++)
    max_names = MAX (max_names, starts[i + 1] - starts[i]);
  tree_reserve (self, profile);

  for (guint s = 0; s < profile->samples->len; s++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, s);
      const guint64 *locations = (const guint64 *) (gpointer) sample->location_ids->data;
      guint n_locations = sample->location_ids->len;
      gint64 value;
      guint32 *out;
      guint first, at;

      if (index >= sample->values->len)
        continue;
      value = g_array_index (sample->values, gint64, index);
      if (value == 0)
        continue;

      /* Room for the most names the locations can have, written through a pointer. */
      first = self->ids->len;
      g_array_set_size (self->ids, first + n_locations * max_names);
      out = &g_array_index (self->ids, guint32, first);
      at = 0;
      for (guint l = n_locations; l > 0; l--)
        {
          guint64 id = locations[l - 1];

          if (id == 0 || id > profile->locations->len)
            continue;
          for (guint k = starts[id - 1]; k < starts[id]; k++)
            out[at++] = names[k];
        }
      g_array_set_size (self->ids, first + at);
      tree_end_sample (self, first, base ? 0 : value, base ? value : 0);
    }
  location_names_clear (&ln);
}

static int
compare_children (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GzProfileTree *self = user_data;
  const GzProfileTreeNode *na = NODE (self, *(const guint32 *) a);
  const GzProfileTreeNode *nb = NODE (self, *(const guint32 *) b);

  if (na->total != nb->total)
    return na->total > nb->total ? -1 : 1;
  if (na->base_total != nb->base_total)
    return na->base_total > nb->base_total ? -1 : 1;
  return strcmp (self->names->pdata[na->name], self->names->pdata[nb->name]);
}

static int
compare_keys (const void *a,
              const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Sorts @keys by their top 32 bits: a radix sort, 16 bits a pass, for long runs. */
static void
sort_keys (guint64 *keys,
           guint    n)
{
  g_autofree guint64 *tmp = NULL;
  g_autofree guint *counts = NULL;
  guint64 *from = keys, *to;

  if (n < 512)
    {
      qsort (keys, n, sizeof (guint64), compare_keys);
      return;
    }
  tmp = g_new (guint64, n);
  counts = g_new (guint, 65536);
  to = tmp;
  for (guint shift = 32; shift < 64; shift += 16)
    {
      guint sum = 0;

      memset (counts, 0, 65536 * sizeof (guint));
      for (guint i = 0; i < n; i++)
        counts[(from[i] >> shift) & 0xffff]++;
      if (counts[(from[0] >> shift) & 0xffff] == n)
        continue; /* all the same in this digit */
      for (guint d = 0; d < 65536; d++)
        {
          guint c = counts[d];

          counts[d] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        to[counts[(from[i] >> shift) & 0xffff]++] = from[i];
      to = from;
      from = from == keys ? tmp : keys;
    }
  if (from != keys)
    memcpy (keys, from, n * sizeof (guint64));
}

/* Makes the children of @node from its samples: groups order[lo..hi) by the id at the node's
 * depth (the samples that end at the node first), one child per group, largest first. */
static void
tree_expand_node (GzProfileTree *self,
                  guint32        node)
{
  NodeRange range = *RANGE (self, node);
  guint32 depth = NODE (self, node)->depth;
  guint n = range.hi - range.lo;
  g_autofree guint64 *keys = g_new (guint64, MAX (n, 1));
  gboolean sorted = TRUE;
  guint first = self->nodes->len;
  guint first_child = self->children->len;
  guint n_children;
  gint64 offset;

  RANGE (self, node)->expanded = TRUE;
  /* Key: (id + 1, or 0 where the sample ends) << 32 | sample. */
  for (guint i = 0; i < n; i++)
    {
      guint32 s = self->order[range.lo + i];
      guint64 key = SAMPLE_LEN (self, s) > depth ? SAMPLE_IDS (self, s)[depth] + (guint64) 1 : 0;

      keys[i] = key << 32 | s;
      sorted = sorted && (i == 0 || keys[i] >> 32 >= keys[i - 1] >> 32);
    }
  if (!sorted)
    sort_keys (keys, n);

  for (guint i = 0; i < n;)
    {
      guint32 id = keys[i] >> 32;
      GzProfileTreeNode child = { 0 };
      NodeRange child_range = { 0 };
      guint j;

      if (id == 0)
        {
          self->order[range.lo + i] = (guint32) keys[i];
          i++;
          continue;
        }
      child.name = id - 1;
      child.parent = node;
      child.depth = depth + 1;
      child_range.lo = range.lo + i;
      for (j = i; j < n && keys[j] >> 32 == id; j++)
        {
          guint32 s = (guint32) keys[j];
          gint64 value = VALUE (self, s), base_value = BASE_VALUE (self, s);

          self->order[range.lo + j] = s;
          child.total += value;
          child.base_total += base_value;
          child_range.weight += ABS (value) + ABS (base_value);
          if (SAMPLE_LEN (self, s) == depth + 1)
            {
              child.self += value;
              child.base_self += base_value;
            }
        }
      child_range.hi = range.lo + j;
      g_array_append_val (self->nodes, child);
      g_array_append_val (self->ranges, child_range);
      i = j;
    }

  n_children = self->nodes->len - first;
  g_array_set_size (self->children, first_child + n_children);
  for (guint c = 0; c < n_children; c++)
    g_array_index (self->children, guint32, first_child + c) = first + c;
  if (n_children > 1)
    g_qsort_with_data (&g_array_index (self->children, guint32, first_child), n_children,
                       sizeof (guint32), compare_children, self);
  offset = NODE (self, node)->offset;
  for (guint c = 0; c < n_children; c++)
    {
      GzProfileTreeNode *child = NODE (self, g_array_index (self->children, guint32,
                                                            first_child + c));

      child->offset = offset;
      offset += child->total;
    }
  NODE (self, node)->first_child = first_child;
  NODE (self, node)->n_children = n_children;
}

/* The rows: sizes, then a preorder walk that fills each row left to right. */
static void
tree_make_rows (GzProfileTree *self)
{
  guint n = self->nodes->len;
  g_autofree guint *row_fill = g_new0 (guint, self->n_rows);
  g_autofree guint32 *stack = g_new (guint32, n);
  const guint32 *children = (const guint32 *) (gpointer) self->children->data;
  guint sp = 0;

  g_free (self->row_offsets);
  g_free (self->rows);
  self->row_offsets = g_new0 (guint, self->n_rows + 1);
  for (guint i = 0; i < n; i++)
    self->row_offsets[NODE (self, i)->depth + 1]++;
  for (guint d = 0; d < self->n_rows; d++)
    self->row_offsets[d + 1] += self->row_offsets[d];
  self->rows = g_new (guint32, n);

  stack[sp++] = 0;
  while (sp > 0)
    {
      guint32 i = stack[--sp];
      GzProfileTreeNode *node = NODE (self, i);

      self->rows[self->row_offsets[node->depth] + row_fill[node->depth]++] = i;
      /* Pushed right to left so that the leftmost child is walked first. */
      for (guint c = node->n_children; c > 0; c--)
        stack[sp++] = children[node->first_child + c - 1];
    }
}

gboolean
gz_profile_tree_expand (GzProfileTree *self,
                        guint32        node,
                        gint64         min_total)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint before = self->nodes->len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (node < self->nodes->len, FALSE);

  min_total = MAX (min_total, 1);
  g_array_append_val (stack, node);
  while (stack->len > 0)
    {
      guint32 i = g_array_index (stack, guint32, stack->len - 1);
      const GzProfileTreeNode *n;

      g_array_set_size (stack, stack->len - 1);
      if (RANGE (self, i)->weight < min_total)
        continue;
      if (!RANGE (self, i)->expanded)
        tree_expand_node (self, i);
      n = NODE (self, i);
      for (guint c = 0; c < n->n_children; c++)
        g_array_append_val (stack, g_array_index (self->children, guint32, n->first_child + c));
    }
  if (self->nodes->len == before)
    return FALSE;
  tree_make_rows (self);
  return TRUE;
}

/* The root's range and values from the samples, then the first expansion. */
static GzProfileTree *
tree_finish (GzProfileTree *self)
{
  GzProfileTreeNode *root = NODE (self, 0);
  NodeRange *range = RANGE (self, 0);
  guint max_len = 0;

  self->order = g_new (guint32, MAX (self->n_samples, 1));
  for (guint s = 0; s < self->n_samples; s++)
    {
      self->order[s] = s;
      root->total += VALUE (self, s);
      root->base_total += BASE_VALUE (self, s);
      range->weight += ABS (VALUE (self, s)) + ABS (BASE_VALUE (self, s));
      max_len = MAX (max_len, SAMPLE_LEN (self, s));
    }
  range->hi = self->n_samples;
  self->n_rows = max_len + 1;
  if (!gz_profile_tree_expand (self, 0, self->n_samples <= EAGER_SAMPLES
                                        ? 1 : range->weight / EAGER_FRACTION))
    tree_make_rows (self);
  return self;
}

GzProfileTree *
gz_profile_tree_new (GzProfile *profile,
                     guint      index,
                     GzProfile *base,
                     guint      base_index)
{
  GzProfileTree *self;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (index < profile->sample_types->len, NULL);
  g_return_val_if_fail (base == NULL || base_index < base->sample_types->len, NULL);

  self = tree_new_empty (NULL);
  self->type = g_strdup (((GzValueType *) profile->sample_types->pdata[index])->type);
  self->unit = g_strdup (((GzValueType *) profile->sample_types->pdata[index])->unit);
  self->has_base = base != NULL;
  tree_add_profile (self, profile, index, FALSE);
  if (base != NULL)
    tree_add_profile (self, base, base_index, TRUE);
  return tree_finish (self);
}

GzProfileTree *
gz_profile_tree_ref (GzProfileTree *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
gz_profile_tree_unref (GzProfileTree *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->type);
  g_free (self->unit);
  g_ptr_array_unref (self->names);
  g_ptr_array_unref (self->libraries);
  g_hash_table_unref (self->name_ids);
  g_array_unref (self->ids);
  g_array_unref (self->starts);
  g_array_unref (self->values);
  g_array_unref (self->base_values);
  g_free (self->order);
  g_array_unref (self->nodes);
  g_array_unref (self->ranges);
  g_array_unref (self->children);
  g_free (self->rows);
  g_free (self->row_offsets);
  g_free (self);
}

const char *
gz_profile_tree_get_type_name (GzProfileTree *self)
{
  return self->type;
}

const char *
gz_profile_tree_get_unit (GzProfileTree *self)
{
  return self->unit;
}

gboolean
gz_profile_tree_has_base (GzProfileTree *self)
{
  return self->has_base;
}

guint
gz_profile_tree_get_n_nodes (GzProfileTree *self)
{
  return self->nodes->len;
}

const GzProfileTreeNode *
gz_profile_tree_get_node (GzProfileTree *self,
                          guint32        node)
{
  g_return_val_if_fail (node < self->nodes->len, NULL);

  return NODE (self, node);
}

const guint32 *
gz_profile_tree_get_children (GzProfileTree *self,
                              guint32        node,
                              guint         *n_children)
{
  const GzProfileTreeNode *n = gz_profile_tree_get_node (self, node);

  *n_children = n->n_children;
  return n->n_children > 0 ? &g_array_index (self->children, guint32, n->first_child) : NULL;
}

guint
gz_profile_tree_get_n_names (GzProfileTree *self)
{
  return self->names->len;
}

const char *
gz_profile_tree_get_name (GzProfileTree *self,
                          guint32        name)
{
  g_return_val_if_fail (name < self->names->len, NULL);

  return self->names->pdata[name];
}

const char *
gz_profile_tree_get_library (GzProfileTree *self,
                             guint32        name)
{
  g_return_val_if_fail (name < self->libraries->len, NULL);

  return self->libraries->pdata[name];
}

guint32
gz_profile_tree_lookup_name (GzProfileTree *self,
                             const char    *name)
{
  gpointer id = g_hash_table_lookup (self->name_ids, name);

  return id != NULL ? GPOINTER_TO_UINT (id) - 1 : GZ_PROFILE_TREE_NONE;
}

guint
gz_profile_tree_get_n_rows (GzProfileTree *self)
{
  return self->n_rows;
}

const guint32 *
gz_profile_tree_get_row (GzProfileTree *self,
                         guint          depth,
                         guint         *n_nodes)
{
  if (depth >= self->n_rows)
    {
      *n_nodes = 0;
      return NULL;
    }
  *n_nodes = self->row_offsets[depth + 1] - self->row_offsets[depth];
  return self->rows + self->row_offsets[depth];
}

guint32
gz_profile_tree_find (GzProfileTree *self,
                      guint          depth,
                      gint64         value)
{
  guint n;
  const guint32 *row = gz_profile_tree_get_row (self, depth, &n);
  guint lo = 0, hi = n;
  const GzProfileTreeNode *node;

  /* The first node that starts after @value; the one before it is the candidate. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (NODE (self, row[mid])->offset <= value)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* A node of no width precedes any node that starts where it is, so one look suffices. */
  if (lo > 0)
    {
      node = NODE (self, row[lo - 1]);
      if (value >= node->offset && value < node->offset + node->total)
        return row[lo - 1];
    }
  return GZ_PROFILE_TREE_NONE;
}

double
gz_profile_tree_node_delta (GzProfileTree *self,
                            guint32        node,
                            gboolean       normalize)
{
  const GzProfileTreeNode *n = gz_profile_tree_get_node (self, node);
  const GzProfileTreeNode *root = NODE (self, 0);
  double scale = 1.0;

  if (normalize && root->base_total != 0)
    scale = (double) root->total / (double) root->base_total;
  return (double) n->total - (double) n->base_total * scale;
}

GArray *
gz_profile_tree_get_functions (GzProfileTree *self)
{
  GArray *functions = g_array_sized_new (FALSE, TRUE, sizeof (GzProfileTreeFunction),
                                         self->names->len);
  g_autofree guint32 *seen = g_new (guint32, self->names->len);
  guint n = 0;

  /* seen[name]: the last sample + 1 that had it, so recursion counts once in cum. */
  memset (seen, 0, self->names->len * sizeof (guint32));
  g_array_set_size (functions, self->names->len);
  for (guint i = 0; i < self->names->len; i++)
    g_array_index (functions, GzProfileTreeFunction, i).name = i;
  for (guint s = 0; s < self->n_samples; s++)
    {
      const guint32 *ids = SAMPLE_IDS (self, s);
      guint len = SAMPLE_LEN (self, s);
      gint64 value = VALUE (self, s), base_value = BASE_VALUE (self, s);
      GzProfileTreeFunction *f = &g_array_index (functions, GzProfileTreeFunction, ids[len - 1]);

      f->flat += value;
      f->base_flat += base_value;
      for (guint k = 0; k < len; k++)
        {
          if (seen[ids[k]] == s + 1)
            continue;
          seen[ids[k]] = s + 1;
          f = &g_array_index (functions, GzProfileTreeFunction, ids[k]);
          f->cum += value;
          f->base_cum += base_value;
        }
    }

  /* Only the names this tree has frames of (callers/callees trees share the names). */
  for (guint i = 0; i < self->names->len; i++)
    if (i != 0 && seen[i] != 0)
      g_array_index (functions, GzProfileTreeFunction, n++) =
        g_array_index (functions, GzProfileTreeFunction, i);
  g_array_set_size (functions, n);
  return functions;
}

/* Each stack counted once at its outermost @name: the function, then its callers outwards (the
 * stack's outermost frame keeps the value), or the function then what it called. */
static GzProfileTree *
tree_new_sandwich (GzProfileTree *self,
                   guint32        name,
                   gboolean       callers)
{
  GzProfileTree *dst;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->ids->len && !found; i++)
    found = g_array_index (self->ids, guint32, i) == name;
  if (!found)
    return NULL;

  dst = tree_new_empty (self);
  for (guint s = 0; s < self->n_samples; s++)
    {
      const guint32 *ids = SAMPLE_IDS (self, s);
      guint len = SAMPLE_LEN (self, s);
      guint first, k;

      for (k = 0; k < len && ids[k] != name; k++)
        ;
      if (k == len)
        continue;
      first = dst->ids->len;
      if (callers)
        for (guint i = 0; i <= k; i++)
          g_array_append_val (dst->ids, ids[k - i]);
      else
        g_array_append_vals (dst->ids, ids + k, len - k);
      tree_end_sample (dst, first, VALUE (self, s), BASE_VALUE (self, s));
    }
  return tree_finish (dst);
}

GzProfileTree *
gz_profile_tree_new_callers (GzProfileTree *self,
                             guint32        name)
{
  return tree_new_sandwich (self, name, TRUE);
}

GzProfileTree *
gz_profile_tree_new_callees (GzProfileTree *self,
                             guint32        name)
{
  return tree_new_sandwich (self, name, FALSE);
}

gint64
gz_profile_tree_search (GzProfileTree *self,
                        GRegex        *regex,
                        guint32        root,
                        guint8        *matched)
{
  guint n = self->nodes->len;
  g_autofree guint8 *name_matches = g_new0 (guint8, self->names->len);
  g_autofree guint8 *under = NULL;
  const NodeRange *range;
  guint first;
  gint64 share = 0;

  g_return_val_if_fail (regex != NULL, 0);
  g_return_val_if_fail (root < n, 0);

  for (guint i = 1; i < self->names->len; i++)
    name_matches[i] = g_regex_match (regex, self->names->pdata[i], 0, NULL);

  /* The share from the root's samples: those with a match at the root's frame or below it. */
  range = RANGE (self, root);
  first = NODE (self, root)->depth > 0 ? NODE (self, root)->depth - 1 : 0;
  for (guint i = range->lo; i < range->hi; i++)
    {
      /* The whole profile in sample order: the same samples, read in memory order. */
      guint32 s = root == 0 ? i : self->order[i];
      const guint32 *ids = SAMPLE_IDS (self, s);
      guint len = SAMPLE_LEN (self, s);

      for (guint k = first; k < len; k++)
        if (name_matches[ids[k]])
          {
            share += VALUE (self, s);
            break;
          }
    }

  if (matched == NULL)
    return share;
  /* The nodes made so far: parents come before their children in the node array. */
  memset (matched, 0, n);
  under = g_new0 (guint8, n);
  under[root] = 1;
  if (root != 0 && name_matches[NODE (self, root)->name])
    matched[root] = 1;
  for (guint i = root + 1; i < n; i++)
    {
      const GzProfileTreeNode *node = NODE (self, i);

      if (!under[node->parent])
        continue;
      under[i] = 1;
      matched[i] = name_matches[node->name];
    }
  return share;
}
