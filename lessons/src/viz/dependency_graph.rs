//! A small directed graph drawn as SVG: named nodes on a circle, labelled arrows between them,
//! some of them highlighted (a dependency cycle, a wait-for cycle).

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::FigureError;
use super::figure::PALETTE;
use super::svg::save_svg;
use crate::display::{MimeBundle, RichDisplay, escape};

const WIDTH: f64 = 460.0;
const HEIGHT: f64 = 380.0;
const NODE_RADIUS: f64 = 22.0;
const TITLE_HEIGHT: f64 = 34.0;
const CAPTION_HEIGHT: f64 = 26.0;

#[derive(Debug, Clone, PartialEq)]
struct Arrow {
    from: String,
    to: String,
    labels: Vec<String>,
    highlighted: bool,
}

/// Nodes on a circle and labelled arrows between them, for dependency and wait-for graphs.
///
/// Arrows between the same two nodes in the same direction are merged into one with their
/// labels joined; arrows in opposite directions bend to opposite sides, so both stay visible.
/// Highlighted arrows (the cycle that proves an anomaly) are drawn thick and in colour.
///
/// # Examples
///
/// ```
/// use lessons::viz::DependencyGraph;
///
/// let graph = DependencyGraph::new("lost update")
///     .node("T1")
///     .node("T2")
///     .edge("T1", "T2", "ww(x)", true)
///     .edge("T2", "T1", "rw(x)", true)
///     .caption("G-single");
/// let svg = graph.to_svg()?;
/// assert!(svg.contains("rw(x)") && svg.contains("G-single"));
/// assert!(DependencyGraph::new("empty").to_svg().is_err());
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyGraph {
    title: String,
    caption: String,
    nodes: Vec<String>,
    arrows: Vec<Arrow>,
}

impl DependencyGraph {
    /// An empty graph with a title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::DependencyGraph::new("t").title(), "t");
    /// ```
    pub fn new(title: impl Into<String>) -> DependencyGraph {
        DependencyGraph {
            title: title.into(),
            caption: String::new(),
            nodes: Vec::new(),
            arrows: Vec::new(),
        }
    }

