"""Hypothesis strategies for README-shaped Markdown: the block constructs
(and their edge cases) on which two CommonMark parsers can disagree."""
from hypothesis import strategies as st

_WORDS = st.sampled_from([
    "alpha", "Beta", "gamma", "a", "the", "server", "queue", "é", "日本語", "x_y", "*", "_", "`", "**",
    "[", "]", "(", ")", "<", ">", "!", "\\", "&amp;", "&#42;", "|", "#", "-", "+", "1.", "2)", "~~~",
    "```", ":", "\t", "[ref]", "[Ref]", "[a](b)", "![i](s.png)", "<b>", "</b>", "<br>", "http://x.io",
    "`code`", "\u00a0", "=", "===", "---", "***",
])
_TEXT = st.lists(_WORDS, min_size=0, max_size=8).map(" ".join)
_INDENTS = ["", " ", "  ", "   ", "    ", "      ", "        "]
_PREFIXES = ["> ", ">", "- ", "* ", "+ ", "1. ", "10) ", "   ", "  "]


def _fence(mark: str, n: int, info: str, body: list[str], close: bool, close_n: int) -> list[str]:
    lines = [mark * n + info] + body
    if close:
        lines.append(mark * close_n)
    return lines


_FENCE = st.builds(
    _fence, st.sampled_from(["`", "~"]), st.integers(3, 5), st.sampled_from(["", "py", " js x", "a`b", "&amp; c"]),
    st.lists(_TEXT, max_size=3), st.booleans(), st.integers(2, 6))
_HTML = st.sampled_from([
    ["<div>", "text <b>bold</b>", "</div>"], ["<p align=\"center\">", "<img src=\"https://img.shields.io/badge/x\" alt=\"B\">",
                                              "</p>"],
    ["<h1>Title</h1>"], ["<!-- note -->"], ["<details><summary>More</summary>", "", "hidden", "</details>"],
    ["<table><tr><td>cell</td></tr></table>"], ["<a href=\"u\">link</a> after"], ["<pre>", "code", "</pre>"],
    ["<script>", "x", "</script>"], ["<div>"], ["<?php echo 1; ?>"], ["<!DOCTYPE html>"], ["<![CDATA[", "x", "]]>"],
    ["<textarea>", "", "text", "</textarea>"], ["<style>p {}</style>"], ["<custom-tag attr=1>", "text"],
    ["</div>", "after"],
])
_TABLE = st.builds(
    lambda cols, rows, sep: ["| " + " | ".join(cols) + " |", "|" + "|".join(sep for _ in cols) + "|"]
    + ["| " + " | ".join(r) + " |" for r in rows],
    st.lists(_TEXT, min_size=1, max_size=3), st.lists(st.lists(_TEXT, max_size=3), max_size=3),
    st.sampled_from(["---", ":--", "--:", ":-:", "-"]))
_REFDEF = st.builds(lambda label, url, title: f"[{label}]: {url}{title}",
                    st.sampled_from(["ref", "Ref", "r e f", "ü", "", "a]b"]),
                    st.sampled_from(["/x", "<my url>", "http://a.io/ü", "javascript:alert(1)", "", "/y 'bad",
                                     "http://bücher.de/x", "\n  /next-line", "/a%20b%zz"]),
                    st.sampled_from(["", " \"T\"", " 'T'", " (T)", "\n  'T on the next line'"]))
_LINE = st.one_of(
    _TEXT,
    st.builds(lambda h, t: h + " " + t, st.sampled_from(["#", "##", "######", "#######"]), _TEXT),
    st.sampled_from(["", "", "===", "---", "***", "- - -", "    "]),
    _REFDEF,
)


@st.composite
def markdown_docs(draw, tabs: bool = True) -> str:
    """A README-shaped document; tabs=True also indents with tabs, which
    sends most documents back to markdown-it-py (engine/document/rust_blocks.py)."""
    indents = _INDENTS + (["\t", "  \t"] if tabs else [])
    prefixes = st.lists(st.sampled_from(_PREFIXES + (["-\t"] if tabs else [])), max_size=5).map("".join)
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        block = draw(st.one_of(
            _LINE.map(lambda s: [s]), _FENCE, _HTML, _TABLE, st.lists(_LINE, min_size=1, max_size=3)))
        prefix = draw(prefixes)
        indent = draw(st.sampled_from(indents))
        lines.extend((prefix if i == 0 or draw(st.booleans()) else "") + indent + line
                     for i, line in enumerate(block))
    end = draw(st.sampled_from(["", "\n", "\n\n", " "]))
    nl = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return nl.join(lines) + end
