//! Snowflake IDs: layouts, encoding and decoding, and the generator.

use serde::Serialize;

use super::error::IdError;
use crate::sim::{Time, ms};

/// How a 64-bit ID is cut into timestamp, machine and sequence bits, and where time starts.
///
/// From the top: unused bits (zero), then `timestamp_bits` of milliseconds since `epoch`, then
/// `machine_bits`, then `sequence_bits`:
///
/// ```text
///  63      62                                  22 21          12 11            0
/// +---+--------------------------------------+--------------+---------------+
/// | 0 |  milliseconds since the epoch (41)   | machine (10) | sequence (12) |   Twitter
/// +---+--------------------------------------+--------------+---------------+
/// ```
///
/// # Examples
///
/// ```
/// use lessons::ids::{Fields, Layout};
///
/// let twitter = Layout::twitter();
/// let id = twitter.encode(Fields { millis: 1, machine: 2, sequence: 3 })?;
/// assert_eq!(id, 1 << 22 | 2 << 12 | 3);
/// assert_eq!(twitter.decode(id)?, Fields { millis: 1, machine: 2, sequence: 3 });
/// assert_eq!(twitter.ids_per_millisecond(), 4_096);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
///
/// # References
///
/// * Twitter engineering blog, "Announcing Snowflake", 2010, and the archived
///   `twitter-archive/snowflake` repository (`IdWorker.scala`): the 41/10/12 layout and the epoch
///   1288834974657.
/// * Instagram engineering blog, "Sharding & IDs at Instagram", 2012: 41 bits of time, 13 of
///   logical shard, 10 of sequence.
/// * Discord developer documentation, "Snowflakes": 42 bits of time since 2015-01-01, 5 + 5
///   bits of worker and process, 12 of increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Layout {
    timestamp_bits: u32,
    machine_bits: u32,
    sequence_bits: u32,
    epoch: Time,
}

/// The three fields of an ID.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Fields, Layout};
///
/// let fields = Fields { millis: 10, machine: 0, sequence: 0 };
/// assert_eq!(Layout::twitter().encode(fields)?, 10 << 22);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Fields {
    /// Milliseconds since the layout's epoch.
    pub millis: u64,
    /// The machine (worker, shard) number.
    pub machine: u64,
    /// The sequence number within the millisecond.
    pub sequence: u64,
}

