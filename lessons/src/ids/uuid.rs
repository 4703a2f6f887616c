//! RFC 9562 UUIDs, versions 4 (random) and 7 (Unix time, then random), made from a seeded
//! [`Rng`] so that every run gives the same values.

use std::fmt;

use super::error::IdError;
use crate::sim::Rng;

/// The largest millisecond count a 48-bit timestamp holds (the year 10889).
pub(super) const MAX_MILLIS_48: u64 = (1 << 48) - 1;

/// Checks that `millis` fits in 48 bits, the timestamp width of UUIDv7 and ULID.
pub(super) fn check_millis_48(millis: u64) -> Result<(), IdError> {
    if millis > MAX_MILLIS_48 {
        return Err(IdError::FieldOutOfRange {
            field: "millis",
            value: millis,
            max: MAX_MILLIS_48,
        });
    }
    Ok(())
}

/// 128 random bits drawn from `rng`, high word first.
pub(super) fn random_u128(rng: &mut Rng) -> u128 {
    let high = rng.next_u64() as u128;
    high << 64 | rng.next_u64() as u128
}

/// A 128-bit UUID as RFC 9562 lays it out: bits 127..0, the 4-bit version at bits 79..76 and
/// the variant at bits 63..62 (`10` for every UUID the RFC defines).
///
/// * **Version 4** ([`Uuid::v4`]): 122 random bits around the version nibble `4` and variant
///   `10`. Nothing in it is ordered.
/// * **Version 7** ([`Uuid::v7`]): the Unix time in milliseconds in the top 48 bits, then the
///   version nibble `7`, 12 random bits, the variant `10` and 62 more random bits: 74 random
///   bits in all. Compared as numbers (or as bytes, or as hyphenated text), v7 UUIDs of
///   different milliseconds sort by time; within one millisecond their order is random here (RFC
///   9562 section 6.2 allows a counter there instead; this type does not keep one).
///
/// The text form is 36 characters: 32 lowercase hex digits in groups of 8-4-4-4-12.
///
/// # Examples
///
/// ```
/// use lessons::ids::Uuid;
/// use lessons::sim::Rng;
///
/// let mut rng = Rng::new(1);
/// let random = Uuid::v4(&mut rng);
/// assert_eq!((random.version(), random.variant_bits()), (4, 0b10));
/// let timed = Uuid::v7(1_767_225_600_000, &mut rng)?; // 2026-01-01T00:00:00Z
/// assert_eq!(timed.millis(), Some(1_767_225_600_000));
/// assert_eq!(timed.to_string().len(), 36);
/// assert!(timed.to_string().starts_with("019b76da-a800-7"));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uuid(u128);

const VERSION_SHIFT: u32 = 76;
const VARIANT_SHIFT: u32 = 62;
const VERSION_MASK: u128 = 0xF << VERSION_SHIFT;
const VARIANT_MASK: u128 = 0b11 << VARIANT_SHIFT;
const RFC_VARIANT: u128 = 0b10 << VARIANT_SHIFT;

impl Uuid {
    /// How many bits of a v4 UUID are random: 128 minus 4 version and 2 variant bits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Uuid::V4_RANDOM_BITS, 122);
    /// ```
    pub const V4_RANDOM_BITS: u32 = 122;

    /// How many bits of a v7 UUID are random: 128 minus 48 time, 4 version and 2 variant bits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Uuid::V7_RANDOM_BITS, 74);
    /// ```
    pub const V7_RANDOM_BITS: u32 = 74;

    /// A version 4 UUID: 122 bits from `rng`, version `4`, variant `10`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    /// use lessons::sim::Rng;
    ///
    /// let a = Uuid::v4(&mut Rng::new(7));
    /// assert_eq!(a, Uuid::v4(&mut Rng::new(7))); // same seed, same UUID
    /// assert_eq!(a.to_string().as_bytes()[14], b'4');
    /// ```
    pub fn v4(rng: &mut Rng) -> Uuid {
        let random = random_u128(rng);
        Uuid(random & !(VERSION_MASK | VARIANT_MASK) | 4 << VERSION_SHIFT | RFC_VARIANT)
    }

    /// A version 7 UUID for the Unix time `millis` (milliseconds since 1970), with 74 random
    /// bits from `rng`; an error if `millis` needs more than 48 bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::{IdError, Uuid};
    /// use lessons::sim::Rng;
    ///
    /// let mut rng = Rng::new(7);
    /// let early = Uuid::v7(1_000, &mut rng)?;
    /// let late = Uuid::v7(1_001, &mut rng)?;
    /// assert!(early < late && early.to_string() < late.to_string());
    /// assert!(matches!(Uuid::v7(1 << 48, &mut rng), Err(IdError::FieldOutOfRange { .. })));
    /// # Ok::<(), IdError>(())
    /// ```
    pub fn v7(millis: u64, rng: &mut Rng) -> Result<Uuid, IdError> {
        check_millis_48(millis)?;
        let random = random_u128(rng) & ((1 << 80) - 1);
        Ok(Uuid(
            (millis as u128) << 80
                | random & !(VERSION_MASK | VARIANT_MASK)
                | 7 << VERSION_SHIFT
                | RFC_VARIANT,
        ))
    }

    /// The UUID with these 128 bits, whatever they say.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    ///
    /// assert_eq!(Uuid::from_u128(0).to_string(), "00000000-0000-0000-0000-000000000000");
    /// ```
    pub fn from_u128(bits: u128) -> Uuid {
        Uuid(bits)
    }

    /// The 128 bits, as a number; numeric order is the order of the 16 big-endian bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    ///
    /// assert_eq!(Uuid::from_u128(42).as_u128(), 42);
    /// ```
    pub fn as_u128(self) -> u128 {
        self.0
    }

    /// The version nibble (bits 79..76): 4 or 7 for the UUIDs made here.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    /// use lessons::sim::Rng;
    ///
    /// assert_eq!(Uuid::v7(0, &mut Rng::new(1))?.version(), 7);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn version(self) -> u8 {
        ((self.0 & VERSION_MASK) >> VERSION_SHIFT) as u8
    }

    /// The two variant bits (bits 63..62): `0b10` for RFC 9562 UUIDs.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    /// use lessons::sim::Rng;
    ///
    /// assert_eq!(Uuid::v4(&mut Rng::new(1)).variant_bits(), 0b10);
    /// ```
    pub fn variant_bits(self) -> u8 {
        ((self.0 & VARIANT_MASK) >> VARIANT_SHIFT) as u8
    }

    /// The Unix time in milliseconds in a v7 UUID's top 48 bits; `None` for other versions.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Uuid;
    /// use lessons::sim::Rng;
    ///
    /// let mut rng = Rng::new(3);
    /// assert_eq!(Uuid::v7(1_234, &mut rng)?.millis(), Some(1_234));
    /// assert_eq!(Uuid::v4(&mut rng).millis(), None);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn millis(self) -> Option<u64> {
        (self.version() == 7).then_some((self.0 >> 80) as u64)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [b'-'; 36];
        let positions = (0..36).filter(|position| ![8, 13, 18, 23].contains(position));
        for (nibble, position) in positions.enumerate() {
            text[position] = HEX[(self.0 >> (124 - 4 * nibble) & 15) as usize];
        }
        f.write_str(std::str::from_utf8(&text).expect("hex digits and hyphens are ASCII"))
    }
}
