"""Keeping rule regexes from hanging the tagger.

Python's `re` backtracks. Two guards bound the work a rule pattern can do:

1. At load time, `backtracking_risk` refuses the shapes that backtrack
   exponentially: a repeat of unbounded (or large) count whose body holds
   another such repeat, like `(a+)+` or `(\\w+\\s?)*`, and a repeat of unbounded
   count over alternatives that can start with the same character, like
   `(a|ab)+`. The check is conservative: it may refuse a harmless pattern,
   and the error says how to rewrite it.
2. At match time, `windows` cuts long text into overlapping windows of
   WINDOW characters, so a pattern that is only polynomially slow (`\\w*x\\w*y`)
   costs O(n * WINDOW) on an n-character README instead of O(n^2).
"""
from __future__ import annotations

import functools

import re

try:  # Python >= 3.11
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

# A repeat of more than this many counts as unbounded: (a{1,1000}){1,1000}
# backtracks as badly as (a+)+.
LARGE_REPEAT = 32

# Regexes see at most WINDOW characters at once; consecutive windows overlap
# by OVERLAP characters, so a match shorter than OVERLAP is never lost at a cut.
WINDOW = 4096
OVERLAP = 512

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}


def _is_unbounded(hi) -> bool:
    return hi is _c.MAXREPEAT or hi == _c.MAXREPEAT or hi > LARGE_REPEAT


def _prefix(items) -> tuple[str, bool]:
    """The literal text a branch starts with, and whether that is all of it
    (a class, a category, a dot or a repeat ends the literal prefix)."""
    out = []
    for op, av in items:
        if op == _c.LITERAL:
            out.append(chr(av).lower())
        elif op == _c.SUBPATTERN:
            sub, whole = _prefix(av[-1])
            out.append(sub)
            if not whole:
                return "".join(out), False
        elif op != _c.AT:  # anchors match no character
            return "".join(out), False
    return "".join(out), True


def _overlapping_branches(branches) -> bool:
    """True unless every two branches differ within their literal prefixes,
    as 'native ' and 'natively ' do: then no text can match both."""
    prefixes = [_prefix(b)[0] for b in branches]
    for i, a in enumerate(prefixes):
        for b in prefixes[i + 1:]:
            if a.startswith(b) or b.startswith(a):
                return True
    return False


def _walk(items, in_repeat: bool) -> str | None:
    for op, av in items:
        found = None
        if op in _REPEATS:
            _, hi, body = av
            unbounded = _is_unbounded(hi)
            if unbounded and in_repeat:
                return "a repeated group holds another unbounded repeat (like (a+)+)"
            found = _walk(body, in_repeat or unbounded)
        elif op == _c.SUBPATTERN:
            found = _walk(av[-1], in_repeat)
        elif op == _c.BRANCH:
            if in_repeat and _overlapping_branches(av[1]):
                return "an unbounded repeat of alternatives that can start alike (like (a|ab)+)"
            found = next((r for b in av[1] if (r := _walk(b, in_repeat))), None)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _walk(av[1], in_repeat)
        if found:
            return found
    return None


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` may backtrack exponentially, or None if it looks safe."""
    try:
        tree = _p.parse(pattern, re.IGNORECASE)
    except re.error:
        return None  # compiling reports the syntax error
    except RecursionError:
        return "the pattern nests too deeply to check"
    return _walk(list(tree), False)


RISK_HINT = ("rewrite it without a repeat inside a repeat, e.g. '(a+)+' as 'a+', "
             "'(\\w+\\s?)+' as '[\\w\\s]+', '(a|ab)+' as '(ab?)+'")


# Pure in the source: an editor reloading a pack on every change (`repotag
# serve`) re-checks only the patterns it has not seen.
@functools.lru_cache(maxsize=8192)
def compile_rule_regex(source: str) -> tuple[re.Pattern | None, str | None]:
    """(compiled, None) or (None, why it is refused) for a rule pattern."""
    try:
        rx = re.compile(source, re.IGNORECASE | re.MULTILINE)  # rules.PATTERN_FLAGS
    except re.error as exc:
        return None, f"invalid regex {source!r}: {exc}"
    except RecursionError:
        return None, f"invalid regex {source!r}: nested too deeply"
    risk = backtracking_risk(source)
    if risk:
        return None, f"regex {source!r} may backtrack catastrophically: {risk}; {RISK_HINT}"
    return rx, None


def windows(length: int, window: int = WINDOW, overlap: int = OVERLAP):
    """(start, end, keep_until) windows over a text of `length` characters.

    A match found in a window is kept only if it starts before keep_until, so
    a match in the overlap is reported once, by the window where it starts
    first."""
    step = window - overlap
    start = 0
    while True:
        end = min(length, start + window)
        if end >= length:
            yield start, length, length
            return
        yield start, end, start + step
        start += step


def finditer_windowed(rx: re.Pattern, text: str, pos: int = 0, endpos: int | None = None):
    """rx.finditer over text[pos:endpos], one bounded window at a time, in
    order (lookarounds and anchors still see the text around the range)."""
    endpos = len(text) if endpos is None else endpos
    last_end = 0
    for start, end, keep in windows(endpos - pos):
        start, end, keep = start + pos, end + pos, keep + pos
        for m in rx.finditer(text, start, end):
            if m.start() >= keep:
                break
            if m.start() < last_end:
                continue  # overlaps a match already reported by the previous window
            last_end = m.end()
            yield m