impl Layout {
    /// A layout with these widths and this epoch (a Unix time). Each width is at least 1 and
    /// they add up to at most 64 bits; the epoch is a whole millisecond.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    /// use lessons::sim::Time;
    ///
    /// let sonyflake_like = Layout::new(39, 16, 8, Time::ZERO)?;
    /// assert_eq!(sonyflake_like.ids_per_millisecond(), 256);
    /// assert!(Layout::new(42, 11, 12, Time::ZERO).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn new(
        timestamp_bits: u32,
        machine_bits: u32,
        sequence_bits: u32,
        epoch: Time,
    ) -> Result<Layout, IdError> {
        let widths = [timestamp_bits, machine_bits, sequence_bits];
        if widths.contains(&0) || widths.iter().sum::<u32>() > 64 {
            return Err(IdError::parameter(
                "bit widths",
                format!("{timestamp_bits}+{machine_bits}+{sequence_bits}"),
                "each field has at least 1 bit and all fit in 64 bits",
            ));
        }
        if epoch.as_nanos() % 1_000_000 != 0 {
            return Err(IdError::parameter(
                "epoch",
                epoch,
                "the epoch is a whole number of milliseconds since 1970",
            ));
        }
        Ok(Layout {
            timestamp_bits,
            machine_bits,
            sequence_bits,
            epoch,
        })
    }

    /// Twitter's layout: 41 bits of milliseconds since 2010-11-04 01:42:54.657 UTC, 10 bits of
    /// machine, 12 of sequence; the top bit stays 0 so IDs are positive as signed integers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    ///
    /// assert_eq!(Layout::twitter().epoch().as_nanos(), 1_288_834_974_657_000_000);
    /// ```
    pub fn twitter() -> Layout {
        Layout {
            timestamp_bits: 41,
            machine_bits: 10,
            sequence_bits: 12,
            epoch: ms(1_288_834_974_657),
        }
    }

    /// Discord's layout: 42 bits of milliseconds since 2015-01-01 UTC, 10 bits of worker and
    /// process (5 + 5), 12 of increment; all 64 bits used.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    ///
    /// // Discord's documentation decodes 175928847299117063 to 2016-04-30 11:18:25.796 UTC.
    /// let created = Layout::discord().created_at(175_928_847_299_117_063)?;
    /// assert_eq!(created.as_nanos() / 1_000_000, 1_462_015_105_796);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn discord() -> Layout {
        Layout {
            timestamp_bits: 42,
            machine_bits: 10,
            sequence_bits: 12,
            epoch: ms(1_420_070_400_000),
        }
    }

    /// Instagram's layout: 41 bits of milliseconds since its own epoch (2011-08-24), 13 bits of
    /// logical shard, 10 of sequence.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Fields, Layout};
    ///
    /// let instagram = Layout::instagram();
    /// let id = instagram.encode(Fields { millis: 1_387_263_000, machine: 1_341, sequence: 7 })?;
    /// assert_eq!(instagram.decode(id)?.machine, 1_341); // the shard routes the query
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn instagram() -> Layout {
        Layout {
            timestamp_bits: 41,
            machine_bits: 13,
            sequence_bits: 10,
            epoch: ms(1_314_220_021_721),
        }
    }

    /// The widths `(timestamp, machine, sequence)` in bits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Layout::twitter().widths(), (41, 10, 12));
    /// ```
    pub fn widths(&self) -> (u32, u32, u32) {
        (self.timestamp_bits, self.machine_bits, self.sequence_bits)
    }

    /// The epoch, as Unix time.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Layout::discord().epoch(), lessons::sim::ms(1_420_070_400_000));
    /// ```
    pub fn epoch(&self) -> Time {
        self.epoch
    }

    /// The largest machine number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Layout::twitter().max_machine(), 1_023);
    /// ```
    pub fn max_machine(&self) -> u64 {
        low_bits(self.machine_bits)
    }

    /// The largest sequence number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Layout::instagram().max_sequence(), 1_023);
    /// ```
    pub fn max_sequence(&self) -> u64 {
        low_bits(self.sequence_bits)
    }

    /// How many IDs one machine can issue per millisecond: `2^sequence_bits`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Layout::twitter().ids_per_millisecond(), 4_096);
    /// ```
    pub fn ids_per_millisecond(&self) -> u64 {
        self.max_sequence() + 1
    }

    /// How long the timestamp lasts: `2^timestamp_bits` milliseconds (about 69.7 years for 41
    /// bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    ///
    /// let years = Layout::twitter().lifetime().as_secs_f64() / (365.25 * 86_400.0);
    /// assert_eq!(years.floor(), 69.0);
    /// ```
    pub fn lifetime(&self) -> Time {
        ms(low_bits(self.timestamp_bits)
            .saturating_add(1)
            .min(i64::MAX as u64) as i64)
    }

    /// How many low bits an ID uses.
    fn width(&self) -> u32 {
        self.timestamp_bits + self.machine_bits + self.sequence_bits
    }

    /// The ID `millis << (machine + sequence bits) | machine << sequence bits | sequence`, or
    /// an error naming the field that does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Fields, Layout};
    ///
    /// let twitter = Layout::twitter();
    /// assert!(twitter.encode(Fields { millis: 1 << 41, machine: 0, sequence: 0 }).is_err());
    /// assert!(twitter.encode(Fields { millis: 0, machine: 0, sequence: 4_096 }).is_err());
    /// ```
    pub fn encode(&self, fields: Fields) -> Result<u64, IdError> {
        let check = |field, value, bits| {
            let max = low_bits(bits);
            if value > max {
                Err(IdError::FieldOutOfRange { field, value, max })
            } else {
                Ok(())
            }
        };
        check("millis", fields.millis, self.timestamp_bits)?;
        check("machine", fields.machine, self.machine_bits)?;
        check("sequence", fields.sequence, self.sequence_bits)?;
        let machine_shift = self.sequence_bits;
        let millis_shift = self.sequence_bits + self.machine_bits;
        Ok(fields.millis << millis_shift | fields.machine << machine_shift | fields.sequence)
    }

    /// The fields of `id`, or an error if `id` has bits set above the layout's width.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    ///
    /// let fields = Layout::twitter().decode(1_050_118_621_198_921_728)?;
    /// assert_eq!((fields.machine, fields.sequence), (347, 0));
    /// assert!(Layout::twitter().decode(u64::MAX).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn decode(&self, id: u64) -> Result<Fields, IdError> {
        let width = self.width();
        if width < 64 && id >> width != 0 {
            return Err(IdError::NotAnId { id, width });
        }
        Ok(Fields {
            millis: id >> (self.sequence_bits + self.machine_bits),
            machine: id >> self.sequence_bits & self.max_machine(),
            sequence: id & self.max_sequence(),
        })
    }

    /// When `id` was made, as Unix time (the epoch plus its milliseconds).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    ///
    /// // A tweet whose API object says "created_at": "Wed Oct 10 20:19:24 +0000 2018".
    /// let created = Layout::twitter().created_at(1_050_118_621_198_921_728)?;
    /// assert_eq!(created.as_nanos() / 1_000_000, 1_539_202_764_211);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn created_at(&self, id: u64) -> Result<Time, IdError> {
        Ok(self.epoch + ms(self.decode(id)?.millis as i64))
    }

    /// The milliseconds since the epoch that a clock reading of `now` (Unix time) gives, or an
    /// error if `now` is before the epoch or past the lifetime.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Layout;
    /// use lessons::sim::{ms, us};
    ///
    /// let twitter = Layout::twitter();
    /// assert_eq!(twitter.millis_at(twitter.epoch() + ms(3) + us(999))?, 3);
    /// assert!(twitter.millis_at(ms(0)).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn millis_at(&self, now: Time) -> Result<u64, IdError> {
        if now < self.epoch {
            return Err(IdError::BeforeEpoch {
                now,
                epoch: self.epoch,
            });
        }
        let millis = ((now - self.epoch).as_nanos() / 1_000_000) as u64;
        if millis > low_bits(self.timestamp_bits) {
            return Err(IdError::AfterLifetime {
                now,
                end: self.epoch + self.lifetime(),
            });
        }
        Ok(millis)
    }
}

