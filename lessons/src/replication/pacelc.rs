//! PACELC: even without a partition, a replicated store trades latency against staleness. A
//! leader in one region replicates to followers in others; how many it waits for sets the write
//! latency, and where reads go sets how stale they can be.

use serde::Serialize;

use crate::sim::{Latency, Rng, SimError, Time, percentile};
use crate::viz::Figure;

/// How many regions the leader waits for before acknowledging a write.
///
/// # Examples
///
/// ```
/// use lessons::replication::WaitFor;
///
/// assert_eq!(WaitFor::Majority.name(), "sync to a majority");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WaitFor {
    /// Every follower region.
    All,
    /// Enough follower regions that, with the leader, a majority of regions has the write.
    Majority,
    /// None: acknowledge at once.
    Nobody,
}

/// Where reads are served.
///
/// # Examples
///
/// ```
/// use lessons::replication::ReadFrom;
/// use lessons::sim::secs;
///
/// assert_eq!(ReadFrom::BoundedStaleness(secs(10)).name(), "local within 10s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReadFrom {
    /// The replica in the client's region, whatever it has.
    Local,
    /// The local replica if it misses no write older than the bound, otherwise the leader.
    BoundedStaleness(Time),
    /// The leader, across the network.
    Leader,
}

impl WaitFor {
    /// The three write policies.
    pub const ALL: [WaitFor; 3] = [WaitFor::All, WaitFor::Majority, WaitFor::Nobody];

    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::WaitFor::Nobody.name(), "async");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            WaitFor::All => "sync to all",
            WaitFor::Majority => "sync to a majority",
            WaitFor::Nobody => "async",
        }
    }

    /// How many follower acknowledgements a write waits for, with `followers` follower regions.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::WaitFor;
    ///
    /// assert_eq!(WaitFor::Majority.acknowledgements(3), 2); // 2 followers + the leader = 3 of 4
    /// assert_eq!(WaitFor::Majority.acknowledgements(4), 2); // 3 of 5
    /// ```
    pub fn acknowledgements(self, followers: usize) -> usize {
        match self {
            WaitFor::All => followers,
            WaitFor::Majority => followers.div_ceil(2),
            WaitFor::Nobody => 0,
        }
    }
}

impl ReadFrom {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::ReadFrom::Leader.name(), "leader");
    /// ```
    pub fn name(self) -> String {
        match self {
            ReadFrom::Local => "local".to_string(),
            ReadFrom::BoundedStaleness(bound) => format!("local within {bound}"),
            ReadFrom::Leader => "leader".to_string(),
        }
    }
}

/// The regions: one-way delays from the leader's region to each follower region, a jitter
/// (log-normal σ applied to every message) and a local round trip for a read served in the
/// client's own region. Clients are spread evenly over the leader's region and the followers'.
///
/// # Examples
///
/// ```
/// use lessons::replication::Regions;
/// use lessons::sim::ms;
///
/// let regions = Regions::new(vec![ms(15), ms(40), ms(75)], 0.2, ms(1))?;
/// assert_eq!(regions.followers(), 3);
/// assert!(Regions::new(vec![], 0.2, ms(1)).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regions {
    one_way: Vec<Time>,
    jitter: f64,
    local_round_trip: Time,
}

impl Regions {
    /// Checked regions.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for no follower region or more than 9, a delay that is not
    /// positive, a jitter outside `[0, 2]` or a negative local round trip.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::Regions;
    /// use lessons::sim::ms;
    ///
    /// let error = Regions::new(vec![ms(0)], 0.2, ms(1)).unwrap_err();
    /// assert_eq!(error.to_string(), "one_way 0ns is not allowed; every delay must be positive");
    /// ```
    pub fn new(
        one_way: Vec<Time>,
        jitter: f64,
        local_round_trip: Time,
    ) -> Result<Regions, SimError> {
        if !(1..=9).contains(&one_way.len()) {
            return Err(SimError::parameter(
                "follower regions",
                one_way.len(),
                "from 1 to 9",
            ));
        }
        if let Some(&delay) = one_way.iter().find(|&&d| d <= Time::ZERO) {
            return Err(SimError::parameter(
                "one_way",
                delay,
                "every delay must be positive",
            ));
        }
        if !(0.0..=2.0).contains(&jitter) {
            return Err(SimError::parameter(
                "jitter",
                jitter,
                "a log-normal sigma from 0 to 2",
            ));
        }
        if local_round_trip < Time::ZERO {
            return Err(SimError::parameter(
                "local_round_trip",
                local_round_trip,
                "at least 0",
            ));
        }
        Ok(Regions {
            one_way,
            jitter,
            local_round_trip,
        })
    }

