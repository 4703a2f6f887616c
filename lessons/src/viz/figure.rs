use std::io;
use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::data::float::pretty_print_float;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::FigureError;
use super::svg::{DrawResult, render_svg, save_svg};
use crate::display::{MimeBundle, RichDisplay};
use crate::sim::Histogram;

/// Colours for successive series, from the Okabe-Ito palette, which stays distinguishable for
/// the common forms of colour blindness.
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
];

/// The plotters chart a [`Figure`] draws on: two numeric axes on an SVG.
type Chart<'area, 'svg> =
    ChartContext<'area, SVGBackend<'svg>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What a series holds and how it is drawn.
#[derive(Debug, Clone, PartialEq)]
enum SeriesData {
    /// Points joined by straight lines.
    Line(Vec<(f64, f64)>),
    /// Points joined by steps: each value holds until the next point's x.
    Step(Vec<(f64, f64)>),
    /// Unconnected dots.
    Points(Vec<(f64, f64)>),
    /// One bar per named category.
    Bars(Vec<(String, f64)>),
    /// Raw values, counted into equal-width bins when drawn.
    Histogram { values: Vec<f64>, bins: usize },
}

#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    data: SeriesData,
}

impl Series {
    fn is_empty(&self) -> bool {
        match &self.data {
            SeriesData::Line(points) | SeriesData::Step(points) | SeriesData::Points(points) => {
                points.is_empty()
            }
            SeriesData::Bars(bars) => bars.is_empty(),
            SeriesData::Histogram { values, .. } => values.is_empty(),
        }
    }
}

/// A chart with a title, two labelled axes, named series and a legend: lines, steps, scatter
/// points, histograms, or bars over named categories.
///
/// Build it with chained calls, then render it with [`to_svg`](Figure::to_svg), save it with
/// [`save_svg`](Figure::save_svg) or show it in a notebook. The axes span all data with a small
/// margin (bars and histograms start at zero). Series are coloured in the order they were
/// added. Bars put category names on the x axis, so they share a figure only with other bars;
/// the other kinds mix freely. The legend goes in a corner of the plot that hides no data, or
/// beside the plot when there is none (see [`Corner`]), unless [`legend_at`](Figure::legend_at)
/// names a corner.
///
/// # Examples
///
/// ```
/// use lessons::viz::Figure;
///
/// let figure = Figure::new("Lamport time per event")
///     .x_label("event number")
///     .y_label("Lamport time")
///     .line("A", [(1.0, 1.0), (2.0, 2.0), (3.0, 7.0)])
///     .points("B", [(1.0, 1.0), (2.0, 3.0)])
///     .size(480, 320);
/// let svg = figure.to_svg()?;
/// assert!(svg.starts_with("<svg"));
///
/// let load = Figure::new("Requests per node")
///     .y_label("requests")
///     .bars("before", [("n1", 30.0), ("n2", 10.0), ("n3", 20.0)])
///     .bars("after", [("n1", 20.0), ("n2", 20.0), ("n3", 20.0)]);
/// assert!(load.to_svg()?.contains("n3"));
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    title: String,
    x_label: String,
    y_label: String,
    width: u32,
    height: u32,
    legend: Corner,
    log_x: bool,
    log_y: bool,
    series: Vec<Series>,
}

