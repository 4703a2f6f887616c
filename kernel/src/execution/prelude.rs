//! The `lessons` crate, ready before the first cell asks for it.
//!
//! Right after evcxr starts, the kernel adds `lessons` as a dependency, the way a notebook's
//! first cell does (`:dep lessons = { path = "../lessons" }`), and makes rust-analyzer load it.
//! This happens in the background, while the learner reads the notebook. evcxr turns relative
//! dependency paths into absolute canonical ones, so when the notebook's own `:dep` line names
//! the same crate it finds nothing left to do. Notebooks keep that line so that they run
//! unchanged under plain evcxr_jupyter.

use std::path::{Path, PathBuf};

/// Overrides where the `lessons` crate is; an empty value turns the prelude off.
pub const LESSONS_DIR_VAR: &str = "LESSONS_KERNEL_LESSONS_DIR";

/// The `lessons` crate this kernel serves: `LESSONS_KERNEL_LESSONS_DIR`, else the one beside
/// the kernel's own source, if it is there.
pub fn lessons_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(LESSONS_DIR_VAR) {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons"),
    };
    let dir = dir.canonicalize().ok()?;
    dir.join("Cargo.toml").is_file().then_some(dir)
}

/// A final expression that makes rust-analyzer infer an iterator chain and resolve a display
/// method on a std type, as many first cells do: its first time costs half a second.
const STD_WARM_UP: &str =
    "{ let lessons_warm_up: Vec<u64> = (0..3).collect(); lessons_warm_up.len() }";

/// The cells the kernel runs first, in order, stopping at the first that works: the
/// dependency, exactly as evcxr writes a notebook's relative `:dep` line, with a value of a
/// `lessons` type (dropped at once) so that rust-analyzer does the work a first real use would
/// (the crate, its dependencies, their trait impls); failing that, the dependency alone.
pub fn cells(lessons_dir: &Path) -> Vec<String> {
    let Some(path) = lessons_dir.to_str() else {
        return Vec::new();
    };
    if path.contains(['"', '\\']) {
        return Vec::new();
    }
    let dependency = format!(":dep lessons = {{ path = \"{path}\" }}");
    vec![
        format!(
            "{dependency}\nlet lessons_warm_up = lessons::clocks::LamportClock::new();\ndrop(lessons_warm_up);\n{STD_WARM_UP}"
        ),
        format!("{dependency}\nuse lessons as _;"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prelude_names_the_crate_by_its_absolute_path() {
        let dir = lessons_dir().expect("the lessons crate is beside the kernel");
        assert!(dir.is_absolute());
        assert!(dir.ends_with("lessons"));
        let cells = cells(&dir);
        assert_eq!(cells.len(), 2);
        for cell in cells {
            assert_eq!(
                cell.lines().next().unwrap(),
                format!(":dep lessons = {{ path = \"{}\" }}", dir.display())
            );
        }
    }

    #[test]
    fn a_path_that_would_break_the_toml_is_refused() {
        assert!(cells(Path::new("/tmp/a\"b")).is_empty());
    }
}
