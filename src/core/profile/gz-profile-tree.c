/* gz-profile-tree.c: the call tree of one sample type, its callers and callees views, per
 * function totals and the search behind the viewer's flame graph. */

#include "config.h"

#include <string.h>

#include "gz-profile-tree.h"

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

  GArray     *nodes;     /* GzProfileTreeNode */

  /* (parent, name) -> node + 1: open addressing, a power of two, at most half full. */
  guint32    *lookup;
  guint       lookup_size;
  guint       lookup_bits;
  guint       lookup_count;
  GArray     *next_sibling; /* guint32 per node, while building */

  /* Built by finish. */
  guint32    *children;
  guint32    *rows;        /* node indexes by depth, each row in offset order */
  guint      *row_offsets; /* n_rows + 1 */
  guint       n_rows;
};

G_DEFINE_BOXED_TYPE (GzProfileTree, gz_profile_tree, gz_profile_tree_ref, gz_profile_tree_unref)

#define NODE(self, i) (&g_array_index ((self)->nodes, GzProfileTreeNode, (i)))

/* Fibonacci hashing of (parent, name): the top bits of the product, well spread for any table
 * size, as the low bits of a product are not. */
static guint
lookup_slot (guint32 parent,
             guint32 name,
             guint   bits)
{
  guint64 key = ((guint64) parent << 32) | name;

  return (guint) ((key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> (64 - bits));
}

static void
lookup_insert (GzProfileTree *self,
               guint32        node);

static void
tree_grow_lookup (GzProfileTree *self)
{
  guint32 *old = self->lookup;
  guint old_size = self->lookup_size;

  self->lookup_bits = old_size == 0 ? 10 : self->lookup_bits + 1;
  self->lookup_size = 1u << self->lookup_bits;
  self->lookup = g_new0 (guint32, self->lookup_size);
  self->lookup_count = 0;
  for (guint i = 0; i < old_size; i++)
    if (old[i] != 0)
      lookup_insert (self, old[i] - 1);
  g_free (old);
}

static void
lookup_insert (GzProfileTree *self,
               guint32        node)
{
  GzProfileTreeNode *n = NODE (self, node);
  guint slot;

  if ((self->lookup_count + 1) * 2 > self->lookup_size)
    tree_grow_lookup (self);
  slot = lookup_slot (n->parent, n->name, self->lookup_bits);
  while (self->lookup[slot] != 0)
    slot = (slot + 1) & (self->lookup_size - 1);
  self->lookup[slot] = node + 1;
  self->lookup_count++;
}

/* While building, a node's children are a list (first_child, then next_sibling); a node with more
 * than FANOUT children also has them in the lookup table. Most nodes of a large profile are on
 * one stack only: they are made without touching the table. */
#define FANOUT 8

/* The child of @parent named @name, made when missing. */
static guint32
tree_child (GzProfileTree *self,
            guint32        parent,
            guint32        name)
{
  GzProfileTreeNode *p = NODE (self, parent);
  GzProfileTreeNode node = { 0 };
  guint32 child;
  guint32 next;

  if (p->n_children > FANOUT)
    {
      guint slot = lookup_slot (parent, name, self->lookup_bits);

      for (; self->lookup[slot] != 0; slot = (slot + 1) & (self->lookup_size - 1))
        {
          GzProfileTreeNode *n = NODE (self, self->lookup[slot] - 1);

          if (n->parent == parent && n->name == name)
            return self->lookup[slot] - 1;
        }
    }
  else
    {
      for (child = p->first_child; child != GZ_PROFILE_TREE_NONE;
           child = g_array_index (self->next_sibling, guint32, child))
        if (NODE (self, child)->name == name)
          return child;
    }

  node.name = name;
  node.parent = parent;
  node.depth = p->depth + 1;
  node.first_child = GZ_PROFILE_TREE_NONE;
  child = self->nodes->len;
  next = p->first_child;
  g_array_append_val (self->next_sibling, next);
  g_array_append_val (self->nodes, node);
  p = NODE (self, parent); /* the append may have moved the nodes */
  p->first_child = child;
  p->n_children++;

  if (p->n_children == FANOUT + 1)
    {
      for (guint32 c = child; c != GZ_PROFILE_TREE_NONE;
           c = g_array_index (self->next_sibling, guint32, c))
        lookup_insert (self, c);
    }
  else if (p->n_children > FANOUT)
    lookup_insert (self, child);
  return child;
}

static GzProfileTree *
tree_new_empty (GzProfileTree *names_from)
{
  GzProfileTree *self = g_new0 (GzProfileTree, 1);
  GzProfileTreeNode root = { 0 };

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
  self->nodes = g_array_sized_new (FALSE, TRUE, sizeof (GzProfileTreeNode), 1024);
  root.parent = GZ_PROFILE_TREE_NONE;
  root.first_child = GZ_PROFILE_TREE_NONE;
  g_array_append_val (self->nodes, root);
  self->next_sibling = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1024);
  g_array_append_val (self->next_sibling, root.first_child);
  return self;
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

static void
tree_add_profile (GzProfileTree *self,
                  GzProfile     *profile,
                  guint          index,
                  gboolean       base)
{
  LocationNames ln;
  const guint *starts;
  const guint32 *names;

  location_names_init (&ln, self, profile);
  starts = (const guint *) (gpointer) ln.starts->data;
  names = (const guint32 *) (gpointer) ln.names->data;

  for (guint s = 0; s < profile->samples->len; s++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, s);
      gint64 value;
      guint32 node = 0;

      if (index >= sample->values->len)
        continue;
      value = g_array_index (sample->values, gint64, index);
      if (value == 0)
        continue;

      for (guint l = sample->location_ids->len; l > 0; l--)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, l - 1);

          if (id == 0 || id > profile->locations->len)
            continue;
          for (guint k = starts[id - 1]; k < starts[id]; k++)
            {
              GzProfileTreeNode *n;

              node = tree_child (self, node, names[k]);
              n = NODE (self, node);
              if (base)
                n->base_total += value;
              else
                n->total += value;
            }
        }
      if (base)
        {
          NODE (self, node)->base_self += value;
          if (node != 0)
            NODE (self, 0)->base_total += value;
        }
      else
        {
          NODE (self, node)->self += value;
          if (node != 0)
            NODE (self, 0)->total += value;
        }
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

