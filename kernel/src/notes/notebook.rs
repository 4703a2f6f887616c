//! Reading and writing notebooks with nteract's `nbformat` crate, and the few facts about a
//! notebook that the notes need (its title, a cell's source as one string).

use std::path::Path;

use anyhow::Context;
use nbformat::v4::{Cell, Notebook};

/// Reads a notebook of any format version nbformat knows, as version 4.5.
pub fn read(path: &Path) -> anyhow::Result<Notebook> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = nbformat::parse_notebook(&text)
        .map_err(|error| anyhow::anyhow!("{error:?}"))
        .with_context(|| format!("{} is not a notebook", path.display()))?;
    Ok(match parsed {
        nbformat::Notebook::V4(notebook) => notebook,
        nbformat::Notebook::V4QuirksMode(quirks) => quirks.repair(),
        nbformat::Notebook::Legacy(legacy) => nbformat::upgrade_legacy_notebook(legacy)?,
        nbformat::Notebook::V3(v3) => nbformat::upgrade_v3_notebook(v3)?,
        _ => anyhow::bail!("{}: unsupported notebook format", path.display()),
    })
}

/// Writes `notebook` as Jupyter does (sorted keys, one-space indent).
pub fn write(notebook: &Notebook, path: &Path) -> anyhow::Result<()> {
    let text = nbformat::serialize_notebook(&nbformat::Notebook::V4(notebook.clone()))
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A cell's source as one string.
pub fn source(cell: &Cell) -> String {
    cell.source().concat()
}

/// The notebook's title: the text of its first level-1 Markdown heading, or `fallback`.
pub fn title(notebook: &Notebook, fallback: &str) -> String {
    notebook
        .cells
        .iter()
        .filter(|cell| matches!(cell, Cell::Markdown { .. }))
        .flat_map(|cell| source(cell).lines().map(str::to_owned).collect::<Vec<_>>())
        .find_map(|line| line.strip_prefix("# ").map(|t| t.trim().to_owned()))
        .unwrap_or_else(|| fallback.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_the_first_level_one_heading() {
        let notebook: Notebook = serde_json::from_value(serde_json::json!({
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
            "cells": [
                {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": null,
                 "source": ["# not a heading, a comment"], "outputs": []},
                {"cell_type": "markdown", "id": "b", "metadata": {},
                 "source": ["## Sub\n", "# 01 · Rate limiting\n", "text"]},
            ]
        }))
        .unwrap();
        assert_eq!(title(&notebook, "x"), "01 · Rate limiting");
    }
}
