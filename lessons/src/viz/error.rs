use std::fmt;

use super::Figure;
use crate::sim::{Histogram, Time};

/// Why a chart cannot be drawn.
///
/// The message says what was wrong and what is allowed.
///
/// # Examples
///
/// ```
/// use lessons::viz::{Figure, FigureError};
///
/// let error = Figure::new("empty").to_svg().unwrap_err();
/// assert_eq!(error, FigureError::NoSeries);
/// assert!(error.to_string().contains("add one with"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum FigureError {
    /// The chart has no series.
    NoSeries,
    /// The chart has series, but none of them has a point.
    NoPoints,
    /// A point has a coordinate that is NaN, infinite, or beyond [`Figure::MAX_COORDINATE`] in
    /// size.
    InvalidPoint {
        /// The name of the series holding the point.
        series: String,
        /// The point's position in its series, counting from 0.
        index: usize,
        /// The point's x coordinate.
        x: f64,
        /// The point's y coordinate.
        y: f64,
    },
    /// The width or the height is outside the allowed range.
    InvalidSize {
        /// The requested width in pixels.
        width: u32,
        /// The requested height in pixels.
        height: u32,
    },
    /// A histogram's bin count is outside `1..=`[`Histogram::MAX_BINS`](crate::sim::Histogram::MAX_BINS).
    InvalidBins {
        /// The name of the histogram series.
        series: String,
        /// The bin count asked for.
        bins: usize,
    },
    /// Bars (with category names on the x axis) were mixed with series on a numeric x axis.
    MixedAxes {
        /// The name of the first series that is not bars.
        series: String,
    },
    /// A time window that does not end after it starts.
    InvalidWindow {
        /// The window's start.
        start: Time,
        /// The window's end.
        end: Time,
    },
    /// A heatmap's values do not form a grid matching its row and column names.
    InvalidGrid {
        /// What does not match.
        problem: String,
    },
    /// The drawing library reported an error (a bug in this crate if it ever happens).
    Drawing(String),
}

impl fmt::Display for FigureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FigureError::NoSeries => write!(
                f,
                "the figure has no series to draw; add one with .line, .step, .points, .bars or \
                 .histogram"
            ),
            FigureError::NoPoints => write!(
                f,
                "none of the figure's series has a point; at least one series needs at least \
                 one (x, y) point"
            ),
            FigureError::InvalidPoint {
                series,
                index,
                x,
                y,
            } => write!(
                f,
                "point {index} of series {series:?} is ({x}, {y}); coordinates must be finite \
                 numbers between -{max:e} and {max:e}",
                max = Figure::MAX_COORDINATE
            ),
            FigureError::InvalidSize { width, height } => write!(
                f,
                "figure size {width}x{height} is not allowed; width and height must each be \
                 between {} and {} pixels",
                Figure::MIN_SIZE,
                Figure::MAX_SIZE
            ),
            FigureError::InvalidBins { series, bins } => write!(
                f,
                "histogram {series:?} has {bins} bins; a histogram has 1 to {} bins",
                Histogram::MAX_BINS
            ),
            FigureError::MixedAxes { series } => write!(
                f,
                "series {series:?} needs a numeric x axis, but the figure has bars, whose x axis \
                 names categories; draw bars in a figure of their own"
            ),
            FigureError::InvalidWindow { start, end } => write!(
                f,
                "the window from {start} to {end} is empty; its end must be later than its start"
            ),
            FigureError::InvalidGrid { problem } => {
                write!(f, "the heatmap cannot be drawn: {problem}")
            }
            FigureError::Drawing(message) => write!(f, "drawing the figure failed: {message}"),
        }
    }
}

impl std::error::Error for FigureError {}
