//! Routing a query by the shard written into the ID itself, as Instagram's IDs do.
//!
//! Instagram splits its data into several thousand *logical* shards and maps them onto far
//! fewer database servers. A user's data lives in logical shard `user_id % shards`, and every
//! ID minted for it carries that shard in 13 of its 64 bits (see [`Layout::instagram`]). Given
//! only an ID, a reader decodes the shard and looks up the one server that holds it: no lookup
//! of the object, no query to every server. Adding servers moves whole logical shards and
//! changes only the shard-to-server table; no ID is rewritten.

use serde::Serialize;

use super::error::IdError;
use super::snowflake::{Fields, Layout};
use crate::sim::Rng;
use crate::viz::Figure;

/// Logical shards mapped onto servers: shard `s` lives on server `s % servers`.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Fields, Layout, ShardMap};
///
/// let map = ShardMap::new(2_000, 4)?;
/// let shard = map.shard_of_user(31_337); // 31,337 % 2,000 = 1,337
/// let id = Layout::instagram().encode(Fields { millis: 5, machine: shard, sequence: 0 })?;
/// assert_eq!((shard, map.route(id)?), (1_337, 1)); // 1,337 % 4 = 1
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMap {
    shards: u64,
    servers: usize,
}

impl ShardMap {
    /// `shards` logical shards (1 to 8,192, what 13 bits hold) on `servers` servers (1 to the
    /// number of shards).
    ///
    /// # Errors
    ///
    /// [`IdError::Parameter`] outside those ranges.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::ShardMap;
    ///
    /// assert_eq!(ShardMap::new(2_000, 4)?.servers(), 4);
    /// assert!(ShardMap::new(10_000, 4).is_err());
    /// assert!(ShardMap::new(8, 9).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn new(shards: u64, servers: usize) -> Result<ShardMap, IdError> {
        if !(1..=8_192).contains(&shards) {
            return Err(IdError::parameter(
                "logical shards",
                shards,
                "1 to 8,192 logical shards (13 bits)",
            ));
        }
        if servers == 0 || servers as u64 > shards {
            return Err(IdError::parameter(
                "servers",
                servers,
                "at least 1 server and no more servers than logical shards",
            ));
        }
        Ok(ShardMap { shards, servers })
    }

    /// How many servers hold the shards.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::ShardMap::new(16, 2)?.servers(), 2);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn servers(&self) -> usize {
        self.servers
    }

    /// The logical shard of a user's data: `user % shards`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::ShardMap::new(2_000, 4)?.shard_of_user(4_001), 1);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn shard_of_user(&self, user: u64) -> u64 {
        user % self.shards
    }

    /// The server holding a logical shard.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::ShardMap::new(2_000, 4)?.server_of_shard(1_337), 1);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn server_of_shard(&self, shard: u64) -> usize {
        (shard % self.servers as u64) as usize
    }

    /// The server to ask for the object with this Instagram-layout ID, from the ID alone.
    ///
    /// # Errors
    ///
    /// [`IdError::Parameter`] when the ID's shard field names a shard the map does not have.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Fields, Layout, ShardMap};
    ///
    /// let map = ShardMap::new(100, 4)?;
    /// let stray = Layout::instagram().encode(Fields { millis: 1, machine: 500, sequence: 0 })?;
    /// assert!(map.route(stray).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn route(&self, id: u64) -> Result<usize, IdError> {
        let shard = Layout::instagram().decode(id)?.machine;
        if shard >= self.shards {
            return Err(IdError::parameter(
                "shard in the ID",
                shard,
                "an ID names one of the map's logical shards",
            ));
        }
        Ok(self.server_of_shard(shard))
    }

    /// The same shards on `servers` servers: a shard moves when `shard % servers` changes.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::ShardMap;
    ///
    /// let grown = ShardMap::new(2_000, 4)?.with_servers(8)?;
    /// assert_eq!((grown.server_of_shard(5), grown.server_of_shard(1)), (5, 1));
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn with_servers(&self, servers: usize) -> Result<ShardMap, IdError> {
        ShardMap::new(self.shards, servers)
    }
}

