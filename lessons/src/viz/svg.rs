//! What every SVG picture shares: rendering with plotters, and saving to a file.

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::FigureError;

/// What a plotters drawing step returns.
pub(crate) type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Renders a `width` × `height` picture drawn by `draw` into an SVG document; a drawing error
/// becomes [`FigureError::Drawing`].
pub(crate) fn render_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult,
) -> Result<String, FigureError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root)
            .and_then(|()| root.present())
            .map_err(|error| FigureError::Drawing(error.to_string()))?;
    }
    Ok(svg)
}

/// Writes a rendered picture to `path`; a picture that could not be drawn becomes an
/// [`io::ErrorKind::InvalidInput`] error carrying the [`FigureError`], and no file is written.
pub(crate) fn save_svg(path: impl AsRef<Path>, svg: Result<String, FigureError>) -> io::Result<()> {
    let svg = svg.map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    std::fs::write(path, svg)
}