/// Where a figure's legend goes: a corner of the plotting area, or [`Corner::Auto`] to let the
/// figure choose when it is drawn.
///
/// The automatic choice estimates the legend's box in pixels (one row per series, as wide as the
/// longest name) and tries the four corners, upper left first, then upper right, lower left and
/// lower right. It takes the corner whose box covers the fewest data marks (points, line and step
/// segments, bars and histogram bins, with a few pixels to spare); on a tie the earlier corner
/// wins. When every corner would cover data, the legend moves out of the plotting area: into a
/// margin to its right, or, for a legend too wide for that, into a band above it.
/// [`Figure::legend_place`] says where it went.
///
/// # Examples
///
/// ```
/// use lessons::viz::{Corner, Figure, LegendPlace};
///
/// // A rising line leaves the upper left free, the first corner tried.
/// let rising = Figure::new("t").line("rising", [(0.0, 0.0), (1.0, 1.0)]);
/// assert_eq!(rising.legend_place()?, LegendPlace::Inside(Corner::UpperLeft));
/// // A falling line crosses the upper left, so its legend goes upper right.
/// let falling = Figure::new("t").line("falling", [(0.0, 1.0), (1.0, 0.0)]);
/// assert_eq!(falling.legend_place()?, LegendPlace::Inside(Corner::UpperRight));
/// // Data in every corner: the legend moves beside the plot.
/// let corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)];
/// let everywhere = Figure::new("t").points("corners", corners);
/// assert_eq!(everywhere.legend_place()?, LegendPlace::Right);
/// // An explicit corner is kept, even over data.
/// assert_eq!(
///     everywhere.legend_at(Corner::LowerRight).legend_place()?,
///     LegendPlace::Inside(Corner::LowerRight)
/// );
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corner {
    /// The corner that covers the least data, or outside the plot if every corner covers some:
    /// the default.
    #[default]
    Auto,
    /// Top left.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

/// Where a drawn figure's legend ended up; see [`Corner`] for how it is chosen.
///
/// # Examples
///
/// ```
/// use lessons::viz::{Corner, Figure, LegendPlace};
///
/// let figure = Figure::new("t").line("a", [(0.0, 0.0), (1.0, 1.0)]);
/// assert_eq!(figure.legend_place()?, LegendPlace::Inside(Corner::UpperLeft));
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendPlace {
    /// In this corner of the plotting area (never [`Corner::Auto`]).
    Inside(Corner),
    /// In a margin to the right of the plotting area, because every corner would cover data.
    Right,
    /// In a band above the plotting area, under the title, because every corner would cover data
    /// and the legend is too wide or too tall to sit beside the plot.
    Above,
}

impl Figure {
    /// The smallest width or height a figure may have, in pixels.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::Figure::MIN_SIZE, 100);
    /// ```
    pub const MIN_SIZE: u32 = 100;

    /// The largest width or height a figure may have, in pixels.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::Figure::MAX_SIZE, 10_000);
    /// ```
    pub const MAX_SIZE: u32 = 10_000;

    /// The largest size a coordinate may have; beyond it the width of an axis would overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// assert!(Figure::new("t").line("a", [(0.0, Figure::MAX_COORDINATE)]).to_svg().is_ok());
    /// assert!(Figure::new("t").line("a", [(0.0, 1e301)]).to_svg().is_err());
    /// ```
    pub const MAX_COORDINATE: f64 = 1e300;

    /// An empty 640x400 figure with a title; an empty title draws no caption.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// assert_eq!(Figure::new("messages per second").title(), "messages per second");
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        Figure {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            width: 640,
            height: 400,
            legend: Corner::Auto,
            log_x: false,
            log_y: false,
            series: Vec::new(),
        }
    }

    /// The figure with a label under the x axis.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let svg = Figure::new("").x_label("round").line("n1", [(0.0, 1.0)]).to_svg()?;
    /// assert!(svg.contains("round"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    /// The figure with a label beside the y axis.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let svg = Figure::new("").y_label("replicas").line("n1", [(0.0, 1.0)]).to_svg()?;
    /// assert!(svg.contains("replicas"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// The figure with a size in pixels; each side must be between [`Figure::MIN_SIZE`] and
    /// [`Figure::MAX_SIZE`], which rendering checks.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{Figure, FigureError};
    ///
    /// let figure = Figure::new("t").line("a", [(0.0, 0.0)]);
    /// assert!(figure.clone().size(800, 300).to_svg().is_ok());
    /// assert_eq!(
    ///     figure.size(0, 300).to_svg(),
    ///     Err(FigureError::InvalidSize { width: 0, height: 300 })
    /// );
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// The figure with a logarithmic x axis: equal ratios take equal widths, and the ticks are
    /// labelled with the data's own values (1, 10, 100, ...), for data spanning several powers of
    /// ten. It applies to lines, steps and points; a point whose x is not positive cannot be placed
    /// on it and is left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{Figure, FigureError};
    ///
    /// let costs = [(1.0, 44.0), (100.0, 3_548.0), (10_000.0, 100_327.0)];
    /// let svg = Figure::new("cost").line("tree", costs).log_x().log_y().to_svg()?;
    /// assert!(svg.contains("1,000") && svg.contains("10,000"));
    /// let nothing_positive = Figure::new("t").line("a", [(0.0, 1.0)]).log_x().to_svg();
    /// assert_eq!(nothing_positive, Err(FigureError::NoPoints));
    /// # Ok::<(), FigureError>(())
    /// ```
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }

    /// The figure with a logarithmic y axis; as [`Figure::log_x`], for the vertical axis.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let growth = [(0.0, 1.0), (1.0, 10.0), (2.0, 100.0), (3.0, 0.0)];
    /// let svg = Figure::new("powers of ten").line("10^x", growth).log_y().to_svg()?;
    /// assert!(svg.contains("100"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// The figure with its legend in `corner` of the plotting area, whether or not it covers
    /// data; the default, [`Corner::Auto`], picks a corner that covers none when there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{Corner, Figure, LegendPlace};
    ///
    /// let falling = Figure::new("queue draining")
    ///     .line("queue", [(0.0, 9.0), (9.0, 0.0)])
    ///     .legend_at(Corner::LowerLeft);
    /// assert_eq!(falling.legend_place()?, LegendPlace::Inside(Corner::LowerLeft));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn legend_at(mut self, corner: Corner) -> Self {
        self.legend = corner;
        self
    }

    /// The figure with a series drawn as a line through its points, in the given order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let times = [1u64, 2, 7];
    /// let points = times.iter().enumerate().map(|(n, &t)| ((n + 1) as f64, t as f64));
    /// let figure = Figure::new("A").line("A", points);
    /// assert!(figure.to_svg().is_ok());
    /// ```
    pub fn line(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with_series(name, SeriesData::Line(points.into_iter().collect()))
    }

    /// The figure with a series drawn as steps: each point's value holds until the next point,
    /// as counters, queue lengths and empirical CDFs behave.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let tokens = [(0.0, 5.0), (1.0, 4.0), (2.5, 5.0)];
    /// let svg = Figure::new("tokens in the bucket").step("tokens", tokens).to_svg()?;
    /// assert!(svg.contains("tokens"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn step(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with_series(name, SeriesData::Step(points.into_iter().collect()))
    }

    /// The figure with a series drawn as unconnected dots (a scatter plot).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let figure = Figure::new("events").points("B", [(1.0, 1.0), (3.0, 1.0), (4.0, 1.0)]);
    /// assert!(figure.to_svg().is_ok());
    /// ```
    pub fn points(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with_series(name, SeriesData::Points(points.into_iter().collect()))
    }

    /// The figure with a series of bars, one per named category; categories appear along the x
    /// axis in the order first seen, and the bars of several series stand side by side.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let svg = Figure::new("keys per node")
    ///     .bars("keys", [("n1", 340.0), ("n2", 310.0), ("n3", 350.0)])
    ///     .to_svg()?;
    /// assert!(svg.contains("\nn2\n")); // plotters puts text on a line of its own
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn bars(
        self,
        name: impl Into<String>,
        bars: impl IntoIterator<Item = (impl Into<String>, f64)>,
    ) -> Self {
        let bars = bars
            .into_iter()
            .map(|(category, value)| (category.into(), value))
            .collect();
        self.with_series(name, SeriesData::Bars(bars))
    }

    /// The figure with a histogram of `values` in `bins` equal-width bins (see
    /// [`Histogram`]); the y axis counts values.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let latencies_ms = [1.2, 1.4, 1.5, 2.0, 2.1, 9.0];
    /// let svg = Figure::new("latency")
    ///     .x_label("ms")
    ///     .y_label("messages")
    ///     .histogram("all links", latencies_ms, 4)
    ///     .to_svg()?;
    /// assert!(svg.contains("all links"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn histogram(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = f64>,
        bins: usize,
    ) -> Self {
        let values = values.into_iter().collect();
        self.with_series(name, SeriesData::Histogram { values, bins })
    }

    /// The figure's title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::Figure::new("load").title(), "load");
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Where the legend goes when the figure is drawn: the corner given to
    /// [`legend_at`](Figure::legend_at), or the one [`Corner::Auto`] picks for this data, or
    /// outside the plot; an error if the figure cannot be drawn.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{Corner, Figure, FigureError, LegendPlace};
    ///
    /// let full = Figure::new("t").line("a", [(0.0, 1.0), (1.0, 1.0)]).line("b", [(0.0, 0.0), (1.0, 0.0)]);
    /// assert_eq!(full.legend_place()?, LegendPlace::Right);
    /// assert_eq!(Figure::new("empty").legend_place(), Err(FigureError::NoSeries));
    /// # Ok::<(), FigureError>(())
    /// ```
    pub fn legend_place(&self) -> Result<LegendPlace, FigureError> {
        self.validate()?;
        let drawn = self.in_log_coordinates();
        drawn.validate()?;
        let (histograms, categories) = (drawn.histograms(), drawn.categories());
        let (x_range, y_range) = drawn.axis_spans(&histograms, &categories);
        drawn
            .choose_legend_place(&histograms, &categories, x_range, y_range)
            .map_err(|error| FigureError::Drawing(error.to_string()))
    }

    /// The figure as a standalone SVG document, or why it cannot be drawn.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{Figure, FigureError};
    ///
    /// let svg = Figure::new("ok").line("a", [(0.0, 0.0), (1.0, 2.0)]).to_svg()?;
    /// assert!(svg.ends_with("</svg>\n"));
    ///
    /// let nan = Figure::new("bad").line("a", [(0.0, f64::NAN)]).to_svg();
    /// assert!(matches!(nan, Err(FigureError::InvalidPoint { index: 0, .. })));
    /// # Ok::<(), FigureError>(())
    /// ```
    pub fn to_svg(&self) -> Result<String, FigureError> {
        self.validate()?;
        let drawn = self.in_log_coordinates();
        drawn.validate()?;
        render_svg(self.width, self.height, |root| drawn.draw(root))
    }

    /// Writes the figure to an SVG file; a figure that cannot be drawn is an
    /// [`io::ErrorKind::InvalidInput`] error carrying the [`FigureError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Figure;
    ///
    /// let path = std::env::temp_dir().join("lessons-doc-save-svg.svg");
    /// Figure::new("saved").line("a", [(0.0, 1.0), (1.0, 0.0)]).save_svg(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains("saved"));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> io::Result<()> {
        save_svg(path, self.to_svg())
    }

    /// Displays the figure as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// lessons::viz::Figure::new("shown").line("a", [(0.0, 0.0)]).evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        crate::display::evcxr_display(self);
    }

    fn with_series(mut self, name: impl Into<String>, data: SeriesData) -> Self {
        self.series.push(Series {
            name: name.into(),
            data,
        });
        self
    }

    /// The figure with every point of a line, step or scatter series moved to log₁₀ of its
    /// coordinates on the log axes, and every bar's height on a log y axis (points and bars that
    /// have no logarithm left out); `draw` labels those axes with the values back.
    fn in_log_coordinates(&self) -> Figure {
        let mut figure = self.clone();
        if !self.log_x && !self.log_y {
            return figure;
        }
        let axis = |log: bool, value: f64| match log {
            false => Some(value),
            true if value > 0.0 => Some(value.log10()),
            true => None,
        };
        for series in &mut figure.series {
            if let SeriesData::Line(points)
            | SeriesData::Step(points)
            | SeriesData::Points(points) = &mut series.data
            {
                *points = points
                    .iter()
                    .filter_map(|&(x, y)| Some((axis(self.log_x, x)?, axis(self.log_y, y)?)))
                    .collect();
            }
            if let SeriesData::Bars(bars) = &mut series.data {
                *bars = std::mem::take(bars)
                    .into_iter()
                    .filter_map(|(category, value)| Some((category, axis(self.log_y, value)?)))
                    .collect();
            }
        }
        figure
    }

    fn has_bars(&self) -> bool {
        self.series
            .iter()
            .any(|series| matches!(series.data, SeriesData::Bars(_)))
    }

    fn validate(&self) -> Result<(), FigureError> {
        let allowed = Figure::MIN_SIZE..=Figure::MAX_SIZE;
        if !allowed.contains(&self.width) || !allowed.contains(&self.height) {
            return Err(FigureError::InvalidSize {
                width: self.width,
                height: self.height,
            });
        }
        if self.series.is_empty() {
            return Err(FigureError::NoSeries);
        }
        if self.has_bars()
            && let Some(other) = self
                .series
                .iter()
                .find(|series| !matches!(series.data, SeriesData::Bars(_)))
        {
            return Err(FigureError::MixedAxes {
                series: other.name.clone(),
            });
        }
        self.series.iter().try_for_each(validate_series)?;
        if self.series.iter().all(Series::is_empty) {
            return Err(FigureError::NoPoints);
        }
        Ok(())
    }

    fn draw(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult {
        root.fill(&WHITE)?;
        let histograms = self.histograms();
        let categories = self.categories();
        let (x_span, y_span) = self.axis_spans(&histograms, &categories);
        let place =
            self.choose_legend_place(&histograms, &categories, x_span.clone(), y_span.clone())?;
        let area = self.chart_area(root, place)?;
        let mut chart = self.build_chart(&area, x_span.clone(), y_span.clone(), place)?;

        let tick_label = |value: &f64| pretty_print_float(*value, true);
        let log_tick_label = |exponent: &f64| power_of_ten_label(*exponent);
        let mut mesh = chart.configure_mesh();
        mesh.max_light_lines(0)
            .bold_line_style(BLACK.mix(0.12))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .x_label_formatter(if self.log_x {
                &log_tick_label
            } else {
                &tick_label
            })
            .y_label_formatter(if self.log_y {
                &log_tick_label
            } else {
                &tick_label
            });
        if self.log_x {
            mesh.x_labels(decades(&x_span));
        }
        if self.log_y {
            mesh.y_labels(decades(&y_span));
        }
        if !categories.is_empty() {
            // Category names are drawn below, one under each group of bars.
            mesh.disable_x_mesh().x_labels(0);
        }
        if !self.x_label.is_empty() {
            mesh.x_desc(&self.x_label);
        }
        if !self.y_label.is_empty() {
            mesh.y_desc(&self.y_label);
        }
        mesh.draw()?;
        if !categories.is_empty() {
            draw_category_names(root, &chart, &categories)?;
        }

        self.draw_series(&mut chart, &histograms, &categories)?;
        self.draw_legend(root, plot_box(&chart), place)
    }

    /// The x and y ranges of the axes: categories side by side for bars, else every point and bin.
    fn axis_spans(
        &self,
        histograms: &[Option<Histogram>],
        categories: &[&str],
    ) -> (Range<f64>, Range<f64>) {
        if self.has_bars() {
            let ys = if self.log_y {
                log_bar_span(self.bar_values())
            } else {
                let values: Vec<f64> = self.bar_values().chain([0.0]).collect();
                starting_at_zero(padded_range(values.iter().copied()), &values)
            };
            (-0.5..categories.len() as f64 - 0.5, ys)
        } else {
            self.axis_ranges(histograms)
        }
    }

    /// The part of `root` the chart is built on: all of it, or, for a legend outside the plot,
    /// what is left under the title once the legend has room beside the chart or above it. Then
    /// the margins and the title are laid out here, over the whole width, and the chart gets
    /// neither.
    fn chart_area<'svg>(
        &self,
        root: &DrawingArea<SVGBackend<'svg>, Shift>,
        place: LegendPlace,
    ) -> Result<DrawingArea<SVGBackend<'svg>, Shift>, DrawingAreaErrorKind<io::Error>> {
        if let LegendPlace::Inside(_) = place {
            return Ok(root.clone());
        }
        let framed = root.margin(CHART_MARGIN, CHART_MARGIN, CHART_MARGIN, CHART_MARGIN);
        let below_title = match self.title.is_empty() {
            true => framed,
            false => framed.titled(&self.title, ("sans-serif", 24))?,
        };
        let room_across = self.width as i32 - 2 * CHART_MARGIN;
        Ok(match place {
            LegendPlace::Right => {
                let (width, _) = self.legend_layout(None).size;
                let beside = width + 2 * LEGEND_INSET;
                below_title.split_horizontally(room_across - beside).0
            }
            _ => {
                let plot_width = room_across - Y_LABEL_AREA;
                let (_, height) = self.legend_layout(Some(plot_width)).size;
                below_title.split_vertically(height + 2 * LEGEND_INSET).1
            }
        })
    }

    /// The chart on `area` (from [`Figure::chart_area`]): its margins and title unless those are
    /// drawn already, and room for the axes' ticks and labels.
    fn build_chart<'area, 'svg>(
        &self,
        area: &'area DrawingArea<SVGBackend<'svg>, Shift>,
        x_span: Range<f64>,
        y_span: Range<f64>,
        place: LegendPlace,
    ) -> Result<Chart<'area, 'svg>, DrawingAreaErrorKind<io::Error>> {
        let mut builder = ChartBuilder::on(area);
        builder
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA);
        if let LegendPlace::Inside(_) = place {
            builder.margin(CHART_MARGIN);
            if !self.title.is_empty() {
                builder.caption(&self.title, ("sans-serif", 24));
            }
        }
        builder.build_cartesian_2d(x_span, y_span)
    }

    /// The corner asked for, or the one that covers the fewest data marks (the first on a tie),
    /// or outside the plot when every corner covers some. The plot is laid out on a scratch
    /// drawing, as it will be without a legend margin, to find where the data lands in pixels.
    fn choose_legend_place(
        &self,
        histograms: &[Option<Histogram>],
        categories: &[&str],
        x_span: Range<f64>,
        y_span: Range<f64>,
    ) -> Result<LegendPlace, DrawingAreaErrorKind<io::Error>> {
        if self.legend != Corner::Auto {
            return Ok(LegendPlace::Inside(self.legend));
        }
        let mut scratch = String::new();
        let root =
            SVGBackend::with_string(&mut scratch, (self.width, self.height)).into_drawing_area();
        let chart = self.build_chart(&root, x_span, y_span, LegendPlace::Inside(Corner::Auto))?;
        let plot = plot_box(&chart);
        let marks = self.marks(&chart, histograms, categories);
        let size = self.legend_layout(None).size;
        let mut best = (Corner::Auto, usize::MAX);
        for corner in CORNERS_IN_ORDER {
            let covered = covered_marks(&legend_frame(plot, size, corner), &marks);
            if covered < best.1 {
                best = (corner, covered);
            }
        }
        if best.1 == 0 {
            return Ok(LegendPlace::Inside(best.0));
        }
        let beside_fits =
            size.0 <= self.width as i32 / 4 && size.1 <= plot.bottom - plot.top - 2 * LEGEND_INSET;
        Ok(if beside_fits {
            LegendPlace::Right
        } else {
            LegendPlace::Above
        })
    }

    /// Everything the series draw, in pixels: what a legend should not hide.
    fn marks(
        &self,
        chart: &Chart<'_, '_>,
        histograms: &[Option<Histogram>],
        categories: &[&str],
    ) -> Vec<Mark> {
        let pixel = |point: &(f64, f64)| chart.backend_coord(point);
        let area = |corners: [(f64, f64); 2]| {
            let ((x0, y0), (x1, y1)) = (pixel(&corners[0]), pixel(&corners[1]));
            Mark::Area(PixelBox {
                left: x0.min(x1),
                top: y0.min(y1),
                right: x0.max(x1),
                bottom: y0.max(y1),
            })
        };
        let segments = |points: &[(f64, f64)]| -> Vec<Mark> {
            let pixels: Vec<(i32, i32)> = points.iter().map(pixel).collect();
            match pixels.as_slice() {
                [only] => vec![Mark::Dot(*only)],
                _ => pixels
                    .windows(2)
                    .map(|pair| Mark::Segment(pair[0], pair[1]))
                    .collect(),
            }
        };
        let bar_series = self.series.len();
        let mut marks = Vec::new();
        for (position, (series, histogram)) in self.series.iter().zip(histograms).enumerate() {
            match &series.data {
                SeriesData::Line(points) => marks.extend(segments(points)),
                SeriesData::Step(points) => marks.extend(segments(&step_path(points))),
                SeriesData::Points(points) => {
                    marks.extend(points.iter().map(|point| Mark::Dot(pixel(point))));
                }
                SeriesData::Bars(bars) => marks.extend(bars.iter().map(|(category, value)| {
                    area(bar_corners(
                        categories,
                        category,
                        (self.bar_base(chart), *value),
                        position,
                        bar_series,
                    ))
                })),
                SeriesData::Histogram { .. } => marks.extend(
                    histogram
                        .iter()
                        .flat_map(Histogram::bins)
                        .filter(|bin| bin.count > 0)
                        .map(|bin| area([(bin.low, 0.0), (bin.high, bin.count as f64)])),
                ),
            }
        }
        marks
    }

    /// The legend's size and, for each series, where its sample starts (left end, vertical
    /// middle) from the legend's top-left corner: one entry per row, or, given the room across,
    /// entries side by side in as many rows as needed.
    fn legend_layout(&self, room_across: Option<i32>) -> LegendLayout {
        let mut offsets = Vec::with_capacity(self.series.len());
        let (mut x, mut row, mut widest) = (LEGEND_PADDING, 0, 0);
        for series in &self.series {
            let entry = LEGEND_SAMPLE + name_width(&series.name);
            if let Some(room) = room_across
                && x > LEGEND_PADDING
                && x + entry + LEGEND_PADDING > room
            {
                (x, row) = (LEGEND_PADDING, row + 1);
            }
            offsets.push((x, LEGEND_PADDING + row * LEGEND_ROW + LEGEND_ROW / 2));
            widest = widest.max(x + entry);
            match room_across {
                Some(_) => x += entry + LEGEND_ENTRY_GAP,
                None => row += 1,
            }
        }
        let rows = match room_across {
            Some(_) => row + 1,
            None => row,
        };
        LegendLayout {
            size: (
                widest + LEGEND_PADDING,
                rows * LEGEND_ROW + 2 * LEGEND_PADDING,
            ),
            offsets,
        }
    }

    /// Draws the legend box at `place` around the plotting area `plot`: a sample of each series
    /// drawn the way the series is, then its name.
    fn draw_legend(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
        plot: PixelBox,
        place: LegendPlace,
    ) -> DrawResult {
        let layout = match place {
            LegendPlace::Above => self.legend_layout(Some(plot.right - plot.left)),
            _ => self.legend_layout(None),
        };
        let (width, height) = layout.size;
        let frame = match place {
            LegendPlace::Inside(corner) => legend_frame(plot, layout.size, corner),
            LegendPlace::Right => PixelBox {
                left: plot.right + 2 * LEGEND_INSET,
                top: plot.top,
                right: plot.right + 2 * LEGEND_INSET + width,
                bottom: plot.top + height,
            },
            LegendPlace::Above => PixelBox {
                left: plot.left,
                top: plot.top - LEGEND_INSET - height,
                right: plot.left + width,
                bottom: plot.top - LEGEND_INSET,
            },
        };
        let corners = [(frame.left, frame.top), (frame.right, frame.bottom)];
        root.draw(&Rectangle::new(corners, WHITE.mix(0.85).filled()))?;
        root.draw(&Rectangle::new(corners, BLACK))?;
        let name_style = ("sans-serif", LEGEND_FONT_SIZE)
            .into_text_style(root)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let entries = self.series.iter().zip(PALETTE.iter().cycle());
        for ((series, &color), (dx, dy)) in entries.zip(layout.offsets) {
            let (x, y) = (frame.left + dx, frame.top + dy);
            match series.data {
                SeriesData::Line(_) | SeriesData::Step(_) => root.draw(&PathElement::new(
                    [(x, y), (x + 20, y)],
                    color.stroke_width(2),
                ))?,
                SeriesData::Points(_) => root.draw(&Circle::new((x + 10, y), 4, color.filled()))?,
                SeriesData::Bars(_) => root.draw(&Rectangle::new(
                    [(x, y - 5), (x + 20, y + 5)],
                    color.filled(),
                ))?,
                SeriesData::Histogram { .. } => root.draw(&Rectangle::new(
                    [(x, y - 5), (x + 20, y + 5)],
                    color.mix(0.55).filled(),
                ))?,
            }
            let name = Text::new(
                series.name.clone(),
                (x + LEGEND_SAMPLE, y),
                name_style.clone(),
            );
            root.draw(&name)?;
        }
        Ok(())
    }

    /// Each histogram series, binned; `None` for other series. Call only after `validate`.
    fn histograms(&self) -> Vec<Option<Histogram>> {
        self.series
            .iter()
            .map(|series| match &series.data {
                SeriesData::Histogram { values, bins } => {
                    Histogram::new(values.iter().copied(), *bins).ok()
                }
                _ => None,
            })
            .collect()
    }

    /// Every category of every bar series, in the order first seen.
    fn categories(&self) -> Vec<&str> {
        let mut categories: Vec<&str> = Vec::new();
        for series in &self.series {
            if let SeriesData::Bars(bars) = &series.data {
                for (category, _) in bars {
                    if !categories.contains(&category.as_str()) {
                        categories.push(category);
                    }
                }
            }
        }
        categories
    }

    /// Where bars start: zero, or the bottom of a log axis.
    fn bar_base(&self, chart: &Chart<'_, '_>) -> f64 {
        match self.log_y {
            true => chart.y_range().start,
            false => 0.0,
        }
    }

    fn bar_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series.iter().flat_map(|series| match &series.data {
            SeriesData::Bars(bars) => bars.iter().map(|&(_, value)| value).collect(),
            _ => Vec::new(),
        })
    }

    /// The x and y ranges covering every point and bin; call only after `validate`.
    fn axis_ranges(&self, histograms: &[Option<Histogram>]) -> (Range<f64>, Range<f64>) {
        let mut points: Vec<(f64, f64)> = Vec::new();
        for series in &self.series {
            if let SeriesData::Line(own) | SeriesData::Step(own) | SeriesData::Points(own) =
                &series.data
            {
                points.extend(own);
            }
        }
        for bin in histograms.iter().flatten().flat_map(Histogram::bins) {
            points.extend([(bin.low, 0.0), (bin.high, bin.count as f64)]);
        }
        let xs = padded_range(points.iter().map(|&(x, _)| x));
        let ys = padded_range(points.iter().map(|&(_, y)| y));
        if histograms.iter().any(Option::is_some) {
            let heights: Vec<f64> = points.iter().map(|&(_, y)| y).collect();
            return (xs, starting_at_zero(ys, &heights));
        }
        (xs, ys)
    }

    /// Draws every series in its palette colour.
    fn draw_series(
        &self,
        chart: &mut Chart<'_, '_>,
        histograms: &[Option<Histogram>],
        categories: &[&str],
    ) -> DrawResult {
        let bar_series = self.series.len();
        let series = self
            .series
            .iter()
            .zip(PALETTE.iter().cycle())
            .zip(histograms);
        for (position, ((series, &color), histogram)) in series.enumerate() {
            match &series.data {
                SeriesData::Line(points) => {
                    let line = PathElement::new(points.clone(), color.stroke_width(2));
                    chart.draw_series(std::iter::once(line))?;
                }
                SeriesData::Step(points) => {
                    let steps = PathElement::new(step_path(points), color.stroke_width(2));
                    chart.draw_series(std::iter::once(steps))?;
                }
                SeriesData::Points(points) => {
                    let dots = points
                        .iter()
                        .map(|&point| Circle::new(point, 4, color.filled()));
                    chart.draw_series(dots)?;
                }
                SeriesData::Bars(bars) => {
                    let base = self.bar_base(chart);
                    let rectangles = bars.iter().map(|(category, value)| {
                        let corners =
                            bar_corners(categories, category, (base, *value), position, bar_series);
                        Rectangle::new(corners, color.filled())
                    });
                    chart.draw_series(rectangles)?;
                }
                SeriesData::Histogram { .. } => {
                    let bins = histogram.iter().flat_map(Histogram::bins);
                    let fill = color.mix(0.55).filled();
                    let bars = bins.flat_map(|bin| {
                        let corners = [(bin.low, 0.0), (bin.high, bin.count as f64)];
                        [
                            Rectangle::new(corners, fill),
                            Rectangle::new(corners, color.stroke_width(1)),
                        ]
                    });
                    chart.draw_series(bars)?;
                }
            }
        }
        Ok(())
    }
}

