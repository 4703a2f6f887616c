use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::FigureError;
use super::svg::{DrawResult, render_svg, save_svg};
use crate::display::{MimeBundle, RichDisplay};

/// A grid of numbers drawn as coloured cells, with a colour scale: how availability depends on
/// N and W, how load spreads over nodes and minutes.
///
/// Rows are drawn top to bottom in the order given, columns left to right. Colours run from
/// dark purple (the smallest value) to yellow (the largest), the viridis scale, which reads the
/// same in greyscale and for colour-blind readers. A NaN value is an empty cell, drawn grey:
/// use it for combinations that make no sense (a write quorum larger than N, say).
///
/// # Examples
///
/// ```
/// use lessons::viz::Heatmap;
///
/// let overlap = Heatmap::new("Do read and write quorums overlap? (N = 3)")
///     .x_label("write quorum W")
///     .y_label("read quorum R")
///     .columns(["1", "2", "3"])
///     .rows(["1", "2", "3"])
///     .values([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
///     .show_values(true);
/// let svg = overlap.to_svg()?;
/// assert!(svg.contains("write quorum W"));
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    title: String,
    x_label: String,
    y_label: String,
    width: u32,
    height: u32,
    columns: Vec<String>,
    rows: Vec<String>,
    values: Vec<Vec<f64>>,
    show_values: bool,
}

/// The viridis colour scale at five evenly spaced stops, from the lowest value to the highest.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The colour of an empty (NaN) cell.
const EMPTY: RGBColor = RGBColor(220, 220, 220);

/// Width of the colour scale on the right, in pixels.
const SCALE_WIDTH: u32 = 90;

impl Heatmap {
    /// An empty 640x480 heatmap with a title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::Heatmap::new("load").title(), "load");
    /// ```
    pub fn new(title: impl Into<String>) -> Heatmap {
        Heatmap {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            width: 640,
            height: 480,
            columns: Vec::new(),
            rows: Vec::new(),
            values: Vec::new(),
            show_values: false,
        }
    }

