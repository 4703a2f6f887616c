//! The check behind every "try it" cell: compare the learner's prediction with the run.

use std::fmt::Debug;

/// What a try-it cell prints: "set your prediction first" while `prediction` is `None`,
/// otherwise whether it matched `measured`, followed by `why`.
///
/// # Examples
///
/// ```
/// use lessons::replication::judge_prediction;
///
/// assert_eq!(judge_prediction(None, 3, "because"), "set your prediction first");
/// assert_eq!(
///     judge_prediction(Some(3), 3, "async loses in-flight writes"),
///     "Right: you predicted 3 and the run gave 3. async loses in-flight writes"
/// );
/// assert!(judge_prediction(Some(true), false, "").starts_with("Not this time"));
/// ```
pub fn judge_prediction<T: PartialEq + Debug>(
    prediction: Option<T>,
    measured: T,
    why: &str,
) -> String {
    match prediction {
        None => "set your prediction first".to_string(),
        Some(guess) if guess == measured => {
            format!("Right: you predicted {guess:?} and the run gave {measured:?}. {why}")
        }
        Some(guess) => {
            format!("Not this time: you predicted {guess:?}, the run gave {measured:?}. {why}")
        }
    }
}
