"""Study notes through the standard path: `jupyter nbconvert --to html` and `--to markdown` on an
executed lesson notebook keep every plot, every table and the Rust code, highlighted.

The notebook is executed once per test session by the shared `executed` fixture (conftest.py),
so these tests reuse the run of test_notebooks.py when both files run together."""

import base64
import json
import re
import subprocess
import sys

import pytest

from conftest import REPO

TOUR = REPO / "notebooks" / "00-kernel-tour.ipynb"


def joined(value):
    return "".join(value) if isinstance(value, list) else value


@pytest.fixture(scope="module")
def tour(executed, tmp_path_factory):
    """The executed kernel tour in a fresh directory, with the SVGs and tables it shows."""
    result, notebook = executed(TOUR)
    assert result.returncode == 0, result.stderr[-4000:]
    directory = tmp_path_factory.mktemp("export")
    path = directory / "tour.ipynb"
    path.write_text(json.dumps(notebook))
    shown = [
        o
        for c in notebook["cells"] if c["cell_type"] == "code"
        for o in c["outputs"] if o["output_type"] in ("display_data", "execute_result")
    ]
    svgs = [joined(o["data"]["image/svg+xml"]) for o in shown if "image/svg+xml" in o["data"]]
    tables = [joined(o["data"]["text/html"]) for o in shown if "<table" in joined(o["data"].get("text/html", ""))]
    assert len(svgs) >= 2 and len(tables) >= 2
    return path, svgs, tables


def convert(path, target):
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", target, str(path)],
        check=True, capture_output=True, text=True,
    )
    return path.with_suffix({"html": ".html", "markdown": ".md"}[target])


def test_html_keeps_plots_inline_tables_and_highlighted_rust(tour):
    path, svgs, tables = tour
    page = convert(path, "html").read_text()
    # nbconvert 7 embeds each SVG in the page itself, as a base64 data URI of the very same
    # document (raw <svg> markup is not passed through its sanitiser): no file is needed beside it.
    embedded = [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    ]
    assert [svg.strip() for svg in embedded] == [svg.strip() for svg in svgs]
    assert not re.search(r'<img[^>]+src="(?!data:)[^"]*\.svg"', page)
    # Every table, with its header cells.
    assert page.count("<table") >= len(tables)
    for table in tables:
        for header in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S):
            assert header in page
    # Rust code is highlighted by Pygments' Rust lexer (the kernel's `pygments_lexer`).
    assert re.search(r'<span class="k[a-z]?">let</span>', page)
    assert re.search(r'<span class="k[a-z]?">fn</span>|<span class="k[a-z]?">enum</span>', page)
    code_cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert page.count('class="highlight hl-rust"') == len(code_cells), "every code cell is Rust-highlighted"


def test_markdown_writes_svg_files_beside_it_links_them_and_keeps_tables(tour):
    path, svgs, tables = tour
    markdown = convert(path, "markdown").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", markdown)
    assert len(links) == len(svgs), markdown[:2000]
    for link, svg in zip(links, svgs):
        written = path.parent / link
        assert written.is_file(), link
        assert written.read_text().strip() == svg.strip()
    assert markdown.count("<table") >= len(tables)
    # The code keeps its language for highlighting on any Markdown renderer.
    assert markdown.count("```rust") >= 5
    assert "LamportClock::new()" in markdown
