//! Which form of each output the notes show: the richest one a static page can carry (SVG,
//! then HTML, Markdown, PNG or JPEG, then plain text), and stream and error text without
//! terminal colours.

use jupyter_protocol::{Media, MediaType};
use nbformat::v4::Output;

use super::execute::strip_ansi;

/// One output, ready for a page.
#[derive(Debug, PartialEq)]
pub enum Shown<'a> {
    /// An SVG document, without any XML declaration or doctype before `<svg`.
    Svg(&'a str),
    Html(&'a str),
    Markdown(&'a str),
    /// A base64 image with its MIME type.
    Image {
        mime: &'static str,
        base64: &'a str,
    },
    /// stdout, stderr or a plain-text value.
    Text {
        class: &'static str,
        text: String,
    },
    /// An error: its name, value and traceback as one text.
    Error(String),
}

fn richest(media: &Media) -> Option<Shown<'_>> {
    let rank = |kind: &MediaType| match kind {
        MediaType::Svg(_) => 6,
        MediaType::Html(_) => 5,
        MediaType::Markdown(_) => 4,
        MediaType::Png(_) => 3,
        MediaType::Jpeg(_) => 2,
        MediaType::Plain(_) => 1,
        _ => 0,
    };
    let best = media
        .content
        .iter()
        .filter(|kind| rank(kind) > 0)
        .max_by_key(|kind| rank(kind))?;
    Some(match best {
        MediaType::Svg(svg) => Shown::Svg(svg_element(svg)),
        MediaType::Html(html) => Shown::Html(html),
        MediaType::Markdown(markdown) => Shown::Markdown(markdown),
        MediaType::Png(data) => Shown::Image {
            mime: "image/png",
            base64: data.trim(),
        },
        MediaType::Jpeg(data) => Shown::Image {
            mime: "image/jpeg",
            base64: data.trim(),
        },
        MediaType::Plain(text) => Shown::Text {
            class: "result",
            text: strip_ansi(text),
        },
        _ => return None,
    })
}

/// The `<svg>` element of an SVG document, so that it can sit inside HTML.
pub fn svg_element(svg: &str) -> &str {
    svg.find("<svg")
        .map_or(svg, |start| &svg[start..])
        .trim_end()
}

/// How `output` is shown, or `None` for outputs a page cannot show.
pub fn shown(output: &Output) -> Option<Shown<'_>> {
    match output {
        Output::Stream { name, text } => Some(Shown::Text {
            class: if name == "stderr" { "stderr" } else { "stdout" },
            text: strip_ansi(&text.0),
        }),
        Output::DisplayData(display) => richest(&display.data),
        Output::ExecuteResult(result) => richest(&result.data),
        Output::Error(error) => {
            let mut text = strip_ansi(&format!("{}: {}", error.ename, error.evalue));
            for line in &error.traceback {
                text.push('\n');
                text.push_str(&strip_ansi(line));
            }
            Some(Shown::Error(text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nbformat::v4::DisplayData;

    #[test]
    fn svg_wins_over_text_and_loses_its_xml_declaration() {
        let output = Output::DisplayData(DisplayData {
            data: Media::new(vec![
                MediaType::Plain("a figure".into()),
                MediaType::Svg("<?xml version=\"1.0\"?>\n<svg width=\"1\"></svg>\n".into()),
            ]),
            metadata: Default::default(),
        });
        assert_eq!(shown(&output), Some(Shown::Svg("<svg width=\"1\"></svg>")));
    }
}
