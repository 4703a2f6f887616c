"""`lessons-kernel notes` on real lesson notebooks: it executes them through the kernel it
starts itself (no Jupyter), and writes the executed notebooks, one HTML page per lesson with
every plot inline, a Markdown version with the plots as SVG files, and an index in
curriculum order."""

import json
import re

from conftest import NOTES_LESSONS


def svg_outputs(notebook: dict):
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if "image/svg+xml" in output.get("data", {}):
                yield "".join(output["data"]["image/svg+xml"])


def test_notes_execute_every_lesson(notes):
    result, out = notes
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"Notes for {len(NOTES_LESSONS)} of {len(NOTES_LESSONS)} notebooks" in result.stderr
    for name in NOTES_LESSONS:
        notebook = json.loads((out / name).read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
        errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
        assert errors == []
        assert notebook["metadata"]["kernelspec"]["name"] == "rust-lessons"


def test_each_lesson_page_has_contents_code_and_every_plot_inline(notes):
    result, out = notes
    for name in NOTES_LESSONS:
        stem = name.removesuffix(".ipynb")
        notebook = json.loads((out / name).read_text())
        page = (out / f"{stem}.html").read_text()
        plots = list(svg_outputs(notebook))
        assert plots, f"{name} draws plots"
        for svg in plots:
            assert svg[svg.index("<svg"):].strip() in page
        headings = re.findall(r'<h2 id="([^"]+)"', page)
        assert headings and all(f'href="#{h}"' in page for h in headings), "the sidebar links every section"
        code_cells = sum(c["cell_type"] == "code" for c in notebook["cells"])
        assert page.count('<details class="code" open>') == code_cells
        assert '<span class="hl-' in page
        assert "Compiled " not in page, "the kernel's build progress is not part of the notes"


def test_markdown_version_links_plot_files_written_beside_it(notes):
    result, out = notes
    for name in NOTES_LESSONS:
        stem = name.removesuffix(".ipynb")
        markdown = (out / f"{stem}.md").read_text()
        links = re.findall(r"!\[plot \d+\]\(([^)]+)\)", markdown)
        plots = list(svg_outputs(json.loads((out / name).read_text())))
        assert len(links) == len(plots)
        for link, svg in zip(links, plots):
            assert (out / link).read_text().strip() == svg[svg.index("<svg"):].strip()
        assert "```rust\n" in markdown


def test_index_lists_lessons_in_curriculum_order(notes):
    result, out = notes
    index = (out / "index.html").read_text()
    links = re.findall(r'<li><a href="([^"]+)\.html">', index)
    assert links == sorted(name.removesuffix(".ipynb") for name in NOTES_LESSONS)
    index_md = (out / "index.md").read_text()
    assert [m for m in re.findall(r"\]\(([^)]+)\.md\)", index_md)] == links
