//! How a load balancer spreads requests over gateways.

use serde::Serialize;

use crate::sim::Rng;

/// The load balancer's policy: which of `K` gateways gets the next request.
///
/// Where a request lands decides what a gateway that counts alone can see: round robin gives
/// every gateway the same share of a client's traffic, random routing gives shares that
/// wander, and sticky routing sends all of one client's traffic to one gateway.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Routing;
/// use lessons::sim::Rng;
///
/// let mut turn = 0;
/// let mut rng = Rng::new(1);
/// let picks: Vec<usize> = (0..5)
///     .map(|_| Routing::RoundRobin.pick(3, 7, &mut turn, &mut rng))
///     .collect();
/// assert_eq!(picks, [0, 1, 2, 0, 1]);
/// let sticky = Routing::StickyByClient.pick(3, 7, &mut turn, &mut rng);
/// assert_eq!(Routing::StickyByClient.pick(3, 7, &mut turn, &mut rng), sticky);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Routing {
    /// Gateways in turn, 0, 1, ..., K-1, 0, ..., whoever the client is.
    RoundRobin,
    /// A gateway drawn uniformly at random for every request.
    Random,
    /// Always the same gateway for the same client (a hash of the client's number).
    StickyByClient,
}

impl Routing {
    /// Every policy, in the lesson's order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Routing::ALL.len(), 3);
    /// ```
    pub const ALL: [Routing; 3] = [
        Routing::RoundRobin,
        Routing::Random,
        Routing::StickyByClient,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Routing::StickyByClient.name(), "sticky by client");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Routing::RoundRobin => "round robin",
            Routing::Random => "random",
            Routing::StickyByClient => "sticky by client",
        }
    }

    /// The gateway (in `0..gateways`) for the next request of `client`; `turn` is the
    /// round-robin position, `rng` the balancer's random stream. Zero gateways are taken as
    /// one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Routing;
    /// use lessons::sim::Rng;
    ///
    /// let mut rng = Rng::new(3);
    /// let mut turn = 0;
    /// let pick = Routing::Random.pick(4, 0, &mut turn, &mut rng);
    /// assert!(pick < 4);
    /// assert_eq!(Routing::RoundRobin.pick(0, 0, &mut turn, &mut rng), 0);
    /// ```
    pub fn pick(self, gateways: usize, client: u32, turn: &mut usize, rng: &mut Rng) -> usize {
        let gateways = gateways.max(1);
        match self {
            Routing::RoundRobin => {
                let pick = *turn % gateways;
                *turn = (*turn + 1) % gateways;
                pick
            }
            Routing::Random => rng.below(gateways as u64) as usize,
            Routing::StickyByClient => {
                Rng::derive(u64::from(client), &[]).below(gateways as u64) as usize
            }
        }
    }
}
