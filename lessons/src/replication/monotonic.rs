//! Monotonic reads: once a session has seen some data, it should never see older data. Reads
//! spread over followers with different lags break that; a sticky follower or a session token
//! keeps it.

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// How a session picks the node for each read.
///
/// # Examples
///
/// ```
/// use lessons::replication::SessionRouting;
///
/// assert_eq!(SessionRouting::MaxSeenToken.name(), "max-seen token");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SessionRouting {
    /// A random follower each time.
    RandomFollower,
    /// The same follower for the whole session.
    StickyFollower,
    /// A random follower, but the session carries the newest log position it has seen; a
    /// follower behind it passes the read to the primary.
    MaxSeenToken,
}

impl SessionRouting {
    /// The three routings.
    pub const ALL: [SessionRouting; 3] = [
        SessionRouting::RandomFollower,
        SessionRouting::StickyFollower,
        SessionRouting::MaxSeenToken,
    ];

    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::SessionRouting::StickyFollower.name(), "sticky follower");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SessionRouting::RandomFollower => "random follower",
            SessionRouting::StickyFollower => "sticky follower",
            SessionRouting::MaxSeenToken => "max-seen token",
        }
    }
}

/// One read of a session: who answered (`None`: the primary) and the log position of the data
/// it saw, written as the time of the newest write it had applied.
///
/// # Examples
///
/// ```
/// use lessons::replication::SessionRead;
/// use lessons::sim::ms;
///
/// let read = SessionRead { follower: None, position: ms(40) };
/// assert!(read.follower.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SessionRead {
    /// The follower that answered, or `None` for the primary.
    pub follower: Option<usize>,
    /// How recent its data was.
    pub position: Time,
}

/// A session reading `reads` times, `gap` apart, starting at `start`, from followers whose lags
/// are `follower_lags` (the primary writes continuously, so a follower with lag `l` shows the
/// data of time `now - l`).
///
/// # Errors
///
/// [`SimError::Parameter`] for no followers, a negative lag or gap.
///
/// # Examples
///
/// ```
/// use lessons::replication::{SessionRouting, session_reads};
/// use lessons::sim::ms;
///
/// let lags = [ms(0), ms(50)];
/// let reads = session_reads(SessionRouting::MaxSeenToken, &lags, ms(100), 6, ms(10), 1)?;
/// assert!(reads.windows(2).all(|pair| pair[0].position <= pair[1].position));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn session_reads(
    routing: SessionRouting,
    follower_lags: &[Time],
    start: Time,
    reads: usize,
    gap: Time,
    seed: u64,
) -> Result<Vec<SessionRead>, SimError> {
    if follower_lags.is_empty() {
        return Err(SimError::parameter(
            "follower_lags",
            "[]",
            "at least one follower",
        ));
    }
    if let Some(&lag) = follower_lags.iter().find(|&&lag| lag < Time::ZERO) {
        return Err(SimError::parameter("lag", lag, "lags are at least 0"));
    }
    if gap < Time::ZERO {
        return Err(SimError::parameter("gap", gap, "at least 0"));
    }
    let mut rng = Rng::derive(seed, &[8, 4]);
    let pick = |rng: &mut Rng| rng.below(follower_lags.len() as u64) as usize;
    let sticky = pick(&mut rng);
    let mut newest_seen = Time::MIN;
    let mut session = Vec::new();
    for k in 0..reads {
        let now = start + gap * k as i64;
        let follower = match routing {
            SessionRouting::StickyFollower => sticky,
            _ => pick(&mut rng),
        };
        let position = now - follower_lags[follower];
        let read = if routing == SessionRouting::MaxSeenToken && position < newest_seen {
            SessionRead {
                follower: None,
                position: now,
            }
        } else {
            SessionRead {
                follower: Some(follower),
                position,
            }
        };
        newest_seen = newest_seen.max(read.position);
        session.push(read);
    }
    Ok(session)
}