    /// The title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::DependencyGraph::new("graph").title(), "graph");
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// A line of text under the graph (the verdict).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::DependencyGraph;
    ///
    /// let svg = DependencyGraph::new("t").node("A").caption("acyclic").to_svg()?;
    /// assert!(svg.contains("acyclic"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn caption(mut self, caption: impl Into<String>) -> DependencyGraph {
        self.caption = caption.into();
        self
    }

    /// Adds a node (a second node with the same name is ignored).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::DependencyGraph;
    ///
    /// assert!(DependencyGraph::new("t").node("A").node("A").to_svg().is_ok());
    /// ```
    pub fn node(mut self, name: impl Into<String>) -> DependencyGraph {
        let name = name.into();
        if !self.nodes.contains(&name) {
            self.nodes.push(name);
        }
        self
    }

    /// Adds an arrow from one node to another (nodes not added yet are added), with a label,
    /// highlighted or not.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::DependencyGraph;
    ///
    /// let svg = DependencyGraph::new("t").edge("A", "B", "waits for", true).to_svg()?;
    /// assert!(svg.contains("waits for"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn edge(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        label: impl Into<String>,
        highlighted: bool,
    ) -> DependencyGraph {
        let (from, to, label) = (from.into(), to.into(), label.into());
        self = self.node(from.clone()).node(to.clone());
        match self
            .arrows
            .iter_mut()
            .find(|a| a.from == from && a.to == to)
        {
            Some(arrow) => {
                arrow.labels.push(label);
                arrow.highlighted |= highlighted;
            }
            None => self.arrows.push(Arrow {
                from,
                to,
                labels: vec![label],
                highlighted,
            }),
        }
        self
    }

    /// The picture as an SVG document; an error if the graph has no node.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::viz::DependencyGraph;
    ///
    /// assert!(DependencyGraph::new("t").node("A").to_svg()?.starts_with("<svg"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn to_svg(&self) -> Result<String, FigureError> {
        if self.nodes.is_empty() {
            return Err(FigureError::NoPoints);
        }
        let mut svg = String::new();
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/><defs>{}{}</defs>"##,
            marker("plain", "#555555"),
            marker("hot", &hex(PALETTE[1])),
        );
        let _ = write!(
            svg,
            r#"<text x="{}" y="22" font-size="16" text-anchor="middle">{}</text>"#,
            WIDTH / 2.0,
            escape(&self.title)
        );
        for arrow in &self.arrows {
            self.draw_arrow(&mut svg, arrow);
        }
        for (i, name) in self.nodes.iter().enumerate() {
            let (x, y) = self.position(i);
            let _ = write!(
                svg,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{NODE_RADIUS}" fill="#eef4fa" stroke="{}" stroke-width="1.5"/><text x="{x:.1}" y="{:.1}" font-size="13" text-anchor="middle">{}</text>"##,
                hex(PALETTE[0]),
                y + 4.5,
                escape(name)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text></svg>"#,
            WIDTH / 2.0,
            HEIGHT - 10.0,
            escape(&self.caption)
        );
        Ok(svg)
    }

    /// Writes the SVG to `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join("lessons-doc-dependency-graph.svg");
    /// lessons::viz::DependencyGraph::new("t").node("A").save_svg(&path)?;
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> io::Result<()> {
        save_svg(path, self.to_svg())
    }

    /// Displays the graph as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// lessons::viz::DependencyGraph::new("t").node("A").evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        crate::display::evcxr_display(self);
    }

    /// Node `i` on a circle, the first at the top, going clockwise.
    fn position(&self, i: usize) -> (f64, f64) {
        let centre_y = TITLE_HEIGHT + (HEIGHT - TITLE_HEIGHT - CAPTION_HEIGHT) / 2.0;
        if self.nodes.len() == 1 {
            return (WIDTH / 2.0, centre_y);
        }
        let radius = (HEIGHT - TITLE_HEIGHT - CAPTION_HEIGHT) / 2.0 - NODE_RADIUS - 18.0;
        let angle = std::f64::consts::TAU * i as f64 / self.nodes.len() as f64
            - std::f64::consts::FRAC_PI_2;
        (
            WIDTH / 2.0 + radius * angle.cos(),
            centre_y + radius * angle.sin(),
        )
    }

    fn draw_arrow(&self, svg: &mut String, arrow: &Arrow) {
        let index = |name: &str| self.nodes.iter().position(|n| n == name).unwrap_or(0);
        let (x1, y1) = self.position(index(&arrow.from));
        let (x2, y2) = self.position(index(&arrow.to));
        let (colour, width, marker) = if arrow.highlighted {
            (hex(PALETTE[1]), 2.5, "hot")
        } else {
            ("#555555".to_string(), 1.2, "plain")
        };
        let label = escape(&arrow.labels.join(", "));
        if arrow.from == arrow.to {
            let _ = write!(
                svg,
                r#"<path d="M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}" fill="none" stroke="{colour}" stroke-width="{width}" marker-end="url(#{marker})"/><text x="{x1:.1}" y="{:.1}" font-size="12" text-anchor="middle">{label}</text>"#,
                x1 - 10.0,
                y1 - NODE_RADIUS,
                x1 - 40.0,
                y1 - 70.0,
                x1 + 40.0,
                y1 - 70.0,
                x1 + 10.0,
                y1 - NODE_RADIUS,
                y1 - 62.0
            );
            return;
        }
        let (dx, dy) = (x2 - x1, y2 - y1);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / length, dy / length);
        // Bend to the left of the direction of travel, so opposite arrows do not overlap.
        let (nx, ny) = (uy, -ux);
        let bend = 0.18 * length;
        let (cx, cy) = ((x1 + x2) / 2.0 + nx * bend, (y1 + y2) / 2.0 + ny * bend);
        let start = toward((x1, y1), (cx, cy), NODE_RADIUS);
        let end = toward((x2, y2), (cx, cy), NODE_RADIUS + 2.0);
        let (lx, ly) = ((x1 + x2) / 4.0 + cx / 2.0, (y1 + y2) / 4.0 + cy / 2.0);
        // Labels sit outside the bend, pushed sideways by half their width where the arrow
        // runs up or down, and kept inside the picture.
        let half_width = 3.3 * label.chars().count() as f64;
        let sideways = if nx.abs() > 0.3 {
            nx.signum() * (6.0 + half_width)
        } else {
            0.0
        };
        let x = (lx + sideways).clamp(half_width, WIDTH - half_width);
        let _ = write!(
            svg,
            r#"<path d="M {:.1} {:.1} Q {cx:.1} {cy:.1} {:.1} {:.1}" fill="none" stroke="{colour}" stroke-width="{width}" marker-end="url(#{marker})"/><text x="{x:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{colour}">{label}</text>"#,
            start.0,
            start.1,
            end.0,
            end.1,
            ly + ny * 10.0 + 4.0
        );
    }
}

impl RichDisplay for DependencyGraph {
    /// The SVG as `image/svg+xml` and the arrows as `text/plain`; a graph that cannot be drawn
    /// shows only the reason.
    fn mime_bundle(&self) -> MimeBundle {
        match self.to_svg() {
            Ok(svg) => {
                let arrows: Vec<String> = self
                    .arrows
                    .iter()
                    .map(|a| format!("{} -{}-> {}", a.from, a.labels.join(", "), a.to))
                    .collect();
                MimeBundle::new().with("image/svg+xml", svg).with(
                    "text/plain",
                    format!("{}: {} ({})", self.title, arrows.join("; "), self.caption),
                )
            }
            Err(error) => MimeBundle::new().with("text/plain", error.to_string()),
        }
    }
}

/// The point `distance` from `from` toward `to`.
fn toward(from: (f64, f64), to: (f64, f64), distance: f64) -> (f64, f64) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    (
        from.0 + dx / length * distance,
        from.1 + dy / length * distance,
    )
}

fn marker(id: &str, colour: &str) -> String {
    format!(
        r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>"#
    )
}

fn hex(colour: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}
