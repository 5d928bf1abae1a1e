"""Inline Markdown, read for what the document model needs: words, line
breaks, code spans, links, images and inline HTML.

markdown-it-py's inline parser made a token object per run of text and per
delimiter and sent every URL through mdurl: more than half of the time of
parsing a README, while repotag only reads the words, the URLs and the code.
This scanner finds the same constructs with a few regular expressions in one
pass. Block structure (paragraphs, headings, lists, tables, HTML blocks and
reference definitions) still comes from markdown-it-py, and
tests/test_inline.py holds this reading to markdown-it-py's on the shapes
READMEs use.

Events are plain tuples, flat as markdown-it's inline children are:
  ("text", s) ("br",) ("code", s) ("link_open", href) ("link_close",)
  ("image", alt, src) ("html", raw)
One deliberate difference: emphasis is resolved without CommonMark's "rule
of 3", which only decides which of several adjacent * or _ stay visible as
text.
"""
from __future__ import annotations

import bisect
import html
import re
import unicodedata

from markdown_it.common.html_re import HTML_TAG_RE as _MD_HTML_TAG
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText, validateLink
from markdown_it.common.utils import normalizeReference, unescapeAll

# Anchored at the scan position by .match(src, pos); some markdown-it-py
# versions anchor their pattern with ^, which .match(src, pos) would never meet.
_HTML_TAG = re.compile(_MD_HTML_TAG.pattern.lstrip("^"), _MD_HTML_TAG.flags)
_SPECIAL = re.compile(r"[\\`*_<!\[&\n]")
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>")
_EMAIL = re.compile(
    r"<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>"
)
_BACKTICKS = re.compile(r"`+")
_MAX_LINK_DEPTH = 32
_BRACKET = re.compile(r"\\[\[\]\\]|[\[\]]")
# The usual inline destination, "(url)" with an optional title, in one step;
# anything else (angle brackets, nested parentheses, escapes) goes the long way.
_SIMPLE_DEST = re.compile(
    r"\([ \t\n]*([^\s()<>\\]*)(?:[ \t\n]+(\"[^\"\\]*\"|'[^'\\]*'))?[ \t\n]*\)"
)
_REF_LABEL = re.compile(r"\[((?:[^\[\]\\]|\\.){0,999})\]", re.S)


def _unescape(s: str) -> str:
    return unescapeAll(s) if "\\" in s or "&" in s else s


# URLs mdurl would leave as they are: most of them, and the only ones that
# skip its (slow) parse-and-encode.
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]*")


def _href(url: str) -> str:
    """The URL as markdown-it-py gives it (percent-encoded non-ASCII), so a
    link's text is the same whichever parser read it."""
    return url if _PLAIN_URL.fullmatch(url) else normalizeLink(url)


def _valid_link(url: str) -> bool:
    # The usual case is settled without markdown-it's lower-and-search.
    return url.startswith(("http", "#", "/", ".")) or validateLink(url)


def _is_space(c: str) -> bool:
    return c == "" or c.isspace()


def _is_punct(c: str) -> bool:
    return c in _ESCAPABLE or (c > "\x7f" and unicodedata.category(c)[0] in "PS")


