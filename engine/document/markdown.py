"""The document model: a README parsed into plain-data segments.

A segment is a piece of text with the scope it was found in (title, lede,
heading, prose, list, table, badge, image, link, inline_code, code, code_lang),
its 1-based line in the original text and the section (heading path) that holds
it. Everything downstream (matching, scoring, explanation) reads segments only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import lede
from .inline import scan
from .fold import fold

SCOPES = (
    "title", "lede", "heading", "prose", "list", "table", "badge", "image",
    "link", "inline_code", "code", "code_lang",
)

# Images whose URL looks like a status badge count as badges wherever they are.
_BADGE_URL = re.compile(
    r"shields\.io|badgen\.net|/badges?/|badge\.svg|badge\.fury|travis-ci\.|circleci\.com|"
    r"codecov\.io|coveralls\.io|app\.codacy|readthedocs\.org/projects/.*/badge|pepy\.tech|"
    r"img\.shields|badge(?:s)?[./?]|/workflows/.*\.svg|goreportcard\.com/badge|deepwiki",
    re.I,
)
# Every alternative of _BADGE_URL holds one of these: most image URLs
# (screenshots, logos) are settled without running the regex.
_BADGE_HINTS = ("badge", "shields", "travis-ci.", "circleci.com", "codecov.io", "coveralls.io", "app.codacy",
                "pepy.tech", "/workflows/", "deepwiki")


def _badge_url(url: str) -> bool:
    low = fold(url)
    return any(h in low for h in _BADGE_HINTS) and _BADGE_URL.search(url) is not None


_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_LINE = re.compile(r"^\s*</?[A-Za-z!].*>\s*$")
_FENCE_START = frozenset(" `~")
# First characters of lines unglue() must look at: indentation, container
# markers, headings, fences and HTML.
_MARKUP_START = frozenset(" \t>-+*0123456789#`~<")
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)([^>]*)>")
_RULE_LINE = re.compile(r"^[\s=\-~^*#+`'\":._]+$")
_WORDS = re.compile(r"\w{2,}")
_CJK_CLASS = "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]"
_CJK = None  # compiled on first need: the class alone costs ~6 ms to compile


# Text that is markup left over, not words: unresolved reference links
# ("[![Build][build-img]][build-url]") and reStructuredText directives.
_JUNK = re.compile(r"!?\[[^\[\]\n]*\]|^\s*\.\. [\w|-]+::.*$|^\s*:\w+:.*$", re.M)


_ADMONITION = re.compile(r"\s*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.I)
# A notice at the top ("Note: v2 is out!", "📢 We moved") announces, it does not describe.
_NOTICE = re.compile(
    r"\W{0,3}(?:note|notice|warning|important|caution|attention|heads[ -]up|news|update|announcement|"
    r"disclaimer|deprecated|deprecation|hint|breaking)\b[*_ ]{0,3}[:!：]|[\U0001F4E2\U0001F4E3\U0001F6A8\u26A0\u2757\U0001F195\U0001F389]",
    re.I)


def descriptive(text: str) -> bool:
    """Enough words to describe something (CJK text has no spaces to count)."""
    text = _JUNK.sub(" ", _JUNK.sub(" ", text))
    if len(_WORDS.findall(text)) >= 2:
        return True
    global _CJK
    if _CJK is None:
        _CJK = re.compile(_CJK_CLASS)
    return len(_CJK.findall(text)) >= 6

# Headings of sections that describe a project poorly (how to install it, who
# paid for it, what licence it has) are classified by pack.yml, not here.


@dataclass(slots=True)
class Segment:
    scope: str
    text: str
    line: int
    section: str = ""  # heading path, " > " joined; "" before the first heading
    intro: bool = False  # before the first heading that follows the title


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(slots=True)
class Link:
    text: str
    url: str
    line: int


@dataclass(slots=True)
class Badge:
    alt: str
    url: str
    line: int


@dataclass(slots=True)
class Code:
    lang: str
    text: str
    line: int
    fenced: bool


@dataclass
class Document:
    text: str
    title: str | None = None
    title_line: int | None = None
    lede: str | None = None
    lede_line: int | None = None
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)
    code: list[Code] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# markdown-it-py stops descending at `maxNesting` token levels (a list level
# is two: list and item, a block quote one) and then skips to the END OF THE
# DOCUMENT, so a README with a 15-deep list lost everything after it. Lines
# are flattened first to at most MAX_INDENT columns of indentation and
# MAX_MARKERS leading container markers (> - * + 1.), which keeps real input
# under MAX_NESTING. The parser recurses ~3 frames a level (link labels in
# `[[[[...`), so 32 levels stay far below Python's recursion limit.
MAX_NESTING = 32
MAX_INDENT = 24
MAX_MARKERS = 4
_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t])))+")
_MARKER = re.compile(r"[ \t]*(?:>|[-+*]|\d{1,9}[.)])")


def flatten(line: str) -> str:
    """The line with pathological indentation or container nesting cut."""
    if not line or line[0] not in " \t>-+*0123456789":
        return line
    body = line.lstrip(" \t")
    lead = line[:len(line) - len(body)]
    if len(lead.expandtabs(4)) > MAX_INDENT:
        line = " " * MAX_INDENT + body
    m = _CONTAINER_PREFIX.match(line)
    if m:
        markers = _MARKER.findall(m.group(0))
        if len(markers) > MAX_MARKERS:
            line = "".join(markers[:MAX_MARKERS]) + " " + line[m.end():].lstrip(" \t")
    return line


def unglue(text: str) -> tuple[str, list[int]]:
    """Insert the blank lines a hand-written README forgot.

    Without blank lines CommonMark reads a README that starts with `<h1>` as a
    single HTML block and never sees its `#` headings, fences or prose. Blank
    lines go before ATX headings and fences and after HTML lines followed by
    text; the returned map gives each new line's original 1-based number.
    """
    out: list[str] = []
    origin: list[int] = []
    in_fence = ""
    prev_blank, prev_html = True, False
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        c = line[:1]
        if in_fence:
            out.append(line)
            origin.append(n)
            fence = _FENCE.match(line) if c in _FENCE_START else None
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence) \
                    and not line.strip().strip(in_fence[0]):
                in_fence = ""
                prev_blank, prev_html = True, False
                if n < len(lines) and lines[n].strip():
                    out.append("")
                    origin.append(n)
            continue
        # Most lines start with a letter after a line that is no HTML: they
        # open no heading, fence or container and need no blank line.
        if c and c not in _MARKUP_START and not prev_html:
            out.append(line)
            origin.append(n)
            prev_blank = False
            continue
        line = flatten(line)
        fence = _FENCE.match(line)
        if not prev_blank and (
            _ATX.match(line) is not None
            or fence is not None
            or (prev_html and not line.lstrip().startswith("<"))
        ):
            out.append("")
            origin.append(n)
        out.append(line)
        origin.append(n)
        if fence:
            in_fence = fence.group(1)
        stripped = line.strip()
        prev_blank = not stripped
        prev_html = stripped[:1] == "<" and stripped[-1:] == ">" and _HTML_LINE.match(line) is not None
    return "\n".join(out), origin


def clean_heading(text: str) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip() and not _RULE_LINE.match(ln)]
    return " ".join(" ".join(lines).split())


def _attrs(s: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[2:] if g is not None) for m in _ATTR.finditer(s)}


class _Builder:
    """Collects segments while tracking title, lede, sections and intro."""

    def __init__(self, text: str):
        self.doc = Document(text=text)
        self.stack: list[tuple[int, str]] = []
        self.seen_heading_after_title = False
        self.any_heading = False
        self.described = False  # some descriptive text came before any heading
        self._section = ""  # the joined stack, rebuilt only when a heading changes it

    def emit(self, scope: str, text: str, line: int, unlinked: str | None = None) -> None:
        """unlinked: the text outside links, when known; a row of navigation
        links ("Website | Blog | Chat") describes nothing and is no lede."""
        text = text.strip()
        if not text:
            return
        doc = self.doc
        intro = not self.seen_heading_after_title
        if scope == "prose" and doc.lede is None and intro and (doc.title is not None or not self.any_heading):
            # A GitHub admonition ("> [!IMPORTANT] ...") is a notice, not a description.
            if descriptive(text if unlinked is None else unlinked) and not _ADMONITION.match(text) \
                    and not _NOTICE.match(text):
                doc.lede, doc.lede_line, scope = text, line, "lede"
        if scope in ("prose", "list", "table") and not self.described:
            self.described = descriptive(text if unlinked is None else unlinked)
        doc.segments.append(Segment(scope, text, line, self._section, intro))

    def heading(self, level: int, text: str, line: int, unlinked: str | None = None, html: bool = False) -> None:
        text = clean_heading(text)
        if not text:
            return
        if unlinked is not None and clean_heading(unlinked) != text and not descriptive(unlinked) \
                and not _WORDS.findall(unlinked):
            # "### [Website](..) • [Docs](..)": a row of links set as a
            # heading is navigation, not the start of a section.
            self.emit("prose", text, line, unlinked)
            return
        doc = self.doc
        self.any_heading = True
        # The first heading is the title when nothing described the project
        # before it: "# Name", or "Name\n----" in READMEs that start at H2.
        # HTML-centred READMEs also set the name as <h3 align="center">.
        if doc.title is None and level <= (3 if html else 2) and not doc.headings and doc.lede is None \
                and not self.described:
            doc.title, doc.title_line = text, line
            doc.segments.append(Segment("title", text, line, "", True))
            return
        self.seen_heading_after_title = True
        doc.headings.append(Heading(level, text, line))
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))
        self._section = " > ".join(t for _, t in self.stack)
        doc.segments.append(Segment("heading", text, line, self._section, False))

    def image(self, alt: str, url: str, line: int, in_link: bool) -> None:
        near_top = not self.seen_heading_after_title or len(self.doc.headings) <= 1
        if (in_link and near_top and line <= 60) or _badge_url(url):
            self.doc.badges.append(Badge(alt, url, line))
            self.emit("badge", f"{alt} {url}", line)
        else:
            self.emit("image", alt, line)

    def link(self, text: str, url: str, line: int) -> None:
        self.doc.links.append(Link(text, url, line))
        self.emit("link", url, line)

    def code(self, lang: str, text: str, line: int, fenced: bool) -> None:
        self.doc.code.append(Code(lang, text, line, fenced))
        if lang:
            self.emit("code_lang", lang, line)
        self.emit("code", text, line + (1 if fenced else 0))


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "figure", "figcaption",
    "details", "summary", "blockquote", "section", "article", "header", "footer", "center",
    "dl", "dt", "dd", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "thead", "tbody",
}


class _HtmlText(HTMLParser):
    """Pulls headings, text, images and links out of an HTML block."""

    def __init__(self, builder: _Builder, first_line: int):
        super().__init__(convert_charrefs=True)
        self.b = builder
        self.first = first_line
        self.buf: list[str] = []
        self.unlinked: list[str] = []
        self.buf_line = first_line
        self.heading: int = 0
        self.skip = 0
        self.pre = 0
        self.ctx: list[str] = []
        self.href: list[str] = []

    def _line(self) -> int:
        return self.first + self.getpos()[0] - 1

    def flush(self) -> None:
        text = "".join(self.buf)
        unlinked = "".join(self.unlinked)
        self.buf, self.unlinked = [], []
        if not text.strip():
            return
        if self.heading:
            self.b.heading(self.heading, text, self.buf_line, unlinked, html=True)
        elif self.pre:
            self.b.code("", text, self.buf_line, False)
        elif "li" in self.ctx:
            self.b.emit("list", text, self.buf_line)
        elif "td" in self.ctx or "th" in self.ctx:
            self.b.emit("table", text, self.buf_line)
        else:
            self.b.emit("prose", text, self.buf_line, unlinked)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self.skip += 1
            return
        if tag in _BLOCK_TAGS:
            self.flush()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.heading = int(tag[1])
            elif tag == "pre":
                self.pre += 1
            elif tag in ("li", "td", "th"):
                self.ctx.append(tag)
        elif tag == "a":
            self.href.append(a.get("href", ""))
            if a.get("href"):
                self.b.link("", a["href"], self._line())
        elif tag == "img":
            self.b.image(a.get("alt", ""), a.get("src", ""), self._line(), bool(self.href))
        if not self.buf:
            self.buf_line = self._line()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag != "img" and tag != "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCK_TAGS:
            self.flush()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.heading = 0
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in ("li", "td", "th") and tag in self.ctx:
                del self.ctx[len(self.ctx) - 1 - self.ctx[::-1].index(tag)]
        elif tag == "a" and self.href:
            self.href.pop()

    def handle_data(self, data):
        if self.skip:
            return
        if not self.buf:
            self.buf_line = self._line()
        self.buf.append(data)
        if not self.href:
            self.unlinked.append(data)

    def close(self):
        super().close()
        self.flush()


_MD = None


def _markdown():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        # Blocks only: inline content is read by engine/document/inline.py.
        _MD = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table").disable("inline")
    return _MD


def _inline(builder: _Builder, events: list[tuple], line: int) -> tuple[str, str]:
    """Plain text of an inline run (engine/document/inline.py events), and its text
    outside links; images, links, code spans and inline HTML are handed to
    the builder as they pass."""
    parts: list[str] = []
    unlinked: list[str] = []
    in_link = 0
    link_start = 0
    cur = line
    for ev in events:
        t = ev[0]
        if t == "text":
            parts.append(ev[1])
            if not in_link:
                unlinked.append(ev[1])
        elif t == "br":
            parts.append("\n")
            cur += 1
        elif t == "code":
            parts.append(ev[1])
            builder.emit("inline_code", ev[1], cur)
        elif t == "link_open":
            in_link += 1
            link_start = len(parts)
            builder.link("", ev[1], cur)
        elif t == "link_close":
            in_link = max(0, in_link - 1)
            # A link whose text is itself a description ("[A cloud-native
            # edge proxy](...)") describes; short ones ("Blog") navigate.
            inner = "".join(parts[link_start:])
            if not in_link and len(_WORDS.findall(inner)) >= 4:
                unlinked.append(inner)
        elif t == "image":
            builder.image(ev[1], ev[2], cur, in_link > 0)
        elif t == "html":
            m = _TAG.match(ev[1])
            if not m:
                continue
            name = m.group(2).lower()
            if name == "br":
                parts.append("\n")
            elif name == "img" and not m.group(1):
                a = _attrs(m.group(3))
                builder.image(a.get("alt", ""), a.get("src", ""), cur, in_link > 0)
            elif name == "a" and not m.group(1):
                in_link += 1
                href = _attrs(m.group(3)).get("href", "")
                if href:
                    builder.link("", href, cur)
            elif name == "a":
                in_link = max(0, in_link - 1)
    return "".join(parts), "".join(unlinked)


def python_blocks(src: str, env: dict) -> list:
    """markdown-it-py's block tokens (inline content unparsed)."""
    return _markdown().parse(src, env)


