//! Parameter checks shared by the lesson's functions: each returns a [`SimError`] that names
//! the parameter and says what is allowed.

use crate::sim::{SimError, Time};

/// `value` if it is a finite number above zero.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64, SimError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(SimError::parameter(name, value, "a finite number above 0"))
    }
}

/// `value` if it is a span of virtual time above zero.
pub(crate) fn positive_time(name: &'static str, value: Time) -> Result<Time, SimError> {
    if value > Time::ZERO {
        Ok(value)
    } else {
        Err(SimError::parameter(name, value, "a duration above 0"))
    }
}

/// `value` if it lies in `low..=high`.
pub(crate) fn within(
    name: &'static str,
    value: usize,
    low: usize,
    high: usize,
) -> Result<usize, SimError> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(SimError::parameter(
            name,
            value,
            format!("from {low} to {high}"),
        ))
    }
}

/// `value` if it is a probability, that is in `[0, 1]`.
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64, SimError> {
    crate::sim::probability(name, value)
}