/// The space around the chart, in pixels.
const CHART_MARGIN: i32 = 16;
/// The height under the plot for the x axis' ticks and label.
const X_LABEL_AREA: i32 = 44;
/// The width left of the plot for the y axis' ticks and label.
const Y_LABEL_AREA: i32 = 60;

/// The corners tried for an automatic legend, in order of preference.
const CORNERS_IN_ORDER: [Corner; 4] = [
    Corner::UpperLeft,
    Corner::UpperRight,
    Corner::LowerLeft,
    Corner::LowerRight,
];

/// The font size of legend names, as plotters takes it (it draws text at this size / 1.24).
const LEGEND_FONT_SIZE: f64 = 14.0;
/// The height of one legend row, in pixels.
const LEGEND_ROW: i32 = 17;
/// The space between the legend's frame and its entries.
const LEGEND_PADDING: i32 = 10;
/// The width of a series' sample plus the space before its name.
const LEGEND_SAMPLE: i32 = 30;
/// The space between entries that sit side by side.
const LEGEND_ENTRY_GAP: i32 = 16;
/// The space between the legend and the plotting area's frame.
const LEGEND_INSET: i32 = 5;
/// Data this close to the legend counts as covered: a dot's radius, so no dot is half hidden.
const LEGEND_CLEARANCE: i32 = 4;

