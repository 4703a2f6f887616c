//! `?name` cells: documentation in the pager, as `?name` does in IPython.

/// The path a help cell asks about: `?Vec`, `? lessons::clocks::LamportClock`. Only a leading
/// `?` counts, since a trailing `?` is Rust's error-propagation operator.
pub fn help_target(code: &str) -> Option<&str> {
    let target = code.trim().strip_prefix('?')?.trim();
    let is_path = !target.is_empty()
        && target
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '<' | '>' | ',' | ' '));
    is_path.then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_question_mark_asks_for_help() {
        assert_eq!(help_target("?Vec"), Some("Vec"));
        assert_eq!(
            help_target("  ? lessons::clocks::LamportClock \n"),
            Some("lessons::clocks::LamportClock")
        );
        assert_eq!(
            help_target("?HashMap<String, u32>"),
            Some("HashMap<String, u32>")
        );
    }

    #[test]
    fn rust_code_is_not_a_help_request() {
        assert_eq!(help_target("result?"), None);
        assert_eq!(help_target("?"), None);
        assert_eq!(help_target("?x.len()"), None);
        assert_eq!(help_target("let x = 1;"), None);
    }
}