/// A number with the low `bits` bits set.
fn low_bits(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// What a generator does when its clock reads earlier than the last ID it issued.
///
/// # Examples
///
/// ```
/// use lessons::ids::OnClockBackwards;
///
/// assert_eq!(OnClockBackwards::ALL.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OnClockBackwards {
    /// Trust the clock: stamp the ID with the earlier millisecond and restart the sequence.
    /// Duplicates follow whenever a millisecond and sequence number come round again.
    Trust,
    /// Refuse to issue ([`IdError::ClockMovedBackwards`]) until the clock is back; a caller
    /// that sleeps until `retry_at` is the "wait" strategy.
    Refuse,
    /// Keep a logical clock: carry on from the last millisecond issued, borrowing future
    /// milliseconds when the sequence runs out. Never waits; the IDs' time runs ahead of the
    /// clock until the clock catches up.
    ContinueLogically,
}

impl OnClockBackwards {
    /// Every policy.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::OnClockBackwards::ALL[0].name(), "trust the clock");
    /// ```
    pub const ALL: [OnClockBackwards; 3] = [
        OnClockBackwards::Trust,
        OnClockBackwards::Refuse,
        OnClockBackwards::ContinueLogically,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::OnClockBackwards::Refuse.name(), "refuse and wait");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            OnClockBackwards::Trust => "trust the clock",
            OnClockBackwards::Refuse => "refuse and wait",
            OnClockBackwards::ContinueLogically => "logical clock",
        }
    }
}

/// Issues Snowflake IDs for one machine number. Every call is handed the clock reading (Unix
/// time); the generator never reads a clock itself.
///
/// Within one millisecond the sequence counts up; when it would pass the layout's maximum the
/// generator returns [`IdError::SequenceExhausted`] with the start of the next millisecond
/// (or, with [`OnClockBackwards::ContinueLogically`], borrows that millisecond at once).
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
/// use lessons::sim::ms;
///
/// let layout = Layout::twitter();
/// let mut generator = SnowflakeGenerator::new(layout, 7, OnClockBackwards::Refuse)?;
/// let now = layout.epoch() + ms(1_000);
/// let first = generator.next_id(now)?;
/// let second = generator.next_id(now)?;
/// assert!(second > first);
/// assert_eq!(layout.decode(second)?.sequence, 1);
/// assert!(generator.next_id(now - ms(5)).is_err()); // the clock went back 5 ms
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnowflakeGenerator {
    layout: Layout,
    machine: u64,
    policy: OnClockBackwards,
    last_millis: Option<u64>,
    sequence: u64,
}

