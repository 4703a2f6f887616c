//! Layered limits: per API key, per /24 subnet and global, checked all or nothing.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::Ipv4Addr;

use serde::Serialize;

use super::rate::{Rate, RateLimitError};
use super::token_bucket::{TokenBucket, Tokens};
use crate::sim::Time;

/// One request as the layered limiter sees it: who (API key), from where (IPv4 address) and
/// how many units it costs.
///
/// # Examples
///
/// ```
/// use std::net::Ipv4Addr;
/// use lessons::rate_limit::Request;
///
/// let request = Request::new(7, Ipv4Addr::new(203, 0, 113, 9), 1);
/// assert_eq!(request.subnet(), [203, 0, 113]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Request {
    /// The API key.
    pub key: u32,
    /// The source address.
    pub address: Ipv4Addr,
    /// The request's cost in units (at least 1).
    pub cost: u64,
}

impl Request {
    /// A request from `key` at `address` costing `cost` units.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use lessons::rate_limit::Request;
    ///
    /// assert_eq!(Request::new(1, Ipv4Addr::LOCALHOST, 5).cost, 5);
    /// ```
    pub fn new(key: u32, address: Ipv4Addr, cost: u64) -> Request {
        Request { key, address, cost }
    }

    /// The /24 subnet: the first three octets of the address.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use lessons::rate_limit::Request;
    ///
    /// assert_eq!(Request::new(1, Ipv4Addr::new(10, 1, 2, 3), 1).subnet(), [10, 1, 2]);
    /// ```
    pub fn subnet(&self) -> [u8; 3] {
        let [a, b, c, _] = self.address.octets();
        [a, b, c]
    }
}

/// One of the layers a request is checked against.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::rate_limit::Layer::Subnet.name(), "/24 subnet");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Layer {
    /// One bucket per API key.
    Key,
    /// One bucket per /24 subnet of the source address.
    Subnet,
    /// One bucket for all traffic.
    Global,
}

impl Layer {
    /// Every layer, most specific first.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Layer::ALL[0], lessons::rate_limit::Layer::Key);
    /// ```
    pub const ALL: [Layer; 3] = [Layer::Key, Layer::Subnet, Layer::Global];

    /// A short name for tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Layer::Key.name(), "key");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Layer::Key => "key",
            Layer::Subnet => "/24 subnet",
            Layer::Global => "global",
        }
    }
}

/// What the layered limiter said.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Layer, LayeredDecision};
///
/// assert!(LayeredDecision::Admitted.is_admitted());
/// assert!(!LayeredDecision::Rejected { by: Layer::Global }.is_admitted());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LayeredDecision {
    /// Every layer had room; each was charged the request's cost.
    Admitted,
    /// A layer had no room (the most specific one, if several); no layer was charged.
    Rejected {
        /// The layer that refused.
        by: Layer,
    },
}

impl LayeredDecision {
    /// Whether the request was admitted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::rate_limit::LayeredDecision::Admitted.is_admitted());
    /// ```
    pub fn is_admitted(self) -> bool {
        self == LayeredDecision::Admitted
    }
}

/// Token buckets in layers: one per API key, one per /24 subnet, one global (each layer
/// optional). A request is admitted iff every layer's bucket can pay its cost, and then every
/// one pays; if any cannot, none pays. Charging the layers that said yes before finding one
/// that says no would let a rejected flood drain the shared buckets and lock out everyone else.
///
/// # Examples
///
/// ```
/// use std::net::Ipv4Addr;
/// use lessons::rate_limit::{Layer, LayeredDecision, LayeredLimiter, Rate, Request};
/// use lessons::sim::ms;
///
/// let mut limiter = LayeredLimiter::new()
///     .per_key(2, Rate::per_second(1)?)?
///     .per_subnet(3, Rate::per_second(1)?)?;
/// let from = |key| Request::new(key, Ipv4Addr::new(203, 0, 113, 1), 1);
/// let decisions: Vec<LayeredDecision> =
///     [1, 1, 1, 2, 2].map(|key| limiter.check(ms(0), from(key))).into_iter().collect::<Result<_, _>>()?;
/// assert_eq!(decisions[2], LayeredDecision::Rejected { by: Layer::Key });
/// assert_eq!(decisions[4], LayeredDecision::Rejected { by: Layer::Subnet });
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayeredLimiter {
    key: Option<(u64, Rate)>,
    subnet: Option<(u64, Rate)>,
    keys: HashMap<u32, TokenBucket>,
    subnets: HashMap<[u8; 3], TokenBucket>,
    global: Option<TokenBucket>,
}