/// An estimate of a legend name's width in pixels. No font is loaded, so this is plotters'
/// own rule for its `sans-serif` text (0.7 em per character, em = size / 1.24²), which errs
/// wide for the proportional fonts browsers use.
fn name_width(name: &str) -> i32 {
    let em = LEGEND_FONT_SIZE / 1.24 / 1.24;
    (em * 0.7 * name.chars().count() as f64).ceil() as i32
}

/// A legend's size and where each series' sample starts, from its top-left corner.
struct LegendLayout {
    size: (i32, i32),
    offsets: Vec<(i32, i32)>,
}

/// A rectangle in pixels, edges included.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PixelBox {
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
}

impl PixelBox {
    fn grown_by(self, pixels: i32) -> PixelBox {
        PixelBox {
            left: self.left - pixels,
            top: self.top - pixels,
            right: self.right + pixels,
            bottom: self.bottom + pixels,
        }
    }

    fn contains(&self, (x, y): (i32, i32)) -> bool {
        (self.left..=self.right).contains(&x) && (self.top..=self.bottom).contains(&y)
    }

    fn overlaps(&self, other: &PixelBox) -> bool {
        self.left <= other.right
            && other.left <= self.right
            && self.top <= other.bottom
            && other.top <= self.bottom
    }

    /// Whether the segment from `start` to `end` passes through the box: clipped to the box's
    /// horizontal extent (Liang-Barsky, in one dimension at a time), something is left.
    fn crossed_by(&self, start: (i32, i32), end: (i32, i32)) -> bool {
        let (x0, y0) = (f64::from(start.0), f64::from(start.1));
        let (dx, dy) = (f64::from(end.0) - x0, f64::from(end.1) - y0);
        let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
        let sides = [
            (-dx, x0 - f64::from(self.left)),
            (dx, f64::from(self.right) - x0),
            (-dy, y0 - f64::from(self.top)),
            (dy, f64::from(self.bottom) - y0),
        ];
        for (direction, room) in sides {
            if direction == 0.0 {
                if room < 0.0 {
                    return false;
                }
            } else {
                let at = room / direction;
                if direction < 0.0 {
                    enter = enter.max(at);
                } else {
                    leave = leave.min(at);
                }
            }
        }
        enter <= leave
    }
}