    /// The heatmap with a label under the x axis.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let svg = Heatmap::new("").x_label("minute").values([[1.0]]).to_svg()?;
    /// assert!(svg.contains("minute"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn x_label(mut self, label: impl Into<String>) -> Heatmap {
        self.x_label = label.into();
        self
    }

    /// The heatmap with a label beside the y axis.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let svg = Heatmap::new("").y_label("node").values([[1.0]]).to_svg()?;
    /// assert!(svg.contains("node"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn y_label(mut self, label: impl Into<String>) -> Heatmap {
        self.y_label = label.into();
        self
    }

    /// The heatmap with a size in pixels, between [`Figure::MIN_SIZE`](super::Figure::MIN_SIZE)
    /// and [`Figure::MAX_SIZE`](super::Figure::MAX_SIZE) (and at least 200 wide, for the
    /// scale).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// assert!(Heatmap::new("").values([[1.0]]).size(400, 300).to_svg().is_ok());
    /// assert!(Heatmap::new("").values([[1.0]]).size(150, 300).to_svg().is_err());
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Heatmap {
        self.width = width;
        self.height = height;
        self
    }

    /// The heatmap with these column names, left to right (by default 0, 1, 2, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let svg = Heatmap::new("").columns(["W=1", "W=2"]).values([[0.0, 1.0]]).to_svg()?;
    /// assert!(svg.contains("W=2"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn columns(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Heatmap {
        self.columns = names.into_iter().map(Into::into).collect();
        self
    }

    /// The heatmap with these row names, top to bottom (by default 0, 1, 2, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let svg = Heatmap::new("").rows(["n1", "n2"]).values([[0.0], [1.0]]).to_svg()?;
    /// assert!(svg.contains("n2"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn rows(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Heatmap {
        self.rows = names.into_iter().map(Into::into).collect();
        self
    }

    /// The heatmap with these values, one inner list per row.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let grid: Vec<Vec<f64>> = (0..3).map(|r| (0..4).map(|c| (r * c) as f64).collect()).collect();
    /// assert!(Heatmap::new("r × c").values(grid).to_svg().is_ok());
    /// ```
    pub fn values(
        mut self,
        rows: impl IntoIterator<Item = impl IntoIterator<Item = f64>>,
    ) -> Heatmap {
        self.values = rows
            .into_iter()
            .map(|row| row.into_iter().collect())
            .collect();
        self
    }

    /// The heatmap with (`true`) or without (the default) each value written in its cell.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let svg = Heatmap::new("").values([[0.25]]).show_values(true).to_svg()?;
    /// assert!(svg.contains("\n0.25\n")); // plotters puts text on a line of its own
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn show_values(mut self, show: bool) -> Heatmap {
        self.show_values = show;
        self
    }

    /// The heatmap's title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::Heatmap::new("N × W").title(), "N × W");
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The heatmap as a standalone SVG document.
    ///
    /// # Errors
    ///
    /// [`FigureError::NoPoints`] without values, [`FigureError::InvalidGrid`] for rows of
    /// different lengths, names that do not match the grid or an infinite value, and
    /// [`FigureError::InvalidSize`] for a size out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::{FigureError, Heatmap};
    ///
    /// let ragged = Heatmap::new("").values(vec![vec![1.0, 2.0], vec![3.0]]).to_svg();
    /// assert_eq!(
    ///     ragged.unwrap_err().to_string(),
    ///     "the heatmap cannot be drawn: row 1 has 1 values but row 0 has 2; every row needs \
    ///      the same number"
    /// );
    /// assert_eq!(Heatmap::new("").to_svg(), Err(FigureError::NoPoints));
    /// ```
    pub fn to_svg(&self) -> Result<String, FigureError> {
        self.validate()?;
        render_svg(self.width, self.height, |root| self.draw(root))
    }

    /// Writes the heatmap to an SVG file; one that cannot be drawn is an
    /// [`io::ErrorKind::InvalidInput`] error carrying the [`FigureError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::Heatmap;
    ///
    /// let path = std::env::temp_dir().join("lessons-doc-heatmap.svg");
    /// Heatmap::new("saved").values([[1.0, 2.0]]).save_svg(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains("saved"));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> io::Result<()> {
        save_svg(path, self.to_svg())
    }

    /// Displays the heatmap as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// lessons::viz::Heatmap::new("shown").values([[1.0]]).evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        crate::display::evcxr_display(self);
    }

    fn column_count(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    fn validate(&self) -> Result<(), FigureError> {
        let allowed = super::Figure::MIN_SIZE..=super::Figure::MAX_SIZE;
        if !allowed.contains(&self.width)
            || !allowed.contains(&self.height)
            || self.width < 2 * SCALE_WIDTH + 20
        {
            return Err(FigureError::InvalidSize {
                width: self.width,
                height: self.height,
            });
        }
        let columns = self.column_count();
        if columns == 0 {
            return Err(FigureError::NoPoints);
        }
        let problem = |problem: String| Err(FigureError::InvalidGrid { problem });
        if let Some((index, row)) = self
            .values
            .iter()
            .enumerate()
            .find(|(_, row)| row.len() != columns)
        {
            return problem(format!(
                "row {index} has {} values but row 0 has {columns}; every row needs the same \
                 number",
                row.len()
            ));
        }
        if !self.columns.is_empty() && self.columns.len() != columns {
            return problem(format!(
                "{} column names for {columns} columns; give one name per column",
                self.columns.len()
            ));
        }
        if !self.rows.is_empty() && self.rows.len() != self.values.len() {
            return problem(format!(
                "{} row names for {} rows; give one name per row",
                self.rows.len(),
                self.values.len()
            ));
        }
        for (row, values) in self.values.iter().enumerate() {
            if let Some((column, value)) = values
                .iter()
                .enumerate()
                .find(|(_, value)| value.is_infinite())
            {
                return problem(format!(
                    "the value in row {row}, column {column} is {value}; values must be finite, \
                     or NaN for an empty cell"
                ));
            }
        }
        Ok(())
    }

    /// The smallest and largest value that is not NaN (0 and 1 if there is none).
    fn value_range(&self) -> (f64, f64) {
        let known = self.values.iter().flatten().filter(|value| !value.is_nan());
        known
            .fold(None, |range: Option<(f64, f64)>, &value| match range {
                None => Some((value, value)),
                Some((low, high)) => Some((low.min(value), high.max(value))),
            })
            .unwrap_or((0.0, 1.0))
    }

    fn names(&self) -> (Vec<String>, Vec<String>) {
        let numbered = |count: usize| (0..count).map(|index| index.to_string()).collect();
        let columns = if self.columns.is_empty() {
            numbered(self.column_count())
        } else {
            self.columns.clone()
        };
        let rows = if self.rows.is_empty() {
            numbered(self.values.len())
        } else {
            self.rows.clone()
        };
        (columns, rows)
    }

    fn draw(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult {
        root.fill(&WHITE)?;
        let (columns, rows) = self.names();
        let (low, high) = self.value_range();
        let (grid_area, scale_area) = root.split_horizontally(self.width - SCALE_WIDTH);
        let longest_row_name = rows
            .iter()
            .map(|name| name.chars().count())
            .max()
            .unwrap_or(1);
        let row_name_width = (longest_row_name as u32 * 8 + 40).clamp(50, 200);
        let mut builder = ChartBuilder::on(&grid_area);
        builder
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(row_name_width);
        if !self.title.is_empty() {
            builder.caption(&self.title, ("sans-serif", 24));
        }
        let (column_count, row_count) = (columns.len() as f64, rows.len() as f64);
        let mut chart = builder.build_cartesian_2d(0.0..column_count, 0.0..row_count)?;
        let mut mesh = chart.configure_mesh();
        // Cell names are drawn under and beside the cells instead of numeric ticks.
        mesh.disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .axis_desc_style(("sans-serif", 16));
        if !self.x_label.is_empty() {
            mesh.x_desc(&self.x_label);
        }
        if !self.y_label.is_empty() {
            mesh.y_desc(&self.y_label);
        }
        mesh.draw()?;

        for (row, values) in self.values.iter().enumerate() {
            // Row 0 is drawn at the top.
            let bottom = row_count - 1.0 - row as f64;
            for (column, &value) in values.iter().enumerate() {
                let left = column as f64;
                let colour = cell_colour(value, low, high);
                let corners = [(left, bottom), (left + 1.0, bottom + 1.0)];
                chart.draw_series([
                    Rectangle::new(corners, colour.filled()),
                    Rectangle::new(corners, WHITE.stroke_width(1)),
                ])?;
                if self.show_values && !value.is_nan() {
                    let ink = if brightness(colour) > 140.0 {
                        BLACK
                    } else {
                        WHITE
                    };
                    let style = ("sans-serif", 13)
                        .into_text_style(root)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    let centre = chart.backend_coord(&(left + 0.5, bottom + 0.5));
                    root.draw(&Text::new(format_value(value), centre, style))?;
                }
            }
        }
        let name_style = ("sans-serif", 14).into_text_style(root);
        for (column, name) in columns.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(column as f64 + 0.5, 0.0));
            let style = name_style.pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(name.clone(), (x, y + 8), style))?;
        }
        for (row, name) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, row_count - 0.5 - row as f64));
            let style = name_style.pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(name.clone(), (x - 8, y), style))?;
        }
        let (top, bottom) = (
            chart.backend_coord(&(0.0, row_count)).1,
            chart.backend_coord(&(0.0, 0.0)).1,
        );
        draw_scale(&scale_area, low, high, top, bottom)
    }
}

