//! ULID: a 48-bit Unix millisecond timestamp and 80 random bits, written as 26 characters of
//! Crockford's Base32 so that the text sorts like the number.

use std::fmt;
use std::str::FromStr;

use super::error::IdError;
use super::uuid::{check_millis_48, random_u128};
use crate::sim::Rng;

/// Crockford's Base32 digits: 0-9 and A-Z without I, L, O and U, in ASCII order.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID (Universally Unique Lexicographically Sortable Identifier): bits 127..80 are the
/// Unix time in milliseconds, bits 79..0 are random.
///
/// Its text is the 128-bit number in base 32, most significant digit first, with Crockford's
/// digits; 26 digits hold 130 bits, so the first digit is at most `7`. Because the digits are
/// in ASCII order and the length is fixed, comparing two ULID strings compares their numbers,
/// and ULIDs of different milliseconds sort by time. Decoding accepts lower case, as the spec
/// asks. The spec's optional "monotonic" mode (incrementing the random part within one
/// millisecond) is not modelled here: within a millisecond the order is random.
///
/// # Examples
///
/// ```
/// use lessons::ids::Ulid;
/// use lessons::sim::Rng;
///
/// let ulid = Ulid::new(1_469_918_176_385, &mut Rng::new(1))?;
/// let text = ulid.to_string();
/// assert_eq!(text.len(), 26);
/// assert!(text.starts_with("01ARYZ6S41")); // the spec's example time: 10 characters of time
/// assert_eq!(text.parse::<Ulid>()?, ulid);
/// assert_eq!(ulid.millis(), 1_469_918_176_385);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ulid(u128);

impl Ulid {
    /// How many bits of a ULID are random.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Ulid::RANDOM_BITS, 80);
    /// ```
    pub const RANDOM_BITS: u32 = 80;

    /// The length of a ULID's text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::Ulid::TEXT_LENGTH, 26);
    /// ```
    pub const TEXT_LENGTH: usize = 26;

    /// A ULID for the Unix time `millis` with 80 random bits from `rng`; an error if `millis`
    /// needs more than 48 bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    /// use lessons::sim::Rng;
    ///
    /// let mut rng = Rng::new(5);
    /// let first = Ulid::new(10, &mut rng)?;
    /// let second = Ulid::new(11, &mut rng)?;
    /// assert!(first.to_string() < second.to_string());
    /// assert!(Ulid::new(1 << 48, &mut rng).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn new(millis: u64, rng: &mut Rng) -> Result<Ulid, IdError> {
        Ulid::from_parts(millis, random_u128(rng) & ((1 << 80) - 1))
    }

    /// The ULID with this time and these random bits; an error if `millis` needs more than
    /// 48 bits or `random` more than 80.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// assert_eq!(Ulid::from_parts(0, 31)?.to_string(), "0000000000000000000000000Z");
    /// assert!(Ulid::from_parts(0, 1 << 80).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn from_parts(millis: u64, random: u128) -> Result<Ulid, IdError> {
        check_millis_48(millis)?;
        if random >> Ulid::RANDOM_BITS != 0 {
            return Err(IdError::parameter(
                "ULID random part",
                random,
                "a number below 2^80",
            ));
        }
        Ok(Ulid((millis as u128) << Ulid::RANDOM_BITS | random))
    }

    /// The ULID with these 128 bits (every 128-bit number is one).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// assert_eq!(Ulid::from_u128(u128::MAX).to_string(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    /// ```
    pub fn from_u128(bits: u128) -> Ulid {
        Ulid(bits)
    }

    /// The 128 bits, as a number.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// assert_eq!(Ulid::from_parts(1, 2)?.as_u128(), 1 << 80 | 2);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn as_u128(self) -> u128 {
        self.0
    }

    /// The Unix time in milliseconds (the top 48 bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// assert_eq!(Ulid::from_parts(1_234, 99)?.millis(), 1_234);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn millis(self) -> u64 {
        (self.0 >> Ulid::RANDOM_BITS) as u64
    }

    /// The random part (the low 80 bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// assert_eq!(Ulid::from_parts(1_234, 99)?.random(), 99);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn random(self) -> u128 {
        self.0 & ((1 << Ulid::RANDOM_BITS) - 1)
    }

    /// Reads a ULID's text: 26 Crockford Base32 digits (either case), the first at most `7`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Ulid;
    ///
    /// let ulid = Ulid::parse("01arz3ndektsv4rrffq69g5fav")?; // the spec's example, lower case
    /// assert_eq!(ulid.to_string(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    /// assert_eq!(ulid.millis(), 1_469_922_850_259);
    /// let error = Ulid::parse("01ARZ3NDEKTSV4RRFFQ69G5FAI").unwrap_err();
    /// assert!(error.to_string().contains("'I' at position 26"));
    /// assert!(Ulid::parse("81ARZ3NDEKTSV4RRFFQ69G5FAV").is_err()); // more than 128 bits
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Ulid, IdError> {
        const ALLOWED: &str = "26 Crockford Base32 digits (0-9 and A-Z without I, L, O, U; either case), the first 0 to 7";
        let malformed = |problem: String| IdError::Malformed {
            what: "ULID",
            text: text.to_string(),
            problem,
            allowed: ALLOWED,
        };
        let length = text.chars().count();
        if length != Ulid::TEXT_LENGTH {
            return Err(malformed(format!("it has {length} characters")));
        }
        let mut value: u128 = 0;
        for (position, character) in text.chars().enumerate() {
            let digit = crockford_digit(character).ok_or_else(|| {
                malformed(format!(
                    "{character:?} at position {} is not a digit",
                    position + 1
                ))
            })?;
            if position == 0 && digit > 7 {
                return Err(malformed(format!(
                    "the first digit {character:?} would need more than 128 bits"
                )));
            }
            value = value << 5 | digit as u128;
        }
        Ok(Ulid(value))
    }
}

/// The value of each ASCII character as a Crockford Base32 digit, upper or lower case, or
/// `NOT_A_DIGIT`.
const DIGIT_VALUES: [u8; 128] = {
    let mut values = [NOT_A_DIGIT; 128];
    let mut value = 0;
    while value < CROCKFORD.len() {
        let digit = CROCKFORD[value];
        values[digit as usize] = value as u8;
        values[digit.to_ascii_lowercase() as usize] = value as u8;
        value += 1;
    }
    values
};

const NOT_A_DIGIT: u8 = u8::MAX;

/// The value of one Crockford Base32 digit, upper or lower case.
fn crockford_digit(character: char) -> Option<u8> {
    let value = *DIGIT_VALUES.get(character as usize)?;
    (value != NOT_A_DIGIT).then_some(value)
}

impl fmt::Display for Ulid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; Ulid::TEXT_LENGTH];
        for (position, byte) in text.iter_mut().enumerate() {
            let shift = 5 * (Ulid::TEXT_LENGTH - 1 - position);
            *byte = CROCKFORD[(self.0 >> shift & 31) as usize];
        }
        f.write_str(std::str::from_utf8(&text).expect("Crockford digits are ASCII"))
    }
}

impl FromStr for Ulid {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Ulid, IdError> {
        Ulid::parse(text)
    }
}
