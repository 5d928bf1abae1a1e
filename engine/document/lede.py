"""Where a README says what its project is, beyond the first paragraph.

The builder takes the first descriptive paragraph as the lede. This pass, run
on the built Document so every parser path shares it, also reads as lede:

- a subtitle: a heading right under the title that is a phrase, not a section
  name ("Zapp\n====\n\nA message broker\n----"), as reStructuredText and
  some Markdown READMEs write their tagline;
- the list a short lede introduces with a colon ("Zapp provides:" then "- a
  message broker for IoT devices"): its first item says what the project is
  (further items are features, and read as lede they cost precision on the
  labelled READMEs);
- the defining sentence, below.

The defining sentence: "X is a/an …" near the top says what a project is.

The lede is the first descriptive paragraph, but many READMEs open with a
slogan ("Simple. Powerful. Fast."), a notice or a welcome line and define the
project a paragraph or two later: "structlog is the production-ready logging
solution for Python", "HandBrake is a tool for converting video". Such a
sentence in the first screen is the strongest evidence a README holds, so
its segment is read with the lede's weight as well.

"""
from __future__ import annotations

import re

# How far down the README "the first screen" reaches.
FIRST_SCREEN_LINES = 60
FIRST_SCREEN_SEGMENTS = 8  # prose and list segments looked at
SENTENCES = 2  # of each segment: the definition opens a paragraph

_ARTICLE = r"(?:a|an|the|one of the|your)"
# "<subject> is/are a|an|the …": the subject is a name (up to four words) or it/this.
_DEFINING = re.compile(
    r"^\W{0,3}(?P<subject>[\w.+#@/-]+(?: [\w.+#@/-]+){0,3}?)(?:\s*\([^)]{0,60}\))?,?"
    r" (?:is|are)(?: also| basically| simply| now)? " + _ARTICLE + r"\b",
    re.I,
)
# CJK: "X 是一个/一款/一套 …", "X は … です" (Japanese definition), "X 는 … 입니다".
_DEFINING_CJK = re.compile(r"^\W{0,3}(?P<subject>[^\s，。,.]{1,40}?)\s*(?:是一个|是一款|是一套|是一种|是一個|は[^。]{2,80}です)")
_PRONOUN = re.compile(r"^(?:it|this(?: \w+)?|that|which)$", re.I)
_PEOPLE = re.compile(r"^(?:we|i|you|they|there|here)$", re.I)  # "We are a foundation project" defines no project
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_TOKEN = re.compile(r"[\w.+#-]+")


def _names(title: str | None) -> set[str]:
    """Lower-cased words of the title: the project's name is among them."""
    return {w.lower().strip(".-") for w in _TOKEN.findall(title or "")} - {""}


def defines(sentence: str, names: set[str]) -> bool:
    """Whether the sentence defines the project: its subject is the title's
    name, a pronoun ("It is a …"), or, without a title, a single name."""
    m = _DEFINING.match(sentence) or _DEFINING_CJK.match(sentence)
    if not m:
        return False
    subject = m.group("subject").strip()
    if _PRONOUN.match(subject):
        return True
    if _PEOPLE.match(subject):
        return False
    words = {w.lower().strip(".-") for w in _TOKEN.findall(subject)}
    if names:
        return bool(words & names)
    return len(words) == 1


# Headings that open a section rather than say what the project is.
_SECTION_NAME = re.compile(
    r"^\W*(?:table of contents|contents|toc|overview|introduction|intro|about|features?|highlights|"
    r"install(?:ation|ing)?|setup|getting started|quick ?start|usage|examples?|demo|documentation|docs|"
    r"requirements|build(?:ing)?|license|licence|contributing|credits|news|changelog|status|motivation|why\b)",
    re.I)
LIST_ITEMS = 1  # items of a colon-introduced list read as lede
SHORT_LEDE_WORDS = 12  # a lede this short that ends in ':' leaves the saying to its list


def read_as_lede(doc, seg) -> None:
    """Count seg with the lede's weight; it is the lede if there is none yet."""
    seg.scope = "lede"
    if doc.lede is None:
        doc.lede, doc.lede_line = seg.text, seg.line


def _subtitle(doc) -> None:
    segs = doc.segments
    for i, seg in enumerate(segs):
        if seg.scope in ("badge", "link", "image"):
            continue
        if seg.scope != "title":
            return
        nxt = next((s for s in segs[i + 1:] if s.scope not in ("badge", "link", "image")), None)
        if nxt is not None and nxt.scope == "heading" and len(nxt.text.split()) >= 3 \
                and not _SECTION_NAME.match(nxt.text) and not nxt.text.rstrip().endswith("?"):
            read_as_lede(doc, nxt)
        return


def _colon_list(doc) -> None:
    segs = doc.segments
    for i, seg in enumerate(segs):
        if seg.scope != "lede":
            continue
        if not seg.text.rstrip().endswith((":", "：")) or len(seg.text.split()) > SHORT_LEDE_WORDS:
            return
        taken = 0
        for item in segs[i + 1:]:
            if item.scope in ("link", "badge", "image", "inline_code"):
                continue
            if item.scope != "list" or taken == LIST_ITEMS:
                return
            item.scope = "lede"
            taken += 1
        return


def promote(doc) -> None:
    """Read the subtitle, a colon's list and the first defining sentence of
    the first screen as lede too."""
    _subtitle(doc)
    _colon_list(doc)
    _defining(doc)


def _defining(doc) -> None:
    names = _names(doc.title)
    seen = 0
    for seg in doc.segments:
        if seg.line > FIRST_SCREEN_LINES or seen >= FIRST_SCREEN_SEGMENTS:
            return
        if seg.scope == "lede":
            if _opens_with_definition(seg, names):
                return  # the lede already says it
            continue
        if seg.scope not in ("prose", "list"):
            continue
        seen += 1
        if _opens_with_definition(seg, names):
            read_as_lede(doc, seg)
            return


def _opens_with_definition(seg, names: set[str]) -> bool:
    return any(defines(s, names) for s in _SENTENCE_END.split(seg.text, SENTENCES)[:SENTENCES])
