"""Which Markdown parser reads the block structure: markdown-it-py (always
installed) or markdown-it-pyrs (`pip install 'repotag[fast]'`), which gives
the same Document with a block pass ~3 times faster.

`auto` is the Rust parser when it is installed. Both paths produce identical
Documents, and so identical tags, scores and evidence (tests/test_parsers.py,
`python bench/tagdiff.py compare`); the choice changes speed only.
"""
from __future__ import annotations

from . import markdown, rust_blocks

PARSERS = ("auto", "python", "rust")


class ParserUnavailable(ValueError):
    """--parser rust without markdown-it-pyrs installed, or an unknown name."""


def resolve(name: str | None = "auto") -> str:
    """"python" or "rust": the parser `name` (auto, python, rust) runs."""
    name = name or "auto"
    if name not in PARSERS:
        raise ParserUnavailable(f"unknown parser {name!r}: choose auto, python or rust")
    if name == "auto":
        return "rust" if rust_blocks.available() else "python"
    if name == "rust" and not rust_blocks.available():
        raise ParserUnavailable("parser 'rust' needs markdown-it-pyrs: pip install 'repotag[fast]'")
    return name


_BLOCKS = {"python": markdown.python_blocks, "rust": rust_blocks.parse}


def parse(text: str, parser: str = "python") -> markdown.Document:
    """The Document of text, its blocks read by `parser` ("python" or "rust",
    as resolve() returns)."""
    return markdown.parse(text, _BLOCKS[parser])