/* Children lists, offsets and rows; the lookup table is no longer needed. */
static GzProfileTree *
tree_finish (GzProfileTree *self)
{
  guint n = self->nodes->len;
  g_autofree guint *fill = g_new0 (guint, n);
  g_autofree guint32 *stack = NULL;
  g_autofree guint *row_fill = NULL;
  guint sp = 0;

  g_clear_pointer (&self->lookup, g_free);
  g_clear_pointer (&self->next_sibling, g_array_unref);
  self->lookup_size = 0;
  for (guint i = 0; i < n; i++)
    NODE (self, i)->n_children = 0;

  /* Children: count, prefix sums, fill (parents come before their children), sort. */
  for (guint i = 1; i < n; i++)
    NODE (self, NODE (self, i)->parent)->n_children++;
  for (guint i = 0, next = 0; i < n; i++)
    {
      NODE (self, i)->first_child = next;
      next += NODE (self, i)->n_children;
    }
  self->children = g_new (guint32, MAX (n - 1, 1));
  for (guint i = 1; i < n; i++)
    {
      GzProfileTreeNode *parent = NODE (self, NODE (self, i)->parent);

      self->children[parent->first_child + fill[NODE (self, i)->parent]++] = i;
    }
  for (guint i = 0; i < n; i++)
    if (NODE (self, i)->n_children > 1)
      g_qsort_with_data (self->children + NODE (self, i)->first_child,
                         NODE (self, i)->n_children, sizeof (guint32), compare_children, self);

  /* Rows: sizes, then a preorder walk that sets offsets and fills each row left to right. */
  for (guint i = 0; i < n; i++)
    self->n_rows = MAX (self->n_rows, NODE (self, i)->depth + 1);
  self->row_offsets = g_new0 (guint, self->n_rows + 1);
  for (guint i = 0; i < n; i++)
    self->row_offsets[NODE (self, i)->depth + 1]++;
  for (guint d = 0; d < self->n_rows; d++)
    self->row_offsets[d + 1] += self->row_offsets[d];
  self->rows = g_new (guint32, n);
  row_fill = g_new0 (guint, self->n_rows);

  stack = g_new (guint32, n);
  stack[sp++] = 0;
  NODE (self, 0)->offset = 0;
  while (sp > 0)
    {
      guint32 i = stack[--sp];
      GzProfileTreeNode *node = NODE (self, i);
      gint64 offset = node->offset;

      self->rows[self->row_offsets[node->depth] + row_fill[node->depth]++] = i;
      for (guint c = 0; c < node->n_children; c++)
        {
          GzProfileTreeNode *child = NODE (self, self->children[node->first_child + c]);

          child->offset = offset;
          offset += child->total;
        }
      /* Pushed right to left so that the leftmost child is walked first. */
      for (guint c = node->n_children; c > 0; c--)
        stack[sp++] = self->children[node->first_child + c - 1];
    }
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
  g_array_unref (self->nodes);
  g_free (self->lookup);
  g_clear_pointer (&self->next_sibling, g_array_unref);
  g_free (self->children);
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
  return self->children + n->first_child;
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

/* A preorder walk that calls @visit on entering each node below the root with the number of
 * frames named @name (the visited node's) already on the path above it. */
typedef void (*VisitFunc) (GzProfileTree *self, guint32 node, guint outer, gpointer data);

static void
tree_walk (GzProfileTree *self,
           VisitFunc      visit,
           gpointer       data)
{
  guint n = self->nodes->len;
  g_autofree guint *on_path = g_new0 (guint, self->names->len);
  g_autofree guint32 *stack = g_new (guint32, n * 2 + 2);
  guint sp = 0;

  /* Entries are node * 2 (enter) or node * 2 + 1 (leave). */
  for (guint c = NODE (self, 0)->n_children; c > 0; c--)
    stack[sp++] = self->children[NODE (self, 0)->first_child + c - 1] * 2;
  while (sp > 0)
    {
      guint32 entry = stack[--sp];
      guint32 i = entry / 2;
      GzProfileTreeNode *node = NODE (self, i);

      if (entry & 1)
        {
          on_path[node->name]--;
          continue;
        }
      visit (self, i, on_path[node->name], data);
      on_path[node->name]++;
      stack[sp++] = i * 2 + 1;
      for (guint c = node->n_children; c > 0; c--)
        stack[sp++] = self->children[node->first_child + c - 1] * 2;
    }
}

static void
visit_function (GzProfileTree *self,
                guint32        node,
                guint          outer,
                gpointer       data)
{
  GzProfileTreeFunction *f = &g_array_index ((GArray *) data, GzProfileTreeFunction,
                                             NODE (self, node)->name);

  f->flat += NODE (self, node)->self;
  f->base_flat += NODE (self, node)->base_self;
  if (outer == 0)
    {
      f->cum += NODE (self, node)->total;
      f->base_cum += NODE (self, node)->base_total;
    }
}

GArray *
gz_profile_tree_get_functions (GzProfileTree *self)
{
  GArray *functions = g_array_sized_new (FALSE, TRUE, sizeof (GzProfileTreeFunction),
                                         self->names->len);
  g_autoptr(GArray) used = NULL;

  g_array_set_size (functions, self->names->len);
  for (guint i = 0; i < self->names->len; i++)
    g_array_index (functions, GzProfileTreeFunction, i).name = i;
  tree_walk (self, visit_function, functions);

  /* Only the names this tree has frames of (callers/callees trees share the names). */
  used = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (used, self->names->len);
  for (guint i = 1; i < self->nodes->len; i++)
    g_array_index (used, gboolean, NODE (self, i)->name) = TRUE;
  for (guint i = self->names->len; i > 0; i--)
    if (!g_array_index (used, gboolean, i - 1))
      g_array_remove_index (functions, i - 1);
  return functions;
}

/* Adds @src's node @s and its subtree under @dst's node @d. */
static void
tree_merge (GzProfileTree *dst,
            guint32        d,
            GzProfileTree *src,
            guint32        s)
{
  const GzProfileTreeNode *sn = NODE (src, s);

  NODE (dst, d)->self += sn->self;
  NODE (dst, d)->total += sn->total;
  NODE (dst, d)->base_self += sn->base_self;
  NODE (dst, d)->base_total += sn->base_total;
  for (guint c = 0; c < sn->n_children; c++)
    {
      guint32 child = src->children[sn->first_child + c];

      tree_merge (dst, tree_child (dst, d, NODE (src, child)->name), src, child);
    }
}

typedef struct
{
  GzProfileTree *dst;
  guint32        name;
  gboolean       callers;
} SandwichData;

static void
visit_sandwich (GzProfileTree *self,
                guint32        node,
                guint          outer,
                gpointer       data)
{
  SandwichData *sd = data;
  const GzProfileTreeNode *n = NODE (self, node);
  GzProfileTreeNode *root = NODE (sd->dst, 0);
  guint32 d;

  if (n->name != sd->name || outer > 0)
    return;

  root->total += n->total;
  root->base_total += n->base_total;
  if (!sd->callers)
    {
      tree_merge (sd->dst, tree_child (sd->dst, 0, sd->name), self, node);
      return;
    }

  /* The function, then its callers outwards; the stack's outermost frame keeps the value. */
  d = 0;
  for (guint32 p = node; p != 0; p = NODE (self, p)->parent)
    {
      GzProfileTreeNode *dn;

      d = tree_child (sd->dst, d, NODE (self, p)->name);
      dn = NODE (sd->dst, d);
      dn->total += n->total;
      dn->base_total += n->base_total;
    }
  NODE (sd->dst, d)->self += n->total;
  NODE (sd->dst, d)->base_self += n->base_total;
}

static GzProfileTree *
tree_new_sandwich (GzProfileTree *self,
                   guint32        name,
                   gboolean       callers)
{
  SandwichData sd = { NULL, name, callers };
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 1; i < self->nodes->len && !found; i++)
    found = NODE (self, i)->name == name;
  if (!found)
    return NULL;

  sd.dst = tree_new_empty (self);
  tree_walk (self, visit_sandwich, &sd);
  return tree_finish (sd.dst);
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
  /* Bit 0: under @root (or it); bit 1: it or an ancestor matched. */
  g_autofree guint8 *state = g_new0 (guint8, n);
  gint64 share = 0;

  g_return_val_if_fail (regex != NULL, 0);
  g_return_val_if_fail (root < n, 0);

  for (guint i = 1; i < self->names->len; i++)
    name_matches[i] = g_regex_match (regex, self->names->pdata[i], 0, NULL);
  if (matched != NULL)
    memset (matched, 0, n);

  /* Parents come before their children in the node array. */
  state[root] = 1;
  if (root != 0 && name_matches[NODE (self, root)->name])
    {
      if (matched != NULL)
        matched[root] = 1;
      share = NODE (self, root)->total;
      state[root] |= 2;
    }
  for (guint i = root + 1; i < n; i++)
    {
      GzProfileTreeNode *node = NODE (self, i);
      guint8 parent = state[node->parent];

      if (!(parent & 1))
        continue;
      state[i] = parent;
      if (!name_matches[node->name])
        continue;
      if (matched != NULL)
        matched[i] = 1;
      if (!(parent & 2))
        share += node->total;
      state[i] |= 2;
    }
  return share;
}