/// One point of [`monotonic_reads_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::replication::{SessionRouting, monotonic_reads_experiment};
/// use lessons::sim::ms;
///
/// let rows = monotonic_reads_experiment(&[SessionRouting::StickyFollower], &[ms(100)], 3, 200, 1)?;
/// assert_eq!(rows[0].went_backwards, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonotonicRow {
    /// [`SessionRouting::name`].
    pub routing: String,
    /// Follower lags are drawn from 0 to this, in milliseconds.
    pub lag_spread_ms: f64,
    /// Sessions simulated.
    pub sessions: usize,
    /// Sessions that saw data older than data they had already seen.
    pub went_backwards: usize,
    /// `went_backwards / sessions`.
    pub fraction: f64,
    /// Fraction of reads the primary answered.
    pub primary_share: f64,
}

/// For each spread, `sessions` sessions of 10 reads 10 ms apart over `followers` followers whose
/// lags are drawn uniformly from 0 to the spread, anew for each session.
///
/// # Errors
///
/// [`SimError::Parameter`] for no followers, no sessions or a negative spread.
///
/// # Examples
///
/// ```
/// use lessons::replication::{SessionRouting, monotonic_reads_experiment};
/// use lessons::sim::ms;
///
/// let rows = monotonic_reads_experiment(&[SessionRouting::RandomFollower], &[ms(0), ms(200)], 3, 200, 1)?;
/// assert_eq!(rows[0].went_backwards, 0); // no spread, no going back
/// assert!(rows[1].went_backwards > 100);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn monotonic_reads_experiment(
    routings: &[SessionRouting],
    spreads: &[Time],
    followers: usize,
    sessions: usize,
    seed: u64,
) -> Result<Vec<MonotonicRow>, SimError> {
    if followers == 0 || sessions == 0 {
        let (name, value) = if followers == 0 {
            ("followers", followers)
        } else {
            ("sessions", sessions)
        };
        return Err(SimError::parameter(name, value, "at least 1"));
    }
    let mut rows = Vec::new();
    for &spread in spreads {
        if spread < Time::ZERO {
            return Err(SimError::parameter("spread", spread, "at least 0"));
        }
        for &routing in routings {
            let mut lag_rng = Rng::derive(seed, &[8, 5]);
            let (mut backwards, mut from_primary, mut reads) = (0, 0, 0);
            for session in 0..sessions {
                let lags: Vec<Time> = (0..followers)
                    .map(|_| lag_rng.between(Time::ZERO, spread))
                    .collect();
                let start = spread + Time::from_nanos(1_000_000_000);
                let seen = session_reads(
                    routing,
                    &lags,
                    start,
                    10,
                    Time::from_nanos(10_000_000),
                    seed ^ session as u64,
                )?;
                let went_back = seen
                    .iter()
                    .scan(Time::MIN, |newest, read| {
                        let back = read.position < *newest;
                        *newest = (*newest).max(read.position);
                        Some(back)
                    })
                    .any(|back| back);
                backwards += usize::from(went_back);
                from_primary += seen.iter().filter(|r| r.follower.is_none()).count();
                reads += seen.len();
            }
            rows.push(MonotonicRow {
                routing: routing.name().to_string(),
                lag_spread_ms: spread.as_millis_f64(),
                sessions,
                went_backwards: backwards,
                fraction: backwards as f64 / sessions as f64,
                primary_share: from_primary as f64 / reads as f64,
            });
        }
    }
    Ok(rows)
}

/// Fraction of sessions that saw time go backwards against the lag spread, per routing.
///
/// # Examples
///
/// ```
/// use lessons::replication::{SessionRouting, monotonic_reads_experiment, monotonic_reads_figure};
/// use lessons::sim::ms;
///
/// let rows = monotonic_reads_experiment(&SessionRouting::ALL, &[ms(0), ms(50)], 3, 50, 1)?;
/// assert!(monotonic_reads_figure(&rows).to_svg()?.contains("sticky"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn monotonic_reads_figure(rows: &[MonotonicRow]) -> Figure {
    let mut figure =
        Figure::new("Sessions that saw older data after newer (10 reads, 10 ms apart)")
            .x_label("follower lags spread from 0 to (ms)")
            .y_label("fraction of sessions");
    for routing in SessionRouting::ALL {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.routing == routing.name())
            .map(|row| (row.lag_spread_ms, row.fraction))
            .collect();
        if !points.is_empty() {
            figure = figure.line(routing.name(), points);
        }
    }
    figure
}