/// The colour scale: a vertical gradient, the largest value on top, labelled at both ends and
/// the middle.
fn draw_scale(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    low: f64,
    high: f64,
    top: i32,
    bottom: i32,
) -> DrawResult {
    const STEPS: i32 = 40;
    // The scale's area sits right of the grid at the same height, so its y coordinates are the
    // grid's while x counts from its own left edge.
    let x = 12;
    let height = (bottom - top).max(STEPS);
    for step in 0..STEPS {
        let fraction = 1.0 - (f64::from(step) + 0.5) / f64::from(STEPS);
        let y1 = top + height * step / STEPS;
        let y2 = top + height * (step + 1) / STEPS;
        let colour = viridis(fraction);
        area.draw(&Rectangle::new([(x, y1), (x + 18, y2)], colour.filled()))?;
    }
    area.draw(&Rectangle::new(
        [(x, top), (x + 18, top + height)],
        BLACK.stroke_width(1),
    ))?;
    let style = ("sans-serif", 12)
        .into_text_style(area)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (value, y) in [
        (high, top),
        ((low + high) / 2.0, top + height / 2),
        (low, top + height),
    ] {
        area.draw(&Text::new(format_value(value), (x + 24, y), style.clone()))?;
    }
    Ok(())
}

/// The colour of `value` on the scale from `low` to `high`; grey for NaN.
fn cell_colour(value: f64, low: f64, high: f64) -> RGBColor {
    if value.is_nan() {
        return EMPTY;
    }
    if high <= low {
        return viridis(0.5);
    }
    viridis((value - low) / (high - low))
}

