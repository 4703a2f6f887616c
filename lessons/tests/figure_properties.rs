//! A figure either renders or says why not; no input makes it panic or hang.

use lessons::viz::{Corner, Figure, LegendPlace};
use proptest::prelude::*;

/// Ordinary numbers, the extremes of what is allowed, values just past them, and tiny spans.
fn coordinate() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => -1e3..1e3f64,
        1 => Just(Figure::MAX_COORDINATE),
        1 => Just(-Figure::MAX_COORDINATE),
        1 => Just(1e301),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(0.0),
    ]
}

fn series() -> impl Strategy<Value = (bool, Vec<(f64, f64)>)> {
    (
        any::<bool>(),
        prop::collection::vec((coordinate(), coordinate()), 0..6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rendering_returns_svg_or_an_error(
        all_series in prop::collection::vec(series(), 0..4),
        width in prop_oneof![Just(0u32), 50u32..2000, Just(Figure::MAX_SIZE + 1)],
        height in prop_oneof![Just(0u32), 50u32..2000],
    ) {
        let mut figure = Figure::new("property").x_label("x").y_label("y").size(width, height);
        for (index, (as_line, points)) in all_series.into_iter().enumerate() {
            let name = format!("s{index}");
            figure = if as_line { figure.line(name, points) } else { figure.points(name, points) };
        }
        // Either outcome is fine; what is checked is that the call returns, with a usable value.
        match figure.to_svg() {
            Ok(svg) => prop_assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>")),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

/// The legend's frame in a rendered figure: the one translucent white rectangle, as
/// (left, top, right, bottom).
fn legend_frame(svg: &str) -> (f64, f64, f64, f64) {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let frame = document
        .descendants()
        .find(|node| node.has_tag_name("rect") && node.attribute("opacity") == Some("0.85"))
        .expect("a legend frame");
    let number = |name| frame.attribute(name).unwrap().parse::<f64>().unwrap();
    let (left, top) = (number("x"), number("y"));
    (left, top, left + number("width"), top + number("height"))
}

/// The centre and radius of every data point: the circles drawn before the legend.
fn data_dots(svg: &str) -> Vec<(f64, f64, f64)> {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    document
        .descendants()
        .take_while(|node| {
            !(node.has_tag_name("rect") && node.attribute("opacity") == Some("0.85"))
        })
        .filter(|node| node.has_tag_name("circle"))
        .map(|node| {
            let number = |name| node.attribute(name).unwrap().parse::<f64>().unwrap();
            (number("cx"), number("cy"), number("r"))
        })
        .collect()
}

/// Whether `(x, y)` lies in the corner region of [0, 1]² numbered `corner` (upper left, upper
/// right, lower left, lower right), 40% of each axis.
fn in_corner(corner: usize, (x, y): (f64, f64)) -> bool {
    let left = x < 0.4;
    let right = x > 0.6;
    let upper = y > 0.6;
    let lower = y < 0.4;
    match corner {
        0 => left && upper,
        1 => right && upper,
        2 => left && lower,
        _ => right && lower,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Points scattered over [0, 1]² with one corner emptied (the axes pinned to [0, 1] by a point
    /// at the middle of each edge): a legend of up to three short names fits in that corner, so
    /// the automatic legend stays inside the plot and covers no point.
    #[test]
    fn an_automatic_legend_covers_no_point_when_a_corner_is_free(
        points in prop::collection::vec((0.0..=1.0f64, 0.0..=1.0f64), 0..80),
        free_corner in 0usize..4,
        series in 1usize..=3,
    ) {
        let edges = [(0.5, 0.0), (0.5, 1.0), (0.0, 0.5), (1.0, 0.5)];
        let kept: Vec<(f64, f64)> = points
            .into_iter()
            .filter(|&point| !in_corner(free_corner, point))
            .collect();
        let mut figure = Figure::new("scatter").x_label("x").y_label("y").points("s0", edges);
        for index in 0..series {
            let own = kept.iter().copied().skip(index).step_by(series);
            figure = figure.points(format!("s{}", index + 1), own);
        }
        prop_assert!(matches!(figure.legend_place(), Ok(LegendPlace::Inside(_))));
        let svg = figure.to_svg().unwrap();
        let (left, top, right, bottom) = legend_frame(&svg);
        for (x, y, radius) in data_dots(&svg) {
            let covered = x + radius >= left && x - radius <= right
                && y + radius >= top && y - radius <= bottom;
            prop_assert!(!covered, "dot at ({x}, {y}) under the legend {:?}", (left, top, right, bottom));
        }
    }
}

/// The plotting area of a 640x400 figure with a title spans x 76..624 from y 46; the legend
/// sits 5 px inside it, 20 px of padding + 30 px of sample + 6.4 px per character wide, 37 px
/// tall for one row.
#[test]
fn a_rising_line_gets_its_legend_upper_left_and_a_falling_one_upper_right() {
    let rising = Figure::new("rising").line("up", [(0.0, 0.0), (1.0, 1.0)]);
    assert_eq!(
        rising.legend_place(),
        Ok(LegendPlace::Inside(Corner::UpperLeft))
    );
    assert_eq!(
        legend_frame(&rising.to_svg().unwrap()),
        (81.0, 51.0, 144.0, 88.0)
    );
    let falling = Figure::new("falling").line("down", [(0.0, 1.0), (1.0, 0.0)]);
    assert_eq!(
        falling.legend_place(),
        Ok(LegendPlace::Inside(Corner::UpperRight))
    );
    assert_eq!(
        legend_frame(&falling.to_svg().unwrap()),
        (543.0, 51.0, 619.0, 88.0)
    );
}

#[test]
fn a_valley_leaves_only_the_lower_corners_for_a_points_series_across_the_bottom() {
    // A line high at both ends covers both upper corners; dots along the bottom's left half
    // cover the lower left; the lower right is free.
    let figure = Figure::new("valley")
        .line("level", [(0.0, 1.0), (0.5, 0.5), (1.0, 1.0)])
        .points("low", [(0.0, 0.0), (0.1, 0.0), (0.2, 0.0), (0.3, 0.0)]);
    assert_eq!(
        figure.legend_place(),
        Ok(LegendPlace::Inside(Corner::LowerRight))
    );
}

#[test]
fn data_in_every_corner_moves_the_legend_outside_the_plot() {
    let corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)];
    let short = Figure::new("corners").points("dots", corners);
    assert_eq!(short.legend_place(), Ok(LegendPlace::Right));
    let svg = short.to_svg().unwrap();
    let (left, _, right, _) = legend_frame(&svg);
    let rightmost_dot = data_dots(&svg)
        .iter()
        .map(|&(x, _, r)| x + r)
        .fold(0.0, f64::max);
    assert!(
        left > rightmost_dot && right <= 640.0,
        "{left} {right} {rightmost_dot}"
    );

    let long = Figure::new("corners").points("a name far too long to sit beside the plot", corners);
    assert_eq!(long.legend_place(), Ok(LegendPlace::Above));
    let svg = long.to_svg().unwrap();
    let (_, _, _, bottom) = legend_frame(&svg);
    let highest_dot = data_dots(&svg)
        .iter()
        .map(|&(_, y, r)| y - r)
        .fold(f64::MAX, f64::min);
    assert!(bottom < highest_dot, "{bottom} {highest_dot}");

    let forced = short.legend_at(Corner::UpperLeft);
    assert_eq!(
        forced.legend_place(),
        Ok(LegendPlace::Inside(Corner::UpperLeft))
    );
}

#[test]
fn automatic_placement_is_deterministic() {
    let figure = Figure::new("t")
        .line("a", [(0.0, 1.0), (1.0, 0.0)])
        .points("b", [(0.5, 0.5)]);
    assert_eq!(figure.to_svg(), figure.to_svg());
}