impl SnowflakeGenerator {
    /// A generator for `machine` (at most the layout's maximum) with this policy for clocks
    /// that go backwards.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
    ///
    /// assert!(SnowflakeGenerator::new(Layout::twitter(), 1_024, OnClockBackwards::Refuse).is_err());
    /// ```
    pub fn new(
        layout: Layout,
        machine: u64,
        policy: OnClockBackwards,
    ) -> Result<SnowflakeGenerator, IdError> {
        if machine > layout.max_machine() {
            return Err(IdError::FieldOutOfRange {
                field: "machine",
                value: machine,
                max: layout.max_machine(),
            });
        }
        Ok(SnowflakeGenerator {
            layout,
            machine,
            policy,
            last_millis: None,
            sequence: 0,
        })
    }

    /// A generator that starts from a remembered last millisecond (read back from disk after
    /// a restart), as if it had issued an ID in that millisecond, so a clock that now reads
    /// earlier is caught by the policy instead of going unnoticed.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
    /// use lessons::sim::ms;
    ///
    /// let layout = Layout::twitter();
    /// let mut fresh = SnowflakeGenerator::new(layout, 0, OnClockBackwards::Refuse)?;
    /// let mut resumed = SnowflakeGenerator::resume(layout, 0, OnClockBackwards::Refuse, 50)?;
    /// let earlier = layout.epoch() + ms(40);
    /// assert!(fresh.next_id(earlier).is_ok()); // nothing to compare with: it may repeat an ID
    /// assert!(resumed.next_id(earlier).is_err()); // 10 ms behind the remembered millisecond
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn resume(
        layout: Layout,
        machine: u64,
        policy: OnClockBackwards,
        last_millis: u64,
    ) -> Result<SnowflakeGenerator, IdError> {
        let mut generator = SnowflakeGenerator::new(layout, machine, policy)?;
        generator.last_millis = Some(last_millis);
        generator.sequence = layout.max_sequence();
        Ok(generator)
    }

    /// The layout.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
    ///
    /// let generator = SnowflakeGenerator::new(Layout::discord(), 0, OnClockBackwards::Refuse)?;
    /// assert_eq!(generator.layout(), Layout::discord());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The millisecond (since the epoch) of the last ID issued.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
    /// use lessons::sim::ms;
    ///
    /// let layout = Layout::twitter();
    /// let mut generator = SnowflakeGenerator::new(layout, 0, OnClockBackwards::Refuse)?;
    /// generator.next_id(layout.epoch() + ms(42))?;
    /// assert_eq!(generator.last_millis(), Some(42));
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn last_millis(&self) -> Option<u64> {
        self.last_millis
    }

    /// The next ID, for a clock that reads `now` (Unix time).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{IdError, Layout, OnClockBackwards, SnowflakeGenerator};
    /// use lessons::sim::ms;
    ///
    /// let layout = Layout::twitter();
    /// let mut generator = SnowflakeGenerator::new(layout, 0, OnClockBackwards::Refuse)?;
    /// let now = layout.epoch() + ms(1);
    /// for _ in 0..4_096 {
    ///     generator.next_id(now)?;
    /// }
    /// assert_eq!(
    ///     generator.next_id(now),
    ///     Err(IdError::SequenceExhausted { retry_at: layout.epoch() + ms(2) })
    /// );
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn next_id(&mut self, now: Time) -> Result<u64, IdError> {
        let read = self.layout.millis_at(now)?;
        let (millis, sequence) = match self.last_millis {
            Some(last) if read < last => match self.policy {
                OnClockBackwards::Trust => (read, 0),
                OnClockBackwards::Refuse => {
                    return Err(IdError::ClockMovedBackwards {
                        behind: ms((last - read) as i64),
                        retry_at: self.moment(last),
                    });
                }
                OnClockBackwards::ContinueLogically => self.after_same_millisecond(last)?,
            },
            Some(last) if read == last => self.after_same_millisecond(last)?,
            _ => (read, 0),
        };
        let id = self.layout.encode(Fields {
            millis,
            machine: self.machine,
            sequence,
        })?;
        self.last_millis = Some(millis);
        self.sequence = sequence;
        Ok(id)
    }

    /// The millisecond and sequence of the ID after one issued in `last`.
    fn after_same_millisecond(&self, last: u64) -> Result<(u64, u64), IdError> {
        if self.sequence < self.layout.max_sequence() {
            return Ok((last, self.sequence + 1));
        }
        match self.policy {
            OnClockBackwards::ContinueLogically => Ok((last + 1, 0)),
            _ => Err(IdError::SequenceExhausted {
                retry_at: self.moment(last + 1),
            }),
        }
    }

    /// The Unix time at which millisecond `millis` of the layout starts.
    fn moment(&self, millis: u64) -> Time {
        self.layout.epoch() + ms(millis.min(i64::MAX as u64) as i64)
    }
}