/// Something a series draws, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    /// A scatter point, or a line of one point.
    Dot((i32, i32)),
    /// A piece of a line or step.
    Segment((i32, i32), (i32, i32)),
    /// A bar or histogram bin.
    Area(PixelBox),
}

/// How many marks the legend `frame` would cover, counting those within the clearance.
fn covered_marks(frame: &PixelBox, marks: &[Mark]) -> usize {
    let near = frame.grown_by(LEGEND_CLEARANCE);
    marks
        .iter()
        .filter(|mark| match mark {
            Mark::Dot(point) => near.contains(*point),
            Mark::Segment(start, end) => near.crossed_by(*start, *end),
            Mark::Area(area) => near.overlaps(area),
        })
        .count()
}

/// The plotting area of `chart`, in pixels.
fn plot_box(chart: &Chart<'_, '_>) -> PixelBox {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    PixelBox {
        left: xs.start,
        top: ys.start,
        right: xs.end,
        bottom: ys.end,
    }
}

/// A legend of `size` in `corner` of the plotting area `plot`, inset from its frame.
fn legend_frame(plot: PixelBox, (width, height): (i32, i32), corner: Corner) -> PixelBox {
    let left = match corner {
        Corner::UpperRight | Corner::LowerRight => plot.right - LEGEND_INSET - width,
        Corner::Auto | Corner::UpperLeft | Corner::LowerLeft => plot.left + LEGEND_INSET,
    };
    let top = match corner {
        Corner::LowerLeft | Corner::LowerRight => plot.bottom - LEGEND_INSET - height,
        Corner::Auto | Corner::UpperLeft | Corner::UpperRight => plot.top + LEGEND_INSET,
    };
    PixelBox {
        left,
        top,
        right: left + width,
        bottom: top + height,
    }
}

