use std::collections::BTreeMap;
use std::fmt::{Debug, Write};
use std::io;
use std::path::Path;

use super::FigureError;
use super::svg::save_svg;
use crate::display::{MimeBundle, RichDisplay, escape};
use crate::sim::{DropReason, Event, EventKind, Fault, NodeId, Time, Trace};

/// A message sequence (space-time) diagram of a recorded run.
///
/// Time runs left to right; each node is a horizontal line. Events are dots on their node's
/// line, labelled with whatever the nodes attached ([`Context::label`](crate::sim::Context::label),
/// [`Context::note`](crate::sim::Context::note)) or whatever [`label_events`](Self::label_events)
/// computes, such as a Lamport time, a vector clock or the node's clock reading. A delivered
/// message is an arrow from its send to its delivery, so a slanted arrow is a slow message and
/// two crossing arrows are a reordering. A dropped message is a dashed line ending in a red
/// cross: halfway when the network lost it, at the receiver when the receiver was down.
/// Partitions are shaded bands over the nodes they separate, pauses are amber bars on the
/// node's line, a crash is a red cross with the line dashed until the restart (a green ring),
/// and clock steps are marked where they happen.
///
/// The diagram copies what it needs from the trace, so it can be kept and changed after the
/// trace is gone.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, Simulation, ms, partition};
/// use lessons::viz::SpaceTimeDiagram;
///
/// let mut sim = Simulation::new(1);
/// for name in ["A", "B", "C"] {
///     sim.add_node(name, || Heartbeat::every(ms(100)));
/// }
/// sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(250)))?;
/// sim.run_until(ms(300))?;
/// let lamport = sim.trace().lamport_times();
/// let diagram = SpaceTimeDiagram::new(sim.trace())
///     .title("Heartbeats across a partition")
///     .label_events(|event| lamport[event.index].to_string());
/// let svg = diagram.to_svg()?;
/// assert_eq!(svg.matches(r#"class="message""#).count(), 8);
/// assert_eq!(svg.matches(r#"class="dropped""#).count(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceTimeDiagram {
    title: String,
    node_names: Vec<String>,
    events: Vec<Event>,
    arrows: Vec<Arrow>,
    drops: Vec<DroppedArrow>,
    bands: Vec<Band>,
    outages: Vec<Outage>,
    end: Time,
    window: Option<(Time, Time)>,
    width: u32,
    /// `None`: label messages only when few are visible.
    message_labels: Option<bool>,
}

/// A delivered copy of a message.
#[derive(Debug, Clone, PartialEq)]
struct Arrow {
    from: NodeId,
    to: NodeId,
    sent_at: Time,
    arrived_at: Time,
    text: String,
}

/// A dropped copy of a message.
#[derive(Debug, Clone, PartialEq)]
struct DroppedArrow {
    from: NodeId,
    to: NodeId,
    sent_at: Time,
    dropped_at: Time,
    /// Lost in the network (cross halfway) rather than at a dead receiver (cross at the end).
    in_network: bool,
    text: String,
}

/// A partition, shaded over the rows of the nodes it separates.
#[derive(Debug, Clone, PartialEq)]
struct Band {
    start: Time,
    end: Time,
    nodes: Vec<NodeId>,
    text: String,
}

/// A stretch of time during which a node is crashed or paused.
#[derive(Debug, Clone, PartialEq)]
struct Outage {
    node: NodeId,
    start: Time,
    end: Time,
    crashed: bool,
}

/// Sizes, in pixels.
const LEFT: f64 = 90.0;
const RIGHT: f64 = 40.0;
const TITLE_HEIGHT: f64 = 34.0;
const AXIS_HEIGHT: f64 = 30.0;
/// The height of a node's row; many nodes get thinner rows, down to `MIN_ROW`.
const ROW: f64 = 78.0;
const MIN_ROW: f64 = 14.0;
/// The most pixels the rows may take together before they get thinner.
const ROWS_HEIGHT: f64 = 7_800.0;
const LEGEND_HEIGHT: f64 = 44.0;
const DOT: f64 = 4.0;

