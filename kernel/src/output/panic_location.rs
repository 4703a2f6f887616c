//! Where in the notebook a panic happened.
//!
//! A panic reports a line of the crate evcxr generated for the cell (`src/lib.rs:96:10`), not a
//! line of the cell. evcxr copies each statement of the cell, and each function or type of
//! earlier cells, into that crate, so the generated line's text is found again in the cell that
//! wrote it; the column moves by the difference in indentation.

/// The panicking line of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedLine {
    text: String,
    column: usize,
}

/// A point in a cell's source, 1-based, with the text of its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSpan {
    /// The execution count of the cell.
    pub cell: usize,
    pub line: usize,
    pub column: usize,
    pub text: String,
}

/// The generated line a panic at `location` (`file:line:column`) points to, if it is in the
/// generated crate's `src/lib.rs`.
pub fn generated_line(location: &str, generated: &str) -> Option<GeneratedLine> {
    let mut parts = location.rsplitn(3, ':');
    let column: usize = parts.next()?.parse().ok()?;
    let line: usize = parts.next()?.parse().ok()?;
    if parts.next()? != "src/lib.rs" {
        return None;
    }
    let text = generated.lines().nth(line.checked_sub(1)?)?;
    if text.trim().is_empty() {
        return None;
    }
    Some(GeneratedLine {
        text: text.to_string(),
        column,
    })
}

/// Where `line` stands in the cell with execution count `cell` and source `code`, if there.
pub fn find_in_cell(line: &GeneratedLine, cell: usize, code: &str) -> Option<CellSpan> {
    let wanted = line.text.trim();
    let (index, cell_line) = code
        .lines()
        .enumerate()
        .find(|(_, candidate)| candidate.trim() == wanted)?;
    let column = (line.column + indent(cell_line)).checked_sub(indent(&line.text))?;
    Some(CellSpan {
        cell,
        line: index + 1,
        column: column.max(1),
        text: cell_line.to_string(),
    })
}

fn indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "fn helper() {\n  panic!(\"deep\")\n}\nfn run() {\nlet v: Vec<u32> = Vec::new();\n\nlet y = v[3];\n}\n";

    #[test]
    fn a_generated_line_is_found_in_the_cell_with_its_column_shifted() {
        let cell = "let v: Vec<u32> = Vec::new();\nif true {\n    let y = v[3];\n}";
        let line = generated_line("src/lib.rs:7:9", GENERATED).unwrap();
        assert_eq!(
            find_in_cell(&line, 4, cell),
            Some(CellSpan {
                cell: 4,
                line: 3,
                column: 13,
                text: "    let y = v[3];".into()
            })
        );
    }

    #[test]
    fn a_line_from_an_earlier_cell_is_found_there_not_here() {
        let line = generated_line("src/lib.rs:2:3", GENERATED).unwrap();
        assert_eq!(find_in_cell(&line, 5, "helper();"), None);
        let earlier = find_in_cell(&line, 2, "fn helper() {\n    panic!(\"deep\")\n}").unwrap();
        assert_eq!((earlier.cell, earlier.line, earlier.column), (2, 2, 5));
    }

    #[test]
    fn locations_outside_the_generated_crate_have_no_line() {
        assert_eq!(
            generated_line("src/lib.rs:6:1", GENERATED),
            None,
            "a blank line"
        );
        assert_eq!(
            generated_line("src/lib.rs:99:1", GENERATED),
            None,
            "past the end"
        );
        assert_eq!(
            generated_line("/deps/lessons/src/sim.rs:5:9", GENERATED),
            None
        );
        assert_eq!(generated_line("garbage", GENERATED), None);
    }
}
