//! Running code: the executor thread that owns evcxr, the `lessons` prelude it loads first,
//! stdin requests from a running cell, the cell process's side of the output pipe
//! (`runtime_child`) and of the events pipe that carries comm messages in (`comm_bridge`). Built on `output` and `protocol`.

pub mod comm_bridge;
pub mod executor;
pub mod prelude;
pub mod runtime_child;
pub mod stdin;
