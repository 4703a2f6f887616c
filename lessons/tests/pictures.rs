//! Every kind of picture renders to SVG that parses, with the expected number of marks and its
//! labels present.

use lessons::sim::{
    Beat, EventKind, Heartbeat, Latency, Link, PhysicalClock, Simulation, crash, ms, partition,
    pause,
};
use lessons::viz::{Figure, FigureError, Heatmap, SpaceTimeDiagram};
use roxmltree::{Document, Node};

fn parse(svg: &str) -> Document<'_> {
    let document = Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    document
}

fn elements<'a>(document: &'a Document<'a>, tag: &str) -> Vec<Node<'a, 'a>> {
    document
        .descendants()
        .filter(|node| node.has_tag_name(tag))
        .collect()
}

/// Elements of this tag whose attribute `name` is `value`.
fn with_attribute(document: &Document<'_>, tag: &str, name: &str, value: &str) -> usize {
    elements(document, tag)
        .iter()
        .filter(|node| node.attribute(name) == Some(value))
        .count()
}

fn texts(document: &Document<'_>) -> Vec<String> {
    elements(document, "text")
        .iter()
        .filter_map(|node| node.text())
        .map(|text| text.trim().to_string())
        .collect()
}

fn assert_has_texts(document: &Document<'_>, expected: &[&str]) {
    let texts = texts(document);
    for text in expected {
        assert!(
            texts.iter().any(|found| found == text),
            "no text {text:?} in {texts:?}"
        );
    }
}

#[test]
fn a_line_chart_has_one_polyline_per_series_and_its_labels() {
    let svg = Figure::new("Lamport time")
        .x_label("event")
        .y_label("time")
        .line("A", [(1.0, 1.0), (2.0, 2.0), (3.0, 7.0)])
        .line("B", [(1.0, 2.0), (2.0, 5.0)])
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    let thick = elements(&document, "polyline")
        .into_iter()
        .filter(|line| line.attribute("stroke-width") == Some("2"))
        .count();
    assert_eq!(thick, 2 + 2, "two series and their two legend samples");
    assert_has_texts(&document, &["Lamport time", "event", "time", "A", "B"]);
}

#[test]
fn a_step_chart_holds_each_value_until_the_next_point() {
    let svg = Figure::new("queue length")
        .step("queue", [(0.0, 1.0), (2.0, 3.0), (5.0, 0.0), (6.0, 2.0)])
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    let step = elements(&document, "polyline")
        .into_iter()
        .find(|line| line.attribute("stroke") == Some("#0072B2"))
        .unwrap();
    let corners = step.attribute("points").unwrap().split_whitespace().count();
    assert_eq!(corners, 2 * 4 - 1);
    assert_has_texts(&document, &["queue length", "queue"]);
}

#[test]
fn a_scatter_chart_has_one_circle_per_point() {
    let points: Vec<(f64, f64)> = (0..17).map(|n| (n as f64, (n * n) as f64)).collect();
    let svg = Figure::new("squares")
        .points("n²", points)
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    assert_eq!(elements(&document, "circle").len(), 17 + 1);
    assert_has_texts(&document, &["squares", "n²"]);
}

#[test]
fn a_bar_chart_has_one_bar_per_category_and_series_and_names_its_categories() {
    let svg = Figure::new("load")
        .x_label("node")
        .y_label("requests")
        .bars("before", [("n1", 30.0), ("n2", 10.0), ("n3", 20.0)])
        .bars("after", [("n1", 20.0), ("n2", 20.0), ("n3", 20.0)])
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    assert_eq!(with_attribute(&document, "rect", "fill", "#0072B2"), 3 + 1);
    assert_eq!(with_attribute(&document, "rect", "fill", "#D55E00"), 3 + 1);
    assert_has_texts(
        &document,
        &[
            "load", "node", "requests", "n1", "n2", "n3", "before", "after",
        ],
    );
}

#[test]
fn bars_do_not_mix_with_numeric_series() {
    let error = Figure::new("mixed")
        .bars("load", [("n1", 1.0)])
        .line("trend", [(0.0, 1.0)])
        .to_svg()
        .unwrap_err();
    assert_eq!(
        error,
        FigureError::MixedAxes {
            series: "trend".into()
        }
    );
}

