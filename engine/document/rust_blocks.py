"""The block pass from markdown-it-pyrs (the Rust port of markdown-it), as the
token stream engine/document/markdown.py reads from markdown-it-py.

markdown-it-pyrs reads the block structure ~3 times faster than
markdown-it-py's block pass, but it gives a tree with byte offsets, not a flat token list
with line maps, and keeps reference definitions as nodes, not in `env`. This
module walks the tree into the few token shapes the document builder reads
(container open/close, heading open/close, inline, fence, code_block,
html_block) with markdown-it-py's line numbers and references, so the rest
of the document builder is one code path for both parsers. Where the two
parsers read CommonMark differently, the difference is reconciled here;
tests/test_parsers.py holds a fixture for each case.

Inline rules are all off in the Rust parser: a paragraph's inline content
comes through as one text node, which engine/document/inline.py then reads
exactly as it reads markdown-it-py's inline token content.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from markdown_it.common.utils import normalizeReference

from .markdown import MAX_NESTING, python_blocks

# Documents handed back to markdown-it-py (see _Fallback), by reason: read
# by the benchmarks and tests.
fallbacks: dict[str, int] = {}

# The block rules markdown-it-py runs for the engine ("commonmark" + table,
# inline disabled); "zero" starts the Rust parser with none.
_BLOCK_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
                "reference", "html_block", "table"]

_MD = None


def available() -> bool:
    """Whether markdown-it-pyrs can be imported (the `fast` extra)."""
    try:
        import markdown_it_pyrs  # noqa: F401
    except ImportError:
        return False
    return True


def _markdown():
    global _MD
    if _MD is None:
        from markdown_it_pyrs import MarkdownIt

        _MD = MarkdownIt("zero").enable_many(_BLOCK_RULES)
    return _MD


class Token:
    """The fields of a markdown-it-py Token that the document builder reads."""

    __slots__ = ("type", "tag", "map", "content", "info")

    def __init__(self, type: str, map: list[int] | None = None, content: str = "", info: str = "",
                 tag: str = ""):
        self.type = type
        self.map = map
        self.content = content
        self.info = info
        self.tag = tag

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.map!r}, {self.content!r})"


_NL = re.compile(b"\n")
_OPEN = {"bullet_list": ("bullet_list_open", "bullet_list_close"),
         "ordered_list": ("ordered_list_open", "ordered_list_close"),
         "blockquote": ("blockquote_open", "blockquote_close")}


def _closing_fence(line: str, meta) -> bool:
    """Whether line closes a fence opened with meta's marker (CommonMark:
    up to 3 spaces, at least as many marker characters, then only spaces)."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3:
        return False
    marker = meta.get("marker", "`")
    run = len(body) - len(body.lstrip(marker))
    return run >= meta.get("marker_len", 3) and not body[run:].strip(" \t")


_TABLE_MARKS = re.compile(r"^[\s|:-]*\|[\s|:-]*$")
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*")

# Each line's indentation and container markers (and the line's remainder,
# so that finditer yields one match per line).
_LEAD = re.compile(r"^([ \t>*+\-0-9.)]*).*$", re.M)
# A tab after a container marker: where the parsers' column counts part.
# Lines indented by tabs alone (code in a list item's fence) read the same.
_MARKED_TAB = re.compile(r"[>*+\-.)][ \t]*\t")


# The start of a block that ends a table in markdown-it-py (it asks the rules
# that may interrupt a block quote: fence, quote, rule, list, HTML, heading),
# over-approximated: the Rust parser keeps some of these lines as table rows.
_MAY_END_TABLE = re.compile(r" {0,3}(?:[>#<*+_~`-]|\d{1,9}[.)])")


# A line of a paragraph in a container that starts like a list item: the
# Rust parser keeps it as a lazy continuation line when CommonMark forbids
# the item to interrupt a paragraph (an empty item, an ordered one not
# starting at 1); markdown-it-py, ending a block quote, starts a list.
_BARE_MARKER = re.compile(r"\n[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|\n|$)")


# HTML blocks that end only at their closing tag (CommonMark's kind 1). In a
# list item the Rust parser ends them at a blank line all the same.
_RAW_HTML = re.compile(r"[ \t]*<(pre|script|style|textarea)(?:[ \t>]|$)", re.I)


# A destination whose host name (or mail domain) holds a percent escape.
_ENCODED_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/?#]*%|mailto:[^?#]*@[^?#]*%", re.I)