/// The corners of the bar for `category` in the series at `position` of `bar_series`: the
/// series' bars stand side by side in the middle 80% of each category's slot.
/// The corners of one bar from `base` to `value` (the pair `heights`).
fn bar_corners(
    categories: &[&str],
    category: &str,
    heights: (f64, f64),
    position: usize,
    bar_series: usize,
) -> [(f64, f64); 2] {
    let (base, value) = heights;
    let width = 0.8 / bar_series.max(1) as f64;
    let offset = -0.4 + width * position as f64;
    let slot = categories
        .iter()
        .position(|known| *known == category)
        .unwrap_or(0) as f64;
    let left = slot + offset;
    [(left, base), (left + width, value)]
}

/// The y span of bars on a log axis, in exponents: from the power of ten at or below the
/// lowest bar (where bars start) to a little above the highest.
fn log_bar_span(exponents: impl Iterator<Item = f64>) -> Range<f64> {
    let (low, high) = exponents.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    if !low.is_finite() {
        return 0.0..1.0;
    }
    let low = low.floor();
    low..high + 0.05 * (high - low).max(1.0)
}

/// Checks one series' values: finite, not huge, and a bin count a histogram allows.
fn validate_series(series: &Series) -> Result<(), FigureError> {
    let invalid_point = |index, x, y| FigureError::InvalidPoint {
        series: series.name.clone(),
        index,
        x,
        y,
    };
    match &series.data {
        SeriesData::Line(points) | SeriesData::Step(points) | SeriesData::Points(points) => {
            match points
                .iter()
                .enumerate()
                .find(|(_, (x, y))| !is_allowed_coordinate(*x) || !is_allowed_coordinate(*y))
            {
                Some((index, &(x, y))) => Err(invalid_point(index, x, y)),
                None => Ok(()),
            }
        }
        SeriesData::Bars(bars) => match bars
            .iter()
            .enumerate()
            .find(|(_, (_, value))| !is_allowed_coordinate(*value))
        {
            Some((index, &(_, value))) => Err(invalid_point(index, index as f64, value)),
            None => Ok(()),
        },
        SeriesData::Histogram { values, bins } => {
            if !(1..=Histogram::MAX_BINS).contains(bins) {
                return Err(FigureError::InvalidBins {
                    series: series.name.clone(),
                    bins: *bins,
                });
            }
            match values
                .iter()
                .enumerate()
                .find(|(_, value)| !is_allowed_coordinate(**value))
            {
                Some((index, &value)) => Err(invalid_point(index, value, 0.0)),
                None => Ok(()),
            }
        }
    }
}

/// The corners of a step line: each value holds until the next point's x, then jumps.
fn step_path(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut path = Vec::with_capacity(points.len() * 2);
    for pair in points.windows(2) {
        let ((x0, y0), (x1, _)) = (pair[0], pair[1]);
        path.extend([(x0, y0), (x1, y0)]);
    }
    if let Some(&last) = points.last() {
        path.push(last);
    }
    path
}

