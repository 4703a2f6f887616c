//! A figure either renders or says why not; no input makes it panic or hang.

use lessons::viz::Figure;
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