#[test]
fn a_histogram_has_one_outlined_bar_per_bin() {
    let values: Vec<f64> = (0..100).map(|n| (n % 17) as f64).collect();
    let svg = Figure::new("spread")
        .histogram("values", values, 8)
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    let outlines = elements(&document, "rect")
        .into_iter()
        .filter(|rect| {
            rect.attribute("stroke") == Some("#0072B2") && rect.attribute("fill") == Some("none")
        })
        .count();
    assert_eq!(outlines, 8);
    assert_has_texts(&document, &["spread", "values"]);
    let error = Figure::new("")
        .histogram("h", [1.0], 0)
        .to_svg()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "histogram \"h\" has 0 bins; a histogram has 1 to 10000 bins"
    );
}

#[test]
fn a_heatmap_has_one_cell_per_value_and_names_rows_and_columns() {
    let svg = Heatmap::new("overlap")
        .x_label("W")
        .y_label("R")
        .columns(["w1", "w2", "w3"])
        .rows(["r1", "r2"])
        .values([[0.0, 0.5, 1.0], [0.25, f64::NAN, 0.75]])
        .show_values(true)
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    assert_eq!(with_attribute(&document, "rect", "stroke", "#FFFFFF"), 6);
    assert_has_texts(
        &document,
        &["overlap", "W", "R", "w1", "w3", "r1", "r2", "0.25", "0.75"],
    );
}

/// A run with every kind of mark: messages, losses, a partition, a crash and restart, a pause
/// and a clock step.
fn eventful_run(seed: u64) -> Simulation<Beat> {
    let mut sim = Simulation::new(seed);
    for name in ["A", "B", "C"] {
        sim.add_node(name, || Heartbeat::every(ms(100)));
    }
    sim.set_links(
        Link::new()
            .latency(Latency::uniform(ms(5), ms(30)))
            .loss(0.1),
    )
    .unwrap();
    sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(350)))
        .unwrap();
    sim.add_fault(crash(2).at(ms(420)).restart_at(ms(620)))
        .unwrap();
    sim.add_fault(pause(1).at(ms(520)).resume_at(ms(590)))
        .unwrap();
    sim.set_clock(
        2,
        PhysicalClock::new()
            .offset(ms(30))
            .step_at(ms(700), ms(-40)),
    )
    .unwrap();
    sim.run_until(ms(800)).unwrap();
    sim
}

fn count_class(document: &Document<'_>, class: &str) -> usize {
    document
        .descendants()
        .filter(|node| node.attribute("class") == Some(class))
        .count()
}

#[test]
fn the_diagram_draws_every_delivery_drop_and_fault() {
    let sim = eventful_run(42);
    let trace = sim.trace();
    let svg = trace.diagram().title("Eventful").to_svg().unwrap();
    let document = parse(&svg);
    let deliveries = trace.deliveries().count();
    let drops = trace.drops().count();
    assert!(
        deliveries > 20 && drops > 5,
        "{deliveries} deliveries, {drops} drops"
    );
    assert_eq!(count_class(&document, "message"), deliveries);
    assert_eq!(count_class(&document, "arrowhead"), deliveries);
    assert_eq!(count_class(&document, "dropped"), drops);
    assert_eq!(count_class(&document, "drop-mark"), drops);
    assert_eq!(count_class(&document, "partition"), 1);
    assert_eq!(count_class(&document, "crash"), 1);
    assert_eq!(count_class(&document, "down"), 1);
    assert_eq!(count_class(&document, "restart"), 1);
    assert_eq!(count_class(&document, "pause"), 1);
    assert_eq!(count_class(&document, "clock-step"), 1);
    let dots = trace
        .events()
        .iter()
        .filter(|event| {
            matches!(
                event.kind,
                EventKind::Send { .. } | EventKind::Deliver { .. } | EventKind::Timer { .. }
            )
        })
        .count();
    assert_eq!(count_class(&document, "event"), dots);
    assert_has_texts(
        &document,
        &[
            "Eventful",
            "A",
            "B",
            "C",
            "partition A | B C",
            "paused",
            "clock -40ms",
        ],
    );
    // More than 24 messages: arrows are not labelled unless asked.
    assert_eq!(count_class(&document, "message-label"), 0);
    let labelled = trace.diagram().message_labels(true).to_svg().unwrap();
    assert_eq!(
        count_class(&parse(&labelled), "message-label"),
        deliveries + drops
    );
}