impl LayeredLimiter {
    /// A limiter with no layers: it admits everything until layers are added.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use lessons::rate_limit::{LayeredLimiter, Request};
    /// use lessons::sim::ms;
    ///
    /// let mut open = LayeredLimiter::new();
    /// assert!(open.check(ms(0), Request::new(1, Ipv4Addr::LOCALHOST, 1))?.is_admitted());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn new() -> LayeredLimiter {
        LayeredLimiter::default()
    }

    /// Adds a bucket of `capacity` refilled at `rate` for each API key.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LayeredLimiter, Rate};
    ///
    /// assert!(LayeredLimiter::new().per_key(0, Rate::per_second(1)?).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_key(mut self, capacity: u64, rate: Rate) -> Result<LayeredLimiter, RateLimitError> {
        TokenBucket::new(capacity, rate)?;
        self.key = Some((capacity, rate));
        Ok(self)
    }

    /// Adds a bucket of `capacity` refilled at `rate` for each /24 subnet.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LayeredLimiter, Rate};
    ///
    /// assert!(LayeredLimiter::new().per_subnet(50, Rate::per_second(5)?).is_ok());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_subnet(
        mut self,
        capacity: u64,
        rate: Rate,
    ) -> Result<LayeredLimiter, RateLimitError> {
        TokenBucket::new(capacity, rate)?;
        self.subnet = Some((capacity, rate));
        Ok(self)
    }

    /// Adds one bucket of `capacity` refilled at `rate` that all requests share.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LayeredLimiter, Rate};
    ///
    /// assert!(LayeredLimiter::new().global(500, Rate::per_second(50)?).is_ok());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn global(mut self, capacity: u64, rate: Rate) -> Result<LayeredLimiter, RateLimitError> {
        self.global = Some(TokenBucket::new(capacity, rate)?);
        Ok(self)
    }

    /// The layers this limiter has, most specific first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Layer, LayeredLimiter, Rate};
    ///
    /// let limiter = LayeredLimiter::new().global(5, Rate::per_second(1)?)?;
    /// assert_eq!(limiter.layers(), [Layer::Global]);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn layers(&self) -> Vec<Layer> {
        let present = [
            self.key.is_some(),
            self.subnet.is_some(),
            self.global.is_some(),
        ];
        Layer::ALL
            .into_iter()
            .zip(present)
            .filter_map(|(layer, present)| present.then_some(layer))
            .collect()
    }

    /// The tokens left in `layer`'s bucket for `request` as of the last check that touched
    /// it; `None` if the layer is absent or the bucket has not been used yet (it starts full).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use lessons::rate_limit::{Layer, LayeredLimiter, Rate, Request};
    /// use lessons::sim::ms;
    ///
    /// let mut limiter = LayeredLimiter::new().per_key(10, Rate::per_second(1)?)?;
    /// let request = Request::new(3, Ipv4Addr::LOCALHOST, 4);
    /// limiter.check(ms(0), request)?;
    /// assert_eq!(limiter.tokens(Layer::Key, request).unwrap().whole(), 6);
    /// assert_eq!(limiter.tokens(Layer::Global, request), None);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn tokens(&self, layer: Layer, request: Request) -> Option<Tokens> {
        let bucket = match layer {
            Layer::Key => self.keys.get(&request.key),
            Layer::Subnet => self.subnets.get(&request.subnet()),
            Layer::Global => self.global.as_ref(),
        };
        bucket.map(TokenBucket::tokens)
    }

    /// Decides `request` arriving at `now`: admitted iff every layer's bucket holds its cost,
    /// and then every one is charged; otherwise none is.
    ///
    /// # Errors
    ///
    /// A cost of 0, or above a layer's capacity (such a request could never pass).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use lessons::rate_limit::{Layer, LayeredDecision, LayeredLimiter, Rate, Request};
    /// use lessons::sim::ms;
    ///
    /// let mut limiter = LayeredLimiter::new()
    ///     .per_key(100, Rate::per_second(1)?)?
    ///     .global(60, Rate::per_second(1)?)?;
    /// let export = Request::new(1, Ipv4Addr::LOCALHOST, 50);
    /// assert!(limiter.check(ms(0), export)?.is_admitted());
    /// assert_eq!(limiter.check(ms(0), export)?, LayeredDecision::Rejected { by: Layer::Global });
    /// assert_eq!(limiter.tokens(Layer::Key, export).unwrap().whole(), 50); // not charged
    /// assert!(limiter.check(ms(0), Request::new(1, Ipv4Addr::LOCALHOST, 101)).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn check(
        &mut self,
        now: Time,
        request: Request,
    ) -> Result<LayeredDecision, RateLimitError> {
        let cost = request.cost;
        let mut refused = None;
        for layer in self.layers() {
            let Some(bucket) = self.bucket(layer, request)? else {
                continue;
            };
            if !bucket.would_admit(now, cost)? && refused.is_none() {
                refused = Some(layer);
            }
        }
        if let Some(by) = refused {
            return Ok(LayeredDecision::Rejected { by });
        }
        for layer in self.layers() {
            if let Some(bucket) = self.bucket(layer, request)? {
                bucket.try_acquire_n(now, cost)?;
            }
        }
        Ok(LayeredDecision::Admitted)
    }

    /// The bucket of `layer` for `request`, made (full) on first use; `None` if the limiter
    /// has no such layer.
    fn bucket(
        &mut self,
        layer: Layer,
        request: Request,
    ) -> Result<Option<&mut TokenBucket>, RateLimitError> {
        Ok(match (layer, self.key, self.subnet) {
            (Layer::Key, Some((capacity, rate)), _) => Some(match self.keys.entry(request.key) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(TokenBucket::new(capacity, rate)?),
            }),
            (Layer::Subnet, _, Some((capacity, rate))) => {
                Some(match self.subnets.entry(request.subnet()) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => entry.insert(TokenBucket::new(capacity, rate)?),
                })
            }
            (Layer::Global, _, _) => self.global.as_mut(),
            _ => None,
        })
    }
}
