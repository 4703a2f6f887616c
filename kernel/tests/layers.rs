//! The kernel's source tree is layered: each folder of `src/` uses only the layers listed
//! before it, so the wire format never depends on cell execution and start-up can be read
//! last. This test reads every source file and fails on a use that points up the stack.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers from the bottom up, as in the README's "Layout of the kernel".
const LAYERS: [&str; 7] = [
    "protocol",
    "output",
    "execution",
    "server",
    "startup",
    "install",
    "notes",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The layer a source file belongs to: its folder under `src/`, or its own name for a
/// single-file layer such as `install.rs`; `main.rs` sits above every layer.
fn layer_of(src: &Path, file: &Path) -> Option<usize> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    LAYERS.iter().position(|layer| *layer == name)
}

#[test]
fn every_layer_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let Some(own) = layer_of(&src, file) else {
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for (used, layer) in LAYERS.iter().enumerate() {
            if used > own && text.contains(&format!("crate::{layer}")) {
                upward.push(format!("{} uses crate::{layer}", file.display()));
            }
        }
    }
    assert!(files.len() > 30, "found only {} source files", files.len());
    assert!(
        upward.is_empty(),
        "uses up the stack:\n{}",
        upward.join("\n")
    );
}

#[test]
fn every_source_file_is_in_a_layer_or_is_main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let loose: Vec<_> = files
        .iter()
        .filter(|file| layer_of(&src, file).is_none() && !file.ends_with("main.rs"))
        .collect();
    assert!(loose.is_empty(), "files outside every layer: {loose:?}");
}
