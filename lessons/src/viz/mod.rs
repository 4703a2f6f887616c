//! Charts for the lessons, drawn as SVG.
//!
//! A chart is a plain value: you describe what to draw (title, axis labels, named series of
//! points) and get an SVG string, or show it in a notebook through
//! [`RichDisplay`](crate::display::RichDisplay). Nothing is drawn until you ask, so an invalid
//! chart (no data, a NaN point, a zero size) is reported as a [`FigureError`] that says what is
//! allowed, never as a panic.
//!
//! Text (title, axis labels, tick labels, legend) goes into the SVG as `<text>` elements in the
//! `sans-serif` family; the browser draws the glyphs, so no fonts are needed to build or render.
//! Because no font is loaded, text extents are estimated, and a very long label may overlap its
//! neighbour.
//!
//! Each kind of chart lives in its own file and re-exports here; so far there is [`Figure`], a
//! line and scatter chart over two numeric axes.
//!
//! # Examples
//!
//! ```
//! use lessons::viz::Figure;
//!
//! let svg = Figure::new("Lamport time on A")
//!     .x_label("event number")
//!     .y_label("Lamport time")
//!     .line("A", [(1.0, 1.0), (2.0, 2.0), (3.0, 7.0)])
//!     .to_svg()?;
//! assert!(svg.contains("Lamport time on A"));
//! # Ok::<(), lessons::viz::FigureError>(())
//! ```

mod error;
mod figure;

pub use error::FigureError;
pub use figure::Figure;
