/* gz-profile-tree.h: the call tree of one sample type (frames merged by function name from the
 * root to the leaf), optionally against a base profile, with its callers and callees views,
 * flat and cumulative totals per function and a search that counts recursion once. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-profile.h"

G_BEGIN_DECLS

#define GZ_PROFILE_TREE_NONE G_MAXUINT32

/* One frame of the tree. Node 0 is the root (name 0, ""); the children of a node are
 * gz_profile_tree_get_children (), largest total first; offset is where the node starts in
 * the root's range [0, root total), so a subtree is the range [offset, offset + total).
 * The tree is lazy: a node's children exist once it is expanded (gz_profile_tree_expand ()); a
 * new tree of a small profile is expanded whole, of a large one down to the nodes that are at
 * least 1/20000 of the root. Per-function totals, callers, callees and search shares are exact
 * whatever has been expanded. */
typedef struct
{
  guint32 name;        /* index for gz_profile_tree_get_name () */
  guint32 parent;      /* GZ_PROFILE_TREE_NONE for the root */
  guint32 depth;       /* 0 for the root */
  guint32 first_child; /* into gz_profile_tree_get_children () */
  guint32 n_children;
  gint64  self;
  gint64  total;
  gint64  base_self;   /* the base profile's values on the same path (0 without a base) */
  gint64  base_total;
  gint64  offset;
} GzProfileTreeNode;

/* Flat and cumulative totals of one function over the tree (recursion counted once in cum),
 * and the same of the base. */
typedef struct
{
  guint32 name;
  gint64  flat;
  gint64  cum;
  gint64  base_flat;
  gint64  base_cum;
} GzProfileTreeFunction;

typedef struct _GzProfileTree GzProfileTree;

#define GZ_TYPE_PROFILE_TREE (gz_profile_tree_get_type ())

GType                    gz_profile_tree_get_type      (void) G_GNUC_CONST;
/* The tree of sample type @index of @profile; with @base (may be NULL) its sample type
 * @base_index gives every node its base values too, and frames only the base has are nodes
 * with a total of 0. Inlined frames are frames; a location without lines is named by its
 * address. */
GzProfileTree           *gz_profile_tree_new           (GzProfile      *profile,
                                                        guint           index,
                                                        GzProfile      *base,
                                                        guint           base_index);
GzProfileTree           *gz_profile_tree_ref           (GzProfileTree  *self);
/* Makes the children of every node under @node (and of @node) whose total (with the base's, in
 * absolute values) is at least @min_total, so that a view scaled to @node shows every frame it
 * could draw. TRUE when nodes were added: node and children pointers and the node count change,
 * so call it on one thread only (the one that draws); the tree's other functions may run on
 * workers meanwhile, except gz_profile_tree_search () and the node, children and row getters. */
gboolean                 gz_profile_tree_expand        (GzProfileTree  *self,
                                                        guint32         node,
                                                        gint64          min_total);
void                     gz_profile_tree_unref         (GzProfileTree  *self);

/* The sample type's type and unit ("cpu", "nanoseconds"). */
const char              *gz_profile_tree_get_type_name (GzProfileTree  *self);
const char              *gz_profile_tree_get_unit      (GzProfileTree  *self);
gboolean                 gz_profile_tree_has_base      (GzProfileTree  *self);

guint                    gz_profile_tree_get_n_nodes   (GzProfileTree  *self);
const GzProfileTreeNode *gz_profile_tree_get_node      (GzProfileTree  *self,
                                                        guint32         node);
const guint32           *gz_profile_tree_get_children  (GzProfileTree  *self,
                                                        guint32         node,
                                                        guint          *n_children);
/* Function names by index; the library (mapping file name, or NULL) of the first location
 * that had the name. */
guint                    gz_profile_tree_get_n_names   (GzProfileTree  *self);
const char              *gz_profile_tree_get_name      (GzProfileTree  *self,
                                                        guint32         name);
const char              *gz_profile_tree_get_library   (GzProfileTree  *self,
                                                        guint32         name);
/* The index of @name, or GZ_PROFILE_TREE_NONE. */
guint32                  gz_profile_tree_lookup_name   (GzProfileTree  *self,
                                                        const char     *name);
/* The deepest level plus one: the number of rows of a flame graph. */
guint                    gz_profile_tree_get_n_rows    (GzProfileTree  *self);
/* The nodes at @depth in offset order (binary-searchable by offset). */
const guint32           *gz_profile_tree_get_row       (GzProfileTree  *self,
                                                        guint           depth,
                                                        guint          *n_nodes);
/* The node of row @depth whose range holds @value, or GZ_PROFILE_TREE_NONE: a binary search. */
guint32                  gz_profile_tree_find          (GzProfileTree  *self,
                                                        guint           depth,
                                                        gint64          value);

/* How much a node changed against the base: total - base_total, where with @normalize the
 * base is first scaled to the profile's root total (a profile twice as long is no growth). */
double                   gz_profile_tree_node_delta    (GzProfileTree  *self,
                                                        guint32         node,
                                                        gboolean        normalize);

/* Per function over the whole tree: a GArray of GzProfileTreeFunction, in name order. */
GArray                  *gz_profile_tree_get_functions (GzProfileTree  *self);

/* The callers of function @name, inverted (its root's child is @name, then who called it, up
 * to the stack's root), and its callees (@name, then what it called). Both count each stack once
 * at its outermost @name, so their totals are the function's cumulative value; NULL when no
 * frame has that name. */
GzProfileTree           *gz_profile_tree_new_callers   (GzProfileTree  *self,
                                                        guint32         name);
GzProfileTree           *gz_profile_tree_new_callees   (GzProfileTree  *self,
                                                        guint32         name);

/* The value under @root covered by frames whose name matches @regex, each stack counted once
 * (a match under a match adds nothing). @matched, when not NULL, holds one byte per node and is
 * set to 1 for every matching node under @root, 0 elsewhere. */
gint64                   gz_profile_tree_search        (GzProfileTree  *self,
                                                        GRegex         *regex,
                                                        guint32         root,
                                                        guint8         *matched);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzProfileTree, gz_profile_tree_unref)

G_END_DECLS
