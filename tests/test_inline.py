"""engine/document/inline.py against markdown-it-py's own inline parser.

The scanner replaces markdown-it-py's inline pass for speed; these cases hold
it to the same reading (text, line breaks, code, links, images, inline HTML)
on the constructs READMEs use, plus inputs where a naive scanner goes
quadratic."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.document import markdown as document
from engine.document.inline import scan

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def _merge(events):
    out = []
    for e in events:
        if e[0] == "text":
            if not e[1]:
                continue
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + e[1])
                continue
        out.append(e)
    return out


def _markdown_it(src: str):
    """Events as markdown-it-py's inline tokens give them (emphasis dropped)."""
    env: dict = {}
    tokens = _MD.parse(src, env)
    runs = []
    for tok in tokens:
        if tok.type != "inline":
            continue
        out = []
        for c in tok.children or ():
            t = c.type
            if t == "text":
                out.append(("text", c.content))
            elif t in ("softbreak", "hardbreak"):
                out.append(("br",))
            elif t == "code_inline":
                out.append(("code", c.content))
            elif t == "link_open":
                out.append(("link_open", str(c.attrs.get("href", ""))))
            elif t == "link_close":
                out.append(("link_close",))
            elif t == "image":
                out.append(("image", c.content, str(c.attrs.get("src", ""))))
            elif t == "html_inline":
                out.append(("html", c.content))
        runs.append((tok.content, _merge(out)))
    return runs, env.get("references") or {}


def _ours(src: str):
    env: dict = {}
    tokens = document._markdown().parse(src, env)
    refs = env.get("references") or {}
    return [(t.content, _merge(scan(t.content, refs))) for t in tokens if t.type == "inline"]


CASES = [
    # autolink text as markdown-it shows it: host brackets dropped, punycode and %-escapes decoded
    "<https://[r]>", "<https://xn--fsq.com/a%20b>",
    "A fast **web framework** for *Python* and __Go__.",
    "snake_case_name and 2 * 3 * 4 stay as written",
    "Use `pip install foo` or ``code with ` tick``.",
    "Unclosed `backtick and ``another",
    "Line one  \nline two\\\nline three\nline four",
    "[![Build](https://img.shields.io/badge/x.svg)](https://ci.example.com/x) [Docs](https://docs.example.com \"Docs\")",
    "See [the guide][guide] and [Guide] and [guide][].\n\n[guide]: https://example.com/guide",
    "[not a link] and [missing][nope] stay text",
    "Nested [a [b] c](https://x.org/y) brackets",
    "Parens [x](https://en.wikipedia.org/wiki/Foo_(bar)) and <https://auto.link/path> and <me@example.com>",
    "Escapes \\*not emphasis\\* and \\[not a link\\] and \\` tick",
    "Entities &amp; &copy; &#169; &#x2764; &bogus; stay right",
    "Inline <b>bold</b> <img src=\"a.png\" alt=\"A\"> <a href=\"https://x.org\">x</a> <!-- note -->",
    "![alt *text*](img/logo.png \"title\") then ![](empty.png)",
    "[bad](javascript:alert(1)) and [ok](<https://x.org/a b>)",
    "中文文档 [链接](文档/说明.md) and émoji ✨ **粗体**",
    "***strong em*** and **unclosed and *mixed**",
    "# Heading with `code` and [link](https://h.org)\n\n| a | b |\n|---|---|\n| `x` | [y](https://y.org) |",
    "- item with [link](https://l.org)\n- item *two*\n\n> quoted **text**",
    "Trailing backslash \\",
    "[link](https://x.org 'single') [link2](https://x.org (paren title))",
    "a_b_ _c_ *d* _e_f",
    # Found by the hypothesis test below: a link inside a link's text wins;
    # a backslash before a space stays, with the space, before a line break.
    "[[](u)](u) and [a [b](c) d](e)",
    "\\ \na",
    "[![Build][img]][url] [![][cov]][cov-url]\n\n[img]: https://i.org/b.svg\n[url]: https://ci.org\n"
    "[cov]: https://c.org/x.svg\n[cov-url]: https://c.org",
]


@pytest.mark.parametrize("src", CASES)
def test_scan_reads_like_markdown_it(src):
    assert _ours(src) == _markdown_it(src)[0]


_ALPHABET = st.sampled_from(list("ab *_`[]()!<>&;#\\\n:/.x-") + ["https://", "&amp;", "<b>", "](u)", "[r]"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_scan_agrees_with_markdown_it_on_text_links_and_code(src):
    # Emphasis delimiters are resolved without CommonMark's rule of 3, so
    # only inputs whose * and _ cannot pair up are compared exactly; links,
    # code, HTML and breaks must always agree.
    ours, theirs = _ours(src), _markdown_it(src)[0]
    if "*" in src or "_" in src:
        def shape(runs):
            return [[e for e in evs if e[0] != "text"] for _, evs in runs]
        assert shape(ours) == shape(theirs)
    else:
        assert ours == theirs


@pytest.mark.parametrize("src", ["`" * 100_000 + "x", "[" * 200_000, "![" * 100_000 + "x", "a`b" * 60_000,
                                 "[x]" * 60_000, "*_" * 100_000, "<" * 200_000, "&" * 200_000,
                                 "[" * 20_000 + "x" + "]" * 20_000, "[" * 20_000 + "x" + "](u)" * 20_000,
                                 "[a](u)" * 20_000 + "]" * 20_000, "[" * 20_000 + "![i](s)" + "](u)" * 20_000])
def test_pathological_inline_finishes(src):
    # Backticks, brackets and delimiters by the hundred thousand, mostly
    # unmatched: a scan that looked ahead from each of them would not finish.
    evs = scan(src, {})
    assert {e[0] for e in evs} <= {"text", "code", "link_open", "link_close", "image"}
    assert 0 < sum(len(e[1]) for e in evs if e[0] in ("text", "code")) <= len(src)


def test_events_carry_links_images_and_code():
    evs = scan("Try `repotag tag` with [docs](https://d.org) and ![logo](l.png)")
    assert ("code", "repotag tag") in evs
    assert ("link_open", "https://d.org") in evs and ("link_close",) in evs
    assert ("image", "logo", "l.png") in evs
    assert "".join(e[1] for e in evs if e[0] == "text") == "Try  with docs and "


def test_non_ascii_urls_are_percent_encoded_like_markdown_it():
    (_, evs), = _ours("[说明](文档/说明.md)")
    assert evs[0] == ("link_open", "%E6%96%87%E6%A1%A3/%E8%AF%B4%E6%98%8E.md")
