//! Checks shared by the lesson's parameters: every refusal names what is allowed.

pub(crate) use crate::sim::probability;
use crate::sim::{SimError, Time};

/// `value` if it is at least `minimum`.
pub(crate) fn at_least(
    name: &'static str,
    value: usize,
    minimum: usize,
) -> Result<usize, SimError> {
    if value >= minimum {
        Ok(value)
    } else {
        Err(SimError::parameter(
            name,
            value,
            format!("at least {minimum}"),
        ))
    }
}

/// `value` if it is at most `maximum`, so a notebook experiment stays quick.
pub(crate) fn at_most(name: &'static str, value: usize, maximum: usize) -> Result<usize, SimError> {
    if value <= maximum {
        Ok(value)
    } else {
        Err(SimError::parameter(
            name,
            value,
            format!("at most {maximum}, to keep a run under a second"),
        ))
    }
}

/// `value` if it is a span longer than zero.
pub(crate) fn positive_time(name: &'static str, value: Time) -> Result<Time, SimError> {
    if value > Time::ZERO {
        Ok(value)
    } else {
        Err(SimError::parameter(name, value, "a span longer than zero"))
    }
}