/// Writes each category's name centred under its group of bars, where tick labels would be.
fn draw_category_names(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &Chart<'_, '_>,
    categories: &[&str],
) -> DrawResult {
    let baseline = chart.y_range().start;
    let style = ("sans-serif", 14)
        .into_text_style(root)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (index, category) in categories.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(index as f64, baseline));
        root.draw(&Text::new(category.to_string(), (x, y + 8), style.clone()))?;
    }
    Ok(())
}

/// Bars and bins grow from zero, so the axis starts there when no value is negative.
fn starting_at_zero(range: Range<f64>, values: &[f64]) -> Range<f64> {
    if values.iter().all(|&value| value >= 0.0) {
        0.0..range.end
    } else {
        range
    }
}

/// Finite and small enough that the span of any two such values, padded, is finite too.
fn is_allowed_coordinate(value: f64) -> bool {
    value.abs() <= Figure::MAX_COORDINATE
}

/// The range from the smallest to the largest value, widened by 5% on each side so points do not
/// sit on the frame; a single value `v` gets `v ± max(1, |v| / 10)`.
fn padded_range(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    if low == high {
        let margin = (low.abs() / 10.0).max(1.0);
        return (low - margin)..(high + margin);
    }
    let margin = (high - low) * 0.05;
    (low - margin)..(high + margin)
}

impl RichDisplay for Figure {
    /// The SVG as `image/svg+xml` and a one-line summary as `text/plain`; a figure that cannot be
    /// drawn shows only the reason, as text.
    fn mime_bundle(&self) -> MimeBundle {
        match self.to_svg() {
            Ok(svg) => MimeBundle::new().with("image/svg+xml", svg).with(
                "text/plain",
                format!("Figure: {} ({} series)", self.title, self.series.len()),
            ),
            Err(error) => MimeBundle::new().with(
                "text/plain",
                format!("Figure {:?} cannot be drawn: {error}", self.title),
            ),
        }
    }
}

/// 10 to the power `exponent`, to three significant digits: the value a tick on a log axis
/// stands for.
fn rounded_power_of_ten(exponent: f64) -> f64 {
    let value = 10f64.powf(exponent);
    let scale = 10f64.powi(2 - exponent.floor() as i32);
    (value * scale).round() / scale
}