/// Colours, from the Okabe-Ito palette like the charts.
const INK: &str = "#222222";
const MESSAGE: &str = "#0072B2";
const DROPPED: &str = "#D55E00";
const PAUSED: &str = "#E69F00";
const RESTARTED: &str = "#009E73";
const NOTE: &str = "#CC79A7";

impl SpaceTimeDiagram {
    /// The default width in pixels.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::SpaceTimeDiagram::DEFAULT_WIDTH, 900);
    /// ```
    pub const DEFAULT_WIDTH: u32 = 900;

    /// The most messages in view for which arrows are labelled unless
    /// [`message_labels`](Self::message_labels) says otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::viz::SpaceTimeDiagram::AUTO_LABEL_LIMIT, 24);
    /// ```
    pub const AUTO_LABEL_LIMIT: usize = 24;

    /// The diagram of `trace`, with the nodes' own labels and the messages' `Debug` text.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    /// use lessons::viz::SpaceTimeDiagram;
    ///
    /// let mut sim = Simulation::new(2);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(25))?;
    /// let svg = SpaceTimeDiagram::new(sim.trace()).to_svg()?;
    /// assert!(svg.contains("beat 10ms"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new<M: Debug>(trace: &Trace<M>) -> SpaceTimeDiagram {
        let text = |id| {
            trace
                .message(id)
                .map_or(String::new(), |message| format!("{:?}", message.payload))
        };
        let mut arrows = Vec::new();
        let mut drops = Vec::new();
        for event in trace.events() {
            match event.kind {
                EventKind::Deliver { message, from } => {
                    if let Some(sent) = trace.message(message) {
                        arrows.push(Arrow {
                            from,
                            to: event.node,
                            sent_at: sent.sent_at,
                            arrived_at: event.time,
                            text: text(message),
                        });
                    }
                }
                EventKind::Drop {
                    message,
                    from,
                    reason,
                } => {
                    if let Some(sent) = trace.message(message) {
                        drops.push(DroppedArrow {
                            from,
                            to: if reason == DropReason::NoSuchNode {
                                from
                            } else {
                                sent.to
                            },
                            sent_at: sent.sent_at,
                            dropped_at: event.time,
                            in_network: event.time == sent.sent_at,
                            text: text(message),
                        });
                    }
                }
                _ => {}
            }
        }
        SpaceTimeDiagram {
            title: "Space-time diagram".into(),
            node_names: trace.node_names().to_vec(),
            events: trace.events().to_vec(),
            arrows,
            drops,
            bands: partition_bands(trace),
            outages: outages(trace.events(), trace.end()),
            end: trace.end(),
            window: None,
            width: Self::DEFAULT_WIDTH,
            message_labels: None,
        }
    }

    /// The diagram with this title (empty for none).
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// let diagram = sim.trace().diagram().title("Two beats");
    /// assert!(diagram.to_svg()?.contains("Two beats"));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> SpaceTimeDiagram {
        self.title = title.into();
        self
    }

    /// The diagram this many pixels wide; the height follows from the number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// let svg = sim.trace().diagram().width(600).to_svg()?;
    /// assert!(svg.contains(r#"width="600""#));
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn width(mut self, pixels: u32) -> SpaceTimeDiagram {
        self.width = pixels;
        self
    }

    /// The diagram showing only the time from `start` to `end` (by default, from zero to the
    /// end of the run).
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// # sim.add_node("B", || Heartbeat::every(ms(10)));
    /// # sim.run_until(ms(100))?;
    /// let zoomed = sim.trace().diagram().between(ms(40), ms(60)).to_svg()?;
    /// assert_eq!(zoomed.matches(r#"class="message""#).count(), 4); // beats at 40 and 50 ms
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn between(mut self, start: Time, end: Time) -> SpaceTimeDiagram {
        self.window = Some((start, end));
        self
    }

    /// The diagram with every event labelled by `label` (an empty string for no label), in
    /// place of the nodes' own labels.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms, PhysicalClock};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// # sim.set_clock(0, PhysicalClock::new().offset(ms(3)))?;
    /// # sim.run_until(ms(10))?;
    /// // Label each event with the node's own clock reading.
    /// let svg = sim.trace().diagram().label_events(|event| event.clock.to_string()).to_svg()?;
    /// assert!(svg.contains(">13ms<"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn label_events(mut self, label: impl Fn(&Event) -> String) -> SpaceTimeDiagram {
        for event in &mut self.events {
            let text = label(event);
            event.label = (!text.is_empty()).then_some(text);
        }
        self
    }

    /// The diagram with (`true`) or without (`false`) each message's text on its arrow. By
    /// default messages are labelled when at most
    /// [`AUTO_LABEL_LIMIT`](Self::AUTO_LABEL_LIMIT) of them are in view, since more labels
    /// than that overlap.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// # sim.add_node("B", || Heartbeat::every(ms(10)));
    /// # sim.run_until(ms(15))?;
    /// let svg = sim.trace().diagram().message_labels(false).to_svg()?;
    /// assert!(!svg.contains("beat 10ms"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message_labels(mut self, show: bool) -> SpaceTimeDiagram {
        self.message_labels = Some(show);
        self
    }

    /// The diagram as a standalone SVG document.
    ///
    /// # Errors
    ///
    /// [`FigureError::InvalidSize`] for a width outside the allowed range,
    /// [`FigureError::InvalidWindow`] for a window that ends before it starts.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    /// use lessons::viz::FigureError;
    ///
    /// let mut sim = Simulation::new(2);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert!(sim.trace().diagram().to_svg()?.starts_with("<svg"));
    /// assert!(matches!(
    ///     sim.trace().diagram().between(ms(5), ms(1)).to_svg(),
    ///     Err(FigureError::InvalidWindow { .. })
    /// ));
    /// # Ok::<(), FigureError>(())
    /// ```
    pub fn to_svg(&self) -> Result<String, FigureError> {
        let allowed = super::Figure::MIN_SIZE..=super::Figure::MAX_SIZE;
        let height = self.height();
        if !allowed.contains(&self.width) || height > super::Figure::MAX_SIZE {
            return Err(FigureError::InvalidSize {
                width: self.width,
                height,
            });
        }
        let (start, end) = self.visible_window()?;
        let canvas = Canvas {
            start,
            end,
            plot_left: LEFT,
            plot_right: f64::from(self.width) - RIGHT,
            top: self.top(),
            row: self.row(),
        };
        let mut svg = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_svg(&mut svg, &canvas, height);
        Ok(svg)
    }

    /// Writes the diagram to an SVG file; a diagram that cannot be drawn is an
    /// [`io::ErrorKind::InvalidInput`] error carrying the [`FigureError`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// let path = std::env::temp_dir().join("lessons-doc-diagram.svg");
    /// sim.trace().diagram().save_svg(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> io::Result<()> {
        save_svg(path, self.to_svg())
    }

    /// Displays the diagram as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// # let mut sim = Simulation::new(2);
    /// # sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.trace().diagram().evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        crate::display::evcxr_display(self);
    }

    fn top(&self) -> f64 {
        let title = if self.title.is_empty() {
            8.0
        } else {
            TITLE_HEIGHT
        };
        title + AXIS_HEIGHT
    }

    fn row(&self) -> f64 {
        (ROWS_HEIGHT / self.node_names.len().max(1) as f64).clamp(MIN_ROW, ROW)
    }

    fn height(&self) -> u32 {
        let rows = self.node_names.len().max(1) as f64;
        (self.top() + rows * self.row() + LEGEND_HEIGHT).ceil() as u32
    }

    /// The window to draw: the one asked for, or zero to the end of the run (at least 1 ms).
    fn visible_window(&self) -> Result<(Time, Time), FigureError> {
        match self.window {
            Some((start, end)) if end <= start => Err(FigureError::InvalidWindow { start, end }),
            Some(window) => Ok(window),
            None => {
                let latest = self.events.iter().map(|event| event.time).max();
                let end = latest.unwrap_or(Time::ZERO).max(self.end);
                Ok((Time::ZERO, end.max(Time::from_nanos(1_000_000))))
            }
        }
    }

    fn write_svg(&self, svg: &mut String, canvas: &Canvas, height: u32) -> std::fmt::Result {
        let width = self.width;
        writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
        )?;
        writeln!(
            svg,
            r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
        )?;
        if !self.title.is_empty() {
            writeln!(
                svg,
                r#"<text class="title" x="{:.1}" y="24" font-size="20" text-anchor="middle" fill="{INK}">{}</text>"#,
                f64::from(width) / 2.0,
                escape(&self.title)
            )?;
        }
        self.write_axis(svg, canvas)?;
        self.write_bands(svg, canvas)?;
        self.write_node_lines(svg, canvas)?;
        self.write_outages(svg, canvas)?;
        self.write_arrows(svg, canvas)?;
        self.write_drops(svg, canvas)?;
        self.write_events(svg, canvas)?;
        self.write_legend(svg, height)?;
        writeln!(svg, "</svg>")
    }

    fn write_axis(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        let y = canvas.top - 8.0;
        writeln!(
            svg,
            r#"<line class="axis" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{INK}" stroke-width="1"/>"#,
            canvas.plot_left, canvas.plot_right
        )?;
        for tick in canvas.ticks() {
            let x = canvas.x(tick);
            writeln!(
                svg,
                r##"<line class="tick" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{y:.1}" stroke="{INK}" stroke-width="1"/>"##,
                y - 5.0
            )?;
            writeln!(
                svg,
                r#"<text class="tick-label" x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="{INK}">{tick}</text>"#,
                y - 9.0
            )?;
        }
        Ok(())
    }

    fn write_bands(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        for (index, band) in self.bands.iter().enumerate() {
            let Some((x1, x2)) = canvas.span(band.start, band.end) else {
                continue;
            };
            let first = band.nodes.iter().min().copied().unwrap_or(0);
            let last = band.nodes.iter().max().copied().unwrap_or(0);
            let y1 = canvas.y(first) - canvas.row * 0.42;
            let y2 = canvas.y(last) + canvas.row * 0.42;
            writeln!(
                svg,
                r#"<rect class="partition" x="{x1:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="{DROPPED}" fill-opacity="0.10" stroke="{DROPPED}" stroke-opacity="0.5" stroke-dasharray="4 3"/>"#,
                x2 - x1,
                y2 - y1
            )?;
            writeln!(
                svg,
                r#"<text class="partition-label" x="{:.1}" y="{:.1}" font-size="11" fill="{DROPPED}">{}</text>"#,
                x1 + 4.0,
                y1 + 12.0 + 13.0 * (index % 3) as f64,
                escape(&band.text)
            )?;
        }
        Ok(())
    }

    fn write_node_lines(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        for (node, name) in self.node_names.iter().enumerate() {
            let y = canvas.y(node);
            writeln!(
                svg,
                r#"<text class="node-name" x="{:.1}" y="{:.1}" font-size="15" font-weight="bold" text-anchor="end" fill="{INK}">{}</text>"#,
                LEFT - 14.0,
                y + 5.0,
                escape(name)
            )?;
            // The line is solid where the node is up and left out where it is crashed, so a
            // crash reads as a gap even before the legend is read.
            let mut up_from = canvas.start;
            let crashes = self
                .outages
                .iter()
                .filter(|outage| outage.node == node && outage.crashed);
            for outage in crashes {
                write_line_segment(svg, canvas, y, up_from, outage.start)?;
                up_from = outage.end;
            }
            write_line_segment(svg, canvas, y, up_from, canvas.end)?;
        }
        Ok(())
    }

    fn write_outages(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        for outage in &self.outages {
            let Some((x1, x2)) = canvas.span(outage.start, outage.end) else {
                continue;
            };
            let y = canvas.y(outage.node);
            if outage.crashed {
                writeln!(
                    svg,
                    r#"<line class="down" x1="{x1:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="{DROPPED}" stroke-width="1.5" stroke-dasharray="2 4"/>"#
                )?;
            } else {
                writeln!(
                    svg,
                    r#"<rect class="pause" x="{x1:.1}" y="{:.1}" width="{:.1}" height="10" fill="{PAUSED}" fill-opacity="0.55"/>"#,
                    y - 5.0,
                    x2 - x1
                )?;
                writeln!(
                    svg,
                    r#"<text class="pause-label" x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="{INK}">paused</text>"#,
                    (x1 + x2) / 2.0,
                    y + 19.0
                )?;
            }
        }
        Ok(())
    }

    /// Whether to write messages' text on their arrows.
    fn labels_messages(&self, canvas: &Canvas) -> bool {
        self.message_labels.unwrap_or_else(|| {
            let arrows = self
                .arrows
                .iter()
                .filter(|arrow| canvas.overlaps(arrow.sent_at, arrow.arrived_at));
            let drops = self
                .drops
                .iter()
                .filter(|dropped| canvas.overlaps(dropped.sent_at, dropped.dropped_at));
            arrows.count() + drops.count() <= Self::AUTO_LABEL_LIMIT
        })
    }

    fn write_arrows(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        let labelled = self.labels_messages(canvas);
        for arrow in &self.arrows {
            let start = (canvas.x(arrow.sent_at), canvas.y(arrow.from));
            let end = (canvas.x(arrow.arrived_at), canvas.y(arrow.to));
            let Some(((x1, y1), (x2, y2))) = canvas.clip(start, end) else {
                continue;
            };
            writeln!(
                svg,
                r#"<line class="message" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{MESSAGE}" stroke-width="1.5"/>"#
            )?;
            let whole = (x1, y1) == start && (x2, y2) == end;
            if (x2, y2) == end {
                write_arrowhead(svg, start, end)?;
            }
            if labelled && whole && !arrow.text.is_empty() {
                write_message_label(svg, start, end, &arrow.text)?;
            }
        }
        Ok(())
    }

    fn write_drops(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        let labelled = self.labels_messages(canvas);
        for dropped in &self.drops {
            let start = (canvas.x(dropped.sent_at), canvas.y(dropped.from));
            let target = (canvas.x(dropped.dropped_at), canvas.y(dropped.to));
            let cross = if dropped.in_network {
                // Dropped on the way: the cross sits halfway between the rows, a little later.
                let x = start.0 + 24.0;
                let y = if dropped.from == dropped.to {
                    start.1 - canvas.row * 0.3
                } else {
                    (start.1 + target.1) / 2.0
                };
                (x, y)
            } else {
                target
            };
            let Some(((x1, y1), (x2, y2))) = canvas.clip(start, cross) else {
                continue;
            };
            writeln!(
                svg,
                r#"<line class="dropped" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{DROPPED}" stroke-width="1.5" stroke-dasharray="5 3"/>"#
            )?;
            let whole = (x1, y1) == start && (x2, y2) == cross;
            if (x2, y2) == cross {
                write_cross(svg, "drop-mark", cross, 5.0)?;
            }
            if labelled && whole && !dropped.text.is_empty() {
                write_message_label(svg, start, cross, &dropped.text)?;
            }
        }
        Ok(())
    }

    fn write_events(&self, svg: &mut String, canvas: &Canvas) -> std::fmt::Result {
        let mut labels: BTreeMap<(Time, NodeId, bool), Vec<&str>> = BTreeMap::new();
        for event in &self.events {
            if !canvas.shows(event.time) {
                continue;
            }
            let point = (canvas.x(event.time), canvas.y(event.node));
            let below = matches!(event.kind, EventKind::Deliver { .. });
            match &event.kind {
                // Drawn elsewhere (drops, pauses) or not at all (starts): no dot, no label.
                EventKind::Start
                | EventKind::Drop { .. }
                | EventKind::Pause
                | EventKind::Resume => {
                    continue;
                }
                EventKind::Crash => write_cross(svg, "crash", point, 7.0)?,
                EventKind::Restart => writeln!(
                    svg,
                    r#"<circle class="restart" cx="{:.1}" cy="{:.1}" r="6" fill="white" stroke="{RESTARTED}" stroke-width="2.5"/>"#,
                    point.0, point.1
                )?,
                EventKind::ClockStep { by } => {
                    writeln!(
                        svg,
                        r#"<line class="clock-step" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{PAUSED}" stroke-width="3"/>"#,
                        point.1 - 10.0,
                        point.1 + 10.0,
                        x = point.0
                    )?;
                    let sign = if *by >= Time::ZERO { "+" } else { "" };
                    writeln!(
                        svg,
                        r#"<text class="clock-step-label" x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="{INK}">clock {sign}{by}</text>"#,
                        point.0,
                        point.1 + 22.0
                    )?;
                }
                EventKind::Timer { .. } => writeln!(
                    svg,
                    r#"<circle class="event" data-kind="timer" cx="{:.1}" cy="{:.1}" r="{DOT}" fill="white" stroke="{INK}" stroke-width="1.5"/>"#,
                    point.0, point.1
                )?,
                kind => {
                    let fill = match kind {
                        EventKind::Note | EventKind::Invoke { .. } | EventKind::Respond { .. } => {
                            NOTE
                        }
                        _ => INK,
                    };
                    writeln!(
                        svg,
                        r#"<circle class="event" data-kind="{}" cx="{:.1}" cy="{:.1}" r="{DOT}" fill="{fill}"/>"#,
                        kind.name(),
                        point.0,
                        point.1
                    )?;
                }
            }
            if let Some(label) = &event.label {
                labels
                    .entry((event.time, event.node, below))
                    .or_default()
                    .push(label.as_str());
            }
        }
        // Events at the same node and instant share one label, so their texts do not overprint;
        // a text repeated (the same clock reading, say) is written once.
        for ((time, node, below), mut texts) in labels {
            texts.dedup();
            let (x, y) = (canvas.x(time), canvas.y(node));
            let y = if below { y + 17.0 } else { y - 9.0 };
            writeln!(
                svg,
                r#"<text class="event-label" x="{x:.1}" y="{y:.1}" font-size="11" text-anchor="middle" fill="{INK}">{}</text>"#,
                escape(&texts.join(", "))
            )?;
        }
        Ok(())
    }

    fn write_legend(&self, svg: &mut String, height: u32) -> std::fmt::Result {
        const ITEMS: [(&str, f64); 7] = [
            ("event", 70.0),
            ("message", 90.0),
            ("dropped", 90.0),
            ("partition", 95.0),
            ("paused", 85.0),
            ("crashed", 90.0),
            ("restart", 80.0),
        ];
        let y = f64::from(height) - 18.0;
        let mut x = LEFT;
        for (item, width) in ITEMS {
            writeln!(
                svg,
                r#"<g class="legend">{}<text x="{:.1}" y="{:.1}" font-size="11" fill="{INK}">{item}</text></g>"#,
                legend_mark(item, x, y),
                x + 24.0,
                y + 4.0
            )?;
            x += width;
        }
        Ok(())
    }
}