def _code_spans(src: str) -> dict[int, tuple[int, str]]:
    """Code spans by opening offset: (offset just past the span, its content).

    A backtick run opens a span only if a run of the same length follows;
    once a length has no closer left, later runs of it are plain text, so
    the search stays linear on a line of unmatched backticks."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(src)]
    spans: dict[int, tuple[int, str]] = {}
    exhausted: set[int] = set()
    i = 0
    while i < len(runs):
        a, b = runs[i]
        n = b - a
        # A backslash before a run escapes its first backtick.
        if a > 0 and src[a - 1] == "\\" and not _escaped(src, a - 1):
            a += 1
            n -= 1
            if n == 0:
                i += 1
                continue
        if n in exhausted:
            i += 1
            continue
        for j in range(i + 1, len(runs)):
            c, d = runs[j]
            if d - c == n:
                body = src[b:c].replace("\n", " ")
                if body.startswith(" ") and body.endswith(" ") and body.strip(" "):
                    body = body[1:-1]
                spans[a] = (d, body)
                i = j
                break
        else:
            exhausted.add(n)
        i += 1
    return spans


def _escaped(src: str, pos: int) -> bool:
    """Whether the character at pos is escaped by an odd run of backslashes."""
    n = 0
    while pos - 1 - n >= 0 and src[pos - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def _bracket_pairs(src: str, spans: dict[int, tuple[int, str]]) -> dict[int, int]:
    """The matching ] of every [ (by nesting, as CommonMark's link label
    scan counts them), brackets in code spans and escaped ones left out."""
    if spans:
        chars = list(src)
        for a, (d, _) in spans.items():
            chars[a:d] = " " * (d - a)
        src = "".join(chars)
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for m in _BRACKET.finditer(src):
        if m.end() - m.start() != 1:
            continue
        if m.group(0) == "[":
            stack.append(m.start())
        elif stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _destination(src: str, pos: int) -> tuple[str, int] | None:
    """An inline link's "(destination 'title')" at pos: (href, offset past it)."""
    m = _SIMPLE_DEST.match(src, pos)
    if m:
        return _unescape(m.group(1)), m.end()
    n = len(src)
    i = pos + 1
    while i < n and src[i] in " \t\n":
        i += 1
    if i < n and src[i] == "<":
        j = i + 1
        while j < n and src[j] not in "<>\n":
            j += 2 if src[j] == "\\" else 1
        if j >= n or src[j] != ">":
            return None
        href, i = _unescape(src[i + 1:j]), j + 1
    else:
        depth = 0
        j = i
        while j < n:
            c = src[j]
            if c == "\\" and j + 1 < n and src[j + 1] in _ESCAPABLE:
                j += 2
                continue
            if c <= " " or c == "\x7f":
                break
            if c == "(":
                depth += 1
                if depth > 32:
                    return None
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if depth:
            return None
        href, i = _unescape(src[i:j]), j
    k = i
    while k < n and src[k] in " \t\n":
        k += 1
    if k < n and k > i and src[k] in "\"'(":
        close = ")" if src[k] == "(" else src[k]
        t = k + 1
        while t < n and src[t] != close:
            t += 2 if src[t] == "\\" else 1
        if t >= n:
            return None
        k = t + 1
        while k < n and src[k] in " \t\n":
            k += 1
    if k >= n or src[k] != ")":
        return None
    return href, k + 1


class _Scan:
    def __init__(self, src: str, refs: dict):
        self.src = src
        self.refs = refs
        self.code = _code_spans(src) if "`" in src else {}
        self.pairs = _bracket_pairs(src, self.code) if "[" in src else {}
        self.opens: list[int] | None = None  # sorted openers, when a link's text is searched for links
        self.links: dict[tuple, tuple | None] = {}  # link_end of inner openers already tried
        self.budget = 4 * len(src) + 64  # inner openers looked at, in all: keeps the scan linear

    def link_end(self, start: int, image: bool = False, depth: int = 0) -> tuple[str, int, int] | None:
        """For a [ at start: (href, end of label, offset past the link).
        A link's text may hold images but no link: when it does, the inner
        link stands and the outer brackets are text (CommonMark)."""
        close = self.pairs.get(start)
        if close is None:
            return None
        if not image and self._holds_link(start, close, depth):
            return None
        src = self.src
        after = close + 1
        if after < len(src) and src[after] == "(":
            dest = _destination(src, after)
            if dest is not None:
                href = _href(dest[0])
                # An unsafe URL (javascript:) makes no link, as in markdown-it.
                if _valid_link(href):
                    return href, close, dest[1]
        label = None
        end = after
        if after < len(src) and src[after] == "[":
            m = _REF_LABEL.match(src, after)
            if m:
                label, end = m.group(1), m.end()
                if not label.strip():
                    label = None
        if label is None:
            label = src[start + 1:close]
        ref = self.refs.get(normalizeReference(label)) if self.refs and label.strip() else None
        if ref is None:
            return None
        return str(ref.get("href", "")), close, end

    def _holds_link(self, start: int, close: int, depth: int) -> bool:
        src = self.src
        # Only "](", "][" or a known reference can make a link inside.
        if src.find("](", start + 1, close) < 0 and src.find("][", start + 1, close) < 0 \
                and not (self.refs and src.find("[", start + 1, close) >= 0):
            return False
        # Hostile nesting ("[[[[...](u)](u)](u)") is cut off, as markdown-it
        # cuts off its own at maxNesting: deeper brackets count as text.
        if depth >= _MAX_LINK_DEPTH or self.budget <= 0:
            return False
        opens = self.opens
        if opens is None:
            opens = self.opens = sorted(self.pairs)
        i = bisect.bisect_right(opens, start)
        while i < len(opens) and opens[i] < close:
            self.budget -= 1
            inner = opens[i]
            image = inner > 0 and src[inner - 1] == "!"
            found = self.links.get((inner, image), False)
            if found is False:
                found = self.links[inner, image] = self.link_end(inner, image, depth + 1)
            if found is None:
                i += 1
            elif image:
                # An image is allowed; its own brackets ("![a][ref]") are
                # not links of their own.
                i = bisect.bisect_left(opens, found[2], i + 1)
            else:
                return True
        return False

    def run(self, a: int, b: int, out: list, in_link: bool) -> None:
        src = self.src
        delims: list[list] = []  # [index in out, char, count, can_open, can_close]
        text_at = a
        i = a
        search = _SPECIAL.search
        while True:
            m = search(src, i, b)
            if m is None:
                break
            i = m.start()
            c = src[i]
            if c == "\n":
                # A line break drops the spaces that end the line (two or
                # more made it a hard break, which reads the same here).
                pre = src[text_at:i].rstrip(" ")
                if pre:
                    out.append(("text", pre))
                out.append(("br",))
                i += 1
                while i < b and src[i] in " \t":
                    i += 1
                text_at = i
                continue
            if c == "\\":
                nxt = src[i + 1] if i + 1 < b else ""
                if nxt == "\n":
                    if i > text_at:
                        out.append(("text", src[text_at:i]))
                    out.append(("br",))
                    i += 2
                    while i < b and src[i] in " \t":
                        i += 1
                    text_at = i
                elif nxt:
                    # An escapable character stands for itself; any other
                    # keeps its backslash, and the pair is one piece of text
                    # that a line break does not trim (as in markdown-it).
                    if i > text_at:
                        out.append(("text", src[text_at:i]))
                    out.append(("text", nxt if nxt in _ESCAPABLE else src[i:i + 2]))
                    i += 2
                    text_at = i
                else:
                    i += 1
                continue
            if c == "`":
                span = self.code.get(i)
                if span is not None and span[0] <= b:
                    if i > text_at:
                        out.append(("text", src[text_at:i]))
                    out.append(("code", span[1]))
                    i = text_at = span[0]
                else:
                    j = i
                    while j < b and src[j] == "`":
                        j += 1
                    i = j
                continue
            if c == "*" or c == "_":
                j = i
                while j < b and src[j] == c:
                    j += 1
                prev = src[i - 1] if i > a else ""
                nxt = src[j] if j < b else ""
                left = not _is_space(nxt) and (not _is_punct(nxt) or _is_space(prev) or _is_punct(prev))
                right = not _is_space(prev) and (not _is_punct(prev) or _is_space(nxt) or _is_punct(nxt))
                if c == "_":
                    can_open = left and (not right or _is_punct(prev))
                    can_close = right and (not left or _is_punct(nxt))
                else:
                    can_open, can_close = left, right
                if i > text_at:
                    out.append(("text", src[text_at:i]))
                if can_open or can_close:
                    delims.append([len(out), c, j - i, can_open, can_close])
                out.append(("text", src[i:j]))
                i = text_at = j
                continue
            if c == "<":
                m2 = _AUTOLINK.match(src, i, b) or _EMAIL.match(src, i, b)
                if m2 is not None:
                    if i > text_at:
                        out.append(("text", src[text_at:i]))
                    url = m2.group(1)
                    href = _href(url if m2.re is _AUTOLINK else "mailto:" + url)
                    if _valid_link(href):
                        out.append(("link_open", href))
                        # Its text as markdown-it shows it: percent-decoded,
                        # punycode host in Unicode, "[...]" host brackets dropped.
                        out.append(("text", normalizeLinkText(url)))
                        out.append(("link_close",))
                    else:
                        out.append(("text", m2.group(0)))
                    i = text_at = m2.end()
                    continue
                m2 = _HTML_TAG.match(src, i, b)
                if m2 is not None:
                    if i > text_at:
                        out.append(("text", src[text_at:i]))
                    out.append(("html", m2.group(0)))
                    i = text_at = m2.end()
                    continue
                i += 1
                continue
            if c == "&":
                m2 = _ENTITY.match(src, i, b)
                if m2 is not None:
                    ch = html.unescape(m2.group(0))
                    if ch != m2.group(0):
                        if i > text_at:
                            out.append(("text", src[text_at:i]))
                        out.append(("text", ch))
                        i = text_at = m2.end()
                        continue
                i += 1
                continue
            # "[" or "!": a link or an image, else plain text.
            img = c == "!"
            start = i + 1 if img else i
            if img and (start >= b or src[start] != "["):
                i += 1
                continue
            found = self.link_end(start, img)
            if found is None or found[2] > b or (in_link and not img):
                i += 1
                continue
            href, close, end = found
            if i > text_at:
                out.append(("text", src[text_at:i]))
            if img:
                out.append(("image", src[start + 1:close], href))
            else:
                out.append(("link_open", href))
                self.run(start + 1, close, out, True)
                out.append(("link_close",))
            i = text_at = end
        if b > text_at:
            out.append(("text", src[text_at:b]))
        if delims:
            _resolve_emphasis(out, delims)


def _resolve_emphasis(out: list, delims: list[list]) -> None:
    """Drop the * and _ that pair up as emphasis; unpaired ones stay text."""
    openers: list[list] = []
    for d in delims:
        if d[4]:
            k = len(openers) - 1
            while d[2] and k >= 0:
                o = openers[k]
                if o[1] == d[1] and o[2]:
                    used = min(o[2], d[2])
                    o[2] -= used
                    d[2] -= used
                    del openers[k + 1:]
                    if not o[2]:
                        openers.pop()
                k = min(k, len(openers)) - 1
        if d[3] and d[2]:
            openers.append(d)
    for idx, ch, n, _, _ in delims:
        out[idx] = ("text", ch * n)


def scan(src: str, refs: dict | None = None) -> list[tuple]:
    """Events of one inline run (a paragraph's or a heading's content);
    refs: the reference definitions markdown-it collected (env["references"])."""
    out: list[tuple] = []
    if not src:
        return out
    if _SPECIAL.search(src) is None:
        out.append(("text", src))
        return out
    _Scan(src, refs or {}).run(0, len(src), out, False)
    return out
