//! Failure detection: deciding that a node is dead when all you ever see is silence.
//!
//! TODO essay

mod adaptive;
mod comparison;
mod detector;
mod heartbeat;
mod phi;
mod timeouts;

pub use adaptive::AdaptiveTimeout;
pub use comparison::{
    DetectorRow, DetectorSetting, PhiRow, ShiftingNetwork, compare_detectors, phi_timeline,
};
pub use detector::Detector;
pub use heartbeat::{
    HeartbeatChannel, HeartbeatDetector, HeartbeatRow, false_suspicion_per_check,
    heartbeat_experiment,
};
pub use phi::{PhiAccrual, PhiModel, PhiThreshold};
pub use timeouts::{TimeoutRow, timeout_experiment};
