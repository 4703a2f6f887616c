//! Rust code to HTML with `syntect` (Sublime Text grammars, pure-Rust regex engine): spans with
//! CSS classes, and the style sheet for them from one of syntect's bundled themes.

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASSES: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const THEME: &str = "InspiredGitHub";

/// Loaded once per run: the grammars take a moment to load.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    css: String,
}

impl Highlighter {
    pub fn new() -> Highlighter {
        let themes = ThemeSet::load_defaults();
        let css = themes
            .themes
            .get(THEME)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASSES).ok())
            .unwrap_or_default();
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            css,
        }
    }

    /// The style sheet for the classes [`Highlighter::rust`] emits.
    pub fn css(&self) -> &str {
        &self.css
    }

    /// `code` as highlighted HTML (the inside of a `<pre>`); escaped plain text if the grammar
    /// cannot parse it.
    pub fn rust(&self, code: &str) -> String {
        let syntax = self
            .syntaxes
            .find_syntax_by_extension("rs")
            .unwrap_or_else(|| self.syntaxes.find_syntax_plain_text());
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASSES);
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return super::html::escape(code);
            }
        }
        generator.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_strings_get_classes() {
        let highlighter = Highlighter::new();
        let html = highlighter.rust("let x = \"a<b\";\nfn f() {}\n");
        assert!(
            html.contains(r#"<span class="hl-storage hl-type hl-rust">let</span>"#),
            "{html}"
        );
        assert!(html.contains("a&lt;b"), "{html}");
        assert!(highlighter.css().contains(".hl-storage"));
    }
}
