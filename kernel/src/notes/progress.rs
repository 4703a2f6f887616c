//! Progress in the terminal with `indicatif`: a bar for the notebooks, and one per notebook
//! that moves cell by cell and names the cell running. Bars are drawn on stderr only when it is
//! a terminal; the summary lines are printed either way.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// All the bars of one `notes` run.
pub struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
}

/// The bar of one notebook.
pub struct NotebookBar {
    bar: ProgressBar,
}

impl Bars {
    /// Bars for `notebooks` notebooks.
    pub fn new(notebooks: usize) -> Bars {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(notebooks as u64));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:>12} [{bar:30}] {pos}/{len} notebooks, {elapsed}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        overall.set_prefix("notes");
        Bars { multi, overall }
    }

    /// Starts the bar of notebook `name`, which has `cells` code cells.
    pub fn notebook(&self, name: &str, cells: usize) -> NotebookBar {
        let bar = self
            .multi
            .insert_before(&self.overall, ProgressBar::new(cells as u64));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix:.bold} [{bar:20}] cell {pos}/{len} {elapsed:>4} {wide_msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(name.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        NotebookBar { bar }
    }

    /// Prints a line above the bars (or plainly, without a terminal).
    pub fn println(&self, line: &str) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }

    /// One more notebook done.
    pub fn notebook_done(&self) {
        self.overall.inc(1);
    }

    /// Removes the bars.
    pub fn finish(&self) {
        self.overall.finish_and_clear();
    }
}

impl NotebookBar {
    /// Removes this notebook's bar; the caller prints the outcome.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl super::execute::Progress for NotebookBar {
    fn cell(&self, done: usize, source: &str) {
        self.bar.set_position(done as u64);
        let first = source
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with("//"))
            .unwrap_or("");
        self.bar.set_message(first.to_owned());
    }
}