/// The label of a tick on a log axis at `exponent`: the value it stands for, whole numbers
/// with thousands separators (10,000 rather than 1e4).
fn power_of_ten_label(exponent: f64) -> String {
    let value = rounded_power_of_ten(exponent);
    if value < 1.0 || value.fract() != 0.0 || value > 1e15 {
        return format!("{value}");
    }
    let digits = format!("{value:.0}");
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// How many ticks a log axis over `exponents` gets: about one per power of ten, so that the
/// ticks fall on whole powers once the axis spans a few of them.
fn decades(exponents: &Range<f64>) -> usize {
    ((exponents.end - exponents.start).ceil() as usize + 1).clamp(2, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    fn lamport_figure() -> Figure {
        Figure::new("Lamport time per event")
            .x_label("event number")
            .y_label("Lamport time")
            .line("A", [(1.0, 1.0), (2.0, 2.0), (3.0, 7.0)])
            .line("B", [(1.0, 1.0), (2.0, 3.0), (3.0, 4.0)])
            .points("C", [(1.0, 1.0), (2.0, 5.0), (3.0, 6.0)])
    }

    #[test]
    fn svg_is_a_complete_document_with_a_namespace() {
        let svg = lamport_figure().to_svg().unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.contains(r#"width="640" height="400""#));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(count(&svg, "<svg"), 1);
        assert_eq!(count(&svg, "</svg>"), 1);
    }

    /// The text of every `<text>` element, in document order.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text ")
            .skip(1)
            .map(|element| {
                let content = &element[element.find('>').unwrap() + 1..];
                content[..content.find("</text>").unwrap()].trim()
            })
            .collect()
    }

    #[test]
    fn title_labels_ticks_and_legend_are_text_elements() {
        let svg = lamport_figure().to_svg().unwrap();
        assert_eq!(
            texts(&svg),
            [
                "Lamport time per event",
                "Lamport time",
                "event number",
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "1",
                "1.2",
                "1.4",
                "1.6",
                "1.8",
                "2",
                "2.2",
                "2.4",
                "2.6",
                "2.8",
                "3",
                "A",
                "B",
                "C",
            ]
        );
        assert_eq!(count(&svg, r#"font-family="sans-serif""#), 24);
    }

    #[test]
    fn each_line_series_is_one_thick_polyline_plus_its_legend_sample() {
        let svg = lamport_figure().to_svg().unwrap();
        assert_eq!(
            count(
                &svg,
                r##"<polyline fill="none" opacity="1" stroke="#0072B2" stroke-width="2""##
            ),
            2
        );
        assert_eq!(
            count(
                &svg,
                r##"<polyline fill="none" opacity="1" stroke="#D55E00" stroke-width="2""##
            ),
            2
        );
        assert_eq!(count(&svg, r#"stroke-width="2""#), 4);
        // The rest are the two axes and their tick marks: 7 on y, 11 on x.
        assert_eq!(count(&svg, "<polyline"), 4 + 2 + 7 + 11);
        let only_points = Figure::new("dots")
            .points("C", [(1.0, 1.0), (2.0, 5.0)])
            .to_svg()
            .unwrap();
        assert_eq!(count(&only_points, r#"stroke-width="2""#), 0);
    }

    #[test]
    fn each_point_is_one_circle_plus_one_per_legend_sample() {
        let svg = lamport_figure().to_svg().unwrap();
        assert_eq!(count(&svg, "<circle"), 3 + 1);
        let lines_only = Figure::new("lines").line("A", [(0.0, 0.0), (1.0, 1.0)]);
        assert_eq!(count(&lines_only.to_svg().unwrap(), "<circle"), 0);
    }

    #[test]
    fn series_colours_follow_the_palette() {
        let svg = lamport_figure().to_svg().unwrap();
        assert!(svg.contains(r##"stroke="#0072B2""##));
        assert!(svg.contains(r##"stroke="#D55E00""##));
        assert!(svg.contains(r##"fill="#009E73""##));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(lamport_figure().to_svg(), lamport_figure().to_svg());
    }

    #[test]
    fn empty_title_draws_no_caption() {
        let untitled = Figure::new("")
            .x_label("x")
            .line("A", [(0.0, 0.0), (1.0, 1.0)]);
        assert_eq!(texts(&untitled.to_svg().unwrap())[0], "x");
        let titled = untitled.clone();
        let titled = Figure {
            title: "T".into(),
            ..titled
        };
        assert_eq!(texts(&titled.to_svg().unwrap())[0], "T");
    }

    #[test]
    fn a_single_point_gets_a_non_empty_range() {
        assert_eq!(padded_range([3.0].into_iter()), 2.0..4.0);
        assert!(
            Figure::new("one")
                .points("p", [(3.0, 3.0)])
                .to_svg()
                .is_ok()
        );
    }

    #[test]
    fn a_single_huge_point_gets_a_range_wider_than_rounding() {
        assert_eq!(padded_range([1e300].into_iter()), 0.9e300..1.1e300);
    }

    /// Before coordinates were bounded, a span of 2e308 overflowed to infinity and plotters
    /// looped forever looking for tick marks.
    #[test]
    fn the_widest_allowed_span_draws() {
        let max = Figure::MAX_COORDINATE;
        let figure = Figure::new("wide").line("a", [(-max, max), (max, -max)]);
        assert!(figure.to_svg().is_ok());
    }

    #[test]
    fn ranges_are_padded_by_five_percent() {
        assert_eq!(padded_range([0.0, 10.0, 4.0].into_iter()), -0.5..10.5);
    }

    #[test]
    fn no_series_is_an_error() {
        assert_eq!(Figure::new("t").to_svg(), Err(FigureError::NoSeries));
    }

    #[test]
    fn series_without_points_is_an_error() {
        let empty: [(f64, f64); 0] = [];
        assert_eq!(
            Figure::new("t").line("a", empty).to_svg(),
            Err(FigureError::NoPoints)
        );
        assert!(
            Figure::new("t")
                .line("a", empty)
                .line("b", [(0.0, 0.0)])
                .to_svg()
                .is_ok()
        );
    }

    #[test]
    fn non_finite_and_huge_points_are_errors_naming_the_series_and_index() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e301, -f64::MAX] {
            let error = Figure::new("t")
                .line("ok", [(0.0, 0.0)])
                .points("bad", [(0.0, 1.0), (bad, 2.0)])
                .to_svg()
                .unwrap_err();
            assert!(matches!(
                &error,
                FigureError::InvalidPoint { series, index: 1, y: 2.0, .. } if series == "bad"
            ));
        }
        let error = Figure::new("t")
            .line("a", [(1.0, f64::NAN)])
            .to_svg()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "point 0 of series \"a\" is (1, NaN); coordinates must be finite numbers between \
             -1e300 and 1e300"
        );
    }

    #[test]
    fn sizes_outside_the_allowed_range_are_errors() {
        let figure = Figure::new("t").line("a", [(0.0, 0.0)]);
        for (width, height) in [(0, 400), (640, 0), (99, 400), (10_001, 400)] {
            assert_eq!(
                figure.clone().size(width, height).to_svg(),
                Err(FigureError::InvalidSize { width, height })
            );
        }
        assert_eq!(
            FigureError::InvalidSize {
                width: 0,
                height: 0
            }
            .to_string(),
            "figure size 0x0 is not allowed; width and height must each be between 100 and \
             10000 pixels"
        );
    }

    #[test]
    fn the_smallest_and_largest_sizes_draw() {
        let figure = Figure::new("a long title that does not fit")
            .x_label("x")
            .y_label("y")
            .line("a", [(0.0, 0.0), (1e9, -1e9)]);
        for (width, height) in [(100, 100), (100, 10_000), (10_000, 100)] {
            assert!(figure.clone().size(width, height).to_svg().is_ok());
        }
    }

    #[test]
    fn mime_bundle_has_svg_then_summary() {
        let bundle = lamport_figure().mime_bundle();
        let types: Vec<&str> = bundle.iter().map(|(mime, _)| mime).collect();
        assert_eq!(types, ["image/svg+xml", "text/plain"]);
        assert_eq!(
            bundle.get("text/plain"),
            Some("Figure: Lamport time per event (3 series)")
        );
    }

    #[test]
    fn mime_bundle_of_a_broken_figure_explains_in_text() {
        let bundle = Figure::new("empty").mime_bundle();
        assert_eq!(bundle.len(), 1);
        assert_eq!(
            bundle.get("text/plain"),
            Some(
                "Figure \"empty\" cannot be drawn: the figure has no series to draw; add one \
                 with .line, .step, .points, .bars or .histogram"
            )
        );
    }

    #[test]
    fn a_segment_crosses_a_box_it_passes_through_even_with_both_ends_outside() {
        let frame = PixelBox {
            left: 10,
            top: 10,
            right: 20,
            bottom: 20,
        };
        assert!(frame.crossed_by((0, 0), (30, 30)));
        assert!(frame.crossed_by((15, 0), (15, 30)));
        assert!(frame.crossed_by((12, 12), (13, 13)));
        assert!(!frame.crossed_by((0, 0), (30, 0)));
        assert!(!frame.crossed_by((0, 30), (9, 0)));
        assert!(!frame.crossed_by((21, 21), (40, 25)));
    }

    #[test]
    fn a_legend_row_per_series_or_side_by_side_given_the_room() {
        let figure = Figure::new("t")
            .line("ab", [(0.0, 0.0)])
            .line("abcd", [(0.0, 0.0)]);
        // 10 padding + 30 sample + 6.37 px per character, rounded up, + 10 padding.
        let stacked = figure.legend_layout(None);
        assert_eq!(stacked.size, (10 + 30 + 26 + 10, 2 * 17 + 20));
        assert_eq!(stacked.offsets, [(10, 18), (10, 35)]);
        let across = figure.legend_layout(Some(500));
        assert_eq!(across.size, (10 + 43 + 16 + 56 + 10, 17 + 20));
        assert_eq!(across.offsets, [(10, 18), (69, 18)]);
        let narrow = figure.legend_layout(Some(100));
        assert_eq!(narrow.offsets, [(10, 18), (10, 35)]);
    }

    #[test]
    fn bars_on_a_log_axis_rise_from_a_power_of_ten_with_labelled_ticks() {
        let figure = Figure::new("latency").log_y().bars(
            "p99",
            [("a", 0.5), ("b", 80.0), ("c", 30_000.0), ("none", 0.0)],
        );
        let svg = figure.to_svg().unwrap();
        assert!(!svg.contains("NaN"), "a tick label is NaN");
        // Ticks name the values, not their exponents.
        let labels: Vec<&str> = svg
            .lines()
            .filter(|line| {
                line.chars()
                    .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
                    && !line.is_empty()
            })
            .collect();
        assert!(labels.contains(&"1,000"), "{labels:?}");
        // The axis starts at 0.1, the power of ten below the lowest bar; zero has no bar.
        assert_eq!(
            log_bar_span([0.5f64.log10(), 30_000f64.log10()].into_iter()).start,
            -1.0
        );
        let drawn = figure.in_log_coordinates();
        let SeriesData::Bars(bars) = &drawn.series[0].data else {
            panic!("bars expected")
        };
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[1].1, 80f64.log10());
    }

    #[test]
    fn save_svg_reports_invalid_figures_as_invalid_input() {
        let path = std::env::temp_dir().join("lessons-test-invalid-figure.svg");
        let error = Figure::new("t").save_svg(&path).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(!path.exists());
    }
}
