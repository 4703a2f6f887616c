//! A B+-tree of keys in fixed-capacity pages, counting the pages each insert writes.

use crate::sim::SimError;

/// How a full page is split when a key arrives.
///
/// # Examples
///
/// ```
/// use lessons::storage::SplitPolicy;
///
/// assert_eq!(SplitPolicy::Rightmost.name(), "rightmost append");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitPolicy {
    /// Half the entries stay, half move to the new page, wherever the new key lands.
    Half,
    /// As [`SplitPolicy::Half`], except when the new key goes after every entry of the
    /// rightmost page of its level: then the full page stays full and the new page starts with
    /// the new key alone. This is the shape of the ascending-key optimisations PostgreSQL and
    /// InnoDB apply to rightmost splits (this model, not their code).
    Rightmost,
}

impl SplitPolicy {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::SplitPolicy::Half.name(), "50/50");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SplitPolicy::Half => "50/50",
            SplitPolicy::Rightmost => "rightmost append",
        }
    }
}

#[derive(Debug, Clone)]
enum Page {
    Leaf(Vec<u64>),
    Inner {
        /// `separators[i]` is the smallest key under `children[i + 1]`.
        separators: Vec<u64>,
        children: Vec<usize>,
    },
}

/// A B+-tree (Bayer and McCreight 1972; Comer 1979) holding keys only: leaves hold up to
/// `leaf_capacity` keys in order, inner pages up to `fanout` children. Every page written to
/// "disk" is counted: an insert writes its leaf, a split writes both halves and the parent.
///
/// Height counts levels, leaves included: one leaf is height 1. Since a tree of height h holds
/// at most `leaf_capacity × fanout^(h-1)` keys, `height ≥ ceil(log_fanout(n))` when the two
/// capacities are equal.
///
/// # Examples
///
/// ```
/// use lessons::storage::{BPlusTree, SplitPolicy};
///
/// let mut tree = BPlusTree::new(4, 4, SplitPolicy::Half)?;
/// for key in [5, 1, 9, 3, 7] {
///     tree.insert(key);
/// }
/// assert_eq!(tree.height(), 2);
/// assert_eq!(tree.keys(), vec![1, 3, 5, 7, 9]);
/// assert_eq!(tree.page_writes(), 7); // 5 leaf writes, the split-off half, the new root
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BPlusTree {
    pages: Vec<Page>,
    root: usize,
    leaf_capacity: usize,
    fanout: usize,
    policy: SplitPolicy,
    len: u64,
    page_writes: u64,
    splits: u64,
}

/// What splitting a child handed back to its parent: the new right page and its first key.
struct Split {
    separator: u64,
    right: usize,
}

