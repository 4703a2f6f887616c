//! What can go wrong when making or reading an ID.

use std::fmt;

use crate::sim::Time;

/// Why an ID could not be made or read, in words that say what is allowed.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Fields, IdError, Layout};
///
/// let error = Layout::twitter()
///     .encode(Fields { millis: 0, machine: 1024, sequence: 0 })
///     .unwrap_err();
/// assert_eq!(error, IdError::FieldOutOfRange { field: "machine", value: 1024, max: 1023 });
/// assert_eq!(error.to_string(), "machine 1024 does not fit: the layout allows 0 to 1023");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// A parameter outside its allowed range.
    Parameter {
        /// What the parameter is.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: &'static str,
    },
    /// A field too large for its bits.
    FieldOutOfRange {
        /// `millis`, `machine` or `sequence`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// A number with bits set above the layout's width, so not an ID of this layout.
    NotAnId {
        /// The number given.
        id: u64,
        /// How many low bits an ID of this layout uses.
        width: u32,
    },
    /// Text that is not a valid ID or code of its kind.
    Malformed {
        /// What the text should have been (`ULID`, `Base62 code`).
        what: &'static str,
        /// The text given.
        text: String,
        /// What is wrong with it.
        problem: String,
        /// What would be accepted.
        allowed: &'static str,
    },
    /// The clock reads before the layout's epoch.
    BeforeEpoch {
        /// What the clock read (Unix time).
        now: Time,
        /// The epoch (Unix time).
        epoch: Time,
    },
    /// The clock reads past the last millisecond the timestamp bits can hold.
    AfterLifetime {
        /// What the clock read (Unix time).
        now: Time,
        /// The first moment that no longer fits (Unix time).
        end: Time,
    },
    /// The clock reads earlier than the last ID issued, and the generator refuses to issue.
    ClockMovedBackwards {
        /// How far behind the last issued millisecond the clock is.
        behind: Time,
        /// When the clock will be back at a millisecond the generator may use.
        retry_at: Time,
    },
    /// Every sequence number of the current millisecond is used.
    SequenceExhausted {
        /// The start of the next millisecond.
        retry_at: Time,
    },
}

impl IdError {
    /// When to try again, for the errors that waiting cures.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::IdError;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(IdError::SequenceExhausted { retry_at: ms(5) }.retry_at(), Some(ms(5)));
    /// ```
    pub fn retry_at(&self) -> Option<Time> {
        match self {
            IdError::ClockMovedBackwards { retry_at, .. }
            | IdError::SequenceExhausted { retry_at } => Some(*retry_at),
            _ => None,
        }
    }

    pub(crate) fn parameter(
        name: &'static str,
        value: impl fmt::Display,
        allowed: &'static str,
    ) -> IdError {
        IdError::Parameter {
            name,
            value: value.to_string(),
            allowed,
        }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: {allowed}"),
            IdError::FieldOutOfRange { field, value, max } => write!(
                f,
                "{field} {value} does not fit: the layout allows 0 to {max}"
            ),
            IdError::NotAnId { id, width } => write!(
                f,
                "{id} is not an ID of this layout: it has bits set above its {width} bits"
            ),
            IdError::Malformed {
                what,
                text,
                problem,
                allowed,
            } => write!(f, "{text:?} is not a {what}: {problem}; allowed: {allowed}"),
            IdError::BeforeEpoch { now, epoch } => write!(
                f,
                "the clock reads {now} since 1970, before the layout's epoch at {epoch}"
            ),
            IdError::AfterLifetime { now, end } => write!(
                f,
                "the clock reads {now} since 1970, past the layout's last millisecond (it ends at {end})"
            ),
            IdError::ClockMovedBackwards { behind, retry_at } => write!(
                f,
                "the clock is {behind} behind the last ID issued; retry at {retry_at}"
            ),
            IdError::SequenceExhausted { retry_at } => write!(
                f,
                "every sequence number of this millisecond is used; retry at {retry_at}"
            ),
        }
    }
}

impl std::error::Error for IdError {}