/// The small sample drawn before a legend entry, matching how the diagram draws that thing.
fn legend_mark(item: &str, x: f64, y: f64) -> String {
    let line = |colour: &str, dashes: &str| {
        format!(
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="1.5"{dashes}/>"#,
            x + 20.0
        )
    };
    match item {
        "event" => format!(
            r#"<circle cx="{:.1}" cy="{y:.1}" r="{DOT}" fill="{INK}"/>"#,
            x + 10.0
        ),
        "message" => line(MESSAGE, ""),
        "dropped" => line(DROPPED, r#" stroke-dasharray="5 3""#),
        "crashed" => line(DROPPED, r#" stroke-dasharray="2 4""#),
        "partition" => format!(
            r#"<rect x="{x:.1}" y="{:.1}" width="20" height="12" fill="{DROPPED}" fill-opacity="0.10" stroke="{DROPPED}" stroke-opacity="0.5" stroke-dasharray="4 3"/>"#,
            y - 6.0
        ),
        "paused" => format!(
            r#"<rect x="{x:.1}" y="{:.1}" width="20" height="10" fill="{PAUSED}" fill-opacity="0.55"/>"#,
            y - 5.0
        ),
        _ => format!(
            r#"<circle cx="{:.1}" cy="{y:.1}" r="5" fill="white" stroke="{RESTARTED}" stroke-width="2.5"/>"#,
            x + 10.0
        ),
    }
}

/// Maps times and nodes to pixels.
struct Canvas {
    start: Time,
    end: Time,
    plot_left: f64,
    plot_right: f64,
    top: f64,
    row: f64,
}

impl Canvas {
    fn x(&self, time: Time) -> f64 {
        let span = (self.end - self.start).as_nanos() as f64;
        let offset = (time - self.start).as_nanos() as f64;
        self.plot_left + offset / span * (self.plot_right - self.plot_left)
    }

    fn y(&self, node: NodeId) -> f64 {
        self.top + self.row * (node as f64 + 0.5)
    }

    fn shows(&self, time: Time) -> bool {
        self.start <= time && time <= self.end
    }

    /// Whether any of `[start, end]` is in view.
    fn overlaps(&self, start: Time, end: Time) -> bool {
        start <= self.end && end >= self.start
    }

    /// The pixel span of `[start, end]` cut to the window, if any of it is visible.
    fn span(&self, start: Time, end: Time) -> Option<(f64, f64)> {
        let start = start.max(self.start);
        let end = end.min(self.end);
        (start <= end).then(|| (self.x(start), self.x(end)))
    }

    /// The part of a segment inside the plot's horizontal extent; `None` if at most a point
    /// of it is (a message sent at the very end of the window, say).
    fn clip(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (low, high) = (self.plot_left, self.plot_right);
        let crosses_plot = a.0.max(b.0) > low && a.0.min(b.0) < high;
        let vertical_inside = a.0 == b.0 && (low..=high).contains(&a.0);
        if !crosses_plot && !vertical_inside {
            return None;
        }
        let at = |x: f64| {
            if a.0 == b.0 {
                (x, a.1)
            } else {
                (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0))
            }
        };
        let clamp = |point: (f64, f64)| {
            if point.0 < low {
                at(low)
            } else if point.0 > high {
                at(high)
            } else {
                point
            }
        };
        Some((clamp(a), clamp(b)))
    }

    /// Round times for the axis: about eight steps of 1, 2 or 5 times a power of ten.
    fn ticks(&self) -> Vec<Time> {
        let span = (self.end - self.start).as_nanos().max(1);
        let rough = span / 8;
        let mut step = 1i64;
        while step.saturating_mul(5) <= rough {
            step = step.saturating_mul(10);
        }
        let step = [step, step.saturating_mul(2), step.saturating_mul(5)]
            .into_iter()
            .find(|&step| step.saturating_mul(8) >= span)
            .unwrap_or(step.saturating_mul(10));
        let first = self.start.as_nanos().div_euclid(step).saturating_mul(step);
        let first = if first < self.start.as_nanos() {
            first.saturating_add(step)
        } else {
            first
        };
        let mut ticks = Vec::new();
        let mut tick = first;
        while tick <= self.end.as_nanos() && ticks.len() < 20 {
            ticks.push(Time::from_nanos(tick));
            tick = tick.saturating_add(step);
            if tick == i64::MAX {
                break;
            }
        }
        ticks
    }
}

fn write_line_segment(
    svg: &mut String,
    canvas: &Canvas,
    y: f64,
    from: Time,
    to: Time,
) -> std::fmt::Result {
    let Some((x1, x2)) = canvas.span(from, to) else {
        return Ok(());
    };
    writeln!(
        svg,
        r#"<line class="node-line" x1="{x1:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="{INK}" stroke-width="1.5"/>"#
    )
}

fn write_arrowhead(svg: &mut String, from: (f64, f64), to: (f64, f64)) -> std::fmt::Result {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let length = (dx * dx + dy * dy).sqrt();
    if length == 0.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    // The tip stops at the edge of the delivery dot.
    let tip = (to.0 - ux * DOT, to.1 - uy * DOT);
    let back = (tip.0 - ux * 9.0, tip.1 - uy * 9.0);
    let left = (back.0 - uy * 4.0, back.1 + ux * 4.0);
    let right = (back.0 + uy * 4.0, back.1 - ux * 4.0);
    writeln!(
        svg,
        r#"<path class="arrowhead" d="M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{MESSAGE}"/>"#,
        tip.0, tip.1, left.0, left.1, right.0, right.1
    )
}

fn write_cross(svg: &mut String, class: &str, at: (f64, f64), size: f64) -> std::fmt::Result {
    let (x, y) = at;
    writeln!(
        svg,
        r#"<path class="{class}" d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{DROPPED}" stroke-width="2.5"/>"#,
        x - size,
        y - size,
        x + size,
        y + size,
        x - size,
        y + size,
        x + size,
        y - size
    )
}

fn write_message_label(
    svg: &mut String,
    from: (f64, f64),
    to: (f64, f64),
    text: &str,
) -> std::fmt::Result {
    let x = (from.0 + to.0) / 2.0;
    let y = (from.1 + to.1) / 2.0;
    writeln!(
        svg,
        r##"<text class="message-label" x="{:.1}" y="{:.1}" font-size="10" fill="#555555">{}</text>"##,
        x + 4.0,
        y - 3.0,
        escape(text)
    )
}

/// One band per partition, from the faults the run had.
fn partition_bands<M>(trace: &Trace<M>) -> Vec<Band> {
    let names = trace.node_names();
    let group = |nodes: &[NodeId]| {
        nodes
            .iter()
            .map(|&node| names.get(node).map_or("?", String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    };
    trace
        .faults()
        .iter()
        .filter_map(|fault| match fault {
            Fault::Partition(partition) => {
                let arrow = if partition.one_way { "→" } else { "|" };
                let text = format!(
                    "partition {} {arrow} {}",
                    group(&partition.from),
                    group(&partition.to)
                );
                Some(Band {
                    start: partition.at,
                    end: partition.heal_at.unwrap_or(Time::MAX).min(trace.end()),
                    nodes: partition
                        .from
                        .iter()
                        .chain(&partition.to)
                        .copied()
                        .collect(),
                    text,
                })
            }
            _ => None,
        })
        .collect()
}

/// Crash-to-restart and pause-to-resume stretches, from the events; open ones run to `end`.
fn outages(events: &[Event], end: Time) -> Vec<Outage> {
    let mut open: Vec<(NodeId, Time, bool)> = Vec::new();
    let mut closed = Vec::new();
    for event in events {
        let opens = match event.kind {
            EventKind::Crash => Some(true),
            EventKind::Pause => Some(false),
            _ => None,
        };
        if let Some(crashed) = opens {
            open.push((event.node, event.time, crashed));
            continue;
        }
        let closes = match event.kind {
            EventKind::Restart => Some(true),
            EventKind::Resume => Some(false),
            _ => None,
        };
        if let Some(crashed) = closes
            && let Some(position) = open
                .iter()
                .position(|&(node, _, kind)| node == event.node && kind == crashed)
        {
            let (node, start, crashed) = open.remove(position);
            closed.push(Outage {
                node,
                start,
                end: event.time,
                crashed,
            });
        }
    }
    closed.extend(open.into_iter().map(|(node, start, crashed)| Outage {
        node,
        start,
        end: end.max(start),
        crashed,
    }));
    closed
}

impl RichDisplay for SpaceTimeDiagram {
    /// The SVG as `image/svg+xml` and a one-line summary as `text/plain`; a diagram that
    /// cannot be drawn shows only the reason, as text.
    fn mime_bundle(&self) -> MimeBundle {
        match self.to_svg() {
            Ok(svg) => MimeBundle::new().with("image/svg+xml", svg).with(
                "text/plain",
                format!(
                    "Space-time diagram: {} nodes, {} events, {} messages delivered, {} dropped",
                    self.node_names.len(),
                    self.events.len(),
                    self.arrows.len(),
                    self.drops.len()
                ),
            ),
            Err(error) => MimeBundle::new().with(
                "text/plain",
                format!("The space-time diagram cannot be drawn: {error}"),
            ),
        }
    }
}

impl<M: Debug> Trace<M> {
    /// The run's [`SpaceTimeDiagram`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(2);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(35))?;
    /// let svg = sim.trace().diagram().to_svg()?;
    /// assert_eq!(svg.matches(r#"class="message""#).count(), 6); // beats at 10, 20 and 30 ms
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diagram(&self) -> SpaceTimeDiagram {
        SpaceTimeDiagram::new(self)
    }
}