#[test]
fn events_can_be_labelled_with_any_clock() {
    let sim = eventful_run(42);
    let trace = sim.trace();
    let lamport = trace.lamport_times();
    let by_lamport = trace
        .diagram()
        .label_events(|event| lamport[event.index].to_string())
        .to_svg()
        .unwrap();
    let document = parse(&by_lamport);
    let last_delivery = trace
        .events()
        .iter()
        .rfind(|event| matches!(event.kind, EventKind::Deliver { .. }))
        .unwrap();
    let labels: Vec<String> = document
        .descendants()
        .filter(|node| node.attribute("class") == Some("event-label"))
        .filter_map(|node| node.text().map(str::to_string))
        .collect();
    assert!(labels.iter().any(|label| {
        label
            .split(", ")
            .any(|part| part == lamport[last_delivery.index].to_string())
    }));
    let by_wall_clock = trace
        .diagram()
        .label_events(|event| event.clock.to_string())
        .to_svg()
        .unwrap();
    assert!(
        by_wall_clock.contains(">130ms<"),
        "C's clock reads 30 ms ahead at its 100 ms beat"
    );
}

#[test]
fn a_window_shows_only_what_happens_in_it() {
    let sim = eventful_run(42);
    let trace = sim.trace();
    let svg = trace.diagram().between(ms(150), ms(350)).to_svg().unwrap();
    let document = parse(&svg);
    let inside = trace
        .deliveries()
        .filter(|(event, message)| message.sent_at < ms(350) && event.time > ms(150))
        .count();
    assert_eq!(count_class(&document, "message"), inside);
    assert_eq!(
        trace.diagram().between(ms(5), ms(5)).to_svg(),
        Err(FigureError::InvalidWindow {
            start: ms(5),
            end: ms(5)
        })
    );
    assert!(matches!(
        trace.diagram().width(20).to_svg(),
        Err(FigureError::InvalidSize { width: 20, .. })
    ));
}

#[test]
fn the_same_seed_draws_the_same_picture_and_another_seed_does_not() {
    let first = eventful_run(7).trace().diagram().to_svg().unwrap();
    let again = eventful_run(7).trace().diagram().to_svg().unwrap();
    let other = eventful_run(8).trace().diagram().to_svg().unwrap();
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn names_and_labels_are_escaped() {
    let mut sim = Simulation::new(1);
    sim.add_node("<A & B>", || Heartbeat::every(ms(10)));
    sim.add_node("\"C\"", || Heartbeat::every(ms(10)));
    sim.run_until(ms(15)).unwrap();
    let svg = SpaceTimeDiagram::new(sim.trace())
        .title("a < b")
        .label_events(|_| "x<y".into())
        .to_svg()
        .unwrap();
    let document = parse(&svg);
    assert_has_texts(&document, &["<A & B>", "\"C\"", "a < b", "x<y"]);
}

#[test]
fn a_diagram_shows_itself_as_svg_with_a_summary() {
    use lessons::display::RichDisplay;
    let sim = eventful_run(42);
    let bundle = sim.trace().diagram().mime_bundle();
    let types: Vec<&str> = bundle.iter().map(|(mime, _)| mime).collect();
    assert_eq!(types, ["image/svg+xml", "text/plain"]);
    assert!(
        bundle
            .get("text/plain")
            .unwrap()
            .starts_with("Space-time diagram: 3 nodes, ")
    );
}

#[test]
fn many_nodes_get_thinner_rows_and_extreme_windows_still_draw() {
    let mut sim = Simulation::new(1);
    // At full height, 150 rows would need 11,700 pixels.
    for node in 0..150 {
        sim.add_node(format!("n{node}"), || Heartbeat::every(ms(100)));
    }
    sim.run_until(ms(50)).unwrap();
    let svg = sim.trace().diagram().to_svg().unwrap();
    let document = parse(&svg);
    let height: u32 = document
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    assert!(height <= Figure::MAX_SIZE, "{height} pixels high");
    let widest = sim
        .trace()
        .diagram()
        .between(lessons::sim::Time::MIN, lessons::sim::Time::MAX)
        .to_svg();
    assert!(widest.is_ok());
}