/// One server in one stage of [`shard_routing_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::ids::shard_routing_experiment;
///
/// let rows = shard_routing_experiment(10_000, 4, 8, 1)?;
/// assert_eq!(rows.len(), 4 + 8);
/// assert!(rows.iter().all(|row| row.routed_here == row.posts));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServerLoadRow {
    /// How many servers the stage has.
    pub servers: usize,
    /// This server.
    pub server: usize,
    /// Logical shards it holds.
    pub shards: u64,
    /// Posts whose user's shard it holds.
    pub posts: u64,
    /// Posts that a reader holding only the ID would send here: equal to `posts` when routing
    /// by the ID is right.
    pub routed_here: u64,
    /// Posts it holds that another server held in the stage before (0 in the first stage).
    pub moved_in: u64,
}

/// `posts` posts (1 to 1,000,000) by random users of 1,000,000, each with an Instagram-layout ID
/// carrying its user's logical shard (of 2,000); the shards sit on `servers`, then on
/// `grown_to` servers. For each stage and server: the posts it holds, the posts routed to it by
/// decoding their IDs, and the posts that moved to it.
///
/// # Errors
///
/// [`IdError::Parameter`] for a post count or server count out of range.
///
/// # Examples
///
/// Doubling from 4 to 8 servers moves exactly the shards with `shard % 8 ≥ 4`: half of them.
///
/// ```
/// use lessons::ids::shard_routing_experiment;
///
/// let rows = shard_routing_experiment(20_000, 4, 8, 1)?;
/// let moved: u64 = rows.iter().map(|row| row.moved_in).sum();
/// let shards_moved: u64 = rows.iter().filter(|row| row.servers == 8 && row.server >= 4).map(|row| row.shards).sum();
/// assert_eq!(shards_moved, 1_000);
/// assert!((9_000..11_000).contains(&moved));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn shard_routing_experiment(
    posts: u64,
    servers: usize,
    grown_to: usize,
    seed: u64,
) -> Result<Vec<ServerLoadRow>, IdError> {
    if !(1..=1_000_000).contains(&posts) {
        return Err(IdError::parameter("posts", posts, "1 to 1,000,000 posts"));
    }
    let layout = Layout::instagram();
    let before = ShardMap::new(2_000, servers)?;
    let after = before.with_servers(grown_to)?;
    let mut rng = Rng::new(seed);
    let mut minted = Vec::new();
    for post in 0..posts {
        let shard = before.shard_of_user(rng.below(1_000_000));
        // One post per millisecond; the sequence field counts within it, as the per-shard
        // sequence does in Instagram's scheme.
        let id = layout.encode(Fields {
            millis: post,
            machine: shard,
            sequence: post % 1_024,
        })?;
        minted.push((shard, id));
    }
    let mut rows = Vec::new();
    for (map, previous) in [(&before, None), (&after, Some(&before))] {
        let first = rows.len();
        for server in 0..map.servers() {
            rows.push(ServerLoadRow {
                servers: map.servers(),
                server,
                shards: (0..2_000)
                    .filter(|&shard| map.server_of_shard(shard) == server)
                    .count() as u64,
                posts: 0,
                routed_here: 0,
                moved_in: 0,
            });
        }
        for &(shard, id) in &minted {
            let holder = map.server_of_shard(shard);
            rows[first + holder].posts += 1;
            rows[first + map.route(id)?].routed_here += 1;
            if previous.is_some_and(|old| old.server_of_shard(shard) != holder) {
                rows[first + holder].moved_in += 1;
            }
        }
    }
    Ok(rows)
}

/// Posts per server, one bar series per stage, from [`shard_routing_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::ids::{shard_routing_experiment, shard_load_figure};
///
/// let rows = shard_routing_experiment(1_000, 2, 4, 1)?;
/// assert!(shard_load_figure(&rows).to_svg().unwrap().contains("4 servers"));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn shard_load_figure(rows: &[ServerLoadRow]) -> Figure {
    let mut stages: Vec<usize> = rows.iter().map(|row| row.servers).collect();
    stages.dedup();
    let mut figure = Figure::new("Posts per server, found from the shard in each ID")
        .x_label("server")
        .y_label("posts");
    for stage in stages {
        figure = figure.bars(
            format!("{stage} servers"),
            rows.iter()
                .filter(|row| row.servers == stage)
                .map(|row| (format!("{stage}:s{}", row.server), row.posts as f64)),
        );
    }
    figure
}
