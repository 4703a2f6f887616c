//! The Jupyter protocol layer: messages on the wire (ZeroMQ frames, HMAC-SHA256 signatures),
//! the kernel's own session headers, and the iopub queue everything is published through.
//! It knows nothing of evcxr or cells; every other layer sends and receives through it.

pub mod iopub;
pub mod session;
pub mod wire;
