//! A cell's output on its way from the cell process to the frontend: the frames on the output
//! pipe, evcxr's display blocks, the router that parents them to the running request and
//! keeps track of the comms cell code opens, errors with their source spans and panic
//! locations, and build progress. Built on `protocol`.

pub mod build_progress;
pub mod cell_errors;
pub mod display_blocks;
pub mod open_comms;
pub mod output_frames;
pub mod output_pipe;
pub mod output_router;
pub mod panic_location;
pub mod widget_states;
