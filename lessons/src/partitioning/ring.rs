//! The consistent-hash ring with virtual nodes, zones and preference lists.

use std::cmp::Ordering;

use super::{PartitionError, hash_key, hash_with_seed};

/// The seed family of virtual-node tokens: virtual node `i` of node `name` sits at
/// `hash_with_seed(name, VNODE_SEED + i)`, away from seed 0, which hashes keys.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{Ring, VNODE_SEED, hash_with_seed};
///
/// let ring = Ring::with_nodes(1, ["A"])?;
/// let (token, owner) = ring.tokens().next().unwrap();
/// assert_eq!((token, owner), (hash_with_seed(b"A", VNODE_SEED), "A"));
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub const VNODE_SEED: u64 = 1 << 32;

/// A consistent-hash ring: nodes own arcs of the 64-bit hash space, and a key belongs to the
/// first virtual node at or after its hash, going clockwise (wrapping past the top).
///
/// Each node is placed at several points, its *virtual nodes* (vnodes, also called tokens).
/// With one point per node the arcs are very uneven; with `V` points per node a node's share
/// is the sum of `V` arcs, which evens out roughly as `1 / sqrt(V)`. A node may be given more
/// vnodes than the default to take a larger share (a bigger machine).
///
/// The ring is a pure function of its set of nodes: the same names with the same vnode counts
/// give the same ring in any join order, on any machine, forever (see [`hash_key`]).
///
/// Every node belongs to a *zone* (a rack, an availability zone); a node added without one is a
/// zone of its own. [`Ring::preference_list`] walks clockwise collecting distinct nodes;
/// [`Ring::zone_aware_preference_list`] prefers nodes in zones it has not used yet.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::Ring;
///
/// let mut ring = Ring::with_nodes(256, ["A", "B", "C"])?;
/// let owner = ring.node_for("user:42")?.to_string();
/// ring.add_node("D")?;
/// let now = ring.node_for("user:42")?;
/// assert!(now == owner || now == "D"); // a join moves keys only to the newcomer
///
/// let replicas = ring.preference_list("user:42", 3)?;
/// assert_eq!(replicas.len(), 3);
/// assert_eq!(replicas[0], now);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring {
    vnodes_per_node: u32,
    nodes: Vec<RingNode>,
    zones: Vec<String>,
    /// Every virtual node as `(token, owner)`, sorted; the owner (an index into `nodes`) owns
    /// the arc ending at the token. Kept side by side so that a lookup reads one cache line.
    points: Vec<(u64, u32)>,
    /// `starts[p]` is the first point whose token's top bits are at least `p`: a lookup
    /// searches only the few points that share its hash's top bits, which saves most of the
    /// cache misses of a binary search over the whole (megabytes large) array.
    starts: Vec<u32>,
    prefix_bits: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RingNode {
    name: String,
    zone: usize,
    vnodes: u32,
}

/// How much of the hash space one node owns.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::Ring;
///
/// let ring = Ring::with_nodes(64, ["A", "B"])?;
/// let shares = ring.shares();
/// assert_eq!(shares[0].node, "A");
/// assert!((shares[0].share + shares[1].share - 1.0).abs() < 1e-12);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NodeShare {
    /// The node's name.
    pub node: String,
    /// The node's zone.
    pub zone: String,
    /// How many virtual nodes it has.
    pub vnodes: u32,
    /// The fraction of the hash space it owns, from 0 to 1.
    pub share: f64,
}

impl Ring {
    /// The most virtual nodes one node may have.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// assert!(Ring::new(Ring::MAX_VNODES).is_ok());
    /// assert!(Ring::new(Ring::MAX_VNODES + 1).is_err());
    /// ```
    pub const MAX_VNODES: u32 = 65_536;

