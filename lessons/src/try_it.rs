//! The check at the end of a "try it" cell: compare the learner's prediction with the run.
//!
//! A try-it cell changes a parameter, asks the learner to predict the outcome before running it,
//! and then checks that prediction. The prediction starts unset (`None`), so a learner who runs
//! the cell without predicting is asked to predict first rather than told the answer.

use std::fmt::{Debug, Display};

/// What to print after a try-it run: "set your prediction first" while `prediction` is `None`;
/// otherwise whether it matched `measured`, followed by `why` (the reason the outcome is what it
/// is, so a wrong guess still teaches something).
///
/// # Examples
///
/// ```
/// use lessons::try_it::check_prediction;
///
/// let unset: Option<bool> = None;
/// assert!(check_prediction(unset, true, "").starts_with("Set your prediction first"));
/// assert_eq!(
///     check_prediction(Some(true), true, "3 × 20 > 50."),
///     "Right: you predicted true and the run gives true. 3 × 20 > 50."
/// );
/// assert_eq!(
///     check_prediction(Some(2), 3, "Count again."),
///     "Not this time: you predicted 2, the run gives 3. Count again."
/// );
/// ```
pub fn check_prediction<T: PartialEq + Debug>(
    prediction: Option<T>,
    measured: T,
    why: impl Display,
) -> String {
    match prediction {
        None => {
            "Set your prediction first: replace `None` with `Some(...)` and run the cell again."
                .to_string()
        }
        Some(guess) if guess == measured => {
            format!("Right: you predicted {guess:?} and the run gives {measured:?}. {why}")
        }
        Some(guess) => {
            format!("Not this time: you predicted {guess:?}, the run gives {measured:?}. {why}")
        }
    }
}