    /// How many follower regions.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::Regions;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(Regions::new(vec![ms(30)], 0.0, ms(1))?.followers(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn followers(&self) -> usize {
        self.one_way.len()
    }

    /// One message's delay between the leader and region `region` (0: the leader's own region,
    /// half the local round trip).
    fn delay(&self, region: usize, rng: &mut Rng) -> Time {
        let median = match region {
            0 => Time::from_nanos(self.local_round_trip.as_nanos() / 2),
            r => self.one_way[r - 1],
        };
        Latency::log_normal(median, self.jitter).sample(rng)
    }
}

/// One point of [`pacelc_experiment`]: a write policy and a read policy.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadFrom, Regions, WaitFor, pacelc_experiment};
/// use lessons::sim::ms;
///
/// let regions = Regions::new(vec![ms(15), ms(40), ms(75)], 0.2, ms(1))?;
/// let rows = pacelc_experiment(&regions, &[WaitFor::All], &[ReadFrom::Local], 2_000, 1)?;
/// assert_eq!(rows[0].stale_share, 0.0); // every replica has an acknowledged write
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PacelcRow {
    /// [`WaitFor::name`].
    pub write: String,
    /// [`ReadFrom::name`].
    pub read: String,
    /// Median write latency seen by clients, in milliseconds.
    pub write_p50_ms: f64,
    /// 99th percentile of the same.
    pub write_p99_ms: f64,
    /// Median read latency, in milliseconds.
    pub read_p50_ms: f64,
    /// Fraction of reads that missed a write already acknowledged to its client.
    pub stale_share: f64,
    /// The longest time a read's first missing write had been on the leader, in milliseconds.
    pub max_staleness_ms: f64,
}

/// What one read saw: how stale it was (`None`: it missed no acknowledged write) and the
/// replication delay of the first write it missed.
///
/// # Examples
///
/// ```
/// use lessons::replication::StaleRead;
/// use lessons::sim::ms;
///
/// let read = StaleRead { staleness: ms(12), replication_delay: ms(30) };
/// assert!(read.staleness <= read.replication_delay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StaleRead {
    /// How long the first write the read missed had been on the leader.
    pub staleness: Time,
    /// How long that write took to reach the read's replica.
    pub replication_delay: Time,
}

/// The latencies and stale reads of one run: `operations` writes (one every 10 ms on average,
/// from clients in random regions) and as many reads at random times.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadFrom, Regions, WaitFor, pacelc_run};
/// use lessons::sim::ms;
///
/// let regions = Regions::new(vec![ms(15), ms(40), ms(75)], 0.2, ms(1))?;
/// let run = pacelc_run(&regions, WaitFor::Nobody, ReadFrom::Local, 1_000, 1)?;
/// assert!(run.stale.iter().all(|s| s.staleness < s.replication_delay));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PacelcRun {
    /// Each write's latency as its client saw it, and the round trip (log out, acknowledgement
    /// back) to the slowest follower region it waited for (zero when it waited for none).
    pub writes: Vec<(Time, Time)>,
    /// Each read's latency.
    pub read_latencies: Vec<Time>,
    /// The stale reads.
    pub stale: Vec<StaleRead>,
}

