//! Tables of state: one row per node, replica or step.
//!
//! A [`Table`] holds a header and rows of text. It shows itself in a notebook as an HTML table,
//! with aligned plain text for terminals, and every cell's text is escaped, so a value such as
//! `a<b` appears as written. Build one row by row with [`Table::push_row`], or at once from
//! serializable rows (an experiment's results, say) with [`Table::from_rows`].
//!
//! # Examples
//!
//! ```
//! use lessons::table::Table;
//!
//! let mut table = Table::new(["replica", "value"]);
//! table.push_row(["r1", "x=1"])?;
//! table.push_row(["r2", "x=2"])?;
//! assert_eq!(table.to_plain_text(), "replica  value\n-------  -----\nr1       x=1\nr2       x=2\n");
//! # Ok::<(), lessons::table::TableError>(())
//! ```

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::display::{MimeBundle, RichDisplay, escape};

/// A header row and rows of cells, each row exactly as long as the header.
///
/// # Examples
///
/// ```
/// use lessons::table::Table;
///
/// let mut table = Table::new(["process", "Lamport time"]);
/// for (name, time) in [("A", 7), ("B", 4)] {
///     table.push_row([name.to_string(), time.to_string()])?;
/// }
/// assert_eq!(table.row_count(), 2);
/// # Ok::<(), lessons::table::TableError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::Table;
    ///
    /// let table = Table::new(["node", "term", "role"]);
    /// assert_eq!(table.headers(), ["node", "term", "role"]);
    /// ```
    pub fn new(headers: impl IntoIterator<Item = impl fmt::Display>) -> Self {
        Table {
            headers: headers
                .into_iter()
                .map(|header| header.to_string())
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row, one cell per header, each cell written with its `Display` form.
    ///
    /// # Errors
    ///
    /// [`TableError::RowLength`] if the row has more or fewer cells than the table has columns;
    /// the table is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::{Table, TableError};
    ///
    /// let mut table = Table::new(["node", "term"]);
    /// table.push_row([1, 3])?;
    /// assert_eq!(
    ///     table.push_row([2]),
    ///     Err(TableError::RowLength { row: 1, expected: 2, found: 1 })
    /// );
    /// assert_eq!(table.row_count(), 1);
    /// # Ok::<(), TableError>(())
    /// ```
    pub fn push_row(
        &mut self,
        cells: impl IntoIterator<Item = impl fmt::Display>,
    ) -> Result<(), TableError> {
        let row: Vec<String> = cells.into_iter().map(|cell| cell.to_string()).collect();
        if row.len() != self.headers.len() {
            return Err(TableError::RowLength {
                row: self.rows.len(),
                expected: self.headers.len(),
                found: row.len(),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    /// A table of serializable rows (structs or maps), one column per field.
    ///
    /// Columns follow the fields in the order they first appear; a row without some field gets
    /// an empty cell. Strings and numbers show as they are, `None` (null) as an empty cell,
    /// lists and nested structs as JSON. This is how experiment rows become a table in a
    /// notebook.
    ///
    /// # Errors
    ///
    /// [`TableError::NotARecord`] for a row that does not serialize as a struct or map.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::Table;
    ///
    /// #[derive(serde::Serialize)]
    /// struct Replica {
    ///     name: &'static str,
    ///     value: u64,
    ///     leader: Option<bool>,
    /// }
    ///
    /// let rows = [
    ///     Replica { name: "r1", value: 3, leader: Some(true) },
    ///     Replica { name: "r2", value: 2, leader: None },
    /// ];
    /// let table = Table::from_rows(&rows)?;
    /// assert_eq!(table.headers(), ["name", "value", "leader"]);
    /// assert_eq!(table.rows()[1], ["r2", "2", ""]);
    /// # Ok::<(), lessons::table::TableError>(())
    /// ```
    pub fn from_rows<T: Serialize>(rows: &[T]) -> Result<Table, TableError> {
        let records = rows
            .iter()
            .enumerate()
            .map(|(row, value)| record(row, value))
            .collect::<Result<Vec<_>, _>>()?;
        let mut headers: Vec<String> = Vec::new();
        for (name, _) in records.iter().flatten() {
            if !headers.contains(name) {
                headers.push(name.clone());
            }
        }
        let rows = records
            .iter()
            .map(|fields| {
                headers
                    .iter()
                    .map(|header| {
                        fields
                            .iter()
                            .find(|(name, _)| name == header)
                            .map_or(String::new(), |(_, value)| cell_text(value))
                    })
                    .collect()
            })
            .collect();
        Ok(Table { headers, rows })
    }

    /// The column headers.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::table::Table::new(["a"]).headers(), ["a"]);
    /// ```
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The rows pushed so far, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::Table;
    ///
    /// let mut table = Table::new(["a", "b"]);
    /// table.push_row(["1", "2"])?;
    /// assert_eq!(table.rows(), [vec!["1".to_string(), "2".to_string()]]);
    /// # Ok::<(), lessons::table::TableError>(())
    /// ```
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// How many rows the table has, not counting the header.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::table::Table::new(["a"]).row_count(), 0);
    /// ```
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The table as an HTML `<table>`, with every header and cell escaped.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::Table;
    ///
    /// let mut table = Table::new(["test"]);
    /// table.push_row(["a<b"])?;
    /// assert_eq!(
    ///     table.to_html(),
    ///     "<table>\n<thead>\n<tr><th>test</th></tr>\n</thead>\n<tbody>\n\
    ///      <tr><td>a&lt;b</td></tr>\n</tbody>\n</table>\n"
    /// );
    /// # Ok::<(), lessons::table::TableError>(())
    /// ```
    pub fn to_html(&self) -> String {
        let row_html = |cells: &[String], tag: &str| {
            let cells: String = cells
                .iter()
                .map(|cell| format!("<{tag}>{}</{tag}>", escape(cell)))
                .collect();
            format!("<tr>{cells}</tr>\n")
        };
        let body: String = self.rows.iter().map(|row| row_html(row, "td")).collect();
        format!(
            "<table>\n<thead>\n{}</thead>\n<tbody>\n{body}</tbody>\n</table>\n",
            row_html(&self.headers, "th")
        )
    }

    /// The table as plain text: columns padded to their widest entry and separated by two
    /// spaces, a rule of dashes under the header, no trailing spaces.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::table::Table;
    ///
    /// let mut table = Table::new(["process", "time"]);
    /// table.push_row(["A", "7"])?;
    /// assert_eq!(table.to_plain_text(), "process  time\n-------  ----\nA        7\n");
    /// # Ok::<(), lessons::table::TableError>(())
    /// ```
    pub fn to_plain_text(&self) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|column| {
                std::iter::once(&self.headers)
                    .chain(&self.rows)
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, &width)| format!("{cell:<width$}"))
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let rule: Vec<String> = widths.iter().map(|&width| "-".repeat(width)).collect();
        let mut text = line(&self.headers);
        text.push_str(&line(&rule));
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }

    /// Displays the table as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// lessons::table::Table::new(["node"]).evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        crate::display::evcxr_display(self);
    }
}

impl RichDisplay for Table {
    /// `text/html` first, then the aligned `text/plain` version.
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::new()
            .with("text/html", self.to_html())
            .with("text/plain", self.to_plain_text())
    }
}

/// Why a row could not be added to a [`Table`].
///
/// # Examples
///
/// ```
/// use lessons::table::Table;
///
/// let mut table = Table::new(["node", "term"]);
/// let error = table.push_row(["n1", "3", "leader"]).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "row 0 has 3 cells but the table has 2 columns; give exactly one cell per header"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// A row given to [`Table::from_rows`] did not serialize as a struct or map.
    NotARecord {
        /// The row's position, counting from 0.
        row: usize,
        /// What serialization said.
        reason: String,
    },
    /// The row's length differs from the number of headers.
    RowLength {
        /// The index the row would have had, counting from 0.
        row: usize,
        /// The number of columns.
        expected: usize,
        /// The number of cells given.
        found: usize,
    },
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::NotARecord { row, reason } => write!(
                f,
                "row {row} cannot be a table row: {reason}; rows must be structs or maps"
            ),
            TableError::RowLength {
                row,
                expected,
                found,
            } => write!(
                f,
                "row {row} has {found} cells but the table has {expected} columns; give exactly \
                 one cell per header"
            ),
        }
    }
}

