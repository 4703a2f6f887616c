//! Installing the kernelspec: the `kernel.json` and logos that tell Jupyter how to start us.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;

/// The kernel's name in Jupyter (`jupyter kernelspec list`, notebook metadata).
pub const KERNEL_NAME: &str = "rust-lessons";
/// What the launcher and the kernel picker show.
pub const DISPLAY_NAME: &str = "Rust (distributed systems lessons)";

const LOGO_32: &[u8] = include_bytes!("../assets/logo-32x32.png");
const LOGO_64: &[u8] = include_bytes!("../assets/logo-64x64.png");
const LOGO_SVG: &[u8] = include_bytes!("../assets/logo-svg.svg");

/// Where Jupyter should find the kernelspec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The user's Jupyter data directory (`JUPYTER_DATA_DIR` if set).
    User,
    /// The active Python environment (`VIRTUAL_ENV`, `CONDA_PREFIX`, else `python3`'s prefix).
    SysPrefix,
    /// `<prefix>/share/jupyter/kernels`.
    Prefix(PathBuf),
}

/// The directory holding our kernelspec at `location`.
pub fn kernel_dir(location: &Location) -> anyhow::Result<PathBuf> {
    let kernels = match location {
        Location::User => user_data_dir()?.join("kernels"),
        Location::SysPrefix => sys_prefix()?.join("share/jupyter/kernels"),
        Location::Prefix(prefix) => prefix.join("share/jupyter/kernels"),
    };
    Ok(kernels.join(KERNEL_NAME))
}

/// Writes the kernelspec; `executable` is the absolute path Jupyter will run, `env` the
/// variables Jupyter sets for it (none: the kernel inherits the server's environment).
pub fn install(
    location: &Location,
    executable: &Path,
    env: &[(String, String)],
) -> anyhow::Result<PathBuf> {
    let dir = kernel_dir(location)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut spec = kernel_json(executable);
    if !env.is_empty() {
        let variables = env
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into()));
        spec["env"] = serde_json::Map::from_iter(variables).into();
    }
    std::fs::write(
        dir.join("kernel.json"),
        serde_json::to_string_pretty(&spec)? + "\n",
    )?;
    std::fs::write(dir.join("logo-32x32.png"), LOGO_32)?;
    std::fs::write(dir.join("logo-64x64.png"), LOGO_64)?;
    std::fs::write(dir.join("logo-svg.svg"), LOGO_SVG)?;
    Ok(dir)
}

/// Removes the kernelspec; an error if there was none.
pub fn uninstall(location: &Location) -> anyhow::Result<PathBuf> {
    let dir = kernel_dir(location)?;
    if !dir.join("kernel.json").exists() {
        bail!("no {KERNEL_NAME} kernelspec at {}", dir.display());
    }
    std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    Ok(dir)
}

fn kernel_json(executable: &Path) -> serde_json::Value {
    json!({
        "argv": [executable, "run", "--connection-file", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "rust",
        "interrupt_mode": "message",
        "kernel_protocol_version": crate::protocol::session::PROTOCOL_VERSION,
        "metadata": { "debugger": false },
    })
}

fn user_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = dirs::home_dir().context("no home directory to install into; use --prefix")?;
    Ok(if cfg!(target_os = "macos") {
        home.join("Library/Jupyter")
    } else {
        dirs::data_dir()
            .unwrap_or_else(|| home.join(".local/share"))
            .join("jupyter")
    })
}

fn sys_prefix() -> anyhow::Result<PathBuf> {
    for variable in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(prefix) = std::env::var_os(variable) {
            return Ok(PathBuf::from(prefix));
        }
    }
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .context("--sys-prefix needs an active environment or python3 on PATH")?;
    if !output.status.success() {
        bail!("python3 could not tell its sys.prefix");
    }
    Ok(PathBuf::from(String::from_utf8(output.stdout)?.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_then_uninstall_under_a_prefix() {
        let prefix = tempfile::tempdir().unwrap();
        let location = Location::Prefix(prefix.path().to_path_buf());
        let dir = install(&location, Path::new("/opt/bin/lessons-kernel"), &[]).unwrap();
        assert_eq!(
            dir,
            prefix.path().join("share/jupyter/kernels/rust-lessons")
        );
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(
            spec["argv"],
            json!([
                "/opt/bin/lessons-kernel",
                "run",
                "--connection-file",
                "{connection_file}"
            ])
        );
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(spec["language"], "rust");
        assert!(dir.join("logo-64x64.png").exists());
        assert!(spec.get("env").is_none(), "no environment unless asked");
        let env = [("CARGO_HOME".to_owned(), "/opt/class/cargo".to_owned())];
        install(&location, Path::new("/opt/bin/lessons-kernel"), &env).unwrap();
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(spec["env"], json!({ "CARGO_HOME": "/opt/class/cargo" }));
        uninstall(&location).unwrap();
        assert!(!dir.exists());
        assert!(uninstall(&location).is_err());
    }
}
