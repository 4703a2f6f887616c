//! The lesson's prose: Markdown cells to HTML with `pulldown-cmark` (tables, strikethrough,
//! footnotes, math spans), every heading given an id for the contents sidebar.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One entry of the contents: a heading's level (1 to 6), its id and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: usize,
    pub id: String,
    pub text: String,
}

/// Renders the Markdown cells of one page, keeping heading ids unique across the page.
#[derive(Default)]
pub struct Prose {
    used: HashMap<String, usize>,
    pub headings: Vec<Heading>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading's id: lower case letters and digits, words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

impl Prose {
    fn unique(&mut self, base: String) -> String {
        let count = self.used.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}-{count}")
        }
    }

    /// `markdown` as HTML; its headings are added to [`Prose::headings`].
    pub fn render(&mut self, markdown: &str) -> String {
        let mut events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
        let mut index = 0;
        while index < events.len() {
            if let Event::Start(Tag::Heading { level, id, .. }) = &events[index] {
                let level = heading_level(*level);
                let end = events[index..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |offset| index + offset);
                let text: String = events[index + 1..end]
                    .iter()
                    .filter_map(|event| match event {
                        Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
                        _ => None,
                    })
                    .collect();
                let id = match id {
                    Some(id) => self.unique(id.to_string()),
                    None => self.unique(slug(&text)),
                };
                self.headings.push(Heading {
                    level,
                    id: id.clone(),
                    text,
                });
                if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[index] {
                    *slot = Some(CowStr::from(id));
                }
                index = end;
            }
            index += 1;
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        html
    }
}

fn heading_level(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_ids_and_enter_the_contents() {
        let mut prose = Prose::default();
        let html = prose.render("# 01 · Rate limiting\n\n## Try `it`\n\ntext | a\n--|--\n1|2\n");
        let again = prose.render("## Try it\n");
        assert!(
            html.contains(r#"<h1 id="01-rate-limiting">01 · Rate limiting</h1>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<h2 id="try-it">Try <code>it</code></h2>"#),
            "{html}"
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(again.contains(r#"<h2 id="try-it-2">"#), "{again}");
        let ids: Vec<&str> = prose.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["01-rate-limiting", "try-it", "try-it-2"]);
        assert_eq!(prose.headings[1].text, "Try it");
    }
}
