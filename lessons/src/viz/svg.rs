//! What every SVG picture shares: saving to a file.

use std::io;
use std::path::Path;

use super::FigureError;

/// Writes a rendered picture to `path`; a picture that could not be drawn becomes an
/// [`io::ErrorKind::InvalidInput`] error carrying the [`FigureError`], and no file is written.
pub(crate) fn save_svg(path: impl AsRef<Path>, svg: Result<String, FigureError>) -> io::Result<()> {
    let svg = svg.map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    std::fs::write(path, svg)
}