    /// An empty ring whose nodes get `vnodes_per_node` virtual nodes each.
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] unless `vnodes_per_node` is from 1 to
    /// [`Ring::MAX_VNODES`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::{PartitionError, Ring};
    ///
    /// let ring = Ring::new(256)?;
    /// assert!(ring.is_empty());
    /// assert_eq!(ring.node_for("k"), Err(PartitionError::EmptyRing));
    /// # Ok::<(), PartitionError>(())
    /// ```
    pub fn new(vnodes_per_node: u32) -> Result<Ring, PartitionError> {
        check_vnodes(vnodes_per_node)?;
        Ok(Ring {
            vnodes_per_node,
            nodes: Vec::new(),
            zones: Vec::new(),
            points: Vec::new(),
            starts: Vec::new(),
            prefix_bits: 0,
        })
    }

    /// A ring of these nodes, each a zone of its own, with `vnodes_per_node` virtual nodes
    /// each; faster than adding them one by one.
    ///
    /// # Errors
    ///
    /// As [`Ring::new`], and [`PartitionError::DuplicateNode`] if a name repeats.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let names: Vec<String> = (0..100).map(|n| format!("node-{n}")).collect();
    /// let ring = Ring::with_nodes(16, &names)?;
    /// assert_eq!((ring.len(), ring.token_count()), (100, 1_600));
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn with_nodes(
        vnodes_per_node: u32,
        names: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<Ring, PartitionError> {
        let mut ring = Ring::new(vnodes_per_node)?;
        for name in names {
            let name = name.as_ref();
            ring.push_node(name, name, vnodes_per_node)?;
        }
        ring.rebuild();
        Ok(ring)
    }

    /// Adds a node with the ring's number of vnodes, in a zone of its own (named after it).
    ///
    /// # Errors
    ///
    /// [`PartitionError::DuplicateNode`] if the ring already has a node of that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(8)?;
    /// ring.add_node("A")?;
    /// assert_eq!(ring.zone_of("A")?, "A");
    /// assert!(ring.add_node("A").is_err());
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn add_node(&mut self, name: impl AsRef<str>) -> Result<(), PartitionError> {
        let name = name.as_ref();
        self.add_weighted_node(name, name, self.vnodes_per_node)
    }

    /// Adds a node with the ring's number of vnodes in `zone`.
    ///
    /// # Errors
    ///
    /// [`PartitionError::DuplicateNode`] if the ring already has a node of that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(8)?;
    /// ring.add_node_in_zone("A1", "zone-a")?;
    /// ring.add_node_in_zone("A2", "zone-a")?;
    /// assert_eq!(ring.zones(), ["zone-a"]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn add_node_in_zone(
        &mut self,
        name: impl AsRef<str>,
        zone: impl AsRef<str>,
    ) -> Result<(), PartitionError> {
        self.add_weighted_node(name, zone, self.vnodes_per_node)
    }

    /// Adds a node in `zone` with its own number of vnodes: twice the vnodes, about twice the
    /// share of keys.
    ///
    /// # Errors
    ///
    /// [`PartitionError::DuplicateNode`] for a name the ring has, [`PartitionError::Parameter`]
    /// unless `vnodes` is from 1 to [`Ring::MAX_VNODES`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(256)?;
    /// ring.add_node("small")?;
    /// ring.add_weighted_node("big", "big", 768)?;
    /// let big = ring.shares()[1].share;
    /// assert!((big - 0.75).abs() < 0.05);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn add_weighted_node(
        &mut self,
        name: impl AsRef<str>,
        zone: impl AsRef<str>,
        vnodes: u32,
    ) -> Result<(), PartitionError> {
        check_vnodes(vnodes)?;
        self.push_node(name.as_ref(), zone.as_ref(), vnodes)?;
        let index = self.nodes.len() - 1;
        let mut new: Vec<(u64, u32)> = self.node_tokens(index).collect();
        new.sort_unstable_by(|a, b| self.token_order(*a, *b));
        let old = std::mem::take(&mut self.points);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let mut new = new.into_iter().peekable();
        for entry in old {
            while let Some(&next) = new.peek() {
                if self.token_order(next, entry) == Ordering::Less {
                    merged.push(next);
                    new.next();
                } else {
                    break;
                }
            }
            merged.push(entry);
        }
        merged.extend(new);
        self.points = merged;
        self.index_prefixes();
        Ok(())
    }

    /// Removes a node; its arcs fall to the next virtual node clockwise of each.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownNode`] if the ring has no node of that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::with_nodes(4, ["A", "B"])?;
    /// ring.remove_node("A")?;
    /// assert_eq!(ring.node_for("anything")?, "B");
    /// assert_eq!(
    ///     ring.remove_node("Z").unwrap_err().to_string(),
    ///     "no node named \"Z\" on the ring; its nodes are [B]"
    /// );
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn remove_node(&mut self, name: impl AsRef<str>) -> Result<(), PartitionError> {
        let index = self.index_of(name.as_ref())?;
        self.nodes.remove(index);
        let used: Vec<bool> = (0..self.zones.len())
            .map(|zone| self.nodes.iter().any(|node| node.zone == zone))
            .collect();
        if used.contains(&false) {
            let renumber: Vec<usize> = used
                .iter()
                .scan(0, |next, &kept| {
                    let number = *next;
                    *next += usize::from(kept);
                    Some(number)
                })
                .collect();
            for node in &mut self.nodes {
                node.zone = renumber[node.zone];
            }
            let mut kept = used.iter();
            self.zones.retain(|_| *kept.next().unwrap());
        }
        self.rebuild();
        Ok(())
    }

    /// How many nodes the ring has.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// assert_eq!(Ring::with_nodes(8, ["A", "B"])?.len(), 2);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the ring has no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::partitioning::Ring::new(8)?.is_empty());
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The number of vnodes a node gets unless it is given its own.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::Ring::new(256)?.vnodes_per_node(), 256);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn vnodes_per_node(&self) -> u32 {
        self.vnodes_per_node
    }

    /// How many virtual nodes the ring holds in all.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::Ring::with_nodes(8, ["A", "B"])?.token_count(), 16);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn token_count(&self) -> usize {
        self.points.len()
    }

    /// The node names, in the order they joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(8, ["B", "A"])?;
    /// assert_eq!(ring.nodes().collect::<Vec<_>>(), ["B", "A"]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|node| node.name.as_str())
    }

    /// The zone names, in the order they first appeared.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(8)?;
    /// ring.add_node_in_zone("a1", "east")?;
    /// ring.add_node_in_zone("b1", "west")?;
    /// assert_eq!(ring.zones(), ["east", "west"]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// The zone of a node.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownNode`] if the ring has no node of that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(8)?;
    /// ring.add_node_in_zone("a1", "east")?;
    /// assert_eq!(ring.zone_of("a1")?, "east");
    /// assert!(ring.zone_of("b1").is_err());
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn zone_of(&self, name: impl AsRef<str>) -> Result<&str, PartitionError> {
        let index = self.index_of(name.as_ref())?;
        Ok(&self.zones[self.nodes[index].zone])
    }

    /// Every virtual node as `(token, owner)`, in clockwise order from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(3, ["A", "B"])?;
    /// let tokens: Vec<u64> = ring.tokens().map(|(token, _)| token).collect();
    /// assert!(tokens.windows(2).all(|pair| pair[0] <= pair[1]));
    /// assert_eq!(ring.tokens().filter(|(_, owner)| *owner == "A").count(), 3);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn tokens(&self) -> impl Iterator<Item = (u64, &str)> {
        self.points
            .iter()
            .map(|&(token, owner)| (token, self.nodes[owner as usize].name.as_str()))
    }

    /// The node that owns `key`.
    ///
    /// # Errors
    ///
    /// [`PartitionError::EmptyRing`] if the ring has no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(256, ["A", "B", "C"])?;
    /// assert_eq!(ring.node_for("user:42")?, ring.node_for("user:42")?);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn node_for(&self, key: impl AsRef<[u8]>) -> Result<&str, PartitionError> {
        self.node_for_hash(hash_key(key))
    }

    /// The node that owns the point `hash` of the ring: the owner of the first virtual node at
    /// or after it, wrapping past the top to the first.
    ///
    /// # Errors
    ///
    /// [`PartitionError::EmptyRing`] if the ring has no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(1, ["A", "B"])?;
    /// let (first, owner) = ring.tokens().next().unwrap();
    /// assert_eq!(ring.node_for_hash(first)?, owner);
    /// assert_eq!(ring.node_for_hash(0)?, owner);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn node_for_hash(&self, hash: u64) -> Result<&str, PartitionError> {
        let index = self.index_for_hash(hash)?;
        Ok(&self.nodes[index].name)
    }

    /// The position (in join order, as in [`Ring::nodes`]) of the node that owns `hash`; the
    /// fast path for experiments over millions of keys.
    ///
    /// # Errors
    ///
    /// [`PartitionError::EmptyRing`] if the ring has no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::{Ring, hash_key};
    ///
    /// let ring = Ring::with_nodes(16, ["A", "B", "C"])?;
    /// let index = ring.index_for_hash(hash_key("k"))?;
    /// assert_eq!(ring.nodes().nth(index).unwrap(), ring.node_for("k")?);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn index_for_hash(&self, hash: u64) -> Result<usize, PartitionError> {
        if self.points.is_empty() {
            return Err(PartitionError::EmptyRing);
        }
        let position = self.successor(hash);
        let position = if position == self.points.len() {
            0
        } else {
            position
        };
        Ok(self.points[position].1 as usize)
    }

    /// The `n` distinct nodes that hold `key`'s replicas: walking clockwise from the key,
    /// each node the first time one of its virtual nodes is met. The first is the key's owner.
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] unless `n` is from 1 to the number of nodes
    /// ([`PartitionError::EmptyRing`] if there are none).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(64, ["A", "B", "C", "D"])?;
    /// let replicas = ring.preference_list("cart:7", 3)?;
    /// assert_eq!(replicas[0], ring.node_for("cart:7")?);
    /// assert!(replicas[0] != replicas[1] && replicas[1] != replicas[2] && replicas[0] != replicas[2]);
    /// assert_eq!(
    ///     ring.preference_list("cart:7", 5).unwrap_err().to_string(),
    ///     "replica count n = 5 is not allowed: n must be from 1 to the number of nodes, 4"
    /// );
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn preference_list(
        &self,
        key: impl AsRef<[u8]>,
        n: usize,
    ) -> Result<Vec<&str>, PartitionError> {
        self.check_replica_count(n)?;
        let mut seen = vec![false; self.nodes.len()];
        let mut chosen = Vec::with_capacity(n);
        for owner in self.walk(hash_key(key)) {
            if !seen[owner] {
                seen[owner] = true;
                chosen.push(owner);
                if chosen.len() == n {
                    break;
                }
            }
        }
        Ok(self.names(&chosen))
    }

    /// The `n` distinct nodes for `key`'s replicas, spread over as many zones as possible:
    /// walking clockwise, a node is taken only if its zone is not used yet; once every zone is
    /// used (or the walk is done), the nodes skipped fill the rest, in walk order. The list
    /// spans `min(n, zones)` zones.
    ///
    /// # Errors
    ///
    /// As [`Ring::preference_list`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let mut ring = Ring::new(64)?;
    /// for (node, zone) in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b"), ("c1", "c")] {
    ///     ring.add_node_in_zone(node, zone)?;
    /// }
    /// let replicas = ring.zone_aware_preference_list("cart:7", 3)?;
    /// let mut zones: Vec<&str> = replicas.iter().map(|node| ring.zone_of(node).unwrap()).collect();
    /// zones.sort();
    /// assert_eq!(zones, ["a", "b", "c"]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn zone_aware_preference_list(
        &self,
        key: impl AsRef<[u8]>,
        n: usize,
    ) -> Result<Vec<&str>, PartitionError> {
        self.check_replica_count(n)?;
        let zone_count = self.zones.len();
        let mut seen = vec![false; self.nodes.len()];
        let mut zone_used = vec![false; zone_count];
        let mut chosen = Vec::with_capacity(n);
        let mut skipped = Vec::new();
        for owner in self.walk(hash_key(key)) {
            if seen[owner] {
                continue;
            }
            seen[owner] = true;
            let zone = self.nodes[owner].zone;
            if zone_used[zone] {
                skipped.push(owner);
            } else {
                zone_used[zone] = true;
                chosen.push(owner);
            }
            let zones_done = chosen.len() == zone_count;
            if chosen.len() == n || (zones_done && chosen.len() + skipped.len() >= n) {
                break;
            }
        }
        let missing = n - chosen.len();
        chosen.extend(skipped.into_iter().take(missing));
        Ok(self.names(&chosen))
    }

    /// Every node's share of the hash space, computed exactly from the arcs, in join order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Ring;
    ///
    /// let ring = Ring::with_nodes(1_000, ["A", "B", "C", "D"])?;
    /// for share in ring.shares() {
    ///     assert!((share.share - 0.25).abs() < 0.02);
    /// }
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn shares(&self) -> Vec<NodeShare> {
        let mut owned = vec![0u128; self.nodes.len()];
        let mut previous = self.points.last().map_or(0, |&(token, _)| token);
        for &(token, owner) in &self.points {
            let arc = token.wrapping_sub(previous);
            // One token alone owns the whole ring, not an empty arc.
            owned[owner as usize] += if self.points.len() == 1 {
                1u128 << 64
            } else {
                u128::from(arc)
            };
            previous = token;
        }
        self.nodes
            .iter()
            .zip(owned)
            .map(|(node, arc)| NodeShare {
                node: node.name.clone(),
                zone: self.zones[node.zone].clone(),
                vnodes: node.vnodes,
                share: arc as f64 / 2f64.powi(64),
            })
            .collect()
    }

    /// The position of the first token at or after `hash` (the token count if none is).
    fn successor(&self, hash: u64) -> usize {
        let prefix = if self.prefix_bits == 0 {
            0
        } else {
            (hash >> (64 - self.prefix_bits)) as usize
        };
        let (low, high) = (
            self.starts[prefix] as usize,
            self.starts[prefix + 1] as usize,
        );
        low + self.points[low..high].partition_point(|&(token, _)| token < hash)
    }

    /// Rebuilds `starts` with about eight tokens per prefix (at most 2^16 prefixes, so the
    /// table stays small enough to live in cache).
    fn index_prefixes(&mut self) {
        let bits = usize::BITS - self.points.len().leading_zeros();
        self.prefix_bits = bits.saturating_sub(3).min(16);
        let prefixes = 1usize << self.prefix_bits;
        let prefix_of = |token: u64| {
            if self.prefix_bits == 0 {
                0
            } else {
                (token >> (64 - self.prefix_bits)) as usize
            }
        };
        let mut starts = Vec::with_capacity(prefixes + 1);
        let mut next = 0;
        for prefix in 0..prefixes {
            while next < self.points.len() && prefix_of(self.points[next].0) < prefix {
                next += 1;
            }
            starts.push(next as u32);
        }
        starts.push(self.points.len() as u32);
        self.starts = starts;
    }

    fn walk(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let start = if self.points.is_empty() {
            0
        } else {
            self.successor(hash)
        };
        self.points[start..]
            .iter()
            .chain(&self.points[..start])
            .map(|&(_, owner)| owner as usize)
    }

    fn names(&self, indices: &[usize]) -> Vec<&str> {
        indices
            .iter()
            .map(|&index| self.nodes[index].name.as_str())
            .collect()
    }

    fn check_replica_count(&self, n: usize) -> Result<(), PartitionError> {
        if self.nodes.is_empty() {
            return Err(PartitionError::EmptyRing);
        }
        if n == 0 || n > self.nodes.len() {
            return Err(PartitionError::parameter(
                "replica count n",
                n,
                format!(
                    "n must be from 1 to the number of nodes, {}",
                    self.nodes.len()
                ),
            ));
        }
        Ok(())
    }

    fn index_of(&self, name: &str) -> Result<usize, PartitionError> {
        self.nodes
            .iter()
            .position(|node| node.name == name)
            .ok_or_else(|| PartitionError::UnknownNode {
                name: name.to_string(),
                known: self.nodes.iter().map(|node| node.name.clone()).collect(),
            })
    }

    fn push_node(&mut self, name: &str, zone: &str, vnodes: u32) -> Result<(), PartitionError> {
        if self.nodes.iter().any(|node| node.name == name) {
            return Err(PartitionError::DuplicateNode {
                name: name.to_string(),
            });
        }
        let zone = match self.zones.iter().position(|known| known == zone) {
            Some(index) => index,
            None => {
                self.zones.push(zone.to_string());
                self.zones.len() - 1
            }
        };
        self.nodes.push(RingNode {
            name: name.to_string(),
            zone,
            vnodes,
        });
        Ok(())
    }

    fn node_tokens(&self, index: usize) -> impl Iterator<Item = (u64, u32)> + '_ {
        let node = &self.nodes[index];
        (0..u64::from(node.vnodes)).map(move |vnode| {
            (
                hash_with_seed(node.name.as_bytes(), VNODE_SEED + vnode),
                index as u32,
            )
        })
    }

    /// Tokens in ring order; equal tokens (a 64-bit collision) are ordered by node name, so
    /// the ring does not depend on join order.
    fn token_order(&self, a: (u64, u32), b: (u64, u32)) -> Ordering {
        a.0.cmp(&b.0).then_with(|| {
            self.nodes[a.1 as usize]
                .name
                .cmp(&self.nodes[b.1 as usize].name)
        })
    }

    fn rebuild(&mut self) {
        let mut all: Vec<(u64, u32)> = (0..self.nodes.len())
            .flat_map(|index| self.node_tokens(index))
            .collect();
        all.sort_unstable_by(|a, b| self.token_order(*a, *b));
        self.points = all;
        self.index_prefixes();
    }
}

fn check_vnodes(vnodes: u32) -> Result<(), PartitionError> {
    if vnodes == 0 || vnodes > Ring::MAX_VNODES {
        return Err(PartitionError::parameter(
            "vnodes per node",
            vnodes,
            format!("a node needs from 1 to {} virtual nodes", Ring::MAX_VNODES),
        ));
    }
    Ok(())
}