impl BPlusTree {
    /// An empty tree (one empty leaf).
    ///
    /// # Errors
    ///
    /// When `leaf_capacity` is not in 2..=10,000 or `fanout` not in 3..=10,000.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// assert_eq!(BPlusTree::new(100, 100, SplitPolicy::Half)?.height(), 1);
    /// assert!(BPlusTree::new(1, 100, SplitPolicy::Half).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        leaf_capacity: usize,
        fanout: usize,
        policy: SplitPolicy,
    ) -> Result<BPlusTree, SimError> {
        if !(2..=10_000).contains(&leaf_capacity) {
            return Err(SimError::parameter(
                "leaf_capacity",
                leaf_capacity,
                "from 2 to 10,000 keys per leaf page",
            ));
        }
        if !(3..=10_000).contains(&fanout) {
            return Err(SimError::parameter(
                "fanout",
                fanout,
                "from 3 to 10,000 children per inner page",
            ));
        }
        Ok(BPlusTree {
            pages: vec![Page::Leaf(Vec::with_capacity(leaf_capacity))],
            root: 0,
            leaf_capacity,
            fanout,
            policy,
            len: 0,
            page_writes: 0,
            splits: 0,
        })
    }

    /// Inserts `key`; returns `false` (and writes nothing) if it was already there.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(4, 4, SplitPolicy::Half)?;
    /// assert!(tree.insert(1));
    /// assert!(!tree.insert(1));
    /// assert_eq!((tree.len(), tree.page_writes()), (1, 1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn insert(&mut self, key: u64) -> bool {
        let rightmost = true;
        match self.insert_into(self.root, key, rightmost) {
            None => false,
            Some(None) => true,
            Some(Some(split)) => {
                let old_root = self.root;
                self.pages.push(Page::Inner {
                    separators: vec![split.separator],
                    children: vec![old_root, split.right],
                });
                self.root = self.pages.len() - 1;
                self.page_writes += 1;
                true
            }
        }
    }

    /// Inserts into the subtree at `page`; `None` when the key was there already, otherwise
    /// the split (if any) the parent must absorb. `rightmost` says whether `page` is the last
    /// page of its level.
    fn insert_into(&mut self, page: usize, key: u64, rightmost: bool) -> Option<Option<Split>> {
        let (slot, child, child_is_rightmost) = match &mut self.pages[page] {
            Page::Leaf(keys) => {
                let at = keys.binary_search(&key).err()?;
                keys.insert(at, key);
                self.len += 1;
                self.page_writes += 1;
                let full = keys.len() > self.leaf_capacity;
                return Some(full.then(|| self.split(page, at, rightmost)));
            }
            Page::Inner {
                separators,
                children,
            } => {
                let slot = separators.partition_point(|&s| s <= key);
                (
                    slot,
                    children[slot],
                    rightmost && slot == children.len() - 1,
                )
            }
        };
        let split = self.insert_into(child, key, child_is_rightmost)?;
        let Some(split) = split else {
            return Some(None);
        };
        let Page::Inner {
            separators,
            children,
        } = &mut self.pages[page]
        else {
            unreachable!("the page was inner a moment ago");
        };
        separators.insert(slot, split.separator);
        children.insert(slot + 1, split.right);
        self.page_writes += 1;
        let full = children.len() > self.fanout;
        Some(full.then(|| self.split(page, slot + 1, rightmost)))
    }

    /// Splits the over-full `page`, whose newest entry went to position `at`; writes the new
    /// page (the old one's write is already counted) and returns what the parent needs.
    fn split(&mut self, page: usize, at: usize, rightmost: bool) -> Split {
        self.splits += 1;
        self.page_writes += 1;
        let policy = self.policy;
        let keep = |entries: usize| {
            if policy == SplitPolicy::Rightmost && rightmost && at == entries - 1 {
                entries - 1
            } else {
                entries / 2
            }
        };
        let right = match &mut self.pages[page] {
            Page::Leaf(keys) => {
                let moved = keys.split_off(keep(keys.len()));
                let separator = moved[0];
                (Page::Leaf(moved), separator)
            }
            Page::Inner {
                separators,
                children,
            } => {
                let kept = keep(children.len());
                let moved_children = children.split_off(kept);
                let mut moved_separators = separators.split_off(kept - 1);
                let separator = moved_separators.remove(0);
                (
                    Page::Inner {
                        separators: moved_separators,
                        children: moved_children,
                    },
                    separator,
                )
            }
        };
        self.pages.push(right.0);
        Split {
            separator: right.1,
            right: self.pages.len() - 1,
        }
    }

    /// Rewrites the leaf holding `key` in place, as an update of a record stored with it
    /// would: one page write. Returns whether the key was there.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(4, 4, SplitPolicy::Half)?;
    /// tree.insert(1);
    /// assert!(tree.update(1));
    /// assert!(!tree.update(2));
    /// assert_eq!(tree.page_writes(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn update(&mut self, key: u64) -> bool {
        let mut page = self.root;
        loop {
            match &self.pages[page] {
                Page::Leaf(keys) => {
                    let found = keys.binary_search(&key).is_ok();
                    self.page_writes += u64::from(found);
                    return found;
                }
                Page::Inner {
                    separators,
                    children,
                } => page = children[separators.partition_point(|&s| s <= key)],
            }
        }
    }

    /// Levels from the root to the leaves, leaves included.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(10, 10, SplitPolicy::Half)?;
    /// (0..1_000).for_each(|key| { tree.insert(key); });
    /// assert_eq!(tree.height(), 4);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn height(&self) -> usize {
        let mut depth = 1;
        let mut page = self.root;
        while let Page::Inner { children, .. } = &self.pages[page] {
            page = children[0];
            depth += 1;
        }
        depth
    }

    /// The depth of every leaf, left to right (all equal in a B+-tree).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(3, 3, SplitPolicy::Half)?;
    /// (0..50).for_each(|key| { tree.insert(key * 7 % 50); });
    /// let depths = tree.leaf_depths();
    /// assert!(depths.iter().all(|&d| d == tree.height()));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leaf_depths(&self) -> Vec<usize> {
        let mut depths = Vec::new();
        self.walk(self.root, 1, &mut |depth, _| depths.push(depth));
        depths
    }

    /// Every key, by an in-order walk of the leaves.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(3, 3, SplitPolicy::Rightmost)?;
    /// [3, 1, 2].into_iter().for_each(|key| { tree.insert(key); });
    /// assert_eq!(tree.keys(), vec![1, 2, 3]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn keys(&self) -> Vec<u64> {
        let mut all = Vec::new();
        self.walk(self.root, 1, &mut |_, keys| all.extend_from_slice(keys));
        all
    }

    /// The number of keys in each leaf, left to right.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(4, 4, SplitPolicy::Half)?;
    /// (0..5).for_each(|key| { tree.insert(key); });
    /// assert_eq!(tree.leaf_sizes(), vec![2, 3]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leaf_sizes(&self) -> Vec<usize> {
        let mut sizes = Vec::new();
        self.walk(self.root, 1, &mut |_, keys| sizes.push(keys.len()));
        sizes
    }

    fn walk(&self, page: usize, depth: usize, visit: &mut impl FnMut(usize, &[u64])) {
        match &self.pages[page] {
            Page::Leaf(keys) => visit(depth, keys),
            Page::Inner { children, .. } => {
                for &child in children {
                    self.walk(child, depth + 1, visit);
                }
            }
        }
    }

    /// Keys held / (leaves × leaf capacity): how full the leaf pages are on average.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(4, 4, SplitPolicy::Half)?;
    /// (0..5).for_each(|key| { tree.insert(key); });
    /// assert_eq!(tree.leaf_fill(), 5.0 / 8.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leaf_fill(&self) -> f64 {
        let sizes = self.leaf_sizes();
        self.len as f64 / (sizes.len() * self.leaf_capacity) as f64
    }

    /// Keys held.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// assert_eq!(BPlusTree::new(4, 4, SplitPolicy::Half)?.len(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the tree holds no key.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// assert!(BPlusTree::new(4, 4, SplitPolicy::Half)?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pages written so far (inserts, splits, new roots, updates).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// assert_eq!(BPlusTree::new(4, 4, SplitPolicy::Half)?.page_writes(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn page_writes(&self) -> u64 {
        self.page_writes
    }

    /// Page splits so far, leaves and inner pages.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{BPlusTree, SplitPolicy};
    ///
    /// let mut tree = BPlusTree::new(2, 3, SplitPolicy::Half)?;
    /// (0..3).for_each(|key| { tree.insert(key); });
    /// assert_eq!(tree.splits(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn splits(&self) -> u64 {
        self.splits
    }
}
