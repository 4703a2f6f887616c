//! Study notes as Markdown: the prose as written, the code in ```rust fences, each plot as an
//! SVG file in `<lesson>_files/` beside the page and linked from it, tables as the kernel's
//! HTML (Markdown renderers pass it through), text outputs in fences.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use nbformat::v4::Cell;

use super::Lesson;
use super::notebook::source;
use super::outputs::{Shown, shown};

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn fenced(out: &mut String, info: &str, text: &str) {
    let fence = fence(text);
    let _ = write!(
        out,
        "{fence}{info}\n{}\n{fence}\n\n",
        text.trim_end_matches('\n')
    );
}

/// Writes `<dir>/<stem>.md` and the SVG files it links, in `<dir>/<stem>_files/`.
pub fn write_lesson(lesson: &Lesson, dir: &Path) -> anyhow::Result<()> {
    let files = format!("{}_files", lesson.stem);
    let mut page = String::new();
    let mut plots = 0;
    for (index, cell) in lesson.notebook.cells.iter().enumerate() {
        match cell {
            Cell::Markdown { .. } => {
                let _ = write!(page, "{}\n\n", source(cell).trim_end());
            }
            Cell::Code { outputs, .. } => {
                fenced(&mut page, "rust", &source(cell));
                for (position, output) in outputs.iter().enumerate() {
                    match shown(output) {
                        Some(Shown::Svg(svg)) => {
                            plots += 1;
                            let name = format!("cell{}_output{}.svg", index + 1, position + 1);
                            let folder = dir.join(&files);
                            std::fs::create_dir_all(&folder)
                                .with_context(|| format!("creating {}", folder.display()))?;
                            std::fs::write(folder.join(&name), format!("{svg}\n"))?;
                            let _ = write!(page, "![plot {plots}]({files}/{name})\n\n");
                        }
                        Some(Shown::Html(html)) => {
                            let _ = write!(page, "<div>\n{}\n</div>\n\n", html.trim());
                        }
                        Some(Shown::Markdown(markdown)) => {
                            let _ = write!(page, "{}\n\n", markdown.trim_end());
                        }
                        Some(Shown::Image { mime, base64 }) => {
                            let _ = write!(page, "![output](data:{mime};base64,{base64})\n\n");
                        }
                        Some(Shown::Text { text, .. }) | Some(Shown::Error(text)) => {
                            fenced(&mut page, "text", &text);
                        }
                        None => {}
                    }
                }
            }
            Cell::Raw { .. } => {}
        }
    }
    let path = dir.join(format!("{}.md", lesson.stem));
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))
}

/// The Markdown index: every lesson in curriculum order.
pub fn index(lessons: &[Lesson]) -> String {
    let mut page = String::from("# Study notes\n\n");
    for (number, lesson) in lessons.iter().enumerate() {
        match &lesson.failure {
            None => {
                let _ = writeln!(
                    page,
                    "{}. [{}]({}.md)",
                    number + 1,
                    lesson.title,
                    lesson.stem
                );
            }
            Some(failure) => {
                let _ = writeln!(
                    page,
                    "{}. {} (not exported: cell {} failed: {})",
                    number + 1,
                    lesson.title,
                    failure.cell,
                    failure.ename
                );
            }
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_longer_than_the_backticks_inside() {
        assert_eq!(fence("let x = 1;"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
