//! Base62: numbers written with 62 URL-safe characters, as URL shorteners do.

use super::error::IdError;
use crate::sim::Rng;

/// A Base62 alphabet: the 62 characters for the digits 0 to 61, in that order.
///
/// Base62 is only "base 62" until someone chooses the order of its digits, and there are two
/// common orders: [`Base62::letters_first`] (`a-z A-Z 0-9`) and [`Base62::digits_first`]
/// (`0-9 a-z A-Z`, the order of ASCII and of most libraries). The same number gets different
/// text in each: 1000 = 16 × 62 + 8 is `qi` in the first and `g8` in the second. Seven
/// characters give 62^7 = 3,521,614,606,208 codes ([`Base62::code_space`]).
///
/// # Examples
///
/// ```
/// use lessons::ids::Base62;
///
/// assert_eq!(Base62::letters_first().encode(1_000), "qi");
/// assert_eq!(Base62::digits_first().encode(1_000), "g8");
/// assert_eq!(Base62::digits_first().decode("g8")?, 1_000);
/// assert_eq!(Base62::code_space(7)?, 3_521_614_606_208);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base62 {
    digits: [u8; 62],
}

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DECIMAL: &str = "0123456789";

impl Base62 {
    /// The longest code whose space fits in a `u64`: 62^10 is about 8.4 × 10^17, 62^11 would
    /// overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert_eq!(Base62::MAX_CODE_LENGTH, 10);
    /// assert!(Base62::code_space(11).is_err());
    /// ```
    pub const MAX_CODE_LENGTH: u32 = 10;

    /// The alphabet `a-z A-Z 0-9`, under which 1000 is `qi`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert_eq!(Base62::letters_first().encode(61), "9");
    /// ```
    pub fn letters_first() -> Base62 {
        Base62::new(&format!("{LOWER}{UPPER}{DECIMAL}")).expect("62 distinct characters")
    }

    /// The alphabet `0-9 a-z A-Z`, under which 1000 is `g8`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert_eq!(Base62::digits_first().encode(61), "Z");
    /// ```
    pub fn digits_first() -> Base62 {
        Base62::new(&format!("{DECIMAL}{LOWER}{UPPER}")).expect("62 distinct characters")
    }

    /// An alphabet of your own: 62 distinct ASCII characters, digit 0 first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// let shuffled = Base62::new("ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210")?;
    /// assert_eq!(shuffled.encode(0), "Z");
    /// assert!(Base62::new("abc").is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn new(alphabet: &str) -> Result<Base62, IdError> {
        let bytes = alphabet.as_bytes();
        let distinct = bytes
            .iter()
            .enumerate()
            .all(|(i, byte)| !bytes[..i].contains(byte));
        if !alphabet.is_ascii() || bytes.len() != 62 || !distinct {
            return Err(IdError::parameter(
                "Base62 alphabet",
                alphabet,
                "62 distinct ASCII characters",
            ));
        }
        let mut digits = [0; 62];
        digits.copy_from_slice(bytes);
        Ok(Base62 { digits })
    }

    /// The 62 characters, digit 0 first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert!(Base62::digits_first().alphabet().starts_with("0123456789abc"));
    /// ```
    pub fn alphabet(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("ASCII")
    }

    /// How many codes of `length` characters there are: 62^length, for 1 to 10 characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert_eq!(Base62::code_space(2)?, 3_844);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn code_space(length: u32) -> Result<u64, IdError> {
        if length == 0 || length > Base62::MAX_CODE_LENGTH {
            return Err(IdError::parameter(
                "code length",
                length,
                "1 to 10 characters (62^10 is the last power that fits in 64 bits)",
            ));
        }
        Ok(62u64.pow(length))
    }

    /// `value` in base 62, most significant digit first, without leading zero digits (0 is
    /// the zero digit alone).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// let letters_first = Base62::letters_first();
    /// assert_eq!(letters_first.encode(0), "a");
    /// assert_eq!(letters_first.encode(62), "ba");
    /// assert_eq!(letters_first.encode(u64::MAX).len(), 11);
    /// ```
    pub fn encode(&self, mut value: u64) -> String {
        let mut reversed = Vec::new();
        loop {
            reversed.push(self.digits[(value % 62) as usize]);
            value /= 62;
            if value == 0 {
                break;
            }
        }
        reversed.iter().rev().map(|&byte| byte as char).collect()
    }

    /// `value` in base 62, padded with zero digits on the left to `length` characters; an
    /// error if it needs more.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// assert_eq!(Base62::letters_first().encode_padded(1_000, 7)?, "aaaaaqi");
    /// assert!(Base62::letters_first().encode_padded(1_000, 1).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn encode_padded(&self, value: u64, length: usize) -> Result<String, IdError> {
        let text = self.encode(value);
        if text.len() > length {
            return Err(IdError::parameter(
                "value",
                value,
                "a value whose Base62 text fits in the requested length",
            ));
        }
        let zero = self.digits[0] as char;
        Ok(std::iter::repeat_n(zero, length - text.len())
            .chain(text.chars())
            .collect())
    }

    /// A code of `length` characters (1 to 10) drawn uniformly from all 62^length codes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    /// use lessons::sim::Rng;
    ///
    /// let code = Base62::letters_first().random_code(7, &mut Rng::new(1))?;
    /// assert_eq!(code.len(), 7);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn random_code(&self, length: u32, rng: &mut Rng) -> Result<String, IdError> {
        let space = Base62::code_space(length)?;
        self.encode_padded(rng.below(space), length as usize)
    }

    /// The number a Base62 text stands for; an error for empty text, a character outside the
    /// alphabet, or a number above `u64::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::Base62;
    ///
    /// let letters_first = Base62::letters_first();
    /// assert_eq!(letters_first.decode("qi")?, 1_000);
    /// assert_eq!(letters_first.decode("aaaaaqi")?, 1_000);
    /// assert!(letters_first.decode("q-i").is_err());
    /// assert!(letters_first.decode("").is_err());
    /// assert!(letters_first.decode("9999999999999").is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn decode(&self, text: &str) -> Result<u64, IdError> {
        let malformed = |problem: String| IdError::Malformed {
            what: "Base62 code",
            text: text.to_string(),
            problem,
            allowed: "1 or more characters of the alphabet, standing for a number up to 2^64 - 1",
        };
        if text.is_empty() {
            return Err(malformed("it is empty".to_string()));
        }
        let mut value: u64 = 0;
        for (position, character) in text.chars().enumerate() {
            let digit = self
                .digits
                .iter()
                .position(|&byte| byte as char == character)
                .ok_or_else(|| {
                    malformed(format!(
                        "{character:?} at position {} is not in the alphabet",
                        position + 1
                    ))
                })?;
            value = value
                .checked_mul(62)
                .and_then(|shifted| shifted.checked_add(digit as u64))
                .ok_or_else(|| malformed("the number does not fit in 64 bits".to_string()))?;
        }
        Ok(value)
    }
}