impl std::error::Error for TableError {}

/// The fields of one serialized row, in the order they were written.
struct Record(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Record, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Record;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a struct or a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry::<String, Value>()? {
                    fields.push(field);
                }
                Ok(Record(fields))
            }
        }

        deserializer.deserialize_map(Fields)
    }
}

/// `value`'s fields in order; JSON text goes through a visitor because `serde_json::Map`
/// would sort the keys and scramble the columns.
fn record<T: Serialize>(row: usize, value: &T) -> Result<Vec<(String, Value)>, TableError> {
    let not_a_record = |reason: String| TableError::NotARecord { row, reason };
    let json = serde_json::to_string(value).map_err(|error| not_a_record(error.to_string()))?;
    let Record(fields) =
        serde_json::from_str(&json).map_err(|error| not_a_record(error.to_string()))?;
    Ok(fields)
}

/// A JSON value as a cell: strings without quotes, null as nothing, the rest as JSON.
fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clocks() -> Table {
        let mut table = Table::new(["process", "Lamport time", "events"]);
        table.push_row(["A", "7", "3"]).unwrap();
        table.push_row(["B", "4", "3"]).unwrap();
        table.push_row(["C", "6", "3"]).unwrap();
        table
    }

    #[test]
    fn plain_text_pads_every_column_but_trims_line_ends() {
        assert_eq!(
            clocks().to_plain_text(),
            "process  Lamport time  events\n\
             -------  ------------  ------\n\
             A        7             3\n\
             B        4             3\n\
             C        6             3\n"
        );
    }

    #[test]
    fn plain_text_widens_columns_for_long_cells() {
        let mut table = Table::new(["n", "state"]);
        table.push_row(["node-10", "follower"]).unwrap();
        table.push_row(["n2", ""]).unwrap();
        assert_eq!(
            table.to_plain_text(),
            "n        state\n\
             -------  --------\n\
             node-10  follower\n\
             n2\n"
        );
    }

    #[test]
    fn plain_text_counts_characters_not_bytes() {
        let mut table = Table::new(["name", "x"]);
        table.push_row(["Zoë", "1"]).unwrap();
        assert_eq!(table.to_plain_text(), "name  x\n----  -\nZoë   1\n");
    }

    #[test]
    fn html_is_exact() {
        assert_eq!(
            clocks().to_html(),
            "<table>\n<thead>\n\
             <tr><th>process</th><th>Lamport time</th><th>events</th></tr>\n\
             </thead>\n<tbody>\n\
             <tr><td>A</td><td>7</td><td>3</td></tr>\n\
             <tr><td>B</td><td>4</td><td>3</td></tr>\n\
             <tr><td>C</td><td>6</td><td>3</td></tr>\n\
             </tbody>\n</table>\n"
        );
    }

    #[test]
    fn html_escapes_headers_and_cells() {
        let mut table = Table::new(["<th>"]);
        table
            .push_row(["<script>alert('x') & \"y\"</script>"])
            .unwrap();
        let html = table.to_html();
        assert!(html.contains("<th>&lt;th&gt;</th>"));
        assert!(html.contains(
            "<td>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</td>"
        ));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn rows_of_the_wrong_length_are_rejected_and_leave_the_table_unchanged() {
        let mut table = clocks();
        assert_eq!(
            table.push_row(["D", "1"]),
            Err(TableError::RowLength {
                row: 3,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            table.push_row(["D", "1", "1", "1"]),
            Err(TableError::RowLength {
                row: 3,
                expected: 3,
                found: 4
            })
        );
        assert_eq!(table, clocks());
    }

    #[test]
    fn an_empty_table_shows_its_header() {
        let table = Table::new(["step", "event"]);
        assert_eq!(table.to_plain_text(), "step  event\n----  -----\n");
        assert!(table.to_html().contains("<tbody>\n</tbody>"));
    }

    #[test]
    fn rows_from_maps_union_their_keys_in_first_seen_order() {
        use std::collections::BTreeMap;
        let first = BTreeMap::from([("b", 1), ("a", 2)]);
        let second = BTreeMap::from([("c", 3)]);
        let table = Table::from_rows(&[first, second]).unwrap();
        assert_eq!(table.headers(), ["a", "b", "c"]);
        assert_eq!(table.rows(), [vec!["2", "1", ""], vec!["", "", "3"]]);
    }

    #[test]
    fn rows_that_are_not_records_are_refused() {
        let error = Table::from_rows(&[1, 2]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "row 0 cannot be a table row: invalid type: integer `1`, expected a struct or a map \
             at line 1 column 1; rows must be structs or maps"
        );
    }

    #[test]
    fn nested_values_show_as_json() {
        #[derive(Serialize)]
        struct Row {
            clock: Vec<u64>,
            note: &'static str,
        }
        let table = Table::from_rows(&[Row {
            clock: vec![1, 0, 2],
            note: "a<b",
        }])
        .unwrap();
        assert_eq!(table.rows()[0], ["[1,0,2]", "a<b"]);
    }

    #[test]
    fn mime_bundle_has_html_then_plain_text() {
        let bundle = clocks().mime_bundle();
        let types: Vec<&str> = bundle.iter().map(|(mime, _)| mime).collect();
        assert_eq!(types, ["text/html", "text/plain"]);
        assert_eq!(
            bundle.get("text/plain"),
            Some(clocks().to_plain_text().as_str())
        );
    }
}