def parse(text: str, blocks=None) -> Document:
    """Parse README text (any Markdown, HTML-heavy or not) into a Document.

    blocks(src, env): the block pass, markdown-it-py's (python_blocks) unless
    another parser's is given (engine/document/parsers.py chooses)."""
    text = normalize_newlines(text)
    src, origin = unglue(text)
    builder = _Builder(text)
    env: dict = {}
    tokens = (blocks or python_blocks)(src, env)
    refs = env.get("references") or {}
    ctx: list[str] = []
    pending_heading = 0

    def orig(tok) -> int:
        if tok.map:
            i = tok.map[0]
            return origin[i] if i < len(origin) else len(origin)
        return 0

    for tok in tokens:
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open", "blockquote_open", "td_open", "th_open"):
            ctx.append(t[:2])
        elif t in ("bullet_list_close", "ordered_list_close", "blockquote_close", "td_close", "th_close"):
            if ctx:
                ctx.pop()
        elif t == "heading_open":
            pending_heading = int(tok.tag[1])
        elif t == "heading_close":
            pending_heading = 0
        elif t == "inline":
            line = orig(tok)
            text_, unlinked = _inline(builder, scan(tok.content, refs), line)
            if pending_heading:
                builder.heading(pending_heading, text_, line, unlinked)
                continue
            if "td" in ctx or "th" in ctx:
                scope = "table"
            elif "bu" in ctx or "or" in ctx:
                scope = "list"
            else:
                scope = "prose"
            builder.emit(scope, text_, line, unlinked)
        elif t == "fence":
            builder.code(tok.info.strip().split(" ")[0] if tok.info else "", tok.content, orig(tok), True)
        elif t == "code_block":
            builder.code("", tok.content, orig(tok), False)
        elif t == "html_block":
            h = _HtmlText(builder, orig(tok))
            h.feed(tok.content)
            h.close()
    doc = builder.doc
    if doc.lede is None:
        # Many READMEs open with "News" or badges and describe themselves
        # under an "Introduction"/"About" heading: that paragraph is the lede.
        for seg in doc.segments:
            if seg.scope == "prose" and _INTRO_SECTION.search(seg.section) and descriptive(seg.text):
                lede.read_as_lede(doc, seg)
                break
    lede.promote(doc)
    return doc


_INTRO_SECTION = re.compile(
    r"^(?:[^>]*\b(?:introduction|intro|about|overview|description|what is|summary|abstract)\b|"
    r"[^>]*(?:简介|介绍|概述|关于|はじめに|概要))",
    re.I,
)
