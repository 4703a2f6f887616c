//! Study notes as HTML pages: one self-contained page per lesson (a contents sidebar, the
//! prose, the code highlighted in foldable blocks, every plot as inline SVG, tables as the
//! kernel drew them) and an index page linking the lessons in curriculum order.

use std::fmt::Write;

use nbformat::v4::Cell;

use super::Lesson;
use super::highlight::Highlighter;
use super::notebook::source;
use super::outputs::{Shown, shown};
use super::prose::Prose;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --side: 17rem; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --code: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
nav.contents { position: fixed; top: 0; bottom: 0; left: 0; width: var(--side); overflow-y: auto;
  padding: 1rem; border-right: 1px solid var(--rule); background: #fbfcfd; font-size: 0.9rem; }
nav.contents ol { list-style: none; padding-left: 0; margin: 0.3rem 0; }
nav.contents li.level-3 { padding-left: 1rem; } nav.contents li.level-4 { padding-left: 2rem; }
nav.contents a { color: var(--ink); text-decoration: none; } nav.contents a:hover { text-decoration: underline; }
nav.contents .lessons { margin-top: 1rem; padding-top: 0.5rem; border-top: 1px solid var(--rule); }
main { margin-left: var(--side); padding: 1rem 2.5rem 4rem; max-width: calc(var(--side) + 60rem); }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid var(--rule); padding: 0.2rem 0.6rem; text-align: right; }
th { background: var(--code); }
pre { background: var(--code); padding: 0.6rem 0.8rem; overflow-x: auto; font-size: 0.85rem; line-height: 1.45; margin: 0.3rem 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
details.code { border-left: 3px solid #0969da; margin: 1rem 0 0.3rem; }
details.code > summary { cursor: pointer; color: var(--muted); font-size: 0.8rem; padding: 0 0.5rem; }
details.code > pre { margin: 0; }
.output { margin: 0.3rem 0 1rem; overflow-x: auto; }
.output svg { max-width: 100%; height: auto; display: block; }
pre.stderr { background: #fff8e1; } pre.error { background: #ffebe9; color: #82071e; }
.fold-all { float: right; font-size: 0.8rem; }
@media print {
  nav.contents, .fold-all { display: none; } main { margin-left: 0; }
  details.code:not([open]) { display: none; }
}
"#;

const SCRIPT: &str = r#"
document.querySelector('.fold-all').addEventListener('click', function () {
  var blocks = document.querySelectorAll('details.code');
  var open = Array.prototype.some.call(blocks, function (d) { return d.open; });
  blocks.forEach(function (d) { d.open = !open; });
  this.textContent = open ? 'Show all code' : 'Fold all code';
});
"#;

fn head(out: &mut String, title: &str, css: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{css}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

/// One output as HTML.
fn output_html(out: &mut String, shown: Shown<'_>, prose: &mut Prose) {
    match shown {
        Shown::Svg(svg) => {
            let _ = writeln!(out, "<div class=\"output plot\">\n{svg}\n</div>");
        }
        Shown::Html(html) => {
            let _ = writeln!(out, "<div class=\"output html\">\n{html}\n</div>");
        }
        Shown::Markdown(markdown) => {
            let _ = writeln!(
                out,
                "<div class=\"output markdown\">\n{}</div>",
                prose.render(markdown)
            );
        }
        Shown::Image { mime, base64 } => {
            let _ = writeln!(
                out,
                "<div class=\"output image\"><img src=\"data:{mime};base64,{base64}\" alt=\"\"></div>"
            );
        }
        Shown::Text { class, text } => {
            let _ = writeln!(out, "<pre class=\"output {class}\">{}</pre>", escape(&text));
        }
        Shown::Error(text) => {
            let _ = writeln!(out, "<pre class=\"output error\">{}</pre>", escape(&text));
        }
    }
}

/// Settings for a lesson page.
pub struct PageOptions<'a> {
    pub highlighter: &'a Highlighter,
    /// Code blocks start folded.
    pub fold_code: bool,
    /// Every lesson, for the links at the foot of the sidebar.
    pub lessons: &'a [Lesson],
}

/// The HTML page of one lesson.
pub fn lesson_page(lesson: &Lesson, options: &PageOptions<'_>) -> String {
    let mut prose = Prose::default();
    let mut body = String::new();
    let mut code_number = 0;
    for cell in &lesson.notebook.cells {
        match cell {
            Cell::Markdown { .. } => {
                let _ = writeln!(
                    body,
                    "<section class=\"prose\">\n{}</section>",
                    prose.render(&source(cell))
                );
            }
            Cell::Code {
                execution_count,
                outputs,
                ..
            } => {
                code_number += 1;
                let code = source(cell);
                let label = match execution_count {
                    Some(count) => format!("Rust · cell [{count}]"),
                    None => format!("Rust · cell {code_number}"),
                };
                let _ = writeln!(
                    body,
                    "<details class=\"code\"{}><summary>{label}</summary><pre class=\"code\"><code class=\"language-rust\">{}</code></pre></details>",
                    if options.fold_code { "" } else { " open" },
                    options.highlighter.rust(&code)
                );
                for output in outputs {
                    if let Some(shown) = shown(output) {
                        output_html(&mut body, shown, &mut prose);
                    }
                }
            }
            Cell::Raw { .. } => {}
        }
    }
    let mut page = String::new();
    head(&mut page, &lesson.title, options.highlighter.css());
    page.push_str("<nav class=\"contents\" aria-label=\"Contents\">\n");
    page.push_str(
        "<p><a href=\"index.html\">← All lessons</a></p>\n<strong>Contents</strong>\n<ol>\n",
    );
    for heading in prose.headings.iter().filter(|h| h.level <= 4) {
        let _ = writeln!(
            page,
            "<li class=\"level-{}\"><a href=\"#{}\">{}</a></li>",
            heading.level,
            escape(&heading.id),
            escape(&heading.text)
        );
    }
    page.push_str("</ol>\n<div class=\"lessons\"><strong>Lessons</strong>\n<ol>\n");
    for other in options.lessons.iter().filter(|l| l.failure.is_none()) {
        if other.stem == lesson.stem {
            let _ = writeln!(page, "<li><strong>{}</strong></li>", escape(&other.title));
        } else {
            let _ = writeln!(
                page,
                "<li><a href=\"{}.html\">{}</a></li>",
                escape(&other.stem),
                escape(&other.title)
            );
        }
    }
    page.push_str("</ol></div>\n</nav>\n<main>\n");
    let _ = writeln!(
        page,
        "<button type=\"button\" class=\"fold-all\">{}</button>",
        if options.fold_code {
            "Show all code"
        } else {
            "Fold all code"
        }
    );
    page.push_str(&body);
    let _ = writeln!(
        page,
        "<footer><p><a href=\"{0}.ipynb\">{0}.ipynb</a> (executed) · <a href=\"{0}.md\">Markdown version</a></p></footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>",
        escape(&lesson.stem)
    );
    page
}

/// The index page: every lesson in curriculum order; a lesson that failed is listed with the
/// cell that failed instead of a link.
pub fn index_page(lessons: &[Lesson]) -> String {
    let mut page = String::new();
    head(&mut page, "Study notes", "");
    page.push_str("<main style=\"margin-left: auto; margin-right: auto\">\n<h1>Study notes</h1>\n<ol class=\"lessons\">\n");
    for lesson in lessons {
        match &lesson.failure {
            None => {
                let _ = writeln!(
                    page,
                    "<li><a href=\"{0}.html\">{1}</a> <small>(<a href=\"{0}.md\">Markdown</a>, <a href=\"{0}.ipynb\">notebook</a>)</small></li>",
                    escape(&lesson.stem),
                    escape(&lesson.title)
                );
            }
            Some(failure) => {
                let _ = writeln!(
                    page,
                    "<li class=\"failed\">{} <small>(not exported: cell {} failed: {})</small></li>",
                    escape(&lesson.title),
                    failure.cell,
                    escape(&failure.ename)
                );
            }
        }
    }
    page.push_str("</ol>\n</main>\n</body>\n</html>\n");
    page
}
