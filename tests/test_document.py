"""The document model on README shapes seen in the wild (fixtures written here)."""
from engine.document.markdown import parse, unglue

# The seed's shape: no blank lines anywhere, starts with an HTML title, so
# CommonMark alone reads the whole file as one HTML block.
GLUED = """<h1 align="center"> Gizmo: Fast Widgets for Tiny Screens </h1>
<p align="center">
<a href="https://example.org/paper"><img src="https://img.shields.io/badge/paper-PDF-blue" alt="Paper"></a>
# News
**2024.1.1** First release.
# Introduction
Gizmo renders widgets on microcontrollers with a
retained-mode scene graph.
# Get Started
```bash
# build it
make gizmo
```
- fast
- small
# License
MIT"""


def by_scope(doc, scope):
    return [s for s in doc.segments if s.scope == scope]


def test_glued_readme_finds_title_headings_badge_code_and_prose():
    doc = parse(GLUED)
    assert doc.title == "Gizmo: Fast Widgets for Tiny Screens"
    assert doc.title_line == 1
    assert [(h.level, h.text, h.line) for h in doc.headings] == [
        (1, "News", 4), (1, "Introduction", 6), (1, "Get Started", 9), (1, "License", 16)]
    assert [(b.alt, b.line) for b in doc.badges] == [("Paper", 3)]
    assert [(c.lang, c.line) for c in doc.code] == [("bash", 10)]
    assert "# build it" in doc.code[0].text  # a comment in a fence is not a heading
    assert doc.lede.startswith("Gizmo renders widgets")  # under "Introduction"
    assert doc.lede_line == 7
    items = [s.text for s in by_scope(doc, "list")]
    assert items == ["fast", "small"]
    lic = [s for s in doc.segments if s.text == "MIT"][0]
    assert lic.section == "License" and lic.line == 17


def test_unglue_maps_lines_back():
    text, origin = unglue("<p>x</p>\nplain\n# H\ntext")
    lines = text.split("\n")
    assert lines == ["<p>x</p>", "", "plain", "", "# H", "text"]
    assert [origin[i] for i, l in enumerate(lines) if l] == [1, 2, 3, 4]


def test_html_wrapped_readme():
    doc = parse("""<div align="center">
  <h1>Orbit</h1>
  <p>A <b>tiny</b> orbital mechanics library.</p>
  <a href="https://ci.example.org"><img alt="CI" src="https://ci.example.org/badge.svg"></a>
  <img src="docs/shot.png" alt="screenshot of orbits">
  <h2>Features</h2>
  <ul><li>Kepler solver</li></ul>
  <script>alert('x')</script>
</div>
""")
    assert doc.title == "Orbit"
    assert doc.lede == "A tiny orbital mechanics library."
    assert [b.alt for b in doc.badges] == ["CI"]
    assert [s.text for s in by_scope(doc, "image")] == ["screenshot of orbits"]
    assert [h.text for h in doc.headings] == ["Features"]
    assert [s.text for s in by_scope(doc, "list")] == ["Kepler solver"]
    assert not any("alert" in s.text for s in doc.segments)
    assert "https://ci.example.org" in [l.url for l in doc.links]


def test_markdown_scopes_sections_and_lines():
    doc = parse("""# Tool

[![Build](https://img.shields.io/badge/build-ok-green)](https://ci)

Tool is a `fast` command-line [helper](https://ex.org/h).

## Installation

    pip install tool

| feature | yes |
|---|---|
| json | yes |

### From source

> Build it yourself.
""")
    assert doc.title == "Tool"
    assert doc.lede.startswith("Tool is a fast command-line helper")
    assert [s.text for s in by_scope(doc, "inline_code")] == ["fast"]
    assert "https://ex.org/h" in [s.text for s in by_scope(doc, "link")]
    assert [c.fenced for c in doc.code] == [False]
    table = by_scope(doc, "table")
    assert [s.text for s in table] == ["feature", "yes", "json", "yes"]
    assert table[0].section == "Installation"
    quote = [s for s in doc.segments if s.text == "Build it yourself."][0]
    assert quote.scope == "prose" and quote.section == "Installation > From source" and quote.line == 17
    assert by_scope(doc, "badge")[0].line == 3


def test_setext_and_rst_titles():
    assert parse("Widget\n======\n\nA widget.\n").title == "Widget"
    assert parse("======\nWidget\n======\n\nA widget.\n").title == "Widget"


def test_crlf_and_cr_lines_count_like_lf():
    for nl in ("\r\n", "\r"):
        doc = parse(nl.join(["# T", "", "Some text here about it.", "", "## Usage", "", "x"]))
        assert doc.headings[0].line == 5
        assert doc.lede_line == 3


def test_chinese_readme():
    doc = parse("# 数据工具\n\n一个用于数据库迁移的命令行工具。\n\n## 安装\n\n`pip install x`\n")
    assert doc.title == "数据工具"
    assert doc.lede == "一个用于数据库迁移的命令行工具。"
    assert doc.headings[0].text == "安装"


def test_empty_and_plain_text():
    assert parse("").segments == []
    doc = parse("just some words in a plain file\nwith two lines\n")
    assert doc.title is None and doc.lede.startswith("just some words")


def test_navigation_links_are_not_the_lede():
    doc = parse("# Tool\n\n[Website](https://t.io) | [Blog](https://t.io/blog) | [Chat](https://chat)\n\nTool converts images to text.\n")
    assert doc.lede == "Tool converts images to text."


def test_first_h2_is_the_title_when_nothing_came_before():
    doc = parse("[![CI](https://ci/badge.svg)](https://ci)\n\nKit\n---\n\nKit is a toolkit for kites.\n\n## Usage\n\nfly\n")
    assert doc.title == "Kit" and doc.lede == "Kit is a toolkit for kites."
    doc = parse("Some words describe the project first.\n\n## Usage\n\nrun it\n")
    assert doc.title is None and doc.headings[0].text == "Usage"


def test_reference_badges_and_rst_directives_are_no_lede():
    doc = parse("[![Build][b-img]][b-url] [![Docs][d-img]][d-url]\n\nGlue joins things together.\n")
    assert doc.lede == "Glue joins things together."
    doc = parse(".. image:: https://x/logo.svg\n   :target: https://x\n\nGlue joins things together.\n")
    assert doc.lede == "Glue joins things together."


def test_admonition_is_no_lede():
    doc = parse("# Pack\n\n> [!IMPORTANT]\n> Version 2 moved.\n\nPack bundles web assets.\n")
    assert doc.lede == "Pack bundles web assets."