/// The viridis colour at `fraction` of the way from the lowest to the highest value.
fn viridis(fraction: f64) -> RGBColor {
    let fraction = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    let position = fraction * (VIRIDIS.len() - 1) as f64;
    let index = (position as usize).min(VIRIDIS.len() - 2);
    let within = position - index as f64;
    let blend =
        |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * within).round() as u8;
    let (from, to) = (VIRIDIS[index], VIRIDIS[index + 1]);
    RGBColor(
        blend(from.0, to.0),
        blend(from.1, to.1),
        blend(from.2, to.2),
    )
}

/// Perceived brightness, 0 to 255, to pick black or white text on a cell.
fn brightness(colour: RGBColor) -> f64 {
    0.299 * f64::from(colour.0) + 0.587 * f64::from(colour.1) + 0.114 * f64::from(colour.2)
}

/// A value with at most three significant digits after the point, without trailing zeros.
fn format_value(value: f64) -> String {
    if value != 0.0 && (value.abs() >= 1e6 || value.abs() < 1e-3) {
        return format!("{value:.2e}");
    }
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

impl RichDisplay for Heatmap {
    /// The SVG as `image/svg+xml` and a one-line summary as `text/plain`; a heatmap that cannot
    /// be drawn shows only the reason, as text.
    fn mime_bundle(&self) -> MimeBundle {
        match self.to_svg() {
            Ok(svg) => MimeBundle::new().with("image/svg+xml", svg).with(
                "text/plain",
                format!(
                    "Heatmap: {} ({} rows × {} columns)",
                    self.title,
                    self.values.len(),
                    self.column_count()
                ),
            ),
            Err(error) => MimeBundle::new().with(
                "text/plain",
                format!("Heatmap {:?} cannot be drawn: {error}", self.title),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }

    #[test]
    fn values_print_short() {
        assert_eq!(format_value(0.25), "0.25");
        assert_eq!(format_value(2.0), "2");
        assert_eq!(format_value(1.0 / 3.0), "0.333");
        assert_eq!(format_value(-0.0001), "-1.00e-4");
        assert_eq!(format_value(0.0), "0");
    }

    #[test]
    fn names_must_match_the_grid() {
        let error = Heatmap::new("")
            .columns(["a"])
            .values([[1.0, 2.0]])
            .to_svg()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the heatmap cannot be drawn: 1 column names for 2 columns; give one name per column"
        );
        let error = Heatmap::new("")
            .values([[1.0, f64::INFINITY]])
            .to_svg()
            .unwrap_err();
        assert!(error.to_string().contains("row 0, column 1 is inf"));
    }

    #[test]
    fn every_cell_is_one_filled_rectangle_and_nan_is_grey() {
        let svg = Heatmap::new("")
            .values([[1.0, f64::NAN], [3.0, 4.0]])
            .to_svg()
            .unwrap();
        assert_eq!(svg.matches(r##"fill="#DCDCDC""##).count(), 1);
        assert_eq!(svg.matches(r##"stroke="#FFFFFF""##).count(), 4);
    }
}