class _Fallback(Exception):
    """A construct the two parsers read differently, which this module does
    not reconcile: the document's blocks come from markdown-it-py."""


class _Truncated(Exception):
    """markdown-it-py went past maxNesting inside a list item and skipped to
    the end of the enclosing block quote (or of the document)."""


class _Walk:
    def __init__(self, src: str, max_nesting: int):
        self.data = data = src.encode("utf-8")
        # Line starts in bytes; for ASCII text byte and character offsets agree.
        self.starts = [0] + [m.end() for m in _NL.finditer(data)]
        self.size = None if data.endswith(b"\n") else len(data)
        self.last_line = src[src.rfind("\n") + 1:]
        # Inside block quotes and list items the two parsers expand a tab
        # after a container marker to different columns (markdown-it-py as
        # CommonMark says, partly into the content of indented code), and so
        # may even nest the containers differently: such documents go back
        # to markdown-it-py. 2 of the 358 labelled READMEs do.
        self.tab_lines = [(n, _MARKED_TAB.search(m.group(1)) is not None)
                          for n, m in enumerate(_LEAD.finditer(src)) if "\t" in m.group(1)] if "\t" in src else ()
        self.max_nesting = max_nesting
        self.quoted = 0
        self.src = src
        self._lines: list[str] | None = None
        self.out: list[Token] = []
        self.refs: dict[str, dict] = {}

    def at_unterminated_end(self, node) -> bool:
        """The block runs to the end of a text with no final newline. The Rust
        parser ends a block's content with "\\n" all the same; markdown-it-py
        ends it with what the text holds (nothing)."""
        return self.size is not None and node.srcmap[1] >= self.size

    @property
    def src_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.src.split("\n")
        return self._lines

    def unterminated(self, content: str) -> str:
        """markdown-it-py's content of a block that ends the text: the last
        line without its newline, and a last line of only spaces not at all."""
        if self.last_line.strip():
            return content[:-1]
        return content[:content.rfind("\n", 0, len(content) - 1) + 1]

    def tabbed(self, node, indented_code: bool) -> bool:
        """Whether a line of node's span has a tab after a container marker
        (or, for indented code, anywhere in its indentation)."""
        first = self.line(node)
        last = bisect_right(self.starts, max(node.srcmap[1] - 1, node.srcmap[0])) - 1
        return any(first <= n <= last and (indented_code or marked) for n, marked in self.tab_lines)

    def text_from(self, node) -> str:
        """The source line of node, from where node starts."""
        start = node.srcmap[0]
        end = self.data.find(b"\n", start)
        return self.data[start:end if end >= 0 else len(self.data)].decode("utf-8", "replace")

    def line(self, node) -> int:
        return bisect_right(self.starts, node.srcmap[0]) - 1

    def lazy_indented(self, node) -> bool:
        """Whether a paragraph in a block quote has an indented lazy line
        (one without the quote's `>`): markdown-it-py keeps its indentation
        in the content, the Rust parser drops it."""
        if not self.quoted:
            return False
        first = self.line(node)
        last = bisect_right(self.starts, node.srcmap[1] - 1) - 1
        lines = self.src_lines
        for n in range(first + 1, last + 1):
            text = lines[n]
            body = text.lstrip(" \t")
            if len(body) != len(text) and not body.startswith(">"):
                return True
        return False

    def blocks(self, nodes, level: int) -> None:
        """The children of a container, tokenized at `level` (markdown-it-py's
        state.level); at maxNesting markdown-it-py skips them all."""
        if level >= self.max_nesting:
            return
        out = self.out
        prev_end = -1  # the last line of the previous container sibling
        for node in nodes:
            name = node.name
            if name == "table" and prev_end >= 0 and self.line(node) == prev_end + 1:
                # A table right after a quote or list: markdown-it-py reads its
                # lines as lazy continuation of the quote's paragraph.
                raise _Fallback("table after a container")
            prev_end = bisect_right(self.starts, node.srcmap[1] - 1) - 1 if name in _OPEN else -1
            if level and self.tab_lines and name not in _OPEN and self.tabbed(node, name == "code_block"):
                raise _Fallback("tab in indentation")
            if name == "paragraph" or name == "text":
                kids = node.children if name == "paragraph" else (node,)
                if kids:
                    line = self.line(node)
                    content = kids[0].meta.get("content", "")
                    if level and "\n" in content and (_BARE_MARKER.search(content) or self.lazy_indented(node)):
                        raise _Fallback("lazy line")
                    out.append(Token("inline", [line, line + 1], content))
            elif name == "heading" or name == "lheading":
                if name == "lheading" and _TABLE_MARKS.match(node.children[0].meta.get("content", "") if node.children else ""):
                    # " |---|\n---": markdown-it-py reads a table (that row as
                    # its header, the underline as its delimiter row).
                    raise _Fallback("setext heading of table marks")
                line = self.line(node)
                tag = f"h{node.meta['level']}"
                kids = node.children
                out.append(Token("heading_open", [line, line + 1], tag=tag))
                out.append(Token("inline", [line, line + 1], kids[0].meta["content"] if kids else ""))
                out.append(Token("heading_close", tag=tag))
            elif name == "fence":
                meta = node.meta
                content = meta.get("content", "")
                last = self.last_line
                if level:
                    # Inside a quote or list the closing fence follows the
                    # container's markers and indentation ("> ```").
                    last = _CONTAINER_PREFIX.sub("", last)
                if self.at_unterminated_end(node) and not _closing_fence(last, meta):
                    content = self.unterminated(content)
                out.append(Token("fence", [self.line(node), 0], content, meta.get("info", "")))
            elif name == "html_block":
                content = node.meta.get("content", "")
                if level:
                    raw = _RAW_HTML.match(content)
                    if raw and f"</{raw.group(1).lower()}>" not in content.lower():
                        raise _Fallback("raw html in container")
                if self.at_unterminated_end(node):
                    content = self.unterminated(content)
                out.append(Token(name, [self.line(node), 0], content))
            elif name == "code_block":
                # markdown-it-py ends indented code with "\n" wherever it stops.
                out.append(Token(name, [self.line(node), 0], node.meta.get("content", "")))
            elif name in _OPEN:
                opened, closed = _OPEN[name]
                out.append(Token(opened, [self.line(node), 0]))
                try:
                    if name == "blockquote":
                        self.quoted += 1
                        try:
                            self.blocks(node.children, level + 1)
                        finally:
                            self.quoted -= 1
                    else:
                        for item in node.children:
                            # list_open and list_item_open each raise the level.
                            if level + 2 >= self.max_nesting:
                                raise _Truncated()
                            self.blocks(item.children, level + 2)
                except _Truncated:
                    out.append(Token(closed))
                    if name != "blockquote":
                        raise
                    continue
                out.append(Token(closed))
            elif name == "table":
                self.table(node)
            elif name == "definition":
                self.definition(node.meta)
            # hr and anything unknown carry no text.

    def table(self, node) -> None:
        out = self.out
        for part in node.children:  # thead, tbody
            cell = "th" if part.name == "thead" else "td"
            for row in part.children:
                line = self.line(row)
                # A header that starts like a list item, quote or heading is
                # that block in markdown-it-py, which tries tables later.
                if _MAY_END_TABLE.match(self.text_from(row)):
                    raise _Fallback("table row starts a block")
                for c in row.children:
                    out.append(Token(cell + "_open"))
                    kids = c.children
                    out.append(Token("inline", [line, line + 1], kids[0].meta.get("content", "") if kids else ""))
                    out.append(Token(cell + "_close"))

    def definition(self, meta) -> None:
        # markdown-it-py keeps the first definition of a label, as the Rust
        # parser does. Both percent-encode the destination alike, but only
        # markdown-it-py writes a non-ASCII host name in punycode.
        label = normalizeReference(meta.get("label", ""))
        if not label or label in self.refs:
            return
        href = meta.get("destination", "")
        if "%" in href and _ENCODED_HOST.match(href):
            raise _Fallback("encoded host name")
        self.refs[label] = {"title": meta.get("title", ""), "href": href}


def parse(src: str, env: dict, max_nesting: int = MAX_NESTING) -> list[Token]:
    """markdown-it-py's block tokens for src, from markdown-it-pyrs; the
    reference definitions go to env["references"] as markdown-it-py puts them."""
    w = _Walk(src, max_nesting)
    try:
        tree = _markdown().tree(src)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: B036 - a Rust panic arrives as pyo3's PanicException, no Exception
        fallbacks["rust parser failed"] = fallbacks.get("rust parser failed", 0) + 1
        return python_blocks(src, env)
    try:
        w.blocks(tree.children, 0)
    except _Truncated:
        pass
    except _Fallback as exc:
        fallbacks[str(exc)] = fallbacks.get(str(exc), 0) + 1
        return python_blocks(src, env)
    if w.refs:
        env["references"] = w.refs
    return w.out

