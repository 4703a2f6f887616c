//! The check behind every "try it" cell: compare the learner's prediction with the run.

use std::fmt::Debug;

/// The sentence a "try it" cell prints: a reminder while `prediction` is `None`, otherwise
/// whether it matched `measured`, followed by `why`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::prediction_verdict;
///
/// let unset: Option<bool> = None;
/// assert!(prediction_verdict(unset, true, "").starts_with("Set your prediction first"));
/// assert!(prediction_verdict(Some(3), 3, "Because.").starts_with("Right"));
/// assert!(prediction_verdict(Some(2), 3, "Because.").starts_with("Not this time"));
/// ```
pub fn prediction_verdict<T: PartialEq + Debug>(
    prediction: Option<T>,
    measured: T,
    why: &str,
) -> String {
    match prediction {
        None => "Set your prediction first: replace `None` with `Some(...)` and run the cell \
                 again."
            .to_string(),
        Some(guess) if guess == measured => format!("Right: the run gave {measured:?}. {why}"),
        Some(guess) => {
            format!("Not this time: you predicted {guess:?}, the run gave {measured:?}. {why}")
        }
    }
}
