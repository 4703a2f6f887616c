//! The Rust toolchain cells are compiled with: its version for `language_info`, and where its
//! shared standard library lives.

use std::path::PathBuf;

/// What `rustc -vV` and `rustc --print sysroot` say about the toolchain on PATH.
#[derive(Debug, Default)]
pub struct Toolchain {
    /// For example `1.95.0`; empty if rustc could not be asked.
    pub version: String,
    /// The directory holding `libstd-*.so` for the host target, if rustc told us.
    pub std_lib_dir: Option<PathBuf>,
}

impl Toolchain {
    pub fn detect() -> Toolchain {
        let Some(verbose) = rustc(&["-vV"]) else {
            return Toolchain::default();
        };
        let field = |name: &str| {
            verbose
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(|value| value.trim().to_string())
        };
        let std_lib_dir = match (rustc(&["--print", "sysroot"]), field("host:")) {
            (Some(sysroot), Some(host)) => Some(
                PathBuf::from(sysroot.trim())
                    .join("lib/rustlib")
                    .join(host)
                    .join("lib"),
            ),
            _ => None,
        };
        Toolchain {
            version: field("release:").unwrap_or_default(),
            std_lib_dir,
        }
    }

    /// `LD_LIBRARY_PATH` with the standard library's directory first.
    ///
    /// evcxr links cells against the shared `libstd` and finds it through a relative run path
    /// computed for cargo's `deps` directory; it loads a copy one directory up, so the path only
    /// resolves when the build directory and the toolchain share no parent but `/`. A build
    /// directory under the home directory (ours) needs the library path instead.
    pub fn library_path(&self) -> Option<std::ffi::OsString> {
        let dir = self.std_lib_dir.as_ref()?;
        let mut paths = vec![dir.clone()];
        if let Some(existing) = std::env::var_os("LD_LIBRARY_PATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        std::env::join_paths(paths).ok()
    }
}

fn rustc(args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("rustc")
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toolchain_on_path_has_a_version_and_a_shared_std() {
        let toolchain = Toolchain::detect();
        assert!(toolchain.version.starts_with("1."), "{toolchain:?}");
        let dir = toolchain.std_lib_dir.expect("rustc names its sysroot");
        let has_std = std::fs::read_dir(&dir).unwrap().any(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("libstd-")
        });
        assert!(has_std, "no libstd in {}", dir.display());
    }
}
