//! Running code: the executor thread that owns evcxr, the `lessons` prelude it loads first,
//! stdin requests from a running cell, and the cell process's side of the output pipe
//! (`runtime_child`). Built on `output` and `protocol`.

pub mod executor;
pub mod prelude;
pub mod runtime_child;
pub mod stdin;
