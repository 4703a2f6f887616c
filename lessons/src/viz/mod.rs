//! Pictures for the lessons, drawn as SVG: charts, heatmaps and space-time diagrams.
//!
//! A picture is a plain value: you describe what to draw and get an SVG string, save it as an
//! `.svg` file, or show it in a notebook through [`RichDisplay`](crate::display::RichDisplay)
//! (several per cell with `.show()`, or as a cell's last value). Nothing is drawn until you ask,
//! so an invalid picture (no data, a NaN point, a zero size) is reported as a [`FigureError`]
//! that says what is allowed, never as a panic.
//!
//! * [`Figure`]: line, step, scatter, bar and histogram charts with a title, axis labels and a
//!   legend that places itself where it hides no data ([`Corner`], [`LegendPlace`]), built on
//!   `plotters`.
//! * [`Heatmap`]: a grid of values as coloured cells with a colour scale.
//! * [`SpaceTimeDiagram`]: the message sequence diagram of a simulated run
//!   ([`Trace::diagram`](crate::sim::Trace::diagram)), drawn directly as SVG.
//! * [`DependencyGraph`]: named nodes on a circle with labelled arrows, for the dependency
//!   cycles of [`check_isolation`](crate::check::check_isolation) and wait-for graphs.
//!
//! Text goes into the SVG as `<text>` elements in the `sans-serif` family; the browser draws the
//! glyphs, so no fonts are needed to build or render. Because no font is loaded, text extents
//! are estimated, and a very long label may overlap its neighbour. The same value always
//! renders to the same bytes, so a picture can be compared with a saved one.
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

mod dependency_graph;
mod diagram;
mod error;
mod figure;
mod heatmap;
mod svg;

pub use dependency_graph::DependencyGraph;
pub use diagram::SpaceTimeDiagram;
pub use error::FigureError;
pub use figure::{Corner, Figure, LegendPlace};
pub use heatmap::Heatmap;

/// The distinct values of `key` over `rows`, in the order first seen: the series of a figure.
pub(crate) fn groups<T, K: PartialEq>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<K> {
    let mut seen = Vec::new();
    for row in rows {
        let value = key(row);
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}
