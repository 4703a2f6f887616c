//! The input history of this kernel session, answering `history_request` (tail, range and
//! search), as IPython's history manager does for the current session.

use jupyter_protocol::{HistoryEntry, HistoryRequest};

/// The session number this kernel reports (history is kept for the running kernel only).
pub const SESSION: usize = 1;

/// One executed cell: its execution count, its code and its text output if any.
struct Entry {
    line: usize,
    input: String,
    output: Option<String>,
}

/// Every cell executed with `store_history`, in order.
#[derive(Default)]
pub struct History {
    entries: Vec<Entry>,
}

impl History {
    pub fn record(&mut self, line: usize, input: &str) {
        self.entries.push(Entry {
            line,
            input: input.to_string(),
            output: None,
        });
    }

    pub fn record_output(&mut self, line: usize, output: &str) {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .rev()
            .find(|entry| entry.line == line)
        {
            entry.output = Some(output.to_string());
        }
    }

    /// The most recent answer `find` gives for a recorded cell (its count and its code).
    pub fn latest<T>(&self, find: impl Fn(usize, &str) -> Option<T>) -> Option<T> {
        self.entries
            .iter()
            .rev()
            .find_map(|entry| find(entry.line, &entry.input))
    }

    /// The entries a request asks for.
    pub fn answer(&self, request: &HistoryRequest) -> Vec<HistoryEntry> {
        match request {
            HistoryRequest::Tail { n, output, .. } => {
                let skip = self.entries.len().saturating_sub(non_negative(*n));
                self.format(self.entries.iter().skip(skip), *output)
            }
            HistoryRequest::Range {
                session,
                start,
                stop,
                output,
                ..
            } => {
                // Session 0 or a negative offset from it means the current session here.
                let ours =
                    session.is_none_or(|session| session <= 0 || session as usize == SESSION);
                let (start, stop) = (*start as i64, *stop as i64);
                let wanted = self.entries.iter().filter(|entry| {
                    let line = entry.line as i64;
                    ours && line >= start && (stop <= 0 || line < stop)
                });
                self.format(wanted, *output)
            }
            HistoryRequest::Search {
                pattern,
                unique,
                output,
                n,
                ..
            } => {
                let mut found: Vec<&Entry> = self
                    .entries
                    .iter()
                    .filter(|entry| glob_matches(pattern, &entry.input))
                    .collect();
                if *unique {
                    let mut seen = std::collections::HashSet::new();
                    found.reverse();
                    found.retain(|entry| seen.insert(entry.input.as_str()));
                    found.reverse();
                }
                let n = non_negative(*n);
                if n > 0 {
                    found.drain(..found.len().saturating_sub(n));
                }
                self.format(found.into_iter(), *output)
            }
        }
    }

    fn format<'a>(
        &self,
        entries: impl Iterator<Item = &'a Entry>,
        output: bool,
    ) -> Vec<HistoryEntry> {
        entries
            .map(|entry| match output {
                false => HistoryEntry::Input(SESSION, entry.line, entry.input.clone()),
                true => HistoryEntry::InputOutput(
                    SESSION,
                    entry.line,
                    (
                        entry.input.clone(),
                        entry.output.clone().unwrap_or_default(),
                    ),
                ),
            })
            .collect()
    }
}

fn non_negative(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Shell-style matching as IPython's history search does it: `*` any run, `?` one character.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // matches[j]: pattern[..i] matches text[..j].
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for &symbol in &pattern {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match symbol {
                '*' => matches[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matches[j - 1],
                literal => j > 0 && matches[j - 1] && text[j - 1] == literal,
            };
        }
        matches = next;
    }
    matches[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> History {
        let mut history = History::default();
        for (line, code) in [
            (1, "let a = 1;"),
            (2, "a + 1"),
            (3, "let b = 2;"),
            (4, "a + 1"),
        ] {
            history.record(line, code);
        }
        history.record_output(2, "2");
        history
    }

    fn lines(entries: Vec<HistoryEntry>) -> Vec<usize> {
        entries
            .into_iter()
            .map(|entry| match entry {
                HistoryEntry::Input(_, line, _) | HistoryEntry::InputOutput(_, line, _) => line,
            })
            .collect()
    }

    #[test]
    fn tail_gives_the_last_n_in_order() {
        let tail = HistoryRequest::Tail {
            n: 2,
            output: false,
            raw: true,
        };
        assert_eq!(lines(history().answer(&tail)), vec![3, 4]);
    }

    #[test]
    fn range_is_half_open_like_ipython() {
        let range = HistoryRequest::Range {
            session: Some(SESSION as i32),
            start: 2,
            stop: 3,
            output: true,
            raw: true,
        };
        let answer = history().answer(&range);
        assert!(
            matches!(&answer[..], [HistoryEntry::InputOutput(1, 2, (input, output))] if input == "a + 1" && output == "2")
        );
        let other_session = HistoryRequest::Range {
            session: Some(7),
            start: 1,
            stop: 5,
            output: false,
            raw: true,
        };
        assert!(history().answer(&other_session).is_empty());
    }

    #[test]
    fn search_matches_globs_and_can_drop_repeats() {
        let search = |unique| HistoryRequest::Search {
            pattern: "a*".into(),
            unique,
            output: false,
            raw: true,
            n: 0,
        };
        assert_eq!(lines(history().answer(&search(false))), vec![2, 4]);
        assert_eq!(lines(history().answer(&search(true))), vec![4]);
        assert!(glob_matches("let ?*", "let b = 2;"));
        assert!(!glob_matches("let", "let b"));
    }
}