/// Runs one write policy and one read policy; see [`PacelcRun`].
///
/// # Errors
///
/// [`SimError::Parameter`] for zero operations.
pub fn pacelc_run(
    regions: &Regions,
    wait_for: WaitFor,
    read_from: ReadFrom,
    operations: usize,
    seed: u64,
) -> Result<PacelcRun, SimError> {
    if operations == 0 {
        return Err(SimError::parameter("operations", 0, "at least 1"));
    }
    let mut rng = Rng::derive(seed, &[8, 9]);
    let all_regions = regions.followers() + 1;
    let needed = wait_for.acknowledgements(regions.followers());
    let (mut committed, mut arrivals, mut acknowledged, mut writes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut log_end = vec![Time::MIN; all_regions];
    let mut now = Time::ZERO;
    for _ in 0..operations {
        now += Time::from_nanos_f64(10e6 * rng.exponential());
        let client = rng.below(all_regions as u64) as usize;
        let to_leader = regions.delay(client, &mut rng);
        let at_leader = now + to_leader;
        let mut follower_acks = Vec::new();
        for (region, end) in log_end.iter_mut().enumerate() {
            let shipping = if region == 0 {
                Time::ZERO
            } else {
                regions.delay(region, &mut rng)
            };
            // The log reaches a region in order.
            let arrival = (at_leader + shipping).max(*end);
            *end = arrival;
            if region > 0 {
                follower_acks.push(arrival + regions.delay(region, &mut rng));
            }
        }
        follower_acks.sort();
        let ready = if needed == 0 {
            at_leader
        } else {
            follower_acks[needed - 1]
        };
        let answered = ready + regions.delay(client, &mut rng);
        writes.push((answered - now, ready - at_leader));
        committed.push(at_leader);
        arrivals.push(log_end.clone());
        acknowledged.push(answered);
    }
    let mut read_latencies = Vec::new();
    let mut stale = Vec::new();
    for _ in 0..operations {
        let at = rng.between(Time::ZERO, now);
        let region = rng.below(all_regions as u64) as usize;
        // The first write the local replica lacks that a client has already been told about.
        let missing =
            (0..committed.len()).find(|&i| arrivals[i][region] > at && acknowledged[i] <= at);
        let local_stale = missing.map(|i| StaleRead {
            staleness: at - committed[i],
            replication_delay: arrivals[i][region] - committed[i],
        });
        let local = match read_from {
            ReadFrom::Local => true,
            ReadFrom::BoundedStaleness(bound) => local_stale.is_none_or(|s| s.staleness <= bound),
            ReadFrom::Leader => false,
        };
        if local {
            read_latencies.push(
                Latency::log_normal(regions.local_round_trip, regions.jitter).sample(&mut rng),
            );
            stale.extend(local_stale);
        } else {
            read_latencies.push(regions.delay(region, &mut rng) + regions.delay(region, &mut rng));
        }
    }
    Ok(PacelcRun {
        writes,
        read_latencies,
        stale,
    })
}

/// Every combination of the write and read policies, `operations` writes and reads each.
///
/// # Errors
///
/// As [`pacelc_run`].
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadFrom, Regions, WaitFor, pacelc_experiment};
/// use lessons::sim::ms;
///
/// let regions = Regions::new(vec![ms(15), ms(40), ms(75)], 0.2, ms(1))?;
/// let rows = pacelc_experiment(&regions, &[WaitFor::Nobody], &[ReadFrom::Local, ReadFrom::Leader], 2_000, 1)?;
/// assert!(rows[0].stale_share > 0.0 && rows[1].stale_share == 0.0);
/// assert!(rows[0].read_p50_ms < rows[1].read_p50_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn pacelc_experiment(
    regions: &Regions,
    writes: &[WaitFor],
    reads: &[ReadFrom],
    operations: usize,
    seed: u64,
) -> Result<Vec<PacelcRow>, SimError> {
    let mut rows = Vec::new();
    for &wait_for in writes {
        for &read_from in reads {
            let run = pacelc_run(regions, wait_for, read_from, operations, seed)?;
            let latencies: Vec<f64> = run.writes.iter().map(|w| w.0.as_millis_f64()).collect();
            let read_ms: Vec<f64> = run
                .read_latencies
                .iter()
                .map(|t| t.as_millis_f64())
                .collect();
            rows.push(PacelcRow {
                write: wait_for.name().to_string(),
                read: read_from.name(),
                write_p50_ms: percentile(&latencies, 50.0)?,
                write_p99_ms: percentile(&latencies, 99.0)?,
                read_p50_ms: percentile(&read_ms, 50.0)?,
                stale_share: run.stale.len() as f64 / operations as f64,
                max_staleness_ms: run
                    .stale
                    .iter()
                    .map(|s| s.staleness.as_millis_f64())
                    .fold(0.0, f64::max),
            });
        }
    }
    Ok(rows)
}

/// Write latency (p50 and p99) against the share of stale reads, one point per combination.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadFrom, Regions, WaitFor, pacelc_experiment, pacelc_figure};
/// use lessons::sim::ms;
///
/// let regions = Regions::new(vec![ms(15), ms(40)], 0.2, ms(1))?;
/// let rows = pacelc_experiment(&regions, &WaitFor::ALL, &[ReadFrom::Local], 500, 1)?;
/// assert!(pacelc_figure(&rows).to_svg()?.contains("p99"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pacelc_figure(rows: &[PacelcRow]) -> Figure {
    Figure::new("Else, latency or consistency: write latency against stale reads")
        .x_label("fraction of reads that missed an acknowledged write")
        .y_label("write latency (ms)")
        .points("p50", rows.iter().map(|r| (r.stale_share, r.write_p50_ms)))
        .points("p99", rows.iter().map(|r| (r.stale_share, r.write_p99_ms)))
}
